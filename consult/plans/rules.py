"""Transparent rules that turn a report into ranked draft recommendations.

The rules are data (``Tracker.rules``), shown to analysts as they are and editable by them; this module only
reads them. Each rule looks at one kind of evidence:

``below_target``
    The indicator misses its target by at least ``min_shortfall`` (in the indicator's own units: 0.05 is five
    percentage points for a share).
``worsened``
    The indicator moved the wrong way since the previous wave by at least ``min_change``, and the change is
    significant after correction.
``group_gap``
    Two groups of a breakdown differ by at least ``min_gap`` and the gap is significant after correction; the
    recommendation targets the group that is worse off.

Each rule has a ``weight`` (its priority: drafts are ranked by weight, then by the relative size of the effect,
then by the p-value; relative, because a shortfall of 0.2 on a share and of 1.1 on a 1-5 score cannot be compared
in their own units: the shortfall is divided by the target, a change by the previous value, a gap by the value of
the better-off group) and a ``level`` of responsibility; for gaps the level follows the breakdown variable
(``levels_by_breakdown``: a gap between areas is a local matter, between countries a national one).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Callable

from consult.formatting import format_number, format_percent
from consult.i18n import gettext as _

DEFAULT_RULES = {
    "significance": 0.05,
    "below_target": {"enabled": True, "min_shortfall": 0.05, "weight": 3, "level": "alliance"},
    "worsened": {"enabled": True, "min_change": 0.03, "weight": 2, "level": "national"},
    "group_gap": {"enabled": True, "min_gap": 0.10, "weight": 1, "level": "national"},
    "levels_by_breakdown": {"country": "national", "region": "local", "area": "local", "age_group": "national"},
}


def rules_of(raw: dict | None) -> dict:
    """The tracker's rules completed with the defaults (one level deep, so a partial edit keeps the rest)."""
    rules = copy.deepcopy(DEFAULT_RULES)
    for key, value in (raw or {}).items():
        if isinstance(value, dict) and isinstance(rules.get(key), dict):
            rules[key].update(value)
        else:
            rules[key] = value
    return rules


@dataclass(frozen=True)
class Draft:
    """A draft recommendation, before it is stored for a human decision."""

    indicator_code: str
    rule: str
    objective: str
    level: str
    text: str
    evidence: dict = field(default_factory=dict)
    weight: float = 0
    effect: float = 0
    p_value: float = 1.0


Labeler = Callable[[str, str], str]


def _fmt(indicator: dict, value: float | None) -> str:
    if value is None:
        return ""
    if indicator["statistic"] == "proportion":
        return format_percent(value, 0)
    return format_number(value, 2)


def _fmt_change(indicator: dict, value: float) -> str:
    sign = "+" if value > 0 else "−" if value < 0 else ""
    if indicator["statistic"] == "proportion":
        return _("%(sign)s%(points)s points", sign=sign, points=format_number(abs(value) * 100, 0))
    return sign + format_number(abs(value), 2)


def _relative(effect: float, reference: float | None) -> float:
    return effect / abs(reference) if reference else effect


def _fmt_p(p: float) -> str:
    return "< " + format_number(0.001, 3) if p < 0.001 else "= " + format_number(p, 3)


def draft(report: dict, rules: dict, label: Labeler | None = None) -> list[Draft]:
    """The draft recommendations a report calls for, ranked (best first).

    Parameters
    ----------
    report : dict
        ``Report.to_dict()`` as stored on the run.
    rules : dict
        :func:`rules_of` output.
    label : callable, optional
        ``label(variable, code)``: the group name shown in the text (the code itself by default).
    """
    label = label or (lambda variable, code: code)
    alpha = float(rules["significance"])
    drafts: list[Draft] = []
    for ind in report["indicators"]:
        sign = 1 if ind["direction"] == "higher" else -1  # +1: higher is better
        overall = ind["overall"]
        evidence = {"estimate": overall["value"], "low": overall["low"], "high": overall["high"],
                    "n": overall["n"], "statistic": ind["statistic"]}
        rule = rules["below_target"]
        if rule["enabled"] and ind["target"] is not None and overall["value"] is not None:
            shortfall = sign * (ind["target"] - overall["value"])
            if shortfall >= float(rule["min_shortfall"]):
                text = _("Raise “%(title)s”: it stands at %(value)s (95%% interval %(low)s to %(high)s) against a "
                         "target of %(target)s.", title=ind["title"], value=_fmt(ind, overall["value"]),
                         low=_fmt(ind, overall["low"]), high=_fmt(ind, overall["high"]),
                         target=_fmt(ind, ind["target"]))
                drafts.append(Draft(ind["code"], "below_target", ind["objective"], rule["level"], text,
                                    {**evidence, "target": ind["target"], "shortfall": shortfall},
                                    float(rule["weight"]), _relative(shortfall, ind["target"]), 0.0))
        rule = rules["worsened"]
        change = ind.get("change")
        if rule["enabled"] and change and change["p_adjusted"] is not None:
            loss = -sign * change["value"]
            if loss >= float(rule["min_change"]) and change["p_adjusted"] < alpha:
                text = _("Reverse the decline of “%(title)s”: %(change)s since %(wave)s (adjusted p %(p)s).",
                         title=ind["title"], change=_fmt_change(ind, change["value"]),
                         wave=change["previous_label"], p=_fmt_p(change["p_adjusted"]))
                drafts.append(Draft(ind["code"], "worsened", ind["objective"], rule["level"], text,
                                    {**evidence, "change": change["value"], "se": change["se"],
                                     "previous": change["previous_value"], "p_value": change["p_value"],
                                     "p_adjusted": change["p_adjusted"]},
                                    float(rule["weight"]), _relative(loss, change["previous_value"]),
                                    change["p_adjusted"]))
        rule = rules["group_gap"]
        if not rule["enabled"]:
            continue
        for breakdown in ind["breakdowns"]:
            candidates = [g for g in breakdown["gaps"] if g["p_adjusted"] is not None
                          and abs(g["value"]) >= float(rule["min_gap"]) and g["p_adjusted"] < alpha]
            if not candidates:
                continue
            gap = max(candidates, key=lambda g: (abs(g["value"]), -g["p_adjusted"]))
            # The group worse off: lower value when higher is better.
            worse, better = (gap["b"], gap["a"]) if sign * gap["value"] > 0 else (gap["a"], gap["b"])
            cells = {c["label"]: c for c in breakdown["cells"]}
            variable = breakdown["variable"]
            level = rules["levels_by_breakdown"].get(variable, rule["level"])
            text = _("Close the gap in “%(title)s” for %(worse)s: %(worse_value)s against %(better_value)s for "
                     "%(better)s (adjusted p %(p)s).", title=ind["title"], worse=label(variable, worse),
                     better=label(variable, better), worse_value=_fmt(ind, cells[worse]["value"]),
                     better_value=_fmt(ind, cells[better]["value"]), p=_fmt_p(gap["p_adjusted"]))
            drafts.append(Draft(ind["code"], "group_gap", ind["objective"], level, text,
                                {**evidence, "variable": variable, "group": worse, "compared_with": better,
                                 "group_estimate": cells[worse]["value"], "group_n": cells[worse]["n"],
                                 "gap": abs(gap["value"]), "se": gap["se"], "p_value": gap["p_value"],
                                 "p_adjusted": gap["p_adjusted"]},
                                float(rule["weight"]), _relative(abs(gap["value"]), cells[better]["value"]),
                                gap["p_adjusted"]))
    return sorted(drafts, key=lambda d: (-d.weight, -d.effect, d.p_value))
