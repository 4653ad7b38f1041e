"""Several contacts per interaction, driven as Slack would (issue 16): quick log with several
names, the "Contacts" multi select in the log and edit modals, the message shortcut's mentions,
and every attendee's card, list, timeline thread and options."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from blocks import ids
from bot.domain.records import Actor
from storage.contacts import ContactDraft, create_contact, get_contact
from storage.interactions import InteractionDraft, create_interaction
from storage.listing import InteractionFilters, list_interactions
from storage.timelines import remember_reply, start_thread
from tests.app_harness import FROZEN_NOW, wait_responses
from tests.blockkit import check_blocks, check_view
from tests.modal_submit import submission

ME = Actor(team_id="T111", user_id="U111")


def _interactions(db, contact_id=None):
    return list_interactions(db, ME, InteractionFilters(contact_id=contact_id), limit=100).items


def _opened_view(fake, count=1):
    view = fake.wait_for("views.open", count=count)[count - 1].args["view"]
    check_view(view)
    return view


def _contacts_element(view) -> dict:
    return next(b for b in view["blocks"] if b.get("block_id") == ids.BLOCK_CONTACT)["element"]


def _contacts(db, *names):
    return [create_contact(db, ME, ContactDraft(name=name), now=FROZEN_NOW) for name in names]


def test_quick_log_with_several_names_saves_one_interaction_for_all_of_them(touchbase):
    jane, may = _contacts(touchbase.db, "Jane Doe", "May Chen")
    status, _, body = touchbase.slack.command("/log", "call with Jane Doe and May Chen yesterday 3pm")
    assert status == 200
    answer = json.loads(body)
    check_blocks(answer["blocks"])
    assert answer["text"] == "Logged call with Jane Doe and May Chen."
    [saved] = _interactions(touchbase.db)
    assert [a.id for a in saved.attendees] == [jane.id, may.id]
    when = datetime(2026, 3, 10, 22, 0, tzinfo=UTC)  # 15:00 in Los Angeles
    assert saved.occurred_at == when
    for contact in (jane, may):
        assert get_contact(touchbase.db, ME, contact.id).last_contacted_at == when
        assert [i.id for i in _interactions(touchbase.db, contact.id)] == [saved.id]
    assert touchbase.fake.calls("views.open") == []


def test_quick_log_joins_names_and_mentions_with_and_ampersand_and_commas(touchbase):
    _contacts(touchbase.db, "Jane Doe", "May Chen", "Bo Li")
    touchbase.fake.set_user("U222", real_name="Ana Lima")
    status, _, body = touchbase.slack.command(
        "/log", "Jane Doe, May Chen & <@U222|ana> and Bo Li meeting kickoff"
    )
    assert status == 200 and "Logged meeting" in json.loads(body)["text"]
    [saved] = _interactions(touchbase.db)
    names = [a.name for a in saved.attendees]
    assert names == ["Jane Doe", "May Chen", "Ana Lima", "Bo Li"]


def test_quick_log_with_one_unknown_name_opens_the_modal_with_the_others_preselected(touchbase):
    jane, may = _contacts(touchbase.db, "Jane Doe", "May Chen")
    touchbase.slack.command(
        "/log", "call with Jane Doe and Grace Hopper and May Chen yesterday 3pm compilers"
    )
    view = _opened_view(touchbase.fake)
    picked = _contacts_element(view)["initial_options"]
    assert [o["value"] for o in picked] == [
        str(jane.id),
        str(may.id),
        ids.NEW_CONTACT_PREFIX + "Grace Hopper",
    ]
    assert "Grace Hopper" in json.dumps(view["blocks"])
    assert _interactions(touchbase.db) == []
    # Saving as prefilled creates Grace and logs the call with all three.
    assert touchbase.slack.view_submission(submission(view))[0] == 200
    [saved] = _interactions(touchbase.db)
    assert [a.name for a in saved.attendees] == ["Jane Doe", "May Chen", "Grace Hopper"]


def test_a_leading_unknown_name_after_a_known_one_is_asked_about_not_left_in_the_summary(touchbase):
    """ "Jane Doe and Bob Smith call …": Bob isn't a contact; the log asks rather than saving a
    call with Jane alone whose summary reads "and Bob Smith …"."""
    (jane,) = _contacts(touchbase.db, "Jane Doe")
    status, _, body = touchbase.slack.command("/log", "Jane Doe and Bob Smith call yesterday 3pm pricing")
    assert status == 200 and not body  # no "Logged …": the modal opens instead
    view = _opened_view(touchbase.fake)
    picked = _contacts_element(view)["initial_options"]
    assert [o["value"] for o in picked] == [str(jane.id), ids.NEW_CONTACT_PREFIX + "Bob Smith"]
    assert _interactions(touchbase.db) == []


def test_the_log_modal_saves_every_contact_picked_first_first(touchbase):
    jane, may, bo = _contacts(touchbase.db, "Jane Doe", "May Chen", "Bo Li")
    touchbase.slack.command("/log", "")
    view = _opened_view(touchbase.fake)
    element = _contacts_element(view)
    assert element["type"] == "multi_external_select" and element["max_selected_items"] == 20
    label = next(b for b in view["blocks"] if b.get("block_id") == ids.BLOCK_CONTACT)["label"]["text"]
    assert label == "Contacts"
    picks = [str(may.id), ids.NEW_CONTACT_PREFIX + "Ada Lovelace", str(jane.id)]
    submitted = submission(
        view, contact=picks, type="meeting", date="2026-03-10", time="09:00", summary="Plan"
    )
    assert touchbase.slack.view_submission(submitted)[0] == 200
    [saved] = _interactions(touchbase.db)
    assert [a.name for a in saved.attendees] == ["May Chen", "Ada Lovelace", "Jane Doe"]
    for attendee in saved.attendees:
        assert get_contact(touchbase.db, ME, attendee.id).last_contacted_at == saved.occurred_at
    assert get_contact(touchbase.db, ME, bo.id).last_contacted_at is None
    card = wait_responses(touchbase.fake)[0].args
    assert "May Chen, Ada Lovelace and Jane Doe" in json.dumps(card["blocks"])


def test_more_than_twenty_contacts_is_a_field_error(touchbase):
    people = _contacts(touchbase.db, *[f"Person {n}" for n in range(21)])
    touchbase.slack.command("/log", "")
    view = _opened_view(touchbase.fake)
    submitted = submission(view, contact=[str(p.id) for p in people], type="call", summary="all hands")
    status, _, body = touchbase.slack.view_submission(submitted)
    assert status == 200
    answer = json.loads(body)
    assert answer["response_action"] == "errors" and "20" in answer["errors"][ids.BLOCK_CONTACT]
    assert _interactions(touchbase.db) == []


def test_editing_the_attendees_recomputes_the_removed_and_the_added(touchbase):
    jane, may, bo = _contacts(touchbase.db, "Jane Doe", "May Chen", "Bo Li")
    when = datetime(2026, 3, 1, 12, tzinfo=UTC)
    record, _ = create_interaction(
        touchbase.db,
        ME,
        InteractionDraft(
            contact_id=jane.id, contact_ids=(jane.id, may.id), type="call", occurred_at=when, summary="s"
        ),
        now=FROZEN_NOW,
    )
    touchbase.slack.block_actions([{"action_id": ids.ACTION_EDIT_INTERACTION, "value": str(record.id)}])
    view = _opened_view(touchbase.fake)
    assert [o["value"] for o in _contacts_element(view)["initial_options"]] == [str(jane.id), str(may.id)]
    touchbase.slack.view_submission(submission(view, contact=[str(jane.id), str(bo.id)]))
    [saved] = _interactions(touchbase.db)
    assert [a.id for a in saved.attendees] == [jane.id, bo.id]
    assert get_contact(touchbase.db, ME, may.id).last_contacted_at is None
    assert get_contact(touchbase.db, ME, bo.id).last_contacted_at == when
    assert get_contact(touchbase.db, ME, jane.id).last_contacted_at == when


def test_the_message_shortcut_preselects_the_author_and_the_contacts_it_mentions(touchbase):
    touchbase.fake.set_user("U222", real_name="Ana Lima")
    touchbase.fake.set_user("U333", real_name="Bo Chen")
    touchbase.fake.set_user("U444", real_name="Cy Dee")
    ana = create_contact(
        touchbase.db, ME, ContactDraft(name="Ana Lima", slack_user_id="U222"), now=FROZEN_NOW
    )
    bo = create_contact(touchbase.db, ME, ContactDraft(name="Bo Chen", slack_user_id="U333"), now=FROZEN_NOW)
    message = {
        "type": "message",
        "user": "U222",
        "ts": "1773248400.000100",
        # Bo is a contact; Cy isn't; the person logging (U111) is never their own contact.
        "text": "<@U333> <@U444> <@U111> let's sync",
    }
    touchbase.slack.message_shortcut("log_message", message, channel_id="C111")
    view = _opened_view(touchbase.fake)
    assert [o["value"] for o in _contacts_element(view)["initial_options"]] == [str(ana.id), str(bo.id)]
    assert touchbase.slack.view_submission(submission(view))[0] == 200
    [saved] = _interactions(touchbase.db)
    assert [a.id for a in saved.attendees] == [ana.id, bo.id]


def test_every_attendees_timeline_thread_is_refreshed(touchbase):
    jane, may = _contacts(touchbase.db, "Jane Doe", "May Chen")
    for n, contact in enumerate((jane, may)):
        thread = start_thread(
            touchbase.db, ME, contact.id, f"C90{n}", f"17000000{n}0.000100", "UTC", now=FROZEN_NOW
        )
        remember_reply(touchbase.db, ME, thread, "2026-03", f"17000000{n}0.000200")
    touchbase.slack.command("/log", "call with Jane Doe and May Chen yesterday 3pm")
    updates = touchbase.fake.wait_for("chat.update", count=4)
    channels = {call.args["channel"] for call in updates}
    assert channels == {"C900", "C901"}
    may_month = next(c for c in updates if c.args["channel"] == "C901" and c.args["ts"].endswith("0200"))
    # May's thread shows who else was there.
    assert "with Jane Doe" in json.dumps(may_month.args["blocks"])


def test_contact_card_and_list_show_the_interaction_for_every_attendee(touchbase):
    _contacts(touchbase.db, "Jane Doe", "May Chen")
    touchbase.slack.command("/log", "call with Jane Doe and May Chen yesterday 3pm renewal")
    status, _, _ = touchbase.slack.command("/contact", "May Chen")
    assert status == 200
    [answer] = wait_responses(touchbase.fake)
    card = json.dumps(answer.args)
    assert "renewal" in card and "with Jane Doe" in card
    touchbase.slack.command("/interactions", "May Chen")
    [opened] = touchbase.fake.wait_for("views.open")
    listing = json.dumps(opened.args["view"])
    assert "renewal" in listing and "Jane Doe and May Chen" in listing


def test_the_same_log_with_the_same_people_asks_first_and_log_again_keeps_them_all(touchbase):
    jane, may, _ = _contacts(touchbase.db, "Jane Doe", "May Chen", "Bo Li")
    touchbase.slack.command("/log", "call with Jane Doe and May Chen 10am pricing")
    touchbase.clock.advance(minutes=2)
    # Another set of people is another log, saved straight away.
    other = json.loads(touchbase.slack.command("/log", "call with Jane Doe and Bo Li 10am pricing")[2])
    assert other["text"].startswith("Logged call")
    # The same people in another order is the same log: asked about.
    second = json.loads(touchbase.slack.command("/log", "call with May Chen and Jane Doe 10am pricing")[2])
    assert second["text"] == "You logged this 2 minutes ago — log again?"
    assert len(_interactions(touchbase.db)) == 2
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
    touchbase.slack.block_actions(
        [{"action_id": ids.ACTION_LOG_AGAIN, "value": again["value"]}], container=question
    )
    wait_responses(touchbase.fake, 1)
    newest = _interactions(touchbase.db)[0]
    assert [a.id for a in newest.attendees] == [may.id, jane.id]


def test_a_message_from_someone_new_that_mentions_a_contact_logs_both(touchbase):
    touchbase.fake.set_user("U222", real_name="Ana Lima", profile={"email": "ana@example.com"})
    touchbase.fake.set_user("U333", real_name="Bo Chen")
    bo = create_contact(touchbase.db, ME, ContactDraft(name="Bo Chen", slack_user_id="U333"), now=FROZEN_NOW)
    message = {
        "type": "message",
        "user": "U222",
        "ts": "1773248400.000100",
        "text": "cc <@U333|bo> on pricing",
    }
    touchbase.slack.message_shortcut("log_message", message, channel_id="C111")
    view = _opened_view(touchbase.fake)
    values = [o["value"] for o in _contacts_element(view)["initial_options"]]
    assert values == [ids.NEW_CONTACT_PREFIX + "Ana Lima", str(bo.id)]
    assert touchbase.slack.view_submission(submission(view))[0] == 200
    [saved] = _interactions(touchbase.db)
    assert [a.name for a in saved.attendees] == ["Ana Lima", "Bo Chen"]
    ana = get_contact(touchbase.db, ME, saved.contact_id)
    assert (ana.slack_user_id, ana.email) == ("U222", "ana@example.com")
