"""Design-based generalised linear models (R's ``svyglm``)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from scipy.special import expit

from .errors import DesignError
from .results import GLMResult

FAMILIES = ("gaussian", "binomial", "quasibinomial")


def r_name(col: str) -> str:
    """patsy column names in R's spelling: ``Intercept`` -> ``(Intercept)``, ``region[T.North]`` -> ``regionNorth``."""
    if col == "Intercept":
        return "(Intercept)"
    return re.sub(r"\[T\.(.*?)\]", r"\1", col)


def model_frame(data: pd.DataFrame, formula: str):
    """Response, model matrix (R column names) and the positions of the rows used (missing rows dropped)."""
    import patsy

    frame = data if isinstance(data.index, pd.RangeIndex) and data.index.start == 0 and data.index.step == 1 \
        else data.set_axis(pd.RangeIndex(len(data)), axis=0)
    try:
        y, X = patsy.dmatrices(formula, frame, NA_action="drop", return_type="dataframe")
    except patsy.PatsyError as exc:
        raise DesignError(f"cannot build model {formula!r}: {exc}") from exc
    if y.shape[1] == 2 and str(y.columns[1]).endswith("[True]"):
        y = y.iloc[:, [1]]  # a logical response (R's I(x == 'a')) comes out of patsy as two dummies
    if y.shape[1] != 1:
        raise DesignError(f"the response of {formula!r} must be a single numeric or logical column")
    rows = y.index.to_numpy()
    # patsy puts categorical terms first; R keeps the order of the formula.
    info = X.design_info
    order = patsy.ModelDesc.from_formula(formula).rhs_termlist
    idx = [i for t in order if t in info.term_slices for i in range(*info.term_slices[t].indices(X.shape[1]))]
    if sorted(idx) == list(range(X.shape[1])):
        X = X.iloc[:, idx]
    X.columns = [r_name(c) for c in X.columns]
    return y.iloc[:, 0].to_numpy(float), X, rows


def fit(y: np.ndarray, X: np.ndarray, w: np.ndarray, family: str, tol: float = 1e-12, maxit: int = 100):
    """Weighted (quasi-)likelihood fit by IRLS; returns (beta, mu, variance function values)."""
    if family == "gaussian":
        XtW = X.T * w
        beta = np.linalg.solve(XtW @ X, XtW @ y)
        return beta, X @ beta, np.ones_like(y)
    if ((y < 0) | (y > 1)).any():
        raise DesignError("a binomial response must lie in [0, 1]")
    beta = np.zeros(X.shape[1])
    mu = np.clip((w * y + 0.5 * w) / (2 * w), 0.01, 0.99)  # R's binomial mustart ((y + 0.5) / 2)
    eta = np.log(mu / (1 - mu))
    dev_old = np.inf
    for _ in range(maxit):
        varmu = mu * (1 - mu)
        z = eta + (y - mu) / varmu
        ww = w * varmu
        XtW = X.T * ww
        beta = np.linalg.solve(XtW @ X, XtW @ z)
        eta = X @ beta
        mu = expit(eta)
        with np.errstate(divide="ignore", invalid="ignore"):
            dev = -2 * np.sum(w * (np.where(y > 0, y * np.log(mu), 0) + np.where(y < 1, (1 - y) * np.log(1 - mu), 0)))
        if abs(dev - dev_old) / (abs(dev) + 0.1) < tol:
            break
        dev_old = dev
    return beta, mu, mu * (1 - mu)


def glm(design, formula: str, family: str = "gaussian") -> GLMResult:
    """Fit ``formula`` with the design weights; sandwich (linearisation or replicate) standard errors.

    Parameters
    ----------
    design : SurveyDesign or ReplicateDesign
    formula : str
        patsy/R formula, e.g. ``"trust ~ region + education"`` or
        ``"I(sch_wide == 'Yes') ~ ell + meals"``. Categorical predictors use
        treatment contrasts with the first sorted level as reference, as R.
    family : {"gaussian", "binomial"}
        "binomial" is R's ``quasibinomial()`` (no dispersion assumption).

    Returns
    -------
    GLMResult
    """
    if family not in FAMILIES:
        raise DesignError(f"family must be one of {FAMILIES}")
    fam = "binomial" if family.endswith("binomial") else "gaussian"
    y, Xf, rows = model_frame(design.data, formula)
    X = Xf.to_numpy(float)
    if np.linalg.matrix_rank(X) < X.shape[1]:
        raise DesignError(f"the model matrix of {formula!r} is rank deficient")
    present = np.zeros(design.n, bool)
    present[rows] = True
    names = list(Xf.columns)
    if getattr(design, "_is_replicate", False):
        beta, cov = design._glm_replicates(y, X, rows, fam, fit)
    else:
        w = design._w[rows]
        beta, mu, varmu = fit(y, X, w, fam)
        ainv = np.linalg.inv(X.T @ (X * (w * varmu)[:, None]))
        infl = np.zeros((design.n, X.shape[1]))
        infl[rows] = (X * (w * (y - mu))[:, None]) @ ainv
        cov = design._vcov(np.asfortranarray(infl), present=present)
    df_resid = design.degf(present=present) + 1 - X.shape[1] if not getattr(design, "_is_replicate", False) \
        else design.degf() + 1 - X.shape[1]
    return GLMResult(
        params=pd.Series(beta, index=names),
        bse=pd.Series(np.sqrt(np.diag(cov)), index=names),
        cov_params=pd.DataFrame(cov, index=names, columns=names),
        df_resid=float(df_resid),
        family=family,
        n=int(len(rows)),
    )
