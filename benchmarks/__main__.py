"""`python -m benchmarks [--quick | --smoke] [--sections 1,2,...] [--no-postgres] [--output FILE]`

Runs the five sections, prints one table (figure, floor, ratio, target, result) and writes
benchmarks/results.json. `make bench` runs the full sizes, `make bench-quick` the quick ones.
Exit status: 0 when every section ran (targets missed or not), 1 when a section failed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
import traceback
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

for _name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
    os.environ.pop(_name, None)  # everything here talks to 127.0.0.1

from benchmarks.common import (  # noqa: E402
    DATA_DIR,
    ERROR,
    PLANS_DIR,
    RESULTS_PATH,
    SECTIONS,
    Row,
    code_version,
    log,
    render_notes,
    render_table,
    write_results,
)


@dataclass(frozen=True)
class Config:
    ack_requests: int  # per request kind, per mode (sequential / 8 concurrent), per app
    ack_checkpoints: tuple[int, int]  # section 5: peak RSS after this many requests, then this many
    memory_batch: int  # section 5: requests between two peak RSS readings
    ack_contacts: int
    ack_interactions: int
    storage_contacts: int
    storage_interactions: int
    storage_runs: int
    storage_warmup: int
    storage_min_runs: int
    storage_case_budget: float  # seconds per query pair; slow ones get fewer runs (>= min)
    parse_rounds: int
    cold_repeats: int
    startup_repeats: int
    digest_users: int
    digest_rate: float  # calls per second allowed per method
    digest_latency: float
    digest_cap: float  # seconds; a slower run is stopped and its wall time projected
    export_small_factor: int  # the export floor has 1/factor of the rows


FULL = Config(
    ack_requests=400,
    ack_checkpoints=(1_000, 10_000),
    memory_batch=500,
    ack_contacts=300,
    ack_interactions=3_000,
    storage_contacts=100_000,
    storage_interactions=1_000_000,
    storage_runs=50,
    storage_warmup=5,
    storage_min_runs=15,
    storage_case_budget=15.0,
    parse_rounds=100,
    cold_repeats=5,
    startup_repeats=3,
    digest_users=10_000,
    digest_rate=50,
    digest_latency=0.05,
    digest_cap=300,
    export_small_factor=10,
)
QUICK = Config(
    ack_requests=25,
    ack_checkpoints=(100, 200),
    memory_batch=50,
    ack_contacts=200,
    ack_interactions=2_000,
    storage_contacts=2_000,
    storage_interactions=20_000,
    storage_runs=10,
    storage_warmup=2,
    storage_min_runs=3,
    storage_case_budget=0.6,
    parse_rounds=10,
    cold_repeats=1,
    startup_repeats=1,
    digest_users=300,
    digest_rate=50,
    digest_latency=0.05,
    digest_cap=6,
    export_small_factor=10,
)
SMOKE = replace(
    QUICK,
    ack_requests=2,
    ack_checkpoints=(8, 16),
    memory_batch=8,
    ack_contacts=50,
    ack_interactions=300,
    storage_contacts=300,
    storage_interactions=2_000,
    storage_runs=2,
    storage_warmup=1,
    storage_min_runs=1,
    storage_case_budget=0.1,
    parse_rounds=2,
    digest_users=20,
    digest_cap=2,
)


class Run:
    def __init__(self, config: Config, *, sections: set[str], postgres: bool) -> None:
        self.config = config
        self.sections = sections
        self.postgres = postgres
        self.rows: list[Row] = []
        self.failed = False
        self.ack_result = None
        self.ack_db_url: str | None = None
        self.storage_dbs: dict[str, tuple[str, int]] = {}  # dialect -> (url, live rows)
        self.throwaway: list = []

    def guard(self, section: str, label: str, fn) -> None:
        """Run one part; a failure becomes an ERROR row instead of ending the run."""
        try:
            fn()
        except Exception as error:
            self.failed = True
            log(f"section {section} ({label}) failed: {error!r}")
            traceback.print_exc()
            self.rows.append(
                Row(
                    section,
                    f"{label}: failed",
                    None,
                    "",
                    status=ERROR,
                    note=f"{type(error).__name__}: {error}",
                )
            )

    # ------------------------------------------------------------------ sections

    def ack(self) -> None:
        from benchmarks.ack import run_ack_section

        c = self.config
        result = run_ack_section(
            requests_per_mode=c.ack_requests,
            contacts=c.ack_contacts,
            interactions=c.ack_interactions,
        )
        self.rows += result.rows
        self.ack_result = result
        self.ack_db_url = result.database_url

    def ack_postgres(self) -> None:
        """The same, on PostgreSQL with `touchbase serve --workers 2` (issue 19's loaded target)."""
        from benchmarks.ack import run_ack_section, seed_postgres
        from benchmarks.pg import ThrowawayPostgres

        c = self.config
        database = ThrowawayPostgres("_ack")
        self.throwaway.append(database)
        contact_id = seed_postgres(database.url, contacts=c.ack_contacts, interactions=c.ack_interactions)
        result = run_ack_section(
            requests_per_mode=c.ack_requests,
            contacts=c.ack_contacts,
            interactions=c.ack_interactions,
            database_url=database.url,
            contact_id=contact_id,
            workers=2,
            label="postgresql --workers 2",
        )
        self.rows += result.rows
        database.drop()
        self.throwaway.remove(database)

    def serving_memory(self) -> None:
        from benchmarks.ack import run_serving_memory
        from benchmarks.memory_bench import serving_rows

        c = self.config
        result = self.ack_result
        memory = run_serving_memory(
            database_url=result.database_url if result else None,
            contact_id=result.contact_id if result else None,
            total=c.ack_checkpoints[1],
            batch=c.memory_batch,
            contacts=c.ack_contacts,
            interactions=c.ack_interactions,
        )
        memory.bare_hwm_kib = result.bare_hwm_kib if result else None
        self.ack_db_url = self.ack_db_url or f"sqlite:///{DATA_DIR / 'ack.db'}"
        self.rows += serving_rows(memory, c.ack_checkpoints)

    def serving_memory_postgres(self) -> None:
        """The same load with PostgreSQL behind the app: a control for what is SQLite's doing."""
        from benchmarks.ack import run_serving_memory, seed_postgres
        from benchmarks.memory_bench import serving_rows
        from benchmarks.pg import ThrowawayPostgres

        c = self.config
        database = ThrowawayPostgres("_serving")
        self.throwaway.append(database)
        contact_id = seed_postgres(database.url, contacts=c.ack_contacts, interactions=c.ack_interactions)
        memory = run_serving_memory(
            database_url=database.url,
            contact_id=contact_id,
            total=c.ack_checkpoints[1],
            batch=c.memory_batch,
            contacts=c.ack_contacts,
            interactions=c.ack_interactions,
            log_name="touchbase-serve-memory-postgresql.log",
        )
        self.rows += serving_rows(memory, c.ack_checkpoints, label="serving on postgresql (control)")
        database.drop()
        self.throwaway.remove(database)

    def parsing(self) -> None:
        from benchmarks.parse_bench import run_parse_section

        self.rows += run_parse_section(rounds=self.config.parse_rounds, cold_repeats=self.config.cold_repeats)

    def startup(self) -> None:
        from benchmarks.parse_bench import startup_figures, startup_rows
        from tests.fake_slack import FakeSlack

        url = self.ack_db_url
        if url is None:
            from storage.migrate import upgrade

            DATA_DIR.mkdir(parents=True, exist_ok=True)
            path = DATA_DIR / "startup.db"
            path.unlink(missing_ok=True)
            url = f"sqlite:///{path}"
            upgrade(url)
        log(f"section 3: start-up x{self.config.startup_repeats}")
        with FakeSlack() as fake:
            figures = startup_figures(url, fake.url, self.config.startup_repeats)
        self.rows += startup_rows(figures, self.config.startup_repeats)

    def digests(self) -> None:
        from benchmarks.digest_bench import run_digest_section

        c = self.config
        log(f"section 4: run_digests for {c.digest_users} users (cap {c.digest_cap:.0f}s)")
        self.rows += run_digest_section(
            users=c.digest_users, rate=c.digest_rate, latency=c.digest_latency, cap_seconds=c.digest_cap
        )

    def storage(self) -> None:
        from benchmarks import loader
        from benchmarks.storage_bench import run_storage_section

        c = self.config
        now = datetime.now(UTC)
        log(f"section 2: generating {c.storage_contacts:,} contacts, {c.storage_interactions:,} interactions")
        data = loader.generate(
            loader.Spec(contacts=c.storage_contacts, interactions=c.storage_interactions, now=now)
        )
        live = len(data.i_deleted) - sum(data.i_deleted)
        targets = [("sqlite", self._sqlite_load)]
        if self.postgres:
            targets.append(("postgresql", self._postgres_load))
        for dialect, load in targets:

            def one(dialect=dialect, load=load) -> None:
                log(f"section 2: loading {dialect}")
                url, seconds = load(data, "big")
                self.storage_dbs[dialect] = (url, live)
                self.rows.append(
                    Row(
                        "2",
                        f"{dialect}: bulk load (migrations, then {c.storage_interactions:,} rows)",
                        seconds,
                        "s",
                        note="benchmarks/loader.py; setup, not a target",
                    ).judge()
                )
                self.rows.extend(
                    run_storage_section(
                        dialect,
                        url,
                        data,
                        runs=c.storage_runs,
                        warmup=c.storage_warmup,
                        plans_dir=PLANS_DIR,
                        now=now,
                        case_budget_seconds=c.storage_case_budget,
                        min_runs=c.storage_min_runs,
                    )
                )

            self.guard("2", dialect, one)

    def exports(self) -> None:
        from benchmarks import loader
        from benchmarks.memory_bench import export_peak, export_rows

        c = self.config
        small_spec = loader.Spec(
            contacts=max(50, c.storage_contacts // c.export_small_factor),
            interactions=max(100, c.storage_interactions // c.export_small_factor),
            now=datetime.now(UTC),
        )
        small = loader.generate(small_spec)
        small_live = len(small.i_deleted) - sum(small.i_deleted)
        dialects = ["sqlite"] + (["postgresql"] if self.postgres else [])
        for dialect in dialects:

            def one(dialect=dialect) -> None:
                if dialect not in self.storage_dbs:
                    raise RuntimeError(f"section 2 did not load {dialect}, so there is nothing to export")
                big_url, big_live = self.storage_dbs[dialect]
                small_url, _ = (self._sqlite_load if dialect == "sqlite" else self._postgres_load)(
                    small, "small"
                )
                log(f"section 5: export {big_live:,} rows ({dialect})")
                big_peak = export_peak(big_url)
                log(f"section 5: export {small_live:,} rows ({dialect})")
                small_peak = export_peak(small_url)
                self.rows.extend(export_rows(dialect, (big_live, big_peak), (small_live, small_peak)))

            self.guard("5", f"export ({dialect})", one)

    # ------------------------------------------------------------------ databases

    def _sqlite_load(self, data, label: str) -> tuple[str, float]:
        from benchmarks.loader import load_sqlite

        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path = DATA_DIR / f"storage-{label}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        report = load_sqlite(str(path), data)
        return report.url, report.seconds

    def _postgres_load(self, data, label: str) -> tuple[str, float]:
        from benchmarks.loader import load_postgres
        from benchmarks.pg import ThrowawayPostgres

        database = ThrowawayPostgres("" if label == "big" else f"_{label}")
        self.throwaway.append(database)
        report = load_postgres(database.url, data)
        return database.url, report.seconds

    def cleanup(self) -> None:
        for database in self.throwaway:
            try:
                database.drop()
            except Exception as error:
                log(f"could not drop {database.name}: {error!r}")
        self.throwaway.clear()

    # ------------------------------------------------------------------ all of it

    def run(self) -> None:
        want = self.sections
        try:
            if "1" in want:
                self.guard("1", "ack latency", self.ack)
                if self.postgres:
                    self.guard("1", "ack latency on postgresql --workers 2", self.ack_postgres)
            if "5" in want:
                self.guard("5", "serving memory", self.serving_memory)
                if self.postgres:
                    self.guard("5", "serving memory on postgresql", self.serving_memory_postgres)
            if "3" in want:
                self.guard("3", "parsing", self.parsing)
                self.guard("3", "start-up", self.startup)
            if "4" in want:
                self.guard("4", "digest fan-out", self.digests)
            if "2" in want or "5" in want:
                self.storage()
            if "5" in want:
                self.exports()
        finally:
            self.cleanup()
        if "2" not in want:
            self.rows = [r for r in self.rows if r.section != "2"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="tiny sizes, all five sections, under a minute")
    size.add_argument("--smoke", action="store_true", help="even smaller: for the test suite")
    parser.add_argument(
        "--sections", default="1,2,3,4,5", help="comma-separated section numbers (default: all)"
    )
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument(
        "--output", type=Path, default=RESULTS_PATH, help=f"results file (default: {RESULTS_PATH})"
    )
    args = parser.parse_args(argv)

    config, mode = (SMOKE, "smoke") if args.smoke else (QUICK, "quick") if args.quick else (FULL, "full")
    sections = {s.strip() for s in args.sections.split(",") if s.strip()}
    unknown = sections - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section(s): {', '.join(sorted(unknown))}")
    postgres = not args.no_postgres
    if postgres and ({"1", "2", "5"} & sections):
        from benchmarks.pg import ADMIN_URL, reachable

        problem = reachable()
        if problem:
            log(f"PostgreSQL is unreachable at {ADMIN_URL} ({problem}); running SQLite only")
            postgres = False

    started = time.time()
    log(f"{mode} run, sections {','.join(sorted(sections))}, data in {DATA_DIR}")
    if PLANS_DIR.exists():
        shutil.rmtree(PLANS_DIR)
    run = Run(config, sections=sections, postgres=postgres)
    run.run()

    order = {key: n for n, key in enumerate(SECTIONS)}
    rows = sorted(run.rows, key=lambda r: order.get(r.section, 99))  # stable: keeps each section's order
    for row in rows:
        row.judge()
    print()
    print(
        f"Touchbase benchmarks ({mode}), {time.strftime('%Y-%m-%d %H:%M', time.localtime(started))}, "
        f"{time.time() - started:.0f}s, code {code_version()}"
    )
    print(render_table(rows))
    print()
    print("Notes:")
    print(render_notes(rows))
    missed = [r for r in rows if r.status in ("MISSED", ERROR, "pending")]
    print()
    print(
        f"{sum(r.status == 'met' for r in rows)} met, {sum(r.status == 'MISSED' for r in rows)} missed, "
        f"{sum(r.status == ERROR for r in rows)} errors, {sum(r.status == 'pending' for r in rows)} pending; "
        f"plans in {PLANS_DIR}; results in {args.output}"
    )
    config_data = asdict(config)
    config_data["postgres"] = postgres
    config_data["sections"] = sorted(sections)
    write_results(rows, mode=mode, path=args.output, started=started, config=config_data)
    del missed
    return 1 if run.failed else 0


if __name__ == "__main__":
    sys.exit(main())
