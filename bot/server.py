"""HTTP mode: Bolt's WSGI adapter behind waitress, plus `GET /healthz`."""

from __future__ import annotations

import io
import json
import logging
import time

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.request_log import log_unverified
from bot.verification import is_valid_slack_request
from storage.db import Database

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
            healthy = self.db.ping()
            body = json.dumps({"ok": healthy, "database": "up" if healthy else "down"}).encode()
            status = "200 OK" if healthy else "503 Service Unavailable"
            start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        return self.bolt(environ, start_response)


def serve_http(
    app: App, db: Database, *, signing_secret: str, port: int, host: str = "0.0.0.0", threads: int = 8
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
