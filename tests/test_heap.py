"""The garbage collector's settings in a serving process (consult/heap.py), and only there."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from consult import heap

ROOT = Path(__file__).resolve().parent.parent

# Imports the served app as uvicorn does, runs its start-up and prints the collector's state before and after.
SERVED = """
import asyncio, gc, json
before = {"threshold": gc.get_threshold(), "frozen": gc.get_freeze_count()}
from consult.asgi import app
imported = gc.get_freeze_count()
made_at_start = []

async def main():
    events = asyncio.Queue()
    started = asyncio.Event()

    async def receive():
        return await events.get()

    async def send(message):
        if message["type"] == "lifespan.startup.complete":
            started.set()
        elif message["type"] == "lifespan.startup.failed":
            raise SystemExit(message)

    lifespan = asyncio.ensure_future(app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, receive, send))
    await events.put({"type": "lifespan.startup"})
    await started.wait()
    started_frozen = gc.get_freeze_count()
    await events.put({"type": "lifespan.shutdown"})
    await lifespan
    return started_frozen

started = asyncio.run(main())
print(json.dumps({"before": before, "threshold": gc.get_threshold(), "imported": imported, "started": started}))
"""


def test_a_served_process_freezes_what_import_and_start_up_made_and_collects_less_often(tmp_path):
    env = {**os.environ, "CONSULT_ENV": "test", "CONSULT_DATA_DIR": str(tmp_path),
           "CONSULT_DATABASE_URL": f"sqlite:///{tmp_path}/consult.db", "CONSULT_SECRET_KEY": "k" * 40,
           "CONSULT_MAIL_URL": f"file://{tmp_path}/outbox", "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-m", "consult", "migrate"], env=env, check=True, capture_output=True,
                   cwd=ROOT)
    out = subprocess.run([sys.executable, "-c", SERVED], env=env, check=True, capture_output=True, text=True,
                         cwd=ROOT).stdout
    state = json.loads(out.strip().splitlines()[-1])
    assert state["before"] == {"threshold": [700, 10, 10], "frozen": 0}  # CPython's defaults until then
    assert state["threshold"] == list(heap.THRESHOLDS)
    assert state["imported"] > 50_000  # the analysis stack, templates, catalogs…
    assert state["started"] > state["imported"]  # …and what start-up made (the database client, the tasks)


def test_the_app_alone_leaves_the_collector_as_it_is(client):
    # Tests, commands and anything else building the app keep CPython's collector: freezing there would keep the
    # cycles of every app a test suite builds for ever.
    import gc

    assert gc.get_threshold() != heap.THRESHOLDS
    assert heap.frozen_after_start not in client.app.state.background
