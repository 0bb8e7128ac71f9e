"""A stored report as the page (and the downloads) show it: in the reader's language, numbers formatted, charts
drawn, headlines per objective. Pure: the stored result dict in, plain values and markup out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup

from consult import i18n
from consult.formatting import format_number, format_percent
from consult.i18n import gettext as _
from consult.pages import WPS_OBJECTIVES
from consult.plans import charts
from consult.plans.models import KIND_LABELS, Kind


def texts_in(texts: dict | None, fallback: str = "") -> str:
    texts = texts or {}
    return texts.get(i18n.current_code()) or texts.get("en") or next(iter(texts.values()), fallback)


def fmt(statistic: str, value: float | None) -> str:
    if value is None:
        return "—"
    return format_percent(value, 0) if statistic == "proportion" else format_number(value, 2)


def fmt_interval(statistic: str, low: float | None, high: float | None) -> str:
    if low is None or high is None:
        return "—"
    return _("%(low)s to %(high)s", low=fmt(statistic, low), high=fmt(statistic, high))


def fmt_p(p: float | None) -> str:
    if p is None:
        return "—"
    return "< " + format_number(0.001, 3) if p < 0.001 else format_number(p, 3)


def fmt_p_relation(p: float | None) -> str:
    """``= 0.138`` or ``< 0.001``, for sentences ("p = 0.138")."""
    if p is None:
        return "—"
    return "< " + format_number(0.001, 3) if p < 0.001 else "= " + format_number(p, 3)


def fmt_difference(statistic: str, value: float | None) -> str:
    if value is None:
        return "—"
    sign = "+" if value > 0 else "−" if value < 0 else ""
    if statistic == "proportion":
        return _("%(sign)s%(points)s points", sign=sign, points=format_number(abs(value) * 100, 1))
    return sign + format_number(abs(value), 2)


@dataclass(frozen=True)
class Row:
    group: str
    value: str
    interval: str
    n: str
    deff: str
    suppressed: str


@dataclass(frozen=True)
class GapRow:
    groups: str
    difference: str
    p_value: str
    p_adjusted: str
    significant: bool


@dataclass(frozen=True)
class BreakdownView:
    variable: str
    label: str
    rows: list
    gaps: list
    chart: Markup
    has_suppressed: bool


@dataclass(frozen=True)
class IndicatorView:
    code: str
    title: str
    kind: str
    direction: str
    target: str
    overall: Row
    headline: str
    change: dict | None
    breakdowns: list
    series_chart: Markup | None
    series: list
    r_calls: list


@dataclass(frozen=True)
class ObjectiveView:
    code: str
    label: str
    indicators: list = field(default_factory=list)


def group_label(result: dict, variable: str, code: str) -> str:
    return texts_in(result.get("codebook", {}).get(variable, {}).get("choices", {}).get(code), code)


def variable_label(result: dict, variable: str) -> str:
    return texts_in(result.get("codebook", {}).get(variable, {}).get("label"), variable)


def _row(statistic: str, cell: dict, label: str) -> Row:
    suppressed = ""
    if cell["suppressed"] == "primary":
        suppressed = _("Fewer than %(n)s respondents: not shown.", n="{min_n}")
    elif cell["suppressed"] == "secondary":
        suppressed = _("Hidden so that a smaller group cannot be worked out.")
    return Row(label, fmt(statistic, cell["value"]), fmt_interval(statistic, cell["low"], cell["high"]),
               format_number(cell["n"]) if cell["n"] is not None else "—",
               format_number(cell["deff"], 2) if cell.get("deff") is not None else "—", suppressed)


def headline(ind: dict) -> str:
    stat, overall, change = ind["statistic"], ind["overall"], ind.get("change")
    if overall["value"] is None:
        return _("“%(title)s”: too few respondents to publish a figure.", title=ind["title"])
    text = _("“%(title)s”: %(value)s (95%% interval %(interval)s).", title=ind["title"],
             value=fmt(stat, overall["value"]), interval=fmt_interval(stat, overall["low"], overall["high"]))
    if change:
        significant = change["p_adjusted"] is not None and change["p_adjusted"] < 0.05
        better = (change["value"] > 0) == (ind["direction"] == "higher")
        if not significant:
            text += " " + _("No clear change since %(wave)s.", wave=change["previous_label"])
        elif better:
            text += " " + _("Better than in %(wave)s (%(change)s).", wave=change["previous_label"],
                            change=fmt_difference(stat, change["value"]))
        else:
            text += " " + _("Worse than in %(wave)s (%(change)s).", wave=change["previous_label"],
                            change=fmt_difference(stat, change["value"]))
    if ind["target"] is not None:
        text += " " + _("Target: %(target)s.", target=fmt(stat, ind["target"]))
    return text


def indicator_view(result: dict, ind: dict) -> IndicatorView:
    stat = ind["statistic"]
    min_n = result["settings"]["min_n"]
    breakdowns = []
    for b in ind["breakdowns"]:
        rows = [_row(stat, c, group_label(result, b["variable"], c["label"])) for c in b["cells"]]
        rows = [Row(r.group, r.value, r.interval, r.n, r.deff, r.suppressed.replace("{min_n}", str(min_n)))
                for r in rows]
        gaps = [GapRow(_("%(a)s vs %(b)s", a=group_label(result, b["variable"], g["a"]),
                         b=group_label(result, b["variable"], g["b"])),
                       fmt_difference(stat, g["value"]), fmt_p(g["p_value"]), fmt_p(g["p_adjusted"]),
                       g["p_adjusted"] is not None and g["p_adjusted"] < 0.05)
                for g in b["gaps"]]
        bars = [charts.Bar(group_label(result, b["variable"], c["label"]), c["value"], c["low"], c["high"],
                           fmt(stat, c["value"]) if c["value"] is not None else _("not shown"))
                for c in b["cells"]]
        label = variable_label(result, b["variable"])
        breakdowns.append(BreakdownView(
            b["variable"], label, rows, gaps,
            charts.bars(bars, _("%(title)s by %(group)s", title=ind["title"], group=label),
                        stat == "proportion", ind["target"]),
            any(c["suppressed"] for c in b["cells"])))
    points = [charts.Point(p["label"], p["value"], p["low"], p["high"]) for p in ind["series"]]
    series_chart = (charts.series(points, _("%(title)s across waves", title=ind["title"]), stat == "proportion",
                                  ind["target"], lambda v: fmt(stat, v)) if len(points) > 1 else None)
    change = None
    if ind.get("change"):
        c = ind["change"]
        change = {"since": c["previous_label"], "previous": fmt(stat, c["previous_value"]),
                  "difference": fmt_difference(stat, c["value"]), "p_value": fmt_p(c["p_value"]),
                  "p_adjusted": fmt_p(c["p_adjusted"]), "p_relation": fmt_p_relation(c["p_value"]),
                  "p_adjusted_relation": fmt_p_relation(c["p_adjusted"])}
    overall = _row(stat, ind["overall"], _("All respondents"))
    overall = Row(overall.group, overall.value, overall.interval, overall.n, overall.deff,
                  overall.suppressed.replace("{min_n}", str(min_n)))
    return IndicatorView(
        ind["code"], ind["title"], str(KIND_LABELS[Kind(ind["kind"])]),
        _("Higher is better") if ind["direction"] == "higher" else _("Lower is better"),
        fmt(stat, ind["target"]) if ind["target"] is not None else "—", overall, headline(ind), change,
        breakdowns, series_chart,
        [{"label": p["label"], "value": fmt(stat, p["value"]), "interval": fmt_interval(stat, p["low"], p["high"]),
          "n": format_number(p["n"]) if p["n"] is not None else "—"} for p in ind["series"]],
        list(ind["r_calls"]))


def objectives_view(result: dict) -> list[ObjectiveView]:
    """The report's indicators grouped by the four WPS objectives (those with none are left out)."""
    views = []
    for code, label in WPS_OBJECTIVES:
        inds = [indicator_view(result, i) for i in result["indicators"] if i["objective"] == code]
        if inds:
            views.append(ObjectiveView(code, str(label), inds))
    return views


def methods(result: dict) -> dict:
    """What the methods section states: the design, the weighting, the corrections, the suppression rule."""
    s = result["settings"]
    parts = []
    if s.get("weights"):
        parts.append(_("weights from the column “%(name)s”", name=s["weights"]))
    if s.get("strata"):
        parts.append(_("strata “%(name)s”", name=s["strata"]))
    if s.get("psu"):
        parts.append(_("clusters “%(name)s”", name=s["psu"]))
    margins = [variable_label(result, v) for v in result.get("margins", {})]
    return {
        "design": ", ".join(parts) if parts else _("each respondent is her own sampling unit, no strata"),
        "raked": bool(margins),
        "margins": ", ".join(margins),
        "correction": _("Holm") if s["correction"] == "holm" else _("Benjamini-Hochberg"),
        "correction_r": s["correction_r"],
        "min_n": s["min_n"],
        "level": format_percent(s["level"], 0),
        "r_design": result["r_design"],
    }
