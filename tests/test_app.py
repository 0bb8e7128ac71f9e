"""The application as a whole: home page, health check, headers, error pages, static files."""

from __future__ import annotations

import re

from consult.middleware.security_headers import CONTENT_SECURITY_POLICY


def test_home_page_in_english_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    assert '<html lang="en" dir="ltr">' in response.text
    assert "The four strategic objectives" in response.text


def test_healthz_answers_ok_with_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_without_the_database(tmp_path):
    from starlette.testclient import TestClient

    from consult.app import create_app
    from consult.settings import Settings

    # A database server that cannot be reached (nothing listens on port 1): the app starts, /healthz tells.
    settings = Settings(env="test", data_dir=tmp_path, database_url="postgresql://postgres@127.0.0.1:1/nowhere",
                        secret_key="k" * 40, mail_url=f"file://{tmp_path}/outbox", mail_worker=False)
    with TestClient(create_app(settings)) as client:
        response = client.get("/healthz")
        assert response.status_code == 503
        assert response.json()["database"] == "unreachable"


def test_security_headers_on_every_response(client):
    for path in ("/", "/healthz", "/does-not-exist", "/static/consult.css"):
        response = client.get(path)
        assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY, path
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert "strict-transport-security" not in response.headers  # plain HTTP here
    policy = CONTENT_SECURITY_POLICY
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "script-src 'self'"):
        assert directive in policy
    assert "unsafe-inline" not in policy


def test_hsts_when_served_over_https(client):
    response = client.get("https://testserver/")
    assert response.headers["strict-transport-security"].startswith("max-age=")


def test_pages_load_nothing_from_other_hosts(client):
    html = client.get("/").text
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        # Only same-site paths; the one external link allowed on respondent pages is the quick exit (a navigation).
        assert url.startswith(("/", "#", "data:")), url


def test_not_found_page_is_translated(client):
    response = client.get("/no-such-page", headers={"accept-language": "fr"})
    assert response.status_code == 404
    assert '<html lang="fr" dir="ltr">' in response.text
    assert "Page introuvable" in response.text


def test_method_not_allowed_page(client):
    response = client.post_form("/healthz")
    assert response.status_code == 405
    assert "This action is not allowed here" in response.text


def test_unexpected_error_gives_translated_500_without_traceback(app, client):
    from starlette.routing import Route

    async def broken(request):
        raise RuntimeError("secret internal detail")

    app.router.routes.append(Route("/broken", broken))
    response = client.get("/broken", headers={"accept-language": "ar"})
    assert response.status_code == 500
    assert 'dir="rtl"' in response.text
    assert "secret internal detail" not in response.text
    assert "Traceback" not in response.text


def test_database_failure_gives_503_page(app, client):
    from starlette.routing import Route
    from tortoise.exceptions import DBConnectionError

    async def database_down(request):
        raise DBConnectionError("connection refused")

    app.router.routes.append(Route("/db-down", database_down))
    response = client.get("/db-down")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "30"
    assert "unavailable" in response.text


def test_static_files_are_cached_for_a_year_when_versioned(client):
    html = client.get("/").text
    css = re.search(r'href="(/static/consult\.css\?v=[0-9a-f]+)"', html).group(1)
    response = client.get(css)
    assert response.status_code == 200
    assert "immutable" in response.headers["cache-control"]
    assert "max-age=31536000" in response.headers["cache-control"]


def test_pages_are_compressed(client):
    response = client.get("/static/consult.css?v=1", headers={"accept-encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"


def test_pages_are_not_cached(client):
    assert client.get("/").headers["cache-control"] == "no-store"


def test_a_form_that_fails_because_the_database_is_away_is_kept_for_sending_again(app, client):
    import re

    from starlette.responses import PlainTextResponse
    from starlette.routing import Route
    from tortoise.exceptions import DBConnectionError

    state = {"down": True}

    async def save(request):
        form = await request.form()
        if state["down"]:
            raise DBConnectionError("connection refused")
        return PlainTextResponse("saved " + form["answer"])

    app.router.routes.append(Route("/save", save, methods=["POST"]))
    response = client.post_form("/save", {"answer": "نعم، أشعر بالأمان", "password": "Not-Echoed-123"},
                                headers={"accept-language": "ar"})
    assert response.status_code == 503
    assert 'dir="rtl"' in response.text
    assert 'value="نعم، أشعر بالأمان"' in response.text
    assert "Not-Echoed-123" not in response.text
    # The database is back: the kept form goes through as it is.
    state["down"] = False
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', response.text))
    again = client.post("/save", data=fields)
    assert again.status_code == 200
    assert again.text == "saved نعم، أشعر بالأمان"
