"""CSRF protection: every unsafe request needs a token matching its cookie; a refusal keeps what was typed."""

from __future__ import annotations

import pytest
from starlette.responses import PlainTextResponse
from starlette.routing import Route


@pytest.fixture
def echo(app):
    async def handler(request):
        form = await request.form()
        return PlainTextResponse("saved:" + ",".join(f"{k}={v}" for k, v in form.multi_items() if k != "csrf_token"))

    app.router.routes.append(Route("/echo", handler, methods=["POST", "PUT", "DELETE"]))


def test_a_form_with_a_valid_token_goes_through(client, echo):
    response = client.post_form("/echo", {"name": "Layla"})
    assert response.status_code == 200
    assert response.text == "saved:name=Layla"


def test_missing_token_gets_translated_403_with_a_send_again_form(client, echo):
    client.get("/")
    response = client.post("/echo", data={"name": "Layla", "comment": "قوي", "password": "Secret-123456"},
                           headers={"accept-language": "ar"})
    assert response.status_code == 403
    assert 'dir="rtl"' in response.text
    assert 'name="name" value="Layla"' in response.text
    assert 'value="قوي"' in response.text
    assert "Secret-123456" not in response.text  # never echo a password
    # The page's own form carries a fresh, valid token: sending it again works.
    import re

    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', response.text))
    again = client.post("/echo", data=fields)
    assert again.status_code == 200
    assert "name=Layla" in again.text


def test_a_form_that_failed_on_our_side_is_offered_again_without_its_password(app, client):
    # The database away in the middle of a save: the error page carries what was typed (the form the CSRF layer
    # read), never a password, with a fresh token, so that "Send again" works once the service is back.
    import re

    from starlette.responses import PlainTextResponse

    state = {"fail": True}

    async def saving(request):
        if state["fail"]:
            raise ConnectionRefusedError("the database is away")
        form = await request.form()
        return PlainTextResponse("saved:" + form["a:comment"])

    app.router.routes.append(Route("/saving", saving, methods=["POST"]))
    client.get("/")
    failed = client.post_form("/saving", {"a:comment": "Plus d'éclairage", "password": "Secret-123456"},
                              headers={"accept-language": "fr"})
    assert failed.status_code == 503 and 'lang="fr"' in failed.text  # the translated "unavailable" page
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', failed.text))
    assert fields["a:comment"] == "Plus d&#39;éclairage" and "password" not in fields
    assert "Secret-123456" not in failed.text
    state["fail"] = False
    again = client.post("/saving", data={**fields, "a:comment": "Plus d'éclairage"})
    assert again.status_code == 200 and again.text == "saved:Plus d'éclairage"


def test_forged_token_is_refused(client, echo):
    client.get("/")
    response = client.post("/echo", data={"name": "x", "csrf_token": "forged.token"})
    assert response.status_code == 403


def test_a_token_for_another_cookie_is_refused(client, echo):
    token = client.csrf_token()
    client.cookies.clear()
    client.cookies.set("csrf", "a" * 43)
    response = client.post("/echo", data={"name": "x", "csrf_token": token})
    assert response.status_code == 403


def test_no_cookie_at_all_is_refused_and_a_cookie_is_given(client, echo):
    response = client.post("/echo", data={"name": "x", "csrf_token": "anything"})
    assert response.status_code == 403
    assert "csrf=" in response.headers["set-cookie"]
    assert "HttpOnly" in response.headers["set-cookie"]
    assert "SameSite=Lax" in response.headers["set-cookie"]


def test_other_unsafe_methods_need_the_header(client, echo):
    client.get("/")
    assert client.put("/echo", content=b"x").status_code == 403
    assert client.delete("/echo").status_code == 403
    response = client.delete("/echo", headers={"x-csrf-token": client.csrf_token()})
    assert response.status_code == 200


def test_multipart_forms_are_checked_too(client, echo):
    token = client.csrf_token()
    ok = client.post("/echo", data={"csrf_token": token, "a": "1"}, files={"f": ("a.txt", b"hello")})
    assert ok.status_code == 200
    refused = client.post("/echo", data={"a": "1"}, files={"f": ("a.txt", b"hello")})
    assert refused.status_code == 403
    assert "Send again" not in refused.text  # files cannot be replayed; the user goes back instead


def test_an_oversized_body_gets_413(app, client, echo):
    client.get("/")
    response = client.post("/echo", content=b"x" * (21 * 1024 * 1024),
                           headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413
    assert "too large" in response.text


def test_malformed_multipart_gets_400(client, echo):
    client.get("/")
    response = client.post("/echo", content=b"--x\r\nbroken", headers={"content-type": "multipart/form-data"})
    assert response.status_code in (400, 403)
    assert response.status_code != 500


# ------------------------------------------------------------------------ the plain form parser


def _starlette_form(body: bytes):
    """The form Starlette's own parser makes of ``body`` (what every view read before plain_form)."""
    import asyncio

    from starlette.datastructures import Headers
    from starlette.formparsers import FormParser

    async def stream():
        yield body
        yield b""

    headers = Headers({"content-type": "application/x-www-form-urlencoded"})
    return asyncio.run(FormParser(headers, stream()).parse())


def test_the_plain_parser_reads_a_survey_page_as_starlette_does():
    from consult.middleware.csrf import plain_form

    body = (b"csrf_token=ab.cd-ef_12&step=3&page=2&action=next&a%3Acountry=ua&a%3Aage=30"
            b"&a%3Aplaces=home&a%3Aplaces=market&a%3Acomment=Plus+d%27%C3%A9clairage+%26+%C3%A9coles%3D%3F&empty=")
    form = plain_form(body)
    assert form is not None
    assert form.multi_items() == _starlette_form(body).multi_items()
    assert form.getlist("a:places") == ["home", "market"] and form["a:comment"] == "Plus d'éclairage & écoles=?"


def test_the_plain_parser_leaves_unusual_bodies_to_starlette():
    from consult.middleware.csrf import MAX_FIELDS, plain_form

    for body in (b"", b"a=1;b=2", b"a=1&&b=2", b"flag&a=1", "a=é".encode(), b"a=" + b"x" * (1024 * 1024),
                 b"&".join(b"f%d=1" % n for n in range(MAX_FIELDS + 1))):
        assert plain_form(body) is None, body[:40]


def test_the_plain_parser_agrees_with_starlette_on_random_bodies():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from consult.middleware.csrf import plain_form

    piece = st.sampled_from(["a", "b", "Z", "0", "9", "=", "&", "%", "%2", "%41", "%C3%A9", "%E9", "%ZZ", "+", "%2B",
                             "%26", "%3D", ";", "-", "_", ".", "~", " ", "é", "\x00", "\x7f"])
    bodies = st.lists(piece, max_size=40).map(lambda parts: "".join(parts).encode("utf-8"))

    @settings(max_examples=600, deadline=None)
    @given(bodies)
    def agrees(body):
        form = plain_form(body)
        if form is not None:
            theirs = _starlette_form(body)
            assert form.multi_items() == theirs.multi_items()
            for name in {*theirs.keys(), "a", "missing"}:  # its own get() as Starlette's
                assert form.get(name) == theirs.get(name) and form.get(name, 7) == theirs.get(name, 7)

    agrees()
