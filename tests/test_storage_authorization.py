"""Who may change what, and nothing crosses workspaces whatever ids a payload carries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.errors import Forbidden, NotFound
from bot.domain.records import Actor, ContactRecord, InteractionRecord
from storage.contacts import (
    ContactChanges,
    ContactDraft,
    create_contact,
    find_contact_by_slack_user,
    find_contacts,
    get_contact,
    list_contacts,
    snooze_contact,
    update_contact,
)
from storage.interactions import (
    InteractionChanges,
    InteractionDraft,
    create_interaction,
    delete_interaction,
    get_interaction,
    restore_interaction,
    update_interaction,
)
from storage.listing import InteractionFilters, count_interactions, list_interactions

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
AUTHOR = Actor(team_id="T1", user_id="U_AUTHOR")
COLLEAGUE = Actor(team_id="T1", user_id="U_COLLEAGUE")
ADMIN = Actor(team_id="T1", user_id="U_ADMIN", is_admin=True)
# Same user id and admin flag, another workspace: still an outsider.
OUTSIDER = Actor(team_id="T2", user_id="U_AUTHOR", is_admin=True)


def log(db, actor: Actor, contact_id: int, days_ago: int = 1, summary: str = "call"):
    record, _ = create_interaction(
        db,
        actor,
        InteractionDraft(
            contact_id=contact_id, type="call", occurred_at=NOW - timedelta(days=days_ago), summary=summary
        ),
        now=NOW,
    )
    return record


def do_update(db, actor, interaction_id):
    return update_interaction(db, actor, interaction_id, InteractionChanges(summary="changed"), now=NOW)


def do_delete(db, actor, interaction_id):
    return delete_interaction(db, actor, interaction_id, now=NOW)


def do_restore(db, actor, interaction_id):
    delete_interaction(db, AUTHOR, interaction_id, now=NOW)
    return restore_interaction(db, actor, interaction_id, now=NOW)


OPERATIONS = [
    pytest.param(do_update, id="update"),
    pytest.param(do_delete, id="delete"),
    pytest.param(do_restore, id="restore"),
]


@pytest.fixture
def jane(db):
    return create_contact(db, AUTHOR, ContactDraft(name="Jane Doe", email="jane@example.com"), now=NOW)


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("actor", [AUTHOR, ADMIN], ids=["author", "admin"])
def test_author_or_admin_may_change_an_interaction(db, jane, operation, actor):
    record = log(db, AUTHOR, jane.id)
    changed = operation(db, actor, record.id)
    assert changed.id == record.id


@pytest.mark.parametrize("operation", OPERATIONS)
def test_colleague_may_not_change_someone_elses_interaction(db, jane, operation):
    record = log(db, AUTHOR, jane.id)
    before = get_interaction(db, AUTHOR, record.id, include_deleted=True)
    contact_before = get_contact(db, AUTHOR, jane.id)
    with pytest.raises(Forbidden) as caught:
        operation(db, COLLEAGUE, record.id)
    # Told plainly who can: the author (by mention) or an admin.
    assert f"<@{AUTHOR.user_id}>" in caught.value.message
    assert "admin" in caught.value.message
    after = get_interaction(db, AUTHOR, record.id, include_deleted=True)
    assert (after.summary, after.updated_by) == (before.summary, before.updated_by)
    # A refused restore leaves it deleted; a refused update or delete leaves it as it was.
    assert after.is_deleted is (operation is do_restore)
    expected_last = None if operation is do_restore else contact_before.last_contacted_at
    assert get_contact(db, AUTHOR, jane.id).last_contacted_at == expected_last


def test_admin_edit_is_recorded_as_the_admins(db, jane):
    record = log(db, AUTHOR, jane.id)
    updated = do_update(db, ADMIN, record.id)
    assert updated.updated_by == ADMIN.user_id
    assert updated.logged_by == AUTHOR.user_id


# --- workspaces -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "operation",
    [
        pytest.param(lambda db, actor, i: get_interaction(db, actor, i), id="get"),
        pytest.param(
            lambda db, actor, i: get_interaction(db, actor, i, include_deleted=True), id="get deleted"
        ),
        pytest.param(do_update, id="update"),
        pytest.param(do_delete, id="delete"),
        pytest.param(lambda db, actor, i: restore_interaction(db, actor, i, now=NOW), id="restore"),
    ],
)
def test_interaction_of_another_workspace_is_not_found(db, jane, operation):
    record = log(db, AUTHOR, jane.id)
    with pytest.raises(NotFound):
        operation(db, OUTSIDER, record.id)
    after = get_interaction(db, AUTHOR, record.id)
    assert after == record
    assert get_contact(db, AUTHOR, jane.id).last_contacted_at == record.occurred_at


@pytest.mark.parametrize(
    "operation",
    [
        pytest.param(lambda db, actor, c: get_contact(db, actor, c), id="get"),
        pytest.param(
            lambda db, actor, c: update_contact(db, actor, c, ContactChanges(name="X"), now=NOW), id="update"
        ),
        pytest.param(
            lambda db, actor, c: snooze_contact(db, actor, c, NOW + timedelta(days=3), now=NOW), id="snooze"
        ),
    ],
)
def test_contact_of_another_workspace_is_not_found(db, jane, operation):
    with pytest.raises(NotFound):
        operation(db, OUTSIDER, jane.id)
    unchanged = get_contact(db, AUTHOR, jane.id)
    assert (unchanged.name, unchanged.snoozed_until) == ("Jane Doe", None)


def test_deleted_interaction_is_not_found_until_restored(db, jane):
    record = log(db, AUTHOR, jane.id)
    delete_interaction(db, AUTHOR, record.id, now=NOW)
    with pytest.raises(NotFound):
        get_interaction(db, AUTHOR, record.id)
    with pytest.raises(NotFound):
        do_update(db, AUTHOR, record.id)
    with pytest.raises(NotFound):
        delete_interaction(db, AUTHOR, record.id, now=NOW)
    deleted = get_interaction(db, AUTHOR, record.id, include_deleted=True)
    assert deleted.is_deleted
    assert deleted.deleted_at == NOW
    restore_interaction(db, AUTHOR, record.id, now=NOW)
    assert not get_interaction(db, AUTHOR, record.id).is_deleted


def test_unknown_interaction_is_not_found(db, jane):
    record = log(db, AUTHOR, jane.id)
    with pytest.raises(NotFound):
        get_interaction(db, AUTHOR, record.id + 1000)
    with pytest.raises(NotFound):
        do_delete(db, AUTHOR, record.id + 1000)


@dataclass(frozen=True)
class TwoWorkspaces:
    ours: ContactRecord
    theirs: ContactRecord
    our_rows: list[InteractionRecord]
    their_rows: list[InteractionRecord]


@pytest.fixture
def two(db) -> TwoWorkspaces:
    """The same names, emails and Slack ids in two workspaces, each with its own history."""
    ours = create_contact(
        db, AUTHOR, ContactDraft(name="Jane Doe", email="jane@example.com", slack_user_id="UJ"), now=NOW
    )
    theirs = create_contact(
        db, OUTSIDER, ContactDraft(name="Jane Doe", email="jane@example.com", slack_user_id="UJ"), now=NOW
    )
    return TwoWorkspaces(
        ours=ours,
        theirs=theirs,
        our_rows=[log(db, AUTHOR, ours.id, days_ago=d, summary=f"ours {d}") for d in (1, 2, 3)],
        their_rows=[log(db, OUTSIDER, theirs.id, days_ago=d, summary=f"theirs {d}") for d in (1, 2)],
    )


def test_list_interactions_never_shows_another_workspaces_rows(db, two):
    assert {r.id for r in list_interactions(db, AUTHOR).items} == {r.id for r in two.our_rows}
    assert {r.id for r in list_interactions(db, OUTSIDER).items} == {r.id for r in two.their_rows}
    assert count_interactions(db, AUTHOR) == 3
    assert count_interactions(db, OUTSIDER) == 2


@pytest.mark.parametrize(
    "filters",
    [
        pytest.param(lambda theirs: InteractionFilters(contact_id=theirs.id), id="their contact id"),
        pytest.param(lambda theirs: InteractionFilters(author=OUTSIDER.user_id), id="same user id"),
        pytest.param(lambda theirs: InteractionFilters(types=("call",), sort="oldest"), id="by type"),
    ],
)
def test_filters_cannot_reach_into_another_workspace(db, two, filters):
    listed = list_interactions(db, AUTHOR, filters(two.theirs)).items
    assert {r.team_id for r in listed} <= {AUTHOR.team_id}
    assert not {r.id for r in listed} & {r.id for r in two.their_rows}


def test_cursor_from_another_workspace_only_pages_through_ours(db, two):
    their_page = list_interactions(db, OUTSIDER, limit=1)
    assert their_page.next_cursor
    listed = list_interactions(db, AUTHOR, cursor=their_page.next_cursor).items
    assert {r.team_id for r in listed} == {AUTHOR.team_id}


def test_contact_lookups_never_return_another_workspaces_contacts(db, two):
    assert [m.contact.id for m in find_contacts(db, AUTHOR, "Jane Doe")] == [two.ours.id]
    assert [m.contact.id for m in find_contacts(db, OUTSIDER, "jane")] == [two.theirs.id]
    assert [m.contact.id for m in find_contacts(db, AUTHOR, "jnae")] == [two.ours.id]
    assert [c.id for c in list_contacts(db, AUTHOR)] == [two.ours.id]
    assert find_contact_by_slack_user(db, AUTHOR, "UJ").id == two.ours.id
    assert find_contact_by_slack_user(db, OUTSIDER, "UJ").id == two.theirs.id


def test_history_in_one_workspace_does_not_touch_the_other(db, two):
    for row in two.our_rows:
        delete_interaction(db, AUTHOR, row.id, now=NOW)
    assert get_contact(db, AUTHOR, two.ours.id).last_contacted_at is None
    assert get_contact(db, OUTSIDER, two.theirs.id).last_contacted_at == NOW - timedelta(days=1)
