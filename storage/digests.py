"""Nudges: who is stale, whose digest is due, and the delivery rows that make each digest once.

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

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import and_, case, func, literal, null, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.domain.errors import Invalid
from bot.domain.records import Actor, ContactRecord
from storage.contacts import default_cadence, ensure_workspace, to_record
from storage.db import Database
from storage.models import Contact, DigestDelivery, Interaction, UserSettings, UTCDateTime, Workspace, utcnow

DEFAULT_DIGEST_TIME = "09:00"
DEFAULT_DIGEST_WEEKDAYS = frozenset({0, 1, 2, 3, 4})  # Monday is 0
# A claim this old without an outcome means its process died before posting.
CLAIM_TIMEOUT = timedelta(minutes=10)
# After this many failed sends the digest waits for tomorrow.
MAX_ATTEMPTS = 5
# How many stale contacts a digest lists; the rest are counted ("and N more").
DIGEST_CONTACTS_MAX = 15

# The weekly team digest shares the delivery table, under a user id no Slack user can have.
TEAM_DIGEST_USER = "#team"
TEAM_DIGEST_WEEKDAY = 0  # Monday
TEAM_DIGEST_TIME = time(9, 0)  # UTC: a workspace has no time zone of its own
TEAM_DIGEST_DAYS = 7
NEWLY_STALE_MAX = 10

CLAIMED = "claimed"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"
SKIPPED = "skipped"

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_TIME_RE = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
UTC_ZONE = ZoneInfo("UTC")
ERROR_MAX_CHARS = 200


# ---------------------------------------------------------------------- records


@dataclass(frozen=True)
class UserSettingsRecord:
    team_id: str
    user_id: str
    enabled: bool
    time: str  # local HH:MM
    weekdays: frozenset[int]  # Monday is 0
    tz: str | None  # IANA name from Slack; None until learned
    dm_channel_id: str | None

    @property
    def zone(self) -> ZoneInfo:
        return zone_named(self.tz)


class DigestKey(NamedTuple):
    """One user's digest for one local day; for the team digest, user_id is TEAM_DIGEST_USER."""

    team_id: str
    user_id: str
    local_date: date


@dataclass(frozen=True)
class LastInteraction:
    type: str
    occurred_at: datetime
    summary: str
    logged_by: str


@dataclass(frozen=True)
class StaleContact:
    contact: ContactRecord
    last_interaction: LastInteraction | None

    def overdue_by(self, now: datetime) -> timedelta:
        return now - self.contact.due_at


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


class TeamDigestDue(NamedTuple):
    team_id: str
    channel_id: str
    local_date: date


@dataclass(frozen=True)
class TeamWeekSummary:
    team_id: str
    since: datetime
    until: datetime
    by_type: dict[str, int]  # interaction type -> count, most first
    by_person: list[tuple[str, int]]  # (Slack user id, count), most first
    interaction_total: int
    newly_stale: list[ContactRecord]  # became stale this week, most overdue first
    newly_stale_total: int


# ---------------------------------------------------------------------- time zones


def zone_named(name: str | None) -> ZoneInfo:
    """The zone, or UTC for a missing or unknown name (digests then follow UTC)."""
    if not name:
        return UTC_ZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC_ZONE


# ---------------------------------------------------------------------- user settings


def _parse_weekdays(text: str) -> frozenset[int]:
    return frozenset(int(part) for part in text.split(",") if part.strip().isdigit())


def _to_settings(team_id: str, user_id: str, row: UserSettings | None) -> UserSettingsRecord:
    if row is None:
        return UserSettingsRecord(
            team_id, user_id, True, DEFAULT_DIGEST_TIME, DEFAULT_DIGEST_WEEKDAYS, None, None
        )
    return UserSettingsRecord(
        team_id=team_id,
        user_id=user_id,
        enabled=row.digest_enabled,
        time=row.digest_time,
        weekdays=_parse_weekdays(row.digest_weekdays),
        tz=row.tz,
        dm_channel_id=row.dm_channel_id,
    )


def _settings_row(session: Session, team_id: str, user_id: str) -> UserSettings:
    """The user's settings row, created with defaults if new, locked for this transaction."""
    ensure_workspace(session, team_id)
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(
        insert(UserSettings.__table__)
        .values(
            team_id=team_id,
            user_id=user_id,
            digest_enabled=True,
            digest_time=DEFAULT_DIGEST_TIME,
            digest_weekdays=_weekdays_text(DEFAULT_DIGEST_WEEKDAYS),
            updated_at=utcnow(),
        )
        .on_conflict_do_nothing()
    )
    return session.scalars(
        select(UserSettings)
        .where(UserSettings.team_id == team_id, UserSettings.user_id == user_id)
        .with_for_update()
    ).one()


def _weekdays_text(weekdays: Iterable[int]) -> str:
    return ",".join(str(day) for day in sorted(set(weekdays)))


def get_user_settings(db: Database, actor: Actor) -> UserSettingsRecord:
    with db.read() as session:
        row = session.get(UserSettings, (actor.team_id, actor.user_id))
        return _to_settings(actor.team_id, actor.user_id, row)


def update_user_settings(
    db: Database,
    actor: Actor,
    *,
    enabled: bool | None = None,
    time: str | None = None,
    weekdays: Iterable[int] | None = None,
    tz: str | None = None,
) -> UserSettingsRecord:
    """Change the actor's digest settings; None keeps a setting. Raises Invalid naming each bad field."""
    errors: dict[str, str] = {}
    clean_time = None
    if time is not None:
        match = _TIME_RE.match(time.strip())
        if match:
            clean_time = f"{int(match.group(1)):02d}:{match.group(2)}"
        else:
            errors["time"] = "Give the time as HH:MM, from 00:00 to 23:59."
    clean_days = None
    if weekdays is not None:
        days = set(weekdays)
        if not days:
            errors["weekdays"] = "Pick at least one day (or turn the digest off)."
        elif not all(isinstance(day, int) and 0 <= day <= 6 for day in days):
            errors["weekdays"] = "Days are Monday (0) to Sunday (6)."
        else:
            clean_days = _weekdays_text(days)
    if tz is not None and zone_named(tz).key != tz:
        errors["tz"] = f"“{tz}” isn't a time zone name like Europe/Berlin."
    if errors:
        raise Invalid(errors)
    with db.write() as session:
        row = _settings_row(session, actor.team_id, actor.user_id)
        if enabled is not None:
            row.digest_enabled = enabled
        if clean_time is not None:
            row.digest_time = clean_time
        if clean_days is not None:
            row.digest_weekdays = clean_days
        if tz is not None:
            row.tz = tz
        row.updated_at = utcnow()
        session.flush()
        return _to_settings(actor.team_id, actor.user_id, row)


def remember_user_tz(db: Database, team_id: str, user_id: str, tz_name: str | None) -> None:
    """Keep the Slack time zone so the scheduler needn't ask; no zone at all is remembered as UTC."""
    with db.write() as session:
        row = _settings_row(session, team_id, user_id)
        row.tz = (tz_name or "UTC")[:64]
        row.updated_at = utcnow()


def remember_dm_channel(db: Database, team_id: str, user_id: str, channel_id: str | None) -> None:
    """Keep (or forget, with None) the DM channel so the next digest skips conversations.open."""
    with db.write() as session:
        row = _settings_row(session, team_id, user_id)
        row.dm_channel_id = channel_id
        row.updated_at = utcnow()


# ---------------------------------------------------------------------- staleness


def _stale(team_id: str, owner_user_id: str, now: datetime) -> tuple:
    # `due_at` already folds cadence, workspace default, creation and snooze: one range on the index.
    return (Contact.team_id == team_id, Contact.owner_user_id == owner_user_id, Contact.due_at <= now)


def _last_interaction(session: Session, contact_id: int) -> LastInteraction | None:
    latest = session.scalars(
        select(Interaction)
        .where(Interaction.contact_id == contact_id, Interaction.deleted_at.is_(None))
        .order_by(Interaction.occurred_at.desc(), Interaction.id.desc())
        .limit(1)
    ).first()
    if latest is None:
        return None
    return LastInteraction(latest.type, latest.occurred_at, latest.summary, latest.logged_by)


def stale_contacts_for_owner(
    db: Database, team_id: str, owner_user_id: str, now: datetime, limit: int = DIGEST_CONTACTS_MAX
) -> tuple[list[StaleContact], int]:
    """The owner's stale contacts, most overdue first (at most `limit`), and how many there are."""
    with db.read() as session:
        conditions = _stale(team_id, owner_user_id, now)
        total = session.scalar(select(func.count()).select_from(Contact).where(*conditions)) or 0
        if not total:
            return [], 0
        contacts = session.scalars(
            select(Contact).where(*conditions).order_by(Contact.due_at, Contact.id).limit(limit)
        ).all()
        cadence = default_cadence(session, team_id)
        return [
            StaleContact(to_record(contact, cadence), _last_interaction(session, contact.id))
            for contact in contacts
        ], total


def owners_with_stale_contacts(db: Database, now: datetime) -> list[tuple[str, str]]:
    """(team_id, user_id) of everyone owning at least one stale contact, in every workspace."""
    with db.read() as session:
        rows = session.execute(
            select(Contact.team_id, Contact.owner_user_id)
            .where(Contact.due_at <= now)
            .distinct()
            .order_by(Contact.team_id, Contact.owner_user_id)
        ).all()
        return [(team_id, user_id) for team_id, user_id in rows]


def owners_without_tz(db: Database, now: datetime, *, only_user: str | None = None) -> list[tuple[str, str]]:
    """Owners of stale contacts whose Slack time zone the scheduler hasn't learned yet."""
    with db.read() as session:
        owners = _owners_query(now, only_user).subquery()
        rows = session.execute(
            select(owners.c.team_id, owners.c.owner_user_id)
            .outerjoin(
                UserSettings,
                and_(
                    UserSettings.team_id == owners.c.team_id, UserSettings.user_id == owners.c.owner_user_id
                ),
            )
            .where(UserSettings.tz.is_(None))
            .order_by(owners.c.team_id, owners.c.owner_user_id)
        ).all()
        return [(team_id, user_id) for team_id, user_id in rows]


def _owners_query(now: datetime, only_user: str | None):
    query = select(Contact.team_id, Contact.owner_user_id).where(Contact.due_at <= now).distinct()
    if only_user:
        query = query.where(Contact.owner_user_id == only_user)
    return query


# ---------------------------------------------------------------------- due digests


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


def _digest_time(text: str) -> time:
    match = _TIME_RE.match(text or "")
    if not match:
        return time(9, 0)
    return time(int(match.group(1)), int(match.group(2)))


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
    with db.read() as session:
        owners = _owners_query(now, only_user).subquery()
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
        settings = _to_settings(team_id, user_id, row)
        if not settings.enabled:
            continue
        local = now.astimezone(settings.zone)
        # Wall-clock comparison: on a DST jump the first tick at or after the time sends it, once.
        if not force and (
            local.weekday() not in settings.weekdays or local.time() < _digest_time(settings.time)
        ):
            continue
        key = DigestKey(team_id, user_id, local.date())
        existing = deliveries.get(key)
        if existing is None or _is_reclaimable(existing, now):
            due.append(key)
    return due


# ---------------------------------------------------------------------- claims and outcomes


def claim_digest(
    db: Database, team_id: str, user_id: str, local_date: date, worker_id: str, now: datetime
) -> bool:
    """Take the digest for sending; True for exactly one caller however many race.

    The unique row is inserted, or else re-claimed by one conditional UPDATE: a concurrent
    claimer blocks on the row, then re-checks the condition against the new version and
    finds it already claimed.
    """
    with db.write() as session:
        insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
        inserted = session.execute(
            insert(DigestDelivery.__table__)
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
        return taken.rowcount == 1


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
        return moved.rowcount == 1


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
    """Workspaces with a digest channel whose weekly digest is due: Mondays from 09:00 UTC."""
    now_utc = now.astimezone(UTC)
    if not force and (now_utc.weekday() != TEAM_DIGEST_WEEKDAY or now_utc.time() < TEAM_DIGEST_TIME):
        return []
    today = now_utc.date()
    with db.read() as session:
        workspaces = session.execute(
            select(Workspace.team_id, Workspace.digest_channel_id)
            .where(Workspace.digest_channel_id.is_not(None))
            .order_by(Workspace.team_id)
        ).all()
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
        if existing is None or _is_reclaimable(existing, now):
            due.append(TeamDigestDue(team_id, channel_id, today))
    return due


def set_team_digest_channel(db: Database, actor: Actor, channel_id: str | None) -> None:
    """Post the weekly team digest to this channel (None turns it off)."""
    with db.write() as session:
        workspace = ensure_workspace(session, actor.team_id)
        workspace.digest_channel_id = channel_id


def team_week_summary(db: Database, team_id: str, now: datetime) -> TeamWeekSummary:
    """The last seven days of a workspace: interactions by type and by person, newly stale contacts."""
    since = now - timedelta(days=TEAM_DIGEST_DAYS)
    with db.read() as session:
        week = (
            Interaction.team_id == team_id,
            Interaction.deleted_at.is_(None),
            Interaction.occurred_at > since,
            Interaction.occurred_at <= now,
        )
        by_type_rows = session.execute(
            select(Interaction.type, func.count()).where(*week).group_by(Interaction.type)
        ).all()
        by_person_rows = session.execute(
            select(Interaction.logged_by, func.count()).where(*week).group_by(Interaction.logged_by)
        ).all()
        became_stale = (Contact.team_id == team_id, Contact.due_at > since, Contact.due_at <= now)
        stale_total = session.scalar(select(func.count()).select_from(Contact).where(*became_stale)) or 0
        stale_rows = session.scalars(
            select(Contact).where(*became_stale).order_by(Contact.due_at, Contact.id).limit(NEWLY_STALE_MAX)
        ).all()
        cadence = default_cadence(session, team_id)
        newly_stale = [to_record(contact, cadence) for contact in stale_rows]
    by_type = dict(sorted(((t, n) for t, n in by_type_rows), key=lambda item: (-item[1], item[0])))
    by_person = sorted(((u, n) for u, n in by_person_rows), key=lambda item: (-item[1], item[0]))
    return TeamWeekSummary(
        team_id=team_id,
        since=since,
        until=now,
        by_type=by_type,
        by_person=by_person,
        interaction_total=sum(by_type.values()),
        newly_stale=newly_stale,
        newly_stale_total=stale_total,
    )
