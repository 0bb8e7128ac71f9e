"""Invitation, opening, reminder before closing, and the unsubscribe link of each, in the recipient's language."""

from __future__ import annotations

import datetime as dt
import re

from consult.consultations.notify import send_closing_reminders
from tests.consultations.conftest import DRAFT_V1, create_consultation, upload_draft
from tests.support.mailbox import text_of


def test_invitation_reminder_and_unsubscribe(client, people, mailbox, fake_clock):
    admin = people.as_("admin")
    closes = (fake_clock.current + dt.timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")
    cid = create_consultation(admin, languages=("en",), closes_at=closes)
    upload_draft(admin, cid, {"en": DRAFT_V1})
    admin.post_form(f"/consultations/{cid}/phase/open")
    # Invited while open: the invitation goes at once, in French for Claire.
    admin.post_form(f"/consultations/{cid}/invitees", {"emails": "claire@example.org amal@example.org"})
    people.deliver()
    invitation = mailbox.last_to("claire@example.org")
    assert "Draft action plan" in text_of(invitation)
    assert "Europe/Brussels" in text_of(invitation)

    settings = client.app.state.settings
    # Not yet due: nothing; three days before closing: one reminder each, once.
    assert client.run(send_closing_reminders, settings, fake_clock.current) == 0
    later = fake_clock.current + dt.timedelta(days=8)
    mailbox.clear()

    unsubscribe = re.search(r"(/consultations/unsubscribe/\S+)", text_of(invitation)).group(1)
    people.as_(None)
    page = client.get(unsubscribe)
    assert page.status_code == 200
    # One-click unsubscribe (RFC 8058): a mail client POSTs without our CSRF token; the signed link is enough.
    assert invitation["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert client.post(unsubscribe, data={"List-Unsubscribe": "One-Click"}).status_code == 200

    assert client.run(send_closing_reminders, settings, later) == 1  # Amal only: Claire unsubscribed
    assert client.run(send_closing_reminders, settings, later) == 0
    people.deliver()
    assert mailbox.to("amal@example.org") and not mailbox.to("claire@example.org")
    assert "closes" in text_of(mailbox.last_to("amal@example.org"))
    assert client.get("/consultations/unsubscribe/forged-token").status_code == 400


def test_mail_is_in_the_recipients_language(client, people, mailbox):
    from consult import i18n
    from consult.consultations.notify import SUBJECTS

    admin = people.as_("admin")
    cid = create_consultation(admin, languages=("en",))
    upload_draft(admin, cid, {"en": DRAFT_V1})
    admin.post_form(f"/consultations/{cid}/invitees", {"emails": "claire@example.org"})
    admin.post_form(f"/consultations/{cid}/phase/open")
    people.deliver()
    message = mailbox.last_to("claire@example.org")
    with i18n.using_locale("fr"):
        french = str(SUBJECTS["opened"])
    assert message["Subject"] == french
    assert "/consultations/unsubscribe/" in text_of(message)
