"""Edge cases: lonely PSUs, empty domains, missing data, bad weights, raking failures, and the smaller modules."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from analysis import CalibrationError, DesignError, SurveyDesign, calibrate, poststratify, rake, trim_weights
from analysis.contrasts import domain_difference, wave_difference
from analysis.disclosure import crosstab, publish, suppression_pattern
from analysis.quantiles import qrule_math

from .conftest import LOCAL_REF, SHARED_REF


@pytest.fixture(scope="module")
def lonely():
    return pd.read_csv(LOCAL_REF / "lonely.csv")


@pytest.fixture(scope="module")
def strat():
    return pd.read_csv(SHARED_REF / "apistrat.csv")


def test_lonely_psu_fail_raises_with_stratum(lonely):
    d = SurveyDesign(lonely, weights="w", strata="stratum", psu="psu")
    with pytest.raises(DesignError, match=r"Stratum \(C\) has only one PSU"):
        d.mean("y")


@pytest.mark.parametrize("rule", ["adjust", "average", "remove", "certainty"])
def test_lonely_rules_give_finite_se(lonely, rule):
    e = SurveyDesign(lonely, weights="w", strata="stratum", psu="psu", lonely_psu=rule).mean("y")
    assert np.isfinite(e.se) and e.se > 0


def test_lonely_rules_order(lonely):
    se = {r: SurveyDesign(lonely, weights="w", strata="stratum", psu="psu", lonely_psu=r).total("y").se
          for r in ["remove", "certainty", "average"]}
    assert se["remove"] == pytest.approx(se["certainty"])
    assert se["average"] > se["remove"]  # two of four strata dropped, the rest scaled by 4/2


def test_lonely_stratum_absent_from_domain_does_not_fail(lonely):
    sub = lonely.copy()
    sub.loc[sub.stratum.isin(["C", "D"]), "y"] = np.nan
    e = SurveyDesign(sub, weights="w", strata="stratum", psu="psu").mean("y")
    assert np.isfinite(e.se)


def test_bad_lonely_rule(lonely):
    with pytest.raises(DesignError, match="lonely_psu"):
        SurveyDesign(lonely, weights="w", strata="stratum", psu="psu", lonely_psu="ignore")


@pytest.mark.parametrize("bad", [0.0, -1.0, np.nan])
def test_zero_negative_missing_weights_refused(strat, bad):
    df = strat.copy()
    df.loc[3, "pw"] = bad
    with pytest.raises(DesignError, match="weight"):
        SurveyDesign(df, weights="pw", strata="stype")


def test_unknown_column_and_unnested_psu(strat):
    with pytest.raises(DesignError, match="not in the data"):
        SurveyDesign(strat, weights="nope")
    df = pd.DataFrame({"s": [1, 1, 2, 2], "p": [1, 2, 1, 2], "w": 1.0, "y": [1.0, 2, 3, 4]})
    with pytest.raises(DesignError, match="nest=True"):
        SurveyDesign(df, weights="w", strata="s", psu="p")
    d = SurveyDesign(df, weights="w", strata="s", psu="p", nest=True)
    assert d.degf() == 2


def test_all_missing_variable(strat):
    df = strat.assign(empty=np.nan)
    e = SurveyDesign(df, weights="pw", strata="stype", fpc="fpc").mean("empty")
    assert e.n == 0 and np.isnan(e.value)


def test_missing_values_are_a_domain_and_n_counts_rows(strat):
    d = SurveyDesign(strat, weights="pw", strata="stype", fpc="fpc")
    e = d.mean("acs_k3")
    assert e.n == strat["acs_k3"].notna().sum()
    # same as an explicit domain estimate over the non-missing rows
    flag = strat.assign(has=strat["acs_k3"].notna().map({True: "y", False: "n"}))
    t = SurveyDesign(flag, weights="pw", strata="stype", fpc="fpc").by("has").mean("acs_k3")
    assert t["y"].value == pytest.approx(e.value, rel=1e-12) and t["y"].se == pytest.approx(e.se, rel=1e-12)


def test_domain_with_no_respondents(strat):
    df = strat.assign(grp=pd.Categorical(strat["stype"], categories=["E", "H", "M", "X"]))
    t = SurveyDesign(df, weights="pw", strata="stype", fpc="fpc").by("grp").mean("api00")
    assert t["X"].n == 0 and np.isnan(t["X"].value)
    frame = t.to_frame()
    assert list(frame.index) == ["E", "H", "M", "X"] and frame.loc["E", "n"] == 100


def test_domain_is_not_subset(strat):
    d = SurveyDesign(strat, weights="pw", strata="stype", fpc="fpc")
    dom = d.by("awards").mean("api00")["Yes"]
    sub = SurveyDesign(strat[strat.awards == "Yes"], weights="pw", strata="stype", fpc="fpc").mean("api00")
    assert dom.value == pytest.approx(sub.value)
    assert dom.se != pytest.approx(sub.se, rel=1e-6)


def test_rake_non_convergence_reports_margins(strat):
    # inconsistent margins: the two sets of totals disagree on the population size
    with pytest.raises(CalibrationError) as info:
        rake(SurveyDesign(strat, weights="pw", strata="stype"),
             {"stype": {"E": 4421, "H": 755, "M": 1018}, "awards": {"No": 100, "Yes": 200}}, maxit=5)
    assert "stype" in info.value.achieved and set(info.value.achieved["awards"]) == {"No", "Yes"}


def test_rake_level_errors(strat):
    d = SurveyDesign(strat, weights="pw", strata="stype")
    with pytest.raises(DesignError, match="not in the population"):
        rake(d, {"stype": {"E": 1, "H": 1}})
    with pytest.raises(DesignError, match="no respondents"):
        poststratify(d, "stype", {"E": 1, "H": 1, "M": 1, "Z": 5})


def test_calibrated_weights_meet_totals(strat):
    d = SurveyDesign(strat, weights="pw", strata="stype", fpc="fpc")
    r = rake(d, {"stype": {"E": 4000, "H": 800, "M": 1000}, "awards": {"No": 2000, "Yes": 3800}})
    w = r.weights
    assert w[strat.stype == "H"].sum() == pytest.approx(800) and w[strat.awards == "No"].sum() == pytest.approx(2000)
    c = calibrate(d, {"stype": {"E": 4000, "H": 800, "M": 1000}}, bounds=(0.5, 2))
    assert c.weights[strat.stype == "E"].sum() == pytest.approx(4000, rel=1e-6)
    t = trim_weights(d, upper=40, strict=True)
    assert t.weights.max() <= 40 + 1e-9 and t.weights.sum() == pytest.approx(d.weights.sum())


def test_replicate_bootstrap_seeded(strat):
    d = SurveyDesign(strat, weights="pw", strata="stype")
    a = d.replicate("bootstrap", replicates=200, seed=1).mean("api00")
    b = d.replicate("bootstrap", replicates=200, seed=1).mean("api00")
    lin = d.mean("api00")
    assert a.se == b.se and a.value == pytest.approx(lin.value)
    assert 0.7 < a.se / lin.se < 1.3
    with pytest.raises(DesignError, match="JK1"):
        d.replicate("JK1")


def test_raked_replicate_recalibrates(strat):
    d = SurveyDesign(strat, weights="pw", strata="stype", fpc="fpc").replicate("JKn")
    r = rake(d, {"stype": {"E": 4421, "H": 755, "M": 1018}, "sch_wide": {"No": 1072, "Yes": 5122}})
    lin = rake(SurveyDesign(strat, weights="pw", strata="stype", fpc="fpc"),
               {"stype": {"E": 4421, "H": 755, "M": 1018}, "sch_wide": {"No": 1072, "Yes": 5122}})
    assert r.mean("api00").value == pytest.approx(lin.mean("api00").value)
    assert r.mean("api00").se == pytest.approx(lin.mean("api00").se, rel=0.05)


def test_kish(strat):
    d = SurveyDesign(strat, weights="pw", strata="stype")
    w = strat.pw.to_numpy()
    assert d.kish_effective_n() == pytest.approx(w.sum() ** 2 / (w**2).sum())
    assert d.kish_deff() == pytest.approx(len(w) * (w**2).sum() / w.sum() ** 2)


def test_wilson_matches_textbook_under_srs():
    df = pd.DataFrame({"y": ["a"] * 30 + ["b"] * 70})
    e = SurveyDesign(df).proportion("y", "a", method="wilson")
    # unweighted SRS with infinite population: variance p(1-p)/n * n/(n-1); effective n = n - 1
    p, n, z = 0.3, 99, __import__("scipy.stats").stats.t.ppf(0.975, 99)
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    assert e.ci() == pytest.approx((centre - half, centre + half))


def test_qrule_math():
    x = np.array([3.0, 1.0, 2.0, 4.0])
    w = np.ones(4)
    assert qrule_math(x, w, 0.5) == 2.0  # exactly half the weight at 2: the lower value
    assert qrule_math(x, w, 0.51) == 3.0


def test_contrasts_and_waves(strat):
    d = SurveyDesign(strat, weights="pw", strata="stype", fpc="fpc")
    diff = domain_difference(d, "api00", "awards", "Yes", "No")
    t = d.by("awards").mean("api00")
    assert diff.value == pytest.approx(t["Yes"].value - t["No"].value)
    assert 0 <= diff.p_value < 0.05
    dp = domain_difference(d, "sch_wide", "stype", "E", "H", statistic="proportion", level="Yes")
    assert np.isfinite(dp.se)
    w = wave_difference(d, d, "api00")
    assert w.value == 0 and w.se == pytest.approx(np.sqrt(2) * d.mean("api00").se)


def test_scales(strat):
    d = SurveyDesign(strat, weights="pw", strata="stype", fpc="fpc")
    df = strat.assign(q=np.clip(strat.api00 // 200, 1, 5))
    lk = SurveyDesign(df, weights="pw", strata="stype").likert("q", top=2, scale_max=5)
    assert lk.top_levels == (4, 5)
    share = (df.pw * df.q.isin([4, 5])).sum() / df.pw.sum()
    assert lk.top_box.value == pytest.approx(share)
    with pytest.raises(DesignError):
        d.cronbach_alpha(["acs_k3"])


def test_disclosure_secondary_suppression():
    counts = np.array([[3, 20, 30], [25, 40, 50], [30, 35, 45]])
    pat = suppression_pattern(counts, 10)
    assert pat.primary.sum() == 1
    hidden = pat.hidden
    for line in list(hidden) + list(hidden.T):
        assert line.sum() != 1  # no row or column with a single hidden cell
    one = suppression_pattern([4, 50, 12, 60], 10)
    assert one.primary.tolist() == [True, False, False, False] and one.secondary.tolist() == [False, False, True, False]


def test_publish_and_crosstab(strat):
    d = SurveyDesign(strat, weights="pw", strata="stype")
    frame = publish(d.by("cname").mean("api00"), min_n=10)
    small = frame["n"].isna()
    assert small.any() and frame.loc[small, "value"].isna().all()
    tab = crosstab(d, "stype", "awards", min_n=60)
    assert tab.isna().sum().sum() >= 2


def test_cli_roundtrip(tmp_path, strat):
    from analysis.cli import main

    spec = {"design": {"weights": "pw", "strata": "stype", "fpc": "fpc"},
            "estimates": [{"op": "mean", "var": "api00"}, {"op": "mean", "var": "api00", "by": "awards"},
                          {"op": "proportion", "var": "sch_wide", "level": "Yes", "method": "beta"}]}
    (tmp_path / "d.json").write_text(json.dumps(spec))
    data = SHARED_REF / "apistrat.csv"
    assert main([str(data), str(tmp_path / "d.json"), "-o", str(tmp_path / "o.json"), "--no-progress"]) == 0
    out = pd.read_json(tmp_path / "o.json")
    d = SurveyDesign(strat, weights="pw", strata="stype", fpc="fpc")
    assert out.loc[0, "se"] == pytest.approx(d.mean("api00").se)
    assert len(out) == 4
    (tmp_path / "bad.json").write_text(json.dumps({"design": {"weights": "zz"}}))
    assert main([str(data), str(tmp_path / "bad.json")]) == 2


def test_results_are_frozen(strat):
    e = SurveyDesign(strat, weights="pw", strata="stype").mean("api00")
    with pytest.raises(AttributeError):
        e.value = 1.0
    lo, hi = e.ci(0.9)
    assert lo < e.value < hi


def test_package_does_not_import_web_stack():
    import subprocess
    import sys

    code = ("import sys, analysis; bad = [m for m in sys.modules if m.split('.')[0] in "
            "('consult', 'starlette', 'tortoise')]; print(bad); sys.exit(1 if bad else 0)")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
