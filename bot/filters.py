"""`/interactions` filters typed as text: `jane type:call since:"last month" by:@ana sort:oldest`."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.rules import INTERACTION_TYPES

_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
_KEYS = {
    "type": "types",
    "types": "types",
    "since": "since",
    "after": "since",
    "from": "since",
    "until": "until",
    "before": "until",
    "to": "until",
    "by": "author",
    "author": "author",
    "sort": "sort",
    "order": "sort",
}
_SORTS = {"newest": "newest", "latest": "newest", "desc": "newest", "oldest": "oldest", "asc": "oldest"}


@dataclass(frozen=True)
class TextFilters:
    contact_query: str | None = None
    types: tuple[str, ...] = ()
    since: datetime | None = None  # inclusive, UTC
    until: datetime | None = None  # exclusive, UTC
    author: str | None = None
    sort: str = "newest"
    problems: tuple[str, ...] = ()


def _day_start(day, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz)


def _parse_day(text: str, now: datetime, tz: ZoneInfo):
    import dateparser

    parsed = dateparser.parse(
        text,
        languages=["en"],
        settings={
            "RELATIVE_BASE": now.astimezone(tz).replace(tzinfo=None),
            "TIMEZONE": tz.key,
            "RETURN_AS_TIMEZONE_AWARE": True,
            "PREFER_DATES_FROM": "past",
        },
    )
    return parsed.astimezone(tz).date() if parsed else None


def parse_filters(text: str, *, now: datetime, tz: ZoneInfo, user_id: str) -> TextFilters:
    problems: list[str] = []
    try:
        tokens = shlex.split(text[:500])
    except ValueError:
        tokens = text[:500].replace('"', " ").split()
        problems.append("A quote was left open; I read the filters without it.")
    words: list[str] = []
    types: list[str] = []
    since = until = None
    author = None
    sort = "newest"
    for token in tokens:
        key, sep, value = token.partition(":")
        field = _KEYS.get(key.lower()) if sep else None
        if field is None:
            words.append(token)
            continue
        value = value.strip()
        if field == "types":
            for name in filter(None, (v.strip().lower().rstrip("s") for v in value.split(","))):
                if name in INTERACTION_TYPES:
                    types.append(name)
                else:
                    problems.append(f"“{name}” isn't a type ({', '.join(INTERACTION_TYPES)}).")
        elif field in ("since", "until"):
            day = _parse_day(value, now, tz) if value else None
            if day is None:
                problems.append(f"I couldn't read the date “{value}”.")
            elif field == "since":
                since = _day_start(day, tz)
            else:
                until = _day_start(day + timedelta(days=1), tz)
        elif field == "author":
            mention = _MENTION.match(value)
            if mention:
                author = mention.group(1)
            elif value.lower() in ("me", "myself"):
                author = user_id
            else:
                problems.append(f"“{value}” isn't a Slack user: use by:@name or by:me.")
        elif field == "sort":
            if value.lower() in _SORTS:
                sort = _SORTS[value.lower()]
            else:
                problems.append("Sort is newest or oldest.")
    return TextFilters(
        contact_query=" ".join(words) or None,
        types=tuple(dict.fromkeys(types)),
        since=since,
        until=until,
        author=author,
        sort=sort,
        problems=tuple(problems),
    )
