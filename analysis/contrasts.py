"""Differences between domains (R's ``svycontrast`` on ``svyby``) and between independent survey waves."""

from __future__ import annotations

import numpy as np
from scipy import stats

from .errors import DesignError
from .results import Difference


def difference_test(value: float, se: float, df, labels) -> Difference:
    """Test a difference whose estimate and SE are known (e.g. from a domain table's covariance).

    Parameters
    ----------
    value, se
        The estimated difference and its standard error.
    df
        Design degrees of freedom for a t test; ``None`` or infinite for a z test.
    labels
        What was compared, e.g. ``("urban", "rural")``.
    """
    stat = value / se if se > 0 else np.nan
    if df is None or not np.isfinite(df):
        p = 2 * stats.norm.sf(abs(stat))
    else:
        p = 2 * stats.t.sf(abs(stat), df)
    return Difference(float(value), float(se), float(stat), float(p), df, labels)


_diff = difference_test  # the name used inside this module


def domain_difference(design, var: str, by: str, a, b, statistic: str = "mean", level=None) -> Difference:
    """Design-based difference between two domains, ``estimate[a] - estimate[b]``.

    The SE uses the joint covariance of the two domain estimates (they share
    PSUs, so they are not independent), as R's
    ``svycontrast(svyby(~var, ~by, d, svymean, covmat=TRUE), c(1, -1))``.

    Parameters
    ----------
    design : SurveyDesign or ReplicateDesign
    var, by : str
    a, b : object
        The two domain levels.
    statistic : {"mean", "proportion"}
        For "proportion", ``level`` is the category of ``var`` counted.

    Returns
    -------
    Difference
        With a t test on the design degrees of freedom.
    """
    dom = design.by(by)
    if statistic == "mean":
        table = dom.mean(var)
    elif statistic == "proportion":
        if level is None:
            raise DesignError("a difference of proportions needs level=")
        table = dom.proportion(var, level)
    else:
        raise DesignError("statistic must be 'mean' or 'proportion'")
    labels = [str(x) for x in table.labels]
    try:
        i, j = labels.index(str(a)), labels.index(str(b))
    except ValueError as exc:
        raise DesignError(f"domain levels {a!r}, {b!r} not both in {labels}") from exc
    V = table.covariance
    c = np.zeros(len(labels))
    c[i], c[j] = 1.0, -1.0
    value = table.estimates[i].value - table.estimates[j].value
    se = float(np.sqrt(c @ V @ c))
    return _diff(value, se, design.degf(), (a, b))


def wave_difference(design_a, design_b, var: str, statistic: str = "mean", level=None) -> Difference:
    """Difference between two survey waves treated as independent samples: ``wave_a - wave_b``.

    The variance is the sum of the two variances; the test is a normal z
    test (the waves have different designs, so there is no single design df).
    """
    if statistic == "mean":
        ea, eb = design_a.mean(var), design_b.mean(var)
    elif statistic == "proportion":
        if level is None:
            raise DesignError("a difference of proportions needs level=")
        ea, eb = design_a.proportion(var, level), design_b.proportion(var, level)
    else:
        raise DesignError("statistic must be 'mean' or 'proportion'")
    return _diff(ea.value - eb.value, float(np.hypot(ea.se, eb.se)), None, ("wave a", "wave b"))
