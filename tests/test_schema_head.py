"""`storage.schema_head`: the start-up shortcut agrees with Alembic, and only says "current" when it is."""

from __future__ import annotations

import os
import subprocess
import sys

from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text

from storage.migrate import alembic_config, current_revision
from storage.schema_head import is_at_head, script_head


def alembic_head() -> str:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def test_the_head_read_from_the_files_is_alembics():
    assert script_head() == alembic_head()


def test_a_migrated_database_is_at_the_head(db_url):
    assert current_revision(db_url) == alembic_head()
    assert is_at_head(db_url)


def test_a_database_one_revision_behind_is_not(db_url):
    scripts = ScriptDirectory.from_config(alembic_config(db_url))
    previous = scripts.get_revision(alembic_head()).down_revision
    engine = create_engine(db_url)

    def set_version(version: str) -> None:
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": version})

    try:
        set_version(previous)
        assert not is_at_head(db_url)
    finally:
        set_version(alembic_head())  # the PostgreSQL database is shared by the session's tests
        engine.dispose()


def test_an_empty_database_is_not(tmp_path):
    assert not is_at_head(f"sqlite:///{tmp_path / 'empty.db'}")


def test_serve_start_up_leaves_alembic_unimported_when_nothing_to_migrate(db_url):
    """What the shortcut is for: `touchbase serve` on a current database skips Alembic."""
    code = (
        "import sys\n"
        "from bot.check import check_database\n"
        "from bot.cli import _migrate\n"
        "from bot.settings import load_settings\n"
        "_migrate(load_settings())\n"
        "print(check_database(sys.argv[1]).status)\n"
        "print('alembic' in sys.modules)\n"
    )
    env = {"DATABASE_URL": db_url, "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "s"}
    completed = subprocess.run(
        [sys.executable, "-c", code, db_url],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.split() == ["ok", "False"]
