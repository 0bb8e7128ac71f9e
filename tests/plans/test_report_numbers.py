"""The report's numbers are the numbers of direct ``analysis`` calls on the same design."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis import SurveyDesign, rake
from analysis.contrasts import domain_difference, wave_difference
from analysis.disclosure import publish
from analysis.scales import scale_score
from consult.plans import synthetic
from consult.plans.design import settings_of
from consult.plans.indicators import IndicatorSpec
from consult.plans.multiplicity import adjust
from consult.plans.report import WaveInput, compute_report

SAFE_NIGHT = IndicatorSpec("safe_night", "Feel safe at night", "protection", "share", ("safe_night",),
                           {"top": 2, "max": 5}, breakdowns=("country", "area"))
TRUST = IndicatorSpec("trust_police", "Trust in the police", "leadership", "mean", ("trust_police",), {},
                      breakdowns=("country",))
SAFETY = IndicatorSpec("safety", "Safety scale", "prevention", "scale", ("safe_night", "safe_day", "safe_home"),
                       {}, breakdowns=("area",))
ATTENDED = IndicatorSpec("attended", "Attended a meeting", "participation", "share", ("meeting_attended",),
                         {"count": ["yes"], "exclude": ["prefer_not"]}, breakdowns=("age_group",))
SPECS = [SAFE_NIGHT, TRUST, SAFETY, ATTENDED]


@pytest.fixture(scope="module")
def waves():
    return [WaveInput(i, f"Wave {i}", pd.DataFrame(synthetic.answers(300, i)), synthetic.MARGINS) for i in (1, 2)]


@pytest.fixture(scope="module")
def report(waves):
    return compute_report("Tracker", waves, SPECS, settings_of({}), {}).to_dict()


def direct_design(frame: pd.DataFrame) -> SurveyDesign:
    """The design built by hand, as an analyst would in a notebook."""
    known = np.ones(len(frame), bool)
    for var, pop in synthetic.MARGINS.items():
        known &= frame[var].isin(list(pop)).to_numpy()
    data = frame.loc[known].reset_index(drop=True).copy()
    data["night_top2"] = np.where(data["safe_night"].isna(), np.nan, data["safe_night"].isin([4, 5]).astype(float))
    data["attended_yes"] = data["meeting_attended"].map({"yes": 1.0, "no": 0.0})
    return rake(SurveyDesign(data), synthetic.MARGINS)


def close(a, b):
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def test_overall_estimates_equal_analysis(report, waves):
    d = direct_design(waves[1].frame)
    by_code = {i["code"]: i for i in report["indicators"]}
    night = d.likert("safe_night", top=2, scale_max=5).top_box
    prop = d.proportion("night_top2", 1)
    got = by_code["safe_night"]["overall"]
    assert close(got["value"], night.value) and close(got["se"], night.se) and got["n"] == night.n
    assert close(got["low"], prop.ci()[0]) and close(got["high"], prop.ci()[1]) and close(got["deff"], prop.deff)
    trust = d.mean("trust_police")
    got = by_code["trust_police"]["overall"]
    assert close(got["value"], trust.value) and close(got["se"], trust.se) and close(got["deff"], trust.deff)
    assert close(got["low"], trust.ci()[0])
    scale = scale_score(d, ["safe_night", "safe_day", "safe_home"])
    got = by_code["safety"]["overall"]
    assert close(got["value"], scale.value) and close(got["se"], scale.se) and got["n"] == scale.n
    attended = d.proportion("attended_yes", 1)
    assert close(by_code["attended"]["overall"]["value"], attended.value)
    assert report["analysed"] == d.n and report["excluded"] == len(waves[1].frame) - d.n


def test_breakdowns_and_gaps_equal_analysis(report, waves):
    d = direct_design(waves[1].frame)
    night = next(i for i in report["indicators"] if i["code"] == "safe_night")
    by_area = next(b for b in night["breakdowns"] if b["variable"] == "area")
    table = publish(d.by("area").proportion("night_top2", 1))
    for cell in by_area["cells"]:
        row = table.loc[cell["label"]]
        if row["suppressed"]:
            assert cell["value"] is None
        else:
            assert close(cell["value"], row["value"]) and close(cell["low"], row["ci_low"])
            assert cell["n"] == row["n"]
    for gap in by_area["gaps"]:
        expected = domain_difference(d, "night_top2", "area", gap["a"], gap["b"], statistic="proportion", level=1)
        assert close(gap["value"], expected.value) and close(gap["se"], expected.se)
        assert close(gap["p_value"], expected.p_value)


def test_gap_p_values_are_corrected_across_the_report(report):
    gaps = [g for i in report["indicators"] for b in i["breakdowns"] for g in b["gaps"]]
    assert len(gaps) > 5
    assert report["settings"]["correction"] == "holm" and report["settings"]["correction_r"] == "holm"
    expected = adjust([g["p_value"] for g in gaps], "holm")
    assert all(close(g["p_adjusted"], e) for g, e in zip(gaps, expected))


def test_change_since_previous_wave_equals_wave_difference(report, waves):
    before, after = direct_design(waves[0].frame), direct_design(waves[1].frame)
    night = next(i for i in report["indicators"] if i["code"] == "safe_night")
    expected = wave_difference(after, before, "night_top2", statistic="proportion", level=1)
    assert close(night["change"]["value"], expected.value) and close(night["change"]["p_value"], expected.p_value)
    assert [p["label"] for p in night["series"]] == ["Wave 1", "Wave 2"]
    assert close(night["series"][0]["value"], before.proportion("night_top2", 1).value)


def test_small_cells_are_suppressed_and_counted(waves):
    frame = waves[1].frame.copy()
    # Only three respondents in camps: a primary suppression, and a secondary one to protect it.
    camp = frame.index[frame["area"] == "camp"]
    frame = frame.drop(camp[3:])
    small = compute_report("T", [WaveInput(2, "Wave 2", frame, synthetic.MARGINS)], [SAFE_NIGHT],
                           settings_of({"rake": False}), {}).to_dict()
    area = next(b for b in small["indicators"][0]["breakdowns"] if b["variable"] == "area")
    cells = {c["label"]: c for c in area["cells"]}
    assert cells["camp"]["suppressed"] == "primary" and cells["camp"]["value"] is None and cells["camp"]["n"] is None
    assert sum(1 for c in area["cells"] if c["suppressed"] == "secondary") == 1
    assert small["suppressed_cells"] >= 2
    assert all("camp" not in (g["a"], g["b"]) for g in area["gaps"])


def test_benjamini_hochberg_is_used_when_chosen(waves):
    bh = compute_report("T", waves, [SAFE_NIGHT], settings_of({"correction": "bh"}), {}).to_dict()
    gaps = [g for b in bh["indicators"][0]["breakdowns"] for g in b["gaps"]]
    assert bh["settings"]["correction_r"] == "BH"
    assert all(close(g["p_adjusted"], e) for g, e in zip(gaps, adjust([g["p_value"] for g in gaps], "bh")))
