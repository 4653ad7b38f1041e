"""Is the database already at the latest migration? Answered without importing Alembic.

Importing Alembic (and the Mako and Pygments it pulls in) and loading its script directory
costs ~150-300 ms, which `touchbase serve` used to pay at every start-up just to learn that
there was nothing to do. Here the migrations' head is read from the revision files' own
`revision` / `down_revision` lines, and the database's from `alembic_version`. Anything
unusual (a branch label, a dependency, a file that can't be read this way, several heads)
answers "don't know" and the caller asks Alembic as before.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

from sqlalchemy import Connection, create_engine, inspect, pool, text

VERSIONS_DIR = Path(__file__).parent / "migrations" / "versions"
_ASSIGNMENT = re.compile(
    r"^(?P<name>revision|down_revision|branch_labels|depends_on)\s*(?::[^=]+)?=\s*(?P<value>.+?)\s*$",
    re.MULTILINE,
)


@cache
def script_head() -> str | None:
    """The one head revision of the migration files, or None when it takes Alembic to say."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in sorted(VERSIONS_DIR.glob("*.py")):
        values: dict[str, object] = {}
        for match in _ASSIGNMENT.finditer(path.read_text(encoding="utf-8")):
            try:
                values[match["name"]] = ast.literal_eval(match["value"])
            except (ValueError, SyntaxError):
                return None
        revision = values.get("revision")
        if not isinstance(revision, str) or values.get("branch_labels") or values.get("depends_on"):
            return None
        down = values.get("down_revision")
        if isinstance(down, str):
            parents.add(down)
        elif isinstance(down, tuple | list):
            if not all(isinstance(parent, str) for parent in down):
                return None
            parents.update(down)
        elif down is not None:
            return None
        revisions.add(revision)
    heads = revisions - parents
    return next(iter(heads)) if len(heads) == 1 else None


def head_if_current(conn: Connection) -> str | None:
    """The head revision if the database is exactly at it; None if not, or if unsure."""
    head = script_head()
    if head is None or not inspect(conn).has_table("alembic_version"):
        return None
    versions = [row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))]
    conn.rollback()
    return head if versions == [head] else None


def is_at_head(database_url: str) -> bool:
    """Connects (errors propagate, as Alembic's would) and compares; False means "migrate"."""
    engine = create_engine(database_url, poolclass=pool.NullPool)
    try:
        with engine.connect() as conn:
            return head_if_current(conn) is not None
    finally:
        engine.dispose()
