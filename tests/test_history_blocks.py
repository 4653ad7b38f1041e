"""The history part of the detail view (blocks/history.py): what each change reads like, escaping,
and Slack's limits however long the history and the notes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from blocks.history import HISTORY_SHOWN, entry_text, history_blocks
from blocks.interactions import interaction_detail_modal
from bot.domain.history import HistoryEntry, HistoryPage
from bot.domain.rules import NOTES_MAX_CHARS
from tests.blockkit import check_view
from tests.test_blocks import make_interaction

NOW = datetime(2026, 11, 21, 9, 2, tzinfo=UTC)
STAMP = int(NOW.timestamp())
NOV_20_3PM = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
NOV_19 = datetime(2026, 11, 19, 8, 0, tzinfo=UTC)  # the start of that day where it was logged
JANE = {"id": 3, "name": "Jane Doe"}
MAY = {"id": 4, "name": "May <Chen> & co"}


def entry(action="edited", *, who="U123", at=NOW, n=1, **changes) -> HistoryEntry:
    return HistoryEntry(id=n, interaction_id=7, action=action, actor_user_id=who, at=at, changes=changes)


def iso(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def token(when: datetime, fmt: str) -> str:
    fallback = when.strftime("%Y-%m-%d %H:%M UTC") if "{time" in fmt else when.strftime("%Y-%m-%d")
    return f"<!date^{int(when.timestamp())}^{fmt}|{fallback}>"


def test_an_edit_reads_who_when_then_each_field_old_to_new():
    text = entry_text(
        entry(
            occurred_at=(iso(NOV_20_3PM), iso(NOV_19)),
            time_known=(True, False),
            summary=("renewal talk", "renewal <!channel> terms"),
            duration_minutes=(30, None),
            type=("call", "meeting"),
            contacts=([JANE], [JANE, MAY]),
        )
    )
    first, *lines = text.split("\n")
    assert (
        first == f"Edited by <@U123> · <!date^{STAMP}^{{date_short_pretty}} at {{time}}|2026-11-21 09:02 UTC>"
    )
    assert lines == [
        # A time that became a day shows as a date only, in the viewer's time zone (Slack's token).
        f"*When*: {token(NOV_20_3PM, '{date_short_pretty} at {time}')} → {token(NOV_19, '{date_short_pretty}')}",
        "*Summary*: “renewal talk” → “renewal &lt;!channel&gt; terms”",
        "*Duration*: 30 min → none",
        "*Type*: Call → Meeting",
        "*Contacts*: Jane Doe → Jane Doe, May &lt;Chen&gt; &amp; co",
    ]


@pytest.mark.parametrize(
    ("old", "new", "line"),
    [
        (None, "short", "*Notes* added"),
        ("short", None, "*Notes* removed"),
        ("short", "shorter", "*Notes*: “short” → “shorter”"),
        ("a" * 101, "b", "*Notes* changed"),
        ("line one\nline two", "line one", "*Notes* changed"),
    ],
)
def test_notes_are_shown_when_short_and_summarised_when_long(old, new, line):
    assert entry_text(entry(notes=(old, new))).split("\n")[1:] == [line]


def test_each_action_has_its_own_words():
    created = entry("created", source=(None, "workflow"), summary=(None, "hi"))
    assert entry_text(created).startswith("Logged by <@U123> · <!date^")
    assert entry_text(created).endswith(" · from a workflow")  # the values are in the view above
    assert entry_text(entry("deleted", who="U9")).startswith("Deleted by <@U9> · ")
    assert entry_text(entry("restored")).startswith("Restored by <@U123> · ")
    merged = entry_text(entry("merged", contact=(JANE, MAY)))
    assert merged.startswith("Contacts merged by <@U123> · ")
    assert merged.endswith("\n*Contact*: Jane Doe → May &lt;Chen&gt; &amp; co")
    assert entry_text(entry("unmerged", contact=(MAY, JANE))).startswith("Merge undone by ")


def test_fields_and_actions_added_later_still_read_well():
    text = entry_text(entry("attendees", follow_up_on=(None, "2026-12-04"), follow_up_done=(False, True)))
    assert text.split("\n") == [
        f"Attendees by <@U123> · <!date^{STAMP}^{{date_short_pretty}} at {{time}}|2026-11-21 09:02 UTC>",
        "*Follow up on*: none → Dec 4, 2026",
        "*Follow up done*: no → yes",
    ]


def test_values_that_are_not_what_storage_writes_are_shown_escaped_never_trusted():
    text = entry_text(
        entry(who="<!here>", summary=(None, 5), occurred_at=("<@U1>", None), contacts=("x", [7]))
    )
    assert "<!here>" not in text and "<@U1>" not in text
    assert "&lt;@U1&gt;" in text


def test_history_is_newest_first_as_given_and_counts_what_it_leaves_out():
    entries = [
        entry(summary=(f"v{n}", f"v{n + 1}"), n=n, at=NOW - timedelta(minutes=n))
        for n in range(HISTORY_SHOWN + 1)
    ]
    blocks = history_blocks(HistoryPage(entries, total=40))
    assert blocks[0]["text"]["text"] == "*History*"
    shown = [b["elements"][0]["text"] for b in blocks[1:-1]]
    assert len(shown) == HISTORY_SHOWN and "“v0” → “v1”" in shown[0]
    assert blocks[-1]["elements"][0]["text"] == f"…and {40 - HISTORY_SHOWN} earlier changes"
    few = history_blocks(HistoryPage(entries[:3], total=3))
    assert len(few) == 4 and "earlier" not in json.dumps(few)
    assert history_blocks(HistoryPage([], total=0)) == []


def test_the_detail_view_stays_within_slacks_limits_with_the_longest_notes_and_history():
    long_name = {"id": 1, "name": "&" * 200}
    heavy = [
        entry(
            n=n,
            summary=("<" * 300, ">" * 300),
            contacts=([long_name] * 20, [long_name] * 20),
            notes=("&" * 3000, "<" * 3000),
            type=("call", "note"),
            duration_minutes=(1, 2),
            occurred_at=(iso(NOV_19), iso(NOV_20_3PM)),
            time_known=(True, True),
        )
        for n in range(HISTORY_SHOWN + 1)
    ]
    record = make_interaction(notes="&" * NOTES_MAX_CHARS, summary="<" * 300, deleted_at=NOW, updated_by="U9")
    view = interaction_detail_modal(record, now=NOW, can_edit=True, history=HistoryPage(heavy, total=500))
    check_view(view)
    assert len(view["blocks"]) <= 100
    text = json.dumps(view, ensure_ascii=False)
    assert "*History*" in text and f"…and {500 - HISTORY_SHOWN} earlier changes" in text
    sections = "".join(b.get("text", {}).get("text", "") for b in view["blocks"] if b["type"] == "section")
    assert sections.count("&amp;") == NOTES_MAX_CHARS  # the notes are all there, not cut for history
    assert all(len(b["elements"][0]["text"]) <= 3000 for b in view["blocks"] if b["type"] == "context")


def test_a_detail_without_history_has_no_history_part():
    view = interaction_detail_modal(make_interaction(), now=NOW, can_edit=True, history=HistoryPage([], 0))
    assert "*History*" not in json.dumps(view) and all(b["type"] != "divider" for b in view["blocks"])


def test_follow_up_changes_read_as_days():
    snoozed = entry_text(entry("follow_up_snoozed", follow_up_due_on=("2026-11-23", "2026-11-26")))
    assert snoozed.split("\n")[0].startswith("Follow-up snoozed by <@U123> · ")
    assert snoozed.split("\n")[1:] == ["*Follow-up due*: Nov 23, 2026 → Nov 26, 2026"]
    done = entry_text(entry("follow_up_done", follow_up_due_on=("2026-11-26", None)))
    assert done.split("\n")[1:] == ["*Follow-up due*: Nov 26, 2026 → none"]
    set_on = entry_text(entry(follow_up_on=(None, "2026-12-04"), follow_up_due_on=(None, "2026-12-04")))
    assert set_on.split("\n")[1:] == ["*Follow up on*: none → Dec 4, 2026"]  # due that day: said once
