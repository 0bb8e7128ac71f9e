"""Calibration of weights: raking, post-stratification, GREG and trimming.

Each function returns a *new* design whose weights meet the population
totals and whose standard errors reflect the calibration. The variance
follows R's ``svyrecvar``: before the usual between-PSU variance the
influence values are replaced by their residuals from the calibration
model (``R/grake.R``, ``R/surveyrep.R``):

* post-stratification: minus the post-stratum mean, weighted by the
  weights before post-stratification;
* raking: ten rounds of back-fitting the margin means (R iterates exactly
  ten times, so do we);
* GREG (``calibrate``): residuals of a weighted least-squares fit on the
  calibration variables, weighted by the input weights.

All group work happens on the cells of the cross-classification of the
margins, so raking a million rows costs a few bincounts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np
import pandas as pd

from .errors import CalibrationError, DesignError
from .structure import column
from .variance import group_sum


# --------------------------------------------------------------------------- margins
def _level_key(value: Any) -> list:
    """Ways a data value may be spelled as a key of a population table (JSON keys are strings)."""
    keys = [value, str(value)]
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        keys += [int(value), str(int(value))]
    return keys


def _margin_codes(df: pd.DataFrame, spec, population: Mapping) -> tuple[np.ndarray, np.ndarray, list]:
    """Row -> level code for one margin, the population totals per level and the level labels.

    ``spec`` is a column name or a tuple of column names (a joint margin,
    whose population keys are tuples).
    """
    names = list(spec) if isinstance(spec, tuple) else [spec]
    cols = [column(df, c) for c in names]
    for c, name in zip(cols, names):
        if c.isna().any():
            raise DesignError(f"missing values in calibration variable {name!r}")
    if len(cols) == 1:
        codes, uniques = pd.factorize(cols[0], sort=True)
        uniq_keys = [(u,) for u in uniques]
    else:
        frame = pd.DataFrame({i: c.to_numpy() for i, c in enumerate(cols)})
        codes, uniques = pd.factorize(pd.MultiIndex.from_frame(frame), sort=True)
        uniq_keys = [tuple(u) for u in uniques]
    # normalise population keys to tuples of strings
    pop = {}
    for k, v in population.items():
        kt = k if isinstance(k, tuple) else (k,)
        if len(kt) != len(names):
            raise DesignError(f"population key {k!r} does not match margin {spec!r}")
        pop[tuple(str(x) for x in kt)] = float(v)
    labels = list(pop.keys())
    index = {k: i for i, k in enumerate(labels)}
    level_of_unique = np.empty(len(uniq_keys), np.int64)
    for j, u in enumerate(uniq_keys):
        found = None
        for cand in _candidates(u):
            if cand in index:
                found = index[cand]
                break
        if found is None:
            raise DesignError(
                f"level {u if len(u) > 1 else u[0]!r} of {spec!r} is in the sample but not in the population totals"
            )
        level_of_unique[j] = found
    row_level = level_of_unique[codes]
    totals = np.array([pop[k] for k in labels])
    seen = np.bincount(row_level, minlength=len(labels)) > 0
    missing = [labels[i] for i in np.flatnonzero(~seen & (totals != 0))]
    if missing:
        raise DesignError(f"population level(s) {missing} of {spec!r} have no respondents in the sample")
    return row_level, totals, labels


def _candidates(u: tuple):
    import itertools

    for combo in itertools.product(*[_level_key(x) for x in u]):
        yield tuple(str(x) for x in combo)


def _cells(level_codes: list[np.ndarray]) -> tuple[np.ndarray, int, list[np.ndarray]]:
    """Cross-classify margins: row -> cell, number of cells, and cell -> level code for each margin."""
    key = np.zeros(len(level_codes[0]), np.int64)
    for c in level_codes:
        key = key * (int(c.max()) + 1) + c
    cell, uniq = pd.factorize(key, sort=False)
    cell = cell.astype(np.int64)
    first = np.zeros(len(uniq), np.int64)
    first[cell[::-1]] = np.arange(len(cell))[::-1]
    return cell, len(uniq), [c[first] for c in level_codes]


# --------------------------------------------------------------------------- variance adjusters
@dataclass(frozen=True)
class PostStratAdjuster:
    """R's post-stratification residual: ``x - psw * mean_g(x * oldw / psw)`` (mean weighted by ``oldw``)."""

    group: np.ndarray
    n_groups: int
    new_w: np.ndarray
    factor: np.ndarray  # per group: new / old weight
    old_total: np.ndarray  # per group: sum of old weights

    def residuals(self, x: np.ndarray) -> np.ndarray:
        s = group_sum(self.group, x, self.n_groups)
        means = s / (self.factor * self.old_total)[:, None]
        return x - self.new_w[:, None] * means[self.group]


@dataclass(frozen=True)
class RakeAdjuster:
    """R's raking residual: ten rounds of ``x <- x - psw * ave(x / psw, margin)`` over the margins.

    Weights after each margin's step are ``w0 * c_m[cell]``; every row of a
    cell shares them, so the back-fitting runs on cell sums.
    """

    cell: np.ndarray
    n_cells: int
    w0: np.ndarray
    cell_factor: tuple  # per margin: cell -> cumulative factor after that margin's step
    cell_level: tuple  # per margin: cell -> level code
    n_levels: tuple

    def residuals(self, x: np.ndarray) -> np.ndarray:
        A = group_sum(self.cell, x / self.w0[:, None], self.n_cells)
        cnt = np.bincount(self.cell, minlength=self.n_cells).astype(float)
        D = np.zeros_like(A)
        for _ in range(10):  # R: for (iterations in 1:10)
            for cm, lev, nl in zip(self.cell_factor, self.cell_level, self.n_levels):
                cellsum = (A - cnt[:, None] * D) / cm[:, None]
                gsum = group_sum(lev, cellsum, nl)
                gcnt = np.bincount(lev, weights=cnt, minlength=nl)
                D += cm[:, None] * (gsum / gcnt[:, None])[lev]
        return x - self.w0[:, None] * D[self.cell]


@dataclass(frozen=True)
class GregAdjuster:
    """R's GREG residual ``x - g w0 X b`` with ``b`` the ``w0``-weighted LS fit of ``x / (g w0)`` on ``X``."""

    X: np.ndarray
    w0: np.ndarray
    g: np.ndarray

    def residuals(self, x: np.ndarray) -> np.ndarray:
        XtWX = self.X.T @ (self.X * self.w0[:, None])
        rhs = self.X.T @ (x / self.g[:, None])
        b = np.linalg.pinv(XtWX) @ rhs
        return x - (self.g * self.w0)[:, None] * (self.X @ b)


# --------------------------------------------------------------------------- public API
def _norm_margins(margins: Mapping) -> list[tuple]:
    if not isinstance(margins, Mapping) or not margins:
        raise DesignError("margins must be a non-empty mapping {variable: {level: population total}}")
    return list(margins.items())


def rake(design, margins: Mapping, maxit: int = 100, epsilon: float = 1e-10):
    """Rake the weights to population margins by iterative proportional fitting (R's ``rake``).

    Parameters
    ----------
    design : SurveyDesign
    margins : mapping
        ``{variable: {level: population total}}``; a key may be a tuple of
        variables for a joint margin (its levels are tuples).
    maxit : int
        Maximum number of full sweeps over the margins.
    epsilon : float
        Convergence: the largest change of any cell of the cross-table in a
        sweep, relative to the sum of weights when < 1 (as R's ``control``).

    Returns
    -------
    SurveyDesign
        A new design with raked weights; standard errors use R's raking residuals.

    Raises
    ------
    CalibrationError
        When the margins are not met after ``maxit`` sweeps; ``.achieved``
        holds the margins reached.
    """
    if getattr(design, "_is_replicate", False):
        return design._calibrated("rake", margins=margins, maxit=maxit, epsilon=epsilon)
    items = _norm_margins(margins)
    df = design.data
    parsed = [_margin_codes(df, spec, pop) for spec, pop in items]
    cell, n_cells, cell_levels = _cells([p[0] for p in parsed])
    w0 = design._w
    Wc = np.bincount(cell, weights=w0, minlength=n_cells)
    fac = np.ones(n_cells)
    eps = epsilon * w0.sum() if epsilon < 1 else epsilon
    old = Wc.copy()
    last = [fac] * len(parsed)
    converged = False
    for _ in range(maxit):
        last = []
        for (codes, totals, labels), lev in zip(parsed, cell_levels):
            cur = np.bincount(lev, weights=Wc * fac, minlength=len(totals))
            with np.errstate(divide="ignore", invalid="ignore"):
                r = np.where(cur > 0, totals / cur, 0.0)
            fac = fac * r[lev]
            last.append(fac.copy())
        new = Wc * fac
        if np.max(np.abs(new - old)) < eps:
            converged = True
            break
        old = new
    if not converged:
        achieved = {}
        for (spec, _), (codes, totals, labels), lev in zip(items, parsed, cell_levels):
            cur = np.bincount(lev, weights=Wc * fac, minlength=len(totals))
            achieved[spec] = {lab if len(lab) > 1 else lab[0]: float(c) for lab, c in zip(labels, cur)}
        raise CalibrationError(
            f"raking did not converge in {maxit} iterations; achieved margins: {achieved}", achieved
        )
    adj = RakeAdjuster(
        cell=cell,
        n_cells=n_cells,
        w0=w0,
        cell_factor=tuple(last),
        cell_level=tuple(cell_levels),
        n_levels=tuple(len(p[1]) for p in parsed),
    )
    return design._derive(w0 * fac[cell], adj)


def poststratify(design, var, population: Mapping, partial: bool = False):
    """Post-stratify to known population counts (R's ``postStratify``).

    Parameters
    ----------
    design : SurveyDesign
    var : str or tuple of str
        Post-stratification variable(s).
    population : mapping
        ``{level: population count}``.
    partial : bool
        Accepted for R compatibility; population levels without respondents
        are always an error here because their total cannot be met.

    Returns
    -------
    SurveyDesign
    """
    if getattr(design, "_is_replicate", False):
        return design._calibrated("poststratify", var=var, population=population)
    codes, totals, labels = _margin_codes(design.data, var, population)
    w0 = design._w
    ng = len(totals)
    cur = np.bincount(codes, weights=w0, minlength=ng)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(cur > 0, totals / cur, 1.0)
    new_w = w0 * factor[codes]
    adj = PostStratAdjuster(codes, ng, new_w, factor, cur)
    return design._derive(new_w, adj)


def _model_matrix(design, formula_or_totals, population):
    """Model matrix and population totals for ``calibrate``, with R's column names."""
    df = design.data
    if isinstance(formula_or_totals, Mapping):
        # margins {var: {level: total}}: intercept + treatment dummies, as R's margins2totals.
        cols, pops, names = [], [], []
        first = True
        for spec, pop in formula_or_totals.items():
            codes, totals, labels = _margin_codes(df, spec, pop)
            order = sorted(range(len(labels)), key=lambda i: labels[i])
            if first:
                cols.append(np.ones(len(df)))
                pops.append(totals.sum())
                names.append("(Intercept)")
                first = False
            for i in order[1:]:
                cols.append((codes == i).astype(float))
                pops.append(totals[i])
                names.append(f"{spec}{''.join(labels[i])}")
        return np.column_stack(cols), np.array(pops), names
    if population is None:
        raise DesignError("calibrate(design, formula, population=...) needs population totals")
    import patsy

    f = formula_or_totals.strip()
    if not f.startswith("~"):
        f = "~" + f
    try:
        X = patsy.dmatrix(f, df, NA_action="raise", return_type="dataframe")
    except patsy.PatsyError as exc:
        raise DesignError(f"cannot build calibration model {f!r}: {exc}") from exc
    names = [_r_name(c) for c in X.columns]
    pop = {str(k): float(v) for k, v in population.items()}
    pops = []
    for raw, rname in zip(X.columns, names):
        if rname in pop:
            pops.append(pop[rname])
        elif raw in pop:
            pops.append(pop[raw])
        else:
            raise DesignError(f"no population total for {rname!r} (have {sorted(pop)})")
    return X.to_numpy(dtype=float), np.array(pops), names


def _r_name(col: str) -> str:
    """patsy ``region[T.North]`` -> R ``regionNorth``; ``Intercept`` -> ``(Intercept)``."""
    import re

    if col == "Intercept":
        return "(Intercept)"
    return re.sub(r"\[T\.(.*?)\]", r"\1", col)


def _calfun(method: str, lower: float, upper: float):
    if method == "linear":
        def Fm1(u):
            return np.clip(u + 1, lower, upper) - 1

        def dF(u):
            return ((u < upper - 1) & (u > lower - 1)).astype(float)
    elif method == "raking":
        def Fm1(u):
            return np.clip(np.exp(u), lower, upper) - 1

        def dF(u):
            e = np.exp(u)
            return np.where((e > lower) & (e < upper), e, 0.0)
    else:
        raise DesignError(f"calibration method must be 'linear' or 'raking', not {method!r}")
    return Fm1, dF


def _grake(X, w, population, method, bounds, maxit, epsilon, names):
    """R's ``grake``: Newton iterations for the calibration equations with a bounded distance."""
    lower, upper = bounds
    Fm1, dF = _calfun(method, lower, upper)
    sample_total = X.T @ w
    scales = population / sample_total
    scale = None
    if np.min(scales) > 20:
        # R rescales the weights first when they look like they are on a different scale.
        scale = float(np.mean(scales))
        w = w * scale
        sample_total = sample_total * scale
    eta = np.zeros(X.shape[1])
    xeta = X @ eta
    deriv = dF(xeta)
    it = 1
    while True:
        T = X.T @ (X * (w * deriv)[:, None])
        misfit = population - sample_total - X.T @ (w * Fm1(xeta))
        deta = np.linalg.pinv(T, rcond=256 * np.finfo(float).eps) @ misfit
        eta = eta + deta
        xeta = X @ eta
        g = 1 + Fm1(xeta)
        deriv = dF(xeta)
        while it < maxit and not (np.isfinite(g).all() and np.isfinite(deriv).all()):
            it += 1
            deta = deta / 2
            eta = eta - deta
            xeta = X @ eta
            g = 1 + Fm1(xeta)
            deriv = dF(xeta)
        misfit = population - sample_total - X.T @ (w * Fm1(xeta))
        if np.all(np.abs(misfit) / (1 + np.abs(population)) < epsilon):
            break
        it += 1
        if it > maxit:
            achieved = dict(zip(names, (sample_total + X.T @ (w * Fm1(xeta))).tolist()))
            raise CalibrationError(
                f"calibration did not converge in {maxit} iterations (bounds {bounds}); achieved totals: {achieved}",
                achieved,
            )
    if scale is not None:
        g = g * scale
    return g


def calibrate(
    design,
    formula_or_totals,
    population: Mapping | None = None,
    method: str = "linear",
    bounds: tuple[float, float] | None = None,
    maxit: int = 50,
    epsilon: float = 1e-7,
):
    """Generalised regression (GREG) calibration (R's ``calibrate``).

    Parameters
    ----------
    design : SurveyDesign
    formula_or_totals : str or mapping
        A model formula (``"~ stype + api99"``) together with ``population``
        totals keyed by R's column names (``"(Intercept)"``, ``"stypeH"``,
        ``"api99"``), or margins ``{variable: {level: total}}`` like
        :func:`rake`.
    population : mapping, optional
        Population totals for a formula.
    method : {"linear", "raking"}
        Calibration distance. Linear without bounds is R's one-step
        ``regcalibrate``; otherwise R's Newton iteration (``grake``).
    bounds : (low, high), optional
        Bounds on the g-weights (ratio of new to old weights).

    Returns
    -------
    SurveyDesign
    """
    if getattr(design, "_is_replicate", False):
        return design._calibrated(
            "calibrate", formula_or_totals=formula_or_totals, population=population,
            method=method, bounds=bounds, maxit=maxit, epsilon=epsilon,
        )
    X, pop, names = _model_matrix(design, formula_or_totals, population)
    w = design._w
    if bounds is None and method == "linear":
        T = X.T @ (X * w[:, None])
        lam = np.linalg.pinv(T) @ (pop - X.T @ w)
        g = 1 + X @ lam
    else:
        lo, hi = bounds if bounds is not None else (-np.inf, np.inf)
        if lo > 1 or hi < 1:
            raise DesignError("bounds must contain 1")
        g = _grake(X, w, pop, method, (lo, hi), maxit, epsilon, names)
    new_w = w * g
    if (new_w <= 0).any():
        raise CalibrationError(
            f"calibration produced {int((new_w <= 0).sum())} zero or negative weights; "
            "use bounds=(low, high) or method='raking'",
            dict(zip(names, (X.T @ new_w).tolist())),
        )
    return design._derive(new_w, GregAdjuster(X, w, g))


def trim_weights(design, lower: float = -np.inf, upper: float = np.inf, strict: bool = False):
    """Trim weights to ``[lower, upper]`` and share the trimmed amount equally (R's ``trimWeights``).

    As in R, the amount cut off is added equally to every weight that was
    not trimmed, so the sum of weights is unchanged; the variance treats the
    trimmed weights as the sampling weights. With ``strict=True`` trimming is
    repeated until no weight lies outside the bounds.
    """
    w = design._w.copy()
    while True:
        outside = (w < lower) | (w > upper)
        if not outside.any():
            break
        new = np.clip(w, lower, upper)
        trimmed = np.sum(w - new)
        if (~outside).sum() == 0:
            raise DesignError("every weight is outside the trimming bounds")
        new[~outside] += trimmed / (~outside).sum()
        w = new
        if not strict:
            break
    if getattr(design, "_is_replicate", False):
        return design._with_weights(w)
    return design._derive(w)
