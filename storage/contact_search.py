"""Finding contacts by a typed name through an index: candidates from the database, ranked here.

Candidates come from a trigram index on the folded name (`contacts.name_key`): PostgreSQL
`pg_trgm` (a GIN index; `LIKE '%…%'` and `%` use it), SQLite the FTS5 table `contact_name_search`
(`tokenize='trigram'`, kept by triggers; a quoted phrase matches a substring). What can't be a
substring of a name is found through its variants: each typed word with one letter left out or
two neighbours swapped ("jnae" -> "jane"), plus names sharing the most trigrams with what was
typed. The few hundred candidates are then ranked by the same scoring as ever (`fuzzy_score`).
Keys under three letters have no trigram: those fall back to a bounded LIKE scan.
"""

from __future__ import annotations

import difflib

from sqlalchemy import ColumnElement, false, func, or_, select, text
from sqlalchemy.orm import Session

from bot.domain.typos import typo_distance
from storage.models import Contact

# How alike (difflib ratio) a typed name and a name must be to count as a typo of it.
FUZZY_MIN_RATIO = 0.72
# Names containing what was typed, at most (alphabetical); typo candidates, at most (best first).
SUBSTRING_CANDIDATES = 200
TYPO_CANDIDATES = 100
TRIGRAM = 3


def _like_pattern(key: str) -> str:
    escaped = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _fts_phrase(piece: str) -> str:
    return '"' + piece.replace('"', '""') + '"'


def typo_variants(key: str) -> list[str]:
    """Each word of at least three letters with one letter left out or two neighbours swapped."""
    found: dict[str, None] = {}
    for word in key.split():
        if len(word) < TRIGRAM:
            continue
        for i in range(len(word)):
            found[word[:i] + word[i + 1 :]] = None
            if i + 1 < len(word):
                found[word[:i] + word[i + 1] + word[i] + word[i + 2 :]] = None
    return [v for v in found if len(v) >= TRIGRAM and v != key]


def _trigrams(key: str) -> list[str]:
    return list(dict.fromkeys(key[i : i + TRIGRAM] for i in range(len(key) - TRIGRAM + 1)))


def substring_candidates(
    session: Session, live: ColumnElement[bool], team_id: str, key: str
) -> list[Contact]:
    """Live contacts whose folded name contains the key, alphabetical, at most SUBSTRING_CANDIDATES."""
    query = select(Contact).where(Contact.team_id == team_id, live)
    if session.get_bind().dialect.name == "sqlite" and len(key) >= TRIGRAM:
        query = query.where(
            Contact.id.in_(
                select(text("rowid"))
                .select_from(text("contact_name_search"))
                .where(text("contact_name_search MATCH :phrase").bindparams(phrase=_fts_phrase(key)))
            )
        )
    else:
        # PostgreSQL's trigram index serves LIKE '%…%' (three letters or more); shorter keys scan.
        query = query.where(Contact.name_key.like(_like_pattern(key), escape="\\"))
    return list(session.scalars(query.order_by(Contact.name_key, Contact.id).limit(SUBSTRING_CANDIDATES)))


def typo_candidates(
    session: Session, live: ColumnElement[bool], team_id: str, key: str
) -> list[tuple[int, str]]:
    """(id, name_key) of live contacts a typo of the key may mean, most alike first."""
    variants = typo_variants(key)
    if session.get_bind().dialect.name == "postgresql":
        # pg_trgm pads words, so a slip in one word of several still leaves the names alike; one
        # short word ("jnae") can share no trigram with what was meant: its variants find it.
        variants = variants if " " not in key else []
        alike = Contact.name_key.op("%")(key) if len(key) >= TRIGRAM else false()
        return [
            (row[0], row[1])
            for row in session.execute(
                select(Contact.id, Contact.name_key)
                .where(
                    Contact.team_id == team_id,
                    live,
                    or_(alike, *(Contact.name_key.like(_like_pattern(v), escape="\\") for v in variants)),
                )
                .order_by(func.similarity(Contact.name_key, key).desc(), Contact.id)
                .limit(TYPO_CANDIDATES)
            )
        ]
    terms = [_fts_phrase(v) for v in variants] + [_fts_phrase(t) for t in _trigrams(key) if " " not in t]
    if not terms:
        return []
    # bm25 puts names sharing more (and rarer) pieces first.
    rows = session.execute(
        text(
            "SELECT c.id, c.name_key FROM contact_name_search s JOIN contacts c ON c.id = s.rowid "
            "WHERE contact_name_search MATCH :terms AND c.team_id = :team AND c.archived_at IS NULL "
            "ORDER BY s.rank LIMIT :n"
        ),
        {"terms": " OR ".join(dict.fromkeys(terms)), "team": team_id, "n": TYPO_CANDIDATES},
    )
    return [(row[0], row[1]) for row in rows]


def substring_score(key: str, candidate: str) -> float:
    if candidate == key:
        return 1.0
    if candidate.startswith(key):
        return 0.9
    if any(word.startswith(key) for word in candidate.split()):
        return 0.8
    return 0.6


def fuzzy_score(key: str, candidate: str) -> float:
    """How alike a typed name is to a name or one of its words: 0 when not alike enough.

    SequenceMatcher decides what is alike enough; among those, fewer typing slips (a swap of
    two letters is one) rank higher, so "jnae" puts "Jane" before "Jana", which it also resembles.
    """
    best = 0.0
    for part in (candidate, *candidate.split()):
        matcher = difflib.SequenceMatcher(None, key, part)
        # The quick ratios are upper bounds of ratio(): most candidates stop there, cheaply.
        if matcher.real_quick_ratio() < FUZZY_MIN_RATIO or matcher.quick_ratio() < FUZZY_MIN_RATIO:
            continue
        ratio = matcher.ratio()
        if ratio >= FUZZY_MIN_RATIO:
            slips = typo_distance(key, part)
            best = max(best, (ratio + 1 - slips / max(len(key), len(part))) / 2)
    return best
