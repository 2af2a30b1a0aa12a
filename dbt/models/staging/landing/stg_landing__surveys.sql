{#- One row per survey response (survey_id): the latest valid delivered version of each key. -#}
with staged as (
    {{ landing_staged('surveys') }}
)

select
    survey_id,
    coalesce(kind, 'transactional') as kind,
    contact_id,
    ticket_id,
    customer_id,
    sent_at,
    responded_at,
    csat,
    nps,
    resolved_reported,
    comment,
    language,
    {{ local_calendar_columns('responded_at') }},
    _adapter,
    _load_id,
    _file,
    _line,
    _loaded_at,
    _rebuild_key
from staged
