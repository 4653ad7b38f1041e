"""`/interactions` filters typed as text: `jane "renewal terms" type:call since:"last month" by:@ana`.

Text in double quotes on its own (not after `key:`) is searched for in summaries and notes.

Dates are read by `bot.domain.dates`, the engine quick log uses, so `since:"1 week ago"` starts on
the very day `/log … 1 week ago` records. `since:` is the start of that local day (inclusive),
`until:` the start of the next one (exclusive). A date that can't be read, or lies outside
1970–9998, is reported in `problems` and that bound is left out; nothing raises.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

from bot.domain import dates
from bot.domain.followups import FILTERS
from bot.domain.rules import INTERACTION_TYPES
from bot.domain.search import search_words

__all__ = ["TextFilters", "parse_filters"]

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
    "followup": "follow_up",
    "follow-up": "follow_up",
    "follow_up": "follow_up",
}
# "words" (or “words”) standing alone: search text. `since:"last month"` is a filter's value.
_SEARCH = re.compile(r'(?:^|(?<=\s))["\u201c\u201d]([^"\u201c\u201d]*)["\u201c\u201d](?=\s|$)')
_SORTS = {"newest": "newest", "latest": "newest", "desc": "newest", "oldest": "oldest", "asc": "oldest"}


@dataclass(frozen=True)
class TextFilters:
    contact_query: str | None = None
    types: tuple[str, ...] = ()
    since: datetime | None = None  # inclusive, UTC: the start of the local day
    until: datetime | None = None  # exclusive, UTC: the start of the local day after
    author: str | None = None
    sort: str = "newest"
    problems: tuple[str, ...] = ()
    follow_up: str | None = None  # "open", "due" or "overdue" (bot.domain.followups.FILTERS)
    search_text: str | None = None  # words to find in summaries and notes


def parse_filters(
    text: str,
    *,
    now: datetime,
    tz: tzinfo,
    user_id: str,
    locale: str | None = None,
) -> TextFilters:
    """Read the filters. Never raises; what can't be read is listed in `problems`."""
    problems: list[str] = []
    if now.tzinfo is None or now.utcoffset() is None:
        now = now.replace(tzinfo=UTC)
    text = text[:500]
    searched = [" ".join(found.split()) for found in _SEARCH.findall(text)]
    text = _SEARCH.sub(" ", text)
    search_text = " ".join(filter(None, searched)) or None
    if searched and not search_words(search_text or ""):
        problems.append("There are no words in the quotes to search for.")
        search_text = None
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
    follow_up = None
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
            reading = dates.read_date(value, now=now, tz=tz, locale=locale)
            day = reading.local_day(tz) if reading.problem is None else None
            if reading.problem is not None or day is None:
                problems.append(reading.problem or f"I couldn't read the date “{value}”.")
            elif field == "since":
                since = dates.day_start_utc(day, tz)
            elif day >= dates.MAX_DAY:
                problems.append(f"“{value}” is out of range: dates run from 1970 to 9998.")
            else:
                until = dates.day_start_utc(day + timedelta(days=1), tz)
        elif field == "author":
            mention = _MENTION.match(value)
            if mention:
                author = mention.group(1)
            elif value.lower() in ("me", "myself"):
                author = user_id
            else:
                problems.append(f"“{value}” isn't a Slack user: use by:@name or by:me.")
        elif field == "follow_up":
            if value.lower() in FILTERS:
                follow_up = value.lower()
            else:
                problems.append(f"Follow-ups are {', '.join(f'followup:{f}' for f in FILTERS)}.")
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
        follow_up=follow_up,
        search_text=search_text,
    )
