"""Roles: each boundary, invitations, role changes, the audit log."""

from __future__ import annotations

import re

import pytest

from tests.accounts.conftest import get_user

ADMIN_PAGES = ["/admin/users", "/admin/audit", "/admin/newsletter"]


def test_anonymous_is_sent_to_sign_in(client):
    for path in ADMIN_PAGES + ["/account/settings"]:
        response = client.get(path)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/account/login?next=")


@pytest.mark.parametrize("role", ["respondent", "panel", "analyst"])
def test_only_admins_open_admin_pages(client, flows, role):
    flows.create_account(f"{role}@example.org", role=role)
    for path in ADMIN_PAGES:
        response = client.get(path)
        assert response.status_code == 403, path
    assert client.post_form("/admin/invitations", {"email": "x@example.org", "role": "admin",
                                                   "language": "en"}).status_code == 403
    assert client.get("/account/settings").status_code == 200


def test_admin_invites_a_panel_member_and_changes_roles(client, flows, mailbox):
    flows.create_account("boss@example.org", role="admin")
    for path in ADMIN_PAGES:
        assert client.get(path).status_code == 200
    response = client.post_form("/admin/invitations", {"email": "member@example.org", "role": "panel",
                                                       "language": "fr"})
    assert response.status_code == 303
    link = flows.link_in("member@example.org", r"http://testserver/account/invitation\?t=\S+")
    flows.sign_out()
    page = client.get(link.replace("http://testserver", ""))
    assert page.status_code == 200
    token = re.search(r'name="t" value="([^"]+)"', page.text).group(1)
    response = client.post_form("/account/invitation", {"t": token, "display_name": "Claire", "language": "fr"})
    assert response.status_code == 303
    member = client.run(get_user, "member@example.org")
    assert member.role == "panel" and member.email_verified_at is not None
    assert client.post_form("/account/invitation", {"t": token, "display_name": "Again"}).status_code == 400

    flows.sign_out()
    flows.sign_in_by_code("boss@example.org")
    assert client.post_form(f"/admin/users/{member.id}/role", {"role": "analyst"}).status_code == 303
    assert client.run(get_user, "member@example.org").role == "analyst"
    audit = client.get("/admin/audit").text
    for label in ("Role changed", "Invitation sent", "Invitation accepted", "Signed in"):
        assert label in audit


def test_failed_codes_are_audited_without_the_code(client, flows):
    flows.create_account("aud@example.org", role="admin")
    flows.sign_out()
    client.post_form("/account/login", {"email": "aud@example.org"})
    flows.verify("login", "aud@example.org", "999999")
    flows.sign_in_by_code("aud@example.org")
    text = client.get("/admin/audit").text
    assert "Wrong code entered" in text and "999999" not in text
