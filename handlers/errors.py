"""The one place where errors become Slack answers.

Domain errors (bot.domain.errors) are the user's to fix and get a plain sentence: under the
right field of a modal, or privately where they clicked or typed. Anything else is logged with
a reference id and the user gets a short apology quoting it. Nothing from a request that
failed verification is ever used to answer.
"""

from __future__ import annotations

import logging
import uuid

from slack_bolt import App, BoltResponse
from slack_sdk.errors import SlackApiError

from blocks import ids
from bot.domain.errors import DomainError, Invalid
from bot.verification import VERIFIED_KEY

logger = logging.getLogger(__name__)

# Storage field names -> the modal block that shows the error.
FIELD_BLOCKS = {
    "contact": ids.BLOCK_CONTACT,
    "type": ids.BLOCK_TYPE,
    "occurred_at": ids.BLOCK_DATE,
    "duration_minutes": ids.BLOCK_DURATION,
    "summary": ids.BLOCK_SUMMARY,
    "notes": ids.BLOCK_NOTES,
    "name": ids.BLOCK_CONTACT_NAME,
    "email": ids.BLOCK_CONTACT_EMAIL,
    "company": ids.BLOCK_CONTACT_COMPANY,
    "cadence_days": ids.BLOCK_CONTACT_CADENCE,
    "until": ids.BLOCK_SNOOZE_DATE,
    "follow_up_on": ids.BLOCK_FOLLOW_UP,
}


def input_blocks(view: object) -> list[str]:
    """The block ids of a view's input blocks, in order (errors may only name these)."""
    blocks = view.get("blocks") if isinstance(view, dict) else None
    if not isinstance(blocks, list):
        return []
    return [
        b["block_id"]
        for b in blocks
        if isinstance(b, dict) and b.get("type") == "input" and isinstance(b.get("block_id"), str)
    ]


def modal_errors(error: Exception, view: object) -> dict[str, str] | None:
    """`response_action: errors` content: each message under an input block the view has.

    None when the view has no input block to show it under (then it is said by message).
    """
    present = input_blocks(view)
    if not present:
        return None
    fallback = ids.BLOCK_SUMMARY if ids.BLOCK_SUMMARY in present else present[0]
    if isinstance(error, Invalid):
        shown: dict[str, str] = {}
        for field, message in error.fields.items():
            block = FIELD_BLOCKS.get(field)
            block = block if block in present else fallback
            shown[block] = f"{shown[block]} {message}" if block in shown else message
        return shown
    return {fallback: user_message(error)}


def user_message(error: Exception) -> str:
    if isinstance(error, Invalid):
        return "That didn't work: " + " ".join(error.fields.values())
    if isinstance(error, DomainError):
        return error.message
    return apology(error)


def apology(error: BaseException, where: str = "listener") -> str:
    reference = uuid.uuid4().hex[:8]
    if isinstance(error, SlackApiError):
        logger.error("Slack API error in %s [ref %s]: %s", where, reference, error.response.data)
    else:
        logger.exception("Unexpected error in %s [ref %s]", where, reference, exc_info=error)
    return f"Sorry, something went wrong on our side and nothing was changed by this step. (ref {reference})"


def register(app: App) -> None:
    app.error(handle_unexpected)


def handle_unexpected(error, body, respond, context, logger):
    """Last resort for exceptions outside listeners (middleware): tell the user, keep a reference."""
    if not context.get(VERIFIED_KEY):
        # Nothing from an unverified request is trusted: no reply to its URLs, channels or users.
        logger.warning("Error before the request was verified: %s", type(error).__name__)
        return BoltResponse(status=401, body={"error": "invalid request"})
    text = user_message(error)
    try:
        if respond is not None and context.response_url:
            respond(text=text, response_type="ephemeral", replace_original=False)
        elif context.client is not None and context.user_id and context.channel_id:
            context.client.chat_postEphemeral(channel=context.channel_id, user=context.user_id, text=text)
    except Exception:  # the apology itself failed; the log has the reference
        logger.exception("could not tell the user about an error")
    return BoltResponse(status=200, body="")
