"""HTTP mode: Bolt's WSGI adapter behind waitress, plus `GET /healthz`."""

from __future__ import annotations

import json
import logging

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from storage.db import Database

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


def serve_http(app: App, db: Database, *, port: int, host: str = "0.0.0.0", threads: int = 8) -> None:
    from waitress import serve

    logger.info("Touchbase listening on http://%s:%d%s (health: /healthz)", host, port, EVENTS_PATH)
    serve(TouchbaseWSGI(app, db), host=host, port=port, threads=threads, ident="touchbase")


def serve_socket_mode(app: App, app_token: str) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    logger.info("Touchbase connecting to Slack in Socket Mode")
    SocketModeHandler(app, app_token).start()
