"""Rao-Scott tests of independence in two-way tables (R's ``svychisq``)."""

from __future__ import annotations

import numpy as np
from scipy import stats

from .errors import DesignError
from .results import TestResult


def _resid_cols(nr: int, nc: int) -> np.ndarray:
    """R's ``Cmat``: interaction columns of the saturated model, residualised on the main effects.

    Cells are ordered with the row variable varying fastest, as R's
    ``interaction()`` and ``expand.grid``.
    """
    rows = np.tile(np.arange(nr), nc)
    cols = np.repeat(np.arange(nc), nr)
    X1 = np.column_stack(
        [np.ones(nr * nc)]
        + [(rows == i).astype(float) for i in range(1, nr)]
        + [(cols == j).astype(float) for j in range(1, nc)]
    )
    inter = np.column_stack(
        [((rows == i) & (cols == j)).astype(float) for j in range(1, nc) for i in range(1, nr)]
    )
    beta, *_ = np.linalg.lstsq(X1, inter, rcond=None)
    return inter - X1 @ beta


def chisq(design, a: str, b: str, statistic: str = "F") -> TestResult:
    """Test of association between categorical ``a`` and ``b`` with Rao-Scott corrections.

    Parameters
    ----------
    design : SurveyDesign or ReplicateDesign
    a, b : str
        Row and column variables. Rows missing either are dropped as a domain.
    statistic : {"F", "Chisq"}
        "F": second-order Rao-Scott correction, ``X2 / tr(Delta)`` on an F
        distribution with ``(d0, d0 * nu)`` degrees of freedom (R's default).
        "Chisq": first-order correction; ``.statistic`` is Pearson's X2 (as R
        reports it) and the p-value is that of ``X2 / mean(eigenvalues)`` on
        ``(r-1)(c-1)`` degrees of freedom.

    Returns
    -------
    TestResult
    """
    if statistic not in ("F", "Chisq"):
        raise DesignError("statistic must be 'F' or 'Chisq'")
    ca, la = design._factor(a)
    cb, lb = design._factor(b)
    nr, nc = len(la), len(lb)
    if nr < 2 or nc < 2:
        raise DesignError(f"{a!r} and {b!r} need at least two observed levels each")
    ok = (ca >= 0) & (cb >= 0)
    cell = np.where(ok, ca + nr * cb, 0)
    k = nr * nc
    n = design.n
    Y = np.zeros((n, k))
    Y[np.flatnonzero(ok), cell[ok]] = 1.0
    valid = np.repeat(ok[:, None], k, axis=1)
    mean2, V, _, _ = design._means(Y, valid)
    N = n  # R: nrow of the model matrix, all rows including those with missing values
    nu = design.degf()
    # Pearson's X2 on the weighted table rescaled to N (R: svytable(..., Ntotal = N))
    tbl = np.bincount(cell[ok], weights=design._w[ok], minlength=k).reshape(nc, nr).T
    tbl = tbl * N / tbl.sum()
    expected = np.outer(tbl.sum(1), tbl.sum(0)) / N
    with np.errstate(divide="ignore", invalid="ignore"):
        x2 = float(np.sum((tbl - expected) ** 2 / expected))
    C = _resid_cols(nr, nc)
    inv = np.where(mean2 == 0, 0.0, 1.0 / np.where(mean2 == 0, 1.0, mean2))
    denom = C.T @ (inv[:, None] / N * C)
    numr = C.T @ (inv[:, None] * V * inv[None, :]) @ C
    delta = np.linalg.solve(denom, numr)
    tr = np.trace(delta)
    d0 = tr**2 / np.trace(delta @ delta)
    if statistic == "F":
        f = x2 / tr
        return TestResult(f, (float(d0), float(d0 * nu)), float(stats.f.sf(f, d0, d0 * nu)),
                          "Pearson's X^2: Rao & Scott adjustment (F)")
    dfc = delta.shape[1]
    return TestResult(x2, float(dfc), float(stats.chi2.sf(x2 / np.mean(np.diag(delta)), dfc)),
                      "Pearson's X^2: Rao & Scott adjustment (first order)")
