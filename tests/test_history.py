"""Interaction history: every write path records who, when and what changed, in its own transaction;
the detail view shows it newest first; `touchbase export history` writes it out; a purge deletes it.

Every test runs on SQLite and PostgreSQL (the `db` / `touchbase` fixtures).
"""

from __future__ import annotations

import csv
import io
import json
from contextlib import suppress
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from blocks import ids
from bot.cli_workspace import purge_workspace
from bot.domain.errors import Forbidden, Invalid, NotFound
from bot.domain.records import Actor
from storage.contact_lifecycle import merge_contacts, unmerge_contacts
from storage.contacts import ContactDraft, create_contact
from storage.export import HISTORY_EXPORT_COLUMNS, export_history
from storage.history import interaction_history
from storage.interactions import (
    InteractionChanges,
    InteractionDraft,
    create_interaction,
    delete_interaction,
    get_interaction,
    restore_interaction,
    update_interaction,
)
from storage.listing import InteractionFilters, list_interactions
from storage.models import InteractionHistory
from tests.app_harness import FROZEN_NOW, wait_responses
from tests.blockkit import check_view
from tests.modal_submit import submission

NOW = FROZEN_NOW
ME = Actor(team_id="T111", user_id="U111")
ADMIN = Actor(team_id="T111", user_id="U999", is_admin=True)
COLLEAGUE = Actor(team_id="T111", user_id="U222")
OTHER_TEAM = Actor(team_id="T222", user_id="U111")
Z = "%Y-%m-%dT%H:%M:%SZ"


def _contact(db, name, actor=ME):
    return create_contact(db, actor, ContactDraft(name=name), now=NOW - timedelta(days=30))


def _log(db, contact, *, actor=ME, days_ago=2, summary="renewal talk", **fields):
    record, created = create_interaction(
        db,
        actor,
        InteractionDraft(
            contact_id=contact.id,
            type=fields.pop("type", "call"),
            occurred_at=NOW - timedelta(days=days_ago),
            summary=summary,
            **fields,
        ),
        now=NOW,
    )
    assert created
    return record


def _history(db, interaction_id, actor=ME):
    """Oldest first (the storage read is newest first)."""
    return interaction_history(db, actor, interaction_id, limit=100).entries[::-1]


def _iso(when) -> str:
    return when.strftime(Z)


def _rows(db) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(InteractionHistory)) or 0


# --- storage: every write records --------------------------------------------------------------------


def test_create_edit_delete_restore_each_record_who_when_and_what_changed(db):
    jane, may = _contact(db, "Jane Doe"), _contact(db, "May Chen")
    record = _log(db, jane, summary="first words", duration_minutes=30)
    later = NOW + timedelta(hours=1)
    update_interaction(
        db,
        ADMIN,
        record.id,
        InteractionChanges(
            contact_id=may.id,
            occurred_at=NOW - timedelta(days=3),
            summary="better words",
            clear_duration=True,
            notes="they want a demo",
        ),
        now=later,
    )
    delete_interaction(db, ME, record.id, now=later + timedelta(minutes=1))
    restore_interaction(db, ADMIN, record.id, now=later + timedelta(minutes=2))

    created, edited, deleted, restored = _history(db, record.id)
    assert (created.action, created.actor_user_id, created.at) == ("created", "U111", NOW)
    assert created.changes == {
        "source": (None, "modal"),
        "contacts": (None, [{"id": jane.id, "name": "Jane Doe"}]),
        "type": (None, "call"),
        "occurred_at": (None, _iso(NOW - timedelta(days=2))),
        "time_known": (None, True),
        "duration_minutes": (None, 30),
        "summary": (None, "first words"),
    }
    assert (edited.action, edited.actor_user_id, edited.at) == ("edited", "U999", later)
    assert edited.changes == {
        "contacts": ([{"id": jane.id, "name": "Jane Doe"}], [{"id": may.id, "name": "May Chen"}]),
        "occurred_at": (_iso(NOW - timedelta(days=2)), _iso(NOW - timedelta(days=3))),
        "time_known": (True, True),  # goes with the time, so "When" reads whole
        "duration_minutes": (30, None),
        "summary": ("first words", "better words"),
        "notes": (None, "they want a demo"),
    }
    assert (deleted.action, deleted.actor_user_id, deleted.changes) == ("deleted", "U111", {})
    assert (restored.action, restored.actor_user_id) == ("restored", "U999")
    assert restored.at == later + timedelta(minutes=2)


def test_an_edit_that_changes_nothing_and_a_second_undo_record_nothing(db):
    jane = _contact(db, "Jane Doe")
    record = _log(db, jane)
    update_interaction(db, ME, record.id, InteractionChanges(summary="renewal talk"), now=NOW)
    delete_interaction(db, ME, record.id, now=NOW)
    restore_interaction(db, ME, record.id, now=NOW)
    restore_interaction(db, ME, record.id, now=NOW)  # Undo clicked twice
    assert [e.action for e in _history(db, record.id)] == ["created", "deleted", "restored"]


def test_a_refused_write_records_nothing(db):
    jane = _contact(db, "Jane Doe")
    record = _log(db, jane)
    with pytest.raises(Forbidden):
        update_interaction(db, COLLEAGUE, record.id, InteractionChanges(summary="mine now"), now=NOW)
    with pytest.raises(Forbidden):
        delete_interaction(db, COLLEAGUE, record.id, now=NOW)
    with pytest.raises(Invalid):
        update_interaction(
            db, ME, record.id, InteractionChanges(occurred_at=NOW + timedelta(days=2)), now=NOW
        )
    with pytest.raises(Invalid):
        create_interaction(
            db,
            ME,
            InteractionDraft(contact_id=jane.id, type="call", occurred_at=NOW, summary=""),
            now=NOW,
        )
    assert _rows(db) == 1  # the creation only


def test_a_resent_submission_saved_once_is_recorded_once(db):
    jane = _contact(db, "Jane Doe")
    draft = InteractionDraft(
        contact_id=jane.id, type="call", occurred_at=NOW, summary="once", source_ref="view:V1"
    )
    first, _ = create_interaction(db, ME, draft, now=NOW)
    again, created = create_interaction(db, ME, draft, now=NOW)
    assert (again.id, created) == (first.id, False)
    assert [e.action for e in _history(db, first.id)] == ["created"]


def test_merge_and_its_undo_record_every_moved_interaction_with_the_names_of_the_time(db):
    tom, thomas = _contact(db, "Tom Jerry"), _contact(db, "Thomas Jerry")
    kept_live = _log(db, tom, days_ago=3)
    gone = _log(db, tom, days_ago=4)
    delete_interaction(db, ME, gone.id, now=NOW)
    own = _log(db, thomas, days_ago=5)

    merge_contacts(db, COLLEAGUE, tom.id, thomas.id, now=NOW + timedelta(minutes=1))
    unmerge_contacts(db, ADMIN, tom.id, now=NOW + timedelta(minutes=2))

    tom_ref, thomas_ref = {"id": tom.id, "name": "Tom Jerry"}, {"id": thomas.id, "name": "Thomas Jerry"}
    for moved in (kept_live, gone):  # deleted ones move too, so their history says so
        merged, unmerged = [e for e in _history(db, moved.id) if e.action in ("merged", "unmerged")]
        assert (merged.action, merged.actor_user_id, merged.at) == (
            "merged",
            "U222",
            NOW + timedelta(minutes=1),
        )
        assert merged.changes == {"contact": (tom_ref, thomas_ref)}
        assert (unmerged.action, unmerged.actor_user_id) == ("unmerged", "U999")
        assert unmerged.changes == {"contact": (thomas_ref, tom_ref)}
    assert [e.action for e in _history(db, own.id)] == ["created"]  # Thomas's own never moved


def test_the_history_and_the_change_commit_or_roll_back_together(db, monkeypatch):
    import storage.contact_lifecycle
    import storage.history
    import storage.interactions

    jane, may = _contact(db, "Jane Doe"), _contact(db, "May Chen")
    record = _log(db, jane)

    def then_fail(recorder):
        def recording_then_failing(*args, **kwargs):
            recorder(*args, **kwargs)
            raise RuntimeError("the database went away after the history row")

        return recording_then_failing

    monkeypatch.setattr(storage.interactions, "record_deleted", then_fail(storage.history.record_deleted))
    monkeypatch.setattr(storage.contact_lifecycle, "record_moved", then_fail(storage.history.record_moved))
    with pytest.raises(RuntimeError):
        delete_interaction(db, ME, record.id, now=NOW)
    with pytest.raises(RuntimeError):
        merge_contacts(db, ME, jane.id, may.id, now=NOW)
    assert _only_interaction(db).contact_id == jane.id  # neither deleted nor moved
    assert [e.action for e in _history(db, record.id)] == ["created"]


def _ref(contact) -> dict:
    return {"id": contact.id, "name": contact.name}


def test_attendee_changes_are_recorded_as_the_contacts_before_and_after(db):
    jane, may, bo = _contact(db, "Jane Doe"), _contact(db, "May Chen"), _contact(db, "Bo Stone")
    record = _log(db, jane, contact_ids=(jane.id, may.id))
    update_interaction(db, ME, record.id, InteractionChanges(contact_ids=(bo.id, jane.id)), now=NOW)
    update_interaction(db, ME, record.id, InteractionChanges(contact_id=may.id), now=NOW)  # the first only

    created, swapped, first = _history(db, record.id)
    assert created.changes["contacts"] == (None, [_ref(jane), _ref(may)])
    assert swapped.changes == {"contacts": ([_ref(jane), _ref(may)], [_ref(bo), _ref(jane)])}
    assert first.changes == {"contacts": ([_ref(bo), _ref(jane)], [_ref(may), _ref(jane)])}


def test_a_merge_records_every_interaction_the_contact_attended_and_its_undo_every_one_it_gives_back(db):
    tom, thomas, ann = _contact(db, "Tom Jerry"), _contact(db, "Thomas Jerry"), _contact(db, "Ann Lee")
    tom_first = _log(db, tom)
    tom_second = _log(db, ann, contact_ids=(ann.id, tom.id))
    both = _log(db, thomas, contact_ids=(thomas.id, tom.id))  # Tom's row is dropped, then given back
    neither = _log(db, ann)

    merge_contacts(db, ME, tom.id, thomas.id, now=NOW)
    unmerge_contacts(db, ME, tom.id, now=NOW + timedelta(minutes=1))

    for record in (tom_first, tom_second, both):
        moves = [(e.action, e.changes) for e in _history(db, record.id)[1:]]
        assert moves == [
            ("merged", {"contact": (_ref(tom), _ref(thomas))}),
            ("unmerged", {"contact": (_ref(thomas), _ref(tom))}),
        ], record.summary
        assert [a.id for a in get_interaction(db, ME, record.id).attendees] == [
            a.id for a in record.attendees
        ]
    assert [e.action for e in _history(db, neither.id)] == ["created"]


def test_closing_and_snoozing_a_follow_up_are_recorded(db):
    from storage.followups import mark_follow_up_done, snooze_follow_up

    jane = _contact(db, "Jane Doe")
    day = (NOW + timedelta(days=2)).date()
    record = _log(db, jane, follow_up_on=day)
    later = day + timedelta(days=3)
    snooze_follow_up(db, ME, record.id, later, now=NOW + timedelta(minutes=1))
    mark_follow_up_done(db, ADMIN, record.id, now=NOW + timedelta(minutes=2))
    mark_follow_up_done(db, ADMIN, record.id, now=NOW + timedelta(minutes=3))  # done twice is done once

    created, snoozed, done = _history(db, record.id)
    assert (created.changes["follow_up_on"], created.changes["follow_up_due_on"]) == (
        (None, day.isoformat()),
        (None, day.isoformat()),
    )
    assert (snoozed.action, snoozed.actor_user_id) == ("follow_up_snoozed", "U111")
    assert snoozed.changes == {"follow_up_due_on": (day.isoformat(), later.isoformat())}
    assert (done.action, done.actor_user_id, done.at) == (
        "follow_up_done",
        "U999",
        NOW + timedelta(minutes=2),
    )
    assert done.changes == {"follow_up_due_on": (later.isoformat(), None)}


def test_history_survives_deletion_stays_in_its_workspace_and_goes_with_a_purge(db):
    jane = _contact(db, "Jane Doe")
    record = _log(db, jane)
    delete_interaction(db, ME, record.id, now=NOW)
    theirs = _log(db, _contact(db, "Zed", actor=OTHER_TEAM), actor=OTHER_TEAM)
    assert [e.action for e in _history(db, record.id)] == ["created", "deleted"]
    assert _history(db, record.id, actor=OTHER_TEAM) == []  # same id, another workspace: nothing
    assert _history(db, theirs.id) == []  # theirs, read from this workspace: nothing

    counts = purge_workspace(db, "T111")
    assert counts["interaction_history"] == 2
    assert _history(db, record.id) == []
    assert [e.action for e in _history(db, theirs.id, actor=OTHER_TEAM)] == ["created"]


def test_the_detail_read_is_newest_first_and_counts_what_it_leaves_out(db):
    jane = _contact(db, "Jane Doe")
    record = _log(db, jane)
    for n in range(5):
        update_interaction(
            db, ME, record.id, InteractionChanges(summary=f"take {n}"), now=NOW + timedelta(minutes=n)
        )
    page = interaction_history(db, ME, record.id, limit=3)
    assert [e.changes["summary"][1] for e in page.entries] == ["take 4", "take 3", "take 2"]
    assert page.total == 6


_EDITS = st.lists(
    st.tuples(
        st.sampled_from(["call", "email", "note", None]),
        st.one_of(st.none(), st.integers(min_value=1, max_value=5 * 24 * 60)),  # minutes back
        st.sampled_from(["renewal talk", "renewal terms", None]),
        st.sampled_from([None, 0, 45, "clear"]),
        st.sampled_from([None, "short note", "a longer note\nover two lines", "clear"]),
        st.sampled_from([None, True, False]),
        st.sampled_from([None, 0, 1]),  # which contact, by index
        st.booleans(),  # delete (and restore) after this edit
    ),
    max_size=6,
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=_EDITS, merge=st.booleans())
def test_replaying_the_history_rebuilds_the_interaction_exactly(db, edits, merge):
    """Each entry's old values are what the previous entries left, and its new values end where the
    interaction is now: nothing that changed goes unrecorded, nothing is recorded that didn't change."""
    people = [_contact(db, "Ana Lima"), _contact(db, "Bo Chen")]
    record = _log(db, people[0])
    at = NOW
    for type_, back, summary, duration, notes, time_known, who, delete in edits:
        at += timedelta(minutes=1)
        changes = InteractionChanges(
            contact_id=None if who is None else people[who].id,
            type=type_,
            occurred_at=None if back is None else NOW - timedelta(minutes=back),
            summary=summary,
            duration_minutes=duration if isinstance(duration, int) else None,
            clear_duration=duration == "clear",
            notes=notes if notes != "clear" else None,
            clear_notes=notes == "clear",
            time_known=time_known,
        )
        update_interaction(db, ME, record.id, changes, now=at)
        if delete:
            delete_interaction(db, ME, record.id, now=at)
            restore_interaction(db, ME, record.id, now=at)
    if merge:
        target = _contact(db, "Cy Merged")
        merge_contacts(db, ME, get_interaction(db, ME, record.id).contact_id, target.id, now=at)

    state: dict[str, object] = {}
    for entry in _history(db, record.id):
        if entry.action == "merged":
            (old, new) = entry.changes["contact"]
            assert state["contacts"] == [old]
            state["contacts"] = [new]
            continue
        for name, (old, new) in entry.changes.items():
            assert state.get(name) == old, (entry.action, name)
            state[name] = new
    final = get_interaction(db, ME, record.id)
    expected = {
        "source": "modal",
        "contacts": [{"id": final.contact_id, "name": final.contact_name}],
        "type": final.type,
        "occurred_at": _iso(final.occurred_at),
        "time_known": final.time_known,
        "duration_minutes": final.duration_minutes,
        "summary": final.summary,
        "notes": final.notes,
    }
    # The creation leaves empty fields out: absent and None are the same.
    assert {k: v for k, v in state.items() if v is not None} == {
        k: v for k, v in expected.items() if v is not None
    }


def test_concurrent_edits_and_deletes_leave_an_unbroken_history(db):
    """Each change reads what it changes under the row locks and records in its own transaction,
    so however writers interleave, every entry's old values are the previous entry's new ones."""
    from tests.test_storage_concurrency import run_in_threads

    # (Not merges: on PostgreSQL a merge concurrent with an edit of one of the merged contact's
    # interactions can deadlock, on main too: the merge locks contacts, then interaction rows.)
    jane = _contact(db, "Jane Doe")
    records = [_log(db, jane, days_ago=1 + n) for n in range(3)]

    def work(index: int) -> None:
        for n in range(6):
            record = records[(index + n) % len(records)]
            at = NOW + timedelta(seconds=index * 100 + n)
            if index == 1 and n % 3 == 1:
                delete_interaction(db, ME, record.id, now=at)
                restore_interaction(db, ME, record.id, now=at)
            else:
                changes = InteractionChanges(
                    summary=f"writer {index} take {n}", duration_minutes=index * 10 + n
                )
                with suppress(NotFound):  # deleted by writer 1 just then; it records nothing
                    update_interaction(db, ME, record.id, changes, now=at)

    run_in_threads(4, work)
    for record in records:
        state: dict[str, object] = {}
        entries = interaction_history(db, ME, record.id, limit=100).entries
        # Newest first by time, then id: replay in commit order (ids follow commits per interaction).
        for entry in sorted(entries, key=lambda e: e.id):
            if entry.action in ("merged", "unmerged"):
                old, new = entry.changes["contact"]
                assert state["contacts"] == [old]
                state["contacts"] = [new]
                continue
            for name, (old, new) in entry.changes.items():
                assert state.get(name) == old, (entry.action, name)
                state[name] = new
        final = get_interaction(db, ME, record.id)
        assert (state["summary"], state.get("duration_minutes"), state["contacts"]) == (
            final.summary,
            final.duration_minutes,
            [{"id": final.contact_id, "name": final.contact_name}],
        )


# --- through Slack: every way in -----------------------------------------------------------------


def _actions_of(touchbase, interaction_id) -> list[tuple[str, str]]:
    return [(e.action, e.actor_user_id) for e in _history(touchbase.db, interaction_id)]


def _only_interaction(db, actor=ME):
    [record] = list_interactions(db, actor, InteractionFilters(), limit=10).items
    return record


def _open_detail(touchbase, interaction_id, count=1) -> dict:
    touchbase.slack.block_actions([{"action_id": ids.ACTION_VIEW_INTERACTION, "value": str(interaction_id)}])
    view = touchbase.fake.wait_for("views.open", count=count)[count - 1].args["view"]
    check_view(view)
    return view


def _history_texts(view) -> list[str]:
    """The history's entries as shown: the context blocks after the "History" title."""
    blocks = view["blocks"]
    start = next(
        n
        for n, b in enumerate(blocks)
        if b["type"] == "section" and b.get("text", {}).get("text") == "*History*"
    )
    return [b["elements"][0]["text"] for b in blocks[start + 1 :] if b["type"] == "context"]


def test_quick_log_then_an_edit_in_the_modal_show_in_the_detail_newest_first(touchbase):
    _contact(touchbase.db, "Jane Doe")
    touchbase.slack.command("/log", "Jane Doe call yesterday 3pm renewal talk")
    record = _only_interaction(touchbase.db)
    detail = dict(_open_detail(touchbase, record.id), id="VDETAIL")
    assert _history_texts(detail)[0].startswith("Logged by <@U111> · <!date^")
    assert _history_texts(detail)[0].endswith(" · from /log")

    touchbase.clock.advance(minutes=5)
    touchbase.slack.block_actions(
        [{"action_id": ids.ACTION_EDIT_INTERACTION, "value": str(record.id)}], view=detail
    )
    edit = touchbase.fake.wait_for("views.push")[0].args["view"]
    touchbase.slack.view_submission(
        submission(edit, view_id="VEDIT", summary="renewal terms", date="2026-03-09")
    )
    updated = touchbase.fake.wait_for("views.update")[0].args["view"]
    check_view(updated)
    newest, oldest = _history_texts(updated)
    first_line, *changes = newest.split("\n")
    edited_at = int((NOW + timedelta(minutes=5)).timestamp())
    assert first_line.startswith(f"Edited by <@U111> · <!date^{edited_at}^")
    old_when, new_when = (
        int(w.timestamp()) for w in (record.occurred_at, record.occurred_at - timedelta(days=1))
    )
    assert changes == [
        f"*When*: <!date^{old_when}^{{date_short_pretty}} at {{time}}|{record.occurred_at:%Y-%m-%d %H:%M} UTC>"
        f" → <!date^{new_when}^{{date_short_pretty}} at {{time}}|"
        f"{record.occurred_at - timedelta(days=1):%Y-%m-%d %H:%M} UTC>",
        "*Summary*: “renewal talk” → “renewal terms”",
    ]
    assert oldest.startswith("Logged by <@U111>")
    assert _actions_of(touchbase, record.id) == [("created", "U111"), ("edited", "U111")]


def test_delete_and_undo_from_the_detail_view_tell_the_whole_story(touchbase):
    jane = _contact(touchbase.db, "Jane Doe")
    record = _log(touchbase.db, jane)
    detail = {"type": "modal", "id": "VDETAIL", "callback_id": ids.DETAIL_MODAL, "blocks": []}
    touchbase.slack.block_actions(
        [{"action_id": ids.ACTION_DELETE_INTERACTION, "value": str(record.id)}], view=detail
    )
    deleted_view = touchbase.fake.wait_for("views.update")[0].args["view"]
    assert [t.split(" by ")[0] for t in _history_texts(deleted_view)] == ["Deleted", "Logged"]
    touchbase.clock.advance(minutes=1)
    touchbase.slack.block_actions(
        [{"action_id": ids.ACTION_UNDO_DELETE, "value": str(record.id)}], view=detail
    )
    restored_view = touchbase.fake.wait_for("views.update", count=2)[1].args["view"]
    check_view(restored_view)
    assert [t.split(" by ")[0] for t in _history_texts(restored_view)] == ["Restored", "Deleted", "Logged"]


def test_the_modal_log_again_and_a_workflow_step_record_the_creation(touchbase):
    from tests.test_workflow import LOG, _inputs, run_step

    jane = create_contact(touchbase.db, ME, ContactDraft(name="Jane Doe", email="jane@example.com"), now=NOW)
    # Log again, after the repeat question.
    touchbase.slack.command("/log", "Jane Doe call 10am pricing")
    touchbase.clock.advance(minutes=2)
    question = json.loads(touchbase.slack.command("/log", "Jane Doe call 10am pricing")[2])
    again = next(
        e
        for b in question["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == ids.ACTION_LOG_AGAIN
    )
    touchbase.slack.block_actions(
        [{"action_id": ids.ACTION_LOG_AGAIN, "value": again["value"]}],
        container={
            "type": "message",
            "message_ts": "1773000000.000100",
            "channel_id": "C111",
            "is_ephemeral": True,
        },
    )
    wait_responses(touchbase.fake, 1)
    # The modal.
    touchbase.slack.command("/log", "")
    view = touchbase.fake.wait_for("views.open")[0].args["view"]
    status, _, body = touchbase.slack.view_submission(
        submission(view, view_id="VLOG", contact=str(jane.id), type="note", summary="from the form")
    )
    assert (status, body) == (200, "")  # saved before the answer
    # A workflow step, logged by U333.
    run_step(touchbase, LOG, _inputs(logged_by="U333", summary="from a workflow"), execution_id="Fx1")

    by_summary = {
        r.summary: r for r in list_interactions(touchbase.db, ME, InteractionFilters(), limit=10).items
    }
    assert set(by_summary) == {"pricing", "from the form", "from a workflow"}
    for summary, source, who in (
        ("from the form", "modal", "U111"),
        ("from a workflow", "workflow", "U333"),
    ):
        [created] = _history(touchbase.db, by_summary[summary].id)
        assert (created.action, created.actor_user_id, created.changes["source"]) == (
            "created",
            who,
            (None, source),
        )
    pricing = [
        e
        for r in list_interactions(touchbase.db, ME, InteractionFilters(), limit=10).items
        if r.summary == "pricing"
        for e in _history(touchbase.db, r.id)
    ]
    assert [(e.action, e.changes["source"][1]) for e in pricing] == [("created", "command")] * 2


def test_editing_the_attendees_in_the_modal_shows_who_was_added_and_removed(touchbase):
    jane, may, bo = (_contact(touchbase.db, name) for name in ("Jane Doe", "May Chen", "Bo Li"))
    record = _log(touchbase.db, jane, contact_ids=(jane.id, may.id))
    touchbase.slack.block_actions([{"action_id": ids.ACTION_EDIT_INTERACTION, "value": str(record.id)}])
    edit = touchbase.fake.wait_for("views.open")[0].args["view"]
    status, _, _ = touchbase.slack.view_submission(
        submission(edit, view_id="VEDIT", contact=[str(jane.id), str(bo.id)])
    )
    assert status == 200
    newest = _history_texts(_open_detail(touchbase, record.id, count=2))[0]
    assert newest.startswith("Edited by <@U111> · ")
    assert newest.split("\n")[1:] == ["*Contacts*: Jane Doe, May Chen → Jane Doe, Bo Li"]


def test_merge_by_command_and_its_undo_show_in_the_moved_interactions_detail(touchbase):
    tom = _contact(touchbase.db, "Tom Jerry")
    _contact(touchbase.db, "Thomas Jerry")
    record = _log(touchbase.db, tom)
    touchbase.slack.command("/contact", "merge Tom Jerry into Thomas Jerry")
    [answer] = wait_responses(touchbase.fake)
    undo = next(
        e
        for b in answer.args["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == ids.ACTION_UNDO_MERGE
    )
    touchbase.slack.block_actions([{"action_id": ids.ACTION_UNDO_MERGE, "value": undo["value"]}])
    wait_responses(touchbase.fake, 2)
    assert _actions_of(touchbase, record.id) == [
        ("created", "U111"),
        ("merged", "U111"),
        ("unmerged", "U111"),
    ]
    texts = _history_texts(_open_detail(touchbase, record.id))
    assert texts[0].startswith("Merge undone by <@U111>") and texts[0].endswith(
        "*Contact*: Thomas Jerry → Tom Jerry"
    )
    assert texts[1].startswith("Contacts merged by <@U111>") and texts[1].endswith(
        "*Contact*: Tom Jerry → Thomas Jerry"
    )


# --- export ------------------------------------------------------------------------------------------


def test_export_history_includes_deleted_interactions_and_stays_in_its_workspace(db):
    jane = _contact(db, "Jane Doe")
    record = _log(db, jane, notes='said "yes",\nthen no')
    update_interaction(
        db, ME, record.id, InteractionChanges(summary="renewal terms"), now=NOW + timedelta(minutes=1)
    )
    delete_interaction(db, ME, record.id, now=NOW + timedelta(minutes=2))
    _log(db, _contact(db, "Zed", actor=OTHER_TEAM), actor=OTHER_TEAM)

    out = io.StringIO(newline="")
    assert export_history(db, team_id="T111", fmt="csv", out=out) == 3
    rows = list(csv.DictReader(io.StringIO(out.getvalue(), newline="")))
    assert tuple(rows[0]) == HISTORY_EXPORT_COLUMNS
    assert [(r["team_id"], r["interaction_id"], r["action"], r["actor_user_id"]) for r in rows] == [
        ("T111", str(record.id), action, "U111") for action in ("created", "edited", "deleted")
    ]
    assert rows[1]["at"] == _iso(NOW + timedelta(minutes=1))
    assert json.loads(rows[1]["changes"]) == {"summary": ["renewal talk", "renewal terms"]}
    assert json.loads(rows[0]["changes"])["notes"] == [None, 'said "yes",\nthen no']

    out = io.StringIO()
    assert export_history(db, team_id=None, fmt="json", out=out) == 4
    records = json.loads(out.getvalue())
    assert [r["team_id"] for r in records] == ["T111"] * 3 + ["T222"]
    assert records[2]["changes"] == {} and records[1]["changes"]["summary"] == [
        "renewal talk",
        "renewal terms",
    ]


def test_touchbase_export_history_command(db, monkeypatch, tmp_path, capsys):
    from bot.cli import main

    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_API_URL", "PORT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", db.url)
    monkeypatch.chdir(tmp_path)
    record = _log(db, _contact(db, "Jane Doe"))
    delete_interaction(db, ME, record.id, now=NOW)

    assert main(["export", "history", "--format", "json", "--team", "T111"]) == 0
    captured = capsys.readouterr()
    assert [r["action"] for r in json.loads(captured.out)] == ["created", "deleted"]
    assert captured.err.strip() == "Exported 2 history entries of T111 as json to stdout."
    assert main(["export", "history", "-o", str(tmp_path / "h.csv")]) == 0
    assert "Exported 2 history entries as csv to" in capsys.readouterr().err
    assert (tmp_path / "h.csv").read_text(encoding="utf-8").startswith(",".join(HISTORY_EXPORT_COLUMNS))
