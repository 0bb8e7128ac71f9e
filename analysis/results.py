"""Result objects: frozen dataclasses returned by the estimators."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd
from scipy import stats


def _crit(level: float, df: float | None) -> float:
    """Two-sided critical value: normal when ``df`` is None/inf (R's confint default), else Student t."""
    if not 0 < level < 1:
        raise ValueError("level must be between 0 and 1")
    q = 1 - (1 - level) / 2
    if df is None or not np.isfinite(df):
        return float(stats.norm.ppf(q))
    return float(stats.t.ppf(q, df))


@dataclass(frozen=True)
class Estimate:
    """A design-based estimate.

    Attributes
    ----------
    value : float
        The point estimate.
    se : float
        Its linearisation (or replicate) standard error.
    n : int
        Unweighted number of rows that counted (non-missing, in the domain).
    deff : float
        Design effect (Kish's, as R's ``deff=TRUE``); NaN where not defined.
    statistic : str
        What was estimated (``"mean"``, ``"total"``, ``"proportion"`` ...).
    variable : str
        The variable (or label) estimated.
    df : float or None
        Degrees of freedom used by :meth:`ci`; None means a normal interval,
        which is what R's ``confint()`` does for means and totals.
    """

    value: float
    se: float
    n: int
    deff: float = float("nan")
    statistic: str = ""
    variable: str = ""
    df: float | None = None
    _interval: Callable[[float], tuple[float, float]] | None = field(
        default=None, repr=False, compare=False
    )

    @property
    def var(self) -> float:
        """Sampling variance (``se**2``)."""
        return self.se**2

    @property
    def cv(self) -> float:
        """Coefficient of variation ``se / value``."""
        return self.se / self.value if self.value else float("nan")

    def ci(self, level: float = 0.95) -> tuple[float, float]:
        """Confidence interval.

        Parameters
        ----------
        level : float
            Coverage, default 0.95.

        Returns
        -------
        tuple of float
            ``(low, high)``. Proportions and quantiles use the interval of
            their method (logit, Korn-Graubard, Wilson, Woodruff); other
            statistics use ``value +/- crit * se``.
        """
        if self._interval is not None:
            lo, hi = self._interval(level)
            return float(lo), float(hi)
        c = _crit(level, self.df)
        return self.value - c * self.se, self.value + c * self.se

    def to_dict(self, level: float = 0.95) -> dict:
        """Plain dictionary (value, se, ci_low, ci_high, deff, n)."""
        lo, hi = self.ci(level)
        return {
            "statistic": self.statistic,
            "variable": self.variable,
            "value": self.value,
            "se": self.se,
            "ci_low": lo,
            "ci_high": hi,
            "deff": self.deff,
            "n": self.n,
        }


@dataclass(frozen=True)
class EstimateTable:
    """Estimates for several domains (or variables), in order.

    Attributes
    ----------
    labels : tuple
        Domain labels, one per estimate.
    estimates : tuple of Estimate
        The estimates, aligned with ``labels``.
    by : str
        Name of the domain variable.
    covariance : numpy.ndarray or None
        Covariance matrix of the estimates (used by contrasts).
    """

    labels: tuple
    estimates: tuple
    by: str = ""
    covariance: np.ndarray | None = field(default=None, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.estimates)

    def __iter__(self):
        return iter(zip(self.labels, self.estimates))

    def __getitem__(self, label) -> Estimate:
        for lab, est in zip(self.labels, self.estimates):
            if lab == label or str(lab) == str(label):
                return est
        raise KeyError(label)

    @property
    def values(self) -> np.ndarray:
        return np.array([e.value for e in self.estimates])

    @property
    def ses(self) -> np.ndarray:
        return np.array([e.se for e in self.estimates])

    def to_frame(self, level: float = 0.95) -> pd.DataFrame:
        """One row per domain: value, se, ci_low, ci_high, deff, n."""
        rows = [e.to_dict(level) for e in self.estimates]
        frame = pd.DataFrame(rows, index=pd.Index(list(self.labels), name=self.by or None))
        return frame


@dataclass(frozen=True)
class TestResult:
    """A design-based test (Rao-Scott, Wald, contrast).

    Attributes
    ----------
    statistic : float
        Test statistic (F or chi-squared).
    df : float or tuple of float
        Degrees of freedom; a pair ``(numerator, denominator)`` for F tests.
    p_value : float
    method : str
    """

    __test__ = False  # not a pytest test class

    statistic: float
    df: float | tuple
    p_value: float
    method: str = ""


@dataclass(frozen=True)
class GLMResult:
    """A design-based generalised linear model (R's ``svyglm``).

    Attributes
    ----------
    params : pandas.Series
        Coefficients, named as R names them (``(Intercept)``, ``regionNorth``).
    bse : pandas.Series
        Linearisation standard errors.
    cov_params : pandas.DataFrame
        Covariance matrix of the coefficients.
    df_resid : float
        Residual degrees of freedom (design df + 1 - number of coefficients).
    family : str
    n : int
        Rows used.
    """

    params: pd.Series
    bse: pd.Series
    cov_params: pd.DataFrame
    df_resid: float
    family: str
    n: int

    @property
    def tvalues(self) -> pd.Series:
        return self.params / self.bse

    @property
    def pvalues(self) -> pd.Series:
        return pd.Series(
            2 * stats.t.sf(np.abs(self.tvalues.to_numpy()), self.df_resid), index=self.params.index
        )

    def conf_int(self, level: float = 0.95) -> pd.DataFrame:
        c = _crit(level, self.df_resid)
        return pd.DataFrame(
            {"low": self.params - c * self.bse, "high": self.params + c * self.bse}
        )

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {"coef": self.params, "se": self.bse, "t": self.tvalues, "p_value": self.pvalues}
        )


@dataclass(frozen=True)
class Difference:
    """A difference of two estimates with its standard error and test.

    Attributes
    ----------
    value : float
        ``a - b``.
    se : float
    statistic : float
        ``value / se``.
    p_value : float
        Two-sided, Student t with ``df`` degrees of freedom (normal when None).
    df : float or None
    labels : tuple
        What was compared, ``(a, b)``.
    """

    value: float
    se: float
    statistic: float
    p_value: float
    df: float | None = None
    labels: tuple = ()

    def ci(self, level: float = 0.95) -> tuple[float, float]:
        c = _crit(level, self.df)
        return self.value - c * self.se, self.value + c * self.se
