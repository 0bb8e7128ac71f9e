"""CPU time of one request, in-process: where a survey page and a page submission spend the server's core.

    .venv/bin/python bench/request_cpu.py [--requests 3000]
        [--only|--profile home|page|page-read|submit|submit-read|statement]

The app is built as `consult serve` builds it (PostgreSQL, production settings, uvloop) and called through ASGI
directly, one request after another, so the figures are the app's own CPU per request — without uvicorn's HTTP
parsing and without waiting for PostgreSQL (``time.process_time`` counts this process only). The ceiling app of
bench/http_speed.py is measured the same way, and so is a submission's save statement alone (``statement``: its
database part, the floor of any submission made of one round trip). ``--profile`` prints cProfile's top functions
for one target.
Unlike bench/http_speed.py this is stable from run to run (a few per cent), which makes it the tool for judging
one change; http_speed.py is the one for the figures in the README.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import hashlib
import json
import os
import pstats
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support import databases  # noqa: E402


def scope(method: str, path: str, headers: list[tuple[str, str]], query: str = "") -> dict:
    return {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
            "path": path, "raw_path": path.encode(), "query_string": query.encode(), "root_path": "",
            "headers": [(k.lower().encode(), v.encode()) for k, v in headers],
            "client": ("127.0.0.1", 40000), "server": ("127.0.0.1", 8000), "state": {}}


async def call(app, method: str, path: str, headers: list[tuple[str, str]], body: bytes = b"",
               query: str = "") -> tuple[int, dict, bytes]:
    sent = False

    async def receive():
        nonlocal sent
        if sent:
            await asyncio.sleep(3600)
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    out: dict = {"status": 0, "headers": [], "body": b""}

    async def send(message):
        if message["type"] == "http.response.start":
            out["status"], out["headers"] = message["status"], message["headers"]
        elif message["type"] == "http.response.body":
            out["body"] += message.get("body", b"")

    await app(scope(method, path, headers, query), receive, send)
    return out["status"], out["headers"], out["body"]


def set_cookies(headers) -> dict[str, str]:
    found = {}
    for name, value in headers:
        if name.lower() == b"set-cookie":
            pair = value.decode().split(";", 1)[0]
            key, _, val = pair.partition("=")
            found[key] = val
    return found


async def measure(label: str, requests: int, make_call, profile: bool, concurrency: int, rounds: int = 5) -> float:
    """CPU µs per request: ``concurrency`` callers at once (as under load, when one turn of the event loop
    serves several requests), the best of ``rounds`` rounds (the least disturbed by the rest of the machine)."""
    for _ in range(200):  # warm the caches (forms, pages, statements)
        await make_call()
    profiler = cProfile.Profile() if profile else None
    if profiler:
        profiler.enable()
    per_caller = max(1, requests // rounds // concurrency)

    async def caller():
        for _ in range(per_caller):
            await make_call()

    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        await asyncio.gather(*(caller() for _ in range(concurrency)))
        best = min(best, (time.process_time() - started) / (per_caller * concurrency))
    if profiler:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
    micro = best * 1e6
    print(f"{label:<24}{micro:>9.1f} µs CPU a request")
    return micro


async def run(args) -> None:
    from consult.app import create_app
    from consult.settings import load_settings

    settings = load_settings()
    app = create_app(settings)
    from bench import ceiling_app

    results = {}
    lifespan_events: asyncio.Queue = asyncio.Queue()
    started: asyncio.Future = asyncio.get_running_loop().create_future()

    async def lifespan_receive():
        return await lifespan_events.get()

    async def lifespan_send(message):
        if message["type"] == "lifespan.startup.complete" and not started.done():
            started.set_result(True)

    lifespan = asyncio.ensure_future(app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}},
                                         lifespan_receive, lifespan_send))
    await lifespan_events.put({"type": "lifespan.startup"})
    await started
    import gc

    gc.collect()
    gc.freeze()
    try:
        headers = [("host", "127.0.0.1:8000")]
        if args.only is None:
            results["ceiling"] = await measure("ceiling", args.requests,
                                               lambda: call(ceiling_app.app, "GET", "/", headers), False,
                                               args.concurrency)
        slug = "wps-perceptions"
        status, got, body = await call(app, "GET", f"/s/{slug}", headers)
        csrf = set_cookies(got)["csrf"]
        token = body.decode().split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        form_headers = [*headers, ("content-type", "application/x-www-form-urlencoded")]
        status, got, _ = await call(app, "POST", f"/s/{slug}/start",
                                    [*form_headers, ("cookie", f"csrf={csrf}")],
                                    urllib.parse.urlencode({"consent": "yes", "lang": "en",
                                                            "csrf_token": token}).encode())
        assert status == 303, status
        respondent = next((k, v) for k, v in set_cookies(got).items() if k.startswith("r"))
        cookie = f"csrf={csrf}; {respondent[0]}={respondent[1]}"
        namespace: dict = {}
        exec(compile((ROOT / "bench" / "http_targets.py").read_text(), "http_targets.py", "exec"), namespace)
        from consult.surveys.form import FormDefinition
        from consult.surveys.models import Survey, SurveyVersion

        survey = await Survey.get(slug=slug)
        version = await SurveyVersion.filter(survey_id=survey.id).order_by("-number").first()
        form = FormDefinition.from_dict(version.definition)
        walk = namespace["demo_walk"](form)
        index, fields, _ = walk[0]
        status, got, _ = await call(app, "POST", f"/s/{slug}/page", [*form_headers, ("cookie", cookie)],
                                    urllib.parse.urlencode([("csrf_token", token), ("step", "0"),
                                                            ("page", str(index)), ("action", "next"),
                                                            *fields]).encode())
        assert status == 303, status
        path, _, query = dict(got)[b"location"].decode().partition("?")  # /s/<slug>/page?v=1, as a browser goes
        status, _, body = await call(app, "GET", path, [*headers, ("cookie", cookie)], query=query)
        assert status == 200 and b'name="step" value="1"' in body, status
        if args.only in (None, "home"):
            results["home page"] = await measure("home page", args.requests,
                                                 lambda: call(app, "GET", "/", headers), args.profile == "home",
                                                 args.concurrency)
        if args.only in (None, "page"):
            results["survey page"] = await measure(
                "survey page", args.requests,
                lambda: call(app, "GET", path, [*headers, ("cookie", cookie)], query=query), args.profile == "page",
                args.concurrency)
        if args.only in (None, "page-read"):
            # Without ?v=: read from the database each time, as by a server that kept nothing of her response.
            results["survey page, read"] = await measure(
                "survey page, read", args.requests,
                lambda: call(app, "GET", path, [*headers, ("cookie", cookie)]), args.profile == "page-read",
                args.concurrency)

        # Submissions: fresh responses inserted at each page of the walk, each taking the page it is at.
        from consult.surveys.models import Response

        import datetime as dt

        needed = args.requests + 200
        walkers = needed // len(walk) + 4 * args.concurrency
        now = dt.datetime.now(dt.timezone.utc)
        secrets_at = []
        rows = []
        for n in range(needed + walkers):
            secret = secrets.token_urlsafe(24)
            step = n % len(walk) if n < needed else 0
            secrets_at.append((secret, step))
            rows.append(Response(survey_id=survey.id, version_id=version.id,
                                 key_hash=hashlib.sha256(secret.encode()).hexdigest(),
                                 resume_code="".join(secrets.choice("ABCDEFGHJKMNPQRSTUVWXYZ23456789")
                                                     for _ in range(12)),
                                 language="en", status="in_progress", page=walk[step][0], step=step,
                                 answers=json.loads(json.dumps(walk[step][2])), created_at=now, updated_at=now))
        await Response.bulk_create(rows, batch_size=1000)
        bodies = [urllib.parse.urlencode([("csrf_token", token), ("step", str(step)), ("page", str(index)),
                                          ("action", "next"), *fields]).encode()
                  for step, (index, fields, _) in enumerate(walk)]
        import collections

        # Walkers: responses that go through every page of the walk one after the other, as respondents do (the
        # first page of each is read from the database, the next ones from what the app kept of the response).
        walking = collections.deque(secrets_at[needed:])
        pending = iter(secrets_at[:needed])

        async def post(secret: str, step: int) -> None:
            status, _, _ = await call(app, "POST", f"/s/{slug}/page",
                                      [*form_headers, ("cookie", f"csrf={csrf}; r{survey.id}={secret}")],
                                      bodies[step])
            assert status == 303, status

        async def submit():
            secret, step = walking.popleft()
            await post(secret, step)
            if step + 1 < len(walk):
                walking.append((secret, step + 1))

        async def submit_read():  # each response once, at its own page: always read from the database
            await post(*next(pending))

        if args.only in (None, "submit"):
            results["page submission"] = await measure("page submission", args.requests, submit,
                                                       args.profile == "submit", args.concurrency)
        if args.only in (None, "submit-read"):
            results["page submission, read"] = await measure("page submission, read", args.requests, submit_read,
                                                             args.profile == "submit-read", args.concurrency)
        if args.only in (None, "statement"):
            # The floor of a submission's database part in this process: the save statement alone, through the
            # app's database client, with a step no response is at, so that nothing is written (PostgreSQL's work
            # is smaller; ours, encoding the values, sending, reading the outcome, is the same but for one row).
            from tortoise import connections

            from consult.surveys import responding

            # Distinct responses, as distinct respondents' saves are (two saves of one response never share a
            # statement: consult/surveys/save_batch.py).
            import itertools

            samples = itertools.cycle(await Response.filter(survey_id=survey.id).limit(4 * args.concurrency))
            fields = {"answers": walk[len(walk) // 2][2], "page": 1, "step": 1, "updated_at": now}

            async def statement():
                sample = next(samples)
                try:
                    await responding._save_in_one_statement(connections.get("default"), sample, -1, fields,
                                                            form.pages[sample.page].name)
                except responding._Replayed:
                    pass

            results["the save statement alone"] = await measure("the save statement alone", args.requests,
                                                                statement, args.profile == "statement",
                                                                args.concurrency)
        ceiling = results.get("ceiling")
        if ceiling:
            print("as a share of the ceiling (CPU only; uvicorn's own part is left out of both): "
                  + ", ".join(f"{name} {ceiling / micro:.0%}" for name, micro in results.items()
                              if name not in ("ceiling", "the save statement alone")))
    finally:
        await lifespan_events.put({"type": "lifespan.shutdown"})
        await lifespan


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=3000)
    targets = ["home", "page", "page-read", "submit", "submit-read", "statement"]
    parser.add_argument("--profile", choices=targets, default=None)
    parser.add_argument("--concurrency", type=int, default=16, help="requests in flight at once (default 16)")
    parser.add_argument("--only", choices=targets, default=None,
                        help="measure one target only (for py-spy: `py-spy record -- python bench/request_cpu.py …`)")
    args = parser.parse_args()
    databases.POSTGRES_URL = os.environ.get("CONSULT_BENCH_DATABASE_URL",
                                            "postgresql://postgres@127.0.0.1:5432/test")
    database_url = databases.create_postgres_database("consult_bench")
    data_dir = Path(tempfile.mkdtemp(prefix="consult-bench-"))
    env = {"CONSULT_DATABASE_URL": database_url, "CONSULT_DATA_DIR": str(data_dir), "CONSULT_ENV": "production",
           "CONSULT_SECRET_KEY": "bench-" + "k" * 40, "CONSULT_LOG_LEVEL": "WARNING",
           "CONSULT_MAIL_URL": f"file://{data_dir / 'outbox'}"}
    os.environ.update(env)
    try:
        for command in (["migrate"], ["demo", "--in-production"]):  # a throwaway database
            subprocess.run([sys.executable, "-m", "consult", *command], check=True, capture_output=True)
        import uvloop

        uvloop.run(run(args))
    finally:
        databases.drop_postgres_database(database_url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
