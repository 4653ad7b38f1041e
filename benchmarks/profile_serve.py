"""Profile `touchbase serve` under one kind of section 1's requests; count its SQL statements.

    .venv/bin/python -m benchmarks.profile_serve --kind "/log quick" [--requests 300]
        [--postgres] [--workers N] [--no-profile] [--output FILE]

The server is the real `touchbase serve --no-scheduler` (as section 1 starts it), run through
this module's `child` entry point, which first installs:

* a `before_cursor_execute` counter on every SQLAlchemy engine (statements, by their first
  words), reset on SIGUSR1 and written out on SIGUSR2;
* with profiling, a cProfile profiler per thread (every waitress and Bolt listener thread)
  timed by the thread's own CPU clock (`time.thread_time`: waits for the GIL, locks and
  sockets don't count),
  dumped on SIGUSR2 to `<output>.prof` files and summed into the text report.

The parent seeds the same small team as section 1 (SQLite file, or a PostgreSQL database),
starts an in-process FakeSlack, sends warm-up requests, resets the counters, sends the
measured requests sequentially (each on a fresh connection, signed like Slack's), waits for
the post-ack work to finish, and reads the counts and the process CPU time. Statement counts
don't depend on the machine's load; CPU and profile timings do.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import cProfile
import io
import json
import os
import pstats
import signal
import sys
import threading
import time
from pathlib import Path

STATE_ENV = "TOUCHBASE_PROFILE_STATE"  # path prefix where the child writes its figures


def child(argv: list[str]) -> None:
    """`touchbase serve` with statement counters (and per-thread profilers) installed."""
    import runpy

    from sqlalchemy import event
    from sqlalchemy.engine import Engine
    from sqlalchemy.pool import Pool

    prefix = os.environ[STATE_ENV]
    profiling = os.environ.get("TOUCHBASE_PROFILE_THREADS") == "1"
    lock = threading.Lock()
    counts: collections.Counter[str] = collections.Counter()
    profiles: list[cProfile.Profile] = []

    def on_execute(conn, cursor, statement, parameters, context, executemany):
        words = " ".join(statement.split()[:6])
        with lock:
            counts[words] += 1

    def on_checkout(_dbapi_connection, _record, _proxy):
        with lock:
            counts["(pool checkout: a transaction; with pre-ping, a round trip more)"] += 1

    event.listen(Engine, "before_cursor_execute", on_execute)
    event.listen(Pool, "checkout", on_checkout)

    if profiling:
        original_run = threading.Thread.run

        def profiled_run(self):
            profile = cProfile.Profile(time.thread_time)  # CPU time of this thread, not waits
            with lock:
                profiles.append(profile)
            profile.enable()
            try:
                original_run(self)
            finally:
                profile.disable()

        threading.Thread.run = profiled_run  # type: ignore[method-assign]

    started = [time.process_time()]

    def reset(_signum, _frame):
        with lock:
            counts.clear()
            for profile in profiles:
                with contextlib.suppress(Exception):
                    profile.clear()
        started[0] = time.process_time()

    def dump(_signum, _frame):
        with lock:
            snapshot = dict(counts)
        figures = {"pid": os.getpid(), "cpu": time.process_time() - started[0], "statements": snapshot}
        Path(f"{prefix}.{os.getpid()}.json").write_text(json.dumps(figures))
        if profiling:
            for n, profile in enumerate(list(profiles)):
                with contextlib.suppress(Exception):
                    profile.create_stats()
                    profile.dump_stats(f"{prefix}.{os.getpid()}.{n}.prof")

    signal.signal(signal.SIGUSR1, reset)
    signal.signal(signal.SIGUSR2, dump)
    sys.argv = ["bot", *argv]
    runpy.run_module("bot", run_name="__main__")


WAITS = ("acquire' of '_thread.lock", "time.sleep", "get' of '_queue.SimpleQueue", "select.select", "poll")


def _shares(stats: pstats.Stats) -> str:
    """Self CPU time of the profiled threads by package (ours by top folder), largest first."""
    by: collections.Counter[str] = collections.Counter()
    for (path, _line, name), (_cc, _nc, self_time, _ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        if any(wait in name for wait in WAITS):
            continue
        if "site-packages/" in path:
            key = path.split("site-packages/")[1].split("/")[0]
        elif path.startswith(str(Path(__file__).resolve().parent.parent)):
            key = (
                "touchbase: "
                + Path(path).resolve().relative_to(Path(__file__).resolve().parent.parent).parts[0]
            )
        elif path.startswith("/") or path.startswith("<frozen"):
            key = "stdlib"
        else:
            key = f"builtin {name}"[:60]
        by[key] += self_time
    total = sum(by.values()) or 1.0
    lines = ["CPU by package (self time of the profiled threads, thread CPU clock):"]
    lines += [f"  {seconds / total * 100:5.1f}%  {key}" for key, seconds in by.most_common(15)]
    return "\n".join(lines)


def _signal_all(server, signum: int) -> None:
    from benchmarks.serving import _children

    for pid in (server.pid, *_children(server.pid)):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kind", default="/log quick")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--output", default=None, help="text report (default: stdout only)")
    parser.add_argument("--top", type=int, default=45)
    args = parser.parse_args()

    from benchmarks.ack import RequestFactory, post_once, seed_database, seed_postgres
    from benchmarks.common import DATA_DIR
    from benchmarks.loader import MAIN_TEAM
    from benchmarks.serving import Server, free_port, server_env, touchbase_command
    from tests.fake_slack import FakeSlack

    work = DATA_DIR / "profile"
    work.mkdir(parents=True, exist_ok=True)
    for old in work.glob("state*"):
        old.unlink()
    pg_db = None
    if args.postgres:
        from benchmarks.pg import ThrowawayPostgres

        pg_db = ThrowawayPostgres("_profile")
        url = pg_db.url
        contact_id = seed_postgres(url, contacts=300, interactions=3_000)
    else:
        path = work / "profile.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url, contact_id = seed_database(str(path), contacts=300, interactions=3_000)
    prefix = str(work / "state")
    try:
        with FakeSlack(team_id=MAIN_TEAM) as fake:
            port = free_port()
            command = touchbase_command(port, args.workers)
            command = [sys.executable, "-m", "benchmarks.profile_serve", "child", *command[3:]]
            env = server_env(url, fake.url)
            env[STATE_ENV] = prefix
            env["TOUCHBASE_PROFILE_THREADS"] = "0" if args.no_profile else "1"
            server = Server("profiled touchbase serve", command, env, port, work / "serve.log").start()
            try:
                factory = RequestFactory(server.url, MAIN_TEAM, contact_id, fake)
                for _ in range(args.warmup):
                    post_once(port, factory.body(args.kind))
                server.wait_idle()
                _signal_all(server, signal.SIGUSR1)
                time.sleep(0.3)
                cpu_before = server.cpu_seconds()
                statuses = collections.Counter()
                t0 = time.perf_counter()
                for _ in range(args.requests):
                    _, status = post_once(port, factory.body(args.kind))
                    statuses[status] += 1
                wall = time.perf_counter() - t0
                server.wait_idle()
                cpu = server.cpu_seconds() - cpu_before
                _signal_all(server, signal.SIGUSR2)
                time.sleep(1.0)
                api_calls = collections.Counter(call.method.split("/")[0] for call in fake.calls())
            finally:
                server.stop()
    finally:
        if pg_db is not None:
            pg_db.drop()

    statements: collections.Counter[str] = collections.Counter()
    for state in work.glob("state.*.json"):
        statements.update(json.loads(state.read_text())["statements"])
    n = args.requests
    out = io.StringIO()
    db_name = "postgresql" if args.postgres else "sqlite"
    print(
        f"kind {args.kind!r}, {n} sequential requests (+{args.warmup} warm-up), {db_name}, "
        f"--workers {args.workers}, profiler {'off' if args.no_profile else 'on'}",
        file=out,
    )
    print(f"HTTP statuses: {dict(statuses)}; wall {wall:.2f}s", file=out)
    print(f"server CPU per request (/proc, incl. post-ack work): {cpu / n * 1000:.2f} ms", file=out)
    checkouts = statements.pop("(pool checkout: a transaction; with pre-ping, a round trip more)", 0)
    total = sum(statements.values())
    print(f"SQL statements per request: {total / n:.2f}", file=out)
    print(f"pool checkouts per request: {checkouts / n:.2f}", file=out)
    for words, count in statements.most_common():
        print(f"  {count / n:6.2f}  {words}", file=out)
    print(f"fake Slack calls (warm-up included): {dict(api_calls)}", file=out)
    profs = sorted(str(p) for p in work.glob("state.*.prof"))
    if profs:
        stats = pstats.Stats(*profs, stream=out)
        print("\n", file=out)
        print(_shares(stats), file=out)
        stats.sort_stats("cumulative").print_stats(args.top)
        stats.sort_stats("tottime").print_stats(25)
    text = out.getvalue()
    repo = str(Path(__file__).resolve().parent.parent) + "/"
    site = next((p for p in sys.path if p.endswith("site-packages")), None)
    text = text.replace(repo, "")
    if site:
        text = text.replace(site + "/", "")
    print(text)
    if args.output:
        Path(args.output).write_text(text)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "child":
        child(sys.argv[2:])
    else:
        main()
