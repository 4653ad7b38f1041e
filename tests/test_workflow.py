"""Workflow Builder steps end to end: signed `function_executed` events in through the real Bolt
endpoint, `functions.completeSuccess` / `functions.completeError` out to the fake Slack.

Every test runs on SQLite and PostgreSQL (the `touchbase` fixture).
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from bot.domain.records import Actor
from storage.contacts import ContactDraft, create_contact, get_contact
from storage.interactions import InteractionDraft, create_interaction
from storage.listing import InteractionFilters, list_interactions
from storage.timelines import start_thread
from tests.app_harness import FROZEN_NOW
from tests.fake_slack import Call

ME = Actor(team_id="T111", user_id="U111")
OTHER_TEAM = Actor(team_id="T222", user_id="U222")
LOG = "log_interaction_step"
STATUS = "contact_status_step"
COMPLETIONS = ("functions.completeSuccess", "functions.completeError")


def _contact(db, name: str, email: str | None = None, actor: Actor = ME, **fields):
    return create_contact(db, actor, ContactDraft(name=name, email=email, **fields), now=FROZEN_NOW)


def _interactions(db, actor: Actor = ME):
    return list_interactions(db, actor, InteractionFilters(), limit=100).items


def _inputs(**overrides) -> dict:
    inputs = {
        "contact": "jane@example.com",
        "interaction_type": "call",
        "summary": "Renewal call",
        "notes": "Wants the annual plan",
        "occurred_at": int((FROZEN_NOW - timedelta(hours=2)).timestamp()),
        "logged_by": "U111",
    }
    inputs.update(overrides)
    return {k: v for k, v in inputs.items() if v is not None}


def _completions(fake, execution_id: str) -> list[Call]:
    return [
        c
        for c in fake.calls()
        if c.method in COMPLETIONS and c.args.get("function_execution_id") == execution_id
    ]


def run_step(touchbase, callback_id: str, inputs: dict, *, execution_id: str, sender=None, count: int = 1):
    """Send the event and wait for the step's `count`-th completion; returns that call."""
    sender = sender or touchbase.slack
    status, _, body = sender.function_executed(callback_id, inputs, execution_id=execution_id)
    assert status == 200, body
    deadline = time.monotonic() + 5
    while len(done := _completions(touchbase.fake, execution_id)) < count:
        assert time.monotonic() < deadline, f"step never completed; Slack saw {touchbase.fake.methods()}"
        time.sleep(0.02)
    return done[count - 1]


# --- log_interaction_step ---------------------------------------------------------------------


def test_logging_step_saves_as_logged_by_and_completes_with_the_outputs(touchbase):
    jane = _contact(touchbase.db, "Jane Doe", "jane@example.com")

    call = run_step(touchbase, LOG, _inputs(contact="JANE@Example.com"), execution_id="Fx0001")

    [saved] = _interactions(touchbase.db)
    assert call.method == "functions.completeSuccess"
    # slack_sdk sends the workspace too (Bolt's per-request client knows it).
    assert call.args == {
        "function_execution_id": "Fx0001",
        "outputs": {"interaction_id": str(saved.id), "contact_name": "Jane Doe"},
        "team_id": "T111",
    }
    # Completed with the step's own just-in-time token, as Slack requires.
    assert call.headers["authorization"] == "Bearer xwfp-step-token"
    assert (saved.contact_id, saved.type, saved.summary, saved.notes) == (
        jane.id,
        "call",
        "Renewal call",
        "Wants the annual plan",
    )
    assert (saved.logged_by, saved.source) == ("U111", "workflow")
    assert saved.occurred_at == FROZEN_NOW - timedelta(hours=2)
    assert get_contact(touchbase.db, ME, jane.id).last_contacted_at == saved.occurred_at
    assert touchbase.fake.calls("functions.completeError") == []


def test_an_exact_name_in_any_case_and_accents_finds_the_contact_and_no_time_means_now(touchbase):
    jose = _contact(touchbase.db, "José Núñez")

    call = run_step(
        touchbase,
        LOG,
        _inputs(contact="  jose   NUNEZ ", interaction_type="Meeting", occurred_at=None, notes=None),
        execution_id="Fx0002",
    )

    assert call.method == "functions.completeSuccess"
    assert call.args["outputs"]["contact_name"] == "José Núñez"
    [saved] = _interactions(touchbase.db)
    assert (saved.contact_id, saved.type, saved.occurred_at, saved.notes) == (
        jose.id,
        "meeting",
        FROZEN_NOW,
        None,
    )


def test_a_timestamp_sent_as_text_is_read_too(touchbase):
    _contact(touchbase.db, "Jane Doe", "jane@example.com")
    when = FROZEN_NOW - timedelta(days=3)

    call = run_step(touchbase, LOG, _inputs(occurred_at=str(int(when.timestamp()))), execution_id="Fx0003")

    assert call.method == "functions.completeSuccess"
    assert _interactions(touchbase.db)[0].occurred_at == when


FUTURE = int((FROZEN_NOW + timedelta(minutes=30)).timestamp())


def test_a_few_minutes_of_clock_skew_are_allowed(touchbase):
    _contact(touchbase.db, "Jane Doe", "jane@example.com")
    skewed = FROZEN_NOW + timedelta(minutes=3)

    call = run_step(touchbase, LOG, _inputs(occurred_at=int(skewed.timestamp())), execution_id="Fx0004")

    assert call.method == "functions.completeSuccess"
    assert _interactions(touchbase.db)[0].occurred_at == skewed


@pytest.mark.parametrize(
    ("inputs", "words"),
    [
        (_inputs(contact="nobody@example.com"), "No contact named or with the email “nobody@example.com”"),
        (_inputs(contact="Jane"), "No contact named or with the email “Jane”"),
        (_inputs(interaction_type="lunch"), "“Interaction type” input must be one of call, email"),
        (_inputs(occurred_at=FUTURE), "That's in the future"),
        (_inputs(occurred_at="next tuesday"), "“When it happened” input must be a date and time"),
        (_inputs(contact=None), "The “Contact” input is required"),
        (_inputs(contact="   "), "The “Contact” input is required"),
        (_inputs(interaction_type=None), "The “Interaction type” input is required"),
        (_inputs(summary=None), "The “Summary” input is required"),
        (_inputs(logged_by=None), "The “Logged by” input is required"),
        (_inputs(logged_by="jane"), "The “Logged by” input must be a Slack user"),
        (_inputs(summary="x" * 301), "Keep the summary under 300 characters"),
        (_inputs(notes=["not", "text"]), "The “Notes” input must be text"),
    ],
    ids=[
        "unknown-email",
        "partial-name",
        "bad-type",
        "future",
        "unreadable-time",
        "missing-contact",
        "blank-contact",
        "missing-type",
        "missing-summary",
        "missing-logged-by",
        "logged-by-not-a-user",
        "summary-too-long",
        "notes-not-text",
    ],
)
def test_a_step_that_cannot_log_ends_with_an_error_a_builder_understands(touchbase, inputs, words):
    _contact(touchbase.db, "Jane Doe", "jane@example.com")

    call = run_step(touchbase, LOG, inputs, execution_id="FxBAD")

    assert call.method == "functions.completeError"
    assert set(call.args) == {"function_execution_id", "error", "team_id"}
    assert words in call.args["error"], call.args["error"]
    assert _interactions(touchbase.db) == []
    assert touchbase.fake.calls("functions.completeSuccess") == []


def test_two_contacts_with_the_name_ask_for_the_email(touchbase):
    _contact(touchbase.db, "Sam Lee", "sam.a@example.com")
    _contact(touchbase.db, "Sam Lee", "sam.b@example.com")

    failed = run_step(touchbase, LOG, _inputs(contact="sam lee"), execution_id="Fx0010")
    logged = run_step(touchbase, LOG, _inputs(contact="sam.b@example.com"), execution_id="Fx0011")

    assert failed.method == "functions.completeError"
    assert "Several contacts are named “sam lee”: use the contact's email" in failed.args["error"]
    assert logged.method == "functions.completeSuccess"
    assert logged.args["outputs"]["contact_name"] == "Sam Lee"


@pytest.mark.parametrize("who", [{"deleted": True}, {"is_bot": True}], ids=["deactivated", "bot"])
def test_only_an_active_person_may_be_logged_by(touchbase, who):
    _contact(touchbase.db, "Jane Doe", "jane@example.com")
    touchbase.fake.set_user("U333", **who)

    call = run_step(touchbase, LOG, _inputs(logged_by="U333"), execution_id="Fx0020")

    assert call.method == "functions.completeError"
    assert "must be an active person" in call.args["error"]
    assert _interactions(touchbase.db) == []


def test_a_redelivered_execution_logs_once_and_completes_with_the_same_outputs(touchbase):
    jane = _contact(touchbase.db, "Jane Doe", "jane@example.com")

    first = run_step(touchbase, LOG, _inputs(), execution_id="Fx0030")
    status, _, _ = touchbase.slack.function_executed(LOG, _inputs(), execution_id="Fx0030", retry_num=1)
    assert status == 200
    again = run_step(touchbase, LOG, _inputs(), execution_id="Fx0030", count=3)

    assert first.method == again.method == "functions.completeSuccess"
    assert len(_completions(touchbase.fake, "Fx0030")) == 3
    assert {c.args["outputs"]["interaction_id"] for c in _completions(touchbase.fake, "Fx0030")} == {
        first.args["outputs"]["interaction_id"]
    }
    assert len(_interactions(touchbase.db)) == 1
    # A different execution is a different interaction.
    run_step(touchbase, LOG, _inputs(), execution_id="Fx0031")
    assert len(_interactions(touchbase.db)) == 2
    assert get_contact(touchbase.db, ME, jane.id).last_contacted_at == FROZEN_NOW - timedelta(hours=2)


def test_a_step_never_reads_another_workspaces_contacts(touchbase):
    theirs = _contact(touchbase.db, "Jane Doe", "jane@example.com", actor=OTHER_TEAM)
    mine = _contact(touchbase.db, "Jane Doe", "jane.mine@example.com")

    by_email = run_step(touchbase, LOG, _inputs(contact="jane@example.com"), execution_id="Fx0040")
    by_name = run_step(touchbase, LOG, _inputs(contact="Jane Doe"), execution_id="Fx0041")
    status = run_step(touchbase, STATUS, {"contact": "jane@example.com"}, execution_id="Fx0042")

    assert by_email.method == "functions.completeError"
    assert "No contact named or with the email “jane@example.com”" in by_email.args["error"]
    assert status.method == "functions.completeError"
    # By name, only this workspace's Jane Doe is found (not "several contacts").
    assert by_name.method == "functions.completeSuccess"
    [saved] = _interactions(touchbase.db)
    assert saved.contact_id == mine.id
    assert _interactions(touchbase.db, OTHER_TEAM) == []
    assert get_contact(touchbase.db, OTHER_TEAM, theirs.id).last_contacted_at is None

    # The other workspace's own step finds its own contact, and logs there.
    sender = touchbase.sender(team_id="T222", user_id="U222")
    theirs_logged = run_step(touchbase, LOG, _inputs(logged_by="U222"), execution_id="Fx0043", sender=sender)
    assert theirs_logged.method == "functions.completeSuccess"
    [their_saved] = _interactions(touchbase.db, OTHER_TEAM)
    assert (their_saved.contact_id, their_saved.team_id) == (theirs.id, "T222")


def test_the_timeline_refresh_runs_after_the_step_completed_with_the_bot_token(touchbase):
    jane = _contact(touchbase.db, "Jane Doe", "jane@example.com")
    start_thread(touchbase.db, ME, jane.id, "C111", "1700000000.000001", "UTC", now=FROZEN_NOW)

    run_step(touchbase, LOG, _inputs(), execution_id="Fx0050")
    reply = touchbase.fake.wait_for("chat.postMessage")[0]

    methods = touchbase.fake.methods()
    assert methods.index("functions.completeSuccess") < methods.index("chat.update")
    assert methods.index("chat.update") < methods.index("chat.postMessage")
    # The step's token is revoked once it completes: side effects use the app's bot token.
    assert reply.headers["authorization"] == "Bearer xoxb-test-token"
    assert touchbase.fake.last("chat.update").headers["authorization"] == "Bearer xoxb-test-token"
    [saved] = _interactions(touchbase.db)
    assert reply.args["thread_ts"] == "1700000000.000001"
    assert reply.args["metadata"] == {
        "event_type": "touchbase_interaction",
        "event_payload": {"interaction_ids": str(saved.id), "contact_ids": str(jane.id), "month": "2026-03"},
    }


def test_an_unexpected_failure_still_ends_the_step_with_a_reference(touchbase, monkeypatch):
    import bot.services.workflow

    def broken(*args, **kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(bot.services.workflow, "contacts_by_email_or_exact_name", broken)
    call = run_step(touchbase, LOG, _inputs(), execution_id="Fx0060")

    assert call.method == "functions.completeError"
    assert "Sorry, something went wrong on our side" in call.args["error"]
    assert "(ref " in call.args["error"] and "fire" not in call.args["error"]


# --- contact_status_step ----------------------------------------------------------------------


def test_status_of_a_contact_never_contacted(touchbase):
    _contact(touchbase.db, "Quiet Quentin", "q@example.com", owner_user_id="U222")

    call = run_step(touchbase, STATUS, {"contact": "Q@EXAMPLE.COM"}, execution_id="Fx0070")

    assert call.args == {
        "function_execution_id": "Fx0070",
        "team_id": "T111",
        "outputs": {
            "contact_name": "Quiet Quentin",
            "last_contacted_at": 0,
            "is_stale": False,
            "owner": "U222",
        },
    }


def test_status_follows_the_last_contact_and_staleness(touchbase):
    fresh = _contact(touchbase.db, "Fresh Fiona", owner_user_id="U111")
    stale = _contact(touchbase.db, "Stale Steve", cadence_days=7)
    for contact, days in ((fresh, 1), (stale, 10)):
        create_interaction(
            touchbase.db,
            ME,
            InteractionDraft(
                contact_id=contact.id,
                type="email",
                occurred_at=FROZEN_NOW - timedelta(days=days),
                summary="hello",
            ),
            now=FROZEN_NOW,
        )

    fiona = run_step(touchbase, STATUS, {"contact": "fresh fiona"}, execution_id="Fx0071")
    steve = run_step(touchbase, STATUS, {"contact": "Stale Steve"}, execution_id="Fx0072")

    assert fiona.args["outputs"] == {
        "contact_name": "Fresh Fiona",
        "last_contacted_at": int((FROZEN_NOW - timedelta(days=1)).timestamp()),
        "is_stale": False,
        "owner": "U111",
    }
    assert steve.args["outputs"]["is_stale"] is True
    assert steve.args["outputs"]["last_contacted_at"] == int((FROZEN_NOW - timedelta(days=10)).timestamp())


@pytest.mark.parametrize(
    ("inputs", "words"),
    [({}, "The “Contact” input is required"), ({"contact": "Nobody"}, "No contact named")],
    ids=["missing", "unknown"],
)
def test_status_errors(touchbase, inputs, words):
    call = run_step(touchbase, STATUS, inputs, execution_id="Fx0080")

    assert call.method == "functions.completeError"
    assert words in call.args["error"]
