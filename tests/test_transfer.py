"""Export of interactions and import of contacts: storage.export, storage.imports and the `touchbase` commands.

Every test runs on SQLite and PostgreSQL (the `db` fixture).
"""

from __future__ import annotations

import csv
import io
import json
import sys
import tracemalloc
import types
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, func, insert, select, text

from bot.domain.errors import Invalid
from bot.domain.records import Actor
from storage.contacts import ContactDraft, create_contact
from storage.export import EXPORT_COLUMNS, export_interactions
from storage.imports import import_contacts
from storage.interactions import InteractionDraft, create_interaction, delete_interaction
from storage.models import DEFAULT_CADENCE_DAYS, Contact, Interaction, Workspace

T1, T2 = "T111", "T222"
ALICE = Actor(team_id=T1, user_id="UALICE")
ZOE = Actor(team_id=T2, user_id="UZOE")
MARCH_5 = datetime(2024, 3, 5, 14, 30, tzinfo=UTC)
NOW = datetime(2026, 3, 11, 17, 0, tzinfo=UTC)
# Everything a CSV writer must quote, and text outside ASCII.
TRICKY_NOTES = 'Said "maybe", then: yes,\nsend the deck; ünïcødé ✓ 日本語\r\nend'


def new_contact(db, name: str, actor: Actor = ALICE, **fields):
    return create_contact(db, actor, ContactDraft(name=name, **fields), now=NOW)


def log(db, contact_id: int, occurred_at: datetime, summary: str, actor: Actor = ALICE, **fields):
    record, created = create_interaction(
        db,
        actor,
        InteractionDraft(
            contact_id=contact_id,
            type=fields.pop("type", "call"),
            occurred_at=occurred_at,
            summary=summary,
            **fields,
        ),
        now=NOW,
    )
    assert created
    return record


def export(db, fmt: str, team_id: str | None = T1) -> str:
    out = io.StringIO(newline="")
    export_interactions(db, team_id=team_id, fmt=fmt, out=out)
    return out.getvalue()


def run_import(db, text: str, *, dry_run: bool = False, user_lookup=None, team_id: str = T1, **kwargs):
    return import_contacts(
        db,
        team_id=team_id,
        acting_user_id=ALICE.user_id,
        rows=io.StringIO(text, newline=""),
        dry_run=dry_run,
        user_lookup=user_lookup,
        **kwargs,
    )


def contacts_of(db, team_id: str = T1) -> dict[str, Contact]:
    """The workspace's contacts by name."""
    with db.read() as session:
        return {c.name: c for c in session.scalars(select(Contact).where(Contact.team_id == team_id))}


def count_contacts(db) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(Contact))


def lines_and_messages(messages) -> list[tuple[int, str]]:
    return [(m.line, m.message) for m in messages]


@pytest.fixture
def history(db):
    """Two workspaces' interactions: some live, one deleted, notes that need quoting."""
    jane = new_contact(db, "Jane Doe", email="jane@example.com")
    bob = new_contact(db, "Bob Stone")
    zed = new_contact(db, "Zed Other", actor=ZOE, email="zed@example.com")
    later = log(
        db,
        jane.id,
        MARCH_5,
        "Renewal talk",
        duration_minutes=30,
        notes=TRICKY_NOTES,
        source="shortcut",
        permalink="https://example.slack.com/archives/C1/p1",
    )
    earlier = log(db, bob.id, MARCH_5 - timedelta(days=2), "Intro note", type="note")
    deleted = log(db, jane.id, MARCH_5 - timedelta(days=1), "Logged by mistake")
    delete_interaction(db, ALICE, deleted.id, now=NOW)
    other_team = log(db, zed.id, MARCH_5 - timedelta(days=5), "Elsewhere", actor=ZOE)
    return types.SimpleNamespace(
        jane=jane, bob=bob, zed=zed, later=later, earlier=earlier, deleted=deleted, other_team=other_team
    )


# --- export ----------------------------------------------------------------------------


def test_csv_export_lists_the_teams_live_interactions_oldest_first(db, history):
    rows = list(csv.reader(io.StringIO(export(db, "csv"), newline="")))

    assert rows[0] == list(EXPORT_COLUMNS)
    records = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    # The deleted interaction and the other workspace's are not there.
    assert [r["id"] for r in records] == [str(history.earlier.id), str(history.later.id)]
    bob_note, jane_call = records
    assert bob_note["contact_name"] == "Bob Stone"
    assert bob_note["contact_email"] == ""
    assert bob_note["type"] == "note"
    assert bob_note["duration_minutes"] == ""
    assert jane_call == {
        "team_id": T1,
        "id": str(history.later.id),
        "contact_id": str(history.jane.id),
        "contact_name": "Jane Doe",
        "contact_email": "jane@example.com",
        "type": "call",
        "occurred_at": "2024-03-05T14:30:00Z",
        "time_known": "True",
        "duration_minutes": "30",
        "summary": "Renewal talk",
        "notes": TRICKY_NOTES.strip(),
        "logged_by": ALICE.user_id,
        "source": "shortcut",
        "permalink": "https://example.slack.com/archives/C1/p1",
        "created_at": jane_call["created_at"],
        "updated_at": jane_call["updated_at"],
        "attendees": "Jane Doe",
        "attendee_ids": str(history.jane.id),
        "follow_up_on": "",
        "follow_up_due_on": "",
        "follow_up_done_at": "",
        "follow_up_done_by": "",
    }
    stamp = datetime.fromisoformat(jane_call["created_at"])
    assert jane_call["created_at"].endswith("Z")
    assert stamp == history.later.created_at


def test_export_without_a_team_covers_every_workspace_team_by_team(db, history):
    rows = list(csv.DictReader(io.StringIO(export(db, "csv", team_id=None), newline="")))

    assert [(r["team_id"], r["id"]) for r in rows] == [
        (T1, str(history.earlier.id)),
        (T1, str(history.later.id)),
        (T2, str(history.other_team.id)),
    ]
    assert rows[2]["contact_email"] == "zed@example.com"


def test_json_export_is_one_valid_array_with_typed_values(db, history):
    text = export(db, "json")

    records = json.loads(text)
    assert [r["id"] for r in records] == [history.earlier.id, history.later.id]
    assert all(list(r) == list(EXPORT_COLUMNS) for r in records)
    bob_note, jane_call = records
    assert bob_note["contact_email"] is None
    assert bob_note["duration_minutes"] is None
    assert jane_call["duration_minutes"] == 30
    assert jane_call["notes"] == TRICKY_NOTES.strip()
    assert jane_call["occurred_at"] == "2024-03-05T14:30:00Z"
    # Written an object per line as rows arrive, never as one big string.
    assert text.splitlines()[0] == "["
    assert len(text.splitlines()) == 2 + len(records)
    # Same content as the CSV, typed.
    as_csv = list(csv.DictReader(io.StringIO(export(db, "csv"), newline="")))
    assert jane_call["attendees"] == ["Jane Doe"]
    assert jane_call["attendee_ids"] == [history.jane.id]

    def as_text(v):
        return "" if v is None else "; ".join(map(str, v)) if isinstance(v, list) else str(v)

    assert [{k: as_text(v) for k, v in r.items()} for r in records] == as_csv


def test_export_of_an_empty_workspace_is_a_header_or_an_empty_array(db, history):
    assert export(db, "csv", team_id="TNONE").splitlines() == [",".join(EXPORT_COLUMNS)]
    assert json.loads(export(db, "json", team_id="TNONE")) == []


def test_unknown_export_format_is_refused(db):
    with pytest.raises(ValueError, match="csv, json"):
        export(db, "xml")


class CountingSink(io.TextIOBase):
    """A file that keeps nothing, so only the export's own memory is measured."""

    def __init__(self) -> None:
        self.chars = 0

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.chars += len(text)
        return len(text)


def add_interactions(db, contact_id: int, count: int, start: int) -> None:
    base = datetime(2020, 1, 1, tzinfo=UTC)
    rows = [
        {
            "team_id": T1,
            "contact_id": contact_id,
            "type": "call",
            "occurred_at": base + timedelta(minutes=start + i),
            "duration_minutes": 15,
            "summary": f"Call number {start + i}",
            "notes": "Talked about the roadmap, pricing and next steps. " * 4,
            "logged_by": ALICE.user_id,
            "source": "import",
            "created_at": base,
            "updated_at": base,
        }
        for i in range(count)
    ]
    with db.write() as session:
        session.execute(insert(Interaction.__table__), rows)
        # Each its contact's one attendee, as storage would write it.
        session.execute(
            text(
                "INSERT INTO interaction_contacts (interaction_id, contact_id, team_id, position, occurred_at)"
                " SELECT id, contact_id, team_id, 0, occurred_at FROM interactions"
                " WHERE id NOT IN (SELECT interaction_id FROM interaction_contacts)"
            )
        )


def peak_export_memory(db, fmt: str) -> tuple[int, int]:
    """(rows exported, peak bytes Python allocated meanwhile)."""
    sink = CountingSink()
    tracemalloc.start()
    try:
        count = export_interactions(db, team_id=T1, fmt=fmt, out=sink)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert sink.chars > count * 200
    return count, peak


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_streams_in_constant_memory(db, fmt):
    contact = new_contact(db, "Jane Doe", email="jane@example.com")
    add_interactions(db, contact.id, 2_000, start=0)
    peak_export_memory(db, fmt)  # warm up: statement caches are not the export's memory
    small_count, small_peak = peak_export_memory(db, fmt)
    add_interactions(db, contact.id, 18_000, start=2_000)
    large_count, large_peak = peak_export_memory(db, fmt)

    assert (small_count, large_count) == (2_000, 20_000)
    print(
        f"\n{db.dialect} {fmt}: peak {small_peak / 1e6:.2f} MB for 2k rows, {large_peak / 1e6:.2f} MB for 20k"
    )
    # Ten times the rows must not mean ten times the memory: it is bounded by the batch.
    assert large_peak < 3 * small_peak


@pytest.mark.parametrize("db_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
def test_postgresql_export_reads_through_a_server_side_cursor(db):
    """psycopg would otherwise hold the whole result in C memory, where tracemalloc can't see it.

    (SQLite's cursor steps through rows as they are fetched anyway, so only PostgreSQL is run.)
    """
    cursors: list[str] = []

    @event.listens_for(db.engine, "before_cursor_execute")
    def remember(conn, cursor, statement, parameters, context, executemany):
        if "FROM interactions" in statement:
            cursors.append(type(cursor).__name__)

    export(db, "csv", team_id=None)

    assert cursors == ["ServerCursor"]


# --- import ----------------------------------------------------------------------------


def test_import_creates_contacts(db):
    report = run_import(
        db,
        "Name,E-mail,Company,Cadence (days)\n"
        "Jane Doe,Jane@Example.com,Acme,14\n"
        "José  Núñez,jose@example.com,,\n"
        "Ann Lee,,Initech,21 days\n",
    )

    assert (report.rows, report.created, report.updated, report.unchanged) == (3, 3, 0, 0)
    assert report.errors == [] and report.notes == []
    contacts = contacts_of(db)
    jane = contacts["Jane Doe"]
    assert (jane.email, jane.company, jane.cadence_days) == ("jane@example.com", "Acme", 14)
    assert (jane.owner_user_id, jane.created_by) == (ALICE.user_id, ALICE.user_id)
    assert jane.due_at == jane.created_at + timedelta(days=14)
    jose = contacts["José Núñez"]
    assert (jose.name_key, jose.cadence_days) == ("jose nunez", None)
    assert jose.due_at == jose.created_at + timedelta(days=DEFAULT_CADENCE_DAYS)
    assert contacts["Ann Lee"].email is None and contacts["Ann Lee"].cadence_days == 21
    with db.read() as session:
        assert session.get(Workspace, T1) is not None


def test_import_updates_by_email_and_a_second_run_changes_nothing(db):
    existing = new_contact(db, "Jane Doe", email="jane@example.com", company="Old Co", cadence_days=7)
    text = "name,email,company,cadence\nJane Doe-Smith,JANE@example.com,New Co,\nAnn Lee,ann@example.com,,\n"

    first = run_import(db, text)
    jane = contacts_of(db)["Jane Doe-Smith"]
    second = run_import(db, text)

    assert (first.created, first.updated, first.unchanged) == (1, 1, 0)
    assert jane.id == existing.id
    assert (jane.email, jane.company, jane.name_key) == ("jane@example.com", "New Co", "jane doe-smith")
    # An empty cell keeps what is stored: the import adds and corrects, it never erases.
    assert jane.cadence_days == 7
    assert (second.created, second.updated, second.unchanged, second.errors) == (0, 0, 2, [])
    assert contacts_of(db)["Jane Doe-Smith"].updated_at == jane.updated_at
    assert count_contacts(db) == 2


def test_dry_run_reports_what_would_happen_and_writes_nothing(db):
    new_contact(db, "Jane Doe", email="jane@example.com")
    text = (
        "name,email,company\n"
        "Jane Doe,jane@example.com,Acme\n"  # update
        "Ann Lee,ann@example.com,\n"  # create
        "Bad,not-an-email,\n"  # error
        "Tom,,\n"  # create (by name)
        "tom,,\n"  # same name: once
    )
    before = contacts_of(db)

    dry = run_import(db, text, dry_run=True, team_id=T1)
    after_dry = contacts_of(db)
    real = run_import(db, text)

    assert dry.dry_run and not real.dry_run
    assert (dry.created, dry.updated, dry.unchanged, dry.failed) == (2, 1, 1, 1)
    assert (dry.created, dry.updated, dry.unchanged) == (real.created, real.updated, real.unchanged)
    assert dry.errors == real.errors and dry.notes == real.notes
    assert after_dry.keys() == before.keys()
    assert after_dry["Jane Doe"].company is None


def test_dry_run_into_a_new_workspace_does_not_create_it(db):
    report = run_import(db, "name\nJane\n", dry_run=True, team_id="TNEW")

    assert report.created == 1
    with db.read() as session:
        assert session.get(Workspace, "TNEW") is None
    assert count_contacts(db) == 0


def test_row_errors_have_line_numbers_and_do_not_stop_other_rows(db):
    text = (
        "name,email,company,cadence\n"  # line 1
        "Jane Doe,jane@example.com,Acme,14\n"  # 2
        'Multi Line,multi@example.com,"Acme\nWest",\n'  # 3-4: a quoted newline
        "Bad Email,bob@,,\n"  # 5
        ",nameless@example.com,,\n"  # 6
        "Bad Cadence,cad@example.com,,soon\n"  # 7
        "Zero Cadence,zero@example.com,,0\n"  # 8
        "Jane Again,JANE@example.com,,\n"  # 9: same email as line 2
        "\n"  # 10: blank lines are skipped
        'Last One,last@example.com,"He said ""hi""",\n'  # 11
    )

    report = run_import(db, text)

    assert [(e.line, str(e)) for e in report.errors] == [
        (5, "line 5: “bob@” doesn't look like an email address."),
        (6, "line 6: A contact needs a name."),
        (7, "line 7: Cadence “soon” isn't a number of days."),
        (8, "line 8: Cadence is a number of days between 1 and 3650."),
        (9, "line 9: jane@example.com is also on line 2; each email can appear only once."),
    ]
    assert (report.rows, report.created, report.failed) == (8, 3, 5)
    contacts = contacts_of(db)
    assert set(contacts) == {"Jane Doe", "Multi Line", "Last One"}
    assert contacts["Multi Line"].company == "Acme West"
    assert contacts["Last One"].company == 'He said "hi"'


def test_owner_emails_become_slack_users_through_the_lookup(db):
    directory = {"boss@example.com": "UBOSS"}
    asked: list[str] = []

    def lookup(email: str) -> str | None:
        asked.append(email)
        return directory.get(email)

    existing = new_contact(db, "Jane Doe", email="jane@example.com")
    report = run_import(
        db,
        "name,email,Owner_Email\n"
        "Jane Doe,jane@example.com,Boss@Example.com\n"
        "Ann Lee,ann@example.com,boss@example.com\n"
        "Tom Ray,tom@example.com,ghost@example.com\n"
        "Kim Bo,kim@example.com,\n",
        user_lookup=lookup,
    )

    assert lines_and_messages(report.errors) == [
        (4, "No Slack user in this workspace has the owner email ghost@example.com.")
    ]
    assert (report.created, report.updated) == (2, 1)
    contacts = contacts_of(db)
    assert contacts["Jane Doe"].id == existing.id
    assert contacts["Jane Doe"].owner_user_id == "UBOSS"
    assert contacts["Ann Lee"].owner_user_id == "UBOSS"
    assert contacts["Kim Bo"].owner_user_id == ALICE.user_id
    assert "Tom Ray" not in contacts
    # Each owner is looked up once however many rows name them (Slack rate-limits the lookup).
    assert asked == ["boss@example.com", "ghost@example.com"]


@pytest.mark.parametrize("header", ["owner", "Owner Email", "OWNER_EMAIL"])
def test_without_a_lookup_the_importer_owns_new_contacts_and_the_row_says_so(db, header):
    new_contact(db, "Jane Doe", email="jane@example.com")
    report = run_import(
        db,
        f"name,email,{header}\nAnn Lee,ann@example.com,boss@example.com\nJane Doe,jane@example.com,boss@example.com\n",
    )

    assert report.errors == []
    assert lines_and_messages(report.notes) == [
        (
            2,
            "owner boss@example.com wasn't looked up (no Slack lookup available), so the importing user owns it.",
        ),
        (
            3,
            "owner boss@example.com wasn't looked up (no Slack lookup available), so the owner stays as it was.",
        ),
    ]
    assert contacts_of(db)["Ann Lee"].owner_user_id == ALICE.user_id


def test_rows_without_an_email_are_created_once_by_name_and_never_change_a_contact(db):
    new_contact(db, "José Núñez", company="Globex")
    text = (
        "name,email,company\n"
        "jose nunez,,Other Co\n"  # 2: same folded name as an existing contact, no email
        "José Núñez,,Globex\n"  # 3: also on line 2
        "Ann Lee,,Initech\n"  # 4: new
        "ANN  LEE,,\n"  # 5: same as line 4
    )

    first = run_import(db, text)
    second = run_import(db, text)

    assert (first.created, first.updated, first.unchanged) == (1, 0, 3)
    assert lines_and_messages(first.notes) == [
        (
            2,
            "a contact named “jose nunez” exists and rows without an email never change one: "
            "add its email to update it.",
        ),
        (3, "“José Núñez” is also on line 2; without an email it is imported once."),
        (5, "“ANN LEE” is also on line 4; without an email it is imported once."),
    ]
    contacts = contacts_of(db)
    assert contacts["José Núñez"].company == "Globex"
    assert contacts["Ann Lee"].company == "Initech"
    assert (second.created, second.updated, second.unchanged) == (0, 0, 4)
    assert count_contacts(db) == 2


def test_a_row_with_an_email_completes_the_one_namesake_that_has_none(db):
    # Someone typed "/log Jane Doe ..." before the import: no email yet.
    quick = new_contact(db, "Jane Doe")
    twins = [new_contact(db, "Sam Roe"), new_contact(db, "sam roe")]

    report = run_import(
        db,
        "name,email,company\n"
        "Jane Doe,jane@example.com,Acme\n"
        "Sam Roe,sam@example.com,\n"
        "Jane Doe,other.jane@example.com,\n",  # the one namesake is taken by line 2
    )

    assert (report.created, report.updated) == (2, 1)
    with db.read() as session:
        jane = session.get(Contact, quick.id)
        assert (jane.email, jane.company) == ("jane@example.com", "Acme")
        assert session.scalar(select(func.count()).where(Contact.name_key == "jane doe")) == 2
        assert all(session.get(Contact, twin.id).email is None for twin in twins)
    assert lines_and_messages(report.notes) == [
        (3, "2 contacts are named “Sam Roe” without an email; a new one was created with this email.")
    ]
    assert run_import(db, "name,email,company\nJane Doe,jane@example.com,Acme\n").unchanged == 1


def test_import_stays_in_its_workspace(db):
    zed = new_contact(db, "Zed Other", actor=ZOE, email="zed@example.com", company="Theirs")

    report = run_import(db, "name,email,company\nZed Other,zed@example.com,Ours\n")

    assert report.created == 1
    assert contacts_of(db, T1)["Zed Other"].company == "Ours"
    assert contacts_of(db, T2)["Zed Other"].company == "Theirs"
    assert contacts_of(db, T2)["Zed Other"].id == zed.id


def test_many_rows_are_imported_in_batches_with_the_file_checked_as_a_whole(db):
    rows = [f"Person {i},p{i}@example.com,Co {i % 7},{i % 30 + 1}" for i in range(1_200)]
    rows.append("Late Duplicate,p0@example.com,,")  # line 1202: same email as line 2, batches apart
    text = "name,email,company,cadence\n" + "\n".join(rows) + "\n"

    first = run_import(db, text, batch_size=500)
    second = run_import(db, text, batch_size=500)

    assert (first.created, first.failed) == (1_200, 1)
    assert lines_and_messages(first.errors) == [
        (1202, "p0@example.com is also on line 2; each email can appear only once.")
    ]
    assert (second.created, second.updated, second.unchanged) == (0, 0, 1_200)
    assert count_contacts(db) == 1_200


def test_header_is_matched_loosely_and_unknown_columns_are_reported(db):
    report = run_import(db, "\ufeff EMAIL , Name ,Phone,cadence_days\njane@example.com,Jane Doe,555,10\n")

    assert report.created == 1 and report.ignored_columns == ["Phone"]
    assert contacts_of(db)["Jane Doe"].cadence_days == 10


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "The file is empty"),
        ("\n\n", "The file is empty"),
        (
            "full name,email\nJane,jane@example.com\n",
            "line 1: there is no name column (found: full name, email)",
        ),
        ("name,email,Email\nJane,a@example.com,b@example.com\n", "line 1: two columns mean email"),
    ],
)
def test_a_file_that_cannot_be_imported_is_refused_as_a_whole(db, text, message):
    with pytest.raises(Invalid) as refused:
        run_import(db, text)

    assert message in refused.value.message
    assert count_contacts(db) == 0


def test_a_header_only_file_imports_nothing(db):
    report = run_import(db, "name,email\n")

    assert (report.rows, report.created, report.errors) == (0, 0, [])


# --- the touchbase command -------------------------------------------------------------


@pytest.fixture
def touchbase(db, monkeypatch, tmp_path):
    """`touchbase ...` in-process against the test database; returns its exit code."""
    for name in (
        "SLACK_BOT_TOKEN",
        "SLACK_APP_TOKEN",
        "SLACK_SIGNING_SECRET",
        "SLACK_API_URL",
        "TOUCHBASE_LOG_LEVEL",
        "PORT",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", db.url)
    monkeypatch.chdir(tmp_path)  # no developer .env leaks in
    try:
        import bot.cli_digest  # noqa: F401
    except ModuleNotFoundError:
        # The digest commands are built elsewhere; the parser only needs them to exist.
        stub = types.ModuleType("bot.cli_digest")
        stub.add_digest_commands = lambda commands: None
        monkeypatch.setitem(sys.modules, "bot.cli_digest", stub)
    from bot.cli import main

    return lambda *argv: main([str(arg) for arg in argv])


CONTACTS_CSV = (
    "Name,Email,Company,Cadence,Owner Email\n"
    "Jane Doe,jane@example.com,Acme,14,\n"
    '"Bob ""Bobby"" Stone",bob@example.com,"Stone, Inc.",,\n'
    "Ann Lee,ann@example.com,,30,\n"
)


def test_import_then_log_then_export_round_trips(db, touchbase, tmp_path, capsys):
    new_contact(db, "Someone", email="someone@example.com")  # the workspace exists: --team is implied
    source = tmp_path / "contacts.csv"
    source.write_text(CONTACTS_CSV, encoding="utf-8")

    assert touchbase("contacts", "import", source, "--as", ALICE.user_id) == 0
    report = capsys.readouterr().out
    assert "Imported contacts.csv into workspace T111." in report
    assert "created:          3" in report

    contacts = contacts_of(db)
    bob = contacts['Bob "Bobby" Stone']
    log(db, contacts["Jane Doe"].id, MARCH_5, "Kickoff", notes=TRICKY_NOTES, duration_minutes=45)
    log(db, bob.id, MARCH_5 + timedelta(hours=1), "Follow-up, with “quotes”", type="email")

    assert touchbase("export", "interactions", "--output", tmp_path / "out.csv") == 0
    assert "Exported 2 interactions as csv to" in capsys.readouterr().err
    with open(tmp_path / "out.csv", encoding="utf-8", newline="") as exported:
        rows = list(csv.DictReader(exported))
    assert [(r["contact_name"], r["contact_email"], r["summary"]) for r in rows] == [
        ("Jane Doe", "jane@example.com", "Kickoff"),
        ('Bob "Bobby" Stone', "bob@example.com", "Follow-up, with “quotes”"),
    ]
    assert rows[0]["notes"] == TRICKY_NOTES.strip()
    assert not (tmp_path / "out.csv.partial").exists()

    assert (
        touchbase("export", "interactions", "--format", "json", "--team", T1, "-o", tmp_path / "out.json")
        == 0
    )
    with open(tmp_path / "out.json", encoding="utf-8") as exported:
        records = json.load(exported)
    assert [r["id"] for r in records] == [int(r["id"]) for r in rows]
    assert records[0]["duration_minutes"] == 45

    # Importing the same file again changes nothing.
    assert touchbase("contacts", "import", source, "--as", ALICE.user_id) == 0
    assert "unchanged:        3" in capsys.readouterr().out


def test_export_to_stdout_keeps_the_summary_on_stderr(db, history, touchbase, capsys):
    assert touchbase("export", "interactions", "--format", "json") == 0

    captured = capsys.readouterr()
    assert [r["team_id"] for r in json.loads(captured.out)] == [T1, T1, T2]
    assert captured.err.strip() == "Exported 3 interactions as json to stdout."


def test_import_with_bad_rows_prints_each_with_its_line_and_exits_1(db, touchbase, tmp_path, capsys):
    source = tmp_path / "contacts.csv"
    source.write_text(
        'name,email,cadence\nJane Doe,jane@example.com,\n"Two\nLines",bob@,\nAnn Lee,ann@example.com,weekly\n',
        encoding="utf-8",
    )

    assert touchbase("contacts", "import", source, "--team", T1, "--as", ALICE.user_id) == 1

    out = capsys.readouterr().out.splitlines()
    assert "line 3: “bob@” doesn't look like an email address." in out
    assert "line 5: Cadence “weekly” isn't a number of days." in out
    assert "  created:          1" in out
    assert "  rows with errors: 2" in out
    assert set(contacts_of(db)) == {"Jane Doe"}


def test_dry_run_needs_no_importer_and_writes_nothing(db, touchbase, tmp_path, capsys):
    source = tmp_path / "contacts.csv"
    source.write_text(CONTACTS_CSV, encoding="utf-8")

    assert touchbase("contacts", "import", source, "--team", T1, "--dry-run") == 0

    out = capsys.readouterr().out
    assert out.startswith("Dry run of contacts.csv for workspace T111: nothing was written.")
    assert "would create:     3" in out
    assert count_contacts(db) == 0


def test_owner_emails_are_looked_up_in_slack_when_a_bot_token_is_set(
    db, touchbase, tmp_path, capsys, monkeypatch, fake_slack
):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("SLACK_API_URL", fake_slack.url)
    fake_slack.respond_with("users.lookupByEmail", body={"ok": True, "user": {"id": "UBOSS"}}, times=1)
    fake_slack.fail("users.lookupByEmail", "users_not_found")
    source = tmp_path / "contacts.csv"
    source.write_text(
        "name,email,owner\nJane Doe,jane@example.com,BOSS@example.com\nAnn Lee,ann@example.com,ghost@example.com\n",
        encoding="utf-8",
    )

    assert touchbase("contacts", "import", source, "--team", T1, "--as", ALICE.user_id) == 1

    assert [call.args["email"] for call in fake_slack.calls("users.lookupByEmail")] == [
        "boss@example.com",
        "ghost@example.com",
    ]
    assert "line 3: No Slack user in this workspace has the owner email ghost@example.com." in (
        capsys.readouterr().out.splitlines()
    )
    assert contacts_of(db)["Jane Doe"].owner_user_id == "UBOSS"


def test_a_slack_refusal_stops_the_import_with_one_line(
    db, touchbase, tmp_path, capsys, monkeypatch, fake_slack
):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("SLACK_API_URL", fake_slack.url)
    fake_slack.fail("users.lookupByEmail", "missing_scope")
    source = tmp_path / "contacts.csv"
    source.write_text("name,email,owner\nJane Doe,jane@example.com,boss@example.com\n", encoding="utf-8")

    assert touchbase("contacts", "import", source, "--team", T1, "--as", ALICE.user_id) == 2

    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "users:read.email" in err[0]
    assert count_contacts(db) == 0


def test_usage_and_settings_problems_exit_2_with_one_line(db, history, touchbase, tmp_path, capsys):
    good = tmp_path / "contacts.csv"
    good.write_text(CONTACTS_CSV, encoding="utf-8")
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("name\nJosé\n".encode("latin-1"))
    headless = tmp_path / "headless.csv"
    headless.write_text("who,mail\nJane,jane@example.com\n", encoding="utf-8")
    cases = [
        # Two workspaces in the database: which one must be said.
        (["contacts", "import", good, "--as", ALICE.user_id], "--team T is required"),
        (["contacts", "import", good, "--team", T1], "needs --as USER"),
        (["contacts", "import", good, "--team", T1, "--as", "alice"], "--as alice"),
        (["contacts", "import", tmp_path / "missing.csv", "--team", T1, "--as", "U1"], "no such file"),
        (["contacts", "import", latin1, "--team", T1, "--as", "U1"], "not UTF-8"),
        (["contacts", "import", headless, "--team", T1, "--as", "U1"], "there is no name column"),
        (["export", "interactions", "--team", "TNOPE"], "--team TNOPE: no such workspace"),
    ]
    for argv, named in cases:
        assert touchbase(*argv) == 2, argv
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and named in err[0], (argv, err)
    assert len(contacts_of(db)) == 2


def test_an_unmigrated_database_is_named_not_a_traceback(touchbase, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")

    assert touchbase("export", "interactions", "--team", T1) == 2

    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("touchbase: DATABASE_URL:") and "db upgrade" in err[0]
