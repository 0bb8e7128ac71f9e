"""Bad input gets a clear message, a 4xx, and loses nothing that was typed."""

from __future__ import annotations

import io

from docx import Document

from tests.consultations.conftest import DRAFT_V1, DRAFT_V1_FR, create_consultation, paragraph_keys, upload_draft


def _open(people, languages=("en",), closes_at="2099-01-01T12:00"):
    admin = people.as_("admin")
    cid = create_consultation(admin, languages=languages, closes_at=closes_at)
    texts = {"en": DRAFT_V1, "fr": DRAFT_V1_FR}
    assert upload_draft(admin, cid, {code: texts[code] for code in languages}).status_code == 303
    admin.post_form(f"/consultations/{cid}/invitees", {"emails": "amal@example.org"})
    admin.post_form(f"/consultations/{cid}/phase/open")
    return cid, paragraph_keys(admin, cid)


def test_bad_comments(client, people, fake_clock):
    import datetime as dt
    from zoneinfo import ZoneInfo

    closes = (fake_clock.current + dt.timedelta(hours=1)).astimezone(ZoneInfo("Europe/Brussels"))
    cid, keys = _open(people, closes_at=closes.strftime("%Y-%m-%dT%H:%M"))
    amal = people.as_("amal")
    response = amal.post_form(f"/consultations/{cid}/p/{keys[0]}", {"body": "   "})
    assert response.status_code == 400 and "Please write your comment." in response.text
    long_text = "word " * 1200
    response = amal.post_form(f"/consultations/{cid}/p/{keys[0]}", {"body": long_text})
    assert response.status_code == 413 and "the limit is 5000" in response.text and long_text.strip() in response.text
    response = amal.post_form(f"/consultations/{cid}/p/nosuchkey", {"body": "Keep me"})
    assert response.status_code == 404 and "does not exist" in response.text and "Keep me" in response.text
    response = amal.post_form(f"/consultations/{cid}/p/{keys[0]}", {"body": "Mine", "quote": "words not there"})
    assert response.status_code == 400 and "not in this paragraph" in response.text and "Mine" in response.text
    # A forged form (no CSRF token) is refused and offers to send the same text again.
    response = amal.post(f"/consultations/{cid}/p/{keys[0]}", data={"body": "Forged?"})
    assert response.status_code == 403 and "Forged?" in response.text
    # After the closing date the consultation accepts nothing, even before the secretariat closes it.
    fake_clock.advance(hours=2)
    response = amal.post_form(f"/consultations/{cid}/p/{keys[0]}", {"body": "Too late, but keep it"})
    assert response.status_code == 409 and "Too late, but keep it" in response.text


def test_someone_not_invited_cannot_comment(client, people):
    cid, keys = _open(people)
    response = people.as_("claire").post_form(f"/consultations/{cid}/p/{keys[0]}", {"body": "Not invited"})
    assert response.status_code == 404


def test_drafts_that_do_not_parse(client, people):
    admin = people.as_("admin")
    cid = create_consultation(admin, languages=("en", "fr"))
    response = upload_draft(admin, cid, {"en": "", "fr": ""})
    assert response.status_code == 400 and "no paragraph" in response.text
    response = upload_draft(admin, cid, {"en": "# One\n\n### Three\n\nText", "fr": "# Un\n\n### Trois\n\nTexte"})
    assert response.status_code == 400 and "skips a level" in response.text
    response = upload_draft(admin, cid, {"en": DRAFT_V1, "fr": "# Seul\n\nUn paragraphe."})
    assert response.status_code == 400 and "not paragraph aligned" in response.text
    assert "senior gender adviser" in response.text  # what was typed is still in the form
    csrf = client.csrf_token()
    response = admin.post(f"/consultations/{cid}/draft", data={"csrf_token": csrf, "text_en": "", "text_fr": ""},
                          files={"file_en": ("plan.docx", b"not a zip at all", "application/octet-stream")})
    assert response.status_code == 400 and "not a Word document" in response.text
    response = admin.post(f"/consultations/{cid}/draft", data={"csrf_token": csrf, "text_fr": ""},
                          files={"file_en": ("plan.md", "é".encode("latin-1"), "text/markdown")})
    assert response.status_code == 400 and "UTF-8" in response.text
    response = admin.post(f"/consultations/{cid}/draft", data={"csrf_token": csrf, "text_fr": ""},
                          files={"file_en": ("plan.pdf", b"%PDF", "application/pdf")})
    assert response.status_code == 400 and ".docx" in response.text


def test_a_docx_and_a_markdown_upload_make_aligned_languages(client, people):
    admin = people.as_("admin")
    cid = create_consultation(admin, languages=("en", "fr"))
    document = Document()
    document.add_heading("Leadership", level=1)
    document.add_paragraph("Allies appoint a senior gender adviser.")
    document.add_paragraph("")
    document.add_paragraph("Every strategic document is reviewed.")
    buffer = io.BytesIO()
    document.save(buffer)
    markdown = "# Leadership\n\nLes Alliés nomment une conseillère.\n\nChaque document est examiné.\n".encode()
    response = admin.post(f"/consultations/{cid}/draft", data={"csrf_token": client.csrf_token()},
                          files={"file_en": ("plan.docx", buffer.getvalue(), "application/octet-stream"),
                                 "file_fr": ("plan.md", markdown, "text/markdown")})
    assert response.status_code == 303, response.text
    page = admin.get(f"/consultations/{cid}?lang=fr")
    assert "Les Alliés nomment une conseillère." in page.text and "¶ 2" in page.text


def test_bad_settings_and_responses(client, people):
    admin = people.as_("admin")
    response = admin.post_form("/consultations/new", {"title": "", "time_zone": "Mars/Olympus",
                                                      "closes_at": "yesterday"})
    assert response.status_code == 400
    assert "title" in response.text and "Unknown time zone" in response.text and "YYYY-MM-DD" in response.text
    cid, keys = _open(people)
    response = people.as_("amal").post_form(f"/consultations/{cid}/p/{keys[0]}", {"body": "A comment"})
    comment = response.headers["location"].rsplit("#c", 1)[1]
    admin = people.as_("admin")
    response = admin.post_form(f"/consultations/{cid}/comments/{comment}/respond",
                               {"status": "maybe", "response": "Kept text"})
    assert response.status_code == 400 and "Kept text" in response.text
    response = admin.post_form(f"/consultations/{cid}/comments/{comment}/respond",
                               {"status": "accepted", "response": "Fine", "paragraph": "nokey"})
    assert response.status_code == 400 and "not in the latest version" in response.text
    assert admin.post_form(f"/consultations/{cid}/phase/publish").status_code == 409
    assert admin.get(f"/consultations/{cid}/matrix?format=pdf").status_code == 400
