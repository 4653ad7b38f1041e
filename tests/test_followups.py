"""Follow-ups (issue 17): set from quick log and the log modal, due by the owner's local today
(time zones, DST), in the digest, on App Home and on the contact card with Done / Snooze / Log,
filtered in /interactions and exported. Every test runs on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from slack_sdk import WebClient

from blocks import ids
from bot.domain.errors import Forbidden
from bot.domain.filters import parse_filters
from bot.domain.records import Actor
from bot.services.digest_content import digest_content
from bot.services.digests import run_digests
from bot.slack import retry_handlers
from storage.contacts import ContactDraft, create_contact, get_contact
from storage.deliveries import due_digests, list_deliveries
from storage.export import export_interactions
from storage.followups import due_follow_ups, get_follow_up, mark_follow_up_done, snooze_follow_up
from storage.interactions import InteractionDraft, create_interaction, get_interaction
from storage.listing import InteractionFilters, list_interactions
from storage.user_settings import remember_user_tz
from tests.app_harness import FROZEN_NOW, TEAM, USER, wait_responses
from tests.blockkit import check_blocks, check_view
from tests.modal_submit import submission

ME = Actor(TEAM, USER)


def dumps(blocks) -> str:
    return json.dumps(blocks, ensure_ascii=False)


# FROZEN_NOW is Wednesday 2026-03-11 17:00 UTC: 10:00 in Los Angeles, 06:00 Thursday in Auckland.
WED = FROZEN_NOW
TODAY_LA = date(2026, 3, 11)


def contact(db, name: str, actor: Actor = ME, *, cadence: int | None = None) -> int:
    return create_contact(
        db, actor, ContactDraft(name=name, cadence_days=cadence), now=WED - timedelta(days=1)
    ).id


def planned(
    db, contact_id: int, day: date | None, summary="send the contract", *, actor=ME, when=None, kind="call"
) -> int:
    occurred = when or WED - timedelta(hours=2)
    record, _ = create_interaction(
        db,
        actor,
        InteractionDraft(
            contact_id=contact_id, type=kind, occurred_at=occurred, summary=summary, follow_up_on=day
        ),
        now=occurred + timedelta(minutes=1),
    )
    return record.id


def client_of(fake) -> WebClient:
    return WebClient(token="xoxb-test", base_url=fake.url, retry_handlers=retry_handlers(), timeout=5)


def settle(fake, quiet: float = 0.3, timeout: float = 5.0) -> None:
    """Wait until the app stops calling Slack (its refreshes run after the answer)."""
    deadline = time.monotonic() + timeout
    seen = -1
    while time.monotonic() < deadline and len(fake.calls()) != seen:
        seen = len(fake.calls())
        time.sleep(quiet)


def action_blocks(blocks: list[dict], prefix: str) -> list[dict]:
    return [b for b in blocks if b["type"] == "actions" and b.get("block_id", "").startswith(prefix)]


def click(block: dict, action_id: str, option_index: int | None = None) -> dict:
    element = next(e for e in block["elements"] if e["action_id"] == action_id)
    clicked = {**element, "block_id": block["block_id"]}
    if option_index is not None:
        clicked["selected_option"] = element["options"][option_index]
    return clicked


# ---------------------------------------------------------------------- setting one


def test_quick_log_follow_up_friday_is_saved_and_never_moves_last_contacted(touchbase):
    jane = contact(touchbase.db, "Jane Doe")
    _, _, body = touchbase.slack.command("/log", "Jane Doe call yesterday 3pm renewal follow up friday")
    assert ":alarm_clock: Follow up on Fri 13 Mar 2026" in body  # the confirmation card says it
    deadline = time.monotonic() + 5
    while not list_interactions(touchbase.db, ME).items and time.monotonic() < deadline:
        time.sleep(0.05)
    [saved] = list_interactions(touchbase.db, ME).items
    # Wednesday in Los Angeles: "friday" is 2026-03-13, a local date of the author's.
    assert (saved.follow_up_on, saved.follow_up_due_on) == (date(2026, 3, 13), date(2026, 3, 13))
    assert get_contact(touchbase.db, ME, jane).last_contacted_at == saved.occurred_at < WED
    settle(touchbase.fake)


def test_a_follow_up_alone_never_moves_last_contacted_nor_does_closing_it(db):
    jane = contact(db, "Jane Doe")
    note = planned(db, jane, TODAY_LA + timedelta(days=2), kind="note")  # a note never counts
    assert get_contact(db, ME, jane).last_contacted_at is None
    mark_follow_up_done(db, ME, note, now=WED)
    snoozed = planned(db, jane, TODAY_LA, kind="note")
    snooze_follow_up(db, ME, snoozed, TODAY_LA + timedelta(days=3), now=WED)
    assert get_contact(db, ME, jane).last_contacted_at is None


def test_log_modal_sets_a_follow_up_and_refuses_a_past_day(touchbase):
    jane = contact(touchbase.db, "Jane Doe")
    touchbase.slack.command("/log", "")
    view = touchbase.fake.wait_for("views.open")[-1].args["view"]
    picker = next(b for b in view["blocks"] if b.get("block_id") == ids.BLOCK_FOLLOW_UP)
    assert picker["optional"] and picker["element"]["type"] == "datepicker"
    assert picker["label"]["text"] == "Follow up on"
    values = dict(contact=str(jane), type="call", date="2026-03-10", time="15:00", summary="pricing")
    _, _, body = touchbase.slack.view_submission(submission(view, "V1", follow_up="2026-03-10", **values))
    assert json.loads(body)["errors"] == {
        ids.BLOCK_FOLLOW_UP: "That day is in the past: a follow-up is for today or later."
    }
    touchbase.slack.view_submission(submission(view, "V2", follow_up="2026-03-11", **values))
    settle(touchbase.fake)
    [saved] = list_interactions(touchbase.db, ME).items
    assert saved.follow_up_on == TODAY_LA  # today where the user is counts


def test_editing_keeps_a_past_due_follow_up_and_an_empty_date_removes_it(touchbase):
    jane = contact(touchbase.db, "Jane Doe")
    iid = planned(touchbase.db, jane, TODAY_LA)
    touchbase.clock.advance(days=3)  # now overdue by three days
    touchbase.slack.block_actions([{"action_id": ids.ACTION_EDIT_INTERACTION, "value": str(iid)}])
    view = touchbase.fake.wait_for("views.open")[-1].args["view"]
    picker = next(b for b in view["blocks"] if b.get("block_id") == ids.BLOCK_FOLLOW_UP)
    assert picker["element"]["initial_date"] == "2026-03-11"
    # Saving with the follow-up as it was is fine, though its day has passed.
    touchbase.slack.view_submission(submission(view, "VE1", summary="send the signed contract"))
    settle(touchbase.fake)
    assert get_interaction(touchbase.db, ME, iid).follow_up_due_on == TODAY_LA
    touchbase.slack.view_submission(submission(view, "VE2", follow_up=None))
    settle(touchbase.fake)
    edited = get_interaction(touchbase.db, ME, iid)
    assert (edited.follow_up_on, edited.follow_up_due_on) == (None, None)


# ---------------------------------------------------------------------- due where the owner is


@pytest.mark.parametrize(
    ("tz", "now", "due"),
    [
        # 2026-03-11 10:59 UTC: still the 10th in Los Angeles, already the 11th in Auckland.
        ("America/Los_Angeles", datetime(2026, 3, 11, 6, 59, tzinfo=UTC), False),
        ("America/Los_Angeles", datetime(2026, 3, 11, 7, 0, tzinfo=UTC), True),  # local midnight, PDT
        ("Pacific/Auckland", datetime(2026, 3, 10, 10, 59, tzinfo=UTC), False),
        ("Pacific/Auckland", datetime(2026, 3, 10, 11, 0, tzinfo=UTC), True),  # local midnight, NZDT
        ("UTC", datetime(2026, 3, 10, 23, 59, tzinfo=UTC), False),
        ("UTC", datetime(2026, 3, 11, 0, 0, tzinfo=UTC), True),
    ],
)
def test_due_today_is_the_owners_local_today(db, tz, now, due):
    remember_user_tz(db, TEAM, USER, tz, now=now)
    planned(db, contact(db, "Jane Doe"), TODAY_LA, when=now - timedelta(days=3))
    content = digest_content(db, TEAM, USER, now=now)
    assert bool(content.follow_ups) is due
    assert (DigestKeyOf(USER) in due_digests(db, now, force=True)) is due


def DigestKeyOf(user: str):
    class AnyDay:
        def __eq__(self, other) -> bool:
            return other.team_id == TEAM and other.user_id == user

    return AnyDay()


@pytest.mark.parametrize(
    ("day", "before_midnight", "midnight"),
    [
        # Spring forward (2026-03-08 02:00 PST -> PDT): midnight of the 8th is still PST (UTC-8)...
        (date(2026, 3, 8), datetime(2026, 3, 8, 7, 59, tzinfo=UTC), datetime(2026, 3, 8, 8, 0, tzinfo=UTC)),
        # ...and of the 9th already PDT (UTC-7).
        (date(2026, 3, 9), datetime(2026, 3, 9, 6, 59, tzinfo=UTC), datetime(2026, 3, 9, 7, 0, tzinfo=UTC)),
        # Fall back (2026-11-01 02:00 PDT -> PST): midnight of the 1st is PDT, of the 2nd PST.
        (
            date(2026, 11, 1),
            datetime(2026, 11, 1, 6, 59, tzinfo=UTC),
            datetime(2026, 11, 1, 7, 0, tzinfo=UTC),
        ),
        (
            date(2026, 11, 2),
            datetime(2026, 11, 2, 7, 59, tzinfo=UTC),
            datetime(2026, 11, 2, 8, 0, tzinfo=UTC),
        ),
    ],
)
def test_due_today_follows_local_midnight_across_dst(db, day, before_midnight, midnight):
    remember_user_tz(db, TEAM, USER, "America/Los_Angeles", now=before_midnight)
    planned(db, contact(db, "Jane Doe"), day, when=before_midnight - timedelta(days=2))
    today = before_midnight.astimezone(get_zone("America/Los_Angeles")).date()
    assert due_follow_ups(db, TEAM, USER, today)[1] == 0
    assert digest_content(db, TEAM, USER, now=before_midnight).follow_ups == []
    assert [f.due_on for f in digest_content(db, TEAM, USER, now=midnight).follow_ups] == [day]


def get_zone(name: str):
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


# ---------------------------------------------------------------------- the digest


def test_a_digest_with_only_follow_ups_is_sent_once_a_day(db, fake_slack):
    remember_user_tz(db, TEAM, USER, "America/Los_Angeles", now=WED)
    fresh = contact(db, "Jane Doe")  # contacted today: not stale
    planned(db, fresh, TODAY_LA)
    planned(db, fresh, TODAY_LA + timedelta(days=1), "tomorrow's")  # not due yet: not listed
    client = client_of(fake_slack)
    first = run_digests(db, client, now=WED, worker_id="w", out=lambda _: None, concurrency=1)
    again = run_digests(
        db, client, now=WED + timedelta(hours=3), worker_id="w", out=lambda _: None, concurrency=1
    )
    assert (first.sent, again.sent) == (1, 0)
    [post] = fake_slack.calls("chat.postMessage")
    blocks = post.args["blocks"]
    check_blocks(blocks)
    assert "1 follow-up due" in post.args["text"] and "tomorrow's" not in dumps(blocks)
    [buttons] = action_blocks(blocks, f"{ids.DIGEST_BLOCK_PREFIX}:{ids.FOLLOW_UP_BLOCK}:")
    assert [e["action_id"] for e in buttons["elements"]] == [
        ids.ACTION_FOLLOW_UP_DONE,
        ids.ACTION_FOLLOW_UP_SNOOZE,
        ids.ACTION_FOLLOW_UP_LOG,
    ]
    assert [(d.status, d.local_date) for d in list_deliveries(db)] == [("sent", TODAY_LA)]


def test_a_follow_up_due_tomorrow_where_they_are_does_not_claim_todays_digest(db):
    remember_user_tz(db, TEAM, USER, "America/Los_Angeles", now=WED)
    planned(db, contact(db, "Jane Doe"), TODAY_LA + timedelta(days=1))
    assert due_digests(db, WED, force=True) == []


def test_dry_run_lists_the_follow_ups_due(db):
    remember_user_tz(db, TEAM, USER, "America/Los_Angeles", now=WED)
    planned(db, contact(db, "Jane Doe"), TODAY_LA - timedelta(days=2), "send the contract")
    out: list[str] = []
    run_digests(db, None, now=WED, worker_id="w", dry_run=True, force=True, out=out.append)
    [text] = out
    assert "Follow-ups due (1)" in text
    assert "Jane Doe — overdue by 2 days (set for 2026-03-09): “send the contract”" in text


def test_a_full_digest_with_follow_ups_stays_within_fifty_blocks(db):
    remember_user_tz(db, TEAM, USER, "UTC", now=WED)
    for n in range(20):
        cid = create_contact(
            db, ME, ContactDraft(name=f"Stale {n}", cadence_days=1), now=WED - timedelta(days=40)
        ).id
        planned(db, cid, TODAY_LA - timedelta(days=n % 3), f"plan {n}", when=WED - timedelta(days=39))
    content = digest_content(db, TEAM, USER, now=WED)
    _text, blocks, _ = content.message(now=WED)
    check_blocks(blocks)
    assert len(blocks) <= 50
    assert content.follow_up_total == 20 and "…and 15 more follow-ups." in dumps(blocks)


# ---------------------------------------------------------------------- Done, Snooze, Log


def _digest_posted(touchbase) -> tuple[dict, str, dict]:
    run_digests(
        touchbase.db, client_of(touchbase.fake), now=WED, worker_id="w", out=lambda _: None, concurrency=1
    )
    post = touchbase.fake.last("chat.postMessage")
    message = {"text": post.args["text"], "blocks": post.args["blocks"]}
    [block] = action_blocks(post.args["blocks"], f"{ids.DIGEST_BLOCK_PREFIX}:{ids.FOLLOW_UP_BLOCK}:")
    return block, post.args["channel"], message


def test_done_from_the_digest_updates_it_in_place_and_republishes_home(touchbase):
    remember_user_tz(touchbase.db, TEAM, USER, "America/Los_Angeles", now=WED)
    iid = planned(touchbase.db, contact(touchbase.db, "Jane Doe"), TODAY_LA)
    block, dm, message = _digest_posted(touchbase)
    touchbase.slack.block_actions([click(block, ids.ACTION_FOLLOW_UP_DONE)], channel_id=dm, message=message)
    [update] = touchbase.fake.wait_for("chat.update")
    assert update.args["channel"] == dm and "all caught up" in update.args["text"]
    assert get_follow_up(touchbase.db, ME, iid).is_done
    home = touchbase.fake.wait_for("views.publish")[-1].args["view"]
    assert "Follow-ups due" not in dumps(home)
    settle(touchbase.fake)


def test_snooze_from_the_digest_moves_it_to_the_users_tomorrow(touchbase):
    remember_user_tz(touchbase.db, TEAM, USER, "America/Los_Angeles", now=WED)
    iid = planned(touchbase.db, contact(touchbase.db, "Jane Doe"), TODAY_LA - timedelta(days=1))
    block, dm, message = _digest_posted(touchbase)
    touchbase.slack.block_actions(
        [click(block, ids.ACTION_FOLLOW_UP_SNOOZE, 0)], channel_id=dm, message=message
    )
    touchbase.fake.wait_for("chat.update")
    item = get_follow_up(touchbase.db, ME, iid)
    assert (item.set_on, item.due_on, item.is_snoozed) == (
        TODAY_LA - timedelta(days=1),
        TODAY_LA + timedelta(days=1),
        True,
    )
    settle(touchbase.fake)


def _home(touchbase) -> dict:
    touchbase.slack.event({"type": "app_home_opened", "user": USER, "tab": "home"})
    return touchbase.fake.wait_for("views.publish")[-1].args["view"]


@pytest.mark.parametrize("action", [ids.ACTION_FOLLOW_UP_DONE, ids.ACTION_FOLLOW_UP_SNOOZE])
def test_done_and_snooze_from_app_home_republish_it_without_the_follow_up(touchbase, action):
    iid = planned(touchbase.db, contact(touchbase.db, "Jane Doe"), TODAY_LA)
    view = _home(touchbase)
    check_view(view)
    [block] = action_blocks(view["blocks"], ids.HOME_FOLLOW_UP_BLOCK + ":")
    assert "Follow-ups due* (1)" in dumps(view)
    touchbase.fake.reset()
    clicked = click(block, action, 0 if action == ids.ACTION_FOLLOW_UP_SNOOZE else None)
    touchbase.slack.block_actions([clicked], view=view)
    republished = touchbase.fake.wait_for("views.publish")[-1].args["view"]
    assert action_blocks(republished["blocks"], ids.HOME_FOLLOW_UP_BLOCK + ":") == []
    item = get_follow_up(touchbase.db, ME, iid)
    assert (
        item.is_done if action == ids.ACTION_FOLLOW_UP_DONE else item.due_on == TODAY_LA + timedelta(days=1)
    )
    settle(touchbase.fake)


@pytest.mark.parametrize("action", [ids.ACTION_FOLLOW_UP_DONE, ids.ACTION_FOLLOW_UP_SNOOZE])
def test_done_and_snooze_from_the_contact_card_answer_with_the_card_again(touchbase, action):
    jane = contact(touchbase.db, "Jane Doe")
    iid = planned(touchbase.db, jane, TODAY_LA)
    planned(touchbase.db, jane, TODAY_LA + timedelta(days=5), "book the workshop")
    touchbase.slack.command("/contact", "Jane Doe")
    [card] = wait_responses(touchbase.fake)
    check_blocks(card.args["blocks"])
    text = dumps(card.args["blocks"])
    assert "Follow-ups (2)" in text and "book the workshop" in text
    [block] = action_blocks(
        card.args["blocks"], ids.CARD_FOLLOW_UP_BLOCK + ":"
    )  # only the due one has buttons
    clicked = click(block, action, 2 if action == ids.ACTION_FOLLOW_UP_SNOOZE else None)
    touchbase.slack.block_actions([clicked], message=None)
    answer = wait_responses(touchbase.fake, 2)[1]
    assert answer.args["replace_original"] is True
    assert action_blocks(answer.args["blocks"], ids.CARD_FOLLOW_UP_BLOCK + ":") == []
    item = get_follow_up(touchbase.db, ME, iid)
    if action == ids.ACTION_FOLLOW_UP_DONE:
        assert item.is_done and "Follow-ups (1)" in dumps(answer.args["blocks"])
    else:  # a week from the user's today; still open, listed as snoozed
        assert item.due_on == TODAY_LA + timedelta(days=7)
        assert "Follow-ups (2)" in dumps(answer.args["blocks"]) and "(snoozed)" in dumps(
            answer.args["blocks"]
        )
    settle(touchbase.fake)


def test_log_on_a_follow_up_opens_the_modal_and_saving_marks_it_done(touchbase):
    jane = contact(touchbase.db, "Jane Doe")
    iid = planned(touchbase.db, jane, TODAY_LA)
    view = _home(touchbase)
    [block] = action_blocks(view["blocks"], ids.HOME_FOLLOW_UP_BLOCK + ":")
    touchbase.slack.block_actions([click(block, ids.ACTION_FOLLOW_UP_LOG)], view=view)
    modal = touchbase.fake.wait_for("views.open")[-1].args["view"]
    assert "Saving this marks the follow-up on “send the contract”" in dumps(modal)
    touchbase.slack.view_submission(submission(modal, "VLOG", type="email", summary="sent the contract"))
    settle(touchbase.fake)
    assert get_follow_up(touchbase.db, ME, iid).is_done
    newest = list_interactions(touchbase.db, ME).items[0]
    assert newest.summary == "sent the contract" and newest.follow_up_on is None
    assert get_contact(touchbase.db, ME, jane).last_contacted_at == newest.occurred_at


def test_logging_another_interaction_does_not_close_open_follow_ups(db):
    jane = contact(db, "Jane Doe")
    iid = planned(db, jane, TODAY_LA)
    planned(db, jane, None, "talked about the weather", when=WED - timedelta(minutes=5))
    assert not get_follow_up(db, ME, iid).is_done


def test_only_the_author_or_an_admin_closes_a_follow_up(db):
    iid = planned(db, contact(db, "Jane Doe"), TODAY_LA)
    with pytest.raises(Forbidden):
        mark_follow_up_done(db, Actor(TEAM, "U999"), iid, now=WED)
    assert mark_follow_up_done(db, Actor(TEAM, "U999", is_admin=True), iid, now=WED).done_by == "U999"


# ---------------------------------------------------------------------- /interactions and export


def test_interactions_filter_open_due_and_overdue(db):
    jane = contact(db, "Jane Doe")
    overdue = planned(db, jane, TODAY_LA - timedelta(days=1), "overdue one")
    today = planned(db, jane, TODAY_LA, "today's")
    later = planned(db, jane, TODAY_LA + timedelta(days=4), "later")
    done = planned(db, jane, TODAY_LA - timedelta(days=2), "done one")
    mark_follow_up_done(db, ME, done, now=WED)
    planned(db, jane, None, "no plan")

    def listed(which: str) -> set[int]:
        page = list_interactions(db, ME, InteractionFilters(follow_up=which, today=TODAY_LA), limit=50)
        return {i.id for i in page.items}

    assert listed("open") == {overdue, today, later}
    assert listed("due") == {overdue, today}
    assert listed("overdue") == {overdue}


def test_followup_filters_are_read_from_the_command_text():
    read = parse_filters("jane followup:overdue", now=WED, tz=UTC, user_id=USER)
    assert (read.contact_query, read.follow_up, read.problems) == ("jane", "overdue", ())
    assert parse_filters("followup:open", now=WED, tz=UTC, user_id=USER).follow_up == "open"
    assert parse_filters("followup:someday", now=WED, tz=UTC, user_id=USER).problems


def test_interactions_command_with_followup_open_lists_only_those(touchbase):
    jane = contact(touchbase.db, "Jane Doe")
    planned(touchbase.db, jane, TODAY_LA, "with a plan")
    planned(touchbase.db, jane, None, "without one")
    touchbase.slack.command("/interactions", "followup:open")
    view = touchbase.fake.wait_for("views.open")[-1].args["view"]
    text = dumps(view)
    assert "with a plan" in text and "without one" not in text
    settle(touchbase.fake)


def test_export_carries_the_follow_up_columns(db):
    jane = contact(db, "Jane Doe")
    iid = planned(db, jane, TODAY_LA)
    snooze_follow_up(db, ME, iid, TODAY_LA + timedelta(days=2), now=WED)
    done = planned(db, jane, TODAY_LA, "done")
    mark_follow_up_done(db, ME, done, now=WED)
    out = io.StringIO()
    export_interactions(db, team_id=TEAM, fmt="csv", out=out)
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(out.getvalue()))}
    assert (rows[str(iid)]["follow_up_on"], rows[str(iid)]["follow_up_due_on"]) == (
        "2026-03-11",
        "2026-03-13",
    )
    assert rows[str(done)]["follow_up_due_on"] == "" and rows[str(done)]["follow_up_done_by"] == USER
    assert rows[str(done)]["follow_up_done_at"] == "2026-03-11T17:00:00Z"
    out = io.StringIO()
    export_interactions(db, team_id=TEAM, fmt="json", out=out)
    assert {r["id"]: r["follow_up_on"] for r in json.loads(out.getvalue())}[iid] == "2026-03-11"


def test_done_from_app_home_also_updates_todays_digest_dm(touchbase):
    remember_user_tz(touchbase.db, TEAM, USER, "America/Los_Angeles", now=WED)
    iid = planned(touchbase.db, contact(touchbase.db, "Jane Doe"), TODAY_LA)
    _, dm, _ = _digest_posted(touchbase)
    [delivery] = list_deliveries(touchbase.db)
    assert delivery.channel_id == dm and delivery.message_ts
    view = _home(touchbase)
    [block] = action_blocks(view["blocks"], ids.HOME_FOLLOW_UP_BLOCK + ":")
    touchbase.slack.block_actions([click(block, ids.ACTION_FOLLOW_UP_DONE)], view=view)
    [update] = touchbase.fake.wait_for("chat.update")
    assert (update.args["channel"], update.args["ts"]) == (dm, delivery.message_ts)
    assert "all caught up" in update.args["text"] and get_follow_up(touchbase.db, ME, iid).is_done
    settle(touchbase.fake)


def test_log_again_keeps_the_follow_up():
    from bot.services.repeats import decode_again, encode_again

    draft = InteractionDraft(contact_id=1, type="call", occurred_at=WED, summary="s", follow_up_on=TODAY_LA)
    assert decode_again(encode_again(draft), source_ref="r").follow_up_on == TODAY_LA


def test_racing_digest_runs_send_each_follow_up_digest_once(db, fake_slack):
    """Several schedulers at once: people with only follow-ups, only stale contacts, or both, each
    get one DM for their local day."""
    import threading

    users = [f"U{n:03d}" for n in range(12)]
    for n, user in enumerate(users):
        actor = Actor(TEAM, user)
        remember_user_tz(
            db, TEAM, user, ("America/Los_Angeles", "Europe/Berlin", "Asia/Tokyo")[n % 3], now=WED
        )
        cid = create_contact(
            db, actor, ContactDraft(name=f"C {user}"), now=WED - timedelta(days=40 if n % 2 else 1)
        ).id
        if n % 4:
            planned(
                db,
                cid,
                TODAY_LA - timedelta(days=1),
                actor=actor,
                when=WED - timedelta(days=2) if n % 2 == 0 else WED - timedelta(days=35),
            )
    expected = [u for n, u in enumerate(users) if n % 2 or n % 4]
    client = client_of(fake_slack)
    start = threading.Barrier(4)

    def tick(worker: str) -> None:
        start.wait()
        run_digests(db, client, now=WED, worker_id=worker, force=True, out=lambda _: None, concurrency=2)

    threads = [threading.Thread(target=tick, args=(f"w{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    channels = sorted(c.args["channel"] for c in fake_slack.calls("chat.postMessage"))
    assert channels == sorted(f"D{u}" for u in expected)
    assert {d.user_id for d in list_deliveries(db) if d.status == "sent"} == set(expected)


def test_log_on_a_teammates_follow_up_leaves_it_open(touchbase):
    teammate = Actor(TEAM, "U222")
    jane = contact(touchbase.db, "Jane Doe", teammate)
    iid = planned(touchbase.db, jane, TODAY_LA, actor=teammate)
    touchbase.slack.block_actions([{"action_id": ids.ACTION_FOLLOW_UP_LOG, "value": str(iid)}])
    modal = touchbase.fake.wait_for("views.open")[-1].args["view"]
    assert "a teammate's: saving leaves it open" in dumps(modal)
    touchbase.slack.view_submission(submission(modal, "VTEAM", type="call", summary="covered for them"))
    settle(touchbase.fake)
    assert not get_follow_up(touchbase.db, ME, iid).is_done


def test_snoozing_the_contact_from_its_card_answers_with_the_whole_card_follow_ups_included(touchbase):
    """The card re-rendered after a contact snooze is the same card /contact shows, not a
    shorter one that drops the contact's follow-ups."""
    jane = contact(touchbase.db, "Jane Doe")
    planned(touchbase.db, jane, TODAY_LA + timedelta(days=5), "book the workshop")
    touchbase.slack.block_actions(
        [
            {
                "action_id": ids.ACTION_SNOOZE_CONTACT,
                "selected_option": {"value": f"{jane}:30"},
                "type": "static_select",
            }
        ]
    )
    [answer] = wait_responses(touchbase.fake)
    check_blocks(answer.args["blocks"])
    assert "Follow-ups (1)" in dumps(answer.args["blocks"]) and "book the workshop" in dumps(
        answer.args["blocks"]
    )
    settle(touchbase.fake)
