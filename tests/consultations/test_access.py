"""Permission boundaries: a member of one consultation cannot read another's; a respondent cannot see any; only the
secretariat runs a consultation; comment visibility follows the consultation's setting."""

from __future__ import annotations

import re

import pytest

from tests.consultations.conftest import DRAFT_V1, create_consultation, paragraph_keys, upload_draft


def _running(people, title, invite, visibility="members"):
    admin = people.as_("admin")
    cid = create_consultation(admin, title=title, languages=("en",), visibility=visibility)
    assert upload_draft(admin, cid, {"en": DRAFT_V1}).status_code == 303
    admin.post_form(f"/consultations/{cid}/invitees", {"emails": "\n".join(f"{n}@example.org" for n in invite)})
    assert admin.post_form(f"/consultations/{cid}/phase/open").status_code == 303
    return cid


def test_members_read_only_their_consultations_and_respondents_none(client, people):
    first = _running(people, "First plan", ["amal"])
    second = _running(people, "Second plan", ["claire"])
    keys = paragraph_keys(people.as_("admin"), first)

    amal = people.as_("amal")
    listing = amal.get("/consultations")
    assert "First plan" in listing.text and "Second plan" not in listing.text
    assert amal.get(f"/consultations/{first}").status_code == 200
    for path in (f"/consultations/{second}", f"/consultations/{second}/matrix", f"/consultations/{second}/mine",
                 f"/consultations/{second}/diff"):
        assert amal.get(path).status_code == 404, path
    response = amal.post_form(f"/consultations/{second}/p/{keys[0]}", {"body": "Sneaking in"})
    assert response.status_code == 404

    rita = people.as_("rita")  # a respondent: not even invited consultations
    assert rita.get("/consultations").status_code == 403
    assert rita.get(f"/consultations/{first}").status_code == 403

    anonymous = people.as_(None)
    response = anonymous.get(f"/consultations/{first}")
    assert response.status_code == 303 and "/account/login" in response.headers["location"]
    assert anonymous.post_form(f"/consultations/{first}/p/{keys[0]}", {"body": "x"}).status_code == 401


@pytest.mark.parametrize("path", ["/consultations/new", "/consultations/{cid}/draft", "/consultations/{cid}/settings",
                                  "/consultations/{cid}/invitees", "/consultations/{cid}/moderation"])
def test_only_the_secretariat_runs_a_consultation(client, people, path):
    cid = _running(people, "Plan", ["amal"])
    amal = people.as_("amal")
    assert amal.get(path.format(cid=cid)).status_code == 403
    assert amal.post_form(f"/consultations/{cid}/phase/close").status_code == 403


def test_a_draft_in_preparation_is_for_the_secretariat_only(client, people):
    admin = people.as_("admin")
    cid = create_consultation(admin, languages=("en",))
    upload_draft(admin, cid, {"en": DRAFT_V1})
    admin.post_form(f"/consultations/{cid}/invitees", {"emails": "amal@example.org"})
    assert people.as_("amal").get(f"/consultations/{cid}").status_code == 404


def test_secretariat_only_visibility_hides_other_members_comments(client, people):
    cid = _running(people, "Plan", ["amal", "claire"], visibility="secretariat")
    keys = paragraph_keys(people.as_("admin"), cid)
    response = people.as_("amal").post_form(f"/consultations/{cid}/p/{keys[0]}", {"body": "Only for the secretariat"})
    comment = re.search(r"#c(\d+)", response.headers["location"]).group(1)
    assert "Only for the secretariat" in people.client.get(f"/consultations/{cid}/p/{keys[0]}").text
    claire = people.as_("claire")
    assert "Only for the secretariat" not in claire.get(f"/consultations/{cid}/p/{keys[0]}").text
    assert claire.get(f"/consultations/{cid}/comments/{comment}").status_code == 404
    assert claire.post_form(f"/consultations/{cid}/comments/{comment}/support").status_code == 404
    assert "Only for the secretariat" in people.as_("admin").get(f"/consultations/{cid}/p/{keys[0]}").text
