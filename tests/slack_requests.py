"""Build and send requests exactly as Slack sends them to an app (HTTP mode), signed with the v0 scheme.

* slash commands: form fields (``application/x-www-form-urlencoded``);
* interactivity (block_actions, view_submission, view_closed, block_suggestion, shortcuts):
  form-encoded ``payload=<json>``;
* Events API: a JSON ``event_callback`` envelope.

Field sets follow the fixtures bolt-python tests itself with (``tests/scenario_tests/``).
If ``response_url_base`` is given (e.g. ``fake_slack.url``), ``response_url`` values point at
``<base>response/<n>`` so that ``respond(...)`` calls are recorded by :class:`tests.fake_slack.FakeSlack`
as method ``"response/<n>"``.
"""

from __future__ import annotations

import copy
import itertools
import json
import time
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

__all__ = ["FORM", "JSON", "SlackSender", "form_body", "json_body", "payload_body", "signed_headers"]

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"

_counter = itertools.count(1)  # shared by all senders: trigger ids, response urls, event ids are unique


def _next() -> int:
    return next(_counter)


def _now_ts() -> str:
    return f"{time.time():.6f}"


def signed_headers(
    body: bytes, secret: str, timestamp: int | str | None = None, *, content_type: str | None = None
) -> dict[str, str]:
    """``X-Slack-Request-Timestamp`` / ``X-Slack-Signature`` (v0) for ``body``; timestamp defaults to now."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    headers = {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": str(signature)}
    if content_type is not None:
        headers["Content-Type"] = content_type
    return headers


def form_body(fields: dict[str, Any]) -> bytes:
    return urlencode(fields).encode("utf-8")


def payload_body(payload: dict[str, Any]) -> bytes:
    """Interactivity encoding: ``payload=<url-encoded JSON>``."""
    return urlencode({"payload": json.dumps(payload)}).encode("utf-8")


def json_body(obj: Any) -> bytes:
    return json.dumps(obj).encode("utf-8")


class SlackSender:
    """POSTs signed Slack requests to ``base_url + path`` over real HTTP.

    Every sending method returns ``(status, headers, body_text)``; header names are lower-cased.
    The last payload sent (form fields, interactivity payload or event envelope) is kept in
    ``last_payload`` so tests can read generated ids (``trigger_id``, ``response_url``, ``event_id``).
    """

    def __init__(
        self,
        base_url: str,
        signing_secret: str,
        team_id: str = "T111",
        user_id: str = "U111",
        *,
        response_url_base: str | None = None,
        path: str = "slack/events",
        api_app_id: str = "A111",
        team_domain: str = "example",
        verification_token: str = "legacy-verification-token",
        timeout: float = 30.0,
    ) -> None:
        self.base_url = base_url
        self.url = base_url.rstrip("/") + "/" + path.lstrip("/")
        self.signing_secret = signing_secret
        self.team_id = team_id
        self.user_id = user_id
        self.response_url_base = response_url_base
        self.api_app_id = api_app_id
        self.team_domain = team_domain
        self.verification_token = verification_token
        self.timeout = timeout
        self.last_payload: dict[str, Any] | None = None
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy

    # ------------------------------------------------------------------ pieces

    def trigger_id(self) -> str:
        return f"trig-{_next()}"

    def response_url(self, kind: str = "commands") -> str:
        n = _next()
        if self.response_url_base is not None:
            return f"{self.response_url_base.rstrip('/')}/response/{n}"
        return f"https://hooks.slack.com/{kind}/{self.team_id}/{n}/fake{n:06d}"

    def channel_name(self, channel_id: str) -> str:
        return "directmessage" if channel_id.startswith("D") else f"channel-{channel_id.lower()}"

    def user(self, user_id: str | None = None, team_id: str | None = None) -> dict[str, Any]:
        uid = user_id or self.user_id
        return {"id": uid, "username": uid.lower(), "name": uid.lower(), "team_id": team_id or self.team_id}

    def team(self, team_id: str | None = None) -> dict[str, Any]:
        return {"id": team_id or self.team_id, "domain": self.team_domain}

    def _interactive_base(self, kind: str, user_id: str | None, team_id: str | None) -> dict[str, Any]:
        return {
            "type": kind,
            "token": self.verification_token,
            "api_app_id": self.api_app_id,
            "team": self.team(team_id),
            "user": self.user(user_id, team_id),
            "enterprise": None,
            "is_enterprise_install": False,
        }

    # ------------------------------------------------------------------ payload builders (no I/O)

    def command_fields(
        self,
        command: str,
        text: str = "",
        channel_id: str = "C111",
        user_id: str | None = None,
        team_id: str | None = None,
        trigger_id: str | None = None,
    ) -> dict[str, str]:
        uid = user_id or self.user_id
        return {
            "token": self.verification_token,
            "team_id": team_id or self.team_id,
            "team_domain": self.team_domain,
            "channel_id": channel_id,
            "channel_name": self.channel_name(channel_id),
            "user_id": uid,
            "user_name": uid.lower(),
            "command": command,
            "text": text,
            "api_app_id": self.api_app_id,
            "is_enterprise_install": "false",
            "response_url": self.response_url("commands"),
            "trigger_id": trigger_id or self.trigger_id(),
        }

    def block_actions_payload(
        self,
        actions: list[dict[str, Any]],
        *,
        view: dict[str, Any] | None = None,
        container: dict[str, Any] | None = None,
        message: dict[str, Any] | None = None,
        channel_id: str = "C111",
        user_id: str | None = None,
        team_id: str | None = None,
    ) -> dict[str, Any]:
        action_ts = _now_ts()
        full_actions = []
        for action in actions:
            if "action_id" not in action:
                raise ValueError(f"action needs an action_id: {action!r}")
            full_actions.append({"type": "button", "block_id": "block", "action_ts": action_ts, **action})
        payload = self._interactive_base("block_actions", user_id, team_id)
        payload["trigger_id"] = self.trigger_id()
        if view is not None:
            full_view = self._view(view, require_callback_id=False)
            payload["container"] = container or {"type": "view", "view_id": full_view["id"]}
            payload["view"] = full_view
            payload["state"] = copy.deepcopy(full_view["state"])
        else:
            if message is not None:
                message = self._message(message, channel_id)
            default_container = {
                "type": "message",
                "message_ts": message["ts"] if message else _now_ts(),
                "channel_id": channel_id,
                "is_ephemeral": message is None,
            }
            payload["container"] = container or default_container
            payload["channel"] = {"id": channel_id, "name": self.channel_name(channel_id)}
            if message is not None:
                payload["message"] = message
            payload["state"] = {"values": {}}
            payload["response_url"] = self.response_url("actions")
        payload["actions"] = full_actions
        return payload

    def view_submission_payload(
        self, view: dict[str, Any], user_id: str | None = None, team_id: str | None = None
    ) -> dict[str, Any]:
        payload = self._interactive_base("view_submission", user_id, team_id)
        payload["trigger_id"] = self.trigger_id()
        payload["view"] = self._view(view, require_callback_id=True)
        payload["response_urls"] = []
        return payload

    def view_closed_payload(
        self, view: dict[str, Any], user_id: str | None = None, team_id: str | None = None
    ) -> dict[str, Any]:
        payload = self._interactive_base("view_closed", user_id, team_id)
        payload["view"] = self._view(view, require_callback_id=True)
        payload["is_cleared"] = False
        return payload

    def block_suggestion_payload(
        self, action_id: str, block_id: str, value: str, view: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        payload = self._interactive_base("block_suggestion", None, None)
        if view is not None:
            full_view = self._view(view, require_callback_id=False)
            payload["container"] = {"type": "view", "view_id": full_view["id"]}
            payload["view"] = full_view
        else:
            payload["container"] = {
                "type": "message",
                "message_ts": _now_ts(),
                "channel_id": "C111",
                "is_ephemeral": False,
            }
            payload["channel"] = {"id": "C111", "name": self.channel_name("C111")}
        payload.update({"action_id": action_id, "block_id": block_id, "value": value})
        return payload

    def global_shortcut_payload(self, callback_id: str) -> dict[str, Any]:
        payload = self._interactive_base("shortcut", None, None)
        payload.update({"callback_id": callback_id, "trigger_id": self.trigger_id(), "action_ts": _now_ts()})
        return payload

    def message_shortcut_payload(
        self, callback_id: str, message: dict[str, Any], channel_id: str = "C111"
    ) -> dict[str, Any]:
        full_message = self._message(message, channel_id)
        payload = self._interactive_base("message_action", None, None)
        payload.update(
            {
                "callback_id": callback_id,
                "trigger_id": self.trigger_id(),
                "action_ts": _now_ts(),
                "channel": {"id": channel_id, "name": self.channel_name(channel_id)},
                "message_ts": full_message["ts"],
                "message": full_message,
                "response_url": self.response_url("app"),
            }
        )
        return payload

    def event_envelope(self, event: dict[str, Any], *, event_id: str | None = None) -> dict[str, Any]:
        n = _next()
        full_event = dict(event)
        full_event.setdefault("event_ts", _now_ts())
        return {
            "token": self.verification_token,
            "team_id": self.team_id,
            "enterprise_id": None,
            "api_app_id": self.api_app_id,
            "event": full_event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{n:08d}",
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": self.team_id,
                    "user_id": "UBOT",
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": f"4-fake-{n}",
        }

    def function_executed_event(
        self,
        callback_id: str,
        inputs: dict[str, Any],
        *,
        execution_id: str | None = None,
        bot_access_token: str = "xwfp-step-token",
    ) -> dict[str, Any]:
        """A `function_executed` event: Workflow Builder runs one of the app's custom steps."""
        n = _next()
        return {
            "type": "function_executed",
            "function": {
                "id": f"Fn{n:06d}",
                "callback_id": callback_id,
                "title": callback_id,
                "description": "",
                "type": "app",
                "input_parameters": [],
                "output_parameters": [],
                "app_id": self.api_app_id,
                "date_created": 1700000000,
                "date_updated": 1700000000,
                "date_deleted": 0,
            },
            "inputs": copy.deepcopy(inputs),
            "function_execution_id": execution_id or f"Fx{n:08d}",
            "workflow_execution_id": f"Wx{n:08d}",
            "event_ts": _now_ts(),
            "bot_access_token": bot_access_token,
        }

    def _view(self, view: dict[str, Any], *, require_callback_id: bool) -> dict[str, Any]:
        if require_callback_id and "callback_id" not in view:
            raise ValueError("a submitted view needs a callback_id")
        full: dict[str, Any] = {
            "id": f"V{_next():06d}",
            "team_id": self.team_id,
            "type": "modal",
            "blocks": [],
            "private_metadata": "",
            "callback_id": "",
            "state": {"values": {}},
            "hash": "h",
            "title": {"type": "plain_text", "text": "Touchbase"},
            "clear_on_close": False,
            "notify_on_close": False,
            "close": None,
            "submit": None,
            "previous_view_id": None,
            "root_view_id": None,
            "app_id": self.api_app_id,
            "external_id": "",
            "app_installed_team_id": self.team_id,
            "bot_id": "BBOT",
        }
        full.update(copy.deepcopy(view))
        if full["root_view_id"] is None:
            full["root_view_id"] = full["id"]
        return full

    def _message(self, message: dict[str, Any], channel_id: str) -> dict[str, Any]:
        full = {"type": "message", "text": "", "user": self.user_id, "ts": _now_ts(), "team": self.team_id}
        full.update(copy.deepcopy(message))
        return full

    # ------------------------------------------------------------------ senders

    def command(
        self,
        command: str,
        text: str = "",
        channel_id: str = "C111",
        user_id: str | None = None,
        team_id: str | None = None,
        trigger_id: str | None = None,
    ) -> tuple[int, dict[str, str], str]:
        fields = self.command_fields(command, text, channel_id, user_id, team_id, trigger_id)
        self.last_payload = fields
        return self.post(form_body(fields), FORM)

    def block_actions(
        self,
        actions: list[dict[str, Any]],
        *,
        view: dict[str, Any] | None = None,
        container: dict[str, Any] | None = None,
        message: dict[str, Any] | None = None,
        channel_id: str = "C111",
        user_id: str | None = None,
        team_id: str | None = None,
    ) -> tuple[int, dict[str, str], str]:
        payload = self.block_actions_payload(
            actions,
            view=view,
            container=container,
            message=message,
            channel_id=channel_id,
            user_id=user_id,
            team_id=team_id,
        )
        return self.interactive(payload)

    def view_submission(
        self, view: dict[str, Any], user_id: str | None = None, team_id: str | None = None
    ) -> tuple[int, dict[str, str], str]:
        return self.interactive(self.view_submission_payload(view, user_id, team_id))

    def view_closed(
        self, view: dict[str, Any], user_id: str | None = None, team_id: str | None = None
    ) -> tuple[int, dict[str, str], str]:
        return self.interactive(self.view_closed_payload(view, user_id, team_id))

    def block_suggestion(
        self, action_id: str, block_id: str, value: str, view: dict[str, Any] | None = None
    ) -> tuple[int, dict[str, str], str]:
        return self.interactive(self.block_suggestion_payload(action_id, block_id, value, view))

    def global_shortcut(self, callback_id: str) -> tuple[int, dict[str, str], str]:
        return self.interactive(self.global_shortcut_payload(callback_id))

    def message_shortcut(
        self, callback_id: str, message: dict[str, Any], channel_id: str = "C111"
    ) -> tuple[int, dict[str, str], str]:
        return self.interactive(self.message_shortcut_payload(callback_id, message, channel_id))

    def interactive(self, payload: dict[str, Any]) -> tuple[int, dict[str, str], str]:
        """Send any interactivity payload (form-encoded ``payload=<json>``)."""
        self.last_payload = payload
        return self.post(payload_body(payload), FORM)

    def event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
    ) -> tuple[int, dict[str, str], str]:
        """Send an ``event_callback``; ``retry_num`` adds Slack's ``X-Slack-Retry-*`` headers."""
        envelope = self.event_envelope(event, event_id=event_id)
        self.last_payload = envelope
        extra = None
        if retry_num is not None:
            extra = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason}
        return self.post(json_body(envelope), JSON, headers=extra)

    def function_executed(
        self,
        callback_id: str,
        inputs: dict[str, Any],
        *,
        execution_id: str | None = None,
        event_id: str | None = None,
        retry_num: int | None = None,
    ) -> tuple[int, dict[str, str], str]:
        """Send a `function_executed` event (the same `execution_id` again is a redelivery)."""
        event = self.function_executed_event(callback_id, inputs, execution_id=execution_id)
        return self.event(event, event_id=event_id, retry_num=retry_num)

    def url_verification(self, challenge: str = "challenge-token") -> tuple[int, dict[str, str], str]:
        body = {"token": self.verification_token, "challenge": challenge, "type": "url_verification"}
        self.last_payload = body
        return self.post(json_body(body), JSON)

    def post(
        self,
        body: bytes,
        content_type: str,
        *,
        timestamp: int | str | None = None,
        signature: str | None = None,
        sign: bool = True,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], str]:
        """Low-level POST. ``sign=False`` sends no signature headers; ``timestamp`` signs with that
        (e.g. stale) time; ``signature`` replaces the computed signature verbatim (forgery)."""
        request_headers = {
            "Content-Type": content_type,
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
        }
        if sign:
            signed = signed_headers(body, self.signing_secret, timestamp)
            if signature is not None:
                signed["X-Slack-Signature"] = signature
            request_headers.update(signed)
        request_headers.update(headers or {})
        request = urllib.request.Request(self.url, data=body, method="POST", headers=request_headers)
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return (
                    response.status,
                    {k.lower(): v for k, v in response.headers.items()},
                    response.read().decode("utf-8"),
                )
        except urllib.error.HTTPError as error:
            with error:
                return (
                    error.code,
                    {k.lower(): v for k, v in error.headers.items()},
                    error.read().decode("utf-8"),
                )
