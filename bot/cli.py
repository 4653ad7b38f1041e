"""The `touchbase` command (also `python -m bot`)."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from bot.settings import Settings, SettingsError, configure_logging, load_dotenv_file, load_settings

logger = logging.getLogger("touchbase")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="touchbase", description="Touchbase: a contact log for Slack.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the Slack app (Socket Mode if SLACK_APP_TOKEN is set)")
    serve.add_argument("--port", type=int, help="HTTP port (default: $PORT or 3000)")
    serve.add_argument("--host", default="0.0.0.0", help="HTTP bind address (default: 0.0.0.0)")
    serve.add_argument("--no-migrate", action="store_true", help="don't apply pending migrations at start")
    serve.add_argument("--no-scheduler", action="store_true", help="don't run the digest scheduler here")
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="HTTP worker processes on one port (default 1: one process; more: gunicorn, HTTP mode only)",
    )
    serve.set_defaults(run=cmd_serve)

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_commands.add_parser("upgrade", help="migrate the database to the latest schema").set_defaults(
        run=cmd_db_upgrade
    )

    from bot.cli_digest import add_digest_commands
    from bot.cli_transfer import add_transfer_commands
    from bot.cli_workspace import add_workspace_commands

    add_digest_commands(commands)
    add_transfer_commands(commands)
    add_workspace_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    load_dotenv_file()
    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"touchbase: {error}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    try:
        return args.run(args, settings) or 0
    except SettingsError as error:
        print(f"touchbase: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _migrate(settings: Settings) -> None:
    from sqlalchemy.exc import OperationalError

    from storage.migrate import upgrade

    try:
        upgrade(settings.database_url)
    except OperationalError as error:
        reason = " ".join(str(error.orig).split())  # the driver's message spans lines
        raise SettingsError(f"DATABASE_URL: can't reach the database ({reason})") from None


def cmd_db_upgrade(args, settings: Settings) -> int:
    _migrate(settings)
    print(f"Database is at the latest schema ({_safe_url(settings.database_url)}).")
    return 0


def cmd_serve(args, settings: Settings) -> int:
    from bot.server import WAITRESS_THREADS, build_wsgi, serve_http, serve_socket_mode
    from bot.workers import scheduler_threads

    settings.require_slack()
    if args.workers < 1:
        raise SettingsError("--workers must be 1 or more")
    if args.workers > 1 and settings.socket_mode:
        raise SettingsError("--workers needs HTTP mode: Socket Mode runs one process (unset SLACK_APP_TOKEN)")
    if not args.no_migrate:
        _migrate(settings)
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
    served = build_wsgi(
        settings,
        server_threads=WAITRESS_THREADS,
        scheduler_threads=0 if args.no_scheduler else scheduler_threads(),
    )
    app, db, client = served.app, served.db, served.client
    if not db.ping():
        raise SettingsError(f"DATABASE_URL: can't reach the database at {_safe_url(settings.database_url)}")
    if not args.no_scheduler:
        from bot.scheduler import scheduler_clients, start_scheduler

        clients, refresh = scheduler_clients(settings, db, client)
        start_scheduler(settings, db, clients, refresh_tokens=refresh)
    if settings.socket_mode:
        serve_socket_mode(app, settings.slack_app_token)
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
