"""HTTP mode: Bolt's WSGI adapter behind waitress (one process) or gunicorn (`--workers N`,
bot/workers.py), plus `GET /healthz`; in OAuth mode also `GET /slack/install` and
`GET /slack/oauth_redirect`."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from bot.settings import Settings
from storage.db import SERVING_POOL_TIMEOUT_SECONDS, Database

logger = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"


class TouchbaseWSGI:
    """Routes `/healthz` itself and hands everything else to Bolt's adapter."""

    def __init__(self, app: App, db: Database) -> None:
        self.bolt = SlackRequestHandler(app, path=EVENTS_PATH)
        self.db = db

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") == "/healthz" and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            healthy = self.db.ping()
            body = json.dumps({"ok": healthy, "database": "up" if healthy else "down"}).encode()
            status = "200 OK" if healthy else "503 Service Unavailable"
            start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        return self.bolt(environ, start_response)


WAITRESS_THREADS = 8


@dataclass
class Served:
    app: App
    db: Database
    client: WebClient
    wsgi: TouchbaseWSGI


def open_serving_database(settings: Settings, *, pool_size: int) -> Database:
    """The pool covers every thread that may hold a connection; a starved one waits 2 s, then "busy"."""
    return Database(
        settings.database_url,
        pool_size=pool_size,
        max_overflow=2,
        pool_timeout=SERVING_POOL_TIMEOUT_SECONDS,
        pgbouncer=settings.pgbouncer,
    )


def build_wsgi(settings: Settings, *, server_threads: int, scheduler_threads: int) -> Served:
    """Database, Web API client and Bolt app for one serving process (a worker, or the only one)."""
    from bot.app import create_app
    from bot.slack import build_client
    from bot.workers import pool_size_for

    db = open_serving_database(
        settings, pool_size=pool_size_for(server_threads=server_threads, digest_threads=scheduler_threads)
    )
    client = build_client(settings)
    multi = None
    if settings.oauth:
        from bot.oauth import multi_workspace

        multi = multi_workspace(settings, db, client)
    app = create_app(settings, db, client, multi_workspace=multi)
    return Served(app=app, db=db, client=client, wsgi=TouchbaseWSGI(app, db))


def serve_http(
    app: App, db: Database, *, port: int, host: str = "0.0.0.0", threads: int = WAITRESS_THREADS
) -> None:
    from waitress import serve

    logger.info("Touchbase listening on http://%s:%d%s (health: /healthz)", host, port, EVENTS_PATH)
    serve(TouchbaseWSGI(app, db), host=host, port=port, threads=threads, ident="touchbase")


def serve_socket_mode(app: App, app_token: str) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    logger.info("Touchbase connecting to Slack in Socket Mode")
    SocketModeHandler(app, app_token).start()
