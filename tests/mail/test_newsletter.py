"""Newsletter: double opt-in, one-click unsubscribe with List-Unsubscribe, issues per language via the outbox."""

from __future__ import annotations

import re

from consult.accounts.models import NewsletterSubscriber


async def subscribers():
    return await NewsletterSubscriber.filter(confirmed_at__not_isnull=True).count()


def test_double_opt_in_then_issue_then_one_click_unsubscribe(client, flows, mailbox):
    response = client.post_form("/newsletter", {"email": "reader@example.org", "language": "en"})
    assert response.status_code == 200 and "Check your inbox" in response.text
    assert client.run(subscribers) == 0
    link = flows.link_in("reader@example.org", r"http://testserver/newsletter/confirm\?t=\S+")
    page = client.get(link.replace("http://testserver", ""))
    assert page.status_code == 200 and client.run(subscribers) == 0  # opening the link alone does nothing
    token = re.search(r'name="t" value="([^"]+)"', page.text).group(1)
    assert client.post_form("/newsletter/confirm", {"t": token}).status_code == 200
    assert client.run(subscribers) == 1

    flows.create_account("editor@example.org", role="admin")
    assert client.post_form("/admin/newsletter", {"language": "fr", "subject": "", "body": ""}).status_code == 400
    client.post_form("/admin/newsletter", {"language": "en", "subject": "Spring issue", "body": "Hello.\n\nNews."})
    issue_id = re.search(r'/admin/newsletter/(\d+)/send', client.get("/admin/newsletter").text).group(1)
    assert client.post_form(f"/admin/newsletter/{issue_id}/send").status_code == 303
    assert client.post_form(f"/admin/newsletter/{issue_id}/send").status_code == 303  # double submit: once
    flows.deliver()
    issues = [m for m in mailbox.to("reader@example.org") if m["Subject"] == "Spring issue"]
    assert len(issues) == 1
    header = issues[0]["List-Unsubscribe"]
    assert issues[0]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = re.search(r"<(http://testserver(/newsletter/unsubscribe\?t=[^>]+))>", header).group(2)
    # RFC 8058: the mail client POSTs without our CSRF token.
    response = client.post(url, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert client.run(subscribers) == 0


def test_forged_unsubscribe_link_is_refused(client):
    assert client.get("/newsletter/unsubscribe?t=forged").status_code == 400


def test_signed_in_user_subscribes_from_the_welcome_page(client, flows):
    flows.create_account("welcome@example.org")
    response = client.post_form("/account/settings/newsletter", {"subscribe": "1", "return": "welcome"})
    assert response.status_code == 303
    assert client.run(subscribers) == 1
    assert "You are subscribed" in client.get("/account/welcome").text
