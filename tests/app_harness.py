"""Touchbase served for real on 127.0.0.1, talking to the fake Slack Web API.

Requests go in signed over HTTP (tests/slack_requests.py); every Web API call the app
makes lands in FakeSlack. The app's clock is injected, so dates are frozen per test.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from slack_bolt import App
from waitress.server import create_server

from bot.app import create_app
from bot.server import TouchbaseWSGI
from bot.settings import Settings
from bot.slack import build_client
from storage.db import Database
from tests.fake_slack import FakeSlack
from tests.slack_requests import SlackSender

SIGNING_SECRET = "test-signing-secret"
TEAM = "T111"
USER = "U111"
# Wednesday 2026-03-11 17:00 UTC: 10:00 in Los Angeles, the fake Slack's default user zone.
FROZEN_NOW = datetime(2026, 3, 11, 17, 0, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime = FROZEN_NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def test_settings(database_url: str, api_url: str) -> Settings:
    return Settings(
        slack_bot_token="xoxb-test-token",
        slack_signing_secret=SIGNING_SECRET,
        slack_app_token=None,
        database_url=database_url,
        slack_api_url=api_url,
        log_level="INFO",
        port=0,
    )


@dataclass
class RunningApp:
    url: str
    app: App
    db: Database
    fake: FakeSlack
    slack: SlackSender
    clock: Clock

    def sender(self, *, team_id: str = TEAM, user_id: str = USER) -> SlackSender:
        return SlackSender(
            self.url, SIGNING_SECRET, team_id=team_id, user_id=user_id, response_url_base=self.fake.url
        )


class ServedApp:
    def __init__(self, db: Database, fake: FakeSlack, clock: Clock, *, timeline_pace: float = 0) -> None:
        settings = test_settings(db.url, fake.url)
        self.app = create_app(
            settings, db, build_client(settings), clock=clock, timeline_pace_seconds=timeline_pace
        )
        self.server = create_server(
            TouchbaseWSGI(self.app, db, signing_secret=SIGNING_SECRET),
            host="127.0.0.1",
            port=0,
            threads=8,
            asyncore_loop_timeout=0.05,
        )
        self.url = f"http://127.0.0.1:{self.server.effective_port}/"
        self.closing = False
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            self.server.run()
        except OSError:
            # waitress has no cross-thread stop: closing its sockets ends the loop this way.
            if not self.closing:
                raise

    def __enter__(self) -> ServedApp:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.closing = True
        self.server.close()
        self.thread.join(timeout=5)


def wait_responses(fake: FakeSlack, count: int = 1, timeout: float = 5.0) -> list:
    """Messages the app sent to response_urls (FakeSlack records them as "response/<n>")."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        found = [c for c in fake.calls() if c.method.startswith("response/")]
        if len(found) >= count:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"expected {count} response_url post(s); saw {fake.methods()}")
        time.sleep(0.02)
