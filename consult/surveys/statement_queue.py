"""What the save and read batchers share (:mod:`consult.surveys.save_batch`, :mod:`consult.surveys.read_batch`):
requests waiting for a statement, and at most a few tasks that send them, each taking every request waiting when
its statement goes (a group commit)."""

from __future__ import annotations

import asyncio
import collections
from typing import Any, Generic, Protocol, TypeVar


class Waiting(Protocol):
    outcome: asyncio.Future


Item = TypeVar("Item", bound=Waiting)


class StatementQueue(Generic[Item]):
    """Subclasses say how many statements may be in flight (:meth:`in_flight`), which waiting requests go together
    (:meth:`_next_batch`), and how a batch is sent (:meth:`_send`), settling each request's ``outcome``."""

    def __init__(self) -> None:
        self._waiting: collections.deque[Item] = collections.deque()
        self._senders: set[asyncio.Task] = set()  # held here: the loop keeps only weak references to tasks

    def in_flight(self) -> int:
        raise NotImplementedError

    async def _enqueue(self, item: Item) -> Any:
        """Queue ``item`` (its ``outcome`` a fresh future), start a sender if one may start, wait for the outcome."""
        self._waiting.append(item)
        if len(self._senders) < self.in_flight():
            self._senders.add(asyncio.get_running_loop().create_task(self._sender()))
        return await item.outcome

    async def _sender(self) -> None:
        try:
            while self._waiting:
                batch = self._next_batch()
                if batch:
                    await self._send(batch)
        finally:  # at once, not in a later callback: a request queued meanwhile must find a sender's place free
            self._senders.discard(asyncio.current_task())

    def _next_batch(self) -> list[Item]:
        raise NotImplementedError

    async def _send(self, batch: list[Item]) -> None:
        raise NotImplementedError


def fail(batch: list[Item], error: BaseException) -> None:
    """Tell every request of a statement that failed (the database went away, a timeout) what it would have been told
    alone; a request cancelled meanwhile is left alone."""
    for item in batch:
        if not item.outcome.done():
            item.outcome.set_exception(error)
