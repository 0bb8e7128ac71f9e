"""Indicator definitions are checked against the survey, and the rules find the recommendation that is due."""

from __future__ import annotations

import pandas as pd
import pytest

from consult.plans.indicators import IndicatorError, IndicatorSpec, check, levels_text, parse_levels
from consult.plans.rules import DEFAULT_RULES, draft, rules_of

CODEBOOK = {
    "safe_night": {"label": {"en": "Safe at night"}, "choices": {}, "type": "range"},
    "area": {"label": {"en": "Area"}, "choices": {"city": {"en": "A city"}, "camp": {"en": "A camp"}},
             "type": "select_one"},
    "household_size": {"label": {"en": "Household"}, "choices": {}, "type": "integer"},
}


def spec(**changes):
    base = dict(code="safe_night", title="Safe at night", objective="protection", kind="share",
                items=("safe_night",), levels={"top": 2, "max": 5}, breakdowns=("area",))
    return IndicatorSpec(**{**base, **changes})


def test_a_valid_definition_passes_and_counts_the_top_boxes():
    assert check(spec(), CODEBOOK).counted() == (4, 5)
    values = spec().values(pd.DataFrame({"safe_night": [5, 3, None, 4.0]}))
    assert values.tolist()[:2] == [1.0, 0.0] and pd.isna(values[2]) and values[3] == 1.0


@pytest.mark.parametrize("changes, message", [
    ({"items": ("nowhere",)}, "no question named"),
    ({"objective": "peace"}, "four strategic objectives"),
    ({"levels": {}}, "which answers"),
    ({"breakdowns": ("household_size",)}, "answer choices"),
    ({"kind": "scale"}, "at least two questions"),
    ({"code": "safe night!"}, "letters, digits"),
])
def test_definitions_the_survey_cannot_answer_are_refused(changes, message):
    with pytest.raises(IndicatorError, match=message):
        check(spec(**changes), CODEBOOK)


def test_levels_are_typed_as_top_boxes_or_codes():
    assert parse_levels("top 2 of 5") == {"top": 2, "max": 5}
    assert parse_levels("yes, maybe") == {"count": ["yes", "maybe"]}
    assert levels_text(parse_levels("4, 5")) == "4, 5"


def indicator(**changes):
    base = {
        "code": "safe_night", "title": "Safe at night", "objective": "protection", "kind": "share",
        "statistic": "proportion", "direction": "higher", "target": None,
        "overall": {"value": 0.5, "low": 0.45, "high": 0.55, "n": 400, "se": 0.025, "deff": 1.1, "suppressed": ""},
        "breakdowns": [], "change": None, "series": [], "r_calls": [],
    }
    return {**base, **changes}


def cell(label, value, n=100):
    return {"label": label, "value": value, "low": value - 0.05, "high": value + 0.05, "n": n, "se": 0.02,
            "deff": None, "suppressed": ""}


def test_a_missed_target_makes_an_alliance_recommendation_with_its_evidence():
    drafts = draft({"indicators": [indicator(target=0.7)]}, rules_of({}))
    assert [(d.rule, d.level, d.objective) for d in drafts] == [("below_target", "alliance", "protection")]
    assert drafts[0].evidence["estimate"] == 0.5 and drafts[0].evidence["target"] == 0.7
    assert "70%" in drafts[0].text and "50%" in drafts[0].text


def test_a_target_met_or_nearly_met_makes_none():
    assert draft({"indicators": [indicator(target=0.53)]}, rules_of({})) == []
    # ... and a lower-is-better indicator under its ceiling is fine.
    assert draft({"indicators": [indicator(target=0.7, direction="lower")]}, rules_of({})) == []


def test_a_significant_decline_is_flagged_and_an_improvement_is_not():
    down = {"previous_label": "Wave 1", "previous_value": 0.6, "value": -0.1, "se": 0.03, "p_value": 0.001,
            "p_adjusted": 0.002}
    drafts = draft({"indicators": [indicator(change=down)]}, rules_of({}))
    assert [(d.rule, d.level) for d in drafts] == [("worsened", "national")]
    assert drafts[0].evidence["change"] == -0.1 and drafts[0].evidence["p_adjusted"] == 0.002
    assert draft({"indicators": [indicator(change={**down, "value": 0.1})]}, rules_of({})) == []
    assert draft({"indicators": [indicator(change={**down, "p_adjusted": 0.2})]}, rules_of({})) == []


def test_the_largest_significant_gap_targets_the_worse_off_group_at_the_local_level():
    breakdown = {"variable": "area", "cells": [cell("city", 0.6), cell("camp", 0.2), cell("town", 0.55)],
                 "gaps": [{"variable": "area", "a": "city", "b": "camp", "value": 0.4, "se": 0.05,
                           "p_value": 1e-6, "p_adjusted": 3e-6},
                          {"variable": "area", "a": "city", "b": "town", "value": 0.05, "se": 0.05,
                           "p_value": 0.3, "p_adjusted": 0.6},
                          {"variable": "area", "a": "camp", "b": "town", "value": -0.35, "se": 0.05,
                           "p_value": 1e-5, "p_adjusted": 2e-5}]}
    drafts = draft({"indicators": [indicator(breakdowns=[breakdown])]}, rules_of({}),
                   label=lambda variable, code: {"camp": "A camp", "city": "A city"}.get(code, code))
    assert len(drafts) == 1
    d = drafts[0]
    assert (d.rule, d.level, d.evidence["group"], d.evidence["compared_with"]) == ("group_gap", "local", "camp", "city")
    assert d.evidence["gap"] == 0.4 and "A camp" in d.text
    # Raising the minimum gap above the evidence silences the rule: thresholds are data.
    assert draft({"indicators": [indicator(breakdowns=[breakdown])]}, rules_of({"group_gap": {"min_gap": 0.5}})) == []


def test_drafts_are_ranked_by_rule_weight_then_effect():
    many = [indicator(code="a", target=0.9), indicator(code="b", target=0.6),
            indicator(code="c", change={"previous_label": "W1", "previous_value": 0.8, "value": -0.3, "se": 0.05,
                                        "p_value": 1e-4, "p_adjusted": 1e-4})]
    drafts = draft({"indicators": many}, rules_of({}))
    assert [(d.indicator_code, d.rule) for d in drafts] == [("a", "below_target"), ("b", "below_target"),
                                                          ("c", "worsened")]


def test_partial_rules_keep_the_defaults():
    rules = rules_of({"significance": 0.01, "worsened": {"min_change": 0.1}})
    assert rules["significance"] == 0.01 and rules["worsened"]["weight"] == DEFAULT_RULES["worsened"]["weight"]
    assert rules["worsened"]["min_change"] == 0.1
