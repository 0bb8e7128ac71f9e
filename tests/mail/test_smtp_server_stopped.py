"""The SMTP server really stopped (connection refused, not a polite 421): codes requested meanwhile arrive once it
is started again on the same port, exactly once."""

from __future__ import annotations

import dataclasses

import pytest

from consult.mail.models import OutboxMessage
from tests.support.mailbox import SMTPServer, code_in


@pytest.fixture
def own_smtp():
    server = SMTPServer()
    server.start()
    yield server
    try:
        server.stop()
    except Exception:  # already stopped by the test
        pass


@pytest.fixture
def settings(settings, own_smtp):
    # This module's app sends to a server of its own, so stopping it touches no other test.
    return dataclasses.replace(settings, mail_url=own_smtp.url)


def test_codes_requested_while_the_server_is_stopped_arrive_after_restart(client, flows, deliver, fake_clock,
                                                                          own_smtp):
    own_smtp.stop()
    flows_response = client.post_form("/account/register",
                                      {"email": "later@example.org", "display_name": "L", "language": "fr"})
    assert flows_response.status_code == 303
    assert deliver() == 0  # connection refused: kept for later
    fake_clock.advance(minutes=2)
    assert deliver() == 0  # still down
    assert client.run(lambda: OutboxMessage.filter(sent_at__isnull=True).count()) == 1

    own_smtp.restart()  # back, on the same port
    fake_clock.advance(minutes=10)
    assert deliver() == 1
    fake_clock.advance(minutes=10)
    assert deliver() == 0
    received = own_smtp.mailbox.to("later@example.org")
    assert len(received) == 1
    code = code_in(received[0])
    assert flows.verify("register", "later@example.org", code).status_code == 303
