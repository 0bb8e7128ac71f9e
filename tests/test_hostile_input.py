"""Hostile input to every route: random and malformed forms, odd encodings, huge fields, forged tokens.

Whatever arrives, the answer is a page with a 2xx, 3xx or 4xx status — never a 500. Routes are discovered from the
app, so a new form is covered as soon as it is routed. Path parameters get plausible and random values.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.routing import Mount, Route

FIELD_NAMES = st.sampled_from([
    "email", "password", "code", "name", "display_name", "language", "next", "csrf_token", "body", "comment",
    "title", "status", "role", "answer", "page", "token", "slug", "paragraph", "quote", "format", "id", "q",
]) | st.text(min_size=0, max_size=20)
NASTY_TEXT = st.one_of(
    st.text(max_size=200),
    st.sampled_from(["", " ", "\x00", "'; DROP TABLE users; --", "<script>alert(1)</script>", "${x}", "%(x)s",
                     "../../etc/passwd", "9" * 400, "-1", "1e309", "NaN", "٣", "🙂" * 50, "a@b", "@", "\ud7ff"]),
    st.just("x" * 100_000),
)


def routes_of(app, prefix=""):
    for route in app.routes:
        if isinstance(route, Mount):
            if route.path == "/static":
                continue
            yield from routes_of(route, prefix + route.path)
        elif isinstance(route, Route):
            yield prefix + route.path, route.methods or {"GET"}


def fill(path: str, value: str) -> str:
    return re.sub(r"\{[^}]+\}", value, path)


PATH_VALUES = st.sampled_from(["1", "0", "999999", "-1", "abc", "x" * 300, "%00", "..", "1.5"])


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(data=st.data())
def test_random_forms_never_cause_a_server_error(client, app, data):
    routes = sorted({(path, method) for path, methods in routes_of(app) for method in methods
                     if method in ("GET", "POST")})
    path, method = data.draw(st.sampled_from(routes))
    url = fill(path, data.draw(PATH_VALUES))
    fields = data.draw(st.lists(st.tuples(FIELD_NAMES, NASTY_TEXT), max_size=8))
    query = data.draw(st.lists(st.tuples(FIELD_NAMES, st.text(max_size=30)), max_size=3))
    token = data.draw(st.sampled_from(["valid", "missing", "forged"]))
    if method == "GET":
        response = client.get(url, params=[(k, v) for k, v in query])
    else:
        if token == "valid":
            fields.append(("csrf_token", client.csrf_token()))
        elif token == "forged":
            fields.append(("csrf_token", "forged." + data.draw(st.text(max_size=10))))
        encoding = data.draw(st.sampled_from(["form", "latin1", "multipart", "junk"]))
        if encoding == "form":
            grouped: dict[str, list[str]] = {}
            for key, value in fields:  # repeated names are sent as repeated fields
                grouped.setdefault(key, []).append(value)
            response = client.post(url, data=grouped)
        elif encoding == "latin1":
            body = "&".join(f"{k}={v}" for k, v in fields).encode("utf-8", "surrogatepass") + b"&x=\xff\xfe"
            response = client.post(url, content=body, headers={"content-type": "application/x-www-form-urlencoded"})
        elif encoding == "multipart":
            response = client.post(url, data=dict(fields), files={"file": ("x.xlsx", b"PK\x03\x04garbage")})
        else:
            response = client.post(url, content=b"\x00\xff" * 50, headers={"content-type": "application/json"})
    assert response.status_code < 500, (method, url, response.status_code, response.text[:500])
