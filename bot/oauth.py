"""Distribution to many workspaces: OAuth install, per-workspace tokens, token rotation.

With `SLACK_CLIENT_ID`, `SLACK_CLIENT_SECRET` and `SLACK_SIGNING_SECRET` and no
`SLACK_BOT_TOKEN`, the app serves `GET /slack/install` and `GET /slack/oauth_redirect`
(Bolt's OAuthFlow), keeps installations in its own database (bot/installations.py) and
answers each workspace with its own bot token.

Token rotation: refresh tokens are single use, so two processes refreshing one workspace
at once would leave one of them with a dead token. Every refresh here happens under the
workspace's lock (`InstallationStore.team_lock`) and re-reads the token inside it, so the
second comer sees the fresh token and does nothing. The scheduler refreshes tokens that
expire within two hours every few minutes; a request that meets a token expiring within
ten minutes refreshes it the same way first; Bolt's own rotation (5 minutes) therefore
never fires.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from slack_bolt import App
from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.token_rotation import TokenRotator

from bot.installations import InstallationStore, OAuthStateStore
from bot.settings import Settings
from bot.tokens import TokenCipher
from storage.db import Database

logger = logging.getLogger("touchbase.oauth")

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
# The bot scopes of app.manifest.yaml (tests/test_oauth.py checks they agree).
BOT_SCOPES = ("commands", "chat:write", "im:write", "users:read", "users:read.email")
# A request whose token expires sooner than this refreshes it (under the lock) first.
REQUEST_REFRESH_MINUTES = 10
# Bolt's own rotation threshold: below ours, so it never races us.
BOLT_ROTATION_MINUTES = 5
# The scheduled job refreshes tokens expiring within this, every REFRESH_JOB_SECONDS.
SCHEDULED_REFRESH_MINUTES = 120
REFRESH_JOB_SECONDS = 300


class TokenRefresher:
    """Refreshes one workspace's bot token at most once, whoever asks at the same time."""

    def __init__(self, store: InstallationStore, client_id: str, client_secret: str, client: WebClient):
        self.store = store
        self.rotator = TokenRotator(client_id=client_id, client_secret=client_secret, client=client)

    def refresh(self, team_id: str, *, within_minutes: int = SCHEDULED_REFRESH_MINUTES) -> Bot | None:
        """The workspace's current bot (refreshed if it expires within `within_minutes`)."""
        with self.store.team_lock(team_id) as session:
            # Read again under the lock: whoever held it before us may have refreshed already.
            bot = self.store.latest_bot_in(session, team_id)
            if bot is None or not bot.bot_refresh_token or bot.bot_token_expires_at is None:
                return bot
            if bot.bot_token_expires_at > time.time() + within_minutes * 60:
                return bot
            try:
                refreshed = self.rotator.perform_bot_token_rotation(
                    bot=bot, minutes_before_expiration=within_minutes
                )
            except Exception as error:  # SlackTokenRotationError wraps the SlackApiError
                cause = getattr(error, "api_error", None) or error
                code = cause.response.get("error") if isinstance(cause, SlackApiError) else repr(cause)
                logger.error("Slack API error: oauth.v2.access (refresh) for %s failed: %s", team_id, code)
                return bot
            if refreshed is None:
                return bot
            self.store.replace_bot_tokens_in(session, bot, refreshed)
            logger.info(
                "refreshed the bot token of %s (expires %s)",
                team_id,
                datetime.fromtimestamp(refreshed.bot_token_expires_at or 0, UTC).isoformat(),
            )
            return refreshed

    def refresh_expiring(self, *, within_minutes: int = SCHEDULED_REFRESH_MINUTES) -> int:
        """The scheduled job: refresh every workspace whose token expires soon; returns how many."""
        soon = datetime.now(UTC) + timedelta(minutes=within_minutes)
        refreshed = 0
        for team_id in self.store.teams_expiring_before(soon):
            try:
                with self.store.db.read() as session:
                    before = self.store.latest_bot_in(session, team_id)
                after = self.refresh(team_id, within_minutes=within_minutes)
                if after is not None and before is not None and after.bot_token != before.bot_token:
                    refreshed += 1
            except Exception:
                logger.exception("refreshing the token of %s failed", team_id)
        return refreshed


class FreshTokenStore(InstallationStore):
    """The installation store Bolt reads on each request: a token about to expire is refreshed first."""

    refresher: TokenRefresher | None = None

    def find_bot(self, *, enterprise_id, team_id, is_enterprise_install=False):
        bot = super().find_bot(
            enterprise_id=enterprise_id, team_id=team_id, is_enterprise_install=is_enterprise_install
        )
        if (
            bot is not None
            and team_id
            and self.refresher is not None
            and bot.bot_refresh_token
            and bot.bot_token_expires_at is not None
            and bot.bot_token_expires_at <= time.time() + REQUEST_REFRESH_MINUTES * 60
        ):
            bot = self.refresher.refresh(team_id, within_minutes=REQUEST_REFRESH_MINUTES) or bot
        return bot


class TeamClients:
    """Each workspace's Web API client, for jobs that run outside a request (digests).

    Single-workspace mode: the one client, whatever the team. OAuth mode: a client with that
    workspace's bot token (refreshed first if it expires soon), or None when not installed.
    """

    def __init__(
        self,
        base: WebClient,
        store: FreshTokenStore | None = None,
        refresher: TokenRefresher | None = None,
    ) -> None:
        self.base = base
        self.store = store
        self.refresher = refresher
        self._clients: dict[str, WebClient] = {}
        self._lock = threading.Lock()

    def __call__(self, team_id: str) -> WebClient | None:
        if self.store is None:
            return self.base
        bot = self.store.find_bot(enterprise_id=None, team_id=team_id)
        if bot is None or not bot.bot_token:
            return None
        with self._lock:
            client = self._clients.get(team_id)
            if client is None or client.token != bot.bot_token:
                client = WebClient(
                    token=bot.bot_token,
                    base_url=self.base.base_url,
                    timeout=self.base.timeout,
                    retry_handlers=list(self.base.retry_handlers or []),
                    logger=self.base.logger,
                )
                self._clients[team_id] = client
            return client

    def team_ids(self) -> list[str] | None:
        """Installed workspaces (OAuth mode), None in single-workspace mode (any team)."""
        return None if self.store is None else self.store.installed_team_ids()


@dataclass
class MultiWorkspace:
    """Everything OAuth mode adds to the Bolt app and the scheduler."""

    store: FreshTokenStore
    state_store: OAuthStateStore
    refresher: TokenRefresher
    oauth_settings: OAuthSettings
    authorize: InstallationStoreAuthorize

    def app_kwargs(self) -> dict:
        return {
            "installation_store": self.store,
            "installation_store_bot_only": True,
            "oauth_settings": self.oauth_settings,
            "authorize": self.authorize,
        }

    def register(self, app: App) -> None:
        from handlers.lifecycle import register_lifecycle

        register_lifecycle(app, self.store)


def token_cipher(settings: Settings) -> TokenCipher:
    if not settings.token_key:
        logger.warning(
            "TOUCHBASE_TOKEN_KEY is not set: workspace tokens are stored unencrypted in the database"
        )
    return TokenCipher(settings.token_key)


def build_store(
    settings: Settings, db: Database, client: WebClient
) -> tuple[FreshTokenStore, TokenRefresher]:
    client_id, client_secret = settings.slack_client_id, settings.slack_client_secret
    if not settings.oauth or not client_id or not client_secret:
        raise ValueError("OAuth settings (SLACK_CLIENT_ID/SLACK_CLIENT_SECRET, no bot token) are not set")
    store = FreshTokenStore(client_id, db, token_cipher(settings))
    refresher = TokenRefresher(store, client_id, client_secret, client)
    store.refresher = refresher
    return store, refresher


def multi_workspace(settings: Settings, db: Database, client: WebClient) -> MultiWorkspace:
    """OAuth mode's parts, on the app's own database and `client` (so on SLACK_API_URL)."""
    store, refresher = build_store(settings, db, client)
    state_store = OAuthStateStore(db)
    authorize = InstallationStoreAuthorize(
        logger=logging.getLogger("touchbase.bolt"),
        installation_store=store,
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        token_rotation_expiration_minutes=BOLT_ROTATION_MINUTES,
        bot_only=True,
        # auth.test once per token, not once per request.
        cache_enabled=True,
        client=client,
    )
    oauth = OAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        scopes=list(BOT_SCOPES),
        installation_store=store,
        installation_store_bot_only=True,
        state_store=state_store,
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        token_rotation_expiration_minutes=BOLT_ROTATION_MINUTES,
        state_expiration_seconds=state_store.expiration_seconds,
    )
    return MultiWorkspace(store, state_store, refresher, oauth, authorize)


def team_clients(settings: Settings, db: Database, client: WebClient) -> TeamClients:
    if not settings.oauth:
        return TeamClients(client)
    store, refresher = build_store(settings, db, client)
    return TeamClients(client, store, refresher)
