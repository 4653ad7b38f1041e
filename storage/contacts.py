"""Contacts: create, find by name, update, snooze; and the derived `due_at`."""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, false, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.domain.boundary import CONTROL_MESSAGE, MATCH_TEXT_MAX, has_control_chars
from bot.domain.errors import Conflict, Invalid, NotFound
from bot.domain.records import Actor, ContactMatch, ContactRecord
from bot.domain.rules import COMPANY_MAX_CHARS, NAME_MAX_CHARS
from storage import contact_search
from storage.contact_rows import GET_CONTACT, NAMED, record_of_row
from storage.db import Database
from storage.dialects import postgresql, sqlite
from storage.models import DEFAULT_CADENCE_DAYS, Contact, Workspace

EMAIL_RE = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


def name_key(name: str) -> str:
    """Fold case and accents and collapse spaces: 'José  Núñez' -> 'jose nunez'."""
    if name.isascii():  # nothing to decompose: the same fold, without the per-character pass
        return " ".join(name.casefold().split())
    decomposed = unicodedata.normalize("NFKD", name)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


@dataclass(frozen=True)
class ContactDraft:
    name: str
    email: str | None = None
    company: str | None = None
    slack_user_id: str | None = None
    owner_user_id: str | None = None
    cadence_days: int | None = None


@dataclass(frozen=True)
class ContactChanges:
    """Fields to change; leave a field as None to keep it (use `clear_*` to empty it)."""

    name: str | None = None
    email: str | None = None
    company: str | None = None
    owner_user_id: str | None = None
    cadence_days: int | None = None
    clear_email: bool = False
    clear_company: bool = False
    clear_cadence: bool = False


def ensure_workspace(session: Session, team_id: str, *, now: datetime | None = None) -> Workspace:
    """The workspace row, created (stamped `now`) if this is its first write.

    Every caller in storage passes `now`. It may be left out only by storage/transfer.py,
    whose split is under way elsewhere: then the column default stamps it.
    """
    postgres = session.get_bind().dialect.name == "postgresql"
    if now is None:
        insert = postgresql.insert if postgres else sqlite.insert
        session.execute(insert(Workspace).values(team_id=team_id).on_conflict_do_nothing())
    else:
        statement = _ensure_workspace_statement("postgresql" if postgres else "sqlite")
        session.execute(statement, {"team_id": team_id, "created_at": now})
    return session.get_one(Workspace, team_id)


@functools.cache
def _ensure_workspace_statement(dialect: str) -> Any:
    """`ensure_workspace`'s insert, built once per dialect (every write runs it; the PostgreSQL
    dialect is imported only when a PostgreSQL database asks for it)."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (
        insert(Workspace)
        .values(team_id=bindparam("team_id"), created_at=bindparam("created_at"))
        .on_conflict_do_nothing()
    )


def _clean_draft(draft: ContactDraft) -> ContactDraft:
    errors: dict[str, str] = {}
    name = " ".join((draft.name or "").split())
    if not name:
        errors["name"] = "A contact needs a name."
    elif has_control_chars(name):
        errors["name"] = "The name has control characters: " + CONTROL_MESSAGE
    elif len(name) > NAME_MAX_CHARS or len(name_key(name)) > NAME_MAX_CHARS:
        # Folding can lengthen a name (NFKC expands "ﷺ" to 18 letters); both must fit.
        errors["name"] = f"Keep the name under {NAME_MAX_CHARS} characters."
    email = (draft.email or "").strip().lower() or None
    if email and not EMAIL_RE.match(email):
        errors["email"] = f"“{email}” doesn't look like an email address."
    company = " ".join((draft.company or "").split()) or None
    if company and has_control_chars(company):
        errors["company"] = "The company has control characters: " + CONTROL_MESSAGE
    elif company and len(company) > COMPANY_MAX_CHARS:
        errors["company"] = f"Keep the company under {COMPANY_MAX_CHARS} characters."
    if draft.cadence_days is not None and not 1 <= draft.cadence_days <= 3650:
        errors["cadence_days"] = "Cadence is a number of days between 1 and 3650."
    if errors:
        raise Invalid(errors)
    return replace(draft, name=name, email=email, company=company)


def refresh_due_at(contact: Contact, default_cadence_days: int) -> None:
    cadence = contact.cadence_days or default_cadence_days
    base = contact.last_contacted_at or contact.created_at
    due = base + timedelta(days=cadence)
    if contact.snoozed_until and contact.snoozed_until > due:
        due = contact.snoozed_until
    contact.due_at = due


def first_word(key: str) -> str:
    return key.split(" ", 1)[0] if key else ""


def set_name(contact: Contact, name: str) -> None:
    """The name and the folded keys searches compare against."""
    contact.name = name
    contact.name_key = name_key(name)
    contact.first_name_key = first_word(contact.name_key)


# Contacts a picker, a lookup or a digest may offer: not archived, not merged into another.
LIVE = Contact.archived_at.is_(None)


def to_record(contact: Contact, default_cadence_days: int) -> ContactRecord:
    return ContactRecord(
        id=contact.id,
        team_id=contact.team_id,
        name=contact.name,
        email=contact.email,
        company=contact.company,
        slack_user_id=contact.slack_user_id,
        owner_user_id=contact.owner_user_id,
        cadence_days=contact.cadence_days,
        effective_cadence_days=contact.cadence_days or default_cadence_days,
        snoozed_until=contact.snoozed_until,
        last_contacted_at=contact.last_contacted_at,
        due_at=contact.due_at,
        created_by=contact.created_by,
        created_at=contact.created_at,
        updated_at=contact.updated_at,
        archived_at=contact.archived_at,
        merged_into_id=contact.merged_into_id,
    )


def default_cadence(session: Session, team_id: str) -> int:
    workspace = session.get(Workspace, team_id)
    return workspace.default_cadence_days if workspace else DEFAULT_CADENCE_DAYS


def load_contact(session: Session, actor: Actor, contact_id: int, *, lock: bool = False) -> Contact:
    """The contact if it is in the actor's workspace; `lock` takes its row lock (PostgreSQL)."""
    query = select(Contact).where(Contact.id == contact_id, Contact.team_id == actor.team_id)
    if lock:
        query = query.with_for_update()
    contact = session.scalars(query).first()
    if contact is None:
        raise NotFound("That contact doesn't exist in this workspace.")
    return contact


def create_contact(db: Database, actor: Actor, draft: ContactDraft, *, now: datetime) -> ContactRecord:
    draft = _clean_draft(draft)
    try:
        with db.write() as session:
            return _insert_contact(session, actor, draft, now)
    except IntegrityError:
        # A concurrent writer won the unique email / Slack user; report what exists.
        existing = _find_duplicate(db, actor, draft)
        if existing is None:
            raise
        raise Conflict(f"{existing.name} already has that email or Slack user.", existing.id) from None


def _insert_contact(session: Session, actor: Actor, draft: ContactDraft, now: datetime) -> ContactRecord:
    workspace = ensure_workspace(session, actor.team_id, now=now)
    duplicate = session.scalars(
        select(Contact).where(
            Contact.team_id == actor.team_id,
            or_(
                Contact.email == draft.email if draft.email else false(),
                Contact.slack_user_id == draft.slack_user_id if draft.slack_user_id else false(),
            ),
        )
    ).first()
    if duplicate is not None:
        what = "that email" if draft.email and duplicate.email == draft.email else "that Slack user"
        raise Conflict(f"{duplicate.name} already has {what}.", duplicate.id)
    contact = Contact(
        team_id=actor.team_id,
        name=draft.name,
        name_key=name_key(draft.name),
        first_name_key=first_word(name_key(draft.name)),
        email=draft.email,
        company=draft.company,
        slack_user_id=draft.slack_user_id,
        owner_user_id=draft.owner_user_id or actor.user_id,
        cadence_days=draft.cadence_days,
        created_by=actor.user_id,
        created_at=now,
        updated_at=now,
    )
    refresh_due_at(contact, workspace.default_cadence_days)
    session.add(contact)
    session.flush()
    return to_record(contact, workspace.default_cadence_days)


def _find_duplicate(db: Database, actor: Actor, draft: ContactDraft) -> ContactRecord | None:
    with db.read() as session:
        conditions = []
        if draft.email:
            conditions.append(Contact.email == draft.email)
        if draft.slack_user_id:
            conditions.append(Contact.slack_user_id == draft.slack_user_id)
        if not conditions:
            return None
        found = session.scalars(
            select(Contact).where(Contact.team_id == actor.team_id, or_(*conditions))
        ).first()
        return to_record(found, default_cadence(session, actor.team_id)) if found else None


def ensure_contact_for_slack_user(
    db: Database, actor: Actor, slack_user_id: str, *, name: str, email: str | None = None, now: datetime
) -> tuple[ContactRecord, bool]:
    """The contact linked to a Slack user, created from their profile if new."""
    existing = find_contact_by_slack_user(db, actor, slack_user_id)
    if existing is not None:
        return existing, False
    draft = ContactDraft(name=name or slack_user_id, email=email, slack_user_id=slack_user_id)
    try:
        return create_contact(db, actor, draft, now=now), True
    except Conflict as conflict:
        # Another contact already has this email: link it rather than duplicate the person.
        if conflict.existing_id is None:
            raise
        with db.write() as session:
            contact = load_contact(session, actor, conflict.existing_id, lock=True)
            if contact.slack_user_id is None:
                contact.slack_user_id = slack_user_id
                contact.updated_at = now
            return to_record(contact, default_cadence(session, actor.team_id)), False


def get_contact(db: Database, actor: Actor, contact_id: int) -> ContactRecord:
    with db.read() as session:
        row = session.execute(GET_CONTACT, {"team_id": actor.team_id, "contact_id": contact_id}).first()
        if row is None:
            raise NotFound("That contact doesn't exist in this workspace.")
        return record_of_row(row)


def find_contact_by_slack_user(db: Database, actor: Actor, slack_user_id: str) -> ContactRecord | None:
    with db.read() as session:
        contact = session.scalars(
            select(Contact).where(Contact.team_id == actor.team_id, Contact.slack_user_id == slack_user_id)
        ).first()
        return to_record(contact, default_cadence(session, actor.team_id)) if contact else None


def find_contacts(db: Database, actor: Actor, query: str, *, limit: int = 10) -> list[ContactMatch]:
    """Rank contacts for a typed name: exact, then prefix, then word prefix, then fuzzy.

    Candidates come from the trigram index (storage/contact_search.py), never a scan of names.
    """
    if len(query) > MATCH_TEXT_MAX * 2 or has_control_chars(query):
        return []  # longer than any name can be: nothing to match, and fuzzy matching it is slow
    key = name_key(query)
    if not key or len(key) > MATCH_TEXT_MAX:
        return []
    with db.read() as session:
        cadence = default_cadence(session, actor.team_id)
        substring = contact_search.substring_candidates(session, LIVE, actor.team_id, key)
        scored = {c.id: (contact_search.substring_score(key, c.name_key), c) for c in substring}
        # Typos are looked for only when nothing starts with what was typed.
        if not any(score >= 0.8 for score, _ in scored.values()):
            fuzzy_ids = {}
            for contact_id, candidate_key in contact_search.typo_candidates(
                session, LIVE, actor.team_id, key
            ):
                if contact_id in scored:
                    continue
                score = contact_search.fuzzy_score(key, candidate_key)
                if score > 0:
                    fuzzy_ids[contact_id] = score * 0.5
            if fuzzy_ids:
                best = sorted(fuzzy_ids, key=fuzzy_ids.__getitem__, reverse=True)[:limit]
                for contact in session.scalars(select(Contact).where(Contact.id.in_(best))):
                    scored[contact.id] = (fuzzy_ids[contact.id], contact)
        ranked = sorted(scored.values(), key=lambda pair: (-pair[0], pair[1].name_key, pair[1].id))
        return [
            ContactMatch(to_record(contact, cadence), score, exact=contact.name_key == key)
            for score, contact in ranked[:limit]
        ]


def update_contact(
    db: Database, actor: Actor, contact_id: int, changes: ContactChanges, *, now: datetime
) -> ContactRecord:
    try:
        with db.write() as session:
            contact = load_contact(session, actor, contact_id, lock=True)
            draft = _clean_draft(
                ContactDraft(
                    name=changes.name if changes.name is not None else contact.name,
                    email=None if changes.clear_email else (changes.email or contact.email),
                    company=None if changes.clear_company else (changes.company or contact.company),
                    cadence_days=None
                    if changes.clear_cadence
                    else (changes.cadence_days or contact.cadence_days),
                )
            )
            if draft.email and draft.email != contact.email:
                other = session.scalars(
                    select(Contact).where(
                        Contact.team_id == actor.team_id,
                        Contact.email == draft.email,
                        Contact.id != contact.id,
                    )
                ).first()
                if other is not None:
                    raise Invalid({"email": f"{other.name} already has that email."})
            set_name(contact, draft.name)
            contact.email = draft.email
            contact.company = draft.company
            contact.cadence_days = draft.cadence_days
            if changes.owner_user_id:
                contact.owner_user_id = changes.owner_user_id
            contact.updated_at = now
            cadence = default_cadence(session, actor.team_id)
            refresh_due_at(contact, cadence)
            session.flush()
            return to_record(contact, cadence)
    except IntegrityError:
        raise Invalid({"email": "Another contact already has that email."}) from None


def snooze_contact(
    db: Database, actor: Actor, contact_id: int, until: datetime | None, *, now: datetime
) -> ContactRecord:
    """Silence a contact's reminders until `until` (None ends the snooze)."""
    if until is not None and until <= now:
        raise Invalid({"until": "Pick a date in the future to snooze until."})
    with db.write() as session:
        contact = load_contact(session, actor, contact_id, lock=True)
        contact.snoozed_until = until
        contact.updated_at = now
        cadence = default_cadence(session, actor.team_id)
        refresh_due_at(contact, cadence)
        session.flush()
        return to_record(contact, cadence)


def list_contacts(db: Database, actor: Actor, *, limit: int = 100, after_id: int = 0) -> list[ContactRecord]:
    with db.read() as session:
        cadence = default_cadence(session, actor.team_id)
        rows = session.scalars(
            select(Contact)
            .where(Contact.team_id == actor.team_id, Contact.id > after_id)
            .order_by(Contact.id)
            .limit(limit)
        ).all()
        return [to_record(c, cadence) for c in rows]


def has_contact_named(db: Database, actor: Actor, name: str) -> bool:
    """Whether some contact's folded name is exactly this (one indexed probe)."""
    key = name_key(name)
    if not key or len(key) > MATCH_TEXT_MAX or has_control_chars(key):
        return False
    with db.read() as session:
        return (
            session.scalar(
                select(Contact.id)
                .where(Contact.team_id == actor.team_id, LIVE, Contact.name_key == key)
                .limit(1)
            )
            is not None
        )


def has_unique_first_name(db: Database, actor: Actor, word: str) -> bool:
    """Whether exactly one live contact's name starts with this word ("jane" for Jane Doe)."""
    key = name_key(word)
    if not key or " " in key:
        return False
    with db.read() as session:
        found = session.scalars(
            select(Contact.id)
            .where(Contact.team_id == actor.team_id, LIVE, Contact.first_name_key == key)
            .limit(2)
        ).all()
        return len(found) == 1


def resolve_contact(
    db: Database, actor: Actor, query: str
) -> tuple[ContactRecord | None, list[ContactMatch]]:
    """The one contact a typed name means, or None with the candidates to choose from.

    Certain when exactly one contact has that name, or when the name is the start of
    exactly one contact's name (or of a word in it) and nothing else matches at all.
    """
    key = name_key(query)
    if not key or len(key) > MATCH_TEXT_MAX or has_control_chars(key):
        return None, []  # no name can be this (and PostgreSQL refuses NUL in a query)
    with db.read() as session:
        # One indexed probe settles the common case, a name typed in full, without a scan.
        named = session.execute(NAMED, {"team_id": actor.team_id, "name_key": key}).all()
        if len(named) == 1:
            record = record_of_row(named[0])
            return record, [ContactMatch(record, 1.0, exact=True)]
    matches = find_contacts(db, actor, query, limit=10)
    exact = [m for m in matches if m.exact]
    if len(exact) == 1:
        return exact[0].contact, matches
    if not exact and len(matches) == 1 and matches[0].score >= 0.8:
        return matches[0].contact, matches
    return None, matches


def contacts_by_email_or_exact_name(
    db: Database, actor: Actor, text: str, *, limit: int = 2
) -> list[ContactRecord]:
    """Contacts of the actor's workspace with this email (case-insensitive), or else this exact name.

    The name is compared folded (`name_key`): case, accents and spacing don't matter, spelling does.
    An email matches at most one contact; a name may match several (the caller tells them apart).
    """
    text = " ".join((text or "").split())
    if not text:
        return []
    with db.read() as session:
        cadence = default_cadence(session, actor.team_id)
        if "@" in text:
            found = session.scalars(
                select(Contact).where(Contact.team_id == actor.team_id, Contact.email == text.lower())
            ).first()
            if found is not None:
                return [to_record(found, cadence)]
        named = session.scalars(
            select(Contact)
            .where(Contact.team_id == actor.team_id, Contact.name_key == name_key(text))
            .order_by(Contact.id)
            .limit(limit)
        ).all()
        return [to_record(contact, cadence) for contact in named]
