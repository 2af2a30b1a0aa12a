{#-
    Zendesk satisfaction ratings (legacy CSAT: the ticket's satisfaction_rating) as contract surveys, one per
    rating (survey_id = satisfaction_rating.id, or <ticket id>-satisfaction when the export omits it). A secondary
    model of the adapter zendesk_tickets (the ticket versions are accounted for by base_zendesk_tickets__tickets).

      only received ratings: score good / bad (offered / unoffered = no response, no survey);
      the rating as the ticket's latest exported version carries it (a customer may change good -> bad);
      csat: good -> 5, bad -> 1 (docs/decisions.md, "Zendesk satisfaction ratings": the binary answer on the
        ends of the 1-5 scale, so an average csat is 1 + 4 x Zendesk's satisfaction score and bad is low csat);
      responded_at: the updated_at of the first exported version carrying that score (the rating updates the
        ticket: exact when the export ran before the ticket's next update, else an upper bound);
      customer_id = requester_id; comment = satisfaction_rating.comment (masked at ingestion and in staging).
-#}
{%- set q = adapter.quote %}
with delivered as (
    select *
    from {{ adapter_source('zendesk_tickets', ['id', 'requester_id', 'updated_at', 'generated_timestamp',
                                               'satisfaction_rating.id', 'satisfaction_rating.score',
                                               'satisfaction_rating.comment']) }} as raw_rows
    where _malformed is null
),

ratings as (
    select
        nullif(trim(id), '') as ticket_id,
        nullif(trim(requester_id), '') as customer_id,
        nullif(trim(updated_at), '') as updated_at,
        {{ try_cast_as("nullif(trim(generated_timestamp), '')", dbt.type_bigint()) }} as generated,
        coalesce(
            nullif(trim({{ q('satisfaction_rating.id') }}), ''),
            {{ dbt.concat(["nullif(trim(id), '')", "'-satisfaction'"]) }}
        ) as survey_id,
        lower(nullif(trim({{ q('satisfaction_rating.score') }}), '')) as score,
        nullif(trim({{ q('satisfaction_rating.comment') }}), '') as comment,
        _load_id,
        _file,
        _line,
        _loaded_at
    from delivered
    where lower(trim({{ q('satisfaction_rating.score') }})) in ('good', 'bad')
),

ranked as (
    select
        *,
        row_number() over (
            partition by survey_id
            order by updated_at desc nulls last, generated desc nulls last, _load_id desc, _line desc
        ) as latest_rank
    from ratings
),

latest as (
    select * from ranked where latest_rank = 1
),

first_with_score as (
    select r.survey_id, min(r.updated_at) as responded_at
    from ratings as r
    inner join latest as l on r.survey_id = l.survey_id and r.score = l.score
    group by r.survey_id
)

select
    l.survey_id,
    'transactional' as kind,
    l.ticket_id,
    l.customer_id,
    f.responded_at,
    case l.score when 'good' then '5' when 'bad' then '1' end as csat,
    l.comment,
    l._load_id,
    l._file,
    l._line,
    l._loaded_at
from latest as l
inner join first_with_score as f on l.survey_id = f.survey_id
