from tests.accounts.conftest import app, deliver, fake_clock, flows  # noqa: F401 - the same fixtures
