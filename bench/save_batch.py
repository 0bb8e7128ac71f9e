"""The machine's CPU per page save, one save a statement against several (consult/surveys/save_batch.py).

    .venv/bin/python bench/save_batch.py [--saves 3000] [--batches 1,8,32]

Each save is a page submission's statement as the app writes it (``save_batch._statement``: the conditional update
of a response, with its JSON answers, and a page-submission row) on tables shaped like the app's, in a schema
bench_saves_<pid> created on CONSULT_BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/test) and
dropped at the end; 16 statements in flight, after a run that is not counted. "machine" is every process's CPU (from /proc/stat: ours, PostgreSQL's,
the rest of the machine's, so run it on a quiet machine), "ours" this process's alone.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import hashlib
import json
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
import uvloop  # noqa: E402

from consult.db_pool import LeanPool  # noqa: E402
from consult.surveys.save_batch import _NAMES, _statement  # noqa: E402

IN_FLIGHT = 16


def busy_ticks() -> int:
    fields = [int(v) for v in open("/proc/stat").readline().split()[1:]]
    return sum(fields) - fields[3] - fields[4]  # all but idle and iowait


async def run(url: str, saves: int, batches: list[int]) -> None:
    parts = urlsplit(url)
    schema = f"bench_saves_{os.getpid()}"
    connect = {"host": parts.hostname or "127.0.0.1", "port": parts.port or 5432, "user": parts.username or "postgres",
               "password": parts.password or "", "database": parts.path.lstrip("/")}
    rows = saves * (len(batches) + 1) + 1000  # each response saved in one run only, one run to warm up
    setup = await asyncpg.connect(**connect)
    await setup.execute(f"""
        CREATE SCHEMA {schema}; SET search_path = {schema};
        CREATE TABLE surveys (id int PRIMARY KEY, status text NOT NULL);
        INSERT INTO surveys VALUES (1, 'open');
        CREATE TABLE survey_responses (id serial PRIMARY KEY, survey_id int NOT NULL REFERENCES surveys (id),
            key_hash text NOT NULL UNIQUE, language text NOT NULL, status text NOT NULL, page int NOT NULL,
            step int NOT NULL, answers json NOT NULL, updated_at timestamptz NOT NULL, completed_at timestamptz);
        CREATE INDEX ON survey_responses (survey_id);
        CREATE TABLE survey_page_submissions (id serial PRIMARY KEY,
            response_id int NOT NULL REFERENCES survey_responses (id), step int NOT NULL, page text NOT NULL,
            created_at timestamptz NOT NULL, UNIQUE (response_id, step));
        INSERT INTO survey_responses (survey_id, key_hash, language, status, page, step, answers, updated_at)
            SELECT 1, md5(g::text), 'en', 'in_progress', 0, 0, '{{}}', now() FROM generate_series(1, {rows}) g;""")
    await setup.execute(f"VACUUM ANALYZE {schema}.survey_responses")
    pool = await LeanPool(min_size=IN_FLIGHT, max_size=IN_FLIGHT, server_settings={"search_path": schema},
                          **connect).start()
    sql = _statement("open")
    answers = json.dumps({f"q{i}": "an answer of a few words" for i in range(30)})
    now = dt.datetime.now(dt.timezone.utc)
    unused = iter(range(1, rows + 1))
    try:
        print(f"{'saves a statement':<20}{'saves/s':>10}{'machine µs a save':>20}{'ours µs a save':>17}")
        for warm_up, size in [(True, 8), *((False, size) for size in batches)]:
            statements = max(1, saves // size // IN_FLIGHT)

            async def writer():
                for _ in range(statements):
                    ids = [next(unused) for _ in range(size)]
                    for step in range(3):  # three pages of the same responses
                        values = {"response_id": ids, "step": [step] * size,
                                  "key_hash": [hashlib.md5(str(i).encode()).hexdigest() for i in ids],
                                  "answers": [answers] * size, "page": [step + 1] * size, "updated_at": [now] * size,
                                  "language": [None] * size, "status": [None] * size, "completed_at": [None] * size,
                                  "submission": [f"page{step}"] * size}
                        connection = await pool.acquire()
                        try:
                            written = await connection.fetch(sql, *(values[name] for name in _NAMES))
                        finally:
                            await pool.release(connection)
                        assert len(written) == size, "a save was not written"

            ticks, cpu, started = busy_ticks(), time.process_time(), time.perf_counter()
            await asyncio.gather(*(writer() for _ in range(IN_FLIGHT)))
            done = IN_FLIGHT * statements * size * 3
            if warm_up:  # the first writes to the table cost PostgreSQL more (full-page images in its log)
                continue
            machine = (busy_ticks() - ticks) / os.sysconf("SC_CLK_TCK") / done * 1e6
            ours = (time.process_time() - cpu) / done * 1e6
            print(f"{size:<20}{done / (time.perf_counter() - started):>10.0f}{machine:>20.0f}{ours:>17.1f}")
    finally:
        await pool.close()
        await setup.execute(f"DROP SCHEMA {schema} CASCADE")
        await setup.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--saves", type=int, default=3000, help="responses saved for each batch size (3 pages each)")
    parser.add_argument("--batches", default="1,8,32")
    args = parser.parse_args()
    url = os.environ.get("CONSULT_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    uvloop.run(run(url, args.saves, [int(b) for b in args.batches.split(",")]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
