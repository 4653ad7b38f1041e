"""/timeline: a contact's history as a thread (parent + one reply per month), kept live afterwards.

End to end through the signed endpoint and the fake Slack, on SQLite and PostgreSQL; renderer
limits are checked with tests/blockkit.py on every message the app sends.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

import bot.services.timeline
import handlers.timeline
from blocks import ids
from blocks.timeline import (
    EMPTY_MONTH,
    MONTH_ITEMS_MAX,
    TIMELINE_MONTHS_MAX,
    group_by_month,
    month_reply,
    timeline_parent,
)
from bot.domain.records import Actor, ContactRecord, InteractionRecord
from bot.services import Services
from bot.services.users import UserDirectory
from storage.contacts import ContactDraft, create_contact
from storage.interactions import (
    InteractionChanges,
    InteractionDraft,
    create_interaction,
    delete_interaction,
    restore_interaction,
    update_interaction,
)
from storage.timelines import (
    contact_history,
    month_interactions,
    remember_reply,
    start_thread,
    threads_for_contact,
)
from tests import app_harness
from tests.app_harness import FROZEN_NOW, wait_responses
from tests.blockkit import check_blocks

ACTOR = Actor(team_id="T111", user_id="U111")
OTHER_WORKSPACE = Actor(team_id="T222", user_id="U222")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")  # the fake Slack's default user time zone


@pytest.fixture
def tb(touchbase):
    """The app with the timeline listeners (a second registration is harmless: the first match wins)."""
    handlers.timeline.register(touchbase.app)
    return touchbase


def services_for(tb) -> Services:
    """What refresh_timelines needs, as the app's own listeners get it."""
    settings = app_harness.test_settings(tb.db.url, tb.fake.url)
    return Services(
        settings=settings,
        db=tb.db,
        users=UserDirectory(tb.app.client),
        clock=tb.clock,
        timeline_pace_seconds=0,
    )


def add_contact(db, name: str, actor: Actor = ACTOR, **fields) -> ContactRecord:
    return create_contact(db, actor, ContactDraft(name=name, **fields), now=FROZEN_NOW)


def log(
    db,
    contact: ContactRecord,
    when: datetime,
    summary: str,
    kind: str = "call",
    actor: Actor = ACTOR,
    now: datetime = FROZEN_NOW,
) -> InteractionRecord:
    draft = InteractionDraft(contact_id=contact.id, type=kind, occurred_at=when, summary=summary)
    record, _ = create_interaction(db, actor, draft, now=now)
    return record


def posted(fake, method: str = "chat.postMessage") -> list:
    """Calls that carry blocks, each checked against Block Kit's message limits."""
    calls = [call for call in fake.calls(method) if "blocks" in call.args]
    for call in calls:
        check_blocks(call.args["blocks"])
    return calls


def header_of(call) -> str:
    return call.args["blocks"][0]["text"]["text"]


def everything(call) -> str:
    return json.dumps(call.args["blocks"], ensure_ascii=False)


def wait_confirmation(fake) -> str:
    [answer] = wait_responses(fake, 1, timeout=30)
    return answer.args["text"]


def jane_with_history(db) -> tuple[ContactRecord, list[InteractionRecord]]:
    jane = add_contact(db, "Jane Doe", company="Acme")
    records = [
        log(db, jane, datetime(2026, 1, 5, 18, tzinfo=UTC), "kickoff call"),
        log(db, jane, datetime(2026, 1, 20, 18, tzinfo=UTC), "sent the proposal", "email"),
        log(db, jane, datetime(2026, 2, 10, 18, tzinfo=UTC), "pricing workshop", "meeting"),
        # 07:00 UTC on March 1st is still February 28th in Los Angeles.
        log(db, jane, datetime(2026, 3, 1, 7, tzinfo=UTC), "late-night follow-up", "message"),
        log(db, jane, datetime(2026, 3, 10, 18, tzinfo=UTC), "renewal <@channel> & notes", "note"),
    ]
    return jane, records


# --- /timeline NAME ------------------------------------------------------------------------


def test_timeline_posts_parent_then_one_reply_per_month_oldest_first_in_its_thread(tb):
    jane, _ = jane_with_history(tb.db)

    status, _, _ = tb.slack.command("/timeline", "Jane", channel_id="C111")

    assert status == 200
    assert wait_confirmation(tb.fake) == "Posted Jane Doe's timeline in <#C111>."
    parent, *replies = posted(tb.fake)
    assert parent.args["channel"] == "C111" and "thread_ts" not in parent.args
    assert header_of(parent) == "Timeline: Jane Doe"
    summary = everything(parent)
    assert "Acme" in summary and "2 calls" not in summary and "1 call" in summary and "1 email" in summary
    assert "Showing the latest" not in summary

    [thread] = threads_for_contact(tb.db, ACTOR, jane.id)
    assert (thread.channel_id, thread.tz) == ("C111", "America/Los_Angeles")
    assert [header_of(r) for r in replies] == ["January 2026", "February 2026", "March 2026"]
    assert {r.args["thread_ts"] for r in replies} == {thread.thread_ts}
    assert {r.args["channel"] for r in replies} == {"C111"}
    assert list(thread.replies) == ["2026-01", "2026-02", "2026-03"]
    february = everything(replies[1])
    assert "pricing workshop" in february and "late-night follow-up" in february
    # Typed text is escaped: no @channel ping, no forged markup.
    assert "renewal &lt;@channel&gt; &amp; notes" in everything(replies[2])
    view_buttons = [b["accessory"] for r in replies for b in r.args["blocks"] if "accessory" in b]
    assert len(view_buttons) == 5
    assert {b["action_id"] for b in view_buttons} == {ids.ACTION_VIEW_INTERACTION}


def test_timeline_of_a_contact_without_interactions_posts_just_the_parent(tb):
    add_contact(tb.db, "Quiet Quentin")

    tb.slack.command("/timeline", "Quiet Quentin")

    assert wait_confirmation(tb.fake) == "Posted Quiet Quentin's timeline in <#C111>."
    [parent] = posted(tb.fake)
    assert "No interactions yet" in everything(parent)


def test_timeline_goes_to_a_dm_when_the_app_cannot_post_in_the_channel(tb):
    jane_with_history(tb.db)
    tb.fake.fail("chat.postMessage", "not_in_channel", times=1)

    tb.slack.command("/timeline", "Jane Doe", channel_id="C999")

    assert "in our DM" in wait_confirmation(tb.fake)
    assert tb.fake.last("conversations.open").args["users"] == "U111"
    refused, *delivered = tb.fake.calls("chat.postMessage")
    assert refused.args["channel"] == "C999"
    assert {call.args["channel"] for call in delivered} == {"DU111"}
    assert len(delivered) == 4  # the parent and three months


@pytest.mark.parametrize("error", ["channel_not_found", "is_archived"])
def test_other_unreachable_channels_fall_back_to_the_dm_too(tb, error):
    jane, _ = jane_with_history(tb.db)
    tb.fake.fail("chat.postMessage", error, times=1)

    tb.slack.command("/timeline", "Jane Doe", channel_id="C999")

    assert "in our DM" in wait_confirmation(tb.fake)
    [thread] = threads_for_contact(tb.db, ACTOR, jane.id)
    assert thread.channel_id == "DU111"


def test_ambiguous_name_offers_the_matching_contacts_and_posts_nothing(tb):
    add_contact(tb.db, "Jane Doe")
    add_contact(tb.db, "Jane Roe")

    tb.slack.command("/timeline", "Jane")

    [answer] = wait_responses(tb.fake)
    buttons = [e for b in answer.args["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert {b["text"]["text"] for b in buttons if b["action_id"] == ids.ACTION_SHOW_CONTACT} == {
        "Jane Doe",
        "Jane Roe",
    }
    assert answer.args["response_type"] == "ephemeral"
    assert tb.fake.calls("chat.postMessage") == []


def test_unknown_name_says_so_and_posts_nothing(tb):
    add_contact(tb.db, "Jane Doe")

    tb.slack.command("/timeline", "Zebulon")

    [answer] = wait_responses(tb.fake)
    assert "No contact matches “Zebulon”" in json.dumps(answer.args["blocks"], ensure_ascii=False)
    assert tb.fake.calls("chat.postMessage") == []


@pytest.mark.parametrize("text", ["", "help"])
def test_timeline_without_a_name_explains_itself(tb, text):
    tb.slack.command("/timeline", text)

    [answer] = wait_responses(tb.fake)
    assert "/timeline NAME" in answer.args["text"]
    assert tb.fake.calls("chat.postMessage") == []


def test_huge_history_is_posted_in_bounded_replies_with_a_note_on_seeing_the_rest(tb):
    jane = add_contact(tb.db, "Jane Doe")
    # 400 interactions over the last 36 months, about one every 2.7 days.
    for n in range(400):
        log(
            tb.db,
            jane,
            FROZEN_NOW - timedelta(hours=1 + n * 65.7),
            f"touch {n}",
            ("call", "email", "note")[n % 3],
        )

    tb.slack.command("/timeline", "Jane Doe")

    wait_confirmation(tb.fake)
    parent, *replies = posted(tb.fake)  # every message passes the Block Kit checks
    assert 1 <= len(replies) <= TIMELINE_MONTHS_MAX
    shown = sum(_reply_count(reply) for reply in replies)
    assert shown <= 300
    assert f"Showing the latest {shown} of 400 — use `/interactions Jane Doe` for the rest" in everything(
        parent
    )
    months = list(threads_for_contact(tb.db, ACTOR, jane.id)[0].replies)
    assert months == sorted(months) and months[-1] == "2026-03"
    assert "touch 0" in everything(replies[-1])  # the latest one is there


def _reply_count(reply) -> int:
    count_text = reply.args["blocks"][1]["elements"][0]["text"]  # "12 interactions"
    return int(count_text.split()[0].replace(",", ""))


def test_rate_limited_parent_is_retried_and_posted_once(tb):
    jane, _ = jane_with_history(tb.db)
    tb.fake.respond_with("chat.postMessage", 429, headers={"Retry-After": "0"}, times=1)

    tb.slack.command("/timeline", "Jane Doe")

    assert wait_confirmation(tb.fake) == "Posted Jane Doe's timeline in <#C111>."
    calls = tb.fake.calls("chat.postMessage")
    parents = [c for c in calls if "thread_ts" not in c.args]
    assert len(parents) == 2  # the 429, then the retry that landed
    [thread] = threads_for_contact(tb.db, ACTOR, jane.id)
    assert len([c for c in calls if c.args.get("thread_ts") == thread.thread_ts]) == 3


# --- the Timeline button -------------------------------------------------------------------


def test_timeline_button_posts_in_the_channel_it_was_clicked_in(tb):
    jane, _ = jane_with_history(tb.db)

    tb.slack.block_actions(
        [{"action_id": ids.ACTION_OPEN_TIMELINE, "value": str(jane.id)}], channel_id="C222"
    )

    [answer] = wait_responses(tb.fake, timeout=30)
    assert answer.args["text"] == "Posted Jane Doe's timeline in <#C222>."
    assert answer.args.get("replace_original") is False  # the card clicked on stays
    assert {c.args["channel"] for c in posted(tb.fake)} == {"C222"}


def test_timeline_button_in_a_modal_posts_in_the_dm(tb):
    jane, _ = jane_with_history(tb.db)
    modal = {"type": "modal", "callback_id": ids.DETAIL_MODAL, "blocks": []}

    tb.slack.block_actions([{"action_id": ids.ACTION_OPEN_TIMELINE, "value": str(jane.id)}], view=modal)

    tb.fake.wait_for("chat.postMessage", 5, timeout=30)  # parent, three months, then the confirmation
    calls = tb.fake.calls("chat.postMessage")
    assert {c.args["channel"] for c in calls} == {"DU111"}
    assert "in our DM" in calls[-1].args["text"]


def test_another_workspaces_contact_id_gets_a_plain_not_found_and_nothing_is_posted(tb):
    theirs = add_contact(tb.db, "Their Secret Client", actor=OTHER_WORKSPACE)
    log(tb.db, theirs, FROZEN_NOW - timedelta(days=1), "confidential deal", actor=OTHER_WORKSPACE)

    tb.slack.block_actions([{"action_id": ids.ACTION_OPEN_TIMELINE, "value": str(theirs.id)}])

    [answer] = wait_responses(tb.fake)
    assert answer.args["text"] == "That contact doesn't exist in this workspace."
    assert tb.fake.calls("chat.postMessage") == []
    assert threads_for_contact(tb.db, OTHER_WORKSPACE, theirs.id) == []


def test_a_name_from_another_workspace_is_not_found(tb):
    add_contact(tb.db, "Their Secret Client", actor=OTHER_WORKSPACE)

    tb.slack.command("/timeline", "Their Secret Client")

    [answer] = wait_responses(tb.fake)
    assert "No contact matches" in answer.args["text"]
    assert tb.fake.calls("chat.postMessage") == []


# --- keeping the thread live ---------------------------------------------------------------


def start_jane_thread(tb) -> tuple[ContactRecord, list[InteractionRecord]]:
    jane, records = jane_with_history(tb.db)
    tb.slack.command("/timeline", "Jane Doe")
    wait_confirmation(tb.fake)
    tb.fake.clear()
    return jane, records


def test_logging_in_a_new_month_appends_a_reply_and_updates_the_parent(tb):
    jane, _ = start_jane_thread(tb)
    tb.clock.advance(days=30)
    record = log(tb.db, jane, tb.clock.now, "april check-in", now=tb.clock.now)

    bot.services.timeline.refresh_timelines(
        tb.app.client, services_for(tb), ACTOR, {jane.id}, [record.occurred_at], now=FROZEN_NOW
    )

    [thread] = threads_for_contact(tb.db, ACTOR, jane.id)
    [parent] = posted(tb.fake, "chat.update")
    assert parent.args["ts"] == thread.thread_ts
    assert "*Interactions*\\n6" in everything(parent)
    [april] = posted(tb.fake)
    assert april.args["thread_ts"] == thread.thread_ts
    assert header_of(april) == "April 2026" and "april check-in" in everything(april)
    assert list(thread.replies)[-1] == "2026-04"


def test_logging_in_a_month_already_shown_updates_that_reply(tb):
    jane, _ = start_jane_thread(tb)
    [thread] = threads_for_contact(tb.db, ACTOR, jane.id)
    record = log(tb.db, jane, datetime(2026, 2, 3, 18, tzinfo=UTC), "quick sync")

    bot.services.timeline.refresh_timelines(
        tb.app.client, services_for(tb), ACTOR, {jane.id}, [record.occurred_at], now=FROZEN_NOW
    )

    parent, february = posted(tb.fake, "chat.update")
    assert parent.args["ts"] == thread.thread_ts
    assert february.args["ts"] == thread.replies["2026-02"]
    assert "quick sync" in everything(february) and "pricing workshop" in everything(february)
    assert tb.fake.calls("chat.postMessage") == []


def test_editing_an_interaction_into_another_month_updates_both_replies(tb):
    jane, records = start_jane_thread(tb)
    [thread] = threads_for_contact(tb.db, ACTOR, jane.id)
    workshop = records[2]
    moved = update_interaction(
        tb.db,
        ACTOR,
        workshop.id,
        InteractionChanges(
            occurred_at=datetime(2026, 1, 25, 18, tzinfo=UTC), summary="pricing workshop (moved)"
        ),
        now=FROZEN_NOW,
    )

    bot.services.timeline.refresh_timelines(
        tb.app.client,
        services_for(tb),
        ACTOR,
        {jane.id},
        [workshop.occurred_at, moved.occurred_at],
        now=FROZEN_NOW,
    )

    updates = {call.args["ts"]: everything(call) for call in posted(tb.fake, "chat.update")}
    assert "pricing workshop (moved)" in updates[thread.replies["2026-01"]]
    assert "pricing workshop" not in updates[thread.replies["2026-02"]]
    assert "late-night follow-up" in updates[thread.replies["2026-02"]]


def test_deleting_the_last_interaction_of_a_month_keeps_the_reply_saying_so(tb):
    jane, records = start_jane_thread(tb)
    [thread] = threads_for_contact(tb.db, ACTOR, jane.id)
    note = records[4]
    svc = services_for(tb)

    delete_interaction(tb.db, ACTOR, note.id, now=FROZEN_NOW)
    bot.services.timeline.refresh_timelines(
        tb.app.client, svc, ACTOR, {jane.id}, [note.occurred_at], now=FROZEN_NOW
    )

    march = [c for c in posted(tb.fake, "chat.update") if c.args["ts"] == thread.replies["2026-03"]]
    assert EMPTY_MONTH in everything(march[0])
    assert tb.fake.calls("chat.delete") == []

    tb.fake.clear()
    restore_interaction(tb.db, ACTOR, note.id, now=FROZEN_NOW)
    bot.services.timeline.refresh_timelines(
        tb.app.client, svc, ACTOR, {jane.id}, [note.occurred_at], now=FROZEN_NOW
    )
    march = [c for c in posted(tb.fake, "chat.update") if c.args["ts"] == thread.replies["2026-03"]]
    assert "renewal" in everything(march[0])


def test_refresh_without_a_hint_rerenders_every_month_and_appends_new_ones(tb):
    jane, _ = start_jane_thread(tb)
    tb.clock.advance(days=30)
    log(tb.db, jane, tb.clock.now - timedelta(hours=1), "april check-in", now=tb.clock.now)

    bot.services.timeline.refresh_timelines(tb.app.client, services_for(tb), ACTOR, {jane.id}, now=FROZEN_NOW)

    assert len(posted(tb.fake, "chat.update")) == 1 + 3  # the parent and every month shown
    [april] = posted(tb.fake)
    assert header_of(april) == "April 2026"


def test_a_thread_whose_parent_was_deleted_is_no_longer_kept_live(tb):
    jane, _ = start_jane_thread(tb)
    tb.fake.fail("chat.update", "message_not_found", times=1)

    bot.services.timeline.refresh_timelines(
        tb.app.client, services_for(tb), ACTOR, {jane.id}, [], now=FROZEN_NOW
    )

    assert threads_for_contact(tb.db, ACTOR, jane.id) == []


def test_refresh_never_reaches_another_workspaces_threads(tb):
    theirs = add_contact(tb.db, "Their Secret Client", actor=OTHER_WORKSPACE)
    record = log(tb.db, theirs, FROZEN_NOW - timedelta(days=1), "confidential", actor=OTHER_WORKSPACE)
    start_thread(tb.db, OTHER_WORKSPACE, theirs.id, "C999", "1700000000.000001", "UTC", now=FROZEN_NOW)

    bot.services.timeline.refresh_timelines(
        tb.app.client, services_for(tb), ACTOR, {theirs.id}, [record.occurred_at], now=FROZEN_NOW
    )

    assert tb.fake.calls() == []


def test_refresh_of_a_contact_without_threads_calls_slack_not_at_all(tb):
    jane, records = jane_with_history(tb.db)

    bot.services.timeline.refresh_timelines(
        tb.app.client, services_for(tb), ACTOR, {jane.id}, [records[0].occurred_at], now=FROZEN_NOW
    )

    assert tb.fake.calls() == []


def test_deleting_from_a_card_updates_the_thread(tb):
    jane, records = start_jane_thread(tb)
    [thread] = threads_for_contact(tb.db, ACTOR, jane.id)

    tb.slack.block_actions([{"action_id": ids.ACTION_DELETE_INTERACTION, "value": str(records[4].id)}])

    deadline = time.monotonic() + 10
    while not any(c.args.get("ts") == thread.replies["2026-03"] for c in tb.fake.calls("chat.update")):
        assert time.monotonic() < deadline, tb.fake.methods()
        time.sleep(0.05)
    march = [c for c in posted(tb.fake, "chat.update") if c.args["ts"] == thread.replies["2026-03"]]
    assert EMPTY_MONTH in everything(march[-1])


def test_quick_log_command_appends_to_the_thread(tb):
    jane, _ = start_jane_thread(tb)
    [thread] = threads_for_contact(tb.db, ACTOR, jane.id)

    tb.slack.command("/log", "Jane Doe call today 30m renewal talk")

    deadline = time.monotonic() + 10
    while not any(c.args.get("ts") == thread.replies["2026-03"] for c in tb.fake.calls("chat.update")):
        assert time.monotonic() < deadline, tb.fake.methods()
        time.sleep(0.05)
    march = [c for c in posted(tb.fake, "chat.update") if c.args["ts"] == thread.replies["2026-03"]]
    assert "renewal talk" in everything(march[-1])


# --- storage -------------------------------------------------------------------------------


def test_contact_history_counts_everything_and_keeps_the_latest(db):
    jane, records = jane_with_history(db)
    delete_interaction(db, ACTOR, records[0].id, now=FROZEN_NOW)

    history = contact_history(db, ACTOR, jane.id, max_items=2)

    assert [i.summary for i in history.interactions] == ["late-night follow-up", "renewal <@channel> & notes"]
    assert history.total == 4 and len(history.interactions) < history.total
    assert history.counts_by_type == {"email": 1, "meeting": 1, "message": 1, "note": 1}
    assert history.first_at == records[1].occurred_at and history.first_at.tzinfo is not None
    assert history.last_at == records[4].occurred_at


@pytest.mark.parametrize(
    ("tz", "february"),
    [("America/Los_Angeles", ["pricing workshop", "late-night follow-up"]), ("UTC", ["pricing workshop"])],
)
def test_month_interactions_are_the_local_month(db, tz, february):
    jane, _ = jane_with_history(db)

    assert [i.summary for i in month_interactions(db, ACTOR, jane.id, "2026-02", tz)] == february


def test_timeline_storage_is_scoped_to_the_workspace(db):
    from bot.domain.errors import NotFound

    jane, _ = jane_with_history(db)
    thread_id = start_thread(db, ACTOR, jane.id, "C1", "1.000001", LOS_ANGELES, now=FROZEN_NOW)
    remember_reply(db, ACTOR, thread_id, "2026-01", "1.000002")
    remember_reply(db, ACTOR, thread_id, "2026-01", "1.000003")  # the upsert moves it

    [thread] = threads_for_contact(db, ACTOR, jane.id)
    assert thread.replies == {"2026-01": "1.000003"} and thread.tz == "America/Los_Angeles"
    assert threads_for_contact(db, OTHER_WORKSPACE, jane.id) == []
    for attempt in (
        lambda: contact_history(db, OTHER_WORKSPACE, jane.id, max_items=10),
        lambda: month_interactions(db, OTHER_WORKSPACE, jane.id, "2026-02", "UTC"),
        lambda: start_thread(db, OTHER_WORKSPACE, jane.id, "C1", "2.0", "UTC", now=FROZEN_NOW),
        lambda: remember_reply(db, OTHER_WORKSPACE, thread_id, "2026-02", "2.0"),
    ):
        with pytest.raises(NotFound):
            attempt()


# --- renderers (pure) ----------------------------------------------------------------------


def _record(n: int, when: datetime, summary: str = "a" * 300) -> InteractionRecord:
    return InteractionRecord(
        id=n,
        team_id="T111",
        contact_id=1,
        contact_name="Jane",
        type="meeting",
        occurred_at=when,
        duration_minutes=None,
        summary=summary,
        notes=None,
        logged_by="U111",
        source="modal",
        permalink=None,
        created_at=when,
        updated_at=when,
        updated_by=None,
        deleted_at=None,
    )


@pytest.mark.parametrize("count", [1, 47, 48, 100, 101, 250])
def test_a_month_reply_fits_block_kit_however_busy_the_month(count):
    start = datetime(2026, 3, 1, 12, tzinfo=UTC)
    items = [_record(n, start + timedelta(minutes=n), "&<>" * 100) for n in range(count)]

    text, blocks = month_reply("March 2026", items, now=FROZEN_NOW)

    check_blocks(blocks)
    assert json.dumps(blocks).count("<!date^") == min(count, MONTH_ITEMS_MAX)
    rendered = json.dumps(blocks)
    assert f"<!date^{int(items[-1].occurred_at.timestamp())}^" in rendered  # the latest always shows
    assert (f"<!date^{int(items[0].occurred_at.timestamp())}^" in rendered) == (count <= MONTH_ITEMS_MAX)
    more = count - MONTH_ITEMS_MAX
    assert (f"+{more} more this month" in json.dumps(blocks)) == (more > 0)
    assert text == f"March 2026: {count} interaction{'s' if count > 1 else ''}"


def test_an_emptied_month_says_so():
    text, blocks = month_reply("March 2026", [], now=FROZEN_NOW)

    check_blocks(blocks)
    assert EMPTY_MONTH in json.dumps(blocks) and text == "March 2026: no interactions left"


def test_months_group_in_the_threads_time_zone():
    items = [
        _record(1, datetime(2026, 2, 28, 20, tzinfo=UTC)),
        _record(2, datetime(2026, 3, 1, 7, tzinfo=UTC)),
        _record(3, datetime(2026, 3, 1, 9, tzinfo=UTC)),
    ]

    in_la = group_by_month(items, LOS_ANGELES)
    in_utc = group_by_month(items, ZoneInfo("UTC"))

    assert [(g.month, g.label, [i.id for i in g.items]) for g in in_la] == [
        ("2026-02", "February 2026", [1, 2]),
        ("2026-03", "March 2026", [3]),
    ]
    assert [[i.id for i in g.items] for g in in_utc] == [[1], [2, 3]]


def test_parent_of_a_stale_contact_says_so_and_fits_block_kit(db):
    jane = add_contact(db, "Jane <Doe> & Co " + "x" * 180, company="Acme " * 39)
    log(db, jane, FROZEN_NOW - timedelta(days=45), "old call")
    history = contact_history(db, ACTOR, jane.id, max_items=10)

    text, blocks = timeline_parent(history, now=FROZEN_NOW, shown=1)

    check_blocks(blocks)
    rendered = json.dumps(blocks)
    assert "Overdue by 15 days" in rendered
    assert "Every 30 days (workspace default)" in rendered
    assert "Jane &lt;Doe&gt; &amp; Co" in text
