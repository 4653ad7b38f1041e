"""Checks every verified request passes before any listener sees it.

* A payload holding a NUL character anywhere (PostgreSQL can't store it) is answered as a user
  error in the way its kind of request allows: nothing of it reaches a listener.
* A slash command replayed byte for byte within the signature window is dropped. Slack never
  resends a slash command, and each carries a fresh `trigger_id`, so a second one with the same
  id (per workspace) is a replay: it gets an empty ack and creates nothing. The ids seen are kept
  in this process for the signature window (5 minutes).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import OrderedDict

from slack_bolt import BoltResponse

from bot.domain.boundary import NUL_MESSAGE, holds_nul
from handlers.errors import input_blocks

REPLAY_WINDOW_SECONDS = 5 * 60 + 30
REPLAY_KEYS_MAX = 100_000


class SeenTriggers:
    """Trigger ids of commands seen lately (bounded, oldest dropped first)."""

    def __init__(self, window: float = REPLAY_WINDOW_SECONDS, limit: int = REPLAY_KEYS_MAX) -> None:
        self.window = window
        self.limit = limit
        self._seen: OrderedDict[tuple[str, str], float] = OrderedDict()
        self._lock = threading.Lock()

    def first_time(self, team_id: str, trigger_id: str) -> bool:
        now = time.monotonic()
        key = (team_id, trigger_id)
        with self._lock:
            while self._seen and (
                len(self._seen) >= self.limit or next(iter(self._seen.values())) < now - self.window
            ):
                self._seen.popitem(last=False)
            if key in self._seen:
                return False
            self._seen[key] = now
            return True


def odd_input_answer(body: dict) -> BoltResponse | None:
    """The answer to a payload no listener should see (NUL anywhere); None when it may go on."""
    if not holds_nul(body):
        return None
    kind = body.get("type")
    if "command" in body and kind is None:
        return BoltResponse(status=200, body={"response_type": "ephemeral", "text": NUL_MESSAGE})
    if kind == "view_submission":
        blocks = input_blocks(body.get("view"))
        if blocks:
            return BoltResponse(
                status=200, body={"response_action": "errors", "errors": {blocks[0]: NUL_MESSAGE}}
            )
    if kind == "block_suggestion":
        return BoltResponse(status=200, body={"options": []})
    return BoltResponse(status=200, body="")


def install(app, seen: SeenTriggers | None = None) -> None:
    seen = seen or SeenTriggers()

    @app.middleware
    def boundary_checks(body, context, next):
        if not isinstance(body, dict):
            return BoltResponse(status=200, body="")
        answer = odd_input_answer(body)
        if answer is not None:
            respond = context.get("respond")
            if body.get("type") in ("block_actions", "message_action", "shortcut") and respond is not None:
                # Best effort: the click itself changed nothing.
                with contextlib.suppress(Exception):
                    respond(text=NUL_MESSAGE, response_type="ephemeral", replace_original=False)
            return answer
        trigger_id = body.get("trigger_id")
        if "command" in body and isinstance(trigger_id, str) and trigger_id:
            team = context.team_id or context.enterprise_id or ""
            if not seen.first_time(team, trigger_id):
                return BoltResponse(status=200, body="")
        return next()
