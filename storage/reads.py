"""Reads that need no ORM entity: a pooled connection for Core statements.

`Database.read` hands out a Session (identity map, instance state, its own transaction object);
a page of rows turned straight into records needs none of that. `reading` is the same door
without it, "busy" when no pooled connection frees up in time:
- SQLite: one transaction (the begin hook sets the lock wait and BEGINs; WAL then shows every
  statement the same snapshot), rolled back at the end: nothing was written.
- PostgreSQL: autocommit. At READ COMMITTED (the server's default, which the engine keeps) each
  statement takes its own snapshot inside a transaction too, so BEGIN and ROLLBACK would only add
  two round trips to the server per read.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot.domain.records import ContactRecord
from bot.domain.rules import DEFAULT_CADENCE_DAYS
from storage.db import Database
from storage.models import Contact


@contextmanager
def reading(db: Database) -> Iterator[Connection]:
    try:
        with db.engine.connect() as connection:
            if not db.is_sqlite:
                connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            yield connection
    except PoolTimeout as error:
        raise db._busy(error) from error


_contacts = Contact.__table__
# A ContactRecord's stored fields, in its fields' order (`effective_cadence_days` is computed).
CONTACT_RECORD_COLUMNS = tuple(
    _contacts.c[name]
    for name in (
        "id",
        "team_id",
        "name",
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
        "archived_at",
        "merged_into_id",
    )
)


def contact_record(values, default_cadence_days: int | None) -> ContactRecord:
    """A ContactRecord of a row's `CONTACT_RECORD_COLUMNS` values (what `storage.contacts.to_record`
    makes of the entity), with the workspace's default cadence (None: no workspace row yet)."""
    cadence = DEFAULT_CADENCE_DAYS if default_cadence_days is None else default_cadence_days
    return ContactRecord(
        id=values[0],
        team_id=values[1],
        name=values[2],
        email=values[3],
        company=values[4],
        slack_user_id=values[5],
        owner_user_id=values[6],
        cadence_days=values[7],
        effective_cadence_days=values[7] or cadence,
        snoozed_until=values[8],
        last_contacted_at=values[9],
        due_at=values[10],
        created_by=values[11],
        created_at=values[12],
        updated_at=values[13],
        archived_at=values[14],
        merged_into_id=values[15],
    )
