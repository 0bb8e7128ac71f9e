"""Logs are structured and carry neither form content, query strings nor clients' addresses."""

from __future__ import annotations

import json
import logging

from consult.logs import JSONFormatter


def test_request_log_leaves_out_query_strings_and_form_content(client, caplog):
    caplog.set_level(logging.INFO, logger="consult.request")
    client.get("/language/fr?next=/&token=123456-secret")
    client.post_form("/healthz", {"password": "Hunter-2-Hunter-2", "code": "987654"})
    records = [r for r in caplog.records if r.name == "consult.request"]
    assert [r.status for r in records] == [303, 405]
    text = "\n".join(JSONFormatter().format(r) for r in records)
    for secret in ("123456-secret", "Hunter-2", "987654", "testclient", "127.0.0.1"):
        assert secret not in text
    entry = json.loads(JSONFormatter().format(records[0]))
    assert entry["path"] == "/language/{code}"  # the route's pattern, not the path
    assert entry["method"] == "GET" and entry["level"] == "info"


def test_errors_are_logged_with_their_traceback_as_json(app, client, caplog):
    from starlette.routing import Route

    async def broken(request):
        raise ValueError("boom")

    app.router.routes.append(Route("/broken", broken))
    caplog.set_level(logging.ERROR, logger="consult.errors")
    assert client.get("/broken").status_code == 500
    record = next(r for r in caplog.records if r.name == "consult.errors")
    entry = json.loads(JSONFormatter().format(record))
    assert "ValueError: boom" in entry["traceback"]
