"""Calendar arithmetic for the date engine: year-less dates, days of the month, months ago."""

from __future__ import annotations

import calendar
from datetime import date
from typing import Literal

Prefer = Literal["past", "future"]


def calendar_day(month: int, day: int, year: int | None, today: date, prefer: Prefer) -> date | None:
    if not 1 <= month <= 12 or not 1 <= day <= 31:
        return None
    if year is not None:
        if not 1 <= year <= 9999 or day > calendar.monthrange(year, month)[1]:
            return None
        return date(year, month, day)
    step = -1 if prefer == "past" else 1
    candidate_year = today.year
    for _ in range(9):  # February 29 recurs within 8 years
        if day <= calendar.monthrange(candidate_year, month)[1]:
            found = date(candidate_year, month, day)
            if (found <= today) if prefer == "past" else (found >= today):
                return found
        candidate_year += step
    return None


def day_of_month(day: int, today: date, prefer: Prefer) -> date | None:
    """ "on the 3rd": this month's, else the closest month before (or after, for a follow-up) that has it."""
    step = -1 if prefer == "past" else 1
    index = today.year * 12 + today.month - 1
    for _ in range(13):
        year, month = divmod(index, 12)
        if 1 <= day <= calendar.monthrange(year, month + 1)[1]:
            found = date(year, month + 1, day)
            if (found <= today) if prefer == "past" else (found >= today):
                return found
        index += step
    return None


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    if not 1 <= year <= 9999:
        raise OverflowError("year out of range")
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))
