"""Likert items and multi-item scales: mean scores, top-box shares, Cronbach's alpha (R's ``svycralpha``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import DesignError
from .results import Estimate


@dataclass(frozen=True)
class LikertSummary:
    """Mean score and top-box proportion of one Likert item.

    Attributes
    ----------
    mean : Estimate
        Weighted mean score.
    top_box : Estimate
        Weighted share of answers in the top ``top`` categories.
    top_levels : tuple
        The categories counted as top box.
    """

    mean: Estimate
    top_box: Estimate
    top_levels: tuple


def likert(design, var: str, top=2, scale_max: int | None = None) -> LikertSummary:
    """Summarise a numeric Likert item.

    Parameters
    ----------
    design : SurveyDesign
    var : str
        Item coded 1..K (missing = no answer, dropped as a domain).
    top : int or list
        Number of top categories (``2`` = top-two box) or the explicit
        list of codes that count.
    scale_max : int, optional
        K; defaults to the largest observed code.
    """
    y = design._numeric(var)
    ok = ~np.isnan(y)
    if not ok.any():
        raise DesignError(f"{var!r} has no answers")
    if isinstance(top, int):
        kmax = int(scale_max if scale_max is not None else np.nanmax(y))
        levels = tuple(range(kmax - top + 1, kmax + 1))
    else:
        levels = tuple(top)
    ind = np.where(ok, np.isin(y, levels).astype(float), np.nan)
    m, V, n, _ = design._means(ind[:, None], ok[:, None])
    tb = Estimate(float(m[0]), float(np.sqrt(V[0, 0])), int(n[0]), np.nan, "top_box", var, design.degf())
    return LikertSummary(design.mean(var), tb, levels)


def _complete(design, items):
    Y = np.column_stack([design._numeric(v) for v in items])
    ok = ~np.isnan(Y).any(axis=1)
    return Y, ok


def cronbach_alpha(design, items: list[str]) -> Estimate:
    """Cronbach's alpha with design weights, as R's ``svycralpha(..., na.rm=TRUE)``.

    ``K / (K - 1) * (1 - sum(item variances) / variance(total score))``,
    the variances weighted by the design weights over respondents who
    answered every item.
    """
    if len(items) < 2:
        raise DesignError("Cronbach's alpha needs at least two items")
    Y, ok = _complete(design, items)
    if ok.sum() < 2:
        raise DesignError("fewer than two respondents answered every item")
    w = design._w[ok]
    Yk = Y[ok]

    def wvar(z):
        mu = np.sum(w * z) / w.sum()
        return np.sum(w * (z - mu) ** 2) / w.sum()

    k = len(items)
    vitems = sum(wvar(Yk[:, j]) for j in range(k))
    vtotal = wvar(Yk.sum(axis=1))
    alpha = k / (k - 1) * (1 - vitems / vtotal)
    return Estimate(float(alpha), float("nan"), int(ok.sum()), float("nan"), "cronbach_alpha", "+".join(items))


def scale_score(design, items: list[str], how: str = "mean") -> Estimate:
    """Weighted mean of a scale score (the mean or sum of the items) over complete respondents."""
    Y, ok = _complete(design, items)
    s = Y.mean(axis=1) if how == "mean" else Y.sum(axis=1)
    s = np.where(ok, s, np.nan)
    m, V, n, _ = design._means(s[:, None], ok[:, None])
    return Estimate(float(m[0]), float(np.sqrt(V[0, 0])), int(n[0]), np.nan, "scale_" + how, "+".join(items))
