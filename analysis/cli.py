"""``python -m analysis``: estimates from a CSV file and a JSON design file.

Example design file::

    {"design": {"weights": "w", "strata": "country", "psu": "district"},
     "rake": {"age_group": {"18-29": 240000, "30+": 560000}},
     "estimates": [{"op": "mean", "var": "feel_safe"},
                   {"op": "mean", "var": "feel_safe", "by": "region"},
                   {"op": "proportion", "var": "harassment", "level": "yes", "method": "logit"},
                   {"op": "total", "var": "enroll"},
                   {"op": "quantile", "var": "trust", "p": 0.5}],
     "min_n": 10}

Output: one row per estimate (and per domain) with value, se, ci_low,
ci_high, deff, n; domains with fewer than ``min_n`` respondents are
suppressed (with secondary suppression).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from .calibration import calibrate, poststratify, rake
from .design import SurveyDesign
from .disclosure import DEFAULT_MIN_N, suppression_pattern
from .errors import DesignError


class Progress:
    """A minimal progress bar on stderr, shown only for long runs (or when forced)."""

    def __init__(self, total: int, enabled: bool | None = None, after: float = 1.0):
        self.total, self.done, self.start = total, 0, time.perf_counter()
        self.enabled, self.after = enabled, after

    def step(self, label: str = "") -> None:
        self.done += 1
        elapsed = time.perf_counter() - self.start
        show = self.enabled if self.enabled is not None else elapsed > self.after
        if show:
            width = 30
            filled = int(width * self.done / max(self.total, 1))
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} {label[:40]:<40}")
            if self.done == self.total:
                sys.stderr.write("\n")
            sys.stderr.flush()


def build(df: pd.DataFrame, spec: dict) -> SurveyDesign:
    ds = spec.get("design", {})
    allowed = {"weights", "strata", "psu", "fpc", "nest", "lonely_psu"}
    unknown = set(ds) - allowed
    if unknown:
        raise DesignError(f"unknown design keys {sorted(unknown)}; allowed: {sorted(allowed)}")
    d = SurveyDesign(df, **ds)
    if "poststratify" in spec:
        (var, pop), = spec["poststratify"].items()
        d = poststratify(d, var, pop)
    if "rake" in spec:
        d = rake(d, spec["rake"])
    if "calibrate" in spec:
        c = spec["calibrate"]
        d = calibrate(d, c.get("formula") or c["margins"], population=c.get("population"),
                      bounds=tuple(c["bounds"]) if c.get("bounds") else None)
    if spec.get("replicate"):
        d = d.replicate(spec["replicate"])
    return d


def _one(d, op: dict):
    kind = op.get("op")
    var = op.get("var")
    target = d.by(op["by"]) if op.get("by") else d
    if kind == "mean":
        return target.mean(var)
    if kind == "total":
        return target.total(var)
    if kind == "ratio":
        return target.ratio(op["numerator"], op["denominator"])
    if kind == "proportion":
        return target.proportion(var, op["level"], method=op.get("method", "logit"))
    if kind == "quantile":
        return target.quantile(var, float(op["p"]))
    raise DesignError(f"unknown op {kind!r} (mean, total, ratio, proportion, quantile)")


def estimate_table(d, ops: list[dict], min_n: int = DEFAULT_MIN_N, level: float = 0.95,
                   progress: bool | None = None) -> pd.DataFrame:
    """Run the operations and return one tidy table with disclosure control applied."""
    rows = []
    bar = Progress(len(ops), progress)
    for op in ops:
        res = _one(d, op)
        if op.get("by"):
            pat = suppression_pattern([e.n for _, e in res], min_n)
            for (lab, e), hide, prim in zip(res, pat.hidden, pat.primary):
                r = {"op": op["op"], "var": e.variable, "by": op["by"], "domain": str(lab), **e.to_dict(level)}
                r["suppressed"] = ("primary" if prim else "secondary") if hide else ""
                rows.append(r)
        else:
            r = {"op": op["op"], "var": res.variable, "by": "", "domain": "", **res.to_dict(level)}
            r["suppressed"] = "primary" if 0 < res.n < min_n else ""
            rows.append(r)
        bar.step(f"{op.get('op')} {op.get('var', '')}")
    out = pd.DataFrame(rows).drop(columns=["statistic", "variable"])
    hide = out["suppressed"] != ""
    out.loc[hide, ["value", "se", "ci_low", "ci_high", "deff"]] = np.nan
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m analysis", description="Design-based survey estimates from a CSV file.")
    ap.add_argument("data", type=Path, help="CSV file, one row per respondent")
    ap.add_argument("design", type=Path, help="JSON design file (design, optional rake/poststratify/calibrate, estimates)")
    ap.add_argument("-o", "--output", type=Path, help="output file (default: stdout)")
    ap.add_argument("-f", "--format", choices=["csv", "json"], help="output format (default: from the extension, else csv)")
    ap.add_argument("--min-n", type=int, help=f"disclosure threshold (default {DEFAULT_MIN_N}, or min_n in the design file)")
    ap.add_argument("--level", type=float, default=0.95, help="confidence level (default 0.95)")
    ap.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                    help="force the progress bar on or off (default: shown when the run is long)")
    args = ap.parse_args(argv)
    try:
        spec = json.loads(args.design.read_text())
        df = pd.read_csv(args.data)
        d = build(df, spec)
        min_n = args.min_n if args.min_n is not None else int(spec.get("min_n", DEFAULT_MIN_N))
        table = estimate_table(d, spec.get("estimates", []), min_n=min_n, level=args.level, progress=args.progress)
    except (DesignError, OSError, ValueError, KeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    fmt = args.format or ("json" if args.output and args.output.suffix == ".json" else "csv")
    text = table.to_json(orient="records", indent=1) if fmt == "json" else table.to_csv(index=False)
    if args.output:
        args.output.write_text(text)
    else:
        sys.stdout.write(text)
    return 0
