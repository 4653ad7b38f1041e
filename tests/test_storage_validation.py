"""Validation: what a person typed is refused with one message per field, and nothing is saved."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from bot.domain.errors import Invalid
from bot.domain.records import Actor
from storage.contacts import ContactDraft, create_contact, get_contact
from storage.interactions import (
    InteractionChanges,
    InteractionDraft,
    create_interaction,
    get_interaction,
    update_interaction,
)
from storage.models import Interaction

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
ALICE = Actor(team_id="T1", user_id="U_ALICE")
ZOE = Actor(team_id="T2", user_id="U_ZOE")
EARLIER = NOW - timedelta(days=2)


@pytest.fixture
def contact(db):
    return create_contact(db, ALICE, ContactDraft(name="Jane Doe"), now=NOW)


def draft_for(contact_id: int | None, **overrides) -> InteractionDraft:
    base = InteractionDraft(contact_id=contact_id, type="call", occurred_at=EARLIER, summary="renewal talk")
    return replace(base, **overrides)


def interaction_count(db) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(Interaction))


REFUSED = [
    pytest.param(
        {"occurred_at": NOW + timedelta(minutes=5, seconds=1)}, "occurred_at", id="just past the skew"
    ),
    pytest.param({"occurred_at": NOW + timedelta(days=1)}, "occurred_at", id="tomorrow is a plan"),
    pytest.param({"occurred_at": None}, "occurred_at", id="no date"),
    pytest.param({"occurred_at": datetime(2026, 3, 1, 9, 0)}, "occurred_at", id="naive date"),
    pytest.param({"occurred_at": datetime(1969, 12, 31, tzinfo=UTC)}, "occurred_at", id="before 1970"),
    pytest.param({"duration_minutes": -1}, "duration_minutes", id="negative duration"),
    pytest.param({"duration_minutes": 1441}, "duration_minutes", id="longer than a day"),
    pytest.param({"summary": ""}, "summary", id="empty summary"),
    pytest.param({"summary": " \t\n  "}, "summary", id="whitespace summary"),
    pytest.param({"summary": "x" * 301}, "summary", id="summary over 300"),
    pytest.param({"notes": "x" * 3001}, "notes", id="notes over 3000"),
    pytest.param({"type": "lunch"}, "type", id="unknown type"),
    pytest.param({"type": "Call"}, "type", id="type is case sensitive"),
]

ACCEPTED = [
    pytest.param({"occurred_at": NOW + timedelta(minutes=4)}, id="4 minutes ahead is clock skew"),
    pytest.param({"occurred_at": NOW + timedelta(minutes=5)}, id="exactly 5 minutes ahead"),
    pytest.param({"occurred_at": datetime(1970, 1, 1, tzinfo=UTC)}, id="1970"),
    pytest.param({"duration_minutes": 0}, id="zero duration"),
    pytest.param({"duration_minutes": 1440}, id="a whole day"),
    pytest.param({"duration_minutes": None}, id="no duration"),
    pytest.param({"summary": "x" * 300}, id="summary of 300"),
    pytest.param({"summary": "  spaced   out \n summary "}, id="summary with extra spaces"),
    pytest.param({"notes": "x" * 3000}, id="notes of 3000"),
    pytest.param({"notes": "   "}, id="blank notes"),
    pytest.param({"type": "note"}, id="a note"),
]


@pytest.mark.parametrize(("overrides", "field"), REFUSED)
def test_create_refuses_invalid_field(db, contact, overrides, field):
    with pytest.raises(Invalid) as caught:
        create_interaction(db, ALICE, draft_for(contact.id, **overrides), now=NOW)
    assert set(caught.value.fields) == {field}
    assert caught.value.fields[field].strip()
    assert interaction_count(db) == 0
    assert get_contact(db, ALICE, contact.id).last_contacted_at is None


@pytest.mark.parametrize("overrides", ACCEPTED)
def test_create_accepts_valid_field(db, contact, overrides):
    record, created = create_interaction(db, ALICE, draft_for(contact.id, **overrides), now=NOW)
    assert created
    stored = get_interaction(db, ALICE, record.id)
    assert stored == record
    for name, value in overrides.items():
        if name == "summary":
            assert stored.summary == " ".join(value.split())
        elif name == "notes":
            assert stored.notes == (value.strip() or None)
        else:
            assert getattr(stored, name) == value


def test_create_accepts_non_utc_time_and_stores_it_in_utc(db, contact):
    when = datetime(2026, 3, 1, 15, 30, tzinfo=timezone(timedelta(hours=1)))
    record, _ = create_interaction(db, ALICE, draft_for(contact.id, occurred_at=when), now=NOW)
    stored = get_interaction(db, ALICE, record.id)
    assert stored.occurred_at == when
    assert stored.occurred_at.utcoffset() == timedelta(0)
    assert stored.occurred_at.hour == 14


def test_create_reports_every_invalid_field_at_once(db, contact):
    draft = draft_for(contact.id, type="lunch", summary="", duration_minutes=5000, notes="x" * 3001)
    with pytest.raises(Invalid) as caught:
        create_interaction(db, ALICE, draft, now=NOW)
    assert set(caught.value.fields) == {"type", "summary", "duration_minutes", "notes"}


def test_create_without_contact_is_refused_on_contact(db):
    with pytest.raises(Invalid) as caught:
        create_interaction(db, ALICE, draft_for(None), now=NOW)
    assert set(caught.value.fields) == {"contact"}


def test_create_for_contact_of_another_workspace_is_refused_on_contact(db, contact):
    with pytest.raises(Invalid) as caught:
        create_interaction(db, ZOE, draft_for(contact.id), now=NOW)
    assert set(caught.value.fields) == {"contact"}
    assert interaction_count(db) == 0
    assert get_contact(db, ALICE, contact.id).last_contacted_at is None


def test_create_for_unknown_contact_is_refused_on_contact(db, contact):
    with pytest.raises(Invalid) as caught:
        create_interaction(db, ALICE, draft_for(contact.id + 1000), now=NOW)
    assert set(caught.value.fields) == {"contact"}


def test_future_is_measured_from_the_given_now(db, contact):
    # Three days "ahead" of the wall clock is fine when `now` says so (imports, tests).
    later_now = NOW + timedelta(days=3)
    record, _ = create_interaction(db, ALICE, draft_for(contact.id, occurred_at=later_now), now=later_now)
    assert record.occurred_at == later_now


# --- the same rules on edits ---------------------------------------------------------------

CHANGE_REFUSED = [
    pytest.param({"occurred_at": NOW + timedelta(minutes=6)}, "occurred_at", id="future date"),
    pytest.param({"duration_minutes": -1}, "duration_minutes", id="negative duration"),
    pytest.param({"duration_minutes": 1441}, "duration_minutes", id="longer than a day"),
    pytest.param({"summary": "   "}, "summary", id="blank summary"),
    pytest.param({"summary": "x" * 301}, "summary", id="summary over 300"),
    pytest.param({"notes": "x" * 3001}, "notes", id="notes over 3000"),
    pytest.param({"type": "lunch"}, "type", id="unknown type"),
]


@pytest.mark.parametrize(("changes", "field"), CHANGE_REFUSED)
def test_update_refuses_invalid_field_and_keeps_the_interaction(db, contact, changes, field):
    record, _ = create_interaction(db, ALICE, draft_for(contact.id), now=NOW)
    with pytest.raises(Invalid) as caught:
        update_interaction(db, ALICE, record.id, InteractionChanges(**changes), now=NOW)
    assert set(caught.value.fields) == {field}
    assert get_interaction(db, ALICE, record.id) == record
    assert get_contact(db, ALICE, contact.id).last_contacted_at == EARLIER


def test_update_moving_to_contact_of_another_workspace_is_refused_on_contact(db, contact):
    record, _ = create_interaction(db, ALICE, draft_for(contact.id), now=NOW)
    theirs = create_contact(db, ZOE, ContactDraft(name="Zed"), now=NOW)
    with pytest.raises(Invalid) as caught:
        update_interaction(db, ALICE, record.id, InteractionChanges(contact_id=theirs.id), now=NOW)
    assert set(caught.value.fields) == {"contact"}
    assert get_interaction(db, ALICE, record.id).contact_id == contact.id
    assert get_contact(db, ZOE, theirs.id).last_contacted_at is None


def test_update_can_clear_duration_and_notes(db, contact):
    record, _ = create_interaction(
        db, ALICE, draft_for(contact.id, duration_minutes=30, notes="agenda"), now=NOW
    )
    updated = update_interaction(
        db, ALICE, record.id, InteractionChanges(clear_duration=True, clear_notes=True), now=NOW
    )
    assert (updated.duration_minutes, updated.notes) == (None, None)
    assert get_interaction(db, ALICE, record.id) == updated


def test_update_keeps_fields_it_does_not_mention(db, contact):
    record, _ = create_interaction(
        db, ALICE, draft_for(contact.id, duration_minutes=30, notes="agenda", type="meeting"), now=NOW
    )
    updated = update_interaction(db, ALICE, record.id, InteractionChanges(summary="new summary"), now=NOW)
    assert updated.summary == "new summary"
    assert (updated.type, updated.occurred_at, updated.duration_minutes, updated.notes) == (
        "meeting",
        EARLIER,
        30,
        "agenda",
    )
    assert updated.updated_by == ALICE.user_id
    assert updated.updated_at == NOW
