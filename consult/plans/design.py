"""From a tracker's design settings and a wave's answers to an ``analysis.SurveyDesign`` (raked when asked).

The settings are data (``Tracker.design``)::

    {"weights": "w" | null, "strata": "stratum" | null, "psu": "cluster" | null,
     "rake": true, "min_n": 10, "correction": "holm" | "bh", "level": 0.95}

Weights, strata and clusters are columns of the survey (questions or imported columns). With ``rake`` the
weights are calibrated by raking to the population margins uploaded for the survey. Raking needs every row to
have a category the margins know (R's ``rake`` fails otherwise), so rows with another or no answer to a
weighting variable are left out of the weighted analysis, and the report says how many.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from analysis import SurveyDesign, rake

DEFAULT_DESIGN = {"weights": None, "strata": None, "psu": None, "rake": True, "min_n": 10,
                  "correction": "holm", "level": 0.95}
CORRECTIONS = ("holm", "bh")


def settings_of(raw: dict | None) -> dict:
    """The tracker's design settings completed with the defaults."""
    merged = {**DEFAULT_DESIGN, **(raw or {})}
    if merged["correction"] not in CORRECTIONS:
        merged["correction"] = "holm"
    merged["min_n"] = int(merged["min_n"])
    merged["level"] = float(merged["level"])
    return merged


@dataclass(frozen=True)
class BuiltDesign:
    """A design ready for estimates, and what to say about how it was made.

    Attributes
    ----------
    design : analysis.SurveyDesign
    respondents : int
        Complete responses of the wave.
    excluded : int
        Responses left out because a weighting variable had no category in the margins.
    margins : dict
        The margins raked to (empty when not raked).
    r_calls : tuple of str
        The R ``survey`` calls that build the same design.
    """

    design: SurveyDesign
    respondents: int
    excluded: int
    margins: dict = field(default_factory=dict)
    r_calls: tuple = ()


def build_design(frame: pd.DataFrame, settings: dict, margins: dict[str, dict[str, float]]) -> BuiltDesign:
    """Build (and rake) the design of one wave.

    Parameters
    ----------
    frame : pandas.DataFrame
        The wave's answers, one row per respondent.
    settings : dict
        :func:`settings_of` output.
    margins : dict
        ``{variable: {category: population}}``; only variables that are columns of ``frame`` are used.
    """
    respondents = len(frame)
    used = {var: pop for var, pop in margins.items() if var in frame.columns} if settings["rake"] else {}
    keep = pd.Series(True, index=frame.index)
    for var, pop in used.items():
        keep &= frame[var].astype("string").isin([str(k) for k in pop])
    data = frame.loc[keep].reset_index(drop=True)
    for var in used:
        data[var] = data[var].astype(str)
    design = SurveyDesign(data, weights=settings["weights"], strata=settings["strata"], psu=settings["psu"],
                          nest=bool(settings["strata"] and settings["psu"]), lonely_psu="adjust")
    calls = [_r_svydesign(settings)]
    if used:
        design = rake(design, used)
        calls.append(_r_rake(used))
    return BuiltDesign(design=design, respondents=respondents, excluded=respondents - len(data), margins=used,
                       r_calls=tuple(calls))


def _r_svydesign(settings: dict) -> str:
    ids = f"~{settings['psu']}" if settings["psu"] else "~1"
    parts = [f"ids = {ids}"]
    if settings["strata"]:
        parts.append(f"strata = ~{settings['strata']}")
        if settings["psu"]:
            parts.append("nest = TRUE")
    if settings["weights"]:
        parts.append(f"weights = ~{settings['weights']}")
    return "options(survey.lonely.psu = \"adjust\")\nd <- svydesign(" + ", ".join(parts) + ", data = wave)"


def _r_rake(margins: dict) -> str:
    formulas = ", ".join(f"~{var}" for var in margins)
    tables = ", ".join(
        f"data.frame({var} = c({', '.join(repr(str(k)).replace(chr(39), chr(34)) for k in pop)}), "
        f"Freq = c({', '.join(f'{v:g}' for v in pop.values())}))"
        for var, pop in margins.items())
    return f"d <- rake(d, list({formulas}), list({tables}))"
