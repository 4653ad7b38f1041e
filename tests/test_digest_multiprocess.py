"""Three scheduler processes, one PostgreSQL database, one fake Slack, a simulated week.

Every process gets the same ticks (every 20 simulated minutes, with two outages), so they
race for every claim. Whatever the interleaving, each user must get exactly the digests due
that week: one per user and local day, none missing, none twice; the weekly team digest once
per Monday. Transient Slack faults (a 429 and three `internal_error`s) are thrown in.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.domain.records import Actor
from storage.db import Database
from storage.deliveries import TEAM_DIGEST_USER, list_deliveries
from storage.user_settings import set_team_digest_channel
from tests.databases import in_ci
from tests.test_digests import add_contact, person

ROOT = Path(__file__).resolve().parent.parent
TEAM = "T111"
PROCESSES = 3
START = datetime(2026, 3, 23, 0, 0, tzinfo=UTC)  # Monday; Europe moves to summer time on Sunday 03-29
END = datetime(2026, 3, 30, 12, 0, tzinfo=UTC)  # the next Monday, after the team digest
TICK = timedelta(minutes=20)
# Nobody ticks during these: digests due inside go out at the next tick if it's still their
# local day; the second outage swallows Kolkata's Friday (back on Saturday, not a digest day).
OUTAGES = [
    (datetime(2026, 3, 24, 6, 0, tzinfo=UTC), datetime(2026, 3, 24, 12, 0, tzinfo=UTC)),
    (datetime(2026, 3, 26, 20, 0, tzinfo=UTC), datetime(2026, 3, 27, 20, 0, tzinfo=UTC)),
]
ALL_DAYS = frozenset(range(7))
WEEKDAYS = frozenset(range(5))
TEAM_CHANNEL = "C0TEAM"


@dataclass(frozen=True)
class Someone:
    user_id: str
    tz: str
    time: str = "09:00"
    weekdays: frozenset[int] = WEEKDAYS
    stale_from: datetime = START - timedelta(days=60)
    tz_known: bool = True  # False: the schedulers learn it from users.info


PEOPLE = [
    *(Someone(f"ULA{n}", "America/Los_Angeles", t) for n, t in enumerate(("09:00", "08:30", "17:45"))),
    *(Someone(f"UBER{n}", "Europe/Berlin", t) for n, t in enumerate(("09:00", "07:15", "13:00"))),
    *(Someone(f"UKOL{n}", "Asia/Kolkata", t) for n, t in enumerate(("09:00", "06:00", "22:00"))),
    *(Someone(f"UAKL{n}", "Pacific/Auckland", t) for n, t in enumerate(("09:00", "07:00", "18:30"))),
    Someone("UWEEKEND", "Europe/Berlin", "02:30", ALL_DAYS),  # 02:30 doesn't exist there on 03-29
    Someone("UEVERYDAY", "America/New_York", "07:30", ALL_DAYS),
    Someone("ULATE", "America/Los_Angeles", stale_from=datetime(2026, 3, 25, 12, 0, tzinfo=UTC)),
    Someone("UTOKYO", "Asia/Tokyo", tz_known=False),
    Someone("UUTC", "UTC", "00:00", ALL_DAYS),
]


def ticks() -> list[datetime]:
    out, at = [], START
    while at <= END:
        if not any(start <= at < end for start, end in OUTAGES):
            out.append(at)
        at += TICK
    return out


def expected_digests(someone: Someone, schedule: list[datetime]) -> set[date]:
    """Local days whose digest time is followed by a tick on that same local day, stale by then."""
    zone = ZoneInfo(someone.tz)
    hours, minutes = map(int, someone.time.split(":"))
    days = set()
    day = (START - timedelta(days=1)).date()
    while day <= END.date() + timedelta(days=1):
        if day.weekday() in someone.weekdays:
            due = datetime.combine(day, time(hours, minutes), tzinfo=zone).astimezone(UTC)
            first = next((t for t in schedule if t >= due), None)
            if first is not None and first.astimezone(zone).date() == day and first >= someone.stale_from:
                days.add(day)
        day += timedelta(days=1)
    return days


@pytest.fixture
def pg_url(postgres_database) -> str:
    if postgres_database is None:
        assert not in_ci()
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    return postgres_database.fresh_url()


def _seed(url: str, fake_slack) -> None:
    db = Database(url)
    try:
        for someone in PEOPLE:
            add_contact(
                db,
                f"Contact of {someone.user_id}",
                owner=someone.user_id,
                created=someone.stale_from - timedelta(days=30),
            )
            if someone.tz_known:
                person(db, someone.user_id, someone.tz, time=someone.time, weekdays=someone.weekdays)
            else:
                fake_slack.set_user(someone.user_id, tz=someone.tz)
        add_contact(db, "Contact of UOFF", owner="UOFF", created=START - timedelta(days=90))
        person(db, "UOFF", "Europe/Berlin", enabled=False)
        add_contact(db, "Fresh contact", owner="UFRESH", created=END)  # never stale this week
        set_team_digest_channel(db, Actor(TEAM, "ULA0"), TEAM_CHANNEL, now=START)
    finally:
        db.dispose()


@pytest.mark.postgres
@pytest.mark.slow
def test_scheduler_processes_racing_for_a_week_send_each_digest_exactly_once(pg_url, fake_slack, capsys):
    _seed(pg_url, fake_slack)
    # Faults the schedulers must ride out: one 429 (waited out), then three refusals (retried later).
    fake_slack.respond_with("chat.postMessage", status=429, headers={"Retry-After": "1"}, times=1)
    fake_slack.fail("chat.postMessage", "internal_error", times=3)
    faulted_calls = 4  # the 429, then three internal_errors (the 429's own retry is the first of them)

    schedule = ticks()
    with contextlib.ExitStack() as stack:
        logs = [stack.enter_context(tempfile.TemporaryFile(mode="w+")) for _ in range(PROCESSES)]
        _run_in_lockstep(pg_url, fake_slack.url, schedule, logs)

    calls = fake_slack.calls("chat.postMessage")
    delivered = Counter(call.args["channel"] for call in calls[faulted_calls:])
    deliveries = list_deliveries(Database(pg_url))
    sent_days: dict[str, list[date]] = {}
    for row in deliveries:
        if row.status == "sent":
            sent_days.setdefault(row.user_id, []).append(row.local_date)

    expected = {someone.user_id: expected_digests(someone, schedule) for someone in PEOPLE}
    for someone in PEOPLE:
        days = sent_days.get(someone.user_id, [])
        assert sorted(days) == sorted(expected[someone.user_id]), someone
        # One message per delivered day: the fake saw exactly as many successful posts.
        assert delivered["D" + someone.user_id] == len(expected[someone.user_id]), someone
    assert "UOFF" not in sent_days and "UFRESH" not in sent_days
    assert sorted(sent_days[TEAM_DIGEST_USER]) == [date(2026, 3, 23), date(2026, 3, 30)]
    assert delivered[TEAM_CHANNEL] == 2
    assert all(row.status == "sent" for row in deliveries), [r for r in deliveries if r.status != "sent"]
    by_worker = Counter(row.claimed_by for row in deliveries)
    assert len(by_worker) >= 2, by_worker  # the work really was shared

    with capsys.disabled():
        total = sum(len(days) for days in expected.values())
        print(
            f"\n{PROCESSES} processes, {len(schedule)} ticks: {total} personal digests expected, "
            f"{sum(len(d) for u, d in sent_days.items() if u != TEAM_DIGEST_USER)} sent "
            f"(max per user/day: {max(Counter((r.user_id, r.local_date) for r in deliveries).values())}), "
            f"team digests {delivered[TEAM_CHANNEL]}, posts {len(calls)} incl. {faulted_calls} faulted; "
            f"claims won per process: {dict(sorted(by_worker.items()))}"
        )


def _run_in_lockstep(url: str, slack_url: str, schedule: list[datetime], logs: list) -> None:
    """Start the driver processes and step them all through each tick before the next."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.digest_driver", url, slack_url, f"worker-{n}"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=logs[n],
            text=True,
            bufsize=1,
        )
        for n in range(PROCESSES)
    ]
    try:
        for n, worker in enumerate(workers):
            _expect(worker, "ready", logs[n])
        for tick in schedule:
            for worker in workers:
                worker.stdin.write(f"tick {tick.isoformat()}\n")
            for n, worker in enumerate(workers):
                _expect(worker, "done", logs[n])
        for worker in workers:
            worker.stdin.write("quit\n")
            worker.stdin.close()
        for worker in workers:
            assert worker.wait(timeout=20) == 0
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()


def _expect(worker: subprocess.Popen, word: str, log) -> str:
    line = worker.stdout.readline()
    if not line.startswith(word):
        log.seek(0)
        pytest.fail(f"driver answered {line!r}, expected {word!r}; its log:\n{log.read()[-4000:]}")
    return line
