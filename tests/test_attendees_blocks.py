"""How several contacts render (pure renderers): every name where there is room, a bounded
"+N more" where there isn't, escaped, and every payload within Block Kit's limits."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from blocks.browse import ListState, list_modal
from blocks.digest import digest_message
from blocks.interactions import (
    LINE_MAX_CHARS,
    LINE_NAME_CHARS,
    attendee_names,
    interaction_card,
    interaction_detail_modal,
    interaction_line,
    saved_confirmation,
)
from blocks.modals import LogPrefill, log_modal
from blocks.timeline import month_reply
from bot.domain.records import Attendee, InteractionRecord, LastInteraction, StaleContact
from tests.blockkit import check_blocks, check_view
from tests.test_blocks import make_contact

NOW = datetime(2026, 3, 11, 17, 0, tzinfo=UTC)
HOSTILE = "<!channel> & co"


def record(*names: str, **changes) -> InteractionRecord:
    people = tuple(Attendee(n + 1, name) for n, name in enumerate(names))
    base = InteractionRecord(
        id=7,
        team_id="T1",
        contact_id=1,
        contact_name=names[0],
        type="meeting",
        occurred_at=NOW - timedelta(days=1),
        duration_minutes=None,
        summary="Quarterly review",
        notes=None,
        logged_by="U1",
        source="modal",
        permalink=None,
        created_at=NOW,
        updated_at=NOW,
        updated_by=None,
        deleted_at=None,
        all_contacts=people,
    )
    return replace(base, **changes)


def test_names_read_as_a_sentence_and_leave_out_whose_list_it_is():
    three = record("Jane Doe", "May Chen", "Bo Li")
    assert three.contact_names == "Jane Doe, May Chen and Bo Li"
    assert attendee_names(three, 100) == "Jane Doe, May Chen and Bo Li"
    assert attendee_names(three, 100, besides=2) == "Jane Doe and Bo Li"
    line = interaction_line(three, now=NOW, with_contact=False, contact_id=1)
    assert "_with May Chen and Bo Li_" in line
    assert "with" not in interaction_line(record("Jane Doe"), now=NOW, with_contact=False, contact_id=1)


def test_twenty_long_hostile_names_fit_the_lists_contacts_column():
    many = record(*[f"{HOSTILE} {'x' * 180} {n}" for n in range(20)])
    names = attendee_names(many, LINE_NAME_CHARS)
    assert len(names) <= LINE_NAME_CHARS and names.endswith("more")
    assert "<!channel>" not in names and "&lt;!channel&gt;" in names
    short = record(*[f"Person {n}" for n in range(20)])
    assert attendee_names(short, 60) == "Person 0, Person 1, Person 2, Person 3, Person 4 +15 more"
    for interaction in (many, short):
        for line in (
            interaction_line(interaction, now=NOW),
            interaction_line(interaction, now=NOW, with_contact=False, contact_id=3),
        ):
            assert len(line) <= LINE_MAX_CHARS and "\n" not in line


def test_cards_detail_list_and_timeline_with_twenty_contacts_stay_within_block_kit_limits():
    many = record(*[f"{HOSTILE} {'y' * 190} {n}" for n in range(20)])
    check_blocks(interaction_card(many, now=NOW))
    text, blocks = saved_confirmation(many, now=NOW, edited=False)
    check_blocks(blocks)
    assert len(text) <= 700  # the notification line stays short
    detail = interaction_detail_modal(many, now=NOW, can_edit=True)
    check_view(detail)
    assert "*Contacts*" in str(detail["blocks"])
    rows = [replace(many, id=n) for n in range(1, 16)]
    view = list_modal(
        ListState(),
        rows,
        has_prev=False,
        has_next=True,
        now=NOW,
        viewer_id="U1",
        viewer_is_admin=False,
        private_metadata="{}",
    )
    check_view(view)
    _, reply = month_reply("March 2026", rows, now=NOW, contact_id=5)
    check_blocks(reply)


def test_the_log_modal_preselects_up_to_twenty_contacts_first_first():
    prefill = LogPrefill(
        contact_id=1,
        contact_name="Jane Doe",
        more_contacts=tuple(Attendee(n, f"Person {n}") for n in range(2, 30)),
        more_new_contacts=("Ada Lovelace",),
    )
    view = log_modal(prefill, private_metadata="{}")
    check_view(view)
    element = next(b for b in view["blocks"] if b.get("block_id") == "contact")["element"]
    values = [o["value"] for o in element["initial_options"]]
    assert values[0] == "1" and len(values) == 20 == element["max_selected_items"]


def test_a_digest_line_says_how_many_others_the_last_interaction_was_with():
    contact = make_contact()
    last = LastInteraction("meeting", NOW - timedelta(days=40), "Kick-off", "U1", with_others=2)
    _, blocks = digest_message("U1", [StaleContact(contact, last)], 1, now=NOW)
    check_blocks(blocks)
    assert "Meeting with 2 others" in str(blocks)
