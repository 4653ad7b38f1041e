from datetime import UTC, datetime, timedelta

from bot.domain.records import Actor
from storage.contacts import ContactDraft, create_contact, get_contact
from storage.interactions import InteractionDraft, create_interaction

ALICE = Actor(team_id="T1", user_id="U1")
NOW = datetime(2026, 3, 11, 17, 0, tzinfo=UTC)


def test_first_interaction_sets_last_contacted(db):
    contact = create_contact(db, ALICE, ContactDraft(name="Jane Doe"), now=NOW)
    when = NOW - timedelta(days=1)
    _record, created = create_interaction(
        db,
        ALICE,
        InteractionDraft(contact_id=contact.id, type="call", occurred_at=when, summary="hi"),
        now=NOW,
    )
    assert created
    assert get_contact(db, ALICE, contact.id).last_contacted_at == when
