"""Options for the log modal's contact picker: a ranked search, answered inside the ack."""

from __future__ import annotations

from slack_bolt import Ack, App, BoltContext

from blocks import ids
from blocks.modals import contact_options, merge_options
from bot.services import Services
from bot.services import browse as browse_service
from handlers.common import listener, payload_actor


def register(app: App) -> None:
    app.options(ids.ACTION_CONTACT_SELECT)(listener(contact_suggestions))
    app.options(ids.ACTION_MERGE_CONTACT)(listener(merge_suggestions))


def contact_suggestions(ack: Ack, body: dict, context: BoltContext, svc: Services) -> None:
    # Options must be answered inside the ack; one indexed query, no Slack calls.
    actor = payload_actor(body, context)
    if actor is None:
        ack(options=[])  # another organization's user (or no team): nothing of this workspace
        return
    value = body.get("value")
    query = (value if isinstance(value, str) else "")[:100]
    matches = browse_service.contact_suggestions(svc, actor, query)
    ack(options=contact_options(matches, query.strip()))


def merge_suggestions(ack: Ack, body: dict, context: BoltContext, svc: Services) -> None:
    """ "Merge into…" on a card: live contacts matching what is typed, never the card's own contact."""
    actor = payload_actor(body, context)
    if actor is None:
        ack(options=[])  # another organization's user (or no team): nothing of this workspace
        return
    value = body.get("value")
    query = (value if isinstance(value, str) else "")[:100]
    block_id = body.get("block_id")
    own = block_id[len(ids.MERGE_BLOCK_PREFIX) :] if isinstance(block_id, str) else ""
    matches = browse_service.contact_suggestions(svc, actor, query)
    ack(options=merge_options([m for m in matches if str(m.contact.id) != own]))
