"""HTTP mode: Bolt's WSGI adapter behind waitress (one process) or gunicorn (`--workers N`,
bot/workers.py), plus `GET /healthz`; in OAuth mode also `GET /slack/install` and
`GET /slack/oauth_redirect`.

Start-up (issue 19, item 5): a single `touchbase serve` process listens as soon as the
database answers. The Bolt app (its listeners, services, storage and the ORM: most of the
process's imports) is built by `AppWarmup` on a thread started once the socket is bound.
`/healthz` keeps its contract (200 while the database answers) and says whether the app is
`starting`, `ready` or `failed` (then 503); a Slack request that arrives while the app is
being built waits for it (it is not refused).
"""

from __future__ import annotations

import io
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.settings import Settings
from storage.db import SERVING_POOL_TIMEOUT_SECONDS, Database
from storage.sqlite_cache import limit_page_cache

if TYPE_CHECKING:
    from slack_bolt import App
    from slack_bolt.adapter.wsgi import SlackRequestHandler
    from slack_sdk import WebClient

logger = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"


# Slack's largest payloads (a modal with 100 blocks) are well under this.
MAX_BODY_BYTES = 1024 * 1024


def _answer(start_response, status: str, payload: dict) -> list[bytes]:
    body = json.dumps(payload).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


# How long a request that arrives while the app is being built waits for it (Slack allows 3 s
# for the ack; building takes well under a second on an idle machine).
APP_WAIT_SECONDS = 10.0


class AppWarmup:
    """The Bolt app of a serving process and its WSGI adapter, built once, possibly on a thread.

    `start()` builds it on a daemon thread (`serve_http` calls it once the socket is bound);
    `handler()` waits for it, and starts the build itself if nobody did. `ready_made(app)` wraps an
    app that already exists (tests, gunicorn workers).
    """

    def __init__(self, build: Callable[[], App]) -> None:
        self._build = build
        self._lock = threading.Lock()
        self._started = False
        self._done = threading.Event()
        self._handler: SlackRequestHandler | None = None
        self.app: App | None = None
        self.error: Exception | None = None

    @classmethod
    def ready_made(cls, app: App) -> AppWarmup:
        warmup = cls(lambda: app)
        warmup.run()
        return warmup

    def _claim(self) -> bool:
        with self._lock:
            if self._started:
                return False
            self._started = True
            return True

    def start(self) -> None:
        if self._claim():
            threading.Thread(target=self._build_now, name="app-warmup", daemon=True).start()

    def run(self) -> None:
        """Build on this thread (if not already started elsewhere), then wait for it."""
        if self._claim():
            self._build_now()
        self._done.wait()

    def _build_now(self) -> None:
        started = time.perf_counter()
        try:
            # Everything a request's own thread imports, imported here first (see `__call__`).
            from slack_bolt.adapter.wsgi import SlackRequestHandler

            import bot.request_log
            import bot.verification  # noqa: F401

            app = self._build()
            self._handler = SlackRequestHandler(app, path=EVENTS_PATH)
            self.app = app
        except Exception as error:
            self.error = error
            logger.exception("Touchbase could not build its Slack app: /healthz answers 503")
        else:
            logger.debug("Slack app ready in %.0f ms", (time.perf_counter() - started) * 1000)
        finally:
            self._done.set()

    @property
    def state(self) -> str:
        if not self._done.is_set():
            return "starting"
        return "failed" if self.error is not None else "ready"

    def handler(self, timeout: float = APP_WAIT_SECONDS) -> SlackRequestHandler | None:
        """Bolt's WSGI adapter once the app is built; None if building failed or took too long."""
        self.start()
        self._done.wait(timeout)
        return self._handler


class TouchbaseWSGI:
    """Routes `/healthz` itself, refuses unverified Slack requests, hands the rest to Bolt."""

    def __init__(self, app: App | AppWarmup, db: Database, *, signing_secret: str) -> None:
        self.app = app if isinstance(app, AppWarmup) else AppWarmup.ready_made(app)
        self.db = db
        self.signing_secret = signing_secret

    def _verified_body(self, environ) -> bytes | None:
        """The request body when its Slack signature checks out; None otherwise.

        Checked before Bolt parses anything, so a body altered after signing (even one that is
        no longer valid JSON) gets 401, not a parse error.
        """
        from bot.verification import is_valid_slack_request

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
        if is_slack_post:
            # Wait for the warm-up before checking the signature: the check imports Bolt, and two
            # threads importing Bolt's modules at once can meet one of them half-initialized (a
            # circular import across threads: ImportError, seen as a 500 and a failed build).
            self.app.handler()
        if is_slack_post and self._verified_body(environ) is None:
            from bot.request_log import log_unverified

            # Nothing in an unverified body is trusted, not even who it claims to come from.
            log_unverified((time.perf_counter() - started) * 1000)
            return _answer(start_response, "401 Unauthorized", {"error": "invalid request"})
        if environ.get("PATH_INFO") == "/healthz" and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            # A write probe, not only SELECT 1: a locked SQLite file answers reads but no writes.
            reachable = self.db.ping()
            healthy = reachable and self.db.can_write()
            state = "up" if healthy else ("read-only or locked" if reachable else "down")
            answer: dict = {"ok": healthy, "database": state}
            app_state = self.app.state
            if app_state != "ready":
                # "starting": Slack requests wait for the app, they are not refused; "failed": 503.
                answer["ok"] = healthy = healthy and app_state != "failed"
                answer["app"] = app_state
            body = json.dumps(answer).encode()
            status = "200 OK" if healthy else "503 Service Unavailable"
            start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        bolt = self.app.handler()
        if bolt is None:
            return _answer(start_response, "503 Service Unavailable", {"error": f"app {self.app.state}"})
        try:
            return bolt(environ, start_response)
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


def build_app(settings: Settings, db: Database, client: WebClient | None = None) -> App:
    """The Bolt app of one serving process, with its Web API client (built here if not given)."""
    from bot.app import create_app
    from bot.slack import build_client

    client = client or build_client(settings)
    multi = None
    if settings.oauth:
        from bot.oauth import multi_workspace

        multi = multi_workspace(settings, db, client)
    return create_app(settings, db, client, multi_workspace=multi)


def build_wsgi(settings: Settings, *, server_threads: int, scheduler_threads: int) -> Served:
    """Database, Web API client and Bolt app for one serving process (a gunicorn worker), built now."""
    from bot.capacity import pool_size_for
    from bot.slack import build_client

    db = open_serving_database(
        settings, pool_size=pool_size_for(server_threads=server_threads, digest_threads=scheduler_threads)
    )
    client = build_client(settings)
    app = build_app(settings, db, client)
    wsgi = TouchbaseWSGI(app, db, signing_secret=settings.slack_signing_secret or "")
    return Served(app=app, db=db, client=client, wsgi=wsgi)


def serve_http(
    app: App | AppWarmup,
    db: Database,
    *,
    signing_secret: str,
    port: int,
    host: str = "0.0.0.0",
    threads: int = WAITRESS_THREADS,
) -> None:
    """Serve until stopped. Given an `AppWarmup`, it starts building the app once the socket is bound."""
    from waitress.server import create_server

    wsgi = TouchbaseWSGI(app, db, signing_secret=signing_secret)
    logging.basicConfig()  # as waitress.serve does; idempotent once logging is set up
    server = create_server(wsgi, host=host, port=port, threads=threads, ident="touchbase")
    logger.info("Touchbase listening on http://%s:%d%s (health: /healthz)", host, port, EVENTS_PATH)
    server.print_listen("Serving on http://{}:{}")
    wsgi.app.start()
    server.run()


def serve_socket_mode(app: App, app_token: str) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    logger.info("Touchbase connecting to Slack in Socket Mode")
    SocketModeHandler(app, app_token).start()
