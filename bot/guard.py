"""Checks every verified request passes before any listener sees it.

* A payload holding a NUL character anywhere (PostgreSQL can't store it) is answered as a user
  error in the way its kind of request allows: nothing of it reaches a listener.
* A slash command replayed byte for byte within the signature window is dropped. Slack never
  resends a slash command, and each carries a fresh `trigger_id`, so a second one with the same
  id (per workspace) is a replay: it gets an empty ack and creates nothing. The ids seen are kept
  in the database for the signature window (5 minutes), so a replay reaching another worker
  process is caught too.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import timedelta

from slack_bolt import BoltResponse

from bot.domain.boundary import NUL_MESSAGE, holds_nul
from bot.domain.errors import Busy
from handlers.errors import input_blocks
from storage import request_keys

REPLAY_WINDOW = timedelta(minutes=5, seconds=30)
logger = logging.getLogger(__name__)


def _first_time(context, team_id: str, trigger_id: str) -> bool | None:
    """Claims the trigger id for the replay window: True the first time, False for a replay,
    None when the database can't answer (the command couldn't do its work either)."""
    svc = context.get("svc")
    if svc is None:
        return True
    try:
        return request_keys.claim(svc.db, team_id, f"trigger:{trigger_id}", now=svc.now(), ttl=REPLAY_WINDOW)
    except Exception as error:
        logger.warning("replay check: the database can't answer (%s)", error.__class__.__name__)
        return None


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


def install(app) -> None:

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
            first = _first_time(context, team, trigger_id)
            if first is None:  # answered at once: waiting again for the database would miss 3 s
                return BoltResponse(status=200, body={"response_type": "ephemeral", "text": Busy.MESSAGE})
            if not first:
                return BoltResponse(status=200, body="")
        return next()
