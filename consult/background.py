"""A task that runs as long as the app does: what the app's background context managers (``app.state.background``:
the mail delivery loop, the report worker, the cache notices) are made of."""

from __future__ import annotations

import asyncio
import contextlib
from typing import AsyncIterator, Coroutine


@contextlib.asynccontextmanager
async def running(work: Coroutine, name: str) -> AsyncIterator[asyncio.Task]:
    """Run ``work`` as a task while the context is open; at its end, cancel the task and wait until it stopped."""
    task = asyncio.get_running_loop().create_task(work, name=name)
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
