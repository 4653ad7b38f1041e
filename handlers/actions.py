"""Buttons and menus on cards, lists and modals. Ids in values are re-checked in storage."""

from __future__ import annotations

import logging
from datetime import timedelta

from slack_bolt import App

from blocks import ids
from blocks.contacts import contact_card
from blocks.interactions import deleted_card, interaction_card, interaction_detail_modal
from blocks.modals import LogPrefill, contact_modal, snooze_modal
from bot.domain.errors import DomainError, Forbidden, NotFound
from handlers.capture import open_log_modal
from handlers.common import acting_user, encode_metadata, parse_id, services, tell_user
from handlers.errors import user_message
from handlers.live import interactions_changed
from storage.contacts import ContactDraft, create_contact, get_contact, snooze_contact
from storage.interactions import (
    delete_interaction,
    get_interaction,
    latest_interactions_for_contact,
    restore_interaction,
)

logger = logging.getLogger(__name__)


def register(app: App) -> None:
    app.action(ids.ACTION_EDIT_INTERACTION)(edit_interaction)
    app.action(ids.ACTION_DELETE_INTERACTION)(delete_interaction_action)
    app.action(ids.ACTION_UNDO_DELETE)(undo_delete)
    app.action(ids.ACTION_VIEW_INTERACTION)(view_interaction)
    app.action(ids.ACTION_LOG_FOR_CONTACT)(log_for_contact)
    app.action(ids.ACTION_EDIT_CONTACT)(edit_contact)
    app.action(ids.ACTION_SNOOZE_CONTACT)(snooze_from_menu)
    app.action(ids.ACTION_SHOW_CONTACT)(show_contact)
    app.action(ids.ACTION_CREATE_CONTACT)(create_contact_action)


def _action_value(body: dict) -> str:
    action = (body.get("actions") or [{}])[0]
    return action.get("value") or (action.get("selected_option") or {}).get("value") or ""


def _channel(body: dict) -> str | None:
    return (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")


def _in_modal(body: dict) -> bool:
    """Clicked inside a modal (where new views are pushed), not a message or the Home tab."""
    return (body.get("view") or {}).get("type") == "modal"


def _show_modal(client, body: dict, view: dict) -> None:
    """Open a modal, or push it onto the one the click came from (Slack keeps a stack of 3)."""
    if _in_modal(body):
        client.views_push(trigger_id=body["trigger_id"], view=view)
    else:
        client.views_open(trigger_id=body["trigger_id"], view=view)


def _update_detail(client, body: dict, record, now) -> None:
    """Re-render the detail modal the click came from (deleted or restored)."""
    client.views_update(
        view_id=body["view"]["id"], view=interaction_detail_modal(record, now=now, can_edit=True)
    )


def _reply(
    body, respond, client, user_id: str, *, text: str, blocks: list | None = None, replace: bool = True
):
    """Answer where the click came from: replace the user's own private card, else say it privately.

    A shared message (a digest DM, a timeline thread) is never replaced by one person's answer.
    """
    private_card = bool((body.get("container") or {}).get("is_ephemeral"))
    if body.get("response_url") and respond is not None:
        respond(
            text=text, blocks=blocks, replace_original=replace and private_card, response_type="ephemeral"
        )
    else:
        tell_user(client, user_id=user_id, channel_id=_channel(body), text=text, blocks=blocks)


def _refuse(body, respond, client, user_id: str, error: DomainError) -> None:
    # A refusal never replaces the card the user is looking at.
    _reply(body, respond, client, user_id, text=user_message(error), replace=False)


def open_edit_modal(
    client,
    svc,
    actor,
    user,
    interaction_id: int,
    *,
    trigger_id: str,
    push: bool,
    channel_id: str | None = None,
) -> None:
    """The log modal prefilled with an interaction; refuses plainly if the user may not edit it."""
    record = get_interaction(svc.db, actor, interaction_id)
    if record.logged_by != actor.user_id and not actor.is_admin:
        raise Forbidden(
            f"Only <@{record.logged_by}> (who logged it) or a workspace admin can edit this interaction."
        )
    local = record.occurred_at.astimezone(user.tz)
    open_log_modal(
        client,
        trigger_id,
        LogPrefill(
            contact_id=record.contact_id,
            contact_name=record.contact_name,
            type=record.type,
            date=local.date(),
            time=local.strftime("%H:%M"),
            duration_minutes=record.duration_minutes,
            summary=record.summary,
            notes=record.notes,
            interaction_id=record.id,
            permalink=record.permalink,
        ),
        user=user,
        channel_id=channel_id,
        push=push,
    )


def edit_interaction(ack, body, respond, client, context):
    ack()
    svc = services(context)
    actor, user = acting_user(context)
    try:
        open_edit_modal(
            client,
            svc,
            actor,
            user,
            parse_id(_action_value(body)) or 0,
            trigger_id=body["trigger_id"],
            push=_in_modal(body),
            channel_id=_channel(body),
        )
    except DomainError as error:
        _refuse(body, respond, client, actor.user_id, error)


def delete_interaction_action(ack, body, respond, client, context):
    ack()
    svc = services(context)
    actor, _ = acting_user(context)
    try:
        record = delete_interaction(svc.db, actor, parse_id(_action_value(body)) or 0, now=svc.now())
    except DomainError as error:
        _refuse(body, respond, client, actor.user_id, error)
        return
    interactions_changed(client, svc, actor, {record.contact_id}, [record.occurred_at])
    if _in_modal(body):
        # The detail view shows the deleted interaction with its own Undo button.
        _update_detail(client, body, record, svc.now())
        return
    blocks = deleted_card(record, now=svc.now())
    _reply(
        body,
        respond,
        client,
        actor.user_id,
        text=f"Deleted {record.type} with {record.contact_name}.",
        blocks=blocks,
    )


def undo_delete(ack, body, respond, client, context):
    ack()
    svc = services(context)
    actor, _ = acting_user(context)
    try:
        record = restore_interaction(svc.db, actor, parse_id(_action_value(body)) or 0, now=svc.now())
    except DomainError as error:
        _refuse(body, respond, client, actor.user_id, error)
        return
    interactions_changed(client, svc, actor, {record.contact_id}, [record.occurred_at])
    if _in_modal(body) and body["view"].get("callback_id") == ids.DETAIL_MODAL:
        _update_detail(client, body, record, svc.now())
        return
    if _in_modal(body) and body["view"].get("callback_id") == ids.LIST_MODAL:
        from handlers.browse import refresh_list

        _, user = acting_user(context)
        refresh_list(
            client, svc, actor, user, body, notice=f"Restored: {record.type} with {record.contact_name}."
        )
        return
    _reply(
        body,
        respond,
        client,
        actor.user_id,
        text=f"Restored {record.type} with {record.contact_name}.",
        blocks=interaction_card(record, now=svc.now()),
    )


def view_interaction(ack, body, respond, client, context):
    ack()
    svc = services(context)
    actor, _ = acting_user(context)
    try:
        record = get_interaction(svc.db, actor, parse_id(_action_value(body)) or 0)
    except DomainError as error:
        _refuse(body, respond, client, actor.user_id, error)
        return
    can_edit = record.logged_by == actor.user_id or actor.is_admin
    view = interaction_detail_modal(record, now=svc.now(), can_edit=can_edit)
    _show_modal(client, body, view)


def log_for_contact(ack, body, respond, client, context):
    ack()
    svc = services(context)
    actor, user = acting_user(context)
    try:
        contact = get_contact(svc.db, actor, parse_id(_action_value(body)) or 0)
    except DomainError as error:
        _refuse(body, respond, client, actor.user_id, error)
        return
    local = svc.now().astimezone(user.tz)
    open_log_modal(
        client,
        body["trigger_id"],
        LogPrefill(
            contact_id=contact.id, contact_name=contact.name, date=local.date(), time=local.strftime("%H:%M")
        ),
        user=user,
        channel_id=_channel(body),
        push=_in_modal(body),
    )


def edit_contact(ack, body, respond, client, context):
    ack()
    svc = services(context)
    actor, _ = acting_user(context)
    try:
        contact = get_contact(svc.db, actor, parse_id(_action_value(body)) or 0)
    except DomainError as error:
        _refuse(body, respond, client, actor.user_id, error)
        return
    metadata = encode_metadata({"contact": contact.id, "channel": _channel(body)})
    view = contact_modal(contact, private_metadata=metadata)
    _show_modal(client, body, view)


def snooze_from_menu(ack, body, respond, client, context):
    ack()
    svc = services(context)
    actor, user = acting_user(context)
    contact_text, _, choice = _action_value(body).partition(":")
    try:
        contact = get_contact(svc.db, actor, parse_id(contact_text) or 0)
        if choice == "pick":
            metadata = encode_metadata({"contact": contact.id, "channel": _channel(body)})
            today = svc.now().astimezone(user.tz).date()
            view = snooze_modal(contact, today=today, private_metadata=metadata)
            _show_modal(client, body, view)
            return
        days = parse_id(choice)
        if days is None or not 1 <= days <= 366:
            raise NotFound("That snooze option isn't available.")
        contact = snooze_contact(svc.db, actor, contact.id, svc.now() + timedelta(days=days), now=svc.now())
    except DomainError as error:
        _refuse(body, respond, client, actor.user_id, error)
        return
    recent = latest_interactions_for_contact(svc.db, actor, contact.id, limit=5)
    _reply(
        body,
        respond,
        client,
        actor.user_id,
        text=f"Snoozed {contact.name} for {days} days.",
        blocks=contact_card(contact, recent, now=svc.now()),
    )


def show_contact(ack, body, respond, client, context):
    ack()
    svc = services(context)
    actor, _ = acting_user(context)
    try:
        contact = get_contact(svc.db, actor, parse_id(_action_value(body)) or 0)
    except DomainError as error:
        _refuse(body, respond, client, actor.user_id, error)
        return
    recent = latest_interactions_for_contact(svc.db, actor, contact.id, limit=5)
    _reply(
        body,
        respond,
        client,
        actor.user_id,
        text=contact.name,
        blocks=contact_card(contact, recent, now=svc.now()),
    )


def create_contact_action(ack, body, respond, client, context):
    ack()
    svc = services(context)
    actor, _ = acting_user(context)
    try:
        contact = create_contact(svc.db, actor, ContactDraft(name=_action_value(body)), now=svc.now())
    except DomainError as error:
        _refuse(body, respond, client, actor.user_id, error)
        return
    _reply(
        body,
        respond,
        client,
        actor.user_id,
        text=f"Added {contact.name}.",
        blocks=contact_card(contact, [], now=svc.now()),
    )
