"""Turn strata / PSU / fpc columns into the integer codes the variance needs.

Mirrors R's ``svydesign``: later-stage ids are made unique within earlier
stages, ``nest=True`` makes PSU ids unique within strata, later-stage strata
are nested in the previous stage's units, and ``fpc`` may hold population
sizes (all > 1) or sampling fractions (all <= 1).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from .errors import DesignError
from .variance import Stage


def _as_list(x) -> list:
    if x is None:
        return []
    if isinstance(x, (str, bytes)) or not isinstance(x, Sequence):
        return [x]
    return list(x)


def _codes(values: pd.Series, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Factorise a column (sorted, so labels come out in R's factor order); refuse missing values."""
    if values.isna().any():
        raise DesignError(f"missing values in design variable {name!r}")
    codes, uniques = pd.factorize(values, sort=True)
    return codes.astype(np.int64), np.asarray(uniques)


def _combine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Codes of the interaction of two code vectors (dense, 0-based, order of first appearance is irrelevant)."""
    key = a * (int(b.max()) + 1 if len(b) else 1) + b
    codes, _ = pd.factorize(key, sort=True)
    return codes.astype(np.int64)


def column(df: pd.DataFrame, name) -> pd.Series:
    if name not in df.columns:
        raise DesignError(f"column {name!r} not in the data")
    return df[name]


def build_stages(
    df: pd.DataFrame,
    strata=None,
    psu=None,
    fpc=None,
    nest: bool = False,
) -> tuple[list[Stage], bool, np.ndarray | None]:
    """Build the sampling stages.

    Returns
    -------
    stages : list of Stage
    has_strata : bool
    prob : ndarray or None
        Selection probabilities implied by ``fpc`` (used when no weights are given).
    """
    n = len(df)
    if n == 0:
        raise DesignError("the data have no rows")
    psus = _as_list(psu)
    fpcs = _as_list(fpc)
    stratas = _as_list(strata)
    if len(stratas) > 1:
        raise DesignError("strata must be a single column (later stages are stratified by the earlier units)")
    if fpcs and len(fpcs) != max(len(psus), 1):
        raise DesignError(
            f"fpc has {len(fpcs)} column(s) but the design has {max(len(psus), 1)} stage(s); give one per stage"
        )
    has_strata = bool(stratas)

    # ids: one column per stage; psu=None means every row is its own unit.
    if psus:
        ids = [_codes(column(df, p), p)[0] for p in psus]
    else:
        ids = [np.arange(n, dtype=np.int64)]
    if has_strata:
        s_codes, s_labels = _codes(column(df, stratas[0]), stratas[0])
    else:
        s_codes, s_labels = np.zeros(n, np.int64), np.array([1])

    if len(ids) == 1 and len(np.unique(ids[0])) == 1 and not (nest and has_strata):
        raise DesignError("design has only one primary sampling unit")
    # Later-stage ids nested in the earlier ones (R: interaction of ids[, 1:i]).
    for i in range(1, len(ids)):
        ids[i] = _combine(ids[i - 1], ids[i])
    if nest and has_strata:
        ids = [_combine(s_codes, u) for u in ids]
    elif has_strata and psus:
        first = np.empty(int(ids[0].max()) + 1, np.int64)
        first[ids[0][::-1]] = np.arange(n)[::-1]
        if (s_codes != s_codes[first][ids[0]]).any():
            raise DesignError(
                "PSUs are not nested in strata (the same PSU id appears in several strata); "
                "use nest=True if PSU ids are only unique within strata"
            )

    stages: list[Stage] = []
    prob = np.ones(n)
    fpc_mode = None
    if fpcs:
        fvals = [column(df, f).to_numpy(dtype=float) for f in fpcs]
        if any(np.isnan(v).any() for v in fvals):
            raise DesignError("missing values in fpc")
        allv = np.concatenate(fvals)
        if (allv <= 0).any():
            raise DesignError("fpc must be positive")
        if (allv > 1).any() and not (allv >= 1).all():
            raise DesignError("fpc must be all population sizes (>= 1) or all sampling fractions (<= 1)")
        fpc_mode = "popsize" if (allv > 1).any() else "fraction"

    prev_unit = None
    prev_n_units = 1
    for i, unit_codes in enumerate(ids):
        if i == 0:
            st_codes = s_codes
            labels = [str(x) for x in s_labels]
        else:
            st_codes = prev_unit  # strata at stage i are the units of stage i-1
            labels = [f"unit {j}" for j in range(prev_n_units)]
        # codes from pd.factorize are already dense 0..U-1; first row of each unit without sorting
        n_units = int(unit_codes.max()) + 1
        first = np.empty(n_units, np.int64)
        first[unit_codes[::-1]] = np.arange(n)[::-1]
        unit_stratum = st_codes[first]
        n_strata = int(st_codes.max()) + 1
        sampsize = np.bincount(unit_stratum, minlength=n_strata).astype(float)
        if i == 0:
            stratum_parent = np.zeros(n_strata, np.int64)
            n_parents = 1
        else:
            stratum_parent = np.arange(n_strata, dtype=np.int64)
            n_parents = n_strata
        popsize = None
        if fpc_mode:
            v = fvals[i]
            # one value per stratum; R warns when it varies, we refuse: it is almost always a data error.
            lo = np.full(n_strata, np.inf)
            hi = np.full(n_strata, -np.inf)
            np.minimum.at(lo, st_codes, v)
            np.maximum.at(hi, st_codes, v)
            if (hi - lo > 1e-9 * np.maximum(1, np.abs(hi))).any():
                bad = int(np.flatnonzero(hi - lo > 1e-9 * np.maximum(1, np.abs(hi)))[0])
                raise DesignError(f"fpc varies within stratum {labels[bad]} at stage {i + 1}")
            popsize = hi if fpc_mode == "popsize" else sampsize / hi
            if (popsize < sampsize - 1e-9).any():
                bad = int(np.flatnonzero(popsize < sampsize - 1e-9)[0])
                raise DesignError(
                    f"fpc implies more than 100% sampling in stratum {labels[bad]} at stage {i + 1} "
                    f"(population {popsize[bad]:g}, sample {sampsize[bad]:g})"
                )
            prob = prob * (sampsize / popsize)[st_codes]
        stages.append(
            Stage(
                unit=unit_codes,
                n_units=n_units,
                unit_stratum=unit_stratum,
                n_strata=n_strata,
                stratum_parent=stratum_parent,
                n_parents=n_parents,
                sampsize=sampsize,
                popsize=popsize,
                stratum_labels=labels,
            )
        )
        prev_unit = unit_codes
        prev_n_units = n_units
    return stages, has_strata, (prob if fpc_mode else None)
