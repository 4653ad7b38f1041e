"""Full-text search of interactions: the index's query, and a plan whose worst case is bounded.

The index holds `interactions.search_text` (bot.domain.search.search_document; see migration
0009): SQLite an FTS5 table whose rowid is the interaction id, PostgreSQL a generated tsvector
with a GIN index. Typed words reach it only as quoted prefix terms of letters and digits, bound
as a parameter, never as SQL or query syntax.

Plans (newest first, LIMIT n). A word few interactions have is cheapest driven from the index
(look up each match by id, sort them); a common one from the list's own order (walk the
(team, occurred_at, id) index newest first, keep the rows that match, stop after n).
- SQLite counts matches first (at most COMMON_MATCHES + 1, inside the FTS index): up to
  RARE_MATCHES it looks them up; up to COMMON_MATCHES it gathers their ids once and walks; beyond,
  it looks among the newest SQLITE_WINDOWS rows of the list, matched against the tail of the FTS
  index (ids from the window's oldest insert on), and only if they hold too few matches walks
  probing the FTS index row by row (about n x rows / COMMON_MATCHES probes).
- PostgreSQL can't count cheaply (a common prefix is a whole GIN bitmap), so it walks the newest
  WALK_WINDOWS rows of the list first; when they hold fewer than n matches it looks them all up.
  Its worst case is a word common long ago and absent lately: every match is looked up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, TextClause, column, func, literal_column, select, table, text
from sqlalchemy.orm import Session

from storage.models import Interaction

__all__ = [
    "COMMON_MATCHES",
    "INDEXED_PREFIX",
    "RARE_MATCHES",
    "SEARCH_INDEX_NAMES",
    "SQLITE_WINDOWS",
    "WALK_WINDOWS",
    "TextMatch",
    "count_matches",
    "in_models_schema",
    "postgres_tsquery",
    "sqlite_match",
    "text_condition",
    "unindexed_team",
]

# SQLite: up to RARE_MATCHES matches are looked up by id and sorted; up to COMMON_MATCHES their
# ids are gathered once and the list's index walked; beyond, the walk probes row by row.
RARE_MATCHES = 2_000
COMMON_MATCHES = 50_000
# PostgreSQL: how many of the list's newest rows are searched (a common word fills a page from
# the first window, a rarer one may need the second) before every match is looked up.
WALK_WINDOWS = (200, 2_000)
# SQLite, a very common word: the newest rows searched first (then the probing walk).
SQLITE_WINDOWS = (2_000,)
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
    """The WHERE conditions for the words, and how the list should run them:
    - `unindexed` (team_id, occurred_at, id) set: filter and sort by these, so that the planner
      starts from the few matches (looked up by id) instead of walking the team's index;
    - `walk_windows` set: first look among that many newest rows of the list only (each in turn,
      with `windowed(window)` for conditions when set); if they hold too few matches, run again
      with `conditions` and `unindexed=fallback`."""

    conditions: tuple[ColumnElement[bool] | TextClause, ...]
    unindexed: tuple[str, str, str] | None = None
    walk_windows: tuple[int, ...] = ()
    fallback: tuple[str, str, str] | None = None
    windowed: Callable[[Select], tuple[ColumnElement[bool], ...]] | None = None


def text_condition(session: Session, words: tuple[str, ...]) -> TextMatch:
    """The WHERE conditions "summary or notes match every word", in the plan that suits them."""
    if session.get_bind().dialect.name == "postgresql":
        # Counting matches first costs a whole GIN bitmap for a common word, so the list looks
        # among its newest rows first (where a common word shows up at once).
        matches = text("interactions.search_vector @@ to_tsquery('simple', :search_query)")
        return TextMatch(
            (matches.bindparams(search_query=postgres_tsquery(words)),),
            walk_windows=WALK_WINDOWS,
            fallback=_UNINDEXED["postgresql"],
        )
    query = sqlite_match(words)
    found = (
        session.scalar(
            text(
                "SELECT count(*) FROM (SELECT rowid FROM interaction_search "
                "WHERE interaction_search MATCH :q LIMIT :n)"
            ),
            {"q": query, "n": COMMON_MATCHES + 1},
        )
        or 0
    )
    in_index = text(
        "interactions.id IN (SELECT rowid FROM interaction_search WHERE interaction_search MATCH :search_query)"
    ).bindparams(search_query=query)
    if found <= RARE_MATCHES:
        return TextMatch((in_index,), unindexed=_UNINDEXED["sqlite"])
    if found <= COMMON_MATCHES:
        # SQLite gathers the matches' ids once (a temporary index) and walks the list's index.
        return TextMatch((in_index,))

    # Very many: the newest rows of the list first, matched against the FTS index's tail (the ids
    # from the window's oldest insert on; a common word's doclists are read from there only).
    def windowed(window: Select) -> tuple[ColumnElement[bool], ...]:
        low = select(func.min(window.subquery().c.id)).scalar_subquery()
        fts = table("interaction_search", column("rowid"))
        tail = select(fts.c.rowid).where(
            text("interaction_search MATCH :window_query").bindparams(window_query=query), fts.c.rowid >= low
        )
        return (Interaction.id.in_(tail),)

    # Then (too few there): walk the list's index and probe the FTS index row by row with
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
    return TextMatch((probe, *longer), walk_windows=SQLITE_WINDOWS, windowed=windowed)


def count_matches(
    session: Session,
    words: tuple[str, ...],
    conditions: list,
    cap: int | None,
    joined: Callable[[Select], Select] = lambda query: query,
) -> int:
    """How many interactions match the words and `conditions` (built with the team's index
    hidden, `_UNINDEXED`), at most cap + 1: driven from the text index, which stops counting
    there (SQLite streams matches from FTS5; PostgreSQL is kept to the GIN bitmap)."""
    interactions = Interaction.__table__
    if session.get_bind().dialect.name == "postgresql":
        # A walk of the team's index (or the table) for a word the planner can't estimate costs
        # up to the whole table; the GIN bitmap costs at most the word's matches.
        session.execute(text("SET LOCAL enable_seqscan = off"))
        session.execute(text("SET LOCAL enable_indexscan = off"))
        matching = joined(select(interactions.c.id)).where(
            *conditions,
            text("interactions.search_vector @@ to_tsquery('simple', :search_query)").bindparams(
                search_query=postgres_tsquery(words)
            ),
        )
    else:
        fts = table("interaction_search", column("rowid"))
        matching = joined(
            select(interactions.c.id).select_from(fts.join(interactions, interactions.c.id == fts.c.rowid))
        ).where(
            text("interaction_search MATCH :search_query").bindparams(search_query=sqlite_match(words)),
            *conditions,
        )
    if cap is not None:
        matching = matching.limit(cap + 1)
    return session.scalar(select(func.count()).select_from(matching.subquery())) or 0


def recent_matches(session: Session, words: tuple[str, ...], newest: Select) -> int:
    """How many of the rows `newest` selects (newest first, limited) match the words (PostgreSQL):
    the rows come from the list's own index walk, and the match is checked on each row's vector."""
    window = newest.add_columns(
        literal_column("interactions.search_vector").label("search_vector")
    ).subquery()
    matches = window.c.search_vector.op("@@")(func.to_tsquery("simple", postgres_tsquery(words)))
    return session.scalar(select(func.count()).select_from(window).where(matches)) or 0


def unindexed_team(session: Session) -> tuple[str, str, str]:
    return _UNINDEXED[session.get_bind().dialect.name]
