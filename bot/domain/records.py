"""Plain data handed out by domain operations: no live sessions leave storage/."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Generic, TypeVar
from zoneinfo import ZoneInfo

T = TypeVar("T")


@dataclass(frozen=True)
class Actor:
    """Who is acting, from a verified Slack payload: never from typed text."""

    team_id: str
    user_id: str
    is_admin: bool = False


@dataclass(frozen=True)
class ContactRecord:
    id: int
    team_id: str
    name: str
    email: str | None
    company: str | None
    slack_user_id: str | None
    owner_user_id: str
    cadence_days: int | None
    effective_cadence_days: int
    snoozed_until: datetime | None
    last_contacted_at: datetime | None
    due_at: datetime
    created_by: str
    created_at: datetime
    updated_at: datetime
    archived_at: datetime | None = None  # archived, or merged into `merged_into_id`
    merged_into_id: int | None = None

    def is_stale(self, now: datetime) -> bool:
        return self.due_at <= now and self.archived_at is None

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


@dataclass(frozen=True)
class ContactMatch:
    contact: ContactRecord
    score: float
    exact: bool


@dataclass(frozen=True)
class Attendee:
    """One of an interaction's contacts, as shown: the first one is the interaction's `contact_id`."""

    id: int
    name: str


@dataclass(frozen=True)
class InteractionRecord:
    id: int
    team_id: str
    contact_id: int
    contact_name: str
    type: str
    occurred_at: datetime
    duration_minutes: int | None
    summary: str
    notes: str | None
    logged_by: str
    source: str
    permalink: str | None
    created_at: datetime
    updated_at: datetime
    updated_by: str | None
    deleted_at: datetime | None
    time_known: bool = True  # False: only the day is known (occurred_at is that local day's start)
    # Every contact it was with, first (`contact_id`) first; left empty, just that one.
    all_contacts: tuple[Attendee, ...] = ()

    @property
    def attendees(self) -> tuple[Attendee, ...]:
        """Every contact it was with, the first (`contact_id`) first."""
        return self.all_contacts or (Attendee(self.contact_id, self.contact_name),)

    follow_up_on: date | None = None  # the follow-up's day as set (local to who logged it)
    follow_up_due_on: date | None = None  # when it is due now (snoozed or not); None once done
    follow_up_done_at: datetime | None = None

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def contact_ids(self) -> set[int]:
        return {a.id for a in self.attendees}

    @property
    def contact_names(self) -> str:
        """'Jane Doe', 'Jane Doe and May Chen', 'Jane Doe, May Chen and Bo Li' (as typed: escape to show)."""
        names = [a.name for a in self.attendees]
        return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None
    prev_cursor: str | None
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class LastInteraction:
    """The latest live interaction with a contact, as a digest line shows it."""

    type: str
    occurred_at: datetime
    summary: str
    logged_by: str
    with_others: int = 0  # how many other contacts it was with

    @property
    def others_text(self) -> str:
        """' with 2 others', ' with 1 other', or ''."""
        n = self.with_others
        return "" if n <= 0 else f" with {n} other" + ("" if n == 1 else "s")


@dataclass(frozen=True)
class StaleContact:
    contact: ContactRecord
    last_interaction: LastInteraction | None

    def overdue_by(self, now: datetime) -> timedelta:
        return now - self.contact.due_at


@dataclass(frozen=True)
class TeamWeekSummary:
    team_id: str
    since: datetime
    until: datetime
    by_type: dict[str, int]  # interaction type -> count, most first
    by_person: list[tuple[str, int]]  # (Slack user id, count), most first
    interaction_total: int
    newly_stale: list[ContactRecord]  # became stale this week, most overdue first
    newly_stale_total: int


@dataclass(frozen=True)
class UserSettingsRecord:
    team_id: str
    user_id: str
    enabled: bool
    time: str  # local HH:MM
    weekdays: frozenset[int]  # Monday is 0
    tz: str | None  # IANA name from Slack; None until learned
    dm_channel_id: str | None

    @property
    def zone(self) -> ZoneInfo:
        """The user's zone, or UTC when unknown (digests then follow UTC)."""
        return _zone(self.tz)


@dataclass(frozen=True)
class ContactHistory:
    """A contact with the latest of their live interactions and totals over all of them."""

    contact: ContactRecord
    interactions: list[InteractionRecord]  # the latest `max_items`, oldest first
    total: int
    counts_by_type: dict[str, int]
    first_at: datetime | None
    last_at: datetime | None

    @property
    def is_partial(self) -> bool:
        return len(self.interactions) < self.total


@dataclass(frozen=True)
class ThreadRecord:
    """A /timeline thread kept live: where it is and which reply shows which month."""

    id: int
    team_id: str
    contact_id: int
    channel_id: str
    thread_ts: str
    tz: str
    replies: dict[str, str] = field(default_factory=dict)  # month 'YYYY-MM' -> reply ts

    @property
    def zone(self) -> ZoneInfo:
        """The zone the thread's months are grouped in (UTC for an unknown name)."""
        return _zone(self.tz)


def _zone(name: str | None) -> ZoneInfo:
    # rules imports this module (Actor), so its `zone` is looked up when called, not at import.
    from bot.domain.rules import zone

    return zone(name)
