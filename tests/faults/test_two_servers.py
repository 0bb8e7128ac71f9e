"""Two `consult serve` processes on one PostgreSQL database, as behind a proxy (docs/deployment.md): a session
started on one continues on the other, the shared outbox is delivered by both servers' loops, each message
exactly once (``FOR UPDATE SKIP LOCKED`` claims), and wrong passwords are counted for both."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
from collections import Counter

import psycopg
import pytest

from tests.faults.conftest import LiveServers, make_database, post_form
from tests.faults.test_postgres_restart import add_user, sign_in_by_code, wait_for
from tests.support.mailbox import Mailbox, SMTPServer

QUEUED = 300


class SlowMailbox(Mailbox):
    """An SMTP server that takes a few milliseconds per message, so that both loops are busy at the same time."""

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        await asyncio.sleep(0.004)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture(scope="module")
def slow_smtp():
    from aiosmtpd.controller import Controller

    server = SMTPServer()
    server.mailbox = SlowMailbox()
    server.controller = Controller(server.mailbox, hostname="127.0.0.1", port=server.controller.port)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def pair(private_pg, slow_smtp, tmp_path_factory):
    """Two servers on one database of the private cluster, with the same secret key, sending to one SMTP server;
    shared by this module's tests (starting a server takes seconds)."""
    database = make_database(private_pg)
    servers = LiveServers(tmp_path_factory.mktemp("pair"))
    try:
        yield servers.start(database, mail_url=slow_smtp.url, count=2,
                            then=lambda server: add_user(server, "member@example.org", "panel"))
    finally:
        servers.stop_all()


def test_a_session_started_on_one_server_continues_on_the_other(pair, slow_smtp):
    first, second = pair
    on_first = sign_in_by_code(first, slow_smtp.mailbox, "member@example.org")
    on_second = second.client(cookies=dict(on_first.cookies))
    page = on_second.get("/account/settings")
    assert page.status_code == 200 and "member@example.org" in page.text
    # uvicorn as `consult serve` runs it names no server or version (ASVS V14.3.3).
    assert "server" not in page.headers and "x-powered-by" not in page.headers

    # A form on the second server with the first server's CSRF cookie and token (the same secret key signs both).
    assert post_form(on_second, "/account/logout", {}, page="/account/settings").status_code == 303
    # Signed out on the second: the session row is gone for the first too.
    after = on_first.get("/account/settings")
    assert after.status_code == 303 and after.headers["location"].startswith("/account/login")


def test_wrong_passwords_on_either_server_count_towards_one_limit(pair):
    """Ten wrong passwords per account in 15 minutes, whichever server was asked (ASVS V2.2.1): five on each, and
    the eleventh attempt is refused on both, where counting per process would have allowed ten on each."""
    servers = pair
    clients = [server.client() for server in servers]
    try:
        fields = {"method": "password", "email": "guessed@example.org", "password": "Wr0ng-Guess!x"}
        for attempt in range(10):
            response = post_form(clients[attempt % 2], "/account/login", fields)
            assert response.status_code == 400, (attempt, response.status_code)
        for client in clients:
            response = post_form(client, "/account/login", fields)
            assert response.status_code == 429 and "Too many attempts" in response.text
    finally:
        for client in clients:
            client.close()


def test_the_outbox_is_shared_without_double_sending(pair, slow_smtp):
    servers = pair
    fault_database = servers[0].env["CONSULT_DATABASE_URL"]
    slow_smtp.mailbox.clear()
    with psycopg.connect(fault_database, autocommit=True) as connection:
        connection.execute("DELETE FROM mail_outbox")  # what the other test sent
    before = [server.log_path.read_text().count('"mail sent"') for server in servers]
    now = dt.datetime.now(dt.timezone.utc)
    rows = [(f"person{i}@example.org", f"Message {i}", f"Hello {i}", json.dumps({}), "notification", now, now, 0)
            for i in range(QUEUED)]
    with psycopg.connect(fault_database, autocommit=True) as connection:
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO mail_outbox (to_address, subject, body_text, headers, kind, created_at, send_after, "
                "attempts) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)", rows)
    started = time.monotonic()
    # A registration on each server wakes both loops at once (otherwise they find the rows at their next poll).
    for number, server in enumerate(servers):
        with server.client() as client:
            response = post_form(client, "/account/register",
                                 {"email": f"wake{number}@example.org", "display_name": "W", "language": "en"})
            assert response.status_code == 303, response.text[:1000]

    expected = QUEUED + len(servers)
    wait_for(lambda: len(slow_smtp.mailbox.messages) >= expected, 60, f"{expected} messages")
    elapsed = time.monotonic() - started
    time.sleep(0.3)  # anything sent twice would arrive right behind: give it a moment to show
    messages = slow_smtp.mailbox.messages
    ids = Counter(str(message["Message-ID"]) for message in messages)
    assert len(messages) == expected and max(ids.values()) == 1, [i for i, n in ids.items() if n > 1][:10]
    subjects = Counter(str(message["Subject"]) for message in messages)
    assert all(subjects[f"Message {i}"] == 1 for i in range(QUEUED))

    with psycopg.connect(fault_database) as connection:
        unsent, max_attempts = connection.execute(
            "SELECT count(*) FILTER (WHERE sent_at IS NULL), max(attempts) FROM mail_outbox").fetchone()
    assert unsent == 0 and max_attempts == 1

    # Both loops took part (each process logs the messages it sent).
    shares = [server.log_path.read_text().count('"mail sent"') - sent for server, sent in zip(servers, before)]
    assert sum(shares) == expected and min(shares) > 0, shares
    print(f"\n{expected} messages in {elapsed:.2f} s, sent by the two servers: {shares}")
