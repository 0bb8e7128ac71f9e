"""The outbox: a message requested while the SMTP server is down arrives once it is back, exactly once."""

from __future__ import annotations

from consult.mail.models import OutboxMessage
from consult.mail.outbox import Mailer
from tests.support.mailbox import code_in


async def pending():
    return await OutboxMessage.filter(sent_at__isnull=True).count()


def test_codes_requested_while_smtp_is_down_arrive_once_it_is_back(client, flows, mailbox, deliver, fake_clock):
    mailbox.refuse = True
    client.post_form("/account/register", {"email": "wait@example.org", "display_name": "W", "language": "en"})
    assert deliver() == 0
    assert mailbox.to("wait@example.org") == []
    assert client.run(pending) == 1
    mailbox.refuse = False
    assert deliver() == 0  # backing off: not yet due
    fake_clock.advance(minutes=1)
    assert deliver() == 1
    assert deliver() == 0
    assert len(mailbox.to("wait@example.org")) == 1
    assert client.run(pending) == 0
    # The code still works.
    assert flows.verify("register", "wait@example.org", code_in(mailbox.last_to("wait@example.org"))
                        ).status_code == 303


def test_a_second_worker_never_sends_the_same_message(client, mailbox, deliver, settings):
    client.post_form("/account/register", {"email": "two@example.org", "display_name": "T", "language": "en"})
    other = Mailer(settings.mail_url, settings.mail_from, settings.database_url)

    async def both():
        import asyncio

        return await asyncio.gather(other.deliver_pending(), client.app.state.mailer.deliver_pending())

    counts = client.run(both)
    assert sum(counts) <= 1
    deliver()
    assert len(mailbox.to("two@example.org")) == 1


def test_messages_have_text_and_html_and_a_stable_message_id(client, flows, mailbox):
    flows.register("parts@example.org")
    flows.deliver()
    message = mailbox.last_to("parts@example.org")
    assert message.get_body(preferencelist=("plain",)) is not None
    assert message.get_body(preferencelist=("html",)) is not None
    assert message["Message-ID"].startswith("<outbox.")
