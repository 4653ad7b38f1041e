"""Capturing interactions from Slack, end to end: signed requests in, Web API calls out."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import pytest

from blocks import ids
from bot.domain.records import Actor
from storage.contacts import ContactDraft, create_contact, find_contact_by_slack_user, get_contact
from storage.interactions import InteractionDraft, create_interaction
from storage.listing import InteractionFilters, list_interactions
from tests.app_harness import FROZEN_NOW, wait_responses
from tests.blockkit import check_blocks, check_view
from tests.modal_submit import submission

ME = Actor(team_id="T111", user_id="U111")
OTHER_TEAM = Actor(team_id="T999", user_id="U999")


def _interactions(db, actor=ME):
    return list_interactions(db, actor, InteractionFilters(), limit=100).items


def _opened_view(fake, count=1):
    call = fake.wait_for("views.open", count=count)[count - 1]
    view = call.args["view"]
    check_view(view)
    return view


def _blocks_text(blocks) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def _metadata(view) -> dict:
    return json.loads(view["private_metadata"])


# --- /log with no text and the modal ------------------------------------------------------


def test_log_without_text_opens_the_modal_at_now_in_the_users_time_zone(touchbase):
    touchbase.fake.set_user("U111", tz="Europe/Berlin")
    status, _, body = touchbase.slack.command("/log", "")
    assert status == 200 and body == ""
    view = _opened_view(touchbase.fake)
    assert view["callback_id"] == ids.LOG_MODAL
    inputs = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    # 17:00 UTC is 18:00 in Berlin.
    assert inputs[ids.BLOCK_DATE]["initial_date"] == "2026-03-11"
    assert inputs[ids.BLOCK_TIME]["initial_time"] == "18:00"
    assert inputs[ids.BLOCK_CONTACT]["type"] == "multi_external_select"
    assert _metadata(view)["channel"] == "C111"


def test_submitting_the_modal_saves_then_shows_the_card_in_the_channel(touchbase):
    jane = create_contact(touchbase.db, ME, ContactDraft(name="Jane Doe"), now=FROZEN_NOW)
    touchbase.slack.command("/log", "")
    view = _opened_view(touchbase.fake)
    submitted = submission(
        view,
        contact=str(jane.id),
        type="call",
        date="2026-03-10",
        time="15:00",
        duration="30",
        summary="Pricing follow-up",
        notes="Wants <!channel> & a discount",
    )
    status, _, body = touchbase.slack.view_submission(submitted)
    assert status == 200 and body == ""
    [saved] = _interactions(touchbase.db)
    assert saved.type == "call" and saved.duration_minutes == 30 and saved.source == "modal"
    # 15:00 in Los Angeles (the fake user's zone) on 2026-03-10 is 22:00 UTC.
    assert saved.occurred_at == datetime(2026, 3, 10, 22, 0, tzinfo=UTC)
    assert get_contact(touchbase.db, ME, jane.id).last_contacted_at == saved.occurred_at
    # Opened from /log: the command's response_url is the confirmation's first path.
    card = wait_responses(touchbase.fake)[0].args
    assert card["response_type"] == "ephemeral"
    check_blocks(card["blocks"])
    text = _blocks_text(card["blocks"])
    assert "&lt;!channel&gt; &amp; a discount" in text and "<!channel>" not in text
    action_ids = {e["action_id"] for b in card["blocks"] if b["type"] == "actions" for e in b["elements"]}
    assert {
        ids.ACTION_EDIT_INTERACTION,
        ids.ACTION_DELETE_INTERACTION,
        ids.ACTION_OPEN_TIMELINE,
    } <= action_ids


def test_the_same_view_submitted_twice_saves_one_interaction(touchbase):
    jane = create_contact(touchbase.db, ME, ContactDraft(name="Jane Doe"), now=FROZEN_NOW)
    touchbase.slack.command("/log", "")
    view = submission(_opened_view(touchbase.fake), contact=str(jane.id), type="email", summary="Contract")
    assert touchbase.slack.view_submission(view)[0] == 200
    assert touchbase.slack.view_submission(view)[0] == 200
    assert len(_interactions(touchbase.db)) == 1
    wait_responses(touchbase.fake)
    time.sleep(0.2)
    assert len(wait_responses(touchbase.fake)) == 1


@pytest.mark.parametrize(
    ("changes", "block", "words"),
    [
        ({"date": "2026-03-12", "time": "09:00"}, ids.BLOCK_DATE, "future"),
        ({"summary": "   "}, ids.BLOCK_SUMMARY, "summary"),
        ({"summary": "x" * 301}, ids.BLOCK_SUMMARY, "300"),
        ({"duration": "2000"}, ids.BLOCK_DURATION, "1440"),
        ({"duration": "ninety"}, ids.BLOCK_DURATION, "minutes"),
        ({"notes": "n" * 3001}, ids.BLOCK_NOTES, "3000"),
        ({"contact": "999999"}, ids.BLOCK_CONTACT, "contact"),
        ({"contact": None}, ids.BLOCK_CONTACT, "Choose"),
        ({"type": "lunch"}, ids.BLOCK_TYPE, "Type"),
    ],
)
def test_bad_fields_come_back_under_their_block_and_nothing_is_saved(touchbase, changes, block, words):
    jane = create_contact(touchbase.db, ME, ContactDraft(name="Jane Doe"), now=FROZEN_NOW)
    touchbase.slack.command("/log", "")
    values = {"contact": str(jane.id), "type": "call", "summary": "ok", **changes}
    status, _, body = touchbase.slack.view_submission(submission(_opened_view(touchbase.fake), **values))
    assert status == 200
    answer = json.loads(body)
    assert answer["response_action"] == "errors"
    assert block in answer["errors"] and words.lower() in answer["errors"][block].lower()
    assert _interactions(touchbase.db) == []


def test_a_contact_id_from_another_workspace_is_refused(touchbase):
    stranger = create_contact(touchbase.db, OTHER_TEAM, ContactDraft(name="Their Contact"), now=FROZEN_NOW)
    touchbase.slack.command("/log", "")
    view = submission(_opened_view(touchbase.fake), contact=str(stranger.id), type="call", summary="hi")
    answer = json.loads(touchbase.slack.view_submission(view)[2])
    assert answer["response_action"] == "errors" and ids.BLOCK_CONTACT in answer["errors"]
    assert _interactions(touchbase.db, OTHER_TEAM) == [] and _interactions(touchbase.db) == []


def test_choosing_create_contact_creates_it_on_submit(touchbase):
    touchbase.slack.command("/log", "")
    view = submission(
        _opened_view(touchbase.fake),
        contact=ids.NEW_CONTACT_PREFIX + "Zoë Łukasz",
        type="meeting",
        summary="Intro",
    )
    assert touchbase.slack.view_submission(view)[0] == 200
    [saved] = _interactions(touchbase.db)
    assert saved.contact_name == "Zoë Łukasz"


def test_contact_picker_offers_ranked_matches_and_create(touchbase):
    create_contact(touchbase.db, ME, ContactDraft(name="José Núñez", company="Acme"), now=FROZEN_NOW)
    create_contact(touchbase.db, ME, ContactDraft(name="Josephine Baker"), now=FROZEN_NOW)
    create_contact(touchbase.db, OTHER_TEAM, ContactDraft(name="Jose Elsewhere"), now=FROZEN_NOW)
    status, _, body = touchbase.slack.block_suggestion(ids.ACTION_CONTACT_SELECT, ids.BLOCK_CONTACT, "jose")
    assert status == 200
    options = json.loads(body)["options"]
    labels = [o["text"]["text"] for o in options]
    # Close matches first, then "Create contact".
    assert labels[-1].startswith("Create contact")
    assert labels[:-1] == ["José Núñez", "Josephine Baker"]
    assert options[0]["description"]["text"] == "Acme"


# --- /log <text> quick log ----------------------------------------------------------------


def test_quick_log_saves_and_answers_with_the_card(touchbase):
    jane = create_contact(touchbase.db, ME, ContactDraft(name="Jane Doe"), now=FROZEN_NOW)
    status, _, body = touchbase.slack.command("/log", "Jane Doe call yesterday 3pm 30m pricing follow-up")
    assert status == 200
    # Saved before the ack, and answered in it: no second request that could fail.
    answer = json.loads(body)
    assert answer["response_type"] == "ephemeral"
    check_blocks(answer["blocks"])
    assert "Jane Doe" in _blocks_text(answer["blocks"])
    assert [c for c in touchbase.fake.calls() if c.method.startswith("response/")] == []
    [saved] = _interactions(touchbase.db)
    assert (saved.contact_id, saved.type, saved.duration_minutes) == (jane.id, "call", 30)
    assert saved.summary == "pricing follow-up" and saved.source == "command"
    assert saved.occurred_at == datetime(2026, 3, 10, 22, 0, tzinfo=UTC)  # 15:00 in Los Angeles
    assert touchbase.fake.calls("views.open") == []


def test_quick_log_with_a_mention_creates_the_contact_from_slack(touchbase):
    touchbase.fake.set_user("U222", real_name="Ana Lima", profile={"email": "ana@example.com"})
    status, _, body = touchbase.slack.command("/log", "<@U222|ana> coffee last tuesday")
    assert status == 200 and "Logged meeting" in json.loads(body)["text"]
    contact = find_contact_by_slack_user(touchbase.db, ME, "U222")
    assert contact.name == "Ana Lima" and contact.email == "ana@example.com"
    [saved] = _interactions(touchbase.db)
    assert saved.type == "meeting" and saved.contact_id == contact.id
    assert saved.occurred_at.astimezone().date().isoformat() <= "2026-03-10"


def test_quick_log_with_an_ambiguous_name_opens_the_modal_instead_of_guessing(touchbase):
    create_contact(touchbase.db, ME, ContactDraft(name="Jane Doe"), now=FROZEN_NOW)
    create_contact(touchbase.db, ME, ContactDraft(name="Jane Smith"), now=FROZEN_NOW)
    touchbase.slack.command("/log", "jane email 2 days ago re: contract")
    view = _opened_view(touchbase.fake)
    inputs = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert inputs[ids.BLOCK_TYPE]["initial_option"]["value"] == "email"
    assert inputs[ids.BLOCK_SUMMARY]["initial_value"] == "contract"
    assert inputs[ids.BLOCK_DATE]["initial_date"] == "2026-03-09"
    assert "initial_options" not in inputs[ids.BLOCK_CONTACT]
    assert "Several contacts" in _blocks_text(view["blocks"])
    assert _interactions(touchbase.db) == []


def test_quick_log_with_an_unknown_name_offers_to_create_it(touchbase):
    touchbase.slack.command("/log", "Grace Hopper call 1h compilers")
    view = _opened_view(touchbase.fake)
    contact = next(b for b in view["blocks"] if b.get("block_id") == ids.BLOCK_CONTACT)["element"]
    assert contact["initial_options"][0]["value"] == ids.NEW_CONTACT_PREFIX + "Grace Hopper"
    # Confirming the modal as prefilled creates the contact and saves the call.
    assert touchbase.slack.view_submission(submission(view))[0] == 200
    [saved] = _interactions(touchbase.db)
    assert (saved.contact_name, saved.type, saved.duration_minutes) == ("Grace Hopper", "call", 60)


def test_quick_log_in_the_future_opens_the_modal(touchbase):
    create_contact(touchbase.db, ME, ContactDraft(name="Jane Doe"), now=FROZEN_NOW)
    touchbase.slack.command("/log", "Jane Doe meeting tomorrow 10am planning")
    view = _opened_view(touchbase.fake)
    assert "future" in _blocks_text(view["blocks"]).lower()
    assert _interactions(touchbase.db) == []


def test_log_help_answers_with_usage(touchbase):
    _, _, body = touchbase.slack.command("/log", "help")
    answer = json.loads(body)
    assert "/log" in json.dumps(answer) and answer["response_type"] == "ephemeral"


def test_the_same_quick_log_twice_asks_before_saving_again(touchbase):
    create_contact(touchbase.db, ME, ContactDraft(name="Jane Doe"), now=FROZEN_NOW)
    first = json.loads(touchbase.slack.command("/log", "Jane Doe call 10am pricing")[2])
    assert first["text"].startswith("Logged")
    touchbase.clock.advance(minutes=2)
    second = json.loads(touchbase.slack.command("/log", "Jane Doe call 10am pricing")[2])
    assert second["text"] == "You logged this 2 minutes ago — log again?"
    assert len(_interactions(touchbase.db)) == 1
    again = next(
        e
        for b in second["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == ids.ACTION_LOG_AGAIN
    )
    question = {
        "type": "message",
        "message_ts": "1773000000.000100",
        "channel_id": "C111",
        "is_ephemeral": True,
    }
    for _ in range(2):  # a double click saves once
        touchbase.slack.block_actions(
            [{"action_id": ids.ACTION_LOG_AGAIN, "value": again["value"]}], container=question
        )
    wait_responses(touchbase.fake, 2)
    assert len(_interactions(touchbase.db)) == 2


# --- shortcuts ---------------------------------------------------------------------------


def test_message_shortcut_prefills_from_the_message_and_keeps_its_permalink(touchbase):
    touchbase.fake.set_user("U222", real_name="Ana Lima")
    touchbase.fake.set_user("U333", real_name="Bo Chen")
    message = {
        "type": "message",
        "user": "U222",
        "ts": "1773248400.000100",  # 2026-03-11 17:00:00 UTC
        "text": "Hi <@U333>, see <https://acme.com/deal|the deal> in <#C777|sales> &amp; reply",
    }
    status, _, _ = touchbase.slack.message_shortcut("log_message", message, channel_id="C111")
    assert status == 200
    view = _opened_view(touchbase.fake)
    inputs = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert inputs[ids.BLOCK_TYPE]["initial_option"]["value"] == "message"
    assert (
        inputs[ids.BLOCK_NOTES]["initial_value"]
        == "Hi @Bo Chen, see the deal (https://acme.com/deal) in #sales & reply"
    )
    assert inputs[ids.BLOCK_DATE]["initial_date"] == "2026-03-11"
    assert inputs[ids.BLOCK_TIME]["initial_time"] == "10:00"  # the message's time in Los Angeles
    assert inputs[ids.BLOCK_CONTACT]["initial_options"][0]["value"] == ids.NEW_CONTACT_PREFIX + "Ana Lima"
    permalink_call = touchbase.fake.last("chat.getPermalink")
    assert permalink_call.args["channel"] == "C111"

    assert touchbase.slack.view_submission(submission(view))[0] == 200
    [saved] = _interactions(touchbase.db)
    assert saved.source == "shortcut" and saved.permalink.startswith(
        "https://example.slack.com/archives/C111/"
    )
    assert find_contact_by_slack_user(touchbase.db, ME, "U222").id == saved.contact_id
    card = touchbase.fake.wait_for("chat.postEphemeral")[0].args
    assert saved.permalink in _blocks_text(card["blocks"])


def test_message_shortcut_on_my_own_message_leaves_the_contact_to_choose(touchbase):
    message = {"type": "message", "user": "U111", "ts": "1773248400.000100", "text": "my note"}
    touchbase.slack.message_shortcut("log_message", message)
    view = _opened_view(touchbase.fake)
    contact = next(b for b in view["blocks"] if b.get("block_id") == ids.BLOCK_CONTACT)["element"]
    assert "initial_options" not in contact


def test_global_shortcut_opens_the_modal_and_confirms_by_dm(touchbase):
    jane = create_contact(touchbase.db, ME, ContactDraft(name="Jane Doe"), now=FROZEN_NOW)
    touchbase.slack.global_shortcut("log_interaction")
    view = _opened_view(touchbase.fake)
    assert (
        touchbase.slack.view_submission(submission(view, contact=str(jane.id), type="note", summary="Idea"))[
            0
        ]
        == 200
    )
    touchbase.fake.wait_for("chat.postMessage")
    assert touchbase.fake.last("conversations.open").args["users"] == "U111"
    assert touchbase.fake.last("chat.postMessage").args["channel"] == "DU111"


def test_when_the_channel_refuses_the_card_comes_by_dm(touchbase):
    jane = create_contact(touchbase.db, ME, ContactDraft(name="Jane Doe"), now=FROZEN_NOW)
    touchbase.fake.fail("chat.postEphemeral", "channel_not_found")
    touchbase.slack.command("/log", "")
    response_path = "response/" + touchbase.slack.last_payload["response_url"].rsplit("/", 1)[1]
    touchbase.fake.respond_with(response_path, status=500)  # the response_url is gone too
    view = submission(_opened_view(touchbase.fake), contact=str(jane.id), type="call", summary="x")
    touchbase.slack.view_submission(view)
    touchbase.fake.wait_for("chat.postMessage")
    assert len(_interactions(touchbase.db)) == 1


def test_a_429_on_views_open_is_retried_after_retry_after(touchbase):
    touchbase.fake.respond_with("views.open", status=429, headers={"Retry-After": "1"}, times=1)
    touchbase.slack.command("/log", "")
    calls = touchbase.fake.wait_for("views.open", count=2, timeout=10)
    assert len(calls) == 2


# --- edit, delete, undo ------------------------------------------------------------------


def _log(db, actor=ME, **fields):
    contact = fields.pop("contact", None) or create_contact(
        db, actor, ContactDraft(name="Jane Doe"), now=FROZEN_NOW
    )
    draft = InteractionDraft(
        contact_id=contact.id,
        type=fields.get("type", "call"),
        occurred_at=fields.get("occurred_at", datetime(2026, 3, 1, 12, tzinfo=UTC)),
        summary=fields.get("summary", "first call"),
    )
    record, _ = create_interaction(db, actor, draft, now=datetime(2026, 3, 11, 17, tzinfo=UTC))
    return contact, record


def test_edit_opens_the_prefilled_modal_and_updates_in_place(touchbase):
    contact, record = _log(touchbase.db)
    touchbase.slack.block_actions([{"action_id": ids.ACTION_EDIT_INTERACTION, "value": str(record.id)}])
    view = _opened_view(touchbase.fake)
    assert _metadata(view)["interaction"] == record.id
    assert view["title"]["text"] == "Edit interaction"
    touchbase.slack.view_submission(submission(view, date="2026-03-05", summary="moved call"))
    [saved] = _interactions(touchbase.db)
    assert saved.id == record.id and saved.summary == "moved call" and saved.updated_by == "U111"
    assert get_contact(touchbase.db, ME, contact.id).last_contacted_at == saved.occurred_at


def test_someone_else_may_not_edit_and_is_told_plainly(touchbase):
    _, record = _log(touchbase.db)
    touchbase.slack.block_actions(
        [{"action_id": ids.ACTION_EDIT_INTERACTION, "value": str(record.id)}], user_id="U555"
    )
    [answer] = wait_responses(touchbase.fake)
    assert "Only <@U111>" in answer.args["text"]
    assert touchbase.fake.calls("views.open") == []


def test_a_workspace_admin_may_edit(touchbase):
    _, record = _log(touchbase.db)
    touchbase.fake.set_user("U777", is_admin=True)
    touchbase.slack.block_actions(
        [{"action_id": ids.ACTION_EDIT_INTERACTION, "value": str(record.id)}], user_id="U777"
    )
    assert _opened_view(touchbase.fake)["title"]["text"] == "Edit interaction"


def test_delete_then_undo_restores_it_and_last_contacted_follows(touchbase):
    contact, older = _log(touchbase.db, occurred_at=datetime(2026, 3, 1, 12, tzinfo=UTC))
    _, latest = _log(touchbase.db, contact=contact, occurred_at=datetime(2026, 3, 9, 12, tzinfo=UTC))
    touchbase.slack.block_actions([{"action_id": ids.ACTION_DELETE_INTERACTION, "value": str(latest.id)}])
    [answer] = wait_responses(touchbase.fake)
    assert answer.args["replace_original"] is True
    undo = [e for b in answer.args["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert undo[0]["action_id"] == ids.ACTION_UNDO_DELETE and undo[0]["value"] == str(latest.id)
    assert get_contact(touchbase.db, ME, contact.id).last_contacted_at == older.occurred_at

    touchbase.slack.block_actions([{"action_id": ids.ACTION_UNDO_DELETE, "value": str(latest.id)}])
    wait_responses(touchbase.fake, count=2)
    assert get_contact(touchbase.db, ME, contact.id).last_contacted_at == latest.occurred_at
    assert {i.id for i in _interactions(touchbase.db)} == {older.id, latest.id}


@pytest.mark.parametrize(
    "action_id", [ids.ACTION_EDIT_INTERACTION, ids.ACTION_DELETE_INTERACTION, ids.ACTION_UNDO_DELETE]
)
@pytest.mark.parametrize("value", ["OTHER_TEAM", "0", "-1", "abc", "9" * 30, ""])
def test_forged_ids_in_buttons_change_nothing(touchbase, action_id, value):
    _, theirs = _log(touchbase.db, actor=OTHER_TEAM)
    forged = str(theirs.id) if value == "OTHER_TEAM" else value
    status, _, _ = touchbase.slack.block_actions([{"action_id": action_id, "value": forged}])
    assert status == 200
    [answer] = wait_responses(touchbase.fake)
    assert "doesn't exist" in answer.args["text"] or "deleted" in answer.args["text"]
    assert [i.id for i in _interactions(touchbase.db, OTHER_TEAM)] == [theirs.id]


# --- /contact -----------------------------------------------------------------------------


def test_contact_add_then_card(touchbase):
    touchbase.slack.command("/contact", "add Jane Doe <mailto:jane@acme.com|jane@acme.com> Acme Corp")
    wait_responses(touchbase.fake)
    touchbase.slack.command("/contact", "jane doe")
    answers = wait_responses(touchbase.fake, count=2)
    card = answers[1].args["blocks"]
    check_blocks(card)
    text = _blocks_text(card)
    assert "Jane Doe" in text and "Acme Corp" in text and "jane@acme.com" in text
    action_ids = {e["action_id"] for b in card if b["type"] == "actions" for e in b["elements"]}
    assert {
        ids.ACTION_LOG_FOR_CONTACT,
        ids.ACTION_OPEN_TIMELINE,
        ids.ACTION_EDIT_CONTACT,
        ids.ACTION_SNOOZE_CONTACT,
    } <= action_ids


def test_contact_add_with_an_existing_email_says_who_has_it(touchbase):
    create_contact(touchbase.db, ME, ContactDraft(name="Jane Doe", email="jane@acme.com"), now=FROZEN_NOW)
    touchbase.slack.command("/contact", "add Janet jane@acme.com")
    [answer] = wait_responses(touchbase.fake)
    assert "Jane Doe already has that email" in answer.args["text"]


def test_contact_with_an_ambiguous_name_offers_a_choice_and_unknown_offers_create(touchbase):
    create_contact(touchbase.db, ME, ContactDraft(name="Jane Doe"), now=FROZEN_NOW)
    create_contact(touchbase.db, ME, ContactDraft(name="Jane Smith"), now=FROZEN_NOW)
    touchbase.slack.command("/contact", "jane")
    touchbase.slack.command("/contact", "nobody here")
    first, second = wait_responses(touchbase.fake, count=2)
    answers = {a.args["text"]: a.args["blocks"] for a in (first, second)}
    choice = next(v for k, v in answers.items() if "Several" in k)
    buttons = [e for b in choice if b["type"] == "actions" for e in b["elements"]]
    assert {ids.ACTION_SHOW_CONTACT, ids.ACTION_CREATE_CONTACT} <= {b["action_id"] for b in buttons}
    unknown = next(v for k, v in answers.items() if "No contact" in k)
    assert ids.ACTION_CREATE_CONTACT in _blocks_text(unknown)


def test_edit_contact_modal_changes_owner_and_cadence(touchbase):
    jane = create_contact(touchbase.db, ME, ContactDraft(name="Jane Doe"), now=FROZEN_NOW)
    touchbase.slack.block_actions([{"action_id": ids.ACTION_EDIT_CONTACT, "value": str(jane.id)}])
    view = _opened_view(touchbase.fake)
    assert view["callback_id"] == ids.CONTACT_MODAL
    submitted = submission(view, contact_cadence="14", contact_owner="U222", contact_email="JANE@ACME.COM")
    status, _, body = touchbase.slack.view_submission(submitted)
    assert status == 200 and body == ""
    updated = get_contact(touchbase.db, ME, jane.id)
    assert (updated.cadence_days, updated.owner_user_id, updated.email) == (14, "U222", "jane@acme.com")


def test_snooze_from_the_card_moves_due_at(touchbase):
    jane = create_contact(touchbase.db, ME, ContactDraft(name="Jane Doe"), now=FROZEN_NOW)
    touchbase.slack.block_actions(
        [
            {
                "action_id": ids.ACTION_SNOOZE_CONTACT,
                "selected_option": {"value": f"{jane.id}:30"},
                "type": "static_select",
            }
        ]
    )
    wait_responses(touchbase.fake)
    snoozed = get_contact(touchbase.db, ME, jane.id)
    assert snoozed.snoozed_until is not None and snoozed.due_at >= snoozed.snoozed_until
