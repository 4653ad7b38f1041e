"""Contacts: /contact, the contact buttons (show, create, edit, snooze) and their modals."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from slack_bolt import Ack, App, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from blocks import ids
from blocks.contacts import contact_card, contact_choices, contact_not_found
from blocks.messages import notice
from blocks.modals import contact_modal, snooze_modal
from bot.domain.contact_add import ContactAdd
from bot.domain.contact_add import parse_contact_add as read_contact_add
from bot.domain.errors import Conflict, Invalid
from bot.domain.slack_text import readable
from bot.services import AfterAnswer, Services
from bot.services import contacts as contact_service
from bot.services.contacts import ContactChanges, ContactDraft
from handlers.common import (
    acting_user,
    action_value,
    clicked_channel,
    listener,
    parse_id,
    reply,
    show_modal,
    surfaces_of_click,
    tell_user,
    text_of,
)
from handlers.forms import contact_metadata, element, read_contact_ref, text_value, view_values

CONTACT_USAGE = (
    "*/contact NAME* shows a contact's card.\n"
    "*/contact add NAME, [email], [company]* adds one, e.g. `/contact add Jane Doe, jane@acme.com, Acme`,"
    ' `/contact add Jane Doe jane@acme.com Acme` or `/contact add "Jane Doe" Acme`.'
)


def register(app: App) -> None:
    app.command("/contact")(listener(contact_command))
    app.action(ids.ACTION_SHOW_CONTACT)(listener(show_contact))
    app.action(ids.ACTION_CREATE_CONTACT)(listener(create_contact))
    app.action(ids.ACTION_EDIT_CONTACT)(listener(edit_contact))
    app.action(ids.ACTION_SNOOZE_CONTACT)(listener(snooze_from_menu))
    app.view(ids.CONTACT_MODAL)(listener(submit_contact_modal))
    app.view(ids.SNOOZE_MODAL)(listener(submit_snooze_modal))


def contact_command(ack: Ack, body: dict, respond: Respond, context: BoltContext, svc: Services) -> None:
    ack()
    actor, _ = acting_user(context)
    text = " ".join(text_of(body).split())
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
            contact = contact_service.add(svc, actor, draft, now=now)
        except Conflict as conflict:
            respond(text=f"{conflict.message} Try `/contact {draft.name}`.", response_type="ephemeral")
            return
        note = f"Added “{contact.name}”. {understood.note}" if understood.guessed else None
        respond(
            text=note or f"Added {contact.name}.",
            blocks=(notice(note) if note else []) + contact_card(contact, [], now=now),
            response_type="ephemeral",
        )
        return
    card, matches = contact_service.lookup(svc, actor, text)
    if card is not None:
        blocks = contact_card(card.contact, card.recent, now=now)
        respond(text=card.contact.name, blocks=blocks, response_type="ephemeral")
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


def show_contact(
    ack: Ack, body: dict, respond: Respond, client: WebClient, context: BoltContext, svc: Services
) -> None:
    ack()
    actor, _ = acting_user(context)
    card = contact_service.card(svc, actor, parse_id(action_value(body)) or 0)
    blocks = contact_card(card.contact, card.recent, now=svc.now())
    reply(body, respond, client, actor.user_id, text=card.contact.name, blocks=blocks)


def create_contact(
    ack: Ack, body: dict, respond: Respond, client: WebClient, context: BoltContext, svc: Services
) -> None:
    ack()
    actor, _ = acting_user(context)
    now = svc.now()
    contact = contact_service.add(svc, actor, ContactDraft(name=action_value(body)), now=now)
    reply(
        body,
        respond,
        client,
        actor.user_id,
        text=f"Added {contact.name}.",
        blocks=contact_card(contact, [], now=now),
    )


def edit_contact(ack: Ack, body: dict, client: WebClient, context: BoltContext, svc: Services) -> None:
    ack()
    actor, _ = acting_user(context)
    contact = contact_service.get(svc, actor, parse_id(action_value(body)) or 0)
    view = contact_modal(contact, private_metadata=contact_metadata(contact.id, clicked_channel(body)))
    show_modal(client, body, view)


def snooze_from_menu(
    ack: Ack,
    body: dict,
    respond: Respond,
    client: WebClient,
    context: BoltContext,
    svc: Services,
    after: AfterAnswer,
) -> None:
    """The snooze menu on cards, digests and Home: 1 week, 1 month, or pick a date."""
    ack()
    actor, user = acting_user(context)
    now = svc.now()
    contact_text, _, choice = action_value(body).partition(":")
    contact_id = parse_id(contact_text) or 0
    surfaces = surfaces_of_click(body)
    if choice == ids.SNOOZE_PICK:
        contact = contact_service.get(svc, actor, contact_id)
        today = now.astimezone(user.tz).date()
        metadata = contact_metadata(contact.id, clicked_channel(body), surfaces)
        show_modal(client, body, snooze_modal(contact, today=today, private_metadata=metadata))
        return
    days = parse_id(choice)
    if days is None:
        raise Invalid({"until": "That snooze option isn't available."})
    card = contact_service.snooze_for_days(
        svc, client, actor, contact_id, days, now=now, after=after, surfaces=surfaces
    )
    if surfaces.home_tz:
        return  # Home re-renders without the snoozed contact: that is the answer
    text = f"Snoozed {card.contact.name} for {days} days."
    if surfaces.digest:
        # The digest updates in place; the card would only repeat it.
        reply(body, respond, client, actor.user_id, text=text, replace=False)
        return
    reply(
        body,
        respond,
        client,
        actor.user_id,
        text=text,
        blocks=contact_card(card.contact, card.recent, now=now),
    )


def submit_contact_modal(
    ack: Ack, view: dict, client: WebClient, context: BoltContext, svc: Services, after: AfterAnswer
) -> None:
    actor, _ = acting_user(context)
    contact_id, channel_id, _ = read_contact_ref(view)
    values = view_values(view)
    cadence_text = text_value(values, ids.BLOCK_CONTACT_CADENCE).strip()
    if cadence_text and not (cadence_text.isascii() and cadence_text.isdigit() and len(cadence_text) <= 5):
        raise Invalid({"cadence_days": "Cadence is a whole number of days, like 30."})
    email = text_value(values, ids.BLOCK_CONTACT_EMAIL).strip()
    company = text_value(values, ids.BLOCK_CONTACT_COMPANY).strip()
    owner = element(values, ids.BLOCK_CONTACT_OWNER).get("selected_user")
    now = svc.now()
    card = contact_service.edit(
        svc,
        client,
        actor,
        contact_id,
        ContactChanges(
            name=text_value(values, ids.BLOCK_CONTACT_NAME),
            email=email or None,
            company=company or None,
            cadence_days=int(cadence_text) if cadence_text else None,
            owner_user_id=owner if isinstance(owner, str) else None,
            clear_email=not email,
            clear_company=not company,
            clear_cadence=not cadence_text,
        ),
        now=now,
        after=after,
    )
    ack()
    blocks = contact_card(card.contact, card.recent, now=now)
    tell_user(
        client,
        user_id=actor.user_id,
        channel_id=channel_id,
        text=f"Updated {card.contact.name}.",
        blocks=blocks,
    )


def submit_snooze_modal(
    ack: Ack, view: dict, client: WebClient, context: BoltContext, svc: Services, after: AfterAnswer
) -> None:
    actor, user = acting_user(context)
    contact_id, channel_id, surfaces = read_contact_ref(view)
    picked = element(view_values(view), ids.BLOCK_SNOOZE_DATE).get("selected_date")
    try:
        day = date.fromisoformat(picked) if isinstance(picked, str) else None
    except ValueError:
        day = None
    if day is None:
        raise Invalid({"until": "Pick a date."})
    # Snoozed until the start of that day where the user lives.
    until = datetime.combine(day, time(0), tzinfo=user.tz).astimezone(UTC)
    card = contact_service.snooze(
        svc, client, actor, contact_id, until=until, now=svc.now(), after=after, surfaces=surfaces
    )
    ack()
    tell_user(
        client,
        user_id=actor.user_id,
        channel_id=channel_id,
        text=f"Snoozed {card.contact.name} until {day.isoformat()}.",
    )
