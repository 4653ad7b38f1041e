"""The app factory: one Bolt `App` with every listener module registered."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import TYPE_CHECKING

from slack_bolt import App
from slack_sdk import WebClient

import handlers
from bot import guard, request_log
from bot.capacity import LISTENER_THREADS  # listener pool size (the database pool counts it)
from bot.services import AfterAnswer, Services, utc_now
from bot.services.users import UserDirectory
from bot.settings import Settings
from bot.verification import StrictRequestVerification, allowed_response_url
from handlers.common import AFTER_KEY, SERVICES_KEY
from storage.db import Database

if TYPE_CHECKING:
    from bot.oauth import MultiWorkspace


def create_app(
    settings: Settings,
    db: Database,
    client: WebClient,
    *,
    clock: Callable[[], datetime] = utc_now,
    users: UserDirectory | None = None,
    timeline_pace_seconds: float = 1.0,
    multi_workspace: MultiWorkspace | None = None,
) -> App:
    # OAuth mode (bot/oauth.py): installation store, OAuth flow and a caching authorize.
    oauth_kwargs = multi_workspace.app_kwargs() if multi_workspace is not None else {}
    signing_secret = settings.slack_signing_secret or ""
    app = App(
        client=client,
        signing_secret=signing_secret,
        # Bolt's own check raises on a malformed timestamp; this one only ever answers 401.
        request_verification_enabled=False,
        before_authorize=StrictRequestVerification(signing_secret),
        # Check the token on the first request, not at construction: start-up stays fast
        # and a Slack outage doesn't stop the process from serving /healthz.
        token_verification_enabled=False,
        logger=logging.getLogger("touchbase.bolt"),
        # The name Bolt would find itself with inspect.stack() (~50 ms at start-up): this file's.
        name="app.py",
        # Listeners run after ack on this pool; posting a timeline keeps one busy for a while,
        # so allow more than Bolt's default of 5.
        listener_executor=ThreadPoolExecutor(max_workers=LISTENER_THREADS, thread_name_prefix="listener"),
        **oauth_kwargs,
    )
    services = Services(
        settings=settings,
        db=db,
        users=users or UserDirectory(client),
        clock=clock,
        timeline_pace_seconds=timeline_pace_seconds,
    )

    @app.middleware
    def provide_services(context, next):
        context[SERVICES_KEY] = services
        context[AFTER_KEY] = AfterAnswer()
        if context.response_url is not None and not allowed_response_url(
            context.response_url, settings.slack_api_url
        ):
            # Second line of defence: never POST to a URL that isn't Slack's.
            logging.getLogger("touchbase.security").warning("Ignoring a response_url outside Slack's hosts")
            context["response_url"] = None
            context["respond"] = None
        next()

    guard.install(app)
    handlers.register(app)
    request_log.install(app)
    if multi_workspace is not None:
        multi_workspace.register(app)
    return app
