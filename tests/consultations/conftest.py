"""Fixtures for the consultation tests: people of each role signed in through the accounts code flow (once each;
their session cookies are swapped on the one client), a clock that stands still, and helpers for the cycle."""

from __future__ import annotations

import re

import pytest

from consult.accounts.models import User
from consult.accounts.users import create_user
from tests.support.mailbox import code_in

DRAFT_V1 = """# Gender-responsive leadership

Allies appoint a senior gender adviser in every national delegation by 2026.

Every strategic document is reviewed for its gender perspective before adoption.

# Women's participation

Women make up at least a third of every negotiation team.

Civil society organisations are consulted before each summit.
"""

DRAFT_V1_FR = """# Leadership tenant compte du genre

Les Alliés nomment une conseillère principale pour le genre dans chaque délégation nationale d'ici 2026.

Chaque document stratégique est examiné sous l'angle du genre avant son adoption.

# Participation des femmes

Les femmes représentent au moins un tiers de chaque équipe de négociation.

Les organisations de la société civile sont consultées avant chaque sommet.
"""

DRAFT_V2 = """# Gender-responsive leadership

Allies appoint a senior gender adviser in every national delegation and in every mission by 2026.

Every strategic document is reviewed for its gender perspective before adoption.

# Women's participation

Women make up at least half of every negotiation team.

A new paragraph on funding for women's organisations in conflict-affected countries.
"""


class People:
    """Users of each role; ``as_(name)`` makes the client act as that user (signing in by code the first time)."""

    def __init__(self, client, mailbox):
        self.client, self.mailbox = client, mailbox
        self.cookies: dict[str, str] = {}
        self.users: dict[str, User] = {}

    def add(self, name: str, role: str, language: str = "en") -> User:
        email = f"{name}@example.org"

        async def make():
            return await create_user(email, role, name.capitalize(), language, verified=True)

        self.users[name] = self.client.run(make)
        return self.users[name]

    def deliver(self) -> int:
        return self.client.run(self.client.app.state.mailer.deliver_pending)

    def as_(self, name: str | None):
        self.client.cookies.delete("session")
        if name is None:
            return self.client
        if name not in self.cookies:
            email = self.users[name].email
            response = self.client.post_form("/account/login", {"email": email})
            assert response.status_code in (200, 303), response.text
            self.deliver()
            code = code_in(self.mailbox.last_to(email))
            response = self.client.post_form("/account/verify", {"purpose": "login", "email": email, "code": code})
            assert response.status_code == 303, response.text
            self.cookies[name] = self.client.cookies.get("session")
            self.mailbox.clear()
        self.client.cookies.set("session", self.cookies[name])
        return self.client


@pytest.fixture
def people(client, mailbox, fake_clock):
    p = People(client, mailbox)
    p.add("admin", "admin")
    p.add("amal", "panel", "en")
    p.add("claire", "panel", "fr")
    p.add("olena", "panel", "uk")
    p.add("rita", "respondent")
    return p


def create_consultation(client, title="Draft action plan", languages=("en", "fr"), closes_at="2099-01-01T12:00",
                        visibility="members", show_authors="") -> int:
    data = {"title": title, "summary": "A draft for comment.", "languages": list(languages), "opens_at": "",
            "closes_at": closes_at, "time_zone": "Europe/Brussels", "visibility": visibility}
    if show_authors:
        data["show_authors"] = "1"
    response = client.post_form("/consultations/new", data)
    assert response.status_code == 303, response.text
    return int(re.search(r"/consultations/(\d+)/draft", response.headers["location"]).group(1))


def upload_draft(client, cid, texts: dict[str, str], note=""):
    data = {f"text_{code}": text for code, text in texts.items()}
    data["note"] = note
    return client.post_form(f"/consultations/{cid}/draft", data)


def paragraph_keys(client, cid, version=None) -> list[str]:
    page = client.get(f"/consultations/{cid}" + (f"?v={version}" if version else ""))
    assert page.status_code == 200, page.text
    return re.findall(r'<section class="paragraph" id="p-([\w-]+)"', page.text)
