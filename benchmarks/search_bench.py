"""Section 2, search: full-text search of interactions and typo search of contacts, next to raw queries.

- `/interactions "words"`, page 1 (list_interactions with a text filter, LIMIT 16), for a rare word
  (benchmarks.loader.RARE_WORD, one interaction in ~10,000), an uncommon one (one in 50: where
  the plan changes at a million), a common word ("the": a prefix of words in most summaries and
  notes), a common prefix ("review": review, reviewed) and two words ("follow up"). The floor is the raw FTS query
  one would write by hand, through the DB-API cursor: SQLite `id IN (SELECT rowid FROM
  interaction_search WHERE … MATCH ?)` joined and sorted newest first; PostgreSQL
  `search_vector @@ to_tsquery('simple', ?)` with the same ORDER BY … LIMIT.
- Typo search (find_contacts with two letters swapped) next to the raw trigram query alone:
  PostgreSQL `name_key % ? ORDER BY similarity(…)`, SQLite the FTS5 trigram MATCH ordered by rank.
- The list header's count for each search (capped at 300, as /interactions asks for a search), next to the
  raw capped count.
Targets: within 1.5x the raw query; on PostgreSQL every figure under 50 ms as well.

`python -m benchmarks.search_bench [--interactions N] [--contacts N] [--no-postgres]` runs only
this, and also times migration 0009 on the loaded database (downgraded to 0007 first).
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.common import DATA_DIR, PLANS_DIR, Row, interleaved_medians, log, render_table
from benchmarks.loader import MAIN_TEAM, RARE_WORD, UNCOMMON_WORD, Dataset, author_id, name_key
from benchmarks.storage_bench import (
    LIST_COLUMNS,
    Case,
    Raw,
    _name_with_few_matches,
    _swap_letters,
    save_plans,
)
from bot.domain.records import Actor
from bot.domain.search import search_words
from storage.contact_search import TYPO_CANDIDATES, typo_variants
from storage.contacts import find_contacts
from storage.db import Database
from storage.listing import InteractionFilters, count_interactions, list_interactions
from storage.search import postgres_tsquery, sqlite_match

PAGE = 15
COUNT_CAP = 300  # blocks.browse.SEARCH_COUNT_CAP: a search's list header count stops there
SEARCHES = (
    ("rare word", RARE_WORD.lower()),
    ("uncommon word: 1 in 50", UNCOMMON_WORD.lower()),
    ("common word", "the"),
    ("common prefix", "review"),
    ("two words", "follow up"),
)
POSTGRES_MAX_MS = 50.0


def search_cases(db: Database, raw: Raw, data: Dataset) -> list[Case]:
    team = MAIN_TEAM
    actor = Actor(team, author_id(0))
    cases = []
    for label, typed in SEARCHES:
        words = search_words(typed)
        if raw.sqlite:
            match = "i.id IN (SELECT rowid FROM interaction_search WHERE interaction_search MATCH ?)"
            query = sqlite_match(words)
        else:
            match = "i.search_vector @@ to_tsquery('simple', ?)"
            query = postgres_tsquery(words)
        sql = (
            f"SELECT {LIST_COLUMNS}, c.name FROM interactions i JOIN contacts c ON c.id = i.contact_id "
            f"WHERE i.team_id = ? AND i.deleted_at IS NULL AND {match} "
            "ORDER BY i.occurred_at DESC, i.id DESC LIMIT ?"
        )
        params = (team, query, PAGE + 1)
        count_sql = (
            f"SELECT count(*) FROM (SELECT i.id FROM interactions i WHERE i.team_id = ? "
            f"AND i.deleted_at IS NULL AND {match} LIMIT {COUNT_CAP + 1}) AS matching"
        )
        cases.append(
            Case(
                f'search: "{typed}" ({label}), count capped at {COUNT_CAP:,}',
                lambda typed=typed: count_interactions(
                    db, actor, InteractionFilters(text=typed), cap=COUNT_CAP
                ),
                lambda count_sql=count_sql, query=query: raw.one(count_sql, (team, query)),
                "the raw FTS count (same LIMIT), DB-API",
                [(count_sql, (team, query))],
            )
        )
        cases.append(
            Case(
                f'search: "{typed}" ({label}), page 1',
                lambda typed=typed: list_interactions(db, actor, InteractionFilters(text=typed), limit=PAGE),
                lambda sql=sql, params=params: raw.all(sql, params),
                "the raw FTS query (MATCH / @@ to_tsquery) joined, newest first, LIMIT 16, DB-API",
                [(sql, params)],
            )
        )
    typo = _swap_letters(_name_with_few_matches(raw, team))
    key = name_key(typo)
    if raw.sqlite:
        pieces = [*typo_variants(key), *(key[i : i + 3] for i in range(len(key) - 2))]
        terms = " OR ".join(dict.fromkeys('"' + p.replace('"', '""') + '"' for p in pieces if " " not in p))
        trigram_sql = (
            "SELECT c.id, c.name_key FROM contact_name_search s JOIN contacts c ON c.id = s.rowid "
            "WHERE contact_name_search MATCH ? AND c.team_id = ? AND c.archived_at IS NULL "
            "ORDER BY s.rank LIMIT ?"
        )
        trigram_params: tuple = (terms, team, TYPO_CANDIDATES)
    else:
        trigram_sql = (
            "SELECT id, name_key FROM contacts WHERE team_id = ? AND archived_at IS NULL "
            "AND name_key %% ? ORDER BY similarity(name_key, ?) DESC, id LIMIT ?"
        )
        trigram_params = (team, key, key, TYPO_CANDIDATES)
    cases.append(
        Case(
            f"typo search '{typo}' vs raw trigram query",
            lambda: find_contacts(db, actor, typo, limit=10),
            lambda: raw.all(trigram_sql, trigram_params),
            "the raw trigram query alone (pg_trgm % / FTS5 trigram MATCH, best 200), DB-API",
            [(trigram_sql, trigram_params)],
        )
    )
    return cases


def search_rows(
    dialect: str,
    db: Database,
    raw: Raw,
    data: Dataset,
    *,
    runs: int,
    warmup: int,
    plans_dir: Path,
    case_budget_seconds: float,
    min_runs: int,
) -> list[Row]:
    rows = []
    for case in search_cases(db, raw, data):
        log(f"section 2 [{dialect}]: {case.name}")
        plan_path = save_plans(raw, db, case, dialect, plans_dir)
        result, made = interleaved_medians(
            {"storage": case.storage, "floor": case.floor},
            runs=runs,
            warmup=warmup,
            budget_seconds=case_budget_seconds,
            min_runs=min_runs,
        )
        rows.append(
            Row(
                "2",
                f"{dialect}: {case.name}",
                result["storage"] * 1000,
                "ms",
                floor=result["floor"] * 1000,
                floor_name=case.floor_name,
                limit=1.5,
                absolute_max=POSTGRES_MAX_MS if dialect == "postgresql" else None,
                note=f"median of {made} after {warmup} warm-up; plan: {plan_path.name}",
                extra={"plan": str(plan_path)},
            ).judge()
        )
    return rows


def time_migration(url: str) -> float:
    """Seconds to run migration 0009 on the loaded database (taken back one step first, untimed)."""
    from alembic import command

    from storage.migrate import alembic_config

    command.downgrade(alembic_config(url), "0009-1")
    started = time.perf_counter()
    command.upgrade(alembic_config(url), "0009")
    return time.perf_counter() - started


def main() -> None:
    from benchmarks import loader
    from benchmarks.pg import ThrowawayPostgres

    parser = argparse.ArgumentParser()
    parser.add_argument("--interactions", type=int, default=1_000_000)
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-migration", action="store_true")
    parser.add_argument("--reuse-sqlite", action="store_true", help="measure the SQLite file of the last run")
    args = parser.parse_args()
    now = datetime.now(UTC)
    data = loader.generate(loader.Spec(contacts=args.contacts, interactions=args.interactions, now=now))
    rows: list[Row] = []
    throwaway = []
    targets = ["sqlite"] + ([] if args.no_postgres else ["postgresql"])
    try:
        for dialect in targets:
            log(f"search bench: loading {args.interactions:,} interactions into {dialect}")
            path = DATA_DIR / "search.db"
            if dialect == "sqlite" and args.reuse_sqlite and path.exists():
                db = Database(f"sqlite:///{path}")
                raw = Raw(db)
                try:
                    rows += search_rows(
                        dialect,
                        db,
                        raw,
                        data,
                        runs=args.runs,
                        warmup=3,
                        plans_dir=PLANS_DIR,
                        case_budget_seconds=10.0,
                        min_runs=10,
                    )
                finally:
                    raw.close()
                    db.dispose()
                continue
            if dialect == "sqlite":
                DATA_DIR.mkdir(parents=True, exist_ok=True)
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
                report = loader.load_sqlite(str(path), data)
            else:
                database = ThrowawayPostgres("_search")
                throwaway.append(database)
                report = loader.load_postgres(database.url, data)
            rows.append(Row("2", f"{dialect}: bulk load", report.seconds, "s", note="setup").judge())
            if not args.no_migration:
                log(f"search bench: timing migration 0009 on {dialect}")
                seconds = time_migration(report.url)
                rows.append(
                    Row("2", f"{dialect}: migration 0009 on {args.interactions:,} rows", seconds, "s").judge()
                )
            db = Database(report.url)
            raw = Raw(db)
            try:
                rows += search_rows(
                    dialect,
                    db,
                    raw,
                    data,
                    runs=args.runs,
                    warmup=3,
                    plans_dir=PLANS_DIR,
                    case_budget_seconds=10.0,
                    min_runs=10,
                )
            finally:
                raw.close()
                db.dispose()
    finally:
        for database in throwaway:
            database.drop()
    print(render_table(rows))


if __name__ == "__main__":
    main()
