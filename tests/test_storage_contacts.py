"""Contacts: creating, finding by a typed name, updating, snoozing, and Slack users as contacts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.errors import Conflict, Invalid
from bot.domain.records import Actor
from storage.contacts import (
    ContactChanges,
    ContactDraft,
    create_contact,
    ensure_contact_for_slack_user,
    find_contacts,
    get_contact,
    list_contacts,
    name_key,
    snooze_contact,
    update_contact,
)
from storage.interactions import InteractionDraft, create_interaction

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
ALICE = Actor(team_id="T1", user_id="U_ALICE")
ZOE = Actor(team_id="T2", user_id="U_ZOE")


def add(db, name: str, actor: Actor = ALICE, **kwargs):
    return create_contact(db, actor, ContactDraft(name=name, **kwargs), now=NOW)


def names(matches) -> list[str]:
    return [m.contact.name for m in matches]


# --- creating ----------------------------------------------------------------------------------


def test_create_cleans_name_and_lowercases_email(db):
    contact = add(db, "  Jane \t  Doe ", email="  Jane.Doe@Example.COM ", company="  Acme   Corp ")
    assert (contact.name, contact.email, contact.company) == ("Jane Doe", "jane.doe@example.com", "Acme Corp")
    stored = get_contact(db, ALICE, contact.id)
    assert stored == contact
    assert stored.owner_user_id == ALICE.user_id
    assert stored.created_by == ALICE.user_id
    assert stored.created_at == NOW


def test_create_with_another_owner_and_cadence(db):
    contact = add(db, "Jane Doe", owner_user_id="U_BOB", cadence_days=7)
    assert contact.owner_user_id == "U_BOB"
    assert (contact.cadence_days, contact.effective_cadence_days) == (7, 7)
    assert contact.due_at == NOW + timedelta(days=7)


@pytest.mark.parametrize(
    ("draft", "field"),
    [
        pytest.param(ContactDraft(name="Jane", email="not-an-email"), "email", id="no at sign"),
        pytest.param(ContactDraft(name="Jane", email="jane@localhost"), "email", id="no domain dot"),
        pytest.param(ContactDraft(name="Jane", email="jane doe@example.com"), "email", id="space in email"),
        pytest.param(ContactDraft(name="   "), "name", id="blank name"),
        pytest.param(ContactDraft(name="x" * 201), "name", id="name over 200"),
        pytest.param(ContactDraft(name="Jane", company="y" * 201), "company", id="company over 200"),
        pytest.param(ContactDraft(name="Jane", cadence_days=0), "cadence_days", id="cadence 0"),
        pytest.param(
            ContactDraft(name="Jane", cadence_days=3651), "cadence_days", id="cadence over 10 years"
        ),
    ],
)
def test_create_refuses_invalid_field(db, draft, field):
    with pytest.raises(Invalid) as caught:
        create_contact(db, ALICE, draft, now=NOW)
    assert set(caught.value.fields) == {field}
    assert list_contacts(db, ALICE) == []


@pytest.mark.parametrize(
    ("existing", "duplicate"),
    [
        pytest.param(
            ContactDraft(name="Jane Doe", email="jane@example.com"),
            ContactDraft(name="Janet", email="JANE@Example.com"),
            id="same email, other case",
        ),
        pytest.param(
            ContactDraft(name="Jane Doe", slack_user_id="U_JANE"),
            ContactDraft(name="Someone", slack_user_id="U_JANE"),
            id="same Slack user",
        ),
    ],
)
def test_duplicate_is_a_conflict_naming_the_existing_contact(db, existing, duplicate):
    first = create_contact(db, ALICE, existing, now=NOW)
    with pytest.raises(Conflict) as caught:
        create_contact(db, ALICE, duplicate, now=NOW)
    assert caught.value.existing_id == first.id
    assert "Jane Doe" in caught.value.message
    assert [c.id for c in list_contacts(db, ALICE)] == [first.id]


def test_same_email_in_another_workspace_is_a_different_contact(db):
    ours = add(db, "Jane Doe", email="jane@example.com")
    theirs = add(db, "Jane Doe", actor=ZOE, email="jane@example.com")
    assert ours.id != theirs.id


def test_contacts_without_email_never_conflict(db):
    add(db, "Jane Doe")
    add(db, "Jane Doe")
    assert len(list_contacts(db, ALICE)) == 2


# --- finding -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "key"),
    [("José  Núñez", "jose nunez"), ("  ÅSA Öberg ", "asa oberg"), ("Straße", "strasse"), ("ﬁona", "fiona")],
)
def test_name_key_folds_case_accents_and_spaces(name, key):
    assert name_key(name) == key


@pytest.fixture
def people(db):
    for name in [
        "Jane",
        "Janet Roe",
        "Mary Janes",
        "Dejaneiro Silva",
        "Jana Novak",
        "Bob Stone",
        "José Núñez",
        "Jane Doe",
        "100% Pure_Juice",
    ]:
        add(db, name)


def test_find_ranks_exact_then_prefix_then_word_prefix_then_substring(db, people):
    matches = find_contacts(db, ALICE, "jane")
    # "Jana Novak" is only a typo away, but typos aren't searched when names start with the query.
    assert names(matches) == ["Jane", "Jane Doe", "Janet Roe", "Mary Janes", "Dejaneiro Silva"]
    assert [m.exact for m in matches] == [True, False, False, False, False]
    scores = [m.score for m in matches]
    assert scores == sorted(scores, reverse=True)
    assert scores[0] > scores[2] > scores[3] > scores[4]


def test_find_adds_typo_matches_after_substrings_when_nothing_starts_with_the_query(db, people):
    matches = find_contacts(db, ALICE, "anet")
    # "anet" starts no name, so besides the one containing it, near misses are offered too.
    assert names(matches)[0] == "Janet Roe"
    assert {"Jane", "Jane Doe"} <= set(names(matches)[1:])
    assert matches[0].score > max(m.score for m in matches[1:])


@pytest.mark.parametrize(
    ("query", "expected_first"),
    [
        pytest.param("jnae", "Jane", id="swapped letters"),
        pytest.param("Jane Deo", "Jane Doe", id="typo in surname"),
        pytest.param("jose nunez", "José Núñez", id="no accents typed"),
        pytest.param("JOSÉ NÚÑEZ", "José Núñez", id="upper case with accents"),
        pytest.param("  jose   NUNEZ ", "José Núñez", id="extra spaces"),
        pytest.param("Jose Nunes", "José Núñez", id="accents and typo"),
        pytest.param("stone", "Bob Stone", id="word prefix"),
    ],
)
def test_find_tolerates_typos_case_and_accents(db, people, query, expected_first):
    assert names(find_contacts(db, ALICE, query))[0] == expected_first


def test_find_typo_for_jane_doe(db):
    add(db, "Jane Doe")
    add(db, "Bob Stone")
    assert names(find_contacts(db, ALICE, "jnae")) == ["Jane Doe"]
    assert names(find_contacts(db, ALICE, "Jane Deo")) == ["Jane Doe"]


@pytest.mark.parametrize("query", ["", "   ", "zzzzqqqq"])
def test_find_returns_nothing_for_blank_or_unknown_names(db, people, query):
    assert find_contacts(db, ALICE, query) == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [("%", ["100% Pure_Juice"]), ("e_j", ["100% Pure_Juice"]), ("n_v", [])],
)
def test_find_treats_like_wildcards_as_plain_characters(db, people, query, expected):
    assert names(find_contacts(db, ALICE, query)) == expected


def test_find_respects_limit(db):
    for n in range(12):
        add(db, f"Sam Person {n:02d}")
    matches = find_contacts(db, ALICE, "sam", limit=5)
    assert names(matches) == [f"Sam Person {n:02d}" for n in range(5)]


# --- updating ------------------------------------------------------------------------------------


def log_call(db, contact_id: int, days_ago: int) -> None:
    create_interaction(
        db,
        ALICE,
        InteractionDraft(
            contact_id=contact_id, type="call", occurred_at=NOW - timedelta(days=days_ago), summary="call"
        ),
        now=NOW,
    )


def test_update_changes_owner(db):
    contact = add(db, "Jane Doe")
    updated = update_contact(db, ALICE, contact.id, ContactChanges(owner_user_id="U_BOB"), now=NOW)
    assert updated.owner_user_id == "U_BOB"
    assert get_contact(db, ALICE, contact.id).owner_user_id == "U_BOB"


@pytest.mark.parametrize(
    ("changes", "cadence", "effective"),
    [
        pytest.param(ContactChanges(cadence_days=7), 7, 7, id="weekly"),
        pytest.param(ContactChanges(cadence_days=365), 365, 365, id="yearly"),
        pytest.param(ContactChanges(clear_cadence=True), None, 30, id="back to workspace default"),
    ],
)
def test_update_cadence_moves_due_at(db, changes, cadence, effective):
    contact = add(db, "Jane Doe", cadence_days=90)
    log_call(db, contact.id, days_ago=10)
    updated = update_contact(db, ALICE, contact.id, changes, now=NOW)
    assert (updated.cadence_days, updated.effective_cadence_days) == (cadence, effective)
    assert updated.due_at == NOW - timedelta(days=10) + timedelta(days=effective)
    assert get_contact(db, ALICE, contact.id).due_at == updated.due_at
    assert updated.is_stale(NOW) is (effective <= 10)


def test_update_cadence_of_never_contacted_counts_from_creation(db):
    contact = add(db, "Jane Doe")
    updated = update_contact(db, ALICE, contact.id, ContactChanges(cadence_days=3), now=NOW)
    assert updated.due_at == NOW + timedelta(days=3)


def test_update_name_and_email_are_cleaned_and_searchable(db):
    contact = add(db, "Jane Doe", email="jane@example.com")
    updated = update_contact(
        db, ALICE, contact.id, ContactChanges(name=" Jane  Smith ", email="JS@Example.com"), now=NOW
    )
    assert (updated.name, updated.email) == ("Jane Smith", "js@example.com")
    assert names(find_contacts(db, ALICE, "smith")) == ["Jane Smith"]
    assert not any(m.exact for m in find_contacts(db, ALICE, "jane doe"))


def test_update_keeps_what_it_does_not_mention(db):
    contact = add(db, "Jane Doe", email="jane@example.com", company="Acme", cadence_days=14)
    updated = update_contact(db, ALICE, contact.id, ContactChanges(name="Jane D."), now=NOW)
    assert (updated.email, updated.company, updated.cadence_days) == ("jane@example.com", "Acme", 14)


def test_update_can_clear_email_and_company(db):
    contact = add(db, "Jane Doe", email="jane@example.com", company="Acme")
    updated = update_contact(
        db, ALICE, contact.id, ContactChanges(clear_email=True, clear_company=True), now=NOW
    )
    assert (updated.email, updated.company) == (None, None)


def test_update_to_another_contacts_email_is_refused_on_email(db):
    add(db, "John Roe", email="john@example.com")
    jane = add(db, "Jane Doe", email="jane@example.com")
    with pytest.raises(Invalid) as caught:
        update_contact(db, ALICE, jane.id, ContactChanges(email="John@Example.com"), now=NOW)
    assert set(caught.value.fields) == {"email"}
    assert get_contact(db, ALICE, jane.id).email == "jane@example.com"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        pytest.param(ContactChanges(name="  "), "name", id="blank name"),
        pytest.param(ContactChanges(email="nope"), "email", id="bad email"),
        pytest.param(ContactChanges(cadence_days=5000), "cadence_days", id="cadence too long"),
    ],
)
def test_update_refuses_invalid_field(db, changes, field):
    contact = add(db, "Jane Doe")
    with pytest.raises(Invalid) as caught:
        update_contact(db, ALICE, contact.id, changes, now=NOW)
    assert set(caught.value.fields) == {field}
    assert get_contact(db, ALICE, contact.id) == contact


# --- snoozing ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "until",
    [NOW, NOW - timedelta(minutes=1), NOW - timedelta(days=30)],
    ids=["now", "a minute ago", "last month"],
)
def test_snooze_must_end_in_the_future(db, until):
    contact = add(db, "Jane Doe")
    with pytest.raises(Invalid) as caught:
        snooze_contact(db, ALICE, contact.id, until, now=NOW)
    assert set(caught.value.fields) == {"until"}
    assert get_contact(db, ALICE, contact.id).snoozed_until is None


def test_snooze_past_due_makes_the_snooze_end_due(db):
    contact = add(db, "Jane Doe")
    log_call(db, contact.id, days_ago=45)
    assert get_contact(db, ALICE, contact.id).is_stale(NOW)
    until = NOW + timedelta(days=7)
    snoozed = snooze_contact(db, ALICE, contact.id, until, now=NOW)
    assert (snoozed.snoozed_until, snoozed.due_at) == (until, until)
    assert not snoozed.is_stale(NOW)
    assert snoozed.is_stale(until)


def test_snooze_ending_before_due_leaves_due_at(db):
    contact = add(db, "Jane Doe")
    log_call(db, contact.id, days_ago=1)
    snoozed = snooze_contact(db, ALICE, contact.id, NOW + timedelta(days=2), now=NOW)
    assert snoozed.due_at == NOW - timedelta(days=1) + timedelta(days=30)


def test_ending_a_snooze_restores_cadence_due_at(db):
    contact = add(db, "Jane Doe")
    log_call(db, contact.id, days_ago=45)
    snooze_contact(db, ALICE, contact.id, NOW + timedelta(days=7), now=NOW)
    unsnoozed = snooze_contact(db, ALICE, contact.id, None, now=NOW)
    assert unsnoozed.snoozed_until is None
    assert unsnoozed.due_at == NOW - timedelta(days=15)
    assert unsnoozed.is_stale(NOW)


# --- Slack users as contacts -----------------------------------------------------------------------


def test_ensure_contact_for_slack_user_creates_once(db):
    first, created = ensure_contact_for_slack_user(
        db, ALICE, "U_JANE", name="Jane Doe", email="jane@x.com", now=NOW
    )
    again, created_again = ensure_contact_for_slack_user(
        db, ALICE, "U_JANE", name="Jane D", email=None, now=NOW
    )
    assert (created, created_again) == (True, False)
    assert again.id == first.id
    assert (again.name, again.slack_user_id, again.email) == ("Jane Doe", "U_JANE", "jane@x.com")
    assert len(list_contacts(db, ALICE)) == 1


def test_ensure_contact_for_slack_user_links_existing_contact_with_that_email(db):
    existing = add(db, "Jane Doe", email="jane@example.com")
    linked, created = ensure_contact_for_slack_user(
        db, ALICE, "U_JANE", name="jane.doe", email="Jane@Example.com", now=NOW
    )
    assert not created
    assert linked.id == existing.id
    assert linked.slack_user_id == "U_JANE"
    assert get_contact(db, ALICE, existing.id).slack_user_id == "U_JANE"
    assert len(list_contacts(db, ALICE)) == 1
    again, created_again = ensure_contact_for_slack_user(db, ALICE, "U_JANE", name="whatever", now=NOW)
    assert (again.id, created_again) == (existing.id, False)


def test_ensure_contact_for_slack_user_without_name_uses_the_user_id(db):
    contact, created = ensure_contact_for_slack_user(db, ALICE, "U_NONAME", name="", now=NOW)
    assert created
    assert contact.name == "U_NONAME"


def test_ensure_contact_for_slack_user_is_per_workspace(db):
    ours, _ = ensure_contact_for_slack_user(db, ALICE, "U_JANE", name="Jane Doe", now=NOW)
    theirs, created = ensure_contact_for_slack_user(db, ZOE, "U_JANE", name="Jane Doe", now=NOW)
    assert created
    assert theirs.id != ours.id
