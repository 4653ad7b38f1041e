"""Getting data out: interactions and contacts as CSV or JSON, streamed.

Rows come from a server-side cursor in batches and are written one by one, so a million
rows cost what a thousand do in memory. `csv` has a header row; `json` is one JSON array,
written an object per line as rows arrive, so it is valid JSON for `json.load` and still
greppable line by line. Timestamps are ISO-8601 in UTC with a `Z`.

The contacts export is what `touchbase contacts import` reads back: its first five
columns are the import's (name, email, company, cadence, owner, the owner as a Slack user
id), and the import skips the informational columns after them.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Literal, TextIO

from sqlalchemy import Select, and_, select
from sqlalchemy.orm import Session

from storage.attendees import attendees_of
from storage.db import Database
from storage.models import Contact, Interaction, InteractionContact, InteractionHistory, Workspace

ExportFormat = Literal["csv", "json"]
EXPORT_FORMATS: tuple[str, ...] = ("csv", "json")
EXPORT_COLUMNS = (
    "team_id",
    "id",
    "contact_id",
    "contact_name",
    "contact_email",
    "type",
    "occurred_at",
    "time_known",  # false: only the day is known (occurred_at is the start of that day where it was logged)
    "duration_minutes",
    "summary",
    "notes",
    "logged_by",
    "source",
    "permalink",
    "created_at",
    "updated_at",
    # The follow-up: the day it was set for (local to logged_by), the day it is due now (a snooze
    # moves it; empty once done), when it was done and by whom.
    "follow_up_on",
    "follow_up_due_on",
    "follow_up_done_at",
    "follow_up_done_by",
    # Every contact of the interaction, first first (CSV: joined by "; "; JSON: lists).
    "attendees",
    "attendee_ids",
)
# Importable columns first (storage/imports.py reads them), then what only informs.
CONTACT_EXPORT_COLUMNS = (
    "name",
    "email",
    "company",
    "cadence",
    "owner",
    "slack_user_id",
    "last_contacted_at",
    "snoozed_until",
    "team_id",
    "id",
    "created_at",
    "updated_at",
)
# Export columns the import knows and skips without a word.
INFORMATIONAL_CONTACT_COLUMNS = CONTACT_EXPORT_COLUMNS[5:]
HISTORY_EXPORT_COLUMNS = ("team_id", "id", "interaction_id", "action", "actor_user_id", "at", "changes")
# Rows fetched from the cursor at a time: the export's memory is about this many rows.
EXPORT_BATCH_ROWS = 1000


def export_interactions(
    db: Database, *, team_id: str | None, fmt: ExportFormat, out: TextIO, per_attendee: bool = False
) -> int:
    """Write every live interaction (of `team_id`, or of all workspaces) to `out`; returns the rows.

    Order is (team_id, occurred_at, id), the order of an index on interactions. `contact_*` is
    the first attendee, or with `per_attendee` one row per attendee with that attendee's.
    """
    query = (
        select(
            Interaction.team_id,
            Interaction.id,
            InteractionContact.contact_id if per_attendee else Interaction.contact_id,
            Contact.name,
            Contact.email,
            Interaction.type,
            Interaction.occurred_at,
            Interaction.time_known,
            Interaction.duration_minutes,
            Interaction.summary,
            Interaction.notes,
            Interaction.logged_by,
            Interaction.source,
            Interaction.permalink,
            Interaction.created_at,
            Interaction.updated_at,
            Interaction.follow_up_on,
            Interaction.follow_up_due_on,
            Interaction.follow_up_done_at,
            Interaction.follow_up_done_by,
        )
        .where(Interaction.deleted_at.is_(None))
        .order_by(Interaction.team_id, Interaction.occurred_at, Interaction.id)
    )
    # Matching the workspace too: nothing crosses workspaces, even through a bad row.
    if per_attendee:
        query = (
            query.join(InteractionContact, InteractionContact.interaction_id == Interaction.id)
            .join(
                Contact,
                and_(Contact.id == InteractionContact.contact_id, Contact.team_id == Interaction.team_id),
            )
            .order_by(InteractionContact.position, InteractionContact.contact_id)
        )
    else:
        query = query.join(
            Contact, and_(Contact.id == Interaction.contact_id, Contact.team_id == Interaction.team_id)
        )
    if team_id is not None:
        query = query.where(Interaction.team_id == team_id)
    return _stream(db, query, EXPORT_COLUMNS, fmt, out, enrich=_with_attendees)


def _with_attendees(session: Session, batch: Sequence[Sequence], values: list[list]) -> None:
    """Add the attendees (names, ids) of each row's interaction (its id is the row's second value)."""
    people = attendees_of(session, [row[1] for row in batch])
    for row, line in zip(batch, values, strict=True):
        mine = people.get(row[1], ())
        line.extend([[a.name for a in mine], [a.id for a in mine]])


def export_contacts(db: Database, *, team_id: str | None, fmt: ExportFormat, out: TextIO) -> int:
    """Write every contact (of `team_id`, or of all workspaces) to `out`; returns the count.

    Order is (team_id, id). `cadence` is the contact's own cadence in days (empty when it
    follows the workspace default); `owner` is the owner's Slack user id.
    """
    query = select(
        Contact.name,
        Contact.email,
        Contact.company,
        Contact.cadence_days,
        Contact.owner_user_id,
        Contact.slack_user_id,
        Contact.last_contacted_at,
        Contact.snoozed_until,
        Contact.team_id,
        Contact.id,
        Contact.created_at,
        Contact.updated_at,
    ).order_by(Contact.team_id, Contact.id)
    if team_id is not None:
        query = query.where(Contact.team_id == team_id)
    return _stream(db, query, CONTACT_EXPORT_COLUMNS, fmt, out)


def export_history(db: Database, *, team_id: str | None, fmt: ExportFormat, out: TextIO) -> int:
    """Write every interaction's history (of `team_id`, or of all workspaces) to `out`; returns the count.

    Deleted interactions' history included. Order is (team_id, interaction_id, at, id), the
    history index's. `changes` is {field: [old, new]}: JSON text in csv, an object in json.
    """
    query = select(
        InteractionHistory.team_id,
        InteractionHistory.id,
        InteractionHistory.interaction_id,
        InteractionHistory.action,
        InteractionHistory.actor_user_id,
        InteractionHistory.at,
        InteractionHistory.changes,
    ).order_by(
        InteractionHistory.team_id,
        InteractionHistory.interaction_id,
        InteractionHistory.at,
        InteractionHistory.id,
    )
    if team_id is not None:
        query = query.where(InteractionHistory.team_id == team_id)
    nest = _nest_changes if fmt == "json" else None
    return _stream(db, query, HISTORY_EXPORT_COLUMNS, fmt, out, nest)


def _nest_changes(session: Session, rows: Sequence[Sequence], lines: list[list]) -> None:
    """The stored JSON text of `changes` (the last column) as an object, for the json export."""
    for line in lines:
        line[-1] = json.loads(line[-1] or "null")


def _stream(
    db: Database,
    query: Select,
    columns: Sequence[str],
    fmt: str,
    out: TextIO,
    enrich: Callable[[Session, Sequence[Sequence], list[list]], None] | None = None,
) -> int:
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
    count = 0
    with db.read() as session:
        # yield_per streams: a server-side cursor on PostgreSQL, fetchmany on SQLite, and
        # the ORM never buffers the whole result.
        result = session.execute(query, execution_options={"yield_per": EXPORT_BATCH_ROWS})
        lines = _lines(session, result, enrich)
        if fmt == "csv":
            writer = csv.writer(out)
            writer.writerow(columns)
            for line in lines:
                writer.writerow(["; ".join(map(str, v)) if isinstance(v, list) else v for v in line])
                count += 1
        else:
            out.write("[")
            for line in lines:
                out.write(",\n" if count else "\n")
                out.write(json.dumps(dict(zip(columns, line, strict=True)), ensure_ascii=False))
                count += 1
            out.write("\n]\n" if count else "]\n")
    return count


def _lines(session: Session, result, enrich) -> Iterator[list]:
    """Each row's values, batch by batch (`enrich` adds to a batch's lines with one more query)."""
    for batch in result.partitions():
        values = [_export_values(row) for row in batch]
        if enrich is not None:
            enrich(session, batch, values)
        yield from values


def _export_values(row: Sequence) -> list:
    return [
        _iso_utc(value)
        if isinstance(value, datetime)
        else value.isoformat()
        if isinstance(value, date)
        else value
        for value in row
    ]


def _iso_utc(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def workspace_ids(db: Database) -> list[str]:
    """The workspaces this database holds, so a command can default to the only one."""
    with db.read() as session:
        return list(session.scalars(select(Workspace.team_id).order_by(Workspace.team_id)))
