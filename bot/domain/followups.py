"""Follow-ups: plans attached to an interaction ("follow up friday"), never contacts.

A follow-up belongs to whoever logged its interaction. Its days are local to that person:
due "today" means today where they are, so each check takes their local `today`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

# How far ahead a follow-up may be set, and the snooze choices offered on its buttons.
FOLLOW_UP_MAX_DAYS = 3 * 366
SNOOZE_CHOICES = (1, 3, 7)
# Follow-ups a digest DM shows (two blocks each: with 15 contacts the DM stays under 50 blocks).
DIGEST_FOLLOW_UPS_MAX = 5
# `/interactions followup:open|due|overdue`: open; due by today; due before today.
OPEN = "open"
DUE = "due"
OVERDUE = "overdue"
FILTERS = (OPEN, DUE, OVERDUE)


@dataclass(frozen=True)
class FollowUp:
    interaction_id: int
    team_id: str
    contact_id: int
    contact_name: str
    owner_user_id: str  # who logged the interaction
    set_on: date  # the day it was set for
    due_on: date | None  # when it is due now (a snooze moves it); None once done
    type: str
    summary: str
    occurred_at: datetime
    done_at: datetime | None = None
    done_by: str | None = None

    @property
    def is_done(self) -> bool:
        return self.due_on is None

    @property
    def is_snoozed(self) -> bool:
        return self.due_on is not None and self.due_on != self.set_on

    def is_due(self, today: date) -> bool:
        return self.due_on is not None and self.due_on <= today

    def days_overdue(self, today: date) -> int:
        return (today - self.due_on).days if self.due_on is not None else 0


def check_follow_up_day(day: date, today: date) -> str | None:
    """Why `day` can't be a new follow-up's day for someone whose local today is `today`, or None."""
    if day < today:
        return "That day is in the past: a follow-up is for today or later."
    if day > today + timedelta(days=FOLLOW_UP_MAX_DAYS):
        return "That's more than three years away: pick a nearer day."
    return None


def due_phrase(due_on: date, today: date) -> str:
    """ "due today", "overdue by 3 days", "due tomorrow", "due Fri 4 Dec"."""
    days = (today - due_on).days
    if days > 0:
        return f"overdue by {days} day{'s' if days != 1 else ''}"
    if days == 0:
        return "due today"
    if days == -1:
        return "due tomorrow"
    return f"due {due_on:%a} {due_on.day} {due_on:%b}" + (f" {due_on.year}" if days < -300 else "")


@dataclass(frozen=True)
class PersonWeeks:
    user_id: str
    counts: tuple[int, ...]  # interactions logged in each week, oldest week first

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class OwnerStale:
    owner_user_id: str
    count: int  # contacts overdue for a touch (last touch older than their cadence, not snoozed)
    names: tuple[str, ...]  # the most overdue few


@dataclass(frozen=True)
class OverdueFollowUp:
    follow_up: FollowUp
    days_overdue: int  # by the owner's local today


@dataclass(frozen=True)
class TeamReport:
    """The "Team" figures: App Home's Team section and `touchbase report` show the same."""

    team_id: str
    generated_at: datetime
    week_starts: tuple[date, ...]  # Mondays (UTC) of the weeks counted, oldest first; the last is this week
    people: tuple[PersonWeeks, ...]  # most interactions first
    week_totals: tuple[int, ...]
    stale_by_owner: tuple[OwnerStale, ...]  # most stale contacts first
    stale_total: int
    overdue_follow_ups: tuple[OverdueFollowUp, ...]  # most overdue first (at most the limit asked)
    overdue_follow_up_total: int
    team_digest_channel: str | None = None
    team_digest_weekday: int = 0
