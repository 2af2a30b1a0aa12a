{#-
    Alerts that call for an intervention (metrics.md §7c), rebuilt every run after the satisfaction analysis has
    scored every contact (analysis.contact_satisfaction_scores: Dagster runs this model in a second dbt step, after
    the analysis asset; docs/decisions.md). Two kinds, thresholds from seeds metric_targets:
    - low_expected_csat (subject contact): an identified customer's contact of the last `alert_window_days` days of
      data whose expected csat is below `alert_expected_csat_below`. open while the customer has not been
      contacted since; resolved once a later contact of theirs exists.
    - agent_quality_score / queue_quality_score (subject agent / queue): the data-based quality score (mean
      expected csat of the subject's scored contacts) over the rolling week - the last 7 local days of data - is
      below `quality_score_target`, with at least `alert_min_contacts_week` scored contacts. open.
    alert_id is stable across runs for the same alert (kind, subject, contact or week end), so a notifier can tell
    a new alert from one it already sent. With no analysis table yet (a dbt build without the analysis, e.g. on
    PostgreSQL) there are no scores and no alerts. Unit test beside it: hand-computed thresholds, window edges,
    unidentified customers, same-instant contacts and the minimum weekly count.
-#}

with targets as (
    {{ metric_targets_row([
        ('alert_expected_csat_below', 'csat_below'),
        ('alert_window_days', 'window_days'),
        ('quality_score_target', 'score_target'),
        ('alert_min_contacts_week', 'min_contacts'),
    ]) }}
),

scores as (
    {{ contact_scores(scored_only=true) }}
),

contacts as (
    select contact_id, customer_key, agent_id, queue, started_at, local_date
    from {{ ref('fct_contacts') }}
),

data_end as (
    select max(started_at) as data_end_at, max(local_date) as data_end_date
    from contacts
),

-- step 1: each identified customer's next contact after this one (ties at the same instant are not "since")
next_contacts as (
    select
        contact_id,
        min(later_started_at) as next_contact_at
    from (
        select
            a.contact_id,
            b.started_at as later_started_at
        from contacts as a
        inner join contacts as b
            on b.customer_key = a.customer_key
            and b.started_at > a.started_at
        cross join data_end
        cross join targets
        where a.customer_key is not null
          and a.local_date > {{ dbt.dateadd('day', '-1 * cast(targets.window_days as integer)', 'data_end.data_end_date') }}
    ) as later
    group by contact_id
),

-- step 2: low expected csat in the alert window; open while the customer has not been contacted since
low_csat as (
    select
        'low_expected_csat' as kind,
        'contact' as subject_type,
        contacts.contact_id as subject_id,
        contacts.contact_id,
        contacts.customer_key,
        contacts.started_at as raised_at,
        scores.expected_csat as score,
        targets.csat_below as threshold,
        cast(1 as {{ dbt.type_bigint() }}) as contacts_in_window,
        case when next_contacts.next_contact_at is null then 'open' else 'resolved' end as status,
        next_contacts.next_contact_at
    from contacts
    inner join scores
        on scores.contact_id = contacts.contact_id
    left join next_contacts
        on next_contacts.contact_id = contacts.contact_id
    cross join targets
    cross join data_end
    where contacts.customer_key is not null
      and scores.expected_csat < targets.csat_below
      and contacts.local_date > {{ dbt.dateadd('day', '-1 * cast(targets.window_days as integer)', 'data_end.data_end_date') }}
),

-- step 3: the data-based quality score of every agent and queue over the rolling week (the last 7 local days)
week_contacts as (
    select contacts.agent_id, contacts.queue, scores.expected_csat
    from contacts
    inner join scores
        on scores.contact_id = contacts.contact_id
    cross join data_end
    where contacts.local_date > {{ dbt.dateadd('day', -7, 'data_end.data_end_date') }}
),

subject_scores as (
    select 'agent' as subject_type, agent_id as subject_id, avg(expected_csat) as score, count(*) as contacts_in_window
    from week_contacts
    where agent_id is not null
    group by agent_id
    union all
    select 'queue', queue, avg(expected_csat), count(*)
    from week_contacts
    where queue is not null
    group by queue
),

low_scores as (
    select
        subject_scores.subject_type || '_quality_score' as kind,
        subject_scores.subject_type,
        subject_scores.subject_id,
        cast(null as {{ dbt.type_string() }}) as contact_id,
        cast(null as {{ dbt.type_string() }}) as customer_key,
        data_end.data_end_at as raised_at,
        subject_scores.score,
        targets.score_target as threshold,
        cast(subject_scores.contacts_in_window as {{ dbt.type_bigint() }}) as contacts_in_window,
        'open' as status,
        cast(null as {{ type_timestamptz() }}) as next_contact_at
    from subject_scores
    cross join targets
    cross join data_end
    where subject_scores.score < targets.score_target
      and subject_scores.contacts_in_window >= targets.min_contacts
),

alerts as (
    select * from low_csat
    union all
    select * from low_scores
)

select
    {{ dbt.hash("alerts.kind || '|' || alerts.subject_id || '|' || cast(cast(alerts.raised_at as date) as " ~ dbt.type_string() ~ ")") }} as alert_id,
    alerts.kind,
    alerts.subject_type,
    alerts.subject_id,
    alerts.contact_id,
    alerts.customer_key,
    alerts.raised_at,
    alerts.status,
    case alerts.kind
        when 'low_expected_csat' then 'Expected csat below ' || {{ journey_number_text('alerts.threshold') }}
            || ' and the customer has ' || case when alerts.status = 'open' then 'not been contacted since' else 'been contacted since' end
        else 'Data-based quality score (mean expected csat) of the ' || alerts.subject_type || ' over the week to '
            || cast(data_end.data_end_date as {{ dbt.type_string() }}) || ' below target ' || {{ journey_number_text('alerts.threshold') }}
    end as reason,
    case alerts.kind
        when 'low_expected_csat' then 'expected_csat = ' || cast(cast(alerts.score as numeric(18, 2)) as {{ dbt.type_string() }})
            || ' (below ' || {{ journey_number_text('alerts.threshold') }} || ')'
            || coalesce('; next contact at ' || {{ instant_to_text('alerts.next_contact_at') }}, '')
        else 'quality_score = ' || cast(cast(alerts.score as numeric(18, 2)) as {{ dbt.type_string() }})
            || ' over ' || cast(alerts.contacts_in_window as {{ dbt.type_string() }}) || ' scored contacts (target '
            || {{ journey_number_text('alerts.threshold') }} || ')'
    end as evidence,
    alerts.score,
    alerts.threshold,
    alerts.contacts_in_window
from alerts
cross join data_end
