{#-
    First contact resolution per local date x channel x queue (metrics.md §2, §8), from fct_contacts.
    Every rate carries its numerator (<...>_count) and denominator (eligible...); a zero denominator gives NULL.
    eligible = handled contacts of an identified customer whose window is not censored (fcr not NULL);
    `eligible` without suffix is the default 48 h window's.
-#}
{{- contacts_require_windows([48, 168]) -}}
{%- set windows = ['48h', '7d'] -%}

with targets as (
    {{ metric_targets_row([('fcr_48h_rate', 'fcr_48h_target'), ('fcr_7d_rate', 'fcr_7d_target')]) }}
),

daily as (
    select
        local_date,
        channel,
        queue,
        count(*) as contacts,
        {{ contacts_count_if('is_handled') }} as handled,
        {{ contacts_count_if('is_handled and not is_identified') }} as unidentified,
        {{ contacts_count_if('fcr_48h is not null') }} as eligible,
        {%- for w in windows %}

        -- ---- {{ w }} window ----
        {{ contacts_count_if('is_handled and is_identified and is_censored_' ~ w) }} as censored_{{ w }},
        {{ contacts_count_if('fcr_' ~ w ~ ' is not null') }} as eligible_{{ w }},
        {{ contacts_count_if('fcr_' ~ w) }} as fcr_{{ w }}_count,
        {{ contacts_safe_ratio(contacts_count_if('fcr_' ~ w), contacts_count_if('fcr_' ~ w ~ ' is not null')) }} as fcr_{{ w }}_rate,
        {%- for variant in ['same_channel', 'same_reason'] %}
        {{ contacts_count_if('fcr_' ~ variant ~ '_' ~ w ~ ' is not null') }} as eligible_{{ variant }}_{{ w }},
        {{ contacts_count_if('fcr_' ~ variant ~ '_' ~ w) }} as fcr_{{ variant }}_{{ w }}_count,
        {{ contacts_safe_ratio(contacts_count_if('fcr_' ~ variant ~ '_' ~ w), contacts_count_if('fcr_' ~ variant ~ '_' ~ w ~ ' is not null')) }} as fcr_{{ variant }}_{{ w }}_rate,
        {%- endfor %}
        {%- endfor %}

        -- ---- first contacts only: no contact by the customer in the W before the contact ----
        {{ contacts_count_if('is_handled and is_first_contact') }} as first_contact_handled,
        {%- for w in windows %}
        {{ contacts_count_if('is_handled and is_first_contact_' ~ w) }} as first_contact_handled_{{ w }},
        {{ contacts_count_if('fcr_' ~ w ~ ' is not null and is_first_contact_' ~ w) }} as first_contact_eligible_{{ w }},
        {{ contacts_count_if('fcr_' ~ w ~ ' and is_first_contact_' ~ w) }} as first_contact_fcr_{{ w }}_count,
        {{ contacts_safe_ratio(contacts_count_if('fcr_' ~ w ~ ' and is_first_contact_' ~ w), contacts_count_if('fcr_' ~ w ~ ' is not null and is_first_contact_' ~ w)) }} as first_contact_fcr_{{ w }}_rate{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ ref('fct_contacts') }}
    group by local_date, channel, queue
)

select
    daily.*,
    -- targets from seeds metric_targets (the same for every row; carried for dashboards)
    targets.fcr_48h_target,
    targets.fcr_7d_target
from daily
cross join targets
