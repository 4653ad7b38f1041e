"""Issue 12's examples through the quick-log use case: saved exactly, or the modal asks (never *now*)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.records import Actor
from bot.services import AfterAnswer, Services, capture
from bot.services.users import SlackUser, UserDirectory
from bot.settings import Settings
from storage.contacts import ContactDraft, create_contact
from tests.recording_client import RecordingClient

NOW = datetime(2026, 3, 11, 17, 0, tzinfo=UTC)  # a Wednesday
ME = Actor(team_id="T111", user_id="U111")
LA = SlackUser(
    id="U111", name="Me", email=None, tz=ZoneInfo("America/Los_Angeles"), is_admin=False, locale="en-US"
)
BERLIN = replace(LA, tz=ZoneInfo("Europe/Berlin"), locale="de-DE")


@pytest.fixture
def svc(db):
    settings = Settings(
        slack_bot_token="xoxb-x",
        slack_signing_secret="s",
        slack_app_token=None,
        database_url=db.url,
        slack_api_url="http://127.0.0.1:9/api/",
        log_level="INFO",
        port=0,
    )
    for name in ("Jane Doe", "May Chen", "Priya Patel"):
        create_contact(db, ME, ContactDraft(name=name), now=NOW - timedelta(days=30))
    return Services(
        settings=settings,
        db=db,
        users=UserDirectory(RecordingClient()),
        clock=lambda: NOW,
        timeline_pace_seconds=0,
    )


def quick(svc, text, user=LA):
    return capture.quick_log(
        svc, RecordingClient(), ME, user, text, now=NOW, source_ref=None, after=AfterAnswer()
    )


@pytest.mark.parametrize(
    "text",
    [
        "jane call yesteday",
        "jane call at 3",
        "Jane call in 3 days",
        "jane call next week",
    ],
)
def test_unclear_or_future_times_open_the_modal_without_a_time(svc, text):
    outcome = quick(svc, text)
    assert outcome.saved is None and outcome.prefill is not None
    assert outcome.prefill.date is None and outcome.prefill.time is None  # never *now* in its place
    assert outcome.prefill.notice


def test_one_and_a_half_hours_ago_is_ninety_minutes(svc):
    outcome = quick(svc, "jane call 1.5h ago pricing")
    assert outcome.saved is not None
    assert outcome.saved.occurred_at == NOW - timedelta(minutes=90) and outcome.saved.summary == "pricing"


def test_a_numeric_date_in_berlin_is_day_first_and_a_day(svc):
    outcome = quick(svc, "jane call 3/4 pricing", BERLIN)
    assert outcome.saved is not None
    # 3 April (day first in de-DE), the last one not in the future, as a day: 00:00 in Berlin.
    assert outcome.saved.occurred_at == datetime(2025, 4, 2, 22, 0, tzinfo=UTC)
    assert outcome.saved.time_known is False


def test_a_colon_keeps_times_out_of_a_note(svc):
    outcome = quick(svc, "Jane Doe note: prefers calls after 4pm")
    assert outcome.saved is not None
    assert outcome.saved.occurred_at == NOW and outcome.saved.summary == "prefers calls after 4pm"


def test_more_of_what_people_type(svc):
    lunch = quick(svc, "lunch w/ May Chen last monday 12:30 45min")
    assert lunch.saved is not None and lunch.saved.contact_name == "May Chen"
    assert (lunch.saved.duration_minutes, lunch.saved.time_known) == (45, True)
    emailed = quick(svc, "emailed may the deck!")
    assert emailed.saved is not None and emailed.saved.contact_name == "May Chen"
    assert emailed.saved.type == "email"
    note = quick(svc, "note for jane: likes golf")
    assert note.saved is not None and (note.saved.contact_name, note.saved.type) == ("Jane Doe", "note")


def test_a_typo_of_one_contact_is_offered_not_saved(svc):
    outcome = quick(svc, "Prya Patel call yesterday 3pm renewal")
    assert outcome.saved is None
    assert outcome.prefill.contact_name == "Priya Patel"
    assert "Did you mean Priya Patel?" in outcome.prefill.notice
    assert "Several contacts match" not in outcome.prefill.notice
