"""Migrations build exactly the models' schema, go down and up again, and SQLite is set up right."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import CheckConstraint, Engine, create_engine, inspect, text
from sqlalchemy.exc import IntegrityError

from bot.installations import oauth_metadata
from storage.db import Database
from storage.migrate import alembic_config, current_revision, upgrade
from storage.models import Base
from storage.search import in_models_schema
from tests.databases import POSTGRES_ADMIN_URL, in_ci


@pytest.fixture(scope="module")
def postgres_admin() -> Iterator[Engine | None]:
    """An AUTOCOMMIT engine on the server's admin database; None (skip) locally if unreachable."""
    engine = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        engine.dispose()
        if in_ci():
            pytest.exit(f"PostgreSQL is unreachable at {POSTGRES_ADMIN_URL} in CI: {exc}", returncode=3)
        yield None
        return
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_url(request, tmp_path) -> Iterator[str]:
    """A database with nothing in it, not even Alembic's table: a fresh file or a new PG database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    admin = request.getfixturevalue("postgres_admin")
    if admin is None:
        assert not in_ci()
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    name = f"touchbase_migrations_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def expected_metadata():
    """The models' tables plus the OAuth stores' (slack-sdk defines those; migration 0003 creates them)."""
    combined = Base.metadata.__class__()
    for table in [*Base.metadata.sorted_tables, *oauth_metadata().sorted_tables]:
        table.to_metadata(combined)
    return combined


def schema_differences(url: str) -> list:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"include_name": in_models_schema})
            return compare_metadata(context, expected_metadata())
    finally:
        engine.dispose()


def reflected(url: str, what: str) -> dict[str, set]:
    """Per table, what autogenerate does not compare: CHECK constraint names and FK ON DELETE."""
    engine = create_engine(url)
    try:
        inspector = inspect(engine)
        tables = {t for t in inspector.get_table_names() if in_models_schema(t, "table", {})}
        tables -= {"alembic_version"}
        if what == "checks":
            return {t: {c["name"] for c in inspector.get_check_constraints(t)} for t in tables}
        return {
            t: {
                (
                    tuple(fk["constrained_columns"]),
                    fk["referred_table"],
                    (fk["options"].get("ondelete") or "").upper(),
                )
                for fk in inspector.get_foreign_keys(t)
            }
            for t in tables
        }
    finally:
        engine.dispose()


def declared(what: str) -> dict[str, set]:
    result: dict[str, set] = {}
    for table in expected_metadata().sorted_tables:
        if what == "checks":
            result[table.name] = {c.name for c in table.constraints if isinstance(c, CheckConstraint)}
        else:
            result[table.name] = {
                (
                    tuple(col.name for col in fk.columns),
                    fk.referred_table.name,
                    (fk.ondelete or "").upper(),
                )
                for fk in table.foreign_key_constraints
            }
    return result


def head_revision() -> str:
    heads = ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()
    assert len(heads) == 1, f"migrations have several heads: {heads}"
    return heads[0]


def table_names(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_migrations_form_one_linear_history():
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    revisions = list(script.walk_revisions())
    assert len(script.get_heads()) == 1
    assert len(script.get_bases()) == 1
    assert all(not isinstance(r.down_revision, tuple) for r in revisions), "merge revisions are unexpected"


def test_upgrade_on_empty_database_builds_exactly_the_models_schema(empty_url):
    upgrade(empty_url)
    assert schema_differences(empty_url) == []
    assert current_revision(empty_url) == head_revision()
    # What autogenerate does not compare: CHECK constraints and ON DELETE rules.
    assert reflected(empty_url, "checks") == declared("checks")
    assert reflected(empty_url, "fks") == declared("fks")
    # Upgrading a database already at head changes nothing.
    upgrade(empty_url)
    assert current_revision(empty_url) == head_revision()
    assert schema_differences(empty_url) == []


def test_downgrade_to_base_then_upgrade_to_head_step_by_step_and_in_one_go(empty_url):
    config = alembic_config(empty_url)
    upgrade(empty_url)
    for revision in ScriptDirectory.from_config(config).walk_revisions():  # head first
        assert current_revision(empty_url) == revision.revision
        command.downgrade(config, "-1")
    assert current_revision(empty_url) is None
    assert table_names(empty_url) <= {"alembic_version"}

    upgrade(empty_url)
    assert schema_differences(empty_url) == []

    command.downgrade(config, "base")
    assert table_names(empty_url) <= {"alembic_version"}
    upgrade(empty_url)
    assert current_revision(empty_url) == head_revision()
    assert schema_differences(empty_url) == []


# --- how SQLite connections are set up ------------------------------------------------------------


@pytest.fixture
def sqlite_db(sqlite_template) -> Iterator[Database]:
    database = Database(sqlite_template.fresh_url())
    yield database
    database.dispose()


@pytest.mark.parametrize("door", ["read", "write"])
def test_sqlite_connections_enforce_foreign_keys_use_wal_and_wait_when_busy(sqlite_db, door):
    with getattr(sqlite_db, door)() as session:
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert session.execute(text("PRAGMA journal_mode")).scalar().lower() == "wal"
        assert session.execute(text("PRAGMA busy_timeout")).scalar() > 0


def test_sqlite_writers_take_the_write_lock_when_they_begin(sqlite_db):
    path = sqlite_db.engine.url.database
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        with sqlite_db.read() as session:
            session.execute(text("SELECT 1"))
            # A reader holds no write lock: another writer may start.
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
        with sqlite_db.write() as session:
            session.execute(text("SELECT 1"))
            # BEGIN IMMEDIATE: the write lock is taken before the first read, not at the first write.
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
    finally:
        other.close()


def test_foreign_keys_are_enforced(db):
    with pytest.raises(IntegrityError), db.write() as session:
        session.execute(
            text(
                "INSERT INTO interactions (team_id, contact_id, type, occurred_at, summary, logged_by, "
                "source, created_at, updated_at) VALUES ('T_NONE', 999, 'call', :t, 's', 'U', 'modal', :t, :t)"
            ),
            {"t": "2026-03-01 00:00:00.000000"},
        )


def test_0004_repairs_text_stored_with_slacks_escaping_and_keeps_typed_text(empty_url):
    """Command text stored escaped (`Tom &amp; Jerry Ltd`) is unescaped once; a modal's summary
    that literally says `&amp;` is left as typed; every contact gets its first-name key."""
    config = alembic_config(empty_url)
    command.upgrade(config, "0004")
    command.downgrade(config, "-1")  # the revision before 0004, whatever it is
    engine = create_engine(empty_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO workspaces (team_id, default_cadence_days, created_at) VALUES ('T1', 30, '2026-01-01')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO contacts (id, team_id, name, name_key, company, owner_user_id, due_at, created_by,"
                    " created_at, updated_at) VALUES (1, 'T1', 'Tom &amp; Jerry Ltd', 'tom &amp; jerry ltd',"
                    " 'A &lt;B&gt;', 'U1', '2026-01-01', 'U1', '2026-01-01', '2026-01-01')"
                )
            )
            for iid, source, summary in ((1, "command", "R&amp;D &lt;3"), (2, "modal", "typed &amp; kept")):
                conn.execute(
                    text(
                        "INSERT INTO interactions (id, team_id, contact_id, type, occurred_at, summary, logged_by,"
                        " source, created_at, updated_at) VALUES (:id, 'T1', 1, 'call', '2026-01-01', :summary,"
                        " 'U1', :source, '2026-01-01', '2026-01-01')"
                    ),
                    {"id": iid, "summary": summary, "source": source},
                )
        command.upgrade(config, "head")
        with engine.connect() as conn:
            assert conn.execute(
                text("SELECT name, name_key, first_name_key, company FROM contacts")
            ).one() == (
                "Tom & Jerry Ltd",
                "tom & jerry ltd",
                "tom",
                "A <B>",
            )
            summaries = conn.execute(text("SELECT summary, time_known FROM interactions ORDER BY id")).all()
            assert [tuple(row) for row in summaries] == [("R&D <3", True), ("typed &amp; kept", True)]
    finally:
        engine.dispose()


def test_0008_moves_every_interactions_contact_into_its_attendees_and_goes_back(empty_url):
    """With data in place: each interaction's contact becomes its first attendee (deleted and
    merged ones too); downgrading keeps the interactions and their first contact."""
    config = alembic_config(empty_url)
    command.upgrade(config, "0008")
    command.downgrade(config, "-1")
    engine = create_engine(empty_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO workspaces (team_id, default_cadence_days, created_at) VALUES ('T1', 30, '2026-01-01')"
                )
            )
            for cid, name in ((1, "Jane"), (2, "May")):
                conn.execute(
                    text(
                        "INSERT INTO contacts (id, team_id, name, name_key, owner_user_id, due_at, created_by,"
                        " created_at, updated_at) VALUES (:id, 'T1', :name, :key, 'U1', '2026-01-01', 'U1',"
                        " '2026-01-01', '2026-01-01')"
                    ),
                    {"id": cid, "name": name, "key": name.lower()},
                )
            for iid, cid, deleted, merged in (
                (1, 1, None, None),
                (2, 2, "2026-01-03", None),
                (3, 2, None, 1),
            ):
                conn.execute(
                    text(
                        "INSERT INTO interactions (id, team_id, contact_id, type, occurred_at, summary, logged_by,"
                        " source, created_at, updated_at, deleted_at, merged_from_contact_id) VALUES (:id, 'T1',"
                        " :cid, 'call', :at, 's', 'U1', 'modal', '2026-01-01', '2026-01-01', :deleted, :merged)"
                    ),
                    {
                        "id": iid,
                        "cid": cid,
                        "at": f"2026-01-0{iid} 10:00:00",
                        "deleted": deleted,
                        "merged": merged,
                    },
                )
        command.upgrade(config, "0008")
        attendees = text(
            "SELECT interaction_id, contact_id, team_id, position, merged_from_contact_id"
            " FROM interaction_contacts ORDER BY interaction_id, position"
        )
        with engine.connect() as conn:
            assert [tuple(r) for r in conn.execute(attendees)] == [
                (1, 1, "T1", 0, None),
                (2, 2, "T1", 0, None),
                (3, 2, "T1", 0, 1),
            ]
            times = conn.execute(
                text(
                    "SELECT count(*) FROM interaction_contacts a JOIN interactions i ON i.id = a.interaction_id"
                    " WHERE a.occurred_at = i.occurred_at"
                )
            ).scalar()
            assert times == 3
        with engine.begin() as conn:  # a second attendee, as the app would add it
            conn.execute(
                text(
                    "INSERT INTO interaction_contacts (interaction_id, contact_id, team_id, position, occurred_at)"
                    " SELECT id, 2, team_id, 1, occurred_at FROM interactions WHERE id = 1"
                )
            )
        command.downgrade(config, "-1")
        assert "interaction_contacts" not in table_names(empty_url)
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT id, contact_id FROM interactions ORDER BY id")).all()
            assert [tuple(r) for r in rows] == [(1, 1), (2, 2), (3, 2)]
        command.upgrade(config, "head")
        with engine.connect() as conn:
            assert len(conn.execute(attendees).all()) == 3
        assert schema_differences(empty_url) == []
    finally:
        engine.dispose()
