"""PostgreSQL's own CPU for one statement of each kind the app sends, one after another on one connection.

    .venv/bin/python bench/pg_statement_cpu.py [--statements 5000]

Measured from /proc on the server process of the connection (``pg_backend_pid()``), so the figures are the
database's share only: the floor under any request that sends that statement, on this machine's PostgreSQL
(CONSULT_BENCH_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/test; a table bench_statement_<pid> is
made and dropped). A write is its own transaction, committed durably (``synchronous_commit = on``, as the app
needs: an acknowledged page must survive a crash), and then once more without waiting for the log flush, to show
what the flush itself costs. This is what sets the pace of page submissions when the batches of saves are small
(two server processes on two cores, see the README's "Why two workers cannot reach 25 % here").
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

import asyncpg

TICK = os.sysconf("SC_CLK_TCK")


def backend_cpu(pid: int) -> tuple[float, float]:
    """(user, system) seconds of the server process ``pid``."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return int(fields[11]) / TICK, int(fields[12]) / TICK


async def measure(url: str, count: int) -> None:
    table = f"bench_statement_{os.getpid()}"
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(f"CREATE TABLE {table} (id int PRIMARY KEY, n int NOT NULL, answers json NOT NULL)")
        await connection.execute(f"INSERT INTO {table} SELECT g, 0, '{{}}' FROM generate_series(1, 100000) g")
        await connection.execute(f"VACUUM ANALYZE {table}")
        pid = await connection.fetchval("SELECT pg_backend_pid()")
        answers = "{" + ",".join(f'"q{i}": "an answer of a few words"' for i in range(30)) + "}"
        kinds = [
            ("SELECT 1 (a round trip)", "SELECT 1", lambda i: (), "on"),
            ("read one row by key", f"SELECT * FROM {table} WHERE id = $1", lambda i: (i % 100000 + 1,), "on"),
            ("update a number, committed", f"UPDATE {table} SET n = n + 1 WHERE id = $1",
             lambda i: (i % 100000 + 1,), "on"),
            ("update the answers, committed", f"UPDATE {table} SET answers = $2::json WHERE id = $1",
             lambda i: (i % 100000 + 1, answers), "on"),
            ("the same, without the flush", f"UPDATE {table} SET answers = $2::json WHERE id = $1",
             lambda i: (i % 100000 + 1, answers), "off"),
        ]
        print(f"{'statement':<34}{'µs a statement':>16}{'of which system':>17}")
        for name, sql, arguments, synchronous in kinds:
            await connection.execute(f"SET synchronous_commit = {synchronous}")
            statement = await connection.prepare(sql)
            for i in range(500):  # warm up: plans, buffers
                await statement.fetch(*arguments(i))
            user, system = backend_cpu(pid)
            for i in range(500, 500 + count):
                await statement.fetch(*arguments(i))
            user_after, system_after = backend_cpu(pid)
            total = (user_after - user + system_after - system) / count * 1e6
            print(f"{name:<34}{total:>16.0f}{(system_after - system) / count * 1e6:>17.0f}")
    finally:
        await connection.execute(f"DROP TABLE IF EXISTS {table}")
        await connection.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--statements", type=int, default=5000)
    args = parser.parse_args()
    url = os.environ.get("CONSULT_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    asyncio.run(measure(url, args.statements))
    return 0


if __name__ == "__main__":
    sys.exit(main())
