"""The Core read paths (pages, a contact's timeline, stale contacts): how many statements each
sends, whatever the page or the data; that SQLAlchemy's compiled cache serves them after the first
call; and that the records they build from rows equal the ORM-built ones of `get_interaction`."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event

from bot.domain.records import Actor
from storage.contacts import ContactDraft, create_contact
from storage.interactions import InteractionDraft, create_interaction, delete_interaction, get_interaction
from storage.listing import InteractionFilters, list_interactions
from storage.models import Interaction
from storage.staleness import stale_contacts_for_owner
from storage.timelines import contact_history, month_interactions

NOW = datetime(2026, 3, 11, 17, 0, tzinfo=UTC)
ACTOR = Actor("T1", "U_OWNER")


@contextmanager
def statements(db):
    """(statement, cache state) of each query sent while the block runs (not BEGIN, PRAGMA...)."""
    seen: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.split(None, 1)[0].upper() not in ("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA", "SET"):
            seen.append((statement, getattr(context, "cache_hit", None)))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def cached(seen) -> bool:
    from sqlalchemy.engine.default import CACHE_HIT

    return all(state == CACHE_HIT for _, state in seen)


@pytest.fixture
def team(db):
    """Three contacts; 40 interactions of the first, some with the others too, one deleted, one
    with a follow-up, one whose time isn't known; three stale contacts (no recent interactions)."""
    people = [
        create_contact(db, ACTOR, ContactDraft(name=name), now=NOW - timedelta(days=400))
        for name in ("Ada Lovelace", "Grace Hopper", "Alan Turing")
    ]
    ada, grace, alan = (p.id for p in people)
    created = []
    for n in range(40):
        others = (grace,) if n % 3 == 0 else (grace, alan) if n % 7 == 0 else ()
        record, _ = create_interaction(
            db,
            ACTOR,
            InteractionDraft(
                contact_id=ada,
                contact_ids=(ada, *others),
                type=("call", "email", "meeting", "note")[n % 4],
                occurred_at=NOW - timedelta(days=300 - n * 5, hours=n % 5),
                summary=f"Interaction {n}",
                notes="Notes" if n % 2 else None,
                duration_minutes=30 if n % 4 == 0 else None,
                time_known=n % 9 != 0,
                follow_up_on=date(2026, 4, 1) if n == 5 else None,
            ),
            now=NOW,
        )
        created.append(record)
    delete_interaction(db, ACTOR, created[10].id, now=NOW)
    with db.write() as session:  # a follow-up done: its due day cleared, its done time set
        row = session.get(Interaction, created[6].id)
        row.follow_up_on = date(2026, 3, 1)
        row.follow_up_due_on = None
        row.follow_up_done_at = NOW - timedelta(days=1)
    return ada, grace, alan


def test_a_page_is_two_statements_whatever_its_depth_size_or_filters(db, team):
    _, grace, _ = team
    shapes = [
        InteractionFilters(),
        InteractionFilters(contact_id=grace),
        InteractionFilters(types=("call", "email"), sort="oldest"),
        InteractionFilters(since=NOW - timedelta(days=200), until=NOW, author=ACTOR.user_id),
        InteractionFilters(follow_up="open"),
    ]
    for filters in shapes:
        for limit in (1, 5, 15):
            page = list_interactions(db, ACTOR, filters, limit=limit)
            cursor = page.next_cursor
            with statements(db) as first:
                list_interactions(db, ACTOR, filters, limit=limit)
            assert len(first) == 2, first  # the page, then its attendees
            assert cached(first), first
            while cursor:  # every later page, forwards and back
                with statements(db) as seen:
                    later = list_interactions(db, ACTOR, filters, cursor=cursor, limit=limit)
                assert len(seen) == 2, seen
                if later.prev_cursor:
                    with statements(db) as back:
                        list_interactions(db, ACTOR, filters, cursor=later.prev_cursor, limit=limit)
                    assert len(back) == 2, back
                cursor = later.next_cursor


def test_page_records_equal_the_orm_built_ones(db, team):
    _, grace, _ = team
    for filters in (InteractionFilters(), InteractionFilters(contact_id=grace)):
        items, cursor = [], None
        while True:
            page = list_interactions(db, ACTOR, filters, cursor=cursor, limit=7)
            items += page.items
            cursor = page.next_cursor
            if not cursor:
                break
        assert items and items == [get_interaction(db, ACTOR, item.id) for item in items]
    everything = list_interactions(db, ACTOR, limit=100).items
    assert any(len(item.attendees) == 3 for item in everything)
    assert any(not item.time_known for item in everything)
    assert any(item.follow_up_due_on for item in everything)
    assert any(item.follow_up_done_at for item in everything)


def test_a_timeline_is_four_statements_and_its_records_equal_the_orm_built_ones(db, team):
    ada, grace, _ = team
    for contact in (ada, grace):
        for items in (0, 3, 300):
            contact_history(db, ACTOR, contact, max_items=items)
            with statements(db) as seen:
                history = contact_history(db, ACTOR, contact, max_items=items)
            # contact and cadence, totals by type, the latest, their attendees (none when no rows)
            assert len(seen) == (4 if items else 3), seen
            assert cached(seen), seen
            assert history.interactions == [get_interaction(db, ACTOR, i.id) for i in history.interactions]
    month = list_interactions(db, ACTOR, InteractionFilters(contact_id=ada), limit=1).items[0].occurred_at
    rows = month_interactions(db, ACTOR, ada, f"{month.year:04d}-{month.month:02d}", "UTC")
    assert rows and rows == [get_interaction(db, ACTOR, i.id) for i in rows]


def test_stale_contacts_are_one_cached_statement(db, team):
    stale_contacts_for_owner(db, ACTOR.team_id, ACTOR.user_id, NOW)
    with statements(db) as seen:
        stale, total = stale_contacts_for_owner(db, ACTOR.team_id, ACTOR.user_id, NOW + timedelta(days=400))
    assert len(seen) == 1, seen
    assert cached(seen), seen
    assert total == 3 and [item.contact.name for item in stale]
