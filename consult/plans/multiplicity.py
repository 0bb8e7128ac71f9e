"""Correcting p-values for multiple comparisons (``analysis`` has no such function, so it is wrapped here).

Holm controls the family-wise error rate; Benjamini-Hochberg the false discovery rate. Both are R's
``p.adjust(p, method = "holm" | "BH")``, computed by statsmodels.
"""

from __future__ import annotations

import math

from statsmodels.stats.multitest import multipletests

METHODS = {"holm": "holm", "bh": "fdr_bh"}
R_NAMES = {"holm": "holm", "bh": "BH"}


def adjust(p_values: list[float], method: str) -> list[float]:
    """Adjusted p-values in the same order; NaN stays NaN and is not counted in the family."""
    present = [i for i, p in enumerate(p_values) if p is not None and not math.isnan(p)]
    adjusted = [float("nan")] * len(p_values)
    if present:
        _, corrected, _, _ = multipletests([p_values[i] for i in present], method=METHODS[method])
        for i, value in zip(present, corrected):
            adjusted[i] = float(value)
    return adjusted
