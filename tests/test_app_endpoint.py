"""The chain end to end: signed HTTP in, Bolt, storage, blocks, Web API calls out."""

import json
import time

from tests.app_harness import wait_responses
from tests.slack_requests import form_body, signed_headers


def test_signed_contact_command_is_acked_and_answers_through_slack(touchbase):
    status, _, _ = touchbase.slack.command("/contact", "add Jane Doe jane@acme.com Acme")
    assert status == 200
    [answer] = wait_responses(touchbase.fake)
    assert "Jane Doe" in json.dumps(answer.args)


def test_healthz_answers_200_when_the_database_answers(touchbase):
    import urllib.request

    with urllib.request.urlopen(touchbase.url + "healthz", timeout=5) as response:
        assert response.status == 200
        assert json.load(response) == {"ok": True, "database": "up"}


def test_healthz_answers_503_when_the_database_is_down(touchbase, monkeypatch):
    import urllib.error
    import urllib.request

    monkeypatch.setattr(touchbase.db, "ping", lambda: False)
    try:
        urllib.request.urlopen(touchbase.url + "healthz", timeout=5)
        raise AssertionError("expected 503")
    except urllib.error.HTTPError as error:
        assert error.code == 503


def _command_body():
    return form_body(
        {
            "token": "t",
            "team_id": "T111",
            "user_id": "U111",
            "command": "/contact",
            "text": "add Mallory",
            "channel_id": "C111",
            "trigger_id": "trig-x",
            "response_url": "https://hooks.slack.com/commands/x",
        }
    )


def test_unsigned_request_gets_401_and_does_nothing(touchbase):
    status, _, _ = touchbase.slack.post(_command_body(), "application/x-www-form-urlencoded", sign=False)
    assert status == 401
    time.sleep(0.2)
    assert touchbase.fake.calls() == []


def test_wrongly_signed_request_gets_401(touchbase):
    status, _, _ = touchbase.slack.post(
        _command_body(), "application/x-www-form-urlencoded", signature="v0=" + "0" * 64
    )
    assert status == 401


def test_request_signed_with_another_secret_gets_401(touchbase):
    body = _command_body()
    headers = signed_headers(body, "not-our-secret")
    status, _, _ = touchbase.slack.post(
        body,
        "application/x-www-form-urlencoded",
        timestamp=headers["X-Slack-Request-Timestamp"],
        signature=headers["X-Slack-Signature"],
    )
    assert status == 401


def test_stale_request_gets_401_even_when_correctly_signed(touchbase):
    stale = str(int(time.time()) - 6 * 60)
    status, _, _ = touchbase.slack.post(_command_body(), "application/x-www-form-urlencoded", timestamp=stale)
    assert status == 401
