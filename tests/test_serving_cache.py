"""Serving processes bound SQLite's per-connection page cache (issue 19: RSS flat under load)."""

from __future__ import annotations

from sqlalchemy import text

from bot.server import open_serving_database
from bot.settings import load_settings
from storage.sqlite_cache import SERVING_CACHE_KIB


def cache_sizes(db, connections: int) -> list[int]:
    """PRAGMA cache_size of `connections` connections held at once (so each is a new one)."""
    held = [db.engine.connect() for _ in range(connections)]
    try:
        return [conn.execute(text("PRAGMA cache_size")).scalar_one() for conn in held]
    finally:
        for conn in held:
            conn.close()


def test_every_serving_connection_to_sqlite_has_the_small_cache(sqlite_template):
    settings = load_settings({"DATABASE_URL": sqlite_template.fresh_url()})
    db = open_serving_database(settings, pool_size=3)
    try:
        assert cache_sizes(db, 3) == [-SERVING_CACHE_KIB] * 3
    finally:
        db.dispose()


def test_other_uses_of_the_database_keep_sqlites_default(sqlite_template):
    from storage.db import Database

    db = Database(sqlite_template.fresh_url())
    try:
        assert cache_sizes(db, 1) == [-2000]  # SQLite's default: 2,000 KiB
    finally:
        db.dispose()
