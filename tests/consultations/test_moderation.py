"""Moderation (flag, hide with a reason, restore) and editing a consultation's settings."""

from __future__ import annotations

import re

from tests.consultations.conftest import DRAFT_V1, create_consultation, paragraph_keys, upload_draft


def test_flag_hide_restore(client, people):
    admin = people.as_("admin")
    cid = create_consultation(admin, languages=("en",))
    upload_draft(admin, cid, {"en": DRAFT_V1})
    admin.post_form(f"/consultations/{cid}/invitees", {"all_panel": "1"})
    admin.post_form(f"/consultations/{cid}/phase/open")
    keys = paragraph_keys(admin, cid)
    response = people.as_("claire").post_form(f"/consultations/{cid}/p/{keys[1]}", {"body": "Rude words"})
    comment = re.search(r"#c(\d+)", response.headers["location"]).group(1)
    amal = people.as_("amal")
    assert "Report to the moderators" in amal.get(f"/consultations/{cid}/p/{keys[1]}").text
    assert amal.post_form(f"/consultations/{cid}/comments/{comment}/flag", {"reason": "Insulting"}).status_code == 200
    assert amal.get(f"/consultations/{cid}/moderation").status_code == 403
    admin = people.as_("admin")
    assert "1 report" in admin.get(f"/consultations/{cid}/p/{keys[1]}").text
    response = admin.post_form(f"/consultations/{cid}/comments/{comment}/hide", {"reason": ""})
    assert response.status_code == 400 and "reason" in response.text
    admin.post_form(f"/consultations/{cid}/comments/{comment}/hide", {"reason": "Insulting language"})
    assert "Rude words" not in people.as_("olena").get(f"/consultations/{cid}/p/{keys[1]}").text
    admin = people.as_("admin")
    assert admin.post_form(f"/consultations/{cid}/comments/{comment}/restore").status_code == 303
    assert "No comment has been reported." in admin.get(f"/consultations/{cid}/moderation").text
    assert "Rude words" in people.as_("amal").get(f"/consultations/{cid}/p/{keys[1]}").text


def test_edit_settings(client, people):
    admin = people.as_("admin")
    cid = create_consultation(admin, languages=("en",))
    page = admin.get(f"/consultations/{cid}/settings")
    assert page.status_code == 200 and "2099-01-01T12:00" in page.text
    response = admin.post_form(f"/consultations/{cid}/settings", {
        "title": "Renamed plan", "languages": ["en", "fr"], "closes_at": "2099-02-01T09:30",
        "time_zone": "Asia/Kabul", "visibility": "secretariat", "show_authors": "1"})
    assert response.status_code == 303
    page = admin.get(f"/consultations/{cid}")
    assert "Renamed plan" in page.text and "Asia/Kabul" in page.text
