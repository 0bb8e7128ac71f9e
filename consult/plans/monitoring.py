"""Monitoring: each indicator's latest value against its baseline (the first wave) and target, across waves.

Values come from the stored results of finished report runs (for panel members: published runs only), the latest
run of each wave; nothing is recomputed here.
"""

from __future__ import annotations

from dataclasses import dataclass

from consult.i18n import gettext as _
from consult.pages import WPS_OBJECTIVES
from consult.plans import charts
from consult.plans.models import ReportRun, RunStatus, Tracker
from consult.plans.presentation import fmt, fmt_difference


@dataclass(frozen=True)
class MonitorRow:
    code: str
    title: str
    objective: str
    statistic: str
    baseline: str
    baseline_wave: str
    latest: str
    latest_wave: str
    target: str
    progress: str
    status: str
    chart: object


def _status(direction: str, latest: float | None, baseline: float | None, target: float | None) -> str:
    if latest is None:
        return _("No published figure")
    sign = 1 if direction == "higher" else -1
    if target is not None and sign * (latest - target) >= 0:
        return _("Target reached")
    if baseline is not None and sign * (latest - baseline) > 0:
        return _("Improving, target not reached")
    if baseline is not None and latest == baseline:
        return _("Baseline")
    return _("Not improving")


async def monitor(tracker: Tracker, published_only: bool) -> list[MonitorRow]:
    runs = ReportRun.filter(tracker_id=tracker.id, status=RunStatus.DONE.value)
    if published_only:
        runs = runs.filter(published_at__isnull=False)
    latest_by_wave: dict[int, ReportRun] = {}
    for run in await runs.order_by("id").prefetch_related("wave"):
        latest_by_wave[run.wave.number] = run
    if not latest_by_wave:
        return []
    ordered = [latest_by_wave[n] for n in sorted(latest_by_wave)]
    last = ordered[-1].result
    rows = []
    for ind in last["indicators"]:
        points = []
        for run in ordered:
            match = next((i for i in run.result["indicators"] if i["code"] == ind["code"]), None)
            if match is not None:
                o = match["overall"]
                points.append((run.wave.label, o["value"], o["low"], o["high"]))
        known = [p for p in points if p[1] is not None]
        baseline = known[0] if known else None
        latest = known[-1] if known else None
        stat = ind["statistic"]
        progress = fmt_difference(stat, latest[1] - baseline[1]) if baseline and latest and len(known) > 1 else "—"
        rows.append(MonitorRow(
            ind["code"], ind["title"], ind["objective"], stat,
            fmt(stat, baseline[1]) if baseline else "—", baseline[0] if baseline else "",
            fmt(stat, latest[1]) if latest else "—", latest[0] if latest else "",
            fmt(stat, ind["target"]) if ind["target"] is not None else "—", progress,
            _status(ind["direction"], latest[1] if latest else None, baseline[1] if baseline else None,
                    ind["target"]),
            charts.series([charts.Point(*p) for p in points], _("%(title)s across waves", title=ind["title"]),
                          stat == "proportion", ind["target"], lambda v, stat=stat: fmt(stat, v))
            if len(points) > 1 else None))
    return rows


def by_objective(rows: list[MonitorRow]) -> list[tuple[str, str, list[MonitorRow]]]:
    return [(code, str(label), [r for r in rows if r.objective == code]) for code, label in WPS_OBJECTIVES
            if any(r.objective == code for r in rows)]
