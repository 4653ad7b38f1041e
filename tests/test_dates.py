"""One date engine: `/log … PHRASE` and `/interactions since:"PHRASE"` agree on the day, in every zone,
including DST weeks; dates out of range are problems, never exceptions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain import dates
from bot.domain.filters import parse_filters
from bot.domain.lexicon import day_first
from bot.domain.quicklog import parse_quick_log

ZONES = ["America/Los_Angeles", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Pacific/Auckland"]
# Local wall-clock `now`s: 00:30 in DST weeks (US spring 2026-03-08, EU spring 2026-03-29,
# US fall 2026-11-01, NZ fall 2026-04-05), and on the change days themselves.
NOWS = [
    datetime(2026, 3, 11, 0, 30),
    datetime(2026, 3, 8, 3, 30),
    datetime(2026, 3, 29, 0, 30),
    datetime(2026, 3, 30, 0, 30),
    datetime(2026, 4, 6, 0, 30),
    datetime(2026, 11, 1, 0, 30),
    datetime(2026, 11, 2, 0, 30),
    datetime(2026, 11, 4, 23, 45),
]
PHRASES = [
    "1 week ago",
    "yesterday",
    "2 days ago",
    "the day before yesterday",
    "last monday",
    "sunday",
    "last week",
    "last month",
    "3 weeks ago",
    "a year ago",
    "2026-03-01",
    "march 3",
    "3 march 2026",
    "3/14",
    "14/3",
    "today",
    "3 hours ago",
    "an hour ago",
    "just now",
    "yesterday 3pm",
    "last monday 12:30",
    "2026-03-08 02:30",
]


@pytest.mark.parametrize("phrase", PHRASES)
@pytest.mark.parametrize("naive_now", NOWS, ids=str)
@pytest.mark.parametrize("zone", ZONES)
def test_quick_log_and_filters_agree(zone: str, naive_now: datetime, phrase: str) -> None:
    tz = ZoneInfo(zone)
    now = naive_now.replace(tzinfo=tz)
    logged = parse_quick_log(f"Jane call {phrase}", now=now, tz=tz, locale="en-US")
    since = parse_filters(f'since:"{phrase}"', now=now, tz=tz, user_id="U1", locale="en-US")
    until = parse_filters(f'until:"{phrase}"', now=now, tz=tz, user_id="U1", locale="en-US")
    assert since.problems == () and until.problems == ()
    if logged.occurred_at is None:  # only ever because it lies in the future
        assert all("in the future" in p for p in logged.problems), logged.problems
        return
    assert logged.problems == ()
    day = logged.occurred_at.astimezone(tz).date()
    assert since.since == datetime.combine(day, datetime.min.time(), tzinfo=tz).astimezone(UTC)
    assert since.since.astimezone(tz).date() == day
    assert until.until == dates.day_start_utc(day + timedelta(days=1), tz)
    if not logged.time_known:  # a day: the start of that local day, exactly where the filter starts
        assert logged.occurred_at == since.since


def test_the_dst_week_example_from_the_issue() -> None:
    # 00:30 local on Wednesday 2026-03-11 in Los Angeles (DST began Sunday 2026-03-08).
    tz = ZoneInfo("America/Los_Angeles")
    now = datetime(2026, 3, 11, 0, 30, tzinfo=tz)
    logged = parse_quick_log("jane call 1 week ago", now=now, tz=tz)
    filters = parse_filters('since:"1 week ago"', now=now, tz=tz, user_id="U1")
    assert logged.occurred_at == filters.since == datetime(2026, 3, 4, 8, 0, tzinfo=UTC)  # PST midnight
    assert logged.time_known is False


def test_eu_change_day_and_us_fall_change_day() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    now = datetime(2026, 3, 30, 0, 30, tzinfo=berlin)  # the day after the EU change
    logged = parse_quick_log("jane call yesterday 2:30am", now=now, tz=berlin)
    # 02:30 did not exist on 2026-03-29 in Berlin: it resolves like the clocks did (03:30 CEST).
    assert logged.occurred_at == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    new_york = ZoneInfo("America/New_York")
    now = datetime(2026, 11, 1, 3, 0, tzinfo=new_york)  # the US fall change day, after 02:00 EST
    yesterday = parse_quick_log("jane call yesterday", now=now, tz=new_york)
    assert yesterday.occurred_at == datetime(2026, 10, 31, 4, 0, tzinfo=UTC)  # EDT midnight
    two_hours = parse_quick_log("jane call 2 hours ago", now=now, tz=new_york)
    assert two_hours.occurred_at == now.astimezone(UTC) - timedelta(hours=2)  # elapsed, not wall clock


# -- locale ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en-US", False),
        ("en_US", False),
        ("en-GB", True),
        ("en-IN", True),
        ("de-DE", True),
        ("fr-FR", True),
        ("es-LA", True),
        ("pt-BR", True),
        ("ru-RU", True),
        ("it-IT", True),
        ("ja-JP", None),
        ("zh-CN", None),
        ("en-CA", None),
        ("en", None),
        ("", None),
        (None, None),
        ("xx-YY", None),
    ],
)
def test_day_first(locale: str | None, expected: bool | None) -> None:
    assert day_first(locale) is expected


BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 3, 11, 10, 0, tzinfo=BERLIN)


@pytest.mark.parametrize("locale", [None, "ja-JP", "en-CA", "nonsense"])
def test_an_unsettled_numeric_date_is_a_question(locale: str | None) -> None:
    logged = parse_quick_log("Jane call 3/4", now=NOW, tz=BERLIN, locale=locale)
    assert logged.occurred_at is None
    assert "Is 3/4 March 4 or 3 April?" in logged.problems
    filters = parse_filters("since:3/4", now=NOW, tz=BERLIN, user_id="U1", locale=locale)
    assert filters.since is None and "Is 3/4 March 4 or 3 April?" in filters.problems


@pytest.mark.parametrize("text", ["3/14", "14/3", "2026-03-04", "4.3.2026", "5/5", "12/25/2025"])
def test_unambiguous_numeric_dates_need_no_locale(text: str) -> None:
    logged = parse_quick_log(f"Jane call {text}", now=NOW, tz=BERLIN)
    assert logged.problems == () and logged.occurred_at is not None and not logged.time_known


def test_locale_settles_the_order_in_filters_too() -> None:
    us = parse_filters("since:3/4 until:3/5", now=NOW, tz=BERLIN, user_id="U1", locale="en-US")
    assert us.since == dates.day_start_utc(date(2026, 3, 4), BERLIN)
    assert us.until == dates.day_start_utc(date(2026, 3, 6), BERLIN)
    de = parse_filters("since:3/4", now=NOW, tz=BERLIN, user_id="U1", locale="de-DE")
    assert de.since == dates.day_start_utc(date(2025, 4, 3), BERLIN)


# -- out of range --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "until:0001-01-01",
        "since:0001-01-01",
        "until:9999-12-31",
        "until:9998-12-31",
        "since:99999-01-01",
        'since:"9999 years ago"',
        'since:"999999 days ago"',
        'until:"99999 weeks ago"',
        "since:1969-12-31",
        "since:feb 30",
        "since:2026-02-29",
        "since:nonsense",
        "since:",
    ],
)
def test_dates_out_of_range_are_problems(text: str) -> None:
    filters = parse_filters(text, now=NOW, tz=BERLIN, user_id="U1")
    assert filters.since is None and filters.until is None
    assert filters.problems


@pytest.mark.parametrize(
    "text", ["0001-01-01", "99999-01-01", "9999 years ago", "999999 days ago", "1969-12-31"]
)
def test_quick_log_out_of_range_is_a_problem(text: str) -> None:
    logged = parse_quick_log(f"Jane call {text}", now=NOW, tz=BERLIN)
    assert logged.occurred_at is None and logged.problems


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.text(max_size=40),
    st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(9990, 1, 1)),
    st.sampled_from(ZONES),
    st.sampled_from([None, "en-US", "de-DE"]),
)
def test_filters_never_raise(value: str, moment: datetime, zone: str, locale: str | None) -> None:
    tz = ZoneInfo(zone)
    for key in ("since", "until"):
        parsed = parse_filters(
            f"{key}:{value!r}", now=moment.replace(tzinfo=tz), tz=tz, user_id="U1", locale=locale
        )
        for bound in (parsed.since, parsed.until):
            assert bound is None or bound.utcoffset() == timedelta(0)


def test_read_date_takes_the_whole_value() -> None:
    assert dates.read_date("yesterday", now=NOW, tz=BERLIN).day == date(2026, 3, 10)
    assert dates.read_date("yesterday and more", now=NOW, tz=BERLIN).problem
    assert dates.read_date("yesterday friday", now=NOW, tz=BERLIN).problem
    reading = dates.read_date("friday", now=NOW, tz=BERLIN, prefer="future")
    assert reading.day == date(2026, 3, 13)


@pytest.mark.parametrize(
    ("word", "typo"),
    [
        ("yesteday", True),
        ("yesterdy", True),
        ("tomorow", True),
        ("tommorrow", True),
        ("wendsday", True),
        ("thrusday", True),
        ("fridy", True),
        ("morningg", True),
        ("money", False),
        ("friend", False),
        ("match", False),
        ("jane", False),
        ("today", False),
        ("pricing", False),
        ("meeting", False),
    ],
)
def test_misspelt_date_words(word: str, typo: bool) -> None:
    assert (dates.misspelt_date_word(word) is not None) is typo
