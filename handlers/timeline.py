"""/timeline and the Timeline button: a contact's history posted as a thread, kept live afterwards."""

from __future__ import annotations

from slack_bolt import Ack, App, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from blocks import ids
from blocks.contacts import contact_choices, contact_not_found
from blocks.messages import notice
from blocks.text import escape, one_line
from blocks.timeline import timeline_posted_text
from bot.domain.slack_text import unescape
from bot.services import Services
from bot.services import contacts as contact_service
from bot.services.timeline import post_timeline
from handlers.common import acting_user, action_value, clicked_channel, listener, parse_id, reply, text_of

TIMELINE_USAGE = (
    "*/timeline NAME* posts a contact's history here as a thread: a summary, then one reply per month, "
    "oldest first. The thread stays up to date as interactions are logged, edited or deleted.\n"
    "For example: `/timeline Jane Doe`"
)


def register(app: App) -> None:
    app.command("/timeline")(listener(timeline_command))
    app.action(ids.ACTION_OPEN_TIMELINE)(listener(open_timeline))


def timeline_command(
    ack: Ack, body: dict, respond: Respond, client: WebClient, context: BoltContext, svc: Services
) -> None:
    ack()
    query = one_line(unescape(text_of(body)))  # Slack's escaping, undone once
    if not query or query.lower() in ("help", "?"):
        respond(text=TIMELINE_USAGE, blocks=notice(TIMELINE_USAGE), response_type="ephemeral")
        return
    actor, user = acting_user(context)
    card, matches = contact_service.lookup(svc, actor, query)
    if card is None:
        if matches:
            text, blocks = f"Several contacts match “{escape(query)}”.", contact_choices(matches, query)
        else:
            text, blocks = f"No contact matches “{escape(query)}”.", contact_not_found(query)
        respond(text=text, blocks=blocks, response_type="ephemeral")
        return
    channel_id = body.get("channel_id") if isinstance(body.get("channel_id"), str) else None
    posted = post_timeline(
        client, svc, actor, card.contact.id, channel_id=channel_id, tz=user.tz, now=svc.now()
    )
    respond(text=timeline_posted_text(posted), response_type="ephemeral")


def open_timeline(
    ack: Ack, body: dict, respond: Respond, client: WebClient, context: BoltContext, svc: Services
) -> None:
    """The Timeline button on cards and digests: post it where the button was clicked, else in a DM."""
    ack()
    actor, user = acting_user(context)
    contact = contact_service.get(svc, actor, parse_id(action_value(body)) or 0)
    posted = post_timeline(
        client, svc, actor, contact.id, channel_id=clicked_channel(body), tz=user.tz, now=svc.now()
    )
    reply(body, respond, client, actor.user_id, text=timeline_posted_text(posted), replace=False)
