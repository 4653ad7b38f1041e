"""Every surface that shows a thing stays true after it changes, and the user's answer comes first.

The timeline pace is Slack's real one here (a second between messages of a thread): the answer to
Delete, Undo, a list Delete and an Edit must reach Slack before any timeline update, well under it.
"""

from __future__ import annotations

import json
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from blocks import ids
from blocks.metadata import decode_metadata
from bot.domain.records import Actor
from storage.contacts import ContactDraft, create_contact, get_contact
from storage.interactions import InteractionDraft, create_interaction
from storage.timelines import remember_reply, start_thread
from tests.app_harness import FROZEN_NOW, RunningApp, ServedApp, wait_responses
from tests.app_harness import test_settings as settings_for
from tests.blockkit import check_view
from tests.modal_submit import submission
from tests.slack_requests import SlackSender

ME = Actor(team_id="T111", user_id="U111")
NOW = FROZEN_NOW
LA = ZoneInfo("America/Los_Angeles")
PACE = 1.0


@pytest.fixture
def paced(db, fake_slack, clock):
    """The app with Slack's real timeline pace (tests elsewhere set it to 0)."""
    from tests.app_harness import SIGNING_SECRET

    with ServedApp(db, fake_slack, clock, timeline_pace=PACE) as served:
        yield RunningApp(
            url=served.url,
            app=served.app,
            db=db,
            fake=fake_slack,
            slack=SlackSender(served.url, SIGNING_SECRET, response_url_base=fake_slack.url),
            clock=clock,
        )


def _contact(db, name="Jane Doe", **fields):
    return create_contact(db, ME, ContactDraft(name=name, **fields), now=NOW - timedelta(days=400))


def _log(db, contact, when, summary="renewal talk", type="call"):
    record, _ = create_interaction(
        db,
        ME,
        InteractionDraft(contact_id=contact.id, type=type, occurred_at=when, summary=summary),
        now=NOW,
    )
    return record


def _live_thread(db, contact, record):
    """A timeline thread of `contact` that Touchbase keeps live: a parent and the month of `record`."""
    thread_id = start_thread(db, ME, contact.id, "C900", "1700000000.000100", LA, now=NOW)
    month = record.occurred_at.astimezone(LA).strftime("%Y-%m")
    remember_reply(db, ME, thread_id, month, "1700000000.000200")


def _first_timeline_update(fake, timeout=5.0):
    [update] = fake.wait_for("chat.update", timeout=timeout)[:1]
    assert update.args["channel"] == "C900"
    return update


def _sent_at(fake) -> float:
    """When the app received the request: the moment before its first Web API call."""
    return min(call.at for call in fake.calls())


def test_delete_answer_comes_before_the_timeline_update(paced):
    jane = _contact(paced.db)
    record = _log(paced.db, jane, NOW - timedelta(days=1))
    _live_thread(paced.db, jane, record)
    import time

    sent = time.monotonic()
    paced.slack.block_actions([{"action_id": ids.ACTION_DELETE_INTERACTION, "value": str(record.id)}])
    [answer] = wait_responses(paced.fake)
    update = _first_timeline_update(paced.fake)
    assert "Deleted" in answer.args["text"]
    assert answer.at < update.at
    assert answer.at - sent < PACE / 2
    # The thread is refreshed as well, paced: parent, then (a second later) the month.
    paced.fake.wait_for("chat.update", count=2, timeout=5)


def test_undo_answer_comes_before_the_timeline_update(paced):
    jane = _contact(paced.db)
    record = _log(paced.db, jane, NOW - timedelta(days=1))
    _live_thread(paced.db, jane, record)
    from storage.interactions import delete_interaction

    delete_interaction(paced.db, ME, record.id, now=NOW)
    import time

    sent = time.monotonic()
    paced.slack.block_actions([{"action_id": ids.ACTION_UNDO_DELETE, "value": str(record.id)}])
    [answer] = wait_responses(paced.fake)
    update = _first_timeline_update(paced.fake)
    assert "Restored" in answer.args["text"]
    assert answer.at < update.at and answer.at - sent < PACE / 2
    assert get_contact(paced.db, ME, jane.id).last_contacted_at == record.occurred_at


def _open_list(app) -> dict:
    app.slack.command("/interactions", "")
    opened = app.fake.wait_for("views.open")[-1].args["view"]
    check_view(opened)
    return dict(opened, id="VLIST", hash="h")


def test_list_delete_answer_comes_before_the_timeline_update(paced):
    jane = _contact(paced.db)
    record = _log(paced.db, jane, NOW - timedelta(days=1))
    _live_thread(paced.db, jane, record)
    view = _open_list(paced)
    paced.fake.clear()
    import time

    sent = time.monotonic()
    paced.slack.block_actions(
        [
            {
                "action_id": ids.ACTION_ROW_MENU,
                "type": "overflow",
                "selected_option": {"value": f"delete:{record.id}"},
            }
        ],
        view=view,
    )
    [answer] = paced.fake.wait_for("views.update")
    update = _first_timeline_update(paced.fake)
    assert answer.args["view_id"] == "VLIST" and "Deleted" in json.dumps(answer.args["view"])
    assert answer.at < update.at and answer.at - sent < PACE / 2


def test_edit_confirms_updated_before_the_timeline_update(paced):
    jane = _contact(paced.db)
    record = _log(paced.db, jane, NOW - timedelta(days=1))
    _live_thread(paced.db, jane, record)
    paced.slack.block_actions([{"action_id": ids.ACTION_EDIT_INTERACTION, "value": str(record.id)}])
    opened = paced.fake.wait_for("views.open")[-1].args["view"]
    paced.fake.clear()
    import time

    sent = time.monotonic()
    status, _, _ = paced.slack.view_submission(submission(opened, view_id="VEDIT", summary="renewal signed"))
    assert status == 200
    [answer] = paced.fake.wait_for("chat.postEphemeral")
    update = _first_timeline_update(paced.fake)
    assert answer.args["text"].startswith("Updated call with Jane Doe")
    assert "Logged" not in answer.args["text"]
    assert answer.at < update.at and answer.at - sent < PACE / 2


# --- the digest DM, kept true ----------------------------------------------------------------


def _stale_contacts(db, *names):
    contacts = [_contact(db, name, cadence_days=7) for name in names]
    for n, contact in enumerate(contacts):
        _log(db, contact, NOW - timedelta(days=20 + n))
    return contacts


def _digest_click(app, action: dict, contact_id: int) -> None:
    app.slack.block_actions(
        [{**action, "block_id": f"{ids.DIGEST_BLOCK_PREFIX}:{contact_id}"}],
        message={"ts": "1700000000.000900", "text": "Time to touch base", "blocks": []},
        channel_id="D111",
    )


def test_snooze_from_the_digest_updates_the_digest_in_place(touchbase):
    sam, _sue = _stale_contacts(touchbase.db, "Stale Sam", "Stale Sue")
    _digest_click(
        touchbase,
        {
            "action_id": ids.ACTION_SNOOZE_CONTACT,
            "type": "static_select",
            "selected_option": {"value": f"{sam.id}:7"},
        },
        sam.id,
    )
    [update] = touchbase.fake.wait_for("chat.update")
    assert update.args["channel"] == "D111" and update.args["ts"] == "1700000000.000900"
    shown = json.dumps(update.args["blocks"])
    assert "Stale Sue" in shown and "Stale Sam" not in shown
    [answer] = wait_responses(touchbase.fake)
    assert "Snoozed Stale Sam" in answer.args["text"]
    assert answer.args.get("replace_original") is False  # the digest itself is never replaced


def test_snoozing_the_last_one_says_all_caught_up(touchbase):
    [sam] = _stale_contacts(touchbase.db, "Stale Sam")
    _digest_click(
        touchbase,
        {
            "action_id": ids.ACTION_SNOOZE_CONTACT,
            "type": "static_select",
            "selected_option": {"value": f"{sam.id}:30"},
        },
        sam.id,
    )
    [update] = touchbase.fake.wait_for("chat.update")
    assert "all caught up" in update.args["text"]


def test_log_from_the_digest_updates_the_digest_after_saving(touchbase):
    _sam, sue = _stale_contacts(touchbase.db, "Stale Sam", "Stale Sue")
    _digest_click(touchbase, {"action_id": ids.ACTION_LOG_FOR_CONTACT, "value": str(sue.id)}, sue.id)
    opened = touchbase.fake.wait_for("views.open")[-1].args["view"]
    assert decode_metadata(opened["private_metadata"])["surfaces"]["digest"] == ["D111", "1700000000.000900"]
    touchbase.slack.view_submission(submission(opened, view_id="VLOG", type="call", summary="caught up"))
    [update] = touchbase.fake.wait_for("chat.update")
    shown = json.dumps(update.args["blocks"])
    assert "Stale Sam" in shown and "Stale Sue" not in shown


# --- the list, kept true behind the detail view ---------------------------------------------


def _row_ids(view) -> list[int]:
    return [
        int(block["accessory"]["options"][0]["value"].split(":")[1])
        for block in view["blocks"]
        if (block.get("accessory") or {}).get("action_id") == ids.ACTION_ROW_MENU
    ]


def _push_detail(app, list_view, record) -> dict:
    app.slack.block_actions(
        [
            {
                "action_id": ids.ACTION_ROW_MENU,
                "type": "overflow",
                "selected_option": {"value": f"view:{record.id}"},
            }
        ],
        view=list_view,
    )
    detail = app.fake.wait_for("views.push")[-1].args["view"]
    check_view(detail)
    return dict(detail, id="VDETAIL", hash="d")


def test_delete_and_undo_in_the_detail_view_re_render_the_list_behind_it(touchbase):
    jane = _contact(touchbase.db)
    older = _log(touchbase.db, jane, NOW - timedelta(days=3), summary="older")
    latest = _log(touchbase.db, jane, NOW - timedelta(days=1), summary="latest")
    list_view = _open_list(touchbase)
    detail = _push_detail(touchbase, list_view, latest)
    touchbase.fake.clear()

    touchbase.slack.block_actions(
        [{"action_id": ids.ACTION_DELETE_INTERACTION, "value": str(latest.id)}], view=detail
    )
    updates = touchbase.fake.wait_for("views.update", count=2)
    by_view = {u.args["view_id"]: u.args["view"] for u in updates}
    assert ids.ACTION_UNDO_DELETE in json.dumps(by_view["VDETAIL"])
    assert _row_ids(by_view["VLIST"]) == [older.id]
    assert "Deleted" in json.dumps(by_view["VLIST"])

    deleted_detail = dict(by_view["VDETAIL"], id="VDETAIL", hash="d2")
    touchbase.fake.clear()
    touchbase.slack.block_actions(
        [{"action_id": ids.ACTION_UNDO_DELETE, "value": str(latest.id)}], view=deleted_detail
    )
    updates = touchbase.fake.wait_for("views.update", count=2)
    by_view = {u.args["view_id"]: u.args["view"] for u in updates}
    assert _row_ids(by_view["VLIST"]) == [latest.id, older.id]
    assert ids.ACTION_UNDO_DELETE not in json.dumps(by_view["VDETAIL"])
    assert get_contact(touchbase.db, ME, jane.id).last_contacted_at == latest.occurred_at


def test_edit_from_the_detail_view_re_renders_detail_and_list(touchbase):
    jane = _contact(touchbase.db)
    record = _log(touchbase.db, jane, NOW - timedelta(days=1), summary="first words")
    list_view = _open_list(touchbase)
    detail = _push_detail(touchbase, list_view, record)
    touchbase.slack.block_actions(
        [{"action_id": ids.ACTION_EDIT_INTERACTION, "value": str(record.id)}], view=detail
    )
    edit = touchbase.fake.wait_for("views.push", count=2)[-1].args["view"]
    touchbase.fake.clear()
    touchbase.slack.view_submission(submission(edit, view_id="VEDIT", summary="better words"))
    updates = touchbase.fake.wait_for("views.update", count=2)
    by_view = {u.args["view_id"]: json.dumps(u.args["view"]) for u in updates}
    assert "better words" in by_view["VDETAIL"] and "better words" in by_view["VLIST"]
    assert "Updated" in by_view["VLIST"]
    # The views the user is looking at are the answer: no DM repeats it.
    assert touchbase.fake.calls("chat.postMessage") == []


def test_card_shows_one_next_touch_label(touchbase):
    _contact(touchbase.db, "Jane Doe", cadence_days=30)
    touchbase.slack.command("/contact", "Jane Doe")
    [answer] = wait_responses(touchbase.fake)
    text = json.dumps(answer.args["blocks"])
    assert text.count("Next touch") == 1 and "Next touch due" not in text


def test_timeline_messages_carry_no_frozen_relative_time(touchbase):
    jane = _contact(touchbase.db)
    _log(touchbase.db, jane, NOW - timedelta(hours=1))
    touchbase.slack.command("/timeline", "Jane Doe")
    posts = touchbase.fake.wait_for("chat.postMessage", count=2)
    for post in posts:
        text = json.dumps(post.args["blocks"])
        assert "hour ago" not in text and "hours ago" not in text
    parent = json.dumps(posts[0].args["blocks"])
    assert "^{ago}|" in parent  # Slack renders it for each reader, now
    assert "America/Los_Angeles time" in parent  # months are stated in the poster's zone


# --- App Home: the weekly team digest channel, set by an admin ------------------------------


def test_an_admin_sets_the_team_digest_channel_from_app_home(touchbase):
    from storage.user_settings import get_team_digest_channel

    touchbase.fake.set_user("U111", is_admin=True)
    touchbase.slack.event({"type": "app_home_opened", "user": "U111", "tab": "home"})
    home = touchbase.fake.wait_for("views.publish")[-1].args["view"]
    assert ids.ACTION_HOME_TEAM_CHANNEL in json.dumps(home)
    touchbase.slack.block_actions(
        [
            {
                "action_id": ids.ACTION_HOME_TEAM_CHANNEL,
                "type": "conversations_select",
                "selected_conversation": "C777",
            }
        ],
        view={
            "type": "home",
            "id": "VHOME",
            "blocks": [],
            "private_metadata": home.get("private_metadata", ""),
        },
    )
    republished = touchbase.fake.wait_for("views.publish", count=2)[-1].args["view"]
    assert get_team_digest_channel(touchbase.db, ME) == "C777"
    assert "<#C777>" in json.dumps(republished)
    touchbase.slack.block_actions(
        [{"action_id": ids.ACTION_HOME_TEAM_CHANNEL_OFF, "value": "off"}],
        view={"type": "home", "id": "VHOME", "blocks": []},
    )
    touchbase.fake.wait_for("views.publish", count=3)
    assert get_team_digest_channel(touchbase.db, ME) is None


def test_a_member_neither_sees_nor_sets_the_team_digest_channel(touchbase):
    from storage.user_settings import get_team_digest_channel

    touchbase.slack.event({"type": "app_home_opened", "user": "U111", "tab": "home"})
    home = touchbase.fake.wait_for("views.publish")[-1].args["view"]
    assert ids.ACTION_HOME_TEAM_CHANNEL not in json.dumps(home)
    touchbase.slack.block_actions(
        [
            {
                "action_id": ids.ACTION_HOME_TEAM_CHANNEL,
                "type": "conversations_select",
                "selected_conversation": "C777",
            }
        ],
        view={"type": "home", "id": "VHOME", "blocks": []},
    )
    touchbase.fake.wait_for("views.publish", count=2)
    [said] = touchbase.fake.wait_for("chat.postMessage")
    assert "Only a workspace admin" in said.args["text"]
    assert get_team_digest_channel(touchbase.db, ME) is None


def test_snooze_from_app_home_republishes_home_without_that_contact(touchbase):
    sam, _sue = _stale_contacts(touchbase.db, "Stale Sam", "Stale Sue")
    touchbase.slack.event({"type": "app_home_opened", "user": "U111", "tab": "home"})
    home = touchbase.fake.wait_for("views.publish")[-1].args["view"]
    assert "Stale Sam" in json.dumps(home)
    touchbase.slack.block_actions(
        [
            {
                "action_id": ids.ACTION_SNOOZE_CONTACT,
                "type": "static_select",
                "selected_option": {"value": f"{sam.id}:7"},
            }
        ],
        view={"type": "home", "id": "VHOME", "blocks": [], "private_metadata": home["private_metadata"]},
    )
    republished = json.dumps(touchbase.fake.wait_for("views.publish", count=2)[-1].args["view"])
    # Sam's snooze menu (value "<id>:7") is gone from the overdue list; Sue's is still there.
    assert f'"{sam.id}:7"' not in republished and f'"{_sue.id}:7"' in republished


# --- a crash between the answer and the refresh is repaired at restart ----------------------


def test_threads_a_crash_left_stale_are_refreshed_when_the_scheduler_starts(touchbase):
    """Side effects run after the answer; a process killed in between leaves a thread stale.

    The scheduler's first job after a start re-renders every thread of contacts changed in the
    last half hour, so the thread shows the change although its refresh never ran."""
    from bot.services import Services
    from bot.services.timeline import repair_timelines
    from bot.services.users import UserDirectory
    from storage.interactions import InteractionChanges, update_interaction

    jane = _contact(touchbase.db)
    record = _log(touchbase.db, jane, NOW - timedelta(days=1), summary="before the crash")
    _live_thread(touchbase.db, jane, record)
    other = _contact(touchbase.db, "Old News")
    old = _log(touchbase.db, other, NOW - timedelta(days=40))
    _live_thread(touchbase.db, other, old)
    touchbase.clock.advance(hours=2)  # Old News's interaction is well outside the window now
    # Saved, answered, then killed: the refresh that was queued never ran.
    update_interaction(
        touchbase.db, ME, record.id, InteractionChanges(summary="after the crash"), now=touchbase.clock()
    )
    assert touchbase.fake.calls("chat.update") == []

    svc = Services(
        settings=settings_for(touchbase.db.url, touchbase.fake.url),
        db=touchbase.db,
        users=UserDirectory(touchbase.app.client),
        clock=touchbase.clock,
        timeline_pace_seconds=0,
    )
    assert repair_timelines(svc, lambda team: touchbase.app.client, now=touchbase.clock()) == 1
    updates = touchbase.fake.calls("chat.update")
    assert {u.args["ts"] for u in updates} == {"1700000000.000100", "1700000000.000200"}
    assert "after the crash" in json.dumps([u.args["blocks"] for u in updates])
