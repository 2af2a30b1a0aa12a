{#-
    The "Anonymous Bank" call-center log (Technion SEE Center; Brown et al., JASA 2005) as contract calls:
    one tab-separated row per call, delivered under <landing>/anonymous_bank/.

    Method (every quirk of the log, with why):
      - times are local clock times H:MM:SS of the row's `date` (yymmdd, 1999) and 0:00:00 means "did not happen";
      - a clock time more than 12 hours before the VRU entry belongs to the next day (the call crossed midnight);
        a time slightly before the entry is clock skew between the VRU and the ACD, kept as it is;
      - call_id repeats across VRU lines, so the key is "vru+line"-call_id;
      - customer_id 0 = unidentified (NULL);
      - PHANTOM = failed; HANG = abandoned (in the IVR when it never queued, else in the queue);
      - AGENT with a service start = answered; with server NO_SERVER the agent was not recorded (agent_id NULL);
        AGENT without any service time = failed (the record contradicts itself).
    One CTE per step; the base model types and validates the text this model writes.
-#}

with delivered as (
    select *
    from {{ adapter_source('anonymous_bank', ['vru+line', 'call_id', 'customer_id', 'type', 'date', 'vru_entry',
                                              'vru_exit', 'q_start', 'q_exit', 'outcome', 'ser_start', 'ser_exit',
                                              'ser_time', 'server']) }} as raw_rows
),

-- the call's date as ISO text, the next day, and each clock time in seconds since midnight
clocked as (
    select
        *,
        {%- set date_column = adapter.quote('date') %}
        {{ dbt.concat(["'19'", "substr(" ~ date_column ~ ", 1, 2)", "'-'", "substr(" ~ date_column ~ ", 3, 2)", "'-'",
                       "substr(" ~ date_column ~ ", 5, 2)"]) }} as call_day,
        {{ adapter_clock_seconds('vru_entry') }} as vru_entry_s,
        {{ adapter_clock_seconds('vru_exit') }} as vru_exit_s,
        {{ adapter_clock_seconds('q_start') }} as q_start_s,
        {{ adapter_clock_seconds('q_exit') }} as q_exit_s,
        {{ adapter_clock_seconds('ser_start') }} as ser_start_s,
        {{ adapter_clock_seconds('ser_exit') }} as ser_exit_s,
        (outcome = 'AGENT' and ser_start <> '0:00:00') as served
    from delivered
),

-- each clock time as a local ISO timestamp: NULL for 0:00:00, the next day when more than 12 h before the entry
dated as (
    select
        *,
        {%- for clock in ['vru_exit', 'q_start', 'q_exit', 'ser_start', 'ser_exit'] %}
        case
            when {{ clock }} = '0:00:00' then null
            when vru_entry_s - {{ clock }}_s > 43200
                then {{ dbt.concat(["cast(cast(call_day as date) + 1 as " ~ dbt.type_string() ~ ")", "' '", "lpad(" ~ clock ~ ", 8, '0')"]) }}
            else {{ dbt.concat(["call_day", "' '", "lpad(" ~ clock ~ ", 8, '0')"]) }}
        end as {{ clock }}_at,
        {%- endfor %}
        {{ dbt.concat(["call_day", "' '", "lpad(vru_entry, 8, '0')"]) }} as vru_entry_at
    from clocked
)

-- contract columns (text) and the load metadata the base model needs
select
    {{ dbt.concat(['"vru+line"', "'-'", "call_id"]) }} as call_id,
    case when customer_id = '0' then null else customer_id end as customer_id,
    'inbound' as direction,
    lower("type") as queue,
    vru_entry_at as arrived_at,
    vru_exit_at as ivr_ended_at,
    q_start_at as queued_at,
    case when served then ser_start_at end as answered_at,
    coalesce(case when served then ser_exit_at end, q_exit_at, vru_exit_at, vru_entry_at) as ended_at,
    case
        when outcome = 'PHANTOM' then 'failed'
        when outcome = 'HANG' then 'abandoned'
        when served then 'answered'
        else 'failed'
    end as outcome,
    case when served and server <> 'NO_SERVER' then server end as agent_id,
    case when served then ser_time end as talk_seconds,
    '0' as transfer_count,
    _load_id,
    _file,
    _line,
    _loaded_at,
    _malformed
from dated
