"""Interactions: validated, workspace-scoped writes that keep `last_contacted_at` right.

Every write that touches a contact's interactions first takes that contact's row lock
(PostgreSQL `SELECT ... FOR UPDATE`; SQLite writers are serialised by `BEGIN IMMEDIATE`),
then recomputes `last_contacted_at` from what is left. Recomputing from the data, never
adjusting the old value, is what keeps it right under edits, deletes and concurrency.
Edits, deletes and restores lock the interaction's own row before its contact's, so a
concurrent move to another contact cannot make them lock (and recompute) the wrong one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.domain.boundary import CONTROL_MESSAGE, has_control_chars
from bot.domain.errors import Forbidden, Invalid, NotFound
from bot.domain.records import Actor, InteractionRecord
from bot.domain.rules import (
    EARLIEST,
    FUTURE_SKEW,
    MAX_DURATION_MINUTES,
    NOTES_MAX_CHARS,
    SUMMARY_MAX_CHARS,
    may_change,
)
from storage.contacts import ContactDraft, default_cadence, ensure_workspace, load_contact, refresh_due_at
from storage.db import Database
from storage.models import CONTACT_TYPES, INTERACTION_TYPES, SOURCES, Contact, Interaction
from storage.new_contact import contact_for_new_log


@dataclass(frozen=True)
class InteractionDraft:
    contact_id: int | None
    type: str
    occurred_at: datetime | None
    summary: str
    duration_minutes: int | None = None
    notes: str | None = None
    source: str = "modal"
    source_ref: str | None = None
    permalink: str | None = None
    time_known: bool = True
    # With no contact_id: the contact to create (or find) in the same transaction, so a crash
    # or a resent submission never leaves a new contact without its interaction.
    new_contact: ContactDraft | None = None


@dataclass(frozen=True)
class InteractionChanges:
    """Fields to change; None keeps the stored value (`clear_*` empties an optional one)."""

    contact_id: int | None = None
    type: str | None = None
    occurred_at: datetime | None = None
    summary: str | None = None
    duration_minutes: int | None = None
    notes: str | None = None
    clear_duration: bool = False
    clear_notes: bool = False
    time_known: bool | None = None  # None keeps it


@dataclass(frozen=True)
class _Fields:
    type: str
    occurred_at: datetime
    summary: str
    duration_minutes: int | None
    notes: str | None


def validate_fields(
    *,
    type: str,
    occurred_at: datetime | None,
    summary: str | None,
    duration_minutes: int | None,
    notes: str | None,
    now: datetime,
) -> _Fields:
    errors: dict[str, str] = {}
    if type not in INTERACTION_TYPES:
        errors["type"] = f"Pick a type: {', '.join(INTERACTION_TYPES)}."
    if occurred_at is None:
        errors["occurred_at"] = "Say when it happened."
    elif occurred_at.tzinfo is None:
        errors["occurred_at"] = "Say when it happened, with the time zone."
    elif occurred_at > now + FUTURE_SKEW:
        errors["occurred_at"] = "That's in the future: log what happened, not what's planned."
    elif occurred_at < EARLIEST:
        errors["occurred_at"] = "That date is too far in the past."
    bad_summary = has_control_chars(summary or "")
    summary = " ".join((summary or "").split())
    if bad_summary:
        errors["summary"] = "The summary has control characters: " + CONTROL_MESSAGE
    elif not summary:
        errors["summary"] = "Add a short summary."
    elif len(summary) > SUMMARY_MAX_CHARS:
        errors["summary"] = f"Keep the summary under {SUMMARY_MAX_CHARS} characters (it has {len(summary)})."
    if duration_minutes is not None and duration_minutes < 0:
        errors["duration_minutes"] = "Duration can't be negative."
    elif duration_minutes is not None and duration_minutes > MAX_DURATION_MINUTES:
        errors["duration_minutes"] = f"Duration can't be more than a day ({MAX_DURATION_MINUTES} minutes)."
    notes = (notes or "").strip() or None
    if notes and has_control_chars(notes):
        errors["notes"] = "The notes have control characters: " + CONTROL_MESSAGE
    elif notes and len(notes) > NOTES_MAX_CHARS:
        errors["notes"] = f"Notes are limited to {NOTES_MAX_CHARS} characters (these have {len(notes)})."
    if errors:
        raise Invalid(errors)
    assert occurred_at is not None  # a missing time is an error above
    return _Fields(type, occurred_at, summary, duration_minutes, notes)


def _to_record(interaction: Interaction, contact_name: str) -> InteractionRecord:
    return InteractionRecord(
        id=interaction.id,
        team_id=interaction.team_id,
        contact_id=interaction.contact_id,
        contact_name=contact_name,
        type=interaction.type,
        occurred_at=interaction.occurred_at,
        duration_minutes=interaction.duration_minutes,
        summary=interaction.summary,
        notes=interaction.notes,
        logged_by=interaction.logged_by,
        source=interaction.source,
        permalink=interaction.permalink,
        created_at=interaction.created_at,
        updated_at=interaction.updated_at,
        updated_by=interaction.updated_by,
        deleted_at=interaction.deleted_at,
        time_known=interaction.time_known,
    )


def recompute_last_contacted(session: Session, contact: Contact, *, now: datetime) -> None:
    """Set `last_contacted_at` to the latest live, counting interaction (the caller holds the lock).

    The contact's `updated_at` becomes `now` when that changes its row, as it would on any edit.
    """
    session.flush()
    before = (contact.last_contacted_at, contact.due_at)
    contact.last_contacted_at = session.scalar(
        select(func.max(Interaction.occurred_at)).where(
            Interaction.contact_id == contact.id,
            Interaction.deleted_at.is_(None),
            Interaction.type.in_(CONTACT_TYPES),
        )
    )
    refresh_due_at(contact, default_cadence(session, contact.team_id))
    if (contact.last_contacted_at, contact.due_at) != before:
        contact.updated_at = now


def _lock_contacts(session: Session, actor: Actor, contact_ids: set[int]) -> dict[int, Contact]:
    # Lock in id order so two writers moving interactions between the same contacts can't deadlock.
    return {cid: load_contact(session, actor, cid, lock=True) for cid in sorted(contact_ids)}


def _check_may_change(actor: Actor, interaction: Interaction) -> None:
    """Raise Forbidden unless the actor is the author or an admin (`rules.may_change`)."""
    if not may_change(actor, interaction.logged_by):
        raise Forbidden(
            f"Only <@{interaction.logged_by}> (who logged it) or a workspace admin can change this interaction."
        )


def _load_interaction(
    session: Session, actor: Actor, interaction_id: int, *, include_deleted: bool = False, lock: bool = False
) -> Interaction:
    """The interaction in the actor's workspace; `lock` takes its row lock (PostgreSQL).

    Writers lock the interaction before its contact(s): once it is locked nobody can move it
    to another contact, so the contacts locked next are the right ones, and taking interaction
    locks first (one per transaction) then contacts in id order cannot deadlock.
    """
    query = select(Interaction).where(Interaction.id == interaction_id, Interaction.team_id == actor.team_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    interaction = session.scalars(query).first()
    if interaction is None or (interaction.deleted_at is not None and not include_deleted):
        raise NotFound("That interaction doesn't exist or was deleted.")
    return interaction


class _MergedInto(Exception):
    def __init__(self, contact_id: int) -> None:
        super().__init__(contact_id)
        self.contact_id = contact_id


def create_interaction(
    db: Database, actor: Actor, draft: InteractionDraft, *, now: datetime
) -> tuple[InteractionRecord, bool]:
    """Save an interaction; returns (record, created). A repeated `source_ref` returns the first save."""
    fields = validate_fields(
        type=draft.type,
        occurred_at=draft.occurred_at,
        summary=draft.summary,
        duration_minutes=draft.duration_minutes,
        notes=draft.notes,
        now=now,
    )
    if draft.contact_id is None and draft.new_contact is None:
        raise Invalid({"contact": "Choose who this was with."})
    if draft.source not in SOURCES:
        raise ValueError(f"unknown source {draft.source!r}")
    if draft.source_ref:
        existing = _find_by_source_ref(db, actor, draft.source_ref)
        if existing is not None:
            return existing, False
    try:
        with db.write() as session:
            ensure_workspace(session, actor.team_id, now=now)
            if draft.contact_id is None:
                assert draft.new_contact is not None
                contact_id = contact_for_new_log(session, actor, draft.new_contact, now=now)
            else:
                contact_id = draft.contact_id
            try:
                contact = load_contact(session, actor, contact_id, lock=True)
            except NotFound:
                raise Invalid({"contact": "That contact doesn't exist in this workspace."}) from None
            if contact.merged_into_id is not None:
                # Merged while the log was being written: it belongs to the contact merged into.
                # Start again on that one (locking it while holding this lock could deadlock).
                raise _MergedInto(contact.merged_into_id)
            if contact.archived_at is not None:
                raise Invalid(
                    {
                        "contact": f"{contact.name} is archived: unarchive them from their card to log with them."
                    }
                )
            interaction = Interaction(
                team_id=actor.team_id,
                contact_id=contact.id,
                type=fields.type,
                occurred_at=fields.occurred_at,
                time_known=draft.time_known,
                duration_minutes=fields.duration_minutes,
                summary=fields.summary,
                notes=fields.notes,
                logged_by=actor.user_id,
                source=draft.source,
                source_ref=draft.source_ref,
                permalink=draft.permalink,
                created_at=now,
                updated_at=now,
            )
            session.add(interaction)
            recompute_last_contacted(session, contact, now=now)
            return _to_record(interaction, contact.name), True
    except _MergedInto as merged:
        if draft.contact_id == merged.contact_id:
            raise  # pragma: no cover - a contact is never merged into itself
        draft = replace(draft, contact_id=merged.contact_id, new_contact=None)
        return create_interaction(db, actor, draft, now=now)
    except IntegrityError:
        # The same submission raced us to the unique source reference: it is saved once.
        existing = _find_by_source_ref(db, actor, draft.source_ref) if draft.source_ref else None
        if existing is None:
            raise
        return existing, False


def _find_by_source_ref(db: Database, actor: Actor, source_ref: str) -> InteractionRecord | None:
    with db.read() as session:
        row = session.execute(
            select(Interaction, Contact.name)
            .join(Contact, Contact.id == Interaction.contact_id)
            .where(Interaction.team_id == actor.team_id, Interaction.source_ref == source_ref)
        ).first()
        return _to_record(*row) if row else None


def find_interaction_by_source_ref(db: Database, actor: Actor, source_ref: str) -> InteractionRecord | None:
    """The interaction a request (`view:<id>`, `command:<trigger>`) already saved, if any."""
    return _find_by_source_ref(db, actor, source_ref)


def get_interaction(
    db: Database, actor: Actor, interaction_id: int, *, include_deleted: bool = False
) -> InteractionRecord:
    with db.read() as session:
        interaction = _load_interaction(session, actor, interaction_id, include_deleted=include_deleted)
        contact = session.get_one(Contact, interaction.contact_id)
        return _to_record(interaction, contact.name)


def update_interaction(
    db: Database,
    actor: Actor,
    interaction_id: int,
    changes: InteractionChanges,
    *,
    now: datetime,
) -> InteractionRecord:
    with db.write() as session:
        current = _load_interaction(session, actor, interaction_id, lock=True)
        _check_may_change(actor, current)
        target_contact_id = changes.contact_id or current.contact_id
        try:
            contacts = _lock_contacts(session, actor, {current.contact_id, target_contact_id})
        except NotFound:
            raise Invalid({"contact": "That contact doesn't exist in this workspace."}) from None
        fields = validate_fields(
            type=changes.type or current.type,
            occurred_at=changes.occurred_at or current.occurred_at,
            summary=changes.summary if changes.summary is not None else current.summary,
            duration_minutes=None
            if changes.clear_duration
            else (
                changes.duration_minutes if changes.duration_minutes is not None else current.duration_minutes
            ),
            notes=None
            if changes.clear_notes
            else (changes.notes if changes.notes is not None else current.notes),
            now=now,
        )
        current.contact_id = target_contact_id
        current.type = fields.type
        current.occurred_at = fields.occurred_at
        if changes.time_known is not None:
            current.time_known = changes.time_known
        current.summary = fields.summary
        current.duration_minutes = fields.duration_minutes
        current.notes = fields.notes
        current.updated_at = now
        current.updated_by = actor.user_id
        for contact in contacts.values():
            recompute_last_contacted(session, contact, now=now)
        return _to_record(current, contacts[target_contact_id].name)


def delete_interaction(
    db: Database, actor: Actor, interaction_id: int, *, now: datetime
) -> InteractionRecord:
    """Soft-delete: the row stays, so `restore_interaction` can undo it."""
    with db.write() as session:
        interaction = _load_interaction(session, actor, interaction_id, lock=True)
        _check_may_change(actor, interaction)
        contact = load_contact(session, actor, interaction.contact_id, lock=True)
        interaction.deleted_at = now
        interaction.deleted_by = actor.user_id
        recompute_last_contacted(session, contact, now=now)
        return _to_record(interaction, contact.name)


def restore_interaction(
    db: Database, actor: Actor, interaction_id: int, *, now: datetime
) -> InteractionRecord:
    """Undo a soft delete. `now` stamps the contact if its last contact moves back."""
    with db.write() as session:
        interaction = _load_interaction(session, actor, interaction_id, include_deleted=True, lock=True)
        _check_may_change(actor, interaction)
        contact = load_contact(session, actor, interaction.contact_id, lock=True)
        interaction.deleted_at = None
        interaction.deleted_by = None
        recompute_last_contacted(session, contact, now=now)
        return _to_record(interaction, contact.name)


__all__ = [
    "InteractionChanges",
    "InteractionDraft",
    "create_interaction",
    "delete_interaction",
    "get_interaction",
    "restore_interaction",
    "update_interaction",
]
