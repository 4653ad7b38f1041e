"""How many connections and threads a serving process needs (no gunicorn import: start-up time).

`bot.workers` re-exports these; `touchbase serve` without `--workers` never imports gunicorn.
"""

from __future__ import annotations

# Spare connections for the odd extra holder (health checks, Bolt's own threads).
POOL_SPARE = 2
# Threads running listeners after ack (bot/app.py gives Bolt a pool of this size). Kept here,
# not in bot.app, so that sizing the pool doesn't import the app, its listeners and the ORM.
LISTENER_THREADS = 16


def pool_size_for(
    *, server_threads: int, listener_threads: int | None = None, digest_threads: int = 0
) -> int:
    """Connections one process can use at once: each of these threads holds at most one."""
    if listener_threads is None:
        listener_threads = LISTENER_THREADS
    return server_threads + listener_threads + digest_threads + POOL_SPARE


def scheduler_threads() -> int:
    """Threads of an in-process scheduler that can hold a connection: the digest pool and its job."""
    from bot.services.digests import DEFAULT_CONCURRENCY

    return DEFAULT_CONCURRENCY + 2
