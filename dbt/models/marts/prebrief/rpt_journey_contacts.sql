{#-
    The pre-brief journey's contacts (metrics.md §7c), what `GET /customers/{id}/journey` reads (lib/prebrief.py):
    every identified customer's contact of the journey window - started after the latest contact's start minus
    `journey_window_days` days (seeds metric_targets; whole hours, 24 a day, so no zone's clock change moves it) -
    with its expected csat (analysis.contact_satisfaction_scores) and, when it has none, why.
    Why a table of its own: a look-up by customer used to scan fct_contacts' customer_key column and join the
    customer's rows to the scores of every contact, per request, growing with the history (issue 17 item 5). This
    table holds only the window (its size follows the daily volume, not the history), with the score already joined,
    written in customer order so that DuckDB's zone maps skip every row group but the customer's.
    Built after the satisfaction analysis (Dagster's second dbt step, like rpt_alerts); without the analysis
    tables (a plain dbt build, e.g. on PostgreSQL) expected_csat is NULL.
-#}

with targets as (
    {{ metric_targets_row([('journey_window_days', 'window_days')]) }}
),

scores as (
    {{ contact_scores(scored_only=false, with_reason=true) }}
),

-- step 1: the window - from the latest contact's start back journey_window_days x 24 hours
journey_window as (
    select
        {{ dbt.dateadd('hour', '-24 * cast(targets.window_days as integer)', 'max(contacts.started_at)') }} as window_start_at,
        max(contacts.started_at) as data_end_at
    from {{ ref('fct_contacts') }} as contacts
    cross join targets
    group by targets.window_days
),

-- step 2: the identified customers' contacts in the window, each with its expected csat or why it has none
window_contacts as (
    select
        contacts.contact_id,
        contacts.channel,
        contacts.customer_key,
        contacts.started_at,
        contacts.ended_at,
        contacts.local_date,
        contacts.queue,
        contacts.reason_code,
        contacts.agent_id,
        contacts.outcome,
        contacts.is_handled,
        contacts.ivr_seconds,
        contacts.queue_seconds,
        contacts.handle_seconds,
        contacts.transfer_count,
        contacts.has_repeat_48h,
        contacts.has_repeat_7d,
        contacts.csat,
        scores.expected_csat,
        -- why there is no score: the analysis's reason, or that the analysis has no row for the contact
        case
            when scores.expected_csat is not null then null
            when scores.contact_id is null
                then 'not scored: the satisfaction analysis has not scored this contact (it has not run since the contact arrived)'
            else scores.score_null_reason
        end as score_null_reason,
        journey_window.window_start_at,
        journey_window.data_end_at
    from {{ ref('fct_contacts') }} as contacts
    cross join journey_window
    left join scores
        on scores.contact_id = contacts.contact_id
    where contacts.customer_key is not null
      and contacts.started_at > journey_window.window_start_at
)

-- step 3: stored in customer order, newest first (the journey's order), so a look-up reads one customer's rows
select * from window_contacts
order by customer_key, started_at desc, contact_id desc
