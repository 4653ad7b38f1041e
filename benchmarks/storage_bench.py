"""Section 2: storage at scale, each real storage function next to its raw SQL floor.

The floor of a storage call is the same statements (same index scans, same LIMIT) written
by hand and run through the bare DB-API cursor of the same engine: what is left of the
ratio is what SQLAlchemy, the ORM and the Python around the query cost. For the ranked
name search, which statements run depends on the data (the typo pass runs only when no
name starts with the query), so its floor replays exactly the statements find_contacts
sent, captured once, through the same DB-API cursor. Storage call and floor are run in
turns (storage, floor, storage, floor...) after a warm-up, and the medians compared.

The SQL each storage call really sent is captured (SQLAlchemy's before_cursor_execute)
and its plan saved: EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL, EXPLAIN QUERY PLAN on SQLite.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import event

from benchmarks.common import Row, interleaved_medians, log
from benchmarks.loader import MAIN_TEAM, Dataset, author_id, name_key
from bot.domain.records import Actor
from storage.contacts import find_contacts
from storage.db import Database
from storage.listing import InteractionFilters, count_interactions, encode_cursor, list_interactions
from storage.timelines import contact_history, month_interactions

try:  # being written by another helper; the row says "pending" until it lands
    from storage.staleness import stale_contacts_for_owner
except ImportError:  # pragma: no cover - depends on the tree
    stale_contacts_for_owner = None

PAGE = 15
DEEP_PAGE = 500
TIMELINE_ITEMS = 300  # blocks.timeline.TIMELINE_ITEMS_MAX, what /timeline asks for
# What an InteractionRecord is made of (storage.interactions.record_columns): a page carries the
# first contact's name 4th; a timeline takes it from the attendees (UNNAMED_RECORD_COLUMNS).
RECORD_HEAD = "i.id, i.team_id, i.contact_id"
RECORD_REST = (
    "i.type, i.occurred_at, i.duration_minutes, i.summary, i.notes, i.logged_by, i.source, i.permalink, "
    "i.created_at, i.updated_at, i.updated_by, i.deleted_at, i.time_known, i.follow_up_on, "
    "i.follow_up_due_on, i.follow_up_done_at"
)
LIST_COLUMNS = f"{RECORD_HEAD}, c.name, {RECORD_REST}"
UNNAMED_COLUMNS = f"{RECORD_HEAD}, {RECORD_REST}"
# Every page of interactions carries each one's attendees: one more statement per page.
ATTENDEES_SQL = (
    "SELECT a.interaction_id, c.id, c.name FROM interaction_contacts a JOIN contacts c ON c.id = a.contact_id "
    "WHERE a.interaction_id IN ({marks}) ORDER BY a.interaction_id, a.position, a.contact_id"
)
CONTACT_COLUMNS = (
    "id, team_id, name, name_key, email, company, slack_user_id, owner_user_id, cadence_days, "
    "snoozed_until, last_contacted_at, due_at, created_by, created_at, updated_at"
)
# What a ContactRecord is made of (storage.reads.CONTACT_RECORD_COLUMNS).
RECORD_CONTACT_COLUMNS = (
    "id, team_id, name, email, company, slack_user_id, owner_user_id, cadence_days, snoozed_until, "
    "last_contacted_at, due_at, created_by, created_at, updated_at, archived_at, merged_into_id"
)
# A contact of the actor's workspace with the workspace's default cadence (storage.timelines).
CONTACT_SQL = (
    "SELECT "
    + ", ".join(f"c.{name.strip()}" for name in RECORD_CONTACT_COLUMNS.split(","))
    + ", w.default_cadence_days FROM contacts c LEFT OUTER JOIN workspaces w ON w.team_id = c.team_id "
    "WHERE c.id = ? AND c.team_id = ?"
)


@dataclass
class Case:
    name: str
    storage: Callable[[], object]
    floor: Callable[[], object]
    floor_name: str
    plan_sql: list[tuple[str, tuple | dict]]  # hand-written statements to EXPLAIN as well


class Raw:
    """The DB-API cursor of the engine's own driver, in autocommit: the floor's connection."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.sqlite = db.is_sqlite
        self.conn = db.engine.raw_connection()
        if not self.sqlite:
            self.conn.driver_connection.autocommit = True
        self.cur = self.conn.cursor()

    def q(self, sql: str) -> str:
        """Write statements with ? and let PostgreSQL have %s."""
        return sql if self.sqlite else sql.replace("?", "%s")

    def all(self, sql: str, params: tuple = ()) -> list:
        self.cur.execute(self.q(sql), params)
        return self.cur.fetchall()

    def one(self, sql: str, params: tuple = ()):
        self.cur.execute(self.q(sql), params)
        return self.cur.fetchone()

    def bind_time(self, moment: datetime):
        if self.sqlite:
            return moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
        return moment

    def close(self) -> None:
        self.cur.close()
        self.conn.close()

    def page_with_attendees(self, sql: str, params: tuple) -> list:
        """A page of interactions (their id first), then their attendees: what storage sends."""
        rows = self.all(sql, params)
        ids = sorted({row[0] for row in rows})
        if ids:
            self.all(ATTENDEES_SQL.format(marks=", ".join("?" * len(ids))), tuple(ids))
        return rows


def _parse_time(value) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


def build_cases(db: Database, raw: Raw, data: Dataset, now: datetime) -> tuple[list[Case], dict]:
    team = MAIN_TEAM
    actor = Actor(team, author_id(0))
    heavy_contact = data.heavy[0] + 1 if data.heavy else 1
    info: dict = {"team": team, "heavy_contact_id": heavy_contact}

    # Page 500's cursor: the row at position 15*499 of the newest-first list (untimed).
    position = PAGE * (DEEP_PAGE - 1)
    row = raw.one(
        "SELECT occurred_at, id FROM interactions WHERE team_id = ? AND deleted_at IS NULL "
        "ORDER BY occurred_at DESC, id DESC LIMIT 1 OFFSET ?",
        (team, position - 1),
    )
    if row is None:  # tiny data sets: the deepest page there is
        row = raw.one(
            "SELECT occurred_at, id FROM interactions WHERE team_id = ? AND deleted_at IS NULL "
            "ORDER BY occurred_at ASC, id ASC LIMIT 1 OFFSET ?",
            (team, PAGE),
        )
    deep_when, deep_id = _parse_time(row[0]), row[1]
    deep_cursor = encode_cursor(deep_when, deep_id, "after")
    info["deep_page_row"] = {"position": position, "occurred_at": deep_when.isoformat(), "id": deep_id}

    list_sql = (
        f"SELECT {LIST_COLUMNS} FROM interactions i JOIN contacts c ON c.id = i.contact_id "
        "WHERE i.team_id = ? AND i.deleted_at IS NULL {extra} "
        "ORDER BY i.occurred_at DESC, i.id DESC LIMIT ?"
    )
    page1_sql = list_sql.format(extra="")
    deep_sql = list_sql.format(extra="AND (i.occurred_at, i.id) < (?, ?)")
    # A contact's interactions are those it attended: a walk down the attendees' (contact_id,
    # occurred_at, interaction_id) index, each row joined to its interaction and first contact.
    contact_sql = (
        f"SELECT {LIST_COLUMNS} FROM interactions i "
        "JOIN interaction_contacts a ON a.interaction_id = i.id JOIN contacts c ON c.id = i.contact_id "
        "WHERE i.team_id = ? AND i.deleted_at IS NULL AND a.contact_id = ? "
        "ORDER BY a.occurred_at DESC, a.interaction_id DESC LIMIT ?"
    )
    deep_params = (team, raw.bind_time(deep_when), deep_id, PAGE + 1)
    sample_ids = [row[0] for row in raw.all(page1_sql, (team, PAGE))]
    attendees_plan = (ATTENDEES_SQL.format(marks=", ".join("?" * len(sample_ids))), tuple(sample_ids))

    cases: list[Case] = [
        Case(
            "list page 1",
            lambda: list_interactions(db, actor, limit=PAGE),
            lambda: raw.page_with_attendees(page1_sql, (team, PAGE + 1)),
            "same SELECT ... JOIN contacts ORDER BY occurred_at DESC, id DESC LIMIT 16, then the "
            "page's attendees (IN ids), DB-API",
            [(page1_sql, (team, PAGE + 1)), attendees_plan],
        ),
        Case(
            f"list page {DEEP_PAGE} (keyset)",
            lambda: list_interactions(db, actor, cursor=deep_cursor, limit=PAGE),
            lambda: raw.page_with_attendees(deep_sql, deep_params),
            "same keyset SELECT (occurred_at, id) < (?, ?) LIMIT 16, then the page's attendees, DB-API",
            [(deep_sql, deep_params)],
        ),
        Case(
            "attendees: list_interactions(contact)",
            lambda: list_interactions(db, actor, InteractionFilters(contact_id=heavy_contact), limit=PAGE),
            lambda: raw.page_with_attendees(contact_sql, (team, heavy_contact, PAGE + 1)),
            "same walk of the attendees' (contact_id, occurred_at) index JOIN interactions, contacts "
            "LIMIT 16, then the page's attendees, DB-API",
            [(contact_sql, (team, heavy_contact, PAGE + 1))],
        ),
    ]

    # What the /interactions header asks for: a count capped where the handler caps it
    # (blocks.browse.COUNT_CAP), or the full count on trees without the cap.
    try:
        from blocks.browse import COUNT_CAP
    except ImportError:  # pragma: no cover - depends on the tree
        COUNT_CAP = None
    if COUNT_CAP is not None and "cap" in inspect.signature(count_interactions).parameters:
        count_label = f"count_interactions, capped at {COUNT_CAP:,} (each /interactions render)"
        count_call = lambda: count_interactions(db, actor, cap=COUNT_CAP)  # noqa: E731
        live_count_sql = (
            "SELECT count(*) FROM (SELECT id FROM interactions WHERE team_id = ? AND deleted_at IS NULL "
            f"LIMIT {COUNT_CAP + 1}) AS matching"
        )
    else:
        count_label = "count_interactions (each /interactions render)"
        count_call = lambda: count_interactions(db, actor)  # noqa: E731
        live_count_sql = "SELECT count(*) FROM interactions WHERE team_id = ? AND deleted_at IS NULL"
    cases.append(
        Case(
            count_label,
            count_call,
            lambda: raw.one(live_count_sql, (team,)),
            "same count over the team's live interactions (same LIMIT), DB-API",
            [(live_count_sql, (team,))],
        )
    )

    attended = (
        "FROM interaction_contacts a JOIN interactions i ON i.id = a.interaction_id "
        "WHERE a.contact_id = ? AND i.team_id = ? AND i.deleted_at IS NULL"
    )
    history_group = (
        f"SELECT i.type, count(*), min(a.occurred_at), max(a.occurred_at) {attended} GROUP BY i.type"
    )
    history_latest = (
        f"SELECT {UNNAMED_COLUMNS} {attended} ORDER BY a.occurred_at DESC, a.interaction_id DESC LIMIT ?"
    )

    def history_floor():
        raw.all(CONTACT_SQL, (heavy_contact, team))
        raw.all(history_group, (heavy_contact, team))
        raw.page_with_attendees(history_latest, (heavy_contact, team, TIMELINE_ITEMS))

    cases.append(
        Case(
            f"timeline: contact_history({TIMELINE_ITEMS})",
            lambda: contact_history(db, actor, heavy_contact, max_items=TIMELINE_ITEMS),
            history_floor,
            "same 4 statements (contact with its workspace's cadence, GROUP BY type, latest 300 by "
            "the attendees' index, their attendees), DB-API",
            [(history_group, (heavy_contact, team)), (history_latest, (heavy_contact, team, TIMELINE_ITEMS))],
        )
    )

    # One month of the heavy contact's timeline thread (what each live refresh re-renders): the
    # month of its latest interaction, a UTC range on the attendees' index.
    latest = raw.one(
        "SELECT max(occurred_at) FROM interaction_contacts WHERE contact_id = ?", (heavy_contact,)
    )
    month_start = _parse_time(latest[0]) if latest and latest[0] else now
    month = f"{month_start.year:04d}-{month_start.month:02d}"
    start = month_start.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    end = start.replace(year=start.year + start.month // 12, month=start.month % 12 + 1)
    month_sql = (
        f"SELECT {UNNAMED_COLUMNS} {attended} AND a.occurred_at >= ? AND a.occurred_at < ? "
        "ORDER BY a.occurred_at, a.interaction_id"
    )
    month_params = (heavy_contact, team, raw.bind_time(start), raw.bind_time(end))
    info["timeline_month"] = month

    def month_floor():
        raw.all(CONTACT_SQL, (heavy_contact, team))
        raw.page_with_attendees(month_sql, month_params)

    cases.append(
        Case(
            f"attendees: month_interactions(contact, {month})",
            lambda: month_interactions(db, actor, heavy_contact, month, "UTC"),
            month_floor,
            "same 3 statements (contact with its workspace's cadence, the month's range on the "
            "attendees' index, their attendees), DB-API",
            [(month_sql, month_params)],
        )
    )

    # Ranked name search: a full name that exists a few times (what /log and /contact resolve),
    # the same name with two letters swapped (only the typo pass can find it), and a common
    # surname typed in the contact picker (its options are answered inside the ack).
    full_name = _name_with_few_matches(raw, team)
    typo = _swap_letters(full_name)
    info["search_full_name"] = full_name
    info["search_typo"] = typo
    like_sql = (
        f"SELECT {CONTACT_COLUMNS} FROM contacts WHERE team_id = ? AND name_key LIKE ? ESCAPE '\\' "
        "ORDER BY name_key, id LIMIT 200"
    )
    for label, query, limit in (
        ("search: full name, /log resolve (limit 10)", full_name, 10),
        ("search: typo of that name (limit 10)", typo, 10),
        ("search: picker typeahead 'smith' (limit 20)", "smith", 20),
    ):
        key = name_key(query)
        storage = lambda q=query, n=limit: find_contacts(db, actor, q, limit=n)  # noqa: E731
        with Capture(db) as capture:
            storage()
        sent = [(st, params) for st, params in capture.statements if not _is_transaction_control(st)]
        cases.append(
            Case(
                label,
                storage,
                _replay(raw, sent),
                f"the {len(sent)} statements find_contacts sent (captured once: the trigram substring "
                "query LIMIT 200, and when no name starts with the query the trigram typo candidates "
                "and the winners), replayed through the DB-API cursor; no Python ranking",
                [(like_sql, (team, f"%{key}%"))],
            )
        )

    # Stale contacts of the owner with the most contacts.
    owner = max(set(data.contact_owner), key=data.contact_owner.count) if data.contact_owner else None
    info["stale_owner"] = owner
    if stale_contacts_for_owner is not None and owner is not None:
        # storage.staleness._STALE_PAGE: the page of stale contacts (the partial index of live
        # contacts), each with its latest live interaction (a correlated subquery down the
        # attendees' index), the total, the workspace's cadence and the interaction's attendees.
        stale_where = "team_id = ? AND owner_user_id = ? AND due_at <= ? AND archived_at IS NULL"
        count_sql = f"SELECT count(*) FROM contacts WHERE {stale_where}"
        page_columns = ", ".join(f"page.{name.strip()}" for name in RECORD_CONTACT_COLUMNS.split(","))
        stale_sql = (
            f"SELECT {page_columns}, ({count_sql}) AS total, i.type, i.occurred_at, i.summary, i.logged_by, "
            "w.default_cadence_days, "
            "(SELECT count(*) FROM interaction_contacts x WHERE x.interaction_id = i.id) AS people "
            f"FROM (SELECT {RECORD_CONTACT_COLUMNS} FROM contacts WHERE {stale_where} "
            "ORDER BY due_at, id LIMIT ?) AS page "
            "LEFT OUTER JOIN interactions i ON i.id = (SELECT a.interaction_id FROM interaction_contacts a "
            "JOIN interactions live ON live.id = a.interaction_id "
            "WHERE a.contact_id = page.id AND live.deleted_at IS NULL "
            "ORDER BY a.occurred_at DESC, a.interaction_id DESC LIMIT 1) "
            "LEFT OUTER JOIN workspaces w ON w.team_id = page.team_id ORDER BY page.due_at, page.id"
        )
        stale_params = (team, owner, raw.bind_time(now))
        stale_page_params = (*stale_params, *stale_params, 15)
        info["stale_total"] = raw.one(count_sql, stale_params)[0]
        cases.append(
            Case(
                "stale contacts of one owner",
                lambda: stale_contacts_for_owner(db, team, owner, now),
                lambda: raw.all(stale_sql, stale_page_params),
                "the same one statement (page of 15 by due_at, each one's latest interaction, the "
                "count, the workspace, the attendees count), DB-API",
                [(stale_sql, stale_page_params), (count_sql, stale_params)],
            )
        )
    return cases, info


def _swap_letters(name: str) -> str:
    """The name with the 2nd and 3rd letters of its first word swapped: a typical slip."""
    first, _, rest = name.partition(" ")
    if len(first) >= 3:
        first = first[0] + first[2] + first[1] + first[3:]
    return f"{first} {rest}".strip()


def _is_transaction_control(statement: str) -> bool:
    # SET LOCAL (a planner setting for one transaction) has no plan either.
    return (
        statement.strip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "SET "))
    )


def _replay(raw: Raw, statements: list[tuple[str, object]]) -> Callable[[], object]:
    """Run exactly these (driver-level) statements with their parameters, fetching every row."""

    def run():
        for statement, parameters in statements:
            raw.cur.execute(statement, parameters)
            raw.cur.fetchall()

    return run


def _name_with_few_matches(raw: Raw, team: str) -> str:
    """A real full name shared by 2 to 5 contacts of the team (what someone would type)."""
    rows = raw.all(
        "SELECT name, count(*) FROM contacts WHERE team_id = ? GROUP BY name HAVING count(*) BETWEEN 2 AND 5 "
        "ORDER BY name LIMIT 1",
        (team,),
    )
    if rows:
        return rows[0][0]
    return raw.one("SELECT name FROM contacts WHERE team_id = ? ORDER BY id LIMIT 1", (team,))[0]


class Capture:
    """Statements the engine sends while active."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.statements: list[tuple[str, object]] = []

    def __enter__(self) -> Capture:
        event.listen(self.db.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc) -> None:
        event.remove(self.db.engine, "before_cursor_execute", self._record)

    def _record(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append((statement, parameters))


def explain(raw: Raw, statement: str, parameters) -> str:
    stripped = statement.strip()
    if _is_transaction_control(stripped):
        return ""
    if raw.sqlite:
        rows = raw.conn.driver_connection.execute(
            "EXPLAIN QUERY PLAN " + stripped, parameters or ()
        ).fetchall()
        return "\n".join(f"{'  ' * _depth(rows, r)}{r[3]}" for r in rows)
    with raw.conn.driver_connection.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + stripped, parameters or None)
        return "\n".join(r[0] for r in cur.fetchall())


def _depth(rows: list, row: tuple) -> int:
    parents = {r[0]: r[1] for r in rows}
    depth, parent = 0, row[1]
    while parent in parents:
        depth += 1
        parent = parents[parent]
    return depth


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:60]


def save_plans(raw: Raw, db: Database, case: Case, dialect: str, plans_dir: Path) -> Path:
    with Capture(db) as capture:
        case.storage()
    kind = "EXPLAIN (ANALYZE, BUFFERS)" if dialect == "postgresql" else "EXPLAIN QUERY PLAN"
    parts = [f"# {case.name} on {dialect}: {kind}", ""]
    for number, (statement, parameters) in enumerate(capture.statements, 1):
        plan = explain(raw, statement, parameters)
        if not plan:
            continue
        parts += [
            f"## storage statement {number}",
            _one_line(statement),
            f"params: {parameters!r}",
            "",
            plan,
            "",
        ]
    for number, (statement, parameters) in enumerate(case.plan_sql, 1):
        parts += [
            f"## floor statement {number}",
            _one_line(raw.q(statement)),
            f"params: {parameters!r}",
            "",
            explain(raw, raw.q(statement), parameters),
            "",
        ]
    plans_dir.mkdir(parents=True, exist_ok=True)
    path = plans_dir / f"{dialect}_{_slug(case.name)}.txt"
    path.write_text("\n".join(parts))
    return path


def _one_line(sql: str) -> str:
    return " ".join(sql.split())


def run_storage_section(
    dialect: str,
    url: str,
    data: Dataset,
    *,
    runs: int,
    warmup: int,
    plans_dir: Path,
    now: datetime,
    case_budget_seconds: float = 20.0,
    min_runs: int = 15,
) -> list[Row]:
    db = Database(url)
    raw = Raw(db)
    rows: list[Row] = []
    try:
        cases, info = build_cases(db, raw, data, now)
        for case in cases:
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
                    note=f"median of {made} after {warmup} warm-up; plan: {plan_path.name}",
                    extra={"plan": str(plan_path), **({"info": info} if case is cases[0] else {})},
                ).judge()
            )
        rows += search_rows(
            dialect,
            db,
            raw,
            data,
            runs=runs,
            warmup=warmup,
            plans_dir=plans_dir,
            case_budget_seconds=case_budget_seconds,
            min_runs=min_runs,
        )
        if stale_contacts_for_owner is None:
            rows.append(
                Row(
                    "2",
                    f"{dialect}: stale contacts of one owner",
                    None,
                    "ms",
                    status="pending",
                    note="storage.staleness.stale_contacts_for_owner is not importable yet",
                ).judge()
            )
        by_name = {case.name: case for case in cases}
        page1 = by_name.get("list page 1")
        deep = by_name.get(f"list page {DEEP_PAGE} (keyset)")
        if page1 and deep:
            log(f"section 2 [{dialect}]: page {DEEP_PAGE} vs page 1")
            result, made = interleaved_medians(
                {"deep": deep.storage, "first": page1.storage},
                runs=runs,
                warmup=warmup,
                budget_seconds=case_budget_seconds,
                min_runs=min_runs,
            )
            rows.append(
                Row(
                    "2",
                    f"{dialect}: list page {DEEP_PAGE} vs page 1",
                    result["deep"] * 1000,
                    "ms",
                    floor=result["first"] * 1000,
                    floor_name="list_interactions page 1, run in turns with page 500",
                    limit=1.2,
                    note=f"keyset paging: depth should cost nothing; median of {made}",
                ).judge()
            )
    finally:
        raw.close()
        db.dispose()
    return rows


from benchmarks.search_bench import search_rows  # noqa: E402  (it builds on this module's Case and Raw)
