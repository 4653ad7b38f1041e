"""The one date-phrase engine: quick log (`/log … yesterday 3pm`) and the list filters
(`/interactions since:"1 week ago"`) both read dates here, so they always agree.

Pure: no clock reads, no Slack, no database. The caller passes `now` (aware) and the user's zone.

How a phrase is read
--------------------
`scan` finds candidate pieces with the patterns in `bot.domain.lexicon` (bare numbers, "may",
"to" or "1234" never become dates). `read_group` turns one piece, or a day and a time next to each
other ("yesterday 3pm", "3pm on tuesday"), into a `Reading`: a local day, an optional local clock
time, or an exact instant. All arithmetic is done on the user's wall-clock calendar, then the
result is attached to the zone, so a DST change between now and the day read never moves the day.

Conventions
-----------
- A day without a time is a day: `Reading.clock` is None and `time_known` False. Turned into an
  instant (`Reading.utc`), it is the *start* of that local day, so it sorts within the day. This
  holds for "yesterday", "today", "N days/weeks/months ago", "last week", weekdays and dates.
- "N minutes/hours ago", "just now" and "half an hour ago" are exact elapsed time.
- Parts of the day are fixed local times, and count as a known time: morning 09:00,
  afternoon 15:00, evening 18:00, night 20:00 ("last night", "tonight").
- A year-less date ("march 3", "3/14") is its most recent occurrence on or before today when
  reading the past, its next occurrence on or after today for a follow-up (`prefer="future"`).
  "tuesday" alone is the closest previous Tuesday (a week ago on a Tuesday); "this tuesday" the
  one in the current Monday-to-Sunday week; "next tuesday" the next one.
- Numeric dates: ISO `2026-03-04` is always year-month-day and `3.4.` day-first. For `3/4` the
  order comes from the Slack locale (`lexicon.day_first`); when only one order gives a real date
  (`3/14`, `14/3`) that one is used; otherwise, with no known locale, it is a question.
- Days must lie between 1970-01-01 and 9998-12-31; others are a problem, never an exception.
- Vague phrases ("this week", "the other day", "a few days ago") are a problem: which day?
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Literal

from bot.domain import lexicon as lx
from bot.domain.calendar_days import add_months, calendar_day, day_of_month
from bot.domain.rules import FUTURE_SKEW
from bot.domain.typos import misspelt_date_word

__all__ = [
    "MAX_DAY",
    "MIN_DAY",
    "Piece",
    "Reading",
    "day_start_utc",
    "future_problem",
    "misspelt_date_word",
    "quote",
    "read_date",
    "read_group",
    "scan",
    "split_group",
]

Prefer = Literal["past", "future"]
MIN_DAY = date(1970, 1, 1)
MAX_DAY = date(9998, 12, 31)


def quote(text: str) -> str:
    return f"“{' '.join(text.split())}”"


@dataclass
class Piece:
    kind: str
    start: int  # span in the text, connectors ("on", "at") included
    end: int
    core_start: int  # span without the leading connector
    match: re.Match[str]

    @property
    def granularity(self) -> str:
        groups = self.match.groupdict()
        if self.kind == "time":
            return "time"
        if self.kind in ("ago", "ahead") and (groups.get("half") or _unit(groups["unit"]) in ("m", "h")):
            return "instant"
        if self.kind == "now" or (self.kind == "iso" and groups.get("h")):
            return "instant"
        return "day"


@dataclass(frozen=True)
class Reading:
    """What a date phrase means; exactly one of `problem` or (`day` [+ `clock`] | `instant`)."""

    text: str  # the words read, as typed
    day: date | None = None  # the local day
    clock: time | None = None  # the local wall-clock time, when the phrase gives one
    instant: datetime | None = None  # UTC, for elapsed time ("3 hours ago", "just now")
    problem: str | None = None

    @property
    def time_known(self) -> bool:
        return self.instant is not None or self.clock is not None

    def local_day(self, tz: tzinfo) -> date | None:
        if self.instant is not None:
            return self.instant.astimezone(tz).date()
        return self.day

    def utc(self, tz: tzinfo) -> datetime | None:
        """The instant: exact, or the local day and time, or the start of the local day."""
        if self.problem is not None:
            return None
        if self.instant is not None:
            return self.instant
        if self.day is None:
            return None
        return _to_utc(datetime.combine(self.day, self.clock or time(0)), tz)


def day_start_utc(day: date, tz: tzinfo) -> datetime:
    """The first instant of a local day, in UTC."""
    return _to_utc(datetime.combine(day, time(0)), tz)


def _to_utc(local: datetime, tz: tzinfo) -> datetime:
    # Wall-clock time in the user's zone; a time in a DST gap resolves like the clocks did.
    return local.replace(tzinfo=tz).astimezone(UTC)


# --------------------------------------------------------------------------------------------------
# Scanning


def scan(text: str, start: int = 0, end: int | None = None) -> list[Piece]:
    """Every date/time piece in text[start:end], earliest first; overlapping pieces keep the longest."""
    end = len(text) if end is None else end
    found: list[Piece] = []
    for kind, pattern in lx.DATE_PATTERNS:
        for match in pattern.finditer(text, start, end):
            connector = lx.CONNECTOR_RE.match(match.group(0))
            core_start = match.start() + (connector.end() if connector else 0)
            found.append(Piece(kind, match.start(), match.end(), core_start, match))
    found.sort(key=lambda p: (p.start, -(p.end - p.start)))
    chosen: list[Piece] = []
    for piece in found:
        if chosen and piece.start < chosen[-1].end:
            continue
        if piece.match.group(0).strip() in lx.NOT_A_DATE:
            continue
        chosen.append(piece)
    return chosen


def split_group(text: str, pieces: list[Piece]) -> tuple[list[Piece], list[Piece]]:
    """The first phrase (a piece, or a day and a time side by side) and the pieces after it."""
    if not pieces:
        return [], []
    group = [pieces[0]]
    if len(pieces) > 1:
        first, second = pieces[0], pieces[1]
        gap = text[first.end : second.start]
        if re.fullmatch(r"[\s,]*", gap) and {first.granularity, second.granularity} == {"time", "day"}:
            group.append(second)
        elif re.fullmatch(r"[\s,]*", gap) and _weekday_then_date(first, second):
            group.append(second)  # "Tuesday, March 3": one day, said twice
            if (
                len(pieces) > 2
                and pieces[2].granularity == "time"
                and re.fullmatch(r"[\s,]*", text[second.end : pieces[2].start])
            ):
                group.append(pieces[2])
    return group, pieces[len(group) :]


def _weekday_then_date(first: Piece, second: Piece) -> bool:
    if first.kind != "weekday" or second.kind not in _DATES:
        return False
    groups = first.match.groupdict()
    return not (groups.get("mod") or groups.get("mod2") or groups.get("pod"))


_DATES = ("monthday", "iso", "numeric", "dotted", "dayofmonth")


def core_text(text: str, group: list[Piece]) -> str:
    return " ".join(text[group[0].core_start : group[-1].end].split())


# --------------------------------------------------------------------------------------------------
# Reading


def read_group(
    text: str,
    group: list[Piece],
    *,
    now: datetime,
    tz: tzinfo,
    locale: str | None = None,
    prefer: Prefer = "past",
) -> Reading:
    """Resolve one phrase (from `split_group`). Never raises."""
    phrase = core_text(text, group)
    try:
        return _read(phrase, group, now=_aware(now), tz=tz, locale=locale, prefer=prefer)
    except (ValueError, OverflowError, ArithmeticError):
        return Reading(phrase, problem=_out_of_range(phrase))


def read_date(
    text: str,
    *,
    now: datetime,
    tz: tzinfo,
    locale: str | None = None,
    prefer: Prefer = "past",
) -> Reading:
    """Read a whole value (`since:"1 week ago"`) as one phrase; anything left over is a problem."""
    value = " ".join(text.split())
    pieces = scan(value)
    group, rest = split_group(value, pieces)
    unreadable = Reading(value, problem=f"I couldn't read {quote(value)} as a date.")
    if not group or rest:
        return unreadable
    covered = value[: group[0].start] + value[group[-1].end :]
    if covered.strip(" ,"):
        return unreadable
    return read_group(value, group, now=now, tz=tz, locale=locale, prefer=prefer)


def future_problem(reading: Reading, *, now: datetime, tz: tzinfo) -> str | None:
    """For something that already happened: a reading later than now (plus skew) is a problem."""
    if reading.problem is not None:
        return None
    now = _aware(now)
    moment = reading.utc(tz)
    if reading.time_known:
        late = moment is not None and moment > now.astimezone(UTC) + FUTURE_SKEW
    else:
        late = reading.day is not None and reading.day > now.astimezone(tz).date()
    if late:
        return f"{quote(reading.text)} is in the future: a log records what already happened."
    return None


def _aware(now: datetime) -> datetime:
    return now.replace(tzinfo=UTC) if now.tzinfo is None or now.utcoffset() is None else now


def _out_of_range(phrase: str) -> str:
    return f"{quote(phrase)} is out of range: dates run from 1970 to 9998."


def _read(phrase: str, group: list[Piece], *, now: datetime, tz: tzinfo, locale: str | None, prefer: Prefer):
    day_pieces = [p for p in group if p.granularity != "time"]
    day_piece = day_pieces[-1] if day_pieces else None  # "Tuesday, March 3": the date, checked below
    time_piece = next((p for p in group if p.granularity == "time"), None)
    local_now = now.astimezone(tz).replace(tzinfo=None)
    today = local_now.date()

    clock: time | None = None
    if time_piece is not None:
        clock_or_problem = _clock(time_piece)
        if isinstance(clock_or_problem, str):
            return Reading(phrase, problem=clock_or_problem)
        clock = clock_or_problem

    if day_piece is None:  # a time alone means today at that time
        return _checked(Reading(phrase, day=today, clock=clock))

    groups = day_piece.match.groupdict()
    kind = day_piece.kind
    pod = groups.get("pod")
    if pod and clock is None:
        clock = time(lx.PART_OF_DAY[pod.lower()], 0)

    if kind == "now":
        return Reading(phrase, instant=now.astimezone(UTC))
    if kind in ("ago", "ahead"):
        sign = -1 if kind == "ago" else 1
        if groups.get("half"):
            return Reading(phrase, instant=now.astimezone(UTC) + sign * timedelta(minutes=30))
        amount = _count(groups["n"])
        unit = _unit(groups["unit"])
        extra = groups.get("extra")
        if extra is not None and (unit != "h" or amount != int(amount)):
            return Reading(phrase, problem=f"I couldn't read {quote(phrase)} as a time.")
        if unit == "h":
            minutes = round(amount * 60) + int(extra or 0)
            return Reading(phrase, instant=now.astimezone(UTC) + sign * timedelta(minutes=minutes))
        if amount != int(amount):
            return Reading(phrase, problem=f"{quote(phrase)}: I can't read a fraction there.")
        count = sign * int(amount)
        if unit == "m":
            return Reading(phrase, instant=now.astimezone(UTC) + timedelta(minutes=count))
        if unit == "d":
            day = today + timedelta(days=count)
        elif unit == "w":
            day = today + timedelta(weeks=count)
        else:
            day = add_months(today, count * (1 if unit == "mo" else 12))
        return _checked(Reading(phrase, day=day, clock=clock))
    if kind == "vague":
        return Reading(phrase, problem=f"{quote(phrase)} is too vague: which day?")
    if kind in ("lastperiod", "nextperiod"):
        sign = -1 if kind == "lastperiod" else 1
        period = groups["period"].lower()[0]  # week/wk, month/mo, year/yr
        if period == "w":
            day = today + timedelta(weeks=sign)
        else:
            day = add_months(today, sign * (1 if period == "m" else 12))
        return _checked(Reading(phrase, day=day, clock=clock))
    if kind == "relday":
        word = " ".join(groups["word"].lower().split()).removeprefix("the ")
        offsets = {
            "yesterday": -1,
            "today": 0,
            "earlier today": 0,
            "tomorrow": 1,
            "day before yesterday": -2,
            "day after tomorrow": 2,
        }
        return _checked(Reading(phrase, day=today + timedelta(days=offsets[word]), clock=clock))
    if kind == "pod":
        word = " ".join(groups["word"].lower().split())
        if word == "tonight":
            day, part = today, "night"
        elif word == "last night":
            day, part = today - timedelta(days=1), "night"
        else:
            day, part = today, word.split()[-1]
        if time_piece is None:
            clock = time(lx.PART_OF_DAY[part], 0)
        return _checked(Reading(phrase, day=day, clock=clock))
    if kind == "weekday":
        full = groups.get("full")
        target = lx.WEEKDAYS_FULL.index(full.lower()) if full else lx.WEEKDAY_ABBR[groups["abbr"].lower()]
        mod = (groups.get("mod") or groups.get("mod2") or "").lower()
        weekday = today.weekday()
        if mod == "this":
            delta = target - weekday  # the day in the current week, Monday to Sunday
        elif mod == "next" or (prefer == "future" and mod in ("", "on")):
            delta = (target - weekday) % 7 or 7
        else:  # "last tuesday", "tuesday": the closest previous one, a week ago if it is today
            delta = -((weekday - target) % 7 or 7)
        return _checked(Reading(phrase, day=today + timedelta(days=delta), clock=clock))
    if kind == "monthday":
        month = lx.MONTH_OF[(groups.get("m1") or groups["m2"]).lower().rstrip(".")]
        day_number = int(groups.get("d1") or groups["d2"])
        year_text = groups.get("y1") or groups.get("y2")
        found = calendar_day(month, day_number, int(year_text) if year_text else None, today, prefer)
        if found is None:
            return Reading(phrase, problem=f"I couldn't read {quote(phrase)} as a date.")
        return _same_weekday(_checked(Reading(phrase, day=found, clock=clock)), day_pieces)
    if kind == "dayofmonth":
        found = day_of_month(int(groups["d"]), today, prefer)
        if found is None:
            return Reading(phrase, problem=f"I couldn't read {quote(phrase)} as a date.")
        return _same_weekday(_checked(Reading(phrase, day=found, clock=clock)), day_pieces)
    if kind == "iso":
        found = calendar_day(int(groups["mo"]), int(groups["d"]), int(groups["y"]), today, prefer)
        if found is None:
            return Reading(phrase, problem=f"I couldn't read {quote(phrase)} as a date.")
        if groups.get("h") is not None:
            hour, minute = int(groups["h"]), int(groups["mi"])
            if hour > 23 or minute > 59:
                return Reading(phrase, problem=f"I couldn't read {quote(phrase)} as a time.")
            clock = time(hour, minute)
        return _same_weekday(_checked(Reading(phrase, day=found, clock=clock)), day_pieces)
    if kind in ("numeric", "dotted"):
        reading = _numeric(phrase, day_piece, clock, today, locale if kind == "numeric" else "de", prefer)
        return _same_weekday(reading, day_pieces)
    raise ValueError(kind)  # pragma: no cover - every kind is handled above


def _numeric(
    phrase: str, piece: Piece, clock: time | None, today: date, locale: str | None, prefer: Prefer
) -> Reading:
    groups = piece.match.groupdict()
    first, second = int(groups["a"]), int(groups["b"])
    year = None
    if groups.get("y"):
        year = int(groups["y"])
        year += 2000 if year < 100 else 0
    text = piece.match.group(0)[piece.core_start - piece.start :]
    readings: dict[str, date] = {}
    for order, (month, day) in (("md", (first, second)), ("dm", (second, first))):
        found = calendar_day(month, day, year, today, prefer)
        if found is not None:
            readings[order] = found
    if not readings:
        return Reading(phrase, problem=f"I couldn't read {quote(text)} as a date.")
    if len(readings) == 2 and readings["md"] != readings["dm"]:
        first_is_day = lx.day_first(locale)
        if first_is_day is None:
            month_first = f"{lx.MONTH_TITLES[first - 1]} {second}"
            day_first = f"{first} {lx.MONTH_TITLES[second - 1]}"
            return Reading(phrase, problem=f"Is {text} {month_first} or {day_first}?")
        found = readings["dm" if first_is_day else "md"]
    else:
        found = next(iter(readings.values()))
    return _checked(Reading(phrase, day=found, clock=clock))


def _same_weekday(reading: Reading, day_pieces: list[Piece]) -> Reading:
    """ "Tuesday, March 3" is fine when March 3 is a Tuesday, a question otherwise."""
    if len(day_pieces) < 2 or reading.day is None or reading.problem is not None:
        return reading
    typed = day_pieces[0].match.group("full") or ""
    if lx.WEEKDAYS_FULL.index(typed.lower()) == reading.day.weekday():
        return reading
    actual = lx.WEEKDAYS_FULL[reading.day.weekday()].title()
    return Reading(
        reading.text, problem=f"{quote(reading.text)}: that day is a {actual}, not a {typed.title()}."
    )


def _checked(reading: Reading) -> Reading:
    if reading.day is not None and not MIN_DAY <= reading.day <= MAX_DAY:
        return Reading(reading.text, problem=_out_of_range(reading.text))
    return reading


def _clock(piece: Piece) -> time | str:
    groups = piece.match.groupdict()
    phrase = piece.match.group(0).strip()
    if groups.get("word"):
        return time(0) if groups["word"].lower() == "midnight" else time(12)
    if groups.get("bare") is not None:
        hour = int(groups["bare"])
        if hour == 0 or 13 <= hour <= 23:
            return time(hour, 0)
        if hour > 23:
            return f"I couldn't read {quote(phrase)} as a time."
        return f"{quote(phrase)} — {hour} AM or {hour} PM?"
    hour = int(groups["h"])
    minute = int(groups["mi"] or 0)
    if minute > 59:
        return f"I couldn't read {quote(phrase)} as a time."
    meridiem = (groups.get("ap") or "").lower().replace(".", "")
    if meridiem:
        if not 1 <= hour <= 12:
            return f"I couldn't read {quote(phrase)} as a time."
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    elif hour > 23:
        return f"I couldn't read {quote(phrase)} as a time."
    return time(hour, minute)


def _count(text: str) -> float:
    words = text.lower().replace(",", ".").split()
    if words and words[0][0].isdigit():
        return float(words[0])
    for word in words:
        if word in lx.NUMBER_WORDS and word not in ("a", "an"):
            return lx.NUMBER_WORDS[word]
    return 1


def _unit(unit: str) -> str:
    unit = unit.lower()
    if unit.startswith("mi") or unit == "m":
        return "m"
    if unit.startswith("h"):
        return "h"
    if unit.startswith("d"):
        return "d"
    if unit.startswith("w"):
        return "w"
    if unit.startswith("mo"):
        return "mo"
    return "y"
