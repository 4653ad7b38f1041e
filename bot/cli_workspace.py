"""`touchbase workspace purge TEAM_ID --yes`: delete everything one workspace stored.

Contacts, interactions, settings, digest deliveries, timelines (and whatever else a row
with that `team_id` holds, or a row hanging off one), then its installations and tokens.
Without `--yes` it only counts what would go and refuses.
"""

from __future__ import annotations

import re
import sys

from sqlalchemy import ColumnElement, Table, delete, func, select

from bot.settings import Settings, SettingsError

TEAM_ID = re.compile(r"^[TE][A-Z0-9]{2,31}$")


def add_workspace_commands(subparsers) -> None:
    workspace = subparsers.add_parser(
        "workspace",
        help="one workspace's data (OAuth installs)",
        description="Manage one workspace's data in a Touchbase that serves several workspaces.",
    )
    actions = workspace.add_subparsers(dest="workspace_command", required=True, metavar="ACTION")
    purge = actions.add_parser(
        "purge",
        help="delete a workspace's data: contacts, interactions, settings, deliveries, timelines, tokens",
        description="Delete every row a workspace stored, and its installation. Cannot be undone: "
        "back the database up first. Refuses without --yes.",
    )
    purge.add_argument("team_id", metavar="TEAM_ID", help="the workspace's id, e.g. T0123ABCD")
    purge.add_argument("--yes", action="store_true", help="confirm: really delete")
    purge.set_defaults(run=cmd_purge)


def _plan(team_id: str) -> list[tuple[Table, ColumnElement[bool]]]:
    """(table, WHERE clause) in an order that deletes children before their parents."""
    from bot.installations import oauth_metadata
    from storage.models import Base

    plan: list[tuple[Table, ColumnElement[bool]]] = []
    tables = list(reversed(Base.metadata.sorted_tables))
    by_name = {t.name: t for t in tables}
    for table in tables:
        if "team_id" in table.c:
            plan.append((table, table.c.team_id == team_id))
            continue
        # No team_id of its own: rows hanging off a parent that has one.
        for fk in table.foreign_keys:
            parent = by_name.get(fk.column.table.name)
            if parent is not None and "team_id" in parent.c:
                owned = select(fk.column).where(parent.c.team_id == team_id)
                plan.append((table, fk.parent.in_(owned)))
                break
    for table in oauth_metadata().sorted_tables:
        if "team_id" in table.c:
            plan.append((table, table.c.team_id == team_id))
    return plan


def purge_workspace(db, team_id: str, *, dry_run: bool = False) -> dict[str, int]:
    """Rows deleted (or, with dry_run, that would be) per table, in one transaction."""
    from sqlalchemy import inspect

    present = set(inspect(db.engine).get_table_names())
    counts: dict[str, int] = {}
    with db.write() as session:
        for table, where in _plan(team_id):
            if table.name not in present:
                continue
            if dry_run:
                counts[table.name] = session.execute(
                    select(func.count()).select_from(table).where(where)
                ).scalar()
            else:
                result = session.execute(delete(table).where(where))
                counts[table.name] = getattr(result, "rowcount", 0) or 0
        if dry_run:
            session.rollback()
    return counts


def cmd_purge(args, settings: Settings) -> int:
    from bot.scheduler import open_database

    team_id = args.team_id.strip().upper()
    if not TEAM_ID.match(team_id):
        raise SettingsError(f"TEAM_ID must be a Slack workspace id like T0123ABCD, got {args.team_id!r}")
    db = open_database(settings)
    try:
        counts = purge_workspace(db, team_id, dry_run=not args.yes)
    finally:
        db.dispose()
    listing = ", ".join(f"{name} {count}" for name, count in counts.items() if count) or "nothing"
    if not args.yes:
        print(f"Would delete for {team_id}: {listing}.")
        print(
            "touchbase: refusing to purge without --yes (this cannot be undone; back up first)",
            file=sys.stderr,
        )
        return 2
    print(f"Purged {team_id}: {listing}.")
    return 0
