"""/interactions, the detail view and App Home, end to end."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from blocks import ids
from bot.domain.records import Actor
from storage.contacts import ContactDraft, create_contact, get_contact
from storage.interactions import InteractionDraft, create_interaction
from tests.blockkit import check_view

ME = Actor(team_id="T111", user_id="U111")
OTHER_TEAM = Actor(team_id="T999", user_id="U999")
NOW = datetime(2026, 3, 11, 17, 0, tzinfo=UTC)


def _log(db, contact, when, *, actor=ME, type="call", summary=None):
    record, _ = create_interaction(
        db,
        actor,
        InteractionDraft(
            contact_id=contact.id, type=type, occurred_at=when, summary=summary or f"at {when.isoformat()}"
        ),
        now=NOW,
    )
    return record


def _row_ids(view) -> list[int]:
    found = []
    for block in view["blocks"]:
        accessory = block.get("accessory") or {}
        if accessory.get("action_id") == ids.ACTION_ROW_MENU:
            found.append(int(accessory["options"][0]["value"].split(":")[1]))
    return found


def _range_label(view) -> str | None:
    for block in view["blocks"]:
        if block["type"] == "context":
            text = block["elements"][0]["text"]
            if " of " in text:
                return text
    return None


def _buttons(view) -> set[str]:
    return {e["action_id"] for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]}


def _latest_view(fake) -> dict:
    calls = [c for c in fake.calls() if c.method in ("views.open", "views.update")]
    view = calls[-1].args["view"]
    check_view(view)
    return dict(view, id="VLIST", hash="h")


def _press(touchbase, view, action_id, **extra):
    count = len(touchbase.fake.calls("views.update"))
    touchbase.slack.block_actions([{"action_id": action_id, **extra}], view=view)
    touchbase.fake.wait_for("views.update", count=count + 1)
    return _latest_view(touchbase.fake)


def test_list_pages_forward_and_back_without_gaps_or_repeats(touchbase):
    jane = create_contact(touchbase.db, ME, ContactDraft(name="Jane Doe"), now=NOW)
    created = {}
    for i in range(107):
        # Three at a time share a timestamp, so the id must break ties.
        record = _log(touchbase.db, jane, NOW - timedelta(hours=i // 3))
        created[record.id] = record.occurred_at
    touchbase.slack.command("/interactions", "")
    touchbase.fake.wait_for("views.open")
    view = _latest_view(touchbase.fake)
    assert _range_label(view) == "1–15 of 107"
    assert ids.ACTION_PAGE_PREV not in _buttons(view)
    pages = [_row_ids(view)]
    while ids.ACTION_PAGE_NEXT in _buttons(view):
        view = _press(touchbase, view, ids.ACTION_PAGE_NEXT, value="next")
        pages.append(_row_ids(view))
    walked = [i for page in pages for i in page]
    assert len(walked) == 107 and set(walked) == set(created)
    assert _range_label(view) == "106–107 of 107"
    # Newest first: by occurred_at, then id, both descending.
    assert walked == sorted(created, key=lambda i: (created[i], i), reverse=True)
    back = [_row_ids(view)]
    while ids.ACTION_PAGE_PREV in _buttons(view):
        view = _press(touchbase, view, ids.ACTION_PAGE_PREV, value="prev")
        back.append(_row_ids(view))
    assert back[::-1] == pages
    assert _range_label(view) == "1–15 of 107"


def test_new_interactions_between_page_turns_cause_no_gaps_or_repeats(touchbase):
    jane = create_contact(touchbase.db, ME, ContactDraft(name="Jane Doe"), now=NOW)
    original = {_log(touchbase.db, jane, NOW - timedelta(hours=i)).id for i in range(40)}
    touchbase.slack.command("/interactions", "")
    touchbase.fake.wait_for("views.open")
    view = _latest_view(touchbase.fake)
    seen = _row_ids(view)
    while ids.ACTION_PAGE_NEXT in _buttons(view):
        _log(touchbase.db, jane, NOW - timedelta(minutes=1))  # newer than anything listed
        view = _press(touchbase, view, ids.ACTION_PAGE_NEXT, value="next")
        seen += _row_ids(view)
    assert len(seen) == len(set(seen)) and set(seen) == original


def test_text_filters_open_the_list_filtered_and_sorted(touchbase):
    jane = create_contact(touchbase.db, ME, ContactDraft(name="Jane Doe"), now=NOW)
    bob = create_contact(touchbase.db, ME, ContactDraft(name="Bob Stone"), now=NOW)
    old_call = _log(touchbase.db, jane, NOW - timedelta(days=60), type="call")
    recent_call = _log(touchbase.db, jane, NOW - timedelta(days=10), type="call")
    recent_call_2 = _log(touchbase.db, jane, NOW - timedelta(days=5), type="call")
    _log(touchbase.db, jane, NOW - timedelta(days=3), type="email")
    _log(touchbase.db, bob, NOW - timedelta(days=2), type="call")
    touchbase.slack.command("/interactions", 'jane type:call since:"last month" sort:oldest')
    touchbase.fake.wait_for("views.open")
    view = _latest_view(touchbase.fake)
    assert _row_ids(view) == [recent_call.id, recent_call_2.id]
    assert old_call.id not in _row_ids(view)
    filters = next(b for b in view["blocks"] if b.get("block_id") == ids.BLOCK_LIST_FILTERS)["elements"]
    by_id = {e["action_id"]: e for e in filters}
    assert by_id[ids.ACTION_FILTER_CONTACT]["initial_option"]["value"] == str(jane.id)
    assert by_id[ids.ACTION_FILTER_SORT]["initial_option"]["value"] == "oldest"


def test_author_filter_from_text_and_empty_state(touchbase):
    jane = create_contact(touchbase.db, ME, ContactDraft(name="Jane Doe"), now=NOW)
    mine = _log(touchbase.db, jane, NOW - timedelta(days=1))
    _log(touchbase.db, jane, NOW - timedelta(days=2), actor=Actor("T111", "U222"))
    touchbase.slack.command("/interactions", "by:me")
    touchbase.fake.wait_for("views.open")
    assert _row_ids(_latest_view(touchbase.fake)) == [mine.id]
    touchbase.slack.command("/interactions", "by:<@U333|nobody>")
    touchbase.fake.wait_for("views.open", count=2)
    empty = _latest_view(touchbase.fake)
    assert _row_ids(empty) == [] and "No interactions match" in json.dumps(empty)


def test_changing_a_filter_in_the_modal_re_renders_from_page_one(touchbase):
    jane = create_contact(touchbase.db, ME, ContactDraft(name="Jane Doe"), now=NOW)
    email = _log(touchbase.db, jane, NOW - timedelta(days=1), type="email")
    for i in range(20):
        _log(touchbase.db, jane, NOW - timedelta(days=2, hours=i), type="call")
    touchbase.slack.command("/interactions", "")
    touchbase.fake.wait_for("views.open")
    view = _latest_view(touchbase.fake)
    view["state"] = {
        "values": {
            ids.BLOCK_LIST_FILTERS: {
                ids.ACTION_FILTER_TYPES: {
                    "type": "multi_static_select",
                    "selected_options": [{"text": {"type": "plain_text", "text": "Email"}, "value": "email"}],
                }
            }
        }
    }
    view = _press(touchbase, view, ids.ACTION_FILTER_TYPES, type="multi_static_select")
    assert _row_ids(view) == [email.id] and _range_label(view) == "1–1 of 1"
    cleared = _press(touchbase, view, ids.ACTION_CLEAR_FILTERS, value="clear")
    assert _range_label(cleared) == "1–15 of 21"


def test_other_workspaces_never_show_up(touchbase):
    theirs = create_contact(touchbase.db, OTHER_TEAM, ContactDraft(name="Jane Doe"), now=NOW)
    _log(touchbase.db, theirs, NOW - timedelta(days=1), actor=OTHER_TEAM)
    touchbase.slack.command("/interactions", "")
    touchbase.fake.wait_for("views.open")
    view = _latest_view(touchbase.fake)
    assert _row_ids(view) == [] and "Nothing logged yet" in json.dumps(view)


def test_row_menu_view_pushes_the_detail_and_delete_offers_undo(touchbase):
    jane = create_contact(touchbase.db, ME, ContactDraft(name="Jane Doe"), now=NOW)
    older = _log(touchbase.db, jane, NOW - timedelta(days=3), summary="older")
    latest = _log(touchbase.db, jane, NOW - timedelta(days=1), summary="latest")
    touchbase.slack.command("/interactions", "")
    touchbase.fake.wait_for("views.open")
    view = _latest_view(touchbase.fake)

    touchbase.slack.block_actions(
        [
            {
                "action_id": ids.ACTION_ROW_MENU,
                "type": "overflow",
                "selected_option": {"value": f"view:{latest.id}"},
            }
        ],
        view=view,
    )
    detail = touchbase.fake.wait_for("views.push")[0].args["view"]
    check_view(detail)
    assert "latest" in json.dumps(detail)

    after_delete = _press(
        touchbase,
        view,
        ids.ACTION_ROW_MENU,
        type="overflow",
        selected_option={"value": f"delete:{latest.id}"},
    )
    assert _row_ids(after_delete) == [older.id]
    assert "Deleted" in json.dumps(after_delete)
    assert get_contact(touchbase.db, ME, jane.id).last_contacted_at == older.occurred_at
    restored = _press(touchbase, after_delete, ids.ACTION_UNDO_DELETE, value=str(latest.id))
    assert _row_ids(restored) == [latest.id, older.id]
    assert get_contact(touchbase.db, ME, jane.id).last_contacted_at == latest.occurred_at


def test_detail_of_another_workspaces_interaction_is_refused(touchbase):
    theirs = create_contact(touchbase.db, OTHER_TEAM, ContactDraft(name="X"), now=NOW)
    record = _log(touchbase.db, theirs, NOW - timedelta(days=1), actor=OTHER_TEAM)
    touchbase.slack.block_actions([{"action_id": ids.ACTION_VIEW_INTERACTION, "value": str(record.id)}])
    from tests.app_harness import wait_responses

    [answer] = wait_responses(touchbase.fake)
    assert "doesn't exist" in answer.args["text"]
    assert touchbase.fake.calls("views.open") == []


# --- App Home ------------------------------------------------------------------------------


def test_app_home_shows_overdue_contacts_recent_interactions_and_digest_settings(touchbase):
    fresh = create_contact(touchbase.db, ME, ContactDraft(name="Fresh Friend"), now=NOW)
    _log(touchbase.db, fresh, NOW - timedelta(days=1))
    stale = create_contact(touchbase.db, ME, ContactDraft(name="Stale Sam", cadence_days=7), now=NOW)
    _log(touchbase.db, stale, NOW - timedelta(days=20))
    staler = create_contact(touchbase.db, ME, ContactDraft(name="Staler Sue", cadence_days=7), now=NOW)
    _log(touchbase.db, staler, NOW - timedelta(days=40))
    colleague = Actor("T111", "U222")
    not_mine = create_contact(touchbase.db, colleague, ContactDraft(name="Not Mine", cadence_days=1), now=NOW)
    _log(touchbase.db, not_mine, NOW - timedelta(days=40), actor=colleague)  # stale, but U222's
    # Same user id in another workspace: still not this person's Home.
    elsewhere = Actor("T999", "U111")
    theirs = create_contact(
        touchbase.db, elsewhere, ContactDraft(name="Other Workspace", cadence_days=1), now=NOW
    )
    _log(touchbase.db, theirs, NOW - timedelta(days=40), actor=elsewhere)  # stale there, and recent there
    touchbase.slack.event({"type": "app_home_opened", "user": "U111", "tab": "home"})
    view = touchbase.fake.wait_for("views.publish")[0].args["view"]
    check_view(view)
    text = json.dumps(view)
    assert view["type"] == "home"
    assert text.index("Staler Sue") < text.index("Stale Sam")  # most overdue first
    assert "Fresh Friend" in text  # in recent interactions, not overdue
    mine = text[: text.index('"*Team*"')]  # the Team section shows teammates' stale contacts too
    assert "Not Mine" not in mine and "Other Workspace" not in text
    assert "Not Mine" in text[len(mine) :] and "<@U222>" in text[len(mine) :]
    assert ids.ACTION_HOME_DIGEST_TIME in text and "09:00" in text


def test_changing_the_digest_time_in_app_home_saves_and_republishes(touchbase):
    from storage.user_settings import get_user_settings

    touchbase.slack.block_actions(
        [
            {
                "action_id": ids.ACTION_HOME_DIGEST_TIME,
                "type": "static_select",
                "selected_option": {"value": "07:30"},
            }
        ],
        view={"type": "home", "id": "VHOME", "blocks": []},
    )
    touchbase.fake.wait_for("views.publish")
    assert get_user_settings(touchbase.db, ME).time == "07:30"
    touchbase.slack.block_actions(
        [
            {
                "action_id": ids.ACTION_HOME_DIGEST_DAYS,
                "type": "checkboxes",
                "selected_options": [{"value": "5"}],
            }
        ],
        view={"type": "home", "id": "VHOME", "blocks": []},
    )
    touchbase.fake.wait_for("views.publish", count=2)
    assert get_user_settings(touchbase.db, ME).weekdays == frozenset({5})


def test_delete_and_undo_from_the_detail_view_update_that_view(touchbase):
    jane = create_contact(touchbase.db, ME, ContactDraft(name="Jane Doe"), now=NOW)
    record = _log(touchbase.db, jane, NOW - timedelta(days=1), summary="in detail")
    detail = {"type": "modal", "id": "VDETAIL", "callback_id": ids.DETAIL_MODAL, "blocks": []}
    touchbase.slack.block_actions(
        [{"action_id": ids.ACTION_DELETE_INTERACTION, "value": str(record.id)}], view=detail
    )
    deleted_view = touchbase.fake.wait_for("views.update")[0].args
    check_view(deleted_view["view"])
    assert deleted_view["view_id"] == "VDETAIL"
    assert ids.ACTION_UNDO_DELETE in json.dumps(deleted_view["view"])
    assert get_contact(touchbase.db, ME, jane.id).last_contacted_at is None

    touchbase.slack.block_actions(
        [{"action_id": ids.ACTION_UNDO_DELETE, "value": str(record.id)}], view=detail
    )
    restored_view = touchbase.fake.wait_for("views.update", count=2)[1].args["view"]
    check_view(restored_view)
    assert ids.ACTION_UNDO_DELETE not in json.dumps(restored_view)
    assert get_contact(touchbase.db, ME, jane.id).last_contacted_at == record.occurred_at
