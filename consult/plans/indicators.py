"""Indicators: what one indicator measures, checked against a survey's questions, and its values as a column.

An indicator is computed as the design-based mean of one derived column, so that the overall estimate, the
estimate in each group, the gaps between groups and the change between waves all come from the same
``analysis`` calls:

- a **share** is a 0/1 column (1 where the answer is one of the counted codes, NaN where unanswered or excluded),
  estimated with ``design.proportion(column, 1)`` (logit interval, R's ``svyciprop``);
- a **mean** is the numeric answer itself, ``design.mean(question)``;
- a **scale** is the mean of several numeric items over respondents who answered all of them (as
  ``analysis.scales.scale_score``), estimated with ``design.mean``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from consult.i18n import gettext as _
from consult.plans.models import Direction, Kind

OBJECTIVE_CODES = ("leadership", "participation", "prevention", "protection")


class IndicatorError(ValueError):
    """An indicator definition that cannot be computed; the message is translated."""


@dataclass(frozen=True)
class IndicatorSpec:
    """One indicator definition, independent of the database row.

    Attributes
    ----------
    code, title, objective, kind, direction : str
    items : tuple of str
        Question names.
    levels : dict
        For a share: ``{"count": [...]}`` or ``{"top": k, "max": K}``; optional ``"exclude": [...]``.
    target : float or None
    breakdowns : tuple of str
    """

    code: str
    title: str
    objective: str
    kind: str
    items: tuple
    levels: dict
    direction: str = Direction.HIGHER_BETTER.value
    target: float | None = None
    breakdowns: tuple = ()

    @classmethod
    def from_model(cls, row) -> "IndicatorSpec":
        return cls(code=row.code, title=row.title, objective=row.objective, kind=row.kind,
                   items=tuple(row.items or ()), levels=dict(row.levels or {}), direction=row.direction,
                   target=row.target, breakdowns=tuple(row.breakdowns or ()))

    @property
    def column(self) -> str:
        """The name of the derived column in the analysis frame."""
        return f"__indicator_{self.code}"

    @property
    def statistic(self) -> str:
        return "proportion" if self.kind == Kind.SHARE.value else "mean"

    def counted(self) -> tuple:
        """The answer codes a share counts."""
        if "top" in self.levels:
            top, high = int(self.levels["top"]), int(self.levels["max"])
            return tuple(range(high - top + 1, high + 1))
        return tuple(self.levels.get("count", ()))

    def values(self, frame: pd.DataFrame) -> pd.Series:
        """The derived column: what the design estimates for this indicator (NaN = not in the base)."""
        if self.kind == Kind.SHARE.value:
            answers = frame[self.items[0]]
            excluded = {str(x) for x in self.levels.get("exclude", ())}
            text = answers.map(_code_text)
            missing = answers.isna() | text.isin(excluded)
            hit = text.isin({_code_text(x) for x in self.counted()})
            return pd.Series(np.where(missing, np.nan, hit.astype(float)), index=frame.index)
        numbers = pd.concat([pd.to_numeric(frame[item], errors="coerce").astype("float64") for item in self.items],
                            axis=1)
        if self.kind == Kind.MEAN.value:
            return numbers.iloc[:, 0].astype("float64")
        complete = numbers.notna().all(axis=1)
        return numbers.mean(axis=1).where(complete)

    def r_variable(self) -> str:
        """The same variable written for R (``I(...)`` in a formula)."""
        if self.kind == Kind.SHARE.value:
            codes = ", ".join(_r_literal(x) for x in self.counted())
            return f"I({self.items[0]} %in% c({codes}))"
        if self.kind == Kind.MEAN.value:
            return self.items[0]
        return "I((" + " + ".join(self.items) + f") / {len(self.items)})"


def _code_text(value) -> str:
    """Answer codes compare as text, so that 4, 4.0 and "4" are the same code."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _r_literal(value) -> str:
    return str(value) if isinstance(value, (int, float)) else '"' + str(value) + '"'


def check(spec: IndicatorSpec, codebook: dict) -> IndicatorSpec:
    """Refuse a definition the survey cannot answer (unknown questions, a share without codes, …).

    Parameters
    ----------
    codebook : dict
        ``consult.plans.sources.SurveyData.codebook`` of the survey the indicator is defined on.
    """
    if not spec.code or not spec.code.replace("_", "").isalnum():
        raise IndicatorError(_("The short name may hold only letters, digits and underscores."))
    if spec.objective not in OBJECTIVE_CODES:
        raise IndicatorError(_("Choose one of the four strategic objectives."))
    if spec.kind not in {k.value for k in Kind}:
        raise IndicatorError(_("Choose what the indicator measures."))
    if spec.direction not in {d.value for d in Direction}:
        raise IndicatorError(_("Say whether a higher value is better or worse."))
    if not spec.items:
        raise IndicatorError(_("Name at least one question."))
    for name in (*spec.items, *spec.breakdowns):
        if name not in codebook:
            raise IndicatorError(_("The survey has no question named “%(name)s”.", name=name))
    if spec.kind in (Kind.SHARE.value, Kind.MEAN.value) and len(spec.items) != 1:
        raise IndicatorError(_("A share or a mean is computed on exactly one question."))
    if spec.kind == Kind.SCALE.value and len(spec.items) < 2:
        raise IndicatorError(_("A scale needs at least two questions."))
    if spec.kind == Kind.SHARE.value and not spec.counted():
        raise IndicatorError(_("Say which answers the share counts."))
    for name in spec.breakdowns:
        if not codebook[name]["choices"]:
            raise IndicatorError(_("Break down only by a question with answer choices (“%(name)s” has none).",
                                   name=name))
    return spec


def parse_levels(text: str) -> dict:
    """Read the counted answers as typed in the form: ``top 2 of 5`` or ``yes, maybe`` (codes, comma separated)."""
    text = (text or "").strip()
    words = text.lower().split()
    if len(words) == 4 and words[0] == "top" and words[2] == "of" and words[1].isdigit() and words[3].isdigit():
        return {"top": int(words[1]), "max": int(words[3])}
    codes = [c.strip() for c in text.split(",") if c.strip()]
    return {"count": [int(c) if c.isdigit() else c for c in codes]}


def levels_text(levels: dict) -> str:
    if "top" in levels:
        return f"top {levels['top']} of {levels['max']}"
    return ", ".join(str(c) for c in levels.get("count", ()))
