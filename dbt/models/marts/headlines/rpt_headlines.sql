{#-
    The headline numbers of the warehouse, one row per number, from the marts' summable parts (never an average of
    rates). What `callqa run` prints after a build, what the dashboard's overview shows and what a manager reads
    first; every reader takes them from here, none recomputes them (docs/decisions.md, "Headlines").

    Method: one CTE per mart summing its parts over everything it holds; one row per headline number from them
    (macro headline_row: value = numerator / denominator unless given, Wilson interval where stated, the seeds
    metric_targets row named); the target and its direction joined last. A value that cannot be computed is NULL
    with the reason (e.g. no shrinkage data), never hidden with the other numbers of its area.
-#}

with

-- contacts: FCR over every local date, channel and queue
fcr as (
    select
        coalesce(sum(handled), 0) as handled,
        coalesce(sum(fcr_48h_count), 0) as fcr_48h_count,
        coalesce(sum(eligible_48h), 0) as eligible_48h,
        coalesce(sum(fcr_7d_count), 0) as fcr_7d_count,
        coalesce(sum(eligible_7d), 0) as eligible_7d,
        coalesce(sum(unidentified), 0) as unidentified
    from {{ ref('rpt_fcr_daily') }}
),

-- calls: service level over every queue and interval. Each rate sums its denominator only over the rows that have
-- its numerator (an ACD interval report may lack answered within threshold, wait or abandoned: NULL there).
service as (
    select
        coalesce(sum(answered_within_threshold), 0) as answered_within_threshold,
        coalesce(sum(case when answered_within_threshold is not null then offered end), 0) as offered,
        coalesce(sum(answer_wait_seconds), 0) as answer_wait_seconds,
        coalesce(sum(case when answer_wait_seconds is not null then answered end), 0) as answered,
        coalesce(sum(abandoned), 0) as abandoned,
        coalesce(sum(case when abandoned is not null then offered end), 0) as abandon_offered,
        coalesce(sum(short_abandoned), 0) as short_abandoned
    from {{ ref('rpt_service_level_interval') }}
),

-- tickets: reopen within 7 days of a solve, urgent resolution within target
tickets as (
    select
        count(*) as tickets,
        sum(case when reopened_within_7d then 1 else 0 end) as reopened_7d,
        count(reopened_within_7d) as solved_judged,
        sum(case when resolution_sla_met and priority_at_creation = 'urgent' then 1 else 0 end) as urgent_met,
        sum(case when resolution_sla_met is not null and priority_at_creation = 'urgent' then 1 else 0 end)
            as urgent_judged
    from {{ ref('fct_tickets') }}
),

-- forecasts: the locked version's parts per measure (contacts, aht, shrinkage)
forecast as (
    select
        coalesce(sum(case when measure = 'contacts' then abs_error_weighted end), 0) as contacts_abs_error,
        coalesce(sum(case when measure = 'contacts' then error_weighted end), 0) as contacts_error,
        coalesce(sum(case when measure = 'contacts' then actual_weighted end), 0) as contacts_actual,
        coalesce(sum(case when measure = 'contacts' then intervals_within_tolerance end), 0) as contacts_within,
        coalesce(sum(case when measure = 'contacts' then accuracy_intervals end), 0) as contacts_intervals,
        coalesce(sum(case when measure = 'contacts' then naive_abs_error_weighted end), 0) as naive_abs_error,
        coalesce(sum(case when measure = 'contacts' then paired_abs_error_weighted end), 0) as paired_abs_error,
        coalesce(sum(case when measure = 'contacts' then paired_actual_weighted end), 0) as paired_actual,
        coalesce(sum(case when measure = 'aht' then abs_error_weighted end), 0) as aht_abs_error,
        coalesce(sum(case when measure = 'aht' then actual_weighted end), 0) as aht_actual,
        coalesce(sum(case when measure = 'shrinkage' then forecast_weighted end), 0) as shrinkage_planned,
        coalesce(sum(case when measure = 'shrinkage' then actual_weighted end), 0) as shrinkage_actual,
        coalesce(sum(case when measure = 'shrinkage' then weight end), 0) as shrinkage_weight
    from {{ ref('rpt_forecast_accuracy_daily') }}
),

-- people: hires judged at day 90, training classes judged over 30 production days
hiring as (
    select
        coalesce(sum(performing_90d), 0) as performing,
        coalesce(sum(judged), 0) as judged,
        coalesce(sum(retained_90d), 0) as retained,
        coalesce(sum(eligible), 0) as eligible,
        coalesce(sum(attrition_90d_voluntary), 0) as voluntary,
        coalesce(sum(attrition_90d_involuntary), 0) as involuntary,
        coalesce(sum(censored), 0) as censored,
        coalesce(sum(insufficient_data) + sum(not_observed), 0) as not_judgeable
    from {{ ref('rpt_hiring_quality') }}
),

training as (
    select
        coalesce(sum(proficient), 0) as proficient,
        coalesce(sum(judged), 0) as judged,
        coalesce(sum(graduated), 0) as graduated,
        coalesce(sum(started), 0) as started,
        sum(case when judged > 0 then 1 else 0 end) as classes_judged,
        count(*) as classes,
        coalesce(sum(censored), 0) as censored
    from {{ ref('rpt_training_quality') }}
),

-- QA: random-sample critical-error accuracy per error class, and the z of its interval
qa_z as (
    select max(target) as z from {{ ref('metric_targets') }} where metric = 'qa_sample_confidence_z'
),

critical as (
    select
        coalesce(sum(case when error_class = 'customer_critical' then without_error end), 0) as customer_ok,
        coalesce(sum(case when error_class = 'customer_critical' then evaluations end), 0) as customer_n,
        coalesce(sum(case when error_class = 'business_critical' then without_error end), 0) as business_ok,
        coalesce(sum(case when error_class = 'business_critical' then evaluations end), 0) as business_n,
        coalesce(sum(case when error_class = 'compliance_critical' then without_error end), 0) as compliance_ok,
        coalesce(sum(case when error_class = 'compliance_critical' then evaluations end), 0) as compliance_n,
        sum(case when error_class = 'customer_critical' and evaluations > 0 then 1 else 0 end) as cells_sampled,
        sum(case when error_class = 'customer_critical' and sample_sufficient then 1 else 0 end) as cells_sufficient,
        coalesce(max(qa_z.z), 1.96) as z
    from {{ ref('rpt_critical_error_accuracy') }}
    cross join qa_z
),

-- QA calibration: pooled Fleiss' kappa over pass/fail from the monthly parts
calibration as (
    select
        coalesce(sum(agreement_sum), 0) as agreement_sum,
        coalesce(sum(items), 0) as items,
        coalesce(sum(fail_ratings), 0) as fail_ratings,
        coalesce(sum(ratings), 0) as ratings,
        coalesce(sum(sessions), 0) as sessions,
        coalesce(sum(agreeing_with_majority), 0) as agreeing,
        coalesce(sum(majority_ratings), 0) as majority_ratings
    from {{ ref('rpt_qa_calibration_monthly') }}
),

calibration_kappa as (
    select
        calibration.*,
        case when items > 0 and ratings > 0 then
            power(cast(fail_ratings as {{ type_double() }}) / ratings, 2)
            + power(1 - cast(fail_ratings as {{ type_double() }}) / ratings, 2) end as p_expected
    from calibration
),

flagged_evaluators as (
    select {{ dbt.listagg('evaluator_id', "', '", 'order by evaluator_id') }} as evaluators
    from (select distinct evaluator_id from {{ ref('rpt_qa_disputes') }} where overturn_above_team) as flagged
),

disputes as (
    select
        coalesce(sum(disputes), 0) as disputes,
        coalesce(sum(evaluations), 0) as evaluations,
        coalesce(sum(overturned), 0) as overturned,
        coalesce(sum(decided), 0) as decided,
        coalesce(sum(decided_late), 0) as decided_late,
        coalesce(sum(decided_with_time), 0) as decided_with_time,
        count(distinct case when overturn_above_team then evaluator_id end) as evaluators_flagged,
        max(flagged_evaluators.evaluators) as flagged_evaluators
    from {{ ref('rpt_qa_disputes') }}
    cross join flagged_evaluators
),

improvement as (
    select
        coalesce(sum(process_system_fails), 0) as process_fails,
        coalesce(sum(classified_fails), 0) as classified_fails,
        coalesce(sum(problems_found), 0) as problems,
        coalesce(sum(actions_opened), 0) as opened,
        coalesce(sum(actions_done), 0) as done,
        coalesce(sum(actions_open), 0) as still_open
    from {{ ref('rpt_qa_improvement_loop') }}
),

red_line as (
    select
        coalesce(sum(red_line_contacts), 0) as red_line_contacts,
        coalesce(sum(transcribed_contacts), 0) as transcribed,
        coalesce(sum(red_line_hits), 0) as hits,
        coalesce(sum(compared_both), 0) as compared_both,
        coalesce(sum(compared_red_line), 0) as compared_red_line,
        coalesce(sum(compared_courtesy_failed), 0) as compared_courtesy_failed
    from {{ ref('rpt_red_line_monthly') }}
),

-- one row per headline number
headline_rows as (
    {{ headline_row(1, 'first contact resolution', 1, 'fcr_48h', 'within 48 h', 'share', 'fcr_48h_count', 'eligible_48h', target_metric='fcr_48h_rate') }} from fcr
    union all {{ headline_row(1, 'first contact resolution', 2, 'fcr_7d', 'within 7 days', 'share', 'fcr_7d_count', 'eligible_7d', target_metric='fcr_7d_rate') }} from fcr
    union all {{ headline_row(1, 'first contact resolution', 3, 'handled_contacts', 'handled contacts', 'count', 'handled', None) }} from fcr
    union all {{ headline_row(1, 'first contact resolution', 4, 'unidentified_contacts', 'unidentified', 'count', 'unidentified', None) }} from fcr

    union all {{ headline_row(2, 'service level', 1, 'service_level', 'answered within threshold', 'share', 'answered_within_threshold', 'offered', target_metric='service_level', null_reason="case when offered = 0 then 'no calls offered' end") }} from service
    union all {{ headline_row(2, 'service level', 2, 'asa_seconds', 'ASA', 'seconds', 'answer_wait_seconds', 'answered', target_metric='asa_seconds', null_reason="case when answered = 0 then 'no calls answered' end") }} from service
    union all {{ headline_row(2, 'service level', 3, 'abandon_rate', 'abandon rate', 'share', 'abandoned', 'abandon_offered', target_metric='abandon_rate', null_reason="case when abandon_offered = 0 then 'no calls offered' end") }} from service
    union all {{ headline_row(2, 'service level', 4, 'short_abandons', 'short abandons (not offered)', 'count', 'short_abandoned', None) }} from service

    union all {{ headline_row(3, 'tickets', 1, 'tickets', 'tickets', 'count', 'tickets', None) }} from tickets
    union all {{ headline_row(3, 'tickets', 2, 'ticket_reopen_7d_rate', 'reopened within 7 days of a solve', 'share', 'reopened_7d', 'solved_judged', target_metric='ticket_reopen_rate', null_reason="case when solved_judged = 0 then 'no solved ticket with a full 7-day window' end") }} from tickets
    union all {{ headline_row(3, 'tickets', 3, 'urgent_resolution_sla_rate', 'urgent resolved within target', 'share', 'urgent_met', 'urgent_judged', target_metric='ticket_resolution_sla_rate', null_reason="case when urgent_judged = 0 then 'no urgent ticket judged' end") }} from tickets

    union all {{ headline_row(4, 'forecast accuracy', 1, 'contacts_wape', 'contacts WAPE', 'share', 'contacts_abs_error', 'contacts_actual', target_metric='forecast_wape', null_reason="case when contacts_actual = 0 then 'no evaluated contact intervals' end") }} from forecast
    union all {{ headline_row(4, 'forecast accuracy', 2, 'contacts_bias', 'bias', 'signed_share', 'contacts_error', 'contacts_actual', target_metric='forecast_bias_tolerance', null_reason="case when contacts_actual = 0 then 'no evaluated contact intervals' end") }} from forecast
    union all {{ headline_row(4, 'forecast accuracy', 3, 'intervals_within_tolerance', 'intervals within tolerance', 'share', 'contacts_within', 'contacts_intervals', target_metric='forecast_interval_accuracy', null_reason="case when contacts_intervals = 0 then 'no evaluated contact intervals' end") }} from forecast
    union all {{ headline_row(4, 'forecast accuracy', 4, 'naive_wape', 'seasonal-naive WAPE', 'share', 'naive_abs_error', 'paired_actual', null_reason="case when paired_actual = 0 then 'no interval with a seasonal-naive value' end") }} from forecast
    union all {{ headline_row(4, 'forecast accuracy', 5, 'paired_wape', 'forecast WAPE on the same intervals', 'share', 'paired_abs_error', 'paired_actual', null_reason="case when paired_actual = 0 then 'no interval with a seasonal-naive value' end") }} from forecast
    union all {{ headline_row(4, 'forecast accuracy', 6, 'forecast_value_added', 'value added over seasonal-naive', 'points', 'naive_abs_error - paired_abs_error', 'paired_actual', null_reason="case when paired_actual = 0 then 'no interval with a seasonal-naive value' end") }} from forecast
    union all {{ headline_row(4, 'forecast accuracy', 7, 'aht_wape', 'AHT WAPE', 'share', 'aht_abs_error', 'aht_actual', target_metric='forecast_aht_wape', null_reason="case when aht_actual = 0 then 'no evaluated AHT intervals' end") }} from forecast
    union all {{ headline_row(4, 'forecast accuracy', 8, 'shrinkage_planned', 'shrinkage planned', 'share', 'shrinkage_planned', 'shrinkage_weight', null_reason="case when shrinkage_weight = 0 then 'no shrinkage data (agent schedules and states)' end") }} from forecast
    union all {{ headline_row(4, 'forecast accuracy', 9, 'shrinkage_actual', 'shrinkage actual', 'share', 'shrinkage_actual', 'shrinkage_weight', target_metric='shrinkage_rate', null_reason="case when shrinkage_weight = 0 then 'no shrinkage data (agent schedules and states)' end") }} from forecast

    union all {{ headline_row(5, 'hiring quality', 1, 'hiring_quality_rate', 'retained and performing at day 90', 'share', 'performing', 'judged', target_metric='hiring_quality_rate', null_reason="case when judged = 0 then 'no hire judged yet (censored or not judgeable)' end") }} from hiring
    union all {{ headline_row(5, 'hiring quality', 2, 'retention_90d_rate', '90-day retention', 'share', 'retained', 'eligible', target_metric='retention_90d_rate', null_reason="case when eligible = 0 then 'no hire with a full 90-day window' end") }} from hiring
    union all {{ headline_row(5, 'hiring quality', 3, 'voluntary_exits_90d', 'voluntary exits', 'count', 'voluntary', None) }} from hiring
    union all {{ headline_row(5, 'hiring quality', 4, 'involuntary_exits_90d', 'involuntary exits', 'count', 'involuntary', None) }} from hiring
    union all {{ headline_row(5, 'hiring quality', 5, 'hires_censored', 'hires too recent (censored)', 'count', 'censored', None) }} from hiring
    union all {{ headline_row(5, 'hiring quality', 6, 'hires_not_judgeable', 'hires not judgeable', 'count', 'not_judgeable', None) }} from hiring

    union all {{ headline_row(6, 'training quality', 1, 'training_quality_rate', 'graduates proficient in 30 production days', 'share', 'proficient', 'judged', target_metric='training_quality_rate', null_reason="case when judged = 0 then 'no graduate judged yet (censored, insufficient data or not observed)' end") }} from training
    union all {{ headline_row(6, 'training quality', 2, 'classes_judged', 'classes judged', 'count', 'classes_judged', None) }} from training
    union all {{ headline_row(6, 'training quality', 3, 'graduation_rate', 'graduation rate', 'share', 'graduated', 'started', target_metric='training_graduation_rate', null_reason="case when started = 0 then 'no class ended' end") }} from training
    union all {{ headline_row(6, 'training quality', 4, 'graduates_in_window', 'graduates still in their window', 'count', 'censored', None) }} from training

    union all {{ headline_row(7, 'critical-error accuracy', 1, 'customer_critical_accuracy', 'customer', 'share', 'customer_ok', 'customer_n', target_metric='customer_critical_accuracy', ci='z', null_reason="case when customer_n = 0 then 'no random-sample evaluation' end") }} from critical
    union all {{ headline_row(7, 'critical-error accuracy', 2, 'business_critical_accuracy', 'business', 'share', 'business_ok', 'business_n', target_metric='business_critical_accuracy', ci='z', null_reason="case when business_n = 0 then 'no random-sample evaluation' end") }} from critical
    union all {{ headline_row(7, 'critical-error accuracy', 3, 'compliance_critical_accuracy', 'compliance', 'share', 'compliance_ok', 'compliance_n', target_metric='compliance_critical_accuracy', ci='z', null_reason="case when compliance_n = 0 then 'no random-sample evaluation' end") }} from critical
    union all {{ headline_row(7, 'critical-error accuracy', 4, 'sufficient_queue_months', 'queue-months with a sufficient random sample', 'share', 'cells_sufficient', 'cells_sampled', null_reason="case when cells_sampled = 0 then 'no random-sample evaluation' end") }} from critical

    union all {{ headline_row(8, 'QA calibration', 1, 'calibration_fleiss_kappa', "Fleiss' kappa", 'kappa', None, None, value="case when p_expected < 1 then (cast(agreement_sum as " ~ type_double() ~ ") / items - p_expected) / (1 - p_expected) end", target_metric='calibration_fleiss_kappa', null_reason="case when items = 0 or ratings = 0 then 'no calibration session' when p_expected >= 1 then 'no variation (every rating the same): kappa undefined' end") }} from calibration_kappa
    union all {{ headline_row(8, 'QA calibration', 2, 'calibration_item_agreement', 'item agreement', 'share', 'agreement_sum', 'items', null_reason="case when items = 0 then 'no calibration session' end") }} from calibration_kappa
    union all {{ headline_row(8, 'QA calibration', 3, 'calibration_sessions', 'sessions', 'count', 'sessions', None) }} from calibration_kappa
    union all {{ headline_row(8, 'QA calibration', 4, 'calibration_majority_agreement', 'ratings agreeing with the session majority', 'share', 'agreeing', 'majority_ratings', target_metric='calibration_percent_agreement', null_reason="case when majority_ratings = 0 then 'no calibration session' end") }} from calibration_kappa

    union all {{ headline_row(9, 'QA disputes', 1, 'dispute_rate', 'dispute rate', 'share', 'disputes', 'evaluations', target_metric='dispute_rate', null_reason="case when evaluations = 0 then 'no QA evaluation' end") }} from disputes
    union all {{ headline_row(9, 'QA disputes', 2, 'dispute_overturn_rate', 'overturned', 'share', 'overturned', 'decided', target_metric='dispute_overturn_rate', null_reason="case when decided = 0 then 'no dispute decided' end") }} from disputes
    union all {{ headline_row(9, 'QA disputes', 3, 'disputes_decided_late', 'decided after the target', 'share', 'decided_late', 'decided_with_time', null_reason="case when decided_with_time = 0 then 'no dispute decided' end") }} from disputes
    union all {{ headline_row(9, 'QA disputes', 4, 'evaluators_overturned_above_team', 'evaluators overturned significantly more than the team', 'count', 'evaluators_flagged', None, text_value="coalesce(flagged_evaluators, 'none')") }} from disputes

    union all {{ headline_row(10, 'QA root causes', 1, 'process_system_share', 'classified QA failures that are process/system, not the agent', 'share', 'process_fails', 'classified_fails', null_reason="case when classified_fails = 0 then 'no classified failure' end") }} from improvement
    union all {{ headline_row(10, 'QA root causes', 2, 'problems_found', 'problems found', 'count', 'problems', None) }} from improvement
    union all {{ headline_row(10, 'QA root causes', 3, 'actions_opened', 'improvement actions opened', 'count', 'opened', None) }} from improvement
    union all {{ headline_row(10, 'QA root causes', 4, 'actions_done', 'done', 'count', 'done', None) }} from improvement
    union all {{ headline_row(10, 'QA root causes', 5, 'actions_open', 'open', 'count', 'still_open', None) }} from improvement

    union all {{ headline_row(11, 'red line', 1, 'red_line_contact_rate', 'transcribed contacts with a red-line phrase', 'share', 'red_line_contacts', 'transcribed', target_metric='red_line_contact_rate', null_reason="case when transcribed = 0 then 'no transcribed contact' end") }} from red_line
    union all {{ headline_row(11, 'red line', 2, 'red_line_phrases', 'phrases', 'count', 'hits', None) }} from red_line
    union all {{ headline_row(11, 'red line', 3, 'red_line_confirmed_by_qa', 'confirmed by the courtesy QA item', 'share', 'compared_both', 'compared_red_line', null_reason="case when compared_red_line = 0 then 'no red-line contact evaluated by QA' end") }} from red_line
    union all {{ headline_row(11, 'red line', 4, 'courtesy_failures_caught', 'courtesy failures caught', 'share', 'compared_both', 'compared_courtesy_failed', null_reason="case when compared_courtesy_failed = 0 then 'no courtesy failure on a transcribed contact' end") }} from red_line
),

-- the target of each number and whether it is met (NULL without a target or a value)
targets as (
    select metric, target, direction from {{ ref('metric_targets') }}
)

select
    headline_rows.area_order,
    headline_rows.area,
    headline_rows.metric_order,
    headline_rows.metric,
    headline_rows.label,
    headline_rows.unit,
    headline_rows.numerator,
    headline_rows.denominator,
    headline_rows.value,
    headline_rows.ci_low,
    headline_rows.ci_high,
    headline_rows.target_metric,
    targets.target,
    targets.direction as target_direction,
    case
        when headline_rows.value is null or targets.target is null then null
        when targets.direction = 'higher_is_better' then headline_rows.value >= targets.target
        when targets.direction = 'lower_is_better' then headline_rows.value <= targets.target
        when targets.direction = 'tolerance' then abs(headline_rows.value) <= targets.target
    end as target_met,
    headline_rows.text_value,
    case when headline_rows.value is null and headline_rows.unit <> 'text' then headline_rows.null_reason end
        as null_reason
from headline_rows
left join targets on targets.metric = headline_rows.target_metric
