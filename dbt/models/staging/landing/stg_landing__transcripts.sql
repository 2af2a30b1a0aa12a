{#- One row per utterance (contact_id, seq): the latest valid delivered version of each key. -#}
with staged as (
    {{ landing_staged('transcripts') }}
)

select
    contact_id,
    seq,
    speaker,
    text,
    _adapter,
    _load_id,
    _file,
    _line,
    _loaded_at,
    _rebuild_key
from staged
