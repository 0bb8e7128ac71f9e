"""The survey design: data, weights, sampling structure and calibration."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from .errors import DesignError
from .structure import _as_list, build_stages, column
from .variance import LONELY_RULES, Stage, recvar


class SurveyDesign:
    """A complex survey design over a pandas DataFrame (R's ``svydesign``).

    Parameters
    ----------
    df : pandas.DataFrame
        One row per respondent. It is not copied; do not mutate it afterwards.
    weights : str, optional
        Column of sampling weights (must be finite and > 0). Without it the
        weights follow from ``fpc`` (inverse selection probabilities), or are 1.
    strata : str, optional
        Column of first-stage strata.
    psu : str or list of str, optional
        Cluster ids, one column per stage (``["dnum", "snum"]``). None: each
        row is its own unit.
    fpc : str or list of str, optional
        Population sizes (or sampling fractions, all <= 1) per stage, as R's
        ``fpc=``. With one column per stage the later stages contribute to
        the variance as in R.
    nest : bool
        PSU ids are only unique within strata (R's ``nest=TRUE``).
    lonely_psu : {"fail", "adjust", "average", "remove", "certainty"}
        What to do with a stratum that has one PSU (R's ``survey.lonely.psu``).

    Examples
    --------
    >>> d = SurveyDesign(df, weights="pw", strata="stype", fpc="fpc")  # doctest: +SKIP
    >>> d.mean("api00").se                                             # doctest: +SKIP
    9.4089...
    """

    _is_replicate = False

    def __init__(
        self,
        df: pd.DataFrame,
        weights: str | None = None,
        strata: str | None = None,
        psu: str | list[str] | None = None,
        fpc: str | list[str] | None = None,
        nest: bool = False,
        lonely_psu: str = "fail",
    ):
        if not isinstance(df, pd.DataFrame):
            raise DesignError("df must be a pandas DataFrame")
        if lonely_psu not in LONELY_RULES:
            raise DesignError(f"lonely_psu must be one of {LONELY_RULES}, not {lonely_psu!r}")
        stages, has_strata, prob = build_stages(df, strata=strata, psu=psu, fpc=fpc, nest=nest)
        if weights is not None:
            w = pd.to_numeric(column(df, weights), errors="coerce").to_numpy(dtype=float)
        elif prob is not None:
            w = 1.0 / prob
        else:
            w = np.ones(len(df))
        _check_weights(w, weights or "weights")
        self._data = df
        self._w = w
        self._stages: list[Stage] = stages
        self._has_strata = has_strata
        self._calibration: tuple = ()
        self._lonely = lonely_psu
        self._spec = dict(weights=weights, strata=strata, psu=psu, fpc=fpc, nest=nest, lonely_psu=lonely_psu)

    # ------------------------------------------------------------------ basics
    @property
    def data(self) -> pd.DataFrame:
        """The data frame the design was built on."""
        return self._data

    @property
    def weights(self) -> np.ndarray:
        """Current (possibly calibrated) weights, one per row (a copy)."""
        return self._w.copy()

    @property
    def n(self) -> int:
        """Number of rows."""
        return len(self._w)

    @property
    def lonely_psu(self) -> str:
        return self._lonely

    @property
    def is_calibrated(self) -> bool:
        return bool(self._calibration)

    def __len__(self) -> int:
        return self.n

    def __repr__(self) -> str:
        s = self._stages[0]
        cal = f", calibrated x{len(self._calibration)}" if self._calibration else ""
        return (
            f"SurveyDesign(n={self.n}, strata={s.n_strata}, psu={s.n_units}, "
            f"stages={len(self._stages)}{cal})"
        )

    def _derive(self, weights: np.ndarray, adjuster=None) -> "SurveyDesign":
        """A copy with new weights and, optionally, one more calibration step for the variance."""
        _check_weights(weights, "calibrated weights")
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        new._w = np.asarray(weights, dtype=float)
        if adjuster is not None:
            new._calibration = self._calibration + (adjuster,)
        return new

    def degf(self, present: np.ndarray | None = None) -> int:
        """Design degrees of freedom: PSUs minus strata (R's ``degf``), optionally within ``present`` rows."""
        s = self._stages[0]
        if present is None:
            return int(s.n_units - s.n_strata)
        units = np.unique(s.unit[present])
        return int(len(units) - len(np.unique(s.unit_stratum[units])))

    # ------------------------------------------------------------------ data access
    def _numeric(self, var: str) -> np.ndarray:
        col = column(self._data, var)
        if isinstance(col.dtype, pd.CategoricalDtype) or col.dtype == object or pd.api.types.is_string_dtype(col):
            conv = pd.to_numeric(col, errors="coerce")
            if conv.notna().sum() < col.notna().sum():
                raise DesignError(f"{var!r} is not numeric; use proportion() for categories")
            col = conv
        if pd.api.types.is_bool_dtype(col):
            col = col.astype(float)
        return pd.to_numeric(col, errors="coerce").to_numpy(dtype=float)

    def _indicator(self, var: str, level: Any) -> np.ndarray:
        """1.0 where ``var == level``, 0.0 elsewhere, NaN where ``var`` is missing."""
        col = column(self._data, var)
        miss = col.isna().to_numpy()
        vals = col.to_numpy()
        hit = (vals == level) | (col.astype(str).to_numpy() == str(level))
        out = hit.astype(float)
        out[miss] = np.nan
        return out

    def _factor(self, var: str, dropna: bool = True) -> tuple[np.ndarray, list]:
        """Integer codes (-1 for missing) and sorted labels, keeping unused categorical levels."""
        col = column(self._data, var)
        if isinstance(col.dtype, pd.CategoricalDtype):
            labels = list(col.cat.categories)
            codes = col.cat.codes.to_numpy().astype(np.int64)
            return codes, labels
        codes, uniques = pd.factorize(col, sort=True)
        return codes.astype(np.int64), list(uniques)

    # ------------------------------------------------------------------ variance engine
    def _has_lonely(self) -> bool:
        return any((s.sampsize == 1).any() for s in self._stages)

    def _residualise(self, x: np.ndarray) -> np.ndarray:
        for adj in self._calibration:
            x = adj.residuals(x)
        return x

    def _vcov(self, x: np.ndarray, present: np.ndarray | None = None) -> np.ndarray:
        """Covariance of the column totals of influence matrix ``x`` (n x k).

        ``present`` (n x k bool, or n bool) marks the rows R keeps when it
        subsets an uncalibrated design to a domain; it only matters for the
        lonely-PSU rules, so it is ignored otherwise.
        """
        if x.ndim == 1:
            x = x[:, None]
        x = self._residualise(x)
        if present is None or self._calibration or not self._has_lonely():
            return recvar(self._stages, x, self._lonely)
        present = np.asarray(present, bool)
        if present.ndim == 1:
            return recvar(self._stages, x, self._lonely, present=present)
        k = x.shape[1]
        # Off-diagonal blocks as if all rows were present; per-column diagonals as R computes each domain.
        v = recvar(self._stages, x, "adjust" if self._lonely == "fail" else self._lonely)
        for j in range(k):
            v[j, j] = recvar(self._stages, x[:, [j]], self._lonely, present=present[:, j])[0, 0]
        return v

    # Estimator primitives shared with replicate designs --------------------------------
    def _means(self, Y: np.ndarray, valid: np.ndarray):
        """Weighted means of the columns of ``Y`` over their ``valid`` rows, with covariance.

        Returns (means, vcov, n_valid, weight_sums).
        """
        wv = self._w[:, None] * valid
        W = wv.sum(axis=0)
        Yz = np.where(valid, Y, 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            means = (wv * Yz).sum(axis=0) / W
            # rows outside the domain have wv == 0, so their influence is exactly zero
            x = np.asfortranarray(wv * (Yz - np.where(W > 0, means, 0.0)) / np.where(W > 0, W, 1.0))
        V = self._vcov(x, present=valid)
        return means, V, valid.sum(axis=0), W

    def _totals(self, Y: np.ndarray, valid: np.ndarray):
        wv = self._w[:, None] * valid
        Yz = np.where(valid, Y, 0.0)
        x = np.asfortranarray(wv * Yz)
        return x.sum(axis=0), self._vcov(x, present=valid), valid.sum(axis=0)

    def _ratio(self, num: np.ndarray, den: np.ndarray, ok: np.ndarray):
        """Ratio of totals and its variance from the residual ``(num - R den) / t_den`` (R's ``svyratio``)."""
        w = self._w * ok
        numz = np.where(ok, num, 0.0)
        denz = np.where(ok, den, 0.0)
        tn, td = np.sum(w * numz), np.sum(w * denz)
        r = tn / td
        x = w * (numz - r * denz) / td
        v = self._vcov(x[:, None], present=ok)[0, 0]
        return r, v

    def _mean_deff(self, y: np.ndarray, valid: np.ndarray, mean: float, var: float) -> float:
        """R's ``deff=TRUE`` for a mean: design variance over SRS-without-replacement variance."""
        w = self._w[valid]
        nobs = int(valid.sum())
        psum = float(w.sum())
        if nobs < 2 or psum < nobs:
            return float("nan")
        s2 = np.sum(w * (y[valid] - mean) ** 2) / psum * nobs / (nobs - 1)
        vsrs = s2 * (psum - nobs) / (psum * nobs)
        return float(var / vsrs) if vsrs > 0 else float("nan")

    # ------------------------------------------------------------------ public estimators
    def mean(self, var: str):
        """Weighted mean with linearisation SE (R's ``svymean(~var, d, na.rm=TRUE, deff=TRUE)``).

        Parameters
        ----------
        var : str
            Numeric column. Missing values are dropped as a domain.

        Returns
        -------
        Estimate
        """
        from .estimates import mean

        return mean(self, var)

    def total(self, var: str):
        """Weighted total (R's ``svytotal``). Returns an :class:`~analysis.results.Estimate`."""
        from .estimates import total

        return total(self, var)

    def ratio(self, numerator: str, denominator: str):
        """Ratio of totals (R's ``svyratio``). Returns an :class:`~analysis.results.Estimate`."""
        from .estimates import ratio

        return ratio(self, numerator, denominator)

    def proportion(self, var: str, level: Any, method: str = "logit", level_ci: float = 0.95):
        """Proportion of rows with ``var == level`` (R's ``svyciprop``).

        Parameters
        ----------
        var : str
        level : object
            The category counted.
        method : {"logit", "beta", "mean", "wilson", "asin", "xlogit"}
            Interval method; "beta" is Korn-Graubard.

        Returns
        -------
        Estimate
            ``.ci(level)`` uses the chosen method with the design degrees of freedom.
        """
        from .proportions import proportion

        return proportion(self, var, level, method=method)

    def quantile(self, var: str, p: float, alpha: float = 0.05):
        """Quantile with a Woodruff interval (R's ``svyquantile``, ``qrule="math"``, ``interval.type="mean"``)."""
        from .quantiles import quantile

        return quantile(self, var, p, alpha=alpha)

    def var(self, var: str):
        """Population variance estimate (R's ``svyvar``)."""
        from .estimates import variance

        return variance(self, var)

    def by(self, by: str):
        """Domain estimation: ``d.by("region").mean("x")`` gives one estimate per region.

        Domains are not subsets: the variance uses the whole design.
        """
        from .domains import Domains

        return Domains(self, by)

    def chisq(self, a: str, b: str, statistic: str = "F"):
        """Rao-Scott test of independence of two categorical variables (R's ``svychisq``)."""
        from .chisq import chisq

        return chisq(self, a, b, statistic=statistic)

    def glm(self, formula: str, family: str = "gaussian"):
        """Design-based GLM (R's ``svyglm``); family "gaussian" or "binomial" (quasibinomial)."""
        from .glm import glm

        return glm(self, formula, family=family)

    def replicate(self, method: str = "JKn", replicates: int = 50, seed: int | None = 0):
        """Replicate-weight version of this design (R's ``as.svrepdesign``).

        Parameters
        ----------
        method : {"JKn", "JK1", "bootstrap"}
        replicates : int
            Number of bootstrap replicates.
        seed : int
            Seed of the bootstrap resampling (reproducible by default).
        """
        from .replicates import as_replicate

        return as_replicate(self, method, replicates=replicates, seed=seed)

    def kish_effective_n(self) -> float:
        """Kish's effective sample size ``(sum w)^2 / sum w^2``."""
        from .estimates import kish_effective_n

        return kish_effective_n(self._w)

    def kish_deff(self) -> float:
        """Kish's design effect from unequal weights, ``n * sum w^2 / (sum w)^2``."""
        return self.n / self.kish_effective_n()

    def likert(self, var: str, top: int | list = 2, scale_max: int | None = None):
        """Mean score and top-box proportion of a Likert item (see :mod:`analysis.scales`)."""
        from .scales import likert

        return likert(self, var, top=top, scale_max=scale_max)

    def cronbach_alpha(self, items: list[str]):
        """Cronbach's alpha of a scale (R's ``svycralpha``)."""
        from .scales import cronbach_alpha

        return cronbach_alpha(self, items)


def _check_weights(w: np.ndarray, name: str) -> None:
    if np.isnan(w).any():
        raise DesignError(f"missing values in the weights ({name})")
    if not np.isfinite(w).all():
        raise DesignError(f"{name} must be finite")
    if (w <= 0).any():
        bad = int(np.flatnonzero(w <= 0)[0])
        raise DesignError(
            f"{name} must be positive: row {bad} has weight {w[bad]:g} "
            f"({int((w <= 0).sum())} row(s) zero or negative); drop those rows instead"
        )

