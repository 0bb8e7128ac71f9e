"""PostgreSQL restarted under load, with a live `consult serve` on a private cluster.

While the database is away: every request gets an answer (no hang, no dropped connection), pages get the translated
503 page and never a 500, /healthz answers 503 within a bounded time. After the restart the same process answers 200
again without being restarted, and a session started before the outage is still valid.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections import Counter

import httpx2 as httpx

from consult.settings import ROOT
from tests.faults.conftest import csrf_of, post_form
from tests.support.mailbox import code_in

FRENCH_503 = "Le service est momentanément indisponible"
#: /healthz pings with a 2 s timeout; an answer must come well before a proxy's timeout.
HEALTH_BOUND = 5.0


def wait_for(predicate, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds} s waiting for {what}")
        time.sleep(0.1)


def sign_in_by_code(server, mailbox, email: str) -> httpx.Client:
    client = server.client()
    response = post_form(client, "/account/login", {"email": email, "next": "/account/settings"})
    assert response.status_code == 303, response.text[:2000]
    message = wait_for(lambda: mailbox.to(email), 15, f"the sign-in code for {email}")[-1]
    response = post_form(client, "/account/verify", {"purpose": "login", "email": email, "code": code_in(message),
                                                     "next": "/account/settings"},
                         page=response.headers["location"])
    assert response.status_code == 303 and "session" in client.cookies, response.text[:2000]
    return client


def add_user(server, email: str, role: str) -> None:
    done = subprocess.run([sys.executable, "-m", "consult", "user", "add", email, "--role", role, "--name", "Faults"],
                          env=server.env, capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr


class Load:
    """Threads that keep requesting pages that read and write the database, recording every outcome."""

    def __init__(self, server, cookies) -> None:
        self.server, self.cookies = server, cookies
        self.stop = threading.Event()
        self.outcomes: Counter = Counter()
        self.errors: list[str] = []
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._signed_in, daemon=True),
                        threading.Thread(target=self._anonymous_form, daemon=True),
                        threading.Thread(target=self._health, daemon=True)]

    def _record(self, path: str, response: httpx.Response | None, error: Exception | None = None) -> None:
        with self.lock:
            if error is not None:
                self.errors.append(f"{path}: {type(error).__name__}: {error}")
            else:
                self.outcomes[(path, response.status_code)] += 1

    def _loop(self, path: str, send) -> None:
        with self.server.client(cookies=self.cookies, timeout=HEALTH_BOUND * 2) as client:
            while not self.stop.is_set():
                try:
                    self._record(path, send(client))
                except httpx.HTTPError as error:
                    self._record(path, None, error)

    def _signed_in(self) -> None:
        self._loop("/account/settings", lambda c: c.get("/account/settings"))

    def _anonymous_form(self) -> None:
        counter = iter(range(10**6))

        def send(client: httpx.Client) -> httpx.Response:
            anonymous = self.server.client(timeout=HEALTH_BOUND * 2)
            with anonymous:
                page = anonymous.get("/account/register")
                if page.status_code != 200:
                    return page
                return anonymous.post("/account/register", data={
                    "csrf_token": csrf_of(page.text), "email": f"load{next(counter)}@example.org",
                    "display_name": "Load", "language": "en"})

        self._loop("/account/register", send)

    def _health(self) -> None:
        self._loop("/healthz", lambda c: c.get("/healthz"))

    def __enter__(self) -> "Load":
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=30)


def test_postgres_restart_under_load(private_pg, fault_database, live_servers, smtp_server, mailbox):
    [server] = live_servers(fault_database, mail_url=smtp_server.url,
                            then=lambda server: add_user(server, "panel@example.org", "panel"))
    member = sign_in_by_code(server, mailbox, "panel@example.org")
    member.cookies.set("lang", "fr")
    assert member.get("/account/settings").status_code == 200

    with Load(server, dict(member.cookies)) as load:
        wait_for(lambda: load.outcomes[("/account/settings", 200)] >= 3, 15, "load before the outage")
        private_pg.stop()
        try:
            # /healthz tells the truth, quickly.
            started = time.monotonic()
            health = server.client().get("/healthz")
            assert health.status_code == 503, health.text
            assert health.json()["database"] == "unreachable"
            assert time.monotonic() - started < HEALTH_BOUND

            # A signed-in page: the translated 503 page (not a sign-in redirect: the session is not lost).
            page = member.get("/account/settings")
            assert page.status_code == 503, (page.status_code, page.text[:1500])
            assert FRENCH_503 in page.text and page.headers.get("retry-after")

            # A form sent during the outage: the 503 page says nothing was saved; the browser keeps the form.
            anonymous = server.client(cookies={"lang": "fr"})
            page = anonymous.get("/account/register")
            token = csrf_of(page.text) if page.status_code == 200 else None
            if token:
                sent = anonymous.post("/account/register", data={"csrf_token": token, "email": "during@example.org",
                                                                 "display_name": "During", "language": "fr"})
                assert sent.status_code == 503, (sent.status_code, sent.text[:1500])
                assert FRENCH_503 in sent.text
            else:
                assert page.status_code == 503 and FRENCH_503 in page.text

            wait_for(lambda: load.outcomes[("/healthz", 503)] >= 2, 15, "the load to see the outage")
        finally:
            outage = time.monotonic()
            private_pg.start()

        # The same process reconnects by itself.
        wait_for(lambda: server.client().get("/healthz").status_code == 200, 20, "/healthz to answer 200 again")
        recovered = time.monotonic() - outage
        assert member.get("/account/settings").status_code == 200
        wait_for(lambda: load.outcomes[("/account/settings", 200)] >= 1 and load.outcomes[
            ("/account/register", 303)] >= 1, 20, "the load to succeed again")
        before = Counter(load.outcomes)
        wait_for(lambda: load.outcomes[("/account/settings", 200)] > before[("/account/settings", 200)] + 3,
                 20, "more successful requests")

    assert server.process.poll() is None, "the server must not have died"
    assert load.errors == [], load.errors[:10]
    statuses = {status for (_path, status) in load.outcomes}
    assert statuses <= {200, 303, 503}, (dict(load.outcomes), server.errors())
    print(f"\nrecovered {recovered:.2f} s after the restart; outcomes: {dict(load.outcomes)}")
