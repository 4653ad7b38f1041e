"""/interactions: a filterable, sortable list in a modal, paged with keyset cursors."""

from __future__ import annotations

import logging
from dataclasses import asdict, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from slack_bolt import App
from slack_sdk.errors import SlackApiError

from blocks import ids
from blocks.browse import COUNT_CAP, PAGE_SIZE, ListState, list_modal
from blocks.interactions import interaction_detail_modal
from blocks.modals import contact_options
from bot.domain.errors import DomainError
from bot.domain.filters import parse_filters
from bot.domain.records import Actor
from handlers.common import acting_user, decode_metadata, encode_metadata, parse_id, services
from handlers.errors import user_message
from storage.contacts import find_contacts, get_contact, resolve_contact
from storage.interactions import (
    InteractionFilters,
    count_interactions,
    delete_interaction,
    get_interaction,
    list_interactions,
)

logger = logging.getLogger(__name__)
FILTER_ACTIONS = (
    ids.ACTION_FILTER_CONTACT,
    ids.ACTION_FILTER_TYPES,
    ids.ACTION_FILTER_AUTHOR,
    ids.ACTION_FILTER_SORT,
    ids.ACTION_FILTER_SINCE,
    ids.ACTION_FILTER_UNTIL,
    ids.ACTION_CLEAR_FILTERS,
)


def register(app: App) -> None:
    app.command("/interactions")(interactions_command)
    for action_id in FILTER_ACTIONS:
        app.action(action_id)(filters_changed)
    app.action(ids.ACTION_PAGE_PREV)(turn_page)
    app.action(ids.ACTION_PAGE_NEXT)(turn_page)
    app.action(ids.ACTION_ROW_MENU)(row_menu)
    app.options(ids.ACTION_FILTER_CONTACT)(contact_filter_options)


# --- state <-> storage filters and metadata ----------------------------------------------


def storage_filters(state: ListState, tz: ZoneInfo) -> InteractionFilters:
    def start_of(day: date | None) -> datetime | None:
        return datetime.combine(day, time(0), tzinfo=tz) if day else None

    return InteractionFilters(
        contact_id=state.contact_id,
        types=state.types,
        since=start_of(state.since),
        # The "to" day is included: stop at the start of the next one.
        until=start_of(state.until + timedelta(days=1)) if state.until else None,
        author=state.author,
        sort=state.sort,
    )


def _state_to_metadata(state: ListState) -> dict:
    data = asdict(state)
    data["since"] = state.since.isoformat() if state.since else None
    data["until"] = state.until.isoformat() if state.until else None
    data["types"] = list(state.types)
    return data


def _state_from_metadata(data: dict) -> ListState:
    try:
        return ListState(
            contact_id=data.get("contact_id"),
            contact_name=data.get("contact_name"),
            types=tuple(data.get("types") or ()),
            since=date.fromisoformat(data["since"]) if data.get("since") else None,
            until=date.fromisoformat(data["until"]) if data.get("until") else None,
            author=data.get("author"),
            sort=data.get("sort") or "newest",
            start=int(data.get("start") or 1),
            total=int(data.get("total") or 0),
        )
    except (TypeError, ValueError):
        return ListState()


def render_list(
    svc,
    actor: Actor,
    tz: ZoneInfo,
    state: ListState,
    *,
    cursor: str | None = None,
    count: bool = True,
    **extra,
) -> dict:
    filters = storage_filters(state, tz)
    page = list_interactions(svc.db, actor, filters, cursor=cursor, limit=PAGE_SIZE)
    if count:
        # Counting costs a scan, so it's done when the filters change, not on every page turn.
        state = replace(state, total=count_interactions(svc.db, actor, filters, cap=COUNT_CAP))
    metadata = encode_metadata(
        {
            "state": _state_to_metadata(state),
            "tz": tz.key,
            "cursor": cursor,
            "next": page.next_cursor,
            "prev": page.prev_cursor,
            "rows": len(page.items),
        }
    )
    return list_modal(
        state,
        page.items,
        has_prev=page.prev_cursor is not None,
        has_next=page.next_cursor is not None,
        now=svc.now(),
        viewer_id=actor.user_id,
        viewer_is_admin=actor.is_admin,
        private_metadata=metadata,
        **extra,
    )


# --- listeners -------------------------------------------------------------------------


def interactions_command(ack, body, respond, client, context):
    ack()
    svc = services(context)
    actor, user = acting_user(context)
    text = (body.get("text") or "").strip()
    if text.lower() in ("help", "?"):
        respond(
            text=(
                "*/interactions* opens the list of everything logged. Filters: a contact name, "
                '`type:call,email`, `since:"last month"`, `until:2026-03-01`, `by:@someone` or `by:me`, '
                '`sort:oldest`. Example: `/interactions jane type:call since:"last month" sort:oldest`'
            ),
            response_type="ephemeral",
        )
        return
    parsed = parse_filters(text, now=svc.now(), tz=user.tz, user_id=actor.user_id)
    problems = list(parsed.problems)
    contact = None
    if parsed.contact_query:
        contact, matches = resolve_contact(svc.db, actor, parsed.contact_query)
        if contact is None:
            problems.append(
                f"Several contacts match “{parsed.contact_query}”: pick one in the contact filter."
                if matches
                else f"No contact matches “{parsed.contact_query}”."
            )
    state = ListState(
        contact_id=contact.id if contact else None,
        contact_name=contact.name if contact else None,
        types=parsed.types,
        since=parsed.since.astimezone(user.tz).date() if parsed.since else None,
        until=(parsed.until.astimezone(user.tz).date() - timedelta(days=1)) if parsed.until else None,
        author=parsed.author,
        sort=parsed.sort,
    )
    view = render_list(svc, actor, user.tz, state, notice=" ".join(problems) or None)
    client.views_open(trigger_id=body["trigger_id"], view=view)


def _state_from_view(view: dict, previous: ListState) -> ListState:
    values = (view.get("state") or {}).get("values") or {}
    filters = values.get(ids.BLOCK_LIST_FILTERS) or {}
    dates = values.get(ids.BLOCK_LIST_DATES) or {}
    contact_option = (filters.get(ids.ACTION_FILTER_CONTACT) or {}).get("selected_option") or {}
    contact_id = parse_id(contact_option.get("value"))
    types = tuple(
        o["value"] for o in (filters.get(ids.ACTION_FILTER_TYPES) or {}).get("selected_options") or []
    )
    sort_option = (filters.get(ids.ACTION_FILTER_SORT) or {}).get("selected_option") or {}

    def day(action_id: str) -> date | None:
        picked = (dates.get(action_id) or {}).get("selected_date")
        try:
            return date.fromisoformat(picked) if picked else None
        except ValueError:
            return None

    return ListState(
        contact_id=contact_id,
        contact_name=((contact_option.get("text") or {}).get("text")) if contact_id else None,
        types=types,
        since=day(ids.ACTION_FILTER_SINCE),
        until=day(ids.ACTION_FILTER_UNTIL),
        author=(filters.get(ids.ACTION_FILTER_AUTHOR) or {}).get("selected_user"),
        sort=sort_option.get("value") or previous.sort,
    )


def _update(client, body: dict, view: dict) -> None:
    try:
        client.views_update(view_id=body["view"]["id"], hash=body["view"].get("hash"), view=view)
    except SlackApiError as error:
        # hash_conflict: a newer change already re-rendered the list; that one wins.
        if error.response.get("error") != "hash_conflict":
            raise


def filters_changed(ack, body, client, context):
    ack()
    svc = services(context)
    actor, user = acting_user(context)
    metadata = decode_metadata(body["view"].get("private_metadata"))
    tz = ZoneInfo(metadata.get("tz") or user.tz.key)
    previous = _state_from_metadata(metadata.get("state") or {})
    action_id = (body.get("actions") or [{}])[0].get("action_id")
    state = ListState() if action_id == ids.ACTION_CLEAR_FILTERS else _state_from_view(body["view"], previous)
    notice = None
    if state.contact_id is not None:
        try:
            contact = get_contact(svc.db, actor, state.contact_id)
            state = replace(state, contact_name=contact.name)
        except DomainError:
            state = replace(state, contact_id=None, contact_name=None)
            notice = "That contact isn't in this workspace."
    if state.since and state.until and state.since > state.until:
        notice = "The “from” day is after the “to” day, so nothing can match."
    _update(client, body, render_list(svc, actor, tz, state, notice=notice))


def turn_page(ack, body, client, context):
    ack()
    svc = services(context)
    actor, user = acting_user(context)
    metadata = decode_metadata(body["view"].get("private_metadata"))
    tz = ZoneInfo(metadata.get("tz") or user.tz.key)
    state = _state_from_metadata(metadata.get("state") or {})
    forward = (body.get("actions") or [{}])[0].get("action_id") == ids.ACTION_PAGE_NEXT
    cursor = metadata.get("next") if forward else metadata.get("prev")
    if forward:
        state = replace(state, start=state.start + int(metadata.get("rows") or 0))
    else:
        state = replace(state, start=max(1, state.start - PAGE_SIZE))
    try:
        view = render_list(svc, actor, tz, state, cursor=cursor, count=False)
    except DomainError as error:
        view = render_list(svc, actor, tz, replace(state, start=1), notice=user_message(error))
    _update(client, body, view)


def refresh_list(
    client, svc, actor: Actor, user, body: dict, *, notice: str, undo_id: int | None = None
) -> None:
    """Re-render the list the user is looking at (same page), e.g. after a delete or undo."""
    metadata = decode_metadata(body["view"].get("private_metadata"))
    tz = ZoneInfo(metadata.get("tz") or user.tz.key)
    state = _state_from_metadata(metadata.get("state") or {})
    try:
        view = render_list(
            svc, actor, tz, state, cursor=metadata.get("cursor"), notice=notice, undo_id=undo_id
        )
    except DomainError:
        view = render_list(svc, actor, tz, replace(state, start=1), notice=notice, undo_id=undo_id)
    _update(client, body, view)


def row_menu(ack, body, client, context):
    ack()
    svc = services(context)
    actor, user = acting_user(context)
    choice = ((body.get("actions") or [{}])[0].get("selected_option") or {}).get("value") or ""
    verb, _, raw_id = choice.partition(":")
    interaction_id = parse_id(raw_id) or 0
    try:
        if verb == "view":
            record = get_interaction(svc.db, actor, interaction_id)
            can_edit = record.logged_by == actor.user_id or actor.is_admin
            client.views_push(
                trigger_id=body["trigger_id"],
                view=interaction_detail_modal(record, now=svc.now(), can_edit=can_edit),
            )
        elif verb == "edit":
            from handlers.actions import open_edit_modal

            open_edit_modal(
                client, svc, actor, user, interaction_id, trigger_id=body["trigger_id"], push=True
            )
        elif verb == "delete":
            record = delete_interaction(svc.db, actor, interaction_id, now=svc.now())
            from handlers.live import interactions_changed

            interactions_changed(client, svc, actor, {record.contact_id}, [record.occurred_at])
            refresh_list(
                client,
                svc,
                actor,
                user,
                body,
                notice=f"Deleted: {record.type} with {record.contact_name} — {record.summary}",
                undo_id=record.id,
            )
    except DomainError as error:
        refresh_list(client, svc, actor, user, body, notice=user_message(error))


def contact_filter_options(ack, body, context):
    svc = services(context)
    actor = Actor(team_id=context.team_id, user_id=context.user_id)
    query = (body.get("value") or "").strip()[:100]
    matches = find_contacts(svc.db, actor, query, limit=20) if query else []
    options = [
        o for o in contact_options(matches, query) if not o["value"].startswith(ids.NEW_CONTACT_PREFIX)
    ]
    ack(options=options)
