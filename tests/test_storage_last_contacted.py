"""`last_contacted_at`, `due_at` and staleness, exactly as PRODUCT.md defines them.

last_contacted_at = the latest `occurred_at` of the contact's live interactions whose type counts
(every type but `note`); due_at = (last_contacted_at or created_at) + cadence, a later snooze wins.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from bot.domain.records import Actor
from storage.contacts import ContactDraft, create_contact, get_contact, snooze_contact
from storage.interactions import (
    InteractionChanges,
    InteractionDraft,
    create_interaction,
    delete_interaction,
    restore_interaction,
    update_interaction,
)
from storage.models import CONTACT_TYPES, DEFAULT_CADENCE_DAYS, Workspace

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
ALICE = Actor(team_id="T1", user_id="U_ALICE")


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def new_contact(db, name: str = "Jane Doe", **kwargs):
    return create_contact(db, ALICE, ContactDraft(name=name, **kwargs), now=NOW)


def log(db, contact_id: int, occurred_at: datetime, type: str = "call", actor: Actor = ALICE):
    record, created = create_interaction(
        db,
        actor,
        InteractionDraft(contact_id=contact_id, type=type, occurred_at=occurred_at, summary=f"{type} log"),
        now=NOW,
    )
    assert created
    return record


def edit(db, interaction_id: int, **changes):
    return update_interaction(db, ALICE, interaction_id, InteractionChanges(**changes), now=NOW)


def assert_last_contacted(db, contact_id: int, expected: datetime | None) -> None:
    """Checks last_contacted_at and that due_at followed it (no snooze, default cadence)."""
    contact = get_contact(db, ALICE, contact_id)
    assert contact.last_contacted_at == expected
    base = expected if expected is not None else contact.created_at
    assert contact.due_at == base + timedelta(days=contact.effective_cadence_days)


# --- creating --------------------------------------------------------------------------


def test_new_contact_has_never_been_contacted(db):
    contact = new_contact(db)
    assert contact.last_contacted_at is None
    assert contact.created_at == NOW
    assert contact.due_at == NOW + timedelta(days=DEFAULT_CADENCE_DAYS)


@pytest.mark.parametrize("type", CONTACT_TYPES)
def test_first_interaction_sets_last_contacted(db, type):
    contact = new_contact(db)
    log(db, contact.id, days_ago(3), type=type)
    assert_last_contacted(db, contact.id, days_ago(3))


def test_newer_interaction_moves_last_contacted_forward(db):
    contact = new_contact(db)
    log(db, contact.id, days_ago(10))
    log(db, contact.id, days_ago(2), type="email")
    assert_last_contacted(db, contact.id, days_ago(2))


def test_backdated_call_does_not_move_last_contacted(db):
    contact = new_contact(db)
    log(db, contact.id, days_ago(2))
    log(db, contact.id, days_ago(40))
    assert_last_contacted(db, contact.id, days_ago(2))


def test_interaction_at_same_instant_as_latest_keeps_it(db):
    contact = new_contact(db)
    log(db, contact.id, days_ago(2))
    log(db, contact.id, days_ago(2), type="meeting")
    assert_last_contacted(db, contact.id, days_ago(2))


def test_note_only_contact_stays_never_contacted(db):
    contact = new_contact(db)
    log(db, contact.id, days_ago(1), type="note")
    log(db, contact.id, days_ago(5), type="note")
    assert_last_contacted(db, contact.id, None)


def test_note_newer_than_latest_call_does_not_move_last_contacted(db):
    contact = new_contact(db)
    log(db, contact.id, days_ago(9))
    log(db, contact.id, days_ago(1), type="note")
    assert_last_contacted(db, contact.id, days_ago(9))


def test_interactions_of_another_contact_do_not_count(db):
    jane = new_contact(db, "Jane Doe")
    john = new_contact(db, "John Roe")
    log(db, jane.id, days_ago(4))
    log(db, john.id, days_ago(1))
    assert_last_contacted(db, jane.id, days_ago(4))
    assert_last_contacted(db, john.id, days_ago(1))


# --- editing ---------------------------------------------------------------------------


def test_editing_latest_back_in_time_recomputes_from_the_rest(db):
    contact = new_contact(db)
    log(db, contact.id, days_ago(6))
    latest = log(db, contact.id, days_ago(1))
    edit(db, latest.id, occurred_at=days_ago(20))
    assert_last_contacted(db, contact.id, days_ago(6))


def test_editing_only_interaction_back_in_time_moves_last_contacted_back(db):
    contact = new_contact(db)
    only = log(db, contact.id, days_ago(1))
    edit(db, only.id, occurred_at=days_ago(20))
    assert_last_contacted(db, contact.id, days_ago(20))


def test_editing_older_interaction_forward_moves_last_contacted_forward(db):
    contact = new_contact(db)
    older = log(db, contact.id, days_ago(30))
    log(db, contact.id, days_ago(6))
    edit(db, older.id, occurred_at=days_ago(1))
    assert_last_contacted(db, contact.id, days_ago(1))


def test_editing_older_interaction_within_the_past_keeps_last_contacted(db):
    contact = new_contact(db)
    older = log(db, contact.id, days_ago(30))
    log(db, contact.id, days_ago(6))
    edit(db, older.id, occurred_at=days_ago(12), summary="still older")
    assert_last_contacted(db, contact.id, days_ago(6))


def test_editing_summary_only_keeps_last_contacted(db):
    contact = new_contact(db)
    latest = log(db, contact.id, days_ago(3))
    edit(db, latest.id, summary="renewal talk")
    assert_last_contacted(db, contact.id, days_ago(3))


def test_editing_latest_type_to_note_recomputes_from_the_rest(db):
    contact = new_contact(db)
    log(db, contact.id, days_ago(8))
    latest = log(db, contact.id, days_ago(2))
    edit(db, latest.id, type="note")
    assert_last_contacted(db, contact.id, days_ago(8))


def test_editing_only_call_to_note_clears_last_contacted(db):
    contact = new_contact(db)
    only = log(db, contact.id, days_ago(2))
    edit(db, only.id, type="note")
    assert_last_contacted(db, contact.id, None)


def test_editing_note_to_a_counting_type_makes_it_count(db):
    contact = new_contact(db)
    log(db, contact.id, days_ago(8))
    note = log(db, contact.id, days_ago(2), type="note")
    edit(db, note.id, type="meeting")
    assert_last_contacted(db, contact.id, days_ago(2))


def test_editing_type_and_date_together_uses_both(db):
    contact = new_contact(db)
    log(db, contact.id, days_ago(8))
    note = log(db, contact.id, days_ago(20), type="note")
    edit(db, note.id, type="meeting", occurred_at=days_ago(1))
    assert_last_contacted(db, contact.id, days_ago(1))


# --- deleting and restoring --------------------------------------------------------------


def test_deleting_latest_recomputes_to_the_previous(db):
    contact = new_contact(db)
    log(db, contact.id, days_ago(15))
    log(db, contact.id, days_ago(7))
    latest = log(db, contact.id, days_ago(1))
    delete_interaction(db, ALICE, latest.id, now=NOW)
    assert_last_contacted(db, contact.id, days_ago(7))


def test_deleting_only_interaction_clears_last_contacted(db):
    contact = new_contact(db)
    only = log(db, contact.id, days_ago(1))
    delete_interaction(db, ALICE, only.id, now=NOW)
    assert_last_contacted(db, contact.id, None)


def test_deleting_latest_call_skips_notes_when_recomputing(db):
    contact = new_contact(db)
    log(db, contact.id, days_ago(15))
    log(db, contact.id, days_ago(5), type="note")
    latest = log(db, contact.id, days_ago(1))
    delete_interaction(db, ALICE, latest.id, now=NOW)
    assert_last_contacted(db, contact.id, days_ago(15))


def test_deleting_older_interaction_keeps_last_contacted(db):
    contact = new_contact(db)
    older = log(db, contact.id, days_ago(15))
    log(db, contact.id, days_ago(1))
    delete_interaction(db, ALICE, older.id, now=NOW)
    assert_last_contacted(db, contact.id, days_ago(1))


def test_restoring_deleted_latest_brings_last_contacted_back(db):
    contact = new_contact(db)
    log(db, contact.id, days_ago(15))
    latest = log(db, contact.id, days_ago(1))
    delete_interaction(db, ALICE, latest.id, now=NOW)
    restore_interaction(db, ALICE, latest.id, now=NOW)
    assert_last_contacted(db, contact.id, days_ago(1))


def test_restoring_deleted_only_interaction_sets_last_contacted_again(db):
    contact = new_contact(db)
    only = log(db, contact.id, days_ago(3))
    delete_interaction(db, ALICE, only.id, now=NOW)
    restore_interaction(db, ALICE, only.id, now=NOW)
    assert_last_contacted(db, contact.id, days_ago(3))


def test_restoring_backdated_interaction_does_not_move_last_contacted_back(db):
    contact = new_contact(db)
    old = log(db, contact.id, days_ago(40))
    log(db, contact.id, days_ago(2))
    delete_interaction(db, ALICE, old.id, now=NOW)
    restore_interaction(db, ALICE, old.id, now=NOW)
    assert_last_contacted(db, contact.id, days_ago(2))


# --- moving to another contact ------------------------------------------------------------


def test_moving_latest_to_another_contact_recomputes_both(db):
    jane = new_contact(db, "Jane Doe")
    john = new_contact(db, "John Roe")
    log(db, jane.id, days_ago(9))
    moved = log(db, jane.id, days_ago(1))
    log(db, john.id, days_ago(5))
    record = edit(db, moved.id, contact_id=john.id)
    assert record.contact_id == john.id
    assert record.contact_name == "John Roe"
    assert_last_contacted(db, jane.id, days_ago(9))
    assert_last_contacted(db, john.id, days_ago(1))


def test_moving_only_interaction_leaves_source_never_contacted(db):
    jane = new_contact(db, "Jane Doe")
    john = new_contact(db, "John Roe")
    moved = log(db, jane.id, days_ago(4))
    edit(db, moved.id, contact_id=john.id)
    assert_last_contacted(db, jane.id, None)
    assert_last_contacted(db, john.id, days_ago(4))


def test_moving_and_backdating_in_one_edit_recomputes_both(db):
    jane = new_contact(db, "Jane Doe")
    john = new_contact(db, "John Roe")
    moved = log(db, jane.id, days_ago(1))
    log(db, john.id, days_ago(5))
    edit(db, moved.id, contact_id=john.id, occurred_at=days_ago(50))
    assert_last_contacted(db, jane.id, None)
    assert_last_contacted(db, john.id, days_ago(5))


# --- due_at and staleness -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cadence_days", "expected_days"),
    [(None, DEFAULT_CADENCE_DAYS), (7, 7), (90, 90)],
    ids=["workspace default", "weekly", "quarterly"],
)
def test_due_at_is_last_contact_plus_cadence(db, cadence_days, expected_days):
    contact = new_contact(db, cadence_days=cadence_days)
    log(db, contact.id, days_ago(3))
    refreshed = get_contact(db, ALICE, contact.id)
    assert refreshed.effective_cadence_days == expected_days
    assert refreshed.due_at == days_ago(3) + timedelta(days=expected_days)


def test_due_at_uses_workspace_default_cadence(db):
    contact = new_contact(db)
    with db.write() as session:
        session.execute(
            update(Workspace).where(Workspace.team_id == ALICE.team_id).values(default_cadence_days=14)
        )
    log(db, contact.id, days_ago(3))
    refreshed = get_contact(db, ALICE, contact.id)
    assert refreshed.effective_cadence_days == 14
    assert refreshed.due_at == days_ago(3) + timedelta(days=14)


@pytest.mark.parametrize(
    ("snooze_days_ahead", "expected_due"),
    [
        (60, NOW + timedelta(days=60)),  # snooze ends after the cadence would: snooze wins
        (5, NOW - timedelta(days=3) + timedelta(days=30)),  # ends before: cadence wins
    ],
    ids=["later snooze wins", "earlier snooze loses"],
)
def test_due_at_is_the_later_of_cadence_and_snooze(db, snooze_days_ahead, expected_due):
    contact = new_contact(db)
    log(db, contact.id, days_ago(3))
    snoozed = snooze_contact(db, ALICE, contact.id, NOW + timedelta(days=snooze_days_ahead), now=NOW)
    assert snoozed.due_at == expected_due
    assert get_contact(db, ALICE, contact.id).due_at == expected_due


def test_snooze_survives_later_interactions(db):
    contact = new_contact(db)
    snooze_contact(db, ALICE, contact.id, NOW + timedelta(days=60), now=NOW)
    log(db, contact.id, days_ago(1))
    refreshed = get_contact(db, ALICE, contact.id)
    assert refreshed.last_contacted_at == days_ago(1)
    assert refreshed.due_at == NOW + timedelta(days=60)


@pytest.mark.parametrize(
    ("contacted_days_ago", "cadence_days", "snooze_days_ahead", "check_days_later", "stale"),
    [
        (None, None, None, 29, False),  # new contact, within the default 30 days
        (None, None, None, 30, True),  # new contact, never contacted, cadence elapsed
        (29, None, None, 0, False),
        (30, None, None, 0, True),  # exactly one cadence ago: due now
        (8, 7, None, 0, True),  # per-contact cadence overrides the default
        (6, 7, None, 0, False),
        (45, None, 10, 0, False),  # overdue but snoozed
        (45, None, 10, 11, True),  # the snooze ended
    ],
)
def test_is_stale(db, contacted_days_ago, cadence_days, snooze_days_ahead, check_days_later, stale):
    contact = new_contact(db, cadence_days=cadence_days)
    if contacted_days_ago is not None:
        log(db, contact.id, days_ago(contacted_days_ago))
    if snooze_days_ahead is not None:
        snooze_contact(db, ALICE, contact.id, NOW + timedelta(days=snooze_days_ahead), now=NOW)
    refreshed = get_contact(db, ALICE, contact.id)
    assert refreshed.is_stale(NOW + timedelta(days=check_days_later)) is stale


def test_contact_becomes_fresh_when_logged_and_stale_again_when_that_is_deleted(db):
    contact = new_contact(db)
    old = log(db, contact.id, days_ago(45))
    assert get_contact(db, ALICE, contact.id).is_stale(NOW)
    fresh = log(db, contact.id, days_ago(1))
    assert not get_contact(db, ALICE, contact.id).is_stale(NOW)
    delete_interaction(db, ALICE, fresh.id, now=NOW)
    assert get_contact(db, ALICE, contact.id).is_stale(NOW)
    delete_interaction(db, ALICE, old.id, now=NOW)
    # Never contacted again: due from creation (today), so not stale yet.
    assert not get_contact(db, ALICE, contact.id).is_stale(NOW)
