"""One-time keys shared by every process: "has this been seen lately?" answered by the database.

A slash command replayed byte for byte carries the trigger id it had the first time; a modal
whose user was asked "log again?" carries its view id. Either may reach any worker process, so
the memory of them lives here rather than in one process. Expired keys are swept as new ones come.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, select

from storage.db import Database
from storage.dialects import postgresql, sqlite
from storage.models import RequestKey

KEY_MAX_CHARS = 255
SWEEP_ONE_IN = 200  # sweeping expired keys on one claim in N keeps the table small and claims cheap


@functools.cache
def _claim_statement(dialect: str) -> Any:
    """The claim's upsert, built once per dialect (its values are parameters; the PostgreSQL
    dialect is imported only when a PostgreSQL database asks for it)."""
    insert: Callable[..., Any] = postgresql.insert if dialect == "postgresql" else sqlite.insert
    values = insert(RequestKey).values(
        team_id=bindparam("team_id"), key=bindparam("key"), expires_at=bindparam("expires_at")
    )
    return values.on_conflict_do_update(
        index_elements=[RequestKey.team_id, RequestKey.key],
        set_={"expires_at": values.excluded.expires_at},
        where=RequestKey.expires_at <= bindparam("now"),
    ).returning(RequestKey.key)


def claim(db: Database, team_id: str, key: str, *, now: datetime, ttl: timedelta) -> bool:
    """True when `key` is new in the workspace (or its last claim expired): it is now claimed.

    One statement (an upsert that changes nothing for a live key), so two processes claiming the
    same key at once can't both win.
    """
    key = key[:KEY_MAX_CHARS]
    statement = _claim_statement(db.dialect)
    with db.write() as session:
        # A row comes back only when one was inserted or an expired one renewed.
        params = {"team_id": team_id, "key": key, "expires_at": now + ttl, "now": now}
        claimed = session.execute(statement, params).first() is not None
        if random.randrange(SWEEP_ONE_IN) == 0:
            session.execute(delete(RequestKey).where(RequestKey.expires_at <= now))
        return claimed


def is_claimed(db: Database, team_id: str, key: str, *, now: datetime) -> bool:
    """Whether `key` was claimed in the workspace and has not expired."""
    with db.read() as session:
        found = session.scalar(
            select(RequestKey.expires_at).where(
                RequestKey.team_id == team_id,
                RequestKey.key == key[:KEY_MAX_CHARS],
                RequestKey.expires_at > now,
            )
        )
        return found is not None
