"""Wrong passwords per account, counted in the database (consult/accounts/password_limits.py), on both databases."""

from __future__ import annotations

import asyncio
import datetime as dt

from consult.accounts import password_limits
from consult.accounts.models import PasswordFailures
from tests.accounts.conftest import STRONG

WINDOW = dt.timedelta(minutes=15)


def _count(client, key):
    async def read():
        row = await PasswordFailures.get_or_none(key=key)
        return row.failures if row else 0

    return client.run(read)


def test_failures_block_at_the_limit_until_the_window_ends(client, fake_clock):
    async def fail(times):
        for _ in range(times):
            await password_limits.failed("a" * 64, WINDOW)

    client.run(fail, 9)
    assert not client.run(password_limits.blocked, "a" * 64, 10, WINDOW)
    client.run(fail, 1)
    assert client.run(password_limits.blocked, "a" * 64, 10, WINDOW)
    assert not client.run(password_limits.blocked, "b" * 64, 10, WINDOW)  # another account is not touched
    fake_clock.advance(minutes=14, seconds=59)
    assert client.run(password_limits.blocked, "a" * 64, 10, WINDOW)
    fake_clock.advance(seconds=1)
    assert not client.run(password_limits.blocked, "a" * 64, 10, WINDOW)
    client.run(fail, 1)  # a new window: its count starts at one, not at eleven
    assert _count(client, "a" * 64) == 1


def test_a_right_password_clears_the_count(client):
    async def fail_then_clear():
        for _ in range(3):
            await password_limits.failed("c" * 64, WINDOW)
        await password_limits.cleared("c" * 64)

    client.run(fail_then_clear)
    assert _count(client, "c" * 64) == 0


def test_concurrent_failures_are_all_counted(client):
    # On PostgreSQL these run on several pooled connections at once: each is one statement, none is lost, and the
    # first failures of one address racing to create its row end up on one row.
    async def fail_together():
        await asyncio.gather(*(password_limits.failed("d" * 64, WINDOW) for _ in range(20)))
        return await PasswordFailures.filter(key="d" * 64).count()

    assert client.run(fail_together) == 1
    assert _count(client, "d" * 64) == 20


def test_ended_windows_are_forgotten_when_a_new_address_fails(client, fake_clock):
    client.run(password_limits.failed, "e" * 64, WINDOW)
    fake_clock.advance(minutes=10)
    client.run(password_limits.failed, "f" * 64, WINDOW)
    fake_clock.advance(minutes=6)
    client.run(password_limits.failed, "g" * 64, WINDOW)  # e's window has ended, f's has not
    assert (_count(client, "e" * 64), _count(client, "f" * 64), _count(client, "g" * 64)) == (0, 1, 1)


def test_the_sign_in_page_counts_in_the_database(client, flows, fake_clock):
    """The limit is the database's: another app on the same database (another server) sees the same count."""
    flows.create_account("counted@example.org", password=STRONG)
    flows.sign_out()
    for _ in range(9):
        wrong = client.post_form("/account/login", {"method": "password", "email": "counted@example.org",
                                                    "password": "x"})
        assert wrong.status_code == 400
    right = client.post_form("/account/login", {"method": "password", "email": "counted@example.org",
                                                "password": STRONG})
    assert right.status_code == 303  # nine wrong ones do not block; the right one clears them
    flows.sign_out()

    async def count_rows():
        return await PasswordFailures.all().count()

    assert client.run(count_rows) == 0
    for _ in range(10):
        client.post_form("/account/login", {"method": "password", "email": "Counted@Example.org ", "password": "x"})
    assert client.run(count_rows) == 1  # one account, however its address was typed
    refused = client.post_form("/account/login", {"method": "password", "email": "counted@example.org",
                                                  "password": STRONG})
    assert refused.status_code == 429 and "Too many attempts" in refused.text
    assert 'value="counted@example.org"' in refused.text  # what she typed is kept
    fake_clock.advance(minutes=15)
    assert client.post_form("/account/login", {"method": "password", "email": "counted@example.org",
                                               "password": STRONG}).status_code == 303
