"""User settings: a person's digest preferences, what the scheduler remembers about them
(Slack time zone, DM channel), and the workspace's team-digest channel.

Every write takes `now` from its caller: storage never reads the clock.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, time
from typing import Any

from sqlalchemy import Row, bindparam, select
from sqlalchemy.orm import Session

from bot.domain.errors import Invalid
from bot.domain.records import Actor, UserSettingsRecord
from bot.domain.rules import zone
from storage.contacts import ensure_workspace
from storage.db import Database
from storage.dialects import postgresql, sqlite
from storage.models import UserSettings, Workspace

DEFAULT_DIGEST_TIME = "09:00"
DEFAULT_DIGEST_WEEKDAYS = frozenset({0, 1, 2, 3, 4})  # Monday is 0
_TIME_RE = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


# ---------------------------------------------------------------------- parsing


def parse_weekdays(text: str) -> frozenset[int]:
    """Stored '0,1,4' -> {0, 1, 4} (Monday is 0); anything not a number is ignored."""
    return frozenset(int(part) for part in text.split(",") if part.strip().isdigit())


def weekdays_text(weekdays: Iterable[int]) -> str:
    """{4, 0, 1} -> '0,1,4', as stored."""
    return ",".join(str(day) for day in sorted(set(weekdays)))


def digest_time_of(text: str) -> time:
    """A stored 'HH:MM' as a time; 09:00 if it can't be read."""
    match = _TIME_RE.match(text or "")
    if not match:
        return time(9, 0)
    return time(int(match.group(1)), int(match.group(2)))


def to_settings_record(team_id: str, user_id: str, row: UserSettings | Row[Any] | None) -> UserSettingsRecord:
    """The record for a settings row; a user without one has the defaults."""
    if row is None:
        return UserSettingsRecord(
            team_id, user_id, True, DEFAULT_DIGEST_TIME, DEFAULT_DIGEST_WEEKDAYS, None, None
        )
    return UserSettingsRecord(
        team_id=team_id,
        user_id=user_id,
        enabled=row.digest_enabled,
        time=row.digest_time,
        weekdays=parse_weekdays(row.digest_weekdays),
        tz=row.tz,
        dm_channel_id=row.dm_channel_id,
    )


# ---------------------------------------------------------------------- reads and writes


def _settings_row(session: Session, team_id: str, user_id: str, *, now: datetime) -> UserSettings:
    """The user's settings row, created with defaults if new, locked for this transaction."""
    ensure_workspace(session, team_id, now=now)
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(
        insert(UserSettings)
        .values(
            team_id=team_id,
            user_id=user_id,
            digest_enabled=True,
            digest_time=DEFAULT_DIGEST_TIME,
            digest_weekdays=weekdays_text(DEFAULT_DIGEST_WEEKDAYS),
            updated_at=now,
        )
        .on_conflict_do_nothing()
    )
    return session.scalars(
        select(UserSettings)
        .where(UserSettings.team_id == team_id, UserSettings.user_id == user_id)
        .with_for_update()
    ).one()


_SETTINGS = UserSettings.__table__
# Prebuilt Core statement (every card asks for the viewer's zone): no ORM entity per call.
_GET_SETTINGS = select(_SETTINGS).where(
    _SETTINGS.c.team_id == bindparam("team_id"), _SETTINGS.c.user_id == bindparam("user_id")
)


def get_user_settings(db: Database, actor: Actor) -> UserSettingsRecord:
    with db.read() as session:
        row = session.execute(_GET_SETTINGS, {"team_id": actor.team_id, "user_id": actor.user_id}).first()
        return to_settings_record(actor.team_id, actor.user_id, row)


def update_user_settings(
    db: Database,
    actor: Actor,
    *,
    now: datetime,
    enabled: bool | None = None,
    time: str | None = None,
    weekdays: Iterable[int] | None = None,
    tz: str | None = None,
) -> UserSettingsRecord:
    """Change the actor's digest settings; None keeps a setting. Raises Invalid naming each bad field."""
    errors: dict[str, str] = {}
    clean_time = None
    if time is not None:
        match = _TIME_RE.match(time.strip())
        if match:
            clean_time = f"{int(match.group(1)):02d}:{match.group(2)}"
        else:
            errors["time"] = "Pick a time of day, like 09:00."
    clean_days = None
    if weekdays is not None:
        days = set(weekdays)
        if not days:
            errors["weekdays"] = "Pick at least one day (or turn the digest off)."
        elif not all(isinstance(day, int) and 0 <= day <= 6 for day in days):
            errors["weekdays"] = "Pick days of the week, Monday to Sunday."
        else:
            clean_days = weekdays_text(days)
    if tz is not None and getattr(zone(tz), "key", None) != tz:
        errors["tz"] = f"“{tz}” isn't a time zone name like Europe/Berlin."
    if errors:
        raise Invalid(errors)
    with db.write() as session:
        row = _settings_row(session, actor.team_id, actor.user_id, now=now)
        if enabled is not None:
            row.digest_enabled = enabled
        if clean_time is not None:
            row.digest_time = clean_time
        if clean_days is not None:
            row.digest_weekdays = clean_days
        if tz is not None:
            row.tz = tz
        row.updated_at = now
        session.flush()
        return to_settings_record(actor.team_id, actor.user_id, row)


def remember_user_tz(db: Database, team_id: str, user_id: str, tz_name: str | None, *, now: datetime) -> None:
    """Keep the Slack time zone so the scheduler needn't ask; no zone at all is remembered as UTC."""
    with db.write() as session:
        row = _settings_row(session, team_id, user_id, now=now)
        row.tz = (tz_name or "UTC")[:64]
        row.updated_at = now


def remember_dm_channel(
    db: Database, team_id: str, user_id: str, channel_id: str | None, *, now: datetime
) -> None:
    """Keep (or forget, with None) the DM channel so the next digest skips conversations.open."""
    with db.write() as session:
        row = _settings_row(session, team_id, user_id, now=now)
        row.dm_channel_id = channel_id
        row.updated_at = now


def set_team_digest_channel(db: Database, actor: Actor, channel_id: str | None, *, now: datetime) -> None:
    """Post the weekly team digest to this channel (None turns it off)."""
    with db.write() as session:
        workspace = ensure_workspace(session, actor.team_id, now=now)
        workspace.digest_channel_id = channel_id


def get_team_digest_channel(db: Database, actor: Actor) -> str | None:
    """The channel of the weekly team digest, or None when it is off."""
    with db.read() as session:
        workspace = session.get(Workspace, actor.team_id)
        return workspace.digest_channel_id if workspace is not None else None
