"""Contacts: /contact, the contact buttons (show, create, edit, snooze) and their modals."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, time

from slack_bolt import Ack, App, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from blocks import ids
from blocks.contacts import already_a_contact, contact_card, contact_choices, contact_not_found, did_you_mean
from blocks.messages import notice
from blocks.modals import contact_modal, snooze_modal
from bot.domain.contact_add import ContactAdd
from bot.domain.contact_add import parse_contact_add as read_contact_add
from bot.domain.errors import Conflict, Invalid
from bot.domain.records import Actor
from bot.domain.slack_text import readable, unescape
from bot.services import AfterAnswer, Services
from bot.services import contacts as contact_service
from bot.services.contacts import ContactChanges, ContactDraft
from handlers.common import (
    acting_user,
    action_value,
    clicked_channel,
    first_action,
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
    ' `/contact add Jane Doe jane@acme.com Acme` or `/contact add "Jane Doe" Acme`.\n'
    "*/contact merge A into B* merges a duplicate A into B; */contact archive NAME* archives one."
)
MERGE_RE = re.compile(r"^merge\s+(?P<a>.+?)\s+into\s+(?P<b>.+)$", re.IGNORECASE | re.DOTALL)


def register(app: App) -> None:
    app.command("/contact")(listener(contact_command))
    app.action(ids.ACTION_SHOW_CONTACT)(listener(show_contact))
    app.action(ids.ACTION_CREATE_CONTACT)(listener(create_contact))
    app.action(ids.ACTION_EDIT_CONTACT)(listener(edit_contact))
    app.action(ids.ACTION_SNOOZE_CONTACT)(listener(snooze_from_menu))
    app.action(ids.ACTION_ADD_CONTACT_ANYWAY)(listener(add_anyway))
    app.action(ids.ACTION_MERGE_CONTACT)(listener(merge_from_card))
    app.action(ids.ACTION_UNDO_MERGE)(listener(undo_merge))
    app.action(ids.ACTION_ARCHIVE_CONTACT)(listener(archive_from_card))
    app.action(ids.ACTION_UNARCHIVE_CONTACT)(listener(unarchive_from_card))
    app.view(ids.CONTACT_MODAL)(listener(submit_contact_modal))
    app.view(ids.SNOOZE_MODAL)(listener(submit_snooze_modal))


def contact_command(
    ack: Ack,
    body: dict,
    respond: Respond,
    client: WebClient,
    context: BoltContext,
    svc: Services,
    after: AfterAnswer,
) -> None:
    ack()
    actor, _ = acting_user(context)
    # Slack escapes what people type (&amp; &lt; &gt;, <mailto:…|…>): undone once, here
    # (`/contact add` reads its parts from the text as sent, then unescapes each).
    raw = " ".join(text_of(body).split())
    text = " ".join(unescape(raw).split())
    now = svc.now()
    lowered = text.lower()
    if not text or lowered in ("help", "?"):
        respond(text=CONTACT_USAGE, blocks=notice(CONTACT_USAGE), response_type="ephemeral")
        return
    if lowered.startswith("add ") or lowered == "add":
        draft, understood = parse_contact_add(raw[4:])
        if understood.problem:
            respond(text=understood.problem, response_type="ephemeral")
            return
        existing = contact_service.existing_for(svc, actor, draft)
        if existing is not None:
            blocks = already_a_contact(
                existing.contact,
                existing.recent,
                name=draft.name,
                email=draft.email,
                company=draft.company,
                now=now,
            )
            same_email = bool(draft.email) and (existing.contact.email or "") == (draft.email or "").lower()
            what = "that email" if same_email else "that name"
            text = f"{existing.contact.name} already has {what}: here is their card, with “Add anyway”."
            respond(text=text, blocks=blocks, response_type="ephemeral")
            return
        note = f"Added “{draft.name}”. {understood.note}" if understood.guessed else None
        _add_and_answer(body, respond, client, actor, svc, draft, now=now, note=note)
        return
    merge = MERGE_RE.match(text)
    if merge:
        source = contact_service.one_named(svc, actor, merge["a"].strip())
        target = contact_service.one_named(svc, actor, merge["b"].strip())
        merged = contact_service.merge(svc, client, actor, source.id, target.id, now=now, after=after)
        _answer_merged(body, respond, client, actor.user_id, merged, now=now)
        return
    if lowered.startswith("archive "):
        contact = contact_service.one_named(svc, actor, text[len("archive ") :].strip())
        archived = contact_service.archive(svc, client, actor, contact.id, now=now, after=after)
        blocks = contact_service.card_blocks(archived, now=now)
        respond(text=f"Archived {contact.name}.", blocks=blocks, response_type="ephemeral")
        return
    card, matches = contact_service.lookup(svc, actor, text)
    if card is not None:
        respond(
            text=card.contact.name,
            blocks=contact_service.card_blocks(card, now=now),
            response_type="ephemeral",
        )
    elif len(matches) == 1:
        name = matches[0].contact.name
        respond(
            text=f"Did you mean {name}?", blocks=did_you_mean(matches[0], text), response_type="ephemeral"
        )
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


def _add_and_answer(
    body: dict,
    respond: Respond,
    client: WebClient,
    actor: Actor,
    svc: Services,
    draft: ContactDraft,
    *,
    now: datetime,
    note: str | None = None,
) -> None:
    """Add the contact and answer with its card (and `note`, what a guessed reading took)."""
    try:
        contact = contact_service.add(svc, actor, draft, now=now)
    except Conflict as conflict:
        reply(body, respond, client, actor.user_id, text=f"{conflict.message} Try `/contact {draft.name}`.")
        return
    reply(
        body,
        respond,
        client,
        actor.user_id,
        text=note or f"Added {contact.name}.",
        blocks=(notice(note) if note else []) + contact_card(contact, [], now=now),
    )


def _answer_merged(
    body: dict,
    respond: Respond,
    client: WebClient,
    user_id: str,
    merged: contact_service.Merged,
    *,
    now: datetime,
) -> None:
    moved = "1 interaction" if merged.moved == 1 else f"{merged.moved} interactions"
    text = f"Merged {merged.source.name} into {merged.target.contact.name} ({moved} moved)."
    blocks = [*notice(text), *contact_service.card_blocks(merged.target, now=now)]
    reply(body, respond, client, user_id, text=text, blocks=blocks)


def add_anyway(
    ack: Ack, body: dict, respond: Respond, client: WebClient, context: BoltContext, svc: Services
) -> None:
    """ "Add anyway" under an existing contact's card: the person meant a second contact."""
    ack()
    actor, _ = acting_user(context)
    try:
        name, email, company = json.loads(action_value(body))
    except (ValueError, TypeError):
        raise Invalid({"name": "That button is out of date: run /contact add again."}) from None
    draft = ContactDraft(
        name=name if isinstance(name, str) else "",
        email=email if isinstance(email, str) else None,
        company=company if isinstance(company, str) else None,
    )
    _add_and_answer(body, respond, client, actor, svc, draft, now=svc.now())


def merge_from_card(
    ack: Ack,
    body: dict,
    respond: Respond,
    client: WebClient,
    context: BoltContext,
    svc: Services,
    after: AfterAnswer,
) -> None:
    """ "Merge into…" on a card: the block id names the contact merged, the option the one kept."""
    ack()
    actor, _ = acting_user(context)
    block_id = first_action(body).get("block_id")
    source_text = block_id[len(ids.MERGE_BLOCK_PREFIX) :] if isinstance(block_id, str) else ""
    source_id = (
        parse_id(source_text)
        if isinstance(block_id, str) and block_id.startswith(ids.MERGE_BLOCK_PREFIX)
        else None
    )
    target_id = parse_id(action_value(body))
    if source_id is None or target_id is None:
        raise Invalid({"contact": "Pick the contact to merge into."})
    now = svc.now()
    merged = contact_service.merge(
        svc, client, actor, source_id, target_id, now=now, after=after, surfaces=surfaces_of_click(body)
    )
    _answer_merged(body, respond, client, actor.user_id, merged, now=now)


def undo_merge(
    ack: Ack,
    body: dict,
    respond: Respond,
    client: WebClient,
    context: BoltContext,
    svc: Services,
    after: AfterAnswer,
) -> None:
    ack()
    actor, _ = acting_user(context)
    now = svc.now()
    undone = contact_service.unmerge(
        svc,
        client,
        actor,
        parse_id(action_value(body)) or 0,
        now=now,
        after=after,
        surfaces=surfaces_of_click(body),
    )
    source_card = contact_service.card(svc, actor, undone.source.id)
    text = f"Undone: {undone.source.name} is its own contact again ({undone.moved} interactions moved back)."
    reply(
        body,
        respond,
        client,
        actor.user_id,
        text=text,
        blocks=[*notice(text), *contact_service.card_blocks(source_card, now=now)],
    )


def _archive_click(body, respond, client, context, svc, after, *, archive: bool) -> None:
    actor, _ = acting_user(context)
    now = svc.now()
    change = contact_service.archive if archive else contact_service.unarchive
    contact_id = parse_id(action_value(body)) or 0
    card = change(svc, client, actor, contact_id, now=now, after=after, surfaces=surfaces_of_click(body))
    text = f"{'Archived' if archive else 'Unarchived'} {card.contact.name}."
    blocks = [*notice(text), *contact_service.card_blocks(card, now=now)]
    reply(body, respond, client, actor.user_id, text=text, blocks=blocks)


def archive_from_card(
    ack: Ack,
    body: dict,
    respond: Respond,
    client: WebClient,
    context: BoltContext,
    svc: Services,
    after: AfterAnswer,
) -> None:
    ack()
    _archive_click(body, respond, client, context, svc, after, archive=True)


def unarchive_from_card(
    ack: Ack,
    body: dict,
    respond: Respond,
    client: WebClient,
    context: BoltContext,
    svc: Services,
    after: AfterAnswer,
) -> None:
    ack()
    _archive_click(body, respond, client, context, svc, after, archive=False)


def parse_contact_add(raw: str) -> tuple[ContactDraft, ContactAdd]:
    """`"Mia Chen" Initech`, `Mia Chen, mia@initech.com, Initech` or `Mia Chen mia@initech.com
    Initech` -> a draft (validated later) and what was understood (bot/domain/contact_add.py).

    `raw` is the text as Slack sent it: its escaping (`&amp;`, `<mailto:…|…>`) is undone once, here.
    """
    understood = read_contact_add(readable(raw, lambda user_id: user_id))
    draft = ContactDraft(name=understood.name, email=understood.email, company=understood.company)
    return draft, understood


def show_contact(
    ack: Ack, body: dict, respond: Respond, client: WebClient, context: BoltContext, svc: Services
) -> None:
    ack()
    actor, _ = acting_user(context)
    card = contact_service.card(svc, actor, parse_id(action_value(body)) or 0)
    blocks = contact_service.card_blocks(card, now=svc.now())
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
        blocks=contact_service.card_blocks(card, now=now),
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
    blocks = contact_service.card_blocks(card, now=now)
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
