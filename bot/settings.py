"""Settings read once from the environment (and `.env`), validated up front.

A bad setting must stop start-up with one line naming it, so every check raises
`SettingsError` with a message meant for an operator, never a traceback.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlparse

DEFAULT_DATABASE_URL = "sqlite:///touchbase.db"
DEFAULT_SLACK_API_URL = "https://slack.com/api/"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOG_FORMATS = ("text", "json")
# .env.example's values say "paste-…-here"; copied unchanged, they must not look like settings.
PLACEHOLDER_MARK = "paste-"


class SettingsError(Exception):
    """A setting is missing or malformed; the message names it."""


@dataclass(frozen=True)
class Settings:
    slack_bot_token: str | None
    slack_signing_secret: str | None
    slack_app_token: str | None
    database_url: str
    slack_api_url: str
    log_level: str
    port: int
    log_format: str = "text"
    # OAuth distribution (many workspaces): client id and secret, no bot token.
    slack_client_id: str | None = None
    slack_client_secret: str | None = None
    # Fernet key encrypting installation tokens at rest (TOUCHBASE_TOKEN_KEY).
    token_key: str | None = None
    # PgBouncer in transaction mode in front of PostgreSQL (TOUCHBASE_PGBOUNCER=1).
    pgbouncer: bool = False

    @property
    def socket_mode(self) -> bool:
        return bool(self.slack_app_token)

    @property
    def oauth(self) -> bool:
        """Installed into many workspaces through OAuth: client id + secret and no bot token."""
        return bool(self.slack_client_id and self.slack_client_secret and not self.slack_bot_token)

    def require_slack(self) -> Settings:
        """Check what serving needs: a bot token, and a signing secret in HTTP mode."""
        if self.oauth:
            if self.socket_mode:
                raise SettingsError(
                    "SLACK_APP_TOKEN: OAuth distribution (SLACK_CLIENT_ID/SLACK_CLIENT_SECRET) serves "
                    "HTTP mode only; unset SLACK_APP_TOKEN"
                )
            if not self.slack_signing_secret:
                raise SettingsError(
                    "SLACK_SIGNING_SECRET is required with SLACK_CLIENT_ID/SLACK_CLIENT_SECRET"
                )
            return self
        if not self.slack_bot_token:
            raise SettingsError(
                "SLACK_BOT_TOKEN is required: set it in .env or the environment (see .env.example)"
            )
        if not self.socket_mode and not self.slack_signing_secret:
            raise SettingsError(
                "SLACK_SIGNING_SECRET is required in HTTP mode "
                "(or set SLACK_APP_TOKEN to use Socket Mode; see .env.example)"
            )
        return self


def load_dotenv_file(path: str = ".env") -> None:
    """Load `.env` into the process environment; real environment variables win."""
    from dotenv import load_dotenv

    load_dotenv(path, override=False)


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env

    def get(name: str) -> str | None:
        value = env.get(name)
        return value.strip() if value and value.strip() else None

    bot_token = get("SLACK_BOT_TOKEN")
    if bot_token and not bot_token.startswith("xoxb-"):
        raise SettingsError("SLACK_BOT_TOKEN must be a bot token starting with xoxb-")
    app_token = get("SLACK_APP_TOKEN")
    if app_token and not app_token.startswith("xapp-"):
        raise SettingsError("SLACK_APP_TOKEN must be an app-level token starting with xapp-")
    for name, value in (("SLACK_BOT_TOKEN", bot_token), ("SLACK_APP_TOKEN", app_token)):
        if value and PLACEHOLDER_MARK in value:
            raise SettingsError(
                f"{name} is still the example from .env.example: paste your app's token "
                "(README, Getting started, says where it is)"
            )

    database_url = get("DATABASE_URL") or DEFAULT_DATABASE_URL
    if "://" not in database_url or not database_url.split("://", 1)[0]:
        raise SettingsError(f"DATABASE_URL is not a database URL: {database_url!r}")
    scheme = database_url.split("://", 1)[0].split("+", 1)[0]
    if scheme not in ("sqlite", "postgresql", "postgres"):
        raise SettingsError("DATABASE_URL must be a sqlite:/// or postgresql:// URL")

    api_url = get("SLACK_API_URL") or DEFAULT_SLACK_API_URL
    parsed = urlparse(api_url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise SettingsError(f"SLACK_API_URL must be an http(s) URL, got {api_url!r}")
    if not api_url.endswith("/"):
        # slack_sdk joins method names with urljoin, which drops a last path segment without "/".
        api_url += "/"

    log_level = (get("TOUCHBASE_LOG_LEVEL") or "INFO").upper()
    if log_level not in LOG_LEVELS:
        raise SettingsError(f"TOUCHBASE_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}")

    log_format = (get("TOUCHBASE_LOG_FORMAT") or "text").lower()
    if log_format not in LOG_FORMATS:  # "must be text or json, got 'xml'"
        raise SettingsError(
            f"TOUCHBASE_LOG_FORMAT must be {' or '.join(LOG_FORMATS)}, got {get('TOUCHBASE_LOG_FORMAT')!r}"
        )
    client_id, client_secret = get("SLACK_CLIENT_ID"), get("SLACK_CLIENT_SECRET")
    if bool(client_id) != bool(client_secret):
        missing = "SLACK_CLIENT_SECRET" if client_id else "SLACK_CLIENT_ID"
        raise SettingsError(f"{missing} is required when the other OAuth setting is set")
    token_key = get("TOUCHBASE_TOKEN_KEY")
    if token_key:
        from bot.tokens import check_key

        problem = check_key(token_key)
        if problem:
            raise SettingsError(f"TOUCHBASE_TOKEN_KEY {problem}")
    pgbouncer_text = (get("TOUCHBASE_PGBOUNCER") or "0").lower()
    if pgbouncer_text not in ("0", "1", "true", "false", "yes", "no"):
        raise SettingsError("TOUCHBASE_PGBOUNCER must be 1 or 0")

    port_text = get("PORT") or "3000"
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise SettingsError(f"PORT must be a port number (1-65535), got {port_text!r}")

    return Settings(
        slack_bot_token=bot_token,
        slack_signing_secret=get("SLACK_SIGNING_SECRET"),
        slack_app_token=app_token,
        database_url=normalize_database_url(database_url),
        slack_api_url=api_url,
        log_level=log_level,
        port=int(port_text),
        log_format=log_format,
        slack_client_id=client_id,
        slack_client_secret=client_secret,
        token_key=token_key,
        pgbouncer=pgbouncer_text in ("1", "true", "yes"),
    )


def normalize_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever spelling the operator used."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def configure_logging(level: str, fmt: str = "text") -> None:
    """Root logging for the process: `text` lines or one JSON object per line (bot/logging_setup.py)."""
    from bot.logging_setup import configure

    configure(level, fmt)
