{#-
    Pain points of a contact (metrics.md §7c): every journey quality point (seeds journey_quality_points) the
    contact failed, judged by the same rule as the journey quality matrix (macros/journey/journey_quality.sql),
    plus a repeat contact (the customer had contacted us in the 7 days before). What the pre-brief API shows the
    agent: code, label and evidence (the measured value against the point's threshold).
-#}
with {{ journey_quality_judged_ctes() }},

contacts as (
    select contact_id, customer_key, started_at, local_date, prior_contacts_7d, has_full_prior_history
    from {{ ref('fct_contacts') }}
),

-- step 1: the quality points the contact failed (a NULL verdict - a lower bound that cannot decide yet - is no failure)
failed_points as (
    select
        judged.contact_id,
        points.quality_point as pain_point,
        points.touchpoint,
        points.dimension,
        points.description as label,
        points.measure,
        judged.measure_value,
        points.threshold,
        points.direction,
        points.measure || ' = ' || {{ journey_number_text('judged.measure_value') }}
            || case when judged.is_lower_bound then ' or more' else '' end
            || ' (' || points.direction || ' ' || {{ journey_number_text('points.threshold') }} || ')' as evidence
    from judged
    inner join points
        on points.quality_point = judged.quality_point
    where judged.passed = false
),

-- step 2: a repeat contact - the customer contacted us at least once in the 7 days before this contact
repeats as (
    select
        contact_id,
        'repeat_contact_7d' as pain_point,
        'entry' as touchpoint,
        'reliability' as dimension,
        'The customer had already contacted us in the 7 days before this contact' as label,
        'prior_contacts_7d' as measure,
        cast(prior_contacts_7d as {{ type_double() }}) as measure_value,
        cast(1 as {{ type_double() }}) as threshold,
        'min' as direction,
        'prior_contacts_7d = ' || {{ journey_number_text('prior_contacts_7d') }}
            || case when not coalesce(has_full_prior_history, false) then ' or more' else '' end
            || ' earlier contact(s) in 7 days' as evidence
    from contacts
    where prior_contacts_7d >= 1
),

pain_points as (
    select * from failed_points
    union all
    select * from repeats
)

select
    pain_points.contact_id,
    contacts.customer_key,
    contacts.started_at,
    contacts.local_date,
    pain_points.pain_point,
    pain_points.touchpoint,
    pain_points.dimension,
    pain_points.label,
    pain_points.evidence,
    pain_points.measure,
    pain_points.measure_value,
    pain_points.threshold,
    pain_points.direction
from pain_points
inner join contacts
    on contacts.contact_id = pain_points.contact_id
-- stored in customer order: the pre-brief reads one customer's pain points, and DuckDB's zone maps then skip every
-- row group but theirs (issue 17 item 5; docs/decisions.md)
order by contacts.customer_key, contacts.started_at desc, pain_points.contact_id, pain_points.pain_point
