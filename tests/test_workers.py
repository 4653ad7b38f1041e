"""`touchbase serve --workers 3` on PostgreSQL: a burst of signed requests, then SIGTERM."""

from __future__ import annotations

import collections
import os
import re
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.domain.records import Actor
from storage.contacts import ContactDraft, create_contact
from storage.db import Database
from storage.models import Interaction
from tests.app_harness import SIGNING_SECRET
from tests.modal_submit import submission
from tests.serving import start_serve
from tests.slack_requests import SlackSender

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

ME = Actor(team_id="T111", user_id="U111")
BURST_THREADS = 8
QUICK_LOGS = 150
MODAL_SUBMISSIONS = 150


@pytest.fixture
def pg_url(postgres_database):
    if postgres_database is None:
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    return postgres_database.fresh_url()


def opened_log_modal(sender: SlackSender, fake) -> dict:
    """The log modal as the app opens it (`/log` with no text), to submit copies of."""
    fake.clear()
    status, _, _ = sender.command("/log", "")
    assert status == 200
    return fake.wait_for("views.open", timeout=10)[0].args["view"]


def modal_values(contact_id: int, summary: str) -> dict:
    day = (datetime.now(UTC) - timedelta(days=2)).date().isoformat()
    return {"contact": str(contact_id), "type": "meeting", "date": day, "time": "10:00", "summary": summary}


def summaries(url: str) -> collections.Counter:
    db = Database(url)
    try:
        with db.read() as session:
            return collections.Counter(session.execute(select(Interaction.summary)).scalars())
    finally:
        db.dispose()


def wait_for_count(url: str, expected: int, timeout: float = 90) -> collections.Counter:
    deadline = time.monotonic() + timeout
    while True:
        counts = summaries(url)
        if sum(counts.values()) >= expected or time.monotonic() > deadline:
            return counts
        time.sleep(0.5)


def postgres_connections_of(pid: int) -> int:
    """TCP connections to port 5432 held by one process (its fds matched against /proc/net/tcp)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[2].endswith(":1538") and fields[9] in inodes:  # 0x1538 = 5432
                count += 1
    return count


def test_three_workers_answer_a_burst_save_each_interaction_once_and_stop_on_sigterm(
    tmp_path, pg_url, fake_slack
):
    db = Database(pg_url)
    jane = create_contact(db, ME, ContactDraft(name="Jane Doe"), now=datetime.now(UTC))
    db.dispose()
    server = start_serve(
        tmp_path,
        "--workers",
        "3",
        env={
            "SLACK_BOT_TOKEN": "xoxb-test",
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake_slack.url,
            "DATABASE_URL": pg_url,
        },
    )
    try:
        server.wait_healthy()
        sender = SlackSender(server.url, SIGNING_SECRET, response_url_base=fake_slack.url, timeout=10)
        opened = opened_log_modal(sender, fake_slack)

        def one(i: int) -> tuple[str, int, str, float]:
            start = time.monotonic()
            if i % 2:
                status, _, body = sender.command("/log", f"Jane Doe call yesterday 3pm burst quick {i}")
                kind = "quick"
            else:
                view = submission(opened, view_id=f"VBURST{i}", **modal_values(jane.id, f"burst modal {i}"))
                status, _, body = sender.view_submission(view)
                kind = "modal"
            return kind, status, body, time.monotonic() - start

        started = time.monotonic()
        with ThreadPoolExecutor(BURST_THREADS) as pool:
            results = list(pool.map(one, range(QUICK_LOGS + MODAL_SUBMISSIONS)))
        elapsed = time.monotonic() - started
        statuses = collections.Counter(status for _, status, _, _ in results)
        late = [
            (kind, status, body, round(latency, 2))
            for kind, status, body, latency in results
            if status != 200
        ]
        # Every request is answered 200, except (on a 2-core machine that other work saturates) one
        # whose listener could not ack within Slack's 3 s: Bolt then answers 404 "unhandled request",
        # as Slack would give up anyway. Those stay rare, and are still saved once (checked below).
        assert all(status == 404 and latency >= 3.0 for _, status, _, latency in late), late
        assert len(late) <= len(results) // 50, late
        # A modal submission answers with an empty body when it saved (errors would be a JSON body).
        assert all(body == "" for kind, status, body, _ in results if kind == "modal" and status == 200)
        latencies = sorted(latency for *_, latency in results)
        slowest, p99 = latencies[-1], latencies[int(len(latencies) * 0.99) - 1]
        p95 = latencies[int(len(latencies) * 0.95) - 1]
        # Slack's 3 s, with room for a 2-core machine that other work shares (p99 and max are printed).
        assert p95 < 3.0, f"p95 answer took {p95:.2f}s"

        counts = wait_for_count(pg_url, QUICK_LOGS + MODAL_SUBMISSIONS)
        expected = {f"burst quick {i}" for i in range(1, QUICK_LOGS + MODAL_SUBMISSIONS, 2)}
        expected |= {f"burst modal {i}" for i in range(0, QUICK_LOGS + MODAL_SUBMISSIONS, 2)}
        assert set(counts) == expected
        assert set(counts.values()) == {1}, "an interaction was saved twice"
        print(
            f"\nburst: {len(results)} requests from {BURST_THREADS} threads in {elapsed:.1f}s, "
            f"answers {dict(statuses)}, p95 {p95:.2f}s, p99 {p99:.2f}s, slowest {slowest:.2f}s, saved {sum(counts.values())} (each once)"
        )

        # Several workers served them, and one process, not three, runs the scheduler.
        log = server.log()
        assert len(set(re.findall(r"worker started \(pid (\d+)", log))) == 3, log[-3000:]
        assert len(re.findall(r"digest scheduler started as", log)) == 1, log[-3000:]
        # The master forks workers and holds no database connection; the workers hold theirs.
        worker_pids = {int(p) for p in re.findall(r"worker started \(pid (\d+)", log)}
        assert postgres_connections_of(server.process.pid) == 0
        assert sum(postgres_connections_of(pid) for pid in worker_pids) > 0

        # The scheduler process, killed, is started again by the master (still exactly one).
        [scheduler_pid] = [int(p) for p in re.findall(r"started the scheduler process \(pid (\d+)", log)]
        os.kill(scheduler_pid, signal.SIGKILL)
        deadline = time.monotonic() + 20
        while len(re.findall(r"digest scheduler started as", server.log())) < 2:
            assert time.monotonic() < deadline, server.log()[-3000:]
            time.sleep(0.2)
        assert "exited; restarting it" in server.log()

        # SIGTERM while a request is in flight: it is answered and saved, and the master exits in < 15 s.
        fake_slack.latency(1.5)  # the new user's users.info keeps the submission busy
        in_flight: dict = {}

        def slow_submission() -> None:
            view = submission(opened, view_id="VSLOW", **modal_values(jane.id, "in flight at SIGTERM"))
            in_flight["answer"] = sender.view_submission(view, user_id="USLOW")

        thread = threading.Thread(target=slow_submission)
        thread.start()
        time.sleep(0.5)
        took = server.terminate(timeout=20)
        thread.join(timeout=20)
        assert took < 15, f"took {took:.1f}s to stop"
        assert server.process.returncode == 0, server.log()[-3000:]
        assert in_flight["answer"][0] == 200 and in_flight["answer"][2] == ""
        assert summaries(pg_url)["in flight at SIGTERM"] == 1
        log = server.log()
        assert len(set(re.findall(r"worker stopped \(pid (\d+)", log))) == 3, log[-3000:]
        assert "scheduler process stopped" in log and "digest scheduler stopped" in log
        assert "Traceback" not in log and "killing it" not in log, log[-3000:]
        print(f"SIGTERM: exited in {took:.1f}s, the in-flight submission answered 200 and saved")
    finally:
        fake_slack.latency(0)
        server.stop()
