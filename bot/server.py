"""HTTP mode: Bolt's WSGI adapter behind waitress (one process) or gunicorn (`--workers N`,
bot/workers.py), plus `GET /healthz`; in OAuth mode also `GET /slack/install` and
`GET /slack/oauth_redirect`."""

from __future__ import annotations

import io
import json
import logging
import time
from dataclasses import dataclass

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from bot.request_log import log_unverified
from bot.settings import Settings
from bot.verification import is_valid_slack_request
from storage.db import SERVING_POOL_TIMEOUT_SECONDS, Database
from storage.sqlite_cache import limit_page_cache

logger = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"


# Slack's largest payloads (a modal with 100 blocks) are well under this.
MAX_BODY_BYTES = 1024 * 1024


def _answer(start_response, status: str, payload: dict) -> list[bytes]:
    body = json.dumps(payload).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


class TouchbaseWSGI:
    """Routes `/healthz` itself, refuses unverified Slack requests, hands the rest to Bolt."""

    def __init__(self, app: App, db: Database, *, signing_secret: str) -> None:
        self.bolt = SlackRequestHandler(app, path=EVENTS_PATH)
        self.db = db
        self.signing_secret = signing_secret

    def _verified_body(self, environ) -> bytes | None:
        """The request body when its Slack signature checks out; None otherwise.

        Checked before Bolt parses anything, so a body altered after signing (even one that is
        no longer valid JSON) gets 401, not a parse error.
        """
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return None
        if not 0 < length <= MAX_BODY_BYTES:
            return None
        body = environ["wsgi.input"].read(length)
        if not is_valid_slack_request(
            self.signing_secret,
            body,
            environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP"),
            environ.get("HTTP_X_SLACK_SIGNATURE"),
        ):
            return None
        environ["wsgi.input"] = io.BytesIO(body)
        return body

    def __call__(self, environ, start_response):
        is_slack_post = environ.get("PATH_INFO") == EVENTS_PATH and environ.get("REQUEST_METHOD") == "POST"
        started = time.perf_counter()
        if is_slack_post and self._verified_body(environ) is None:
            # Nothing in an unverified body is trusted, not even who it claims to come from.
            log_unverified((time.perf_counter() - started) * 1000)
            return _answer(start_response, "401 Unauthorized", {"error": "invalid request"})
        if environ.get("PATH_INFO") == "/healthz" and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            # A write probe, not only SELECT 1: a locked SQLite file answers reads but no writes.
            reachable = self.db.ping()
            healthy = reachable and self.db.can_write()
            state = "up" if healthy else ("read-only or locked" if reachable else "down")
            body = json.dumps({"ok": healthy, "database": state}).encode()
            status = "200 OK" if healthy else "503 Service Unavailable"
            start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        try:
            return self.bolt(environ, start_response)
        except (TypeError, AttributeError, KeyError, ValueError) as error:
            # Signed, but shaped so that Bolt can't even read who sent it (an event whose `user`
            # is a number, say): acknowledged, and nothing runs.
            logger.warning(
                "Ignored a verified request Bolt could not read: %s: %s", type(error).__name__, error
            )
            return _answer(start_response, "200 OK", {})


WAITRESS_THREADS = 8


@dataclass
class Served:
    app: App
    db: Database
    client: WebClient
    wsgi: TouchbaseWSGI


def open_serving_database(settings: Settings, *, pool_size: int) -> Database:
    """The pool covers every thread that may hold a connection; a starved one waits 2 s, then "busy"."""
    db = Database(
        settings.database_url,
        pool_size=pool_size,
        max_overflow=2,
        pool_timeout=SERVING_POOL_TIMEOUT_SECONDS,
        pgbouncer=settings.pgbouncer,
    )
    db.limit_lock_wait()  # a locked SQLite file answers "busy" inside Slack's 3 s too
    limit_page_cache(db.engine)  # SQLite: RSS stays flat as the pooled connections' caches fill
    return db


def build_wsgi(settings: Settings, *, server_threads: int, scheduler_threads: int) -> Served:
    """Database, Web API client and Bolt app for one serving process (a worker, or the only one)."""
    from bot.app import create_app
    from bot.capacity import pool_size_for
    from bot.slack import build_client

    db = open_serving_database(
        settings, pool_size=pool_size_for(server_threads=server_threads, digest_threads=scheduler_threads)
    )
    client = build_client(settings)
    multi = None
    if settings.oauth:
        from bot.oauth import multi_workspace

        multi = multi_workspace(settings, db, client)
    app = create_app(settings, db, client, multi_workspace=multi)
    wsgi = TouchbaseWSGI(app, db, signing_secret=settings.slack_signing_secret or "")
    return Served(app=app, db=db, client=client, wsgi=wsgi)


def serve_http(
    app: App,
    db: Database,
    *,
    signing_secret: str,
    port: int,
    host: str = "0.0.0.0",
    threads: int = WAITRESS_THREADS,
) -> None:
    from waitress import serve

    logger.info("Touchbase listening on http://%s:%d%s (health: /healthz)", host, port, EVENTS_PATH)
    serve(
        TouchbaseWSGI(app, db, signing_secret=signing_secret),
        host=host,
        port=port,
        threads=threads,
        ident="touchbase",
    )


def serve_socket_mode(app: App, app_token: str) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    logger.info("Touchbase connecting to Slack in Socket Mode")
    SocketModeHandler(app, app_token).start()
