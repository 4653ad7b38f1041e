"""Prefills for the log modal: for a contact, an interaction to edit, or a Slack message."""

from __future__ import annotations

import logging
import re
from datetime import datetime

from slack_sdk import WebClient

from blocks.modals import LogPrefill
from bot.domain.errors import Forbidden
from bot.domain.records import Actor, Attendee
from bot.domain.rules import MAX_ATTENDEES, NOTES_MAX_CHARS, may_change
from bot.domain.slack_text import readable
from bot.services import Services
from bot.services.attendees import mentioned_contacts
from bot.services.capture import SUMMARY_PREFILL_CHARS, QuickLogOutcome, new_log_prefill
from bot.services.users import SlackUser
from storage.contacts import find_contact_by_slack_user, get_contact
from storage.interactions import get_interaction

logger = logging.getLogger(__name__)
MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")


def log_prefill_for_contact(
    svc: Services, actor: Actor, user: SlackUser, contact_id: int, *, now: datetime
) -> LogPrefill:
    return new_log_prefill(user, now=now, contact=get_contact(svc.db, actor, contact_id))


def edit_prefill(svc: Services, actor: Actor, user: SlackUser, interaction_id: int) -> LogPrefill:
    """The log modal prefilled with an interaction; Forbidden unless the user may change it."""
    record = get_interaction(svc.db, actor, interaction_id)
    if not may_change(actor, record.logged_by):
        raise Forbidden(
            f"Only <@{record.logged_by}> (who logged it) or a workspace admin can edit this interaction."
        )
    local = record.occurred_at.astimezone(user.tz)
    return LogPrefill(
        contact_id=record.contact_id,
        contact_name=record.contact_name,
        more_contacts=record.attendees[1:],
        type=record.type,
        date=local.date(),
        time=local.strftime("%H:%M") if record.time_known else None,
        duration_minutes=record.duration_minutes,
        summary=record.summary,
        notes=record.notes,
        interaction_id=record.id,
        permalink=record.permalink,
        follow_up_on=record.follow_up_due_on,  # an open follow-up, as snoozed; a done one isn't shown
    )


def message_prefill(
    svc: Services,
    client: WebClient,
    actor: Actor,
    user: SlackUser,
    message: dict,
    *,
    channel_id: str | None,
    message_ts: str | None,
    now: datetime,
) -> QuickLogOutcome:
    """ "Log this conversation": the message as notes, its author and the contacts it mentions as
    the contacts, its time as when."""
    author_id = message.get("user") if isinstance(message.get("user"), str) else None

    def name_of(user_id: str) -> str:
        return svc.users.get(actor.team_id, user_id, client=client).name

    text = message.get("text")
    notes = readable(text if isinstance(text, str) else "", name_of).strip()
    if len(notes) > NOTES_MAX_CHARS:
        notes = notes[: NOTES_MAX_CHARS - 1] + "…"
    first_line = notes.splitlines()[0] if notes else ""
    summary = first_line[:SUMMARY_PREFILL_CHARS] if first_line else None
    when = _message_time(message.get("ts") or message_ts, now)
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
    # The people the message mentions who are contacts come next (never the user logging it).
    mentioned = mentioned_contacts(
        svc, actor, [u for u in MENTION.findall(text if isinstance(text, str) else "") if u != actor.user_id]
    )
    more = [a for a in (Attendee(c.id, c.name) for c in mentioned) if not contact or a.id != contact.id]

    permalink = None
    ts = message.get("ts") or message_ts
    if channel_id and isinstance(ts, str):
        try:
            permalink = client.chat_getPermalink(channel=channel_id, message_ts=ts)["permalink"]
        except Exception as error:  # a message without a permalink can still be logged
            logger.info("no permalink for %s/%s: %s", channel_id, ts, error)
    return QuickLogOutcome(
        prefill=LogPrefill(
            contact_id=contact.id if contact else None,
            contact_name=contact.name if contact else None,
            new_contact_name=new_contact_name,
            more_contacts=tuple(more[: MAX_ATTENDEES - 1]),
            type="message",
            date=local.date(),
            time=local.strftime("%H:%M"),
            summary=summary,
            notes=notes or None,
            permalink=permalink if isinstance(permalink, str) else None,
        ),
        slack_user_id=slack_user_id,
    )


def _message_time(ts: object, now: datetime) -> datetime:
    from datetime import UTC

    try:
        return min(datetime.fromtimestamp(float(ts), UTC), now)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError, OSError):
        return now
