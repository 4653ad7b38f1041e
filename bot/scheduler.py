"""The digest scheduler: one APScheduler 3.x job that runs the digest tick every minute.

The job store is in memory on purpose: APScheduler 3 can't share a job store between
processes, and needn't. Each process ticks on its own; the delivery rows claimed in the
database (storage/deliveries.py) make every digest go out once, however many processes tick.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from slack_sdk import WebClient

from bot.services import utc_now
from bot.services.digests import ClientSource, client_for, run_digests
from bot.settings import Settings, SettingsError
from storage.db import Database

logger = logging.getLogger("touchbase.scheduler")

TICK_SECONDS = 60
# A tick more than this late is dropped: the next one comes within a minute and catches up.
MISFIRE_GRACE_SECONDS = 30
# Give a fresh process a moment to come up, then send what came due while it was down.
FIRST_TICK_DELAY = timedelta(seconds=5)
JOB_ID = "digests"
REQUIRED_TABLES = ("contacts", "user_settings", "digest_deliveries")


def worker_id() -> str:
    """Who holds a claim, for operators reading `digest_deliveries`: host and process id."""
    return f"{socket.gethostname()}-{os.getpid()}"[:64]


def digest_tick(db: Database, client: WebClient, worker: str, clock: Callable[[], datetime]) -> None:
    try:
        run_digests(db, client, now=clock(), worker_id=worker, out=logger.info)
    except Exception:
        # Logged and dropped: the next tick tries again, and the scheduler must keep running.
        logger.exception("digest tick failed")


def repair_tick(
    settings: Settings, db: Database, client: ClientSource, clock: Callable[[], datetime]
) -> None:
    from bot.services import Services
    from bot.services.timeline import repair_timelines
    from bot.services.users import UserDirectory

    try:
        default = client if isinstance(client, WebClient) else WebClient()
        svc = Services(settings=settings, db=db, users=UserDirectory(default), clock=clock)
        repair_timelines(svc, lambda team_id: client_for(client, team_id), now=clock())
    except Exception:
        logger.exception("timeline repair failed")


def start_scheduler(
    settings: Settings,
    db: Database,
    client: WebClient | Callable[[str], WebClient | None],
    *,
    clock: Callable[[], datetime] = utc_now,
    interval_seconds: float = TICK_SECONDS,
    first_tick_delay: timedelta = FIRST_TICK_DELAY,
    refresh_tokens: Callable[[], int] | None = None,
) -> BackgroundScheduler:
    """Start ticking in a background thread; the caller may `shutdown()` the returned scheduler."""
    worker = worker_id()
    scheduler = BackgroundScheduler(timezone=UTC)
    scheduler.add_job(
        digest_tick,
        IntervalTrigger(seconds=interval_seconds, timezone=UTC),
        args=(db, client, worker, clock),
        id=JOB_ID,
        name="send due digests",
        max_instances=1,  # a slow tick (429 back-off) is never overlapped by the next
        coalesce=True,  # ticks missed meanwhile collapse into one
        misfire_grace_time=MISFIRE_GRACE_SECONDS,
        next_run_time=datetime.now(UTC) + first_tick_delay,
    )
    scheduler.add_job(
        repair_tick,
        "date",  # once, soon after start: repairs what a crash cut short (bot/services/timeline.py)
        args=(settings, db, client, clock),
        id="timeline_repair",
        name="repair timeline threads after a restart",
        run_date=datetime.now(UTC) + first_tick_delay,
        misfire_grace_time=None,
    )
    if refresh_tokens is not None:
        # OAuth mode with token rotation: refresh tokens before they expire (bot/oauth.py).
        from bot.oauth import REFRESH_JOB_SECONDS

        scheduler.add_job(
            _refresh_tick,
            IntervalTrigger(seconds=REFRESH_JOB_SECONDS, timezone=UTC),
            args=(refresh_tokens,),
            id="token_refresh",
            name="refresh expiring workspace tokens",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=REFRESH_JOB_SECONDS,
            next_run_time=datetime.now(UTC) + first_tick_delay,
        )
    scheduler.start()
    logger.info("digest scheduler started as %s (every %ss)", worker, interval_seconds)
    return scheduler


def _refresh_tick(refresh_tokens: Callable[[], int]) -> None:
    try:
        refreshed = refresh_tokens()
        if refreshed:
            logger.info("refreshed %d workspace token(s)", refreshed)
    except Exception:
        logger.exception("token refresh tick failed")


def scheduler_clients(settings: Settings, db: Database, client: WebClient):
    """What the jobs send with: the one client, or each workspace's (OAuth), and the refresh job."""
    if not settings.oauth:
        return client, None
    from bot.oauth import team_clients

    clients = team_clients(settings, db, client)
    return clients, clients.refresher.refresh_expiring if clients.refresher is not None else None


def open_database(settings: Settings) -> Database:
    """The migrated database, or SettingsError with one line saying what to do. Migrates nothing."""
    from sqlalchemy import inspect
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    url = make_url(settings.database_url)
    safe = url.render_as_string(hide_password=True)
    is_file = url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")
    # Connecting to a missing SQLite file would create an empty one; say what's wrong instead.
    if is_file and url.database and not Path(url.database).exists():
        raise SettingsError(f"DATABASE_URL: no database at {safe}; run `touchbase db upgrade` first")
    db = Database(settings.database_url, pgbouncer=settings.pgbouncer)
    try:
        tables = set(inspect(db.engine).get_table_names())
    except SQLAlchemyError as error:
        db.dispose()
        raise SettingsError(
            f"DATABASE_URL: can't reach the database at {safe} ({error.__class__.__name__})"
        ) from None
    missing = [name for name in REQUIRED_TABLES if name not in tables]
    if missing:
        db.dispose()
        raise SettingsError(
            f"the database at {safe} has no {', '.join(missing)} table: run `touchbase db upgrade` first"
        )
    return db


def require_bot_token(settings: Settings) -> str:
    if settings.oauth:
        return ""  # each workspace's own token, from the installation store
    if not settings.slack_bot_token:
        raise SettingsError("SLACK_BOT_TOKEN is required to send digests: set it in .env or the environment")
    return settings.slack_bot_token


def run_scheduler_forever(settings: Settings) -> int:
    """`touchbase scheduler`: tick until SIGTERM or SIGINT, then finish the running tick and exit."""
    from bot.slack import build_client

    require_bot_token(settings)
    db = open_database(settings)
    stop = threading.Event()

    def request_stop(signum, _frame) -> None:
        logger.info("received %s; stopping after the current tick", signal.Signals(signum).name)
        stop.set()

    # Handlers first: a SIGTERM arriving while the scheduler starts must still stop it cleanly.
    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    clients, refresh = scheduler_clients(settings, db, build_client(settings))
    scheduler = start_scheduler(settings, db, clients, refresh_tokens=refresh)
    try:
        while not stop.wait(1.0):
            pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        scheduler.shutdown(wait=True)
        db.dispose()
    logger.info("digest scheduler stopped")
    return 0
