{#-
    Rules of a landing source that need another relation (the contract's own meta only sees the row).
    landing_lookup(table_name) -> none, or {join: SQL joining the lookup to landing_typed (columns prefixed so
    they never clash with contract columns), enum_checks / range_checks: expressions yielding a detail or NULL,
    added to the contract's invalid_enum / out_of_range checks (so the order of reasons stays the contract's),
    fingerprint: the [name, relation, columns] the checks read (kept_in_place.sql reference_fingerprint): a build by
    load validates every row again when their fingerprint changed (landing_incremental.sql)}.

    survey_answers: the question must be in the catalogue in force (stg_survey_question_catalogue: the seed with the
    delivered survey_questions over it), and the score within its scale_min..scale_max.
-#}
{% macro landing_lookup(table_name) -%}
    {%- if table_name == 'survey_answers' -%}
        {%- set questions = ref('stg_survey_question_catalogue') -%}
        {%- set range_detail = dbt.concat([
            "'score outside the scale '",
            "cast(_question.question_scale_min as " ~ dbt.type_string() ~ ")",
            "'-'",
            "cast(_question.question_scale_max as " ~ dbt.type_string() ~ ")",
            "' of question '",
            "landing_typed.question_code"
        ]) -%}
        {{ return({
            'join': "left join (select question_code as question_key, scale_min as question_scale_min, "
                    ~ "scale_max as question_scale_max from " ~ questions ~ ") as _question "
                    ~ "on _question.question_key = landing_typed.question_code",
            'enum_checks': ["case when landing_typed.question_code is not null and _question.question_key is null "
                            ~ "then 'question_code not in survey_questions (seed or delivered)' end"],
            'range_checks': ["case when landing_typed.score < _question.question_scale_min "
                             ~ "or landing_typed.score > _question.question_scale_max then " ~ range_detail ~ " end"],
            'fingerprint': [['survey_question_catalogue', questions, ['question_code', 'scale_min', 'scale_max']]],
        }) }}
    {%- endif -%}
    {{ return(none) }}
{%- endmacro %}
