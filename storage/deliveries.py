"""Digest deliveries: whose digest is due, and the delivery rows that make each digest once.

A digest is one DM per user and local day. Its `DigestDelivery` row, unique on
(team_id, user_id, local_date), is the claim: only the process that inserted it (or
re-claimed a failed or abandoned one with a single conditional UPDATE) may send, so any
number of scheduler processes against one database send it once.

Life of a delivery row:

    claimed --> sending --> sent
       |           `-----> failed (Slack answered with an error: nothing was posted)
       |-> skipped (closed DMs, left the workspace, nothing stale any more)
       `-> failed --(next_attempt_at passes)--> claimed ...

A `claimed` row older than CLAIM_TIMEOUT belongs to a process that died before posting,
so it may be taken over. A `sending` row is never taken over: its process may have
posted, and a missed digest is better than a duplicate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple, cast

from sqlalchemy import CursorResult, Select, and_, case, literal, null, or_, select, union, update
from sqlalchemy.orm import Session

from storage.db import Database
from storage.dialects import postgresql, sqlite
from storage.followups import earliest_due_follow_ups, follow_up_owners
from storage.models import DigestDelivery, UserSettings, UTCDateTime, Workspace
from storage.staleness import stale_owners
from storage.user_settings import digest_time_of, to_settings_record

# A claim this old without an outcome means its process died before posting.
CLAIM_TIMEOUT = timedelta(minutes=10)
# After this many failed sends the digest waits for tomorrow.
MAX_ATTEMPTS = 5
ERROR_MAX_CHARS = 200

# The weekly team digest shares the delivery table, under a user id no Slack user can have.
TEAM_DIGEST_USER = "#team"
TEAM_DIGEST_WEEKDAY = 0  # Monday, unless the workspace chose another (workspaces.team_digest_weekday)
TEAM_DIGEST_TIME = time(9, 0)  # UTC: a workspace has no time zone of its own

CLAIMED = "claimed"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"
SKIPPED = "skipped"


class DigestKey(NamedTuple):
    """One user's digest for one local day; for the team digest, user_id is TEAM_DIGEST_USER."""

    team_id: str
    user_id: str
    local_date: date


@dataclass(frozen=True)
class DigestDeliveryRecord:
    team_id: str
    user_id: str
    local_date: date
    status: str
    attempts: int
    claimed_by: str | None
    claimed_at: datetime
    next_attempt_at: datetime | None
    sent_at: datetime | None
    contact_count: int
    error: str | None
    channel_id: str | None = None
    message_ts: str | None = None


class TeamDigestDue(NamedTuple):
    team_id: str
    channel_id: str
    local_date: date


# ---------------------------------------------------------------------- due digests


def _keys(owners: Select) -> Select:
    """SQL: just (team_id, owner_user_id) of an owners query."""
    sub = owners.subquery()
    return select(sub.c.team_id, sub.c.owner_user_id)


def _reclaimable(now: datetime):
    """SQL: a failed row whose retry time has come, or a claim abandoned by a dead process."""
    return or_(
        and_(DigestDelivery.status == FAILED, DigestDelivery.next_attempt_at <= now),
        and_(DigestDelivery.status == CLAIMED, DigestDelivery.claimed_at <= now - CLAIM_TIMEOUT),
    )


def _is_reclaimable(row: DigestDelivery, now: datetime) -> bool:
    if row.status == FAILED:
        return row.next_attempt_at is not None and row.next_attempt_at <= now
    if row.status == CLAIMED:
        return row.claimed_at <= now - CLAIM_TIMEOUT
    return False


def _deliveries_near(session: Session, now: datetime, owners) -> dict[DigestKey, DigestDelivery]:
    """Delivery rows of these owners for the local days `now` can be (UTC-12 to UTC+14).

    Joined per owner so each lookup is a probe of the unique (team_id, user_id, local_date)
    index, however many days of history the table holds.
    """
    today = now.astimezone(UTC).date()
    rows = session.scalars(
        select(DigestDelivery)
        .join(
            owners,
            and_(
                owners.c.team_id == DigestDelivery.team_id, owners.c.owner_user_id == DigestDelivery.user_id
            ),
        )
        .where(DigestDelivery.local_date.between(today - timedelta(days=1), today + timedelta(days=1)))
    ).all()
    return {DigestKey(row.team_id, row.user_id, row.local_date): row for row in rows}


def due_digests(
    db: Database, now: datetime, *, force: bool = False, only_user: str | None = None
) -> list[DigestKey]:
    """Digests to send now: owners of stale contacts whose local digest time has passed today.

    Due when the digest is on, today (in the user's zone) is one of their days, the local
    time is at or past their digest time, and today's delivery row is missing or may be
    re-claimed. Only today counts: after downtime, earlier today still goes out; older
    days are dropped. `force` ignores the day and the time (not an opt-out).
    """
    follow_ups = earliest_due_follow_ups(db, now, only_user=only_user)
    with db.read() as session:
        stale = {tuple(row) for row in session.execute(stale_owners(now, only_user)).all()}
        # Owners of stale contacts, and people whose follow-up may be due where they are.
        owners = union(stale_owners(now, only_user), _keys(follow_up_owners(now, only_user))).subquery()
        rows = session.execute(
            select(owners.c.team_id, owners.c.owner_user_id, UserSettings)
            .outerjoin(
                UserSettings,
                and_(
                    UserSettings.team_id == owners.c.team_id, UserSettings.user_id == owners.c.owner_user_id
                ),
            )
            .order_by(owners.c.team_id, owners.c.owner_user_id)
        ).all()
        deliveries = _deliveries_near(session, now, owners)
    due: list[DigestKey] = []
    for team_id, user_id, row in rows:
        settings = to_settings_record(team_id, user_id, row)
        if not settings.enabled:
            continue
        local = now.astimezone(settings.zone)
        if (team_id, user_id) not in stale and follow_ups.get((team_id, user_id), date.max) > local.date():
            continue  # only a follow-up due later than their today
        # Wall-clock comparison: on a DST jump the first tick at or after the time sends it, once.
        if not force and (
            local.weekday() not in settings.weekdays or local.time() < digest_time_of(settings.time)
        ):
            continue
        key = DigestKey(team_id, user_id, local.date())
        existing = deliveries.get(key)
        if existing is None or _is_reclaimable(existing, now):
            due.append(key)
    return due


# ---------------------------------------------------------------------- claims and outcomes


def claim_digest(
    db: Database, team_id: str, user_id: str, local_date: date, worker_id: str, *, now: datetime
) -> bool:
    """Take the digest for sending; True for exactly one caller however many race.

    The unique row is inserted, or else re-claimed by one conditional UPDATE: a concurrent
    claimer blocks on the row, then re-checks the condition against the new version and
    finds it already claimed.
    """
    with db.write() as session:
        insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
        inserted = session.execute(
            insert(DigestDelivery)
            .values(
                team_id=team_id,
                user_id=user_id,
                local_date=local_date,
                status=CLAIMED,
                attempts=1,
                claimed_by=worker_id,
                claimed_at=now,
                contact_count=0,
            )
            .on_conflict_do_nothing(index_elements=["team_id", "user_id", "local_date"])
            .returning(DigestDelivery.__table__.c.id)
        ).first()
        if inserted is not None:
            return True
        taken = session.execute(
            update(DigestDelivery)
            .where(*_key(team_id, user_id, local_date), _reclaimable(now))
            .values(
                status=CLAIMED,
                claimed_by=worker_id,
                claimed_at=now,
                attempts=DigestDelivery.attempts + 1,
                next_attempt_at=None,
            )
            .execution_options(synchronize_session=False)
        )
        return cast(CursorResult, taken).rowcount == 1


def _key(team_id: str, user_id: str, local_date: date) -> tuple:
    return (
        DigestDelivery.team_id == team_id,
        DigestDelivery.user_id == user_id,
        DigestDelivery.local_date == local_date,
    )


def _finish(
    db: Database,
    team_id: str,
    user_id: str,
    local_date: date,
    worker_id: str,
    from_statuses: tuple[str, ...],
    **values,
) -> bool:
    """Move the caller's own claim to an outcome; False if the claim is no longer theirs."""
    with db.write() as session:
        moved = session.execute(
            update(DigestDelivery)
            .where(
                *_key(team_id, user_id, local_date),
                DigestDelivery.claimed_by == worker_id,
                DigestDelivery.status.in_(from_statuses),
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return cast(CursorResult, moved).rowcount == 1


def mark_sending(db: Database, team_id: str, user_id: str, local_date: date, worker_id: str) -> bool:
    """Record that the post is about to go out: from here on the row is never re-claimed."""
    return _finish(db, team_id, user_id, local_date, worker_id, (CLAIMED,), status=SENDING)


def mark_sent(
    db: Database,
    team_id: str,
    user_id: str,
    local_date: date,
    worker_id: str,
    *,
    now: datetime,
    contact_count: int = 0,
    channel_id: str | None = None,
    message_ts: str | None = None,
) -> bool:
    return _finish(
        db,
        team_id,
        user_id,
        local_date,
        worker_id,
        (CLAIMED, SENDING),
        status=SENT,
        sent_at=now,
        contact_count=contact_count,
        error=None,
        channel_id=channel_id,
        message_ts=message_ts,
    )


def mark_failed(
    db: Database,
    team_id: str,
    user_id: str,
    local_date: date,
    worker_id: str,
    *,
    error: str,
    retry_at: datetime | None,
) -> bool:
    """Record a failed send; it is re-claimed at `retry_at` (None, or MAX_ATTEMPTS reached: never)."""
    retry = (
        case((DigestDelivery.attempts < MAX_ATTEMPTS, literal(retry_at, UTCDateTime)), else_=null())
        if retry_at is not None
        else null()
    )
    return _finish(
        db,
        team_id,
        user_id,
        local_date,
        worker_id,
        (CLAIMED, SENDING),
        status=FAILED,
        error=error[:ERROR_MAX_CHARS],
        next_attempt_at=retry,
    )


def mark_skipped(
    db: Database, team_id: str, user_id: str, local_date: date, worker_id: str, *, reason: str
) -> bool:
    """Record a digest that won't be sent today (closed DMs, left the workspace, nothing stale)."""
    return _finish(
        db,
        team_id,
        user_id,
        local_date,
        worker_id,
        (CLAIMED, SENDING),
        status=SKIPPED,
        error=reason[:ERROR_MAX_CHARS],
        next_attempt_at=None,
    )


def _to_delivery(row: DigestDelivery) -> DigestDeliveryRecord:
    return DigestDeliveryRecord(
        team_id=row.team_id,
        user_id=row.user_id,
        local_date=row.local_date,
        status=row.status,
        attempts=row.attempts,
        claimed_by=row.claimed_by,
        claimed_at=row.claimed_at,
        next_attempt_at=row.next_attempt_at,
        sent_at=row.sent_at,
        contact_count=row.contact_count,
        error=row.error,
        channel_id=row.channel_id,
        message_ts=row.message_ts,
    )


def get_delivery(db: Database, team_id: str, user_id: str, local_date: date) -> DigestDeliveryRecord | None:
    with db.read() as session:
        row = session.scalars(select(DigestDelivery).where(*_key(team_id, user_id, local_date))).first()
        return _to_delivery(row) if row else None


def list_deliveries(db: Database, team_id: str | None = None) -> list[DigestDeliveryRecord]:
    """Every delivery row (of one workspace), oldest day first: for operators and tests."""
    with db.read() as session:
        query = select(DigestDelivery).order_by(
            DigestDelivery.local_date, DigestDelivery.team_id, DigestDelivery.user_id
        )
        if team_id is not None:
            query = query.where(DigestDelivery.team_id == team_id)
        return [_to_delivery(row) for row in session.scalars(query)]


# ---------------------------------------------------------------------- weekly team digest


def due_team_digests(db: Database, now: datetime, *, force: bool = False) -> list[TeamDigestDue]:
    """Workspaces with a digest channel whose weekly digest is due: on the workspace's day
    (Monday unless an admin chose another) from 09:00 UTC."""
    now_utc = now.astimezone(UTC)
    if not force and now_utc.time() < TEAM_DIGEST_TIME:
        return []
    today = now_utc.date()
    with db.read() as session:
        query = select(Workspace.team_id, Workspace.digest_channel_id).where(
            Workspace.digest_channel_id.is_not(None)
        )
        if not force:
            query = query.where(Workspace.team_digest_weekday == now_utc.weekday())
        workspaces = session.execute(query.order_by(Workspace.team_id)).all()
        deliveries = {
            row.team_id: row
            for row in session.scalars(
                select(DigestDelivery).where(
                    DigestDelivery.team_id.in_([team_id for team_id, _ in workspaces]),
                    DigestDelivery.user_id == TEAM_DIGEST_USER,
                    DigestDelivery.local_date == today,
                )
            )
        }
    due = []
    for team_id, channel_id in workspaces:
        existing = deliveries.get(team_id)
        # The query only returns workspaces with a channel; the check is for the type.
        if channel_id and (existing is None or _is_reclaimable(existing, now)):
            due.append(TeamDigestDue(team_id, channel_id, today))
    return due
