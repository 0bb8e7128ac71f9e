"""500 respondents complete the demo survey at once through the real pages; then nothing acknowledged may be missing.

    .venv/bin/python bench/load_respondents.py [--respondents 500] [--workers 1] [--kill-after 8] [--seed 1]

A private PostgreSQL database is created on the shared server (CONSULT_BENCH_DATABASE_URL, default
postgresql://postgres@127.0.0.1:5432/test), migrated and loaded with the demo; `consult serve` runs on it on a free
loopback port; the database is dropped at the end. Each simulated respondent is an httpx client with its own cookies
that reads the HTML as a browser would: the consent page (CSRF token), then each page (the hidden step, page and
CSRF fields; the questions the server shows, answered at random within their choices, so skip logic is the
server's), with random pauses. 5 % of pages are sent twice (half of them both at once); 5 % of respondents abandon
half-way and come back later, half with their cookie, half on a "new device" with the resume code shown on the
page; 2 % delete their answers half-way ("Delete my answers"). A page refused with 422 (a constraint) is answered
again, as a person would.

Every page the server acknowledged (303) goes into a ledger: the values sent, by response (known by its resume
code). At the end the ledger is compared with the database answer by answer: every acknowledged answer is stored,
nothing else is (every other stored value is empty), each response's step equals the number of distinct pages
acknowledged, its page-submission rows equal the pages acknowledged with "next", and no response was created
twice for a respondent; a respondent told her answers were deleted has no response left.

With ``--kill-after S`` the server is killed with SIGKILL S seconds into the run and started again: a request
that got no answer (the connection dropped, or 503 while the database was reconnecting) is sent again as it was,
the step in it makes a page already saved a no-op, and the check at the end is the same.
Every loop is bounded in count and time; all traffic goes to 127.0.0.1.

``run(database_url, ...)`` is the same on a database the caller made (tests/faults/test_server_killed.py runs it on
the fault tests' private cluster): it returns an ``Outcome`` with the problems found, the ledgers and when pages were
acknowledged relative to the kill; ``main()`` makes and drops the database and prints.
"""

from __future__ import annotations

import argparse
import asyncio
import html as htmllib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx2 as httpx  # noqa: E402

from bench.http_speed import free_port, wait_until_up  # noqa: E402
from tests.support import databases  # noqa: E402

SLUG = "wps-perceptions"
MAX_PAGES = 60  # per respondent, a bound (the demo survey has 7 pages)
MAX_RETRY_SECONDS = 60.0  # how long a request is retried while the server is away


class Unanswered(Exception):
    pass


@dataclass
class Ledger:
    """What one respondent was told was saved."""

    resume_code: str = ""
    answers: dict = field(default_factory=dict)
    steps: int = 0  # distinct page forms acknowledged (each moves the response's step by one)
    nexts: int = 0  # of which moved on (a page-submission row each)
    complete: bool = False
    sent_twice: int = 0
    abandoned: str = ""
    withdrawn: bool = False  # told that her answers were deleted
    retried: int = 0
    refused: int = 0
    acknowledged_at: list = field(default_factory=list)  # time.monotonic() of each acknowledged page


class Server:
    def __init__(self, env: dict, port: int, workers: int):
        self.env, self.port, self.workers = env, port, workers
        self.process: subprocess.Popen | None = None
        self.log = open(Path(env["CONSULT_DATA_DIR"]) / "server.log", "ab")

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "consult", "serve", "--port", str(self.port), "--workers", str(self.workers)],
            env=self.env, stdout=self.log, stderr=self.log, start_new_session=True)
        wait_until_up(f"http://127.0.0.1:{self.port}/healthz", self.process)

    def kill(self) -> None:
        """SIGKILL to the server and its workers (its own process group, started above)."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


def hidden(page: str, name: str) -> str | None:
    match = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', page)
    return htmllib.unescape(match.group(1)) if match else None


def questions(page: str) -> list[dict]:
    """The inputs the server rendered, in order: name, kind, choices, the value shown (checked or filled in)."""
    found: dict[str, dict] = {}
    for tag in re.finditer(r"<(input|textarea)\b([^>]*)>(?:([^<]*)</textarea>)?", page):
        attrs = dict(re.findall(r'([\w:-]+)="([^"]*)"', tag.group(2)))
        name = attrs.get("name", "")
        if not name.startswith("a:"):
            continue
        kind = tag.group(1) if tag.group(1) == "textarea" else attrs.get("type", "text")
        if kind == "text" and attrs.get("inputmode") in ("numeric", "decimal"):
            kind = attrs["inputmode"]
        entry = found.setdefault(name, {"name": name[2:], "kind": kind, "choices": [], "shown": None,
                                        "error": f'id="q-{name[2:]}-e"' in page})
        if kind in ("radio", "checkbox"):
            value = htmllib.unescape(attrs.get("value", ""))
            entry["choices"].append(value)
            if re.search(r"\schecked\b", tag.group(2)):
                entry["shown"] = value if kind == "radio" else (entry["shown"] or []) + [value]
        elif kind == "textarea":
            entry["shown"] = htmllib.unescape(tag.group(3) or "") or None
        else:
            entry["shown"] = htmllib.unescape(attrs.get("value", "")) or None
    return list(found.values())


def pick(rng: random.Random, question: dict, careful: bool):
    kind, choices = question["kind"], question["choices"]
    if kind == "radio":
        if question["name"] in ("consent", "gbv_continue") and "yes" in choices and rng.random() < 0.9:
            return "yes"
        return rng.choice(choices)
    if kind == "checkbox":
        plain = [c for c in choices if c not in ("none", "prefer_not", "dont_know")] or choices
        k = 1 if careful or rng.random() < 0.6 else min(len(plain), 2)
        chosen = set(rng.sample(plain, k))
        return [c for c in choices if c in chosen]
    if kind == "numeric":
        if not careful and rng.random() < 0.05:
            return str(rng.choice([0, 99, 250]))  # a slip: outside the question's range, refused with 422
        return str(rng.randint(1, 12))
    if kind == "decimal":
        return f"{rng.uniform(0, 10):.1f}"
    if kind == "date":
        return f"{rng.randint(2014, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    if not careful and rng.random() < 0.4:
        return ""  # an optional text left empty
    return rng.choice(["More light in the streets.", "Plus de refuges.", "Потрібно більше укриттів.",
                       "نحتاج إلى مراكز آمنة", "  spaces around  "])


def stored_form(value, kind: str):
    """What the server stores for a value sent in an input of this kind (for the comparison)."""
    if kind == "checkbox":
        return list(value)
    if value is None or value.strip() == "":
        return None
    if kind == "numeric":
        return int(value)
    if kind == "decimal":
        return float(value)
    return value.strip()


class Respondent:
    def __init__(self, number: int, base: str, rng: random.Random, deadline: float):
        self.number, self.base, self.rng, self.deadline = number, base, rng, deadline
        self.ledger = Ledger()
        self.client = self._client()

    def _client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.base, follow_redirects=False, timeout=30.0)

    async def request(self, method: str, url: str, **kwargs) -> httpx.Response:
        """Send; on a dropped connection or a 503 (the server restarting) send the same again, for a while."""
        until = min(self.deadline, time.monotonic() + MAX_RETRY_SECONDS)
        delay = 0.2
        while True:
            try:
                reply = await self.client.request(method, url, **kwargs)
                if reply.status_code != 503:
                    return reply
            except httpx.TransportError:
                pass
            if time.monotonic() > until:
                raise Unanswered(f"{method} {url}")
            self.ledger.retried += 1
            await asyncio.sleep(delay + self.rng.random() * delay)
            delay = min(delay * 1.5, 2.0)

    async def pause(self, scale: float = 0.3) -> None:
        await asyncio.sleep(self.rng.random() * scale)

    async def run(self) -> Ledger:
        try:
            await self._run()
        finally:
            await self.client.aclose()
        return self.ledger

    async def _run(self) -> None:
        rng = self.rng
        start = await self.request("GET", f"/s/{SLUG}")
        token = hidden(start.text, "csrf_token")
        lang = rng.choice(["en", "en", "fr", "uk", "ar", "fa"])
        begun = await self.request("POST", f"/s/{SLUG}/start", data={"consent": "yes", "lang": lang,
                                                                       "csrf_token": token})
        assert begun.status_code == 303, begun.status_code
        abandon_at = rng.randint(1, 5) if rng.random() < 0.05 else None
        withdraw_at = rng.randint(1, 5) if abandon_at is None and rng.random() < 0.02 else None
        url = f"/s/{SLUG}/page"
        careful = False
        # The page index of the last page acknowledged: the page shown next tells whether it moved on ("next", a
        # page-submission row) or stayed ("stay": an answer revealed a question on the same page). The redirect's
        # "?more=1" cannot tell when the acknowledgement was a replay (the server killed after saving a stay and
        # before answering, the copy sent again finds the page saved and only points at it).
        moved_from: str | None = None
        for _ in range(MAX_PAGES):
            if time.monotonic() > self.deadline:
                raise Unanswered("deadline")
            shown = await self.request("GET", url)
            if shown.status_code == 303 and shown.headers["location"].endswith("/done"):
                self.ledger.complete = True
                self.ledger.nexts += moved_from is not None
                return
            assert shown.status_code in (200, 400), (shown.status_code, shown.text[:200])
            page = shown.text
            if moved_from is not None:
                self.ledger.nexts += hidden(page, "page") != moved_from
                moved_from = None
            code = re.search(r'class="code">([A-Z0-9-]+)<', page)
            if code and not self.ledger.resume_code:
                self.ledger.resume_code = code.group(1).replace("-", "")
            if abandon_at is not None and self.ledger.steps >= abandon_at:
                abandon_at = None
                await self._abandon_and_resume()
                continue
            if withdraw_at is not None and self.ledger.steps >= withdraw_at:
                await self._withdraw()
                return
            await self.pause()
            fields = {"csrf_token": hidden(page, "csrf_token"), "step": hidden(page, "step"),
                      "page": hidden(page, "page"), "action": "next"}
            sent = {}
            kinds = {}
            for question in questions(page):
                # As a person would: what is already on the page stays (it may have revealed the question
                # asked next); what is empty, or marked wrong, gets an answer.
                keep = question["shown"] is not None and not question["error"]
                value = question["shown"] if keep else pick(rng, question, careful)
                fields["a:" + question["name"]] = value
                sent[question["name"]] = stored_form(value, question["kind"])
                kinds[question["name"]] = question["kind"]
            if rng.random() < 0.05:
                self.ledger.sent_twice += 1
                if rng.random() < 0.5:
                    replies = await asyncio.gather(self.request("POST", url, data=fields),
                                                   self.request("POST", url, data=fields))
                else:
                    replies = [await self.request("POST", url, data=fields),
                               await self.request("POST", url, data=fields)]
            else:
                replies = [await self.request("POST", url, data=fields)]
            if any(r.status_code == 422 for r in replies):
                assert all(r.status_code == 422 for r in replies), [r.status_code for r in replies]
                self.ledger.refused += 1
                careful = True  # answer again, within the constraints this time
                continue
            careful = False
            assert all(r.status_code == 303 for r in replies), [(r.status_code, r.text[:300]) for r in replies]
            # Acknowledged: the page's values are saved.
            self.ledger.answers.update(sent)
            self.ledger.steps += 1
            self.ledger.acknowledged_at.append(time.monotonic())
            # Of two copies, the one applied says where to go; the other (a no-op) points at the page.
            targets = [r.headers["location"] for r in replies]
            more = any(t.endswith("?more=1") for t in targets)
            url = f"/s/{SLUG}/page?more=1" if more else f"/s/{SLUG}/page"
            if any(t.endswith("/done") for t in targets):
                self.ledger.complete = True
                self.ledger.nexts += 1
                return
            moved_from = fields["page"]
        raise Unanswered("too many pages")

    async def _withdraw(self) -> None:
        """"Delete my answers", then "Yes": what she is told is the acknowledgement."""
        await self.pause()
        asked = await self.request("GET", f"/s/{SLUG}/withdraw")
        assert asked.status_code == 200, asked.status_code
        done = await self.request("POST", f"/s/{SLUG}/withdraw",
                                  data={"csrf_token": hidden(asked.text, "csrf_token")})
        # A copy sent again after a lost answer finds nothing left to delete: also a 200, and also the truth.
        assert done.status_code == 200, done.status_code
        self.ledger.withdrawn = True

    async def _abandon_and_resume(self) -> None:
        await self.pause(2.0)
        if self.rng.random() < 0.5:
            self.ledger.abandoned = "cookie"  # the same browser, later
            return
        self.ledger.abandoned = "code"  # another device: no cookies, the resume code
        await self.client.aclose()
        self.client = self._client()
        start = await self.request("GET", f"/s/{SLUG}")
        code = self.ledger.resume_code
        resumed = await self.request("POST", f"/s/{SLUG}/resume", data={
            "code": f"{code[:4]}-{code[4:]}", "csrf_token": hidden(start.text, "csrf_token")})
        assert resumed.status_code == 303, resumed.status_code


async def drive(base: str, count: int, seed: int, seconds: float, server: Server, kill_after: float | None):
    deadline = time.monotonic() + seconds
    people = [Respondent(n, base, random.Random(seed * 100003 + n), deadline) for n in range(count)]

    async def one(person: Respondent):
        await asyncio.sleep(person.rng.random() * 2.0)  # arrivals spread over two seconds
        return await person.run()

    killer = None
    events: list[str] = []
    moments: dict[str, float] = {}  # time.monotonic() of "killed" and "up again"
    if kill_after is not None:
        async def kill_and_restart():
            await asyncio.sleep(kill_after)
            server.kill()
            moments["killed"] = time.monotonic()
            events.append(f"SIGKILL at {kill_after:.1f} s")
            await asyncio.sleep(1.0)
            began = time.monotonic()
            await asyncio.to_thread(server.start)
            moments["up again"] = time.monotonic()
            events.append(f"restarted, up after {time.monotonic() - began:.1f} s")

        killer = asyncio.create_task(kill_and_restart())
    started = time.monotonic()
    results = await asyncio.gather(*(one(p) for p in people), return_exceptions=True)
    elapsed = time.monotonic() - started
    if killer is not None:
        await killer
    return people, results, elapsed, events, moments


def compare(database_url: str, people: list[Respondent], results: list, started_at: float) -> list[str]:
    import psycopg

    problems: list[str] = []
    with psycopg.connect(database_url, autocommit=True) as connection:
        rows = connection.execute(
            "SELECT r.id, r.resume_code, r.step, r.status, r.answers, "
            "(SELECT count(*) FROM survey_page_submissions p WHERE p.response_id = r.id), "
            "(SELECT count(*) - count(DISTINCT p.step) FROM survey_page_submissions p WHERE p.response_id = r.id) "
            "FROM survey_responses r WHERE r.created_at >= to_timestamp(%s)", (started_at,)).fetchall()
    by_code = {row[1]: row for row in rows}
    mine = set()
    compared = 0
    for person, result in zip(people, results):
        if isinstance(result, BaseException):
            problems.append(f"respondent {person.number} did not finish: {result!r}")
            continue
        ledger = person.ledger
        row = by_code.get(ledger.resume_code)
        if ledger.withdrawn:
            if row is not None:
                problems.append(f"respondent {person.number}: told her answers were deleted, response {row[0]} left")
            continue
        if row is None:
            problems.append(f"respondent {person.number}: no response with code {ledger.resume_code}")
            continue
        mine.add(row[0])
        _, _, step, status, answers, submissions, duplicate_steps = row
        answers = answers if isinstance(answers, dict) else json.loads(answers)
        for name, value in ledger.answers.items():
            compared += 1
            stored = answers.get(name)
            if isinstance(value, list) and isinstance(stored, list):
                same = sorted(value) == sorted(stored)
            elif isinstance(stored, (int, float)) and isinstance(value, str):  # a scale's choice is a number
                same = float(value) == stored
            else:
                same = stored == value
            if not same:
                problems.append(f"respondent {person.number} {name}: acknowledged {value!r}, stored {stored!r}")
        for name, stored in answers.items():
            if name not in ledger.answers and stored not in (None, [], ""):
                problems.append(f"respondent {person.number} {name}: stored {stored!r}, never acknowledged")
        if step != ledger.steps:
            problems.append(f"respondent {person.number}: step {step}, acknowledged {ledger.steps} pages")
        if submissions != ledger.nexts or duplicate_steps:
            problems.append(f"respondent {person.number}: {submissions} submission rows, {ledger.nexts} acknowledged")
        if (status == "complete") != ledger.complete:
            problems.append(f"respondent {person.number}: status {status}, complete={ledger.complete}")
    others = [row for row in rows if row[0] not in mine]
    for row in others:
        answers = row[4] if isinstance(row[4], dict) else json.loads(row[4])
        if row[2] != 0 or any(v not in (None, [], "") for v in answers.values()):
            problems.append(f"response {row[0]} holds answers no respondent was told were saved")
    compare.summary = (f"{len(rows)} responses created, {len(mine)} matched to respondents, {len(others)} empty "
                       f"(a start whose answer was lost with the server); {compared} answers compared")
    return problems


@dataclass
class Outcome:
    """What one run found: ``problems`` empty means the database holds exactly the acknowledged answers."""

    problems: list[str]
    ledgers: list[Ledger]
    finished: int  # respondents whose run ended without an exception (each reached the end page)
    elapsed: float
    events: list[str]
    summary: str
    acknowledged_before_kill: int = 0  # pages acknowledged before the SIGKILL
    acknowledged_after_restart: int = 0  # pages acknowledged once the new server was up
    server_log: str = ""  # the end of the server's log

    def report(self, respondents: int, workers: int) -> list[str]:
        ledgers = self.ledgers
        return [f"{respondents} respondents, {workers} worker(s), {self.elapsed:.1f} s"
                + (f"; {'; '.join(self.events)}" if self.events else ""),
                f"  completed {sum(l.complete for l in ledgers)}, pages acknowledged {sum(l.steps for l in ledgers)}, "
                f"sent twice {sum(l.sent_twice for l in ledgers)}, abandoned and resumed "
                f"{sum(bool(l.abandoned) for l in ledgers)} ({sum(l.abandoned == 'code' for l in ledgers)} by code), "
                f"deleted their answers {sum(l.withdrawn for l in ledgers)}, "
                f"refused and answered again {sum(l.refused for l in ledgers)}, requests sent again "
                f"{sum(l.retried for l in ledgers)}",
                f"  {self.summary}"]


def run(database_url: str, respondents: int = 500, workers: int = 1, kill_after: float | None = None, seed: int = 1,
        max_seconds: float = 600, data_dir: Path | None = None) -> Outcome:
    """Migrate the (empty or migrated) PostgreSQL database, load the demo, serve it, drive the respondents (killing
    and restarting the server with ``kill_after``), compare. The server is stopped whatever happens; the database
    is the caller's to drop. ``data_dir`` (default: a temporary directory, removed) keeps the server's log."""
    keep = data_dir is not None
    data_dir = Path(data_dir) if keep else Path(tempfile.mkdtemp(prefix="consult-load-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "CONSULT_DATABASE_URL": database_url, "CONSULT_DATA_DIR": str(data_dir),
           "CONSULT_ENV": "production", "CONSULT_SECRET_KEY": "load-" + "k" * 40, "CONSULT_LOG_LEVEL": "WARNING",
           "CONSULT_MAIL_URL": f"file://{data_dir / 'outbox'}"}
    port = free_port()
    server = Server(env, port, workers)
    try:
        for command in (["migrate"], ["demo", "--in-production"]):  # a throwaway database
            subprocess.run([sys.executable, "-m", "consult", *command], env=env, check=True, capture_output=True,
                           cwd=ROOT)
        server.start()
        started_at = time.time() - 1
        people, results, elapsed, events, moments = asyncio.run(
            drive(f"http://127.0.0.1:{port}", respondents, seed, max_seconds, server, kill_after))
        problems = compare(database_url, people, results, started_at)
    finally:
        server.stop()
        log_path = data_dir / "server.log"
        server_log = log_path.read_text(errors="replace")[-6000:] if log_path.exists() else ""
        if not keep:
            shutil.rmtree(data_dir, ignore_errors=True)
    times = [t for person in people for t in person.ledger.acknowledged_at]
    return Outcome(
        problems=problems, ledgers=[p.ledger for p in people], elapsed=elapsed, events=events,
        finished=sum(not isinstance(result, BaseException) for result in results), summary=compare.summary,
        acknowledged_before_kill=sum(t < moments["killed"] for t in times) if "killed" in moments else len(times),
        acknowledged_after_restart=sum(t > moments["up again"] for t in times) if "up again" in moments else 0,
        server_log=server_log)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--respondents", type=int, default=500)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--kill-after", type=float, default=None, help="SIGKILL the server after this many seconds")
    parser.add_argument("--max-seconds", type=float, default=600, help="give up after this long")
    args = parser.parse_args()

    databases.POSTGRES_URL = os.environ.get("CONSULT_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    database_url = databases.create_postgres_database("consult_load")
    try:
        outcome = run(database_url, args.respondents, args.workers, args.kill_after, args.seed, args.max_seconds)
    finally:
        databases.drop_postgres_database(database_url)
    problems = outcome.problems
    for line in outcome.report(args.respondents, args.workers):
        print(line)
    if problems:
        print(f"  {len(problems)} PROBLEMS:")
        for line in problems[:30]:
            print(f"    {line}")
        return 1
    print("  the database holds exactly the acknowledged answers; no response duplicated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
