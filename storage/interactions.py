"""Interactions: validated, workspace-scoped writes that keep `last_contacted_at` right.

Every write that touches a contact's interactions first takes that contact's row lock
(PostgreSQL `SELECT ... FOR UPDATE`; SQLite writers are serialised by `BEGIN IMMEDIATE`),
then recomputes `last_contacted_at` from what is left. Recomputing from the data, never
adjusting the old value, is what keeps it right under edits, deletes and concurrency.
Edits, deletes and restores lock the interaction's own row before its contact's, so a
concurrent move to another contact cannot make them lock (and recompute) the wrong one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.domain.boundary import CONTROL_MESSAGE, has_control_chars
from bot.domain.errors import Forbidden, Invalid, NotFound
from bot.domain.records import Actor, Attendee, InteractionRecord
from bot.domain.rules import (
    EARLIEST,
    FUTURE_SKEW,
    MAX_DURATION_MINUTES,
    NOTES_MAX_CHARS,
    SUMMARY_MAX_CHARS,
    may_change,
)
from storage.attendees import attendee_ids, attendees_of, clean_attendee_ids, write_attendees
from storage.contacts import ContactDraft, default_cadence, ensure_workspace, load_contact, refresh_due_at
from storage.db import Database
from storage.follow_up_fields import set_follow_up
from storage.history import (
    contact_refs,
    record_created,
    record_deleted,
    record_edited,
    record_restored,
    snapshot,
)
from storage.models import CONTACT_TYPES, INTERACTION_TYPES, SOURCES, Contact, Interaction, InteractionContact
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
    # Every attendee in order (`contact_id`, when set, first); empty: just `contact_id`.
    contact_ids: tuple[int, ...] = ()
    follow_up_on: date | None = None  # a local date of the author's; checked by the caller
    # With no contact_id: the contact to create (or find) in the same transaction, so a crash
    # or a resent submission never leaves a new contact without its interaction.
    new_contact: ContactDraft | None = None
    # More attendees after those, in order: a contact's id, or one to create (or find) in the
    # same transaction (so a picked new name is saved with the log, never without it).
    more: tuple[int | ContactDraft, ...] = ()


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
    # Every attendee in order; None keeps them (a lone `contact_id` replaces just the first).
    contact_ids: tuple[int, ...] | None = None
    follow_up_on: date | None = None  # None keeps it; a new day reopens it
    clear_follow_up: bool = False


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


def _to_record(
    interaction: Interaction, contact_name: str, attendees: tuple[Attendee, ...] = ()
) -> InteractionRecord:
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
        all_contacts=attendees,
        follow_up_on=interaction.follow_up_on,
        follow_up_due_on=interaction.follow_up_due_on,
        follow_up_done_at=interaction.follow_up_done_at,
    )


def to_records(session: Session, rows: Sequence[tuple[Interaction, str]]) -> list[InteractionRecord]:
    """Records of (interaction, first contact's name) rows, each with all its attendees."""
    people = attendees_of(session, [interaction.id for interaction, _ in rows])
    return [_to_record(i, name, people.get(i.id, ())) for i, name in rows]


def records_of(session: Session, interactions: Sequence[Interaction]) -> list[InteractionRecord]:
    """Records of interactions, each with its attendees (the first's name from them too)."""
    people = attendees_of(session, [i.id for i in interactions])
    records = []
    for i in interactions:
        mine = people.get(i.id, ())
        first = next((a.name for a in mine if a.id == i.contact_id), None)
        if first is None:  # pragma: no cover - every interaction has its first attendee's row
            first = session.get_one(Contact, i.contact_id).name
        records.append(_to_record(i, first, mine))
    return records


def _record(session: Session, interaction: Interaction) -> InteractionRecord:
    session.flush()
    return records_of(session, [interaction])[0]


# Newest first down the (contact_id, occurred_at) index of the attendees: the first that counts.
# Built once (every save runs it for each of its contacts).
_LAST_CONTACTED = (
    select(InteractionContact.occurred_at)
    .join(Interaction, Interaction.id == InteractionContact.interaction_id)
    .where(
        InteractionContact.contact_id == bindparam("contact_id"),
        Interaction.deleted_at.is_(None),
        Interaction.type.in_(CONTACT_TYPES),
    )
    .order_by(InteractionContact.occurred_at.desc())
    .limit(1)
)


def recompute_last_contacted(session: Session, contact: Contact, *, now: datetime) -> None:
    """Set `last_contacted_at` to the latest live, counting interaction (the caller holds the lock).

    The contact's `updated_at` becomes `now` when that changes its row, as it would on any edit.
    """
    session.flush()
    before = (contact.last_contacted_at, contact.due_at)
    contact.last_contacted_at = session.scalar(_LAST_CONTACTED, {"contact_id": contact.id})
    refresh_due_at(contact, default_cadence(session, contact.team_id))
    if (contact.last_contacted_at, contact.due_at) != before:
        contact.updated_at = now


def _lock_contacts(session: Session, actor: Actor, contact_ids: set[int]) -> dict[int, Contact]:
    # Lock in id order so two writers moving interactions between the same contacts can't deadlock.
    return {cid: load_contact(session, actor, cid, lock=True) for cid in sorted(contact_ids)}


def _lock_attendees(
    session: Session, actor: Actor, interaction: Interaction, also: Sequence[int] = ()
) -> tuple[list[int], dict[int, Contact]]:
    """The (locked) interaction's attendees, and every one of them and of `also` locked by id.

    A merge moves attendee rows under the contacts' locks, not the interaction's: once the
    contacts are locked the rows are read again, and any newcomer is locked too.
    """
    locked: dict[int, Contact] = {}
    while True:
        current = attendee_ids(session, interaction.id)
        wanted = (set(current) | set(also)) - set(locked)
        if not wanted:
            return current, locked
        locked.update(_lock_contacts(session, actor, wanted))


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
    def __init__(self, source_id: int, contact_id: int) -> None:
        super().__init__(contact_id)
        self.source_id = source_id
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
    if draft.contact_id is None and draft.new_contact is None and not draft.contact_ids:
        raise Invalid({"contact": "Choose who this was with."})
    if draft.source not in SOURCES:
        raise ValueError(f"unknown source {draft.source!r}")
    try:
        with db.write() as session:
            if draft.source_ref:
                # A repeated source_ref returns the first save (checked in this transaction).
                existing = _source_ref_record(session, actor, draft.source_ref)
                if existing is not None:
                    return existing, False
            ensure_workspace(session, actor.team_id, now=now)
            first = draft.contact_id
            if first is None and draft.new_contact is not None:
                first = contact_for_new_log(session, actor, draft.new_contact, now=now)
            more = [
                p if isinstance(p, int) else contact_for_new_log(session, actor, p, now=now)
                for p in draft.more
            ]
            wanted = clean_attendee_ids(first, [*draft.contact_ids, *more])
            try:
                contacts = _lock_contacts(session, actor, set(wanted))
            except NotFound:
                raise Invalid({"contact": "That contact doesn't exist in this workspace."}) from None
            for contact in contacts.values():
                if contact.merged_into_id is not None:
                    # Merged while the log was being written: it belongs to the contact merged into.
                    # Start again on that one (locking it while holding these locks could deadlock).
                    raise _MergedInto(contact.id, contact.merged_into_id)
                if contact.archived_at is not None:
                    raise Invalid(
                        {
                            "contact": f"{contact.name} is archived: unarchive them from their card to log with them."
                        }
                    )
            interaction = Interaction(
                team_id=actor.team_id,
                contact_id=wanted[0],
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
                follow_up_on=draft.follow_up_on,
                follow_up_due_on=draft.follow_up_on,
                created_at=now,
                updated_at=now,
            )
            session.add(interaction)
            session.flush()
            write_attendees(session, interaction, wanted)
            record_created(session, actor, interaction, contact_refs(contacts, wanted), now=now)
            for contact in contacts.values():
                recompute_last_contacted(session, contact, now=now)
            return _record(session, interaction), True
    except _MergedInto as merged:
        named = [draft.contact_id, *draft.contact_ids, *draft.more]
        if merged.source_id == merged.contact_id or merged.source_id not in named:
            # A contact found for a new name was merged meanwhile: let the user pick again.
            raise Invalid(
                {"contact": "That contact was just merged into another: pick them again."}
            ) from None

        source, into = merged.source_id, merged.contact_id
        ids = tuple(into if cid == source else cid for cid in draft.contact_ids)
        picks = tuple(into if pick == source else pick for pick in draft.more)
        first = into if draft.contact_id == source else draft.contact_id
        draft = replace(draft, contact_id=first, contact_ids=ids, more=picks)
        return create_interaction(db, actor, draft, now=now)
    except IntegrityError:
        # The same submission raced us to the unique source reference: it is saved once.
        existing = _find_by_source_ref(db, actor, draft.source_ref) if draft.source_ref else None
        if existing is None:
            raise
        return existing, False


def _find_by_source_ref(db: Database, actor: Actor, source_ref: str) -> InteractionRecord | None:
    with db.read() as session:
        return _source_ref_record(session, actor, source_ref)


def _source_ref_record(session: Session, actor: Actor, source_ref: str) -> InteractionRecord | None:
    row = session.execute(
        select(Interaction, Contact.name)
        .join(Contact, Contact.id == Interaction.contact_id)
        .where(Interaction.team_id == actor.team_id, Interaction.source_ref == source_ref)
    ).first()
    return to_records(session, [(row[0], row[1])])[0] if row else None


def find_interaction_by_source_ref(db: Database, actor: Actor, source_ref: str) -> InteractionRecord | None:
    """The interaction a request (`view:<id>`, `command:<trigger>`) already saved, if any."""
    return _find_by_source_ref(db, actor, source_ref)


def get_interaction(
    db: Database, actor: Actor, interaction_id: int, *, include_deleted: bool = False
) -> InteractionRecord:
    with db.read() as session:
        interaction = _load_interaction(session, actor, interaction_id, include_deleted=include_deleted)
        return _record(session, interaction)


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
        if changes.contact_ids is not None:
            target = clean_attendee_ids(None, changes.contact_ids)
        elif changes.contact_id:
            target = clean_attendee_ids(changes.contact_id, attendee_ids(session, current.id)[1:])
        else:
            target = []
        try:
            before, contacts = _lock_attendees(session, actor, current, target)
        except NotFound:
            raise Invalid({"contact": "That contact doesn't exist in this workspace."}) from None
        target = target or before
        for cid in set(target) - set(before):
            if contacts[cid].archived_at is not None:
                raise Invalid(
                    {"contact": f"{contacts[cid].name} is archived: unarchive them to log with them."}
                )
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
        was = snapshot(current, contact_refs(contacts, before))
        current.type = fields.type
        current.occurred_at = fields.occurred_at
        if changes.time_known is not None:
            current.time_known = changes.time_known
        current.summary = fields.summary
        current.duration_minutes = fields.duration_minutes
        current.notes = fields.notes
        set_follow_up(current, changes.follow_up_on, clear=changes.clear_follow_up)
        current.updated_at = now
        current.updated_by = actor.user_id
        write_attendees(session, current, target)
        record_edited(session, actor, current, was, contact_refs(contacts, target), now=now)
        # Old and new attendees alike: removed ones lose it, added ones gain it, kept ones follow its time.
        for contact in contacts.values():
            recompute_last_contacted(session, contact, now=now)
        return _record(session, current)


def delete_interaction(
    db: Database, actor: Actor, interaction_id: int, *, now: datetime
) -> InteractionRecord:
    """Soft-delete: the row stays, so `restore_interaction` can undo it."""
    with db.write() as session:
        interaction = _load_interaction(session, actor, interaction_id, lock=True)
        _check_may_change(actor, interaction)
        _, contacts = _lock_attendees(session, actor, interaction)
        interaction.deleted_at = now
        interaction.deleted_by = actor.user_id
        record_deleted(session, actor, interaction, now=now)
        for contact in contacts.values():
            recompute_last_contacted(session, contact, now=now)
        return _record(session, interaction)


def restore_interaction(
    db: Database, actor: Actor, interaction_id: int, *, now: datetime
) -> InteractionRecord:
    """Undo a soft delete. `now` stamps the contact if its last contact moves back."""
    with db.write() as session:
        interaction = _load_interaction(session, actor, interaction_id, include_deleted=True, lock=True)
        _check_may_change(actor, interaction)
        _, contacts = _lock_attendees(session, actor, interaction)
        if interaction.deleted_at is not None:  # a second Undo restores nothing
            record_restored(session, actor, interaction, now=now)
        interaction.deleted_at = None
        interaction.deleted_by = None
        for contact in contacts.values():
            recompute_last_contacted(session, contact, now=now)
        return _record(session, interaction)


__all__ = [
    "InteractionChanges",
    "InteractionDraft",
    "create_interaction",
    "delete_interaction",
    "get_interaction",
    "restore_interaction",
    "update_interaction",
]
