{#-
    Survey cross-check of repeat-based FCR (metrics.md §2): per local month x channel, the 2 x 2 table of the
    customer's answer to "was your issue resolved?" (resolved_reported of the contact's latest survey) against
    fcr, for contacts where both are known; agreement rate and Cohen's kappa.
-#}
{{- contacts_require_windows([48, 168]) -}}
{%- set windows = ['48h', '7d'] -%}

with surveyed as (
    select
        cast({{ dbt.date_trunc('month', 'local_date') }} as date) as local_month,
        channel,
        resolved_reported,
        fcr_48h,
        fcr_7d
    from {{ ref('fct_contacts') }}
    where resolved_reported is not null
),

cells as (
    select
        local_month,
        channel,
        count(*) as surveyed_with_resolved_reported,
        {%- for w in windows %}
        {{ contacts_count_if('fcr_' ~ w ~ ' is not null') }} as compared_{{ w }},
        {{ contacts_count_if('resolved_reported and fcr_' ~ w) }} as reported_yes_fcr_yes_{{ w }},
        {{ contacts_count_if('resolved_reported and not fcr_' ~ w) }} as reported_yes_fcr_no_{{ w }},
        {{ contacts_count_if('not resolved_reported and fcr_' ~ w) }} as reported_no_fcr_yes_{{ w }},
        {{ contacts_count_if('not resolved_reported and not fcr_' ~ w) }} as reported_no_fcr_no_{{ w }}{{ ',' if not loop.last }}
        {%- endfor %}
    from surveyed
    group by local_month, channel
),

agreement as (
    select
        cells.*,
        {%- for w in windows %}
        reported_yes_fcr_yes_{{ w }} + reported_no_fcr_no_{{ w }} as agreeing_{{ w }},
        -- chance agreement of Cohen's kappa: p_e = (row_yes * col_yes + row_no * col_no) / n^2
        {{ contacts_safe_ratio(
            '(reported_yes_fcr_yes_' ~ w ~ ' + reported_yes_fcr_no_' ~ w ~ ') * (reported_yes_fcr_yes_' ~ w ~ ' + reported_no_fcr_yes_' ~ w ~ ')'
            ~ ' + (reported_no_fcr_yes_' ~ w ~ ' + reported_no_fcr_no_' ~ w ~ ') * (reported_yes_fcr_no_' ~ w ~ ' + reported_no_fcr_no_' ~ w ~ ')',
            'compared_' ~ w ~ ' * compared_' ~ w) }} as chance_agreement_{{ w }}{{ ',' if not loop.last }}
        {%- endfor %}
    from cells
)

select
    local_month,
    channel,
    surveyed_with_resolved_reported,
    {%- for w in windows %}
    compared_{{ w }},
    reported_yes_fcr_yes_{{ w }},
    reported_yes_fcr_no_{{ w }},
    reported_no_fcr_yes_{{ w }},
    reported_no_fcr_no_{{ w }},
    agreeing_{{ w }},
    {{ contacts_safe_ratio('agreeing_' ~ w, 'compared_' ~ w) }} as agreement_rate_{{ w }},
    ({{ contacts_safe_ratio('agreeing_' ~ w, 'compared_' ~ w) }} - chance_agreement_{{ w }})
        / nullif(1 - chance_agreement_{{ w }}, 0) as cohen_kappa_{{ w }}{{ ',' if not loop.last }}
    {%- endfor %}
from agreement
