{#-
    Repeat contacts, first-contact resolution, first contacts and journeys per contact (metrics.md §1, §2).

    Set-based and linear: every measure is a window over the customer's contacts (sorts: customer x
    started_at; customer x channel; customer x reason; customer x (started_at, contact_id) for journeys), never
    a range self-join. "Strictly after t" is a frame starting 1 microsecond after t: DuckDB and PostgreSQL store
    instants in microseconds, so `range between 1 microsecond following and ...` is exactly (t, ...]. Contacts
    of one customer at the same instant are therefore never repeats (nor priors) of each other; among them the
    smallest contact_id comes first in a journey (docs/decisions.md, Contacts and FCR). A contact has a repeat
    within W when the next later contact starts at or before t + W, so one "next contact" window serves every W.

    Incremental (delete+insert on contact_id; a table rebuilt whole on Spark, cross_db.sql updated_in_place): a
    build rewrites only the rows the new data can change (macros/contacts/contacts_recompute_scope.sql, the one
    rule): the contacts of the customers it touches from the longest repeat window before the earliest change on,
    over their whole history (journey numbers count from a customer's first contact), and the contacts near the
    end (and start) of the data when it moved. The end and start of the data are always those of all contacts.
-#}
{#- The contact's own columns (int_contacts_unioned), passed through; an incremental build compares them with the
    stored row to find what changed. -#}
{%- set contact_columns = [
    'contact_id', 'contact_source', 'channel', 'customer_id', 'customer_key', 'is_identified', 'started_at',
    'ended_at', 'started_at_local', 'local_date', 'local_hour', 'queue', 'reason_code', 'agent_id', 'outcome',
    'is_handled', 'is_abandoned', 'is_self_served', 'bot_involved', 'is_bot_failure', 'ivr_seconds',
    'ivr_keypresses', 'queue_seconds', 'first_response_seconds', 'handle_seconds', 'transfer_count', 'ticket_id',
    'promised_callback_by'
] -%}
{{ config(**contacts_kept_in_place_config()) }}
{%- set windows = contacts_repeat_windows() -%}
{%- set journey_hours = contacts_journey_window_hours() -%}
{%- set just_after = contacts_interval(1, 'microsecond') ~ ' following' -%}
{%- set just_before = contacts_interval(1, 'microsecond') ~ ' preceding' -%}
{%- set by_customer = 'partition by customer_key order by started_at' -%}
{#- prior_contacts_7d: "prior contacts by the same customer in the last 7 days" (metrics.md §1), fixed by name. -#}
{%- set prior_contacts_hours = 168 -%}

with all_contacts as (
    select * from {{ ref('int_contacts_unioned') }}
),

data_bounds as (
    -- The end of the data: the last contact (inbound call or digital contact) delivered so far.
    select
        min(started_at) as data_start_at,
        max(started_at) as data_end_at
    from all_contacts
),
{% if is_incremental() %}

recompute_triggers as (
    {{ contacts_recompute_triggers('all_contacts', this, contact_columns) }}
),

recompute_customers as (
    -- the customers whose rows this build rewrites, each from its earliest trigger - the longest window on
    select customer_key, min({{ contacts_recompute_from('triggered_at') }}) as recompute_from
    from recompute_triggers
    where customer_key is not null
    group by customer_key
),

contacts as (
    -- the whole history of those customers (their windows and journey numbers), and the unidentified
    -- contacts that triggered (their own row only)
    select all_contacts.*, recompute_customers.recompute_from
    from all_contacts
    left join recompute_customers
        on recompute_customers.customer_key = all_contacts.customer_key
    where recompute_customers.customer_key is not null
        or (all_contacts.customer_key is null
            and all_contacts.contact_id in (
                select contact_id from recompute_triggers where customer_key is null and contact_id is not null))
),
{% else %}

contacts as (
    select * from all_contacts
),
{% endif %}

identified as (
    -- Windows run on a narrow projection of the identified contacts only (unidentified ones have no
    -- customer to follow); the results are joined back by contact_id.
    select contact_id, customer_key, channel, reason_code, started_at, is_bot_failure
    from contacts
    where customer_key is not null
),

customer_history as (
    -- One sort (customer, started_at) shared by every frame below.
    select
        identified.*,
        -- the customer's next contact strictly after this one, and latest strictly before
        min(started_at) over (
            {{ by_customer }} range between {{ just_after }} and unbounded following
        ) as next_contact_at,
        max(started_at) over (
            {{ by_customer }} range between unbounded preceding and {{ just_before }}
        ) as previous_contact_at,
        max(case when is_bot_failure then started_at end) over (
            {{ by_customer }} range between unbounded preceding and {{ just_before }}
        ) as previous_bot_failure_at,
        count(*) over (
            {{ by_customer }}
            range between {{ contacts_interval(prior_contacts_hours, 'hour') }} preceding and {{ just_before }}
        ) as prior_contacts_in_window,
        -- 1 + the customer's contacts strictly before this instant (same for same-instant contacts)
        rank() over ({{ by_customer }}) as instant_rank,
        -- the first (smallest contact_id) of the contacts at this same instant
        min(contact_id) over (
            {{ by_customer }} range between current row and current row
        ) as first_contact_id_at_instant
    from identified
),

channel_history as (
    select
        contact_id,
        min(started_at) over (
            partition by customer_key, channel order by started_at
            range between {{ just_after }} and unbounded following
        ) as next_same_channel_contact_at
    from identified
),

reason_history as (
    select
        contact_id,
        min(started_at) over (
            partition by customer_key, reason_code order by started_at
            range between {{ just_after }} and unbounded following
        ) as next_same_reason_contact_at
    from identified
    where reason_code is not null
),

journey_starts as (
    select
        customer_history.*,
        -- A journey starts when the previous contact is more than the journey window back (or there is none).
        -- Same-instant contacts share their previous contact, so they start (or continue) a journey together;
        -- the first of them by contact_id opens it.
        (previous_contact_at is null
            or previous_contact_at < {{ dbt.dateadd('hour', -journey_hours, 'started_at') }})
            and contact_id = first_contact_id_at_instant as opens_journey
    from customer_history
),

journey_numbered as (
    -- Second sort (customer, started_at, contact_id): running counts over rows.
    select
        journey_starts.*,
        sum(case when opens_journey then 1 else 0 end) over (
            {{ by_customer }}, contact_id rows between unbounded preceding and current row
        ) as journey_number,
        row_number() over ({{ by_customer }}, contact_id) as contact_rank,
        max(case when opens_journey then instant_rank end) over (
            {{ by_customer }}, contact_id rows between unbounded preceding and current row
        ) as journey_first_rank,
        max(case when opens_journey then started_at end) over (
            {{ by_customer }}, contact_id rows between unbounded preceding and current row
        ) as journey_first_started_at
    from journey_starts
),

journeys as (
    select
        journey_numbered.contact_id,
        journey_numbered.next_contact_at,
        journey_numbered.previous_contact_at,
        journey_numbered.previous_bot_failure_at,
        journey_numbered.prior_contacts_in_window,
        cast(journey_numbered.journey_number as {{ dbt.type_bigint() }}) as journey_number,
        -- the opening contact's rank among the customer's contacts is its instant_rank (first of its instant)
        cast(journey_numbered.contact_rank - journey_numbered.journey_first_rank + 1 as {{ dbt.type_bigint() }}) as journey_position,
        journey_numbered.journey_first_started_at,
        journey_openers.contact_id as journey_first_contact_id
    from journey_numbered
    -- the journey's opening contact: an equi-join on (customer, journey number), one match per row
    inner join journey_numbered as journey_openers
        on journey_openers.customer_key = journey_numbered.customer_key
        and journey_openers.journey_number = journey_numbered.journey_number
        and journey_openers.opens_journey
),

repeats as (
    select
        contacts.*,
        data_bounds.data_start_at,
        data_bounds.data_end_at,
        journeys.previous_contact_at,
        journeys.previous_bot_failure_at,
        journeys.prior_contacts_in_window,
        journeys.journey_number,
        journeys.journey_position,
        journeys.journey_first_started_at,
        journeys.journey_first_contact_id,
        {%- for w in windows %}
        -- W = {{ w.hours }} h: the window (t, t + W] is only knowable when it ends by the end of the data
        {{ dbt.dateadd('hour', w.hours, 'contacts.started_at') }} > data_bounds.data_end_at as window_censored_{{ w.suffix }},
        coalesce(journeys.next_contact_at <= {{ dbt.dateadd('hour', w.hours, 'contacts.started_at') }}, false) as repeat_any_{{ w.suffix }},
        coalesce(channel_history.next_same_channel_contact_at <= {{ dbt.dateadd('hour', w.hours, 'contacts.started_at') }}, false) as repeat_channel_{{ w.suffix }},
        coalesce(reason_history.next_same_reason_contact_at <= {{ dbt.dateadd('hour', w.hours, 'contacts.started_at') }}, false) as repeat_reason_{{ w.suffix }},
        journeys.previous_contact_at is null
            or journeys.previous_contact_at < {{ dbt.dateadd('hour', -w.hours, 'contacts.started_at') }} as first_in_{{ w.suffix }},
        {%- endfor %}
        {{ dbt.dateadd('hour', -contacts_longest_window_hours(), 'contacts.started_at') }} >= data_bounds.data_start_at as prior_window_observed
    from contacts
    cross join data_bounds
    left join journeys on journeys.contact_id = contacts.contact_id
    left join channel_history on channel_history.contact_id = contacts.contact_id
    left join reason_history on reason_history.contact_id = contacts.contact_id
    {%- if is_incremental() %}
    -- the rows from the customer's recompute bound on (every row of an unidentified trigger)
    where contacts.recompute_from is null or contacts.started_at >= contacts.recompute_from
    {%- endif %}
)

select
    {%- for column_name in contact_columns %}
    {{ column_name }},
    {%- endfor %}
    {%- for w in windows %}

    -- ---- repeat window {{ w.suffix }} ----
    window_censored_{{ w.suffix }} as is_censored_{{ w.suffix }},
    case when is_identified and not window_censored_{{ w.suffix }} then repeat_any_{{ w.suffix }} end as has_repeat_{{ w.suffix }},
    case when is_identified and not window_censored_{{ w.suffix }} then repeat_channel_{{ w.suffix }} end as has_repeat_same_channel_{{ w.suffix }},
    case
        when is_identified and reason_code is not null and not window_censored_{{ w.suffix }}
            then repeat_reason_{{ w.suffix }}
    end as has_repeat_same_reason_{{ w.suffix }},
    case
        when is_handled and is_identified and not window_censored_{{ w.suffix }} then not repeat_any_{{ w.suffix }}
    end as fcr_{{ w.suffix }},
    case
        when is_handled and is_identified and not window_censored_{{ w.suffix }} then not repeat_channel_{{ w.suffix }}
    end as fcr_same_channel_{{ w.suffix }},
    case
        when is_handled and is_identified and reason_code is not null and not window_censored_{{ w.suffix }}
            then not repeat_reason_{{ w.suffix }}
    end as fcr_same_reason_{{ w.suffix }},
    case
        when not is_handled then 'not_handled'
        when not is_identified then 'unidentified'
        when window_censored_{{ w.suffix }} then 'censored'
    end as fcr_{{ w.suffix }}_null_reason,
    case when is_identified then first_in_{{ w.suffix }} end as is_first_contact_{{ w.suffix }},
    {%- endfor %}

    -- ---- history before the contact ----
    case when is_identified then prior_window_observed end as has_full_prior_history,
    previous_contact_at,
    case when is_identified then prior_contacts_in_window end as prior_contacts_7d,
    case
        when is_identified
            then coalesce(previous_bot_failure_at >= {{ dbt.dateadd('hour', -contacts_bot_failed_lookback_hours(), 'started_at') }}, false)
    end as bot_failed_before,

    -- ---- journey (episode) ----
    case when is_identified then journey_first_contact_id end as journey_id,
    case when is_identified then journey_number end as journey_number,
    case when is_identified then journey_position end as journey_position,
    case when is_identified then journey_first_started_at end as journey_started_at
from repeats
