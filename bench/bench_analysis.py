"""Benchmark of analysis/ on a million synthetic respondents.

    .venv/bin/python bench/bench_analysis.py [--rows 1000000] [--check-rows 3000]

Steps timed: build the design (20 strata, 1,000 PSUs), rake to three margins
(age group, region, country), means with SEs of 10 Likert items on the raked
design, and one domain breakdown (mean by region). Prints the time of each step
and the peak memory (RSS), then checks the fast code against a direct, slow,
loop-based implementation of R's formulas on a small sample.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis import SurveyDesign, rake  # noqa: E402

ITEMS = [f"q{i}" for i in range(1, 11)]


def synthetic(n: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    psu = rng.integers(0, 1000, n)  # 1,000 PSUs ...
    stratum = psu // 50  # ... 50 in each of 20 strata
    df = pd.DataFrame(
        {
            "stratum": stratum,
            "psu": psu,
            "w": rng.uniform(50, 150, n) * (1 + stratum / 20),
            "age": rng.integers(0, 5, n),
            "region": rng.integers(0, 10, n),
            "country": rng.integers(0, 4, n),
        }
    )
    base = rng.normal(0, 1, n) + df["region"].to_numpy() * 0.05
    for i, q in enumerate(ITEMS):
        v = np.clip(np.round(3 + base * 0.8 + rng.normal(0, 1, n) + 0.1 * i), 1, 5)
        v[rng.random(n) < 0.05] = np.nan  # 5 % item non-response
        df[q] = v
    return df


def margins_for(df: pd.DataFrame) -> dict:
    # population totals: sample shares perturbed, scaled to 40 million
    rng = np.random.default_rng(2)
    out = {}
    for var in ("age", "region", "country"):
        share = df[var].value_counts(normalize=True).sort_index()
        share = share * rng.uniform(0.9, 1.1, len(share))
        share = share / share.sum()
        out[var] = {str(k): float(v * 40e6) for k, v in share.items()}
    return out


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(df: pd.DataFrame, margins: dict, report: bool = True):
    times = {}
    t0 = time.perf_counter()
    d = SurveyDesign(df, weights="w", strata="stratum", psu="psu")
    times["build design"] = time.perf_counter() - t0
    t = time.perf_counter()
    r = rake(d, margins)
    times["rake (3 margins)"] = time.perf_counter() - t
    t = time.perf_counter()
    means = {q: r.mean(q) for q in ITEMS}
    times["10 means + SEs"] = time.perf_counter() - t
    t = time.perf_counter()
    dom = r.by("region").mean("q1")
    times["domain breakdown"] = time.perf_counter() - t
    times["total"] = time.perf_counter() - t0
    if report:
        for k, v in times.items():
            print(f"  {k:<20s} {v * 1000:8.1f} ms")
    return d, r, means, dom, times


# ----------------------------------------------------------------------------- slow reference
def slow_variance(df: pd.DataFrame, x: np.ndarray) -> float:
    """Stratified one-stage (with-replacement) variance of sum(x), written out with Python loops."""
    v = 0.0
    for _, sdf in df.assign(_x=x).groupby("stratum"):
        totals = [g["_x"].sum() for _, g in sdf.groupby("psu")]
        nh = len(totals)
        m = sum(totals) / nh
        v += nh / (nh - 1) * sum((t - m) ** 2 for t in totals)
    return v


def slow_rake(df: pd.DataFrame, margins: dict, iters: int = 200):
    """Plain IPF, row by row through pandas, and R's raking residuals (10 back-fitting rounds)."""
    w = df["w"].to_numpy().copy()
    psw = {}
    for _ in range(iters):
        for var, pop in margins.items():
            s = pd.Series(w).groupby(df[var].to_numpy()).sum()
            f = np.array([pop[str(k)] / s[k] for k in df[var]])
            w = w * f
            psw[var] = w.copy()
    return w, psw


def slow_raked_mean(df, margins, var):
    w, psw = slow_rake(df, margins)
    y = df[var].to_numpy()
    ok = ~np.isnan(y)
    W = w[ok].sum()
    mean = np.sum(w[ok] * y[ok]) / W
    x = np.where(ok, w * (np.where(ok, y, 0) - mean) / W, 0.0)
    for _ in range(10):
        for var_m in margins:
            p = psw[var_m]
            x = x - p * pd.Series(x / p).groupby(df[var_m].to_numpy()).transform("mean").to_numpy()
    return mean, np.sqrt(slow_variance(df, x))


def check(n_small: int) -> None:
    df = synthetic(n_small, seed=3)
    df["psu"] = df["psu"] % 60  # a few rows per PSU in the small sample
    df["stratum"] = df["psu"] // 6
    margins = margins_for(df)
    d = SurveyDesign(df, weights="w", strata="stratum", psu="psu")
    worst = 0.0
    for q in ITEMS[:3]:
        e = d.mean(q)
        y = df[q].to_numpy()
        ok = ~np.isnan(y)
        w = df["w"].to_numpy()
        W = w[ok].sum()
        m = np.sum(w[ok] * y[ok]) / W
        x = np.where(ok, w * (np.where(ok, y, 0) - m) / W, 0.0)
        se = np.sqrt(slow_variance(df, x))
        worst = max(worst, abs(e.value - m) / abs(m), abs(e.se - se) / se)
        er = rake(d, margins).mean(q)
        m2, se2 = slow_raked_mean(df, margins, q)
        worst = max(worst, abs(er.value - m2) / abs(m2), abs(er.se - se2) / se2)
    status = "OK" if worst < 1e-8 else "MISMATCH"
    print(f"check against slow reference on {n_small} rows: max relative difference {worst:.2e} -> {status}")
    if status != "OK":
        raise SystemExit(1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--check-rows", type=int, default=3000)
    ap.add_argument("--repeat", type=int, default=3, help="timed runs; the best is reported")
    args = ap.parse_args()
    t = time.perf_counter()
    df = synthetic(args.rows)
    margins = margins_for(df)
    print(f"synthetic data: {args.rows:,} rows in {time.perf_counter() - t:.1f} s (not timed below)")
    best = None
    for i in range(args.repeat):
        print(f"run {i + 1}:")
        *_, times = run(df, margins)
        if best is None or times["total"] < best["total"]:
            best = times
    print(f"best total: {best['total']:.3f} s; peak memory (RSS): {peak_rss_mb():.0f} MB")
    # linearity: half the rows should take about half the time
    half = df.iloc[: args.rows // 2].reset_index(drop=True)
    *_, th = run(half, margins_for(half), report=False)
    print(f"half the rows: {th['total']:.3f} s (ratio {th['total'] / best['total']:.2f}; linear = 0.5)")
    check(args.check_rows)


if __name__ == "__main__":
    main()
