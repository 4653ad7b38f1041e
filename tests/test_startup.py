"""Start-up of `touchbase serve` (issue 19, item 5): it listens before it builds the Bolt app.

What runs before the socket is bound stays small (settings, the schema check, the database
engine, waitress); the listeners, services, storage modules and the ORM are imported by the
warm-up that starts once it listens. /healthz stays honest meanwhile, and a Slack request that
arrives before the app is built waits for it.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from slack_bolt import App
from slack_sdk import WebClient

from bot.server import AppWarmup, TouchbaseWSGI
from storage.db import Database
from tests.slack_requests import form_body, signed_headers

ROOT = Path(__file__).resolve().parent.parent
SECRET = "startup-secret"

# Loaded by the warm-up, never before `touchbase serve --no-scheduler --no-check` listens.
NOT_BEFORE_LISTENING = (
    "sqlalchemy.orm",
    "sqlalchemy.dialects.postgresql",
    "storage.models",
    "storage.contacts",
    "bot.app",
    "bot.services",
    "bot.domain.lexicon",
    "handlers",
    "blocks",
    "slack_bolt",
    "slack_sdk",
    # Never loaded by this command at all (up to its first request):
    "apscheduler",
    "alembic",
    "cryptography",
    "dateparser",
    "gunicorn",
)

# Runs `touchbase serve` for real up to the point where it would listen, then reports.
SERVE_UNTIL_LISTENING = """
import json, sys
import bot.cli, bot.server

def serve_http(app, db, **kwargs):
    print(json.dumps({
        "modules": sorted(sys.modules),
        "app": type(app).__name__,
        "state": app.state,
        "healthy": db.ping() and db.can_write(),
    }))

bot.server.serve_http = serve_http
sys.exit(bot.cli.main(["serve", "--no-scheduler", "--no-check", "--port", "0"]))
"""


def _env(tmp_path: Path, database_url: str) -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL", "TOUCHBASE_"))}
    env.update(
        PYTHONPATH=str(ROOT),
        SLACK_BOT_TOKEN="xoxb-startup",
        SLACK_SIGNING_SECRET=SECRET,
        DATABASE_URL=database_url,
        TOUCHBASE_LOG_LEVEL="WARNING",
    )
    return env


def _loaded(modules: list[str], package: str) -> list[str]:
    return [name for name in modules if name == package or name.startswith(package + ".")]


def test_serve_imports_no_listener_orm_or_postgresql_before_it_listens(tmp_path, sqlite_template):
    url = sqlite_template.fresh_url()  # migrated: serve only checks the schema
    result = subprocess.run(
        [sys.executable, "-c", SERVE_UNTIL_LISTENING],
        cwd=tmp_path,
        env=_env(tmp_path, url),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    # The app is handed over unbuilt, and the database it will serve is already usable.
    assert (report["app"], report["state"], report["healthy"]) == ("AppWarmup", "starting", True)
    early = {package: _loaded(report["modules"], package) for package in NOT_BEFORE_LISTENING}
    assert {package: names for package, names in early.items() if names} == {}


# --- the warm-up, in process -----------------------------------------------------------------


def _bolt_app(api_url: str) -> App:
    app = App(
        client=WebClient(token="xoxb-startup", base_url=api_url),
        signing_secret=SECRET,
        token_verification_enabled=False,
        name="test_startup",
    )

    @app.command("/contact")
    def answer(ack):
        ack(text="built and answered")

    return app


def _call(wsgi: TouchbaseWSGI, method: str, path: str, body: bytes = b"", headers=None):
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "wsgi.input": io.BytesIO(body),
    }
    for name, value in (headers or {}).items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    answer: dict = {}

    def start_response(status, response_headers):
        answer["status"] = int(status.split()[0])

    answer["body"] = b"".join(wsgi(environ, start_response))
    return answer["status"], answer["body"]


def _slash_command() -> tuple[bytes, dict[str, str]]:
    body = form_body(
        {
            "team_id": "T111",
            "user_id": "U111",
            "command": "/contact",
            "text": "list",
            "channel_id": "C111",
            "trigger_id": "trig",
        }
    )
    return body, signed_headers(body, SECRET)


@pytest.fixture
def sqlite_db(sqlite_template):
    database = Database(sqlite_template.fresh_url())
    yield database
    database.dispose()


def test_a_slack_request_that_arrives_while_the_app_is_built_waits_for_it(sqlite_db, fake_slack):
    release = threading.Event()

    def build() -> App:
        assert release.wait(10)
        return _bolt_app(fake_slack.url)

    warmup = AppWarmup(build)
    wsgi = TouchbaseWSGI(warmup, sqlite_db, signing_secret=SECRET)
    warmup.start()
    # Healthy (the database answers, requests will be served), and says the app is starting.
    status, body = _call(wsgi, "GET", "/healthz")
    assert (status, json.loads(body)) == (200, {"ok": True, "database": "up", "app": "starting"})

    answers: list = []
    body, headers = _slash_command()
    request = threading.Thread(
        target=lambda: answers.append(_call(wsgi, "POST", "/slack/events", body, headers))
    )
    request.start()
    request.join(0.3)
    assert request.is_alive() and answers == []  # waiting, not refused
    release.set()
    request.join(10)
    [(status, body)] = answers
    assert status == 200 and b"built and answered" in body
    # Once built, /healthz answers exactly as before the warm-up existed.
    status, body = _call(wsgi, "GET", "/healthz")
    assert (status, json.loads(body)) == (200, {"ok": True, "database": "up"})


def test_a_request_during_the_warm_up_checks_its_signature_only_after_the_build(
    sqlite_db, fake_slack, monkeypatch
):
    """The signature check imports Bolt; run beside the warm-up's own imports of Bolt, two
    threads could each meet a half-initialized Bolt module (ImportError: a 500 and a failed
    build, seen in the SIGKILL test). So the check waits for the build to end."""
    release = threading.Event()
    built = threading.Event()

    def build() -> App:
        assert release.wait(10)
        app = _bolt_app(fake_slack.url)
        built.set()
        return app

    checked_after_build: list[bool] = []
    original = TouchbaseWSGI._verified_body

    def verified_body(self, environ):
        checked_after_build.append(built.is_set())
        return original(self, environ)

    monkeypatch.setattr(TouchbaseWSGI, "_verified_body", verified_body)
    warmup = AppWarmup(build)
    wsgi = TouchbaseWSGI(warmup, sqlite_db, signing_secret=SECRET)
    warmup.start()
    answers: list = []
    signed = threading.Thread(
        target=lambda: answers.append(_call(wsgi, "POST", "/slack/events", *_slash_command()))
    )
    unsigned = threading.Thread(
        target=lambda: answers.append(
            _call(wsgi, "POST", "/slack/events", b"x=1", {"X-Slack-Signature": "v0=00"})
        )
    )
    signed.start()
    unsigned.start()
    signed.join(0.3)
    assert checked_after_build == []  # neither has checked (nor imported) anything yet
    release.set()
    signed.join(10)
    unsigned.join(10)
    assert checked_after_build == [True, True]
    assert sorted(status for status, _ in answers) == [200, 401]


def test_the_first_request_builds_the_app_if_the_warm_up_was_never_started(sqlite_db, fake_slack):
    wsgi = TouchbaseWSGI(AppWarmup(lambda: _bolt_app(fake_slack.url)), sqlite_db, signing_secret=SECRET)
    status, body = _call(wsgi, "POST", "/slack/events", *_slash_command())
    assert status == 200 and b"built and answered" in body


def test_an_app_that_fails_to_build_makes_healthz_503_and_refuses_slack_requests(sqlite_db, caplog):
    def build() -> App:
        raise ImportError("a listener module is broken")

    warmup = AppWarmup(build)
    wsgi = TouchbaseWSGI(warmup, sqlite_db, signing_secret=SECRET)
    warmup.run()
    status, body = _call(wsgi, "GET", "/healthz")
    assert (status, json.loads(body)) == (503, {"ok": False, "database": "up", "app": "failed"})
    status, _ = _call(wsgi, "POST", "/slack/events", *_slash_command())
    assert status == 503
    assert "could not build its Slack app" in caplog.text
    # An unsigned request is still refused as such, before anything waits for the app.
    status, _ = _call(wsgi, "POST", "/slack/events", b"x=1", {"X-Slack-Signature": "v0=00"})
    assert status == 401
