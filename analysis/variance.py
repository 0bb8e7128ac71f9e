"""Linearisation variance for multistage stratified designs (R's ``svyrecvar``).

The estimators reduce every statistic to an *influence matrix* ``x`` (rows x
statistics) whose column totals are the linearised estimation errors. The
variance is then the between-PSU variance of PSU totals within strata, plus,
when population sizes are known at every stage, the variance of later-stage
unit totals within each sampled unit, weighted by the earlier sampling
fractions (R's ``multistage``).

Everything is done on group codes computed once when the design is built:
no Python loops over rows, PSUs or strata, only over stages and columns.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import DesignError

LONELY_RULES = ("fail", "adjust", "average", "remove", "certainty")


def group_sum(codes: np.ndarray, x: np.ndarray, size: int) -> np.ndarray:
    """Column sums of ``x`` within groups ``codes`` (``0..size-1``).

    ``np.bincount`` per column is the fastest grouped sum numpy offers; the
    loop runs over columns (a handful), never rows.
    """
    if x.ndim == 1:
        return np.bincount(codes, weights=x, minlength=size)
    out = np.empty((size, x.shape[1]))
    for j in range(x.shape[1]):
        out[:, j] = np.bincount(codes, weights=x[:, j], minlength=size)
    return out


@dataclass(frozen=True)
class Stage:
    """One sampling stage, as integer codes.

    Attributes
    ----------
    unit : ndarray
        Row -> unit code (unique across the whole sample, because later-stage
        ids are nested in earlier ones as R does with ``interaction``).
    n_units : int
    unit_stratum : ndarray
        Unit -> stratum code at this stage.
    n_strata : int
    stratum_parent : ndarray
        Stratum -> unit code of the previous stage (zeros at stage 1); strata
        at stage 2+ are nested in the previous stage's units.
    n_parents : int
    sampsize : ndarray
        Stratum -> number of sampled units (R's ``fpc$sampsize``).
    popsize : ndarray or None
        Stratum -> population number of units (R's ``fpc$popsize``).
    stratum_labels : list
        Printable stratum labels for error messages.
    """

    unit: np.ndarray
    n_units: int
    unit_stratum: np.ndarray
    n_strata: int
    stratum_parent: np.ndarray
    n_parents: int
    sampsize: np.ndarray
    popsize: np.ndarray | None
    stratum_labels: list

    @property
    def row_stratum(self) -> np.ndarray:
        return self.unit_stratum[self.unit]


def _stage_variance(
    stage: Stage,
    index: int,
    totals: np.ndarray,
    multiplier: np.ndarray,
    lonely_psu: str,
    present_strata: np.ndarray | None,
) -> np.ndarray:
    """Variance contribution of one stage from its unit totals (R's ``onestage``/``onestrat``)."""
    n_h = stage.sampsize
    if stage.popsize is None:
        f = np.ones(stage.n_strata)
    else:
        N = stage.popsize
        with np.errstate(invalid="ignore", divide="ignore"):
            f = np.where(np.isinf(N), 1.0, (N - n_h) / N)
    # R: a stratum sampled exhaustively (f ~ 0) contributes nothing and is not "lonely".
    exhaustive = f < 1e-7
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = np.where(n_h > 1, f * n_h / (n_h - 1), f)
    lonely = (n_h == 1) & ~exhaustive
    if present_strata is not None:
        lonely_active = lonely & present_strata
    else:
        lonely_active = lonely
    if lonely_active.any() and lonely_psu == "fail":
        h = int(np.flatnonzero(lonely_active)[0])
        raise DesignError(
            f"Stratum ({stage.stratum_labels[h]}) has only one PSU at stage {index + 1}; "
            "choose lonely_psu='adjust', 'average', 'remove' or 'certainty'"
        )
    us = stage.unit_stratum
    mean_h = group_sum(us, totals, stage.n_strata) / n_h[:, None]
    centre = mean_h[us]
    if lonely_psu == "adjust":
        # R centres a lonely PSU at zero (the grand mean of the influence values) instead of its stratum mean.
        centre[lonely[us]] = 0.0
    dev = totals - centre
    stratum_weight = np.where(exhaustive, 0.0, scale) * multiplier
    if lonely_psu == "average":
        # Lonely strata are dropped and the others scaled up by nstrat / nokstrat, within each parent unit.
        counted = np.ones(stage.n_strata, bool) if present_strata is None else present_strata.copy()
        nstrat = np.bincount(stage.stratum_parent, weights=counted, minlength=stage.n_parents)
        bad = lonely & counted
        nok = nstrat - np.bincount(stage.stratum_parent, weights=bad, minlength=stage.n_parents)
        with np.errstate(invalid="ignore", divide="ignore"):
            factor = np.where(nstrat > 0, nstrat / nok, 1.0)
        stratum_weight = np.where(lonely, 0.0, stratum_weight * factor[stage.stratum_parent])
    elif lonely_psu in ("remove", "certainty"):
        # Centred at its own mean, a lonely PSU contributes exactly zero: nothing to do.
        pass
    w_unit = stratum_weight[us]
    return (dev * w_unit[:, None]).T @ dev


def recvar(
    stages: list[Stage],
    x: np.ndarray,
    lonely_psu: str = "fail",
    present: np.ndarray | None = None,
    one_stage: bool = False,
) -> np.ndarray:
    """Covariance matrix of the column totals of the influence matrix ``x``.

    Parameters
    ----------
    stages : list of Stage
        The design's sampling stages.
    x : ndarray, shape (n, k)
        Influence values (already weighted), zero outside the domain.
    lonely_psu : str
        Rule for strata with a single PSU, as R's ``survey.lonely.psu``.
    present : ndarray of bool, optional
        Rows that R would keep after subsetting an uncalibrated design (the
        domain); only used to decide which strata exist for the lonely-PSU
        rules. None means every row.
    one_stage : bool
        Use only the first stage (ultimate cluster), as R's
        ``survey.ultimate.cluster``.

    Returns
    -------
    ndarray, shape (k, k)
    """
    if x.ndim == 1:
        x = x[:, None]
    k = x.shape[1]
    v = np.zeros((k, k))
    multiplier = np.ones(stages[0].n_strata)
    for s, stage in enumerate(stages):
        if s > 0 and (one_stage or stage.popsize is None or stages[s - 1].popsize is None):
            break
        totals = group_sum(stage.unit, x, stage.n_units)
        present_strata = None
        if present is not None:
            present_strata = np.bincount(stage.row_stratum[present], minlength=stage.n_strata) > 0
        v += _stage_variance(stage, s, totals, multiplier, lonely_psu, present_strata)
        if s + 1 < len(stages):
            # R multiplies the variance of stage s+1 inside a unit by that unit's sampling fraction n/N.
            frac = multiplier * (stage.sampsize / stage.popsize if stage.popsize is not None else 0.0)
            unit_frac = frac[stage.unit_stratum]
            multiplier = unit_frac[stages[s + 1].stratum_parent]
    return v
