"""Settings are read once from the environment, validated, and a wrong value names its variable."""

from __future__ import annotations

import subprocess
import sys

import pytest

from consult.settings import SettingsError, load_settings


def settings_from(tmp_path, **values):
    environ = {"CONSULT_DATA_DIR": str(tmp_path), **values}
    return load_settings(environ, env_file=tmp_path / "missing.env")


def test_defaults_for_development(tmp_path):
    settings = settings_from(tmp_path)
    assert settings.env == "development"
    assert settings.database_url == f"sqlite:///{tmp_path / 'consult.sqlite3'}"
    assert settings.mail_url == f"file://{tmp_path / 'outbox'}"
    assert settings.languages == ("en", "fr", "uk", "ar", "fa")
    assert settings.base_url == "http://127.0.0.1:8000"


def test_development_secret_is_generated_once_and_kept(tmp_path):
    first = settings_from(tmp_path).secret_key
    assert len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert settings_from(tmp_path).secret_key == first


def test_production_requires_a_secret_key(tmp_path):
    with pytest.raises(SettingsError, match="^CONSULT_SECRET_KEY is required"):
        settings_from(tmp_path, CONSULT_ENV="production")
    settings = settings_from(tmp_path, CONSULT_ENV="production", CONSULT_SECRET_KEY="s" * 40)
    assert settings.production and not settings.debug


@pytest.mark.parametrize(
    "name, value",
    [
        ("CONSULT_ENV", "staging"),
        ("CONSULT_DATABASE_URL", "mysql://root@localhost/x"),
        ("CONSULT_DATABASE_URL", "sqlite://relative"),
        ("CONSULT_DATABASE_URL", "postgresql://"),
        ("CONSULT_SECRET_KEY", "short"),
        ("CONSULT_MAIL_URL", "pigeon://coop"),
        ("CONSULT_MAIL_URL", "smtp://host:notaport"),
        ("CONSULT_BASE_URL", "example.org"),
        ("CONSULT_LANGUAGES", "en,de"),
        ("CONSULT_LANGUAGES", ","),
        ("CONSULT_DEBUG", "maybe"),
        ("CONSULT_SESSION_IDLE_MINUTES", "-5"),
        ("CONSULT_SESSION_MAX_DAYS", "thirty"),
        ("CONSULT_LOG_LEVEL", "LOUD"),
        ("CONSULT_ARGON2_MEMORY_KIB", "lots"),
        ("CONSULT_ARGON2_TIME_COST", "0"),
    ],
)
def test_a_wrong_value_names_the_variable(tmp_path, name, value):
    with pytest.raises(SettingsError) as raised:
        settings_from(tmp_path, **{name: value})
    message = str(raised.value)
    assert message.startswith(name)
    assert "\n" not in message


def test_values_from_a_dotenv_file(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("CONSULT_LANGUAGES=en,ar\nCONSULT_BASE_URL=https://consult.example.org\n")
    settings = load_settings({"CONSULT_DATA_DIR": str(tmp_path)}, env_file=env_file)
    assert settings.languages == ("en", "ar")
    assert settings.https


def test_the_environment_wins_over_dotenv(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("CONSULT_LANGUAGES=en,ar\n")
    settings = load_settings({"CONSULT_DATA_DIR": str(tmp_path), "CONSULT_LANGUAGES": "fr"}, env_file=env_file)
    assert settings.languages == ("fr",)


def test_the_command_stops_with_one_line_naming_the_variable(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "consult", "migrate"],
        env={"PATH": "/usr/bin:/bin", "CONSULT_DATA_DIR": str(tmp_path), "CONSULT_DATABASE_URL": "oracle://x"},
        capture_output=True, text=True, cwd=tmp_path, timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert result.stderr.startswith("consult: CONSULT_DATABASE_URL")


def test_the_postgresql_pool_size_comes_from_the_url():
    from consult import db

    default = db.tortoise_config("postgresql://u@db.example:5432/consult")["connections"]["default"]["credentials"]
    assert default["maxsize"] == db.POOL_SIZE == 20
    chosen = db.tortoise_config("postgresql://u@db.example/consult?pool_size=8&command_timeout=3")
    assert chosen["connections"]["default"]["credentials"]["maxsize"] == 8
    # psycopg (migrations) is never given our own options
    assert db.sqlalchemy_url("postgresql://u@db.example/consult?pool_size=8&command_timeout=3&connect_timeout=2") == (
        "postgresql+psycopg://u@db.example/consult?connect_timeout=2")


def test_a_postgresql_url_may_name_the_servers_unix_socket():
    from consult import db
    from consult.settings import SettingsError, load_settings

    url = "postgresql://consult@/consult?host=/var/run/postgresql&pool_size=8"
    settings = load_settings({"CONSULT_DATABASE_URL": url, "CONSULT_SECRET_KEY": "s" * 40})
    assert settings.database_url == url
    credentials = db.tortoise_config(url)["connections"]["default"]["credentials"]
    assert credentials["host"] == "/var/run/postgresql" and credentials["database"] == "consult"
    assert db.sqlalchemy_url(url) == "postgresql+psycopg://consult@/consult?host=%2Fvar%2Frun%2Fpostgresql"
    with pytest.raises(SettingsError):  # neither a host nor a socket
        load_settings({"CONSULT_DATABASE_URL": "postgresql:///consult", "CONSULT_SECRET_KEY": "s" * 40})


def test_two_step_roles_default_to_admins_and_analysts_in_production(tmp_path):
    assert settings_from(tmp_path).two_step_roles == ()
    production = settings_from(tmp_path, CONSULT_ENV="production", CONSULT_SECRET_KEY="s" * 40)
    assert production.two_step_roles == ("admin", "analyst")
    chosen = settings_from(tmp_path, CONSULT_ENV="production", CONSULT_SECRET_KEY="s" * 40,
                           CONSULT_TWO_STEP_ROLES=" Admin, analyst ,panel")
    assert chosen.two_step_roles == ("admin", "analyst", "panel")
    assert settings_from(tmp_path, CONSULT_ENV="production", CONSULT_SECRET_KEY="s" * 40,
                         CONSULT_TWO_STEP_ROLES="").two_step_roles == ()
    with pytest.raises(SettingsError, match="^CONSULT_TWO_STEP_ROLES must list some of admin, analyst, panel"):
        settings_from(tmp_path, CONSULT_TWO_STEP_ROLES="admin,respondent")


def test_session_lifetime_in_days_or_in_hours(tmp_path):
    import datetime as dt

    assert settings_from(tmp_path).session_lifetime == dt.timedelta(days=30)
    assert settings_from(tmp_path, CONSULT_SESSION_MAX_DAYS="7").session_lifetime == dt.timedelta(days=7)
    level_2 = settings_from(tmp_path, CONSULT_SESSION_MAX_HOURS="12", CONSULT_SESSION_IDLE_MINUTES="30")
    assert level_2.session_lifetime == dt.timedelta(hours=12) and level_2.session_idle_minutes == 30
    with pytest.raises(SettingsError, match="^CONSULT_SESSION_MAX_HOURS must be"):
        settings_from(tmp_path, CONSULT_SESSION_MAX_HOURS="half a day")
    with pytest.raises(SettingsError, match="^CONSULT_SESSION_MAX_HOURS must be"):
        settings_from(tmp_path, CONSULT_SESSION_MAX_HOURS="0")
