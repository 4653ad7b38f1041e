"""Plain data handed out by domain operations: no live sessions leave storage/."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, TypeVar

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

    def is_stale(self, now: datetime) -> bool:
        return self.due_at <= now


@dataclass(frozen=True)
class ContactMatch:
    contact: ContactRecord
    score: float
    exact: bool


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

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None
    prev_cursor: str | None
    extra: dict = field(default_factory=dict)
