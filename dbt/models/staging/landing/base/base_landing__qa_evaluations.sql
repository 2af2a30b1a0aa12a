{#- Every row delivered for landing.qa_evaluations (contract files and adapter exports), typed, with its fate
    (staged | rejected | history) and reject reason: see macros/landing/landing_validated.sql. -#}
{{ landing_base('qa_evaluations') }}
