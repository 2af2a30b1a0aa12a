{#- Every row delivered for landing.training_enrollments (contract files and adapter exports), typed, with its fate
    (staged | rejected | history) and reject reason: see macros/landing/landing_validated.sql. -#}
{{ landing_base('training_enrollments') }}
