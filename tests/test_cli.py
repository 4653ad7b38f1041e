"""The `touchbase` command as an operator runs it: real processes, real ports."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.app_harness import SIGNING_SECRET, wait_responses
from tests.slack_requests import SlackSender

ROOT = Path(__file__).resolve().parent.parent


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL", "TOUCHBASE_"))}
    env.pop("PORT", None)
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env


def _touchbase(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=tmp_path,
        env=_env(tmp_path, **env),
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({}, "SLACK_BOT_TOKEN is required"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET is required in HTTP mode"),
        ({"SLACK_BOT_TOKEN": "not-a-token", "SLACK_SIGNING_SECRET": "s"}, "SLACK_BOT_TOKEN must be"),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xoxb-wrong"}, "SLACK_APP_TOKEN must be"),
        (
            {"SLACK_BOT_TOKEN": "xoxb-paste-your-bot-token-here", "SLACK_APP_TOKEN": "xapp-1"},
            "SLACK_BOT_TOKEN is still the example from .env.example",
        ),
        (
            {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "DATABASE_URL": "nonsense"},
            "DATABASE_URL",
        ),
        (
            {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "DATABASE_URL": "mysql://x/y"},
            "DATABASE_URL",
        ),
        (
            {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "SLACK_API_URL": "ftp://x"},
            "SLACK_API_URL",
        ),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "PORT": "http"}, "PORT must be"),
        (
            {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "TOUCHBASE_LOG_LEVEL": "loud"},
            "TOUCHBASE_LOG_LEVEL",
        ),
        (
            {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "TOUCHBASE_LOG_FORMAT": "xml"},
            "TOUCHBASE_LOG_FORMAT must be text or json",
        ),
    ],
)
def test_bad_settings_stop_start_up_with_one_line_naming_the_setting(tmp_path, env, named):
    result = _touchbase(tmp_path, "serve", "--no-scheduler", **env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert named in lines[0]
    assert "Traceback" not in result.stderr + result.stdout


def test_settings_come_from_a_dotenv_file_and_the_environment_wins(tmp_path):
    (tmp_path / ".env").write_text("SLACK_BOT_TOKEN=xoxb-from-file\nPORT=notaport\n")
    result = _touchbase(tmp_path, "serve", PORT="4000")
    # PORT from the environment wins over the file's bad one; the file's token was read.
    assert "SLACK_SIGNING_SECRET is required" in result.stderr


def test_db_upgrade_creates_the_schema(tmp_path):
    result = _touchbase(tmp_path, "db", "upgrade", DATABASE_URL=f"sqlite:///{tmp_path}/t.db")
    assert result.returncode == 0, result.stderr
    tables = {row[0] for row in sqlite3.connect(tmp_path / "t.db").execute("SELECT name FROM sqlite_master")}
    assert {"contacts", "interactions", "workspaces", "alembic_version"} <= tables


def test_unreachable_database_is_one_clear_line(tmp_path):
    result = _touchbase(tmp_path, "db", "upgrade", DATABASE_URL="postgresql://nobody@127.0.0.1:1/none")
    assert result.returncode == 2
    assert result.stderr.strip().startswith("touchbase: DATABASE_URL: can't reach the database")
    assert len(result.stderr.strip().splitlines()) == 1


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_answers_healthz_and_a_signed_slash_command(tmp_path, fake_slack):
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--port", str(port), "--host", "127.0.0.1", "--no-scheduler"],
        cwd=tmp_path,
        env=_env(
            tmp_path,
            SLACK_BOT_TOKEN="xoxb-test",
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_API_URL=fake_slack.url,
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(base + "healthz", timeout=1) as response:
                    assert json.load(response)["ok"] is True
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise AssertionError("touchbase serve never became healthy") from None
                time.sleep(0.1)
        # It migrated the default SQLite file in its working directory.
        assert (tmp_path / "touchbase.db").exists()
        sender = SlackSender(base, SIGNING_SECRET, response_url_base=fake_slack.url)
        status, _, _ = sender.command("/contact", "add Ada Lovelace")
        assert status == 200
        [answer] = wait_responses(fake_slack)
        assert "Ada Lovelace" in json.dumps(answer.args)
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_serve_with_an_app_token_connects_in_socket_mode(tmp_path, fake_slack):
    """With SLACK_APP_TOKEN set, serve opens a Socket Mode connection instead of an HTTP port."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--no-scheduler"],
        cwd=tmp_path,
        env=_env(
            tmp_path,
            SLACK_BOT_TOKEN="xoxb-test",
            SLACK_APP_TOKEN="xapp-test",
            SLACK_API_URL=fake_slack.url,
        ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # Once for the start-up check, once more to connect.
        fake_slack.wait_for("apps.connections.open", count=2, timeout=30)
        assert process.poll() is None
        # The app-level token, not the bot token, asks for the WebSocket URL.
        call = fake_slack.last("apps.connections.open")
        assert call.headers["authorization"] == "Bearer xapp-test"
    finally:
        process.terminate()
        process.wait(timeout=10)
