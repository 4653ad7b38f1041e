"""A fast bulk loader: realistic contacts and interactions, straight into SQLite or PostgreSQL.

The schema comes from the real Alembic migrations (storage.migrate.upgrade); rows then go
in without the ORM: `executemany` in big transactions with `PRAGMA synchronous=OFF` on
SQLite, `COPY ... FROM STDIN` through psycopg's `cursor.copy` on PostgreSQL.

The data set (deterministic for a seed):
- one main team holding ~97% of contacts and interactions, three small other teams;
- interactions spread over three years, more of them recently (a growing team), ids in
  roughly the order they were logged;
- several authors (Zipf-like: a few log most), several contact owners;
- a few "key accounts" with thousands of interactions each, a few hundred with hundreds,
  the long tail with a handful; 1% soft-deleted; notes on a fifth of them;
- `last_contacted_at` and `due_at` derived from the interactions exactly as storage does.
"""

from __future__ import annotations

import random
import sqlite3
import time
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.domain.search import search_document
from storage.contacts import name_key
from storage.migrate import upgrade
from storage.models import CONTACT_TYPES, DEFAULT_CADENCE_DAYS

MAIN_TEAM = "TMAIN"
OTHER_TEAMS = ("TOTHER1", "TOTHER2", "TOTHER3")
TYPES = ("call", "email", "meeting", "message", "note", "other")
TYPE_WEIGHTS = (25, 30, 20, 15, 7, 3)
SOURCES = ("command", "modal", "shortcut", "import")
SOURCE_WEIGHTS = (45, 40, 10, 5)

FIRST_NAMES = [
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "John",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
    "Christopher",
    "Lisa",
    "Daniel",
    "Nancy",
    "Matthew",
    "Betty",
    "Anthony",
    "Sandra",
    "Mark",
    "Margaret",
    "Donald",
    "Ashley",
    "Steven",
    "Kimberly",
    "Andrew",
    "Emily",
    "Paul",
    "Donna",
    "Joshua",
    "Michelle",
    "Kenneth",
    "Carol",
    "Kevin",
    "Amanda",
    "Brian",
    "Melissa",
    "George",
    "Deborah",
    "Timothy",
    "Stephanie",
    "Ronald",
    "Rebecca",
    "Jason",
    "Laura",
    "Edward",
    "Helen",
    "Jeffrey",
    "Sharon",
    "Ryan",
    "Cynthia",
    "Jacob",
    "Kathleen",
    "Gary",
    "Amy",
    "Nicholas",
    "Angela",
    "Eric",
    "Shirley",
    "Jonathan",
    "Anna",
    "Stephen",
    "Ruth",
    "Larry",
    "Brenda",
    "Justin",
    "Pamela",
    "Scott",
    "Nicole",
    "Brandon",
    "Katherine",
    "Benjamin",
    "Samantha",
    "Samuel",
    "Christine",
    "Gregory",
    "Emma",
    "Alexander",
    "Catherine",
    "Frank",
    "Debra",
    "Patrick",
    "Virginia",
    "Raymond",
    "Rachel",
    "Jack",
    "Carolyn",
    "Dennis",
    "Janet",
    "Jerry",
    "Maria",
    "Tyler",
    "Heather",
    "Aaron",
    "Diane",
    "José",
    "Zoë",
    "Björn",
    "Chloé",
    "Renée",
    "Jürgen",
    "Ana",
    "Søren",
    "Amélie",
    "Jane",
    "Jana",
]
LAST_NAMES = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
    "Gomez",
    "Phillips",
    "Evans",
    "Turner",
    "Diaz",
    "Parker",
    "Cruz",
    "Edwards",
    "Collins",
    "Reyes",
    "Stewart",
    "Morris",
    "Morales",
    "Murphy",
    "Cook",
    "Rogers",
    "Gutierrez",
    "Ortiz",
    "Morgan",
    "Cooper",
    "Peterson",
    "Bailey",
    "Reed",
    "Kelly",
    "Howard",
    "Ramos",
    "Kim",
    "Cox",
    "Ward",
    "Richardson",
    "Watson",
    "Brooks",
    "Chavez",
    "Wood",
    "James",
    "Bennett",
    "Gray",
    "Mendoza",
    "Ruiz",
    "Hughes",
    "Price",
    "Alvarez",
    "Castillo",
    "Sanders",
    "Patel",
    "Myers",
    "Long",
    "Ross",
    "Foster",
    "Jimenez",
    "Núñez",
    "Müller",
    "Østergaard",
    "Doe",
    "Lefèvre",
    "O'Brien",
]
COMPANIES = (
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Hooli",
    "Stark Industries",
    "Wayne Enterprises",
    "Wonka",
    "Tyrell",
    "Cyberdyne",
    "Soylent",
    "Vandelay Industries",
    "Pied Piper",
    "Aperture Science",
    "Gringotts",
    "Oscorp",
    "Dunder Mifflin",
    "Monsters Inc",
    "Prestige Worldwide",
)
SUMMARIES = (
    "Pricing follow-up",
    "Quarterly business review",
    "Intro call with their CTO",
    "Contract renewal discussion",
    "Sent the proposal",
    "Coffee catch-up",
    "Demo of the new dashboard",
    "Answered questions about onboarding",
    "Checked in after the outage",
    "Lunch: talked about hiring plans",
    "Reviewed the security questionnaire",
    "Kick-off meeting for the pilot",
    "Followed up on the invoice",
    "Shared the case study",
    "Planning next year's budget",
)
NOTES = (
    "They want a discount if they commit for two years. Legal needs to look at the data processing "
    "addendum before anything is signed; follow up next week.",
    "Very positive. Asked for references in healthcare and a trial for the analytics team.",
    "Budget is frozen until Q3. Keep in touch monthly; the champion is moving to a new role.",
    "Raised concerns about SSO and audit logs. Promised a call with our security engineer.",
)


@dataclass(frozen=True)
class Spec:
    contacts: int
    interactions: int
    now: datetime
    owners: int = 40
    authors: int = 25
    heavy_contacts: int = 10  # "key accounts" with thousands of interactions at full size
    heavy_share: float = 0.05
    medium_share: float = 0.10
    other_team_share: float = 0.03
    years: float = 3.0
    deleted_share: float = 0.01
    seed: int = 20260311


def owner_id(n: int) -> str:
    return f"UOWN{n:05d}"


def author_id(n: int) -> str:
    return f"UAUTH{n:04d}"


@dataclass
class Dataset:
    """Generated rows as compact arrays; `contact_rows()` and `interaction_rows()` build tuples."""

    spec: Spec
    contact_team: list[str]
    contact_name: list[str]
    contact_email: list[str | None]
    contact_company: list[str | None]
    contact_owner: list[str]
    contact_cadence: list[int | None]
    contact_snoozed: list[float | None]
    contact_created: array  # epoch seconds
    contact_last: array  # epoch seconds of the latest live counting interaction, or -1
    i_contact: array  # per interaction, in id order: contact index (0-based)
    i_time: array  # epoch seconds
    i_type: array
    i_author: array
    i_deleted: bytearray
    i_duration: array  # -1 = none
    i_summary: array
    i_note: array  # -1 = no notes
    i_source: array
    heavy: list[int] = field(default_factory=list)  # contact indexes of the key accounts

    @property
    def main_team(self) -> str:
        return MAIN_TEAM


def generate(spec: Spec) -> Dataset:
    rng = random.Random(spec.seed)
    n_contacts, n_rows = spec.contacts, spec.interactions
    now_s = spec.now.timestamp()
    span = spec.years * 365.25 * 86400

    teams = [
        MAIN_TEAM if rng.random() >= spec.other_team_share else rng.choice(OTHER_TEAMS)
        for _ in range(n_contacts)
    ]
    main_idx = [i for i, t in enumerate(teams) if t == MAIN_TEAM]
    heavy = rng.sample(main_idx, min(spec.heavy_contacts, len(main_idx)))
    heavy_set = set(heavy)
    medium_count = max(1, n_contacts // 200)
    medium = set(
        rng.sample([i for i in main_idx if i not in heavy_set], min(medium_count, len(main_idx) - len(heavy)))
    )
    rest_count = max(1, n_contacts - len(heavy) - len(medium))
    weights = []
    for i in range(n_contacts):
        if i in heavy_set:
            weights.append(spec.heavy_share / max(1, len(heavy)))
        elif i in medium:
            weights.append(spec.medium_share / max(1, len(medium)))
        else:
            weights.append((1 - spec.heavy_share - spec.medium_share) / rest_count)
    cum = []
    total = 0.0
    for w in weights:
        total += w
        cum.append(total)

    # Owners and authors: Zipf-like, a few carry most.
    owner_cum = _zipf_cum(spec.owners, 0.8)
    author_cum = _zipf_cum(spec.authors, 1.0)

    contact_idx = rng.choices(range(n_contacts), cum_weights=cum, k=n_rows)
    # More interactions recently: the density grows linearly over the span.
    times = [now_s - span * (1 - rng.random() ** 0.5) - 60 for _ in range(n_rows)]
    # Ids follow the order rows were logged: occurred_at plus a lag (backdated logs).
    order = sorted(range(n_rows), key=lambda k: times[k] + rng.expovariate(1 / 86400))

    i_contact = array("i", (contact_idx[k] for k in order))
    i_time = array("d", (min(times[k], now_s - 60) for k in order))
    i_type = array("b", rng.choices(range(len(TYPES)), weights=TYPE_WEIGHTS, k=n_rows))
    i_author = array("h", _draw(rng, author_cum, n_rows))
    i_deleted = bytearray(1 if rng.random() < spec.deleted_share else 0 for _ in range(n_rows))
    i_duration = array("h", (rng.choice((15, 30, 30, 45, 60, 90)) if t in (0, 2) else -1 for t in i_type))
    i_summary = array("b", (rng.randrange(len(SUMMARIES)) for _ in range(n_rows)))
    i_note = array("b", (rng.randrange(len(NOTES)) if rng.random() < 0.2 else -1 for _ in range(n_rows)))
    i_source = array("b", rng.choices(range(len(SOURCES)), weights=SOURCE_WEIGHTS, k=n_rows))

    counting = {TYPES.index(t) for t in CONTACT_TYPES}
    first = array("d", [float("inf")]) * n_contacts
    last = array("d", [-1.0]) * n_contacts
    for k in range(n_rows):
        c = i_contact[k]
        t = i_time[k]
        if t < first[c]:
            first[c] = t
        if not i_deleted[k] and i_type[k] in counting and t > last[c]:
            last[c] = t

    names, emails, companies, owners, cadences, snoozes, created = [], [], [], [], [], [], array("d")
    for i in range(n_contacts):
        first_name, last_name = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        names.append(f"{first_name} {last_name}")
        emails.append(
            f"{name_key(first_name)}.{name_key(last_name)}.{i}@example.com".replace(" ", "").replace("'", "")
            if rng.random() < 0.6
            else None
        )
        companies.append(rng.choice(COMPANIES) if rng.random() < 0.7 else None)
        owners.append(owner_id(_draw_one(rng, owner_cum)))
        cadences.append(rng.choice((7, 14, 60, 90)) if rng.random() < 0.2 else None)
        snoozes.append(now_s + rng.uniform(1, 60) * 86400 if rng.random() < 0.02 else None)
        earliest = first[i] if first[i] != float("inf") else now_s - rng.random() * span
        created.append(max(now_s - span - 30 * 86400, earliest - rng.uniform(0, 30) * 86400))

    return Dataset(
        spec=spec,
        contact_team=teams,
        contact_name=names,
        contact_email=emails,
        contact_company=companies,
        contact_owner=owners,
        contact_cadence=cadences,
        contact_snoozed=snoozes,
        contact_created=created,
        contact_last=last,
        i_contact=i_contact,
        i_time=i_time,
        i_type=i_type,
        i_author=i_author,
        i_deleted=i_deleted,
        i_duration=i_duration,
        i_summary=i_summary,
        i_note=i_note,
        i_source=i_source,
        heavy=heavy,
    )


def _zipf_cum(n: int, s: float) -> list[float]:
    total, cum = 0.0, []
    for rank in range(1, n + 1):
        total += 1 / rank**s
        cum.append(total)
    return cum


def _draw(rng: random.Random, cum: list[float], k: int) -> list[int]:
    return rng.choices(range(len(cum)), cum_weights=cum, k=k)


def _draw_one(rng: random.Random, cum: list[float]) -> int:
    return rng.choices(range(len(cum)), cum_weights=cum, k=1)[0]


# ---------------------------------------------------------------------- rows

CONTACT_COLUMNS = (
    "id",
    "team_id",
    "name",
    "name_key",
    "email",
    "company",
    "slack_user_id",
    "owner_user_id",
    "cadence_days",
    "snoozed_until",
    "last_contacted_at",
    "due_at",
    "created_by",
    "created_at",
    "updated_at",
)
INTERACTION_COLUMNS = (
    "id",
    "team_id",
    "contact_id",
    "type",
    "occurred_at",
    "duration_minutes",
    "summary",
    "notes",
    "logged_by",
    "source",
    "source_ref",
    "permalink",
    "created_at",
    "updated_at",
    "updated_by",
    "deleted_at",
    "deleted_by",
)
# What the bulk load writes: the columns above and the folded words full-text search indexes.
LOADED_INTERACTION_COLUMNS = (*INTERACTION_COLUMNS, "search_text")
# A word few interactions have (one in RARE_WORD_EVERY), for the search benchmark.
RARE_WORD = "Zanzibar"
RARE_WORD_EVERY = 9_973
# A word one interaction in 50 has: about storage.search.RARE_MATCHES at a million, where the
# search plan changes (the worst case of both plans).
UNCOMMON_WORD = "Lisbon"
UNCOMMON_WORD_EVERY = 50
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _dt(seconds: float) -> datetime:
    return _EPOCH + timedelta(seconds=round(seconds, 6))


def _sqlite_dt(moment: datetime | None) -> str | None:
    # SQLAlchemy's SQLite DATETIME format, always with microseconds: keyset comparisons are
    # string comparisons there, so every row must be written the same way.
    return None if moment is None else moment.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def contact_rows(data: Dataset) -> Iterator[tuple]:
    for i in range(len(data.contact_name)):
        created = _dt(data.contact_created[i])
        last = _dt(data.contact_last[i]) if data.contact_last[i] >= 0 else None
        snoozed = _dt(data.contact_snoozed[i]) if data.contact_snoozed[i] is not None else None
        cadence = data.contact_cadence[i]
        due = (last or created) + timedelta(days=cadence or DEFAULT_CADENCE_DAYS)
        if snoozed is not None and snoozed > due:
            due = snoozed
        owner = data.contact_owner[i]
        yield (
            i + 1,
            data.contact_team[i],
            data.contact_name[i],
            name_key(data.contact_name[i]),
            data.contact_email[i],
            data.contact_company[i],
            None,
            owner,
            cadence,
            snoozed,
            last,
            due,
            owner,
            created,
            created,
        )


def interaction_rows(data: Dataset) -> Iterator[tuple]:
    teams = data.contact_team
    documents: dict[tuple[str, int], str] = {}
    for k in range(len(data.i_contact)):
        c = data.i_contact[k]
        occurred = _dt(data.i_time[k])
        logged = occurred + timedelta(minutes=5 + (k % 97))
        source = SOURCES[data.i_source[k]]
        deleted = data.i_deleted[k]
        author = author_id(data.i_author[k])
        note = data.i_note[k]
        duration = data.i_duration[k]
        summary = SUMMARIES[data.i_summary[k]]
        if k % RARE_WORD_EVERY == RARE_WORD_EVERY - 1:
            summary = f"{summary} ({RARE_WORD} office)"
        elif k % UNCOMMON_WORD_EVERY == 7:
            summary = f"{summary} ({UNCOMMON_WORD})"
        document = documents.get((summary, note))
        if document is None:
            document = documents[(summary, note)] = search_document(
                summary, NOTES[note] if note >= 0 else None
            )
        yield (
            k + 1,
            teams[c],
            c + 1,
            TYPES[data.i_type[k]],
            occurred,
            duration if duration >= 0 else None,
            summary,
            NOTES[note] if note >= 0 else None,
            author,
            source,
            f"{'view' if source == 'modal' else source}:{k + 1}" if source in ("modal", "command") else None,
            None,
            logged,
            logged,
            None,
            logged + timedelta(days=1) if deleted else None,
            author if deleted else None,
            document,
        )


def _sqlite_row(row: tuple, datetime_positions: tuple[int, ...]) -> tuple:
    values = list(row)
    for position in datetime_positions:
        values[position] = _sqlite_dt(values[position])
    return tuple(values)


# ---------------------------------------------------------------------- loading


@dataclass
class LoadReport:
    url: str
    contacts: int
    interactions: int
    seconds: float
    dialect: str


def migrate(url: str) -> None:
    upgrade(url)


def load_sqlite(path: str, data: Dataset, *, batch: int = 50_000) -> LoadReport:
    """Migrate `path` (a fresh file) and load the dataset.

    Secondary indexes are dropped during the load and re-created from their own DDL
    (read back from sqlite_master) afterwards: building an index once from sorted keys is
    several times faster than updating it row by row.
    """
    url = f"sqlite:///{path}"
    migrate(url)
    started = time.perf_counter()
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("PRAGMA cache_size=-262144")  # 256 MiB while loading
        conn.execute("PRAGMA foreign_keys=OFF")
        indexes = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            "AND tbl_name IN ('contacts', 'interactions', 'interaction_contacts')"
        ).fetchall()
        for name, _ in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        teams = sorted(set(data.contact_team))
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT OR IGNORE INTO workspaces (team_id, default_cadence_days, created_at) VALUES (?, ?, ?)",
            [(t, DEFAULT_CADENCE_DAYS, _sqlite_dt(data.spec.now - timedelta(days=1200))) for t in teams],
        )
        _executemany_batches(
            conn,
            f"INSERT INTO contacts ({', '.join(CONTACT_COLUMNS)}) VALUES ({', '.join('?' * len(CONTACT_COLUMNS))})",
            (_sqlite_row(r, (9, 10, 11, 13, 14)) for r in contact_rows(data)),
            batch,
        )
        _executemany_batches(
            conn,
            f"INSERT INTO interactions ({', '.join(LOADED_INTERACTION_COLUMNS)}) "
            f"VALUES ({', '.join('?' * len(LOADED_INTERACTION_COLUMNS))})",
            (_sqlite_row(r, (4, 12, 13, 15)) for r in interaction_rows(data)),
            batch,
        )
        conn.execute(ATTENDEES_FROM_INTERACTIONS)
        conn.execute("COMMIT")
        for _, sql in indexes:
            conn.execute(sql)
        conn.execute("ANALYZE")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return LoadReport(
        url, len(data.contact_name), len(data.i_contact), time.perf_counter() - started, "sqlite"
    )


# Each loaded interaction's contact is its one attendee (what migration 0008 does to old data).
ATTENDEES_FROM_INTERACTIONS = (
    "INSERT INTO interaction_contacts (interaction_id, contact_id, team_id, position, occurred_at)"
    " SELECT id, contact_id, team_id, 0, occurred_at FROM interactions"
)


def _executemany_batches(conn: sqlite3.Connection, sql: str, rows: Iterator[tuple], batch: int) -> None:
    chunk: list[tuple] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= batch:
            conn.executemany(sql, chunk)
            chunk.clear()
            conn.execute("COMMIT")
            conn.execute("BEGIN")
    if chunk:
        conn.executemany(sql, chunk)


def load_postgres(url: str, data: Dataset) -> LoadReport:
    """Migrate the (empty) database at `url` and COPY the dataset in.

    Plain secondary indexes are dropped during the COPY and re-created from their own
    definitions (pg_indexes) afterwards; foreign-key triggers are skipped for the load
    (session_replication_role = replica) when the role may do so. Constraints stay.
    """
    import psycopg

    migrate(url)
    started = time.perf_counter()
    with psycopg.connect(libpq_url(url)) as conn:
        with conn.cursor() as cur:
            try:
                cur.execute("SET session_replication_role = replica")
            except psycopg.Error:
                conn.rollback()
            cur.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                "AND tablename IN ('contacts', 'interactions', 'interaction_contacts') "
                "AND indexname NOT IN (SELECT conname FROM pg_constraint)"
            )
            indexes = cur.fetchall()
            for name, _ in indexes:
                cur.execute(f'DROP INDEX "{name}"')
            teams = sorted(set(data.contact_team))
            cur.executemany(
                "INSERT INTO workspaces (team_id, default_cadence_days, created_at) VALUES (%s, %s, %s) "
                "ON CONFLICT DO NOTHING",
                [(t, DEFAULT_CADENCE_DAYS, data.spec.now - timedelta(days=1200)) for t in teams],
            )
            with cur.copy(f"COPY contacts ({', '.join(CONTACT_COLUMNS)}) FROM STDIN") as copy:
                for row in contact_rows(data):
                    copy.write_row(row)
            with cur.copy(f"COPY interactions ({', '.join(LOADED_INTERACTION_COLUMNS)}) FROM STDIN") as copy:
                for row in interaction_rows(data):
                    copy.write_row(row)
            cur.execute(ATTENDEES_FROM_INTERACTIONS)
            cur.execute("SET maintenance_work_mem = '256MB'")
            for _, definition in indexes:
                cur.execute(definition)
            # Explicit ids were loaded: move the sequences past them for later inserts.
            for table in ("contacts", "interactions"):
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                )
            cur.execute("RESET session_replication_role")
        conn.commit()
        conn.autocommit = True
        for table in ("workspaces", "contacts", "interactions", "interaction_contacts"):
            conn.execute(f"VACUUM ANALYZE {table}")
    return LoadReport(
        url, len(data.contact_name), len(data.i_contact), time.perf_counter() - started, "postgresql"
    )


def libpq_url(url: str) -> str:
    """A SQLAlchemy URL (postgresql+psycopg://) as libpq wants it."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


# ---------------------------------------------------------------------- digest users


def load_digest_users(url: str, *, users: int, now: datetime, seed: int = 11) -> dict:
    """Contacts owned by `users` people, each with at least one stale contact and a known zone.

    Every owner also has a user_settings row with `tz` set (so run_digests needn't call
    users.info) and no remembered DM channel (so each digest needs conversations.open and
    chat.postMessage: two rate-limited calls).
    """
    rng = random.Random(seed)
    zones = (
        "America/Los_Angeles",
        "America/New_York",
        "Europe/Berlin",
        "Asia/Tokyo",
        "UTC",
        "Australia/Sydney",
    )
    owners = [f"UDIG{n:06d}" for n in range(users)]
    contacts, interactions, settings = [], [], []
    cid = iid = 0
    for owner in owners:
        for position in range(rng.randint(1, 4)):
            cid += 1
            stale = position == 0 or rng.random() < 0.5
            last = now - timedelta(days=rng.randint(40, 400) if stale else rng.randint(0, 20))
            created = last - timedelta(days=rng.randint(1, 300))
            due = last + timedelta(days=DEFAULT_CADENCE_DAYS)
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            contacts.append(
                (
                    cid,
                    MAIN_TEAM,
                    name,
                    name_key(name),
                    None,
                    rng.choice(COMPANIES),
                    None,
                    owner,
                    None,
                    None,
                    last,
                    due,
                    owner,
                    created,
                    created,
                )
            )
            iid += 1
            interactions.append(
                (
                    iid,
                    MAIN_TEAM,
                    cid,
                    rng.choice(CONTACT_TYPES),
                    last,
                    None,
                    rng.choice(SUMMARIES),
                    None,
                    owner,
                    "modal",
                    None,
                    None,
                    last,
                    last,
                    None,
                    None,
                    None,
                )
            )
        settings.append((MAIN_TEAM, owner, True, "09:00", "0,1,2,3,4", rng.choice(zones), None, now))
    settings_cols = (
        "team_id",
        "user_id",
        "digest_enabled",
        "digest_time",
        "digest_weekdays",
        "tz",
        "dm_channel_id",
        "updated_at",
    )
    migrate(url)
    workspace = (MAIN_TEAM, DEFAULT_CADENCE_DAYS, now - timedelta(days=1000))
    if url.startswith("sqlite"):
        path = url.split("sqlite:///", 1)[1]
        conn = sqlite3.connect(path, isolation_level=None)
        try:
            conn.execute("PRAGMA synchronous=OFF")
            conn.execute("BEGIN")
            conn.execute(
                "INSERT INTO workspaces (team_id, default_cadence_days, created_at) VALUES (?, ?, ?)",
                _sqlite_row(workspace, (2,)),
            )
            conn.executemany(
                f"INSERT INTO contacts ({', '.join(CONTACT_COLUMNS)}) VALUES ({', '.join('?' * 15)})",
                [_sqlite_row(r, (9, 10, 11, 13, 14)) for r in contacts],
            )
            conn.executemany(
                f"INSERT INTO interactions ({', '.join(INTERACTION_COLUMNS)}) VALUES ({', '.join('?' * 17)})",
                [_sqlite_row(r, (4, 12, 13, 15)) for r in interactions],
            )
            conn.executemany(
                f"INSERT INTO user_settings ({', '.join(settings_cols)}) VALUES ({', '.join('?' * 8)})",
                [_sqlite_row(r, (7,)) for r in settings],
            )
            conn.execute(ATTENDEES_FROM_INTERACTIONS)
            conn.execute("COMMIT")
            conn.execute("ANALYZE")
        finally:
            conn.close()
    else:
        import psycopg

        with psycopg.connect(libpq_url(url)) as conn, conn.cursor() as cur:
            cur.execute(
                "INSERT INTO workspaces (team_id, default_cadence_days, created_at) VALUES (%s, %s, %s)",
                workspace,
            )
            for table, columns, rows in (
                ("contacts", CONTACT_COLUMNS, contacts),
                ("interactions", INTERACTION_COLUMNS, interactions),
                ("user_settings", settings_cols, settings),
            ):
                with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            cur.execute(ATTENDEES_FROM_INTERACTIONS)
            for table in ("contacts", "interactions"):
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                )
            conn.commit()
    return {"users": users, "contacts": len(contacts), "owners": owners}
