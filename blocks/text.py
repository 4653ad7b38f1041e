"""Text every renderer goes through: escaping, truncation, Slack tokens and text objects.

Lengths are counted in Python characters (code points), as slack_sdk counts them.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from bot.domain.rules import INTERACTION_TYPES

ELLIPSIS = "…"
# Shown instead of blank user text: Slack rejects empty text objects.
BLANK = "—"

SECTION_TEXT_MAX = 3000
FIELD_TEXT_MAX = 2000
HEADER_TEXT_MAX = 150
BUTTON_TEXT_MAX = 75
BUTTON_VALUE_MAX = 2000
OPTION_TEXT_MAX = 75
OPTION_VALUE_MAX = 150
OPTIONS_MAX = 100
CONFIRM_TITLE_MAX = 100
CONFIRM_TEXT_MAX = 300
CONFIRM_BUTTON_MAX = 30
PLACEHOLDER_MAX = 150
LABEL_MAX = 2000
VIEW_TITLE_MAX = 24
PRIVATE_METADATA_MAX = 3000
MESSAGE_BLOCKS_MAX = 50
VIEW_BLOCKS_MAX = 100

DEFAULT_DATE_FORMAT = "{date_short_pretty} at {time}"
DATE_ONLY_FORMAT = "{date_short_pretty}"

TYPE_EMOJI = {
    "call": ":telephone_receiver:",
    "email": ":email:",
    "meeting": ":handshake:",
    "message": ":speech_balloon:",
    "note": ":memo:",
    "other": ":pushpin:",
}
TYPE_LABEL = {
    "call": "Call",
    "email": "Email",
    "meeting": "Meeting",
    "message": "Message",
    "note": "Note",
    "other": "Other",
}
# "Call with Jane", "Note about Jane": how a card names an interaction.
_HEADLINE = {
    "call": "Call with",
    "email": "Email with",
    "meeting": "Meeting with",
    "message": "Message with",
    "note": "Note about",
    "other": "Interaction with",
}
assert set(TYPE_EMOJI) == set(TYPE_LABEL) == set(_HEADLINE) == set(INTERACTION_TYPES)

_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_USER_ID = re.compile(r"[UW][A-Z0-9]{1,30}")
_URL = re.compile(r"https?://[^\s<>|]+")


def escape(text: str) -> str:
    """Escape `&`, `<`, `>` so typed text can't mention, link or format through Slack's `<...>` syntax."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def truncate(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, ending in "…" when something was cut."""
    if len(text) <= limit:
        return text
    if limit <= 0:
        return ""
    return text[: limit - 1].rstrip() + ELLIPSIS


def cut(text: str, limit: int) -> str:
    """A hard cut without ellipsis, for values a handler reads back (button and option values)."""
    return text[: max(limit, 0)]


def escape_truncate(text: str, limit: int) -> str:
    """Escaped `text` of at most `limit` characters; never splits an `&amp;` entity."""
    escaped = escape(text)
    if len(escaped) <= limit:
        return escaped
    if limit <= 0:
        return ""
    out: list[str] = []
    used = 0
    for char in text:
        piece = _ESCAPES.get(char, char)
        if used + len(piece) > limit - 1:
            break
        out.append(piece)
        used += len(piece)
    return "".join(out).rstrip() + ELLIPSIS


def truncate_mrkdwn(text: str, limit: int) -> str:
    """Cut already-formatted mrkdwn without leaving half a `<...>` token or `&...;` entity."""
    if len(text) <= limit:
        return text
    if limit <= 0:
        return ""
    head = text[: limit - 1]
    open_token = head.rfind("<")
    if open_token > head.rfind(">"):
        head = head[:open_token]
    amp = head.rfind("&")
    if amp != -1 and ";" not in head[amp:]:
        head = head[:amp]
    return head.rstrip() + ELLIPSIS


def one_line(text: str) -> str:
    """Whitespace runs (newlines included) folded to single spaces."""
    return " ".join(text.split())


def display_name(name: str | None, fallback: str = "(no name)") -> str:
    return one_line(name or "") or fallback


def split_escaped(text: str, limit: int) -> list[str]:
    """Escaped `text` in chunks of at most `limit` characters, broken at line ends or spaces when possible."""
    chunks: list[str] = []
    rest = text
    while rest:
        if len(escape(rest)) <= limit:
            chunks.append(escape(rest))
            break
        # The longest raw prefix whose escaped form fits.
        used = 0
        end = 0
        for char in rest:
            size = len(_ESCAPES.get(char, char))
            if used + size > limit:
                break
            used += size
            end += 1
        end = max(end, 1)
        head = rest[:end]
        for sep in ("\n", " "):
            at = head.rfind(sep)
            if at >= end // 2:
                end = at + 1
                break
        chunks.append(escape(rest[:end]))
        rest = rest[end:]
    return [chunk for chunk in chunks if chunk.strip()]


def is_user_id(value: str | None) -> bool:
    return value is not None and _USER_ID.fullmatch(value) is not None


def user_mention(user_id: str | None) -> str:
    """`<@U123>` for a Slack user id; anything else is shown escaped, never as a mention."""
    if not user_id:
        return "someone"
    if is_user_id(user_id):
        return f"<@{user_id}>"
    return escape_truncate(user_id, 40)


def link(url: str | None, label: str) -> str:
    """A mrkdwn link `<url|label>` to an http(s) URL; other strings are shown escaped, not linked."""
    if not url:
        return escape(label)
    if _URL.fullmatch(url) and len(escape(url)) <= 1500:
        return f"<{escape(url)}|{escape(label)}>"
    return f"{escape(label)}: {escape_truncate(url, 300)}"


def _aware(dt: datetime) -> datetime:
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt


def date_token(dt: datetime, fmt: str = DEFAULT_DATE_FORMAT) -> str:
    """Slack's `<!date^UNIX^fmt|fallback>`: each reader sees it in their own time zone."""
    dt = _aware(dt).astimezone(UTC)
    shows_time = "{time" in fmt or "{ago}" in fmt
    fallback = dt.strftime("%Y-%m-%d %H:%M UTC") if shows_time else dt.strftime("%Y-%m-%d")
    return f"<!date^{int(dt.timestamp())}^{fmt}|{fallback}>"


def ago_token(dt: datetime) -> str:
    """ "3 hours ago" that Slack keeps current for each reader (never frozen into a message)."""
    dt = _aware(dt).astimezone(UTC)
    return f"<!date^{int(dt.timestamp())}^{{ago}}|{dt.strftime('%Y-%m-%d %H:%M UTC')}>"


def _count(n: int, unit: str) -> str:
    return f"{n} {unit}" if n == 1 else f"{n} {unit}s"


def ago(dt: datetime, now: datetime) -> str:
    """How long ago `dt` was, relative to `now`: "just now", "5 minutes ago", "3 months ago"."""
    seconds = (_aware(now) - _aware(dt)).total_seconds()
    future = seconds < 0
    seconds = abs(seconds)
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        phrase = _count(int(seconds // 60), "minute")
    elif seconds < 86400:
        phrase = _count(int(seconds // 3600), "hour")
    else:
        days = int(seconds // 86400)
        if days < 30:
            phrase = _count(days, "day")
        elif days < 365:
            phrase = _count(days // 30, "month")
        else:
            phrase = _count(days // 365, "year")
    return f"in {phrase}" if future else f"{phrase} ago"


def duration_text(minutes: int) -> str:
    """ "30 min", "1 h", "1 h 30 min"."""
    hours, rest = divmod(int(minutes), 60)
    if not hours:
        return f"{rest} min"
    if not rest:
        return f"{hours} h"
    return f"{hours} h {rest} min"


def type_emoji(interaction_type: str) -> str:
    return TYPE_EMOJI.get(interaction_type, TYPE_EMOJI["other"])


def type_label(interaction_type: str) -> str:
    return TYPE_LABEL.get(interaction_type, TYPE_LABEL["other"])


def headline(interaction_type: str, contact_name: str, *, capital: bool = True) -> str:
    """ "Call with Jane Doe" (raw text: escape it for mrkdwn)."""
    words = _HEADLINE.get(interaction_type, _HEADLINE["other"])
    if not capital:
        words = words[0].lower() + words[1:]
    return f"{words} {display_name(contact_name)}"


def mrkdwn(text: str, limit: int = SECTION_TEXT_MAX) -> dict:
    """A mrkdwn text object of already-escaped text. `verbatim` stops Slack from turning typed
    names or URLs into mentions and links; our own `<...>` tokens still work."""
    text = truncate_mrkdwn(text, limit)
    return {"type": "mrkdwn", "text": text if text.strip() else BLANK, "verbatim": True}


def plain(text: str, limit: int = SECTION_TEXT_MAX) -> dict:
    """A plain_text object (Slack shows it literally, so no escaping), cut to `limit`."""
    text = truncate(text, limit)
    return {"type": "plain_text", "text": text if text.strip() else BLANK, "emoji": True}


def fit_lines(lines: list[str], limit: int, *, more: str = "…and {n} more") -> str:
    """Join as many whole lines as fit in `limit`; the rest are counted in a last "…and N more" line."""
    for keep in range(len(lines), -1, -1):
        parts = lines[:keep]
        if keep < len(lines):
            parts = [*parts, more.format(n=len(lines) - keep)]
        text = "\n".join(parts)
        if len(text) <= limit:
            return text
    return truncate_mrkdwn(more.format(n=len(lines)), limit)
