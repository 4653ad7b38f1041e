"""Migration 0009 (search) up and down with data in place, on both databases."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, inspect, text

from bot.domain.records import Actor
from storage.contacts import find_contacts
from storage.db import Database
from storage.listing import InteractionFilters, list_interactions
from storage.migrate import alembic_config
from tests.test_migrations import empty_url, postgres_admin  # noqa: F401  (fixtures)

ME = Actor(team_id="T1", user_id="U1")
ROWS = [
    (1, "Réunion à São Paulo", "Renewal TERMS agreed", None),
    (2, "Lunch", "golf", None),
    (3, "Renewal call", None, "2026-01-02"),  # deleted before the migration
]


def _seed(url: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO workspaces (team_id, default_cadence_days, created_at) VALUES ('T1', 30, '2026-01-01')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO contacts (id, team_id, name, name_key, first_name_key, owner_user_id, due_at,"
                    " created_by, created_at, updated_at) VALUES (1, 'T1', 'Priya Patel', 'priya patel', 'priya',"
                    " 'U1', '2026-01-01', 'U1', '2026-01-01', '2026-01-01')"
                )
            )
            for iid, summary, notes, deleted in ROWS:
                conn.execute(
                    text(
                        "INSERT INTO interactions (id, team_id, contact_id, type, occurred_at, summary, notes,"
                        " logged_by, source, created_at, updated_at, deleted_at) VALUES (:id, 'T1', 1, 'call',"
                        " :at, :summary, :notes, 'U1', 'modal', '2026-01-01', '2026-01-01', :deleted)"
                    ),
                    {
                        "id": iid,
                        "at": f"2026-01-0{iid}",
                        "summary": summary,
                        "notes": notes,
                        "deleted": deleted,
                    },
                )
    finally:
        engine.dispose()


def _searched(url: str, words: str) -> list[int]:
    db = Database(url)
    try:
        return [i.id for i in list_interactions(db, ME, InteractionFilters(text=words)).items]
    finally:
        db.dispose()


def _typo_found(url: str) -> list[str]:
    db = Database(url)
    try:
        return [m.contact.name for m in find_contacts(db, ME, "prya patel")]
    finally:
        db.dispose()


def test_0009_indexes_rows_already_there_and_goes_down_and_up_again(empty_url):  # noqa: F811
    config = alembic_config(empty_url)
    command.upgrade(config, "0009")
    command.downgrade(config, "-1")  # the revision before 0009, whatever it is
    _seed(empty_url)
    command.upgrade(config, "0009")
    assert _searched(empty_url, "renewal terms") == [1]
    assert _searched(empty_url, "reunion sao") == [1]
    assert _searched(empty_url, "golf") == [2]
    assert _searched(empty_url, "renewal") == [1]  # the deleted row stays out
    assert _typo_found(empty_url) == ["Priya Patel"]

    command.downgrade(config, "-1")
    engine = create_engine(empty_url)
    try:
        inspector = inspect(engine)
        assert "search_text" not in {c["name"] for c in inspector.get_columns("interactions")}
        assert not {"interaction_search", "contact_name_search"} & set(inspector.get_table_names())
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM interactions")).scalar() == 3
            assert conn.execute(text("SELECT count(*) FROM contacts")).scalar() == 1
    finally:
        engine.dispose()

    command.upgrade(config, "head")
    assert _searched(empty_url, "renewal") == [1]
    assert _searched(empty_url, "lunch golf") == [2]
    assert _typo_found(empty_url) == ["Priya Patel"]
