"""The background worker that computes queued report runs, started with the app (``app.state.background``).

A large survey takes seconds to minutes; the web request only queues a ``ReportRun`` row and returns, the worker
computes it (the statistics in a thread, see :func:`consult.plans.service.execute_run`) and the status page
polls the row. Runs left "running" by a stopped server are queued again at start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import AsyncIterator

from consult.background import running
from consult.plans.models import ReportRun, RunStatus
from consult.plans.service import claim_next_run, execute_run

log = logging.getLogger("consult.plans")
#: How often the worker looks for queued runs when nobody woke it.
POLL_SECONDS = 5.0


def wake(app) -> None:
    """Tell the worker a run was queued (called by the view that queued it)."""
    event = getattr(app.state, "plans_wakeup", None)
    if event is not None:
        event.set()


async def work(app) -> None:
    event: asyncio.Event = app.state.plans_wakeup
    while True:
        try:
            run = await claim_next_run()
        except Exception:  # the database went away for a moment: keep the worker alive, try again later
            log.warning("report worker could not read the queue", exc_info=True)
            run = None
        if run is None:
            event.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(event.wait(), POLL_SECONDS)
            continue
        try:
            finished = await execute_run(run)
        except Exception:  # could not even record the failure (database lost); the run is requeued at restart
            log.warning("report run interrupted", exc_info=True)
            continue
        log.info("report run finished", extra={"run": run.id, "status": finished.status})


@contextlib.asynccontextmanager
async def report_worker(app) -> AsyncIterator[None]:
    app.state.plans_wakeup = asyncio.Event()
    try:
        await ReportRun.filter(status=RunStatus.RUNNING.value).update(status=RunStatus.QUEUED.value)
    except Exception:  # no database yet: the app still starts (its health check says what is wrong)
        log.warning("report worker could not requeue interrupted runs", exc_info=True)
    async with running(work(app), "plans-report-worker"):
        yield
