"""`touchbase check`, and the same checks at the start of `touchbase serve`, against the fake Slack."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from bot.check import MANIFEST_BOT_SCOPES
from storage.migrate import upgrade
from tests.app_harness import SIGNING_SECRET

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = (
    "SLACK_BOT_TOKEN",
    "SLACK_APP_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_API_URL",
    "DATABASE_URL",
    "TOUCHBASE_LOG_LEVEL",
    "TOUCHBASE_LOG_FORMAT",
    "PORT",
)


def test_the_scopes_checked_are_the_ones_the_manifest_declares():
    manifest = yaml.safe_load((ROOT / "app.manifest.yaml").read_text())
    assert tuple(manifest["oauth_config"]["scopes"]["bot"]) == MANIFEST_BOT_SCOPES


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("check") / "touchbase.db"
    upgrade(f"sqlite:///{path}")
    return f"sqlite:///{path}"


@pytest.fixture
def check(monkeypatch, tmp_path, fake_slack, migrated, capsys):
    """`touchbase check` in-process with a good Socket Mode setup; keyword arguments override settings.

    Returns (exit code, stdout lines)."""

    def run(**settings: str | None) -> tuple[int, list[str]]:
        from bot.cli import main

        env = {
            "SLACK_BOT_TOKEN": "xoxb-good",
            "SLACK_APP_TOKEN": "xapp-good",
            "SLACK_API_URL": fake_slack.url,
            "DATABASE_URL": migrated,
        }
        env.update(settings)
        for name in SETTINGS:
            monkeypatch.delenv(name, raising=False)
            if env.get(name) is not None:
                monkeypatch.setenv(name, env[name])
        monkeypatch.chdir(tmp_path)  # no developer .env leaks in
        code = main(["check"])
        return code, capsys.readouterr().out.splitlines()

    return run


def _line(lines: list[str], name: str) -> str:
    [line] = [line for line in lines if line.split(":", 1)[0].split(None, 1)[-1] == name]
    return line


def test_a_good_socket_mode_setup_passes_every_check(check, fake_slack):
    code, lines = check()

    assert code == 0
    assert [line.split(":")[0] for line in lines[:-1]] == [
        "ok    settings",
        "ok    database",
        "ok    bot token",
        "ok    scopes",
        "ok    app token",
    ]
    assert "Socket Mode" in _line(lines, "settings")
    assert "workspace “Example” (T111), bot @touchbase (UBOT)" in _line(lines, "bot token")
    assert lines[-1] == "All checks passed."
    # Through SLACK_API_URL, each token where it belongs; the app token never opens a socket.
    assert fake_slack.last("auth.test").headers["authorization"] == "Bearer xoxb-good"
    assert fake_slack.last("apps.connections.open").headers["authorization"] == "Bearer xapp-good"


def test_http_mode_reminds_of_the_request_url(check, fake_slack):
    code, lines = check(SLACK_APP_TOKEN=None, SLACK_SIGNING_SECRET="secret")

    assert code == 0
    note = _line(lines, "request URL")
    assert note.startswith("note") and "https://YOUR-HOST/slack/events" in note
    assert "message_menu_options_url" in note
    assert fake_slack.calls("apps.connections.open") == []


def test_a_rejected_bot_token_fails(check, fake_slack):
    fake_slack.reject_token("xoxb-good", "invalid_auth")

    code, lines = check()

    assert code == 1
    line = _line(lines, "bot token")
    assert line.startswith("FAIL") and "Slack rejected SLACK_BOT_TOKEN (invalid_auth)" in line
    assert "OAuth & Permissions" in line
    assert lines[-1] == "1 check failed."


def test_missing_scopes_are_named(check, fake_slack):
    fake_slack.scopes = "commands,chat:write,users:read,channels:read"

    code, lines = check()

    assert code == 1
    line = _line(lines, "scopes")
    assert line.startswith("FAIL") and "the token lacks im:write, users:read.email" in line
    assert "reinstall" in line


def test_a_rejected_app_token_fails(check, fake_slack):
    fake_slack.reject_token("xapp-good", "invalid_auth")

    code, lines = check()

    assert code == 1
    assert _line(lines, "app token").startswith("FAIL")
    assert "App-Level Tokens" in _line(lines, "app token")


def test_an_unreachable_database_fails(check):
    code, lines = check(DATABASE_URL="postgresql://nobody@127.0.0.1:1/none")

    assert code == 1
    line = _line(lines, "database")
    assert line.startswith("FAIL") and "can't reach postgresql+psycopg://nobody@127.0.0.1:1/none" in line
    # The other checks still ran.
    assert _line(lines, "bot token").startswith("ok")


def test_an_unmigrated_database_fails_and_says_how_to_migrate(check, tmp_path):
    empty = tmp_path / "empty.db"
    empty.touch()

    code, lines = check(DATABASE_URL=f"sqlite:///{empty}")

    assert code == 1
    line = _line(lines, "database")
    assert line.startswith("FAIL") and "not migrated" in line and "touchbase db upgrade" in line


def test_a_missing_sqlite_file_is_not_created_by_the_check(check, tmp_path):
    missing = tmp_path / "nowhere.db"

    code, lines = check(DATABASE_URL=f"sqlite:///{missing}")

    assert code == 1 and "doesn't exist yet" in _line(lines, "database")
    assert not missing.exists()


def test_slack_out_of_reach_fails_without_a_traceback(check):
    code, lines = check(SLACK_API_URL="http://127.0.0.1:9/api/")

    assert code == 1
    assert "can't reach Slack at http://127.0.0.1:9/api/" in _line(lines, "bot token")


@pytest.mark.parametrize(
    ("setting", "value", "named"),
    [
        ("TOUCHBASE_LOG_FORMAT", "xml", "TOUCHBASE_LOG_FORMAT must be text or json"),
        ("SLACK_BOT_TOKEN", "xoxp-user", "SLACK_BOT_TOKEN must be a bot token"),
        ("SLACK_BOT_TOKEN", None, "SLACK_BOT_TOKEN is required"),
    ],
)
def test_bad_settings_fail_the_settings_check(check, fake_slack, setting, value, named):
    code, lines = check(**{setting: value})

    assert code == 1
    assert lines[0].startswith("FAIL  settings:") and named in lines[0]
    assert fake_slack.calls() == []


# --- serve -------------------------------------------------------------------------------


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS}
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env


def _serve(tmp_path: Path, *args: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--no-scheduler", *args],
        cwd=tmp_path,
        env=_env(**env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_serve_stops_on_a_rejected_token_with_one_line(tmp_path, fake_slack):
    fake_slack.reject_token("xoxb-revoked", "token_revoked")
    process = _serve(
        tmp_path, SLACK_BOT_TOKEN="xoxb-revoked", SLACK_SIGNING_SECRET="s", SLACK_API_URL=fake_slack.url
    )
    _, err = process.communicate(timeout=60)

    assert process.returncode == 2
    errors = [line for line in err.splitlines() if line.startswith("touchbase:")]
    assert errors == [
        "touchbase: Slack rejected SLACK_BOT_TOKEN (token_revoked): copy the Bot User OAuth Token (xoxb-…) "
        "from your app's OAuth & Permissions page (install the app first) (or start with --no-check)"
    ]
    assert "Traceback" not in err


def _wait_healthy(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise AssertionError("touchbase serve never became healthy") from None
            time.sleep(0.1)


def test_serve_with_no_check_starts_whatever_slack_says(tmp_path, fake_slack):
    from tests.test_cli import _free_port

    fake_slack.reject_token("xoxb-revoked")
    port = _free_port()
    process = _serve(
        tmp_path,
        "--no-check",
        "--port",
        str(port),
        "--host",
        "127.0.0.1",
        SLACK_BOT_TOKEN="xoxb-revoked",
        SLACK_SIGNING_SECRET="s",
        SLACK_API_URL=fake_slack.url,
    )
    try:
        _wait_healthy(port, process)
        assert fake_slack.calls("auth.test") == []
    finally:
        process.terminate()
        process.communicate(timeout=10)


def test_serve_logs_each_check_then_every_request_as_json(tmp_path, fake_slack):
    from tests.app_harness import wait_responses
    from tests.slack_requests import SlackSender
    from tests.test_cli import _free_port

    port = _free_port()
    process = _serve(
        tmp_path,
        "--port",
        str(port),
        "--host",
        "127.0.0.1",
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake_slack.url,
        TOUCHBASE_LOG_FORMAT="json",
    )
    try:
        _wait_healthy(port, process)
        sender = SlackSender(f"http://127.0.0.1:{port}/", SIGNING_SECRET, response_url_base=fake_slack.url)
        status, _, _ = sender.command("/contact", "add Ada Lovelace")
        assert status == 200
        wait_responses(fake_slack)
        forged = SlackSender(f"http://127.0.0.1:{port}/", "not-the-secret")
        assert forged.command("/contact", "Ada")[0] == 401
        time.sleep(0.3)  # the request lines are written after the answers
    finally:
        process.terminate()
        _, err = process.communicate(timeout=10)

    records = [json.loads(line) for line in err.splitlines() if line.strip()]  # every line is JSON
    assert all({"ts", "level", "logger", "message"} <= set(r) for r in records)
    checks = [r for r in records if r["logger"] == "touchbase.check"]
    assert [r["check"] for r in checks] == ["settings", "database", "bot token", "scopes", "request URL"]
    requests = [r for r in records if r["logger"] == "touchbase.request"]
    assert len(requests) == 2, requests  # the /healthz polls are not logged
    ok, refused = requests
    assert {k: ok[k] for k in ("kind", "id", "team", "user", "outcome", "status", "level")} == {
        "kind": "command",
        "id": "/contact",
        "team": "T111",
        "user": "U111",
        "outcome": "ok",
        "status": 200,
        "level": "INFO",
    }
    assert isinstance(ok["latency_ms"], float | int) and 0 <= ok["latency_ms"] < 3000
    assert (refused["outcome"], refused["status"]) == ("error", 401)
    assert "SLACK_SIGNING_SECRET" in refused["message"]
    # Bolt's "As you gave `client` as well, `token` will be unused" no longer misleads at start.
    assert not any("will be unused" in r["message"] for r in records)


# --- what serve does with each outcome ------------------------------------------------------


def _settings(fake_slack, database_url: str, **changes):
    from dataclasses import replace

    from tests.app_harness import test_settings

    return replace(test_settings(database_url, fake_slack.url), **changes)


def test_serve_logs_missing_scopes_and_slack_out_of_reach_but_keeps_starting(fake_slack, migrated, caplog):
    from bot.check import startup_checks

    caplog.set_level(logging.INFO, logger="touchbase.check")
    fake_slack.scopes = "commands,chat:write,im:write,users:read"
    startup_checks(_settings(fake_slack, migrated))
    startup_checks(_settings(fake_slack, migrated, slack_api_url="http://127.0.0.1:9/api/"))

    lines = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "touchbase.check"]
    assert (
        "ERROR",
        "check scopes fail: the token lacks users:read.email: add it under OAuth & Permissions "
        "→ Scopes (or update the app from app.manifest.yaml), then reinstall the app",
    ) in lines
    assert any(
        level == "ERROR" and "can't reach Slack at http://127.0.0.1:9/api/" in text for level, text in lines
    )
    assert sum(text.startswith("check settings ok") for _, text in lines) == 2


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"slack_bot_token": "xoxb-revoked"}, "Slack rejected SLACK_BOT_TOKEN (invalid_auth)"),
        ({"slack_app_token": "xapp-revoked"}, "Slack rejected SLACK_APP_TOKEN (invalid_auth)"),
    ],
)
def test_serve_stops_on_a_rejected_token_unless_told_not_to_ask(fake_slack, migrated, changes, says):
    from bot.check import startup_checks
    from bot.settings import SettingsError

    fake_slack.reject_token("xoxb-revoked")
    fake_slack.reject_token("xapp-revoked")
    settings = _settings(fake_slack, migrated, **changes)

    with pytest.raises(SettingsError) as stopped:
        startup_checks(settings)
    assert says in str(stopped.value) and str(stopped.value).endswith("(or start with --no-check)")
    fake_slack.clear()
    startup_checks(settings, slack=False)  # --no-check
    assert fake_slack.calls() == []


def test_serve_stops_on_a_database_behind_the_code(fake_slack, tmp_path):
    from bot.check import startup_checks
    from bot.settings import SettingsError

    old = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(old, "0001")

    with pytest.raises(SettingsError) as stopped:
        startup_checks(_settings(fake_slack, old), slack=False)
    assert str(stopped.value).startswith("DATABASE_URL: schema at revision 0001, the latest is ")
    assert str(stopped.value).endswith("run `touchbase db upgrade`")
