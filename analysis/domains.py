"""Domain estimation (R's ``svyby``): estimates within groups using the whole design.

A domain is not a subset: rows outside the domain keep their place in the
design with zero contribution, so PSUs and strata without domain members
still count in the variance, exactly as R does.
"""

from __future__ import annotations

import numpy as np

from .proportions import interval
from .results import Estimate, EstimateTable


class Domains:
    """Estimates per level of ``by`` (returned by :meth:`SurveyDesign.by`).

    Levels are sorted as R sorts factor levels; rows where ``by`` is missing
    belong to no domain. A declared categorical level with no respondents
    gives an estimate of NaN with ``n == 0``.
    """

    def __init__(self, design, by: str):
        self.design = design
        self.by_name = by
        self.codes, self.labels = design._factor(by)

    def _masks(self, ok: np.ndarray) -> np.ndarray:
        k = len(self.labels)
        valid = np.zeros((len(ok), k), bool)
        rows = np.flatnonzero((self.codes >= 0) & ok)
        valid[rows, self.codes[rows]] = True
        return valid

    def _table(self, values, V, n, statistic, variable, deffs=None, intervals=None, df=None):
        ests = []
        for j, lab in enumerate(self.labels):
            ests.append(
                Estimate(
                    float(values[j]) if n[j] else np.nan,
                    float(np.sqrt(V[j, j])) if n[j] else np.nan,
                    int(n[j]),
                    float(deffs[j]) if deffs is not None and n[j] else np.nan,
                    statistic,
                    variable,
                    df,
                    intervals[j] if intervals is not None else None,
                )
            )
        return EstimateTable(tuple(self.labels), tuple(ests), self.by_name, V)

    def mean(self, var: str) -> EstimateTable:
        """Mean of ``var`` in each domain."""
        y = self.design._numeric(var)
        valid = self._masks(~np.isnan(y))
        Y = np.repeat(y[:, None], valid.shape[1], axis=1)
        m, V, n, _ = self.design._means(Y, valid)
        return self._table(m, V, n, "mean", var, self._deffs(y, m, V))

    def _deffs(self, y, m, V):
        """R's deff per domain, all domains at once (grouped sums instead of one pass per domain)."""
        k = len(self.labels)
        rows = (self.codes >= 0) & ~np.isnan(y)
        c = self.codes[rows]
        w = self.design._w[rows]
        nobs = np.bincount(c, minlength=k).astype(float)
        psum = np.bincount(c, weights=w, minlength=k)
        ss = np.bincount(c, weights=w * (y[rows] - m[c]) ** 2, minlength=k)
        with np.errstate(invalid="ignore", divide="ignore"):
            s2 = ss / psum * nobs / (nobs - 1)
            vsrs = s2 * (psum - nobs) / (psum * nobs)
            out = np.diag(V) / vsrs
        return np.where((nobs >= 2) & (psum >= nobs) & (vsrs > 0), out, np.nan)

    def total(self, var: str) -> EstimateTable:
        """Total of ``var`` in each domain."""
        y = self.design._numeric(var)
        valid = self._masks(~np.isnan(y))
        Y = np.repeat(y[:, None], valid.shape[1], axis=1)
        t, V, n = self.design._totals(Y, valid)
        return self._table(t, V, n, "total", var)

    def proportion(self, var: str, level, method: str = "logit") -> EstimateTable:
        """Proportion of ``var == level`` in each domain, with the method's interval."""
        y = self.design._indicator(var, level)
        valid = self._masks(~np.isnan(y))
        Y = np.repeat(y[:, None], valid.shape[1], axis=1)
        m, V, n, _ = self.design._means(Y, valid)
        df = self.design.degf()
        ints = [interval(method, float(m[j]), float(np.sqrt(V[j, j])), df, self.design.n) for j in range(len(n))]
        return self._table(m, V, n, "proportion", f"{var}=={level}", intervals=ints, df=df)

    def ratio(self, numerator: str, denominator: str) -> EstimateTable:
        """Ratio of totals in each domain."""
        num = self.design._numeric(numerator)
        den = self.design._numeric(denominator)
        valid = self._masks(~np.isnan(num) & ~np.isnan(den))
        ests = []
        for j in range(valid.shape[1]):
            if valid[:, j].any():
                r, v = self.design._ratio(num, den, valid[:, j])
                ests.append(Estimate(float(r), float(np.sqrt(v)), int(valid[:, j].sum()), np.nan, "ratio",
                                     f"{numerator}/{denominator}"))
            else:
                ests.append(Estimate(np.nan, np.nan, 0, np.nan, "ratio", f"{numerator}/{denominator}"))
        return EstimateTable(tuple(self.labels), tuple(ests), self.by_name)

    def quantile(self, var: str, p: float) -> EstimateTable:
        """Quantile ``p`` of ``var`` in each domain (Woodruff intervals)."""
        from .quantiles import quantile_masked

        y = self.design._numeric(var)
        valid = self._masks(~np.isnan(y))
        ests = tuple(quantile_masked(self.design, y, valid[:, j], p, f"{var}[{p:g}]") for j in range(valid.shape[1]))
        return EstimateTable(tuple(self.labels), ests, self.by_name)
