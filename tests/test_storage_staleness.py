"""The stale-contacts query: one statement however many contacts, the same answer as asking
contact by contact, and storage writes that take their time from the caller only."""

from __future__ import annotations

import random
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import event, select

from bot.domain.records import Actor, LastInteraction
from bot.domain.rules import DIGEST_CONTACTS_MAX, INTERACTION_TYPES
from storage.contacts import ContactDraft, create_contact, default_cadence, to_record
from storage.interactions import InteractionDraft, create_interaction, delete_interaction
from storage.models import Contact, Interaction
from storage.staleness import stale_contacts_for_owner

NOW = datetime(2026, 3, 11, 17, 0, tzinfo=UTC)
TEAM = "T1"
OWNER = Actor(TEAM, "U_OWNER")


@contextmanager
def statements(db):
    """The SQL statements run on the database while the block runs (not BEGIN, PRAGMA and the like)."""
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        # Transaction control and SQLite connection settings (busy_timeout) are not queries.
        if statement.split(None, 1)[0].upper() not in ("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA"):
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def reference(db, owner: Actor, now: datetime, limit: int):
    """What the query answered before it was one statement: a lookup per contact."""
    with db.read() as session:
        stale = (
            Contact.team_id == owner.team_id,
            Contact.owner_user_id == owner.user_id,
            Contact.due_at <= now,
        )
        total = len(session.scalars(select(Contact.id).where(*stale)).all())
        contacts = session.scalars(
            select(Contact).where(*stale).order_by(Contact.due_at, Contact.id).limit(limit)
        )
        cadence = default_cadence(session, owner.team_id)
        answer = []
        for contact in contacts:
            latest = session.scalars(
                select(Interaction)
                .where(Interaction.contact_id == contact.id, Interaction.deleted_at.is_(None))
                .order_by(Interaction.occurred_at.desc(), Interaction.id.desc())
                .limit(1)
            ).first()
            last = latest and LastInteraction(
                latest.type, latest.occurred_at, latest.summary, latest.logged_by
            )
            answer.append((to_record(contact, cadence), last))
        return answer, total


def seed(db, rng: random.Random, count: int) -> None:
    """Contacts of two owners created over a year, with live, deleted, tied and note-only histories."""
    for n in range(count):
        owner = OWNER if n % 4 else Actor(TEAM, "U_OTHER")
        created = NOW - timedelta(days=rng.randint(0, 365))
        draft = ContactDraft(
            name=f"Person {n}", owner_user_id=owner.user_id, cadence_days=rng.choice([None, 7])
        )
        contact = create_contact(db, owner, draft, now=created)
        when = min(NOW, created + timedelta(days=rng.randint(0, 30)))
        for step in range(rng.randint(0, 4)):
            kind = rng.choice(INTERACTION_TYPES)
            # Every third one shares the previous one's time: the id must break the tie.
            when = when if step % 3 == 2 else min(NOW, when + timedelta(days=rng.randint(0, 40)))
            draft = InteractionDraft(
                contact_id=contact.id, type=kind, occurred_at=when, summary=f"{n}.{step}"
            )
            record, _ = create_interaction(db, owner, draft, now=NOW)
            if rng.random() < 0.25:
                delete_interaction(db, owner, record.id, now=NOW)


def test_stale_contacts_are_one_statement_with_the_same_answer_as_per_contact_lookups(db):
    seed(db, random.Random(11), 60)
    for limit in (DIGEST_CONTACTS_MAX, 3, 1000):
        expected, expected_total = reference(db, OWNER, NOW, limit)
        with statements(db) as seen:
            stale, total = stale_contacts_for_owner(db, TEAM, OWNER.user_id, NOW, limit=limit)
        assert len(seen) == 1, seen
        assert total == expected_total > 3
        assert [(item.contact, item.last_interaction) for item in stale] == expected
    assert any(item.last_interaction is None for item in stale)
    assert any(item.last_interaction is not None for item in stale)


def test_nothing_stale_is_an_empty_page_and_a_zero_count(db):
    create_contact(db, OWNER, ContactDraft(name="Fresh"), now=NOW)
    with statements(db) as seen:
        assert stale_contacts_for_owner(db, TEAM, OWNER.user_id, NOW) == ([], 0)
        assert stale_contacts_for_owner(db, "T_NONE", OWNER.user_id, NOW) == ([], 0)
    assert len(seen) == 2


def test_a_zero_limit_still_counts(db):
    create_contact(db, OWNER, ContactDraft(name="Old"), now=NOW - timedelta(days=90))
    assert stale_contacts_for_owner(db, TEAM, OWNER.user_id, NOW, limit=0) == ([], 1)
