"""/interactions: a filterable, sortable list in a modal, paged with keyset cursors."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from slack_bolt import Ack, App, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from blocks import ids
from blocks.browse import PAGE_SIZE, SEARCH_MAX_CHARS, ListState
from blocks.metadata import decode_metadata
from blocks.modals import contact_options
from bot.domain.errors import DomainError, NotFound
from bot.domain.filters import parse_filters
from bot.domain.rules import zone
from bot.domain.slack_text import unescape
from bot.services import Services
from bot.services import browse as browse_service
from handlers.common import acting_user, as_dict, first_action, listener, parse_id, payload_actor, text_of
from handlers.errors import user_message

FILTER_ACTIONS = (
    ids.ACTION_FILTER_CONTACT,
    ids.ACTION_FILTER_TYPES,
    ids.ACTION_FILTER_AUTHOR,
    ids.ACTION_FILTER_SORT,
    ids.ACTION_FILTER_SINCE,
    ids.ACTION_FILTER_UNTIL,
    ids.ACTION_FILTER_SEARCH,
    ids.ACTION_CLEAR_FILTERS,
)
LIST_HELP = (
    "*/interactions* opens the list of everything logged. Filters: a contact name, "
    '`type:call,email`, `since:"last month"`, `until:2026-03-01`, `by:@someone` or `by:me`, '
    "`sort:oldest`, and words in double quotes to find in summaries and notes. Example: "
    '`/interactions jane "renewal terms" type:call since:"last month" sort:oldest`'
)


def register(app: App) -> None:
    app.command("/interactions")(listener(interactions_command))
    for action_id in FILTER_ACTIONS:
        app.action(action_id)(listener(filters_changed))
    app.action(ids.ACTION_PAGE_PREV)(listener(turn_page))
    app.action(ids.ACTION_PAGE_NEXT)(listener(turn_page))
    app.options(ids.ACTION_FILTER_CONTACT)(listener(contact_filter_options))
    app.view(ids.LIST_MODAL)(listener(search_submitted))


def interactions_command(
    ack: Ack, body: dict, respond: Respond, client: WebClient, context: BoltContext, svc: Services
) -> None:
    text = unescape(text_of(body)).strip()  # Slack's escaping, undone once
    if text.lower() in ("help", "?"):
        ack(text=LIST_HELP, response_type="ephemeral")
        return
    ack()
    actor, user = acting_user(context)
    now = svc.now()
    parsed = parse_filters(text, now=now, tz=user.tz, user_id=actor.user_id, locale=user.locale)
    problems = list(parsed.problems)
    contact = None
    unmatched = None
    if parsed.contact_query:
        contact, matches = browse_service.contact_for_filter(svc, actor, parsed.contact_query)
        if contact is None and len(matches) == 1:
            contact = matches[0].contact  # one close match: listed, and said so
            problems.append(f"No contact is called “{parsed.contact_query}”: showing {contact.name}.")
        elif contact is None and matches:
            problems.append(
                f"Several contacts match “{parsed.contact_query}”: pick one in the contact filter."
            )
        elif contact is None:
            unmatched = parsed.contact_query
    state = ListState(
        contact_id=contact.id if contact else None,
        contact_name=contact.name if contact else None,
        types=parsed.types,
        since=parsed.since.astimezone(user.tz).date() if parsed.since else None,
        until=(parsed.until.astimezone(user.tz).date() - timedelta(days=1)) if parsed.until else None,
        author=parsed.author,
        sort=parsed.sort,
        follow_up=parsed.follow_up,
        search=parsed.search_text,
    )
    view = browse_service.render_list(
        svc, actor, user.tz, state, now=now, notice=" ".join(problems) or None, unmatched=unmatched
    )
    client.views_open(trigger_id=body["trigger_id"], view=view)


def _state_from_view(view: dict, previous: ListState) -> ListState:
    values = as_dict(as_dict(view.get("state")).get("values"))
    filters = as_dict(values.get(ids.BLOCK_LIST_FILTERS))
    dates = as_dict(values.get(ids.BLOCK_LIST_DATES))

    def get(container: dict, key: str) -> dict:
        return as_dict(container.get(key))

    contact_option = get(get(filters, ids.ACTION_FILTER_CONTACT), "selected_option")
    contact_id = parse_id(contact_option.get("value"))
    selected_types = get(filters, ids.ACTION_FILTER_TYPES).get("selected_options")
    types = (
        tuple(
            o["value"]
            for o in selected_types or []
            if isinstance(o, dict) and isinstance(o.get("value"), str)
        )
        if isinstance(selected_types, list)
        else ()
    )
    sort = get(get(filters, ids.ACTION_FILTER_SORT), "selected_option").get("value")
    author = get(filters, ids.ACTION_FILTER_AUTHOR).get("selected_user")
    contact_label = get(contact_option, "text").get("text")
    search_block = next(
        (as_dict(v) for k, v in values.items() if str(k).startswith(ids.BLOCK_LIST_SEARCH)), {}
    )
    typed = get(search_block, ids.ACTION_FILTER_SEARCH).get("value")
    search = " ".join(typed.split())[:SEARCH_MAX_CHARS] or None if isinstance(typed, str) else None

    def day(action_id: str) -> date | None:
        picked = get(dates, action_id).get("selected_date")
        try:
            return date.fromisoformat(picked) if isinstance(picked, str) else None
        except ValueError:
            return None

    return ListState(
        contact_id=contact_id,
        contact_name=contact_label if contact_id and isinstance(contact_label, str) else None,
        types=types,
        since=day(ids.ACTION_FILTER_SINCE),
        until=day(ids.ACTION_FILTER_UNTIL),
        author=author if isinstance(author, str) else None,
        sort=sort if sort in ("newest", "oldest") else previous.sort,
        follow_up=previous.follow_up,  # typed only (`followup:open`); Clear filters drops it
        search=search,
    )


def _list_view(body: dict) -> dict:
    """The open list a click came from; NotFound when the click carries none."""
    view = as_dict(body.get("view"))
    if not isinstance(view.get("id"), str):
        raise NotFound("That list is no longer open: run /interactions again.")
    return view


def _update(client: WebClient, body: dict, view: dict) -> None:
    shown = _list_view(body)
    hash_ = shown.get("hash")
    try:
        client.views_update(view_id=shown["id"], hash=hash_ if isinstance(hash_, str) else None, view=view)
    except SlackApiError as error:
        # hash_conflict: a newer change already re-rendered the list; that one wins.
        if error.response.get("error") != "hash_conflict":
            raise


def filters_changed(ack: Ack, body: dict, client: WebClient, context: BoltContext, svc: Services) -> None:
    ack()
    cleared = first_action(body).get("action_id") == ids.ACTION_CLEAR_FILTERS
    _update(client, body, _filtered_list(body, context, svc, cleared=cleared))


def search_submitted(ack: Ack, body: dict, context: BoltContext, svc: Services) -> None:
    """The Search button (the modal's submit): the list again with the box's words, modal kept open."""
    ack(response_action="update", view=_filtered_list(body, context, svc, cleared=False))


def _filtered_list(body: dict, context: BoltContext, svc: Services, *, cleared: bool) -> dict:
    actor, user = acting_user(context)
    list_view = _list_view(body)
    metadata = decode_metadata(list_view.get("private_metadata"))
    tz = zone(metadata.get("tz") if isinstance(metadata.get("tz"), str) else user.tz.key)
    previous = browse_service.state_from_json(metadata.get("state"))
    state = ListState() if cleared else _state_from_view(list_view, previous)
    state, notice = browse_service.contact_named_in_state(svc, actor, state)
    if state.since and state.until and state.since > state.until:
        notice = "The “from” day is after the “to” day, so nothing can match."
    return browse_service.render_list(svc, actor, tz, state, now=svc.now(), notice=notice)


def turn_page(ack: Ack, body: dict, client: WebClient, context: BoltContext, svc: Services) -> None:
    ack()
    actor, user = acting_user(context)
    metadata = decode_metadata(_list_view(body).get("private_metadata"))
    tz = zone(metadata.get("tz") if isinstance(metadata.get("tz"), str) else user.tz.key)
    state = browse_service.state_from_json(metadata.get("state"))
    forward = first_action(body).get("action_id") == ids.ACTION_PAGE_NEXT
    cursor = metadata.get("next") if forward else metadata.get("prev")
    cursor = cursor if isinstance(cursor, str) else None
    rows = metadata["rows"] if isinstance(metadata.get("rows"), int) else 0
    state = (
        replace(state, start=state.start + rows)
        if forward
        else replace(state, start=max(1, state.start - PAGE_SIZE))
    )
    now = svc.now()
    try:
        view = browse_service.render_list(svc, actor, tz, state, now=now, cursor=cursor, count=False)
    except DomainError as error:
        view = browse_service.render_list(
            svc, actor, tz, replace(state, start=1), now=now, notice=user_message(error)
        )
    _update(client, body, view)


def contact_filter_options(ack: Ack, body: dict, context: BoltContext, svc: Services) -> None:
    """Options load of the list's contact filter: answered inside the ack, no Slack calls."""
    actor = payload_actor(body, context)
    if actor is None:
        ack(options=[])  # another organization's user (or no team): nothing of this workspace
        return
    value = body.get("value")
    query = (value if isinstance(value, str) else "").strip()[:100]
    matches = browse_service.contact_suggestions(svc, actor, query)
    options = [
        o for o in contact_options(matches, query) if not o["value"].startswith(ids.NEW_CONTACT_PREFIX)
    ]
    ack(options=options)
