"""Every value R's survey package computed for the shared reference specs, at relative tolerance 1e-6.

The expected values are read from ``shared/reference/r-survey`` (and from
``tests/analysis/reference`` for the extra specs) at test time; nothing is
copied into this file.
"""

from __future__ import annotations

import numpy as np
import pytest

from .conftest import LOCAL_REF, RTOL, SHARED_REF, build_design, close, load_cases

CASES = load_cases(SHARED_REF) + (load_cases(LOCAL_REF, SHARED_REF) if LOCAL_REF.exists() else [])
_designs: dict = {}


def _design(case, data):
    key = (id(data), case["name"])
    if key not in _designs:
        _designs[key] = build_design(case, data)
    return _designs[key]


def run_op(d, op):
    """Compute our answer to one R operation, in R's shape."""
    kind = op["op"]
    if kind == "mean":
        e = d.mean(op["var"])
        return {"value": e.value, "se": e.se, "deff": e.deff}
    if kind == "total":
        e = d.total(op["var"])
        return {"value": e.value, "se": e.se}
    if kind == "ratio":
        e = d.ratio(op["num"], op["den"])
        return {"value": e.value, "se": e.se}
    if kind == "proportion":
        e = d.proportion(op["var"], op["level"], method=op["method"])
        lo, hi = e.ci(0.95)
        return {"value": e.value, "se": e.se, "ci_low": lo, "ci_high": hi}
    if kind == "quantile":
        e = d.quantile(op["var"], op["p"])
        lo, hi = e.ci()
        return {"value": e.value, "ci_low": lo, "ci_high": hi, "se": e.se}
    if kind == "by_mean":
        t = d.by(op["by"]).mean(op["var"])
        present = [str(lab) for lab, e in t if e.n > 0]
        return {"domains": present, "value": [t[k].value for k in present], "se": [t[k].se for k in present]}
    if kind == "chisq":
        r = d.chisq(op["a"], op["b"], statistic=op["statistic"])
        return {"statistic": r.statistic, "df": list(r.df) if isinstance(r.df, tuple) else r.df, "p": r.p_value}
    if kind == "glm":
        m = d.glm(op["formula"], family=op["family"])
        return {"terms": list(m.params.index), "value": m.params.to_numpy(), "se": m.bse.to_numpy()}
    if kind == "weights":
        w = d.weights
        return {"first": w[:20], "sum": w.sum()}
    if kind == "cralpha":
        return {"value": d.cronbach_alpha(op["vars"]).value}
    if kind == "contrast":
        from analysis.contrasts import domain_difference

        e = domain_difference(d, op["var"], op["by"], op["levels"][0], op["levels"][1])
        return {"value": e.value, "se": e.se}
    raise NotImplementedError(kind)


@pytest.mark.parametrize("case,op,data", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_matches_r(case, op, data):
    d = _design(case, data)
    got = run_op(d, op)
    expected = op["result"]
    for key, want in expected.items():
        if key in ("domains", "terms"):
            assert list(got[key]) == list(want)
            continue
        if want is None:
            assert got[key] is None or np.all(np.isnan(got[key]))
            continue
        close(got[key], want, rtol=RTOL)
