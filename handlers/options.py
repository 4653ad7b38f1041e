"""Options for external selects: the contact picker's ranked search."""

from __future__ import annotations

from slack_bolt import App

from blocks import ids
from blocks.modals import contact_options
from bot.domain.records import Actor
from handlers.common import services
from storage.contacts import find_contacts


def register(app: App) -> None:
    app.options(ids.ACTION_CONTACT_SELECT)(contact_suggestions)


def contact_suggestions(ack, body, context):
    # Options must be answered inside the ack; one indexed query, no Slack calls.
    svc = services(context)
    actor = Actor(team_id=context.team_id, user_id=context.user_id)
    query = (body.get("value") or "")[:100]
    matches = find_contacts(svc.db, actor, query, limit=20) if query.strip() else []
    ack(options=contact_options(matches, query.strip()))
