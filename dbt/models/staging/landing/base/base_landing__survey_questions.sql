{#- Every row delivered for landing.survey_questions (contract files and adapter exports), typed, with its fate
    (staged | rejected | history) and reject reason: see macros/landing/landing_validated.sql. -#}
{{ landing_base('survey_questions') }}
