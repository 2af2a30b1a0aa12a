{#-
    Red-line phrases per queue x local month (metrics.md §6): transcribed contacts, contacts with a hit and hits
    by class (int_contacts_red_line), and the comparison with the QA courtesy item (var qa_courtesy_item_code,
    default courtesy_tone) where both exist: precision = contacts with a red-line hit AND a failed courtesy item /
    contacts with a red-line hit; recall = the same / contacts with a failed courtesy item (both among contacts
    that are transcribed and have the courtesy item rated pass or fail in an evaluation that is not calibration).
-#}
with targets as (
    {{ metric_targets_row([('red_line_contact_rate', 'red_line_contact_rate_target')]) }}
),

red_line as (
    select
        red_line.contact_id,
        coalesce(contacts.queue, 'unassigned') as queue,
        cast({{ dbt.date_trunc('month', 'contacts.local_date') }} as date) as local_month,
        red_line.red_line_hits,
        red_line.red_line_abuse_hits,
        red_line.red_line_rhetorical_question_hits,
        red_line.red_line_cold_dismissive_hits,
        red_line.has_red_line
    from {{ ref('int_contacts_red_line') }} as red_line
    inner join {{ ref('int_contacts_unioned') }} as contacts
        on contacts.contact_id = red_line.contact_id
    where red_line.agent_utterances > 0
),

courtesy as (
    -- a contact's courtesy item failed when any of its (non-calibration) evaluations failed it
    select
        evaluations.contact_id,
        max(case when items.result = 'fail' then 1 else 0 end) = 1 as courtesy_failed
    from {{ ref('stg_landing__qa_evaluations') }} as evaluations
    inner join {{ ref('stg_landing__qa_evaluation_items') }} as items
        on items.evaluation_id = evaluations.evaluation_id
    where evaluations.sample_type <> 'calibration'
      and items.item_code = '{{ var("qa_courtesy_item_code", "courtesy_tone") }}'
      and items.result in ('pass', 'fail')
    group by evaluations.contact_id
),

joined as (
    select
        red_line.*,
        courtesy.contact_id is not null as courtesy_rated,
        courtesy.courtesy_failed
    from red_line
    left join courtesy
        on courtesy.contact_id = red_line.contact_id
),

cells as (
    select
        queue,
        local_month,
        count(*) as transcribed_contacts,
        {{ contacts_count_if('has_red_line') }} as red_line_contacts,
        cast(sum(red_line_hits) as {{ dbt.type_bigint() }}) as red_line_hits,
        cast(sum(red_line_abuse_hits) as {{ dbt.type_bigint() }}) as red_line_abuse_hits,
        cast(sum(red_line_rhetorical_question_hits) as {{ dbt.type_bigint() }}) as red_line_rhetorical_question_hits,
        cast(sum(red_line_cold_dismissive_hits) as {{ dbt.type_bigint() }}) as red_line_cold_dismissive_hits,
        {{ contacts_count_if('courtesy_rated') }} as courtesy_compared,
        {{ contacts_count_if('courtesy_rated and has_red_line') }} as compared_red_line,
        {{ contacts_count_if('courtesy_rated and courtesy_failed') }} as compared_courtesy_failed,
        {{ contacts_count_if('courtesy_rated and has_red_line and courtesy_failed') }} as compared_both
    from joined
    group by queue, local_month
)

select
    cells.queue,
    cells.local_month,
    cells.transcribed_contacts,
    cells.red_line_contacts,
    {{ contacts_safe_ratio('cells.red_line_contacts', 'cells.transcribed_contacts') }} as red_line_contact_rate,
    cells.red_line_hits,
    cells.red_line_abuse_hits,
    cells.red_line_rhetorical_question_hits,
    cells.red_line_cold_dismissive_hits,
    cells.courtesy_compared,
    cells.compared_red_line,
    cells.compared_courtesy_failed,
    cells.compared_both,
    {{ contacts_safe_ratio('cells.compared_both', 'cells.compared_red_line') }} as courtesy_precision,
    {{ contacts_safe_ratio('cells.compared_both', 'cells.compared_courtesy_failed') }} as courtesy_recall,
    targets.red_line_contact_rate_target
from cells
cross join targets
