"""Full-text search of interactions, the pure part: folding, words, and snippets in context.

Summaries and notes are matched folded (case, accents and compatibility forms, as contact names
are: "Renewal TÉRMS" and "renewal terms" are the same words), word by word: every typed word must
start a word of the text, in any order. The database indexes the folded copy (`fold`), so both
databases match alike; the typed words go to it as separate, quoted prefix terms, never as text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = ["MAX_WORDS", "Snippet", "fold", "search_document", "search_words", "snippet"]

# More words than this add nothing a person types; the rest are dropped.
MAX_WORDS = 8
# A word longer than this is no word anyone searches for; it is cut (still a prefix of itself).
WORD_MAX_CHARS = 40
# Letters and digits; anything else (punctuation, quotes, operators) separates words.
_WORD = re.compile(r"[^\W_]+")
# Around the first match, this many characters of context on each side.
CONTEXT_CHARS = 60


def fold(text: str) -> str:
    """Case, accents and compatibility forms folded: 'Réunion ÉTÉ ﬁnale' -> 'reunion ete finale'."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def search_document(summary: str, notes: str | None) -> str:
    """What the index holds for an interaction: its folded words, separated by single spaces."""
    return " ".join(_WORD.findall(fold(f"{summary}\n{notes or ''}")))


def search_words(text: str) -> tuple[str, ...]:
    """The typed words, folded, each once, in the order typed (at most MAX_WORDS)."""
    words = dict.fromkeys(word[:WORD_MAX_CHARS] for word in _WORD.findall(fold(text)))
    return tuple(words)[:MAX_WORDS]


@dataclass(frozen=True)
class Snippet:
    """Pieces of the original text, in order: (text, matched). `cut_start`/`cut_end`: text left out."""

    pieces: tuple[tuple[str, bool], ...]
    cut_start: bool
    cut_end: bool


def _matches(word: str, words: tuple[str, ...]) -> bool:
    folded = "".join(_WORD.findall(fold(word)))
    return any(folded.startswith(w) for w in words)


def snippet(summary: str, notes: str | None, words: tuple[str, ...]) -> Snippet | None:
    """The matching words in context: the first line of text (summary, then notes) where a typed
    word starts a word, cut to about CONTEXT_CHARS either side. None when nothing matches here.
    """
    if not words:
        return None
    for text in (summary, notes or ""):
        flat = " ".join(text.split())
        spans = [m.span() for m in _WORD.finditer(flat) if _matches(m.group(), words)]
        if not spans:
            continue
        start = max(0, spans[0][0] - CONTEXT_CHARS)
        end = min(len(flat), spans[0][1] + CONTEXT_CHARS)
        # Widen to whole words at the cut ends.
        while start > 0 and not flat[start - 1].isspace():
            start -= 1
        while end < len(flat) and not flat[end].isspace():
            end += 1
        pieces: list[tuple[str, bool]] = []
        position = start
        for left, right in spans:
            if left < start or right > end:
                continue
            if left > position:
                pieces.append((flat[position:left], False))
            pieces.append((flat[left:right], True))
            position = right
        if position < end:
            pieces.append((flat[position:end], False))
        return Snippet(tuple(pieces), cut_start=start > 0, cut_end=end < len(flat))
    return None
