"""Failures the user didn't cause: a clear apology with a reference, a correct HTTP answer, nothing lost."""

from __future__ import annotations

import json
import time

from bot.domain.records import Actor
from storage.contacts import ContactDraft, create_contact, get_contact
from tests.app_harness import wait_responses

ME = Actor(team_id="T111", user_id="U111")


def test_an_unexpected_error_gets_an_apology_with_a_reference(touchbase, monkeypatch, caplog):
    import bot.services.contacts

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(bot.services.contacts, "resolve_contact", broken)
    status, _, _ = touchbase.slack.command("/contact", "jane")
    assert status == 200
    [answer] = wait_responses(touchbase.fake)
    text = answer.args["text"]
    assert text.startswith("Sorry, something went wrong") and "(ref " in text
    assert "disk on fire" not in json.dumps(answer.args)  # no internals in Slack
    reference = text.rsplit("(ref ", 1)[1].rstrip(")")
    assert any(reference in record.getMessage() for record in caplog.records)


def test_a_slack_api_failure_while_opening_the_modal_is_explained(touchbase):
    touchbase.fake.fail("views.open", "internal_error")
    status, _, _ = touchbase.slack.command("/log", "")
    assert status == 200
    [answer] = wait_responses(touchbase.fake)
    assert "Sorry, something went wrong" in answer.args["text"]


def test_a_failed_confirmation_never_loses_the_saved_interaction(touchbase):
    from blocks import ids
    from storage.listing import InteractionFilters, list_interactions
    from tests.modal_submit import submission

    jane = create_contact(touchbase.db, ME, ContactDraft(name="Jane Doe"), now=touchbase.clock())
    touchbase.slack.command("/log", "")
    response_path = "response/" + touchbase.slack.last_payload["response_url"].rsplit("/", 1)[1]
    view = touchbase.fake.wait_for("views.open")[0].args["view"]
    # Slack refuses the response_url, the ephemeral card and the DM fallback.
    touchbase.fake.respond_with(response_path, status=500)
    touchbase.fake.fail("chat.postEphemeral", "channel_not_found")
    touchbase.fake.fail("chat.postMessage", "internal_error", times=3)
    status, _, body = touchbase.slack.view_submission(
        submission(
            view, **{ids.BLOCK_CONTACT: str(jane.id), ids.BLOCK_TYPE: "call", ids.BLOCK_SUMMARY: "kept"}
        )
    )
    assert status == 200 and body == ""  # the modal closed: the save succeeded
    touchbase.fake.wait_for("chat.postMessage")
    [saved] = list_interactions(touchbase.db, ME, InteractionFilters()).items
    assert saved.summary == "kept"
    assert get_contact(touchbase.db, ME, jane.id).last_contacted_at == saved.occurred_at
    # The user's next request says what was saved, once.
    deadline = time.monotonic() + 10
    touchbase.fake.clear()
    touchbase.slack.command("/contact", "Jane Doe")
    while not any("couldn't show you this earlier" in json.dumps(c.args) for c in touchbase.fake.calls()):
        assert time.monotonic() < deadline, touchbase.fake.methods()
        time.sleep(0.05)
    assert "Logged call with Jane Doe" in json.dumps([c.args for c in touchbase.fake.calls()])


def test_requests_from_another_workspace_see_nothing_of_this_one(touchbase):
    create_contact(touchbase.db, ME, ContactDraft(name="Jane Doe"), now=touchbase.clock())
    touchbase.fake.set_user("U999", team_id="T999")  # a member of that other workspace
    other = touchbase.sender(team_id="T999", user_id="U999")
    other.command("/contact", "Jane Doe")
    [answer] = wait_responses(touchbase.fake)
    assert "No contact matches" in answer.args["text"]
