"""Admin pages: import (valid and refused), status, edit texts → versions, margins, invitations, counts, export."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import secrets

import pytest
from itsdangerous import URLSafeSerializer

from consult.accounts.models import Session, User
from consult.surveys.models import PopulationMargin, Survey, SurveyVersion
from tests.surveys.support import Respondent, workbook
from tests.surveys.xlsforms import simple


def sign_in(client, role: str) -> None:
    """A real session row and its signed cookie, as the sign-in flow leaves them."""
    secret = secrets.token_urlsafe(32)

    async def create():
        user = await User.create(email=f"{role}@example.org", display_name=role, role=role,
                                 email_verified_at=dt.datetime.now(dt.timezone.utc))
        now = dt.datetime.now(dt.timezone.utc)
        await Session.create(key_hash=hashlib.sha256(secret.encode()).hexdigest(), user=user, created_at=now,
                             last_seen_at=now, expires_at=now + dt.timedelta(days=1))

    client.run(create)
    client.cookies.set("session", URLSafeSerializer(client.app_settings.secret_key, salt="consult.session")
                       .dumps(secret))


def upload(client, path, data: bytes, name="form.xlsx", **fields):
    return client.post(path, data={"csrf_token": client.csrf_token(), **fields},
                       files={"file": (name, io.BytesIO(data), "application/octet-stream")})


@pytest.fixture
def admin(client):
    sign_in(client, "admin")
    return client


def _survey():
    async def get():
        return await Survey.all().order_by("-id").first()
    return get


def test_pages_need_a_role(client):
    assert client.get("/admin/surveys").status_code == 303  # to the sign-in page
    sign_in(client, "panel")
    assert client.get("/admin/surveys").status_code == 403


def test_import_refused_shows_every_problem_and_keeps_nothing(admin):
    broken = simple([["integer", "age", "Age"], ["integer", "age", "Age again"], ["foo", "x", "X"]])
    response = upload(admin, "/admin/surveys/import", broken)
    assert response.status_code == 400
    assert response.text.count("<tr><td>survey</td>") >= 2
    assert admin.run(_survey()) is None
    garbage = upload(admin, "/admin/surveys/import", b"not a workbook")
    assert garbage.status_code == 400 and "not imported" in garbage.text


def test_import_open_edit_and_versions(admin):
    response = upload(admin, "/admin/surveys/import", workbook(), open="yes")
    assert response.status_code == 303
    survey = admin.run(_survey())
    assert survey.status == "open"
    page = admin.get(response.headers["location"])
    assert page.status_code == 200 and "Safety survey" in page.text
    # Edit without responses: still version 1 (replaced), texts changed.
    edited = admin.post_form(f"/admin/surveys/{survey.id}/edit", {
        "title::en": "Feeling safe", "title::ar": "استبيان الأمان", "label::age::en": "Your age",
        "consent::en": "We ask twenty questions.", "anonymous": "yes", "access": "public"})
    assert edited.status_code == 303

    async def versions():
        return [v.number for v in await SurveyVersion.filter(survey_id=survey.id)]

    assert admin.run(versions) == [1]
    who = Respondent(admin, survey.slug)
    assert "We ask twenty questions." in admin.get(f"/s/{survey.slug}").text
    who.start()
    assert "Your age" in who.page().text
    admin.post_form(f"/admin/surveys/{survey.id}/edit", {"title::en": "Feeling safe", "label::age::en": "Age now",
                                                        "anonymous": "yes", "access": "public"})
    assert sorted(admin.run(versions)) == [1, 2]
    assert "Your age" in who.page().text  # her response keeps the version it started with
    closed = admin.post_form(f"/admin/surveys/{survey.id}/status", {"status": "closed"})
    assert closed.status_code == 303
    bad = admin.post_form(f"/admin/surveys/{survey.id}/status", {"status": "draft"})
    assert bad.status_code == 400


def test_margins_are_checked(admin):
    upload(admin, "/admin/surveys/import", workbook())
    survey = admin.run(_survey())
    bad = b"variable,category,population\ncountry,ua,100\ncountry,zz,5\nage,30,7\nnope,a,1\ncountry,sy,many\n"
    response = upload(admin, f"/admin/surveys/{survey.id}/margins", bad, name="m.csv")
    assert response.status_code == 400
    for text in ("Line 3", "zz is not a category of country", "age is not marked as a weighting variable",
                 "There is no question named nope", "not many"):
        assert text in response.text.replace("&#34;", '"')

    async def margins():
        return [(m.variable, m.category, m.population) for m in await PopulationMargin.all().order_by("id")]

    assert admin.run(margins) == []
    good = upload(admin, f"/admin/surveys/{survey.id}/margins", b"variable;category;population\ncountry;ua;3 500\n"
                                                                  b"country;sy;1200.5\n", name="m.csv")
    assert good.status_code == 303
    assert admin.run(margins) == [("country", "ua", 3500.0), ("country", "sy", 1200.5)]


def test_invitations_counts_and_export(admin):
    upload(admin, "/admin/surveys/import", workbook(), open="yes")
    survey = admin.run(_survey())
    made = admin.post_form(f"/admin/surveys/{survey.id}/invitations", {"count": "2", "days": "7"})
    assert made.status_code == 200 and made.text.count(f"/s/{survey.slug}?t=") == 2
    assert admin.post_form(f"/admin/surveys/{survey.id}/invitations", {"count": "x"}).status_code == 400
    who = Respondent(admin, survey.slug)
    who.start()
    who.submit({"country": "ua", "age": "30"})
    detail = admin.get(f"/admin/surveys/{survey.id}").text
    assert "About you" in detail
    csv_file = admin.get(f"/admin/surveys/{survey.id}/export?format=csv")
    assert csv_file.status_code == 200 and "attachment" in csv_file.headers["content-disposition"]
    assert "country" in csv_file.content.decode("utf-8-sig").splitlines()[0]
    book = admin.get(f"/admin/surveys/{survey.id}/export?format=xlsx&labels=ar")
    assert book.status_code == 200 and book.content[:2] == b"PK"
    assert admin.get(f"/admin/surveys/{survey.id}/export?format=pdf").status_code == 400


def test_home_page_lists_open_public_surveys_only(client):
    import functools

    from tests.surveys.support import open_survey

    client.run(open_survey)
    client.run(functools.partial(open_survey, discreet=True))
    home = client.get("/").text
    assert home.count('href="/s/') == 1 and "Safety survey" in home
