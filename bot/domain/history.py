"""An interaction's edit history as the domain hands it out: plain data, raw values."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

# What happened to the interaction. `merged`/`unmerged`: a contact merge (or its undo) moved it;
# `follow_up_done`/`follow_up_snoozed`: its follow-up was closed or moved (an edit of those fields).
ACTIONS = (
    "created",
    "edited",
    "deleted",
    "restored",
    "merged",
    "unmerged",
    "follow_up_done",
    "follow_up_snoozed",
)


@dataclass(frozen=True)
class HistoryEntry:
    """One recorded change: `changes` maps a field to its (old, new) raw values.

    Values are as stored in the history: times as ISO-8601 UTC strings, `contacts` as a list of
    {"id", "name"} (the name at the time), `contact` (merges) as one such object.
    """

    id: int
    interaction_id: int
    action: str
    actor_user_id: str
    at: datetime
    changes: dict[str, tuple[object, object]] = field(default_factory=dict)


@dataclass(frozen=True)
class HistoryPage:
    """The newest entries of one interaction's history, and how many there are in all."""

    entries: list[HistoryEntry]
    total: int
