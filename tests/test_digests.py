"""Nudges: staleness, who is due when (time zones, DST, weekdays), claims, the digest job
against the fake Slack, the weekly team digest and the CLI. Every test runs on SQLite and
PostgreSQL; `now` is frozen and passed in."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from slack_sdk import WebClient

from blocks import ids
from blocks.digest import digest_message, team_digest_message
from bot.cli_digest import add_digest_commands
from bot.domain.errors import Invalid
from bot.domain.records import Actor
from bot.scheduler import start_scheduler
from bot.services.digests import run_digests
from bot.settings import Settings, SettingsError
from bot.slack import retry_handlers
from storage.contacts import (
    ContactChanges,
    ContactDraft,
    create_contact,
    default_cadence,
    refresh_due_at,
    snooze_contact,
    update_contact,
)
from storage.deliveries import (
    CLAIM_TIMEOUT,
    TEAM_DIGEST_USER,
    DigestKey,
    claim_digest,
    due_digests,
    get_delivery,
    list_deliveries,
    mark_failed,
    mark_sending,
)
from storage.interactions import InteractionDraft, create_interaction
from storage.models import Contact
from storage.staleness import stale_contacts_for_owner, team_week_summary
from storage.user_settings import (
    get_user_settings,
    remember_dm_channel,
    remember_user_tz,
    set_team_digest_channel,
    update_user_settings,
)
from tests.blockkit import check_blocks

ROOT = Path(__file__).resolve().parent.parent
TEAM = "T111"
WORKER = "test-worker"
# Wednesday 2026-03-11 17:00 UTC: 10:00 in Los Angeles (PDT since 03-08), 18:00 in Berlin (CET).
WED = datetime(2026, 3, 11, 17, 0, tzinfo=UTC)
LONG_AGO = datetime(2025, 12, 1, tzinfo=UTC)
ALL_DAYS = range(7)


# ---------------------------------------------------------------------- helpers


def add_contact(
    db,
    name: str,
    *,
    owner: str = "U1",
    team: str = TEAM,
    created: datetime = LONG_AGO,
    cadence: int | None = None,
    company: str | None = None,
) -> int:
    """A contact created at `created` (storage stamps the real clock; tests need the frozen one)."""
    record = create_contact(
        db,
        Actor(team, owner),
        ContactDraft(name=name, owner_user_id=owner, cadence_days=cadence, company=company),
        now=created,
    )
    with db.write() as session:
        contact = session.get(Contact, record.id)
        contact.created_at = created
        refresh_due_at(contact, default_cadence(session, team))
    return record.id


def log(
    db, contact_id: int, when: datetime, summary: str = "caught up", *, kind="call", user="U1", team=TEAM
):
    create_interaction(
        db,
        Actor(team, user),
        InteractionDraft(contact_id=contact_id, type=kind, occurred_at=when, summary=summary),
        now=when + timedelta(minutes=1),
    )


def person(db, user: str = "U1", tz: str = "America/Los_Angeles", *, team: str = TEAM, **settings) -> None:
    remember_user_tz(db, team, user, tz, now=WED)
    if settings:
        update_user_settings(db, Actor(team, user), now=WED, **settings)


def posts(fake_slack, channel: str | None = None) -> list:
    """chat.postMessage calls the fake received (a 429'd attempt is one, though it posted nothing)."""
    calls = fake_slack.calls("chat.postMessage")
    return [c for c in calls if channel is None or c.args.get("channel") == channel]


@pytest.fixture
def client(fake_slack) -> WebClient:
    return WebClient(token="xoxb-test", base_url=fake_slack.url, retry_handlers=retry_handlers(), timeout=5)


def run(db, client, now, **kwargs):
    # One sending thread, so faults injected "on the next call" hit a known user.
    kwargs.setdefault("concurrency", 1)
    return run_digests(
        db, client, now=now, worker_id=kwargs.pop("worker_id", WORKER), out=lambda _: None, **kwargs
    )


# ---------------------------------------------------------------------- settings


def test_settings_default_to_nine_on_weekdays_until_changed(db):
    actor = Actor(TEAM, "U1")
    settings = get_user_settings(db, actor)
    assert (settings.enabled, settings.time, settings.weekdays, settings.tz) == (
        True,
        "09:00",
        frozenset({0, 1, 2, 3, 4}),
        None,
    )
    changed = update_user_settings(
        db, actor, now=WED, enabled=False, time="7:30", weekdays=[5, 6], tz="Europe/Berlin"
    )
    assert (changed.enabled, changed.time, changed.weekdays, changed.tz) == (
        False,
        "07:30",
        frozenset({5, 6}),
        "Europe/Berlin",
    )
    assert get_user_settings(db, actor) == changed


def test_bad_settings_are_refused_field_by_field(db):
    with pytest.raises(Invalid) as refused:
        update_user_settings(db, Actor(TEAM, "U1"), now=WED, time="25:00", weekdays=[], tz="Mars/Olympus")
    assert set(refused.value.fields) == {"time", "weekdays", "tz"}
    with pytest.raises(Invalid) as refused:
        update_user_settings(db, Actor(TEAM, "U1"), now=WED, weekdays=[7])
    assert set(refused.value.fields) == {"weekdays"}


# ---------------------------------------------------------------------- staleness


def test_exactly_on_the_cadence_boundary_counts_as_stale(db):
    on_boundary = add_contact(db, "On Boundary")
    log(db, on_boundary, WED - timedelta(days=30))
    one_second_short = add_contact(db, "Not Yet")
    log(db, one_second_short, WED - timedelta(days=30) + timedelta(seconds=1))
    weekly = add_contact(db, "Weekly", cadence=7)
    log(db, weekly, WED - timedelta(days=7))

    stale, total = stale_contacts_for_owner(db, TEAM, "U1", WED)

    assert {item.contact.name for item in stale} == {"On Boundary", "Weekly"}
    assert total == 2
    later, _ = stale_contacts_for_owner(db, TEAM, "U1", WED + timedelta(seconds=1))
    assert "Not Yet" in {item.contact.name for item in later}


def test_never_contacted_counts_from_creation_and_most_overdue_comes_first(db):
    add_contact(db, "New", created=WED - timedelta(days=29))
    add_contact(db, "Old", created=WED - timedelta(days=60))
    recent = add_contact(db, "Recent", created=WED - timedelta(days=90))
    log(db, recent, WED - timedelta(days=40), "renewal talk")
    add_contact(db, "Someone Else's", owner="U2", created=WED - timedelta(days=90))

    stale, total = stale_contacts_for_owner(db, TEAM, "U1", WED)

    assert [item.contact.name for item in stale] == ["Old", "Recent"]
    assert total == 2
    assert stale[0].last_interaction is None
    assert stale[1].last_interaction.summary == "renewal talk"
    assert stale[0].overdue_by(WED) == timedelta(days=30)
    limited, total = stale_contacts_for_owner(db, TEAM, "U1", WED, limit=1)
    assert [item.contact.name for item in limited] == ["Old"] and total == 2


def test_snoozed_contact_is_not_stale_until_the_snooze_ends(db):
    contact = add_contact(db, "Snoozy")
    until = WED + timedelta(days=7)
    snooze_contact(db, Actor(TEAM, "U1"), contact, until, now=WED)

    assert stale_contacts_for_owner(db, TEAM, "U1", WED)[1] == 0
    assert stale_contacts_for_owner(db, TEAM, "U1", until - timedelta(seconds=1))[1] == 0
    assert stale_contacts_for_owner(db, TEAM, "U1", until)[1] == 1


def test_owner_change_moves_the_contact_to_the_new_owners_digest(db, client, fake_slack):
    contact = add_contact(db, "Handed Over")
    person(db, "U1")
    person(db, "U2")
    update_contact(db, Actor(TEAM, "U1"), contact, ContactChanges(owner_user_id="U2"), now=WED)

    assert stale_contacts_for_owner(db, TEAM, "U1", WED)[1] == 0
    run(db, client, WED)

    [post] = posts(fake_slack)
    assert post.args["channel"] == "DU2"
    assert "Handed Over" in str(post.args["blocks"])


# ---------------------------------------------------------------------- who is due when


@pytest.mark.parametrize(
    ("tz", "now", "local_day"),
    [
        # Los Angeles, PDT (UTC-7) since 2026-03-08: 09:00 local is 16:00 UTC.
        ("America/Los_Angeles", datetime(2026, 3, 11, 15, 59, tzinfo=UTC), None),
        ("America/Los_Angeles", datetime(2026, 3, 11, 16, 0, tzinfo=UTC), date(2026, 3, 11)),
        # Berlin, CET (UTC+1) until 2026-03-29: 09:00 local is 08:00 UTC.
        ("Europe/Berlin", datetime(2026, 3, 11, 7, 59, tzinfo=UTC), None),
        ("Europe/Berlin", datetime(2026, 3, 11, 8, 0, tzinfo=UTC), date(2026, 3, 11)),
        # Kolkata, UTC+5:30: 09:00 local is 03:30 UTC.
        ("Asia/Kolkata", datetime(2026, 3, 11, 3, 29, tzinfo=UTC), None),
        ("Asia/Kolkata", datetime(2026, 3, 11, 3, 30, tzinfo=UTC), date(2026, 3, 11)),
        # Auckland, NZDT (UTC+13): Wednesday 09:00 there is Tuesday 20:00 UTC.
        ("Pacific/Auckland", datetime(2026, 3, 10, 19, 59, tzinfo=UTC), None),
        ("Pacific/Auckland", datetime(2026, 3, 10, 20, 0, tzinfo=UTC), date(2026, 3, 11)),
        # Late in the local day is still "today" (after downtime it goes out then).
        ("Pacific/Auckland", datetime(2026, 3, 11, 10, 59, tzinfo=UTC), date(2026, 3, 11)),
        # Saturday in Auckland while it is still Friday in UTC: not a digest day.
        ("Pacific/Auckland", datetime(2026, 3, 13, 20, 0, tzinfo=UTC), None),
    ],
)
def test_digest_is_due_from_the_local_time_on_the_local_weekday(db, tz, now, local_day):
    add_contact(db, "Stale")
    person(db, "U1", tz)

    due = due_digests(db, now)

    assert due == ([DigestKey(TEAM, "U1", local_day)] if local_day else [])


@pytest.mark.parametrize(
    ("tz", "now", "local_day"),
    [
        # US DST starts Sunday 2026-03-08: Saturday 09:00 PST is 17:00 UTC, Sunday 09:00 PDT is 16:00 UTC.
        ("America/Los_Angeles", datetime(2026, 3, 7, 16, 59, tzinfo=UTC), None),
        ("America/Los_Angeles", datetime(2026, 3, 7, 17, 0, tzinfo=UTC), date(2026, 3, 7)),
        ("America/Los_Angeles", datetime(2026, 3, 8, 15, 59, tzinfo=UTC), None),
        ("America/Los_Angeles", datetime(2026, 3, 8, 16, 0, tzinfo=UTC), date(2026, 3, 8)),
        # EU DST starts Sunday 2026-03-29: Saturday 09:00 CET is 08:00 UTC, Sunday 09:00 CEST is 07:00 UTC.
        ("Europe/Berlin", datetime(2026, 3, 28, 7, 59, tzinfo=UTC), None),
        ("Europe/Berlin", datetime(2026, 3, 28, 8, 0, tzinfo=UTC), date(2026, 3, 28)),
        ("Europe/Berlin", datetime(2026, 3, 29, 6, 59, tzinfo=UTC), None),
        ("Europe/Berlin", datetime(2026, 3, 29, 7, 0, tzinfo=UTC), date(2026, 3, 29)),
    ],
)
def test_digest_follows_local_nine_across_dst_changes(db, tz, now, local_day):
    add_contact(db, "Stale")
    person(db, "U1", tz, weekdays=ALL_DAYS)

    assert due_digests(db, now) == ([DigestKey(TEAM, "U1", local_day)] if local_day else [])


def test_digest_time_skipped_by_spring_forward_goes_out_at_the_first_tick_after(db, client, fake_slack):
    add_contact(db, "Stale")
    # 02:30 doesn't exist in Los Angeles on 2026-03-08: clocks jump from 01:59 PST to 03:00 PDT.
    person(db, "U1", weekdays=ALL_DAYS, time="02:30")

    assert due_digests(db, datetime(2026, 3, 8, 9, 59, tzinfo=UTC)) == []  # 01:59 PST
    three_am = datetime(2026, 3, 8, 10, 0, tzinfo=UTC)  # 03:00 PDT
    assert run(db, client, three_am).sent == 1
    assert run(db, client, three_am + timedelta(hours=1)).sent == 0
    assert len(posts(fake_slack)) == 1


def test_digest_time_repeated_by_fall_back_sends_once(db, client, fake_slack):
    add_contact(db, "Stale", created=datetime(2026, 8, 1, tzinfo=UTC))
    # 01:30 happens twice in Los Angeles on 2026-11-01: 08:30 UTC (PDT) and 09:30 UTC (PST).
    person(db, "U1", weekdays=ALL_DAYS, time="01:30")

    assert run(db, client, datetime(2026, 11, 1, 8, 30, tzinfo=UTC)).sent == 1
    assert run(db, client, datetime(2026, 11, 1, 9, 30, tzinfo=UTC)).sent == 0
    assert len(posts(fake_slack)) == 1


@pytest.mark.parametrize(
    ("weekdays", "now", "due"),
    [
        (None, datetime(2026, 3, 14, 17, 0, tzinfo=UTC), False),  # Saturday, default Monday–Friday
        (None, datetime(2026, 3, 16, 17, 0, tzinfo=UTC), True),  # Monday
        ([5], datetime(2026, 3, 14, 17, 0, tzinfo=UTC), True),  # Saturday only
        ([5], datetime(2026, 3, 16, 17, 0, tzinfo=UTC), False),
    ],
)
def test_digest_is_only_due_on_the_chosen_weekdays(db, weekdays, now, due):
    add_contact(db, "Stale")
    person(db, "U1", **({"weekdays": weekdays} if weekdays else {}))

    assert bool(due_digests(db, now)) is due


def test_turned_off_digest_is_never_due_not_even_forced(db):
    add_contact(db, "Stale")
    person(db, "U1", enabled=False)

    assert due_digests(db, WED) == []
    assert due_digests(db, WED, force=True) == []


def test_unknown_time_zone_is_learned_from_slack_and_remembered(db, client, fake_slack):
    add_contact(db, "Stale")
    fake_slack.set_user("U1", tz="Asia/Kolkata")
    early = datetime(2026, 3, 12, 3, 0, tzinfo=UTC)  # Thursday 08:30 in Kolkata

    assert run(db, client, early).sent == 0
    assert get_user_settings(db, Actor(TEAM, "U1")).tz == "Asia/Kolkata"
    # 04:00 UTC is 09:30 in Kolkata: due there, though it would not be in UTC.
    assert run(db, client, early + timedelta(hours=1)).sent == 1
    assert len(fake_slack.calls("users.info")) == 1  # learned once, not asked again


# ---------------------------------------------------------------------- the digest job


def test_each_user_with_stale_contacts_gets_one_dm_most_overdue_first(db, client, fake_slack):
    older = add_contact(db, "Ada Lovelace", company="Analytical Engines", created=WED - timedelta(days=90))
    log(db, older, WED - timedelta(days=45), "talked about the <!channel> & renewal")
    add_contact(db, "Grace Hopper", created=WED - timedelta(days=31))
    add_contact(db, "Fresh Face", created=WED - timedelta(days=2))
    add_contact(db, "Linus", owner="U2", created=WED - timedelta(days=40))
    person(db, "U1")
    person(db, "U2")

    report = run(db, client, WED)

    assert (report.sent, report.skipped, report.failed) == (2, 0, 0)
    assert sorted(c.args["users"] for c in fake_slack.calls("conversations.open")) == ["U1", "U2"]
    first, second = posts(fake_slack)
    assert first.args["channel"] == "DU1" and second.args["channel"] == "DU2"
    blocks = first.args["blocks"]
    check_blocks(blocks)
    sections = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    assert "Ada Lovelace" in sections[1] and "overdue by 15 days" in sections[1]
    assert "&lt;!channel&gt; &amp; renewal" in sections[1] and "<!channel>" not in str(blocks)
    assert "Grace Hopper" in sections[2] and "Never contacted" in sections[2]
    assert "Fresh Face" not in str(blocks)
    contact_actions = [b for b in blocks if b["type"] == "actions"]
    assert [e["action_id"] for e in contact_actions[0]["elements"]] == [
        ids.ACTION_LOG_FOR_CONTACT,
        ids.ACTION_SNOOZE_CONTACT,
        ids.ACTION_OPEN_TIMELINE,
    ]
    snooze = contact_actions[0]["elements"][1]
    assert [o["value"] for o in snooze["options"]] == [f"{older}:7", f"{older}:30", f"{older}:pick"]
    assert contact_actions[0]["elements"][0]["value"] == str(older)
    assert get_user_settings(db, Actor(TEAM, "U1")).dm_channel_id == "DU1"
    delivery = get_delivery(db, TEAM, "U1", date(2026, 3, 11))
    assert (delivery.status, delivery.contact_count, delivery.claimed_by) == ("sent", 2, WORKER)


def test_nothing_stale_means_no_message_at_all(db, client, fake_slack):
    add_contact(db, "Fresh", created=WED - timedelta(days=3))
    person(db, "U1")

    report = run(db, client, WED, force=True)

    assert (report.sent, report.skipped, report.failed) == (0, 0, 0)
    assert fake_slack.calls() == []
    assert list_deliveries(db) == []


def test_running_again_the_same_day_sends_nothing_more(db, client, fake_slack):
    add_contact(db, "Stale")
    add_contact(db, "Other", owner="U2")
    person(db, "U1")
    person(db, "U2")

    assert run(db, client, WED).sent == 2
    assert run(db, client, WED).sent == 0
    assert run(db, client, WED + timedelta(hours=5), worker_id="another-process").sent == 0
    assert run(db, client, WED, force=True).sent == 0
    assert len(posts(fake_slack)) == 2
    assert run(db, client, WED + timedelta(days=1)).sent == 2  # Thursday is another day
    assert len(posts(fake_slack)) == 4


def test_restart_after_downtime_sends_todays_digest_once_and_drops_yesterdays(db, client, fake_slack):
    add_contact(db, "Stale")
    person(db, "U1")  # due at 09:00 in Los Angeles; the process was down Tuesday and until 11:00 today
    eleven_am = datetime(2026, 3, 11, 18, 0, tzinfo=UTC)

    assert run(db, client, eleven_am).sent == 1
    assert run(db, client, eleven_am + timedelta(minutes=1)).sent == 0

    assert [d.local_date for d in list_deliveries(db)] == [date(2026, 3, 11)]
    assert len(posts(fake_slack)) == 1


def test_rate_limited_post_is_retried_after_retry_after_and_sent_once(db, client, fake_slack):
    add_contact(db, "Stale")
    person(db, "U1")
    fake_slack.respond_with("chat.postMessage", status=429, headers={"Retry-After": "1"}, times=1)

    started = time.monotonic()
    report = run(db, client, WED)

    assert report.sent == 1
    assert time.monotonic() - started >= 1  # waited for Retry-After
    assert len(posts(fake_slack)) == 2  # the 429'd attempt, then the one that posted
    assert get_delivery(db, TEAM, "U1", date(2026, 3, 11)).status == "sent"
    assert run(db, client, WED + timedelta(minutes=1)).sent == 0
    assert len(posts(fake_slack)) == 2


def test_channel_not_found_is_skipped_and_recorded_and_others_still_get_theirs(db, client, fake_slack):
    for user in ("U1", "U2", "U3"):
        add_contact(db, f"Contact of {user}", owner=user)
        person(db, user)
    fake_slack.fail("chat.postMessage", "channel_not_found", times=1)

    report = run(db, client, WED)

    assert (report.sent, report.skipped, report.failed) == (2, 1, 0)
    skipped = get_delivery(db, TEAM, "U1", date(2026, 3, 11))
    assert (skipped.status, skipped.error) == ("skipped", "channel_not_found")
    assert [get_delivery(db, TEAM, u, date(2026, 3, 11)).status for u in ("U2", "U3")] == ["sent", "sent"]
    assert run(db, client, WED + timedelta(hours=1)).outcomes == []  # skipped is final for the day


@pytest.mark.parametrize("error", ["user_not_found", "cannot_dm_bot", "user_disabled", "account_inactive"])
def test_people_who_left_or_closed_dms_are_skipped(db, client, fake_slack, error):
    add_contact(db, "Stale")
    add_contact(db, "Other", owner="U2")
    person(db, "U1")
    person(db, "U2")
    fake_slack.fail("conversations.open", error, times=1)

    report = run(db, client, WED)

    assert (report.sent, report.skipped) == (1, 1)
    assert get_delivery(db, TEAM, "U1", date(2026, 3, 11)).error == error


def test_a_failed_send_is_retried_later_that_day_never_twice(db, client, fake_slack):
    add_contact(db, "Stale")
    person(db, "U1")
    fake_slack.fail("chat.postMessage", "internal_error", times=1)

    assert run(db, client, WED).failed == 1
    failed = get_delivery(db, TEAM, "U1", date(2026, 3, 11))
    assert (failed.status, failed.error, failed.next_attempt_at) == (
        "failed",
        "internal_error",
        WED + timedelta(minutes=15),
    )
    assert run(db, client, WED + timedelta(minutes=14)).outcomes == []
    assert run(db, client, WED + timedelta(minutes=15)).sent == 1
    assert run(db, client, WED + timedelta(minutes=30)).outcomes == []
    assert len(posts(fake_slack)) == 2
    sent = get_delivery(db, TEAM, "U1", date(2026, 3, 11))
    assert (sent.status, sent.attempts) == ("sent", 2)


def test_a_send_without_an_answer_is_not_retried_so_it_cannot_duplicate(db, fake_slack):
    add_contact(db, "Stale")
    person(db, "U1")
    remember_dm_channel(db, TEAM, "U1", "DU1", now=WED)
    impatient = WebClient(token="xoxb-test", base_url=fake_slack.url, timeout=1)
    fake_slack.latency(1.5)

    report = run(db, impatient, WED)
    fake_slack.latency(0)

    assert report.failed == 1
    delivery = get_delivery(db, TEAM, "U1", date(2026, 3, 11))
    assert delivery.status == "failed" and delivery.next_attempt_at is None
    assert "outcome unknown" in delivery.error
    assert run(db, impatient, WED + timedelta(hours=1)).outcomes == []


def test_a_stale_dm_channel_is_forgotten(db, client, fake_slack):
    add_contact(db, "Stale")
    person(db, "U1")
    remember_dm_channel(db, TEAM, "U1", "DGONE", now=WED)
    fake_slack.fail("chat.postMessage", "channel_not_found", times=1)

    run(db, client, WED)
    assert get_user_settings(db, Actor(TEAM, "U1")).dm_channel_id is None
    run(db, client, WED + timedelta(days=1))
    assert posts(fake_slack)[-1].args["channel"] == "DU1"


def test_force_sends_today_whatever_the_day_and_time_but_once(db, client, fake_slack):
    add_contact(db, "Stale")
    person(db, "U1")
    saturday_dawn = datetime(2026, 3, 14, 13, 0, tzinfo=UTC)  # 06:00 Saturday in Los Angeles

    assert run(db, client, saturday_dawn).sent == 0
    assert run(db, client, saturday_dawn, force=True).sent == 1
    assert run(db, client, saturday_dawn, force=True).sent == 0
    assert len(posts(fake_slack)) == 1


def test_only_user_limits_the_run(db, client, fake_slack):
    add_contact(db, "Stale")
    add_contact(db, "Other", owner="U2")
    person(db, "U1")
    person(db, "U2")

    assert run(db, client, WED, only_user="U2").sent == 1
    assert [c.args["channel"] for c in posts(fake_slack)] == ["DU2"]


def test_dry_run_prints_digests_and_touches_nothing(db, fake_slack):
    ada = add_contact(db, "Ada Lovelace", company="Analytical Engines", created=WED - timedelta(days=90))
    log(db, ada, WED - timedelta(days=45), "renewal talk")
    add_contact(db, "Grace Hopper", created=WED - timedelta(days=31))
    person(db, "U1")
    printed: list[str] = []

    report = run_digests(db, None, now=WED, worker_id=WORKER, dry_run=True, out=printed.append)

    assert printed == report.dry_run_texts and len(printed) == 1
    text = printed[0]
    assert text.startswith("Digest for U1 in T111 (Wed 2026-03-11 10:00 America/Los_Angeles)")
    assert (
        "1. Ada Lovelace (Analytical Engines) — last contact 2026-01-25 (1 month ago); overdue by 15 days"
        in text
    )
    assert "Call 2026-01-25: “renewal talk”" in text
    assert "2. Grace Hopper — never contacted (added 2026-02-08); overdue by 1 day" in text
    assert fake_slack.calls() == []
    assert list_deliveries(db) == []


def test_digest_buttons_log_snooze_and_open_the_timeline_in_the_app(touchbase):
    from tests.app_harness import USER

    db, fake = touchbase.db, touchbase.fake
    ada = add_contact(db, "Ada Lovelace", owner=USER)
    log(db, ada, WED - timedelta(days=40), "renewal talk", user=USER)
    person(db, USER)
    run(db, WebClient(token="xoxb-test", base_url=fake.url, retry_handlers=retry_handlers()), WED)
    digest = fake.last("chat.postMessage")
    log_button, snooze_menu, timeline_button = next(
        b for b in digest.args["blocks"] if b["type"] == "actions"
    )["elements"]
    dm = digest.args["channel"]
    message = {"text": digest.args["text"], "blocks": digest.args["blocks"]}

    touchbase.slack.block_actions([log_button], channel_id=dm, message=message)
    opened = fake.wait_for("views.open")[-1]
    assert "Ada Lovelace" in str(opened.args["view"])

    touchbase.slack.block_actions([timeline_button], channel_id=dm, message=message)
    timeline = fake.wait_for("chat.postMessage", count=2)[1]
    assert timeline.args["channel"] == dm and "Timeline of Ada Lovelace" in timeline.args["text"]

    week = snooze_menu["options"][0]
    touchbase.slack.block_actions(
        [{"action_id": snooze_menu["action_id"], "type": "static_select", "selected_option": week}],
        channel_id=dm,
        message=message,
    )
    deadline = time.monotonic() + 5
    while stale_contacts_for_owner(db, TEAM, USER, WED)[1] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert stale_contacts_for_owner(db, TEAM, USER, WED + timedelta(days=6))[1] == 0
    assert stale_contacts_for_owner(db, TEAM, USER, WED + timedelta(days=7))[1] == 1
    _settle(fake)


def _settle(fake, quiet: float = 0.3, timeout: float = 5.0) -> None:
    """Wait until the app's listeners stop calling Slack (they answer after the ack)."""
    deadline = time.monotonic() + timeout
    seen = -1
    while time.monotonic() < deadline and len(fake.calls()) != seen:
        seen = len(fake.calls())
        time.sleep(quiet)


# ---------------------------------------------------------------------- claims


def test_only_one_of_many_racing_claimers_wins(db):
    add_contact(db, "Stale")
    winners: list[str] = []
    barrier = threading.Barrier(8)

    def claimer(n: int) -> None:
        barrier.wait()
        if claim_digest(db, TEAM, "U1", date(2026, 3, 11), f"w{n}", now=WED):
            winners.append(f"w{n}")

    threads = [threading.Thread(target=claimer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(winners) == 1
    assert get_delivery(db, TEAM, "U1", date(2026, 3, 11)).claimed_by == winners[0]


def test_an_abandoned_claim_is_taken_over_but_a_started_send_never_is(db):
    add_contact(db, "Stale")
    day = date(2026, 3, 11)
    assert claim_digest(db, TEAM, "U1", day, "dead", now=WED)
    assert not claim_digest(db, TEAM, "U1", day, "alive", now=WED + CLAIM_TIMEOUT - timedelta(seconds=1))
    assert claim_digest(db, TEAM, "U1", day, "alive", now=WED + CLAIM_TIMEOUT)
    assert get_delivery(db, TEAM, "U1", day).attempts == 2
    # The dead process comes back: its claim is gone, so it can't record anything.
    assert not mark_sending(db, TEAM, "U1", day, "dead")

    assert mark_sending(db, TEAM, "U1", day, "alive")
    assert not claim_digest(db, TEAM, "U1", day, "third", now=WED + timedelta(hours=5))


def test_a_failed_digest_stops_retrying_after_max_attempts(db):
    add_contact(db, "Stale")
    day = date(2026, 3, 11)
    at = WED
    for _ in range(5):
        assert claim_digest(db, TEAM, "U1", day, WORKER, now=at)
        mark_failed(db, TEAM, "U1", day, WORKER, error="internal_error", retry_at=at + timedelta(minutes=15))
        at += timedelta(minutes=15)
    delivery = get_delivery(db, TEAM, "U1", day)
    assert (delivery.attempts, delivery.next_attempt_at) == (5, None)
    assert not claim_digest(db, TEAM, "U1", day, WORKER, now=at + timedelta(hours=1))


# ---------------------------------------------------------------------- weekly team digest


def test_weekly_team_digest_goes_to_the_channel_on_monday_once(db, client, fake_slack):
    monday = datetime(2026, 3, 16, 9, 0, tzinfo=UTC)
    ada = add_contact(db, "Ada", created=monday - timedelta(days=200))
    log(db, ada, monday - timedelta(days=2), "call", kind="call", user="U1")
    log(db, ada, monday - timedelta(days=3), "mail", kind="email", user="U2")
    log(db, ada, monday - timedelta(days=4), "mail again", kind="email", user="U2")
    log(db, ada, monday - timedelta(days=9), "too old for this week", kind="meeting", user="U1")
    add_contact(db, "Newly Stale", owner="U2", created=monday - timedelta(days=33))
    add_contact(db, "Long Stale", owner="U2", created=monday - timedelta(days=90))
    set_team_digest_channel(db, Actor(TEAM, "U1"), "C0TEAM", now=monday)
    person(db, "U1", enabled=False)
    person(db, "U2", enabled=False)

    assert run(db, client, monday - timedelta(minutes=1)).outcomes == []
    assert run(db, client, monday).sent == 1
    assert run(db, client, monday + timedelta(hours=3)).sent == 0
    assert run(db, client, monday + timedelta(days=1)).sent == 0

    [post] = posts(fake_slack, "C0TEAM")
    check_blocks(post.args["blocks"])
    text = str(post.args["blocks"])
    assert "3 interactions" in text and "Email: *2*" in text and "Call: *1*" in text
    assert "<@U2>: 2" in text and "<@U1>: 1" in text
    assert "Newly Stale" in text and "Long Stale" not in text
    delivery = get_delivery(db, TEAM, TEAM_DIGEST_USER, date(2026, 3, 16))
    assert delivery.status == "sent"


def test_team_week_summary_counts_only_this_weeks_live_interactions(db):
    now = datetime(2026, 3, 16, 9, 0, tzinfo=UTC)
    ada = add_contact(db, "Ada", created=now - timedelta(days=200))
    log(db, ada, now - timedelta(days=1), "a note", kind="note", user="U3")
    log(db, ada, now - timedelta(days=8), "last week", kind="call", user="U3")

    summary = team_week_summary(db, TEAM, now)

    assert summary.by_type == {"note": 1}
    assert summary.by_person == [("U3", 1)]
    assert summary.newly_stale_total == 0


# ---------------------------------------------------------------------- renderers


def _stale_items(db, count: int):
    for n in range(count):
        contact = add_contact(db, f"Contact {n:02d}", created=WED - timedelta(days=100 + n))
        log(db, contact, WED - timedelta(days=60 + n), "<@U999> " + "x" * 280)
    return stale_contacts_for_owner(db, TEAM, "U1", WED, limit=20)


def test_a_long_digest_stays_under_slack_limits_and_says_how_many_more(db):
    stale, total = _stale_items(db, 20)

    text, blocks = digest_message("U1", stale, total, now=WED)

    check_blocks(blocks)
    assert len(blocks) <= 40
    assert sum(1 for b in blocks if b["type"] == "actions") == 15
    assert "…and 5 more overdue contacts" in str(blocks)
    assert "<@U999>" not in str(blocks)
    assert text.startswith("20 contacts are overdue for a touch: Contact 19, Contact 18, Contact 17, 17 more")


def test_team_digest_with_a_quiet_week_still_renders(db):
    now = datetime(2026, 3, 16, 9, 0, tzinfo=UTC)
    text, blocks = team_digest_message(team_week_summary(db, TEAM, now), now=now)
    check_blocks(blocks)
    assert "No interactions were logged" in str(blocks)
    assert text == "The week in contacts: 0 interactions logged, 0 contacts became stale"


# ---------------------------------------------------------------------- scheduler and CLI


def _settings(db_url: str, api_url: str, token: str | None = "xoxb-test") -> Settings:
    return Settings(
        slack_bot_token=token,
        slack_signing_secret=None,
        slack_app_token=None,
        database_url=db_url,
        slack_api_url=api_url,
        log_level="INFO",
        port=0,
    )


def test_scheduler_ticks_and_sends_through_apscheduler(db, client, fake_slack):
    add_contact(db, "Stale")
    person(db, "U1")
    scheduler = start_scheduler(
        _settings(db.url, fake_slack.url),
        db,
        client,
        clock=lambda: WED,
        interval_seconds=0.2,
        first_tick_delay=timedelta(0),
    )
    try:
        fake_slack.wait_for("chat.postMessage", timeout=10)
        time.sleep(0.6)  # a few more ticks: still one digest
    finally:
        scheduler.shutdown(wait=True)
    assert len(posts(fake_slack)) == 1


def _cli(argv: list[str], settings: Settings) -> int:
    parser = argparse.ArgumentParser(prog="touchbase")
    add_digest_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.run(args, settings)


def test_cli_dry_run_needs_no_slack_token_and_prints_the_digest(db, capsys):
    add_contact(db, "Ada Lovelace")
    person(db, "U1")

    code = _cli(["digest", "run", "--now", "--dry-run"], _settings(db.url, "http://127.0.0.1:9/", token=None))

    out = capsys.readouterr().out
    assert code == 0
    assert "Ada Lovelace" in out and "Dry run: 1 digest would be sent; nothing was sent." in out
    assert list_deliveries(db) == []


def test_cli_sending_needs_the_bot_token(db):
    with pytest.raises(SettingsError, match="SLACK_BOT_TOKEN is required"):
        _cli(["digest", "run"], _settings(db.url, "http://127.0.0.1:9/", token=None))


def test_cli_run_now_sends_and_reports(db, fake_slack, capsys):
    add_contact(db, "Ada Lovelace")
    add_contact(db, "Linus", owner="U2")
    person(db, "U1")
    person(db, "U2")

    code = _cli(["digest", "run", "--now", "--user", "U2"], _settings(db.url, fake_slack.url))

    assert code == 0
    assert "1 sent, 0 skipped, 0 failed" in capsys.readouterr().out
    assert [c.args["channel"] for c in posts(fake_slack)] == ["DU2"]


def test_cli_says_to_upgrade_an_unmigrated_database(tmp_path):
    missing = f"sqlite:///{tmp_path / 'nothing.db'}"
    with pytest.raises(SettingsError, match="touchbase db upgrade"):
        _cli(["digest", "run", "--dry-run"], _settings(missing, "http://127.0.0.1:9/"))
    assert not (tmp_path / "nothing.db").exists()

    import sqlite3

    sqlite3.connect(tmp_path / "empty.db").close()
    with pytest.raises(SettingsError, match="no contacts, user_settings, digest_deliveries table"):
        _cli(
            ["digest", "run", "--dry-run"],
            _settings(f"sqlite:///{tmp_path / 'empty.db'}", "http://127.0.0.1:9/"),
        )


def test_standalone_scheduler_stops_cleanly_on_sigterm(sqlite_template, fake_slack):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL", "TOUCHBASE_"))}
    env.update(
        PYTHONPATH=str(ROOT),
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_API_URL=fake_slack.url,
        DATABASE_URL=sqlite_template.fresh_url(),
    )
    code = "from bot.scheduler import run_scheduler_forever; from bot.settings import load_settings; " + (
        "import logging; logging.basicConfig(level='INFO'); raise SystemExit(run_scheduler_forever(load_settings()))"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        deadline = time.monotonic() + 20
        lines = []
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            lines.append(line)
            if "digest scheduler started" in line:
                break
        else:
            pytest.fail("scheduler did not start: " + "".join(lines))
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
        rest = process.stdout.read()
        assert "digest scheduler stopped" in rest
    finally:
        if process.poll() is None:
            process.kill()


def test_concurrent_fan_out_sends_each_due_digest_exactly_once(db, client, fake_slack):
    users = [f"U{n:03d}" for n in range(40)]
    for user in users:
        add_contact(db, f"Contact of {user}", owner=user, created=WED - timedelta(days=40))
        person(db, user)
    fake_slack.respond_with("chat.postMessage", status=429, headers={"Retry-After": "1"}, times=3)

    report = run(db, client, WED, concurrency=8)

    assert report.sent == len(users)
    delivered = sorted(
        c.args["channel"] for c in fake_slack.calls("chat.postMessage") if c.args.get("blocks")
    )
    # The three 429s were recorded too; each user's DM channel got exactly one real post.
    assert sorted(set(delivered)) == sorted(f"D{u}" for u in users)
    assert len(fake_slack.calls("chat.postMessage")) == len(users) + 3
