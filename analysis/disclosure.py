"""Statistical disclosure control for published tables.

Primary suppression hides every cell based on fewer than ``min_n``
unweighted respondents (but more than zero). Secondary suppression then
hides further cells so that no hidden cell can be recovered by subtraction
from row or column totals: every row and column holding a hidden cell must
hold at least two, and the extra cells chosen are the smallest ones (the
least information lost). If a row or column has a single hidden cell and no
other cell to hide, its total is hidden instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

DEFAULT_MIN_N = 10


@dataclass(frozen=True)
class Suppression:
    """Which cells of a table are hidden, and why.

    Attributes
    ----------
    primary : numpy.ndarray of bool
        Cells below the threshold.
    secondary : numpy.ndarray of bool
        Cells hidden only to protect the primary ones.
    hidden_row_totals, hidden_col_totals : numpy.ndarray of bool
        Margins that must not be published either.
    """

    primary: np.ndarray
    secondary: np.ndarray
    hidden_row_totals: np.ndarray
    hidden_col_totals: np.ndarray

    @property
    def hidden(self) -> np.ndarray:
        return self.primary | self.secondary


def suppression_pattern(counts, min_n: int = DEFAULT_MIN_N) -> Suppression:
    """Compute primary and secondary suppression for a table of unweighted counts.

    Parameters
    ----------
    counts : array-like, 1-D or 2-D
        Unweighted respondents per cell. A 1-D table is a single row whose
        total is published.
    min_n : int
        Smallest publishable number of respondents (default 10).
    """
    n = np.asarray(counts, float)
    one_d = n.ndim == 1
    if one_d:
        n = n[None, :]
    primary = (n > 0) & (n < min_n)
    hidden = primary.copy()
    row_tot = np.zeros(n.shape[0], bool)
    col_tot = np.zeros(n.shape[1], bool)
    for _ in range(n.size + 1):
        changed = False
        for axis in (0, 1):
            lines = hidden if axis == 0 else hidden.T
            cnt = n if axis == 0 else n.T
            tot = row_tot if axis == 0 else col_tot
            if one_d and axis == 1:
                continue  # a 1-D table has no column totals to protect
            for i in range(lines.shape[0]):
                k = lines[i].sum()
                if k == 1 and not tot[i]:
                    # the other cells of the line (zeros count: 0 is known exactly, so skip them)
                    cand = np.flatnonzero(~lines[i] & (cnt[i] > 0))
                    if len(cand):
                        j = cand[np.argmin(cnt[i][cand])]
                        lines[i, j] = True
                    else:
                        tot[i] = True
                    changed = True
        if not changed:
            break
    secondary = hidden & ~primary
    if one_d:
        return Suppression(primary[0], secondary[0], row_tot, col_tot)
    return Suppression(primary, secondary, row_tot, col_tot)


def suppress_frame(values: pd.DataFrame, counts: pd.DataFrame, min_n: int = DEFAULT_MIN_N) -> pd.DataFrame:
    """Return ``values`` with hidden cells set to NaN (same shape as ``counts``)."""
    pat = suppression_pattern(counts.to_numpy(), min_n)
    return values.mask(pat.hidden)


def publish(table, min_n: int = DEFAULT_MIN_N, level: float = 0.95) -> pd.DataFrame:
    """A domain table (:class:`~analysis.results.EstimateTable`) ready for publication.

    Domains with fewer than ``min_n`` unweighted respondents are blanked, and
    if only one domain would be blanked the next smallest is blanked too, so
    it cannot be recovered from the overall figure. A column ``suppressed``
    says which rows were hidden.
    """
    frame = table.to_frame(level)
    pat = suppression_pattern(frame["n"].to_numpy(), min_n)
    cols = [c for c in frame.columns if c not in ("statistic", "variable")]
    frame.loc[pat.hidden, cols] = np.nan
    frame["suppressed"] = np.where(pat.primary, "primary", np.where(pat.secondary, "secondary", ""))
    return frame


def crosstab(design, a: str, b: str, min_n: int = DEFAULT_MIN_N) -> pd.DataFrame:
    """Weighted counts of ``a`` by ``b`` with disclosure control (NaN = suppressed).

    Row and column totals are added as ``"Total"``; totals that could reveal
    a hidden cell are suppressed too.
    """
    ca, la = design._factor(a)
    cb, lb = design._factor(b)
    ok = (ca >= 0) & (cb >= 0)
    shape = (len(la), len(lb))
    flat = ca[ok] * shape[1] + cb[ok]
    counts = np.bincount(flat, minlength=shape[0] * shape[1]).reshape(shape)
    wsum = np.bincount(flat, weights=design._w[ok], minlength=shape[0] * shape[1]).reshape(shape)
    pat = suppression_pattern(counts, min_n)
    out = pd.DataFrame(np.where(pat.hidden, np.nan, wsum), index=pd.Index(la, name=a), columns=pd.Index(lb, name=b))
    out["Total"] = np.where(pat.hidden_row_totals, np.nan, wsum.sum(axis=1))
    out.loc["Total"] = list(np.where(pat.hidden_col_totals, np.nan, wsum.sum(axis=0))) + [wsum.sum()]
    return out
