"""The quick-log grammar: the text of `/log <text>` read into contacts, type, time, duration,
follow-up and summary.

Pure: no Slack calls, no database, no clock reads. The caller passes `now`, the user's zone and
Slack locale, and optionally a `contact_names` callback that answers "does this exact phrase name
one contact?" (a full name, or a first name that only one contact has). `parse_quick_log` never
raises; whatever it is unsure about is in `problems`, and then nothing is saved without the modal.

Every word is accounted for
---------------------------
Each word of the text ends up in exactly one role (see `QuickLog.parts`): a contact, the type,
the time, the duration, the follow-up date, a separator ("re:", "about", a colon) or the summary.
Dates and times are read by `bot.domain.dates` (the same engine as the list filters). A date- or
time-like word that is not understood completely — a typo ("yesteday"), "at 3" (AM or PM?),
"3/4" when the locale doesn't settle the order, a second time, or a time in the future — gives no
time at all (`occurred_at` is None) and a problem saying what is unclear; it never becomes *now*.
With no time words at all, the time is `now`.

Text after "re:", "about", "regarding", or "subject:", after a colon (unless the colon just ends
the leading contact name: "José Núñez: phoned, 1h, last monday"), and text in double quotes is
summary and never read for anything else.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo

from bot.domain import dates
from bot.domain import lexicon as lx
from bot.domain.dates import quote
from bot.domain.names import ContactFinder, FoundContact
from bot.domain.rules import INTERACTION_TYPES, MAX_DURATION_MINUTES
from bot.domain.slack_text import unescape_with_mentions

__all__ = ["INTERACTION_TYPES", "MAX_INPUT_CHARS", "QuickLog", "parse_quick_log", "usage_text"]

MAX_INPUT_CHARS = 500
MASK = "\ue000"


@dataclass(frozen=True)
class QuickLog:
    """What a quick log says. Times are aware UTC datetimes; `follow_up_on` is a local date."""

    contact_text: str | None  # the first contact's name as typed ("Jane Doe"); None if a mention or none
    mention_user_id: str | None  # the first contact's Slack user id when it is a mention <@U123>
    type: str | None  # one of INTERACTION_TYPES; None if no type word
    # When it happened, UTC: `now` when the text has no time words; None when a time-like part was
    # unclear or in the future (then `problems` says why). A day without a time is the start of
    # that local day, with time_known False.
    occurred_at: datetime | None
    date_text: str | None  # the words that gave (or tried to give) the time, as typed
    duration_minutes: int | None
    summary: str  # the rest, cleaned
    problems: tuple[str, ...]  # human-readable reasons not to save without asking
    time_known: bool = True  # False when only a day was given ("yesterday", "3/4", "last monday")
    contact_texts: list[str] = field(default_factory=list)  # every contact in order; mentions as "<@U123>"
    follow_up_on: date | None = None  # "follow up friday": a local date, today or later
    follow_up_text: str | None = None  # the words that gave it
    parts: tuple[tuple[str, str], ...] = ()  # (role, text) in input order; roles as in ROLES


ROLES = ("contact", "type", "time", "duration", "follow_up", "separator", "summary")


def usage_text() -> str:
    """The `/log help` text (Slack mrkdwn)."""
    return (
        "*Log an interaction in one line:* `/log <contact> <type> <when> <duration> <summary>`\n"
        "Every part is optional and the order is flexible; when anything is unclear the form opens "
        "with what was understood.\n"
        "\n"
        "*Examples*\n"
        "• `/log Jane Doe call yesterday 3pm 30m pricing follow-up`\n"
        "• `/log @jane coffee last tuesday`\n"
        "• `/log jane email 2 days ago re: contract`\n"
        "• `/log lunch w/ May Chen last monday 12:30 45min`\n"
        "• `/log call with Jane Doe and May Chen yesterday 3pm follow up friday`\n"
        "• `/log note for Acme CFO: onboarding went well`\n"
        "\n"
        "*Contacts* – names (as in your contacts) or @mentions, first; or `call with NAME`, `w/ NAME`; "
        "several joined by `and`, `&` or `,`.\n"
        "*Type* – `call` (called, phone, rang), `email` (mail), `meeting` (met, coffee, lunch, dinner, "
        "breakfast, zoom, video, demo), `message` (dm, slack, text, sms, whatsapp), `note`, `other`.\n"
        "*When* – `yesterday`, `this morning`, `last night`, `last tuesday 12:30`, `friday 2pm`, "
        "`3 days ago`, `an hour ago`, `march 3`, `2026-03-01`, `3/14`, `15:30`. A day without a time "
        "is logged as that day. Leave it out to use now.\n"
        "*Duration* – `30m`, `45 min`, `1h30`, `1.5h`, `half an hour` (up to 24 hours).\n"
        "*Follow-up* – `follow up friday`, `follow up in 2 weeks`, `follow up on 12/3`.\n"
        '*Summary* – whatever is left; after `re:`, `about`, a colon or in "quotes" nothing is read '
        "as a date or type.\n"
        "Type `/log` alone to open the form."
    )


def parse_quick_log(
    text: str,
    *,
    now: datetime,
    tz: tzinfo,
    contact_names: Callable[[str], bool] | None = None,
    locale: str | None = None,
) -> QuickLog:
    """Parse `/log` text as Slack sends it (escaped). Never raises.

    `locale` is the user's Slack locale ("en-US", "de-DE", …): it settles whether 3/4 is March 4
    (en-US) or 3 April (day-first locales); None or unknown makes such a date a question.
    """
    try:
        return _Parser(text, now=now, tz=tz, contact_names=contact_names, locale=locale).parse()
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
            parts=(("summary", cleaned),) if cleaned else (),
        )


def _sanitize(text: str) -> str:
    text = unicodedata.normalize("NFC", text[: MAX_INPUT_CHARS * 4])
    # Control characters (newlines, tabs, NUL...) become spaces; format characters are kept.
    return "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)


_JUNK = " \t,;:|/-–—."


def _clean_summary(text: str) -> str:
    text = " ".join(text.split()).strip(_JUNK)
    quoted = lx.QUOTED_RE.fullmatch(text)
    if quoted and len(text) > 2:
        text = text[1:-1].strip()
    return text


def _mask(text: str, spans: list[tuple[int, int]], char: str = MASK) -> str:
    chars = list(text)
    for begin, end in spans:
        chars[begin:end] = char * (end - begin)
    return "".join(chars)


class _Parser:
    def __init__(
        self,
        text: str,
        *,
        now: datetime,
        tz: tzinfo,
        contact_names: Callable[[str], bool] | None,
        locale: str | None,
    ) -> None:
        self.problems: list[str] = []
        text = _sanitize(text if isinstance(text, str) else "")
        if len(text) > MAX_INPUT_CHARS:
            self.problems.append(f"Only the first {MAX_INPUT_CHARS} characters were read.")
            text = text[:MAX_INPUT_CHARS]
        plain, mentions = unescape_with_mentions(text)
        if text.count("<@") > len(mentions):
            self.problems.append("“<@” doesn't look like a complete Slack mention.")
        self.text = plain
        if now.tzinfo is None or now.utcoffset() is None:
            now = now.replace(tzinfo=UTC)  # a naive `now` is taken as UTC
        self.now = now.astimezone(UTC)
        self.tz = tz
        self.locale = locale
        self.mentions = {m.start: (m.end, m.user_id) for m in mentions}
        # A masked copy for searching: mentions and quoted text become opaque.
        hidden = [(m.start, m.end) for m in mentions]
        hidden += [q.span() for q in lx.QUOTED_RE.finditer(_mask(plain, hidden))]
        self.masked = _mask(plain, hidden)
        self.start = len(plain) - len(plain.lstrip())
        self.limit, self.separator = self._summary_start()
        self._unclear: list[tuple[int, int]] = []  # time words not understood (kept in the summary)
        self.names = ContactFinder(self.text, self.masked, self.mentions, self.limit, contact_names)

    # -- where the summary starts ---------------------------------------------------------------

    def _summary_start(self) -> tuple[int, tuple[int, int] | None]:
        best: tuple[int, int] | None = None
        delimiter = lx.DELIMITER_RE.search(self.masked)
        if delimiter:
            best = delimiter.span()
        for colon in lx.COLON_RE.finditer(self.masked):
            if best is not None and colon.start() >= best[0]:
                break
            if self._colon_ends_leading_name(colon.start()):
                continue
            best = colon.span()
            break
        return (best[0], best) if best else (len(self.text), None)

    def _colon_ends_leading_name(self, position: int) -> bool:
        prefix = self.masked[self.start : position]
        if not prefix.strip() or lx.TYPE_RE.search(prefix) or lx.DURATION_RE.search(prefix):
            return False
        if lx.WITH_RE.search(prefix) or dates.scan(prefix):
            return False
        return len(prefix.split()) <= 6 and not lx.COLON_RE.search(prefix)

    # -- top level ------------------------------------------------------------------------------

    def parse(self) -> QuickLog:
        spans: list[tuple[str, int, int]] = []  # (role, begin, end)
        if self.separator:
            spans.append(("separator", *self.separator))
        contacts: list[FoundContact] = []
        search = self.masked

        type_span: tuple[int, int] | None = None
        kind: str | None = None
        note_for = lx.NOTE_FOR_RE.match(self.masked)
        if note_for and note_for.end() <= self.limit:  # "note for Jane: ..."
            kind, type_span = "note", (note_for.start("kw"), note_for.end())
            contacts = self.names.contact_list(note_for.end(), self.limit, [], guessed=True)
        elif self.start in self.mentions or self.names.has_callback:
            contacts = self.names.contact_list(self.start, self.limit, [], guessed=False, known_only=True)
            if contacts and self._joined_on(contacts[-1].span[1]):
                # "Jane and Bob Smith call …": a name after the join isn't known. Read them all as
                # leading names instead, so Bob is asked about rather than left in the summary.
                contacts = []
        for contact in contacts:
            spans.append(("contact", *contact.span))
        if type_span:
            spans.append(("type", *type_span))
        search = _mask(search, [(b, e) for _r, b, e in spans])

        occurred_at, time_known, date_text, search = self._read_times(search, spans)
        duration, search = self._read_duration(search, spans)
        if kind is None:
            type_match = lx.TYPE_RE.search(search[: self.limit])
            if type_match:
                kind = lx.TYPE_OF_WORD.get(lx.type_key(type_match.group("kw")))
                type_span = type_match.span()
                spans.append(("type", *type_span))
                search = _mask(search, [type_span])
        else:
            type_match = None

        suspects = self._check_leftovers(spans)
        unclear = suspects + self._unclear
        if date_text is None and suspects:
            begin, end = min(suspects)
            date_text = " ".join(self.text[begin:end].split())
        if not contacts:
            taken = sorted([(b, e) for _r, b, e in spans if b >= self.start] + unclear)
            contacts = self.names.leading(self._after_leading_times(spans), taken, search)
            if not contacts:
                contacts = self.names.after_type_or_with(search, type_match, taken)
            for contact in contacts:
                spans.append(("contact", *contact.span))
        self.problems.extend(self.names.problems)

        if self._time_problem:
            occurred_at, time_known = None, False

        spans.sort(key=lambda s: s[1])
        without_type = [(b, e) for role, b, e in spans if role != "type"]
        all_spans = [(b, e) for _role, b, e in spans]
        summary = _clean_summary(_mask(self.text, all_spans, " "))
        if not summary and type_span:
            summary = _clean_summary(_mask(self.text, without_type, " "))

        first = contacts[0] if contacts else None
        return QuickLog(
            contact_text=first.text if first and first.user_id is None else None,
            mention_user_id=first.user_id if first else None,
            type=kind,
            occurred_at=occurred_at,
            date_text=date_text,
            duration_minutes=duration,
            summary=summary,
            problems=tuple(dict.fromkeys(self.problems)),
            time_known=time_known,
            contact_texts=[c.text if c.user_id is None else f"<@{c.user_id}>" for c in contacts],
            follow_up_on=self.follow_up_on,
            follow_up_text=self.follow_up_text,
            parts=self._parts(spans),
        )

    def _joined_on(self, position: int) -> bool:
        """Whether "and", "&", "," or "with" follows `position`, with more text after it."""
        join = lx.CONTACT_JOIN_RE.match(self.text, position)
        return bool(join and join.end() < self.limit and self.text[join.end() : self.limit].strip())

    def _after_leading_times(self, spans: list[tuple[str, int, int]]) -> int:
        """Where a leading name may start: after a time, duration or follow-up said first
        ("yesterday Jane call", "follow up friday Jane call")."""
        position = self.start
        moved = True
        while moved:
            moved = False
            for role, begin, end in spans:
                if role in ("time", "duration", "follow_up") and begin == position:
                    position = end
                    while position < len(self.text) and (
                        self.text[position].isspace() or self.text[position] == ","
                    ):
                        position += 1
                    moved = True
        return position

    def _parts(self, spans: list[tuple[str, int, int]]) -> tuple[tuple[str, str], ...]:
        parts: list[tuple[str, str]] = []
        position = 0
        for role, begin, end in spans:
            if begin > position and self.text[position:begin].strip():
                parts.append(("summary", self.text[position:begin].strip()))
            parts.append((role, self.text[begin:end].strip()))
            position = max(position, end)
        if self.text[position:].strip():
            parts.append(("summary", self.text[position:].strip()))
        return tuple(parts)

    # -- dates ----------------------------------------------------------------------------------

    _time_problem = False
    follow_up_on: date | None = None
    follow_up_text: str | None = None

    def _read_times(
        self, search: str, spans: list[tuple[str, int, int]]
    ) -> tuple[datetime | None, bool, str | None, str]:
        pieces = dates.scan(search, 0, self.limit)
        pieces = [p for p in pieces if MASK not in search[p.start : p.end]]
        pieces, search = self._read_follow_up(search, pieces, spans)
        group, rest = dates.split_group(search, pieces)
        if not group:
            return self.now, True, None, search
        phrase = dates.core_text(self.text, group)
        reading = dates.read_group(self.text, group, now=self.now, tz=self.tz, locale=self.locale)
        problem = reading.problem or dates.future_problem(reading, now=self.now, tz=self.tz)
        if rest:
            other = dates.core_text(self.text, rest[:1])
            self.problems.append(f"I found two times, {quote(phrase)} and {quote(other)}: which one?")
            self._time_problem = True
        if problem:
            self.problems.append(problem)
            self._time_problem = True
        if reading.problem:  # not understood: the words stay in the summary, as typed
            self._unclear.append((group[0].start, group[-1].end))
            return None, False, phrase, search
        span = (group[0].start, group[-1].end)
        spans.append(("time", *span))
        return reading.utc(self.tz), reading.time_known, phrase, _mask(search, [span])

    def _read_follow_up(
        self, search: str, pieces: list[dates.Piece], spans: list[tuple[str, int, int]]
    ) -> tuple[list[dates.Piece], str]:
        for marker in lx.FOLLOW_UP_RE.finditer(search, 0, self.limit):
            index = next((i for i, p in enumerate(pieces) if p.start >= marker.end()), None)
            if index is None or not re.fullmatch(r"[\s:,]*", search[marker.end() : pieces[index].start]):
                continue
            group, _rest = dates.split_group(search, pieces[index:])
            phrase = dates.core_text(self.text, group)
            reading = dates.read_group(
                self.text, group, now=self.now, tz=self.tz, locale=self.locale, prefer="future"
            )
            day = reading.local_day(self.tz)
            today = self.now.astimezone(self.tz).date()
            if reading.problem:
                self.problems.append(reading.problem)
            elif day is None or day < today:
                self.problems.append(f"{quote(phrase)} is in the past: when should the follow-up be?")
            else:
                self.follow_up_on = day
            self.follow_up_text = phrase
            span = (marker.start(), group[-1].end)
            spans.append(("follow_up", *span))
            remaining = pieces[:index] + pieces[index + len(group) :]
            return remaining, _mask(search, [span])
        return pieces, search

    def _check_leftovers(self, spans: list[tuple[str, int, int]]) -> list[tuple[int, int]]:
        """Date- or time-like words no phrase took: a typo, a dangling "ago", an unread number.
        Their spans end a guessed contact name; the words stay in the summary."""
        found_spans: list[tuple[int, int]] = []
        rest = _mask(self.masked, [(b, e) for _r, b, e in spans] + self._unclear)[: self.limit]
        for _kind, pattern in lx.SUSPECT_PATTERNS:
            for match in pattern.finditer(rest):
                found = match.group(0).strip()
                if MASK in found or found in lx.NOT_A_DATE:
                    continue
                self.problems.append(f"I couldn't read {quote(found)} as a date or time.")
                self._time_problem = True
                found_spans.append(match.span())
        for word in lx.WORD_RE.finditer(rest):
            target = dates.misspelt_date_word(word.group(0))
            if target is not None:
                self.problems.append(f"I couldn't read {quote(word.group(0))} as a date.")
                self._time_problem = True
                found_spans.append(word.span())
        return found_spans

    # -- durations ------------------------------------------------------------------------------

    def _read_duration(self, search: str, spans: list[tuple[str, int, int]]) -> tuple[int | None, str]:
        match = next(
            (m for m in lx.DURATION_RE.finditer(search, 0, self.limit) if MASK not in m.group(0)), None
        )
        if not match:
            return None, search
        if match.group("half"):
            words = match.group("half").lower()
            minutes = 30 if words.startswith("half") else 90 if "half" in words else 60
        elif match.group("h") is not None:
            extra = match.group("hm") or match.group("hm2") or "0"
            minutes = round(float(match.group("h").replace(",", ".")) * 60) + int(extra)
        else:
            minutes = int(match.group("m"))
        spans.append(("duration", *match.span()))
        if minutes > MAX_DURATION_MINUTES:
            self.problems.append(f"{quote(match.group(0))} is longer than a day; the duration was left out.")
            return None, _mask(search, [match.span()])
        return minutes, _mask(search, [match.span()])
