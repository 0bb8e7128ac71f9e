from tests.accounts.conftest import app, deliver, flows  # noqa: F401 - the same fixtures
