{#-
    Disputes per evaluator x local month (metrics.md §6, §8): the evaluator's evaluations of the month (all but
    calibration, by the evaluation's local month) and the disputes raised against them; dispute, decision and
    overturn rates; decision time against the target; and an exact one-sided binomial test of whether the
    evaluator's overturn rate is above the rest of the team's in the same month.
-#}
with targets as (
    {{ metric_targets_row([
        ('dispute_decision_hours', 'decision_target_hours'),
        ('dispute_overturn_alpha', 'overturn_alpha'),
        ('dispute_rate', 'dispute_rate_target'),
        ('dispute_overturn_rate', 'overturn_rate_target'),
    ]) }}
),

evaluations as (
    select
        evaluation_id,
        coalesce(evaluator_id, 'unknown') as evaluator_id,
        evaluated_local_month as local_month
    from {{ ref('int_qa_evaluations_scored') }}
    where sample_type <> 'calibration'
),

data_end as (
    -- the latest instant the QA data knows of: an open dispute older than the target at this point is overdue
    select max(instant) as data_end_at
    from (
        select max(evaluated_at) as instant from {{ ref('stg_landing__qa_evaluations') }}
        union all select max(raised_at) from {{ ref('stg_landing__qa_disputes') }}
        union all select max(decided_at) from {{ ref('stg_landing__qa_disputes') }}
    ) as instants
),

disputes as (
    select
        disputes.dispute_id,
        disputes.evaluation_id,
        -- a dispute of an evaluation that is not in the data (or of a calibration) still counts, under `unknown`
        coalesce(evaluations.evaluator_id, 'unknown') as evaluator_id,
        coalesce(evaluations.local_month, cast({{ dbt.date_trunc('month', 'disputes.raised_local_date') }} as date)) as local_month,
        disputes.status,
        disputes.raised_at,
        disputes.decided_at,
        disputes.status in ('overturned', 'partially_overturned', 'upheld') as is_decided,
        disputes.status in ('overturned', 'partially_overturned') as is_overturned,
        case
            when disputes.status in ('overturned', 'partially_overturned', 'upheld')
                then {{ contacts_seconds_between('disputes.raised_at', 'disputes.decided_at') }} / 3600.0
        end as decision_hours
    from {{ ref('stg_landing__qa_disputes') }} as disputes
    left join evaluations
        on evaluations.evaluation_id = disputes.evaluation_id
),

evaluation_counts as (
    select evaluator_id, local_month, count(*) as evaluations
    from evaluations
    group by evaluator_id, local_month
),

dispute_counts as (
    select
        disputes.evaluator_id,
        disputes.local_month,
        count(*) as disputes,
        count(distinct disputes.evaluation_id) as disputed_evaluations,
        {{ contacts_count_if('is_decided') }} as decided,
        {{ contacts_count_if('is_overturned') }} as overturned,
        {{ contacts_count_if("status = 'overturned'") }} as fully_overturned,
        {{ contacts_count_if("status = 'partially_overturned'") }} as partially_overturned,
        {{ contacts_count_if("status = 'upheld'") }} as upheld,
        {{ contacts_count_if("status = 'withdrawn'") }} as withdrawn,
        {{ contacts_count_if("status = 'open'") }} as open_disputes,
        {{ contacts_count_if('decision_hours is not null') }} as decided_with_time,
        cast(sum(decision_hours) as {{ type_double() }}) as decision_hours_sum,
        cast({{ qa_median('decision_hours') }} as {{ type_double() }}) as median_decision_hours,
        {{ contacts_count_if('decision_hours > targets.decision_target_hours') }} as decided_late,
        {{ contacts_count_if("status = 'open' and " ~ contacts_seconds_between('raised_at', 'data_end.data_end_at') ~ " / 3600.0 > targets.decision_target_hours") }} as open_past_target
    from disputes
    cross join targets
    cross join data_end
    group by disputes.evaluator_id, disputes.local_month
),

cells as (
    select
        coalesce(evaluation_counts.evaluator_id, dispute_counts.evaluator_id) as evaluator_id,
        coalesce(evaluation_counts.local_month, dispute_counts.local_month) as local_month,
        coalesce(evaluation_counts.evaluations, 0) as evaluations,
        coalesce(dispute_counts.disputes, 0) as disputes,
        coalesce(dispute_counts.disputed_evaluations, 0) as disputed_evaluations,
        coalesce(dispute_counts.decided, 0) as decided,
        coalesce(dispute_counts.overturned, 0) as overturned,
        coalesce(dispute_counts.fully_overturned, 0) as fully_overturned,
        coalesce(dispute_counts.partially_overturned, 0) as partially_overturned,
        coalesce(dispute_counts.upheld, 0) as upheld,
        coalesce(dispute_counts.withdrawn, 0) as withdrawn,
        coalesce(dispute_counts.open_disputes, 0) as open_disputes,
        coalesce(dispute_counts.decided_with_time, 0) as decided_with_time,
        dispute_counts.decision_hours_sum,
        dispute_counts.median_decision_hours,
        coalesce(dispute_counts.decided_late, 0) as decided_late,
        coalesce(dispute_counts.open_past_target, 0) as open_past_target
    from evaluation_counts
    full outer join dispute_counts
        on dispute_counts.evaluator_id = evaluation_counts.evaluator_id
        and dispute_counts.local_month = evaluation_counts.local_month
),

with_team as (
    -- the reference is the REST of the team in the same month, so a harsh evaluator does not raise the bar
    -- he is tested against
    select
        cells.*,
        sum(overturned) over (partition by local_month) - overturned as team_overturned,
        sum(decided) over (partition by local_month) - decided as team_decided
    from cells
),

tests as (
    select
        evaluator_id,
        local_month,
        overturned,
        decided,
        cast(team_overturned as {{ type_double() }}) / team_decided as team_rate
    from with_team
    where team_decided > 0 and decided > 0
),

{{ qa_binomial_upper_tail_ctes('overturn_test', 'tests', ['evaluator_id', 'local_month'], 'overturned', 'decided', 'team_rate') }}

select
    with_team.evaluator_id,
    with_team.local_month,
    cast(with_team.evaluations as {{ dbt.type_bigint() }}) as evaluations,
    cast(with_team.disputes as {{ dbt.type_bigint() }}) as disputes,
    cast(with_team.disputed_evaluations as {{ dbt.type_bigint() }}) as disputed_evaluations,
    {{ contacts_safe_ratio('with_team.disputes', 'with_team.evaluations') }} as dispute_rate,
    cast(with_team.decided as {{ dbt.type_bigint() }}) as decided,
    cast(with_team.overturned as {{ dbt.type_bigint() }}) as overturned,
    cast(with_team.fully_overturned as {{ dbt.type_bigint() }}) as fully_overturned,
    cast(with_team.partially_overturned as {{ dbt.type_bigint() }}) as partially_overturned,
    cast(with_team.upheld as {{ dbt.type_bigint() }}) as upheld,
    cast(with_team.withdrawn as {{ dbt.type_bigint() }}) as withdrawn,
    cast(with_team.open_disputes as {{ dbt.type_bigint() }}) as open_disputes,
    {{ contacts_safe_ratio('with_team.overturned', 'with_team.decided') }} as overturn_rate,
    cast(with_team.decided_with_time as {{ dbt.type_bigint() }}) as decided_with_time,
    with_team.decision_hours_sum,
    with_team.median_decision_hours,
    cast(with_team.decided_late as {{ dbt.type_bigint() }}) as decided_late,
    {{ contacts_safe_ratio('with_team.decided_late', 'with_team.decided_with_time') }} as decided_late_rate,
    cast(with_team.open_past_target as {{ dbt.type_bigint() }}) as open_past_target,
    cast(with_team.team_overturned as {{ dbt.type_bigint() }}) as team_overturned,
    cast(with_team.team_decided as {{ dbt.type_bigint() }}) as team_decided,
    {{ contacts_safe_ratio('with_team.team_overturned', 'with_team.team_decided') }} as team_overturn_rate,
    cast(overturn_test.p_value as {{ type_double() }}) as overturn_p_value,
    case
        when overturn_test.p_value is null then null
        else overturn_test.p_value < targets.overturn_alpha
            and with_team.overturned * with_team.team_decided > with_team.team_overturned * with_team.decided
    end as overturn_above_team,
    case
        when with_team.decided = 0 then 'no_decided_disputes'
        when with_team.team_decided = 0 then 'no_team_reference'
        when overturn_test.p_value is null then 'too_many_trials'
    end as overturn_test_null_reason,
    targets.decision_target_hours,
    targets.overturn_alpha,
    targets.dispute_rate_target,
    targets.overturn_rate_target
from with_team
left join overturn_test
    on overturn_test.evaluator_id = with_team.evaluator_id
    and overturn_test.local_month = with_team.local_month
cross join targets
