"""Issue 12: contacts stay clean (Add anyway, Did you mean, merge, archive and their undo),
date-only interactions shown as dates, an empty list filter, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from blocks import ids
from bot.domain.errors import Invalid
from bot.domain.records import Actor
from storage.contact_lifecycle import archive_contact, merge_contacts, unarchive_contact, unmerge_contacts
from storage.contacts import (
    ContactDraft,
    create_contact,
    find_contacts,
    get_contact,
    has_unique_first_name,
    resolve_contact,
    snooze_contact,
)
from storage.interactions import InteractionDraft, create_interaction, delete_interaction, restore_interaction
from storage.listing import InteractionFilters, list_interactions
from storage.models import Contact, Interaction
from storage.staleness import stale_contacts_for_owner
from tests.app_harness import FROZEN_NOW, wait_responses
from tests.blockkit import check_blocks

ME = Actor(team_id="T111", user_id="U111")
NOW = FROZEN_NOW
COUNTS = ("call", "email", "meeting", "message", "other")


def contact(db, name, **fields):
    return create_contact(db, ME, ContactDraft(name=name, **fields), now=NOW - timedelta(days=400))


def log(db, contact_id, days_ago, kind="call", summary="talk"):
    record, _ = create_interaction(
        db,
        ME,
        InteractionDraft(
            contact_id=contact_id, type=kind, occurred_at=NOW - timedelta(days=days_ago), summary=summary
        ),
        now=NOW,
    )
    return record


def interactions_of(db, contact_id):
    return list_interactions(db, ME, InteractionFilters(contact_id=contact_id), limit=100).items


def check_last_contacted(db) -> None:
    """Every contact's last_contacted_at is the latest of its live, counting interactions."""
    with db.read() as session:
        for c in session.scalars(select(Contact)).all():
            latest = session.scalar(
                select(func.max(Interaction.occurred_at)).where(
                    Interaction.contact_id == c.id,
                    Interaction.deleted_at.is_(None),
                    Interaction.type.in_(COUNTS),
                )
            )
            assert c.last_contacted_at == latest, c.name


# --- merge and archive in storage ------------------------------------------------------------


def test_merge_moves_everything_recomputes_and_undoes_exactly(db):
    dup = contact(db, "Priya P", email="priya@acme.com", company="Acme", cadence_days=14)
    keep = contact(db, "Priya Patel", slack_user_id="U9")
    old = log(db, keep.id, 30)
    newer = log(db, dup.id, 2)
    gone = log(db, dup.id, 1)
    delete_interaction(db, ME, gone.id, now=NOW)
    snooze_contact(db, ME, dup.id, NOW + timedelta(days=10), now=NOW)

    source, target, moved = merge_contacts(db, ME, dup.id, keep.id, now=NOW)
    assert moved == 2  # the deleted one too, so undoing that delete still finds it on the kept contact
    assert source.merged_into_id == keep.id and source.is_archived and source.last_contacted_at is None
    # The kept contact keeps what it has and takes what it lacks; the later snooze wins.
    assert (target.email, target.company, target.cadence_days, target.slack_user_id) == (
        "priya@acme.com",
        "Acme",
        14,
        "U9",
    )
    assert target.snoozed_until == NOW + timedelta(days=10)
    assert target.last_contacted_at == newer.occurred_at
    assert {i.id for i in interactions_of(db, keep.id)} == {old.id, newer.id}
    restore_interaction(db, ME, gone.id, now=NOW)
    assert get_contact(db, ME, keep.id).last_contacted_at == gone.occurred_at
    delete_interaction(db, ME, gone.id, now=NOW)
    # Gone from lookups; logging to it lands on the contact it was merged into.
    assert [m.contact.id for m in find_contacts(db, ME, "priya")] == [keep.id]
    late = log(db, dup.id, 0)
    assert late.contact_id == keep.id
    check_last_contacted(db)

    source, target, back = unmerge_contacts(db, ME, dup.id, now=NOW)
    assert back == 2
    assert not source.is_archived and source.email == "priya@acme.com"
    assert target.email is None and target.company is None and target.cadence_days is None
    assert target.snoozed_until is None
    assert {i.id for i in interactions_of(db, dup.id)} == {newer.id}
    # What was logged on the kept contact after the merge stays there.
    assert {i.id for i in interactions_of(db, keep.id)} == {old.id, late.id}
    assert get_contact(db, ME, dup.id).last_contacted_at == newer.occurred_at
    check_last_contacted(db)


def test_merge_refuses_itself_and_archived_contacts(db):
    a = contact(db, "A One")
    b = contact(db, "B Two")
    with pytest.raises(Invalid):
        merge_contacts(db, ME, a.id, a.id, now=NOW)
    archive_contact(db, ME, b.id, now=NOW)
    with pytest.raises(Invalid):
        merge_contacts(db, ME, a.id, b.id, now=NOW)


def test_archived_contacts_leave_pickers_lookups_and_digests_and_come_back(db):
    ada = contact(db, "Ada Lovelace")
    log(db, ada.id, 90)
    assert stale_contacts_for_owner(db, "T111", "U111", NOW)[1] == 1
    archive_contact(db, ME, ada.id, now=NOW)
    assert find_contacts(db, ME, "ada") == []
    assert resolve_contact(db, ME, "Ada Lovelace")[0] is None
    assert not has_unique_first_name(db, ME, "ada")
    assert stale_contacts_for_owner(db, "T111", "U111", NOW) == ([], 0)
    assert len(interactions_of(db, ada.id)) == 1  # kept
    with pytest.raises(Invalid, match="archived"):
        log(db, ada.id, 1)
    unarchive_contact(db, ME, ada.id, now=NOW)
    assert resolve_contact(db, ME, "Ada Lovelace")[0].id == ada.id
    assert has_unique_first_name(db, ME, "ada")
    assert stale_contacts_for_owner(db, "T111", "U111", NOW)[1] == 1


def test_merge_concurrent_with_logging_keeps_last_contacted_right(db):
    pairs = []
    for n in range(4):  # the contact merged has the lower id in some pairs, the higher in others
        first, second = contact(db, f"Dup {n}"), contact(db, f"Keep {n}")
        pairs.append((first, second) if n % 2 else (second, first))
    errors: list[BaseException] = []

    def logger(contact_id: int) -> None:
        try:
            for day in range(12):
                log(db, contact_id, day + 1)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    def merger(source_id: int, target_id: int) -> None:
        try:
            merge_contacts(db, ME, source_id, target_id, now=NOW)
            unmerge_contacts(db, ME, source_id, now=NOW)
            merge_contacts(db, ME, source_id, target_id, now=NOW)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = []
    for dup, keep in pairs:
        threads += [
            threading.Thread(target=logger, args=(dup.id,)),
            threading.Thread(target=logger, args=(keep.id,)),
            threading.Thread(target=merger, args=(dup.id, keep.id)),
        ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    check_last_contacted(db)
    for dup, keep in pairs:
        assert interactions_of(db, dup.id) == []  # merged at the end: every log is on the kept one
        assert len(interactions_of(db, keep.id)) == 24


# --- through the signed endpoint and the fake Slack -----------------------------------------


def _text(blocks) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def _action_ids(blocks) -> list[str]:
    return [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]


def _button(blocks, action_id):
    return next(
        e for b in blocks if b["type"] == "actions" for e in b["elements"] if e["action_id"] == action_id
    )


def test_contact_add_of_an_existing_name_shows_the_card_and_add_anyway(touchbase):
    jane = contact(touchbase.db, "Jane Doe")
    touchbase.slack.command("/contact", "add jane doe, Acme")
    [answer] = wait_responses(touchbase.fake)
    blocks = answer.args["blocks"]
    check_blocks(blocks)
    assert "already has that name" in answer.args["text"]
    assert _button(blocks, ids.ACTION_OPEN_TIMELINE)["value"] == str(jane.id)  # the existing card
    anyway = _button(blocks, ids.ACTION_ADD_CONTACT_ANYWAY)
    with touchbase.db.read() as session:
        assert session.scalar(select(func.count()).select_from(Contact)) == 1  # nothing added silently
    touchbase.slack.block_actions([{"action_id": anyway["action_id"], "value": anyway["value"]}])
    wait_responses(touchbase.fake, 2)
    matches = find_contacts(touchbase.db, ME, "jane doe")
    assert sorted((m.contact.name, m.contact.company) for m in matches) == [
        ("Jane Doe", None),
        ("jane doe", "Acme"),
    ]


def test_did_you_mean_for_one_close_match(touchbase):
    priya = contact(touchbase.db, "Priya Patel")
    touchbase.slack.command("/contact", "Prya Patel")
    [answer] = wait_responses(touchbase.fake)
    assert answer.args["text"] == "Did you mean Priya Patel?"
    assert _button(answer.args["blocks"], ids.ACTION_SHOW_CONTACT)["value"] == str(priya.id)
    # /log with the typo: the modal opens with Priya picked and the question, nothing saved.
    touchbase.slack.command("/log", "Prya Patel call yesterday 3pm renewal")
    view = touchbase.fake.wait_for("views.open")[0].args["view"]
    assert "Did you mean Priya Patel?" in _text(view["blocks"])
    assert "Several contacts match" not in _text(view["blocks"])
    contact_input = next(b for b in view["blocks"] if b.get("block_id") == ids.BLOCK_CONTACT)
    assert contact_input["element"]["initial_options"] == [
        {"text": {"type": "plain_text", "text": "Priya Patel", "emoji": True}, "value": str(priya.id)}
    ]
    assert interactions_of(touchbase.db, priya.id) == []


def test_merge_by_command_and_undo_from_the_answer(touchbase):
    dup = contact(touchbase.db, "Tom Jerry")
    keep = contact(touchbase.db, "Thomas Jerry")
    first = log(touchbase.db, dup.id, 3)
    touchbase.slack.command("/contact", "merge Tom Jerry into Thomas Jerry")
    [answer] = wait_responses(touchbase.fake)
    assert answer.args["text"] == "Merged Tom Jerry into Thomas Jerry (1 interaction moved)."
    assert [i.id for i in interactions_of(touchbase.db, keep.id)] == [first.id]
    undo = _button(answer.args["blocks"], ids.ACTION_UNDO_MERGE)
    assert undo["value"] == str(dup.id)
    touchbase.slack.block_actions([{"action_id": ids.ACTION_UNDO_MERGE, "value": undo["value"]}])
    answers = wait_responses(touchbase.fake, 2)
    assert answers[1].args["text"].startswith("Undone: Tom Jerry is its own contact again")
    assert [i.id for i in interactions_of(touchbase.db, dup.id)] == [first.id]
    assert get_contact(touchbase.db, ME, keep.id).last_contacted_at is None


def test_merge_from_the_card_with_the_merge_select(touchbase):
    dup = contact(touchbase.db, "May Chen")
    keep = contact(touchbase.db, "May Chen-Li")
    log(touchbase.db, dup.id, 3)
    touchbase.slack.command("/contact", "May Chen")
    [card] = wait_responses(touchbase.fake)
    merge_block = next(
        b for b in card.args["blocks"] if b.get("block_id", "").startswith(ids.MERGE_BLOCK_PREFIX)
    )
    # The select's options: other live contacts only.
    _, _, body = touchbase.slack.block_suggestion(ids.ACTION_MERGE_CONTACT, merge_block["block_id"], "may")
    assert [o["value"] for o in json.loads(body)["options"]] == [str(keep.id)]
    touchbase.slack.block_actions(
        [
            {
                "type": "external_select",
                "action_id": ids.ACTION_MERGE_CONTACT,
                "block_id": merge_block["block_id"],
                "selected_option": {
                    "text": {"type": "plain_text", "text": "May Chen-Li"},
                    "value": str(keep.id),
                },
            }
        ]
    )
    answers = wait_responses(touchbase.fake, 2)
    assert answers[1].args["text"] == "Merged May Chen into May Chen-Li (1 interaction moved)."
    assert answers[1].args.get("replace_original") is True  # the private card is replaced
    assert get_contact(touchbase.db, ME, dup.id).merged_into_id == keep.id
    assert get_contact(touchbase.db, ME, keep.id).last_contacted_at == NOW - timedelta(days=3)


def test_archive_from_the_card_and_unarchive(touchbase):
    ada = contact(touchbase.db, "Ada Lovelace")
    touchbase.slack.command("/contact", "archive Ada Lovelace")
    [answer] = wait_responses(touchbase.fake)
    assert answer.args["text"] == "Archived Ada Lovelace."
    assert ids.ACTION_UNARCHIVE_CONTACT in _action_ids(answer.args["blocks"])
    touchbase.slack.command("/contact", "Ada Lovelace")
    assert wait_responses(touchbase.fake, 2)[1].args["text"] == "No contact matches “Ada Lovelace”."
    touchbase.slack.block_actions([{"action_id": ids.ACTION_UNARCHIVE_CONTACT, "value": str(ada.id)}])
    assert wait_responses(touchbase.fake, 3)[2].args["text"] == "Unarchived Ada Lovelace."
    assert not get_contact(touchbase.db, ME, ada.id).is_archived
    touchbase.slack.block_actions([{"action_id": ids.ACTION_ARCHIVE_CONTACT, "value": str(ada.id)}])
    assert wait_responses(touchbase.fake, 4)[3].args["text"] == "Archived Ada Lovelace."
    assert get_contact(touchbase.db, ME, ada.id).is_archived


def test_a_date_without_a_time_is_saved_and_shown_as_a_day(touchbase):
    jane = contact(touchbase.db, "Jane Doe")
    _, _, body = touchbase.slack.command("/log", "Jane Doe call yesterday renewal")
    answer = json.loads(body)  # a quick log is answered in the ack
    [saved] = interactions_of(touchbase.db, jane.id)
    assert saved.time_known is False
    assert saved.occurred_at == datetime(2026, 3, 10, 7, 0, tzinfo=UTC)  # March 10, 00:00 in Los Angeles
    card = _text(answer["blocks"])
    assert "{date_short_pretty}|" in card and "at {time}" not in card and "12:00" not in card
    touchbase.slack.command("/contact", "Jane Doe")
    contact_card = _text(wait_responses(touchbase.fake)[0].args["blocks"])
    assert "at {time}" not in contact_card and "12:00" not in contact_card
    touchbase.slack.command("/interactions", "Jane Doe")
    view = touchbase.fake.wait_for("views.open")[0].args["view"]
    assert "renewal" in _text(view["blocks"]) and "at {time}" not in _text(view["blocks"])


def test_a_filter_that_matches_no_contact_lists_nothing_and_offers_to_clear(touchbase):
    jane = contact(touchbase.db, "Jane Doe")
    log(touchbase.db, jane.id, 1, summary="visible only unfiltered")
    touchbase.slack.command("/interactions", "Nobody Known")
    view = touchbase.fake.wait_for("views.open")[0].args["view"]
    text = _text(view["blocks"])
    assert "No contact matches “Nobody Known”, so no interactions are listed." in text
    assert "visible only unfiltered" not in text
    clear = [
        b["accessory"]
        for b in view["blocks"]
        if b.get("accessory", {}).get("action_id") == ids.ACTION_CLEAR_FILTERS
    ]
    assert clear and clear[0]["text"]["text"] == "Clear filter"
