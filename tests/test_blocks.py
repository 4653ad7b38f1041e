"""Renderers: structure, escaping, truncation, and Block Kit limits for any input."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from blocks import ids
from blocks.contacts import contact_card, contact_choices, contact_not_found
from blocks.interactions import (
    LINE_MAX_CHARS,
    deleted_card,
    interaction_card,
    interaction_detail_modal,
    interaction_line,
)
from blocks.messages import notice
from blocks.modals import LogPrefill, contact_modal, contact_options, log_modal, snooze_modal
from blocks.text import (
    TYPE_EMOJI,
    TYPE_LABEL,
    ago,
    date_token,
    duration_text,
    escape,
    escape_truncate,
    fit_lines,
    mrkdwn,
    plain,
    split_escaped,
    truncate,
    truncate_mrkdwn,
)
from bot.domain.records import ContactMatch, ContactRecord, InteractionRecord
from storage.models import INTERACTION_TYPES
from tests.blockkit import check_blocks, check_options, check_view

NOW = datetime(2024, 5, 10, 12, 0, tzinfo=UTC)
HOSTILE = "<!channel> <@U1> <http://evil.example|click> & co"
HOSTILE_ESCAPED = "&lt;!channel&gt; &lt;@U1&gt; &lt;http://evil.example|click&gt; &amp; co"
PERMALINK = "https://acme.slack.com/archives/C1/p1715083200000100?thread_ts=1715083200.000100&cid=C1"


def make_interaction(**changes) -> InteractionRecord:
    record = InteractionRecord(
        id=7,
        team_id="T1",
        contact_id=3,
        contact_name="Jane Doe",
        type="call",
        occurred_at=NOW - timedelta(days=3),
        duration_minutes=30,
        summary="Renewal talk",
        notes="They want a discount.",
        logged_by="U123",
        source="modal",
        permalink=None,
        created_at=NOW - timedelta(days=3),
        updated_at=NOW - timedelta(days=3),
        updated_by=None,
        deleted_at=None,
    )
    return replace(record, **changes)


def make_contact(**changes) -> ContactRecord:
    record = ContactRecord(
        id=3,
        team_id="T1",
        name="Jane Doe",
        email="jane@acme.example",
        company="Acme",
        slack_user_id=None,
        owner_user_id="U123",
        cadence_days=None,
        effective_cadence_days=30,
        snoozed_until=None,
        last_contacted_at=NOW - timedelta(days=3),
        due_at=NOW + timedelta(days=27),
        created_by="U123",
        created_at=NOW - timedelta(days=100),
        updated_at=NOW - timedelta(days=3),
    )
    return replace(record, **changes)


def match(contact: ContactRecord, *, exact: bool = False) -> ContactMatch:
    return ContactMatch(contact=contact, score=1.0 if exact else 0.8, exact=exact)


def texts(payload) -> list[str]:
    """Every text object's text in a payload, in order."""
    found: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") in ("mrkdwn", "plain_text") and isinstance(node.get("text"), str):
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(payload)
    return found


def mrkdwn_texts(payload) -> list[str]:
    found: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn":
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(payload)
    return found


# The only `<...>` tokens we ever emit: dates, user mentions, links to http(s) URLs.
_OUR_TOKENS = re.compile(
    r"<!date\^-?\d+\^[^<>|]*\|[^<>|]*>|<@[UW][A-Z0-9]+>|<https?://[^\s<>|]+\|[^<>|]*>",
)
_ENTITY = re.compile(r"&(?!amp;|lt;|gt;)")


def assert_mrkdwn_safe(payload) -> None:
    """No user text can mention, link or inject a token: only our own `<...>` tokens survive."""
    for text in mrkdwn_texts(payload) + ([payload] if isinstance(payload, str) else []):
        rest = _OUR_TOKENS.sub("", text)
        assert "<" not in rest and ">" not in rest, text
        assert not _ENTITY.search(text), text


def all_actions(blocks: list[dict]) -> list[tuple[str, str | None]]:
    found = []
    for block in blocks:
        elements = block.get("elements", []) if block["type"] == "actions" else [block.get("accessory")]
        found += [(e["action_id"], e.get("value")) for e in elements if e and "action_id" in e]
    return found


def input_elements(view: dict) -> dict[str, dict]:
    return {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}


# --- text helpers ---------------------------------------------------------------------------


def test_escape_neutralises_mentions_links_and_ampersands():
    assert escape(HOSTILE) == HOSTILE_ESCAPED
    assert escape("&lt;") == "&amp;lt;"


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("short", 10, "short"),
        ("exactly10!", 10, "exactly10!"),
        ("abcdefghijk", 10, "abcdefghi…"),
        ("abcd     efgh", 8, "abcd…"),
        ("abc", 1, "…"),
        ("abc", 0, ""),
    ],
)
def test_truncate_adds_an_ellipsis_and_never_exceeds_the_limit(text, limit, expected):
    assert truncate(text, limit) == expected
    assert len(truncate(text, limit)) <= limit


def test_escape_truncate_never_splits_an_entity():
    for limit in range(1, 30):
        out = escape_truncate("a&b<c>d" * 5, limit)
        assert len(out) <= limit
        assert not re.search(r"&(?!amp;|lt;|gt;)", out)


def test_truncate_mrkdwn_drops_a_half_token_rather_than_cutting_it():
    text = "hello <!date^1715083200^{date_short}|2024-05-07> world"
    out = truncate_mrkdwn(text, 20)
    assert out == "hello…"
    assert truncate_mrkdwn("a &amp; b", 5) == "a…"


def test_date_token_is_slack_date_syntax_with_a_utc_fallback():
    when = datetime(2024, 5, 7, 14, 30, tzinfo=UTC)
    assert date_token(when) == "<!date^1715092200^{date_short_pretty} at {time}|2024-05-07 14:30 UTC>"
    assert date_token(when, "{date_short_pretty}") == "<!date^1715092200^{date_short_pretty}|2024-05-07>"


@pytest.mark.parametrize(
    ("delta", "expected"),
    [
        (timedelta(seconds=10), "just now"),
        (timedelta(minutes=1), "1 minute ago"),
        (timedelta(minutes=5), "5 minutes ago"),
        (timedelta(hours=3), "3 hours ago"),
        (timedelta(days=1), "1 day ago"),
        (timedelta(days=12), "12 days ago"),
        (timedelta(days=95), "3 months ago"),
        (timedelta(days=800), "2 years ago"),
        (timedelta(seconds=-30), "just now"),
        (timedelta(days=-2), "in 2 days"),
    ],
)
def test_ago_reads_like_a_person(delta, expected):
    assert ago(NOW - delta, NOW) == expected


@pytest.mark.parametrize(
    ("minutes", "expected"), [(0, "0 min"), (30, "30 min"), (60, "1 h"), (90, "1 h 30 min"), (1440, "24 h")]
)
def test_duration_text(minutes, expected):
    assert duration_text(minutes) == expected


def test_every_type_has_an_emoji_and_a_label():
    assert set(TYPE_EMOJI) == set(TYPE_LABEL) == set(INTERACTION_TYPES)
    assert TYPE_EMOJI["call"] == ":telephone_receiver:"
    assert TYPE_EMOJI["note"] == ":memo:"


def test_text_objects_enforce_limits_and_never_go_blank():
    assert len(plain("x" * 500, 75)["text"]) == 75
    assert len(mrkdwn("x" * 5000)["text"]) == 3000
    assert plain("   ")["text"].strip()
    assert mrkdwn("")["text"].strip()
    assert mrkdwn("hi")["verbatim"] is True


def test_split_escaped_keeps_every_character_in_order():
    notes = ("Line one & <two>\n" * 400).strip()
    chunks = split_escaped(notes, 1000)
    assert all(len(chunk) <= 1000 for chunk in chunks)
    assert "".join(chunks) == escape(notes)


def test_fit_lines_counts_what_did_not_fit():
    lines = [f"line {n} " + "x" * 90 for n in range(100)]
    text = fit_lines(lines, 1000)
    assert len(text) <= 1000
    assert re.search(r"…and \d+ more$", text)
    assert fit_lines(["a", "b"], 100) == "a\nb"


# --- interaction card -----------------------------------------------------------------------


def test_interaction_card_shows_what_when_and_who_with_edit_delete_and_timeline():
    blocks = interaction_card(make_interaction(), now=NOW)
    check_blocks(blocks)
    assert [b["type"] for b in blocks] == ["section", "actions"]
    text = blocks[0]["text"]["text"]
    assert text.startswith(":telephone_receiver: *Call with Jane Doe*")
    assert "<!date^" in text and "^{ago}|" in text  # Slack keeps "3 days ago" current
    assert "30 min" in text
    assert "Renewal talk" in text
    assert "They want a discount." in text
    assert "Logged by <@U123>" in text
    assert "View the original message" not in text
    assert all_actions(blocks) == [
        (ids.ACTION_EDIT_INTERACTION, "7"),
        (ids.ACTION_DELETE_INTERACTION, "7"),
        (ids.ACTION_OPEN_TIMELINE, "3"),
    ]
    delete = blocks[1]["elements"][1]
    assert delete["style"] == "danger"
    assert delete["confirm"]["title"]["text"] == "Delete this interaction?"
    assert delete["confirm"]["text"]["text"].endswith("You can undo this right after.")
    assert delete["confirm"]["confirm"]["text"] == "Delete"


def test_interaction_card_without_edit_rights_offers_only_the_timeline():
    blocks = interaction_card(make_interaction(), now=NOW, can_edit=False)
    check_blocks(blocks)
    assert all_actions(blocks) == [(ids.ACTION_OPEN_TIMELINE, "3")]


def test_interaction_card_links_the_original_message():
    blocks = interaction_card(make_interaction(permalink=PERMALINK), now=NOW)
    check_blocks(blocks)
    text = blocks[0]["text"]["text"]
    assert f"<{PERMALINK.replace('&', '&amp;')}|View the original message>" in text


def test_interaction_card_leaves_out_a_missing_duration_and_notes():
    blocks = interaction_card(make_interaction(duration_minutes=None, notes=None), now=NOW)
    check_blocks(blocks)
    text = blocks[0]["text"]["text"]
    assert " min" not in text
    assert "None" not in text


@pytest.mark.parametrize(
    ("kind", "title"),
    [
        ("email", ":email: *Email with Jane Doe*"),
        ("meeting", ":handshake: *Meeting with Jane Doe*"),
        ("message", ":speech_balloon: *Message with Jane Doe*"),
        ("note", ":memo: *Note about Jane Doe*"),
        ("other", ":pushpin: *Interaction with Jane Doe*"),
    ],
)
def test_interaction_card_title_follows_the_type(kind, title):
    blocks = interaction_card(make_interaction(type=kind), now=NOW)
    assert blocks[0]["text"]["text"].startswith(title)


def test_interaction_card_escapes_names_summaries_and_notes():
    record = make_interaction(contact_name=HOSTILE, summary=HOSTILE, notes=HOSTILE, permalink=PERMALINK)
    blocks = interaction_card(record, now=NOW)
    check_blocks(blocks)
    assert_mrkdwn_safe(blocks)
    text = blocks[0]["text"]["text"]
    assert text.count(HOSTILE_ESCAPED) == 3
    assert "<!channel>" not in text


def test_interaction_card_with_the_largest_inputs_stays_within_limits():
    record = make_interaction(
        contact_name="Ж" * 200,
        summary="<" * 300,
        notes="日本語のメモ" * 500,
        permalink="https://acme.slack.com/archives/C1/p1?" + "a=1&" * 240,
    )
    blocks = interaction_card(record, now=NOW)
    check_blocks(blocks)
    assert_mrkdwn_safe(blocks)
    text = blocks[0]["text"]["text"]
    assert "Logged by <@U123>" in text
    assert "…" in text


def test_deleted_card_says_what_was_deleted_and_offers_undo():
    blocks = deleted_card(make_interaction(deleted_at=NOW), now=NOW)
    check_blocks(blocks)
    assert "Deleted: call with Jane Doe — Renewal talk" in blocks[0]["text"]["text"]
    assert all_actions(blocks) == [(ids.ACTION_UNDO_DELETE, "7")]


def test_interaction_line_is_one_escaped_line():
    line = interaction_line(make_interaction(contact_name=HOSTILE, summary="a\nb " + HOSTILE), now=NOW)
    assert "\n" not in line
    assert line.startswith(":telephone_receiver: <!date^")
    assert HOSTILE_ESCAPED in line
    assert_mrkdwn_safe(line)
    long_line = interaction_line(make_interaction(contact_name="&" * 200, summary="<" * 300), now=NOW)
    assert len(long_line) <= LINE_MAX_CHARS


def test_interaction_line_can_leave_out_the_contact():
    line = interaction_line(make_interaction(), now=NOW, with_contact=False)
    assert "Jane" not in line and "Renewal talk" in line


# --- detail modal ---------------------------------------------------------------------------


def test_detail_modal_shows_every_field_and_edit_delete_buttons():
    record = make_interaction(
        permalink=PERMALINK, updated_by="U999", updated_at=NOW - timedelta(days=1), notes="Full notes"
    )
    view = interaction_detail_modal(record, now=NOW, can_edit=True)
    check_view(view)
    assert view["callback_id"] == ids.DETAIL_MODAL
    assert view["title"]["text"] == "Interaction"
    assert view["close"]["text"] == "Close"
    assert "submit" not in view
    everything = "\n".join(texts(view))
    for expected in (
        "Call with Jane Doe",
        "*Contact*\nJane Doe",
        ":telephone_receiver: Call",
        "^{ago}|",
        "30 min",
        "Renewal talk",
        "Full notes",
        "View the original message",
        "Logged by <@U123>",
        "Edited by <@U999>",
    ):
        assert expected in everything
    assert [a for a, _ in all_actions(view["blocks"])] == [
        ids.ACTION_EDIT_INTERACTION,
        ids.ACTION_DELETE_INTERACTION,
    ]


def test_detail_modal_without_edit_rights_has_no_buttons_and_no_edited_line():
    view = interaction_detail_modal(make_interaction(), now=NOW, can_edit=False)
    check_view(view)
    assert all_actions(view["blocks"]) == []
    assert not any("Edited by" in t for t in texts(view))


def test_detail_modal_of_a_deleted_interaction_offers_undo():
    view = interaction_detail_modal(make_interaction(deleted_at=NOW), now=NOW, can_edit=True)
    check_view(view)
    assert [a for a, _ in all_actions(view["blocks"])] == [ids.ACTION_UNDO_DELETE]


def test_detail_modal_shows_long_notes_in_full_across_sections():
    notes = ("Ünïcödé & <notes> 日本語\n" * 140)[:3000]
    view = interaction_detail_modal(make_interaction(notes=notes), now=NOW, can_edit=True)
    check_view(view)
    note_sections = [
        b["text"]["text"]
        for b in view["blocks"]
        if b["type"] == "section" and "text" in b and "Summary" not in b["text"]["text"]
    ]
    assert len(note_sections) > 1
    assert "".join(note_sections).removeprefix("*Notes*\n") == escape(notes)


def test_detail_modal_of_notes_beyond_any_limit_still_fits_a_modal():
    view = interaction_detail_modal(make_interaction(notes="&" * 400_000), now=NOW, can_edit=True)
    check_view(view)
    assert len(view["blocks"]) == 100
    assert view["blocks"][-1]["type"] == "actions"


# --- log modal ------------------------------------------------------------------------------


def full_prefill(**changes) -> LogPrefill:
    prefill = LogPrefill(
        contact_id=3,
        contact_name="Jane Doe",
        new_contact_name=None,
        type="call",
        date=date(2024, 5, 7),
        time="15:00",
        duration_minutes=30,
        summary="Renewal talk",
        notes="Notes",
        interaction_id=None,
        permalink=None,
        notice=None,
    )
    return replace(prefill, **changes)


def test_log_modal_has_every_input_in_order_with_our_ids():
    view = log_modal(full_prefill(), private_metadata='{"channel": "C1"}')
    check_view(view)
    assert view["callback_id"] == ids.LOG_MODAL
    assert view["title"]["text"] == "Log interaction"
    assert view["submit"]["text"] == "Save"
    assert view["close"]["text"] == "Cancel"
    assert view["private_metadata"] == '{"channel": "C1"}'
    inputs = input_elements(view)
    assert list(inputs) == [
        ids.BLOCK_CONTACT,
        ids.BLOCK_TYPE,
        ids.BLOCK_DATE,
        ids.BLOCK_TIME,
        ids.BLOCK_DURATION,
        ids.BLOCK_SUMMARY,
        ids.BLOCK_NOTES,
        ids.BLOCK_FOLLOW_UP,
    ]
    elements = {block_id: block["element"] for block_id, block in inputs.items()}
    assert [(e["type"], e["action_id"]) for e in elements.values()] == [
        ("multi_external_select", ids.ACTION_CONTACT_SELECT),
        ("static_select", "type_input"),
        ("datepicker", "date_input"),
        ("timepicker", "time_input"),
        ("number_input", "duration_input"),
        ("plain_text_input", "summary_input"),
        ("plain_text_input", "notes_input"),
        ("datepicker", "follow_up_input"),
    ]
    contact = elements[ids.BLOCK_CONTACT]
    assert contact["min_query_length"] == 1
    assert contact["placeholder"]["text"] == "Search or add contacts"
    assert contact["initial_options"] == [{"text": plain("Jane Doe", 75), "value": "3"}]
    assert contact["max_selected_items"] == 20
    kinds = elements[ids.BLOCK_TYPE]
    assert [o["value"] for o in kinds["options"]] == list(INTERACTION_TYPES)
    assert kinds["options"][0]["text"]["text"] == ":telephone_receiver: Call"
    assert kinds["initial_option"]["value"] == "call"
    assert elements[ids.BLOCK_DATE]["initial_date"] == "2024-05-07"
    assert elements[ids.BLOCK_TIME]["initial_time"] == "15:00"
    duration = elements[ids.BLOCK_DURATION]
    assert (duration["is_decimal_allowed"], duration["min_value"], duration["max_value"]) == (
        False,
        "0",
        "1440",
    )
    assert duration["initial_value"] == "30"
    assert elements[ids.BLOCK_SUMMARY]["max_length"] == 300
    assert elements[ids.BLOCK_SUMMARY]["initial_value"] == "Renewal talk"
    assert elements[ids.BLOCK_NOTES]["max_length"] == 3000
    assert elements[ids.BLOCK_NOTES]["multiline"] is True
    optional = {block_id for block_id, block in inputs.items() if block.get("optional")}
    assert optional == {
        ids.BLOCK_TIME,
        ids.BLOCK_DURATION,
        ids.BLOCK_NOTES,
        ids.BLOCK_FOLLOW_UP,
    }  # no time: only the day is known
    assert not any(b["type"] == "context" for b in view["blocks"])


def test_log_modal_empty_prefill_has_no_initial_values():
    view = log_modal(LogPrefill(), private_metadata="")
    check_view(view)
    for block in input_elements(view).values():
        assert not any(key.startswith("initial_") for key in block["element"])


def test_log_modal_for_editing_is_titled_edit():
    view = log_modal(full_prefill(interaction_id=7), private_metadata="{}")
    check_view(view)
    assert view["title"]["text"] == "Edit interaction"


def test_log_modal_offers_to_create_a_new_contact():
    view = log_modal(
        full_prefill(contact_id=None, contact_name=None, new_contact_name="Jane"), private_metadata=""
    )
    check_view(view)
    initial = input_elements(view)[ids.BLOCK_CONTACT]["element"]["initial_options"][0]
    assert initial["value"] == ids.NEW_CONTACT_PREFIX + "Jane"
    assert initial["text"]["text"] == "Create contact “Jane”"


def test_log_modal_shows_the_notice_and_the_permalink():
    view = log_modal(
        full_prefill(notice="I couldn't tell which <Jane> you meant.", permalink=PERMALINK),
        private_metadata="",
    )
    check_view(view)
    assert view["blocks"][0]["type"] == "context"
    context_text = " ".join(texts(view["blocks"][0]))
    assert "I couldn't tell which &lt;Jane&gt; you meant." in context_text
    assert PERMALINK.replace("&", "&amp;") in context_text


def test_log_modal_truncates_initial_values_to_what_the_inputs_accept():
    view = log_modal(
        full_prefill(
            contact_name="Ж" * 200,
            summary="日本語" * 200,
            notes="ü" * 5000,
            duration_minutes=5000,
            time="25:99",
        ),
        private_metadata="x" * 3000,
    )
    check_view(view)
    elements = {k: b["element"] for k, b in input_elements(view).items()}
    assert len(elements[ids.BLOCK_SUMMARY]["initial_value"]) == 300
    assert len(elements[ids.BLOCK_NOTES]["initial_value"]) == 3000
    assert elements[ids.BLOCK_DURATION]["initial_value"] == "1440"
    assert "initial_time" not in elements[ids.BLOCK_TIME]
    assert len(elements[ids.BLOCK_CONTACT]["initial_options"][0]["text"]["text"]) == 75


def test_log_modal_refuses_oversized_private_metadata():
    with pytest.raises(ValueError, match="private_metadata"):
        log_modal(LogPrefill(), private_metadata="x" * 3001)


def test_log_modal_new_contact_with_a_huge_name_fits_option_limits():
    view = log_modal(LogPrefill(new_contact_name="名" * 500), private_metadata="")
    check_view(view)
    initial = input_elements(view)[ids.BLOCK_CONTACT]["element"]["initial_options"][0]
    assert initial["text"]["text"].endswith("…”")
    assert len(initial["value"]) == 150


# --- contact picker options -----------------------------------------------------------------


def test_contact_options_offer_close_matches_before_create_when_nothing_matches_exactly():
    contacts = [
        make_contact(id=1, name="Jane Doe"),
        make_contact(id=2, name="Janet", company=None, email=None),
    ]
    options = contact_options([match(c) for c in contacts], "Jan")
    check_options(options)
    assert [o["value"] for o in options] == ["1", "2", ids.NEW_CONTACT_PREFIX + "Jan"]
    assert options[2]["text"]["text"] == "Create contact “Jan”"
    assert options[0]["text"]["text"] == "Jane Doe"
    assert options[0]["description"]["text"] == "Acme"
    assert "description" not in options[1]


def test_contact_options_skip_create_on_an_exact_match_or_empty_query():
    contact = make_contact()
    assert [o["value"] for o in contact_options([match(contact, exact=True)], "Jane Doe")] == ["3"]
    assert contact_options([], "  ") == []


def test_contact_options_respect_option_limits():
    contacts = [make_contact(id=n, name="Ж" * 200, company="C" * 200) for n in range(1, 151)]
    options = contact_options([match(c) for c in contacts], "q" * 400)
    check_options(options)
    assert len(options) == 100
    assert len(options[-1]["value"]) == 150
    assert options[-1]["value"].startswith(ids.NEW_CONTACT_PREFIX)


# --- contact and snooze modals --------------------------------------------------------------


def test_contact_modal_prefills_every_field():
    view = contact_modal(make_contact(cadence_days=14, slack_user_id="U5"), private_metadata="3")
    check_view(view)
    assert view["callback_id"] == ids.CONTACT_MODAL
    assert view["title"]["text"] == "Edit contact"
    inputs = input_elements(view)
    assert list(inputs) == [
        ids.BLOCK_CONTACT_NAME,
        ids.BLOCK_CONTACT_EMAIL,
        ids.BLOCK_CONTACT_COMPANY,
        ids.BLOCK_CONTACT_CADENCE,
        ids.BLOCK_CONTACT_OWNER,
    ]
    elements = {k: b["element"] for k, b in inputs.items()}
    assert all(e["action_id"] == k + "_input" for k, e in elements.items())
    assert elements[ids.BLOCK_CONTACT_NAME]["initial_value"] == "Jane Doe"
    assert elements[ids.BLOCK_CONTACT_EMAIL]["type"] == "email_text_input"
    assert elements[ids.BLOCK_CONTACT_EMAIL]["initial_value"] == "jane@acme.example"
    assert elements[ids.BLOCK_CONTACT_COMPANY]["initial_value"] == "Acme"
    assert elements[ids.BLOCK_CONTACT_CADENCE]["initial_value"] == "14"
    assert (
        elements[ids.BLOCK_CONTACT_CADENCE]["min_value"],
        elements[ids.BLOCK_CONTACT_CADENCE]["max_value"],
    ) == (
        "1",
        "3650",
    )
    assert elements[ids.BLOCK_CONTACT_OWNER] == {
        "type": "users_select",
        "action_id": ids.ACTION_CONTACT_OWNER_INPUT,
        "initial_user": "U123",
    }
    assert not inputs[ids.BLOCK_CONTACT_NAME].get("optional")
    assert inputs[ids.BLOCK_CONTACT_EMAIL]["optional"] is True


def test_contact_modal_hint_names_the_workspace_default_cadence():
    view = contact_modal(
        make_contact(cadence_days=None, effective_cadence_days=45, email=None), private_metadata=""
    )
    check_view(view)
    cadence = input_elements(view)[ids.BLOCK_CONTACT_CADENCE]
    assert cadence["hint"]["text"] == "Empty uses the workspace default (45 days)."
    assert "initial_value" not in cadence["element"]
    assert "initial_value" not in input_elements(view)[ids.BLOCK_CONTACT_EMAIL]["element"]


def test_snooze_modal_starts_a_week_from_today():
    view = snooze_modal(make_contact(), today=date(2024, 12, 28), private_metadata="3")
    check_view(view)
    assert view["callback_id"] == ids.SNOOZE_MODAL
    element = input_elements(view)[ids.BLOCK_SNOOZE_DATE]["element"]
    assert element == {"type": "datepicker", "action_id": "snooze_date_input", "initial_date": "2025-01-04"}


# --- contact card, choices, not found -------------------------------------------------------


def field_texts(blocks) -> list[str]:
    return [f["text"] for b in blocks if b["type"] == "section" for f in b.get("fields", [])]


def test_contact_card_shows_who_when_and_what_next():
    contact = make_contact(slack_user_id="U5")
    recent = [make_interaction(id=n, summary=f"Talk {n}") for n in range(3)]
    blocks = contact_card(contact, recent, now=NOW)
    check_blocks(blocks)
    # The second actions block: "Merge into…" and "Archive".
    assert [b["type"] for b in blocks] == ["header", "section", "section", "actions", "actions"]
    assert blocks[0]["text"]["text"] == "Jane Doe"
    fields = "\n".join(field_texts(blocks))
    for expected in (
        "Acme",
        "jane@acme.example",
        "<@U5>",
        "<@U123>",
        "^{ago}|",
        "Every 30 days",
        "*Next touch*\n<!date^",
    ):
        assert expected in fields
    assert "Overdue" not in fields
    history = blocks[2]["text"]["text"]
    assert all(f"Talk {n}" in history for n in range(3))
    assert [a for a, _ in all_actions(blocks)] == [
        ids.ACTION_LOG_FOR_CONTACT,
        ids.ACTION_OPEN_TIMELINE,
        ids.ACTION_EDIT_CONTACT,
        ids.ACTION_SNOOZE_CONTACT,
        ids.ACTION_MERGE_CONTACT,
        ids.ACTION_ARCHIVE_CONTACT,
    ]
    merge, archive = blocks[4]["elements"]
    assert blocks[4]["block_id"] == ids.MERGE_BLOCK_PREFIX + "3"  # the contact merged is in the block id
    assert merge["type"] == "external_select" and "confirm" in merge and "confirm" in archive
    log, timeline, edit, snooze = blocks[3]["elements"]
    assert log["style"] == "primary" and log["value"] == timeline["value"] == edit["value"] == "3"
    assert snooze["type"] == "static_select"
    assert snooze["placeholder"]["text"] == "Snooze"
    assert [(o["text"]["text"], o["value"]) for o in snooze["options"]] == [
        ("1 week", "3:7"),
        ("1 month", "3:30"),
        ("Pick a date…", "3:pick"),
    ]


def test_contact_card_of_a_stale_never_contacted_contact():
    contact = make_contact(
        last_contacted_at=None, due_at=NOW - timedelta(days=12), cadence_days=14, effective_cadence_days=14
    )
    blocks = contact_card(contact, [], now=NOW)
    check_blocks(blocks)
    fields = "\n".join(field_texts(blocks))
    assert "*Last contacted*\nNever" in fields
    assert ":warning: Overdue by 12 days" in fields
    assert "Every 14 days" in fields and "default" not in fields
    assert blocks[2]["text"]["text"] == "No interactions yet."


def test_contact_card_shows_a_snooze():
    contact = make_contact(snoozed_until=NOW + timedelta(days=5), due_at=NOW + timedelta(days=5))
    fields = "\n".join(field_texts(contact_card(contact, [], now=NOW)))
    assert "*Next touch*\n:zzz: Snoozed until" in fields


def test_contact_card_with_huge_inputs_stays_within_limits():
    contact = make_contact(
        name="名" * 200, company="<&>" * 70, email="x" * 254, slack_user_id="not an id <!here>"
    )
    recent = [make_interaction(id=n, contact_name="Ж" * 200, summary="&" * 300) for n in range(40)]
    blocks = contact_card(contact, recent, now=NOW)
    check_blocks(blocks)
    assert_mrkdwn_safe(blocks)
    assert len(blocks[0]["text"]["text"]) <= 150
    assert "more" in blocks[2]["text"]["text"]


def test_contact_choices_offer_a_button_per_match_and_create():
    contacts = [make_contact(id=1, name="Jane Doe"), make_contact(id=2, name="Jane Roe", company=None)]
    blocks = contact_choices([match(c) for c in contacts], "Jane")
    check_blocks(blocks)
    assert blocks[0]["text"]["text"] == "Which contact did you mean?"
    buttons = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert [(b["action_id"], b.get("value"), b["text"]["text"]) for b in buttons] == [
        (ids.ACTION_SHOW_CONTACT, "1", "Jane Doe (Acme)"),
        (ids.ACTION_SHOW_CONTACT, "2", "Jane Roe"),
        (ids.ACTION_CREATE_CONTACT, "Jane", "Create “Jane”"),
    ]


def test_contact_choices_stop_at_ten_and_fit_button_limits():
    contacts = [make_contact(id=n, name="Ж" * 200, company="C" * 200) for n in range(1, 101)]
    blocks = contact_choices([match(c) for c in contacts], "q" * 5000)
    check_blocks(blocks)
    actions = all_actions(blocks)
    assert [a for a, _ in actions].count(ids.ACTION_SHOW_CONTACT) == 10
    assert actions[-1][0] == ids.ACTION_CREATE_CONTACT
    assert len(actions[-1][1]) == 2000


def test_contact_not_found_offers_to_create():
    blocks = contact_not_found("Jane <!here>")
    check_blocks(blocks)
    assert blocks[0]["text"]["text"] == "No contact matches “Jane &lt;!here&gt;”."
    assert all_actions(blocks) == [(ids.ACTION_CREATE_CONTACT, "Jane <!here>")]
    assert all_actions(contact_not_found("  ")) == []


# --- messages -------------------------------------------------------------------------------


def test_notice_is_one_escaped_section():
    blocks = notice(HOSTILE)
    check_blocks(blocks)
    assert blocks == [{"type": "section", "text": mrkdwn(HOSTILE_ESCAPED)}]


# --- the checker itself ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("blocks", "path"),
    [
        ([{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}], r"blocks\[0\]\.text\.text"),
        ([{"type": "section", "text": {"type": "mrkdwn", "text": "x"}}] * 51, r"^blocks: 51 blocks"),
        (
            [
                {
                    "type": "actions",
                    "elements": [
                        {"type": "button", "action_id": "a", "text": {"type": "plain_text", "text": "x"}},
                        {"type": "button", "action_id": "a", "text": {"type": "plain_text", "text": "y"}},
                    ],
                }
            ],
            r"blocks\[0\]\.elements\[1\]\.action_id: duplicate",
        ),
        (
            [
                {
                    "type": "actions",
                    "elements": [
                        {"type": "button", "action_id": "a", "text": {"type": "plain_text", "text": "x" * 76}}
                    ],
                }
            ],
            r"blocks\[0\]\.elements\[0\]\.text\.text",
        ),
        ([{"type": "header", "text": {"type": "mrkdwn", "text": "x"}}], r"blocks\[0\]\.text\.type"),
        (
            [{"type": "divider", "block_id": "a"}, {"type": "divider", "block_id": "a"}],
            r"blocks\[1\]\.block_id",
        ),
        ([{"type": "section", "text": {"type": "mrkdwn", "text": "  "}}], r"blank text"),
    ],
)
def test_checker_names_the_path_of_what_breaks_a_limit(blocks, path):
    with pytest.raises(AssertionError, match=path):
        check_blocks(blocks)


def test_checker_rejects_initial_values_beyond_max_length_and_long_titles():
    view = log_modal(LogPrefill(), private_metadata="")
    view["blocks"][6]["element"]["initial_value"] = "x" * 3001  # the notes
    with pytest.raises(AssertionError, match=r"view\.blocks\[6\]\.element\.initial_value"):
        check_view(view)
    view = log_modal(LogPrefill(), private_metadata="")
    view["title"]["text"] = "x" * 25
    with pytest.raises(AssertionError, match=r"view\.title\.text"):
        check_view(view)


def test_checker_catches_keys_slack_sdk_would_drop():
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "x"}, "accesory": {}}]
    with pytest.raises(AssertionError, match="slack_sdk"):
        check_blocks(blocks)


# --- any input at all -----------------------------------------------------------------------

_pieces = st.one_of(
    st.characters(exclude_categories=("Cs",)),
    st.sampled_from([*"<>&|*_~`@!:\n ", "<!channel>", "<@U1>", "&amp;", "\u200b", "👍🏽", "ä"]),
)


def _texts(max_size: int) -> st.SearchStrategy[str]:
    """Any text, weighted towards what mrkdwn cares about."""
    return st.lists(_pieces, max_size=max_size).map("".join)


any_text = _texts(60)
long_text = st.one_of(any_text, _texts(3500))
maybe_text = st.none() | any_text
moments = st.datetimes(
    min_value=datetime(1971, 1, 1),
    max_value=datetime(2100, 1, 1),
    timezones=st.just(UTC),
    allow_imaginary=False,
)
user_ids = st.sampled_from(["U123", "W9ABC"]) | any_text
permalinks = st.none() | st.just(PERMALINK) | any_text.map(lambda s: "https://x.slack.com/" + s) | any_text

interactions = st.builds(
    InteractionRecord,
    id=st.integers(1, 2**53),
    team_id=st.just("T1"),
    contact_id=st.integers(1, 2**53),
    contact_name=st.one_of(any_text, st.text(max_size=250)),
    type=st.sampled_from(INTERACTION_TYPES) | any_text,
    occurred_at=moments,
    duration_minutes=st.none() | st.integers(0, 1440),
    summary=st.one_of(any_text, st.text(max_size=300)),
    notes=st.none() | long_text,
    logged_by=user_ids,
    source=st.just("modal"),
    permalink=permalinks,
    created_at=moments,
    updated_at=moments,
    updated_by=st.none() | user_ids,
    deleted_at=st.none() | moments,
)
contacts = st.builds(
    ContactRecord,
    id=st.integers(1, 2**53),
    team_id=st.just("T1"),
    name=st.one_of(any_text, st.text(max_size=250)),
    email=maybe_text,
    company=maybe_text,
    slack_user_id=st.none() | user_ids,
    owner_user_id=user_ids,
    cadence_days=st.none() | st.integers(1, 3650),
    effective_cadence_days=st.integers(1, 3650),
    snoozed_until=st.none() | moments,
    last_contacted_at=st.none() | moments,
    due_at=moments,
    created_by=st.just("U1"),
    created_at=moments,
    updated_at=moments,
)
matches = st.lists(
    st.builds(ContactMatch, contact=contacts, score=st.floats(0, 1), exact=st.booleans()), max_size=120
)
prefills = st.builds(
    LogPrefill,
    contact_id=st.none() | st.integers(1, 2**53),
    contact_name=maybe_text,
    new_contact_name=st.none() | st.text(max_size=300),
    type=st.none() | st.sampled_from(INTERACTION_TYPES) | any_text,
    date=st.none() | st.dates(min_value=date(1971, 1, 1), max_value=date(2100, 1, 1)),
    time=st.none() | st.sampled_from(["00:00", "09:30", "23:59", "24:00", "9:5"]) | any_text,
    duration_minutes=st.none() | st.integers(-100, 100_000),
    summary=st.none() | st.text(max_size=400),
    notes=st.none() | long_text,
    interaction_id=st.none() | st.integers(1, 2**53),
    permalink=permalinks,
    notice=maybe_text,
)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(interaction=interactions, now=moments, can_edit=st.booleans())
def test_interaction_renderers_stay_within_limits_for_any_input(interaction, now, can_edit):
    card = interaction_card(interaction, now=now, can_edit=can_edit)
    check_blocks(card)
    assert_mrkdwn_safe(card)
    deleted = deleted_card(interaction, now=now)
    check_blocks(deleted)
    assert_mrkdwn_safe(deleted)
    line = interaction_line(interaction, now=now)
    assert len(line) <= LINE_MAX_CHARS and "\n" not in line
    assert_mrkdwn_safe(line)
    view = interaction_detail_modal(interaction, now=now, can_edit=can_edit)
    check_view(view)
    assert_mrkdwn_safe(view)


@SETTINGS
@given(prefill=prefills, metadata=st.text(max_size=3000))
def test_log_modal_stays_within_limits_for_any_prefill(prefill, metadata):
    view = log_modal(prefill, private_metadata=metadata)
    check_view(view)
    assert_mrkdwn_safe(view)


@SETTINGS
@given(
    contact=contacts,
    recent=st.lists(interactions, max_size=25),
    now=moments,
    today=st.dates(max_value=date(2100, 1, 1)),
)
def test_contact_renderers_stay_within_limits_for_any_contact(contact, recent, now, today):
    card = contact_card(contact, recent, now=now)
    check_blocks(card)
    assert_mrkdwn_safe(card)
    check_view(contact_modal(contact, private_metadata=str(contact.id)))
    snooze = snooze_modal(contact, today=today, private_metadata="")
    check_view(snooze)
    assert_mrkdwn_safe(snooze)


@SETTINGS
@given(found=matches, query=st.one_of(any_text, st.text(max_size=3000)))
def test_contact_lookups_stay_within_limits_for_any_query(found, query):
    check_options(contact_options(found, query))
    for blocks in (contact_choices(found, query), contact_not_found(query)):
        check_blocks(blocks)
        assert_mrkdwn_safe(blocks)


@SETTINGS
@given(text=long_text)
def test_messages_stay_within_limits_for_any_text(text):
    blocks = notice(text)
    check_blocks(blocks)
    assert_mrkdwn_safe(blocks)
