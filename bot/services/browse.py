"""Browsing: the /interactions list and the detail view, rendered from storage for one viewer."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from blocks.browse import COUNT_CAP, PAGE_SIZE, SEARCH_COUNT_CAP, SEARCH_MAX_CHARS, ListState, list_modal
from blocks.history import HISTORY_SHOWN
from blocks.interactions import interaction_detail_modal
from blocks.metadata import encode_metadata
from bot.domain.errors import DomainError
from bot.domain.followups import FILTERS
from bot.domain.history import HistoryPage
from bot.domain.records import Actor, ContactMatch, ContactRecord, InteractionRecord, Page
from bot.domain.rules import may_change, zone
from bot.services import Services
from storage.contacts import find_contacts, get_contact, resolve_contact
from storage.history import interaction_history
from storage.interactions import get_interaction
from storage.listing import InteractionFilters, count_interactions, list_interactions


@dataclass(frozen=True)
class ListRef:
    """Where an open list is and what it shows: enough to re-render it after a change elsewhere."""

    view_id: str
    state: dict
    tz: str
    cursor: str | None = None

    def to_json(self) -> dict:
        return {"view": self.view_id, "state": self.state, "tz": self.tz, "cursor": self.cursor}

    @classmethod
    def from_json(cls, data: object) -> ListRef | None:
        if not isinstance(data, dict) or not isinstance(data.get("view"), str):
            return None
        state, tz, cursor = data.get("state"), data.get("tz"), data.get("cursor")
        return cls(
            view_id=data["view"],
            state=state if isinstance(state, dict) else {},
            tz=tz if isinstance(tz, str) else "UTC",
            cursor=cursor if isinstance(cursor, str) else None,
        )

    @classmethod
    def of_list_view(cls, view: dict, metadata: dict) -> ListRef | None:
        """The ref of a list modal from its own payload (the view the click came from)."""
        if not isinstance(view.get("id"), str):
            return None
        return cls.from_json(  # checks every value's type
            {
                "view": view["id"],
                "state": metadata.get("state"),
                "tz": metadata.get("tz"),
                "cursor": metadata.get("cursor"),
            }
        )


def storage_filters(state: ListState, tz: ZoneInfo, now: datetime | None = None) -> InteractionFilters:
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
        follow_up=state.follow_up,
        today=now.astimezone(tz).date() if now is not None else None,
        text=state.search,
    )


def state_to_json(state: ListState) -> dict:
    data = asdict(state)
    data["since"] = state.since.isoformat() if state.since else None
    data["until"] = state.until.isoformat() if state.until else None
    data["types"] = list(state.types)
    return data


def state_from_json(data: object) -> ListState:
    """The list's state from metadata; an empty state for anything malformed."""
    if not isinstance(data, dict):
        return ListState()
    try:
        types = data.get("types") or ()
        contact_id = data.get("contact_id")
        return ListState(
            contact_id=contact_id
            if isinstance(contact_id, int) and not isinstance(contact_id, bool)
            else None,
            contact_name=data.get("contact_name") if isinstance(data.get("contact_name"), str) else None,
            types=tuple(t for t in types if isinstance(t, str)) if isinstance(types, list) else (),
            since=date.fromisoformat(data["since"]) if data.get("since") else None,
            until=date.fromisoformat(data["until"]) if data.get("until") else None,
            author=data.get("author") if isinstance(data.get("author"), str) else None,
            sort="oldest" if data.get("sort") == "oldest" else "newest",
            search=data["search"][:SEARCH_MAX_CHARS] if isinstance(data.get("search"), str) else None,
            start=max(1, int(data.get("start") or 1)),
            total=max(0, int(data.get("total") or 0)),
            follow_up=data.get("follow_up") if data.get("follow_up") in FILTERS else None,
        )
    except (TypeError, ValueError, OverflowError):
        return ListState()


def render_list(
    svc: Services,
    actor: Actor,
    tz: ZoneInfo,
    state: ListState,
    *,
    now: datetime,
    cursor: str | None = None,
    count: bool = True,
    notice: str | None = None,
    undo_id: int | None = None,
    unmatched: str | None = None,
) -> dict:
    """The list modal for one page. Raises DomainError for a cursor that doesn't decode.

    `unmatched` is a contact filter that names no contact: nothing is listed (never the whole list).
    """
    filters = storage_filters(state, tz, now)
    with svc.db.snapshot():  # the page and its count: one transaction, the same view
        if unmatched is not None:
            page: Page[InteractionRecord] = Page([], None, None)
            count = False
        else:
            page = list_interactions(svc.db, actor, filters, cursor=cursor, limit=PAGE_SIZE)
        if count:
            # Counting costs a scan, so it's done when the filters change, not on every page turn.
            cap = SEARCH_COUNT_CAP if state.search else COUNT_CAP
            state = replace(state, total=count_interactions(svc.db, actor, filters, cap=cap))
    metadata = encode_metadata(
        {
            "state": state_to_json(state),
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
        now=now,
        viewer_id=actor.user_id,
        viewer_is_admin=actor.is_admin,
        private_metadata=metadata,
        notice=notice,
        undo_id=undo_id,
        unmatched=unmatched,
    )


def render_list_again(
    svc: Services,
    actor: Actor,
    ref: ListRef,
    *,
    now: datetime,
    notice: str | None,
    undo_id: int | None = None,
) -> dict:
    """The same list page re-rendered (after a change); page 1 if that page is gone."""
    tz = zone(ref.tz)
    state = state_from_json(ref.state)
    try:
        return render_list(svc, actor, tz, state, now=now, cursor=ref.cursor, notice=notice, undo_id=undo_id)
    except DomainError:
        return render_list(svc, actor, tz, replace(state, start=1), now=now, notice=notice, undo_id=undo_id)


def detail_view(
    svc: Services, actor: Actor, interaction_id: int, *, now: datetime, metadata: str = ""
) -> dict:
    record = get_interaction(svc.db, actor, interaction_id, include_deleted=True)
    history = interaction_history(svc.db, actor, interaction_id, limit=HISTORY_SHOWN + 1)
    return render_detail(record, actor, now=now, metadata=metadata, history=history)


def render_detail(
    record: InteractionRecord,
    actor: Actor,
    *,
    now: datetime,
    metadata: str = "",
    history: HistoryPage | None = None,
) -> dict:
    view = interaction_detail_modal(
        record, now=now, can_edit=may_change(actor, record.logged_by), history=history
    )
    if metadata:
        view["private_metadata"] = metadata
    return view


def contact_for_filter(
    svc: Services, actor: Actor, query: str
) -> tuple[ContactRecord | None, list[ContactMatch]]:
    return resolve_contact(svc.db, actor, query)


def contact_named_in_state(svc: Services, actor: Actor, state: ListState) -> tuple[ListState, str | None]:
    """The state with the contact's current name; the contact dropped if it isn't this workspace's."""
    if state.contact_id is None:
        return state, None
    try:
        contact = get_contact(svc.db, actor, state.contact_id)
    except DomainError:
        return replace(state, contact_id=None, contact_name=None), "That contact isn't in this workspace."
    return replace(state, contact_name=contact.name), None


def contact_suggestions(svc: Services, actor: Actor, query: str, *, limit: int = 20) -> list[ContactMatch]:
    return find_contacts(svc.db, actor, query, limit=limit) if query.strip() else []
