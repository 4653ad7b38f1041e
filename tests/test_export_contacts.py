"""`touchbase export contacts` re-imports with `touchbase contacts import`; `--as` and the team.

Every test runs on SQLite and PostgreSQL (the `db` fixture).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.domain.records import Actor
from storage.contacts import ContactDraft, create_contact
from storage.export import CONTACT_EXPORT_COLUMNS, export_contacts
from storage.models import Contact

T1, T2 = "T111", "T222"
ALICE = Actor(team_id=T1, user_id="UALICE")
NOW = datetime(2026, 3, 11, 17, 0, tzinfo=UTC)
FIELDS = ("name", "email", "company", "cadence_days", "owner_user_id")


@pytest.fixture
def cli(db, monkeypatch, tmp_path, capsys):
    """`touchbase ...` in-process against the test database: (exit code, stdout, stderr)."""
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_API_URL", "PORT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", db.url)
    monkeypatch.chdir(tmp_path)
    from bot.cli import main

    def run(*argv) -> tuple[int, str, str]:
        code = main([str(arg) for arg in argv])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def contacts(db, team_id: str) -> list[tuple]:
    with db.read() as session:
        rows = session.scalars(select(Contact).where(Contact.team_id == team_id).order_by(Contact.id))
        return [tuple(getattr(c, f) for f in FIELDS) for c in rows]


@pytest.fixture
def address_book(db):
    for draft in (
        ContactDraft(name="Jane Doe", email="jane@acme.example", company="Stone, Inc.", cadence_days=14),
        ContactDraft(name='Bob "Bobby" Stone', company="Initech", owner_user_id="UBOSS"),
        ContactDraft(name="José Núñez", email="jose@globex.example", slack_user_id="UJOSE"),
        ContactDraft(name="Ann Lee"),
    ):
        create_contact(db, ALICE, draft, now=NOW)
    return contacts(db, T1)


def test_exported_contacts_reimport_into_another_workspace_unchanged(db, cli, tmp_path, address_book):
    out = tmp_path / "contacts.csv"

    code, _, err = cli("export", "contacts", "--team", T1, "--output", out)

    assert code == 0 and err.strip() == f"Exported 4 contacts of {T1} as csv to {out}."
    with out.open(encoding="utf-8", newline="") as exported:
        rows = list(csv.DictReader(exported))
    assert tuple(rows[0]) == CONTACT_EXPORT_COLUMNS
    assert [(r["name"], r["cadence"], r["owner"]) for r in rows] == [
        ("Jane Doe", "14", "UALICE"),
        ('Bob "Bobby" Stone', "", "UBOSS"),
        ("José Núñez", "", "UALICE"),
        ("Ann Lee", "", "UALICE"),
    ]

    code, report, _ = cli("contacts", "import", out, "--team", T2, "--as", "UZOE")

    assert code == 0, report
    assert "created:          4" in report
    assert "Ignored columns" not in report and "Notes" not in report
    # Same names, emails, companies, cadences and owners (the owner ids are used as they are).
    assert contacts(db, T2) == address_book

    # Into the workspace it came from: nothing changes.
    code, report, _ = cli("contacts", "import", out, "--team", T1, "--as", "UALICE")
    assert code == 0 and "unchanged:        4" in report
    assert contacts(db, T1) == address_book


def test_json_export_holds_the_same_contacts(db, address_book):
    out = io.StringIO()

    assert export_contacts(db, team_id=None, fmt="json", out=out) == 4

    records = json.loads(out.getvalue())
    assert [(r["name"], r["email"], r["company"], r["cadence"], r["owner"]) for r in records] == address_book
    assert records[2]["slack_user_id"] == "UJOSE" and records[0]["team_id"] == T1
    assert records[0]["created_at"].endswith("Z") and records[0]["last_contacted_at"] is None


def test_as_takes_an_email_and_the_team_comes_from_the_token(db, cli, tmp_path, monkeypatch, fake_slack):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("SLACK_API_URL", fake_slack.url)
    fake_slack.set_user("U0ANA", profile={"email": "ana@acme.example"})
    source = tmp_path / "contacts.csv"
    source.write_text("name,email,owner\nJane Doe,jane@example.com,\nKim Bo,kim@example.com,UBOSS\n")

    # An empty database: no --team, the token's workspace (auth.test) is the one.
    code, report, err = cli("contacts", "import", source, "--as", "Ana@Acme.example")

    assert code == 0, err
    assert report.startswith("Imported contacts.csv into workspace T111.")
    assert [c.args["email"] for c in fake_slack.calls("users.lookupByEmail")] == ["Ana@Acme.example"]
    with db.read() as session:
        owners = dict(session.execute(select(Contact.name, Contact.owner_user_id)).all())
        creators = set(session.scalars(select(Contact.created_by)))
    assert owners == {"Jane Doe": "U0ANA", "Kim Bo": "UBOSS"}
    assert creators == {"U0ANA"}


@pytest.mark.parametrize(
    ("argv", "token", "says"),
    [
        (
            ["--as", "ana@acme.example"],
            False,
            "--as ana@acme.example: looking an email up needs SLACK_BOT_TOKEN",
        ),
        (["--as", "nobody@acme.example"], True, "--as nobody@acme.example: no Slack user in this workspace"),
        (["--as", "ana"], False, "Copy member ID"),
        (["--as", "U0ANA", "--team", "T999"], True, "--team T999: SLACK_BOT_TOKEN belongs to workspace T111"),
        ([], False, "needs --as USER"),
        (["--as", "U0ANA"], False, "--team T is required: the database has no workspace yet"),
    ],
)
def test_who_and_where_problems_are_one_line(db, cli, tmp_path, monkeypatch, fake_slack, argv, token, says):
    if token:
        monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
        monkeypatch.setenv("SLACK_API_URL", fake_slack.url)
    source = tmp_path / "contacts.csv"
    source.write_text("name,email\nJane Doe,jane@example.com\n")

    code, _, err = cli("contacts", "import", source, *argv)

    assert code == 2
    [line] = err.strip().splitlines()
    assert says in line
    assert contacts(db, T1) == []


def test_a_rejected_token_stops_the_import_before_anything_is_written(
    db, cli, tmp_path, monkeypatch, fake_slack
):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-revoked")
    monkeypatch.setenv("SLACK_API_URL", fake_slack.url)
    fake_slack.reject_token("xoxb-revoked")
    source = tmp_path / "contacts.csv"
    source.write_text("name\nJane Doe\n")

    code, _, err = cli("contacts", "import", source, "--team", T1, "--as", "U0ANA")

    assert code == 2 and err.strip() == "touchbase: SLACK_BOT_TOKEN: Slack refused auth.test: invalid_auth"
    assert contacts(db, T1) == []
