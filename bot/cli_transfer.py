"""`touchbase export interactions|contacts` and `touchbase contacts import`: data out and in.

The work is storage.export's and storage.imports'; this module turns arguments and
settings into their inputs (including the Slack lookups of emails and of the token's
workspace, which storage must not do) and prints reports.
Exit codes: 0 all rows fine, 1 some rows had errors (the others were imported),
2 usage or settings problems (one line on stderr).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from functools import partial
from pathlib import Path

from bot.settings import Settings, SettingsError

# Printing every note of a 100k-row import helps nobody; errors are always printed in full.
NOTES_SHOWN = 50
SLACK_USER_ID_RE = re.compile(r"^[UW][A-Z0-9]{1,31}$")
# A dry run writes nothing, so nobody has to own what it would create.
DRY_RUN_USER = "(importing user)"


def add_transfer_commands(subparsers) -> None:
    export = subparsers.add_parser(
        "export",
        help="write data out (streams, so any size fits)",
        description="Write interactions, contacts or the interactions' history out as CSV or JSON, "
        "streamed in constant memory.",
    )
    export_commands = export.add_subparsers(dest="export_command", required=True, metavar="WHAT")
    interactions = export_commands.add_parser(
        "interactions",
        help="every live interaction, per workspace and oldest first",
        description="Write every live (not deleted) interaction with its first contact's name and email "
        "and all its attendees (names and ids, joined by '; ' in CSV, lists in JSON), "
        "ordered by workspace, time and id. Timestamps are UTC (ISO-8601, ending in Z). "
        "json is one JSON array with an object per line.",
    )
    contacts_export = export_commands.add_parser(
        "contacts",
        help="every contact, in a file `touchbase contacts import` reads back",
        description="Write every contact, per workspace in creation order. The first columns are the "
        "import's: name, email, company, cadence (days; empty = the workspace default), owner (a "
        "Slack user id); then slack_user_id, last_contacted_at, snoozed_until, team_id, id, "
        "created_at and updated_at, which the import skips. Timestamps are UTC (ISO-8601, ending in Z).",
    )
    history = export_commands.add_parser(
        "history",
        help="every change to every interaction (deleted ones too): who, when, what",
        description="Write the history of every interaction, deleted ones included: one row per create, "
        "edit, delete, restore, merge and merge undo, with the acting Slack user and the time (UTC, "
        "ISO-8601 ending in Z), ordered by workspace, interaction and time. `changes` is "
        '{"field": [old, new]} (JSON text in csv, an object in json); contacts carry their name at '
        "the time.",
    )
    for command, run in (
        (interactions, cmd_export_interactions),
        (contacts_export, cmd_export_contacts),
        (history, cmd_export_history),
    ):
        command.add_argument("--format", choices=("csv", "json"), default="csv", help="default: csv")
        command.add_argument("--team", metavar="T", help="only this workspace (default: all of them)")
        command.add_argument("--output", "-o", metavar="FILE", help="write to FILE (default: stdout)")
        command.set_defaults(run=run)
    interactions.add_argument(
        "--per-attendee",
        action="store_true",
        help="one row per attendee (contact_* is that attendee) instead of one per interaction",
    )

    contacts = subparsers.add_parser(
        "contacts", help="manage contacts", description="Manage contacts (for now: import a CSV file)."
    )
    contacts_commands = contacts.add_subparsers(dest="contacts_command", required=True, metavar="ACTION")
    imports = contacts_commands.add_parser(
        "import",
        help="add or update contacts from a CSV file",
        description="Columns (header on line 1, any case): name, email, company, cadence (days), "
        "owner (an email or a Slack user id). Rows are matched by email, so importing a file again "
        "changes nothing; empty cells never clear a stored value. A row without an owner is owned "
        "by the --as user when it creates a contact. Owner emails are looked up in Slack when "
        "SLACK_BOT_TOKEN is set, and a row whose owner email matches no Slack user is reported and "
        "not imported; without a token, contacts it creates belong to the --as user. "
        "`touchbase export contacts` writes a file this command reads back.",
    )
    imports.add_argument("file", metavar="FILE.csv", help="the CSV file (UTF-8)")
    imports.add_argument(
        "--team",
        metavar="T",
        help="workspace id (default: SLACK_BOT_TOKEN's workspace, else the only one in the database)",
    )
    imports.add_argument(
        "--as",
        dest="as_user",
        metavar="USER",
        help="you, the importing Slack user: your Slack email (needs SLACK_BOT_TOKEN) or member id "
        "(U0123ABCD: in Slack, your profile → ⋮ → Copy member ID). Recorded as the creator, and "
        "owner of new contacts whose row has no owner. Required unless --dry-run.",
    )
    imports.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
    imports.set_defaults(run=cmd_import_contacts)


# --- export ----------------------------------------------------------------------------


def cmd_export_interactions(args, settings: Settings) -> int:
    return _export(args, settings, "interactions")


def cmd_export_contacts(args, settings: Settings) -> int:
    return _export(args, settings, "contacts")


def cmd_export_history(args, settings: Settings) -> int:
    return _export(args, settings, "history")


def _export(args, settings: Settings, what: str) -> int:
    from storage.export import workspace_ids

    db = _database(settings)
    try:
        with _database_errors():
            if args.team is not None and args.team not in workspace_ids(db):
                raise SettingsError(f"--team {args.team}: no such workspace in this database")
            if args.output in (None, "-"):
                count = _export_to_stdout(db, args, what)
                where = "stdout"
            else:
                count = _export_to_file(db, args, what, Path(args.output))
                where = args.output
    finally:
        db.dispose()
    if count is None:
        return 0  # the reader went away (e.g. `| head`): not an error
    one, many = {"history": ("history entry", "history entries")}.get(what, (what[:-1], what))
    noun = one if count == 1 else many
    if getattr(args, "per_attendee", False):
        noun = "attendee rows" if count != 1 else "attendee row"
    scope = f" of {args.team}" if args.team else ""
    # On stderr, so stdout carries nothing but the export.
    print(f"Exported {count:,} {noun}{scope} as {args.format} to {where}.", file=sys.stderr)
    return 0


def _writer(what: str, args):
    from storage.export import export_contacts, export_history, export_interactions

    if what == "contacts":
        return export_contacts
    if what == "history":
        return export_history
    return partial(export_interactions, per_attendee=bool(getattr(args, "per_attendee", False)))


def _export_to_stdout(db, args, what: str) -> int | None:
    try:
        count = _writer(what, args)(db, team_id=args.team, fmt=args.format, out=sys.stdout)
        sys.stdout.flush()
        return count
    except BrokenPipeError:
        _silence_stdout()
        return None


def _silence_stdout() -> None:
    """The reader went away (`| head`): Python would complain again at exit while flushing."""
    with suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _export_to_file(db, args, what: str, path: Path) -> int:
    # Written beside the target and renamed at the end: a failed export never leaves a
    # truncated file that looks complete.
    partial = path.with_name(path.name + ".partial")
    try:
        with partial.open("w", encoding="utf-8", newline="") as out:
            count = _writer(what, args)(db, team_id=args.team, fmt=args.format, out=out)
        partial.replace(path)
    except OSError as error:
        raise SettingsError(f"--output {path}: {error.strerror or error}") from None
    finally:
        partial.unlink(missing_ok=True)
    return count


# --- import ----------------------------------------------------------------------------


def cmd_import_contacts(args, settings: Settings) -> int:
    from bot.domain.errors import Invalid
    from storage.imports import import_contacts

    path = Path(args.file)
    _check_readable_text(path)
    if args.as_user is None and not args.dry_run:
        raise SettingsError(
            "contacts import needs --as USER: your Slack email or member id (U0123ABCD), "
            "recorded as the importer and owner of rows without an owner"
        )
    client = _slack_client(settings)
    token_team = _token_team(client) if client else None
    if args.team and token_team and args.team != token_team:
        raise SettingsError(
            f"--team {args.team}: SLACK_BOT_TOKEN belongs to workspace {token_team}; "
            "owners would be looked up in the wrong workspace"
        )
    acting_user = _acting_user(args.as_user, client) if args.as_user else DRY_RUN_USER
    db = _database(settings)
    try:
        with _database_errors():
            team_id = args.team or token_team or _pick_team(db)
            with path.open(encoding="utf-8-sig", newline="") as rows:
                try:
                    report = import_contacts(
                        db,
                        team_id=team_id,
                        acting_user_id=acting_user,
                        rows=rows,
                        dry_run=args.dry_run,
                        user_lookup=_owner_lookup(client) if client else None,
                    )
                except Invalid as invalid:
                    raise SettingsError(f"{path}: {'; '.join(invalid.fields.values())}") from None
    finally:
        db.dispose()
    try:
        print(format_import_report(report, path.name, owners_looked_up=client is not None))
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
    return 1 if report.errors else 0


def _check_readable_text(path: Path) -> None:
    """Fail before importing anything, rather than at the first undecodable byte mid-file."""
    try:
        with path.open(encoding="utf-8-sig") as text:
            while text.read(1 << 20):
                pass
    except FileNotFoundError:
        raise SettingsError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise SettingsError(f"{path}: is a directory, not a CSV file") from None
    except UnicodeDecodeError as error:
        raise SettingsError(
            f"{path}: not UTF-8 text (byte {error.start}); save it as “CSV UTF-8” and try again"
        ) from None
    except OSError as error:
        raise SettingsError(f"{path}: {error.strerror or error}") from None


def _pick_team(db) -> str:
    from storage.export import workspace_ids

    teams = workspace_ids(db)
    if len(teams) == 1:
        return teams[0]
    if not teams:
        raise SettingsError(
            "--team T is required: the database has no workspace yet (or set SLACK_BOT_TOKEN)"
        )
    raise SettingsError(
        f"--team T is required: the database has {len(teams)} workspaces ({', '.join(teams)})"
    )


def _slack_client(settings: Settings):
    if not settings.slack_bot_token:
        return None
    from bot.slack import build_client

    return build_client(settings)


@contextmanager
def _slack_errors(what: str) -> Iterator[None]:
    from slack_sdk.errors import SlackApiError

    try:
        yield
    except SlackApiError as error:
        code = error.response.get("error", "error")
        hint = " (the app needs the users:read.email scope)" if code == "missing_scope" else ""
        raise SettingsError(f"SLACK_BOT_TOKEN: Slack refused {what}: {code}{hint}") from None
    except OSError as error:  # urllib's URLError, timeouts, refused connections
        raise SettingsError(f"SLACK_API_URL: can't reach Slack ({error})") from None


def _token_team(client) -> str:
    """The workspace SLACK_BOT_TOKEN belongs to (auth.test)."""
    with _slack_errors("auth.test"):
        return client.auth_test()["team_id"]


def _acting_user(value: str, client) -> str:
    """--as: a Slack member id as is, or an email looked up in Slack."""
    if SLACK_USER_ID_RE.match(value):
        return value
    if "@" not in value:
        raise SettingsError(
            f"--as {value}: give your Slack email or member id (U0123ABCD; in Slack: your profile → ⋮ "
            "→ Copy member ID)"
        )
    if client is None:
        raise SettingsError(
            f"--as {value}: looking an email up needs SLACK_BOT_TOKEN; or give your Slack member id "
            "(your profile → ⋮ → Copy member ID)"
        )
    from slack_sdk.errors import SlackApiError

    with _slack_errors("users.lookupByEmail"):
        try:
            return client.users_lookupByEmail(email=value)["user"]["id"]
        except SlackApiError as error:
            if error.response.get("error") != "users_not_found":
                raise
    raise SettingsError(f"--as {value}: no Slack user in this workspace has that email")


def _owner_lookup(client) -> Callable[[str], str | None]:
    """Owner email -> Slack user id through users.lookupByEmail."""
    from slack_sdk.errors import SlackApiError

    def lookup(email: str) -> str | None:
        try:
            with _slack_errors("users.lookupByEmail"):
                try:
                    user = client.users_lookupByEmail(email=email)["user"]
                except SlackApiError as error:
                    if error.response.get("error") == "users_not_found":
                        return None
                    raise
        except SettingsError as error:
            raise SettingsError(
                f"{error}; earlier rows may be imported already, and importing again is safe"
            ) from None
        if user.get("deleted") or user.get("is_bot"):
            return None  # nobody to own contacts or get their digest
        return user["id"]

    return lookup


def format_import_report(report, file_name: str, *, owners_looked_up: bool) -> str:
    if report.dry_run:
        lines = [f"Dry run of {file_name} for workspace {report.team_id}: nothing was written."]
        counts = [("would create", report.created), ("would update", report.updated)]
    else:
        lines = [f"Imported {file_name} into workspace {report.team_id}."]
        counts = [("created", report.created), ("updated", report.updated)]
    counts += [("unchanged", report.unchanged), ("rows with errors", report.failed)]
    width = max(len(label) for label, _ in counts)
    lines += [f"  {label + ':':<{width + 1}} {count:,}" for label, count in counts]
    if report.ignored_columns:
        lines.append(f"Ignored columns: {', '.join(report.ignored_columns)}.")
    if report.errors:
        lines.append("Errors (these rows were not imported):")
        lines += [str(error) for error in report.errors]
    if report.notes:
        lines.append("Notes:")
        lines += [str(note) for note in report.notes[:NOTES_SHOWN]]
        if len(report.notes) > NOTES_SHOWN:
            lines.append(f"… and {len(report.notes) - NOTES_SHOWN:,} more notes.")
        if not owners_looked_up and any("wasn't looked up" in note.message for note in report.notes):
            lines.append("Set SLACK_BOT_TOKEN to turn owner emails into Slack users.")
    if report.errors and report.dry_run:
        lines.append("Fix those lines before importing.")
    elif report.errors:
        lines.append("Fix those lines and import the file again: rows already imported won't change.")
    return "\n".join(lines)


# --- shared ----------------------------------------------------------------------------


def _database(settings: Settings):
    from storage.db import Database

    return Database(settings.database_url, pgbouncer=settings.pgbouncer)


@contextmanager
def _database_errors() -> Iterator[None]:
    """Turn an unreachable or unmigrated database into one line naming DATABASE_URL."""
    from sqlalchemy.exc import OperationalError, ProgrammingError

    try:
        yield
    except (OperationalError, ProgrammingError) as error:
        reason = str(error.orig or error).strip().splitlines()[0]
        raise SettingsError(
            f"DATABASE_URL: {reason} (is the database reachable, and migrated with `touchbase db upgrade`?)"
        ) from None
