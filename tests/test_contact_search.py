"""Contact search through the trigram index: found at any size, kept in step with every change."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import insert

from bot.domain.records import Actor
from storage.contact_lifecycle import archive_contact, merge_contacts, unarchive_contact, unmerge_contacts
from storage.contact_search import typo_variants
from storage.contacts import (
    ContactChanges,
    ContactDraft,
    create_contact,
    ensure_workspace,
    find_contacts,
    first_word,
    name_key,
    resolve_contact,
    update_contact,
)
from storage.models import Contact

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
ALICE = Actor(team_id="T1", user_id="U_ALICE", is_admin=True)
EVE = Actor(team_id="T2", user_id="U_EVE")


def add(db, name: str, actor: Actor = ALICE):
    return create_contact(db, actor, ContactDraft(name=name), now=NOW)


def names(matches) -> list[str]:
    return [m.contact.name for m in matches]


def test_typos_are_found_among_many_contacts_whatever_their_age(db):
    """The scan this replaced looked at the first 5,000 names only: the newest was never offered."""
    with db.write() as session:
        ensure_workspace(session, "T1", now=NOW)
        rows = []
        for n in range(6000):
            name = f"Person {n:05d} Example"
            rows.append(
                {
                    "team_id": "T1",
                    "name": name,
                    "name_key": name_key(name),
                    "first_name_key": first_word(name_key(name)),
                    "owner_user_id": "U_ALICE",
                    "created_by": "U_ALICE",
                    "created_at": NOW,
                    "updated_at": NOW,
                    "due_at": NOW,
                }
            )
        session.execute(insert(Contact), rows)
    add(db, "Priya Patel")
    assert names(find_contacts(db, ALICE, "Prya Patel"))[0] == "Priya Patel"
    assert names(find_contacts(db, ALICE, "pirya")) == ["Priya Patel"]
    contact, matches = resolve_contact(db, ALICE, "priya patle")
    assert contact is None and names(matches) == ["Priya Patel"]  # offered, not assumed
    assert names(find_contacts(db, ALICE, "05999 exa")) == ["Person 05999 Example"]


def test_renames_archives_and_merges_reach_the_index_at_once(db):
    jane = add(db, "Jane Doe")
    twin = add(db, "Janet Doe")
    update_contact(db, ALICE, jane.id, ContactChanges(name="Joanna Smith"), now=NOW)
    assert names(find_contacts(db, ALICE, "joanna")) == ["Joanna Smith"]
    assert names(find_contacts(db, ALICE, "jane doe")) != ["Jane Doe"]
    assert "Joanna Smith" in names(find_contacts(db, ALICE, "joana smith"))
    archive_contact(db, ALICE, jane.id, now=NOW)
    assert find_contacts(db, ALICE, "joanna") == []
    assert find_contacts(db, ALICE, "joana smith") == []
    unarchive_contact(db, ALICE, jane.id, now=NOW)
    assert names(find_contacts(db, ALICE, "joanna")) == ["Joanna Smith"]
    merge_contacts(db, ALICE, twin.id, jane.id, now=NOW)
    assert find_contacts(db, ALICE, "janet") == []
    unmerge_contacts(db, ALICE, twin.id, now=NOW)
    assert names(find_contacts(db, ALICE, "janet")) == ["Janet Doe"]


def test_other_workspaces_never_match_by_substring_or_typo(db):
    add(db, "Priya Patel", actor=EVE)
    assert find_contacts(db, ALICE, "priya") == []
    assert find_contacts(db, ALICE, "prya patel") == []
    assert names(find_contacts(db, EVE, "prya patel")) == ["Priya Patel"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [('"quoted" OR x', []), ("NEAR(a b)", []), ("jo*", []), ("%an%", []), ("a_b", ["A_B Ltd"])],
)
def test_index_query_syntax_in_a_name_is_plain_text(db, query, expected):
    add(db, "Joanna Smith")
    add(db, "A_B Ltd")
    assert names(find_contacts(db, ALICE, query)) == expected


def test_typo_variants_leave_out_or_swap_one_letter():
    assert set(typo_variants("jnae")) >= {"jane", "nae", "jae", "jne", "jna"}
    assert typo_variants("jo") == []
    assert "jane" not in typo_variants("jane")
