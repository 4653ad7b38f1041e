"""Archive and merge contacts, and undo either; each in one transaction that keeps `last_contacted_at` right.

Merging A into B moves every interaction of A (deleted ones too, so undoing a delete still
works) to B, marking each with `merged_from_contact_id = A`. B keeps its own owner, email,
company, Slack user and cadence where it has them; where B has none, A's move over (A gives its
email and Slack user up, as both are unique). The later of the two snoozes wins. A is archived
with `merged_into_id = B` and `merge_undo` keeps what B had before, so undoing puts back exactly
the interactions that came from A (not ones logged on B since) and B's own fields.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from bot.domain.errors import Conflict, Invalid
from bot.domain.records import Actor, ContactRecord
from storage.contact_rows import CONTACTS_MERGED_INTO, record_of_row
from storage.contacts import (
    LIVE,
    ContactDraft,
    default_cadence,
    load_contact,
    name_key,
    refresh_due_at,
    to_record,
)
from storage.db import Database
from storage.history import merge_moves, record_moved, unmerge_moves
from storage.interactions import recompute_last_contacted
from storage.merge_attendees import lock_interactions_of, move_attendee_rows, restore_attendee_rows
from storage.models import Contact, Interaction

# Fields of the contact merged into that a merge may fill from the other one.
_FILLED = ("email", "company", "slack_user_id", "cadence_days", "snoozed_until")


def _when(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime) else value


def archive_contact(db: Database, actor: Actor, contact_id: int, *, now: datetime) -> ContactRecord:
    with db.write() as session:
        contact = load_contact(session, actor, contact_id, lock=True)
        if contact.archived_at is not None:
            raise Conflict(f"{contact.name} is already archived.", contact.id)
        contact.archived_at = now
        contact.archived_by = actor.user_id
        contact.updated_at = now
        return to_record(contact, default_cadence(session, actor.team_id))


def unarchive_contact(db: Database, actor: Actor, contact_id: int, *, now: datetime) -> ContactRecord:
    with db.write() as session:
        contact = load_contact(session, actor, contact_id, lock=True)
        if contact.merged_into_id is not None:
            raise Conflict(
                f"{contact.name} was merged into another contact: undo the merge instead.", contact.id
            )
        contact.archived_at = None
        contact.archived_by = None
        contact.updated_at = now
        return to_record(contact, default_cadence(session, actor.team_id))


def _lock_pair(session: Session, actor: Actor, a_id: int, b_id: int) -> tuple[Contact, Contact]:
    # In id order, like every writer that locks two contacts, so none can deadlock another.
    locked = {cid: load_contact(session, actor, cid, lock=True) for cid in sorted({a_id, b_id})}
    return locked[a_id], locked[b_id]


def merge_contacts(
    db: Database, actor: Actor, source_id: int, target_id: int, *, now: datetime
) -> tuple[ContactRecord, ContactRecord, int]:
    """Merge `source` into `target`: (source archived, target, interactions moved)."""
    if source_id == target_id:
        raise Invalid({"contact": "Pick two different contacts to merge."})
    with db.write() as session:
        lock_interactions_of(session, actor, source_id)  # interactions before contacts, as edits do
        source, target = _lock_pair(session, actor, source_id, target_id)
        for contact in (source, target):
            if contact.archived_at is not None:
                raise Invalid({"contact": f"{contact.name} is archived: unarchive them first."})
        undo = {name: _when(getattr(target, name)) for name in _FILLED}
        undo["source_email"] = source.email
        undo["source_slack_user_id"] = source.slack_user_id
        record_moved(session, actor, merge_moves(actor, source.id), "merged", source, target, now=now)
        # The first attendee moves on the interaction too; the count is of every one attended.
        session.execute(
            update(Interaction)
            .where(Interaction.contact_id == source.id, Interaction.team_id == actor.team_id)
            .values(contact_id=target.id, merged_from_contact_id=source.id)
            .execution_options(synchronize_session=False)
        )
        moved, undo["dropped"] = move_attendee_rows(session, actor, source.id, target.id)
        # The unique email and Slack user leave the source before the target takes them.
        give_email = source.email if target.email is None else None
        give_user = source.slack_user_id if target.slack_user_id is None else None
        if give_email:
            source.email = None
        if give_user:
            source.slack_user_id = None
        session.flush()
        target.email = target.email or give_email
        target.slack_user_id = target.slack_user_id or give_user
        target.company = target.company or source.company
        target.cadence_days = target.cadence_days or source.cadence_days
        if source.snoozed_until and (
            target.snoozed_until is None or source.snoozed_until > target.snoozed_until
        ):
            target.snoozed_until = source.snoozed_until
        source.archived_at = now
        source.archived_by = actor.user_id
        source.merged_into_id = target.id
        source.merge_undo = json.dumps(undo)
        source.updated_at = target.updated_at = now
        recompute_last_contacted(session, source, now=now)
        recompute_last_contacted(session, target, now=now)
        cadence = default_cadence(session, actor.team_id)
        return to_record(source, cadence), to_record(target, cadence), int(moved or 0)


def unmerge_contacts(
    db: Database, actor: Actor, source_id: int, *, now: datetime
) -> tuple[ContactRecord, ContactRecord, int]:
    """Undo merging `source` into its target: (source live again, target, interactions moved back)."""
    with db.write() as session:
        peek = load_contact(session, actor, source_id)
        if peek.merged_into_id is None or peek.merge_undo is None:
            raise Conflict(f"{peek.name} isn't merged into another contact.", peek.id)
        # Interactions before contacts, as edits do (the undo record is read again once locked).
        lock_interactions_of(session, actor, source_id, json.loads(peek.merge_undo).get("dropped", []))
        source, target = _lock_pair(session, actor, source_id, peek.merged_into_id)
        if source.merged_into_id != target.id or source.merge_undo is None:
            raise Conflict(f"{source.name} isn't merged into {target.name} any more.", source.id)
        undo = json.loads(source.merge_undo)
        moves = unmerge_moves(actor, source.id, target.id, undo.get("dropped", []))
        record_moved(session, actor, moves, "unmerged", target, source, now=now)
        session.execute(
            update(Interaction)
            .where(Interaction.contact_id == target.id, Interaction.merged_from_contact_id == source.id)
            .values(contact_id=source.id, merged_from_contact_id=None)
            .execution_options(synchronize_session=False)
        )
        moved = restore_attendee_rows(session, actor, source.id, target.id, undo.get("dropped", []))
        target.email = undo["email"]
        target.slack_user_id = undo["slack_user_id"]
        session.flush()  # given back by the target before the source takes them again
        source.email = undo["source_email"]
        source.slack_user_id = undo["source_slack_user_id"]
        target.company = undo["company"]
        target.cadence_days = undo["cadence_days"]
        snoozed = undo["snoozed_until"]
        target.snoozed_until = datetime.fromisoformat(snoozed) if snoozed else None
        source.archived_at = source.archived_by = source.merged_into_id = source.merge_undo = None
        source.updated_at = target.updated_at = now
        recompute_last_contacted(session, source, now=now)
        recompute_last_contacted(session, target, now=now)
        cadence = default_cadence(session, actor.team_id)
        refresh_due_at(target, cadence)
        return to_record(source, cadence), to_record(target, cadence), int(moved or 0)


def contacts_merged_into(db: Database, actor: Actor, contact_id: int) -> list[ContactRecord]:
    """Contacts merged into this one (the card offers to undo each)."""
    with db.read() as session:
        rows = session.execute(CONTACTS_MERGED_INTO, {"team_id": actor.team_id, "contact_id": contact_id})
        return [record_of_row(row) for row in rows]


def find_existing(db: Database, actor: Actor, draft: ContactDraft) -> ContactRecord | None:
    """A live contact with the draft's exact (folded) name or email, or None."""
    key = name_key(draft.name or "")
    email = (draft.email or "").strip().lower() or None
    conditions = [Contact.name_key == key] if key else []
    if email:
        conditions.append(Contact.email == email)
    if not conditions:
        return None
    with db.read() as session:
        found = session.scalars(
            select(Contact)
            .where(Contact.team_id == actor.team_id, LIVE, or_(*conditions))
            .order_by(Contact.id)
        ).first()
        return to_record(found, default_cadence(session, actor.team_id)) if found else None
