"""The digest job: find who is due, claim, DM, record the outcome. One call is one tick.

Any number of processes may run it at once against one database: the delivery row
claimed in storage decides who sends. Sends go out one after another, so a workspace
sees at most one `chat.postMessage` from this process at a time; a 429 is waited out by
the client's RateLimitErrorRetryHandler (bot/slack.py) before the run goes on.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from blocks.digest import team_digest_message, team_digest_text
from bot.domain.records import Actor
from bot.services.digest_content import digest_content
from storage.db import Database
from storage.deliveries import (
    TEAM_DIGEST_USER,
    DigestKey,
    claim_digest,
    due_digests,
    due_team_digests,
    mark_failed,
    mark_sending,
    mark_sent,
    mark_skipped,
)
from storage.staleness import owners_without_tz, team_week_summary
from storage.user_settings import get_user_settings, remember_dm_channel, remember_user_tz

logger = logging.getLogger("touchbase.digests")

# Slack errors meaning this person can't get a DM today (closed DMs, left, deactivated):
# record a skip and go on, rather than retrying all day.
SKIP_ERRORS = frozenset(
    {
        "user_not_found",
        "cannot_dm_bot",
        "user_disabled",
        "account_inactive",
        "channel_not_found",
        "not_allowed_token_type",
        "is_archived",
        "not_in_channel",
        "restricted_action",
        "messages_tab_disabled",
    }
)
# users.info errors meaning the person is gone: remember UTC so we stop asking every tick.
GONE_USER_ERRORS = frozenset({"user_not_found", "user_disabled", "account_inactive"})
RETRY_DELAY = timedelta(minutes=15)
# In OAuth mode each workspace has its own token: `client` may be a callable giving a
# workspace's client (bot.oauth.TeamClients), or None for a workspace not installed (any more).
ClientSource = WebClient | Callable[[str], WebClient | None]


def client_for(client: ClientSource | None, team_id: str) -> WebClient | None:
    if client is None or isinstance(client, WebClient):
        return client
    return client(team_id)


DEFAULT_CONCURRENCY = 8

SENT = "sent"
SKIPPED = "skipped"
FAILED = "failed"


@dataclass
class DigestRunReport:
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    dry_run_texts: list[str] = field(default_factory=list)
    # (key, outcome, reason) for each digest this run claimed, in order.
    outcomes: list[tuple[DigestKey, str, str | None]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def record(self, key: DigestKey, outcome: str, reason: str | None = None) -> None:
        with self._lock:  # digests are sent from several threads
            self.outcomes.append((key, outcome, reason))
            if outcome == SENT:
                self.sent += 1
            elif outcome == SKIPPED:
                self.skipped += 1
            else:
                self.failed += 1

    def summary(self) -> str:
        return f"{self.sent} sent, {self.skipped} skipped, {self.failed} failed"


def run_digests(
    db: Database,
    client: ClientSource | None,
    *,
    now: datetime,
    worker_id: str,
    force: bool = False,
    dry_run: bool = False,
    only_user: str | None = None,
    out: Callable[[str], object] = print,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> DigestRunReport:
    """Send every digest due at `now` that no other process has claimed.

    Digests go out from `concurrency` threads: each DM is its own channel, so Slack's
    per-channel pace doesn't bind, and waiting on one user's round trip shouldn't hold up
    the others. 429s are waited out by the client's retry handler.

    `force` makes every owner of stale contacts due today (still once per local day).
    `dry_run` prints each digest due and touches nothing: no Slack call, no claim.
    `only_user` limits the run to one Slack user id (and leaves team digests out).
    """
    report = DigestRunReport()
    if not dry_run:
        if client is None:
            raise ValueError("sending digests needs a Slack client")
        learn_time_zones(db, client, now=now, only_user=only_user)
    due = due_digests(db, now, force=force, only_user=only_user)
    if dry_run:
        for key in due:
            text = preview_digest(db, key, now=now)
            if text:
                out(text)
                report.dry_run_texts.append(text)
    else:
        assert client is not None  # checked above

        def send_one(key: DigestKey) -> None:
            try:
                send_digest(db, client, key, now=now, worker_id=worker_id, report=report)
            except Exception:
                # One person's failure (even the database's) must not cost everyone else theirs.
                logger.exception("digest for %s/%s failed", key.team_id, key.user_id)

        with ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="digest") as pool:
            list(pool.map(send_one, due))
    if only_user is None:
        try:
            run_team_digests(
                db, client, now=now, worker_id=worker_id, force=force, dry_run=dry_run, out=out, report=report
            )
        except Exception:
            logger.exception("team digests failed")
    if report.outcomes:
        logger.info("digest run at %s by %s: %s", now.isoformat(), worker_id, report.summary())
    return report


def learn_time_zones(
    db: Database, client: ClientSource, *, now: datetime, only_user: str | None = None
) -> int:
    """Ask Slack (users.info) for the zone of each owner of stale contacts we don't know yet."""
    learned = 0
    for team_id, user_id in owners_without_tz(db, now, only_user=only_user):
        team_client = client_for(client, team_id)
        if team_client is None:
            continue  # not installed there: nobody to DM
        try:
            user = team_client.users_info(user=user_id)["user"]
        except SlackApiError as error:
            code = error.response.get("error")
            if code in GONE_USER_ERRORS:
                remember_user_tz(db, team_id, user_id, "UTC", now=now)
            else:
                # Unknown for now: this tick treats them as UTC and the next one asks again.
                logger.warning("users.info for %s failed: %s", user_id, code)
            continue
        except Exception as error:
            logger.warning("users.info for %s failed: %r", user_id, error)
            continue
        remember_user_tz(db, team_id, user_id, user.get("tz"), now=now)
        learned += 1
    return learned


def preview_digest(db: Database, key: DigestKey, *, now: datetime) -> str | None:
    content = digest_content(db, key.team_id, key.user_id, now=now)
    return None if content.is_empty else content.text(now=now)


def send_digest(
    db: Database,
    clients: ClientSource,
    key: DigestKey,
    *,
    now: datetime,
    worker_id: str,
    report: DigestRunReport,
) -> None:
    """Claim one user's digest and DM it; another process holding the claim means do nothing."""
    client = client_for(clients, key.team_id)
    if client is None:
        logger.debug("digest %s: the workspace has no installation; not sending", key)
        return
    if not claim_digest(db, *key, worker_id, now=now):
        return
    try:
        content = digest_content(db, key.team_id, key.user_id, now=now)
        if content.is_empty:
            # Someone logged a touch (or closed a follow-up) between the due check and the claim.
            _skip(db, key, worker_id, "nothing stale", report)
            return
        text, blocks, metadata = content.message(now=now)
        cached = get_user_settings(db, Actor(key.team_id, key.user_id)).dm_channel_id
        channel = cached or client.conversations_open(users=key.user_id)["channel"]["id"]
    except SlackApiError as error:
        _slack_refused(db, key, worker_id, error, now, report)
        return
    except Exception as error:
        # Nothing was posted yet, so a later attempt can't duplicate.
        logger.exception("digest %s: preparing it failed", key)
        _fail(db, key, worker_id, repr(error), now + RETRY_DELAY, report)
        return
    if channel != cached:
        remember_dm_channel(db, key.team_id, key.user_id, channel, now=now)
    outcome = _post(
        db,
        client,
        key,
        channel,
        text,
        blocks,
        now=now,
        worker_id=worker_id,
        report=report,
        count=content.stale_total + content.follow_up_total,
        metadata=metadata,
    )
    if outcome == "channel_not_found" and cached:
        # The remembered DM channel is gone; open a fresh one next time.
        remember_dm_channel(db, key.team_id, key.user_id, None, now=now)


def run_team_digests(
    db: Database,
    client: ClientSource | None,
    *,
    now: datetime,
    worker_id: str,
    force: bool,
    dry_run: bool,
    out: Callable[[str], object],
    report: DigestRunReport,
) -> None:
    """The weekly team digest, for workspaces that set a channel: claimed like a person's."""
    for due in due_team_digests(db, now, force=force):
        if dry_run:
            text = team_digest_text(team_week_summary(db, due.team_id, now), now=now)
            out(text)
            report.dry_run_texts.append(text)
            continue
        assert client is not None  # only a dry run goes without one
        key = DigestKey(due.team_id, TEAM_DIGEST_USER, due.local_date)
        team_client = client_for(client, due.team_id)
        if team_client is None:
            continue
        if not claim_digest(db, *key, worker_id, now=now):
            continue
        try:
            text, blocks = team_digest_message(team_week_summary(db, due.team_id, now), now=now)
        except Exception as error:
            logger.exception("team digest for %s: preparing it failed", due.team_id)
            _fail(db, key, worker_id, repr(error), now + RETRY_DELAY, report)
            continue
        _post(db, team_client, key, due.channel_id, text, blocks, now=now, worker_id=worker_id, report=report)


def _post(
    db: Database,
    client: WebClient,
    key: DigestKey,
    channel: str,
    text: str,
    blocks: list[dict],
    *,
    now: datetime,
    worker_id: str,
    report: DigestRunReport,
    count: int = 0,
    metadata: dict | None = None,
) -> str | None:
    """Post and record the outcome; returns the Slack error code if Slack refused."""
    if not mark_sending(db, *key, worker_id):
        logger.warning("lost the claim on %s before posting; not sending", key)
        return None
    try:
        posted = client.chat_postMessage(
            channel=channel,
            text=text,
            blocks=blocks,
            unfurl_links=False,
            unfurl_media=False,
            metadata=metadata,
        )
    except SlackApiError as error:
        # Slack answered with an error, so nothing was posted: a retry can't duplicate.
        return _slack_refused(db, key, worker_id, error, now, report)
    except Exception as error:
        # No answer (timeout, connection lost): it may have been posted. A missed digest
        # is better than two, so this one is not retried.
        logger.warning("digest %s: outcome unknown (%r); not retrying", key, error)
        mark_failed(db, *key, worker_id, error=f"outcome unknown: {error!r}", retry_at=None)
        report.record(key, FAILED, "outcome unknown")
        return None
    ts = posted.get("ts")
    mark_sent(
        db,
        *key,
        worker_id,
        now=now,
        contact_count=count,
        channel_id=channel,
        message_ts=ts if isinstance(ts, str) else None,
    )
    report.record(key, SENT)
    return None


def _slack_refused(
    db: Database, key: DigestKey, worker_id: str, error: SlackApiError, now: datetime, report: DigestRunReport
) -> str:
    code = str(error.response.get("error") or f"http_{error.response.status_code}")
    if code in SKIP_ERRORS:
        _skip(db, key, worker_id, code, report)
    else:
        _fail(db, key, worker_id, code, now + RETRY_DELAY, report)
    return code


def _skip(db: Database, key: DigestKey, worker_id: str, reason: str, report: DigestRunReport) -> None:
    logger.info("digest %s skipped: %s", key, reason)
    mark_skipped(db, *key, worker_id, reason=reason)
    report.record(key, SKIPPED, reason)


def _fail(
    db: Database, key: DigestKey, worker_id: str, error: str, retry_at: datetime, report: DigestRunReport
) -> None:
    logger.warning("digest %s failed (%s); retrying from %s", key, error, retry_at.isoformat())
    mark_failed(db, *key, worker_id, error=error, retry_at=retry_at)
    report.record(key, FAILED, error)
