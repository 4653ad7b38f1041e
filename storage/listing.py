"""Listing interactions: filters and keyset-paged pages (depth costs nothing)."""

from __future__ import annotations

import base64
import functools
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import cast

from sqlalchemy import (
    ColumnElement,
    Date,
    Select,
    TextClause,
    bindparam,
    func,
    literal,
    literal_column,
    select,
    tuple_,
)
from sqlalchemy.orm import Session

from bot.domain.errors import Invalid
from bot.domain.followups import FILTERS as FOLLOW_UP_FILTERS
from bot.domain.records import Actor, InteractionRecord, Page
from bot.domain.search import search_words
from storage.db import Database
from storage.followups import follow_up_condition
from storage.models import INTERACTION_TYPES, Contact, Interaction, InteractionContact
from storage.reads import reading, record_columns, records_of_rows
from storage.search import TextMatch, count_matches, recent_matches, text_condition, unindexed_team

PAGE_SIZE_MAX = 100


@dataclass(frozen=True)
class InteractionFilters:
    contact_id: int | None = None
    types: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None
    author: str | None = None
    sort: str = "newest"  # or "oldest"
    follow_up: str | None = None  # "open", "due" or "overdue"; due/overdue against `today`
    today: date | None = None  # the user's local today (UTC's when not given)
    # Words the summary or notes must contain (word prefixes, any order; see storage/search.py).
    text: str | None = None


def encode_cursor(occurred_at: datetime, interaction_id: int, direction: str) -> str:
    # What json.dumps([...], separators=(",", ":")) writes: an ISO time and a direction need no escaping.
    raw = f'["{occurred_at.isoformat()}",{int(interaction_id)},"{direction}"]'
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int, str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        stamp, interaction_id, direction = json.loads(base64.urlsafe_b64decode(padded))
        when = datetime.fromisoformat(stamp)
        if when.tzinfo is None or direction not in ("after", "before") or not isinstance(interaction_id, int):
            raise ValueError
        return when, interaction_id, direction
    except (ValueError, TypeError, json.JSONDecodeError) as exc:
        raise Invalid({"cursor": "That page link is no longer valid; start from the first page."}) from exc


# A search's count (PostgreSQL) first looks among this many newest rows of the list.
RECENT_COUNT_WINDOW = 10_000


def _filter_conditions(
    actor: Actor, filters: InteractionFilters, unindexed: tuple[str, str, str] | None = None
) -> list[ColumnElement[bool] | TextClause]:
    """The WHERE conditions but the text's; with `unindexed`, the team's index is kept from the
    planner (few text matches are looked up by id instead, see storage/search.py)."""
    team = literal_column(unindexed[0]) if unindexed else Interaction.__table__.c.team_id
    conditions: list[ColumnElement[bool] | TextClause] = [
        team == actor.team_id,
        Interaction.deleted_at.is_(None),
    ]
    if filters.contact_id is not None:
        # Any attendee: the rows come joined to the attendees (`_attended`).
        conditions.append(InteractionContact.contact_id == filters.contact_id)
    if filters.types:
        unknown = set(filters.types) - set(INTERACTION_TYPES)
        if unknown:
            raise Invalid({"types": f"Unknown type: {', '.join(sorted(unknown))}."})
        conditions.append(Interaction.type.in_(filters.types))
    for name, value in (("since", filters.since), ("until", filters.until)):
        if value is not None and value.tzinfo is None:
            raise Invalid({name: "Pick the day again: it came without a time zone."})
    if filters.since is not None:
        conditions.append(Interaction.occurred_at >= filters.since)
    if filters.until is not None:
        conditions.append(Interaction.occurred_at < filters.until)
    if filters.author:
        conditions.append(Interaction.logged_by == filters.author)
    if filters.follow_up:
        conditions.append(follow_up_condition(filters.follow_up, filters.today or datetime.now(UTC).date()))
    return conditions


def _attended(query, filters: InteractionFilters):
    """The query joined to the filtered contact's attendee rows, when the filters name a contact."""
    if filters.contact_id is None:
        return query
    return query.join(InteractionContact, InteractionContact.interaction_id == Interaction.id)


def _keys(filters: InteractionFilters):
    """The (occurred_at, id) columns to page on: the attendees' own under a contact filter (its index)."""
    if filters.contact_id is None:
        return Interaction.occurred_at, Interaction.id
    return InteractionContact.occurred_at, InteractionContact.interaction_id


def list_interactions(
    db: Database,
    actor: Actor,
    filters: InteractionFilters = InteractionFilters(),
    *,
    cursor: str | None = None,
    limit: int = 15,
) -> Page[InteractionRecord]:
    """One page in (occurred_at, id) order; cursors seek from a row, so depth costs nothing."""
    if filters.sort not in ("newest", "oldest"):
        raise Invalid({"sort": "Sort by newest or oldest."})
    limit = max(1, min(limit, PAGE_SIZE_MAX))
    newest_first = filters.sort == "newest"
    if search_words(filters.text or ""):
        with db.read() as session:
            items, more, direction = _list_page(session, actor, filters, cursor, limit, newest_first)
    else:
        items, more, direction = _plain_page(db, actor, filters, cursor, limit, newest_first)
    has_next = more if direction == "after" else bool(cursor)
    has_prev = bool(cursor) if direction == "after" else more
    next_cursor = encode_cursor(items[-1].occurred_at, items[-1].id, "after") if items and has_next else None
    prev_cursor = encode_cursor(items[0].occurred_at, items[0].id, "before") if items and has_prev else None
    return Page(items=items, next_cursor=next_cursor, prev_cursor=prev_cursor)


def _list_page(
    session: Session,
    actor: Actor,
    filters: InteractionFilters,
    cursor: str | None,
    limit: int,
    newest_first: bool,
) -> tuple[list[InteractionRecord], bool, str]:
    """The page's records, whether more rows follow in its direction, and that direction."""
    words = search_words(filters.text or "")
    match = text_condition(session, words) if words else TextMatch(())
    occurred, ident = _keys(filters)
    direction = "after"
    seek = None
    if cursor:
        when, last_id, direction = decode_cursor(cursor)
        key = tuple_(occurred, ident)
        # "after" walks on in the list's order; "before" walks back towards its start.
        forward_is_down = newest_first == (direction == "after")
        # Bind the instant through the column's type: a bare datetime would reach SQLite as its
        # wall-clock digits, so a cursor written in another offset would seek hours away.
        bound = tuple_(literal(when, Interaction.occurred_at.type), last_id)
        seek = key < bound if forward_is_down else key > bound
    scan_descending = newest_first == (direction == "after")

    def ordered(by_time, by_id) -> tuple:
        return (by_time.desc(), by_id.desc()) if scan_descending else (by_time.asc(), by_id.asc())

    def query(unindexed: tuple[str, str, str] | None, window: int | None) -> tuple[list, bool]:
        """The page's rows, and whether a window was full (so rows beyond it may match)."""
        conditions = _filter_conditions(actor, filters, unindexed)
        if seek is not None:
            conditions.append(seek)
        rows = _attended(select(*_COLUMNS), filters)
        # Same values, same order; with `unindexed` the planner can't walk an index for it.
        order = ordered(literal_column(unindexed[1]), literal_column(unindexed[2])) if unindexed else None
        newest = None
        if window is not None:
            newest = (
                _attended(select(Interaction.id), filters)
                .where(*conditions)
                .order_by(*ordered(occurred, ident))
            )
            newest = newest.limit(window)
            conditions = [Interaction.id.in_(newest)]
            rows = select(*_COLUMNS)  # the attendee's keys hold the same values
            order = ordered(Interaction.occurred_at, Interaction.id)
        text_conditions = (
            match.windowed(newest) if newest is not None and match.windowed else match.conditions
        )
        found = session.execute(
            rows.join(Contact, Contact.id == Interaction.contact_id)
            .where(*conditions, *text_conditions)
            .order_by(*(order or ordered(occurred, ident)))
            .limit(limit + 1)
        ).all()
        full = bool(
            newest is not None
            and len(found) <= limit
            and session.scalar(select(func.count()).select_from(newest.subquery())) == window
        )
        return list(found), full

    for window in match.walk_windows:
        rows, window_full = query(match.unindexed, window)
        if not window_full:
            break
    else:
        rows, _ = query(match.fallback if match.walk_windows else match.unindexed, None)
    more = len(rows) > limit
    rows = rows[:limit]
    if direction == "before":
        rows.reverse()
    return records_of_rows(session, rows), more, direction


_COLUMNS = record_columns(Contact.__table__.c.name)


@dataclass(frozen=True)
class _Shape:
    """Which filters a page without words has: one prebuilt statement per shape."""

    contact: bool
    types: bool
    since: bool
    until: bool
    author: bool
    follow_up: str | None
    seek: str | None  # "below" or "above" the cursor's row, or None on a first page
    descending: bool


@functools.cache
def _page_statement(shape: _Shape) -> Select:
    """The page's SELECT for a shape, every value a bound parameter (compiled once, then cached)."""
    interactions, attendees, contacts = Interaction.__table__, InteractionContact.__table__, Contact.__table__
    conditions: list[ColumnElement[bool]] = [
        interactions.c.team_id == bindparam("team_id"),
        interactions.c.deleted_at.is_(None),
    ]
    source = interactions
    occurred, ident = interactions.c.occurred_at, interactions.c.id
    if shape.contact:
        # Any attendee: the rows walk the attendees' (contact_id, occurred_at, interaction_id) index.
        source = source.join(attendees, attendees.c.interaction_id == interactions.c.id)
        conditions.append(attendees.c.contact_id == bindparam("contact_id"))
        occurred, ident = attendees.c.occurred_at, attendees.c.interaction_id
    if shape.types:
        conditions.append(interactions.c.type.in_(bindparam("types", expanding=True)))
    if shape.since:
        conditions.append(interactions.c.occurred_at >= bindparam("since"))
    if shape.until:
        conditions.append(interactions.c.occurred_at < bindparam("until"))
    if shape.author:
        conditions.append(interactions.c.logged_by == bindparam("author"))
    if shape.follow_up:
        today = cast(date, bindparam("today", type_=Date()))  # compared with, like a date
        conditions.append(follow_up_condition(shape.follow_up, today))
    if shape.seek:
        key = tuple_(occurred, ident)
        # Bind the instant through the column's type: a bare datetime would reach SQLite as its
        # wall-clock digits, so a cursor written in another offset would seek hours away.
        bound = tuple_(bindparam("seek_at", type_=interactions.c.occurred_at.type), bindparam("seek_id"))
        conditions.append(key < bound if shape.seek == "below" else key > bound)
    order = (occurred.desc(), ident.desc()) if shape.descending else (occurred.asc(), ident.asc())
    return (
        select(*_COLUMNS)
        .select_from(source.join(contacts, contacts.c.id == interactions.c.contact_id))
        .where(*conditions)
        .order_by(*order)
        .limit(bindparam("limit"))
    )


def _plain_page(
    db: Database,
    actor: Actor,
    filters: InteractionFilters,
    cursor: str | None,
    limit: int,
    newest_first: bool,
) -> tuple[list[InteractionRecord], bool, str]:
    """`_list_page` without words: a prebuilt Core statement on a connection, records from rows."""
    if filters.types:
        unknown = set(filters.types) - set(INTERACTION_TYPES)
        if unknown:
            raise Invalid({"types": f"Unknown type: {', '.join(sorted(unknown))}."})
    for name, value in (("since", filters.since), ("until", filters.until)):
        if value is not None and value.tzinfo is None:
            raise Invalid({name: "Pick the day again: it came without a time zone."})
    if filters.follow_up and filters.follow_up not in FOLLOW_UP_FILTERS:
        follow_up_condition(filters.follow_up, date.min)  # raises Invalid, naming the filters
    params: dict = {"team_id": actor.team_id, "limit": limit + 1}
    direction, seek = "after", None
    if cursor:
        when, last_id, direction = decode_cursor(cursor)
        # "after" walks on in the list's order; "before" walks back towards its start.
        seek = "below" if newest_first == (direction == "after") else "above"
        params["seek_at"], params["seek_id"] = when, last_id
    if filters.contact_id is not None:
        params["contact_id"] = filters.contact_id
    if filters.types:
        params["types"] = list(filters.types)
    if filters.since is not None:
        params["since"] = filters.since
    if filters.until is not None:
        params["until"] = filters.until
    if filters.author:
        params["author"] = filters.author
    if filters.follow_up:
        params["today"] = filters.today or datetime.now(UTC).date()
    shape = _Shape(
        contact=filters.contact_id is not None,
        types=bool(filters.types),
        since=filters.since is not None,
        until=filters.until is not None,
        author=bool(filters.author),
        follow_up=filters.follow_up or None,
        seek=seek,
        descending=newest_first == (direction == "after"),
    )
    statement = _page_statement(shape)
    with reading(db) as connection:
        rows = list(connection.execute(statement, params).all())
        more = len(rows) > limit
        rows = rows[:limit]
        if direction == "before":
            rows.reverse()
        return records_of_rows(connection, rows), more, direction


def count_interactions(
    db: Database, actor: Actor, filters: InteractionFilters = InteractionFilters(), *, cap: int | None = None
) -> int:
    """How many interactions match; with `cap`, counting stops past it (returns at most cap + 1).

    A full count scans every match (600 ms for a million rows on SQLite); a list header only
    needs to say "10,000+" beyond a point.
    """
    with db.read() as session:
        words = search_words(filters.text or "")
        if words:
            if (
                cap is not None
                and cap < RECENT_COUNT_WINDOW
                and session.get_bind().dialect.name == "postgresql"
            ):
                # A common word: enough matches among the newest rows settle "more than cap" in a
                # few ms, where GIN would build a bitmap of every match first (~100 ms at 600,000).
                occurred, ident = _keys(filters)
                newest = (
                    _attended(select(Interaction.id), filters)
                    .where(*_filter_conditions(actor, filters))
                    .order_by(occurred.desc(), ident.desc())
                    .limit(RECENT_COUNT_WINDOW)
                )
                if recent_matches(session, words, newest) > cap:
                    return cap + 1
            unindexed = _filter_conditions(actor, filters, unindexed_team(session))
            return count_matches(session, words, unindexed, cap, lambda query: _attended(query, filters))
        conditions = _filter_conditions(actor, filters)
        if cap is None:
            counted = _attended(select(func.count()).select_from(Interaction), filters)
            return session.scalar(counted.where(*conditions)) or 0
        matching = _attended(select(Interaction.id), filters).where(*conditions).limit(cap + 1).subquery()
        return session.scalar(select(func.count()).select_from(matching)) or 0


def latest_interactions_for_contact(
    db: Database, actor: Actor, contact_id: int, *, limit: int = 5
) -> list[InteractionRecord]:
    return list_interactions(db, actor, InteractionFilters(contact_id=contact_id), limit=limit).items
