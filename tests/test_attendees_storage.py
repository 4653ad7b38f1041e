"""Several contacts per interaction (issue 16): every attendee's `last_contacted_at` follows the
domain rule through add, remove, move, delete, restore and note-only changes; lists, timelines,
staleness, merges, repeats and the export see every attendee. SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.domain.errors import Invalid
from bot.domain.records import Actor
from storage.contact_lifecycle import archive_contact, merge_contacts, unmerge_contacts
from storage.contacts import ContactDraft, create_contact, get_contact
from storage.export import export_interactions
from storage.interactions import (
    InteractionChanges,
    InteractionDraft,
    create_interaction,
    delete_interaction,
    get_interaction,
    restore_interaction,
    update_interaction,
)
from storage.listing import InteractionFilters, count_interactions, list_interactions
from storage.models import Interaction, InteractionContact
from storage.repeats import find_recent_repeat
from storage.staleness import stale_contacts_for_owner
from storage.timelines import contact_history, month_interactions

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
ME = Actor(team_id="T1", user_id="U_ME")
OTHER_TEAM = Actor(team_id="T2", user_id="U_ZOE")


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


@pytest.fixture
def people(db):
    """Jane, May and Bo, created a year ago, never contacted."""
    return [
        create_contact(db, ME, ContactDraft(name=name), now=days_ago(365)).id
        for name in ("Jane Doe", "May Chen", "Bo Li")
    ]


def log(db, contact_ids, when, type="call", summary="talk", actor=ME):
    record, created = create_interaction(
        db,
        actor,
        InteractionDraft(
            contact_id=None, contact_ids=tuple(contact_ids), type=type, occurred_at=when, summary=summary
        ),
        now=NOW,
    )
    assert created
    return record


def edit(db, interaction_id, **changes):
    return update_interaction(db, ME, interaction_id, InteractionChanges(**changes), now=NOW)


def last(db, contact_id):
    """last_contacted_at, after checking that due_at followed it (no snooze, default cadence)."""
    contact = get_contact(db, ME, contact_id)
    base = contact.last_contacted_at or contact.created_at
    assert contact.due_at == base + timedelta(days=contact.effective_cadence_days)
    return contact.last_contacted_at


def lasts(db, ids):
    return [last(db, cid) for cid in ids]


# --- last_contacted_at ---------------------------------------------------------------------


def test_logging_with_several_contacts_moves_each_ones_last_contact(db, people):
    jane, may, _ = people
    record = log(db, [may, jane], days_ago(2))
    assert [a.id for a in record.attendees] == [may, jane]  # first contact first
    assert record.contact_id == may and record.contact_name == "May Chen"
    assert record.contact_names == "May Chen and Jane Doe"
    assert lasts(db, people) == [days_ago(2), days_ago(2), None]


def test_adding_an_attendee_moves_only_theirs_and_removing_one_recomputes_it(db, people):
    jane, may, bo = people
    log(db, [may], days_ago(10))
    shared = log(db, [jane], days_ago(3))
    edit(db, shared.id, contact_ids=(jane, may, bo))
    assert lasts(db, people) == [days_ago(3), days_ago(3), days_ago(3)]
    # May goes back to her own older call; Bo, with nothing else, to never.
    edit(db, shared.id, contact_ids=(jane,))
    assert lasts(db, people) == [days_ago(3), days_ago(10), None]


def test_moving_the_first_contact_keeps_the_others_and_recomputes_old_and_new(db, people):
    jane, may, bo = people
    shared = log(db, [jane, may], days_ago(4))
    moved = edit(db, shared.id, contact_id=bo)
    assert [a.id for a in moved.attendees] == [bo, may]
    assert lasts(db, people) == [None, days_ago(4), days_ago(4)]


def test_editing_the_time_moves_every_attendee_even_backwards(db, people):
    jane, may, _ = people
    log(db, [jane], days_ago(20))
    shared = log(db, [jane, may], days_ago(1))
    edit(db, shared.id, occurred_at=days_ago(30))
    assert lasts(db, people[:2]) == [days_ago(20), days_ago(30)]


def test_deleting_and_restoring_recompute_every_attendee(db, people):
    jane, may, bo = people
    log(db, [bo], days_ago(9))
    shared = log(db, [jane, may, bo], days_ago(1))
    delete_interaction(db, ME, shared.id, now=NOW)
    assert lasts(db, people) == [None, None, days_ago(9)]
    restored = restore_interaction(db, ME, shared.id, now=NOW)
    assert [a.id for a in restored.attendees] == [jane, may, bo]
    assert lasts(db, people) == [days_ago(1)] * 3


def test_a_note_with_several_contacts_moves_none_until_it_becomes_a_call(db, people):
    jane, may, _ = people
    note = log(db, [jane, may], days_ago(1), type="note")
    assert lasts(db, people[:2]) == [None, None]
    edit(db, note.id, type="meeting")
    assert lasts(db, people[:2]) == [days_ago(1), days_ago(1)]


def test_backdated_log_moves_no_attendee_backwards(db, people):
    jane, may, _ = people
    log(db, [jane], days_ago(1))
    log(db, [may], days_ago(2))
    log(db, [may, jane], days_ago(50))
    assert lasts(db, people[:2]) == [days_ago(1), days_ago(2)]


# --- what an interaction's contacts may be ------------------------------------------------


def test_attendees_are_kept_once_in_the_order_given(db, people):
    jane, may, _ = people
    record = log(db, [may, jane, may, jane], days_ago(1))
    assert [a.id for a in record.attendees] == [may, jane]
    assert get_interaction(db, ME, record.id).attendees == record.attendees


def test_one_to_twenty_contacts(db):
    ids = [create_contact(db, ME, ContactDraft(name=f"P{n}"), now=NOW).id for n in range(21)]
    assert len(log(db, ids[:20], days_ago(1)).attendees) == 20
    with pytest.raises(Invalid, match="at most 20"):
        log(db, ids, days_ago(1))
    with pytest.raises(Invalid) as empty:
        log(db, [], days_ago(1))
    assert "contact" in empty.value.fields
    record = log(db, ids[:1], days_ago(1))
    with pytest.raises(Invalid, match="at most 20"):
        edit(db, record.id, contact_ids=tuple(ids))
    with pytest.raises(Invalid):
        edit(db, record.id, contact_ids=())


def test_another_workspaces_or_an_archived_contact_is_refused_and_nothing_is_saved(db, people):
    jane, may, bo = people
    stranger = create_contact(db, OTHER_TEAM, ContactDraft(name="Zed"), now=NOW).id
    with pytest.raises(Invalid) as crossed:
        log(db, [jane, stranger], days_ago(1))
    assert "contact" in crossed.value.fields
    archive_contact(db, ME, bo, now=NOW)
    with pytest.raises(Invalid, match="archived"):
        log(db, [jane, bo], days_ago(1))
    shared = log(db, [jane], days_ago(2))
    with pytest.raises(Invalid):
        edit(db, shared.id, contact_ids=(jane, stranger))
    with pytest.raises(Invalid, match="archived"):
        edit(db, shared.id, contact_ids=(jane, bo))
    assert [a.id for a in get_interaction(db, ME, shared.id).attendees] == [jane]
    assert lasts(db, [jane, may]) == [days_ago(2), None]
    assert last(db, bo) is None


# --- every question about a contact's interactions goes through the attendees -----------------


def test_lists_counts_timelines_and_the_digest_see_the_interaction_for_every_attendee(db, people):
    jane, may, bo = people
    log(db, [jane], days_ago(70), summary="jane alone")
    shared = log(db, [jane, may], days_ago(35), summary="together")
    for contact_id in (jane, may):
        filters = InteractionFilters(contact_id=contact_id)
        items = list_interactions(db, ME, filters).items
        assert shared.id in [i.id for i in items]
        assert next(i for i in items if i.id == shared.id).attendees == shared.attendees
        history = contact_history(db, ME, contact_id, max_items=10)
        assert history.interactions[-1].id == shared.id
        assert [i.id for i in month_interactions(db, ME, contact_id, "2026-01", "UTC")] == [shared.id]
    assert count_interactions(db, ME, InteractionFilters(contact_id=jane)) == 2
    assert count_interactions(db, ME, InteractionFilters(contact_id=may)) == 1
    assert list_interactions(db, ME, InteractionFilters(contact_id=bo)).items == []
    # May's digest line is the shared interaction, though Jane is its first contact.
    stale, _ = stale_contacts_for_owner(db, ME.team_id, ME.user_id, NOW)
    by_contact = {item.contact.id: item.last_interaction for item in stale}
    assert by_contact[may] is not None and by_contact[may].summary == "together"
    assert by_contact[may].with_others == 1 and by_contact[may].others_text == " with 1 other"
    assert by_contact[bo] is None


def test_the_contact_filter_pages_through_a_contacts_shared_interactions(db, people):
    jane, may, _ = people
    for n in range(25):
        log(db, [jane, may] if n % 2 else [may], days_ago(n + 1), summary=f"n{n}")
    seen, cursor = [], None
    while True:
        page = list_interactions(db, ME, InteractionFilters(contact_id=jane), cursor=cursor, limit=5)
        seen += [i.summary for i in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == [f"n{n}" for n in range(25) if n % 2]


def test_repeat_check_compares_the_set_of_contacts(db, people):
    jane, may, bo = people
    log(db, [jane, may], days_ago(0.001), summary="standup")
    since = NOW - timedelta(minutes=5)

    def repeat(ids):
        return find_recent_repeat(
            db, ME, contact_id=ids[0], contact_ids=frozenset(ids), type="call", summary="standup", since=since
        )

    assert repeat([may, jane]) is not None
    assert repeat([jane]) is None
    assert repeat([jane, may, bo]) is None


# --- merge and its undo -------------------------------------------------------------------


def attendee_rows(db):
    with db.read() as session:
        return sorted(
            session.execute(
                select(
                    InteractionContact.interaction_id,
                    InteractionContact.contact_id,
                    InteractionContact.position,
                )
            ).all()
        )


def primaries(db):
    with db.read() as session:
        return sorted(session.execute(select(Interaction.id, Interaction.contact_id)).all())


def test_merging_keeps_the_kept_contact_once_and_undo_restores_exactly(db, people):
    jane, may, bo = people
    both = log(db, [jane, may, bo], days_ago(1), summary="all three")
    jane_first = log(db, [jane, bo], days_ago(5), summary="jane and bo")
    may_first = log(db, [may, jane], days_ago(7), summary="may then jane")
    rows_before, primaries_before = attendee_rows(db), primaries(db)

    _, kept, moved = merge_contacts(db, ME, jane, may, now=NOW)
    assert moved == 3
    assert [a.id for a in get_interaction(db, ME, both.id).attendees] == [may, bo]
    assert [a.id for a in get_interaction(db, ME, jane_first.id).attendees] == [may, bo]
    assert [a.id for a in get_interaction(db, ME, may_first.id).attendees] == [may]
    assert kept.last_contacted_at == days_ago(1)
    assert {i.id for i in list_interactions(db, ME, InteractionFilters(contact_id=may)).items} == {
        both.id,
        jane_first.id,
        may_first.id,
    }

    source, _, back = unmerge_contacts(db, ME, jane, now=NOW)
    assert back == 3
    assert attendee_rows(db) == rows_before
    assert primaries(db) == primaries_before
    assert source.last_contacted_at == days_ago(1)
    assert lasts(db, people) == [days_ago(1)] * 3


# --- export ---------------------------------------------------------------------------------


def test_export_lists_every_attendee_per_interaction_or_one_row_each(db, people):
    jane, may, _ = people
    shared = log(db, [may, jane], days_ago(1), summary="together")
    out = io.StringIO()
    assert export_interactions(db, team_id=ME.team_id, fmt="csv", out=out) == 1
    [row] = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert (row["contact_name"], row["attendees"], row["attendee_ids"]) == (
        "May Chen",
        "May Chen; Jane Doe",
        f"{may}; {jane}",
    )
    out = io.StringIO()
    assert export_interactions(db, team_id=ME.team_id, fmt="json", out=out, per_attendee=True) == 2
    rows = json.loads(out.getvalue())
    assert [(r["id"], r["contact_id"], r["contact_name"]) for r in rows] == [
        (shared.id, may, "May Chen"),
        (shared.id, jane, "Jane Doe"),
    ]
    assert all(r["attendees"] == ["May Chen", "Jane Doe"] for r in rows)


def test_undoing_a_merge_after_an_edit_keeps_the_first_attendee_the_interactions_contact(db, people):
    jane, may, bo = people
    shared = log(db, [jane, may], days_ago(3))
    merge_contacts(db, ME, jane, may, now=NOW)
    edit(db, shared.id, contact_ids=(bo, may))  # edited while merged: Bo now leads
    unmerge_contacts(db, ME, jane, now=NOW)
    restored = get_interaction(db, ME, shared.id)
    assert {a.id for a in restored.attendees} == {jane, may, bo}
    assert restored.contact_id == restored.attendees[0].id
    assert lasts(db, people) == [days_ago(3)] * 3
