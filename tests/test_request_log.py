"""The per-request log line, Slack API errors in the log, and the JSON log format."""

from __future__ import annotations

import json
import logging
import re
import sys
import urllib.request

import pytest
from slack_sdk.errors import SlackApiError

from blocks import ids
from bot.logging_setup import JsonFormatter
from bot.slack import build_client
from tests import app_harness


def _request_records(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "touchbase.request"]


def _fields(record: logging.LogRecord) -> dict:
    return {k: getattr(record, k) for k in ("kind", "id", "team", "user", "outcome", "status")}


@pytest.fixture
def request_log(caplog):
    caplog.set_level(logging.INFO, logger="touchbase.request")
    return caplog


def test_a_command_is_one_info_line_with_its_fields(touchbase, request_log):
    status, _, _ = touchbase.slack.command("/contact", "add Ada Lovelace")

    assert status == 200
    [record] = _request_records(request_log)
    assert record.levelno == logging.INFO
    assert _fields(record) == {
        "kind": "command",
        "id": "/contact",
        "team": "T111",
        "user": "U111",
        "outcome": "ok",
        "status": 200,
    }
    assert 0 <= record.latency_ms < 3000
    assert re.fullmatch(r"command /contact from U111 in T111: ok \(200\) in \d+ ms", record.getMessage())


def test_every_kind_of_request_is_named(touchbase, request_log):
    slack = touchbase.slack
    slack.global_shortcut("log_interaction")
    view = touchbase.fake.wait_for("views.open")[0].args["view"]
    slack.message_shortcut("log_message", {"type": "message", "user": "U222", "text": "hi", "ts": "1.000100"})
    slack.block_actions([{"action_id": ids.ACTION_SHOW_CONTACT, "value": "1", "type": "button"}])
    slack.block_suggestion(ids.ACTION_CONTACT_SELECT, ids.BLOCK_CONTACT, "ad", view=view)
    slack.view_submission(view)
    slack.event({"type": "app_home_opened", "user": "U111", "tab": "home", "channel": "D111"})

    assert [(r.kind, r.id) for r in _request_records(request_log)] == [
        ("shortcut", "log_interaction"),
        ("shortcut", "log_message"),
        ("action", ids.ACTION_SHOW_CONTACT),
        ("options", ids.ACTION_CONTACT_SELECT),
        ("view_submission", view["callback_id"]),
        ("event", "app_home_opened"),
    ]
    assert {(r.team, r.user) for r in _request_records(request_log)} == {("T111", "U111")}


def test_refused_and_unhandled_requests_are_errors_with_a_hint(touchbase, request_log):
    from tests.slack_requests import SlackSender

    forged = SlackSender(touchbase.url, "not-the-secret")
    assert forged.command("/contact", "Ada")[0] == 401
    assert touchbase.slack.block_actions([{"action_id": "no_such_action", "value": "x"}])[0] == 404

    refused, unhandled = _request_records(request_log)
    assert (refused.levelno, refused.kind, refused.outcome, refused.status) == (
        logging.WARNING,
        "unverified",
        "error",
        401,
    )
    assert (refused.team, refused.user) == (None, None)  # an unverified body is not believed
    assert "SLACK_SIGNING_SECRET" in refused.getMessage()
    assert (unhandled.kind, unhandled.id, unhandled.outcome, unhandled.status) == (
        "action",
        "no_such_action",
        "error",
        404,
    )


def test_healthz_is_not_logged(touchbase, request_log):
    with urllib.request.urlopen(touchbase.url + "healthz", timeout=5) as response:
        assert response.status == 200

    assert _request_records(request_log) == []


# --- Slack API errors ----------------------------------------------------------------------


def test_slack_api_errors_are_logged_with_method_and_code(fake_slack, caplog):
    caplog.set_level(logging.WARNING, logger="touchbase.slack")
    client = build_client(app_harness.test_settings("sqlite://", fake_slack.url))
    fake_slack.fail("chat.postMessage", "not_in_channel")
    fake_slack.respond_with("views.open", 429, headers={"Retry-After": "0"}, times=1)

    with pytest.raises(SlackApiError):
        client.chat_postMessage(channel="C1", text="hi")
    client.views_open(trigger_id="t", view={"type": "modal"})  # retried after the 429, then fine
    client.auth_test()  # fine: not logged

    records = [r for r in caplog.records if r.name == "touchbase.slack"]
    assert [(r.slack_method, r.slack_error, r.http_status) for r in records] == [
        ("chat.postMessage", "not_in_channel", 200),
        ("views.open", "ratelimited", 429),
    ]
    assert records[0].getMessage() == "Slack API chat.postMessage failed: not_in_channel"
    assert len(fake_slack.calls("views.open")) == 2


# --- the JSON format ------------------------------------------------------------------------


def test_json_lines_carry_the_standard_keys_and_the_extra_fields():
    record = logging.LogRecord("touchbase.request", logging.INFO, __file__, 1, "line\n%s", ("two",), None)
    record.kind, record.latency_ms, record.user = "command", 12.5, None

    entry = json.loads(JsonFormatter().format(record))

    assert entry["level"] == "INFO" and entry["logger"] == "touchbase.request"
    assert entry["message"] == "line\ntwo"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", entry["ts"])
    assert (entry["kind"], entry["latency_ms"], entry["user"]) == ("command", 12.5, None)
    assert "msg" not in entry and "args" not in entry


def test_a_json_line_holds_the_traceback_on_one_line():
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())

    line = JsonFormatter().format(record)

    assert "\n" not in line
    assert "ValueError: boom" in json.loads(line)["exception"]
