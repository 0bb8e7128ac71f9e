"""The time zone of an account: chosen on the settings page from the IANA zones, validated, unset by default."""

from __future__ import annotations

import html

from consult import i18n
from tests.accounts.conftest import get_user


def test_default_is_unset_and_the_select_lists_zones_by_region(client, flows):
    flows.create_account("tz@example.org")
    assert client.run(get_user, "tz@example.org").time_zone is None
    page = client.get("/account/settings")
    assert page.status_code == 200
    assert 'action="/account/settings/time-zone"' in page.text
    assert '<option value="" selected>' in page.text  # "the time zone of each consultation"
    for zone in ("Europe/Kyiv", "Asia/Kabul", "Asia/Baghdad", "America/Argentina/Buenos_Aires"):
        assert f'<option value="{zone}">' in page.text
    assert '<optgroup label="Asia">' in page.text and '<optgroup label="Europe">' in page.text
    # Legacy aliases stay out of the list.
    assert 'value="US/Eastern"' not in page.text and 'value="EST5EDT"' not in page.text


def test_choose_change_and_unset(client, flows):
    flows.create_account("kabul@example.org")
    response = client.post_form("/account/settings/time-zone", {"time_zone": "Asia/Kabul"})
    assert response.status_code == 303 and response.headers["location"].startswith("/account/settings?done=saved")
    assert client.run(get_user, "kabul@example.org").time_zone == "Asia/Kabul"
    assert '<option value="Asia/Kabul" selected>' in client.get("/account/settings").text
    # Saving the name and language leaves the zone alone.
    client.post_form("/account/settings/profile", {"display_name": "Other", "language": "en"})
    assert client.run(get_user, "kabul@example.org").time_zone == "Asia/Kabul"
    client.post_form("/account/settings/time-zone", {"time_zone": ""})
    assert client.run(get_user, "kabul@example.org").time_zone is None


def test_unknown_zone_is_refused_in_the_users_language_and_kept_on_the_page(client, flows):
    flows.create_account("mars@example.org", language="fr")
    for typed in ("Mars/Olympus_Mons", "europe/kyiv", "x" * 300, "../../etc/passwd"):
        response = client.post_form("/account/settings/time-zone", {"time_zone": typed})
        assert response.status_code == 400
        with i18n.using_locale("fr"):
            message = i18n.gettext("Choose one of the time zones in the list.")
        assert html.escape(message, quote=False) in response.text or message in html.unescape(response.text)
        assert 'lang="fr"' in response.text
        assert html.escape(typed[:200]) in response.text  # what was sent is shown back
        assert client.run(get_user, "mars@example.org").time_zone is None


def test_anonymous_cannot_set_a_zone(client):
    response = client.post_form("/account/settings/time-zone", {"time_zone": "Asia/Kabul"})
    assert response.status_code in (401, 403)
