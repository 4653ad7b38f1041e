"""An interaction's history as the detail view shows it: newest first, one context block a change.

"Edited by @ana · Nov 21 at 9:02 AM" then one line per changed field ("*When*: Nov 20 → Nov 19").
Dates are Slack date tokens, so each viewer reads them in their own time zone. Values are the raw
ones storage recorded (see bot.domain.history); anything unexpected is shown escaped, never trusted.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from blocks.kit import context, section
from blocks.text import (
    DATE_ONLY_FORMAT,
    SECTION_TEXT_MAX,
    date_token,
    display_name,
    duration_text,
    escape_truncate,
    fit_lines,
    one_line,
    type_label,
    user_mention,
)
from bot.domain.history import HistoryEntry, HistoryPage

# Entries shown in the detail view; older ones are counted, the export has them all.
HISTORY_SHOWN = 20
# The most blocks history_blocks returns: the title, the entries, the "older" line.
HISTORY_BLOCKS_MAX = HISTORY_SHOWN + 2
VALUE_CHARS = 200
NAMES_CHARS = 300
# Notes longer than this are summarised ("Notes changed") rather than shown old → new.
NOTES_SHOWN_CHARS = 100

_VERBS = {
    "created": "Logged",
    "edited": "Edited",
    "deleted": "Deleted",
    "restored": "Restored",
    "merged": "Contacts merged",
    "unmerged": "Merge undone",
    "follow_up_done": "Follow-up done",
    "follow_up_snoozed": "Follow-up snoozed",
}
_SOURCES = {
    "command": "/log",
    "modal": "the log form",
    "shortcut": "a message shortcut",
    "import": "an import",
    "workflow": "a workflow",
}
_LABELS = {
    "contacts": "Contacts",
    "contact": "Contact",
    "type": "Type",
    "occurred_at": "When",
    "duration_minutes": "Duration",
    "summary": "Summary",
    "notes": "Notes",
    "follow_up_on": "Follow up on",
    "follow_up_due_on": "Follow-up due",
}
# Shown with "When" (its pair), never alone.
_FOLDED = {"time_known"}
_NONE = "none"


def _parse_time(value: object) -> datetime | date | None:
    if not isinstance(value, str) or not 10 <= len(value) <= 40:
        return None
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _names(value: object) -> str:
    refs = value if isinstance(value, list) else [value]
    names = [display_name(ref.get("name") if isinstance(ref, dict) else None, "?") for ref in refs]
    return escape_truncate(", ".join(names), NAMES_CHARS) if names else _NONE


def _when(value: object, time_known: object) -> str:
    moment = _parse_time(value)
    if isinstance(moment, datetime):
        return date_token(moment, DATE_ONLY_FORMAT) if time_known is False else date_token(moment)
    return _plain(value)


def _plain(value: object) -> str:
    if value is None or value == "" or value == []:
        return _NONE
    if isinstance(value, bool):
        return "yes" if value else "no"
    moment = _parse_time(value)
    if isinstance(moment, datetime):
        return date_token(moment)
    if isinstance(moment, date):
        return f"{moment:%b} {moment.day}, {moment.year}"
    return escape_truncate(one_line(str(value)), VALUE_CHARS)


def _value(name: str, value: object) -> str:
    if value is None:
        return _NONE
    if name in ("contacts", "contact"):
        return _names(value)
    if name == "type":
        return type_label(str(value))
    if name == "duration_minutes" and isinstance(value, int) and not isinstance(value, bool):
        return duration_text(value)
    if name == "summary":
        return f"“{escape_truncate(one_line(str(value)), VALUE_CHARS)}”"
    return _plain(value)


def _label(name: str) -> str:
    return _LABELS.get(name) or escape_truncate(name.replace("_", " ").capitalize(), 60)


def _notes_line(old: object, new: object) -> str:
    old_text, new_text = (str(v) if v else "" for v in (old, new))
    if not old_text:
        return "*Notes* added"
    if not new_text:
        return "*Notes* removed"
    if max(len(old_text), len(new_text)) > NOTES_SHOWN_CHARS or "\n" in old_text + new_text:
        return "*Notes* changed"
    return f"*Notes*: “{escape_truncate(old_text, VALUE_CHARS)}” → “{escape_truncate(new_text, VALUE_CHARS)}”"


def change_lines(entry: HistoryEntry) -> list[str]:
    """One mrkdwn line per changed field of an edit or a merge ("*When*: Nov 20 → Nov 19")."""
    if entry.action == "created":
        return []  # the view above shows the values; later edits show what changed
    known = entry.changes.get("time_known", (None, None))
    lines = []
    for name, (old, new) in entry.changes.items():
        if name in _FOLDED and "occurred_at" in entry.changes:
            continue
        if name == "follow_up_due_on" and entry.changes.get("follow_up_on") == (old, new):
            continue  # a follow-up set (or cleared): it is due that day, nothing more to say
        if name == "notes":
            lines.append(_notes_line(old, new))
        elif name == "occurred_at":
            lines.append(f"*When*: {_when(old, known[0])} → {_when(new, known[1])}")
        else:
            lines.append(f"*{_label(name)}*: {_value(name, old)} → {_value(name, new)}")
    return lines


def entry_text(entry: HistoryEntry) -> str:
    """ "Edited by <@U> · <date>" and the changed fields, within a text object's 3000 characters."""
    verb = _VERBS.get(entry.action) or escape_truncate(entry.action.capitalize(), 40)
    first = f"{verb} by {user_mention(entry.actor_user_id)} · {date_token(entry.at)}"
    if entry.action == "created":
        source = entry.changes.get("source", (None, None))[1]
        if source in _SOURCES:
            first += f" · from {_SOURCES[str(source)]}"
    return fit_lines([first, *change_lines(entry)], SECTION_TEXT_MAX, more="…and {n} more changes")


def history_blocks(page: HistoryPage, *, room: int = HISTORY_BLOCKS_MAX) -> list[dict]:
    """The "History" part of the detail view, newest first, in at most `room` blocks."""
    room = min(room, HISTORY_BLOCKS_MAX)
    if not page.entries or room < 2:
        return []
    limit = room - 1
    if max(page.total, len(page.entries)) > limit:
        limit = room - 2  # one block says how many are left out
    shown: Sequence[HistoryEntry] = page.entries[:limit]
    hidden = max(page.total, len(page.entries)) - len(shown)
    blocks = [section("*History*"), *(context(entry_text(entry)) for entry in shown)]
    if hidden > 0:
        noun = "change" if hidden == 1 else "changes"
        blocks.append(context(f"…and {hidden:,} earlier {noun}"))
    return blocks
