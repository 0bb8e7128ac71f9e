"""Quantiles with Woodruff intervals (R's ``svyquantile``, ``qrule="math"``, ``interval.type="mean"``)."""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from .errors import DesignError
from .results import Estimate


def qrule_math(x: np.ndarray, w: np.ndarray, p: float) -> float:
    """The weighted quantile of R's ``qrule_math``.

    The smallest ``x`` whose cumulative weight share reaches ``p``; when the
    share hits ``p`` exactly, the lower value (the "mathematical" inverse of
    the weighted CDF).
    """
    keep = w != 0
    x, w = x[keep], w[keep]
    order = np.argsort(x, kind="stable")
    xs = x[order]
    cumw = np.cumsum(w[order])
    total = math.fsum(w)  # R's sum() accumulates in long double; fsum is at least as exact
    # R: pos <- last(cumw <= p * sum(w)); 1-based position.
    pos = int(np.searchsorted(cumw, p * total, side="right"))
    if pos == 0:
        return float(xs[0])
    n = len(xs)
    posnext = pos if pos == n else pos + 1
    wlow = p - cumw[pos - 1] / total
    return float(xs[pos - 1] if wlow == 0 else xs[posnext - 1])


def _crit(alpha: float, df: float) -> float:
    return float(stats.norm.ppf(1 - alpha / 2) if not np.isfinite(df) else stats.t.ppf(1 - alpha / 2, df))


def quantile(design, var: str, p: float, alpha: float = 0.05) -> Estimate:
    """Quantile ``p`` of ``var`` with its Woodruff interval and the SE R derives from it."""
    if not 0 <= p <= 1:
        raise DesignError("p must be between 0 and 1")
    y = design._numeric(var)
    return quantile_masked(design, y, ~np.isnan(y), p, f"{var}[{p:g}]", alpha)


def quantile_masked(design, y: np.ndarray, ok: np.ndarray, p: float, label: str, alpha: float = 0.05) -> Estimate:
    """Quantile of ``y`` over the rows ``ok`` (a domain), as R computes it on ``design[ok, ]``."""
    if not ok.any():
        return Estimate(np.nan, np.nan, 0, np.nan, "quantile", label)
    w = design._w
    yz = np.where(ok, y, 0.0)
    qhat = qrule_math(yz[ok], w[ok], p)
    df = design.degf(present=ok) if not design._is_replicate else design.degf()
    # Woodruff: interval for P(Y <= qhat), mapped back through the weighted quantile function.
    ind = (yz <= qhat).astype(float)
    m, V, _, _ = design._means(ind[:, None], ok[:, None])
    pm, pse = float(m[0]), float(np.sqrt(V[0, 0]))

    def ci(level: float = 1 - alpha):
        a = 1 - level
        c = _crit(a, df)
        lo_p, hi_p = pm - c * pse, pm + c * pse
        lo = np.nan if (np.isnan(lo_p) or lo_p < 0) else qrule_math(yz[ok], w[ok], lo_p)
        hi = np.nan if (np.isnan(hi_p) or hi_p > 1) else qrule_math(yz[ok], w[ok], hi_p)
        return (lo, hi)

    lo, hi = ci(1 - alpha)
    se = (hi - lo) / (2 * _crit(alpha, df))
    return Estimate(qhat, float(se), int(ok.sum()), np.nan, "quantile", label, df, ci)
