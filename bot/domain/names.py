"""Where the contacts are in a quick log: leading names, "with NAME", a name after a verb, and
several of them joined by "and", "&", "," or "with".

A known name (the `contact_names` callback says so) is always taken whole, so a contact called
"Tom & Jerry Ltd" or "Dinner Club" stays one contact. Unknown names are guessed: the words before
the first type/date/duration word, or up to four words after "with"/"w/" or a leading verb
("emailed may the deck" -> "may": a guess stops at "the", "a", "and", …). A further guessed name
after "and" must start with a capital letter ("with Jane and May Chen").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.domain import lexicon as lx
from bot.domain.dates import quote

MAX_NAME_WORDS = 6  # longest phrase offered to the contact_names callback
MAX_GUESSED_NAME_WORDS = 4  # a longer guessed (not known) name is flagged as uncertain
MAX_CONTACTS = 20
MASK = "\ue000"


@dataclass(frozen=True)
class FoundContact:
    span: tuple[int, int]  # what it takes from the text, a leading "with" or "and" included
    text: str  # the name as typed, or "<@U123>" for a mention
    user_id: str | None = None  # for a mention


def candidate_phrases(text: str) -> list[str]:
    """Every phrase `_known_name_at` would offer the callback from a word's start: the first
    1..MAX_NAME_WORDS words from each word, trailing punctuation stripped (distinct, in order).

    A name can also start inside a word ("Jane,Bob") or stop early (at a mention); those
    phrases aren't here, and a callback asked about one answers it on its own.
    """
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    phrases: dict[str, None] = {}
    for first, (begin, _end) in enumerate(words):
        for _start, end in words[first : first + MAX_NAME_WORDS]:
            phrase = text[begin:end].rstrip(lx.NAME_STRIP)
            if phrase:
                phrases[phrase] = None
    return list(phrases)


def _skip_spaces(text: str, position: int) -> int:
    while position < len(text) and text[position].isspace():
        position += 1
    return position


class ContactFinder:
    def __init__(
        self,
        text: str,
        masked: str,
        mentions: dict[int, tuple[int, str]],
        limit: int,
        contact_names: Callable[[str], bool] | None,
    ) -> None:
        self.text = text
        self.masked = masked
        self.mentions = mentions
        self.limit = limit
        self.contact_names = contact_names
        self.problems: list[str] = []
        # A callback that can answer many phrases at once (one database query) is told first
        # which phrases it may be asked about; it is still asked one phrase at a time.
        expect = getattr(contact_names, "expect", None)
        if callable(expect):
            expect(candidate_phrases(text[:limit]))  # no name is looked for past `limit`

    @property
    def has_callback(self) -> bool:
        return self.contact_names is not None

    # -- the ways a quick log names its contacts ------------------------------------------------

    def leading(self, start: int, taken: list[tuple[int, int]], search: str) -> list[FoundContact]:
        """The words from the start up to the first type word / date / duration / separator."""
        end = min([self.limit, *(b for b, _ in taken if b >= start)])
        stop = lx.NAME_STOP_RE.search(_unmask_mentions(self.masked, self.mentions), start, end)
        whole = not taken and end == len(self.text) and not stop
        if stop:
            end = stop.start()
        begin = start
        with_word = lx.WITH_RE.match(self.text, begin)
        if with_word:
            begin = _skip_spaces(self.text, with_word.end())
        if not self.text[begin:end].strip(lx.NAME_STRIP):
            return []
        found = self.contact_list(begin, end, taken, guessed=False, prefix=start)
        for contact in found:
            words = len(contact.text.split())
            if contact.user_id is None and (
                words > MAX_GUESSED_NAME_WORDS or (whole and len(found) == 1 and words > 2)
            ):
                self.problems.append(f"Not sure where the contact's name ends in {quote(contact.text)}.")
        return found

    def after_type_or_with(
        self, search: str, type_match: re.Match[str] | None, taken: list[tuple[int, int]]
    ) -> list[FoundContact]:
        """Names after "with"/"w/" (anywhere before the summary) or right after a leading type verb."""
        candidates: list[tuple[int, int]] = []  # (prefix start, name start)
        with_word = next(
            (m for m in lx.WITH_RE.finditer(search, 0, self.limit) if MASK not in m.group(0)), None
        )
        if with_word:
            candidates.append((with_word.start(), _skip_spaces(self.text, with_word.end())))
        first = len(self.text) - len(self.text.lstrip())
        if (
            type_match
            and type_match.start() == first
            and lx.type_key(type_match.group("kw")) in lx.VERB_FIRST
            and not (with_word and with_word.start() == _skip_spaces(self.text, type_match.end()))
        ):
            name_start = _skip_spaces(self.text, type_match.end())
            candidates.append((name_start, name_start))
        for prefix, name_start in candidates:
            found = self.contact_list(
                name_start, self.limit, taken, guessed=True, prefix=prefix, search=search
            )
            if found:
                return found
        return []

    def contact_list(
        self,
        begin: int,
        end: int,
        taken: list[tuple[int, int]],
        *,
        guessed: bool,
        known_only: bool = False,
        prefix: int | None = None,
        search: str | None = None,
    ) -> list[FoundContact]:
        """Contacts from `begin`, joined by "and", "&", "," or "with", up to `end`."""
        found: list[FoundContact] = []
        position = _skip_spaces(self.text, begin)
        span_start = begin if prefix is None else prefix
        while position < end and len(found) < MAX_CONTACTS:
            item = self._one(
                position,
                end,
                taken,
                guessed=guessed,
                known_only=known_only or (bool(found) and guessed),
                search=search,
            )
            if item is None:
                break
            name_end, text, user_id = item
            found.append(FoundContact((span_start, name_end), text, user_id))
            join = lx.CONTACT_JOIN_RE.match(self.text, name_end)
            if not join or join.end() >= end:
                break
            span_start, position = name_end, join.end()
        return found

    def _one(
        self,
        position: int,
        end: int,
        taken: list[tuple[int, int]],
        *,
        guessed: bool,
        known_only: bool,
        search: str | None,
    ) -> tuple[int, str, str | None] | None:
        if position in self.mentions:
            mention_end, user_id = self.mentions[position]
            return (mention_end, f"<@{user_id}>", user_id) if mention_end <= end else None
        known = self._known_name_at(position, end, taken)
        if known:
            return known, " ".join(self.text[position:known].split()), None
        if known_only and not (guessed and self.text[position : position + 1].isupper()):
            return None
        if guessed:
            name_end = self._guess_name(position, search if search is not None else self.masked)
        else:
            join = lx.CONTACT_JOIN_RE.search(self.text, position, end)
            stop = join.start() if join else end
            mention = self.masked.find(MASK, position, stop)
            if mention != -1:
                stop = mention
            name_end = position + len(self.text[position:stop].rstrip(lx.NAME_STRIP))
        text = " ".join(self.text[position:name_end].split())
        return (name_end, text, None) if text else None

    # -- names ----------------------------------------------------------------------------------

    def _is_known(self, phrase: str) -> bool:
        try:
            return bool(self.contact_names(phrase))  # type: ignore[misc]
        except Exception:
            self.problems.append("Couldn't check the contact name.")
            self.contact_names = None
            return False

    def _known_name_at(self, begin: int, end: int, taken: list[tuple[int, int]]) -> int | None:
        """The end of the longest phrase of up to MAX_NAME_WORDS words at `begin` that names a contact."""
        if self.contact_names is None:
            return None
        stop = end
        for b, _e in taken:
            if begin <= b < stop:
                stop = b
        mention = self.masked.find(MASK, begin, stop)
        if mention != -1:
            stop = mention
        words = list(re.finditer(r"\S+", self.text[begin:stop]))[:MAX_NAME_WORDS]
        for count in range(len(words), 0, -1):
            phrase = self.text[begin : begin + words[count - 1].end()].rstrip(lx.NAME_STRIP)
            if phrase and self._is_known(phrase):
                return begin + len(phrase)
            if self.contact_names is None:
                return None
        return None

    def _guess_name(self, begin: int, search: str) -> int:
        end = begin
        for count, word in enumerate(re.finditer(r"\S+", search[begin : self.limit])):
            token = word.group(0)
            if count >= MAX_GUESSED_NAME_WORDS or MASK in token:
                break
            bare = token.strip(lx.NAME_STRIP)
            if not bare or bare.lower() in lx.NAME_STOP_WORDS or token[0] in "-–—":
                break
            end = begin + word.end()
            if token[-1] in ",;:，；：":
                end -= 1
                break
        return begin + len(self.text[begin:end].rstrip(lx.NAME_STRIP))


def _unmask_mentions(masked: str, mentions: dict[int, tuple[int, str]]) -> str:
    """Mentions stop nothing in a list of names ("Jane and <@U1>"): put letters back in their place."""
    chars = list(masked)
    for start, (end, _user) in mentions.items():
        chars[start:end] = "@" * (end - start)
    return "".join(chars)
