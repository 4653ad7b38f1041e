"""The words quick log and the list filters understand: type words, date words, locales.

Pure data and regular expressions; `bot.domain.dates` and `bot.domain.quicklog` read them.
"""

from __future__ import annotations

import re

# --------------------------------------------------------------------------------------------------
# Interaction types

TYPE_WORDS: dict[str, tuple[str, ...]] = {
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
TYPE_OF_WORD = {" ".join(word.split()): kind for kind, words in TYPE_WORDS.items() for word in words}
# Type words after which a name may follow directly: "emailed Jane re contract", "met Jane Doe".
VERB_FIRST = frozenset(
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

B = r"(?<![\w'’-])"  # start of a word
E = r"(?![\w'’-])"  # end of a word


def word_alternation(words: list[str]) -> str:
    parts = []
    for word in sorted(words, key=len, reverse=True):
        parts.append(re.escape(word).replace("'", "['’]").replace(r"\ ", r"\s+"))
    return "|".join(parts)


FILLER = r"(?:(?:had|have|did|made|got|a|an|the|quick|short|long|brief|via|by|over|on)\s+){0,3}"
TYPE_RE = re.compile(rf"{B}{FILLER}(?P<kw>{word_alternation(list(TYPE_OF_WORD))}){E}", re.IGNORECASE)


def type_key(word: str) -> str:
    return " ".join(word.lower().replace("’", "'").split())


# --------------------------------------------------------------------------------------------------
# Quick-log structure words

# Everything after one of these is summary: "jane email re: contract", "Jane call about pricing".
DELIMITER_RE = re.compile(
    r"(?<![\w'’-])(?:re\s*:|re(?![\w'’-])|regarding(?![\w'’-])|about(?![\w'’-])|subject\s*:)",
    re.IGNORECASE,
)
# A colon that is not part of a time ("15:30"), a link ("https://") or "re:".
COLON_RE = re.compile(r"(?<![0-9]):|:(?![0-9/])")
# Text in double quotes is summary, never read for anything else.
QUOTED_RE = re.compile(r"\"[^\"]*\"|“[^”]*”|„[^“”]*[“”]|«[^»]*»")
WITH_RE = re.compile(r"(?<![\w'’/-])(?:with(?![\w'’-])|w/)", re.IGNORECASE)
NOTE_FOR_RE = re.compile(r"\s*(?P<kw>note)\s+for\s+", re.IGNORECASE)
# Punctuation that ends a contact name ("Jane Doe, call", "Jane - pricing", "Jane: call").
NAME_STOP_RE = re.compile(r"[;:；：|()\[\]{}\"“”„«»\uE000]|(?:^|\s)[-–—]+(?=\s|$)")
# Between two contacts: "Jane and May", "Tom & Jerry", "Jane, May", "Jane with May".
CONTACT_JOIN_RE = re.compile(r"\s*(?:,|，)\s*(?:and\s+|&\s+)?|\s+(?:and|&|\+|with|w/)\s+", re.IGNORECASE)
NAME_STOP_WORDS = frozenset(
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
        "&",
        "+",
        "yesterday",
        "today",
        "tonight",
        "the",
        "a",
        "an",
        "my",
        "our",
        "your",
        "his",
        "her",
        "their",
        "this",
        "it",
        "them",
        "him",
        "us",
        "some",
        "with",
        "w/",
        "is",
        "was",
        "were",
        "has",
        "had",
        "have",
    ]
)
NAME_STRIP = " \t,;:.|/-–—!?"
FOLLOW_UP_RE = re.compile(rf"{B}(?:follow(?:[\s-]*up|ing\s+up)|followup)(?:\s+by)?{E}", re.IGNORECASE)

# --------------------------------------------------------------------------------------------------
# Dates

WEEKDAYS_FULL = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WEEKDAY_ABBR = {
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
MONTH_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
MONTH_OF = {name: i + 1 for i, name in enumerate(MONTH_NAMES)}
MONTH_OF.update({name[:3]: i + 1 for i, name in enumerate(MONTH_NAMES)})
MONTH_OF["sept"] = 9
MONTHS = "|".join(sorted(MONTH_OF, key=len, reverse=True))
MONTH_TITLES = tuple(name.title() for name in MONTH_NAMES)
NUMBER_WORDS = {
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
}
# Fixed local times for parts of the day ("this morning", "yesterday evening", "last night").
PART_OF_DAY = {"morning": 9, "afternoon": 15, "evening": 18, "night": 20}

_POD = r"(?:\s+(?P<pod>morning|afternoon|evening|night))?"
_ON = rf"(?:{B}on\s+(?:the\s+)?)?"
_AT = rf"(?:{B}(?:at|around)\s+|@\s*|~\s*)?"
_NUM = r"(?<![\w.,:/-])"
_UNITS = r"minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|wks?|w|months?|mos?|years?|yrs?|y"
_COUNT = (
    r"(?P<n>[0-9]{1,6}(?:[.,][0-9]{1,3})?\s*|(?:a\s+)?couple(?:\s+of)?\s+|"
    r"(?:an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s+)"
)

_PERIODS = r"week|wk|month|mo|year|yr"
# "1h30 ago", "1 hr 30 min ago": the minutes after the hours.
_EXTRA = r"(?:\s*(?:and\s+)?(?P<extra>[0-9]{1,2})\s*(?:m|mins?|minutes?)?)?"

# (kind, pattern). Every pattern is tried over the text; overlapping matches keep the earliest, longest.
DATE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("ago", re.compile(rf"{_NUM}{B}{_COUNT}(?P<unit>{_UNITS}){_EXTRA}\s+ago{E}", re.IGNORECASE)),
    ("ago", re.compile(rf"{B}(?P<half>half\s+an?\s+hour)\s+ago{E}", re.IGNORECASE)),
    ("ahead", re.compile(rf"{B}in\s+{_COUNT}(?P<unit>{_UNITS}){E}", re.IGNORECASE)),
    ("ahead", re.compile(rf"{B}in\s+(?P<half>half\s+an?\s+hour){E}", re.IGNORECASE)),
    (
        "relday",
        re.compile(
            rf"{B}(?P<word>(?:the\s+)?day\s+before\s+yesterday|(?:the\s+)?day\s+after\s+tomorrow|"
            rf"yesterday|today|tomorrow|earlier\s+today){_POD}{E}",
            re.IGNORECASE,
        ),
    ),
    (
        "pod",
        re.compile(
            rf"{B}(?P<word>tonight|last\s+night|this\s+(?:morning|afternoon|evening)){E}", re.IGNORECASE
        ),
    ),
    ("now", re.compile(rf"{B}(?:just|right)\s+now{E}", re.IGNORECASE)),
    ("lastperiod", re.compile(rf"{B}(?:last|past)\s+(?P<period>{_PERIODS}){E}", re.IGNORECASE)),
    ("nextperiod", re.compile(rf"{B}next\s+(?P<period>{_PERIODS}){E}", re.IGNORECASE)),
    (
        "vague",
        re.compile(
            rf"{B}(?:this\s+(?:{_PERIODS})|(?:this|last|next|the)\s+weekend|the\s+other\s+day|recently|"
            rf"a\s+while\s+ago|"
            rf"(?:a\s+)?few\s+(?:{_UNITS})\s+ago|some\s+time\s+ago|earlier){E}",
            re.IGNORECASE,
        ),
    ),
    (
        "weekday",
        re.compile(
            rf"{_ON}{B}(?:(?P<mod>last|this|next|past|previous|on)\s+(?P<abbr>"
            rf"{'|'.join(sorted(WEEKDAY_ABBR, key=len, reverse=True))})\.?{E}|"
            rf"(?:(?P<mod2>last|this|next|past|previous)\s+)?(?P<full>{'|'.join(WEEKDAYS_FULL)}){E})"
            rf"{_POD}{E}",
            re.IGNORECASE,
        ),
    ),
    (
        "monthday",
        re.compile(
            rf"{_ON}{B}(?:(?P<m1>{MONTHS})\.?\s+(?:the\s+)?(?P<d1>[0-9]{{1,2}})(?:st|nd|rd|th)?{E}"
            rf"(?:,?\s+(?P<y1>[0-9]{{4}}){E})?|"
            rf"(?P<d2>[0-9]{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m2>{MONTHS})(?:\.|{E})"
            rf"(?:,?\s+(?P<y2>[0-9]{{4}}){E})?)"
            rf"{_POD}{E}",
            re.IGNORECASE,
        ),
    ),
    (
        "dayofmonth",
        re.compile(rf"{B}on\s+(?:the\s+)?(?P<d>[0-9]{{1,2}})(?:st|nd|rd|th){E}{_POD}{E}", re.IGNORECASE),
    ),
    (
        "iso",
        re.compile(
            rf"{_ON}(?<![\w./:-])(?P<y>[0-9]{{4}})(?P<sep>[-/])(?P<mo>[0-9]{{1,2}})(?P=sep)(?P<d>[0-9]{{1,2}})"
            rf"(?:[Tt](?P<h>[0-9]{{1,2}}):(?P<mi>[0-9]{{2}})(?::[0-9]{{2}})?)?(?![\w./:-])"
        ),
    ),
    (
        "numeric",
        re.compile(
            rf"{_ON}(?<![\w./:-])(?P<a>[0-9]{{1,2}})/(?P<b>[0-9]{{1,2}})(?:/(?P<y>[0-9]{{4}}|[0-9]{{2}}))?"
            r"(?![\w./:-])(?!\s*(?:h|hrs?|hours?|an?\s+hour)\b)",
            re.IGNORECASE,
        ),
    ),
    (
        "dotted",
        re.compile(
            rf"{_ON}(?<![\w./:-])(?P<a>[0-9]{{1,2}})\.(?P<b>[0-9]{{1,2}})\.(?P<y>[0-9]{{4}}|[0-9]{{2}})?"
            r"(?![\w/:-]|\.[0-9])"
        ),
    ),
    (
        "time",
        re.compile(
            rf"{_AT}(?<![\w.:/-])(?P<h>[0-9]{{1,2}})(?:[:.](?P<mi>[0-9]{{2}}))?\s*"
            rf"(?P<ap>a\.?m\.?|p\.?m\.?)(?![\w'’-])",
            re.IGNORECASE,
        ),
    ),
    ("time", re.compile(rf"{_AT}(?<![\w.:/-])(?P<h>[0-9]{{1,2}}):(?P<mi>[0-9]{{2}})(?![\w.:/-])")),
    ("time", re.compile(rf"{_AT}{B}(?P<word>noon|midday|midnight){E}", re.IGNORECASE)),
    # "at 3": a clock hour without AM/PM (13-23 and 0 are clear; 1-12 is a question).
    (
        "time",
        re.compile(
            rf"(?:{B}(?:at|around)\s+|@\s*)(?<![\w.:/-])(?P<bare>[0-9]{{1,2}})"
            r"(?![\w.:/-])(?!\s*(?:[ap]\.?m|h|hrs?|hours?|mins?|minutes?)\b)",
            re.IGNORECASE,
        ),
    ),
]
ISO_TIME_RE = re.compile(r"[0-9][Tt][0-9]")
CONNECTOR_RE = re.compile(r"^(?:(?:on|at|around)\s+(?:the\s+)?|@\s*|~\s*)", re.IGNORECASE)

# Date- or time-like leftovers that were not understood: they make the time unclear.
SUSPECT_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("date", re.compile(r"(?<![\w.:/-])[0-9]{1,6}[/.-][0-9]{1,4}(?:[/.-][0-9]{1,6})+(?![\w/:-]|\.[0-9])")),
    ("date", re.compile(r"(?<![\w.:/-])[0-9]{1,2}/[0-9]{1,2}(?![\w./:-])")),
    (
        "time",
        re.compile(r"(?<![\w.:/-])[0-9]{1,4}[:.][0-9]{1,4}\s*(?:[ap]\.?m\.?)(?![\w'’-])", re.IGNORECASE),
    ),
    ("time", re.compile(r"(?<![\w.:/-])[0-9]{1,4}\s*(?:[ap]\.?m\.?)(?![\w'’-])", re.IGNORECASE)),
    ("time", re.compile(r"(?<![\w.:/-])[0-9]{1,2}:[0-9]{2,}(?![\w/-])")),
    # Ranges and clock words the patterns above don't read: "2pm-3pm", "2-3pm", "at 0930", "from 2".
    (
        "time",
        re.compile(r"[^\s\uE000]*[0-9](?:\s*[ap]\.?m\.?(?![a-z])|:[0-9]{2})[^\s\uE000]*", re.IGNORECASE),
    ),
    ("time", re.compile(rf"(?:{B}at\s+|@\s*)[0-9]{{3,4}}(?![\w:./-])", re.IGNORECASE)),
    (
        "time",
        re.compile(
            rf"{B}(?:from|between|till|until)\s+[0-9]{{1,2}}(?:[:.][0-9]{{2}})?(?![\w:./-])", re.IGNORECASE
        ),
    ),
    ("ago", re.compile(rf"(?:[^\s\uE000]+\s+){{0,2}}{B}ago{E}", re.IGNORECASE)),
]
NOT_A_DATE = frozenset(["24/7", "50/50"])

# Date words a typo is checked against (short ones like "may", "june", "today" are left out:
# too many ordinary words are one letter away from them).
FUZZY_DATE_WORDS = (
    "yesterday",
    "tomorrow",
    "tonight",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "january",
    "february",
    "august",
    "september",
    "october",
    "november",
    "december",
    "morning",
    "afternoon",
    "evening",
)
WORD_RE = re.compile(r"[^\W\d_][\w'’]*")

# --------------------------------------------------------------------------------------------------
# Durations

DURATION_RE = re.compile(
    rf"(?:{B}for\s+)?(?:"
    rf"(?<![\w.,:/-])(?P<h>[0-9]{{1,5}}(?:[.,][0-9]{{1,3}})?)\s*(?:h|hrs?|hours?)"
    rf"(?:(?P<hm>[0-9]{{1,2}})(?:m|mins?|minutes?)?|\s+(?:and\s+)?(?P<hm2>[0-9]{{1,2}})\s*(?:m|mins?|minutes?))?{E}"
    rf"|(?<![\w.,:/-])(?P<m>[0-9]{{1,6}})\s*(?:m|mins?|minutes?){E}"
    rf"|{B}(?P<half>half\s+an?\s+hour|half\s+hour|an?\s+hour\s+and\s+a\s+half|an\s+hour|one\s+hour){E}"
    r")",
    re.IGNORECASE,
)

# --------------------------------------------------------------------------------------------------
# Locales: the order of day and month in a numeric date such as 3/4.

# Slack locale strings look like "en-US", "de-DE", "es-LA". Month first only where that is the
# written convention: the United States. Day first for these languages and English regions.
_DAY_FIRST_LANGUAGES = frozenset(
    [
        "de",
        "fr",
        "es",
        "it",
        "pt",
        "ru",
        "nl",
        "pl",
        "da",
        "nb",
        "nn",
        "no",
        "fi",
        "cs",
        "sk",
        "tr",
        "el",
        "uk",
        "ro",
        "id",
        "vi",
        "bg",
        "hr",
        "sl",
        "sr",
        "ca",
    ]
)
_DAY_FIRST_ENGLISH = frozenset(["GB", "IN", "AU", "NZ", "IE", "ZA"])


def day_first(locale: str | None) -> bool | None:
    """True when the locale writes the day first (3/4 = 3 April), False for month first (en-US),
    None when unknown: then a numeric date with two possible readings is a question."""
    if not locale or not isinstance(locale, str):
        return None
    language, _, region = locale.replace("_", "-").partition("-")
    language = language.lower()
    region = region.upper()
    if language == "en":
        if region == "US":
            return False
        return True if region in _DAY_FIRST_ENGLISH else None
    if language in _DAY_FIRST_LANGUAGES:
        return True
    return None
