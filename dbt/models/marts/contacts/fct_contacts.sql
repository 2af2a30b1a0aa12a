{#-
    One row per contact (inbound call or digital contact) with its journey measures, repeat-based first
    contact resolution, callback promise and survey (metrics.md §1, §2, §8).

    Incremental (delete+insert on contact_id). Every run rewrites
      - every contact started at or after max(started_at already in the table) - the longest repeat window
        - contacts_lookback_margin_hours: their repeat windows may still be open or censored, so a late repeat
        corrects an earlier contact's fcr;
      - every contact not yet in the table (late delivery), and every older contact whose row would now be
        different (a late survey, a corrected record, a late contact that changes an older one's repeat or
        journey). int_contacts_repeats, kept up to date by its own bounded rule (macros/contacts/
        contacts_recompute_scope.sql), holds every contact's windows as a full build computes them, so a rewritten
        row is exactly the full-refresh row.
      - and deletes (post-hook) every row that is no longer a contact: a ticket contact whose ticket a
        late-delivered call or digital contact turns out to have opened (docs/decisions.md, Tickets as contacts).
    Surveys: a survey names its contact (contact_id); a survey of a ticket only (ticket_id, no contact_id) is
    the survey of that ticket's own contact when the ticket is one (contact_source tickets), and no contact's
    otherwise.
-#}
{{ config(**contacts_kept_in_place_config()) }}
{{- contacts_require_windows([48, 168]) -}}
{%- set lookback_hours = contacts_longest_window_hours() + contacts_lookback_margin_hours() -%}
{#- The output columns, in contract order: the final select and the incremental change check use this list
    (the enforced contract in fct_contacts.yml fails the build if it drifts from the YAML). -#}
{%- set output_columns = [
    'contact_id', 'contact_source', 'channel', 'customer_key', 'customer_id', 'is_identified', 'started_at',
    'ended_at', 'started_at_local', 'local_date', 'local_hour', 'queue', 'reason_code', 'agent_id', 'outcome',
    'is_handled', 'is_abandoned', 'is_self_served', 'bot_involved', 'bot_failed_before', 'ivr_seconds',
    'ivr_keypresses', 'queue_seconds', 'first_response_seconds', 'handle_seconds', 'transfer_count',
    'ticket_id', 'has_repeat_48h', 'has_repeat_7d', 'has_repeat_same_channel_48h',
    'has_repeat_same_channel_7d', 'has_repeat_same_reason_48h', 'has_repeat_same_reason_7d', 'fcr_48h',
    'fcr_7d', 'fcr_same_channel_48h', 'fcr_same_channel_7d', 'fcr_same_reason_48h', 'fcr_same_reason_7d',
    'fcr_48h_null_reason', 'fcr_7d_null_reason', 'is_censored_48h', 'is_censored_7d', 'is_first_contact',
    'is_first_contact_48h', 'is_first_contact_7d', 'has_full_prior_history', 'prior_contacts_7d', 'journey_id',
    'journey_number', 'journey_position', 'journey_started_at', 'callback_promised', 'promised_callback_by',
    'callback_status', 'callback_kept', 'agent_tenure_days', 'survey_id', 'survey_responded_at', 'csat',
    'resolved_reported', 'survey_responses'
] -%}

with repeats as (
    select * from {{ ref('int_contacts_repeats') }}
),

ticket_contacts as (
    select contact_id, ticket_id
    from {{ ref('int_contacts_unioned') }}
    where contact_source = 'tickets'
),

surveys_of_contacts as (
    -- the survey's contact: the one it names, else (a survey of a ticket only) the ticket's own contact
    select
        coalesce(surveys.contact_id, ticket_contacts.contact_id) as contact_id,
        surveys.survey_id,
        surveys.responded_at,
        surveys.csat,
        surveys.resolved_reported
    from {{ ref('stg_landing__surveys') }} as surveys
    left join ticket_contacts
        on surveys.contact_id is null
        and ticket_contacts.ticket_id = surveys.ticket_id
),

surveys_ranked as (
    select
        contact_id,
        survey_id,
        responded_at,
        csat,
        resolved_reported,
        row_number() over (partition by contact_id order by responded_at desc, survey_id desc) as recency_rank,
        count(*) over (partition by contact_id) as survey_responses
    from surveys_of_contacts
    where contact_id is not null
),

latest_survey as (
    -- several responses for one contact: the latest (responded_at, then survey_id) is the contact's survey
    select * from surveys_ranked where recency_rank = 1
),

callbacks as (
    select call_id, callback_status, callback_kept
    from {{ ref('int_callbacks_kept') }}
),

agents as (
    select agent_id, hired_at
    from {{ ref('stg_landing__agents') }}
),

contacts as (
    select
        repeats.contact_id,
        repeats.contact_source,
        repeats.channel,
        repeats.customer_key,
        repeats.customer_id,
        repeats.is_identified,
        repeats.started_at,
        repeats.ended_at,
        repeats.started_at_local,
        repeats.local_date,
        cast(repeats.local_hour as {{ dbt.type_int() }}) as local_hour,
        repeats.queue,
        repeats.reason_code,
        repeats.agent_id,
        repeats.outcome,
        repeats.is_handled,
        repeats.is_abandoned,
        repeats.is_self_served,
        repeats.bot_involved,
        repeats.bot_failed_before,
        repeats.ivr_seconds,
        repeats.ivr_keypresses,
        repeats.queue_seconds,
        repeats.first_response_seconds,
        repeats.handle_seconds,
        repeats.transfer_count,
        repeats.ticket_id,

        repeats.has_repeat_48h,
        repeats.has_repeat_7d,
        repeats.has_repeat_same_channel_48h,
        repeats.has_repeat_same_channel_7d,
        repeats.has_repeat_same_reason_48h,
        repeats.has_repeat_same_reason_7d,
        repeats.fcr_48h,
        repeats.fcr_7d,
        repeats.fcr_same_channel_48h,
        repeats.fcr_same_channel_7d,
        repeats.fcr_same_reason_48h,
        repeats.fcr_same_reason_7d,
        repeats.fcr_48h_null_reason,
        repeats.fcr_7d_null_reason,
        repeats.is_censored_48h,
        repeats.is_censored_7d,
        repeats.is_first_contact_48h as is_first_contact,
        repeats.is_first_contact_48h,
        repeats.is_first_contact_7d,
        repeats.has_full_prior_history,
        cast(repeats.prior_contacts_7d as {{ dbt.type_bigint() }}) as prior_contacts_7d,

        repeats.journey_id,
        cast(repeats.journey_number as {{ dbt.type_bigint() }}) as journey_number,
        cast(repeats.journey_position as {{ dbt.type_bigint() }}) as journey_position,
        repeats.journey_started_at,

        repeats.promised_callback_by is not null as callback_promised,
        repeats.promised_callback_by,
        callbacks.callback_status,
        callbacks.callback_kept,

        cast({{ dbt.datediff('agents.hired_at', 'repeats.local_date', 'day') }} as {{ dbt.type_int() }}) as agent_tenure_days,

        latest_survey.survey_id,
        latest_survey.responded_at as survey_responded_at,
        latest_survey.csat,
        latest_survey.resolved_reported,
        cast(coalesce(latest_survey.survey_responses, 0) as {{ dbt.type_bigint() }}) as survey_responses
    from repeats
    left join latest_survey
        on latest_survey.contact_id = repeats.contact_id
    left join callbacks
        on callbacks.call_id = repeats.contact_id
        and repeats.contact_source = 'calls'
    left join agents
        on agents.agent_id = repeats.agent_id
)

{% if is_incremental() %}
, recompute_bound as (
    select {{ dbt.dateadd('hour', -lookback_hours, 'max(started_at)') }} as recompute_from
    from {{ this }}
)

select
    {%- for column_name in output_columns %}
    contacts.{{ column_name }}{{ ',' if not loop.last }}
    {%- endfor %}
from contacts
cross join recompute_bound
left join {{ this }} as existing
    on existing.contact_id = contacts.contact_id
where recompute_bound.recompute_from is null
    or contacts.started_at >= recompute_bound.recompute_from
    or existing.contact_id is null
    {%- for column_name in output_columns %}
    or contacts.{{ column_name }} is distinct from existing.{{ column_name }}
    {%- endfor %}
{% else %}
select
    {%- for column_name in output_columns %}
    contacts.{{ column_name }}{{ ',' if not loop.last }}
    {%- endfor %}
from contacts
{% endif %}
