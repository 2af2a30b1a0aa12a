{#- Every row delivered for landing.improvement_actions (contract files and adapter exports), typed, with its fate
    (staged | rejected | history) and reject reason: see macros/landing/landing_validated.sql. -#}
{{ landing_base('improvement_actions') }}
