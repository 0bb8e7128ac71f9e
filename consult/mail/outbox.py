"""The outbox and its delivery loop.

A message is written to ``mail_outbox`` in the same transaction as the action that causes it (:func:`enqueue`).
:class:`Mailer` sends what is due: it claims rows first — ``SELECT … FOR UPDATE SKIP LOCKED`` inside one UPDATE on
PostgreSQL, a single UPDATE on SQLite — so two workers never send the same row; a claim lapses after
:data:`CLAIM_SECONDS` so the rows of a worker that died are sent by another. A failed attempt moves ``send_after``
forward (exponential backoff up to an hour); a message is retried until it goes, never dropped.

Each message carries a ``Message-ID`` derived from its row, so that in the one case no outbox can rule out — the SMTP
server accepted a message and the process died before recording it — the duplicate is recognisable downstream.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import logging
import secrets
from email.message import EmailMessage
from email.utils import parseaddr
from typing import AsyncIterator, Mapping

from tortoise import Tortoise

from consult import db
from consult.background import running
from consult.accounts import clock
from consult.mail.backends import MailBackend, backend_from_url
from consult.mail.models import OutboxMessage

log = logging.getLogger("consult.mail")

CLAIM_SECONDS = 300
BATCH = 20
POLL_SECONDS = 5.0
MAX_BACKOFF = dt.timedelta(hours=1)


async def enqueue(to: str, subject: str, text: str, html: str | None = None, kind: str = "notification",
                  headers: Mapping[str, str] | None = None, send_after: dt.datetime | None = None
                  ) -> OutboxMessage:
    """Put a message in the outbox (inside the caller's transaction, when there is one)."""
    now = clock.now()
    return await OutboxMessage.create(
        to_address=to, subject=subject[:255], body_text=text, body_html=html, headers=dict(headers or {}),
        kind=kind[:32], created_at=now, send_after=send_after or now, attempts=0,
    )


def backoff(attempts: int) -> dt.timedelta:
    """30 s, 1 min, 2 min, … up to an hour between attempts."""
    return min(dt.timedelta(seconds=30 * 2 ** max(0, attempts - 1)), MAX_BACKOFF)


def build_message(row: OutboxMessage, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = row.to_address
    message["Subject"] = row.subject
    domain = parseaddr(sender)[1].partition("@")[2] or "localhost"
    digest = hashlib.sha256(f"{row.id}:{row.created_at.isoformat()}".encode()).hexdigest()[:16]
    message["Message-ID"] = f"<outbox.{row.id}.{digest}@{domain}>"
    message["Auto-Submitted"] = "auto-generated"
    for name, value in (row.headers or {}).items():
        message[name] = value
    message.set_content(row.body_text)
    if row.body_html:
        message.add_alternative(row.body_html, subtype="html")
    return message


class Mailer:
    """Sends the outbox through one backend; one per process (``app.state.mailer`` or ``consult mail work``)."""

    def __init__(self, mail_url: str, mail_from: str, database_url: str,
                 backend: MailBackend | None = None) -> None:
        self.backend = backend or backend_from_url(mail_url)
        self.sender = mail_from
        self.postgres = not db.is_sqlite(database_url)
        self.wake = asyncio.Event()
        # One delivery at a time in this process: a test's (or a command's) call to deliver_pending waits for the
        # loop's batch in flight, so that when it returns everything due has been tried.
        self._lock = asyncio.Lock()

    def notify(self) -> None:
        """Tell the loop that a message was committed (it would otherwise find it at the next poll)."""
        self.wake.set()

    async def _claim(self) -> list[OutboxMessage]:
        now = clock.now()
        claim = secrets.token_hex(16)
        connection = Tortoise.get_connection("default")
        lock = "FOR UPDATE SKIP LOCKED" if self.postgres else ""
        p = (lambda n: f"${n}") if self.postgres else (lambda n: "?")
        sql = (
            f"UPDATE mail_outbox SET claim = {p(1)}, claimed_until = {p(2)} WHERE id IN ("
            f"SELECT id FROM mail_outbox WHERE sent_at IS NULL AND send_after <= {p(3)} "
            f"AND (claimed_until IS NULL OR claimed_until < {p(4)}) ORDER BY id LIMIT {BATCH} {lock})"
        )
        until = now + dt.timedelta(seconds=CLAIM_SECONDS)
        if self.postgres:
            await connection.execute_query(sql, [claim, until, now, now])
        else:
            # SQLite stores what Tortoise writes: ISO text in UTC; compare in the same form.
            await connection.execute_query(sql, [claim, _sqlite_time(until), _sqlite_time(now), _sqlite_time(now)])
        return await OutboxMessage.filter(claim=claim).order_by("id")

    async def deliver_pending(self) -> int:
        """Send every message that is due; return how many were sent."""
        async with self._lock:
            sent = 0
            while True:
                rows = await self._claim()
                if not rows:
                    return sent
                for row in rows:
                    sent += await self._deliver(row)

    async def _deliver(self, row: OutboxMessage) -> int:
        attempts = row.attempts + 1
        try:
            await self.backend.send(build_message(row, self.sender))
        except Exception as error:  # the server is away or refused: try again later
            now = clock.now()
            await OutboxMessage.filter(id=row.id, claim=row.claim).update(
                attempts=attempts, last_error=f"{type(error).__name__}: {error}"[:1000],
                send_after=now + backoff(attempts), claim=None, claimed_until=None)
            log.warning("mail not sent, will retry", extra={"message_id": row.id, "kind": row.kind,
                                                            "attempts": attempts, "error": type(error).__name__})
            return 0
        await OutboxMessage.filter(id=row.id).update(attempts=attempts, sent_at=clock.now(), last_error=None,
                                                     claim=None, claimed_until=None)
        log.info("mail sent", extra={"message_id": row.id, "kind": row.kind})
        return 1

    async def run(self, poll_seconds: float = POLL_SECONDS) -> None:
        """Deliver until cancelled: when woken by :meth:`notify`, or every ``poll_seconds``."""
        while True:
            self.wake.clear()
            try:
                await self.deliver_pending()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # the database is away: keep the loop alive and try again later
                log.warning("mail delivery loop error", extra={"error": type(error).__name__})
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.wake.wait(), poll_seconds)


def _sqlite_time(value: dt.datetime) -> str:
    return value.astimezone(dt.timezone.utc).isoformat(" ")


@contextlib.asynccontextmanager
async def delivery_loop(app) -> AsyncIterator[None]:
    """The app's background task (``app.state.background``): the delivery loop inside ``consult serve``."""
    async with running(app.state.mailer.run(), "consult-mail"):
        yield
