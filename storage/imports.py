"""Getting contacts in: the idempotent CSV import behind `touchbase contacts import`.

An upsert keyed by email, written one transaction per batch so a big file is fast and a
bad row never stops the others. Rows are matched like this:

- A row with an email updates the workspace's contact with that email. If there is none,
  and exactly one contact that existed before the import has the same name and no email
  (e.g. someone typed "/log Jane ..." before the import), that contact gets the email
  instead of a duplicate being created. Otherwise the contact is created.
- A row without an email has nothing reliable to match on, so it never changes an existing
  contact: it creates one only when no contact (and no earlier row of the file) has the
  same folded name, and otherwise counts as unchanged, with a note when its values differ.
- An empty cell never clears a stored value: the import only adds and corrects.

The owner cell is a Slack user id (as `touchbase export contacts` writes it), used as is,
or an email, which becomes a Slack user id through `user_lookup`, a function the caller
supplies (storage never talks to Slack). A row whose owner email matches no Slack user is
an error. Without a lookup, owner emails can't be checked: new contacts belong to the
importing user, existing ones keep their owner, and the row gets a note. A row without an
owner belongs to the importing user when it creates a contact.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TextIO, cast

from sqlalchemy import Table, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.domain.errors import Invalid
from storage.contacts import (
    EMAIL_RE,
    ContactDraft,
    _clean_draft,
    default_cadence,
    ensure_workspace,
    first_word,
    name_key,
    refresh_due_at,
    set_name,
)
from storage.db import Database
from storage.import_csv import (
    CADENCE_RE,
    EMAIL_MAX_CHARS,
    SLACK_USER_ID_RE,
    ImportReport,
    ImportRow,
    RowMessage,
    read_header,
)
from storage.models import Contact, utcnow

# Rows written per transaction: big enough to be fast, small enough that a long import
# never holds the SQLite write lock (or PostgreSQL row locks) for long.
IMPORT_BATCH_ROWS = 500
# A concurrent writer may create a contact with a row's email between our read and our
# insert; the batch is then replayed, and the second time it sees (and updates) that contact.
IMPORT_BATCH_ATTEMPTS = 3


# --- import ----------------------------------------------------------------------------


UserLookup = Callable[[str], str | None]


@dataclass
class _BatchOutcome:
    """What one batch did; merged into the report only once its transaction committed."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowMessage] = field(default_factory=list)
    notes: list[RowMessage] = field(default_factory=list)
    name_lines: dict[str, int] = field(default_factory=dict)
    adopted_ids: set[int] = field(default_factory=set)


def import_contacts(
    db: Database,
    *,
    team_id: str,
    acting_user_id: str,
    rows: Iterable[str] | TextIO,
    dry_run: bool,
    user_lookup: UserLookup | None,
    batch_size: int = IMPORT_BATCH_ROWS,
) -> ImportReport:
    """Upsert the contacts of a CSV (columns: name, email, company, cadence, owner email).

    `rows` is the file's text: an open file (opened with newline="") or its lines. Row
    problems are reported with their line numbers and don't stop the other rows; a file
    that can't be imported at all (empty, no name column) raises `Invalid`. With
    `dry_run`, everything is checked and counted but nothing is written.
    """
    if not team_id:
        raise ValueError("team_id is required")
    if isinstance(rows, str):
        rows = io.StringIO(rows, newline="")
    reader = csv.reader(rows)
    report = ImportReport(team_id=team_id, dry_run=dry_run)
    importer = _Importer(db, team_id, acting_user_id, dry_run, user_lookup, report)
    columns = read_header(reader, report)
    batch: list[ImportRow] = []
    last_line = reader.line_num
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            report.errors.append(
                RowMessage(last_line + 1, f"The CSV can't be read from here ({error}); the rest was skipped.")
            )
            break
        # line_num counts physical lines, so a quoted field spanning lines shifts what follows.
        line, last_line = last_line + 1, reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        report.rows += 1
        row = importer.parse(line, cells, columns)
        if row is not None:
            batch.append(row)
        if len(batch) >= batch_size:
            importer.import_batch(batch)
            batch = []
    if batch:
        importer.import_batch(batch)
    report.errors.sort(key=lambda message: message.line)
    report.notes.sort(key=lambda message: message.line)
    return report


class _Importer:
    def __init__(
        self,
        db: Database,
        team_id: str,
        acting_user_id: str,
        dry_run: bool,
        user_lookup: UserLookup | None,
        report: ImportReport,
    ) -> None:
        self.db = db
        self.team_id = team_id
        self.acting_user_id = acting_user_id
        self.dry_run = dry_run
        self.user_lookup = user_lookup
        self.report = report
        self.email_lines: dict[str, int] = {}
        # Folded name -> first line that imported it: a name without an email is imported once.
        self.name_lines: dict[str, int] = {}
        self.adopted_ids: set[int] = set()
        self.owners: dict[str, str | None] = {}
        with db.read() as session:
            known = session.execute(
                select(func.count(), func.max(Contact.id)).where(Contact.team_id == team_id)
            ).one()
        # Only contacts that existed before the import may be given a row's email by name,
        # so a dry run (which creates nothing) decides exactly like the real run.
        self.existing_max_id = known[1] or 0
        self.analyzed_size = known[0]
        self.created_since_analyze = 0

    def parse(self, line: int, cells: list[str], columns: dict[str, int]) -> ImportRow | None:
        def cell(column: str) -> str:
            index = columns.get(column)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        problems: list[str] = []
        if any("\x00" in value for value in cells):
            problems.append("It contains a NUL character.")
        raw_cadence = cell("cadence")
        cadence_days, cadence_problem = None, None
        if raw_cadence:
            match = CADENCE_RE.match(raw_cadence)
            if match is None:
                cadence_problem = f"Cadence “{raw_cadence}” isn't a number of days."
            else:
                cadence_days = int(match.group(1))
        try:
            draft = _clean_draft(
                ContactDraft(
                    name=cell("name"),
                    email=cell("email") or None,
                    company=cell("company") or None,
                    cadence_days=cadence_days,
                )
            )
        except Invalid as invalid:
            problems.extend(invalid.fields.values())
            draft = None
        if cadence_problem:
            problems.append(cadence_problem)
        email = draft.email if draft else (cell("email").lower() or None)
        if email and len(email) > EMAIL_MAX_CHARS:
            problems.append(f"Keep the email under {EMAIL_MAX_CHARS} characters.")
        if email:
            # Checked even when the row has other errors, so fixing those can't uncover a duplicate.
            first = self.email_lines.setdefault(email, line)
            if first != line:
                problems.append(f"{email} is also on line {first}; each email can appear only once.")
        owner_email = owner_user_id = None
        owner = cell("owner")
        if SLACK_USER_ID_RE.match(owner):
            owner_user_id = owner  # as `touchbase export contacts` writes it
        elif owner:
            owner_email = owner.lower()
            if not EMAIL_RE.match(owner_email):
                problems.append(f"Owner “{owner}” is neither an email address nor a Slack user id.")
        if problems or draft is None:
            self.report.errors.append(RowMessage(line, " ".join(problems)))
            return None
        return ImportRow(
            line=line,
            name=draft.name,
            key=name_key(draft.name),
            email=draft.email,
            company=draft.company,
            cadence_days=draft.cadence_days,
            owner_email=owner_email,
            owner_user_id=owner_user_id,
        )

    def import_batch(self, batch: list[ImportRow]) -> None:
        # Ask Slack before opening the transaction: no lock is held while waiting on the network.
        rows = [row for row in batch if self._resolve_owner(row)]
        for attempt in range(1, IMPORT_BATCH_ATTEMPTS + 1):
            try:
                outcome = self._write_batch(rows)
                break
            except IntegrityError:
                if attempt == IMPORT_BATCH_ATTEMPTS:
                    raise
        report = self.report
        report.created += outcome.created
        report.updated += outcome.updated
        report.unchanged += outcome.unchanged
        report.errors.extend(outcome.errors)
        report.notes.extend(outcome.notes)
        for key, line in outcome.name_lines.items():
            self.name_lines.setdefault(key, line)
        self.adopted_ids |= outcome.adopted_ids
        if not self.dry_run:
            self._keep_statistics_fresh(outcome.created)

    def _keep_statistics_fresh(self, created: int) -> None:
        """ANALYZE contacts each time the workspace has about doubled during the import.

        PostgreSQL plans the per-batch lookups from table statistics. Until autovacuum
        catches up, they still describe the workspace as it was (often: empty), and the
        planner then scans all its contacts for every batch instead of probing the email
        index: minutes instead of seconds for 100k rows. PostgreSQL's own advice for bulk
        loads is to ANALYZE; doubling keeps that to a handful of cheap runs.
        """
        if self.db.dialect != "postgresql":
            return  # SQLite has no statistics unless asked, and plans these lookups well without
        self.created_since_analyze += created
        if self.created_since_analyze < max(IMPORT_BATCH_ROWS, self.analyzed_size):
            return
        with self.db.engine.begin() as conn:
            # Not the table owner? PostgreSQL skips with a warning; the import just runs slower.
            conn.exec_driver_sql("ANALYZE contacts")
        self.analyzed_size += self.created_since_analyze
        self.created_since_analyze = 0

    def _resolve_owner(self, row: ImportRow) -> bool:
        if row.owner_email is None or self.user_lookup is None:
            return True
        if row.owner_email not in self.owners:
            self.owners[row.owner_email] = self.user_lookup(row.owner_email)
        row.owner_user_id = self.owners[row.owner_email]
        if row.owner_user_id is None:
            self.report.errors.append(
                RowMessage(
                    row.line, f"No Slack user in this workspace has the owner email {row.owner_email}."
                )
            )
            return False
        return True

    def _write_batch(self, rows: list[ImportRow]) -> _BatchOutcome:
        outcome = _BatchOutcome()
        with self.db.read() if self.dry_run else self.db.write() as session:
            if not self.dry_run:
                ensure_workspace(session, self.team_id)
            cadence = default_cadence(session, self.team_id)
            by_email, by_name = self._matching_contacts(session, rows)
            now = utcnow()
            new_contacts: list[dict] = []
            for row in rows:
                if row.email is not None:
                    contact = self._match_with_email(row, by_email, by_name, outcome)
                    if contact is None:
                        self._create(row, cadence, now, new_contacts, outcome)
                    else:
                        self._update(row, contact, cadence, now, outcome)
                else:
                    self._import_without_email(row, by_name, cadence, now, new_contacts, outcome)
                if row.key not in self.name_lines:
                    outcome.name_lines.setdefault(row.key, row.line)
            if new_contacts:
                # Core executemany: one round trip per page of rows, no ORM objects to track.
                session.execute(insert(cast(Table, Contact.__table__)), new_contacts)
        return outcome

    def _matching_contacts(
        self, session: Session, rows: list[ImportRow]
    ) -> tuple[dict[str, Contact], dict[str, list[Contact]]]:
        """The batch's contacts by email, and by folded name where the email doesn't match."""
        team = Contact.team_id == self.team_id
        emails = {row.email for row in rows if row.email}
        email_ids = dict(
            session.execute(select(Contact.email, Contact.id).where(team, Contact.email.in_(emails))).all()
        )
        keys = {row.key for row in rows if row.email is None or row.email not in email_ids}
        name_ids = set(session.scalars(select(Contact.id).where(team, Contact.name_key.in_(keys))))
        ids = set(email_ids.values()) | name_ids
        if not ids:
            return {}, {}
        # One statement reads them all again under lock, in id order like every other writer,
        # so a concurrent /log can't be undone by the due_at we recompute. By primary key only:
        # the ids are this workspace's already.
        query = select(Contact).where(Contact.id.in_(ids)).order_by(Contact.id)
        if not self.dry_run:
            query = query.with_for_update()
        contacts = session.scalars(query.execution_options(populate_existing=True)).all()
        by_email = {c.email: c for c in contacts if c.email in emails}
        by_name: dict[str, list[Contact]] = defaultdict(list)
        for contact in contacts:
            if contact.name_key in keys:
                by_name[contact.name_key].append(contact)
        return by_email, by_name

    def _match_with_email(
        self,
        row: ImportRow,
        by_email: dict[str, Contact],
        by_name: dict[str, list[Contact]],
        outcome: _BatchOutcome,
    ) -> Contact | None:
        contact = by_email.get(row.email) if row.email else None
        if contact is not None:
            return contact
        namesakes = [
            c
            for c in by_name.get(row.key, ())
            if c.email is None
            and c.id <= self.existing_max_id
            and c.id not in self.adopted_ids
            and c.id not in outcome.adopted_ids
        ]
        if len(namesakes) == 1:
            outcome.adopted_ids.add(namesakes[0].id)
            return namesakes[0]
        if namesakes:
            outcome.notes.append(
                RowMessage(
                    row.line,
                    f"{len(namesakes)} contacts are named “{row.name}” without an email; "
                    "a new one was created with this email.",
                )
            )
        return None

    def _import_without_email(
        self,
        row: ImportRow,
        by_name: dict[str, list[Contact]],
        cadence: int,
        now: datetime,
        new_contacts: list[dict],
        outcome: _BatchOutcome,
    ) -> None:
        earlier = self.name_lines.get(row.key) or outcome.name_lines.get(row.key)
        if earlier is not None:
            outcome.unchanged += 1
            outcome.notes.append(
                RowMessage(
                    row.line, f"“{row.name}” is also on line {earlier}; without an email it is imported once."
                )
            )
            return
        namesakes = by_name.get(row.key)
        if not namesakes:
            self._create(row, cadence, now, new_contacts, outcome)
            return
        outcome.unchanged += 1
        if len(namesakes) > 1 or _changes(row, namesakes[0]):
            outcome.notes.append(
                RowMessage(
                    row.line,
                    f"a contact named “{row.name}” exists and rows without an email never change one: "
                    "add its email to update it.",
                )
            )

    def _create(
        self, row: ImportRow, cadence: int, now: datetime, new_contacts: list[dict], outcome: _BatchOutcome
    ) -> None:
        outcome.created += 1
        if row.owner_email and self.user_lookup is None:
            outcome.notes.append(
                RowMessage(
                    row.line,
                    f"owner {row.owner_email} wasn't looked up (no Slack lookup available), "
                    "so the importing user owns it.",
                )
            )
        if self.dry_run:
            return
        new_contacts.append(
            {
                "team_id": self.team_id,
                "name": row.name,
                "name_key": row.key,
                "first_name_key": first_word(row.key),
                "email": row.email,
                "company": row.company,
                "slack_user_id": None,
                "owner_user_id": row.owner_user_id or self.acting_user_id,
                "cadence_days": row.cadence_days,
                "snoozed_until": None,
                "last_contacted_at": None,
                # refresh_due_at's rule for a contact never contacted nor snoozed, without
                # building an ORM object per row.
                "due_at": now + timedelta(days=row.cadence_days or cadence),
                "created_by": self.acting_user_id,
                "created_at": now,
                "updated_at": now,
            }
        )

    def _update(
        self, row: ImportRow, contact: Contact, cadence: int, now: datetime, outcome: _BatchOutcome
    ) -> None:
        if row.owner_email and self.user_lookup is None:
            outcome.notes.append(
                RowMessage(
                    row.line,
                    f"owner {row.owner_email} wasn't looked up (no Slack lookup available), "
                    "so the owner stays as it was.",
                )
            )
        changes = _changes(row, contact)
        if not changes:
            outcome.unchanged += 1
            return
        outcome.updated += 1
        if self.dry_run:
            return  # the read session would otherwise flush (and commit) the change
        for name, value in changes.items():
            setattr(contact, name, value)
        set_name(contact, contact.name)
        contact.updated_at = now
        refresh_due_at(contact, cadence)


def _changes(row: ImportRow, contact: Contact) -> dict[str, object]:
    """Fields the row would change; empty cells keep what is stored."""
    wanted = {
        "name": row.name,
        "email": row.email,
        "company": row.company,
        "cadence_days": row.cadence_days,
        "owner_user_id": row.owner_user_id,
    }
    return {
        name: value for name, value in wanted.items() if value is not None and value != getattr(contact, name)
    }
