"""Full-text search of interactions (storage): folding, prefixes, words in any order, paging, upkeep."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from bot.domain.records import Actor, InteractionRecord
from bot.domain.search import search_document, search_words, snippet
from storage import search
from storage.contacts import ContactDraft, create_contact
from storage.db import Database
from storage.interactions import (
    InteractionChanges,
    InteractionDraft,
    create_interaction,
    delete_interaction,
    restore_interaction,
    update_interaction,
)
from storage.listing import InteractionFilters, count_interactions, list_interactions
from storage.models import Interaction

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
ALICE = Actor(team_id="T1", user_id="U_ALICE")
BOB = Actor(team_id="T1", user_id="U_BOB")
OUTSIDER = Actor(team_id="T2", user_id="U_EVE")


def log(db, actor, contact_id, summary, *, notes=None, days_ago=1.0, type="call") -> InteractionRecord:
    record, _ = create_interaction(
        db,
        actor,
        InteractionDraft(
            contact_id=contact_id,
            type=type,
            occurred_at=NOW - timedelta(days=days_ago),
            summary=summary,
            notes=notes,
        ),
        now=NOW,
    )
    return record


def found(db, actor, words, **filters) -> list[str]:
    page = list_interactions(db, actor, InteractionFilters(text=words, **filters), limit=100)
    return [item.summary for item in page.items]


@pytest.fixture
def jane(db):
    return create_contact(db, ALICE, ContactDraft(name="Jane Doe"), now=NOW).id


# --- what matches ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        pytest.param("renewal", ["Renewal terms agreed"], id="one word"),
        pytest.param("RENEWAL", ["Renewal terms agreed"], id="case"),
        pytest.param("renew", ["Renewal terms agreed"], id="word prefix"),
        pytest.param("terms renewal", ["Renewal terms agreed"], id="any order"),
        pytest.param("renewal pricing", [], id="every word must match"),
        pytest.param("reunion", ["Réunion à São Paulo"], id="accents typed without"),
        pytest.param("RÉUNION SÃO", ["Réunion à São Paulo"], id="accents typed with"),
        pytest.param("strasse", ["Meeting at Straße 5"], id="folded forms"),
        pytest.param("golf", ["Lunch"], id="notes match too"),
        pytest.param("erms", [], id="inside a word is no match"),
        pytest.param("agreed, terms!", ["Renewal terms agreed"], id="punctuation ignored"),
    ],
)
def test_search_folds_case_and_accents_and_matches_word_prefixes(db, jane, typed, expected):
    log(db, ALICE, jane, "Renewal terms agreed", days_ago=3)
    log(db, ALICE, jane, "Réunion à São Paulo", days_ago=2)
    log(db, ALICE, jane, "Meeting at Straße 5", days_ago=1.5)
    log(db, ALICE, jane, "Lunch", notes="She plays golf on Fridays", days_ago=1)
    assert found(db, ALICE, typed) == expected


def test_query_syntax_in_typed_words_is_plain_text(db, jane):
    log(db, ALICE, jane, "Budget OR pricing NEAR plan")
    log(db, ALICE, jane, "Other call")
    for typed in ['budget" OR "other', "NEAR(budget plan)", "budget:* | other", "'budget' & !plan"]:
        assert "Other call" not in found(db, ALICE, typed)
    assert found(db, ALICE, "budget OR") == ["Budget OR pricing NEAR plan"]


def test_newest_first_and_combined_with_other_filters(db, jane):
    may = create_contact(db, ALICE, ContactDraft(name="May Chen"), now=NOW).id
    log(db, ALICE, jane, "renewal call one", days_ago=5)
    log(db, BOB, jane, "renewal email two", days_ago=4, type="email")
    log(db, ALICE, may, "renewal call three", days_ago=3)
    log(db, ALICE, jane, "pricing call", days_ago=2)
    assert found(db, ALICE, "renewal") == ["renewal call three", "renewal email two", "renewal call one"]
    assert found(db, ALICE, "renewal", sort="oldest")[0] == "renewal call one"
    assert found(db, ALICE, "renewal", contact_id=jane) == ["renewal email two", "renewal call one"]
    assert found(db, ALICE, "renewal", types=("call",), author="U_ALICE") == [
        "renewal call three",
        "renewal call one",
    ]
    assert found(db, ALICE, "renewal", since=NOW - timedelta(days=4.5)) == [
        "renewal call three",
        "renewal email two",
    ]
    assert count_interactions(db, ALICE, InteractionFilters(text="renewal", contact_id=jane)) == 2


def test_other_workspaces_never_match(db, jane):
    log(db, ALICE, jane, "renewal with Jane")
    theirs = create_contact(db, OUTSIDER, ContactDraft(name="Jane Doe"), now=NOW).id
    log(db, OUTSIDER, theirs, "renewal elsewhere")
    assert found(db, ALICE, "renewal") == ["renewal with Jane"]
    assert found(db, OUTSIDER, "renewal") == ["renewal elsewhere"]
    assert found(db, OUTSIDER, "jane") == []
    assert count_interactions(db, OUTSIDER, InteractionFilters(text="renewal")) == 1


def test_edits_deletes_and_restores_show_at_once(db, jane):
    record = log(db, ALICE, jane, "Quarterly review", notes="budget talk")
    assert found(db, ALICE, "budget") == ["Quarterly review"]
    update_interaction(db, ALICE, record.id, InteractionChanges(notes="hiring plans"), now=NOW)
    assert found(db, ALICE, "budget") == []
    assert found(db, ALICE, "hiring quarterly") == ["Quarterly review"]
    update_interaction(db, ALICE, record.id, InteractionChanges(summary="Annual review"), now=NOW)
    assert found(db, ALICE, "quarterly") == []
    assert found(db, ALICE, "annual") == ["Annual review"]
    delete_interaction(db, ALICE, record.id, now=NOW)
    assert found(db, ALICE, "annual") == []
    assert count_interactions(db, ALICE, InteractionFilters(text="annual")) == 0
    restore_interaction(db, ALICE, record.id, now=NOW)
    assert found(db, ALICE, "annual hiring") == ["Annual review"]


def test_paging_through_matches_while_new_matches_are_logged(db, jane):
    for n in range(25):
        log(db, ALICE, jane, f"renewal number {n:02d}", days_ago=30 - n)
        log(db, ALICE, jane, f"unrelated {n:02d}", days_ago=30 - n - 0.5)
    filters = InteractionFilters(text="renewal")
    first = list_interactions(db, ALICE, filters, limit=10)
    assert [i.summary for i in first.items] == [f"renewal number {n:02d}" for n in range(24, 14, -1)]
    # New matches logged meanwhile (newer than the first page) don't shift the next pages.
    for n in range(3):
        log(db, ALICE, jane, f"renewal late {n}", days_ago=0.1)
    second = list_interactions(db, ALICE, filters, cursor=first.next_cursor, limit=10)
    third = list_interactions(db, ALICE, filters, cursor=second.next_cursor, limit=10)
    seen = [i.summary for i in first.items + second.items + third.items]
    assert seen == [f"renewal number {n:02d}" for n in range(24, -1, -1)]
    assert third.next_cursor is None
    back = list_interactions(db, ALICE, filters, cursor=second.prev_cursor, limit=10)
    assert [i.id for i in back.items] == [i.id for i in first.items]
    assert count_interactions(db, ALICE, filters) == 28


# (RARE_MATCHES, COMMON_MATCHES, windows): every plan of storage/search.py on both databases
# (SQLite / PostgreSQL).
PLANS = {
    "lookup by id / a window holding everything": (10**6, 10**6, (10**6,)),
    "gathered ids and a walk / small windows then lookup": (0, 10**6, (2, 3)),
    "the index's tail in a window / a window holding everything": (0, 0, (10**6,)),
    "a one-row window then the probing walk / then lookup": (0, 0, (1,)),
}


@pytest.fixture(params=list(PLANS))
def plan(request, monkeypatch):
    rare, common, window = PLANS[request.param]
    monkeypatch.setattr(search, "RARE_MATCHES", rare)
    monkeypatch.setattr(search, "COMMON_MATCHES", common)
    monkeypatch.setattr(search, "WALK_WINDOWS", window)
    monkeypatch.setattr(search, "SQLITE_WINDOWS", window)


def test_every_plan_lists_and_pages_alike(db, jane, plan):
    for n in range(12):
        log(db, ALICE, jane, f"common {n:02d}", days_ago=20 - n)
        log(db, ALICE, jane, f"other {n:02d}", days_ago=20 - n - 0.5)
    log(db, ALICE, jane, "common but deleted", days_ago=0.5)
    delete_interaction(db, ALICE, list_interactions(db, ALICE, limit=1).items[0].id, now=NOW)
    expected = [f"common {n:02d}" for n in range(11, -1, -1)]
    assert found(db, ALICE, "common") == expected
    page = list_interactions(db, ALICE, InteractionFilters(text="comm"), limit=5)
    rest = list_interactions(db, ALICE, InteractionFilters(text="comm"), cursor=page.next_cursor, limit=20)
    assert [i.summary for i in page.items + rest.items] == expected
    back = list_interactions(db, ALICE, InteractionFilters(text="comm"), cursor=rest.prev_cursor, limit=5)
    assert [i.summary for i in back.items] == expected[:5]
    assert found(db, ALICE, "common", sort="oldest") == expected[::-1]
    assert found(db, ALICE, "other 03") == ["other 03"]
    assert count_interactions(db, ALICE, InteractionFilters(text="common"), cap=5) == 6


def test_a_contact_filter_matches_any_attendee_in_every_plan(db, jane, plan):
    may = create_contact(db, ALICE, ContactDraft(name="May Chen"), now=NOW).id
    for n in range(6):
        create_interaction(
            db,
            ALICE,
            InteractionDraft(
                contact_id=jane,
                contact_ids=(jane, may) if n % 2 else (jane,),
                type="meeting",
                occurred_at=NOW - timedelta(days=10 - n),
                summary=f"renewal meeting {n}",
            ),
            now=NOW,
        )
    log(db, ALICE, may, "renewal alone with May", days_ago=0.5)
    expected = ["renewal alone with May", "renewal meeting 5", "renewal meeting 3", "renewal meeting 1"]
    assert found(db, ALICE, "renewal", contact_id=may) == expected
    page = list_interactions(db, ALICE, InteractionFilters(text="renew", contact_id=may), limit=2)
    rest = list_interactions(
        db, ALICE, InteractionFilters(text="renew", contact_id=may), cursor=page.next_cursor, limit=5
    )
    assert [i.summary for i in page.items + rest.items] == expected
    assert count_interactions(db, ALICE, InteractionFilters(text="renewal", contact_id=may)) == 4
    assert count_interactions(db, ALICE, InteractionFilters(text="renewal", contact_id=may), cap=2) == 3


def test_long_words_match_in_full_in_every_plan(db, jane, plan):
    """The probing walk asks the FTS index for at most 6 letters of a word; the rest is checked."""
    log(db, ALICE, jane, "Renewable energy", days_ago=3)
    log(db, ALICE, jane, "Renewal terms", days_ago=2)
    log(db, ALICE, jane, "Renewals", notes="for the Internationalisation team", days_ago=1)
    assert found(db, ALICE, "renewal") == ["Renewals", "Renewal terms"]
    assert found(db, ALICE, "renewa") == ["Renewals", "Renewal terms", "Renewable energy"]
    assert found(db, ALICE, "internationalisation renewals") == ["Renewals"]
    assert found(db, ALICE, "internationalization") == []


def test_rows_written_outside_the_storage_api_are_indexed_too(db, jane):
    with db.write() as session:
        session.add(
            Interaction(
                team_id="T1",
                contact_id=jane,
                type="note",
                occurred_at=NOW,
                summary="Imported Überblick",
                logged_by="U_ALICE",
                source="import",
                created_at=NOW,
                updated_at=NOW,
            )
        )
    assert found(db, ALICE, "uberblick") == ["Imported Überblick"]


def test_words_without_letters_or_digits_search_nothing(db, jane):
    log(db, ALICE, jane, "anything")
    # No words to look for: the text filter is left out (the command says so), not "match nothing".
    assert found(db, ALICE, "?!") == ["anything"]


@pytest.fixture
def sqlite_db(sqlite_template):
    database = Database(sqlite_template.fresh_url())
    yield database
    database.dispose()


def test_sqlite_search_index_stays_in_step_with_the_rows(sqlite_db):
    db = sqlite_db
    jane = create_contact(db, ALICE, ContactDraft(name="Jane Doe"), now=NOW).id
    record = log(db, ALICE, jane, "alpha")
    update_interaction(db, ALICE, record.id, InteractionChanges(summary="beta"), now=NOW)
    delete_interaction(db, ALICE, record.id, now=NOW)
    restore_interaction(db, ALICE, record.id, now=NOW)
    with db.write() as session:
        session.execute(text("INSERT INTO interaction_search(interaction_search) VALUES ('integrity-check')"))
        session.execute(text("DELETE FROM interaction_history"))  # it refers to the interactions
        session.execute(text("DELETE FROM interactions"))
        session.execute(text("INSERT INTO interaction_search(interaction_search) VALUES ('integrity-check')"))


# --- the pure part ---------------------------------------------------------------------------


def test_typed_words_are_folded_deduplicated_and_capped():
    assert search_words('  "Renewal"  TERMS, renewal — Ünïcode ') == ("renewal", "terms", "unicode")
    assert search_words("a b c d e f g h i j") == tuple("abcdefgh")
    assert search_words("?! *") == ()
    assert search_document("Call: Zoë", "re: the_plan\nok") == "call zoe re the plan ok"


def test_snippet_shows_matching_words_in_context():
    long_notes = "word " * 40 + "the Renewal terms, finally " + "tail " * 40
    found = snippet("Call", long_notes, ("renew", "terms"))
    assert found is not None and found.cut_start and found.cut_end
    marked = [text for text, matched in found.pieces if matched]
    assert marked == ["Renewal", "terms"]
    assert "finally" in "".join(text for text, _ in found.pieces)
    assert snippet("Café au lait", None, ("cafe",)).pieces == (("Café", True), (" au lait", False))
    assert snippet("Call", "notes", ("zebra",)) is None


def test_a_search_count_says_more_than_cap_from_the_newest_rows_and_is_exact_below_it(db, jane, monkeypatch):
    """The header's count: past the cap it says "more" (PostgreSQL settles that among the newest
    rows, without counting every match); at or below it, the exact number, deleted rows left out."""
    from storage import listing

    monkeypatch.setattr(listing, "RECENT_COUNT_WINDOW", 30)  # small, so both branches run here
    for n in range(40):
        log(db, ALICE, jane, f"renewal call {n}" if n % 2 else f"other topic {n}", days_ago=n + 1)
    gone = log(db, ALICE, jane, "renewal call, deleted", days_ago=0.5)
    delete_interaction(db, ALICE, gone.id, now=NOW)
    log(db, OUTSIDER, create_contact(db, OUTSIDER, ContactDraft(name="Eve"), now=NOW).id, "renewal elsewhere")
    # 15 of the newest 30 rows match: more than a cap of 10, said without counting the other 5.
    assert count_interactions(db, ALICE, InteractionFilters(text="renewal"), cap=10) == 11
    # A cap of 25 isn't settled by the window (15 matches): the exact count, 20.
    assert count_interactions(db, ALICE, InteractionFilters(text="renewal"), cap=25) == 20
    assert count_interactions(db, ALICE, InteractionFilters(text="renewal"), cap=None) == 20
    assert count_interactions(db, ALICE, InteractionFilters(text="renewal", types=("email",)), cap=10) == 0
