"""`touchbase check`, and the same checks at the start of `touchbase serve`.

Each check gives one line: settings, database (reachable, schema at the latest
migration), bot token (`auth.test`: workspace and bot user), scopes (the token's
`x-oauth-scopes` against those app.manifest.yaml declares), then the app token in Socket
Mode (`apps.connections.open`) or, in HTTP mode, the Request URL to paste into the app's
settings. Every Slack call goes to SLACK_API_URL, with a short timeout and no retries, so a
check is quick.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bot.settings import Settings, SettingsError

logger = logging.getLogger("touchbase.check")

# The bot scopes app.manifest.yaml declares (tests/test_check.py keeps the two equal; the
# manifest isn't installed with the package, so the list lives here too).
MANIFEST_BOT_SCOPES = ("commands", "chat:write", "im:write", "users:read", "users:read.email")
EVENTS_PATH = "/slack/events"
SLACK_TIMEOUT_SECONDS = 5
# auth.test / apps.connections.open errors meaning the token itself is no good.
REJECTED = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "account_inactive",
        "token_revoked",
        "token_expired",
        "not_allowed_token_type",
        "invalid_token",
        "org_login_required",
        "ekm_access_denied",
        "team_access_not_granted",
    }
)

OK, WARN, FAIL, NOTE = "ok", "warn", "FAIL", "note"


@dataclass(frozen=True)
class Result:
    name: str
    status: str  # ok, warn, FAIL, note
    message: str
    # serve stops on this one (a rejected token, a database it can't use), unless --no-check.
    stops_serve: bool = False

    @property
    def failed(self) -> bool:
        return self.status == FAIL

    def line(self) -> str:
        return f"{self.status:<5} {self.name + ':':<12} {self.message}"


# --- the checks ----------------------------------------------------------------------------


def check_settings(settings: Settings) -> Result:
    mode = "Socket Mode (SLACK_APP_TOKEN is set)" if settings.socket_mode else "HTTP mode"
    return Result(
        "settings",
        OK,
        f"{mode}; database {safe_url(settings.database_url)}; Slack API {settings.slack_api_url}",
    )


def check_database(database_url: str) -> Result:
    """Reachable, and migrated to the head revision (without creating a SQLite file)."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    from storage.schema_head import head_if_current

    url = make_url(database_url)
    where = safe_url(database_url)
    in_a_file = url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")
    if in_a_file and not Path(url.database or "").exists():
        return Result(
            "database",
            FAIL,
            f"{where}: the file doesn't exist yet; run `touchbase db upgrade` "
            "(`touchbase serve` also migrates at start)",
            stops_serve=True,
        )
    connect_args = (
        {"connect_timeout": SLACK_TIMEOUT_SECONDS} if url.get_backend_name() == "postgresql" else {}
    )
    engine = create_engine(database_url, connect_args=connect_args)
    try:
        with engine.connect() as conn:
            at_head = head_if_current(conn)  # the usual answer, without importing Alembic
            if at_head is not None:
                return Result("database", OK, f"reachable; schema at the latest migration ({at_head})")
            from alembic.runtime.migration import MigrationContext

            current = MigrationContext.configure(conn).get_current_revision()
    except SQLAlchemyError as error:
        reason = " ".join(str(getattr(error, "orig", None) or error).split())
        return Result("database", FAIL, f"can't reach {where} ({reason})", stops_serve=True)
    finally:
        engine.dispose()
    from alembic.script import ScriptDirectory

    from storage.migrate import alembic_config

    scripts = ScriptDirectory.from_config(alembic_config(database_url))
    head = scripts.get_current_head()
    if current == head:
        return Result("database", OK, f"reachable; schema at the latest migration ({head})")
    if current is None:
        return Result(
            "database",
            FAIL,
            f"{where} is reachable but not migrated (no schema); run `touchbase db upgrade`",
            stops_serve=True,
        )
    known = {script.revision for script in scripts.walk_revisions()}
    if current not in known:
        return Result(
            "database",
            WARN,
            f"schema at revision {current}, which this version doesn't know (a newer release migrated it?)",
        )
    return Result(
        "database",
        FAIL,
        f"schema at revision {current}, the latest is {head}; run `touchbase db upgrade`",
        stops_serve=True,
    )


def check_slack(settings: Settings) -> Iterator[Result]:
    """Bot token, its scopes, then the app token (Socket Mode) or the Request URL (HTTP)."""
    from slack_sdk import WebClient
    from slack_sdk.errors import SlackApiError

    if not settings.slack_bot_token:
        yield Result("bot token", FAIL, "SLACK_BOT_TOKEN isn't set (see .env.example)", stops_serve=True)
        return
    client = WebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=SLACK_TIMEOUT_SECONDS,
        retry_handlers=[],
    )
    try:
        auth = client.auth_test()
    except SlackApiError as error:
        code = error.response.get("error", "error")
        yield Result(
            "bot token",
            FAIL,
            f"Slack rejected SLACK_BOT_TOKEN ({code}): copy the Bot User OAuth Token (xoxb-…) from "
            "your app's OAuth & Permissions page (install the app first)",
            stops_serve=code in REJECTED,
        )
        return
    except OSError as error:  # URLError, timeouts, refused connections
        yield Result("bot token", FAIL, f"can't reach Slack at {settings.slack_api_url} ({_reason(error)})")
        return
    yield Result(
        "bot token",
        OK,
        f"accepted: workspace “{auth.get('team')}” ({auth.get('team_id')}), "
        f"bot @{auth.get('user')} ({auth.get('user_id')})",
    )
    yield check_scopes(_header(auth.headers, "x-oauth-scopes"))
    if settings.socket_mode:
        yield check_app_token(settings)
    else:
        yield Result(
            "request URL",
            NOTE,
            f"HTTP mode: Slack must reach https://YOUR-HOST{EVENTS_PATH} over public HTTPS; it goes in "
            "every url, request_url and message_menu_options_url of app.manifest.yaml",
        )


def check_scopes(granted_header: str | None) -> Result:
    if granted_header is None:
        return Result(
            "scopes", WARN, "Slack didn't say which scopes the token has (no x-oauth-scopes header)"
        )
    granted = {scope.strip() for scope in granted_header.split(",") if scope.strip()}
    missing = [scope for scope in MANIFEST_BOT_SCOPES if scope not in granted]
    if missing:
        return Result(
            "scopes",
            FAIL,
            f"the token lacks {', '.join(missing)}: add {'them' if len(missing) > 1 else 'it'} under "
            "OAuth & Permissions → Scopes (or update the app from app.manifest.yaml), then reinstall the app",
        )
    return Result("scopes", OK, f"all {len(MANIFEST_BOT_SCOPES)} that app.manifest.yaml declares are granted")


def check_app_token(settings: Settings) -> Result:
    from slack_sdk import WebClient
    from slack_sdk.errors import SlackApiError

    client = WebClient(base_url=settings.slack_api_url, timeout=SLACK_TIMEOUT_SECONDS, retry_handlers=[])
    try:
        # Asks for a WebSocket URL (the first step of connecting) and never opens it.
        client.apps_connections_open(app_token=settings.slack_app_token or "")
    except SlackApiError as error:
        code = error.response.get("error", "error")
        return Result(
            "app token",
            FAIL,
            f"Slack rejected SLACK_APP_TOKEN ({code}): generate an app-level token with connections:write "
            "under Basic Information → App-Level Tokens, and turn Socket Mode on",
            stops_serve=code in REJECTED,
        )
    except OSError as error:
        return Result("app token", FAIL, f"can't reach Slack at {settings.slack_api_url} ({_reason(error)})")
    return Result("app token", OK, "accepted: Socket Mode can connect")


# --- running them --------------------------------------------------------------------------


def run_checks(settings: Settings, *, slack: bool = True) -> Iterator[Result]:
    yield check_settings(settings)
    yield check_database(settings.database_url)
    if slack:
        yield from check_slack(settings)


def cmd_check(args, settings: Settings | None, settings_error: SettingsError | None = None) -> int:
    """Print one line per check; exit 1 if any failed."""
    if settings is None or settings_error is not None:
        print(Result("settings", FAIL, str(settings_error)).line())
        print("1 check failed; the others need valid settings.")
        return 1
    try:
        settings.require_slack()
    except SettingsError as error:
        print(Result("settings", FAIL, str(error)).line())
        print("1 check failed; the others need valid settings.")
        return 1
    failed = 0
    for result in run_checks(settings):
        print(result.line(), flush=True)
        failed += result.failed
    if failed:
        print(f"{failed} check{'s' if failed > 1 else ''} failed.")
        return 1
    print("All checks passed.")
    return 0


def startup_checks(settings: Settings, *, slack: bool = True) -> None:
    """`serve`: log one line per check; stop (SettingsError, one line) on a rejected token or
    a database it can't use. Slack being unreachable only warns: /healthz should still serve."""
    for result in run_checks(settings, slack=slack):
        if result.stops_serve:
            setting = {"bot token": "SLACK_BOT_TOKEN", "app token": "SLACK_APP_TOKEN"}.get(
                result.name, "DATABASE_URL"
            )
            hint = " (or start with --no-check)" if result.name.endswith("token") else ""
            message = result.message
            if setting not in message:
                message = f"{setting}: {message}"
            raise SettingsError(message + hint)
        level = {OK: logging.INFO, NOTE: logging.INFO, WARN: logging.WARNING}.get(
            result.status, logging.ERROR
        )
        logger.log(
            level,
            "check %s %s: %s",
            result.name,
            result.status.lower(),
            result.message,
            extra={"check": result.name, "check_status": result.status.lower()},
        )


def _header(headers, name: str) -> str | None:
    for key, value in (headers or {}).items():
        if key.lower() == name:
            return value[0] if isinstance(value, list) else value
    return None


def _reason(error: OSError) -> str:
    return str(getattr(error, "reason", None) or error)


def safe_url(url: str) -> str:
    """The URL without its password, for messages."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
