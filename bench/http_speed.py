"""Requests per second and latency of `consult serve` on PostgreSQL, as ratios to a bare Starlette ceiling.

    .venv/bin/python bench/http_speed.py [--duration 10] [--connections 16,64,256] [--workers 1,2] [--only NAME]...

Needs Debian's `wrk` (apt-get install wrk) and a PostgreSQL server (CONSULT_BENCH_DATABASE_URL, default
postgresql://postgres@127.0.0.1:5432/test: a database consult_bench_<pid> is created there and dropped at the end).
Traffic goes to 127.0.0.1 only. Targets: the home page, and each target registered in TARGETS (survey pages and
page submissions, bench/http_targets.py). Each target's run (``--duration`` seconds) comes between two runs of the
ceiling app at the same settings, half as long, and its share of the ceiling is taken against their mean (the last
column): the ceiling is measured around each figure, not once for all of them, because this machine's speed drifts.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support import databases  # noqa: E402


@dataclass
class Result:
    target: str
    workers: int
    connections: int
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    #: The mean of the ceiling's runs just before and just after this one (0 for the ceiling's own runs).
    ceiling: float = 0.0
    #: CPU µs a request of the server's processes, of PostgreSQL's and of wrk, over the run (see CpuMeter).
    cpu: tuple[float, float, float] | None = None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


def start_server(argv: list[str], env: dict, health: str) -> subprocess.Popen:
    process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_until_up(health, process)
    return process


def parse_duration_ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


class CpuMeter:
    """CPU time spent during a run by the server (the process ``server_pid`` and its children: uvicorn's workers),
    by PostgreSQL (every process of the machine's server, background writers included: nothing else uses it while
    the bench runs) and by wrk (this process's children waited for: getrusage). Read from /proc, in clock ticks
    (10 ms): over a run of several seconds, a fraction of a per cent."""

    TICK = 1 / os.sysconf("SC_CLK_TCK")

    def __init__(self, server_pid: int) -> None:
        self.server_pid = server_pid

    def _ticks(self) -> tuple[float, float, float]:
        parents: dict[int, int] = {}
        times: dict[int, int] = {}
        database = 0
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
                with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                    command = cmdline.read(16)
            except OSError:  # gone meanwhile
                continue
            pid, used = int(entry), int(fields[11]) + int(fields[12])  # utime + stime
            parents[pid], times[pid] = int(fields[1]), used
            if command.startswith(b"postgres"):
                database += used
        tree, server = {self.server_pid}, 0
        for pid in sorted(times):  # children have higher pids than their parent here (no pid wrap in a bench)
            if pid in tree or parents[pid] in tree:
                tree.add(pid)
                server += times[pid]
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return server * self.TICK, database * self.TICK, children.ru_utime + children.ru_stime

    def __enter__(self) -> "CpuMeter":
        self.start = self._ticks()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.used = tuple(after - before for after, before in zip(self._ticks(), self.start))

    def per_request(self, requests: int) -> tuple[float, float, float] | None:
        return tuple(seconds / requests * 1e6 for seconds in self.used) if requests else None


def run_wrk(url: str, connections: int, duration: int, script: str | None = None,
            check=None, server_pid: int | None = None) -> dict:
    """One wrk run's figures, as :class:`Result`'s fields: rps, p50_ms, p99_ms, errors and, with ``server_pid``,
    cpu (the server's, the database's and wrk's CPU µs a request)."""
    argv = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "5s"]
    if script:
        argv += ["-s", script]
    cpu = None
    meter = CpuMeter(server_pid) if server_pid is not None else contextlib.nullcontext()
    with meter:
        out = subprocess.run(argv + [url], capture_output=True, text=True, check=True).stdout
    if server_pid is not None and (total := re.search(r"(\d+) requests in", out)):
        cpu = meter.per_request(int(total.group(1)))
    if check is not None:  # a target that writes verifies in the database what wrk counted
        print(f"  {url} c={connections}: {check(out)}", file=sys.stderr)
    if not re.search(r"^\s+99%\s+[\d.]+(us|ms|s|m)\s", out, re.M):  # wrk could not measure (a script error…): say so
        print(f"wrk gave no latency for {url} c={connections}:\n{out}", file=sys.stderr)
        return {"rps": 0.0, "p50_ms": float("nan"), "p99_ms": float("nan"), "errors": -1, "cpu": cpu}
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    # The distribution's own lines (a "+/- Stdev" column such as "79.99%" must not be taken for the 99th percentile).
    p50 = parse_duration_ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = parse_duration_ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    errors = 0
    if match := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out):
        errors += int(match.group(1))
    if match := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out):
        errors += sum(int(g) for g in match.groups())
    return {"rps": rps, "p50_ms": p50, "p99_ms": p99, "errors": errors, "cpu": cpu}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", default="16,64,256")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--only", action="append", default=[],
                        help="a target's name, such as 'page submission, read' (repeat for more; default: all)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is not installed: apt-get install wrk", file=sys.stderr)
        return 2
    connections = [int(c) for c in args.connections.split(",")]
    worker_counts = [int(w) for w in args.workers.split(",")]

    os.environ.setdefault("CONSULT_TEST_DATABASE_URL",
                          os.environ.get("CONSULT_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"))
    databases.POSTGRES_URL = os.environ["CONSULT_TEST_DATABASE_URL"]
    database_url = databases.create_postgres_database("consult_bench")
    data_dir = Path(tempfile.mkdtemp(prefix="consult-bench-"))
    env = {**os.environ, "CONSULT_DATABASE_URL": database_url, "CONSULT_DATA_DIR": str(data_dir),
           "CONSULT_ENV": "production", "CONSULT_SECRET_KEY": "bench-" + "k" * 40, "CONSULT_LOG_LEVEL": "WARNING",
           "CONSULT_MAIL_URL": f"file://{data_dir / 'outbox'}"}
    results: list[Result] = []
    try:
        for command in (["migrate"], ["demo", "--in-production"]):  # a throwaway database
            subprocess.run([sys.executable, "-m", "consult", *command], env=env, check=True, capture_output=True)
        for workers in worker_counts:
            # Both servers run at once (an idle one takes no CPU): each target's run is framed by two half-length
            # runs of the ceiling at the same connection count, and its share is taken against their mean. This
            # machine's speed drifts by a fifth within minutes; a ceiling measured minutes before a target made its
            # share swing by as much.
            port = free_port()
            ceiling = start_server(
                [sys.executable, "-m", "uvicorn", "bench.ceiling_app:app", "--port", str(port), "--workers",
                 str(workers), "--no-access-log", "--log-level", "warning"],
                {**env, "PYTHONPATH": str(ROOT)}, f"http://127.0.0.1:{port}/")
            ceiling_url = f"http://127.0.0.1:{port}/"
            port = free_port()
            try:
                server = start_server([sys.executable, "-m", "consult", "serve", "--port", str(port), "--workers",
                                       str(workers)], env, f"http://127.0.0.1:{port}/healthz")
            except BaseException:
                ceiling.terminate()
                ceiling.wait()
                raise
            half = max(1, args.duration // 2)
            try:
                for name, path, script, *hooks in targets(port):
                    if args.only and name not in args.only:
                        continue
                    check, before = (*hooks, None, None)[:2]
                    for c in connections:
                        if before is not None:
                            before()
                        framing = [Result("ceiling", workers, c, **run_wrk(ceiling_url, c, half,
                                                                           server_pid=ceiling.pid))]
                        measured = Result(name, workers, c, **run_wrk(f"http://127.0.0.1:{port}{path}", c,
                                                                      args.duration, script, check, server.pid))
                        framing.append(Result("ceiling", workers, c, **run_wrk(ceiling_url, c, half,
                                                                               server_pid=ceiling.pid)))
                        measured.ceiling = sum(r.rps for r in framing) / len(framing)
                        results += [*framing, measured]
            finally:
                for process in (server, ceiling):
                    process.terminate()
                    process.wait()
    finally:
        databases.drop_postgres_database(database_url)
        shutil.rmtree(data_dir, ignore_errors=True)
    report(results)
    return 0


def targets(port: int) -> list[tuple[str, str, str | None]]:
    """(name, path, wrk lua script[, check[, before]]) for each page measured; the survey area extends this list
    (bench/http_targets.py). ``check(wrk_output)``, when given, is called after each run and returns a line to print
    (the submission targets compare the rows saved with the requests wrk counted); ``before()``, when given, is
    called before each run, outside the measurement (the kept submission target shows each respondent her page)."""
    found = [("home page", "/", None)]
    extra = ROOT / "bench" / "http_targets.py"
    if extra.is_file():
        namespace: dict = {}
        exec(compile(extra.read_text(), str(extra), "exec"), namespace)
        found += namespace["targets"](port)
    return found


def report(results: list[Result]) -> None:
    """One line per target, workers and connections; the ceiling's line sums up its runs at those settings (mean
    requests per second with the lowest and highest, the median p50, the highest p99, every error)."""
    print(f"{'target':<22}{'workers':>8}{'conns':>7}{'req/s':>10}{'of ceiling':>12}{'p50 ms':>9}{'p99 ms':>9}"
          f"{'errors':>8}  ceiling runs, req/s")
    settings = sorted({(r.workers, r.connections) for r in results})
    for workers, connections in settings:
        runs = [r for r in results if r.target == "ceiling" and (r.workers, r.connections) == (workers, connections)]
        if runs:
            rates = sorted(r.rps for r in runs)
            p50s = sorted(r.p50_ms for r in runs)
            print(f"{'ceiling':<22}{workers:>8}{connections:>7}{sum(rates) / len(rates):>10.0f}{'100%':>11} "
                  f"{p50s[len(p50s) // 2]:>8.1f}{max(r.p99_ms for r in runs):>9.1f}{sum(r.errors for r in runs):>8}"
                  f"  {len(runs)} runs, {rates[0]:.0f}–{rates[-1]:.0f}")
    for r in results:
        if r.target == "ceiling":
            continue
        share = r.rps / r.ceiling if r.ceiling else 0
        print(f"{r.target:<22}{r.workers:>8}{r.connections:>7}{r.rps:>10.0f}{share:>11.0%} {r.p50_ms:>8.1f}"
              f"{r.p99_ms:>9.1f}{r.errors:>8}  {r.ceiling:.0f}")
    print("\nCPU µs a request, over each run: the server's processes / PostgreSQL / wrk (the machine has "
          f"{os.cpu_count()} cores; the ceiling's figures are the mean of its runs at those settings)")
    print(f"{'target':<22}{'workers':>8}{'conns':>7}{'server':>9}{'database':>10}{'wrk':>7}{'all':>7}")
    for workers, connections in settings:
        runs = [r.cpu for r in results if r.target == "ceiling" and r.cpu
                and (r.workers, r.connections) == (workers, connections)]
        if runs:
            mean = [sum(part) / len(runs) for part in zip(*runs)]
            print(f"{'ceiling':<22}{workers:>8}{connections:>7}{mean[0]:>9.0f}{mean[1]:>10.0f}{mean[2]:>7.0f}"
                  f"{sum(mean):>7.0f}")
    for r in results:
        if r.target != "ceiling" and r.cpu:
            print(f"{r.target:<22}{r.workers:>8}{r.connections:>7}{r.cpu[0]:>9.0f}{r.cpu[1]:>10.0f}{r.cpu[2]:>7.0f}"
                  f"{sum(r.cpu):>7.0f}")


if __name__ == "__main__":
    sys.exit(main())
