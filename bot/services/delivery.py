"""Getting a confirmation to the user, whatever Slack is doing, and never losing that it was saved.

The most reliable path goes first (the caller answers in the ack body where Slack allows it;
here: the `response_url`, then an ephemeral message where they are, then a DM), each retried
with backoff. If every path fails, a note is kept and said on the user's next request.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot.domain.records import Actor
from bot.services import Services
from storage.pending_notes import add_note, has_note, take_note

logger = logging.getLogger(__name__)
BACKOFF_SECONDS = (0.3, 1.0)  # waits between the tries of one path (after the Web API's own)
UNDELIVERED_PREFIX = "Slack couldn't show you this earlier, so here it is: "


def _with_retries(
    send: Callable[[], bool], what: str, *, sleep: Callable[[float], None] = time.sleep
) -> bool:
    for attempt, wait in enumerate((0.0, *BACKOFF_SECONDS)):
        if wait:
            sleep(wait)
        try:
            if send():
                return True
        except (SlackApiError, OSError, KeyError, TypeError, ValueError) as error:
            logger.info("%s failed (try %d): %s", what, attempt + 1, error)
    return False


def confirm(
    svc: Services,
    client: WebClient,
    actor: Actor,
    *,
    text: str,
    blocks: list | None,
    response_url: str | None,
    channel_id: str | None,
    now: datetime,
    metadata: dict | None = None,
) -> bool:
    """Deliver a confirmation by the first path that works; False (and a note kept) if none did."""

    def by_response_url() -> bool:
        assert response_url is not None
        answer = WebhookClient(response_url, timeout=5).send(
            text=text, blocks=blocks, response_type="ephemeral", replace_original=False
        )
        # Slack answers "ok" (or {"ok": true}); an error can come back with a 200 too.
        return answer.status_code == 200 and '"ok":false' not in (answer.body or "").replace(" ", "")

    def by_ephemeral() -> bool:
        assert channel_id is not None
        return bool(
            client.chat_postEphemeral(channel=channel_id, user=actor.user_id, text=text, blocks=blocks)["ok"]
        )

    def by_dm() -> bool:
        dm = client.conversations_open(users=actor.user_id)["channel"]["id"]
        # Message metadata goes with the DM only: chat.postEphemeral takes none.
        return bool(client.chat_postMessage(channel=dm, text=text, blocks=blocks, metadata=metadata)["ok"])

    paths: list[tuple[str, Callable[[], bool]]] = []
    if response_url:
        paths.append(("response_url", by_response_url))
    if channel_id:
        paths.append(("chat.postEphemeral", by_ephemeral))
    paths.append(("DM", by_dm))
    for what, send in paths:
        if _with_retries(send, what):
            return True
    logger.warning(
        "confirmation for %s undelivered by every path; kept for their next request", actor.user_id
    )
    add_note(svc.db, actor, text, now=now)
    return False


def take_pending(svc: Services, actor: Actor) -> str | None:
    """What the user wasn't told (one request gets it); None, with one cheap read, when nothing."""
    if not has_note(svc.db, actor):
        return None
    note = take_note(svc.db, actor)
    return UNDELIVERED_PREFIX + note if note else None


def keep_pending(svc: Services, actor: Actor, note: str, *, now: datetime) -> None:
    """Put back a note that couldn't be said either."""
    add_note(svc.db, actor, note.removeprefix(UNDELIVERED_PREFIX), now=now)
