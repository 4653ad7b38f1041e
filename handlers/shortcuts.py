"""Shortcuts: the global "Log interaction" and the message shortcut "Log this conversation"."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from slack_bolt import App
from slack_sdk.errors import SlackApiError

from blocks.modals import LogPrefill
from bot.domain.slack_text import readable
from handlers.capture import local_defaults, open_log_modal
from handlers.common import acting_user, services
from storage.contacts import find_contact_by_slack_user
from storage.interactions import NOTES_MAX_CHARS

logger = logging.getLogger(__name__)
SUMMARY_PREFILL_CHARS = 120


def register(app: App) -> None:
    app.shortcut("log_interaction")(log_interaction_shortcut)
    app.shortcut("log_message")(log_message_shortcut)


def log_interaction_shortcut(ack, body, client, context):
    ack()
    svc = services(context)
    _, user = acting_user(context)
    day, clock = local_defaults(svc.now(), user.tz)
    # Global shortcuts carry no channel: the confirmation goes to the app's DM.
    open_log_modal(client, body["trigger_id"], LogPrefill(date=day, time=clock), user=user, channel_id=None)


def log_message_shortcut(ack, body, client, context):
    ack()
    svc = services(context)
    actor, user = acting_user(context)
    message = body.get("message") or {}
    channel_id = (body.get("channel") or {}).get("id")
    author_id = message.get("user")

    def name_of(user_id: str) -> str:
        return svc.users.get(actor.team_id, user_id, client=client).name

    notes = readable(message.get("text") or "", name_of).strip()
    if len(notes) > NOTES_MAX_CHARS:
        notes = notes[: NOTES_MAX_CHARS - 1] + "…"
    first_line = notes.splitlines()[0] if notes else ""
    summary = first_line[:SUMMARY_PREFILL_CHARS] if first_line else None

    when = _message_time(message.get("ts") or body.get("message_ts"), svc.now())
    local = when.astimezone(user.tz)

    contact = None
    new_contact_name = None
    slack_user_id = None
    if author_id and author_id != actor.user_id:
        contact = find_contact_by_slack_user(svc.db, actor, author_id)
        if contact is None:
            author = svc.users.get(actor.team_id, author_id, client=client)
            if author.known and not author.is_bot:
                new_contact_name, slack_user_id = author.name, author.id

    permalink = None
    try:
        permalink = client.chat_getPermalink(channel=channel_id, message_ts=message.get("ts"))["permalink"]
    except (SlackApiError, KeyError) as error:
        logger.info("no permalink for %s/%s: %s", channel_id, message.get("ts"), error)

    open_log_modal(
        client,
        body["trigger_id"],
        LogPrefill(
            contact_id=contact.id if contact else None,
            contact_name=contact.name if contact else None,
            new_contact_name=new_contact_name,
            type="message",
            date=local.date(),
            time=local.strftime("%H:%M"),
            summary=summary,
            notes=notes or None,
            permalink=permalink,
        ),
        user=user,
        channel_id=channel_id,
        slack_user_id=slack_user_id,
    )


def _message_time(ts: str | None, now: datetime) -> datetime:
    try:
        return min(datetime.fromtimestamp(float(ts), UTC), now)
    except (TypeError, ValueError, OverflowError):
        return now
