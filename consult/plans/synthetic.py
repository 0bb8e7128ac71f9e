"""Answers that look like the demonstration perception survey, drawn from a fixed random seed.

Used by the demo (two waves of the demo survey, so that reports have a change and a time series) and by the
tests. The effects are built in on purpose, so that the recommendation rules have something to find: women in
camps and villages feel much less safe at night, trust in the police is low, and the feeling of safety improves
from one wave to the next.
"""

from __future__ import annotations

import numpy as np

COUNTRIES = ("ua", "iq", "af", "co", "ml")
AGES = ("18_24", "25_34", "35_44", "45_54", "55_64", "65_plus")
AREAS = ("city", "town", "village", "camp")

#: Population margins for raking (thousands of adult women; illustrative).
MARGINS = {
    "country": {"ua": 16000, "iq": 11000, "af": 10000, "co": 19000, "ml": 5000},
    "age_group": {"18_24": 9000, "25_34": 13000, "35_44": 12000, "45_54": 10000, "55_64": 9000, "65_plus": 8000},
    "area": {"city": 30000, "town": 14000, "village": 14000, "camp": 3000},
}


def _likert(rng, centre: float) -> int:
    return int(np.clip(np.rint(rng.normal(centre, 1.0)), 1, 5))


def answers(n: int, wave: int = 1, seed: int = 1325) -> list[dict]:
    """``n`` complete answer documents for wave ``wave`` (1, 2, …)."""
    rng = np.random.default_rng(seed + wave)
    rows = []
    for _ in range(n):
        country = str(rng.choice(COUNTRIES, p=[0.3, 0.15, 0.1, 0.35, 0.1]))
        area = str(rng.choice(AREAS, p=[0.55, 0.2, 0.17, 0.08]))
        age = str(rng.choice(AGES + ("prefer_not",), p=[0.2, 0.25, 0.2, 0.15, 0.1, 0.08, 0.02]))
        unsafe = {"city": 0.0, "town": 0.2, "village": 0.9, "camp": 1.4}[area]
        centre = 3.4 - unsafe + 0.35 * (wave - 1)
        gbv_continue = "yes" if rng.random() < 0.8 else "no"
        rows.append({
            "consent": "yes", "country": country, "age_group": age,
            "gender": "woman" if rng.random() < 0.85 else "man", "area": area,
            "household_size": int(rng.integers(1, 9)),
            "safe_night": _likert(rng, centre), "safe_day": _likert(rng, centre + 0.8),
            "safe_home": _likert(rng, centre + 0.9), "safe_transport": _likert(rng, centre),
            "safe_market": _likert(rng, centre + 0.5),
            "trust_police": _likert(rng, 2.3 + (0.6 if country == "co" else 0)),
            "trust_courts": _likert(rng, 2.6), "trust_women_orgs": _likert(rng, 3.9),
            "meeting_attended": str(rng.choice(["yes", "no", "prefer_not"], p=[0.25, 0.72, 0.03])),
            "meeting_wish": str(rng.choice(["yes", "maybe", "no"], p=[0.55, 0.25, 0.2])),
            "women_influence": _likert(rng, 2.5 + 0.1 * (wave - 1)),
            "gbv_continue": gbv_continue,
            "gbv_concern": (str(rng.choice(["not_at_all", "a_little", "very"], p=[0.2, 0.35, 0.45]))
                            if gbv_continue == "yes" else None),
        })
    return rows
