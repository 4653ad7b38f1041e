"""Buttons on an interaction (cards, the detail view, the list's row menu): view, edit, delete, undo."""

from __future__ import annotations

from slack_bolt import Ack, App, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from blocks import ids
from blocks.interactions import deleted_card, interaction_card
from blocks.message_metadata import interaction_metadata
from blocks.metadata import encode_metadata
from bot.domain.errors import DomainError
from bot.services import AfterAnswer, Services
from bot.services import browse as browse_service
from bot.services import capture as capture_service
from bot.services import prefill as prefill_service
from bot.services.surfaces import Surfaces, refresh_list
from handlers.common import (
    acting_user,
    action_value,
    clicked_channel,
    listener,
    parse_id,
    reply,
    show_modal,
    surfaces_of_click,
)
from handlers.errors import user_message
from handlers.forms import log_view


def register(app: App) -> None:
    app.action(ids.ACTION_VIEW_INTERACTION)(listener(view_interaction))
    app.action(ids.ACTION_EDIT_INTERACTION)(listener(edit_interaction))
    app.action(ids.ACTION_DELETE_INTERACTION)(listener(delete_interaction))
    app.action(ids.ACTION_UNDO_DELETE)(listener(undo_delete))
    app.action(ids.ACTION_ROW_MENU)(listener(row_menu))


def _detail(svc: Services, context: BoltContext, interaction_id: int, surfaces: Surfaces) -> dict:
    """The detail view; opened from a list, it remembers that list so changes made here reach it."""
    actor, _ = acting_user(context)
    metadata = encode_metadata(
        {"surfaces": Surfaces(list=surfaces.list).to_json() or None}, optional=("surfaces",)
    )
    return browse_service.detail_view(svc, actor, interaction_id, now=svc.now(), metadata=metadata)


def view_interaction(ack: Ack, body: dict, client: WebClient, context: BoltContext, svc: Services) -> None:
    ack()
    view = _detail(svc, context, parse_id(action_value(body)) or 0, surfaces_of_click(body))
    show_modal(client, body, view)


def _open_edit(
    client: WebClient, body: dict, context: BoltContext, svc: Services, interaction_id: int
) -> None:
    actor, user = acting_user(context)
    prefill = prefill_service.edit_prefill(svc, actor, user, interaction_id)
    view = log_view(prefill, user=user, channel_id=clicked_channel(body), surfaces=surfaces_of_click(body))
    show_modal(client, body, view)


def edit_interaction(ack: Ack, body: dict, client: WebClient, context: BoltContext, svc: Services) -> None:
    ack()
    _open_edit(client, body, context, svc, parse_id(action_value(body)) or 0)


def delete_interaction(
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
    surfaces = surfaces_of_click(body)
    record = capture_service.delete(
        svc, client, actor, parse_id(action_value(body)) or 0, now=now, after=after, surfaces=surfaces
    )
    if surfaces.detail_view_id:
        return  # the detail view re-renders (deleted, with Undo) right after, then the list
    text = f"Deleted {record.type} with {record.contact_names}."
    reply(
        body,
        respond,
        client,
        actor.user_id,
        text=text,
        blocks=deleted_card(record, now=now),
        metadata=interaction_metadata(record),
    )


def undo_delete(
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
    surfaces = surfaces_of_click(body)
    record = capture_service.restore(
        svc, client, actor, parse_id(action_value(body)) or 0, now=now, after=after, surfaces=surfaces
    )
    if surfaces.detail_view_id or surfaces.list:
        return  # the view it was undone from re-renders right after
    text = f"Restored {record.type} with {record.contact_names}."
    reply(
        body,
        respond,
        client,
        actor.user_id,
        text=text,
        blocks=interaction_card(record, now=now),
        metadata=interaction_metadata(record),
    )


def row_menu(
    ack: Ack, body: dict, client: WebClient, context: BoltContext, svc: Services, after: AfterAnswer
) -> None:
    """The overflow menu of a list row: view:ID, edit:ID or delete:ID."""
    ack()
    verb, _, raw_id = action_value(body).partition(":")
    interaction_id = parse_id(raw_id) or 0
    if verb == "view":
        client.views_push(
            trigger_id=body["trigger_id"], view=_detail(svc, context, interaction_id, surfaces_of_click(body))
        )
    elif verb == "edit":
        _open_edit(client, body, context, svc, interaction_id)
    elif verb == "delete":
        actor, _ = acting_user(context)
        surfaces = surfaces_of_click(body)
        try:
            # The list re-renders with "Deleted … Undo" as the answer, before any timeline refresh.
            capture_service.delete(
                svc, client, actor, interaction_id, now=svc.now(), after=after, surfaces=surfaces
            )
        except DomainError as error:
            if surfaces.list is None:
                raise
            # Said where they are looking: on the list itself.
            refresh_list(svc, client, actor, surfaces.list, now=svc.now(), notice=user_message(error))
