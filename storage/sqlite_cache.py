"""A bounded SQLite page cache for serving processes (issue 19, item 6: RSS flat under load).

Each SQLite connection keeps its own page cache, 2 MiB by default (`cache_size=-2000`), and a
serving process pools one connection per thread that may hold one (`bot.capacity.pool_size_for`:
26 with waitress' 8 threads). As the file grows those caches fill, so the process' RSS crept up
with every request served (+11 MiB between 1,000 and 10,000 requests in the benchmark) before
levelling off at pool size x 2 MiB. The operating system caches the same file pages once for
every connection, so a small per-connection cache costs little: reads the cache misses are
`pread`s served from memory.
"""

from __future__ import annotations

from sqlalchemy import Engine, event

SERVING_CACHE_KIB = 256


def limit_page_cache(engine: Engine, kib: int = SERVING_CACHE_KIB) -> None:
    """Every new connection of this (SQLite) engine caches at most `kib` KiB of pages."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _cache_size(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA cache_size=-{int(kib)}")
        finally:
            cursor.close()
