"""Computing a report: every indicator of a tracker, overall and by each breakdown, on one wave, with the change
since the previous wave and the gaps between groups. Pure: DataFrames in, frozen dataclasses out.

Every number is an ``analysis`` call on the wave's design (see :mod:`consult.plans.indicators` for the column each
indicator is the mean of):

- overall: ``design.proportion(col, 1)`` (logit interval) or ``design.mean(col)``;
- groups: ``design.by(var).proportion(col, 1)`` / ``.mean(col)``, published through ``analysis.disclosure.publish``
  (primary and secondary suppression of small cells);
- gaps: the difference of two groups with the joint covariance of the domain table and a t test on the design
  degrees of freedom, exactly ``analysis.contrasts.domain_difference``; p-values corrected across all gaps of the
  report (Holm or Benjamini-Hochberg);
- change: ``analysis.contrasts.wave_difference`` (independent waves, z test), corrected across indicators.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from analysis.contrasts import wave_difference
from analysis.disclosure import publish
from consult.plans.design import BuiltDesign, build_design
from consult.plans.indicators import IndicatorSpec
from consult.plans.multiplicity import R_NAMES, adjust

Progress = Callable[[float], None]


@dataclass(frozen=True)
class WaveInput:
    """One wave as the computation needs it."""

    number: int
    label: str
    frame: pd.DataFrame
    margins: dict
    title: dict = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class Cell:
    """One published estimate; ``suppressed`` is "primary" or "secondary" when its numbers are withheld."""

    label: str
    value: float | None
    low: float | None
    high: float | None
    se: float | None
    n: int | None
    deff: float | None
    suppressed: str = ""


@dataclass(frozen=True)
class Gap:
    variable: str
    a: str
    b: str
    value: float
    se: float
    p_value: float
    p_adjusted: float = float("nan")


@dataclass(frozen=True)
class Breakdown:
    variable: str
    cells: tuple
    gaps: tuple


@dataclass(frozen=True)
class Change:
    previous_label: str
    previous_value: float
    value: float
    se: float
    p_value: float
    p_adjusted: float = float("nan")


@dataclass(frozen=True)
class Point:
    number: int
    label: str
    value: float | None
    low: float | None
    high: float | None
    n: int | None


@dataclass(frozen=True)
class IndicatorResult:
    code: str
    title: str
    objective: str
    kind: str
    statistic: str
    direction: str
    target: float | None
    overall: Cell
    breakdowns: tuple
    change: Change | None
    series: tuple
    r_calls: tuple


@dataclass(frozen=True)
class Report:
    tracker: str
    wave_label: str
    wave_number: int
    survey_title: dict
    respondents: int
    excluded: int
    analysed: int
    settings: dict
    margins: dict
    r_design: tuple
    indicators: tuple
    codebook: dict
    computed_at: str
    suppressed_cells: int

    def to_dict(self) -> dict:
        """JSON-ready (NaN and infinities become null)."""
        return _clean(dataclasses.asdict(self))


def _clean(value):
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    return value


def _num(x) -> float | None:
    return float(x) if x is not None and np.isfinite(x) else None


def _overall(design, spec: IndicatorSpec, level: float, min_n: int) -> Cell:
    est = design.proportion(spec.column, 1) if spec.statistic == "proportion" else design.mean(spec.column)
    low, high = est.ci(level)
    if est.n < min_n:
        return Cell("", None, None, None, None, int(est.n), None, "primary")
    return Cell("", _num(est.value), _num(low), _num(high), _num(est.se), int(est.n), _num(est.deff))


def _domain_table(design, spec: IndicatorSpec, variable: str):
    domains = design.by(variable)
    return domains.proportion(spec.column, 1) if spec.statistic == "proportion" else domains.mean(spec.column)


def _breakdown(design, spec: IndicatorSpec, variable: str, level: float, min_n: int) -> Breakdown:
    table = _domain_table(design, spec, variable)
    published = publish(table, min_n=min_n, level=level)
    cells = []
    for label, row in zip(table.labels, published.itertuples(index=False)):
        cells.append(Cell(str(label), _num(row.value), _num(row.ci_low), _num(row.ci_high), _num(row.se),
                          None if row.suppressed else int(row.n), _num(row.deff), row.suppressed))
    # Gaps between every two published groups: the contrast of analysis.contrasts.domain_difference.
    gaps = []
    labels = [str(x) for x in table.labels]
    shown = [i for i, cell in enumerate(cells) if not cell.suppressed and cell.value is not None]
    from analysis.contrasts import difference_test as _diff  # the same t test domain_difference applies

    for i, j in itertools.combinations(shown, 2):
        c = np.zeros(len(labels))
        c[i], c[j] = 1.0, -1.0
        value = table.estimates[i].value - table.estimates[j].value
        se = float(np.sqrt(c @ table.covariance @ c))
        diff = _diff(value, se, design.degf(), (labels[i], labels[j]))
        gaps.append(Gap(variable, labels[i], labels[j], diff.value, diff.se, diff.p_value))
    return Breakdown(variable, tuple(cells), tuple(gaps))


def _r_calls(spec: IndicatorSpec) -> tuple:
    var = spec.r_variable()
    if spec.statistic == "proportion":
        overall = f'svyciprop(~{var}, d, method = "logit")'
        by = 'svyby(~{v}, ~{b}, d, svyciprop, method = "logit", vartype = "ci", covmat = TRUE)'
    else:
        overall = f"svymean(~{var}, d, na.rm = TRUE, deff = TRUE)"
        by = "svyby(~{v}, ~{b}, d, svymean, na.rm = TRUE, deff = TRUE, covmat = TRUE)"
    return (overall, *(by.format(v=var, b=b) for b in spec.breakdowns))


def _with_columns(frame: pd.DataFrame, specs: list[IndicatorSpec]) -> pd.DataFrame:
    frame = frame.copy()
    for spec in specs:
        needed = [c for c in spec.items if c not in frame.columns]
        for column in needed:
            frame[column] = np.nan
        frame[spec.column] = spec.values(frame)
    return frame


def compute_report(tracker: str, waves: list[WaveInput], specs: list[IndicatorSpec], settings: dict,
                   codebook: dict, progress: Progress | None = None) -> Report:
    """Compute the report of the last of ``waves`` (earlier waves give the change and the time series).

    Parameters
    ----------
    tracker : str
        The tracker title, for the report header.
    waves : list of WaveInput
        In time order; the last is the wave reported on.
    specs : list of IndicatorSpec
    settings : dict
        ``consult.plans.design.settings_of`` output.
    codebook : dict
        Question and answer labels of the current wave (kept in the report, for any language).
    progress : callable, optional
        Called with the fraction done (0..1).
    """
    progress = progress or (lambda fraction: None)
    level, min_n = settings["level"], settings["min_n"]
    designs: list[BuiltDesign] = []
    for wave in waves:
        built = build_design(_with_columns(wave.frame, specs), settings, wave.margins)
        designs.append(built)
    progress(0.1)
    current, previous = designs[-1], (designs[-2] if len(designs) > 1 else None)
    results = []
    for k, spec in enumerate(specs):
        overall = _overall(current.design, spec, level, min_n)
        breakdowns = tuple(_breakdown(current.design, spec, var, level, min_n) for var in spec.breakdowns
                           if var in current.design.data.columns)
        change = None
        if previous is not None and overall.value is not None:
            before = _overall(previous.design, spec, level, min_n)
            if before.value is not None:
                diff = wave_difference(current.design, previous.design, spec.column, statistic=spec.statistic,
                                       level=1 if spec.statistic == "proportion" else None)
                change = Change(waves[-2].label, before.value, diff.value, diff.se, diff.p_value)
        series = []
        for wave, built in zip(waves, designs):
            cell = overall if built is current else _overall(built.design, spec, level, min_n)
            series.append(Point(wave.number, wave.label, cell.value, cell.low, cell.high, cell.n))
        results.append(IndicatorResult(spec.code, spec.title, spec.objective, spec.kind, spec.statistic,
                                       spec.direction, spec.target, overall, breakdowns, change, tuple(series),
                                       _r_calls(spec)))
        progress(0.1 + 0.85 * (k + 1) / max(len(specs), 1))
    results = _corrected(results, settings["correction"])
    suppressed = sum(1 for r in results for b in r.breakdowns for c in b.cells if c.suppressed) + sum(
        1 for r in results if r.overall.suppressed)
    wanted = {v for spec in specs for v in spec.breakdowns}
    book = {name: entry for name, entry in codebook.items() if name in wanted or any(
        name in spec.items for spec in specs)}
    progress(1.0)
    return Report(
        tracker=tracker, wave_label=waves[-1].label, wave_number=waves[-1].number, survey_title=waves[-1].title,
        respondents=current.respondents, excluded=current.excluded, analysed=current.design.n,
        settings={**settings, "correction_r": R_NAMES[settings["correction"]]},
        margins=current.margins, r_design=current.r_calls, indicators=tuple(results), codebook=book,
        computed_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), suppressed_cells=suppressed)


def _corrected(results: list[IndicatorResult], method: str) -> list[IndicatorResult]:
    """Adjust the p-values of all gaps of the report as one family, and of all changes as another."""
    gaps = [(i, j, g) for i, r in enumerate(results) for j, b in enumerate(r.breakdowns) for g in b.gaps]
    gap_p = adjust([g.p_value for _, _, g in gaps], method)
    change_p = adjust([r.change.p_value if r.change else float("nan") for r in results], method)
    by_breakdown: dict[tuple[int, int], list[Gap]] = {}
    for (i, j, gap), p in zip(gaps, gap_p):
        by_breakdown.setdefault((i, j), []).append(dataclasses.replace(gap, p_adjusted=p))
    out = []
    for i, (result, p) in enumerate(zip(results, change_p)):
        breakdowns = tuple(dataclasses.replace(b, gaps=tuple(by_breakdown.get((i, j), ())))
                           for j, b in enumerate(result.breakdowns))
        change = dataclasses.replace(result.change, p_adjusted=p) if result.change else None
        out.append(dataclasses.replace(result, breakdowns=breakdowns, change=change))
    return out
