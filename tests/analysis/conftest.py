"""Shared helpers for the analysis tests: locating and running the R reference specs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import SurveyDesign, poststratify, rake, calibrate, trim_weights

HERE = Path(__file__).resolve().parent
# shared/ sits beside the repository root: <root>/../shared/reference/r-survey
SHARED_REF = Path(__file__).resolve().parents[2] / ".." / "shared" / "reference" / "r-survey"
LOCAL_REF = HERE / "reference"
RTOL = 1e-6


def load_cases(directory: Path, data_dir: Path | None = None):
    """(id, case, result, data) for every case/op of every r-*.json next to its spec-*.json."""
    out = []
    for rfile in sorted(directory.glob("r-*.json")):
        res = json.loads(rfile.read_text())
        local = directory / res["data"]
        data = pd.read_csv(local if local.exists() else (data_dir or directory) / res["data"])
        for case in res["cases"]:
            for i, op in enumerate(case["results"]):
                label = op.get("var") or op.get("formula") or op.get("a") or ""
                ident = f"{rfile.stem[2:]}:{case['name']}:{i}-{op['op']}-{label}"
                out.append((ident, case, op, data))
    return out


def build_design(case: dict, data: pd.DataFrame):
    ds = case["design"]
    lonely = case.get("lonely_psu") or "fail"
    d = SurveyDesign(
        data,
        weights=ds.get("weights"),
        strata=ds.get("strata"),
        psu=ds.get("ids"),
        fpc=ds.get("fpc"),
        nest=bool(ds.get("nest", False)),
        lonely_psu=lonely,
    )
    cal = case.get("calibrate")
    if cal:
        if cal["type"] == "rake":
            d = rake(d, cal["margins"])
        elif cal["type"] == "poststratify":
            (var, pop), = cal["margins"].items()
            d = poststratify(d, var, pop)
        elif cal["type"] == "calibrate":
            bounds = tuple(cal["bounds"]) if cal.get("bounds") else None
            d = calibrate(d, cal.get("formula") or cal["margins"], population=cal.get("population"),
                          bounds=bounds, method=cal.get("calfun", "linear"))
        elif cal["type"] == "trim":
            d = trim_weights(d, lower=cal.get("lower", -np.inf), upper=cal.get("upper", np.inf))
    if case.get("replicate"):
        d = d.replicate(case["replicate"])
    return d


def close(actual, expected, rtol=RTOL, atol=0.0):
    np.testing.assert_allclose(np.asarray(actual, float), np.asarray(expected, float), rtol=rtol, atol=atol)
