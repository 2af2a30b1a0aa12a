{#- Every row delivered for landing.survey_answers (contract files and adapter exports), typed, with its fate
    (staged | rejected | history) and reject reason: see macros/landing/landing_validated.sql. Besides the
    contract's own rules, each answer is checked against its question in stg_survey_question_catalogue (the seed
    catalogue with the delivered survey_questions over it; landing_lookup() in macros/landing/landing_lookups.sql):
    an unknown question_code is invalid_enum, a score outside the question's scale_min..scale_max out_of_range. -#}
{{ landing_base('survey_answers') }}
