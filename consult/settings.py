"""Every ``CONSULT_*`` setting, read once from the environment (and a ``.env`` file) and validated.

A wrong value stops start-up with :class:`SettingsError`, whose message is one line naming the variable; the command
line prints it and exits. The README's settings table documents each variable below.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping
from urllib.parse import parse_qsl, urlsplit

from starlette.config import Config

from consult import i18n

ROOT = Path(__file__).resolve().parent.parent
ENVIRONMENTS = ("development", "production", "test")


class SettingsError(Exception):
    """A setting has a value we cannot use; ``str()`` is a one-line message naming the variable."""


@dataclass(frozen=True)
class Settings:
    env: str = "development"
    debug: bool = False
    data_dir: Path = ROOT / "var"
    database_url: str = ""
    secret_key: str = field(default="", repr=False)
    mail_url: str = ""
    mail_from: str = "Notifications <no-reply@localhost>"
    base_url: str = "http://127.0.0.1:8000"
    languages: tuple[str, ...] = i18n.SUPPORTED
    session_idle_minutes: int = 60 * 24
    session_max_days: int = 30
    #: When set, the absolute lifetime in hours instead of days (ASVS level 2 asks for 12 hours at most).
    session_max_hours: int | None = None
    mail_worker: bool = True
    log_level: str = "INFO"
    #: argon2id cost (RFC 9106's second recommended option: 64 MiB, 3 passes, 4 lanes).
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 64 * 1024
    argon2_parallelism: int = 4
    #: Subject of mails that carry a code; empty: a neutral, translated "Your one-time code".
    code_mail_subject: str = ""
    #: Roles whose pages open only once the account has two-step sign-in (ASVS V4.3.1): the administration and the
    #: analysis pages hold every response. By default both in production, none elsewhere (the demo's accounts).
    two_step_roles: tuple[str, ...] = ()

    @property
    def https(self) -> bool:
        return self.base_url.startswith("https://")

    @property
    def session_lifetime(self) -> dt.timedelta:
        """How long a session lasts after sign-in, whatever its use."""
        if self.session_max_hours is not None:
            return dt.timedelta(hours=self.session_max_hours)
        return dt.timedelta(days=self.session_max_days)

    @property
    def production(self) -> bool:
        return self.env == "production"


def load_settings(environ: Mapping[str, str] | None = None, env_file: str | Path | None = None) -> Settings:
    """Read and validate the settings.

    Parameters
    ----------
    environ
        The variables to read; ``os.environ`` when omitted. Tests pass their own mapping.
    env_file
        A ``.env`` file whose values apply where ``environ`` has none; ``.env`` in the working directory by default.
    """
    environ = dict(os.environ if environ is None else environ)
    if env_file is None:
        env_file = Path(".env")
    config = Config(env_file if Path(env_file).is_file() else None, environ=environ)

    env = config("CONSULT_ENV", default="development").strip().lower()
    if env not in ENVIRONMENTS:
        raise SettingsError(f"CONSULT_ENV must be one of {', '.join(ENVIRONMENTS)}, not {env!r}")

    debug = _boolean(config, "CONSULT_DEBUG", default=env == "development")
    data_dir = Path(config("CONSULT_DATA_DIR", default=str(ROOT / "var"))).expanduser()
    if not data_dir.is_absolute():
        data_dir = (Path.cwd() / data_dir).resolve()

    database_url = config("CONSULT_DATABASE_URL", default=f"sqlite:///{data_dir / 'consult.sqlite3'}")
    _check_database_url(database_url)

    secret_key = config("CONSULT_SECRET_KEY", default="")
    if not secret_key:
        if env == "production":
            raise SettingsError("CONSULT_SECRET_KEY is required when CONSULT_ENV=production")
        secret_key = _development_secret(data_dir)
    elif len(secret_key) < 32:
        raise SettingsError("CONSULT_SECRET_KEY must be at least 32 characters long")

    mail_url = config("CONSULT_MAIL_URL", default=f"file://{data_dir / 'outbox'}")
    _check_mail_url(mail_url)

    base_url = config("CONSULT_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SettingsError(f"CONSULT_BASE_URL must be an http:// or https:// address, not {base_url!r}")

    languages = tuple(
        code.strip() for code in config("CONSULT_LANGUAGES", default=",".join(i18n.SUPPORTED)).split(",")
        if code.strip()
    )
    unknown = [code for code in languages if code not in i18n.SUPPORTED]
    if unknown or not languages:
        raise SettingsError(
            f"CONSULT_LANGUAGES must list some of {', '.join(i18n.SUPPORTED)}; unknown: {', '.join(unknown) or 'none'}"
        )

    return Settings(
        env=env,
        debug=debug,
        data_dir=data_dir,
        database_url=database_url,
        secret_key=secret_key,
        mail_url=mail_url,
        mail_from=config("CONSULT_MAIL_FROM", default="Notifications <no-reply@localhost>"),
        base_url=base_url,
        languages=languages,
        session_idle_minutes=_positive_int(config, "CONSULT_SESSION_IDLE_MINUTES", 60 * 24),
        session_max_days=_positive_int(config, "CONSULT_SESSION_MAX_DAYS", 30),
        session_max_hours=(_positive_int(config, "CONSULT_SESSION_MAX_HOURS", 1)
                           if config("CONSULT_SESSION_MAX_HOURS", default="").strip() else None),
        mail_worker=_boolean(config, "CONSULT_MAIL_WORKER", default=True),
        log_level=_log_level(config),
        argon2_time_cost=_positive_int(config, "CONSULT_ARGON2_TIME_COST", 3),
        argon2_memory_kib=_positive_int(config, "CONSULT_ARGON2_MEMORY_KIB", 64 * 1024),
        argon2_parallelism=_positive_int(config, "CONSULT_ARGON2_PARALLELISM", 4),
        code_mail_subject=config("CONSULT_CODE_MAIL_SUBJECT", default="").strip(),
        two_step_roles=_two_step_roles(config, env),
    )


#: Roles that may be asked to use two-step sign-in (the others have no administration or analysis pages).
TWO_STEP_ROLES = ("admin", "analyst", "panel")


def _two_step_roles(config: Config, env: str) -> tuple[str, ...]:
    default = "admin,analyst" if env == "production" else ""
    roles = tuple(r.strip().lower() for r in config("CONSULT_TWO_STEP_ROLES", default=default).split(",") if r.strip())
    unknown = [r for r in roles if r not in TWO_STEP_ROLES]
    if unknown:
        raise SettingsError(f"CONSULT_TWO_STEP_ROLES must list some of {', '.join(TWO_STEP_ROLES)}; "
                            f"unknown: {', '.join(unknown)}")
    return roles


def _boolean(config: Config, name: str, default: bool) -> bool:
    raw = config(name, default="").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name} must be true or false, not {raw!r}")


def _positive_int(config: Config, name: str, default: int) -> int:
    raw = config(name, default=str(default)).strip()
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}") from None
    if value <= 0:
        raise SettingsError(f"{name} must be greater than zero, not {value}")
    return value


def _log_level(config: Config) -> str:
    level = config("CONSULT_LOG_LEVEL", default="INFO").strip().upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise SettingsError(f"CONSULT_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, not {level!r}")
    return level


def _check_database_url(url: str) -> None:
    scheme = url.split(":", 1)[0]
    if scheme == "sqlite":
        if not url.startswith("sqlite:///") or len(url) <= len("sqlite:///"):
            raise SettingsError(f"CONSULT_DATABASE_URL for SQLite must look like sqlite:///path/to/file, not {url!r}")
        return
    if scheme in ("postgres", "postgresql"):
        parts = urlsplit(url)
        socket = dict(parse_qsl(parts.query)).get("host", "")  # ?host=/var/run/postgresql: a Unix socket
        if not (parts.hostname or socket.startswith("/")) or not parts.path.strip("/"):
            raise SettingsError(
                f"CONSULT_DATABASE_URL for PostgreSQL must look like postgresql://user@host:5432/dbname "
                f"(or postgresql://user@/dbname?host=/var/run/postgresql for the server's socket), not {url!r}"
            )
        return
    raise SettingsError(f"CONSULT_DATABASE_URL must start with sqlite:/// or postgresql://, not {url!r}")


def _check_mail_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme == "file" and parts.path:
        return
    if parts.scheme == "console":
        return
    if parts.scheme in ("smtp", "smtps") and parts.hostname:
        try:
            parts.port
        except ValueError:
            raise SettingsError(f"CONSULT_MAIL_URL has an invalid port: {url!r}") from None
        return
    raise SettingsError(
        "CONSULT_MAIL_URL must be file:///dir, console://, smtp://user:pass@host:port or smtps://…, "
        f"not {parts.scheme or url!r}"
    )


def _development_secret(data_dir: Path) -> str:
    """Generate a secret once and keep it under ``var/`` so sessions survive restarts in development."""
    path = data_dir / "secret_key"
    if path.is_file():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker won the race: use its key
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key
