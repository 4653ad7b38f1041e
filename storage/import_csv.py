"""Reading a contacts CSV: the header, and what a row and a report are.

storage/imports.py does the matching and writing; this module knows the file's shape.
The header is matched loosely (any case, `_` or `-` for spaces, a unit in parentheses):
"Owner_Email", "owner email" and "Cadence (days)" all name their column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.domain.errors import Invalid
from storage.export import INFORMATIONAL_CONTACT_COLUMNS

EMAIL_MAX_CHARS = 254  # the contacts.email column
IMPORT_COLUMNS = ("name", "email", "company", "cadence", "owner email")
# Folded header text -> field.
_HEADER_FIELDS = {
    "name": "name",
    "email": "email",
    "e mail": "email",
    "email address": "email",
    "company": "company",
    "cadence": "cadence",
    "cadence days": "cadence",
    "owner": "owner",
    "owner email": "owner",
    "owner id": "owner",
    "owner user id": "owner",
}
# Columns `touchbase export contacts` writes for information only: skipped without a note.
_INFORMATIONAL = frozenset(" ".join(column.split("_")) for column in INFORMATIONAL_CONTACT_COLUMNS)
SLACK_USER_ID_RE = re.compile(r"^[UW][A-Z0-9]{2,31}$")
CADENCE_RE = re.compile(r"^(\d{1,6})\s*(?:d|days?)?$", re.IGNORECASE)


@dataclass(frozen=True)
class RowMessage:
    """Something about one row of the file.

    `line` is where the row starts, counting from 1 with the header as line 1: a quoted
    field with line breaks makes a row span several lines, and the rows after it count them.
    """

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class ImportReport:
    team_id: str
    dry_run: bool
    rows: int = 0  # data rows read (blank lines aside)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowMessage] = field(default_factory=list)  # rows not imported
    notes: list[RowMessage] = field(default_factory=list)  # rows imported, with a caveat
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return len(self.errors)


@dataclass
class ImportRow:
    line: int
    name: str
    key: str
    email: str | None
    company: str | None
    cadence_days: int | None
    owner_email: str | None
    owner_user_id: str | None = None


def read_header(reader, report: ImportReport) -> dict[str, int]:
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        line = reader.line_num
        columns: dict[str, int] = {}
        for index, header in enumerate(cells):
            folded = fold_header(header)
            column = _HEADER_FIELDS.get(folded)
            if column is None:
                if folded and folded not in _INFORMATIONAL:
                    report.ignored_columns.append(header.strip())
                continue
            if column in columns:
                raise Invalid({"header": f"line {line}: two columns mean {column} ({header.strip()!r})."})
            columns[column] = index
        if "name" not in columns:
            found = ", ".join(cell.strip() for cell in cells if cell.strip())
            raise Invalid(
                {
                    "header": f"line {line}: there is no name column (found: {found}). "
                    f"The first line names the columns: {', '.join(IMPORT_COLUMNS)}."
                }
            )
        return columns
    raise Invalid(
        {"file": f"The file is empty: its first line names the columns ({', '.join(IMPORT_COLUMNS)})."}
    )


def fold_header(header: str) -> str:
    text = re.sub(r"\(.*?\)", " ", header.replace("\ufeff", ""))
    return " ".join(re.sub(r"[_\-]+", " ", text).casefold().split())
