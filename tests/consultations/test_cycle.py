"""The whole cycle through HTTP: create, draft, invite, open, comment, reply, support, flag, hide, close, respond,
publish v2 with its diff, publish the responses, notify, export."""

from __future__ import annotations

import csv
import io
import re

from openpyxl import load_workbook

from tests.consultations.conftest import (DRAFT_V1, DRAFT_V1_FR, DRAFT_V2, create_consultation, paragraph_keys,
                                          upload_draft)
from tests.support.mailbox import text_of


def test_the_whole_cycle(client, people, mailbox, fake_clock):
    admin = people.as_("admin")
    cid = create_consultation(admin)
    response = upload_draft(admin, cid, {"en": DRAFT_V1, "fr": DRAFT_V1_FR})
    assert response.status_code == 303, response.text
    keys = paragraph_keys(admin, cid)
    assert len(keys) == 4

    # Invite two panel members (before opening: no mail yet), then open: each is told, in her language.
    response = admin.post_form(f"/consultations/{cid}/invitees", {"emails": "amal@example.org\nclaire@example.org"})
    assert response.status_code == 200 and "2 people invited" in response.text
    response = admin.post_form(f"/consultations/{cid}/phase/open")
    assert response.status_code == 303
    people.deliver()
    opened_fr = mailbox.last_to("claire@example.org")
    assert "Draft action plan" in text_of(opened_fr)
    assert "/consultations/unsubscribe/" in str(opened_fr["List-Unsubscribe"])
    assert mailbox.to("amal@example.org")
    mailbox.clear()

    # Amal reads the French draft and comments on the first paragraph, quoting it.
    amal = people.as_("amal")
    page = amal.get(f"/consultations/{cid}?lang=fr")
    assert "conseillère principale" in page.text
    response = amal.post_form(f"/consultations/{cid}/p/{keys[0]}",
                              {"body": "Name the adviser's mandate too.", "quote": "senior gender adviser"})
    assert response.status_code == 303, response.text
    first = int(re.search(r"#c(\d+)", response.headers["location"]).group(1))
    # She may edit it for a short while…
    response = amal.post_form(f"/consultations/{cid}/comments/{first}/edit",
                              {"body": "Name the adviser's mandate and budget too."})
    assert response.status_code == 303
    fake_clock.advance(minutes=20)
    # …and not after.
    response = amal.post_form(f"/consultations/{cid}/comments/{first}/edit", {"body": "Too late"})
    assert response.status_code == 409 and "Too late" in response.text

    # Claire supports it and replies: Amal is told about the reply.
    claire = people.as_("claire")
    page = claire.get(f"/consultations/{cid}/p/{keys[0]}")
    assert "mandate and budget" in page.text
    assert claire.post_form(f"/consultations/{cid}/comments/{first}/support").status_code == 303
    response = claire.post_form(f"/consultations/{cid}/p/{keys[0]}", {"body": "Agreed, with a budget line.",
                                                                      "parent": str(first)})
    assert response.status_code == 303
    reply = int(re.search(r"#c(\d+)", response.headers["location"]).group(1))
    people.deliver()
    assert mailbox.last_to("amal@example.org")["Subject"] == "Someone replied to your comment"
    assert f"/comments/{first}" in text_of(mailbox.last_to("amal@example.org"))
    response = claire.post_form(f"/consultations/{cid}/p/{keys[2]}", {"body": "Half, not a third."})
    assert response.status_code == 303
    third = int(re.search(r"#c(\d+)", response.headers["location"]).group(1))
    response = claire.post_form(f"/consultations/{cid}/p/{keys[3]}", {"body": "Spam spam spam"})
    spam = int(re.search(r"#c(\d+)", response.headers["location"]).group(1))

    # Amal flags the spam; the secretariat sees the flag, hides it with a reason; Claire sees why.
    amal = people.as_("amal")
    assert amal.post_form(f"/consultations/{cid}/comments/{spam}/flag", {"reason": "Off topic"}).status_code == 200
    admin = people.as_("admin")
    page = admin.get(f"/consultations/{cid}/moderation")
    assert "Off topic" in page.text and "Spam spam spam" in page.text
    assert admin.post_form(f"/consultations/{cid}/comments/{spam}/hide",
                           {"reason": "Not about the draft"}).status_code == 303
    amal = people.as_("amal")
    assert "Spam spam spam" not in amal.get(f"/consultations/{cid}/p/{keys[3]}").text
    claire = people.as_("claire")
    assert "Not about the draft" in claire.get(f"/consultations/{cid}/p/{keys[3]}").text

    # Close; a late comment is refused with a clear message and the text kept.
    admin = people.as_("admin")
    assert admin.post_form(f"/consultations/{cid}/phase/close").status_code == 303
    claire = people.as_("claire")
    response = claire.post_form(f"/consultations/{cid}/p/{keys[1]}", {"body": "A late thought"})
    assert response.status_code == 409 and "A late thought" in response.text

    # Version 2: the diff shows what changed, word by word, and which paragraph each became.
    admin = people.as_("admin")
    response = upload_draft(admin, cid, {"en": DRAFT_V2, "fr": DRAFT_V2.replace("Allies", "Les Alliés")},
                            note="After the consultation")
    assert response.status_code == 303 and "/diff?from=1&to=2" in response.headers["location"]
    diff = admin.get(response.headers["location"])
    assert diff.status_code == 200
    assert "<ins>and in every mission</ins>" in diff.text
    assert "<del>a third</del>" in diff.text and "<ins>half</ins>" in diff.text
    assert "diff-removed" in diff.text and "diff-added" in diff.text
    new_keys = paragraph_keys(admin, cid)
    assert new_keys[0] == keys[0] and new_keys[1] == keys[1] and new_keys[2] == keys[2]
    assert keys[3] not in new_keys
    assert "Civil society organisations are consulted" in admin.get(f"/consultations/{cid}?v=1").text
    assert "In version 2 this is paragraph 1." in admin.get(f"/consultations/{cid}/p/{keys[0]}?v=1").text
    assert "removed in version 2" in admin.get(f"/consultations/{cid}/p/{keys[3]}?v=1").text

    # Responses, then publication: each author is told in her language and sees the fate of her comments.
    for comment, status in ((first, "accepted"), (reply, "noted"), (third, "partial")):
        response = admin.post_form(f"/consultations/{cid}/comments/{comment}/respond",
                                   {"status": status, "response": f"Response to {comment}",
                                    "paragraph": new_keys[0] if comment == first else ""})
        assert response.status_code == 303, response.text
    people.as_("amal")
    assert people.client.get(f"/consultations/{cid}/matrix").status_code == 403
    admin = people.as_("admin")
    assert admin.post_form(f"/consultations/{cid}/phase/publish").status_code == 303
    people.deliver()
    to_amal = mailbox.last_to("amal@example.org")
    assert f"Response to {first}" in text_of(to_amal)
    to_claire = mailbox.last_to("claire@example.org")
    assert "Accepté" not in text_of(to_claire)  # Claire's comments were noted / partially accepted
    amal = people.as_("amal")
    mine = amal.get(f"/consultations/{cid}/mine")
    assert "Accepted" in mine.text and f"Response to {first}" in mine.text and "paragraph 1 of the new" in mine.text

    # Every reader sees the matrix; exports carry the agreed columns, authors anonymous by default.
    matrix = amal.get(f"/consultations/{cid}/matrix")
    assert matrix.status_code == 200 and "Half, not a third." in matrix.text and "Spam spam" not in matrix.text
    exported = amal.get(f"/consultations/{cid}/matrix?format=csv")
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0] == ["Version", "Paragraph", "Paragraph text", "Comment", "Quoted passage", "Author", "Support",
                       "Status", "Response", "New paragraph"]
    by_comment = {row[3]: row for row in rows[1:]}
    first_row = by_comment["Name the adviser's mandate and budget too."]
    assert first_row[5] == "anonymous" and first_row[6] == "1" and first_row[7] == "Accepted"
    assert first_row[9] == "1" and first_row[4] == "senior gender adviser"
    workbook = load_workbook(io.BytesIO(amal.get(f"/consultations/{cid}/matrix?format=xlsx").content))
    sheet = workbook.active
    assert sheet.cell(1, 4).value == "Comment" and sheet.max_row == len(rows)
