"""Section 4: the digest fan-out against a slow, rate-limited fake Slack.

Every one of N users owns at least one stale contact and has a known time zone but no
remembered DM channel, so each digest needs `conversations.open` and `chat.postMessage`.
FakeSlack answers every call after 50 ms and limits both methods to R calls a second
(token bucket, burst R), answering 429 with Retry-After beyond that.

Figure: wall time of one `run_digests(db, client, now=..., worker_id=..., force=True)`
call (in a subprocess, timed from just before the call). Floor: what the rate limits
allow at best, the calls each method needs divided by its rate (the two methods have
separate limits, so the slower one bounds the run). If the run would blow the section's
time budget it is stopped at the cap and its wall time projected from the digests
delivered so far; the row says so.

Duplicates and lost digests are counted from what FakeSlack answered: a second successful
chat.postMessage to one DM is a duplicate; a user whose digest the run took on (has a
delivery row) but who got no successful post is lost; when the run completed, a user
with neither is lost too.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.common import DATA_DIR, REPO_DIR, Row, clean_env
from benchmarks.serving import BOT_TOKEN
from tests.fake_slack import FakeSlack

METHODS = ("conversations.open", "chat.postMessage")


class RecordingFakeSlack(FakeSlack):
    """FakeSlack that also remembers how it answered each call (status, channel or user)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.answers: list[tuple[str, int, str]] = []
        self._answers_lock = threading.Lock()

    def _handle(self, method, args, headers):
        status, body, extra = super()._handle(method, args, headers)
        ok = status == 200 and isinstance(body, dict) and body.get("ok", False)
        key = str(args.get("channel") or args.get("users") or "")
        with self._answers_lock:
            self.answers.append((method, status if ok or status != 200 else 299, key))
        return status, body, extra


def digests_available() -> str | None:
    """None when bot.services.digests.run_digests can be imported, else why not."""
    try:
        from bot.services.digests import run_digests  # noqa: F401
    except Exception as error:  # ImportError or a half-written module
        return f"{type(error).__name__}: {error}"
    return None


def run_digest_section(*, users: int, rate: float, latency: float, cap_seconds: float) -> list[Row]:
    missing = digests_available()
    if missing:
        return [
            Row(
                "4",
                f"run_digests wall time, {users} users",
                None,
                "s",
                status="pending",
                note=f"bot.services.digests.run_digests not importable yet ({missing})",
            ).judge()
        ]
    from benchmarks.loader import MAIN_TEAM, load_digest_users
    from storage.deliveries import list_deliveries

    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = DATA_DIR / "digests.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    now = datetime.now(UTC).replace(microsecond=0)
    seeded = load_digest_users(url, users=users, now=now)
    owners = set(seeded["owners"])

    with RecordingFakeSlack(team_id=MAIN_TEAM) as fake:
        fake.latency(latency)
        for method in METHODS:
            fake.rate_limit(method, rate, burst=rate)
        env = clean_env(
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_SIGNING_SECRET="unused",
            SLACK_APP_TOKEN="",
            DATABASE_URL=url,
            SLACK_API_URL=fake.url,
            TOUCHBASE_LOG_LEVEL="WARNING",
        )
        log_path = DATA_DIR / "logs" / "digest-worker.log"
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(log_path, "wb") as stderr:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "benchmarks.digest_worker",
                    "--now",
                    now.isoformat(),
                    "--worker-id",
                    "bench-1",
                ],
                cwd=str(REPO_DIR),
                env=env,
                stdout=subprocess.PIPE,
                stderr=stderr,
                text=True,
            )
            started_wall = None
            ended = None
            lines: list[dict] = []

            def read():
                for line in process.stdout:
                    try:
                        lines.append(json.loads(line))
                    except ValueError:
                        continue

            reader = threading.Thread(target=read, daemon=True)
            reader.start()
            deadline = time.time() + cap_seconds + 60  # + start-up, before "start"
            capped = False
            while process.poll() is None:
                start = next((e for e in lines if e.get("event") == "start"), None)
                if start and started_wall is None:
                    started_wall = start["t"]
                    deadline = started_wall + cap_seconds
                if time.time() >= deadline:
                    capped = True
                    stopped_at = time.time()
                    process.terminate()
                    try:
                        process.wait(timeout=10)
                    except subprocess.TimeoutExpired:
                        process.kill()
                        process.wait()
                    break
                time.sleep(0.05)
            reader.join(timeout=5)
            start = next((e for e in lines if e.get("event") == "start"), None)
            end = next((e for e in lines if e.get("event") == "end"), None)
            started_wall = start["t"] if start else started_wall
            if end:
                ended = end["t"]
        answers = list(fake.answers)

    if started_wall is None:
        return [
            Row(
                "4",
                f"run_digests wall time, {users} users",
                None,
                "s",
                status="ERROR",
                note=f"the digest worker never started; see {log_path}",
            ).judge()
        ]
    posted = Counter(key for method, status, key in answers if method == "chat.postMessage" and status == 200)
    rejected = Counter(method for method, status, _ in answers if status == 429)
    calls = Counter(method for method, _, _ in answers)
    duplicates = sum(count - 1 for count in posted.values() if count > 1)
    delivered_users = {channel[1:] for channel in posted if channel.startswith("D")}
    deliveries = {d.user_id: d for d in list_deliveries(_db(url), MAIN_TEAM)}
    in_flight = {
        u for u, d in deliveries.items() if d.status in ("claimed", "sending") and u not in delivered_users
    }
    took_on = set(deliveries)
    lost_users = {u for u in took_on if u not in delivered_users and (not capped or u not in in_flight)}
    if not capped:
        lost_users |= {u for u in owners if u not in took_on and u not in delivered_users}
    unreached = len(owners - took_on) if capped else 0
    done = len(delivered_users)

    floor = max(users / rate for _ in METHODS)
    if capped:
        elapsed = stopped_at - started_wall
        figure = elapsed * users / max(done, 1)
        note = (
            f"STOPPED at the {cap_seconds:.0f}s cap after {done}/{users} digests; figure projected "
            f"= {elapsed:.0f}s x {users}/{done}"
        )
    else:
        figure = (ended or time.time()) - started_wall
        note = f"completed: {done}/{users} digests delivered"
    note += (
        f"; {latency * 1000:.0f} ms latency, {rate:g}/s per method (burst {rate:g}); "
        f"429s: "
        + ", ".join(f"{m} {rejected.get(m, 0)}" for m in METHODS)
        + "; calls: "
        + ", ".join(f"{m} {calls.get(m, 0)}" for m in METHODS)
    )
    rows = [
        Row(
            "4",
            f"run_digests wall time, {users} users" + (" (projected)" if capped else ""),
            figure,
            "s",
            floor=floor,
            floor_name=f"rate-limit floor: {users} calls per method / {rate:g} per s",
            limit=1.2,
            note=note,
            extra={
                "capped": capped,
                "delivered": done,
                "users": users,
                "rejected_429": dict(rejected),
                "calls": dict(calls),
                "digests_per_second": done
                / max((stopped_at if capped else (ended or time.time())) - started_wall, 1e-9),
            },
        ).judge(),
        Row(
            "4",
            "digests duplicated",
            duplicates,
            "digests",
            expect=0,
            note="second successful chat.postMessage to the same DM",
        ).judge(),
        Row(
            "4",
            "digests lost",
            len(lost_users),
            "digests",
            expect=0,
            note=(
                "taken on but never posted"
                + (
                    f"; {unreached} users not reached before the cap, {len(in_flight)} in flight when stopped"
                    if capped
                    else "; or never taken on"
                )
            ),
        ).judge(),
    ]
    return rows


def _db(url: str):
    from storage.db import Database

    return Database(url)
