"""Dates in each reader's time zone (pages and mails); groups of members (admin only) invited at once; the
language links of the full draft keep the paragraph the reader came back from."""

from __future__ import annotations

import html
import re
from zoneinfo import ZoneInfo

from consult import i18n
from consult.consultations.models import Group, GroupInvitation, GroupMember, Invitee
from tests.consultations.conftest import DRAFT_V1, DRAFT_V1_FR, create_consultation, paragraph_keys, upload_draft
from tests.support.mailbox import text_of


def _zone(people, name, zone):
    response = people.as_(name).post_form("/account/settings/time-zone", {"time_zone": zone})
    assert response.status_code == 303, response.text


def _t(text: str) -> str:
    """Text with CLDR's narrow and non-breaking spaces (before PM, in French dates) made plain."""
    return html.unescape(text).replace("\u202f", " ").replace("\xa0", " ")


async def _invited(cid):
    rows = await Invitee.filter(consultation_id=cid).prefetch_related("user")
    return sorted(row.user.email.split("@")[0] for row in rows)


def test_dates_in_each_readers_zone_on_the_page_and_in_mails(client, people, mailbox):
    admin = people.as_("admin")
    # Noon in Brussels on 1 January 2099 is 11:00 UTC: 15:30 in Kabul, 13:00 in Kyiv.
    cid = create_consultation(admin, languages=("en", "fr"), closes_at="2099-01-01T12:00")
    upload_draft(admin, cid, {"en": DRAFT_V1, "fr": DRAFT_V1_FR})
    admin.post_form(f"/consultations/{cid}/invitees",
                    {"emails": "amal@example.org claire@example.org olena@example.org"})
    _zone(people, "amal", "Asia/Kabul")
    _zone(people, "olena", "Europe/Kyiv")
    people.as_("claire")  # signed in now: a first sign-in clears the mailbox

    page = _t(people.as_("admin").get(f"/consultations/{cid}").text)
    assert "12:00:00 PM" in page and "(Europe/Brussels)" in page  # unset: the consultation's zone

    mailbox.clear()
    assert people.as_("admin").post_form(f"/consultations/{cid}/phase/open").status_code == 303
    page = _t(people.as_("amal").get(f"/consultations/{cid}").text)
    assert "3:30:00 PM" in page and "(Asia/Kabul)" in page and "(Europe/Brussels)" not in page
    assert "Dates are shown in your time zone." in page
    listing = _t(people.as_("amal").get("/consultations").text)
    assert "3:30:00 PM" in listing and "(Asia/Kabul)" in listing
    page = _t(people.as_("olena").get(f"/consultations/{cid}").text)
    assert "(Europe/Kyiv)" in page and "13:00" in page
    page = _t(people.as_("claire").get(f"/consultations/{cid}").text)  # French, no zone chosen
    assert "(Europe/Brussels)" in page and "12:00:00" in page and "janv." in page

    # The opening mails: each in the recipient's language and zone, the zone named.
    people.deliver()
    amal_mail = _t(text_of(mailbox.last_to("amal@example.org")))
    assert "Asia/Kabul" in amal_mail and "3:30" in amal_mail and "Europe/Brussels" not in amal_mail
    olena_mail = _t(text_of(mailbox.last_to("olena@example.org")))
    assert "Europe/Kyiv" in olena_mail and "13:00" in olena_mail
    claire_mail = _t(text_of(mailbox.last_to("claire@example.org")))
    assert "Europe/Brussels" in claire_mail and "12:00" in claire_mail


def test_comment_times_follow_the_readers_zone(client, people, fake_clock):
    admin = people.as_("admin")
    cid = create_consultation(admin, languages=("en",))
    upload_draft(admin, cid, {"en": DRAFT_V1})
    admin.post_form(f"/consultations/{cid}/invitees", {"emails": "amal@example.org"})
    admin.post_form(f"/consultations/{cid}/phase/open")
    key = paragraph_keys(admin, cid)[1]
    people.as_("amal").post_form(f"/consultations/{cid}/p/{key}", {"body": "A comment with a time."})
    utc = fake_clock.current
    _zone(people, "amal", "Asia/Kabul")
    page = _t(people.as_("amal").get(f"/consultations/{cid}/p/{key}").text)
    local = utc.astimezone(ZoneInfo("Asia/Kabul"))
    assert f"{local.hour % 12 or 12}:{local.minute:02d} {'AM' if local.hour < 12 else 'PM'}" in page


def test_only_admins_manage_groups(client, people):
    for name in ("amal", "rita"):
        reader = people.as_(name)
        assert reader.get("/consultations/groups").status_code == 403
        assert reader.post_form("/consultations/groups", {"name": "Mine"}).status_code == 403
    gid = _new_group(people, "Kyiv delegation")
    for name in ("amal", "rita"):
        reader = people.as_(name)
        assert reader.get(f"/consultations/groups/{gid}").status_code == 403
        assert reader.post_form(f"/consultations/groups/{gid}", {"name": "Taken over"}).status_code == 403
        assert reader.post_form(f"/consultations/groups/{gid}/delete").status_code == 403
    anonymous = people.as_(None)
    assert anonymous.get("/consultations/groups").status_code in (302, 303)
    assert anonymous.post_form("/consultations/groups", {"name": "Anon"}).status_code == 401
    assert client.run(Group.filter(name__in=["Mine", "Anon", "Taken over"]).count) == 0
    assert people.as_("admin").get("/consultations/groups/99999").status_code == 404


def _new_group(people, name) -> int:
    response = people.as_("admin").post_form("/consultations/groups", {"name": name})
    assert response.status_code == 303, response.text
    return int(re.search(r"/consultations/groups/(\d+)", response.headers["location"]).group(1))


def test_bad_group_input_is_refused_with_the_text_kept(client, people):
    admin = people.as_("admin")
    response = admin.post_form("/consultations/groups", {"name": "   "})
    assert response.status_code == 400 and "Give the group a name." in response.text
    gid = _new_group(people, "Kyiv delegation")
    response = admin.post_form("/consultations/groups", {"name": "kyiv DELEGATION"})
    assert response.status_code == 409 and "already exists" in response.text
    assert 'value="kyiv DELEGATION"' in response.text
    other = _new_group(people, "Kabul network")
    response = admin.post_form(f"/consultations/groups/{other}", {"name": "Kyiv delegation",
                                                                  "emails": "amal@example.org"})
    assert response.status_code == 409 and 'value="Kyiv delegation"' in response.text
    assert "amal@example.org</textarea>" in response.text
    response = admin.post_form(f"/consultations/groups/{gid}", {"name": "Kyiv delegation",
                                                                "emails": "nobody@example.org\nolena@example.org"})
    assert response.status_code == 400 and "nobody@example.org" in response.text
    assert "nobody@example.org\nolena@example.org</textarea>" in html.unescape(response.text)
    response = admin.post_form(f"/consultations/groups/{gid}", {"name": "Kyiv delegation",
                                                                "emails": "rita@example.org"})
    assert response.status_code == 400 and "Respondents cannot be members of a group" in response.text
    # Nothing was saved by the refused forms.
    assert client.run(GroupMember.filter(group_id=gid).count) == 0
    # The same refusal in French, through the catalogue.
    people.add("camille", "admin", "fr")
    response = people.as_("camille").post_form("/consultations/groups", {"name": ""})
    with i18n.using_locale("fr"):
        message = i18n.gettext("Give the group a name.")
    assert response.status_code == 400 and html.escape(message, quote=False) in response.text
    assert 'lang="fr"' in response.text


def test_inviting_a_group_invites_its_members_now_and_later(client, people, mailbox):
    admin = people.as_("admin")
    gid = _new_group(people, "Kyiv delegation")
    assert admin.post_form(f"/consultations/groups/{gid}", {"name": "Kyiv delegation",
                                                            "emails": "olena@example.org, amal@example.org"}
                           ).status_code == 303
    cid = create_consultation(admin, languages=("en",))
    upload_draft(admin, cid, {"en": DRAFT_V1})
    response = admin.post_form(f"/consultations/{cid}/invitees", {"emails": "", "group": str(gid)})
    assert response.status_code == 200 and "2 people invited." in response.text
    assert "Kyiv delegation" in response.text
    assert client.run(_invited, cid) == ["amal", "olena"]
    assert client.run(GroupInvitation.filter(consultation_id=cid, group_id=gid).count) == 1
    # Unknown group: 400, and the addresses typed are kept.
    response = admin.post_form(f"/consultations/{cid}/invitees", {"emails": "claire@example.org", "group": "999"})
    assert response.status_code == 400 and "This group does not exist." in response.text
    assert "claire@example.org</textarea>" in response.text

    admin.post_form(f"/consultations/{cid}/phase/open")
    mailbox.clear()
    people.add("nadia", "panel", "ar")
    response = admin.post_form(f"/consultations/groups/{gid}", {"name": "Kyiv delegation (panel)",
                                                                "emails": "nadia@example.org", "remove": [
                                                                    str(people.users["amal"].id)]})
    assert response.status_code == 303
    # Added later while the consultation is open: invited and mailed; removed: still invited.
    assert client.run(_invited, cid) == ["amal", "claire", "nadia", "olena"]
    people.deliver()
    assert mailbox.to("nadia@example.org")
    assert people.as_("nadia").get(f"/consultations/{cid}").status_code == 200

    # Once closed, new members are not invited to it any more.
    people.as_("admin").post_form(f"/consultations/{cid}/phase/close")
    people.add("zahra", "panel", "fa")
    people.as_("admin").post_form(f"/consultations/groups/{gid}", {"name": "Kyiv delegation (panel)",
                                                                   "emails": "zahra@example.org"})
    assert "zahra" not in client.run(_invited, cid)

    # Deleting the group leaves the invitations.
    assert people.as_("admin").post_form(f"/consultations/groups/{gid}/delete").status_code == 303
    assert client.run(Group.filter(id=gid).count) == 0
    assert client.run(_invited, cid) == ["amal", "claire", "nadia", "olena"]


def test_language_links_keep_the_paragraph_without_javascript(client, people):
    admin = people.as_("admin")
    cid = create_consultation(admin, languages=("en", "fr"))
    upload_draft(admin, cid, {"en": DRAFT_V1, "fr": DRAFT_V1_FR})
    key = paragraph_keys(admin, cid)[2]
    paragraph = admin.get(f"/consultations/{cid}/p/{key}?lang=en")
    back = re.search(r'href="([^"]*at=[^"]*)"', paragraph.text).group(1)
    assert back.endswith(f"#p-{key}")
    draft = admin.get(html.unescape(back).split("#")[0])
    assert f'?lang=fr&v=1&at={key}#p-{key}"' in html.unescape(draft.text)
    # An unknown paragraph is ignored.
    draft = admin.get(f"/consultations/{cid}?at=nosuchkey")
    assert "at=nosuchkey" not in draft.text


def test_a_consultation_zone_must_be_a_real_zone(client, people):
    admin = people.as_("admin")
    for typed in ("Europe", "../../etc/passwd", "Mars/Olympus"):
        response = admin.post_form("/consultations/new", {
            "title": "Zone check", "summary": "", "languages": ["en"], "opens_at": "",
            "closes_at": "2099-01-01T12:00", "time_zone": typed, "visibility": "members"})
        assert response.status_code == 400 and "Unknown time zone" in response.text
        assert html.escape(typed) in response.text and 'value="Zone check"' in response.text
