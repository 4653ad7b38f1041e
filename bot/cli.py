"""The `touchbase` command (also `python -m bot`).

`touchbase` alone prints the command list and exits 2, like any other usage error: a
script that lost its command (`touchbase $JOB` with JOB empty) must not pass for a
success. The list goes to stdout, so `touchbase | less` reads it.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.settings import Settings, SettingsError, configure_logging, load_dotenv_file, load_settings

if TYPE_CHECKING:
    from slack_bolt import App

    from bot.server import AppWarmup

logger = logging.getLogger("touchbase")

EPILOG = (
    "Settings come from the environment and a .env file in the working directory "
    "(see .env.example). `touchbase COMMAND --help` explains each command. "
    "Exit codes: 0 done; 1 some rows or checks failed; 2 a setting, usage or database problem."
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="touchbase",
        description="Touchbase: a contact log for Slack. Start with `touchbase check`, then `touchbase serve`.",
        epilog=EPILOG,
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = commands.add_parser(
        "serve",
        help="run the Slack app (Socket Mode if SLACK_APP_TOKEN is set)",
        description="Run the Slack app: Socket Mode when SLACK_APP_TOKEN is set (no public URL needed), "
        "else HTTP mode, where Slack posts to /slack/events on --port and GET /healthz answers 200 "
        "while the database does. At start it applies pending migrations, runs the checks of "
        "`touchbase check` (one log line each; a token Slack rejects stops it), and starts the "
        "digest scheduler.",
    )
    serve.add_argument("--port", type=int, help="HTTP port (default: $PORT or 3000)")
    serve.add_argument("--host", default="0.0.0.0", help="HTTP bind address (default: 0.0.0.0)")
    serve.add_argument("--no-migrate", action="store_true", help="don't apply pending migrations at start")
    serve.add_argument("--no-scheduler", action="store_true", help="don't run the digest scheduler here")
    serve.add_argument(
        "--no-check", action="store_true", help="don't ask Slack whether the tokens are valid at start"
    )
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="HTTP worker processes on one port (default 1: one process; more: gunicorn, HTTP mode only)",
    )
    serve.set_defaults(run=cmd_serve)

    check = commands.add_parser(
        "check",
        help="check settings, database, tokens and scopes, one line each",
        description="Check what serving needs, one line each: the settings; the database (reachable, "
        "migrated to the latest schema); the bot token (Slack's auth.test: workspace and bot user); "
        "its scopes against those app.manifest.yaml declares; in Socket Mode the app-level token "
        "(apps.connections.open), in HTTP mode the Request URL to give Slack. Exits 1 if a check "
        "failed. Slack is asked at SLACK_API_URL.",
    )
    check.set_defaults(run=cmd_check, own_settings=True)

    db = commands.add_parser(
        "db",
        help="database maintenance",
        description="Database maintenance. `touchbase serve` migrates at start unless --no-migrate.",
    )
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_commands.add_parser(
        "upgrade",
        help="migrate the database to the latest schema",
        description="Apply every pending migration (Alembic) to DATABASE_URL, creating the SQLite file "
        "or the tables if needed. Safe to run again: an up-to-date database is left as it is.",
    ).set_defaults(run=cmd_db_upgrade)

    from bot.cli_digest import add_digest_commands
    from bot.cli_report import add_report_commands
    from bot.cli_transfer import add_transfer_commands
    from bot.cli_workspace import add_workspace_commands

    add_digest_commands(commands)
    add_transfer_commands(commands)
    add_workspace_commands(commands)
    add_report_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    load_dotenv_file()
    try:
        settings = load_settings()
    except SettingsError as error:
        if getattr(args, "own_settings", False):
            return args.run(args, None, error)
        print(f"touchbase: {error}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, settings.log_format)
    try:
        return args.run(args, settings) or 0
    except SettingsError as error:
        print(f"touchbase: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _migrate(settings: Settings) -> None:
    from sqlalchemy.exc import OperationalError

    from storage.schema_head import is_at_head

    try:
        if is_at_head(settings.database_url):
            return  # nothing to do, and Alembic left unimported (start-up time)
        from storage.migrate import upgrade

        upgrade(settings.database_url)
    except OperationalError as error:
        reason = " ".join(str(error.orig).split())  # the driver's message spans lines
        raise SettingsError(f"DATABASE_URL: can't reach the database ({reason})") from None


def cmd_db_upgrade(args, settings: Settings) -> int:
    _migrate(settings)
    print(f"Database is at the latest schema ({_safe_url(settings.database_url)}).")
    return 0


def cmd_check(args, settings: Settings | None, settings_error: SettingsError | None = None) -> int:
    from bot.check import cmd_check as run

    return run(args, settings, settings_error)


def cmd_serve(args, settings: Settings) -> int:
    from bot.capacity import pool_size_for, scheduler_threads
    from bot.check import startup_checks
    from bot.server import (
        WAITRESS_THREADS,
        AppWarmup,
        build_app,
        open_serving_database,
        serve_http,
        serve_socket_mode,
    )

    settings.require_slack()
    if args.workers < 1:
        raise SettingsError("--workers must be 1 or more")
    if args.workers > 1 and settings.socket_mode:
        raise SettingsError("--workers needs HTTP mode: Socket Mode runs one process (unset SLACK_APP_TOKEN)")
    if not args.no_migrate:
        _migrate(settings)
    # In OAuth mode there is no single bot token to check: each workspace brings its own.
    startup_checks(settings, slack=not args.no_check and not settings.oauth)
    if args.workers > 1:
        from bot.workers import serve_workers

        _check_database(settings)  # then nothing connected is left for the workers to inherit
        return serve_workers(
            settings,
            host=args.host,
            port=args.port or settings.port,
            workers=args.workers,
            scheduler=not args.no_scheduler,
        )
    db = open_serving_database(
        settings,
        pool_size=pool_size_for(
            server_threads=WAITRESS_THREADS,
            digest_threads=0 if args.no_scheduler else scheduler_threads(),
        ),
    )
    client = None
    if not args.no_scheduler or settings.oauth or settings.socket_mode:
        from bot.slack import build_client

        client = build_client(settings)
    app: App | AppWarmup
    if settings.oauth or settings.socket_mode:
        # Built before anything runs, as OAuth mode's settings (encryption key, installation
        # store) are checked there, and Socket Mode connects with it.
        app = build_app(settings, db, client)
    else:
        # Listen first: the Bolt app (listeners, storage, the ORM) is built once the socket is bound.
        app = AppWarmup(lambda: build_app(settings, db, client))
    if not db.ping():
        raise SettingsError(f"DATABASE_URL: can't reach the database at {_safe_url(settings.database_url)}")
    if not args.no_scheduler:
        from bot.scheduler import scheduler_clients, start_scheduler

        assert client is not None
        clients, refresh = scheduler_clients(settings, db, client)
        start_scheduler(settings, db, clients, refresh_tokens=refresh)
    if settings.socket_mode:
        assert not isinstance(app, AppWarmup)
        serve_socket_mode(app, settings.slack_app_token or "")
    else:
        serve_http(
            app,
            db,
            signing_secret=settings.slack_signing_secret or "",
            port=args.port or settings.port,
            host=args.host,
        )
    return 0


def _check_database(settings: Settings) -> None:
    from storage.db import Database

    db = Database(settings.database_url)
    try:
        if not db.ping():
            raise SettingsError(
                f"DATABASE_URL: can't reach the database at {_safe_url(settings.database_url)}"
            )
    finally:
        db.dispose()


def _safe_url(url: str) -> str:
    """The URL without its password, for messages."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
