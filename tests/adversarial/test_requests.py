"""Forgery and replay, other organizations, long and odd text, half-written saves."""

from __future__ import annotations

import json
import time

from blocks import ids
from bot.domain.records import Actor
from storage.contacts import ContactDraft, create_contact, find_contacts
from storage.listing import InteractionFilters, list_interactions
from tests.adversarial.support import APOLOGY, check_invariants
from tests.app_harness import FROZEN_NOW, SIGNING_SECRET, wait_responses
from tests.modal_submit import submission
from tests.slack_requests import FORM, form_body, signed_headers

ME = Actor(team_id="T111", user_id="U111")


def _contacts(db, name: str) -> list:
    return [m for m in find_contacts(db, ME, name, limit=50) if m.exact]


def test_a_contact_add_replayed_byte_for_byte_creates_the_contact_once(touchbase):
    fields = touchbase.slack.command_fields("/contact", "add Replay Person, replay@example.com")
    body = form_body(fields)
    headers = signed_headers(body, SIGNING_SECRET)
    for _ in range(3):  # the same bytes, the same signature, inside the 5-minute window
        status, _, _ = touchbase.slack.post(body, FORM, sign=False, headers=headers)
        assert status == 200
    wait_responses(touchbase.fake)
    time.sleep(0.3)
    assert len(_contacts(touchbase.db, "Replay Person")) == 1
    assert len(wait_responses(touchbase.fake)) == 1  # the replays got an empty ack, nothing else


def test_a_body_changed_after_signing_is_refused_and_nothing_runs(touchbase):
    fields = touchbase.slack.command_fields("/contact", "add Forged Person")
    headers = signed_headers(form_body(fields), SIGNING_SECRET)
    forged = form_body({**fields, "text": "add Forged Person Two"})
    assert touchbase.slack.post(forged, FORM, sign=False, headers=headers)[0] == 401
    stale = form_body(fields)
    assert touchbase.slack.post(stale, FORM, timestamp=int(time.time()) - 600)[0] == 401
    assert _contacts(touchbase.db, "Forged Person") == [] and touchbase.fake.calls("users.info") == []


def test_a_user_of_another_organization_sees_nothing_and_changes_nothing(touchbase):
    jane = create_contact(
        touchbase.db, ME, ContactDraft(name="Jane Doe", email="jane@acme.com"), now=FROZEN_NOW
    )
    touchbase.fake.set_user("UEXT", team_id="TOTHER")  # a Slack Connect guest in a shared channel
    guest = touchbase.sender(user_id="UEXT")
    guest.command("/contact", "Jane Doe")
    [answer] = wait_responses(touchbase.fake)
    assert "another organization" in answer.args["text"] and "jane@acme.com" not in json.dumps(answer.args)
    # The picker offers nothing (the payload's own user.team_id is enough there).
    payload = guest.block_suggestion_payload(ids.ACTION_CONTACT_SELECT, ids.BLOCK_CONTACT, "Jane")
    payload["user"]["team_id"] = "TOTHER"
    assert json.loads(guest.interactive(payload)[2]) == {"options": []}
    # A quick log and a modal submission save nothing.
    _, _, body = guest.command("/log", "Jane Doe call pricing")
    assert "another organization" in json.loads(body)["text"]
    view = {
        "callback_id": ids.LOG_MODAL,
        "blocks": [{"type": "input", "block_id": ids.BLOCK_SUMMARY, "element": {"type": "plain_text_input"}}],
        "state": {"values": {ids.BLOCK_CONTACT: {"c": {"selected_option": {"value": str(jane.id)}}}}},
    }
    answer = json.loads(guest.view_submission(view)[2])
    assert "another organization" in answer["errors"][ids.BLOCK_SUMMARY]
    assert list_interactions(touchbase.db, ME, InteractionFilters()).items == []


def test_a_payload_without_a_team_is_told_so(touchbase):
    fields = touchbase.slack.command_fields("/log", "Jane call")
    del fields["team_id"]
    _, _, body = touchbase.slack.post(form_body(fields), FORM)
    assert APOLOGY not in body and "workspace" in json.loads(body)["text"]


def test_a_long_contact_lookup_in_a_big_workspace_answers_quickly(touchbase_sqlite):
    db = touchbase_sqlite.db
    big = Actor(team_id="T111", user_id="U111")
    if len(find_contacts(db, big, "Person 0", limit=5)) == 0:
        for n in range(500):
            create_contact(db, big, ContactDraft(name=f"Person {n:03d} Example"), now=FROZEN_NOW)
    text = ("Jane Doe Smith Núñez " * 200)[:4000]
    started = time.perf_counter()
    status, _, _ = touchbase_sqlite.slack.command("/contact", text)
    assert status == 200
    wait_responses(touchbase_sqlite.fake, timeout=5)
    assert time.perf_counter() - started < 1.0


def test_a_new_contact_with_a_nul_in_the_summary_leaves_nothing_behind(touchbase):
    touchbase.slack.command("/log", "")
    view = touchbase.fake.wait_for("views.open")[0].args["view"]
    submitted = submission(
        view, contact=ids.NEW_CONTACT_PREFIX + "Half Written", type="call", summary="bad \x00 byte"
    )
    status, _, body = touchbase.slack.view_submission(submitted)
    assert status == 200 and json.loads(body)["response_action"] == "errors"
    assert _contacts(touchbase.db, "Half Written") == []
    # A control character that PostgreSQL would store is refused the same way, before anything.
    submitted = submission(
        view, contact=ids.NEW_CONTACT_PREFIX + "Half Written", type="call", summary="bell \x07"
    )
    answer = json.loads(touchbase.slack.view_submission(submitted)[2])
    assert "control characters" in answer["errors"][ids.BLOCK_SUMMARY]
    assert _contacts(touchbase.db, "Half Written") == []


def test_a_name_that_folds_longer_than_its_column_is_a_user_error(touchbase):
    _, _, _ = touchbase.slack.command("/contact", "add " + "\ufdfa" * 15)
    [answer] = wait_responses(touchbase.fake)
    assert APOLOGY not in answer.args["text"] and "200 characters" in answer.args["text"]
    check_invariants(touchbase.db)


def test_a_submission_resent_after_a_restart_creates_its_contact_once(touchbase):
    touchbase.slack.command("/log", "")
    view = touchbase.fake.wait_for("views.open")[0].args["view"]
    submitted = submission(
        view, contact=ids.NEW_CONTACT_PREFIX + "Resent Person", type="call", summary="hello"
    )
    submitted["id"] = "VRESENT1"
    for _ in range(3):
        assert touchbase.slack.view_submission(submitted)[0] == 200
    assert len(_contacts(touchbase.db, "Resent Person")) == 1
    assert len(list_interactions(touchbase.db, ME, InteractionFilters()).items) == 1
