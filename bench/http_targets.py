"""The survey targets of bench/http_speed.py: a survey page (GET) and a page submission (POST) of the demo survey.

Loaded by ``http_speed.targets(port)`` (this file is exec'd in the bench process, after ``consult demo`` and with
``consult serve`` running). wrk runs one Lua state for all its connections and cannot tell which connection a
response came back on, so per-connection form state (a response, its step, its cookies) is prepared here instead:

* **survey page**: one response of the demo survey, past the consent page, whose second page ("About you") every
  connection GETs with the response's cookie, at the address the first page's submission redirected to
  (``/page?v=1``), as a browser does; nothing is written. The server answers it from what it kept of the response
  (``consult/surveys/response_cache.py``), without a database read.
* **survey page, read**: the page of another respondent on each request (``bench/read_pages.lua`` goes round a pool
  of ``PAGE_POOL`` responses, each at a random page of the walk), at ``/page``, without the step: the server reads
  the response from the database on every request (what a server that has not seen her before does).
* **page submission**: ``POOL`` fresh responses are inserted into the bench database (only the SHA-256 of their
  cookie secrets is stored, as the app does), each at a random page of one valid walk through the survey;
  ``bench/submit_pages.lua`` keeps a window of them in flight and walks each on through the rest of the survey
  with valid answers (``next`` on each page, the step it is at in the hidden field, a real CSRF token), so every
  request is a page the server validates and saves (one response update and one page-submission row), the last
  one completing the response. Before each run, ``bench/show_pages.lua`` shows each respondent the run may use her
  page (a GET, outside the measurement), as her browser asked for it before she submitted it: so the server that
  answers her submission is the one that showed her the page, and it kept her response (with one server, every
  submission of a respondent who started on it). As many are shown as the server keeps
  (``response_cache.MAX_RESPONSES``); a fast run that uses more reads the rest from the database.
* **page submission, read**: the same, without being shown their page first: respondents new to this server (a
  second server behind a proxy without sticky sessions, a restart). Each response's first submission reads it from
  the database (a response starts at a random page, so about a third of the submissions do); the next ones find
  it kept by the server that saved the previous page, when the same one gets them.

After each submission run the page-submission rows added are counted in the database and compared with wrk's count
of requests answered 303.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import consult  # noqa: E402  (http_speed.py has put the repository on sys.path)

ROOT = Path(consult.__file__).resolve().parent.parent

SLUG = "wps-perceptions"
#: Fresh responses inserted for the submission targets; each takes one page submission per page of the survey from
#: the page it is at on (four on average). Enough for three runs of each target at 8,000 submissions a second.
POOL = 100_000
#: Responses whose pages the "survey page, read" target asks for in turn (nothing is written to them).
PAGE_POOL = 5_000


def _database_url() -> str:
    """The bench database: created by http_speed.py in this very process (``consult_bench_<pid>_…``)."""
    if os.environ.get("CONSULT_DATABASE_URL", "").startswith("postgres"):
        return os.environ["CONSULT_DATABASE_URL"]
    import psycopg

    from tests.support import databases

    with psycopg.connect(databases.POSTGRES_URL, autocommit=True) as connection:
        rows = connection.execute("SELECT datname FROM pg_database WHERE datname LIKE %s ORDER BY oid DESC",
                                  (f"consult_bench_{os.getpid()}_%",)).fetchall()
    if not rows:
        raise RuntimeError("no bench database found for this process")
    return databases.with_database(databases.POSTGRES_URL, rows[0][0])


def demo_walk(form, seed: int = 11) -> list[tuple[int, list[tuple[str, str]], dict]]:
    """(page index, form fields, answers saved before it) for each page of one complete pass through ``form``,
    each page valid as sent."""
    import random

    from consult.surveys import demo
    from consult.surveys.validation import next_page, revealed_questions, validate_page

    rng = random.Random(seed)
    for _attempt in range(200):
        answers: dict = {}
        walk = []
        index = next_page(form, -1, answers)
        ok = True
        while index is not None:
            raw: dict = {}
            fields: list[tuple[str, str]] = []
            for question in form.pages[index].questions:
                if not question.is_answered:
                    continue
                view = {**answers, **{k: v for k, v in raw.items()}}
                from consult.surveys.validation import is_relevant

                if not is_relevant(form, question.name, view):
                    continue
                value = demo._value(rng, form, question, view, 0.5)
                if question.name in ("consent", "gbv_continue"):
                    value = "yes"
                if value is None:
                    continue
                raw[question.name] = value
                values = value if isinstance(value, list) else [value]
                fields += [("a:" + question.name, str(v)) for v in values]
            inputs = {q.name: ([str(v) for v in raw[q.name]] if isinstance(raw.get(q.name), list)
                               else (str(raw[q.name]) if q.name in raw else None))
                      for q in form.pages[index].questions if q.is_answered}
            clean, errors = validate_page(form, index, inputs, answers, lang="en")
            if errors or revealed_questions(form, index, answers, clean):
                ok = False
                break
            walk.append((index, fields, dict(answers)))
            answers.update(clean)
            index = next_page(form, index, answers)
        if ok and len(walk) == len(form.pages):
            return walk
    raise RuntimeError("no valid walk through the demo survey")


def _fetch(url: str, data: dict | None = None, cookies: str = "") -> tuple[int, dict, str]:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers={"Cookie": cookies} if cookies else {})
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=10) as reply:
            return reply.status, _cookies(reply.headers), reply.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, _cookies(error.headers), error.read().decode()


def _cookies(headers) -> dict:
    return {"Set-Cookie": "; ".join(headers.get_all("Set-Cookie") or []), "Location": headers.get("Location", "")}


def _lua_string(text: str) -> str:
    return json.dumps(text)  # a JSON string of ASCII text is a valid Lua string literal


def targets(port: int) -> list:
    import psycopg

    from consult.surveys.form import FormDefinition

    base = f"http://127.0.0.1:{port}"
    database = _database_url()
    with psycopg.connect(database, autocommit=True) as connection:
        survey_id, version_id, definition = connection.execute(
            "SELECT s.id, v.id, v.definition FROM surveys s JOIN survey_versions v ON v.survey_id = s.id "
            "WHERE s.slug = %s ORDER BY v.number DESC LIMIT 1", (SLUG,)).fetchone()
    form = FormDefinition.from_dict(definition if isinstance(definition, dict) else json.loads(definition))
    walk = demo_walk(form)

    # A CSRF cookie and its token, as a browser gets them from the consent page.
    status, headers, html = _fetch(f"{base}/s/{SLUG}")
    csrf_cookie = re.search(r"csrf=([^;]+)", headers.get("Set-Cookie", "")).group(1)
    csrf_token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)

    # The survey page: one respondent who consented and is on the second page.
    status, headers, _ = _fetch(f"{base}/s/{SLUG}/start", {"consent": "yes", "lang": "en", "csrf_token": csrf_token},
                                cookies=f"csrf={csrf_cookie}")
    respondent = re.search(rf"(r{survey_id}=[^;]+)", headers.get("Set-Cookie", "")).group(1)
    cookies = f"csrf={csrf_cookie}; {respondent}"
    first_index, first_fields, _ = walk[0]
    status, headers, _ = _fetch(f"{base}/s/{SLUG}/page", {"csrf_token": csrf_token, "step": "0",
                                                          "page": str(first_index), "action": "next",
                                                          **dict(first_fields)}, cookies=cookies)
    assert status == 303, status
    page_path = headers["Location"]  # /s/<slug>/page?v=1: where the browser goes next
    assert page_path.startswith(f"/s/{SLUG}/page?v="), page_path
    status, _, html = _fetch(f"{base}{page_path}", cookies=cookies)
    assert status == 200 and 'name="step" value="1"' in html, (status, html[:300])
    work = Path(tempfile.mkdtemp(prefix="consult-bench-lua-"))
    page_script = work / "survey_page.lua"
    page_script.write_text(f'wrk.headers["Cookie"] = {_lua_string(cookies)}\n')

    # The page submissions: a pool of responses, inserted as the app would have saved them, each at a random page
    # of the walk (so that the pages are mixed from the first request on).
    import random

    rng = random.Random(5)
    pool = [(secrets.token_urlsafe(24), rng.randrange(len(walk))) for _ in range(POOL)]
    page_pool = [(secrets.token_urlsafe(24), rng.randrange(len(walk))) for _ in range(PAGE_POOL)]
    alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
    with psycopg.connect(database, autocommit=True) as connection:
        with connection.cursor() as cursor:
            with cursor.copy("COPY survey_responses (survey_id, version_id, key_hash, resume_code, language, status, "
                             "page, step, answers, created_at, updated_at) FROM STDIN") as copy:
                saved = [json.dumps(answers) for _, _, answers in walk]
                for secret, step in pool + page_pool:
                    code = "".join(secrets.choice(alphabet) for _ in range(12))
                    copy.write_row((survey_id, version_id, hashlib.sha256(secret.encode()).hexdigest(), code, "en",
                                    "in_progress", walk[step][0], step, saved[step], "now", "now"))
    with psycopg.connect(database, autocommit=True) as connection:
        # Settle the table now: autovacuum waking up on the new rows in the middle of a measured run would take
        # the second core from wrk and the server.
        connection.execute("VACUUM ANALYZE survey_responses")
    (work / "secrets.txt").write_text("".join(f"{secret} {step + 1}\n" for secret, step in pool))
    (work / "page_secrets.txt").write_text("".join(f"{secret}\n" for secret, _step in page_pool))
    read_script = work / "read_pages.lua"
    read_script.write_text(
        f"survey_cookie = {_lua_string(f'csrf={csrf_cookie}; r{survey_id}=')}\n"
        f"secrets_file = {_lua_string(str(work / 'page_secrets.txt'))}\n"
        + (ROOT / "bench" / "read_pages.lua").read_text())
    (work / "next.txt").write_text("1\n")
    steps = []
    for step, (index, fields, _) in enumerate(walk):
        body = urllib.parse.urlencode([("csrf_token", csrf_token), ("step", str(step)), ("page", str(index)),
                                       ("action", "next"), *fields])
        steps.append(_lua_string(body))
    submit_script = work / "submit_pages.lua"
    submit_script.write_text(
        f"survey_cookie = {_lua_string(f'csrf={csrf_cookie}; r{survey_id}=')}\n"
        f"secrets_file = {_lua_string(str(work / 'secrets.txt'))}\n"
        f"next_file = {_lua_string(str(work / 'next.txt'))}\n"
        f"bodies = {{{', '.join(steps)}}}\n"
        + (ROOT / "bench" / "submit_pages.lua").read_text())

    from consult.surveys.response_cache import MAX_RESPONSES

    shown_file = work / "shown.txt"
    shown_file.write_text("0\n")
    show_script = work / "show_pages.lua"
    show_script.write_text(
        f"survey_cookie = {_lua_string(f'csrf={csrf_cookie}; r{survey_id}=')}\n"
        f"secrets_file = {_lua_string(str(work / 'secrets.txt'))}\n"
        f"next_file = {_lua_string(str(work / 'next.txt'))}\n"
        f"shown_file = {_lua_string(str(shown_file))}\n"
        f"count = {MAX_RESPONSES - 1000}\n"  # room for the survey page target's respondent and a few others
        + (ROOT / "bench" / "show_pages.lua").read_text())

    def show_pages() -> None:
        """Each respondent the next run may use is shown her page: the server keeps her response."""
        shown_file.write_text("0\n")
        shower = subprocess.Popen(["wrk", "-t1", "-c16", "-d120s", "-s", str(show_script), f"{base}/s/{SLUG}/page"],
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        shown = 0
        try:  # wrk runs for its duration whatever its script says: stopped here once the script says it is done
            while shower.poll() is None and shown == 0:
                time.sleep(0.05)
                shown = int(shown_file.read_text().strip() or 0)  # empty while the script writes it
        finally:
            shower.terminate()
            shower.wait()
        if shown == 0:
            raise RuntimeError(f"bench/show_pages.lua did not finish (wrk exited with {shower.returncode}): "
                               f"{shower.stdout.read()}")

    def past_the_shown() -> None:
        """A run of the read target starts with responses no run of the kept one was shown."""
        shown = int(shown_file.read_text())
        next_file = work / "next.txt"
        if int(next_file.read_text()) <= shown:
            next_file.write_text(f"{shown + 1}\n")

    counted = {"before": _submission_count(database)}

    def check(wrk_output: str) -> str:
        """Page-submission rows added by this wrk run, against the requests wrk counted as answered (303)."""
        now = _submission_count(database)
        added, counted["before"] = now - counted["before"], now
        total = int(re.search(r"(\d+) requests in", wrk_output).group(1))
        bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", wrk_output)
        answered = total - (int(bad.group(1)) if bad else 0)
        return f"saved {added} page submissions for {answered} answered requests"

    return [("survey page", page_path, str(page_script)),
            # Pages asked for without the step, another respondent's each time: what a process that kept nothing of
            # her response (another server behind a proxy without sticky sessions, a restart) does on every request.
            ("survey page, read", f"/s/{SLUG}/page", str(read_script)),
            ("page submission", f"/s/{SLUG}/page", str(submit_script), check, show_pages),
            ("page submission, read", f"/s/{SLUG}/page", str(submit_script), check, past_the_shown)]


def _submission_count(database: str) -> int:
    import psycopg

    with psycopg.connect(database, autocommit=True) as connection:
        return connection.execute("SELECT count(*) FROM survey_page_submissions").fetchone()[0]
