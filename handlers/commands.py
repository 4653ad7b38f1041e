"""Slash commands: /log, /contact, /interactions, /timeline."""

from __future__ import annotations

import logging

from slack_bolt import App

from blocks.contacts import contact_card, contact_choices, contact_not_found
from blocks.messages import notice
from blocks.modals import LogPrefill
from bot.domain.contact_add import ContactAdd
from bot.domain.contact_add import parse_contact_add as read_contact_add
from bot.domain.errors import Conflict, DomainError, Invalid
from bot.quicklog import parse_quick_log, usage_text
from bot.slack_text import readable
from handlers.capture import confirm_saved, local_defaults, open_log_modal
from handlers.common import acting_user, services
from handlers.errors import user_message
from handlers.live import interactions_changed
from storage.contacts import (
    ContactDraft,
    create_contact,
    ensure_contact_for_slack_user,
    find_contact_by_slack_user,
    has_contact_named,
    resolve_contact,
)
from storage.interactions import InteractionDraft, create_interaction, latest_interactions_for_contact

logger = logging.getLogger(__name__)

CONTACT_USAGE = (
    "*/contact NAME* shows a contact's card.\n"
    "*/contact add NAME, [email], [company]* adds one, e.g. `/contact add Jane Doe, jane@acme.com, Acme`,"
    ' `/contact add Jane Doe jane@acme.com Acme` or `/contact add "Jane Doe" Acme`.'
)


def register(app: App) -> None:
    app.command("/log")(log_command)
    app.command("/contact")(contact_command)


def log_command(ack, body, respond, client, context):
    ack()
    svc = services(context)
    actor, user = acting_user(context)
    text = (body.get("text") or "").strip()
    channel_id = body.get("channel_id")
    now = svc.now()
    if text.lower() in ("help", "?", "-h", "--help"):
        respond(text=usage_text(), blocks=notice(usage_text()), response_type="ephemeral")
        return
    day, clock = local_defaults(now, user.tz)
    if not text:
        open_log_modal(
            client,
            body["trigger_id"],
            LogPrefill(date=day, time=clock),
            user=user,
            channel_id=channel_id,
            response_url=body.get("response_url"),
        )
        return

    parsed = parse_quick_log(
        text, now=now, tz=user.tz, contact_names=lambda phrase: has_contact_named(svc.db, actor, phrase)
    )
    problems = list(parsed.problems)
    contact = None
    new_contact_name = None
    slack_user_id = None
    if parsed.mention_user_id:
        contact = find_contact_by_slack_user(svc.db, actor, parsed.mention_user_id)
        if contact is None:
            mentioned = svc.users.get(actor.team_id, parsed.mention_user_id, client=client)
            if mentioned.known and not mentioned.deleted:
                contact, _ = ensure_contact_for_slack_user(
                    svc.db, actor, mentioned.id, name=mentioned.name, email=mentioned.email
                )
            else:
                problems.append("I couldn't look up the person you mentioned.")
    elif parsed.contact_text:
        contact, matches = resolve_contact(svc.db, actor, parsed.contact_text)
        if contact is None:
            new_contact_name = parsed.contact_text if not matches else None
            problems.append(
                f"Several contacts match “{parsed.contact_text}”: pick one."
                if matches
                else f"“{parsed.contact_text}” is not a contact yet: check the name, then Save creates it."
            )
    else:
        problems.append("Who was it with? Pick a contact.")
    if parsed.type is None:
        problems.append("What kind of interaction was it? Pick a type.")
    if not parsed.summary:
        problems.append("Add a short summary.")

    occurred_at = parsed.occurred_at or now
    if not problems and contact is not None:
        try:
            record, _ = create_interaction(
                svc.db,
                actor,
                InteractionDraft(
                    contact_id=contact.id,
                    type=parsed.type,
                    occurred_at=occurred_at,
                    summary=parsed.summary,
                    duration_minutes=parsed.duration_minutes,
                    source="command",
                    source_ref=f"command:{body.get('trigger_id')}" if body.get("trigger_id") else None,
                ),
                now=now,
            )
        except Invalid as invalid:
            problems.extend(invalid.fields.values())
        else:
            confirm_saved(client, actor, record, channel_id=channel_id, now=now, respond=respond)
            interactions_changed(client, svc, actor, {record.contact_id}, [record.occurred_at])
            return

    # Not certain: show the modal with what was understood rather than guess.
    local = occurred_at.astimezone(user.tz)
    open_log_modal(
        client,
        body["trigger_id"],
        LogPrefill(
            contact_id=contact.id if contact else None,
            contact_name=contact.name if contact else None,
            new_contact_name=new_contact_name,
            type=parsed.type,
            date=local.date(),
            time=local.strftime("%H:%M"),
            duration_minutes=parsed.duration_minutes,
            summary=parsed.summary or None,
            notice=" ".join(problems),
        ),
        user=user,
        channel_id=channel_id,
        slack_user_id=slack_user_id,
        response_url=body.get("response_url"),
    )


def contact_command(ack, body, respond, client, context):
    ack()
    svc = services(context)
    actor, _ = acting_user(context)
    text = " ".join((body.get("text") or "").split())
    now = svc.now()
    if not text or text.lower() in ("help", "?"):
        respond(text=CONTACT_USAGE, blocks=notice(CONTACT_USAGE), response_type="ephemeral")
        return
    if text.lower().startswith("add ") or text.lower() == "add":
        draft, understood = parse_contact_add(text[4:])
        if understood.problem:
            respond(text=understood.problem, response_type="ephemeral")
            return
        try:
            contact = create_contact(svc.db, actor, draft)
        except Conflict as conflict:
            respond(text=f"{conflict.message} Try `/contact {draft.name}`.", response_type="ephemeral")
            return
        except DomainError as error:
            respond(text=user_message(error), response_type="ephemeral")
            return
        note = f"Added “{contact.name}”. {understood.note}" if understood.guessed else None
        respond(
            text=note or f"Added {contact.name}.",
            blocks=(notice(note) if note else []) + contact_card(contact, [], now=now),
            response_type="ephemeral",
        )
        return
    contact, matches = resolve_contact(svc.db, actor, text)
    if contact is not None:
        recent = latest_interactions_for_contact(svc.db, actor, contact.id, limit=5)
        respond(text=contact.name, blocks=contact_card(contact, recent, now=now), response_type="ephemeral")
    elif matches:
        respond(
            text=f"Several contacts match “{text}”.",
            blocks=contact_choices(matches, text),
            response_type="ephemeral",
        )
    else:
        respond(
            text=f"No contact matches “{text}”.", blocks=contact_not_found(text), response_type="ephemeral"
        )


def parse_contact_add(text: str) -> tuple[ContactDraft, ContactAdd]:
    """`"Mia Chen" Initech`, `Mia Chen, mia@initech.com, Initech` or `Mia Chen mia@initech.com
    Initech` -> a draft (validated later) and what was understood (bot/domain/contact_add.py)."""
    # With escaping on, Slack sends emails as <mailto:jane@acme.com|jane@acme.com>.
    understood = read_contact_add(readable(text, lambda user_id: user_id))
    draft = ContactDraft(name=understood.name, email=understood.email, company=understood.company)
    return draft, understood
