"""Tests of the test harness itself (tests/fake_slack.py, tests/slack_requests.py) against real slack_sdk/Bolt."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections.abc import Iterator
from socketserver import ThreadingMixIn
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.webhook import WebhookClient

from tests.fake_slack import FakeSlack
from tests.slack_requests import FORM, SlackSender, payload_body, signed_headers

SECRET = "test-signing-secret"


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as server:
        yield server


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    return WebClient(token="xoxb-test", base_url=fake.url)


# ---------------------------------------------------------------------- FakeSlack + WebClient


def test_url_has_trailing_slash_and_free_port(fake: FakeSlack) -> None:
    assert fake.url == f"http://127.0.0.1:{fake.port}/"
    with FakeSlack() as other:
        assert other.port != fake.port


def test_post_message_json_body_recorded_with_blocks(fake: FakeSlack, client: WebClient) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*hi*"}}]
    first = client.chat_postMessage(channel="C1", text="hi", blocks=blocks, unfurl_links=False)
    second = client.chat_postMessage(channel="C1", text="again")

    call = fake.calls("chat.postMessage")[0]
    assert call.args["blocks"] == blocks
    assert call.args["text"] == "hi"
    assert call.args["unfurl_links"] is False  # JSON bodies keep real booleans
    assert call.headers["authorization"] == "Bearer xoxb-test"
    assert call.headers["content-type"].startswith("application/json")
    assert first["ok"] and first["channel"] == "C1"
    assert first["message"]["blocks"] == blocks
    assert float(second["ts"]) > float(first["ts"])
    assert len({first["ts"], second["ts"]}) == 2


def test_views_open_and_update(fake: FakeSlack, client: WebClient) -> None:
    view = {
        "type": "modal",
        "callback_id": "log",
        "title": {"type": "plain_text", "text": "Log"},
        "blocks": [
            {"type": "input", "block_id": "b", "element": {"type": "plain_text_input", "action_id": "a"}}
        ],
        "private_metadata": json.dumps({"channel": "C1"}),
    }
    opened = client.views_open(trigger_id="trig-1", view=view)
    assert opened["view"]["id"].startswith("V")
    assert opened["view"]["hash"] == "h"
    assert opened["view"]["callback_id"] == "log"
    call = fake.last("views.open")
    assert call.args == {"trigger_id": "trig-1", "view": view}

    updated = client.views_update(view_id=opened["view"]["id"], hash="h", view=view)
    assert updated["view"]["id"] == opened["view"]["id"]
    # A view given as a JSON string is decoded too.
    client.views_publish(user_id="U1", view=json.dumps({"type": "home", "blocks": []}))
    assert fake.last("views.publish").args["view"] == {"type": "home", "blocks": []}


def test_users_info_default_and_overrides(fake: FakeSlack, client: WebClient) -> None:
    user = client.users_info(user="U123")["user"]
    assert user["id"] == "U123"
    assert user["real_name"] == "User U123"
    assert user["profile"]["email"] == "u123@example.com"
    assert user["profile"]["display_name"] == "User U123"
    assert (user["tz"], user["tz_offset"]) == ("America/Los_Angeles", -28800)
    assert user["is_admin"] is False and user["is_owner"] is False and user["deleted"] is False

    fake.set_user("U9", tz="Asia/Tokyo", is_admin=True, real_name="Ann", profile={"email": "ann@x.io"})
    ann = client.users_info(user="U9")["user"]
    assert ann["tz"] == "Asia/Tokyo" and ann["tz_offset"] == 9 * 3600
    assert ann["is_admin"] is True
    assert ann["real_name"] == ann["profile"]["real_name"] == "Ann"
    assert ann["profile"]["email"] == "ann@x.io"
    assert ann["profile"]["display_name"] == "User U9"
    assert fake.last("users.info").args == {"user": "U9"}


def test_conversations_open_and_permalink(fake: FakeSlack, client: WebClient) -> None:
    assert client.conversations_open(users=["U7"])["channel"]["id"] == "DU7"
    assert fake.last("conversations.open").args == {"users": "U7"}
    assert fake.last("conversations.open").headers["content-type"] == "application/x-www-form-urlencoded"

    link = client.chat_getPermalink(channel="C5", message_ts="1700000000.000100")
    assert link["permalink"] == "https://example.slack.com/archives/C5/p1700000000000100"
    assert fake.last("chat.getPermalink").args == {"channel": "C5", "message_ts": "1700000000.000100"}
    # slack_sdk declares http_verb="GET" here, but the sync WebClient always POSTs a form body.
    assert fake.last("chat.getPermalink").http_method == "POST"


def test_form_encoded_json_values_and_booleans_are_decoded(fake: FakeSlack, client: WebClient) -> None:
    blocks = [{"type": "divider"}]
    client.api_call("chat.unfurl", params={"blocks": json.dumps(blocks), "flag": True, "text": "[x]"})
    args = fake.last("chat.unfurl").args
    assert args["blocks"] == blocks
    assert args["flag"] == "1"  # slack_sdk turns booleans into "1"/"0" in form bodies
    assert args["text"] == "[x]"  # only blocks/view/attachments/... are JSON-decoded


def test_get_query_params_are_parsed(fake: FakeSlack) -> None:
    request = urllib.request.Request(
        fake.url + "users.info?user=U42&include_locale=true", headers={"Authorization": "Bearer xoxb-x"}
    )
    with urllib.request.urlopen(request) as response:
        body = json.loads(response.read())
    assert body["user"]["id"] == "U42"
    call = fake.last("users.info")
    assert call.http_method == "GET"
    assert call.args == {"user": "U42", "include_locale": "true"}


def test_auth_test_and_invalid_auth(fake: FakeSlack, client: WebClient) -> None:
    result = client.auth_test()
    assert result.data == {
        "ok": True,
        "url": "https://example.slack.com/",
        "team": "Example",
        "user": "touchbase",
        "team_id": "T111",
        "user_id": "UBOT",
        "bot_id": "BBOT",
        "is_enterprise_install": False,
    }
    assert "chat:write" in result.headers["x-oauth-scopes"]

    with pytest.raises(SlackApiError) as error:
        WebClient(token="xoxp-user", base_url=fake.url).chat_postMessage(channel="C1", text="x")
    assert error.value.response["error"] == "invalid_auth"
    assert len(fake.calls("chat.postMessage")) == 1  # recorded even though rejected


def test_ratelimited_then_retried(fake: FakeSlack) -> None:
    fake.respond_with(
        "chat.postMessage",
        status=429,
        headers={"Retry-After": "1"},
        body={"ok": False, "error": "ratelimited"},
        times=1,
    )
    client = WebClient(
        token="xoxb-test",
        base_url=fake.url,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=2)],
    )
    result = client.chat_postMessage(channel="C1", text="hi")
    assert result["ok"] is True
    assert len(fake.calls("chat.postMessage")) == 2


def test_ratelimited_without_retry_handler_raises(fake: FakeSlack, client: WebClient) -> None:
    fake.respond_with("users.info", status=429, headers={"Retry-After": "7"})
    with pytest.raises(SlackApiError) as error:
        client.users_info(user="U1")
    assert error.value.response.status_code == 429
    assert error.value.response.headers["Retry-After"] == "7"
    assert error.value.response["error"] == "ratelimited"


def test_fail_surfaces_as_slack_api_error(fake: FakeSlack, client: WebClient) -> None:
    fake.fail("chat.postMessage", times=1)
    with pytest.raises(SlackApiError) as error:
        client.chat_postMessage(channel="C404", text="x")
    assert error.value.response["error"] == "channel_not_found"
    assert client.chat_postMessage(channel="C1", text="x")["ok"] is True  # times=1 exhausted
    fake.fail("views.open", error="expired_trigger_id")
    for _ in range(2):
        with pytest.raises(SlackApiError, match="expired_trigger_id"):
            client.views_open(trigger_id="t", view={"type": "modal"})
    assert [c.method for c in fake.calls()] == ["chat.postMessage"] * 2 + ["views.open"] * 2


def test_rate_limit_token_bucket(fake: FakeSlack, client: WebClient) -> None:
    fake.rate_limit("chat.postMessage", per_second=2)
    statuses = []
    for _ in range(4):
        try:
            client.chat_postMessage(channel="C1", text="x")
            statuses.append(200)
        except SlackApiError as error:
            statuses.append(error.response.status_code)
            assert int(error.response.headers["Retry-After"]) >= 1
    assert statuses[:2] == [200, 200]
    assert 429 in statuses[2:]
    assert len(fake.calls("chat.postMessage")) == 4


def test_latency(fake: FakeSlack, client: WebClient) -> None:
    fake.latency(0.2)
    started = time.monotonic()
    client.auth_test()
    assert time.monotonic() - started >= 0.2


def test_last_wait_for_clear(fake: FakeSlack, client: WebClient) -> None:
    with pytest.raises(AssertionError, match=r"no chat.update call recorded; methods seen: \[\]"):
        fake.last("chat.update")
    threading.Timer(0.1, lambda: client.chat_update(channel="C1", ts="1.2", text="new")).start()
    calls = fake.wait_for("chat.update", timeout=3)
    assert calls[0].args == {"channel": "C1", "ts": "1.2", "text": "new"}
    with pytest.raises(AssertionError, match=r"expected 2 chat\.update"):
        fake.wait_for("chat.update", count=2, timeout=0.2)
    fake.clear()
    assert fake.calls() == []


def test_default_answers(client: WebClient) -> None:
    assert client.chat_postEphemeral(channel="C1", user="U1", text="x")["message_ts"]
    assert client.chat_update(channel="C1", ts="1.2", text="y").data["ts"] == "1.2"
    assert client.api_call("reactions.add", json={"name": "x"}).data == {"ok": True}


def test_response_url_paths_recorded(fake: FakeSlack) -> None:
    response = WebhookClient(fake.url + "response/3").send(text="done", replace_original=True)
    assert response.status_code == 200
    call = fake.last("response/3")
    assert call.args == {"text": "done", "replace_original": True}


# ---------------------------------------------------------------------- signing


def test_signed_headers_verify_and_tampering_is_rejected() -> None:
    body = b"token=x&command=%2Ftouchbase&text=hello"
    headers = signed_headers(body, SECRET)
    verifier = SignatureVerifier(SECRET)
    assert verifier.is_valid(
        body=body, timestamp=headers["X-Slack-Request-Timestamp"], signature=headers["X-Slack-Signature"]
    )
    assert verifier.is_valid_request(body, headers)
    assert not verifier.is_valid(
        body=body + b"x",
        timestamp=headers["X-Slack-Request-Timestamp"],
        signature=headers["X-Slack-Signature"],
    )
    assert not SignatureVerifier("other").is_valid_request(body, headers)
    stale = signed_headers(body, SECRET, timestamp=int(time.time()) - 600)
    assert not verifier.is_valid_request(body, stale)


def test_payload_body_is_form_encoded_json() -> None:
    body = payload_body({"type": "shortcut", "callback_id": "x"})
    fields = parse_qs(body.decode())
    assert json.loads(fields["payload"][0]) == {"type": "shortcut", "callback_id": "x"}


# ---------------------------------------------------------------------- SlackSender against a real Bolt app


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class SignatureRecorder:
    """A tiny signed-request endpoint: stores what it received and checks the signature."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []

    def __call__(self, environ, start_response):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
        headers["content-type"] = environ.get("CONTENT_TYPE", "")
        self.requests.append((headers, body))
        ok = SignatureVerifier(SECRET).is_valid_request(body, headers)
        start_response("200 OK" if ok else "401 Unauthorized", [("Content-Type", "text/plain")])
        return [b"ok" if ok else b"bad"]


def _serve(app) -> tuple[str, WSGIServer]:
    server = make_server("127.0.0.1", 0, app, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}/", server


def test_sender_signs_and_post_forges() -> None:
    recorder = SignatureRecorder()
    base, server = _serve(recorder)
    try:
        sender = SlackSender(base, SECRET)
        assert sender.command("/touchbase", "hello")[0] == 200
        headers, body = recorder.requests[-1]
        assert headers["content-type"] == FORM
        assert parse_qs(body.decode())["text"] == ["hello"]
        assert sender.post(body, FORM, signature="v0=forged")[0] == 401
        assert sender.post(body, FORM, timestamp=int(time.time()) - 600)[0] == 401
        assert sender.post(body, FORM, sign=False)[0] == 401
        assert "x-slack-signature" not in recorder.requests[-1][0]
        sender.event({"type": "app_mention", "text": "hi"}, retry_num=1)
        headers, body = recorder.requests[-1]
        assert headers["x-slack-retry-num"] == "1"
        assert json.loads(body)["type"] == "event_callback"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def bolt(fake: FakeSlack) -> Iterator[tuple[App, SlackSender]]:
    app = App(client=WebClient(token="xoxb-valid", base_url=fake.url), signing_secret=SECRET)
    base, server = _serve(SlackRequestHandler(app))
    try:
        yield app, SlackSender(base, SECRET, response_url_base=fake.url)
    finally:
        server.shutdown()
        server.server_close()


def test_sender_payloads_reach_bolt_listeners(bolt: tuple[App, SlackSender], fake: FakeSlack) -> None:
    app, sender = bolt
    seen: dict[str, dict] = {}

    @app.command("/touchbase")
    def on_command(ack, body, respond):
        ack()
        seen["command"] = body
        respond(text="got it")

    @app.action("log_button")
    def on_action(ack, body, client):
        ack()
        seen["action"] = body
        client.views_open(trigger_id=body["trigger_id"], view={"type": "modal", "callback_id": "log"})

    @app.view("log")
    def on_submit(ack, view, body):
        seen["view"] = view
        ack(response_action="errors", errors={"b": "bad"})

    @app.options("contact")
    def on_options(ack, payload):
        ack(options=[{"text": {"type": "plain_text", "text": payload["value"]}, "value": "1"}])

    @app.shortcut("log_from_message")
    def on_message_shortcut(ack, shortcut, client):
        ack()
        seen["message_shortcut"] = shortcut
        client.chat_getPermalink(channel=shortcut["channel"]["id"], message_ts=shortcut["message_ts"])

    @app.shortcut("new_contact")
    def on_global_shortcut(ack, shortcut):
        ack()
        seen["global_shortcut"] = shortcut

    @app.event("app_home_opened")
    def on_home(event, client):
        client.views_publish(user_id=event["user"], view={"type": "home", "blocks": []})

    status, _, _ = sender.command("/touchbase", "log acme")
    assert status == 200
    respond_call = fake.wait_for(sender.last_payload["response_url"].removeprefix(fake.url))[0]
    assert respond_call.args["text"] == "got it"
    assert seen["command"]["text"] == "log acme"

    assert sender.block_actions([{"action_id": "log_button", "value": "42"}], message={"text": "m"})[0] == 200
    assert fake.wait_for("views.open")[0].args["trigger_id"] == sender.last_payload["trigger_id"]
    assert seen["action"]["actions"][0]["value"] == "42"

    view = {
        "callback_id": "log",
        "private_metadata": "C1|1.2",
        "state": {"values": {"b": {"a": {"type": "plain_text_input", "value": "note"}}}},
    }
    status, _, text = sender.view_submission(view)
    assert status == 200
    assert json.loads(text) == {"response_action": "errors", "errors": {"b": "bad"}}
    assert seen["view"]["private_metadata"] == "C1|1.2"
    assert seen["view"]["state"]["values"]["b"]["a"]["value"] == "note"

    status, _, text = sender.block_suggestion("contact", "b", "ac", view={"callback_id": "log"})
    assert status == 200 and json.loads(text)["options"][0]["text"]["text"] == "ac"

    message = {"text": "met Acme", "ts": "1700000001.000200", "user": "U2"}
    assert sender.message_shortcut("log_from_message", message, channel_id="C9")[0] == 200
    link = fake.wait_for("chat.getPermalink")[0]
    # Bolt's per-request client is built with team_id=..., so every listener call carries it.
    assert link.args == {"channel": "C9", "message_ts": "1700000001.000200", "team_id": "T111"}

    assert sender.global_shortcut("new_contact")[0] == 200
    assert "channel" not in seen["global_shortcut"]

    assert sender.event({"type": "app_home_opened", "user": "U111", "tab": "home"})[0] == 200
    assert fake.wait_for("views.publish")[0].args["user_id"] == "U111"

    assert sender.post(b"payload=%7B%7D", FORM, signature="v0=bad")[0] == 401
    assert len(fake.calls("auth.test")) == 1  # Bolt's token verification at App() construction
