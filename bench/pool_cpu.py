"""CPU of one query through asyncpg's pool, through consult's lean pool (consult/db_pool.py), and on a connection
held directly: what the pool itself costs this process.

    .venv/bin/python bench/pool_cpu.py [--queries 4800] [--concurrency 16,64]

Each query is a one-row conditional UPDATE with a JSON value, like a page submission's (it matches no row, so the
table stays as it is). PostgreSQL: CONSULT_BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/test);
a table bench_pool_<pid> is created there and dropped at the end. Best of three rounds. Connections held
directly serve one caller each, so that line runs at most 20 callers.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
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

#: As consult's default (consult/db.py); the connection held directly is one per caller, at most this many.
POOL_SIZE = 20


async def run(url: str, queries: int, concurrencies: list[int]) -> None:
    parts = urlsplit(url)
    connect = {"host": parts.hostname or "127.0.0.1", "port": parts.port or 5432, "user": parts.username or "postgres",
               "password": parts.password or "", "database": parts.path.lstrip("/")}
    table = f"bench_pool_{os.getpid()}"
    setup = await asyncpg.connect(**connect)
    await setup.execute(f"CREATE TABLE {table} (id serial PRIMARY KEY, answers json, page int, step int, "
                        f"updated_at timestamptz); INSERT INTO {table} (answers, page, step, updated_at) "
                        f"SELECT '{{}}', 0, 0, now() FROM generate_series(1, 100)")
    sql = (f"UPDATE {table} SET answers = $1::json, page = $2, updated_at = $3 WHERE id = $4 AND step = $5 "
           f"RETURNING id")
    answers = json.dumps({f"q{i}": "an answer" for i in range(20)})
    now = dt.datetime.now(dt.timezone.utc)
    top = max(concurrencies)
    theirs = await asyncpg.create_pool(**connect, min_size=POOL_SIZE, max_size=POOL_SIZE)
    ours = await LeanPool(min_size=POOL_SIZE, max_size=POOL_SIZE, **connect).start()
    held = [await asyncpg.connect(**connect) for _ in range(min(top, POOL_SIZE))]
    try:
        async def through(pool, _n):
            connection = await pool.acquire()
            try:
                await connection.fetch(sql, answers, 1, now, 5, -1)
            finally:
                await pool.release(connection)

        async def direct(n):
            await held[n].fetch(sql, answers, 1, now, 5, -1)

        ways = [("asyncpg's pool", lambda n: through(theirs, n)), ("consult's lean pool", lambda n: through(ours, n)),
                ("a connection held directly", direct)]
        print(f"{'':<28}" + "".join(f"{f'{c} in flight':>16}" for c in concurrencies) + "   (µs of CPU a query)")
        for name, call in ways:
            figures = []
            for concurrency in concurrencies:
                each = max(1, queries // concurrency)

                async def caller(n):
                    for _ in range(each):
                        await call(n)

                callers = concurrency if call is not direct else min(concurrency, len(held))
                best = float("inf")
                for _ in range(3):
                    started = time.process_time()
                    await asyncio.gather(*(caller(n) for n in range(callers)))
                    best = min(best, (time.process_time() - started) / (each * callers))
                figures.append(best * 1e6)
            print(f"{name:<28}" + "".join(f"{f:>16.1f}" for f in figures))
    finally:
        for connection in held:
            await connection.close()
        await theirs.close()
        await ours.close()
        await setup.execute(f"DROP TABLE {table}")
        await setup.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--queries", type=int, default=4800)
    parser.add_argument("--concurrency", default="16,64")
    args = parser.parse_args()
    url = os.environ.get("CONSULT_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    uvloop.run(run(url, args.queries, [int(c) for c in args.concurrency.split(",")]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
