"""Parse the text of the `/log <text>` quick-log command.

This module is pure: no Slack calls, no database, no clock reads. The caller passes `now` and the
user's time zone, and optionally a `contact_names` callback that answers "is this exact phrase a known
contact name?". `parse_quick_log` never raises; anything it is unsure about is listed in `problems`.

How dates are read
------------------
Candidate date/time phrases are found with the regexes below (so bare numbers, "may", "to" or "1234"
never become dates). Calendar dates ("march 3", "3/14", "2026-03-01") are handed to `dateparser`
(past-preferring, relative to `now` in the user's zone). Relative phrases ("yesterday", "last tuesday",
"2 days ago", "3pm") are computed here on the local wall clock, because dateparser 1.5 gets them wrong
in two ways that matter to us: a time alone ("3pm") comes back as *yesterday* 3pm with
PREFER_DATES_FROM=past, and with RETURN_AS_TIMEZONE_AWARE it attaches *today's* UTC offset to a date on
the other side of a DST change ("1 week ago" on 2026-03-11 in Los Angeles gives 10:00-07:00 for
2026-03-04, which was PST). Local wall-clock results are then attached to the zone and converted to UTC.

Conventions: a day without a time keeps the current time of day for "today", "yesterday", "N days/weeks
ago", "last week" (as dateparser does), and is midnight for weekdays and calendar dates; "morning",
"afternoon", "evening", "night" mean 09:00, 15:00, 18:00, 20:00. "N hours/minutes ago" is exact
elapsed time. A time alone means today at that time.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo

import dateparser

__all__ = ["INTERACTION_TYPES", "QuickLog", "parse_quick_log", "usage_text"]

INTERACTION_TYPES = ("call", "email", "meeting", "message", "note", "other")
MAX_INPUT_CHARS = 500
MAX_DURATION_MINUTES = 1440
FUTURE_TOLERANCE = timedelta(minutes=5)
MAX_NAME_WORDS = 6  # longest phrase offered to the contact_names callback
MAX_GUESSED_NAME_WORDS = 4  # a longer guessed (not known) name is flagged as uncertain


@dataclass(frozen=True)
class QuickLog:
    contact_text: str | None  # the words naming the contact, as typed (e.g. "Jane Doe"), or None
    mention_user_id: str | None  # "U123" for a mention <@U123> or <@U123|jane> (contact_text is then None)
    type: str | None  # one of INTERACTION_TYPES; None if no type word
    occurred_at: datetime | None  # aware datetime in UTC; None when no date/time words were found
    date_text: str | None  # the words that gave the date (for showing the user), or None
    duration_minutes: int | None
    summary: str  # the rest, cleaned
    problems: tuple[str, ...]  # human-readable reasons the parse is not certain


# --------------------------------------------------------------------------------------------------
# Vocabulary

_TYPE_WORDS: dict[str, tuple[str, ...]] = {
    "call": ("call", "called", "phone", "phoned", "rang", "ring", "phone call"),
    "email": ("email", "emailed", "mail", "mailed", "e-mail", "e-mailed"),
    "meeting": (
        "meeting",
        "met",
        "meet",
        "coffee",
        "lunch",
        "dinner",
        "breakfast",
        "zoom",
        "video",
        "demo",
        "video call",
        "zoom call",
    ),
    "message": (
        "message",
        "messaged",
        "dm",
        "dm'd",
        "slack",
        "slacked",
        "text",
        "texted",
        "sms",
        "whatsapp",
        "text message",
        "slack message",
    ),
    "note": ("note",),
    "other": ("other",),
}
_TYPE_OF_WORD = {" ".join(word.split()): kind for kind, words in _TYPE_WORDS.items() for word in words}
# Type words after which a name may follow directly: "emailed Jane re contract", "met Jane Doe".
_VERB_FIRST = frozenset(
    [
        "call",
        "called",
        "phone",
        "phoned",
        "rang",
        "ring",
        "email",
        "emailed",
        "mail",
        "mailed",
        "e-mail",
        "e-mailed",
        "met",
        "meet",
        "message",
        "messaged",
        "dm",
        "dm'd",
        "slacked",
        "text",
        "texted",
    ]
)


def _word_alternation(words: list[str]) -> str:
    parts = []
    for word in sorted(words, key=len, reverse=True):
        escaped = re.escape(word).replace("'", "['’]").replace(r"\ ", r"\s+")
        parts.append(escaped)
    return "|".join(parts)


_FILLER = r"(?:(?:had|have|did|made|got|a|an|the|quick|short|long|brief|via|by|over|on)\s+){0,3}"
_TYPE_RE = re.compile(
    rf"(?<![\w'’-]){_FILLER}(?P<kw>{_word_alternation(list(_TYPE_OF_WORD))})(?![\w'’-])",
    re.IGNORECASE,
)

# Everything after one of these is summary: "jane email re: contract", "Jane call about pricing".
_DELIMITER_RE = re.compile(
    r"(?<![\w'’-])(?:re\s*:|re(?![\w'’-])|regarding(?![\w'’-])|about(?![\w'’-])|subject\s*:)",
    re.IGNORECASE,
)
# Punctuation that ends a leading contact name ("Jane Doe, call", "Jane - pricing", "Jane: call").
_NAME_STOP_RE = re.compile(r"[,;:，；：|()\[\]{}\"“”\uE000]|(?:^|\s)[-–—]+(?=\s|$)")
_NAME_STOP_WORDS = frozenset(
    [
        "and",
        "for",
        "on",
        "at",
        "to",
        "from",
        "about",
        "re",
        "regarding",
        "via",
        "over",
        "by",
        "in",
        "who",
        "that",
        "because",
        "after",
        "before",
        "then",
        "&amp;",
        "&",
        "+",
        "yesterday",
        "today",
        "tonight",
    ]
)
_NAME_STRIP = " \t,;:.|/-–—!?"

# Slack sends user mentions as <@U123> or <@U123|name>, and escapes &, < and > in what was typed.
_SLACK_TOKEN_RE = re.compile(r"<@(?P<user>[UW][A-Z0-9]+)(?:\|[^<>]*)?>|&(?P<entity>amp|lt|gt);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">"}
_WITH_RE = re.compile(r"(?<![\w'’-])with(?![\w'’-])", re.IGNORECASE)

# --------------------------------------------------------------------------------------------------
# Date and time phrases

_WEEKDAYS_FULL = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY_ABBR = {
    "mon": 0,
    "tue": 1,
    "tues": 1,
    "wed": 2,
    "thu": 3,
    "thur": 3,
    "thurs": 3,
    "fri": 4,
    "sat": 5,
    "sun": 6,
}
_MONTHS = (
    "january|jan|february|feb|march|mar|april|apr|may|june|jun|july|jul|august|aug|"
    "september|sept|sep|october|oct|november|nov|december|dec"
)
_NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "couple": 2,
    "few": 3,
}
_PART_OF_DAY = {"morning": 9, "afternoon": 15, "evening": 18, "night": 20}

_B = r"(?<![\w'’-])"  # start of a word
_E = r"(?![\w'’-])"  # end of a word
_POD = r"(?:\s+(?P<pod>morning|afternoon|evening|night))?"
_ON = rf"(?:{_B}on\s+(?:the\s+)?)?"
_AT = rf"(?:{_B}(?:at|around)\s+|@\s*|~\s*)?"

_DATE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "ago",
        re.compile(
            rf"{_B}(?P<n>[0-9]{{1,4}}\s*|(?:a\s+)?(?:couple|few)(?:\s+of)?\s+|"
            rf"(?:an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s+)"
            rf"(?P<unit>minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|wks?|w|months?|mos?|years?|yrs?|y)"
            rf"\s+ago{_E}",
            re.IGNORECASE,
        ),
    ),
    (
        "relday",
        re.compile(
            rf"{_B}(?P<word>(?:the\s+)?day\s+before\s+yesterday|yesterday|today|tomorrow|earlier\s+today)"
            rf"{_POD}{_E}",
            re.IGNORECASE,
        ),
    ),
    (
        "pod",
        re.compile(
            rf"{_B}(?P<word>tonight|last\s+night|this\s+(?:morning|afternoon|evening))" + _E,
            re.IGNORECASE,
        ),
    ),
    ("now", re.compile(rf"{_B}(?:just|right)\s+now{_E}", re.IGNORECASE)),
    ("lastperiod", re.compile(rf"{_B}(?:last|past)\s+(?P<period>week|month|year){_E}", re.IGNORECASE)),
    (
        "weekday",
        re.compile(
            rf"{_ON}{_B}(?:(?P<mod>last|this|next|past|previous|on)\s+(?P<abbr>"
            rf"{'|'.join(sorted(_WEEKDAY_ABBR, key=len, reverse=True))})\.?{_E}|"
            rf"(?:(?P<mod2>last|this|next|past|previous)\s+)?(?P<full>{'|'.join(_WEEKDAYS_FULL)}){_E})"
            rf"{_POD}{_E}",
            re.IGNORECASE,
        ),
    ),
    (
        "calendar",
        re.compile(
            rf"{_ON}{_B}(?:(?:{_MONTHS})\.?\s+(?:the\s+)?[0-9]{{1,2}}(?:st|nd|rd|th)?{_E}"
            rf"(?:,?\s+[0-9]{{4}}{_E})?|"
            rf"[0-9]{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS})(?:\.|{_E})(?:,?\s+[0-9]{{4}}{_E})?)"
            rf"{_POD}{_E}",
            re.IGNORECASE,
        ),
    ),
    (
        "calendar",
        re.compile(
            rf"{_ON}(?<![\w./:-])[0-9]{{4}}-[0-9]{{1,2}}-[0-9]{{1,2}}"
            rf"(?:T[0-9]{{1,2}}:[0-9]{{2}}(?::[0-9]{{2}})?)?(?![\w./:-])",
            re.IGNORECASE,
        ),
    ),
    (
        "calendar",
        re.compile(
            rf"{_ON}(?<![\w./:-])[0-9]{{1,2}}/[0-9]{{1,2}}(?:/(?:[0-9]{{4}}|[0-9]{{2}}))?(?![\w./:-])"
            r"(?!\s*(?:h|hrs?|hours?|an?\s+hour)\b)",
            re.IGNORECASE,
        ),
    ),
    (
        "time",
        re.compile(
            rf"{_AT}(?<![\w.:/-])(?P<h>[0-9]{{1,2}})(?::(?P<mi>[0-9]{{2}}))?\s*"
            rf"(?P<ap>a\.?m\.?|p\.?m\.?)(?![\w'’-])",
            re.IGNORECASE,
        ),
    ),
    (
        "time",
        re.compile(
            rf"{_AT}(?<![\w.:/-])(?P<h>[0-9]{{1,2}}):(?P<mi>[0-9]{{2}})(?![\w.:/-])",
            re.IGNORECASE,
        ),
    ),
    ("time", re.compile(rf"{_AT}{_B}(?P<word>noon|midday|midnight){_E}", re.IGNORECASE)),
]
_ISO_TIME_RE = re.compile(r"[0-9][Tt][0-9]")
_CONNECTOR_RE = re.compile(r"^(?:(?:on|at|around)\s+(?:the\s+)?|@\s*|~\s*)", re.IGNORECASE)

_DURATION_RE = re.compile(
    rf"(?:{_B}for\s+)?(?:"
    rf"(?<![\w.:/-])(?P<h>[0-9]{{1,5}}(?:\.[0-9]{{1,3}})?)\s*(?:h|hrs?|hours?)"
    rf"(?:(?P<hm>[0-9]{{1,2}})(?:m|mins?|minutes?)?|\s+(?:and\s+)?(?P<hm2>[0-9]{{1,2}})\s*(?:m|mins?|minutes?))?{_E}"
    rf"|(?<![\w.:/-])(?P<m>[0-9]{{1,6}})\s*(?:m|mins?|minutes?){_E}"
    rf"|{_B}(?P<half>half\s+an?\s+hour|half\s+hour|an?\s+hour\s+and\s+a\s+half|an\s+hour|one\s+hour){_E}"
    r")",
    re.IGNORECASE,
)


@dataclass
class _Piece:
    kind: str
    start: int  # span in the text, connectors ("on", "at") included
    end: int
    core_start: int  # span without the leading connector, for date_text
    match: re.Match[str]


# --------------------------------------------------------------------------------------------------
# Public API


def usage_text() -> str:
    """The `/log help` text (Slack mrkdwn)."""
    return (
        "*Log an interaction in one line:* `/log <contact> <type> <when> <duration> <summary>`\n"
        "Every part is optional and the order is flexible; you can confirm everything before it is saved.\n"
        "\n"
        "*Examples*\n"
        "• `/log Jane Doe call yesterday 3pm 30m pricing follow-up`\n"
        "• `/log @jane coffee last tuesday`\n"
        "• `/log jane email 2 days ago re: contract`\n"
        "• `/log lunch with José Núñez on march 3 for 1h30 about the renewal`\n"
        "• `/log Acme CFO note today onboarding went well`\n"
        "\n"
        "*Contact* – a name (as in your contacts) or an @mention, first; or `call with NAME`.\n"
        "*Type* – `call` (called, phone, rang), `email` (mail), `meeting` (met, coffee, lunch, dinner, "
        "breakfast, zoom, video, demo), `message` (dm, slack, text, sms, whatsapp), `note`, `other`.\n"
        "*When* – `today`, `yesterday`, `this morning`, `last night`, `last tuesday`, `friday 2pm`, "
        "`3 days ago`, `2 hours ago`, `march 3`, `2026-03-01`, `3/14`, `15:30`. A time alone means today. "
        "Leave it out to use now.\n"
        "*Duration* – `30m`, `45 min`, `1h`, `1h30`, `1.5h`, `2 hours` (up to 24 hours).\n"
        "*Summary* – whatever is left; start it with `re:` or `about` to keep dates and type words in it "
        "as typed.\n"
        "Type `/log` alone to open the form."
    )


def parse_quick_log(
    text: str,
    *,
    now: datetime,
    tz: tzinfo,
    contact_names: Callable[[str], bool] | None = None,
) -> QuickLog:
    """Parse `/log` text. Never raises: whatever is uncertain is listed in `problems`."""
    try:
        return _Parser(text, now=now, tz=tz, contact_names=contact_names).parse()
    except Exception:  # a safety net: the command must always answer
        cleaned = " ".join(_sanitize(text if isinstance(text, str) else "")[:MAX_INPUT_CHARS].split())
        return QuickLog(
            contact_text=None,
            mention_user_id=None,
            type=None,
            occurred_at=None,
            date_text=None,
            duration_minutes=None,
            summary=cleaned,
            problems=("Couldn't read this; please fill in the form.",),
        )


# --------------------------------------------------------------------------------------------------
# Implementation


def _sanitize(text: str) -> str:
    text = unicodedata.normalize("NFC", text[: MAX_INPUT_CHARS * 4])
    # Control characters (newlines, tabs, NUL...) become spaces; format characters (RTL marks, ZWJ in
    # emoji) are kept.
    return "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)


def _clean_words(text: str) -> str:
    return " ".join(text.split())


def _quote(text: str) -> str:
    return f"“{_clean_words(text)}”"


_LEADING_JUNK_RE = re.compile(
    r"^(?:[\s,;:|/\-–—.!?]+|(?:re\s*:|re(?![\w'’-])|regarding(?![\w'’-])|about(?![\w'’-])|subject\s*:))",
    re.IGNORECASE,
)
_TRAILING_JUNK_RE = re.compile(r"[\s,;:|/\-–—.]+$")


def _clean_summary(text: str) -> str:
    text = _clean_words(text)
    while True:
        before = text
        text = _LEADING_JUNK_RE.sub("", text, count=1)
        text = _TRAILING_JUNK_RE.sub("", text)
        text = text.strip()
        if text == before:
            return text


class _Parser:
    def __init__(
        self,
        text: str,
        *,
        now: datetime,
        tz: tzinfo,
        contact_names: Callable[[str], bool] | None,
    ) -> None:
        self.problems: list[str] = []
        if not isinstance(text, str):
            text = ""
        text = _sanitize(text)
        if len(text) > MAX_INPUT_CHARS:
            self.problems.append(f"Only the first {MAX_INPUT_CHARS} characters were read.")
            text = text[:MAX_INPUT_CHARS]
        # Unescape Slack's entities and note where the real mentions are (a literal "<@U1>" typed by
        # the user arrives escaped, so it never becomes a mention).
        parts: list[str] = []
        self.mentions: dict[int, tuple[int, str]] = {}  # start -> (end, user id)
        length = 0
        position = 0
        for token in _SLACK_TOKEN_RE.finditer(text):
            parts.append(text[position : token.start()])
            length += token.start() - position
            position = token.end()
            if token.group("user"):
                self.mentions[length] = (length + len(token.group(0)), token.group("user"))
                parts.append(token.group(0))
                length += len(token.group(0))
            else:
                parts.append(_ENTITIES[token.group("entity")])
                length += 1
        parts.append(text[position:])
        if text.count("<@") > len(self.mentions):
            self.problems.append("“<@” doesn't look like a complete Slack mention.")
        text = "".join(parts)
        self.text = text
        if now.tzinfo is None or now.utcoffset() is None:
            now = now.replace(tzinfo=UTC)  # a naive `now` is taken as UTC
        self.now_utc = now.astimezone(UTC)
        self.tz = tz
        self.local_now = now.astimezone(tz).replace(tzinfo=None)  # wall clock in the user's zone
        self.contact_names = contact_names
        self._calendar_cache: dict[str, datetime | None] = {}

        # A masked copy for searching: mentions become opaque, so "<@U1|call>" is no type word.
        self.masked = _mask(text, [(begin, end) for begin, (end, _user) in self.mentions.items()])
        delimiter = _DELIMITER_RE.search(self.masked)
        self.limit = delimiter.start() if delimiter else len(text)

    # -- top level ------------------------------------------------------------------------------

    def parse(self) -> QuickLog:
        removed: list[tuple[int, int]] = []
        mention_user_id: str | None = None
        contact_text: str | None = None
        contact_span: tuple[int, int] | None = None

        start = len(self.text) - len(self.text.lstrip())
        if start in self.mentions:
            end, mention_user_id = self.mentions[start]
            contact_span = (start, end)
        elif self.contact_names is not None:
            contact_span = self._known_name_at(start, self.limit, ())
            if contact_span:
                contact_text = self.text[contact_span[0] : contact_span[1]]

        search = self.masked
        if contact_span:
            removed.append(contact_span)
            search = _mask(search, [contact_span])

        # Dates first, then durations, then the type word, each blind to what was already taken.
        occurred_at, date_text, date_span = self._find_date(search)
        if date_span:
            removed.append(date_span)
            search = _mask(search, [date_span])
        duration, duration_span = self._find_duration(search)
        if duration_span:
            removed.append(duration_span)
            search = _mask(search, [duration_span])
        type_match = _TYPE_RE.search(search[: self.limit])
        kind = None
        type_span = None
        if type_match:
            kind = _TYPE_OF_WORD.get(_type_key(type_match.group("kw")))
            type_span = type_match.span()
            search = _mask(search, [type_span])

        taken = [span for span in (date_span, duration_span, type_span) if span]
        if contact_span is None:
            # 1) the words before the first type word / date / duration: "Jane Doe call yesterday"
            contact_span, whole = self._leading_name(start, taken)
            if contact_span:
                contact_text = self.text[contact_span[0] : contact_span[1]]
                removed.append(contact_span)
                words = len(contact_text.split())
                if words > MAX_GUESSED_NAME_WORDS or (whole and words > 2):
                    self.problems.append(f"Not sure where the contact's name ends in {_quote(contact_text)}.")
            else:
                # 2) "call with Jane", "yesterday lunch with <@U1>", "emailed Jane re contract"
                found = self._name_after_type_or_with(search, type_match, taken)
                if found:
                    removal, name_span, mention_id = found
                    removed.append(removal)
                    if mention_id:
                        mention_user_id = mention_id
                    else:
                        contact_text = self.text[name_span[0] : name_span[1]]

        without_type = [span for span in removed if span]
        summary = _clean_summary(self._remove(without_type + ([type_span] if type_span else [])))
        if not summary and type_span:
            summary = _clean_summary(self._remove(without_type))

        if contact_text is not None:
            contact_text = _clean_words(contact_text).strip(_NAME_STRIP) or None
        return QuickLog(
            contact_text=contact_text,
            mention_user_id=mention_user_id,
            type=kind,
            occurred_at=occurred_at,
            date_text=_clean_words(date_text) if date_text else None,
            duration_minutes=duration,
            summary=summary,
            problems=tuple(dict.fromkeys(self.problems)),
        )

    def _remove(self, spans: list[tuple[int, int]]) -> str:
        chars = list(self.text)
        for begin, end in spans:
            for i in range(begin, end):
                chars[i] = " "
        return "".join(chars)

    # -- contact ------------------------------------------------------------------------------

    def _is_known(self, phrase: str) -> bool:
        try:
            return bool(self.contact_names(phrase))  # type: ignore[misc]
        except Exception:
            self.problems.append("Couldn't check the contact name.")
            self.contact_names = None
            return False

    def _known_name_at(
        self, begin: int, end: int, taken: list[tuple[int, int]] | tuple
    ) -> tuple[int, int] | None:
        """The longest phrase of up to MAX_NAME_WORDS words starting at `begin` that is a known name."""
        if self.contact_names is None:
            return None
        stop = end
        for b, _e in taken:
            if begin <= b < stop:
                stop = b
        mention = self.masked.find("\ue000", begin, stop)
        if mention != -1:
            stop = mention
        words = list(re.finditer(r"\S+", self.text[begin:stop]))[:MAX_NAME_WORDS]
        for count in range(len(words), 0, -1):
            phrase_end = begin + words[count - 1].end()
            phrase = self.text[begin:phrase_end].rstrip(_NAME_STRIP)
            if phrase and self._is_known(phrase):
                return begin, begin + len(phrase)
            if self.contact_names is None:
                return None
        return None

    def _leading_name(self, start: int, taken: list[tuple[int, int]]) -> tuple[tuple[int, int] | None, bool]:
        """The words from the start up to the first type word / date / duration / separator."""
        end = min([self.limit, *(b for b, _ in taken if b >= start)])
        stop = _NAME_STOP_RE.search(self.masked, start, end)
        whole = not taken and end == len(self.text) and not stop
        if stop:
            end = stop.start()
        begin = start
        with_word = _WITH_RE.match(self.text, begin)
        if with_word:
            begin = with_word.end()
        segment = self.text[begin:end]
        stripped = segment.strip(_NAME_STRIP + " ")
        if not stripped or "\ue000" in self.masked[begin:end]:
            return None, False
        offset = begin + segment.index(stripped)
        return (offset, offset + len(stripped)), whole

    def _name_after_type_or_with(
        self,
        search: str,
        type_match: re.Match[str] | None,
        taken: list[tuple[int, int]],
    ) -> tuple[tuple[int, int], tuple[int, int], str | None] | None:
        """A name after "with" (anywhere before the summary) or right after a leading type verb."""
        candidates: list[int] = []
        with_word = _WITH_RE.search(search, 0, self.limit)
        if with_word:
            candidates.append(with_word.start())
        first = len(self.text) - len(self.text.lstrip())
        if (
            type_match
            and type_match.start() == first
            and _type_key(type_match.group("kw")) in _VERB_FIRST
            and not (with_word and with_word.start() == _skip_spaces(self.text, type_match.end()))
        ):
            candidates.append(type_match.end())
        for position in candidates:
            is_with = with_word is not None and position == with_word.start()
            name_start = _skip_spaces(self.text, with_word.end() if is_with else position)
            if name_start in self.mentions:
                end, user = self.mentions[name_start]
                return (position, end), (name_start, end), user
            span = self._known_name_at(name_start, self.limit, taken) or self._guess_name(name_start, search)
            if span:
                return (position if is_with else span[0], span[1]), span, None
        return None

    def _guess_name(self, begin: int, search: str) -> tuple[int, int] | None:
        end = begin
        for count, word in enumerate(re.finditer(r"\S+", search[begin : self.limit])):
            token = word.group(0)
            if count >= MAX_GUESSED_NAME_WORDS or "\ue000" in token:
                break
            bare = token.strip(_NAME_STRIP)
            if not bare or bare.lower() in _NAME_STOP_WORDS or token[0] in "-–—":
                break
            end = begin + word.end()
            if token[-1] in ",;:，；：":
                end -= 1
                break
        phrase = self.text[begin:end].rstrip(_NAME_STRIP)
        return (begin, begin + len(phrase)) if phrase else None

    # -- durations ----------------------------------------------------------------------------

    def _find_duration(self, search: str) -> tuple[int | None, tuple[int, int] | None]:
        match = _DURATION_RE.search(search, 0, self.limit)
        if not match:
            return None, None
        if match.group("half"):
            words = match.group("half").lower()
            minutes = 30 if words.startswith("half") else 90 if "half" in words else 60
        elif match.group("h") is not None:
            extra = match.group("hm") or match.group("hm2") or "0"
            minutes = round(float(match.group("h")) * 60) + int(extra)
        else:
            minutes = int(match.group("m"))
        if minutes > MAX_DURATION_MINUTES:
            self.problems.append(f"{_quote(match.group(0))} is longer than a day; the duration was left out.")
            return None, match.span()
        return minutes, match.span()

    # -- dates --------------------------------------------------------------------------------

    def _find_date(self, search: str) -> tuple[datetime | None, str | None, tuple[int, int] | None]:
        pieces: list[_Piece] = []
        for kind, pattern in _DATE_PATTERNS:
            for match in pattern.finditer(search, 0, self.limit):
                connector = _CONNECTOR_RE.match(match.group(0))
                core_start = match.start() + (connector.end() if connector else 0)
                pieces.append(_Piece(kind, match.start(), match.end(), core_start, match))
        pieces.sort(key=lambda p: (p.start, -(p.end - p.start)))
        chosen: list[_Piece] = []
        rejected = 0
        for piece in pieces:
            # Two pieces make a phrase ("yesterday 3pm"); a third only tells us something was left over.
            # Stopping early bounds the dateparser calls for junk like "feb 30 feb 30 feb 30 ...".
            if len(chosen) >= 3 or rejected >= 3:
                break
            if chosen and piece.start < chosen[-1].end:
                continue
            if not self._valid(piece):
                rejected += 1
                continue
            chosen.append(piece)
        if not chosen:
            return None, None, None

        first = chosen[0]
        group = [first]
        if len(chosen) > 1:
            second = chosen[1]
            gap = search[first.end : second.start]
            kinds = {self._granularity(first), self._granularity(second)}
            if re.fullmatch(r"[\s,]*", gap) and kinds == {"time", "day"}:
                group.append(second)
        rest = chosen[len(group) :]
        if rest:
            self.problems.append(
                f"Only the first date was used; {_quote(self._core_text(rest[0]))} was left in the summary."
            )

        span = (group[0].start, group[-1].end)
        date_text = self.text[group[0].core_start : group[-1].end]
        try:
            occurred_at = self._resolve(group)
        except (ValueError, OverflowError, ArithmeticError):
            occurred_at = None
        if occurred_at is None:
            self.problems.append(f"Couldn't work out the date {_quote(date_text)}.")
            return None, None, None
        if occurred_at > self.now_utc + FUTURE_TOLERANCE:
            self.problems.append(f"{_quote(date_text)} is in the future.")
        return occurred_at, date_text, span

    def _core_text(self, piece: _Piece) -> str:
        return self.text[piece.core_start : piece.end]

    def _granularity(self, piece: _Piece) -> str:
        if piece.kind == "time":
            return "time"
        if piece.kind == "ago" and _ago_unit(piece.match.group("unit")) in ("minutes", "hours"):
            return "instant"
        if piece.kind == "now":
            return "instant"
        if piece.kind == "calendar" and _ISO_TIME_RE.search(piece.match.group(0)):
            return "instant"
        return "day"

    def _valid(self, piece: _Piece) -> bool:
        match = piece.match
        if piece.kind == "time":
            return _clock(match) is not None
        if piece.kind == "calendar":
            ok = self._calendar_date(piece) is not None
            if not ok:
                self.problems.append(f"Couldn't read {_quote(self._core_text(piece))} as a date.")
            return ok
        return True

    def _calendar_date(self, piece: _Piece) -> datetime | None:
        phrase = self._core_text(piece)
        if piece.match.groupdict().get("pod"):
            phrase = phrase[: piece.match.start("pod") - piece.core_start]
        phrase = phrase.strip()
        if phrase not in self._calendar_cache:
            self._calendar_cache[phrase] = self._dateparser(phrase)
        return self._calendar_cache[phrase]

    def _dateparser(self, phrase: str) -> datetime | None:
        try:
            parsed = dateparser.parse(
                phrase,
                languages=["en"],
                settings={
                    "RELATIVE_BASE": self.local_now,
                    "PREFER_DATES_FROM": "past",
                    "RETURN_AS_TIMEZONE_AWARE": False,
                },
            )
        except Exception:
            return None
        if parsed is None:
            return None
        return parsed.replace(tzinfo=None)

    def _resolve(self, group: list[_Piece]) -> datetime | None:
        day_piece = next((p for p in group if p.kind != "time"), None)
        time_piece = next((p for p in group if p.kind == "time"), None)
        base = self.local_now

        if day_piece is None:  # a time alone means today at that time
            assert time_piece is not None
            hour, minute = _clock(time_piece.match)  # type: ignore[misc]
            return self._to_utc(datetime.combine(base.date(), time(hour, minute)))

        match = day_piece.match
        kind = day_piece.kind
        local: datetime
        if kind == "now":
            return self.now_utc
        if kind == "ago":
            count = _ago_count(match.group("n"))
            unit = _ago_unit(match.group("unit"))
            if unit == "minutes":
                return self.now_utc - timedelta(minutes=count)
            if unit == "hours":
                return self.now_utc - timedelta(hours=count)
            if unit == "days":
                local = base - timedelta(days=count)
            elif unit == "weeks":
                local = base - timedelta(weeks=count)
            elif unit == "months":
                local = _add_months(base, -count)
            else:
                local = _add_months(base, -12 * count)
        elif kind == "lastperiod":
            period = match.group("period").lower()
            local = (
                base - timedelta(weeks=1)
                if period == "week"
                else _add_months(base, -1 if period == "month" else -12)
            )
        elif kind == "relday":
            word = " ".join(match.group("word").lower().split())
            days = {"yesterday": -1, "today": 0, "earlier today": 0, "tomorrow": 1}.get(word, -2)
            local = base + timedelta(days=days)
            local = _with_part_of_day(local, match.group("pod"))
        elif kind == "pod":
            word = " ".join(match.group("word").lower().split())
            if word == "tonight":
                local = _with_part_of_day(base, "night")
            elif word == "last night":
                local = _with_part_of_day(base - timedelta(days=1), "night")
            else:
                local = _with_part_of_day(base, word.split()[-1])
        elif kind == "weekday":
            full = match.group("full")
            target = (
                _WEEKDAYS_FULL.index(full.lower()) if full else _WEEKDAY_ABBR[match.group("abbr").lower()]
            )
            mod = (match.group("mod") or match.group("mod2") or "").lower()
            today = base.weekday()
            if mod == "this":
                delta = target - today  # the day in the current week, Monday to Sunday
            elif mod == "next":
                delta = (target - today) % 7 or 7
            else:  # "last tuesday", "tuesday": the closest previous one, a week ago if it is today
                delta = -((today - target) % 7 or 7)
            local = datetime.combine(base.date() + timedelta(days=delta), time(0, 0))
            local = _with_part_of_day(local, match.group("pod"))
        elif kind == "calendar":
            parsed = self._calendar_date(day_piece)
            if parsed is None:
                return None
            local = _with_part_of_day(parsed, match.groupdict().get("pod"))
        else:  # pragma: no cover - every kind is handled above
            return None

        if time_piece is not None:
            hour, minute = _clock(time_piece.match)  # type: ignore[misc]
            local = datetime.combine(local.date(), time(hour, minute))
        return self._to_utc(local)

    def _to_utc(self, local: datetime) -> datetime:
        # Wall-clock time in the user's zone; a time in a DST gap resolves like the clocks did.
        return local.replace(tzinfo=self.tz).astimezone(UTC)


# --------------------------------------------------------------------------------------------------
# Small helpers


def _mask(text: str, spans: list[tuple[int, int]]) -> str:
    chars = list(text)
    for begin, end in spans:
        for i in range(begin, end):
            chars[i] = "\ue000"
    return "".join(chars)


def _skip_spaces(text: str, position: int) -> int:
    while position < len(text) and text[position].isspace():
        position += 1
    return position


def _type_key(word: str) -> str:
    return " ".join(word.lower().replace("’", "'").split())


def _clock(match: re.Match[str]) -> tuple[int, int] | None:
    groups = match.groupdict()
    word = groups.get("word")
    if word:
        return (0, 0) if word.lower() == "midnight" else (12, 0)
    hour = int(groups["h"])
    minute = int(groups["mi"] or 0)
    if minute > 59:
        return None
    meridiem = (groups.get("ap") or "").lower().replace(".", "")
    if meridiem:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    elif hour > 23:
        return None
    return hour, minute


def _ago_count(text: str) -> int:
    words = text.lower().split()
    if words and words[0].isdigit():
        return int(words[0])
    for word in words:
        if word in _NUMBER_WORDS and word not in ("a", "an"):
            return _NUMBER_WORDS[word]
    return 1


def _ago_unit(unit: str) -> str:
    unit = unit.lower()
    if unit.startswith("mi") or unit == "m":
        return "minutes"
    if unit.startswith("h"):
        return "hours"
    if unit.startswith("d"):
        return "days"
    if unit.startswith("w"):
        return "weeks"
    if unit.startswith("mo"):
        return "months"
    return "years"


def _add_months(moment: datetime, months: int) -> datetime:
    index = moment.year * 12 + (moment.month - 1) + months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def _with_part_of_day(moment: datetime, part: str | None) -> datetime:
    if not part:
        return moment
    return datetime.combine(moment.date(), time(_PART_OF_DAY[part.lower()], 0))
