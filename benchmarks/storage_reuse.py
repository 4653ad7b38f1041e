"""Section 2 on databases loaded once: `python -m benchmarks.storage_reuse load|run [...]`.

A full section 2 loads 1,000,000 interactions into SQLite and PostgreSQL each time (minutes).
While working on storage, load once and measure many times:

    .venv/bin/python -m benchmarks.storage_reuse load                 # ~3-5 minutes
    .venv/bin/python -m benchmarks.storage_reuse run                  # every section-2 storage case
    .venv/bin/python -m benchmarks.storage_reuse run --only list --no-search --dialects sqlite

`load` writes `<data>/storage-reuse.db` and the PostgreSQL database `touchbase_bench_reuse`
and remembers the data set's `now` (`<data>/storage-reuse.json`), so `run` regenerates the
same data set (the loader is deterministic) for the cases' parameters. `run` migrates both
databases to head first (a new migration applies to the loaded data), then measures exactly as
`python -m benchmarks --sections 2` does (same cases, same floors, same plans directory).
`drop` removes both. Figures are for iterating; the table in README.md comes from full runs.
"""

from __future__ import annotations

import argparse
import json
import os
from datetime import datetime
from pathlib import Path

for _name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
    os.environ.pop(_name, None)

from sqlalchemy import create_engine, text  # noqa: E402

from benchmarks import loader  # noqa: E402
from benchmarks.common import DATA_DIR, PLANS_DIR, Row, interleaved_medians, log, render_table  # noqa: E402
from benchmarks.pg import ADMIN_URL  # noqa: E402

SQLITE_PATH = DATA_DIR / "storage-reuse.db"
STATE_PATH = DATA_DIR / "storage-reuse.json"
PG_NAME = "touchbase_bench_reuse"
PG_URL = f"{ADMIN_URL.rsplit('/', 1)[0]}/{PG_NAME}"


def _spec(contacts: int, interactions: int, now: datetime) -> loader.Spec:
    return loader.Spec(contacts=contacts, interactions=interactions, now=now)


def _admin():
    return create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")


def load(contacts: int, interactions: int, dialects: list[str]) -> None:
    from datetime import UTC

    now = datetime.now(UTC)
    data = loader.generate(_spec(contacts, interactions, now))
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    STATE_PATH.write_text(
        json.dumps({"now": now.isoformat(), "contacts": contacts, "interactions": interactions})
    )
    if "sqlite" in dialects:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
        report = loader.load_sqlite(str(SQLITE_PATH), data)
        log(f"sqlite loaded in {report.seconds:.1f}s")
    if "postgresql" in dialects:
        admin = _admin()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{PG_NAME}"'))
        admin.dispose()
        report = loader.load_postgres(PG_URL, data)
        log(f"postgresql loaded in {report.seconds:.1f}s")


def drop() -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
    admin = _admin()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)'))
    admin.dispose()
    STATE_PATH.unlink(missing_ok=True)


def run(
    dialects: list[str], only: list[str], search: bool, runs: int, warmup: int, budget: float
) -> list[Row]:
    from benchmarks import storage_bench
    from storage.db import Database
    from storage.migrate import upgrade

    state = json.loads(STATE_PATH.read_text())
    now = datetime.fromisoformat(state["now"])
    data = loader.generate(_spec(state["contacts"], state["interactions"], now))
    rows: list[Row] = []
    for dialect in dialects:
        url = f"sqlite:///{SQLITE_PATH}" if dialect == "sqlite" else PG_URL
        upgrade(url)
        db = Database(url)
        raw = storage_bench.Raw(db)
        try:
            cases, _ = storage_bench.build_cases(db, raw, data, now)
            chosen = [c for c in cases if not only or any(word in c.name for word in only)]
            for case in chosen:
                log(f"[{dialect}] {case.name}")
                plan = storage_bench.save_plans(raw, db, case, dialect, PLANS_DIR)
                result, made = interleaved_medians(
                    {"storage": case.storage, "floor": case.floor},
                    runs=runs,
                    warmup=warmup,
                    budget_seconds=budget,
                    min_runs=15,
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
                        note=f"median of {made}; plan: {plan.name}",
                    ).judge()
                )
            by_name = {c.name: c for c in cases}
            page1 = by_name.get("list page 1")
            deep = by_name.get(f"list page {storage_bench.DEEP_PAGE} (keyset)")
            if page1 and deep and (not only or {"list", "page"} & set(only)):
                result, made = interleaved_medians(
                    {"deep": deep.storage, "first": page1.storage},
                    runs=runs,
                    warmup=warmup,
                    budget_seconds=budget,
                    min_runs=15,
                )
                rows.append(
                    Row(
                        "2",
                        f"{dialect}: list page {storage_bench.DEEP_PAGE} vs page 1",
                        result["deep"] * 1000,
                        "ms",
                        floor=result["first"] * 1000,
                        floor_name="list_interactions page 1",
                        limit=1.2,
                        note=f"median of {made}",
                    ).judge()
                )
            if search:
                rows += storage_bench.search_rows(
                    dialect,
                    db,
                    raw,
                    data,
                    runs=runs,
                    warmup=warmup,
                    plans_dir=PLANS_DIR,
                    case_budget_seconds=budget,
                    min_runs=15,
                )
        finally:
            raw.close()
            db.dispose()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.storage_reuse")
    parser.add_argument("action", choices=("load", "run", "drop"))
    parser.add_argument("--dialects", default="sqlite,postgresql")
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--interactions", type=int, default=1_000_000)
    parser.add_argument("--only", default="", help="comma-separated words: cases whose name has one")
    parser.add_argument("--no-search", action="store_true", help="skip the full-text search rows")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--budget", type=float, default=15.0, help="seconds per storage/floor pair")
    args = parser.parse_args(argv)
    dialects = [d.strip() for d in args.dialects.split(",") if d.strip()]
    if args.action == "load":
        load(args.contacts, args.interactions, dialects)
    elif args.action == "drop":
        drop()
    else:
        only = [w.strip() for w in args.only.split(",") if w.strip()]
        rows = run(dialects, only, not args.no_search, args.runs, args.warmup, args.budget)
        print(render_table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
