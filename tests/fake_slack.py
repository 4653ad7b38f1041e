"""A fake Slack Web API server for tests (stdlib only).

Point a ``slack_sdk.WebClient(token="xoxb-...", base_url=fake.url)`` (or a Bolt ``App(client=...)``)
at it. Every request is recorded as a :class:`Call` with its arguments decoded whatever the
encoding slack_sdk chose (JSON body, form body or query string), and answered with a response
shaped like Slack's. Behaviour can be programmed per method (errors, HTTP 429, latency, rate limits).

Requests whose path starts with ``response/`` or ``hooks/`` (``response_url`` / incoming webhooks,
see ``tests/slack_requests.py``) are recorded too; they need no token and answer ``{"ok": true}``.
"""

from __future__ import annotations

import contextlib
import copy
import json
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

__all__ = ["Call", "FakeSlack"]

# Arguments that slack_sdk (or Bolt) may send as JSON text inside a form body or a JSON body.
JSON_ARGS = ("blocks", "view", "attachments", "user_auth_blocks", "metadata", "outputs")
# Paths that are not Web API methods: no bot token needed, any JSON body accepted.
WEBHOOK_PREFIXES = ("response/", "hooks/")
# Tokens the fake accepts: bot tokens, and the just-in-time token of a workflow step
# (`bot_access_token` of a `function_executed` event, which Bolt puts on the listener's client).
TOKEN_PREFIXES = ("Bearer xoxb-", "Bearer xoxe.xoxb-", "Bearer xwfp-")

DEFAULT_SCOPES = (
    "chat:write,commands,users:read,users:read.email,im:write,channels:read,groups:read,"
    "app_mentions:read,channels:history,groups:history,im:history,mpim:history"
)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # benchmarks open many connections at once


@dataclass(frozen=True)
class Call:
    """One request received by the fake. ``headers`` keys are lower-cased."""

    method: str
    args: dict[str, Any]
    headers: dict[str, str]
    http_method: str = "POST"
    body: bytes = b""
    at: float = field(default_factory=time.monotonic)


@dataclass
class _Rule:
    status: int
    body: Any
    headers: dict[str, str]
    times: int | None  # None = forever


@dataclass
class _Bucket:
    rate: float
    capacity: float
    tokens: float
    updated: float


class FakeSlack:
    """Fake Slack Web API on ``127.0.0.1:<free port>``; use as a context manager or start()/stop()."""

    def __init__(self, *, team_id: str = "T111", bot_user_id: str = "UBOT", bot_id: str = "BBOT") -> None:
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.scopes = DEFAULT_SCOPES  # sent as x-oauth-scopes on auth.test (Bolt reads it)
        self._rejected_tokens: dict[str, str] = {}
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._calls: list[Call] = []
        self._rules: dict[str, list[_Rule]] = {}
        self._buckets: dict[str, _Bucket] = {}
        self._users: dict[str, dict[str, Any]] = {}
        self._latency = 0.0
        self._ts_counter = 0
        self._view_counter = 0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        # OAuth (oauth.v2.access): tokens issued per workspace, refresh tokens not yet used.
        self.client_id = "111.222"
        self.client_secret = "fake-client-secret"
        self.token_rotation = False  # issue expiring tokens with refresh tokens
        self.token_lifetime = 43200  # seconds, as Slack's rotated tokens (12 h)
        self._token_teams: dict[str, str] = {}  # access token -> team id
        self._refresh_tokens: dict[str, str] = {}  # unused refresh token -> team id
        self._token_counter = 0

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> FakeSlack:
        if self._server is not None:
            return self
        server = _Server(("127.0.0.1", 0), _make_handler(self))
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-slack", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeSlack is not started")
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        """Base URL with a trailing slash (slack_sdk urljoins method names onto it)."""
        return f"http://127.0.0.1:{self.port}/"

    # ------------------------------------------------------------------ recorded calls

    def calls(self, method: str | None = None) -> list[Call]:
        with self._lock:
            return [c for c in self._calls if method is None or c.method == method]

    def methods(self) -> list[str]:
        """Methods called so far, in order (with repeats)."""
        with self._lock:
            return [c.method for c in self._calls]

    def last(self, method: str) -> Call:
        with self._lock:
            for call in reversed(self._calls):
                if call.method == method:
                    return call
            seen = [c.method for c in self._calls]
        raise AssertionError(f"no {method} call recorded; methods seen: {seen}")

    def clear(self) -> None:
        """Forget recorded calls (programmed behaviour is kept)."""
        with self._lock:
            self._calls.clear()

    def reset(self) -> None:
        """Forget recorded calls and all programmed behaviour."""
        with self._lock:
            self._calls.clear()
            self._rules.clear()
            self._buckets.clear()
            self._users.clear()
            self._rejected_tokens.clear()
            self._latency = 0.0

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Wait until at least ``count`` calls of ``method`` were recorded; return all of them."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                matching = [c for c in self._calls if c.method == method]
                if len(matching) >= count:
                    return matching
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [c.method for c in self._calls]
                    raise AssertionError(
                        f"expected {count} {method} call(s) within {timeout}s, got {len(matching)}; "
                        f"methods seen: {seen}"
                    )
                self._changed.wait(min(remaining, 0.05))

    # ------------------------------------------------------------------ programming

    def set_user(self, user_id: str, **fields: Any) -> None:
        """Override users.info fields for one user; ``profile`` is merged into the default profile.

        Setting ``tz`` without ``tz_offset`` derives the current offset from the zone.
        """
        with self._lock:
            current = self._users.setdefault(user_id, {})
            profile = fields.pop("profile", None)
            current.update(fields)
            if profile is not None:
                current.setdefault("profile", {}).update(profile)

    def respond_with(
        self,
        method: str,
        status: int = 200,
        body: Any = None,
        headers: dict[str, str] | None = None,
        times: int | None = None,
    ) -> None:
        """Answer ``method`` with this status/body/headers for the next ``times`` calls (None = forever).

        ``body=None`` means the normal answer for a 200 and ``{"ok": false, "error": ...}``
        (``ratelimited`` for 429) otherwise. A dict is sent as JSON, str/bytes verbatim.
        Rules queue up: the oldest one still active applies first.
        """
        with self._lock:
            self._rules.setdefault(method, []).append(_Rule(status, body, dict(headers or {}), times))

    def fail(self, method: str, error: str = "channel_not_found", times: int | None = None) -> None:
        """Answer ``method`` with HTTP 200 ``{"ok": false, "error": error}``."""
        self.respond_with(method, 200, {"ok": False, "error": error}, times=times)

    def reject_token(self, token: str, error: str = "invalid_auth") -> None:
        """Answer every call made with ``token`` (bot or app-level) ``{"ok": false, "error": error}``."""
        with self._lock:
            self._rejected_tokens[token] = error

    def latency(self, seconds: float) -> None:
        """Delay every answer by ``seconds``."""
        with self._lock:
            self._latency = max(0.0, float(seconds))

    def rate_limit(self, method: str, per_second: float, burst: float | None = None) -> None:
        """Token bucket: more than ``per_second`` calls/s (after a burst of ``burst``, default
        ``max(1, per_second)``) answer 429 with an integer ``Retry-After``."""
        if per_second <= 0:
            raise ValueError("per_second must be > 0")
        capacity = float(burst if burst is not None else max(1.0, per_second))
        with self._lock:
            self._buckets[method] = _Bucket(per_second, capacity, capacity, time.monotonic())

    # ------------------------------------------------------------------ request handling

    def _record(self, call: Call) -> None:
        with self._changed:
            self._calls.append(call)
            self._changed.notify_all()

    def _next_ts(self) -> str:
        with self._lock:
            self._ts_counter += 1
            micros = 1_700_000_000_000_000 + self._ts_counter * 100
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _next_view_id(self) -> str:
        with self._lock:
            self._view_counter += 1
            return f"V{self._view_counter:04d}"

    def _take_rule(self, method: str) -> _Rule | None:
        with self._lock:
            rules = self._rules.get(method)
            while rules:
                rule = rules[0]
                if rule.times is None:
                    return rule
                if rule.times > 0:
                    rule.times -= 1
                    if rule.times == 0:
                        rules.pop(0)
                    return rule
                rules.pop(0)
            return None

    def _rate_limited(self, method: str) -> int | None:
        """Seconds to wait if the bucket is empty, else None (and a token is consumed)."""
        with self._lock:
            bucket = self._buckets.get(method)
            if bucket is None:
                return None
            now = time.monotonic()
            bucket.tokens = min(bucket.capacity, bucket.tokens + (now - bucket.updated) * bucket.rate)
            bucket.updated = now
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return None
            return max(1, math.ceil((1 - bucket.tokens) / bucket.rate))

    def _handle(
        self, method: str, args: dict[str, Any], headers: dict[str, str]
    ) -> tuple[int, Any, dict[str, str]]:
        """Status, body, extra headers for one (already recorded) call."""
        with self._lock:
            delay = self._latency
        if delay:
            time.sleep(delay)

        webhook = method.startswith(WEBHOOK_PREFIXES)
        if method == "oauth.v2.access":
            return 200, self._oauth_v2_access(args, headers), {}
        authorization = headers.get("authorization", "")
        token = authorization.removeprefix("Bearer ")
        with self._lock:
            rejected = self._rejected_tokens.get(token)
        if not webhook and rejected:
            return 200, {"ok": False, "error": rejected}, {}
        # apps.connections.open takes only an app-level token (xapp-), every other method a bot
        # token (rotated ones start xoxe.xoxb-) or a workflow step's just-in-time token (xwfp-).
        wanted = ("Bearer xapp-",) if method == "apps.connections.open" else TOKEN_PREFIXES
        if not webhook and not authorization.startswith(wanted):
            if authorization.startswith(("Bearer xapp-", *TOKEN_PREFIXES)):
                return 200, {"ok": False, "error": "not_allowed_token_type"}, {}
            return 200, {"ok": False, "error": "invalid_auth" if authorization else "not_authed"}, {}
        if not webhook and self._revoked(token):
            return 200, {"ok": False, "error": "token_revoked"}, {}

        rule = self._take_rule(method)
        if rule is not None and not (rule.status == 200 and rule.body is None):
            body = rule.body
            if body is None:
                body = {"ok": False, "error": "ratelimited" if rule.status == 429 else f"http_{rule.status}"}
            extra = dict(rule.headers)
            if rule.status == 429 and not any(k.lower() == "retry-after" for k in extra):
                extra["Retry-After"] = "1"
            return rule.status, body, extra

        wait = self._rate_limited(method)
        if wait is not None:
            return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(wait)}

        if webhook:
            return 200, {"ok": True}, dict(rule.headers) if rule else {}
        answer = _ANSWERS.get(method)
        body = answer(self, args) if answer else {"ok": True}
        if method == "auth.test":
            body["team_id"] = self.team_for_token(token) or body["team_id"]
        extra = dict(rule.headers) if rule else {}
        if method == "auth.test":
            extra.setdefault("x-oauth-scopes", self.scopes)
        return 200, body, extra

    # ------------------------------------------------------------------ OAuth

    def team_for_token(self, token: str) -> str | None:
        """The workspace an issued token belongs to (None for tokens the fake did not issue)."""
        with self._lock:
            return self._token_teams.get(token)

    def revoke_team(self, team_id: str) -> None:
        """Uninstall: every token issued to the workspace stops working."""
        with self._lock:
            for token, team in list(self._token_teams.items()):
                if team == team_id:
                    self._token_teams[token] = f"revoked:{team_id}"

    def _revoked(self, token: str) -> bool:
        with self._lock:
            return self._token_teams.get(token, "").startswith("revoked:")

    def _issue(self, team_id: str) -> dict[str, Any]:
        with self._changed:
            self._token_counter += 1
            n = self._token_counter
            prefix = "xoxe.xoxb-" if self.token_rotation else "xoxb-"
            token = f"{prefix}{team_id}-{n}"
            self._token_teams[token] = team_id
            issued: dict[str, Any] = {"access_token": token, "token_type": "bot"}
            if self.token_rotation:
                refresh = f"xoxe-1-{team_id}-{n}"
                self._refresh_tokens[refresh] = team_id
                issued.update({"refresh_token": refresh, "expires_in": self.token_lifetime})
            return issued

    def _oauth_v2_access(self, args: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
        """Exchange a code (``code-<TEAM_ID>``) for a bot token, or a refresh token for a new one.

        Client credentials come as HTTP basic auth (slack_sdk) or as arguments. A refresh
        token works once, as Slack's do.
        """
        import base64

        client_id, client_secret = args.get("client_id"), args.get("client_secret")
        auth = headers.get("authorization", "")
        if auth.startswith("Basic "):
            client_id, _, client_secret = base64.b64decode(auth[6:]).decode().partition(":")
        if client_id != self.client_id or client_secret != self.client_secret:
            return {
                "ok": False,
                "error": "invalid_client_id" if client_id != self.client_id else "bad_client_secret",
            }
        if args.get("grant_type") == "refresh_token":
            with self._changed:
                team_id = self._refresh_tokens.pop(str(args.get("refresh_token")), None)
            if team_id is None:
                return {"ok": False, "error": "invalid_refresh_token"}
            return {"ok": True, "team": {"id": team_id}, "enterprise": None, **self._issue(team_id)}
        code = str(args.get("code") or "")
        if not code.startswith("code-"):
            return {"ok": False, "error": "invalid_code"}
        team_id = code.removeprefix("code-")
        return {
            "ok": True,
            "app_id": "A111",
            "authed_user": {"id": "UINSTALLER"},
            "scope": "commands,chat:write,im:write,users:read,users:read.email",
            "bot_user_id": self.bot_user_id,
            "team": {"id": team_id, "name": f"Team {team_id}"},
            "enterprise": None,
            "is_enterprise_install": False,
            **self._issue(team_id),
        }

    # ------------------------------------------------------------------ default answers

    def _user(self, user_id: str) -> dict[str, Any]:
        user: dict[str, Any] = {
            "id": user_id,
            "team_id": self.team_id,
            "name": user_id.lower(),
            "real_name": f"User {user_id}",
            "profile": {
                "real_name": f"User {user_id}",
                "display_name": f"User {user_id}",
                "email": f"{user_id.lower()}@example.com",
                "team": self.team_id,
            },
            "tz": "America/Los_Angeles",
            "tz_label": "Pacific Standard Time",
            "tz_offset": -28800,
            "is_admin": False,
            "is_owner": False,
            "is_primary_owner": False,
            "is_bot": False,
            "is_app_user": False,
            "deleted": False,
            "updated": 1700000000,
        }
        with self._lock:
            override = copy.deepcopy(self._users.get(user_id, {}))
        profile = override.pop("profile", {})
        if "real_name" in override and "real_name" not in profile:
            profile["real_name"] = override["real_name"]
        if "tz" in override and "tz_offset" not in override:
            offset = datetime.now(ZoneInfo(override["tz"])).utcoffset()
            override["tz_offset"] = int(offset.total_seconds()) if offset is not None else 0
            override.setdefault("tz_label", override["tz"])
        user.update(override)
        user["profile"].update(profile)
        return user

    def _users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user_id = args.get("user")
        if not user_id:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "user": self._user(str(user_id))}

    def _post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        ts = self._next_ts()
        message: dict[str, Any] = {
            "type": "message",
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": "A111",
            "team": self.team_id,
            "text": args.get("text", ""),
            "ts": ts,
        }
        for key in ("blocks", "attachments", "thread_ts", "metadata"):
            if key in args:
                message[key] = args[key]
        return {"ok": True, "channel": args.get("channel"), "ts": ts, "message": message}

    def _post_ephemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "message_ts": self._next_ts()}

    def _update(self, args: dict[str, Any]) -> dict[str, Any]:
        message = {"type": "message", "user": self.bot_user_id, "bot_id": self.bot_id}
        for key in ("text", "blocks", "attachments", "metadata"):
            if key in args:
                message[key] = args[key]
        return {
            "ok": True,
            "channel": args.get("channel"),
            "ts": args.get("ts"),
            "text": args.get("text", ""),
            "message": message,
        }

    def _schedule_message(self, args: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self._ts_counter += 1
            number = self._ts_counter
        return {
            "ok": True,
            "channel": args.get("channel"),
            "scheduled_message_id": f"Q{number:04d}",
            "post_at": args.get("post_at"),
        }

    def _permalink(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = args.get("channel")
        ts = str(args.get("message_ts", "")).replace(".", "")
        return {
            "ok": True,
            "channel": channel,
            "permalink": f"https://example.slack.com/archives/{channel}/p{ts}",
        }

    def _conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        if args.get("channel"):
            return {"ok": True, "channel": {"id": args["channel"]}}
        users = [u for u in str(args.get("users", "")).split(",") if u]
        if not users:
            return {"ok": False, "error": "users_list_not_supplied"}
        if len(users) == 1:
            return {"ok": True, "channel": {"id": "D" + users[0]}}
        return {"ok": True, "channel": {"id": "G" + "".join(sorted(users))}}

    def _views(self, args: dict[str, Any]) -> dict[str, Any]:
        view = args.get("view")
        sent = dict(view) if isinstance(view, dict) else {}
        view_id = args.get("view_id") or self._next_view_id()
        result = {
            "id": view_id,
            "hash": "h",
            "team_id": self.team_id,
            "app_id": "A111",
            "bot_id": self.bot_id,
        }
        result.update(sent)
        result.update({"id": view_id, "hash": "h"})
        if args.get("external_id"):
            result["external_id"] = args["external_id"]
        return {"ok": True, "view": result}

    def _complete_function(self, args: dict[str, Any], *, needs: str) -> dict[str, Any]:
        """functions.completeSuccess (`outputs`) / functions.completeError (`error`), as Slack checks them."""
        if not args.get("function_execution_id"):
            return {"ok": False, "error": "invalid_arguments"}
        value = args.get(needs)
        if needs == "outputs" and not isinstance(value, dict):
            return {"ok": False, "error": "invalid_arguments"}
        if needs == "error" and not (isinstance(value, str) and value):
            return {"ok": False, "error": "invalid_arguments"}
        return {"ok": True}

    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://example.slack.com/",
            "team": "Example",
            "user": "touchbase",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _lookup_by_email(self, args: dict[str, Any]) -> dict[str, Any]:
        """A user set with that profile email, else the default user `<id>@example.com` is `<ID>`."""
        email = str(args.get("email", "")).lower()
        with self._lock:
            known = [
                user_id
                for user_id, fields in self._users.items()
                if str(fields.get("profile", {}).get("email", "")).lower() == email
            ]
        local, _, domain = email.partition("@")
        if not known and domain == "example.com" and local[:1] in ("u", "w") and local.isalnum():
            known = [local.upper()]
        if not known:
            return {"ok": False, "error": "users_not_found"}
        return {"ok": True, "user": self._user(known[0])}

    def _connections_open(self, args: dict[str, Any]) -> dict[str, Any]:
        # A URL nothing listens on: a client that tries it gets "connection refused".
        return {"ok": True, "url": "wss://127.0.0.1:9/link/?ticket=fake-ticket"}


_ANSWERS: dict[str, Callable[[FakeSlack, dict[str, Any]], dict[str, Any]]] = {
    "auth.test": FakeSlack._auth_test,
    "apps.connections.open": FakeSlack._connections_open,
    "users.lookupByEmail": FakeSlack._lookup_by_email,
    "users.info": FakeSlack._users_info,
    "chat.postMessage": FakeSlack._post_message,
    "chat.postEphemeral": FakeSlack._post_ephemeral,
    "chat.update": FakeSlack._update,
    "chat.scheduleMessage": FakeSlack._schedule_message,
    "chat.getPermalink": FakeSlack._permalink,
    "conversations.open": FakeSlack._conversations_open,
    "views.open": FakeSlack._views,
    "views.push": FakeSlack._views,
    "views.update": FakeSlack._views,
    "views.publish": FakeSlack._views,
    "functions.completeSuccess": lambda fake, args: fake._complete_function(args, needs="outputs"),
    "functions.completeError": lambda fake, args: fake._complete_function(args, needs="error"),
}


# ---------------------------------------------------------------------- decoding


def _flatten(values: dict[str, list[str]]) -> dict[str, Any]:
    return {k: v[0] if len(v) == 1 else v for k, v in values.items()}


def _decode_json_args(args: dict[str, Any]) -> dict[str, Any]:
    for key in JSON_ARGS:
        value = args.get(key)
        if isinstance(value, str) and value.lstrip()[:1] in ("[", "{"):
            with contextlib.suppress(ValueError):
                args[key] = json.loads(value)
    return args


def parse_args(query: str, body: bytes, content_type: str) -> dict[str, Any]:
    """Merge query-string, form-body and JSON-body arguments the way Slack reads them."""
    args: dict[str, Any] = _flatten(parse_qs(query, keep_blank_values=True))
    ctype = content_type.split(";")[0].strip().lower()
    if body:
        if ctype == "application/json":
            parsed = json.loads(body.decode("utf-8"))
            if isinstance(parsed, dict):
                args.update(parsed)
            else:
                args["_json"] = parsed
        elif ctype == "application/x-www-form-urlencoded":
            args.update(_flatten(parse_qs(body.decode("utf-8"), keep_blank_values=True)))
    return _decode_json_args(args)


def _make_handler(fake: FakeSlack) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "FakeSlack/1.0"

        def log_message(self, format: str, *args: Any) -> None:  # silence stderr
            pass

        def _serve(self) -> None:
            parts = urlsplit(self.path)
            method = parts.path.lstrip("/")
            if method.startswith("api/"):
                method = method[len("api/") :]
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            try:
                args = parse_args(parts.query, body, headers.get("content-type", ""))
            except ValueError:
                args = {}
                fake._record(Call(method, args, headers, self.command, body))
                self._reply(200, {"ok": False, "error": "invalid_json"}, {})
                return
            fake._record(Call(method, args, headers, self.command, body))
            try:
                status, answer, extra = fake._handle(method, args, headers)
            except Exception as exc:  # pragma: no cover - a bug in the fake itself
                status, answer, extra = 500, {"ok": False, "error": f"fake_slack_error: {exc!r}"}, {}
            self._reply(status, answer, extra)

        def _reply(self, status: int, answer: Any, extra: dict[str, str]) -> None:
            if isinstance(answer, bytes):
                payload, ctype = answer, "text/plain; charset=utf-8"
            elif isinstance(answer, str):
                payload, ctype = answer.encode("utf-8"), "text/plain; charset=utf-8"
            else:
                payload, ctype = json.dumps(answer).encode("utf-8"), "application/json; charset=utf-8"
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(payload)))
            for name, value in extra.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        do_POST = _serve
        do_GET = _serve

    return Handler
