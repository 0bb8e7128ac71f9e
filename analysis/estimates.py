"""Means, totals, ratios and variances (R's ``svymean``, ``svytotal``, ``svyratio``, ``svyvar``)."""

from __future__ import annotations

import numpy as np

from .errors import DesignError
from .results import Estimate


def _valid(y: np.ndarray) -> np.ndarray:
    return ~np.isnan(y)


def mean(design, var: str) -> Estimate:
    """Weighted mean of ``var``; missing values are a domain (R's ``na.rm=TRUE``)."""
    y = design._numeric(var)
    ok = _valid(y)
    if not ok.any():
        return Estimate(np.nan, np.nan, 0, np.nan, "mean", var)
    m, V, n, _ = design._means(y[:, None], ok[:, None])
    value, v = float(m[0]), float(V[0, 0])
    deff = design._mean_deff(y, ok, value, v)
    return Estimate(value, float(np.sqrt(v)), int(n[0]), deff, "mean", var)


def total(design, var: str) -> Estimate:
    """Weighted total of ``var`` (missing values count as outside the domain)."""
    y = design._numeric(var)
    ok = _valid(y)
    if not ok.any():
        return Estimate(0.0, 0.0, 0, np.nan, "total", var)
    t, V, n = design._totals(y[:, None], ok[:, None])
    return Estimate(float(t[0]), float(np.sqrt(V[0, 0])), int(n[0]), np.nan, "total", var)


def ratio(design, numerator: str, denominator: str) -> Estimate:
    """Ratio of two totals with its linearisation SE (R's ``svyratio``)."""
    num = design._numeric(numerator)
    den = design._numeric(denominator)
    ok = _valid(num) & _valid(den)
    label = f"{numerator}/{denominator}"
    if not ok.any():
        return Estimate(np.nan, np.nan, 0, np.nan, "ratio", label)
    value, v = design._ratio(num, den, ok)
    return Estimate(float(value), float(np.sqrt(v)), int(ok.sum()), np.nan, "ratio", label)


def variance(design, var: str) -> Estimate:
    """Estimated population variance of ``var`` (R's ``svyvar``: weighted, with n/(n-1))."""
    y = design._numeric(var)
    ok = _valid(y)
    n = int(ok.sum())
    if n < 2:
        return Estimate(np.nan, np.nan, n, np.nan, "variance", var)
    m, _, _, _ = design._means(y[:, None], ok[:, None])
    z = np.where(ok, (y - m[0]) ** 2 * n / (n - 1), np.nan)
    mm, V, _, _ = design._means(z[:, None], ok[:, None])
    return Estimate(float(mm[0]), float(np.sqrt(V[0, 0])), n, np.nan, "variance", var)


def kish_effective_n(w: np.ndarray) -> float:
    """Kish's effective sample size ``(sum w)^2 / sum w^2``."""
    w = np.asarray(w, float)
    if (w < 0).any():
        raise DesignError("weights must be non-negative")
    return float(w.sum() ** 2 / np.sum(w**2))
