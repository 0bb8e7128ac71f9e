"""What one process tells the others about what they keep (:mod:`consult.surveys.response_cache`), through
PostgreSQL's LISTEN/NOTIFY: every app process and server on the database hears it.

Each process keeps the responses it served and the surveys it read. When something changes that another process
could be holding, the process that changed it announces it, and every process forgets its copy at once:

* a response erased at its respondent's request ("Delete my answers"), or moved to another device by its resume
  code (the old cookie's key): another process that kept it must not show it to the old cookie's browser;
* a survey saved or deleted (opened, closed, made discreet): its respondents' pages on the other processes follow
  at once instead of within ``response_cache.SURVEY_SECONDS``.

The listening connection is held by a task started with the app. While it is away (PostgreSQL restarting, the
network), notices are lost, so on each new connection everything kept is forgotten. SQLite is one process's
database here: nothing to announce, nothing to hear.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any, AsyncIterator

from tortoise import connections
from tortoise.signals import post_delete, post_save

from consult.background import running
from consult.surveys import response_cache
from consult.surveys.models import Survey

CHANNEL = "consult_cache"
#: Seconds between two attempts to listen again after the connection was lost.
RETRY_SECONDS = 1.0

log = logging.getLogger("consult.surveys.cache_notices")


def _on_postgres() -> Any | None:
    client = connections.get("default")
    return client if client.capabilities.dialect == "postgres" else None


async def announce_response(key_hash: str) -> None:
    """Every process forgets the response it may keep under ``key_hash`` (the hash of a cookie secret)."""
    await _announce(f"r:{key_hash}")


async def announce_survey(survey_id: int) -> None:
    """Every process reads survey ``survey_id`` again at its next request for it."""
    await _announce(f"s:{survey_id}")


async def _announce(payload: str) -> None:
    client = _on_postgres()
    if client is not None:
        # In a transaction, PostgreSQL delivers it at commit, and not at all if the transaction is rolled back.
        await client.execute_query("SELECT pg_notify($1, $2)", [CHANNEL, payload])


@post_save(Survey)
async def _survey_saved(sender: Any, instance: Survey, *args: Any) -> None:
    await announce_survey(instance.id)


@post_delete(Survey)
async def _survey_deleted(sender: Any, instance: Survey, *args: Any) -> None:
    await announce_survey(instance.id)


def heard(payload: str) -> None:
    """Forget what a notice names (payloads this module wrote; anything else is ignored)."""
    kind, _, value = payload.partition(":")
    if kind == "r" and value:
        response_cache.forget(value)
    elif kind == "s" and value.isdigit():
        response_cache.forget_survey(int(value))


@contextlib.asynccontextmanager
async def listening(app: Any) -> AsyncIterator[None]:
    """Started with the app (``app.state.background``): hear the other processes' notices while it runs."""
    if _on_postgres() is None:
        yield
        return
    ready = asyncio.Event()
    async with running(_listen(ready), "consult-cache-notices"):
        # Serve once it listens (its first connection forgets everything kept), or once it has tried and failed: a
        # database that is away at start-up must not hold the app back, the task goes on trying.
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(ready.wait(), timeout=5)
        yield


async def _listen(ready: asyncio.Event) -> None:
    while True:
        connection = None
        try:
            client = _on_postgres()
            if client._pool is None:  # the pool opens with the first query
                await client.execute_query("SELECT 1")
            connection = await client._pool.connect_alone()
            lost = asyncio.get_running_loop().create_future()
            connection.add_termination_listener(lambda _connection: lost.done() or lost.set_result(None))
            await connection.add_listener(CHANNEL, lambda _connection, _pid, _channel, payload: heard(payload))
            # Anything announced while no connection listened was missed: start from nothing kept.
            response_cache.clear()
            ready.set()
            await lost
            log.warning("cache notices: the listening connection was lost")
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - the database is away: listen again later
            log.warning("cache notices: cannot listen", extra={"error": type(error).__name__})
            ready.set()
        finally:
            if connection is not None and not connection.is_closed():
                connection.terminate()
        await asyncio.sleep(RETRY_SECONDS)
