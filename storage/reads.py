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

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy import Connection, select
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session

from bot.domain.records import Attendee, ContactRecord, InteractionRecord
from bot.domain.rules import DEFAULT_CADENCE_DAYS
from storage.attendees import attendees_of
from storage.db import Database
from storage.models import Contact, Interaction


@contextmanager
def reading(db: Database) -> Iterator[Connection]:
    joined = db.joined_session()
    if joined is not None:  # inside `Database.snapshot()`: its transaction, no second checkout
        yield joined.connection()
        return
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


_interactions = Interaction.__table__
# An InteractionRecord's fields as columns, in its fields' order from `id` to `time_known`
# (`contact_name` the 4th, supplied by the query), then the follow-up's three after the attendees.
RECORD_HEAD = (
    _interactions.c.id,
    _interactions.c.team_id,
    _interactions.c.contact_id,
)
RECORD_MIDDLE = tuple(
    _interactions.c[name]
    for name in (
        "type",
        "occurred_at",
        "duration_minutes",
        "summary",
        "notes",
        "logged_by",
        "source",
        "permalink",
        "created_at",
        "updated_at",
        "updated_by",
        "deleted_at",
        "time_known",
    )
)
RECORD_TAIL = (
    _interactions.c.follow_up_on,
    _interactions.c.follow_up_due_on,
    _interactions.c.follow_up_done_at,
)


def record_columns(contact_name) -> tuple:
    """The columns `records_of_rows` reads, with `contact_name` (a column) the first contact's name."""
    return (*RECORD_HEAD, contact_name, *RECORD_MIDDLE, *RECORD_TAIL)


def records_of_rows(connection: Connection | Session, rows: Sequence[Sequence]) -> list[InteractionRecord]:
    """Records of rows of `record_columns(...)`, each with all its attendees (one more statement):
    no ORM entity on the way, the rows' values are the records' fields in order."""
    people = attendees_of(connection, [row[0] for row in rows])
    return [_record_of_row(row, row[3], people.get(row[0], ()), 4) for row in rows]


def _record_of_row(row: Sequence, name: str, attendees: tuple[Attendee, ...], at: int) -> InteractionRecord:
    """The record of a row: id, team_id, contact_id, then from `at` on RECORD_MIDDLE and RECORD_TAIL."""
    return InteractionRecord(
        id=row[0],
        team_id=row[1],
        contact_id=row[2],
        contact_name=name,
        type=row[at],
        occurred_at=row[at + 1],
        duration_minutes=row[at + 2],
        summary=row[at + 3],
        notes=row[at + 4],
        logged_by=row[at + 5],
        source=row[at + 6],
        permalink=row[at + 7],
        created_at=row[at + 8],
        updated_at=row[at + 9],
        updated_by=row[at + 10],
        deleted_at=row[at + 11],
        time_known=row[at + 12],
        all_contacts=attendees,
        follow_up_on=row[at + 13],
        follow_up_due_on=row[at + 14],
        follow_up_done_at=row[at + 15],
    )


# `records_named_by_attendees` reads these: the record's own columns, no contact name.
UNNAMED_RECORD_COLUMNS = (*RECORD_HEAD, *RECORD_MIDDLE, *RECORD_TAIL)


def records_named_by_attendees(
    connection: Connection | Session, rows: Sequence[Sequence]
) -> list[InteractionRecord]:
    """Records of rows of `UNNAMED_RECORD_COLUMNS`, each with its attendees (one more statement),
    the first contact's name taken from them (as `records_of` does)."""
    people = attendees_of(connection, [row[0] for row in rows])
    records = []
    for row in rows:
        mine = people.get(row[0], ())
        first = next((a.name for a in mine if a.id == row[2]), None)
        if first is None:  # pragma: no cover - every interaction has its first attendee's row
            first = connection.execute(
                select(Contact.__table__.c.name).where(Contact.__table__.c.id == row[2])
            ).scalar_one()
        records.append(_record_of_row(row, first, mine, 3))
    return records
