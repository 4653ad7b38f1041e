"""Listing interactions: filters, sort order, and keyset pages that never skip or repeat a row."""

from __future__ import annotations

import base64
import json
import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.domain.errors import Invalid
from bot.domain.records import Actor, InteractionRecord, Page
from storage.attendees import write_attendees
from storage.contacts import ContactDraft, create_contact
from storage.interactions import InteractionDraft, create_interaction, delete_interaction
from storage.listing import (
    PAGE_SIZE_MAX,
    InteractionFilters,
    count_interactions,
    encode_cursor,
    list_interactions,
)
from storage.models import Interaction

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
ALICE = Actor(team_id="T1", user_id="U_ALICE")
BOB = Actor(team_id="T1", user_id="U_BOB")
PAGE = 15


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def log(
    db, actor: Actor, contact_id: int, type: str, occurred_at: datetime, summary: str
) -> InteractionRecord:
    record, _ = create_interaction(
        db,
        actor,
        InteractionDraft(contact_id=contact_id, type=type, occurred_at=occurred_at, summary=summary),
        now=NOW,
    )
    return record


def bulk_insert(db, actor: Actor, contact_id: int, stamps: list[datetime], prefix: str = "row") -> None:
    """Many rows in one transaction (listing does not care how last_contacted_at was kept)."""
    with db.write() as session:
        for n, stamp in enumerate(stamps):
            interaction = Interaction(
                team_id=actor.team_id,
                contact_id=contact_id,
                type="call",
                occurred_at=stamp,
                summary=f"{prefix} {n}",
                logged_by=actor.user_id,
                source="import",
                created_at=NOW,
                updated_at=NOW,
            )
            session.add(interaction)
            session.flush()
            write_attendees(session, interaction, [contact_id])


def key(record: InteractionRecord) -> tuple[datetime, int]:
    return record.occurred_at, record.id


def all_rows(db, actor: Actor, filters: InteractionFilters | None = None) -> list[InteractionRecord]:
    rows = list_interactions(db, actor, filters or InteractionFilters(), limit=PAGE_SIZE_MAX)
    assert rows.next_cursor is None, "test data set larger than one maximal page"
    return rows.items


# --- filters and sort ---------------------------------------------------------------------------

# (summary, author, contact, type, days ago)
DATASET = [
    ("a", "alice", "jane", "call", 1),
    ("b", "alice", "jane", "email", 3),
    ("c", "bob", "jane", "meeting", 5),
    ("d", "bob", "john", "call", 7),
    ("e", "alice", "john", "note", 9),
    ("f", "bob", "jane", "message", 11),
    ("g", "alice", "john", "other", 13),
    ("h", "bob", "john", "email", 15),
]


@pytest.fixture
def dataset(db):
    contacts = {
        "jane": create_contact(db, ALICE, ContactDraft(name="Jane Doe"), now=NOW),
        "john": create_contact(db, ALICE, ContactDraft(name="John Roe"), now=NOW),
    }
    actors = {"alice": ALICE, "bob": BOB}
    for summary, author, contact, type, age in DATASET:
        log(db, actors[author], contacts[contact].id, type, days_ago(age), summary)
    deleted = log(db, ALICE, contacts["jane"].id, "call", days_ago(2), "deleted")
    delete_interaction(db, ALICE, deleted.id, now=NOW)
    return contacts


@pytest.mark.parametrize(
    ("make_filters", "expected"),
    [
        pytest.param(lambda c: InteractionFilters(), "abcdefgh", id="everything live"),
        pytest.param(lambda c: InteractionFilters(contact_id=c["jane"].id), "abcf", id="contact"),
        pytest.param(lambda c: InteractionFilters(types=("call",)), "ad", id="one type"),
        pytest.param(lambda c: InteractionFilters(types=("email", "meeting")), "bch", id="two types"),
        pytest.param(lambda c: InteractionFilters(types=("note",)), "e", id="notes"),
        pytest.param(lambda c: InteractionFilters(since=days_ago(5)), "abc", id="since is inclusive"),
        pytest.param(lambda c: InteractionFilters(until=days_ago(11)), "gh", id="until is exclusive"),
        pytest.param(
            lambda c: InteractionFilters(since=days_ago(11), until=days_ago(3)), "cdef", id="since and until"
        ),
        pytest.param(lambda c: InteractionFilters(author=BOB.user_id), "cdfh", id="author"),
        pytest.param(
            lambda c: InteractionFilters(contact_id=c["john"].id, author=BOB.user_id, types=("email",)),
            "h",
            id="contact, author and type",
        ),
        pytest.param(lambda c: InteractionFilters(author="U_NOBODY"), "", id="nobody's"),
    ],
)
def test_filters_select_matching_live_rows_in_both_sort_orders(db, dataset, make_filters, expected):
    newest = make_filters(dataset)
    oldest = replace(newest, sort="oldest")
    # DATASET is newest first.
    assert "".join(r.summary for r in all_rows(db, ALICE, newest)) == expected
    assert "".join(r.summary for r in all_rows(db, ALICE, oldest)) == expected[::-1]
    assert count_interactions(db, ALICE, newest) == len(expected)


def test_listing_names_each_rows_contact(db, dataset):
    rows = all_rows(db, ALICE)
    assert {r.summary: r.contact_name for r in rows}["d"] == "John Roe"
    assert {r.summary: r.contact_name for r in rows}["a"] == "Jane Doe"


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        pytest.param(InteractionFilters(sort="alphabetical"), "sort", id="unknown sort"),
        pytest.param(InteractionFilters(types=("call", "lunch")), "types", id="unknown type"),
    ],
)
def test_invalid_filters_are_refused_by_field(db, filters, field):
    with pytest.raises(Invalid) as caught:
        list_interactions(db, ALICE, filters)
    assert set(caught.value.fields) == {field}


def test_page_size_is_capped(db):
    contact = create_contact(db, ALICE, ContactDraft(name="Jane Doe"), now=NOW)
    bulk_insert(db, ALICE, contact.id, [days_ago(n % 3) for n in range(PAGE_SIZE_MAX + 5)])
    assert len(list_interactions(db, ALICE, limit=10_000).items) == PAGE_SIZE_MAX
    assert len(list_interactions(db, ALICE, limit=0).items) == 1


# --- keyset pages --------------------------------------------------------------------------------


def walk_forward(db, actor, filters, *, between_pages=None) -> list[Page[InteractionRecord]]:
    """Follow `next_cursor` from the first page to the end."""
    pages = []
    page = list_interactions(db, actor, filters, limit=PAGE)
    assert page.prev_cursor is None
    while True:
        pages.append(page)
        if page.next_cursor is None:
            return pages
        assert len(page.items) == PAGE
        assert len(pages) < 50, "paging does not end"
        if between_pages:
            between_pages()
        page = list_interactions(db, actor, filters, cursor=page.next_cursor, limit=PAGE)
        assert page.prev_cursor is not None


def walk_back(db, actor, filters, cursor) -> list[list[InteractionRecord]]:
    """Follow `prev_cursor` back to the start; the items of each page, last page first."""
    pages = []
    while cursor is not None:
        page = list_interactions(db, actor, filters, cursor=cursor, limit=PAGE)
        pages.append(page.items)
        assert page.next_cursor is not None
        assert len(pages) < 50, "paging back does not end"
        cursor = page.prev_cursor
    return pages


def tied_stamps(count: int, rng: random.Random) -> list[datetime]:
    # Five distinct instants for all rows: most pages start or end inside a run of ties.
    return [days_ago(rng.choice([1, 2, 2.5, 4, 9])) for _ in range(count)]


@pytest.mark.parametrize(
    ("sort", "total"),
    [("newest", 110), ("oldest", 110), ("newest", 105), ("oldest", 16)],
    ids=["newest, partial last page", "oldest, partial last page", "newest, full last page", "oldest, 16"],
)
def test_pages_walk_forward_and_back_without_gaps_or_repeats(db, sort, total):
    rng = random.Random(1234)
    jane = create_contact(db, ALICE, ContactDraft(name="Jane Doe"), now=NOW)
    john = create_contact(db, ALICE, ContactDraft(name="John Roe"), now=NOW)
    bulk_insert(db, ALICE, jane.id, tied_stamps(total, rng), prefix="jane")
    # Another contact's rows interleaved by date and id: the contact filter must page around them.
    bulk_insert(db, ALICE, john.id, tied_stamps(40, rng), prefix="john")
    filters = InteractionFilters(contact_id=jane.id, sort=sort)

    forward = walk_forward(db, ALICE, filters)

    walked = [row for page in forward for row in page.items]
    assert len(walked) == total
    assert len({row.id for row in walked}) == total
    assert {row.contact_id for row in walked} == {jane.id}
    assert [key(r) for r in walked] == sorted((key(r) for r in walked), reverse=sort == "newest")
    assert len(forward) == -(-total // PAGE)

    back = walk_back(db, ALICE, filters, forward[-1].prev_cursor)
    assert back == [page.items for page in forward[-2::-1]]


def test_rows_logged_while_paging_newest_first_do_not_appear_mid_walk(db):
    rng = random.Random(99)
    jane = create_contact(db, ALICE, ContactDraft(name="Jane Doe"), now=NOW)
    bulk_insert(db, ALICE, jane.id, tied_stamps(100, rng))
    at_start = all_rows(db, ALICE)
    newest_at_start = at_start[0].occurred_at
    logged = []

    def log_something_new():
        # Alternately newer than everything, and tied with the newest row but with a larger id.
        stamp = NOW if len(logged) % 2 == 0 else newest_at_start
        logged.append(log(db, BOB, jane.id, "call", stamp, f"new {len(logged)}"))

    forward = walk_forward(db, ALICE, InteractionFilters(), between_pages=log_something_new)

    walked = [row for page in forward for row in page.items]
    assert [r.id for r in walked] == [r.id for r in at_start]
    assert len(logged) == len(forward) - 1
    # Walking back reproduces the same pages; the new rows come only before the first one.
    back = walk_back(db, ALICE, InteractionFilters(), forward[-1].prev_cursor)
    assert back[: len(forward) - 1] == [page.items for page in forward[-2::-1]]
    newer = [row for page in back[len(forward) - 1 :] for row in page]
    assert {r.id for r in newer} == {r.id for r in logged}


def test_deleted_rows_drop_out_of_later_pages(db):
    jane = create_contact(db, ALICE, ContactDraft(name="Jane Doe"), now=NOW)
    rows = [log(db, ALICE, jane.id, "call", days_ago(n), f"row {n}") for n in range(1, 21)]
    first = list_interactions(db, ALICE, limit=PAGE)
    delete_interaction(db, ALICE, rows[-1].id, now=NOW)
    rest = list_interactions(db, ALICE, cursor=first.next_cursor, limit=PAGE)
    assert [r.id for r in first.items + rest.items] == [r.id for r in rows[:-1]]
    assert rest.next_cursor is None


def test_cursor_with_the_same_instant_in_another_offset_continues_from_the_same_row(db):
    jane = create_contact(db, ALICE, ContactDraft(name="Jane Doe"), now=NOW)
    # A minute apart: reading the cursor's wall time as UTC would land hours off, pages away.
    bulk_insert(db, ALICE, jane.id, [NOW - timedelta(minutes=n) for n in range(1, 61)])
    first = list_interactions(db, ALICE, limit=PAGE)
    anchor = first.items[-1]
    shifted = encode_cursor(anchor.occurred_at.astimezone(timezone(timedelta(hours=5))), anchor.id, "after")
    assert list_interactions(db, ALICE, cursor=shifted, limit=PAGE).items == (
        list_interactions(db, ALICE, cursor=first.next_cursor, limit=PAGE).items
    )


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        pytest.param("garbage!!", id="not base64"),
        pytest.param(_b64(b"not json"), id="not json"),
        pytest.param(_b64(b"42"), id="a number"),
        pytest.param(_b64(json.dumps(["2026-03-01T00:00:00+00:00", 5]).encode()), id="too short"),
        pytest.param(_b64(json.dumps(["yesterday", 5, "after"]).encode()), id="bad date"),
        pytest.param(_b64(json.dumps(["2026-03-01T00:00:00", 5, "after"]).encode()), id="naive date"),
        pytest.param(_b64(json.dumps(["2026-03-01T00:00:00+00:00", "5", "after"]).encode()), id="string id"),
        pytest.param(_b64(json.dumps(["2026-03-01T00:00:00+00:00", 5, "sideways"]).encode()), id="direction"),
    ],
)
def test_garbage_cursor_is_refused_on_cursor(db, cursor):
    with pytest.raises(Invalid) as caught:
        list_interactions(db, ALICE, cursor=cursor)
    assert set(caught.value.fields) == {"cursor"}


def test_a_capped_count_stops_just_past_the_cap(db):
    contact = create_contact(db, ALICE, ContactDraft(name="Counted"), now=NOW)
    for hours in range(7):
        create_interaction(
            db,
            ALICE,
            InteractionDraft(
                contact_id=contact.id, type="call", occurred_at=NOW - timedelta(hours=hours + 1), summary="c"
            ),
            now=NOW,
        )
    assert count_interactions(db, ALICE) == 7
    assert count_interactions(db, ALICE, cap=10) == 7
    assert count_interactions(db, ALICE, cap=5) == 6  # "5+" territory
