"""Interaction history: every write to an interaction records who, when and what changed.

Writers call `record_*` inside their own transaction, so the history commits (or rolls back) with
the change. Values are raw: times as ISO-8601 UTC, contacts as {"id", "name"} with the name they
had then, so a record stays readable after renames and merges. Rows are never updated, and stay
when their interaction is deleted; a workspace purge deletes them with everything else.

What is tracked is every column of `interactions` except bookkeeping (`_NOT_TRACKED`), so a field
added to interactions later is recorded without touching this module.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime

from sqlalchemy import Select, func, insert, literal, select, union
from sqlalchemy.orm import Session

from bot.domain.history import ACTIONS, HistoryEntry, HistoryPage
from bot.domain.records import Actor
from storage.db import Database
from storage.models import Contact, Interaction, InteractionContact, InteractionHistory, UTCDateTime

# Columns that say who/where/when about the row itself, not what the interaction is.
_NOT_TRACKED = frozenset(
    {
        "id",
        "team_id",
        "contact_id",  # recorded as "contacts", with names
        "logged_by",
        "source",
        "source_ref",
        "permalink",
        "created_at",
        "updated_at",
        "updated_by",
        "deleted_at",
        "deleted_by",
        "merged_from_contact_id",
        # A follow-up's closing stamps: the entry's own who and when say them.
        "follow_up_done_at",
        "follow_up_done_by",
        # Derived from summary and notes for full-text search (storage/search.py).
        "search_text",
    }
)
_TOGETHER = (frozenset({"occurred_at", "time_known"}),)
ContactRef = tuple[int, str]  # (id, name at the time)


def _raw(value: object) -> object:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _contact(ref: ContactRef) -> dict[str, object]:
    return {"id": ref[0], "name": ref[1]}


def contact_refs(contacts: Mapping[int, Contact], ids: Iterable[int]) -> list[ContactRef]:
    """(id, name) of each of `ids`, in order, from the contacts a writer has locked."""
    return [(cid, contacts[cid].name) for cid in ids]


def snapshot(interaction: Interaction, contacts: Iterable[ContactRef]) -> dict[str, object]:
    """The interaction's tracked fields as raw values, `contacts` first."""
    values: dict[str, object] = {"contacts": [_contact(ref) for ref in contacts]}
    for column in Interaction.__table__.columns:
        if column.key not in _NOT_TRACKED:
            values[column.key] = _raw(getattr(interaction, column.key))
    return values


def diff(before: dict[str, object], after: dict[str, object]) -> dict[str, list[object]]:
    """{field: [old, new]} for every field whose value differs, in `after`'s order.

    A time and whether it is known go together, so "When" always reads whole from the record.
    """
    keys = list(after) + [key for key in before if key not in after]
    changed = {key for key in keys if before.get(key) != after.get(key)}
    for pair in _TOGETHER:
        if changed & pair:
            changed |= pair & set(keys)
    return {key: [before.get(key), after.get(key)] for key in keys if key in changed}


def _add(
    session: Session, actor: Actor, interaction_id: int, action: str, changes: dict, *, now: datetime
) -> None:
    assert action in ACTIONS, action
    session.add(
        InteractionHistory(
            team_id=actor.team_id,
            interaction_id=interaction_id,
            action=action,
            actor_user_id=actor.user_id,
            at=now,
            changes=json.dumps(changes, ensure_ascii=False),
        )
    )


def record_created(
    session: Session, actor: Actor, interaction: Interaction, contacts: Iterable[ContactRef], *, now: datetime
) -> None:
    """A new interaction: every field as [null, value], and where it came from."""
    session.flush()  # gives the interaction its id
    changes: dict[str, list[object]] = {"source": [None, interaction.source]}
    changes.update(diff({}, {k: v for k, v in snapshot(interaction, contacts).items() if v is not None}))
    _add(session, actor, interaction.id, "created", changes, now=now)


def record_edited(
    session: Session,
    actor: Actor,
    interaction: Interaction,
    before: dict[str, object],
    contacts: Iterable[ContactRef],
    *,
    now: datetime,
    action: str = "edited",
) -> None:
    """An edit, from the snapshot taken before it; an edit that changed nothing records nothing."""
    changes = diff(before, snapshot(interaction, contacts))
    if changes:
        _add(session, actor, interaction.id, action, changes, now=now)


def record_deleted(session: Session, actor: Actor, interaction: Interaction, *, now: datetime) -> None:
    _add(session, actor, interaction.id, "deleted", {}, now=now)


def record_restored(session: Session, actor: Actor, interaction: Interaction, *, now: datetime) -> None:
    _add(session, actor, interaction.id, "restored", {}, now=now)


def merge_moves(actor: Actor, source_id: int) -> Select:
    """Ids of the interactions a merge of `source_id` moves: every one it attends (read before)."""
    return select(InteractionContact.interaction_id).where(
        InteractionContact.contact_id == source_id, InteractionContact.team_id == actor.team_id
    )


def unmerge_moves(actor: Actor, source_id: int, target_id: int, dropped: Iterable[Sequence]) -> Select:
    """Ids of the interactions undoing that merge moves back (read before): rows that came from the
    source, and interactions that had both whose source row comes back (storage.merge_attendees)."""
    came = select(InteractionContact.interaction_id).where(
        InteractionContact.contact_id == target_id,
        InteractionContact.merged_from_contact_id == source_id,
        InteractionContact.team_id == actor.team_id,
    )
    had_both = select(Interaction.id).where(
        Interaction.id.in_([int(row[0]) for row in dropped]),
        Interaction.team_id == actor.team_id,
        ~select(InteractionContact.interaction_id)
        .where(
            InteractionContact.interaction_id == Interaction.id, InteractionContact.contact_id == source_id
        )
        .exists(),
    )
    return select(union(came, had_both).subquery().c[0])


def record_moved(
    session: Session,
    actor: Actor,
    moving: Select,
    action: str,
    old: Contact,
    new: Contact,
    *,
    now: datetime,
) -> None:
    """One row per interaction `moving` selects (ids, read before moving them): contact old -> new.

    One INSERT ... SELECT, so a merge of thousands of interactions costs one statement.
    """
    assert action in ("merged", "unmerged"), action
    change = {"contact": [_contact((old.id, old.name)), _contact((new.id, new.name))]}
    rows = moving.add_columns(
        literal(actor.team_id),
        literal(action),
        literal(actor.user_id),
        literal(now, UTCDateTime()),
        literal(json.dumps(change, ensure_ascii=False)),
    )
    session.execute(
        insert(InteractionHistory).from_select(
            ["interaction_id", "team_id", "action", "actor_user_id", "at", "changes"], rows
        )
    )


def _entry(row: InteractionHistory) -> HistoryEntry:
    try:
        loaded = json.loads(row.changes or "{}")
    except ValueError:
        loaded = {}
    changes = {
        str(key): (value[0], value[1])
        for key, value in (loaded.items() if isinstance(loaded, dict) else ())
        if isinstance(value, list) and len(value) == 2
    }
    return HistoryEntry(
        id=row.id,
        interaction_id=row.interaction_id,
        action=row.action,
        actor_user_id=row.actor_user_id,
        at=row.at,
        changes=changes,
    )


def interaction_history(db: Database, actor: Actor, interaction_id: int, *, limit: int) -> HistoryPage:
    """The newest `limit` entries of an interaction's history (deleted or not), and the total."""
    where = (
        InteractionHistory.team_id == actor.team_id,
        InteractionHistory.interaction_id == interaction_id,
    )
    with db.read() as session:
        rows = session.scalars(
            select(InteractionHistory)
            .where(*where)
            .order_by(InteractionHistory.at.desc(), InteractionHistory.id.desc())
            .limit(limit)
        ).all()
        total = len(rows)
        if total == limit:
            total = session.scalar(select(func.count()).select_from(InteractionHistory).where(*where)) or 0
        return HistoryPage([_entry(row) for row in rows], total)
