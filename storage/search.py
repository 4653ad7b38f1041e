"""Full-text search of interactions: the index's query, and a plan whose worst case is bounded.

The index holds `interactions.search_text` (bot.domain.search.search_document; see migration
0009): SQLite an FTS5 table whose rowid is the interaction id, PostgreSQL a generated tsvector
with a GIN index. Typed words reach it only as quoted prefix terms of letters and digits, bound
as a parameter, never as SQL or query syntax.

SQLite plan (newest first, LIMIT n): a word few interactions have is cheapest driven from the
index (look up each match, sort them); a common one from the list's own order (walk the
(team, occurred_at, id) index newest first and probe the FTS index for each row, stopping after n).
Which is which is known by asking the index for at most RARE_MATCHES + 1 ids first, so driving
from the index never sorts more than RARE_MATCHES rows and the walk expects to visit about
n x rows / RARE_MATCHES rows before it has n matches.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import TextClause, text
from sqlalchemy.orm import Session

__all__ = [
    "INDEXED_PREFIX",
    "RARE_MATCHES",
    "SEARCH_INDEX_NAMES",
    "TextMatch",
    "in_models_schema",
    "postgres_tsquery",
    "sqlite_match",
    "text_condition",
]

RARE_MATCHES = 20_000
# What migration 0009 adds outside the models (virtual tables, a generated column, GIN indexes):
# the schema comparison of migrations against models leaves these out.
SEARCH_INDEX_NAMES = frozenset(
    {
        "interaction_search",
        "contact_name_search",
        "search_vector",
        "ix_interactions_search_vector",
        "ix_contacts_name_key_trgm",
    }
)
_FTS5_SHADOWS = ("_data", "_idx", "_docsize", "_config", "_content")


def in_models_schema(name: str | None, type_: str, parent_names: dict) -> bool:
    """Alembic `include_name`: False for the search index's own tables, column and indexes."""
    if name is None:
        return True
    if name in SEARCH_INDEX_NAMES:
        return False
    return not (
        type_ == "table"
        and any(name == f"{base}{shadow}" for base in SEARCH_INDEX_NAMES for shadow in _FTS5_SHADOWS)
    )


def _term(word: str, *, sqlite: bool) -> str:
    # One letter is too short a prefix to be useful (it would match most rows): a whole word then.
    if sqlite:
        return f'"{word}"*' if len(word) > 1 else f'"{word}"'
    return f"'{word}':*" if len(word) > 1 else f"'{word}'"


def sqlite_match(words: tuple[str, ...], *, cut: int | None = None) -> str:
    """FTS5 query: every word, as a quoted prefix (words hold only letters and digits).

    With `cut`, longer words are cut to that many letters: a prefix the table has its own index
    for (prefix='2 3 4 5 6'), which a per-row probe can seek in; the caller checks the rest."""
    return " AND ".join(_term(w[:cut] if cut else w, sqlite=True) for w in words)


def postgres_tsquery(words: tuple[str, ...]) -> str:
    """to_tsquery('simple', …) text: every word as a quoted prefix lexeme."""
    return " & ".join(_term(w, sqlite=False) for w in words)


# The longest prefix the FTS5 table indexes (migration 0009: prefix='2 3 4 5 6').
INDEXED_PREFIX = 6
# Column references a planner can't use an index for (same values, same order): with few
# matches the list looks them up by id and sorts them, instead of walking the team's index.
_UNINDEXED = {
    "sqlite": ("+interactions.team_id", "+interactions.occurred_at", "+interactions.id"),
    "postgresql": (
        "(interactions.team_id || '')",
        "(interactions.occurred_at + interval '0 seconds')",
        "(interactions.id + 0)",
    ),
}


@dataclass(frozen=True)
class TextMatch:
    """The WHERE conditions for the words; `unindexed` (team_id, occurred_at, id), when set, are
    what the list must filter and sort by so that the planner starts from the few matches."""

    conditions: tuple[TextClause, ...]
    unindexed: tuple[str, str, str] | None = None


def text_condition(session: Session, words: tuple[str, ...]) -> TextMatch:
    """The WHERE conditions "summary or notes match every word", in the plan that suits them."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        query = postgres_tsquery(words)
        matches = "interactions.search_vector @@ to_tsquery('simple', :search_query)"
        count = f"SELECT count(*) FROM (SELECT 1 FROM interactions WHERE {matches} LIMIT :n) AS m"
    else:
        query = sqlite_match(words)
        matches = "interactions.id IN (SELECT rowid FROM interaction_search WHERE interaction_search MATCH :search_query)"
        count = (
            "SELECT count(*) FROM (SELECT rowid FROM interaction_search "
            "WHERE interaction_search MATCH :search_query LIMIT :n)"
        )
    found = session.scalar(text(count), {"search_query": query, "n": RARE_MATCHES + 1}) or 0
    if found <= RARE_MATCHES:
        return TextMatch((text(matches).bindparams(search_query=query),), unindexed=_UNINDEXED[dialect])
    if dialect == "postgresql":
        return TextMatch((text(matches).bindparams(search_query=query),))
    # Many matches (SQLite): walk the list's index and probe the FTS index row by row, with
    # prefixes it indexes (a seek each), checking longer words on the folded text itself.
    probe = text(
        "EXISTS (SELECT 1 FROM interaction_search WHERE interaction_search MATCH :probe_query "
        "AND interaction_search.rowid = interactions.id)"
    ).bindparams(probe_query=sqlite_match(words, cut=INDEXED_PREFIX))
    longer = tuple(
        text(f"instr(' ' || interactions.search_text, :long_word_{n}) > 0").bindparams(
            **{f"long_word_{n}": " " + word}
        )
        for n, word in enumerate(words)
        if len(word) > INDEXED_PREFIX
    )
    return TextMatch((probe, *longer))
