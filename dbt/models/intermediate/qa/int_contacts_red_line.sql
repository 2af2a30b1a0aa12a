{#-
    Red-line phrases in the agent's utterances of a transcribed contact (metrics.md §6, seeds red_line_lexicon).
    Matching rules are in macros/qa/qa_red_line.sql: normalised substring search; Chinese phrases anywhere,
    English phrases only where a word starts. Only `agent` utterances count (a customer swearing is no agent
    red line). Hits are counted per phrase occurrence, per utterance, then summed per contact.
-#}
{#- A table, not a view: its data tests and several models read it (docs/decisions.md, "Views read many times"). -#}
{{ config(materialized='table') }}
with utterances as (
    select contact_id, seq, speaker, text
    from {{ ref('stg_landing__transcripts') }}
),

transcribed as (
    select
        contact_id,
        count(*) as utterances,
        sum(case when speaker = 'agent' then 1 else 0 end) as agent_utterances
    from utterances
    group by contact_id
),

agent_text as (
    select
        contact_id,
        seq,
        {{ qa_red_line_normalised('text') }} as text_normalised,
        {{ qa_red_line_word_form(qa_red_line_normalised('text')) }} as text_words
    from utterances
    where speaker = 'agent'
      and text is not null
),

lexicon as (
    select
        phrase,
        language,
        class as red_line_class,
        severity,
        -- zh: the phrase itself; other languages: the phrase's word form, anchored at a word start
        case
            when language = 'zh' then {{ qa_red_line_normalised('phrase') }}
            else ' ' || trim({{ regex_replace_all(qa_red_line_normalised('phrase'), "[^a-z0-9'']+", ' ') }})
        end as needle
    from {{ ref('red_line_lexicon') }}
    where phrase is not null
),

matched as (
    select
        agent_text.contact_id,
        lexicon.phrase,
        lexicon.red_line_class,
        lexicon.severity,
        {{ qa_count_occurrences(
            "case when lexicon.language = 'zh' then agent_text.text_normalised else agent_text.text_words end",
            'lexicon.needle') }} as hits
    from agent_text
    inner join lexicon
        on {{ dbt.position('lexicon.needle',
            "case when lexicon.language = 'zh' then agent_text.text_normalised else agent_text.text_words end") }} > 0
    where length(trim(lexicon.needle)) > 0
),

per_phrase as (
    select contact_id, phrase, red_line_class, severity, sum(hits) as hits
    from matched
    group by contact_id, phrase, red_line_class, severity
),

per_contact as (
    select
        contact_id,
        sum(hits) as red_line_hits,
        {%- for red_line_class in ['abuse', 'rhetorical_question', 'cold_dismissive'] %}
        sum(case when red_line_class = '{{ red_line_class }}' then hits else 0 end) as red_line_{{ red_line_class }}_hits,
        {%- endfor %}
        max(severity) as red_line_max_severity,
        {{ dbt.listagg('phrase', "' | '", 'order by phrase') }} as red_line_phrases
    from per_phrase
    group by contact_id
)

select
    transcribed.contact_id,
    transcribed.utterances,
    transcribed.agent_utterances,
    -- NULL when the transcript has no agent utterance: nothing the agent said could be checked
    case when transcribed.agent_utterances > 0 then coalesce(per_contact.red_line_hits, 0) end as red_line_hits,
    {%- for red_line_class in ['abuse', 'rhetorical_question', 'cold_dismissive'] %}
    case
        when transcribed.agent_utterances > 0 then coalesce(per_contact.red_line_{{ red_line_class }}_hits, 0)
    end as red_line_{{ red_line_class }}_hits,
    {%- endfor %}
    case when transcribed.agent_utterances > 0 then coalesce(per_contact.red_line_hits, 0) > 0 end as has_red_line,
    per_contact.red_line_max_severity,
    per_contact.red_line_phrases
from transcribed
left join per_contact
    on per_contact.contact_id = transcribed.contact_id
