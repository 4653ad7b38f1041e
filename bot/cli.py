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
    serve.set_defaults(run=cmd_serve)

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_commands.add_parser("upgrade", help="migrate the database to the latest schema").set_defaults(
        run=cmd_db_upgrade
    )

    from bot.cli_digest import add_digest_commands
    from bot.cli_transfer import add_transfer_commands

    add_digest_commands(commands)
    add_transfer_commands(commands)
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
    from bot.app import create_app
    from bot.server import serve_http, serve_socket_mode
    from bot.slack import build_client
    from storage.db import Database

    settings.require_slack()
    if not args.no_migrate:
        _migrate(settings)
    db = Database(settings.database_url)
    if not db.ping():
        raise SettingsError(f"DATABASE_URL: can't reach the database at {_safe_url(settings.database_url)}")
    client = build_client(settings)
    app = create_app(settings, db, client)
    if not args.no_scheduler:
        from bot.scheduler import start_scheduler

        start_scheduler(settings, db, client)
    if settings.socket_mode:
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


def _safe_url(url: str) -> str:
    """The URL without its password, for messages."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
