"""Alerts (metrics.md §7c): marts.rpt_alerts, built by dbt after the satisfaction analysis, and the report of new
alerts after each run (lib/alerts.py).

rpt_alerts reads analysis.contact_satisfaction_scores, which the Python analysis asset writes after the main dbt
build. It is therefore a dbt asset of its own (a second, one-model `dbt build` after the analysis) rather than part
of callqa_dbt: there it would close a cycle dbt -> analysis -> dbt, which Dagster resolves by splitting the main
build into several invocations (docs/decisions.md)."""

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from dagster_project.defs.location import DbtRunConfig
from dagster_project.defs.transform.assets import AFTER_ANALYSIS_MODELS, dbt_build, timezone_var, translator
from dagster_project.defs.transform.project import dbt_project
from dagster_project.lib.alerts import notify_new_alerts
from dagster_project.lib.run_window import dbt_args
from dagster_project.resources import WAREHOUSE_POOL, WarehouseResource

ALERTS_MART = dg.AssetKey(["marts", "rpt_alerts"])
# Every mart of the after-analysis dbt step (rpt_alerts, rpt_journey_contacts): publishing waits for all of them.
AFTER_ANALYSIS_MARTS = [dg.AssetKey(["marts", name]) for name in AFTER_ANALYSIS_MODELS.split()]
NOTIFICATIONS = dg.AssetKey(["alerts", "alert_notifications"])


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=translator,
    pool=WAREHOUSE_POOL,
    name="callqa_dbt_after_analysis",
    select=AFTER_ANALYSIS_MODELS,
)
def callqa_dbt_after_analysis(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    """dbt build of the models that read the analysis tables (marts.rpt_alerts) and their data tests: whole tables
    over the scores of the latest analysis, so neither a partition window nor a full refresh changes them."""
    yield from dbt_build(context, dbt, dbt_args(DbtRunConfig(), None, timezone_var(warehouse.settings())),
                         after_analysis=True)


@dg.asset(
    key=NOTIFICATIONS,
    deps=[ALERTS_MART],
    group_name="alerts",
    kinds={"duckdb", "python"},
    pool=WAREHOUSE_POOL,
    check_specs=[dg.AssetCheckSpec("new_alerts_reported", asset=NOTIFICATIONS, blocking=False,
                                   description="The open alerts not reported before, posted to the webhook "
                                   "(CALLQA_ALERT_WEBHOOK_URL) when one is set; fails when the webhook refused them.")],
    description="New open alerts of marts.rpt_alerts (not reported by an earlier run), posted once to the webhook "
    "CALLQA_ALERT_WEBHOOK_URL when set and recorded in alerts.alert_notifications.",
)
def alert_notifications(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    con = warehouse.connect()
    try:
        outcome = notify_new_alerts(con, run_id=context.run.run_id)
    finally:
        con.close()
    by_kind: dict[str, int] = {}
    for alert in outcome.new_alerts:
        by_kind[alert["kind"]] = by_kind.get(alert["kind"], 0) + 1
    summary = ", ".join(f"{n} {kind}" for kind, n in sorted(by_kind.items())) or "none"
    if outcome.new_alerts:
        context.log.info(f"new alerts: {summary}")
    preview = [f"{a['kind']} {a['subject_id']}: {a['evidence']}" for a in outcome.new_alerts[:20]]
    metadata = {"new_alerts": len(outcome.new_alerts), **{f"new_{k}": v for k, v in by_kind.items()},
                "webhook": "set" if outcome.webhook else "not set", "preview": dg.MetadataValue.md(
                    "\n".join(f"- {line}" for line in preview) or "no new alerts")}
    yield dg.MaterializeResult(metadata=metadata)
    yield dg.AssetCheckResult(
        check_name="new_alerts_reported", passed=outcome.delivered,
        description=(f"new alerts: {summary}" + (" (posted to the webhook)" if outcome.webhook and outcome.new_alerts
                                                 else "")) if outcome.delivered
        else f"the webhook refused {len(outcome.new_alerts)} new alert(s), retried next run: {outcome.error}",
        metadata={"new_alerts": len(outcome.new_alerts)})


alert_assets = [callqa_dbt_after_analysis, alert_notifications]
