"""Fault checks against live `consult serve` processes on a private PostgreSQL cluster (never the shared server).

The cluster is started once per session (initdb takes about two seconds) and each test makes its own database.
Everything listens on 127.0.0.1 only. Without PostgreSQL's server binaries these tests are skipped on a developer's
machine and fail in CI.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Iterator

import httpx2 as httpx
import pytest

from consult.settings import ROOT
from tests.support.private_postgres import PrivatePostgres, find_bin

IN_CI = os.environ.get("CI") == "true"
SECRET = "faults-secret-key-" + "s" * 40


@pytest.fixture(scope="session")
def private_pg() -> Iterator[PrivatePostgres]:
    if find_bin() is None:
        if IN_CI:
            pytest.fail("PostgreSQL server binaries (initdb, pg_ctl) are required in CI")
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    with PrivatePostgres() as pg:
        yield pg


def make_database(pg: PrivatePostgres) -> str:
    """A fresh database on the private cluster, migrated with `consult migrate`."""
    if not pg.running:  # a previous test failed with the server stopped
        pg.start()
        pg.wait_ready()
    url = pg.create_database(f"faults_{uuid.uuid4().hex[:8]}")
    subprocess.run([sys.executable, "-m", "consult", "migrate"], env=server_env(url, Path("/nonexistent")),
                   check=True, capture_output=True, timeout=120, cwd=ROOT)
    return url


@pytest.fixture
def fault_database(private_pg: PrivatePostgres) -> str:
    return make_database(private_pg)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_env(database_url: str, data_dir: Path, mail_url: str | None = None, port: int = 8000) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("CONSULT_")}
    env.update({
        "CONSULT_ENV": "production",
        "CONSULT_DEBUG": "false",
        "CONSULT_SECRET_KEY": SECRET,
        "CONSULT_DATABASE_URL": database_url,
        "CONSULT_DATA_DIR": str(data_dir),
        "CONSULT_MAIL_URL": mail_url or f"file://{data_dir / 'outbox'}",
        "CONSULT_BASE_URL": f"http://127.0.0.1:{port}",
        "CONSULT_LOG_LEVEL": "INFO",
    })
    return env


class LiveServer:
    """One `consult serve` process on a free port of 127.0.0.1."""

    def __init__(self, database_url: str, data_dir: Path, mail_url: str | None = None) -> None:
        self.port = free_port()
        self.data_dir = data_dir
        data_dir.mkdir(parents=True, exist_ok=True)
        self.env = server_env(database_url, data_dir, mail_url, self.port)
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = data_dir / "serve.log"
        self.process: subprocess.Popen | None = None

    def launch(self) -> "LiveServer":
        log = self.log_path.open("a")
        self.process = subprocess.Popen([sys.executable, "-m", "consult", "serve", "--port", str(self.port)],
                                        env=self.env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
        log.close()
        return self

    def wait_up(self, seconds: float = 60) -> "LiveServer":
        assert self.process is not None
        deadline = time.monotonic() + seconds
        while True:
            try:
                if httpx.get(self.base + "/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"consult serve did not come up:\n{self.log()}")
            time.sleep(0.1)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-6000:] if self.log_path.exists() else ""

    def errors(self) -> str:
        """The end of each logged traceback (the log is JSON lines), to show why a request failed."""
        found = []
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        for line in text.splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if record.get("level") in ("error", "critical"):
                found.append(f"{record.get('message')} {record.get('path', '')}: "
                             f"{record.get('traceback', '')[-600:]}")
        return "\n".join(found[-5:])

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)

    def client(self, **kwargs) -> httpx.Client:
        kwargs.setdefault("timeout", 10)
        return httpx.Client(base_url=self.base, follow_redirects=False, **kwargs)


class LiveServers:
    """``servers.start(database_url, mail_url=None, count=1, then=None)`` starts ``count`` servers side by side
    (running ``then(server)`` while they import: that takes seconds) and returns them; :meth:`stop_all` ends them."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.started: list[LiveServer] = []

    def start(self, database_url: str, mail_url: str | None = None, count: int = 1, then=None) -> list[LiveServer]:
        servers = [LiveServer(database_url, self.directory / f"server{len(self.started) + n}", mail_url)
                   for n in range(count)]
        self.started.extend(servers)
        for server in servers:
            server.launch()
        if then is not None:
            then(servers[0])
        return [server.wait_up() for server in servers]

    __call__ = start

    def stop_all(self) -> None:
        for server in self.started:
            server.stop()


@pytest.fixture
def live_servers(tmp_path: Path) -> Iterator[LiveServers]:
    servers = LiveServers(tmp_path)
    yield servers
    servers.stop_all()


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, html[:2000]
    return match.group(1)


def post_form(client: httpx.Client, path: str, fields: dict, page: str | None = None) -> httpx.Response:
    """POST like a browser: load the page (for the CSRF cookie and token) and send its form."""
    token = csrf_of(client.get(page or path).text)
    return client.post(path, data={**fields, "csrf_token": token})
