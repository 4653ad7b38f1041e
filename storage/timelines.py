"""Timelines: a contact's history for /timeline, and the threads kept live as it changes.

A thread's months are months in the time zone of whoever started it (`TimelineThread.tz`),
so "March" means the same days to every process that refreshes it.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, delete, func, select

from bot.domain.errors import Invalid, NotFound
from bot.domain.records import Actor, ContactHistory, ContactRecord, InteractionRecord, ThreadRecord
from bot.domain.rules import zone
from storage.contact_rows import GET_CONTACT, record_of_row
from storage.contacts import load_contact
from storage.db import Database
from storage.dialects import postgresql, sqlite
from storage.models import Interaction, InteractionContact, TimelineReply, TimelineThread
from storage.reads import (
    UNNAMED_RECORD_COLUMNS,
    reading,
    records_named_by_attendees,
)

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def _zone(tz: str | ZoneInfo | None) -> tzinfo:
    """A zone as given, or by name (an unknown or empty name is UTC: a thread must still render)."""
    return tz if isinstance(tz, ZoneInfo) else zone(tz)


def month_bounds(month: str, tz: str | ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants where local month 'YYYY-MM' starts and the next one starts."""
    match = _MONTH.match(month or "")
    if match is None:
        raise Invalid({"month": "That month isn't a real month: write it like 2026-03."})
    year, number = int(match.group(1)), int(match.group(2))
    local = _zone(tz)
    start = datetime(year, number, 1, tzinfo=local)
    end = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=local)
    return start.astimezone(UTC), end.astimezone(UTC)


_interactions = Interaction.__table__
_attendees = InteractionContact.__table__
# Every interaction the contact attended, down the attendees' (contact_id, occurred_at) index.
_ATTENDED = _attendees.join(_interactions, _interactions.c.id == _attendees.c.interaction_id)
_LIVE = (
    _attendees.c.contact_id == bindparam("contact_id"),
    _interactions.c.team_id == bindparam("team_id"),
    _interactions.c.deleted_at.is_(None),
)
_TOTALS = (
    select(
        _interactions.c.type,
        func.count(),
        func.min(_attendees.c.occurred_at),
        func.max(_attendees.c.occurred_at),
    )
    .select_from(_ATTENDED)
    .where(*_LIVE)
    .group_by(_interactions.c.type)
)
_LATEST = (
    select(*UNNAMED_RECORD_COLUMNS)
    .select_from(_ATTENDED)
    .where(*_LIVE)
    .order_by(_attendees.c.occurred_at.desc(), _attendees.c.interaction_id.desc())
    .limit(bindparam("limit"))
)
# A UTC range on the attendees' (contact_id, occurred_at, interaction_id): one index range scan.
_MONTH_ROWS = (
    select(*UNNAMED_RECORD_COLUMNS)
    .select_from(_ATTENDED)
    .where(
        *_LIVE,
        _attendees.c.occurred_at >= bindparam("start", type_=_attendees.c.occurred_at.type),
        _attendees.c.occurred_at < bindparam("end", type_=_attendees.c.occurred_at.type),
    )
    .order_by(_attendees.c.occurred_at, _attendees.c.interaction_id)
)


def _contact_record(connection, actor: Actor, contact_id: int) -> ContactRecord:
    row = connection.execute(GET_CONTACT, {"contact_id": contact_id, "team_id": actor.team_id}).first()
    if row is None:
        raise NotFound("That contact doesn't exist in this workspace.")
    return record_of_row(row)


def contact_history(db: Database, actor: Actor, contact_id: int, *, max_items: int) -> ContactHistory:
    """The contact, their latest `max_items` live interactions (oldest first) and totals by type.

    Four prebuilt Core statements on one connection (contact and cadence, totals, the latest,
    their attendees); records are made from rows."""
    params = {"contact_id": contact_id, "team_id": actor.team_id}
    with reading(db) as connection:
        record = _contact_record(connection, actor, contact_id)
        by_type = connection.execute(_TOTALS, params).all()
        latest = list(connection.execute(_LATEST, {**params, "limit": max(0, max_items)}).all())
        latest.reverse()
        interactions = records_named_by_attendees(connection, latest)
    firsts = [row[2] for row in by_type if row[2] is not None]
    lasts = [row[3] for row in by_type if row[3] is not None]
    return ContactHistory(
        contact=record,
        interactions=interactions,
        total=sum(row[1] for row in by_type),
        counts_by_type={row[0]: row[1] for row in by_type},
        first_at=min(firsts) if firsts else None,
        last_at=max(lasts) if lasts else None,
    )


def month_interactions(
    db: Database, actor: Actor, contact_id: int, month: str, tz: str | ZoneInfo
) -> list[InteractionRecord]:
    """The contact's live interactions in local month 'YYYY-MM', oldest first."""
    start, end = month_bounds(month, tz)
    with reading(db) as connection:
        record = _contact_record(connection, actor, contact_id)
        params = {"contact_id": record.id, "team_id": actor.team_id, "start": start, "end": end}
        rows = connection.execute(_MONTH_ROWS, params).all()
        return records_named_by_attendees(connection, rows)


def start_thread(
    db: Database,
    actor: Actor,
    contact_id: int,
    channel_id: str,
    thread_ts: str,
    tz: str | ZoneInfo,
    *,
    now: datetime,
) -> int:
    """Remember a posted timeline parent so later changes can reach its thread."""
    zone_name = tz.key if isinstance(tz, ZoneInfo) else (tz or "UTC")
    with db.write() as session:
        contact = load_contact(session, actor, contact_id)
        thread = TimelineThread(
            team_id=actor.team_id,
            contact_id=contact.id,
            channel_id=channel_id,
            thread_ts=thread_ts,
            tz=zone_name,
            created_by=actor.user_id,
            created_at=now,
        )
        session.add(thread)
        session.flush()
        return thread.id


def _load_thread(session, actor: Actor, thread_id: int) -> TimelineThread:
    thread = session.scalars(
        select(TimelineThread).where(TimelineThread.id == thread_id, TimelineThread.team_id == actor.team_id)
    ).first()
    if thread is None:
        raise NotFound("That timeline doesn't exist in this workspace.")
    return thread


def remember_reply(db: Database, actor: Actor, thread_id: int, month: str, message_ts: str) -> None:
    """Record (or move) the reply that shows `month` in a thread."""
    month_bounds(month, "UTC")  # validates the format
    with db.write() as session:
        _load_thread(session, actor, thread_id)
        insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
        statement = insert(TimelineReply).values(thread_id=thread_id, month=month, message_ts=message_ts)
        session.execute(
            statement.on_conflict_do_update(
                index_elements=["thread_id", "month"], set_={"message_ts": statement.excluded.message_ts}
            )
        )


def _thread_records(session, threads: list[TimelineThread]) -> list[ThreadRecord]:
    replies: dict[int, dict[str, str]] = {thread.id: {} for thread in threads}
    if threads:
        rows = session.execute(
            select(TimelineReply.thread_id, TimelineReply.month, TimelineReply.message_ts).where(
                TimelineReply.thread_id.in_(list(replies))
            )
        ).all()
        for thread_id, month, ts in rows:
            replies[thread_id][month] = ts
    return [
        ThreadRecord(
            id=t.id,
            team_id=t.team_id,
            contact_id=t.contact_id,
            channel_id=t.channel_id,
            thread_ts=t.thread_ts,
            tz=t.tz,
            replies=dict(sorted(replies[t.id].items())),
        )
        for t in threads
    ]


def threads_for_contact(db: Database, actor: Actor, contact_id: int) -> list[ThreadRecord]:
    """Every timeline thread of the contact in the actor's workspace, oldest first."""
    with db.read() as session:
        threads = session.scalars(
            select(TimelineThread)
            .where(TimelineThread.team_id == actor.team_id, TimelineThread.contact_id == contact_id)
            .order_by(TimelineThread.id)
        ).all()
        return _thread_records(session, list(threads))


def threads_changed_since(db: Database, since: datetime) -> list[tuple[str, int]]:
    """(team_id, contact_id) of every live thread whose contact's interactions changed since then.

    After a restart this finds the threads whose refresh a crash may have cut short.
    """
    with db.read() as session:
        rows = session.execute(
            select(TimelineThread.team_id, TimelineThread.contact_id)
            .where(
                select(Interaction.id)
                .join(InteractionContact, Interaction.id == InteractionContact.interaction_id)
                .where(
                    Interaction.team_id == TimelineThread.team_id,
                    InteractionContact.contact_id == TimelineThread.contact_id,
                    Interaction.updated_at >= since,
                )
                .exists()
            )
            .distinct()
            .order_by(TimelineThread.team_id, TimelineThread.contact_id)
        ).all()
    return [(team_id, contact_id) for team_id, contact_id in rows]


def get_thread(db: Database, actor: Actor, thread_id: int) -> ThreadRecord:
    with db.read() as session:
        return _thread_records(session, [_load_thread(session, actor, thread_id)])[0]


def forget_thread(db: Database, actor: Actor, thread_id: int) -> None:
    """Stop keeping a thread live (its parent message or channel is gone)."""
    with db.write() as session:
        thread = _load_thread(session, actor, thread_id)
        session.execute(delete(TimelineReply).where(TimelineReply.thread_id == thread.id))
        session.delete(thread)


__all__ = [
    "contact_history",
    "forget_thread",
    "get_thread",
    "month_bounds",
    "month_interactions",
    "remember_reply",
    "start_thread",
    "threads_for_contact",
]
