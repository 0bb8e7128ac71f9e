"""Shared set-up for the plans tests: two demo survey waves linked to a tracker, and signing in by role."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets

import pytest
from itsdangerous import URLSafeSerializer

from consult.plans import sources, synthetic
from consult.plans.indicators import IndicatorSpec

SPECS = [
    IndicatorSpec("safe_night", "Women who feel safe walking alone at night", "protection", "share",
                  ("safe_night",), {"top": 2, "max": 5}, target=0.7, breakdowns=("country", "area")),
    IndicatorSpec("trust_police", "Trust in the police", "leadership", "mean", ("trust_police",), {},
                  target=3.5, breakdowns=("country",)),
    IndicatorSpec("attended", "Attended a public meeting", "participation", "share", ("meeting_attended",),
                  {"count": ["yes"], "exclude": ["prefer_not"]}, breakdowns=("age_group",)),
]


@functools.lru_cache(maxsize=1)
def demo_form():
    from consult.surveys.demo_form import build_demo_xlsform
    from consult.surveys.xlsform import import_xlsform

    return import_xlsform(build_demo_xlsform())


async def make_tracker(n: int = 160, waves: int = 2, specs=SPECS):
    """A tracker with ``waves`` waves of ``n`` synthetic responses each, and the indicators ``specs``."""
    from consult.plans import service

    tracker = await service.create_tracker("perceptions", "Women's perceptions of security")
    for number in range(1, waves + 1):
        survey = await sources.demo_wave(demo_form(), synthetic.answers(n, number), synthetic.MARGINS)
        await service.add_wave(tracker, survey, f"Wave {number}")
    codebook = await service.latest_codebook(tracker)
    for spec in specs:
        await service.save_indicator(tracker, spec, codebook)
    return tracker


async def make_user(role: str):
    from consult.accounts.users import create_user

    return await create_user(f"{role}-{secrets.token_hex(3)}@example.org", role, verified=True)


async def _start_session(user) -> str:
    from consult.accounts.models import Session

    session_id = secrets.token_urlsafe(32)
    now = dt.datetime.now(dt.timezone.utc)
    await Session.create(key_hash=hashlib.sha256(session_id.encode()).hexdigest(), user=user, created_at=now,
                         last_seen_at=now, expires_at=now + dt.timedelta(days=1))
    return session_id


def sign_in(client, role: str):
    """Sign ``client`` in as a new user with ``role``; returns the user."""
    user = client.run(make_user, role)
    session_id = client.run(_start_session, user)
    cookie = URLSafeSerializer(client.app_settings.secret_key, salt="consult.session").dumps(session_id)
    client.cookies.set("session", cookie)
    return user


@pytest.fixture
def tracker(client):
    return client.run(make_tracker)
