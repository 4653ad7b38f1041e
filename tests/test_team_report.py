"""The team view (issue 17): interactions per person per week, stale contacts by owner and overdue
follow-ups, checked against a hand-computed fixture on SQLite and PostgreSQL; the same figures
from `touchbase report`; App Home's Team section within Block Kit limits for a team of 200; and
the weekly team digest on the day an admin chose."""

from __future__ import annotations

import argparse
import csv
import io
import json
from datetime import UTC, date, datetime, timedelta

import pytest

from blocks.home import home_view
from blocks.team import team_blocks
from bot.cli_report import add_report_commands
from bot.domain.errors import Forbidden
from bot.domain.followups import FollowUp, OverdueFollowUp, OwnerStale, PersonWeeks, TeamReport
from bot.domain.records import Actor
from bot.settings import Settings
from storage.contact_lifecycle import archive_contact
from storage.contacts import (
    ContactDraft,
    create_contact,
    default_cadence,
    refresh_due_at,
    snooze_contact,
)
from storage.deliveries import due_team_digests
from storage.followups import mark_follow_up_done
from storage.interactions import InteractionDraft, create_interaction, delete_interaction
from storage.models import Contact
from storage.team_report import set_team_digest_weekday, team_report, week_starts
from storage.user_settings import remember_user_tz, set_team_digest_channel
from tests.blockkit import check_view

TEAM = "T111"
# Wednesday 2026-03-11 17:00 UTC. The four weeks counted start Mondays Feb 16, Feb 23, Mar 2, Mar 9.
NOW = datetime(2026, 3, 11, 17, 0, tzinfo=UTC)
LONG_AGO = NOW - timedelta(days=90)
ADMIN = Actor(TEAM, "U1", is_admin=True)


def at(month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def contact(db, name: str, owner: str, *, stale: bool, team: str = TEAM) -> int:
    """A contact with the default 30-day cadence: created 90 days ago (stale) or yesterday."""
    created = LONG_AGO if stale else NOW - timedelta(days=1)
    record = create_contact(db, Actor(team, owner), ContactDraft(name=name, owner_user_id=owner), now=created)
    with db.write() as session:
        row = session.get(Contact, record.id)
        row.created_at = created
        refresh_due_at(row, default_cadence(session, team))
    return record.id


def log(db, contact_id: int, user: str, when: datetime, *, follow_up: date | None = None, team=TEAM) -> int:
    record, _ = create_interaction(
        db,
        Actor(team, user),
        InteractionDraft(
            contact_id=contact_id,
            type="call",
            occurred_at=when,
            summary=f"talk {when:%m-%d}",
            follow_up_on=follow_up,
        ),
        now=when + timedelta(minutes=1),
    )
    return record.id


@pytest.fixture
def fixture(db):
    """The hand-computed team:

    interactions   Feb 16  Feb 23  Mar 02  Mar 09  total
      U1             2       1       0       2       5   (+1 before the window, +1 deleted)
      U2             0       0       2       1       3
      team           2       1       2       3       8   (another workspace's not counted)
    stale: U1 owns Ada, Bob (and Cy snoozed, Di archived, Eve fresh: not counted); U2 owns Fay.
    follow-ups: U1's due Mar 9 (Los Angeles: overdue by 2), U1's due today (not overdue), U1's
    done one (not counted); U2's due Mar 10 in Auckland, where it is Mar 12 (overdue by 2).
    """
    remember_user_tz(db, TEAM, "U1", "America/Los_Angeles", now=NOW)
    remember_user_tz(db, TEAM, "U2", "Pacific/Auckland", now=NOW)
    target = contact(db, "Log Target", "U1", stale=False)
    ada = contact(db, "Ada", "U1", stale=True)
    bob = contact(db, "Bob", "U1", stale=True)
    cy = contact(db, "Cy", "U1", stale=True)
    snooze_contact(db, Actor(TEAM, "U1"), cy, NOW + timedelta(days=3), now=NOW)
    di = contact(db, "Di", "U1", stale=True)
    archive_contact(db, Actor(TEAM, "U1"), di, now=NOW)
    contact(db, "Eve", "U1", stale=False)
    fay = contact(db, "Fay", "U2", stale=True)

    log(db, target, "U1", at(2, 15, 23, 59))  # the Sunday before the window
    log(db, target, "U1", at(2, 16, 0, 0))
    log(db, target, "U1", at(2, 22, 23, 59))
    done = log(db, target, "U1", at(2, 23, 0, 0), follow_up=date(2026, 3, 1))
    mark_follow_up_done(db, Actor(TEAM, "U1"), done, now=NOW)
    deleted = log(db, target, "U1", at(3, 4))
    delete_interaction(db, Actor(TEAM, "U1"), deleted, now=NOW)
    u1_overdue = log(db, ada, "U1", at(3, 9, 0, 0), follow_up=date(2026, 3, 9))
    log(db, target, "U1", at(3, 11, 16, 0), follow_up=date(2026, 3, 11))
    log(db, fay, "U2", at(3, 3, 9))
    log(db, fay, "U2", at(3, 3, 10))
    u2_overdue = log(db, target, "U2", at(3, 10), follow_up=date(2026, 3, 10))
    elsewhere = contact(db, "Zed", "U9", stale=True, team="T999")
    log(db, elsewhere, "U9", at(3, 10), team="T999")
    return {"ada": ada, "bob": bob, "fay": fay, "u1_overdue": u1_overdue, "u2_overdue": u2_overdue}


def test_week_starts_are_mondays_utc_the_last_being_this_week():
    assert week_starts(NOW, 4) == [at(2, 16, 0), at(2, 23, 0), at(3, 2, 0), at(3, 9, 0)]
    assert week_starts(at(3, 9, 0, 0), 1) == [at(3, 9, 0)]  # Monday midnight starts a week


def test_team_figures_match_the_hand_computed_fixture(db, fixture):
    report = team_report(db, TEAM, NOW)

    assert report.week_starts == (date(2026, 2, 16), date(2026, 2, 23), date(2026, 3, 2), date(2026, 3, 9))
    assert [(p.user_id, p.counts, p.total) for p in report.people] == [
        ("U1", (2, 1, 0, 2), 5),
        ("U2", (0, 0, 2, 1), 3),
    ]
    assert report.week_totals == (2, 1, 2, 3)
    # Ada and Fay were logged with this month, so only Bob is stale for U1 and nobody for U2.
    assert [(o.owner_user_id, o.count, o.names) for o in report.stale_by_owner] == [("U1", 1, ("Bob",))]
    assert report.stale_total == 1
    assert [(o.follow_up.interaction_id, o.days_overdue) for o in report.overdue_follow_ups] == [
        (fixture["u1_overdue"], 2),
        (fixture["u2_overdue"], 2),
    ]
    assert report.overdue_follow_up_total == 2


def test_stale_names_are_the_most_overdue_three_per_owner(db):
    for n in range(5):
        cid = contact(db, f"Old {n}", "U1", stale=True)
        with db.write() as session:
            row = session.get(Contact, cid)
            row.created_at = LONG_AGO - timedelta(days=n)
            refresh_due_at(row, default_cadence(session, TEAM))
    report = team_report(db, TEAM, NOW, weeks=2)
    assert [(o.count, o.names) for o in report.stale_by_owner] == [(5, ("Old 4", "Old 3", "Old 2"))]
    assert len(report.week_starts) == 2 and report.people == ()


def _cli(argv: list[str], db_url: str) -> int:
    parser = argparse.ArgumentParser(prog="touchbase")
    add_report_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    settings = Settings(
        slack_bot_token=None,
        slack_signing_secret=None,
        slack_app_token=None,
        database_url=db_url,
        slack_api_url="http://127.0.0.1:9/",
        log_level="INFO",
        port=0,
    )
    return args.run(args, settings)


def test_touchbase_report_prints_the_same_figures_as_table_csv_and_json(db, fixture, capsys, monkeypatch):
    monkeypatch.setattr("bot.services.utc_now", lambda: NOW)

    assert _cli(["report", "--team", TEAM], db.url) == 0
    table = capsys.readouterr().out
    assert "  person  Feb 16  Feb 23  Mar 02  Mar 09   total" in table
    assert "  U1           2       1       0       2       5  █▄ █\n" in table
    assert "  U2           0       0       2       1       3    █▄\n" in table
    assert "  team         2       1       2       3       8\n" in table
    assert "Overdue for a touch, by owner (1):\n  U1: 1 — Bob" in table
    assert (
        "Overdue follow-ups (2), most overdue first:\n  Ada (U1) — overdue by 2 days (due 2026-03-09)"
        in table
    )

    assert _cli(["report", "--team", TEAM, "--format", "csv", "--weeks", "2"], db.url) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [
        (r["section"], r["user_id"], r["week"], r["value"]) for r in rows if r["section"] == "interactions"
    ] == [
        # Over two weeks U2 logged more (3 to 2): most first.
        ("interactions", "U2", "2026-03-02", "2"),
        ("interactions", "U2", "2026-03-09", "1"),
        ("interactions", "U1", "2026-03-02", "0"),
        ("interactions", "U1", "2026-03-09", "2"),
    ]

    assert _cli(["report", "--team", TEAM, "--format", "json"], db.url) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["week_totals"] == [2, 1, 2, 3] and data["stale_total"] == 1
    assert [f["days_overdue"] for f in data["overdue_follow_ups"]] == [2, 2]


# ---------------------------------------------------------------------- a team of 200


def big_report(people: int = 200) -> TeamReport:
    users = [f"U{n:04d}" for n in range(people)]
    follow_ups = tuple(
        OverdueFollowUp(
            FollowUp(
                n,
                TEAM,
                n,
                "Contact " + "x" * 150,
                u,
                date(2026, 3, 1),
                date(2026, 3, 1),
                "call",
                "s" * 300,
                NOW,
            ),
            10,
        )
        for n, u in enumerate(users)
    )
    return TeamReport(
        team_id=TEAM,
        generated_at=NOW,
        week_starts=tuple(d.date() for d in week_starts(NOW, 4)),
        people=tuple(PersonWeeks(u, (n, 2 * n, 3, 999)) for n, u in enumerate(users)),
        week_totals=(1, 2, 3, 4),
        stale_by_owner=tuple(OwnerStale(u, 500, ("A" * 200, "B" * 200, "C" * 200)) for u in users),
        stale_total=100_000,
        overdue_follow_ups=follow_ups[:10],
        overdue_follow_up_total=len(follow_ups),
        team_digest_channel="C123",
        team_digest_weekday=2,
    )


def test_app_home_for_a_team_of_200_stays_within_block_kit_limits():
    report = big_report()
    blocks = team_blocks(report, viewer_is_admin=True)
    view = home_view(
        stale=[],
        stale_total=0,
        recent=[],
        digest_enabled=True,
        digest_time="09:00",
        digest_weekdays=frozenset({0, 1, 2, 3, 4}),
        tz_name="UTC",
        now=NOW,
        viewer_is_admin=True,
        team=report,
    )
    check_view(view)
    assert len(view["blocks"]) <= 100 and len(blocks) == 7
    text = json.dumps(blocks, ensure_ascii=False)
    assert "…and 185 more people (`touchbase report` lists everyone)" in text
    assert "…and 190 more owners" in text and "…and 195 more" in text
    assert "Every Wednesday at 09:00 UTC" in text


# ---------------------------------------------------------------------- the weekly team digest's day


def test_the_weekly_team_digest_goes_out_on_the_day_the_admin_chose(db):
    set_team_digest_channel(db, ADMIN, "C123", now=NOW)
    assert [d.team_id for d in due_team_digests(db, at(3, 9, 9, 0))] == [TEAM]  # Monday by default
    set_team_digest_weekday(db, ADMIN, 2, now=NOW)
    assert due_team_digests(db, at(3, 9, 9, 0)) == []
    assert due_team_digests(db, at(3, 11, 8, 59)) == []  # Wednesday, before 09:00 UTC
    assert [d.team_id for d in due_team_digests(db, at(3, 11, 9, 0))] == [TEAM]
    with pytest.raises(Forbidden):
        set_team_digest_weekday(db, Actor(TEAM, "U2"), 4, now=NOW)
    assert team_report(db, TEAM, NOW).team_digest_weekday == 2


def test_a_real_team_of_200_fits_app_home(db):
    """200 people, each with a stale contact, an interaction this week and an overdue follow-up."""
    for n in range(200):
        user = f"U{n:04d}"
        cid = contact(db, f"Contact {n} " + "of a long name " * 5, user, stale=True)
        log(db, cid, user, NOW - timedelta(days=40), follow_up=date(2026, 3, 1))
        log(db, contact(db, f"Fresh {n}", user, stale=False), user, at(3, 10))
    report = team_report(db, TEAM, NOW)
    assert len(report.people) == 200 and report.week_totals == (0, 0, 0, 200)
    assert report.stale_total == 200 and report.overdue_follow_up_total == 200
    view = home_view(
        stale=[],
        stale_total=0,
        recent=[],
        digest_enabled=True,
        digest_time="09:00",
        digest_weekdays=frozenset({0, 1, 2, 3, 4}),
        tz_name="UTC",
        now=NOW,
        viewer_is_admin=True,
        team=report,
    )
    check_view(view)
    text = json.dumps(view, ensure_ascii=False)
    assert "…and 185 more people" in text and "…and 190 more owners" in text and "…and 195 more" in text
