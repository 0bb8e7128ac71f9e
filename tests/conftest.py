"""Fixtures every test uses: settings, an app and a client per database (SQLite, and PostgreSQL when
``CONSULT_TEST_DATABASE_URL`` is set), and a real SMTP server on loopback.

``client.run(fn, *args)`` runs an async function in the app's event loop, for tests that read or write models
directly (the app's database connections belong to that loop).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, Awaitable, Callable, Iterator

import pytest
from starlette.testclient import TestClient

from consult.app import create_app
from consult.migrate import upgrade
from consult.settings import Settings
from tests.support import databases
from tests.support.mailbox import SMTPServer

DATABASES = ["sqlite", "postgresql"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite_only: the test is about SQLite itself")


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list) -> None:
    """Run the browser tests last: Playwright's sync API keeps an event loop running in the main thread for the
    rest of the session, and tests that call ``asyncio.run`` there would fail after it."""
    items.sort(key=lambda item: "/tests/e2e/" in str(item.path).replace("\\", "/"))


@pytest.fixture
def fake_clock():
    """The accounts' injectable clock, standing still until a test advances it (code expiry without sleeps)."""
    from consult.accounts import clock

    fake = clock.FakeClock()
    clock.install(fake)
    yield fake
    clock.install(None)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database migrated once; each test gets a copy (much faster than migrating per test)."""
    path = tmp_path_factory.mktemp("template") / "consult.sqlite3"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    if not databases.POSTGRES_URL:
        pytest.skip("PostgreSQL: set CONSULT_TEST_DATABASE_URL (bash .ci/run does) to run on PostgreSQL too")
    url = databases.create_postgres_database()
    try:
        upgrade(url)
        yield url
    finally:
        databases.drop_postgres_database(url)


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "consult.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_database")
    databases.empty_postgres_tables(url)
    return url


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SMTPServer]:
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mailbox(smtp_server: SMTPServer):
    smtp_server.mailbox.clear()
    yield smtp_server.mailbox
    smtp_server.mailbox.clear()


@pytest.fixture
def settings(database_url: str, tmp_path: Path, smtp_server: SMTPServer) -> Settings:
    return Settings(
        env="test",
        debug=False,
        data_dir=tmp_path,
        database_url=database_url,
        secret_key="test-secret-key-" + "x" * 32,
        mail_url=smtp_server.url,
        base_url="http://testserver",
        mail_worker=True,
    )


@pytest.fixture
def app(settings: Settings):
    return create_app(settings)


class AppClient(TestClient):
    """A TestClient that can also run coroutines in the app's event loop."""

    def run(self, fn: Callable[..., Awaitable[Any]], *args: Any) -> Any:
        return self.portal.call(fn, *args)

    def csrf_token(self, path: str = "/") -> str:
        """A valid token for this client's CSRF cookie (GETs a page first if the cookie is not set yet)."""
        from consult.middleware.cookies import host_only

        name = host_only("csrf", self.app_settings.https)  # "__Host-csrf" under HTTPS
        if name not in self.cookies:
            self.get(path)
        from itsdangerous import URLSafeSerializer

        serializer = URLSafeSerializer(self.app_settings.secret_key, salt="consult.csrf")
        return serializer.dumps(self.cookies[name])

    def post_form(self, path: str, data: dict | None = None, **kwargs: Any):
        """POST a form with a valid CSRF token, as a browser would after loading the page."""
        fields = dict(data or {})
        fields.setdefault("csrf_token", self.csrf_token())
        return self.post(path, data=fields, **kwargs)


@pytest.fixture
def client(app) -> Iterator[AppClient]:
    with AppClient(app, base_url="http://testserver", follow_redirects=False) as test_client:
        test_client.app_settings = app.state.settings
        yield test_client
