"""One INFO line per request Slack sends, with what it was, who sent it, how long the ack took.

    command /log from U111 in T111: ok (200) in 12 ms

With `TOUCHBASE_LOG_FORMAT=json` the same line carries the fields as keys: `kind`
(command, action, view_submission, view_closed, shortcut, options, event, ...), `id` (the
command, callback id, action id or event type), `team`, `user`, `latency_ms`, `outcome`
(`ok` or `error`) and `status` (the HTTP status Slack got).

Bolt's global middleware run one after another, not around each other, so none of them sees
the response; `install` wraps `App.dispatch` instead, which both the HTTP adapter and the
Socket Mode adapter call once per request. In HTTP mode a request whose signature doesn't
verify never reaches Bolt (bot/server.py answers 401); `log_unverified` gives it its line, kind
`unverified`, without team or user (nothing in that body is trusted). `GET /healthz` is quiet.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse

logger = logging.getLogger("touchbase.request")

_HINTS = {
    401: "the request's signature didn't verify: is SLACK_SIGNING_SECRET the app's Signing Secret?",
    404: "no listener handles this request",
}


def install(app: App) -> App:
    """Log every request `app` dispatches; returns `app`. Installing twice logs once."""
    if getattr(app, "_touchbase_request_log", False):
        return app
    dispatch = app.dispatch

    def logged_dispatch(req: BoltRequest) -> BoltResponse:
        started = time.perf_counter()
        response: BoltResponse | None = None
        try:
            response = dispatch(req)
            return response
        finally:
            status = response.status if response is not None else 500
            log_request(req, status, (time.perf_counter() - started) * 1000)

    app.dispatch = logged_dispatch  # type: ignore[method-assign]
    app._touchbase_request_log = True  # type: ignore[attr-defined]
    return app


def describe(body: dict[str, Any]) -> tuple[str, str | None]:
    """(kind, id) of a request body: what Slack sent, and which command/callback/action/event."""
    if not isinstance(body, dict):
        return "unknown", None
    if "command" in body:
        return "command", body.get("command")
    kind = body.get("type")
    if kind == "block_actions":
        actions = body.get("actions") or [{}]
        return "action", actions[0].get("action_id")
    if kind in ("view_submission", "view_closed"):
        return kind, (body.get("view") or {}).get("callback_id")
    if kind in ("shortcut", "message_action"):
        return "shortcut", body.get("callback_id")
    if kind in ("block_suggestion", "dialog_suggestion"):
        return "options", body.get("action_id") or body.get("callback_id")
    if kind == "event_callback":
        return "event", (body.get("event") or {}).get("type")
    if kind == "url_verification":
        return "url_verification", None
    if body.get("ssl_check"):
        return "ssl_check", None
    return str(kind or "unknown"), None


def log_unverified(latency_ms: float) -> None:
    fields = {
        "kind": "unverified",
        "id": None,
        "team": None,
        "user": None,
        "latency_ms": round(latency_ms, 1),
        "outcome": "error",
        "status": 401,
    }
    logger.warning("unverified request: error (401) in %.0f ms; %s", latency_ms, _HINTS[401], extra=fields)


def log_request(req: BoltRequest, status: int, latency_ms: float) -> None:
    kind, name = describe(req.body)
    team = req.context.team_id or req.context.enterprise_id
    user = req.context.user_id
    outcome = "ok" if status < 400 else "error"
    fields = {
        "kind": kind,
        "id": name,
        "team": team,
        "user": user,
        "latency_ms": round(latency_ms, 1),
        "outcome": outcome,
        "status": status,
    }
    what = f"{kind} {name}" if name else kind
    who = " ".join(part for part in (f"from {user}" if user else "", f"in {team}" if team else "") if part)
    message = f"{what}{' ' + who if who else ''}: {outcome} ({status}) in {latency_ms:.0f} ms"
    if status in _HINTS:
        message += f"; {_HINTS[status]}"
    logger.log(logging.INFO if outcome == "ok" else logging.WARNING, message, extra=fields)
