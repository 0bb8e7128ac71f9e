"""Proportions with survey confidence intervals (R's ``svyciprop``)."""

from __future__ import annotations

import numpy as np
from scipy import stats
from scipy.special import expit, logit

from .errors import DesignError
from .results import Estimate

METHODS = ("logit", "beta", "mean", "wilson", "asin", "xlogit")


def _tcrit(level: float, df: float) -> float:
    q = 1 - (1 - level) / 2
    return float(stats.norm.ppf(q) if not np.isfinite(df) else stats.t.ppf(q, df))


def interval(method: str, p: float, se: float, df: float, n_rows: int) -> callable:
    """Return ``level -> (low, high)`` for a proportion ``p`` with standard error ``se``.

    Parameters
    ----------
    method : str
        "logit": Wald interval on the logit scale (R fits an intercept-only
        quasibinomial svyglm; its SE is exactly ``se / (p (1 - p))``).
        "xlogit": the same by the delta method. "beta": Korn-Graubard with
        the effective sample size ``p (1 - p) / var``, adjusted by R's ratio of t
        quantiles. "mean": Wald on the proportion scale. "asin": arcsine
        square-root transform. "wilson": Wilson score interval on the
        effective sample size (not in R's survey; for small cells it stays in
        [0, 1] and behaves better than "mean").
    df : float
        Design degrees of freedom (R's ``degf``).
    n_rows : int
        Rows in the design (R's ``nrow(design)``), used by "beta".
    """

    def ci(level: float = 0.95):
        if np.isnan(p) or np.isnan(se):
            return (np.nan, np.nan)
        alpha = 1 - level
        t = _tcrit(level, df)
        if method in ("logit", "xlogit"):
            if p <= 0 or p >= 1:
                return (p, p)
            s = se / (p * (1 - p))
            return (float(expit(logit(p) - t * s)), float(expit(logit(p) + t * s)))
        if method == "mean":
            return (p - t * se, p + t * se)
        if method == "asin":
            if p <= 0 or p >= 1:
                return (p, p)
            s = se / (2 * np.sqrt(p * (1 - p)))
            a = np.arcsin(np.sqrt(p))
            return (float(np.sin(a - t * s) ** 2), float(np.sin(min(a + t * s, np.pi / 2)) ** 2))
        n_eff = p * (1 - p) / se**2 if se > 0 else np.inf
        if method == "beta":
            n_eff = n_eff * (stats.t.ppf(alpha / 2, n_rows - 1) / stats.t.ppf(alpha / 2, df)) ** 2
            lo = stats.beta.ppf(alpha / 2, n_eff * p, n_eff * (1 - p) + 1) if p > 0 else 0.0
            hi = stats.beta.ppf(1 - alpha / 2, n_eff * p + 1, n_eff * (1 - p)) if p < 1 else 1.0
            return (float(lo), float(hi))
        if method == "wilson":
            if not np.isfinite(n_eff):
                return (p, p)
            z2 = t * t
            centre = (p + z2 / (2 * n_eff)) / (1 + z2 / n_eff)
            half = t * np.sqrt(p * (1 - p) / n_eff + z2 / (4 * n_eff**2)) / (1 + z2 / n_eff)
            return (float(centre - half), float(centre + half))
        raise DesignError(f"unknown proportion method {method!r}; use one of {METHODS}")

    return ci


def proportion(design, var: str, level, method: str = "logit") -> Estimate:
    """Proportion of ``var == level`` among rows where ``var`` is not missing."""
    if method not in METHODS:
        raise DesignError(f"unknown proportion method {method!r}; use one of {METHODS}")
    y = design._indicator(var, level)
    ok = ~np.isnan(y)
    label = f"{var}=={level}"
    df = design.degf()
    if not ok.any():
        return Estimate(np.nan, np.nan, 0, np.nan, "proportion", label, df,
                        interval(method, np.nan, np.nan, df, design.n))
    m, V, n, _ = design._means(y[:, None], ok[:, None])
    p, se = float(m[0]), float(np.sqrt(V[0, 0]))
    deff = design._mean_deff(y, ok, p, V[0, 0])
    return Estimate(p, se, int(n[0]), deff, "proportion", label, df, interval(method, p, se, df, design.n))
