"""Domain rules and limits, defined once for every layer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain.records import Actor

INTERACTION_TYPES = ("call", "email", "meeting", "message", "note", "other")
# A note records something about a contact without being in touch with them.
CONTACT_TYPES = tuple(t for t in INTERACTION_TYPES if t != "note")
# Where an interaction came from; "workflow" is a Workflow Builder step (log_interaction_step).
SOURCES = ("command", "modal", "shortcut", "import", "workflow")
DEFAULT_CADENCE_DAYS = 30

SUMMARY_MAX_CHARS = 300
NOTES_MAX_CHARS = 3000
MAX_DURATION_MINUTES = 1440
MAX_ATTENDEES = 20  # contacts per interaction (a multi select offers at most this many)
NAME_MAX_CHARS = 200
COMPANY_MAX_CHARS = 200
# Clock skew allowed before a time counts as "in the future" (plans are not contacts).
FUTURE_SKEW = timedelta(minutes=5)
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)

UTC_ZONE = ZoneInfo("UTC")


def may_change(actor: Actor, logged_by: str) -> bool:
    """The author or a workspace admin may edit or delete an interaction."""
    return actor.is_admin or logged_by == actor.user_id


def zone(name: str | None) -> ZoneInfo:
    """A time zone by IANA name; UTC for a missing or unknown name."""
    if not name:
        return UTC_ZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC_ZONE


# How many stale contacts a digest lists; the rest are counted ("and N more").
DIGEST_CONTACTS_MAX = 15
