"""End-to-end tests: a real `consult serve` on loopback (SQLite, demo data) driven by Debian's Chromium through
Playwright. Screenshots go to ``test-artifacts/`` (kept by CI as artifacts).

Chromium missing is a skip on a developer's machine and a failure in CI (``.ci/run`` installs it).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest

from consult.settings import ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
AXE = ROOT / ".cache" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
IN_CI = os.environ.get("CI") == "true"


def _missing(what: str) -> None:
    if IN_CI:
        pytest.fail(f"{what} is required in CI")
    pytest.skip(f"{what} is not installed (bash .ci/run installs it)")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`consult migrate`, `consult demo` and `consult serve`, as `make run` does, on a free port."""
    data = tmp_path_factory.mktemp("live")
    port = _free_port()
    env = {
        **os.environ,
        "CONSULT_DATA_DIR": str(data),
        "CONSULT_DATABASE_URL": f"sqlite:///{data / 'consult.sqlite3'}",
        "CONSULT_MAIL_URL": f"file://{data / 'outbox'}",
        "CONSULT_BASE_URL": f"http://127.0.0.1:{port}",
        "CONSULT_ENV": "test",
    }
    for command in (["migrate"], ["demo"]):
        subprocess.run([sys.executable, "-m", "consult", *command], env=env, check=True, capture_output=True,
                       timeout=300)
    log = (data / "serve.log").open("w")
    server = subprocess.Popen([sys.executable, "-m", "consult", "serve", "--port", str(port)], env=env,
                              stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=1) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((data / "serve.log").read_text())
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        _missing("Chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            # Without these, Chromium tries to reach Google's hosts at start-up; this machine has no such network.
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield browser
        browser.close()


@pytest.fixture
def phone(browser, request):
    """A 360×740 phone; ``@pytest.mark.parametrize("javascript", [True, False])`` turns scripts off."""
    javascript = getattr(request, "param", True)
    context = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=javascript,
                                  device_scale_factor=1)
    page = context.new_page()
    foreign = []
    page.on("request", lambda req: foreign.append(req.url) if not req.url.startswith(
        ("http://127.0.0.1", "data:", "about:")) else None)
    page.foreign_requests = foreign  # type: ignore[attr-defined]
    yield page
    context.close()


@pytest.fixture
def audit_page(browser):
    """A phone page for axe-core: the test injects axe's script, which our CSP (rightly) blocks, so CSP is bypassed
    in this context only."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, bypass_csp=True)
    yield context.new_page()
    context.close()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def axe_violations(page) -> list[dict]:
    """Run axe-core in the page (injected from the npm package) and return serious and critical violations."""
    if not AXE.is_file():
        _missing("axe-core (npm)")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in result["violations"] if v["impact"] in ("serious", "critical")
    ]
