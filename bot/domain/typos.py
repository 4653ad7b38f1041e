"""Typos of date words ("yesteday", "thrusday"): a date-like word that isn't read must not vanish."""

from __future__ import annotations

import functools

from bot.domain import lexicon as lx

__all__ = ["misspelt_date_word"]


@functools.lru_cache(maxsize=4096)  # a pure function of the word; the same words come back
def misspelt_date_word(word: str) -> str | None:
    """The date word `word` looks like a typo of (or is, alone where a date was expected), else None."""
    folded = word.lower().replace("’", "'")
    if len(folded) < 5:
        return None
    for target in lx.FUZZY_DATE_WORDS:
        if abs(len(target) - len(folded)) > 2:
            continue
        limit = 1 if len(target) <= 7 else 2
        if typo_distance(folded, target, limit) <= limit:
            return target
    return None


def typo_distance(a: str, b: str, limit: int | None = None) -> int:
    """Edits from a to b (insertion, deletion, change, or a swap of neighbours: optimal string
    alignment), capped at limit + 1 when a limit is given."""
    if limit is None:
        limit = len(a) + len(b)
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]
