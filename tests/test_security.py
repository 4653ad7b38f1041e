"""Unverified requests never make Touchbase act (issue: forged requests must get 401 and nothing else).

Every request below fails signature verification in some way. Each must answer 401 and cause
nothing: no Web API call to the fake Slack, no POST to the (attacker-chosen) response_url, no
database statement and no listener or error handler.
"""

from __future__ import annotations

import http.server
import json
import threading
import time
from urllib.parse import urlencode

import pytest
from slack_bolt.request import BoltRequest
from sqlalchemy import event

from bot.verification import allowed_response_url, is_valid_slack_request
from tests.app_harness import wait_responses
from tests.slack_requests import JSON, SlackSender, signed_headers

FORM = "application/x-www-form-urlencoded"


class CatchAll:
    """A local HTTP server that records every request: the place a forged response_url points."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str]] = []
        catch = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _record(self):
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                catch.requests.append((self.command, self.path))
                self.send_response(200)
                self.end_headers()

            do_GET = do_POST = do_PUT = _record

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def catch_all_server():
    server = CatchAll()
    yield server
    server.close()


@pytest.fixture
def catch_all(catch_all_server):
    catch_all_server.requests.clear()
    return catch_all_server


@pytest.fixture
def touchbase(touchbase_sqlite):
    """One served app for the module: verification happens before any database is touched."""
    touchbase_sqlite.fake.clear()
    return touchbase_sqlite


@pytest.fixture
def statements(touchbase):
    """Counts SQL statements the app runs (any access to the database at all)."""
    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(touchbase.db.engine, "before_cursor_execute", count)
    yield seen
    event.remove(touchbase.db.engine, "before_cursor_execute", count)


def _bodies(sender: SlackSender, hook: str) -> dict[str, tuple[bytes, str]]:
    """One body per kind of request Slack sends, each naming the catch-all as response_url."""
    command = sender.command_fields("/contact", "x")
    command["response_url"] = hook
    log = sender.command_fields("/log", "Jane call yesterday 3pm renewal")
    log["response_url"] = hook
    action = sender.block_actions_payload(
        [{"action_id": "interaction_delete", "value": "1", "type": "button"}]
    )
    action["response_url"] = hook
    shortcut = sender.global_shortcut_payload("log_interaction")
    event_envelope = sender.event_envelope({"type": "app_home_opened", "user": sender.user_id, "tab": "home"})
    return {
        "command": (urlencode(command).encode(), FORM),
        "quick log": (urlencode(log).encode(), FORM),
        "block action": (urlencode({"payload": json.dumps(action)}).encode(), FORM),
        "shortcut": (urlencode({"payload": json.dumps(shortcut)}).encode(), FORM),
        "event": (json.dumps(event_envelope).encode(), JSON),
        "url verification": (
            json.dumps({"type": "url_verification", "challenge": "c", "token": "t"}).encode(),
            JSON,
        ),
    }


def _now() -> int:
    return int(time.time())


# (timestamp, signature) forgeries; "SIGN" means the correct signature for that timestamp.
HEADER_CASES = {
    "no timestamp": (None, "SIGN"),
    "empty timestamp": ("", "SIGN"),
    "non-numeric timestamp": ("abc", "v0=00"),
    "non-numeric timestamp, signed": ("abc", "SIGN"),
    "negative timestamp": (lambda: str(-_now()), "SIGN"),
    "huge timestamp": ("9" * 40, "SIGN"),
    "float timestamp": (lambda: f"{time.time():.3f}", "SIGN"),
    "exponent timestamp": ("1.7e9", "SIGN"),
    "padded timestamp": (lambda: f" {_now()}", "SIGN"),
    "superscript digits": ("¹" + "²" * 9, "SIGN"),
    "stale timestamp": (lambda: str(_now() - 6 * 60), "SIGN"),
    "future timestamp": (lambda: str(_now() + 6 * 60), "SIGN"),
    "no signature": (lambda: str(_now()), None),
    "empty signature": (lambda: str(_now()), ""),
    "bare prefix": (lambda: str(_now()), "v0="),
    "v1 prefix": (lambda: str(_now()), "SIGN:v1"),
    "upper-case prefix": (lambda: str(_now()), "SIGN:V0"),
    "upper-case hex": (lambda: str(_now()), "SIGN:upper"),
    "truncated signature": (lambda: str(_now()), "SIGN:short"),
    "signature with junk after": (lambda: str(_now()), "SIGN:junk"),
    "non-hex signature": (lambda: str(_now()), "v0=" + "z" * 64),
    "zero signature": (lambda: str(_now()), "v0=" + "0" * 64),
}


def _headers(case: str, body: bytes, secret: str) -> dict[str, str]:
    timestamp, signature = HEADER_CASES[case]
    ts = timestamp() if callable(timestamp) else timestamp
    headers: dict[str, str] = {}
    if ts is not None:
        headers["X-Slack-Request-Timestamp"] = ts
    if signature is None:
        return headers
    if signature.startswith("SIGN"):
        good = signed_headers(body, secret, timestamp=ts if ts else "0")["X-Slack-Signature"]
        variant = signature.partition(":")[2]
        signature = {
            "": good,
            "v1": "v1=" + good[3:],
            "V0": "V0=" + good[3:],
            "upper": "v0=" + good[3:].upper(),
            "short": good[:-2],
            "junk": good + "00",
        }[variant]
    headers["X-Slack-Signature"] = signature
    return headers


def _assert_did_nothing(touchbase, catch_all, statements) -> None:
    time.sleep(0.05)  # anything done after the answer would have landed by now
    assert touchbase.fake.calls() == []
    assert catch_all.requests == []
    assert statements == []


@pytest.mark.parametrize(
    "kind", ["command", "quick log", "block action", "shortcut", "event", "url verification"]
)
@pytest.mark.parametrize("case", sorted(HEADER_CASES))
def test_forged_headers_get_401_and_cause_nothing(touchbase, catch_all, statements, case, kind):
    body, content_type = _bodies(touchbase.slack, catch_all.url)[kind]
    status, _, answer = touchbase.slack.post(
        body, content_type, sign=False, headers=_headers(case, body, touchbase.slack.signing_secret)
    )
    assert status == 401, answer
    _assert_did_nothing(touchbase, catch_all, statements)


ALTERATIONS = {
    "one character changed": lambda body: body[:-1] + (b"A" if body[-1:] != b"A" else b"B"),
    "appended field": lambda body: body + b"&user_id=U999",
    "truncated": lambda body: body[: len(body) // 2],
    "json broken": lambda body: body.replace(b"{", b"[", 1),
    "team swapped": lambda body: body.replace(b"T111", b"T999"),
    "empty": lambda body: b"",
}


@pytest.mark.parametrize("kind", ["command", "block action", "event", "url verification"])
@pytest.mark.parametrize("alteration", sorted(ALTERATIONS))
def test_body_altered_after_signing_gets_401(touchbase, catch_all, statements, kind, alteration):
    body, content_type = _bodies(touchbase.slack, catch_all.url)[kind]
    headers = signed_headers(body, touchbase.slack.signing_secret)
    altered = ALTERATIONS[alteration](body)
    if altered == body:
        pytest.skip("this alteration leaves this body unchanged")
    status, _, _ = touchbase.slack.post(altered, content_type, sign=False, headers=headers)
    assert status == 401
    _assert_did_nothing(touchbase, catch_all, statements)


def test_the_issue_recipe_answers_401_and_posts_nowhere(touchbase, catch_all, statements):
    body = urlencode(
        {
            "command": "/contact",
            "text": "x",
            "team_id": "T1",
            "user_id": "U1",
            "channel_id": "C1",
            "response_url": catch_all.url,
        }
    ).encode()
    status, _, _ = touchbase.slack.post(
        body, FORM, sign=False, headers={"X-Slack-Request-Timestamp": "abc", "X-Slack-Signature": "v0=00"}
    )
    assert status == 401
    _assert_did_nothing(touchbase, catch_all, statements)


def test_in_process_dispatch_of_a_malformed_timestamp_is_refused_without_the_error_handler(
    touchbase, catch_all, statements
):
    """Bolt's own middleware path (app.dispatch, as Socket Mode and adapters use) is total too."""
    body = (
        urlencode(
            {
                "command": "/contact",
                "text": "x",
                "team_id": "T111",
                "user_id": "U111",
                "channel_id": "C111",
                "response_url": catch_all.url,
            }
        )
        .encode()
        .decode()
    )
    request = BoltRequest(
        body=body,
        headers={"x-slack-request-timestamp": "abc", "x-slack-signature": "v0=00", "content-type": FORM},
    )
    response = touchbase.app.dispatch(request)
    assert response.status == 401
    _assert_did_nothing(touchbase, catch_all, statements)


def test_a_verified_request_never_posts_to_a_response_url_outside_slack(touchbase, catch_all):
    fields = touchbase.slack.command_fields("/contact", "help")
    fields["response_url"] = catch_all.url
    status, _, _ = touchbase.slack.post(urlencode(fields).encode(), FORM)
    assert status == 200
    time.sleep(0.3)
    assert catch_all.requests == []


def test_a_verified_request_answers_through_slacks_response_url(touchbase):
    status, _, _ = touchbase.slack.command("/contact", "help")
    assert status == 200
    [answer] = wait_responses(touchbase.fake)
    assert "/contact" in json.dumps(answer.args)


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://hooks.slack.com/commands/T1/1/abc", True),
        ("https://hooks.slack-gov.com/actions/T1/1/abc", True),
        ("http://hooks.slack.com/commands/T1/1/abc", False),
        ("https://hooks.slack.com.evil.example/x", False),
        ("https://evil.example/?hooks.slack.com", False),
        ("https://user@evil.example@hooks.slack.com/x", True),  # parsed host is hooks.slack.com
        ("http://127.0.0.1:9/hook", False),
        ("http://127.0.0.1:8888/response/1", True),  # the configured SLACK_API_URL's host and port
        ("http://127.0.0.1:8889/response/1", False),
        ("javascript:alert(1)", False),
        ("", False),
        (None, False),
        (["https://hooks.slack.com/x"], False),
    ],
)
def test_response_urls_are_used_only_on_slacks_hosts(url, allowed):
    assert allowed_response_url(url, "http://127.0.0.1:8888/api/") is allowed


def test_verifier_accepts_exactly_the_signed_body():
    body = b"a=1&b=2"
    headers = signed_headers(body, "s3cret")
    ts, sig = headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"]
    assert is_valid_slack_request("s3cret", body, ts, sig)
    assert not is_valid_slack_request("s3cret", body + b"&c=3", ts, sig)
    assert not is_valid_slack_request("other", body, ts, sig)
    assert not is_valid_slack_request("", body, ts, sig)
    assert not is_valid_slack_request("s3cret", body, ts, sig, now=int(ts) + 301)
