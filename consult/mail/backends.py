"""Where mail goes, chosen by ``CONSULT_MAIL_URL``.

- ``file:///dir`` writes each message as an ``.eml`` file (the development default: ``var/outbox/``);
- ``console://`` prints it to standard output;
- ``smtp://user:pass@host:port`` sends over SMTP with aiosmtplib, upgrading with STARTTLS when the server offers it
  (``?starttls=require`` insists, ``?starttls=off`` never tries); ``smtps://`` uses TLS from the first byte.
  ``?timeout=`` sets the connection timeout in seconds.
"""

from __future__ import annotations

import sys
import time
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib


class MailBackend(Protocol):
    async def send(self, message: EmailMessage) -> None: ...


@dataclass(frozen=True)
class FileBackend:
    directory: Path

    async def send(self, message: EmailMessage) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:8]}.eml"
        temporary = self.directory / f".{name}.tmp"
        temporary.write_bytes(bytes(message))
        temporary.rename(self.directory / name)  # readers never see half a message


@dataclass(frozen=True)
class ConsoleBackend:
    async def send(self, message: EmailMessage) -> None:
        sys.stdout.write(message.as_string() + "\n" + "-" * 72 + "\n")
        sys.stdout.flush()


@dataclass(frozen=True)
class SMTPBackend:
    host: str
    port: int
    username: str | None = None
    password: str | None = None
    use_tls: bool = False
    start_tls: bool | None = None  # None: if the server offers it
    timeout: float = 30.0

    async def send(self, message: EmailMessage) -> None:
        await aiosmtplib.send(
            message,
            hostname=self.host,
            port=self.port,
            username=self.username,
            password=self.password,
            use_tls=self.use_tls,
            start_tls=self.start_tls,
            timeout=self.timeout,
        )


def backend_from_url(url: str) -> MailBackend:
    parts = urlsplit(url)
    if parts.scheme == "file":
        return FileBackend(Path(unquote(parts.path)))
    if parts.scheme == "console":
        return ConsoleBackend()
    if parts.scheme in ("smtp", "smtps"):
        options = {key: values[-1].lower() for key, values in parse_qs(parts.query).items()}
        starttls = {"require": True, "on": True, "true": True, "off": False, "false": False}.get(
            options.get("starttls", ""), None
        )
        implicit = parts.scheme == "smtps"
        return SMTPBackend(
            host=parts.hostname or "localhost",
            port=parts.port or (465 if implicit else 587),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            use_tls=implicit,
            start_tls=False if implicit else starttls,
            timeout=float(options.get("timeout", 30)),
        )
    raise ValueError(f"unsupported mail URL scheme: {parts.scheme!r}")
