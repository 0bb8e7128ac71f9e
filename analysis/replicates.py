"""Replicate-weight designs: jackknife (JKn, JK1) and bootstrap (R's ``as.svrepdesign``).

Replicate weights are kept *compressed*: one factor per (PSU, replicate), as
R's ``repweights_compressed``. A replicate total is then the product of the
PSU totals with the factor matrix, so estimates over a million rows cost one
grouped sum per variable, not one pass per replicate.
"""

from __future__ import annotations

import numpy as np

from .design import SurveyDesign
from .errors import DesignError
from .variance import group_sum

METHODS = ("JKn", "JK1", "bootstrap")


def _fpc_factor(stage) -> np.ndarray:
    """Per stratum: (N - n) / N, or 1 without fpc."""
    if stage.popsize is None:
        return np.ones(stage.n_strata)
    N = stage.popsize
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(np.isinf(N), 1.0, (N - stage.sampsize) / N)


def jkn_factors(design: SurveyDesign):
    """Delete-one-PSU jackknife within strata (R's ``jknweights``); returns (factors U x R, rscales, scale)."""
    st = design._stages[0]
    U, H = st.n_units, st.n_strata
    n_h = st.sampsize
    fpc = _fpc_factor(st)
    cols, rscales = [], []
    lonely_rule = design.lonely_psu
    n_lonely = 0
    for h in range(H):
        units = np.flatnonzero(st.unit_stratum == h)
        nh = len(units)
        if fpc[h] == 0:
            continue  # exhaustively sampled stratum: no replicates (survey.drop.replicates)
        if nh == 1:
            if lonely_rule == "fail":
                raise DesignError(f"Stratum ({st.stratum_labels[h]}) has only one PSU; choose a lonely_psu rule")
            if lonely_rule == "adjust":
                col = np.where(st.unit_stratum == h, 0.0, H / (H - 1))
                cols.append(col)
                rscales.append((H - 1) / H)
            n_lonely += 1
            continue
        for u in units:
            col = np.ones(U)
            col[units] = nh / (nh - 1)
            col[u] = 0.0
            cols.append(col)
            rscales.append(fpc[h] * (nh - 1) / nh)
    if not cols:
        raise DesignError("all strata were exhaustively sampled: there is no sampling variance")
    scale = 1.0
    if lonely_rule == "average" and len(cols) < U:
        scale = U / len(cols)
    return np.column_stack(cols), np.array(rscales), scale


def jk1_factors(design: SurveyDesign):
    """Delete-one-PSU jackknife for unstratified designs (R's ``jk1weights``)."""
    if design._has_strata:
        raise DesignError("JK1 is for unstratified designs; use 'JKn' for a stratified design")
    st = design._stages[0]
    U = st.n_units
    A = np.full((U, U), U / (U - 1))
    np.fill_diagonal(A, 0.0)
    f = _fpc_factor(st)[0]
    return A, np.ones(U), f * (U - 1) / U


def bootstrap_factors(design: SurveyDesign, replicates: int, seed):
    """Rescaling bootstrap of PSUs within strata (R's ``bootweights``), with a seeded generator.

    Each replicate resamples ``n_h`` PSUs in every stratum (with replacement,
    or without replacement from the ``N_h`` population copies when the fpc is
    known); a PSU's factor is the number of times it was drawn.
    """
    rng = np.random.default_rng(seed)
    st = design._stages[0]
    U = st.n_units
    A = np.zeros((U, replicates))
    for h in range(st.n_strata):
        units = np.flatnonzero(st.unit_stratum == h)
        nh = len(units)
        N = None if st.popsize is None else st.popsize[h]
        for r in range(replicates):
            if N is None or not np.isfinite(N):
                draw = rng.integers(0, nh, nh)
            else:
                pool = np.resize(np.arange(nh), int(N))
                draw = rng.choice(pool, nh, replace=False)
            A[units, r] = np.bincount(draw, minlength=nh)
    psu_per_stratum = 1 / np.mean(1 / st.sampsize)
    scale = psu_per_stratum / ((psu_per_stratum - 1) * (replicates - 1))
    return A, np.ones(replicates), scale


def as_replicate(design: SurveyDesign, method: str, replicates: int = 50, seed=0) -> "ReplicateDesign":
    if method not in METHODS:
        raise DesignError(f"replicate method must be one of {METHODS}")
    if method == "JKn":
        if not design._has_strata:
            raise DesignError("JKn needs strata; use 'JK1' or 'bootstrap' for an unstratified design")
        A, rscales, scale = jkn_factors(design)
    elif method == "JK1":
        A, rscales, scale = jk1_factors(design)
    else:
        A, rscales, scale = bootstrap_factors(design, replicates, seed)
    return ReplicateDesign._from(design, method, A, rscales, scale)


class ReplicateDesign(SurveyDesign):
    """A design whose variances come from replicate weights (R's ``svyrep.design``).

    Same estimators as :class:`SurveyDesign`. The variance of a statistic is
    ``scale * sum(rscales * (theta_r - mean(theta_r))^2)``, centred at the
    mean of the replicates as R does by default (``mse=False``).

    Attributes
    ----------
    method : str
    scale : float
    rscales : ndarray
    """

    _is_replicate = True

    @classmethod
    def _from(cls, design, method, A, rscales, scale, full=None, mse=False):
        new = object.__new__(cls)
        new.__dict__.update(design.__dict__)
        new.method = method
        new._A = A  # PSU x replicate factors (compressed), or None when full weights are held
        new._full = full  # rows x replicate weights (after calibration of each replicate)
        new.rscales = np.asarray(rscales, float)
        new.scale = float(scale)
        new.mse = mse
        new._degf = None
        return new

    def __repr__(self) -> str:
        return f"ReplicateDesign(method={self.method!r}, n={self.n}, replicates={self.n_replicates})"

    @property
    def n_replicates(self) -> int:
        return (self._A if self._full is None else self._full).shape[1]

    def replicate_weights(self) -> np.ndarray:
        """Rows x replicates matrix of replicate weights (expands the compressed form: may be large)."""
        if self._full is not None:
            return self._full.copy()
        return self._w[:, None] * self._A[self._stages[0].unit]

    def degf(self, present=None) -> int:
        """R's ``degf`` for replicate designs: rank of the replicate weights minus one."""
        if self._degf is None:
            M = self._A if self._full is None else self._full
            self._degf = int(np.linalg.matrix_rank(M, tol=1e-5 * np.abs(M).max())) - 1
        return self._degf

    # ---------------------------------------------------------------- replicate machinery
    def _rep_totals(self, x: np.ndarray) -> np.ndarray:
        """Replicate totals (R x k) of the row values ``x`` (already multiplied by the full weights)."""
        if self._full is not None:
            ratio = self._full / self._w[:, None]
            return ratio.T @ x
        st = self._stages[0]
        return self._A.T @ group_sum(st.unit, x, st.n_units)

    def _svrvar(self, thetas: np.ndarray, coef: np.ndarray) -> np.ndarray:
        """R's ``svrVar``: scaled, rscale-weighted cross-products of replicate deviations."""
        if thetas.ndim == 1:
            thetas = thetas[:, None]
        centre = coef if self.mse else thetas[self.rscales > 0].mean(axis=0)
        dev = (thetas - centre) * np.sqrt(self.rscales)[:, None]
        return dev.T @ dev * self.scale

    def _vcov(self, x, present=None):
        raise DesignError("replicate designs have no linearisation variance")

    def _means(self, Y, valid):
        wv = self._w[:, None] * valid
        Yz = np.where(valid, Y, 0.0)
        num = np.asfortranarray(wv * Yz)
        W = wv.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            means = num.sum(axis=0) / W
            reps = self._rep_totals(num) / self._rep_totals(np.asfortranarray(wv.astype(float)))
        return means, self._svrvar(reps, means), valid.sum(axis=0), W

    def _totals(self, Y, valid):
        x = np.asfortranarray(self._w[:, None] * valid * np.where(valid, Y, 0.0))
        t = x.sum(axis=0)
        return t, self._svrvar(self._rep_totals(x), t), valid.sum(axis=0)

    def _ratio(self, num, den, ok):
        w = self._w * ok
        X = np.column_stack([w * np.where(ok, num, 0.0), w * np.where(ok, den, 0.0)])
        r = X[:, 0].sum() / X[:, 1].sum()
        reps = self._rep_totals(np.asfortranarray(X))
        return r, float(self._svrvar(reps[:, 0] / reps[:, 1], np.array([r]))[0, 0])

    def _mean_deff(self, y, valid, mean, var):
        # R (svymean.svyrep.design): vsrs = svyvar / nobs * (npop - nobs) / npop over the non-missing rows
        return SurveyDesign._mean_deff(self, y, valid, mean, var)

    def _rows_weights(self, r: int) -> np.ndarray:
        if self._full is not None:
            return self._full[:, r]
        return self._w * self._A[self._stages[0].unit, r]

    def _glm_replicates(self, y, X, rows, family, fit):
        beta, _, _ = fit(y, X, self._w[rows], family)
        reps = np.array([fit(y, X, self._rows_weights(r)[rows], family)[0] for r in range(self.n_replicates)])
        return beta, self._svrvar(reps, beta)

    def _with_weights(self, w: np.ndarray) -> "ReplicateDesign":
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        ratio = w / self._w
        new._full = self.replicate_weights() * ratio[:, None]
        new._A = None
        new._w = w
        new._degf = None
        return new

    def _calibrated(self, kind: str, **kw) -> "ReplicateDesign":
        """Calibrate the full-sample weights and, separately, every replicate (as R does for svrep designs)."""
        from . import calibration as cal

        base = SurveyDesign.__new__(SurveyDesign)
        base.__dict__.update({k: v for k, v in self.__dict__.items()})
        base._calibration = ()

        def run(w):
            b = object.__new__(SurveyDesign)
            b.__dict__.update(base.__dict__)
            b._w = w
            if kind == "rake":
                return cal.rake(b, kw["margins"], maxit=kw["maxit"], epsilon=kw["epsilon"])._w
            if kind == "poststratify":
                return cal.poststratify(b, kw["var"], kw["population"])._w
            return cal.calibrate(b, kw["formula_or_totals"], population=kw["population"], method=kw["method"],
                                 bounds=kw["bounds"], maxit=kw["maxit"], epsilon=kw["epsilon"])._w

        full_w = run(self._w)
        repw = self.replicate_weights()
        if repw.size > 2e8:
            raise DesignError("too many rows x replicates to recalibrate each replicate")
        new_rep = np.empty_like(repw)
        for r in range(repw.shape[1]):
            wr = repw[:, r]
            pos = wr > 0
            # rows dropped from a jackknife replicate keep weight zero; calibrate the others.
            sub = np.zeros_like(wr)
            bw = np.where(pos, wr, 1e-300)
            sub_w = run(bw)
            sub[pos] = sub_w[pos]
            new_rep[:, r] = sub
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        new._w = full_w
        new._full = new_rep
        new._A = None
        new._degf = None
        return new
