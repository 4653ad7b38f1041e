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
    "RARE_MATCHES",
    "SEARCH_INDEX_NAMES",
    "TextMatch",
    "in_models_schema",
    "postgres_tsquery",
    "sqlite_match",
    "text_condition",
]

RARE_MATCHES = 5000
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


def sqlite_match(words: tuple[str, ...]) -> str:
    """FTS5 query: every word, as a quoted prefix (words hold only letters and digits)."""
    return " AND ".join(_term(w, sqlite=True) for w in words)


def postgres_tsquery(words: tuple[str, ...]) -> str:
    """to_tsquery('simple', …) text: every word as a quoted prefix lexeme."""
    return " & ".join(_term(w, sqlite=False) for w in words)


@dataclass(frozen=True)
class TextMatch:
    """The WHERE condition for the words, and whether the list should sort its few matches
    itself (True: SQLite is kept from walking the list's index, see the module's docstring)."""

    condition: TextClause
    sort_matches: bool = False


def text_condition(session: Session, words: tuple[str, ...]) -> TextMatch:
    """The WHERE condition "summary or notes match every word", in the plan that suits them."""
    if session.get_bind().dialect.name == "postgresql":
        return TextMatch(
            text("interactions.search_vector @@ to_tsquery('simple', :search_query)").bindparams(
                search_query=postgres_tsquery(words)
            )
        )
    query = sqlite_match(words)
    found = session.scalar(
        text(
            "SELECT count(*) FROM (SELECT rowid FROM interaction_search "
            "WHERE interaction_search MATCH :q LIMIT :n)"
        ),
        {"q": query, "n": RARE_MATCHES + 1},
    )
    if (found or 0) <= RARE_MATCHES:
        # Few matches: look each up by id, then sort them (the caller orders by +column).
        return TextMatch(
            text(
                "interactions.id IN (SELECT rowid FROM interaction_search "
                "WHERE interaction_search MATCH :search_query)"
            ).bindparams(search_query=query),
            sort_matches=True,
        )
    return TextMatch(
        text(
            "EXISTS (SELECT 1 FROM interaction_search WHERE interaction_search MATCH :search_query "
            "AND interaction_search.rowid = interactions.id)"
        ).bindparams(search_query=query)
    )
