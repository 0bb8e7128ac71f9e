"""Fixtures for the account tests: cheap argon2 and helpers to go through the flows."""

from __future__ import annotations

import dataclasses
import re

import pytest

from consult.accounts import passwords
from consult.app import create_app
from tests.support.mailbox import code_in, text_of

STRONG = "Tr4il-Mix!ng-Kettle"


@pytest.fixture
def app(settings, fake_clock):
    app = create_app(settings)
    # Cheap hashing keeps the suite fast; production parameters are the defaults of AccountSettings.
    app.state.accounts = dataclasses.replace(app.state.accounts, argon2_time_cost=1, argon2_memory_kib=8,
                                             argon2_parallelism=1)
    passwords.configure(1, 8, 1)
    return app


@pytest.fixture
def deliver(client):
    """Send what the outbox holds now (waits for the app's own loop if it is mid-batch); returns how many."""
    return lambda: client.run(client.app.state.mailer.deliver_pending)


class Flows:
    def __init__(self, client, mailbox, deliver):
        self.client, self.mailbox, self.deliver = client, mailbox, deliver

    def register(self, email, name="Test User", language="en", password=""):
        response = self.client.post_form("/account/register", {"email": email, "display_name": name,
                                                               "language": language, "password": password})
        assert response.status_code == 303, response.text
        return response

    def code_for(self, email):
        self.deliver()
        return code_in(self.mailbox.last_to(email))

    def verify(self, purpose, email, code, next_url=""):
        return self.client.post_form("/account/verify", {"purpose": purpose, "email": email, "code": code,
                                                         "next": next_url})

    def create_account(self, email, role="respondent", password="", name="Test User", language="en"):
        self.register(email, name=name, language=language, password=password)
        response = self.verify("register", email, self.code_for(email))
        assert response.status_code == 303, response.text
        if role != "respondent":
            from consult.accounts.models import User

            async def promote():
                await User.filter(email=email).update(role=role)

            self.client.run(promote)
        return response

    def sign_out(self):
        self.client.post_form("/account/logout")

    def sign_in_by_code(self, email, next_url=""):
        self.client.post_form("/account/login", {"email": email, "next": next_url})
        return self.verify("login", email, self.code_for(email), next_url)

    def link_in(self, email, pattern):
        self.deliver()
        match = re.search(pattern, text_of(self.mailbox.last_to(email)))
        assert match, text_of(self.mailbox.last_to(email))
        return match.group(0)


@pytest.fixture
def flows(client, mailbox, deliver):
    return Flows(client, mailbox, deliver)


async def get_user(email):
    from consult.accounts.models import User

    return await User.get_or_none(email=email)
