"""The demo's synthetic contact center, at a reduced size, reads like a real one: every headline of the run summary
is judgeable and lies in the range documented in docs/decisions.md ("Synthetic center calibration"), and the
weak spots planted on purpose are listed in ground_truth.json and show where they should.

The demo (`make demo`) is the same generator with the same seed and time zone over five whole months at 1,000
contacts a day; here two whole months (2026-02-02 to 2026-03-31) at 800 a day, so that the pipeline runs in a few
minutes. The numbers are read from the marts with SQL (as dagster_project/lib/headlines.py does), every rate from
its numerator and denominator. The ranges are the published ones the generator is calibrated to, widened where
this smaller center has fewer hires, classes and survey responses (each range says why)."""
from datetime import date

import pytest

from tests.e2e.pipeline_env import pipeline_env

pytestmark = pytest.mark.slow

DAYS, PER_DAY, SEED, TIMEZONE = 58, 800, 42, "America/New_York"  # seed and time zone of `make demo`


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from dagster_project.lib.synth import generate

    base = tmp_path_factory.mktemp("demo_headlines")
    truth = generate(base / "landing", days=DAYS, contacts_per_day=PER_DAY, seed=SEED, start_date=date(2026, 2, 2),
                     timezone=TIMEZONE)
    with pipeline_env(base, base / "landing", TIMEZONE) as (run, connect):
        outcome = run()
        assert outcome.success, outcome.summary
        con = connect()
        yield truth, con
        con.close()


def _row(con, sql) -> dict:
    result = con.execute(sql)
    names = [d[0] for d in result.description]
    return dict(zip(names, result.fetchall()[0]))


def test_service_level_is_near_an_80_20_goal(demo):
    """Centers on an 80/20 goal typically run 70-85 % with an ASA of 20-60 s and abandon 3-8 % (ICMI / SQM; the
    Anonymous Bank log gives 53 % and 40 s through callqa). Staffing is Erlang C at 80/20, so the realised level
    lands near it: 70-88 %, ASA 10-60 s, abandon 2-10 %."""
    _, con = demo
    r = _row(con, """select sum(answered_within_threshold) as within, sum(offered) as offered,
                            sum(answer_wait_seconds) as wait, sum(answered) as answered, sum(abandoned) as abandoned
                     from marts.rpt_service_level_interval""")
    assert r["offered"] > 10_000
    assert 0.70 <= r["within"] / r["offered"] <= 0.88, r
    assert 10 <= r["wait"] / r["answered"] <= 60, r
    assert 0.02 <= r["abandoned"] / r["offered"] <= 0.10, r


def test_first_contact_resolution_is_plausible(demo):
    """Industry FCR sits around 70-75 % (SQM); the seeds' targets are 75 % (48 h) and 70 % (7 days). The planted
    repeat probabilities give 80-90 % within 48 h and 72-88 % within 7 days (cross-channel, any reason)."""
    _, con = demo
    r = _row(con, """select sum(fcr_48h_count) as fcr_48h, sum(eligible_48h) as eligible_48h, sum(fcr_7d_count) as fcr_7d,
                            sum(eligible_7d) as eligible_7d from marts.rpt_fcr_daily""")
    assert 0.78 <= r["fcr_48h"] / r["eligible_48h"] <= 0.92, r
    assert 0.70 <= r["fcr_7d"] / r["eligible_7d"] <= 0.90, r


def test_forecast_accuracy_is_plausible_for_the_volume(demo):
    """The planted forecast is the expected volume times the planted bias and a little noise: over the period it is
    nearly unbiased (+8 % tech_support and -5 % chat_general cancel out to within 3 points), its daily error is
    small, but at 2-10 contacts per queue and half-hour Poisson noise alone keeps most intervals outside +-10 %
    (a perfect forecast would hit 15-25 % of them): 8-35 % within tolerance. Planned shrinkage is the schedule's,
    within 3 points of the actual (seeds shrinkage_tolerance_points)."""
    _, con = demo
    r = _row(con, """select sum(error_weighted) filter (where measure = 'contacts') as error,
                            sum(actual_weighted) filter (where measure = 'contacts') as actual,
                            sum(intervals_within_tolerance) filter (where measure = 'contacts') as within,
                            sum(accuracy_intervals) filter (where measure = 'contacts') as intervals,
                            sum(forecast_weighted) filter (where measure = 'shrinkage') as planned,
                            sum(actual_weighted) filter (where measure = 'shrinkage') as shrinkage,
                            sum(weight) filter (where measure = 'shrinkage') as paid
                     from marts.rpt_forecast_accuracy_daily""")
    assert abs(r["error"] / r["actual"]) <= 0.05, r
    assert 0.08 <= r["within"] / r["intervals"] <= 0.35, r
    planned, actual = r["planned"] / r["paid"], r["shrinkage"] / r["paid"]
    assert 0.10 <= actual <= 0.30 and abs(planned - actual) <= 0.03, (planned, actual)


def test_hiring_and_training_quality_are_judgeable_and_near_target(demo):
    """Every hire of the data with a whole 90-day window and every class with 30 production days is judged. 90-day
    retention of new hires runs 55-75 % in contact centers (25-45 % leave within 90 days: FurstPerson,
    ContactBabel); the planted sources give about 79 %: 55-95 % here (a handful of eligible hires). Hiring quality
    target 75 %, training quality target 90 %: the judged hires and graduates mostly perform; the weak class and
    the billing agents during the process-wide failure are the planted exceptions (hires: 50-100 % of a handful;
    training: 55-97 %, as at this size the weak class is a third of the judged graduates and the process-wide
    failure lasts the whole data; 79 % in the demo)."""
    _, con = demo
    hires = _row(con, """select sum(performing_90d) as performing, sum(judged) as judged, sum(retained_90d) as retained,
                                sum(eligible) as eligible from marts.rpt_hiring_quality""")
    assert hires["judged"] >= 3 and hires["eligible"] >= 4, hires
    assert 0.5 <= hires["performing"] / hires["judged"] <= 1.0, hires
    assert 0.55 <= hires["retained"] / hires["eligible"] <= 0.95, hires
    training = _row(con, """select sum(proficient) as proficient, sum(judged) as judged, sum(graduated) as graduated,
                                   sum(started) as started, count(*) filter (where judged > 0) as classes
                            from marts.rpt_training_quality""")
    assert training["judged"] >= 10 and training["classes"] >= 2, training
    assert 0.55 <= training["proficient"] / training["judged"] <= 0.97, training
    assert 0.70 <= training["graduated"] / training["started"] <= 0.99, training


def test_qa_samples_are_sufficient_and_accuracies_near_target(demo):
    """The QA team draws the sampling plan's required n (rpt_qa_sampling_plan) per queue-month: at least 80 % of
    the queue-months are sufficient. Critical-error accuracies near the seeds' targets (95 / 95 / 98 %): customer
    and business 93-99.5 %; compliance 90-99.5 % (the process-wide failure in billing pulls it down)."""
    _, con = demo
    cells = _row(con, """select count(*) filter (where error_class = 'customer_critical' and handled_contacts > 0) as cells,
                                count(*) filter (where error_class = 'customer_critical' and sample_sufficient) as sufficient
                         from marts.rpt_critical_error_accuracy""")
    assert cells["sufficient"] >= 0.8 * cells["cells"], cells
    accuracy = con.execute("""select error_class, sum(without_error) / sum(evaluations) as accuracy
                              from marts.rpt_critical_error_accuracy group by 1""").df().set_index("error_class")
    assert 0.93 <= accuracy.loc["customer_critical", "accuracy"] <= 0.995, accuracy
    assert 0.93 <= accuracy.loc["business_critical", "accuracy"] <= 0.995, accuracy
    assert 0.90 <= accuracy.loc["compliance_critical", "accuracy"] <= 0.995, accuracy


def test_disputes_root_causes_and_calibration_are_plausible(demo):
    """Disputes: 2-8 % of evaluations (seeds target 5 %); overturned 15-40 % (the fair evaluators 10-20 %, the
    planted harsh evaluator about half). Process/system share of classified QA failures near the seeds' three
    quarters (Deming's 94 % is the upper bound): 65-85 %. Calibration kappa 0.5-0.97 (seeds target 0.60; the
    evaluators share one truth per contact and rarely err, bar the harsh one)."""
    truth, con = demo
    r = _row(con, """select sum(disputes) as disputes, sum(evaluations) as evaluations, sum(overturned) as overturned,
                            sum(decided) as decided from marts.rpt_qa_disputes""")
    assert 0.02 <= r["disputes"] / r["evaluations"] <= 0.08, r
    assert 0.15 <= r["overturned"] / r["decided"] <= 0.40, r
    loop = _row(con, """select sum(process_system_fails) as process, sum(classified_fails) as classified
                        from marts.rpt_qa_improvement_loop""")
    assert 0.65 <= loop["process"] / loop["classified"] <= 0.85, loop
    from dagster_project.lib.qa_stats import pooled_fleiss_kappa
    k = _row(con, """select sum(agreement_sum) as a, sum(items) as i, sum(fail_ratings) as f, sum(ratings) as n
                     from marts.rpt_qa_calibration_monthly""")
    assert 0.5 <= pooled_fleiss_kappa(k["a"], k["i"], k["f"], k["n"]) <= 0.97, k


def test_csat_and_survey_response(demo):
    """Mean csat 3.9-4.4 of 5 and top-2-box 70-88 % (seeds target 4.2 and 80 %; "above 75 % is good"); 8-16 % of
    handled contacts answer a survey (post-contact surveys: 5-15 % by phone, more by e-mail)."""
    _, con = demo
    r = _row(con, """select avg(csat) as mean, avg(case when csat >= 4 then 1.0 else 0 end) filter (where csat is not null)
                            as top2, count(csat) as surveyed, count(*) as handled
                     from marts.fct_contacts where is_handled""")
    assert 3.9 <= r["mean"] <= 4.4 and 0.70 <= r["top2"] <= 0.88, r
    assert 0.08 <= r["surveyed"] / r["handled"] <= 0.16, r


def test_satisfaction_drivers_are_fitted_with_a_stable_wait_share(demo):
    """The model fits; wait time leads the drivers with 25-60 % of the explained effect (importance ~ |beta| x
    sd(wait), and the spread of waits no longer depends on the size of the center: 40 % here, 37 % in the demo,
    where it was 31 % and 79 %; see docs/decisions.md), followed by the IVR beyond 120 s and a contact in the
    previous 7 days."""
    _, con = demo
    status = _row(con, "select status, status_reason from analysis.satisfaction_model_fit where model = 'all_surveyed'")
    assert status["status"] == "fitted", status
    drivers = con.execute("""select driver, importance from analysis.satisfaction_drivers
                             where role = 'driver' and importance is not null order by importance desc""").df()
    assert drivers.iloc[0]["driver"] == "wait_seconds" and 0.25 <= drivers.iloc[0]["importance"] <= 0.60, drivers
    assert set(drivers["driver"].head(3)) == {"wait_seconds", "ivr_seconds", "had_prior_contact_7d"}, drivers


def test_the_planted_weak_spots_are_listed_and_show_where_they_should(demo):
    truth, con = demo
    spots = {s["name"]: s for s in truth["planted_weak_spots"]}
    assert list(spots)[:3] == ["harsh_evaluator", "process_wide_failure", "weak_training_class"]
    assert all(s["what"] and s["where"] and s["expected"] for s in spots.values())
    # the harsh evaluator is the one (and only one) flagged for overturns above the team
    harsh = spots["harsh_evaluator"]["expected"]["evaluator_id"]
    flagged = con.execute("select distinct evaluator_id from marts.rpt_qa_disputes where overturn_above_team").df()
    assert set(flagged["evaluator_id"]) == {harsh}
    # the process-wide failure is classified process/system in every month of its queue and item
    pf = spots["process_wide_failure"]["expected"]
    cells = con.execute("select root_cause from marts.rpt_qa_root_causes where queue = ? and item_code = ?",
                        [pf["queue"], pf["item_code"]]).df()
    assert len(cells) >= 2 and (cells["root_cause"] == "process_system").all(), cells
    # the weak class: an assessment average 5+ points below the other new-hire classes pooled (a class of four with
    # one failed trainee can dip as low on its own) and a lower proficient share than the other judged classes
    weak = spots["weak_training_class"]["expected"]["class_id"]
    classes = con.execute("""select class_id, assessed, assessment_score_sum, assessment_score_avg, proficient, judged
                             from marts.rpt_training_quality where program = 'new_hire' and assessed > 0""").df()
    classes = classes.set_index("class_id")
    others = classes.drop(weak)
    assert classes.loc[weak, "assessment_score_avg"] <= others["assessment_score_sum"].sum() / others["assessed"].sum() - 5
    others = con.execute("""select sum(proficient) / sum(judged) from marts.rpt_training_quality
                            where class_id <> ? and judged > 0""", [weak]).fetchall()[0][0]
    assert classes.loc[weak, "judged"] > 0
    assert classes.loc[weak, "proficient"] / classes.loc[weak, "judged"] < others, (classes, others)
