"""`/interactions "words"` and the list modal's search box, end to end."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from blocks import ids
from bot.domain.records import Actor
from storage.contacts import ContactDraft, create_contact
from storage.interactions import InteractionDraft, create_interaction
from tests.blockkit import check_view

ME = Actor(team_id="T111", user_id="U111")
NOW = datetime(2026, 3, 11, 17, 0, tzinfo=UTC)


def _log(db, contact, days_ago, summary, notes=None, type="call"):
    record, _ = create_interaction(
        db,
        ME,
        InteractionDraft(
            contact_id=contact.id,
            type=type,
            occurred_at=NOW - timedelta(days=days_ago),
            summary=summary,
            notes=notes,
        ),
        now=NOW,
    )
    return record


def _rows(view) -> list[dict]:
    return [b for b in view["blocks"] if (b.get("accessory") or {}).get("action_id") == ids.ACTION_ROW_MENU]


def _row_ids(view) -> list[int]:
    return [int(b["accessory"]["options"][0]["value"].split(":")[1]) for b in _rows(view)]


def _latest_view(fake) -> dict:
    calls = [c for c in fake.calls() if c.method in ("views.open", "views.update")]
    view = calls[-1].args["view"]
    check_view(view)
    return dict(view, id="VLIST", hash="h")


def _search_box(view) -> dict:
    [box] = [b for b in view["blocks"] if b.get("block_id", "").startswith(ids.BLOCK_LIST_SEARCH)]
    return box


def _typed(view, words: str) -> dict:
    view = dict(view)
    block_id = _search_box(view)["block_id"]
    view["state"] = {
        "values": {block_id: {ids.ACTION_FILTER_SEARCH: {"type": "plain_text_input", "value": words}}}
    }
    return view


def _people(db):
    jane = create_contact(db, ME, ContactDraft(name="Jane Doe"), now=NOW)
    may = create_contact(db, ME, ContactDraft(name="May Chen"), now=NOW)
    return jane, may


def test_quoted_words_list_matching_interactions_with_the_words_in_context(touchbase):
    jane, may = _people(touchbase.db)
    terms = _log(touchbase.db, jane, 3, "Renewal TERMS agreed")
    notes = _log(
        touchbase.db, may, 2, "Quarterly sync", notes="Long preamble " * 10 + "about the renewal terms <b>&"
    )
    _log(touchbase.db, jane, 1, "Renewal pricing")
    _log(touchbase.db, jane, 1, "Lunch")
    touchbase.slack.command("/interactions", '"renewal terms"')
    touchbase.fake.wait_for("views.open")
    view = _latest_view(touchbase.fake)
    assert _row_ids(view) == [notes.id, terms.id]
    assert _search_box(view)["element"]["initial_value"] == "renewal terms"
    notes_row, summary_row = (b["text"]["text"] for b in _rows(view))
    assert "*Renewal* *TERMS* agreed" in terms_row_text(summary_row)
    assert ":mag: …" in notes_row and "*renewal* *terms* &lt;b&gt;&amp;" in notes_row
    assert "<b>" not in notes_row


def terms_row_text(text: str) -> str:
    return text.split(" — ", 1)[1]


def test_quoted_words_combine_with_a_contact_and_other_filters(touchbase):
    jane, may = _people(touchbase.db)
    call = _log(touchbase.db, jane, 3, "renewal call")
    _log(touchbase.db, jane, 2, "renewal email", type="email")
    _log(touchbase.db, may, 1, "renewal call with May")
    touchbase.slack.command("/interactions", 'jane "Rénewal" type:call')
    touchbase.fake.wait_for("views.open")
    view = _latest_view(touchbase.fake)
    assert _row_ids(view) == [call.id]


def test_search_box_enter_and_search_button_filter_the_open_list(touchbase):
    jane, _ = _people(touchbase.db)
    budget = _log(touchbase.db, jane, 2, "Budget review", notes="Ça coûte cher")
    _log(touchbase.db, jane, 1, "Lunch")
    touchbase.slack.command("/interactions", "")
    touchbase.fake.wait_for("views.open")
    view = _latest_view(touchbase.fake)
    assert len(_row_ids(view)) == 2
    # Enter in the box dispatches the block action: the list is updated in place.
    count = len(touchbase.fake.calls("views.update"))
    touchbase.slack.block_actions(
        [{"action_id": ids.ACTION_FILTER_SEARCH, "type": "plain_text_input", "value": "cout"}],
        view=_typed(view, "cout"),
    )
    touchbase.fake.wait_for("views.update", count=count + 1)
    searched = _latest_view(touchbase.fake)
    assert _row_ids(searched) == [budget.id]
    assert "*coûte*" in _rows(searched)[0]["text"]["text"]
    # The Search button submits the modal: the answer is the updated list, the modal stays.
    status, _, body = touchbase.slack.view_submission(
        _typed(dict(searched, callback_id=ids.LIST_MODAL), "lunch")
    )
    answer = json.loads(body)
    assert status == 200 and answer["response_action"] == "update"
    check_view(answer["view"])
    assert [b["text"]["text"].split(" — ")[1] for b in _rows(answer["view"])] == ["*Lunch*"]
    # Clear filters empties the box too.
    cleared_view = dict(answer["view"], id="VLIST", hash="h")
    count = len(touchbase.fake.calls("views.update"))
    touchbase.slack.block_actions(
        [{"action_id": ids.ACTION_CLEAR_FILTERS, "value": "clear"}], view=cleared_view
    )
    touchbase.fake.wait_for("views.update", count=count + 1)
    cleared = _latest_view(touchbase.fake)
    assert len(_row_ids(cleared)) == 2 and "initial_value" not in _search_box(cleared)["element"]
    # A new block_id, so Slack drops what was typed in the box rather than keeping it.
    assert _search_box(cleared)["block_id"] != _search_box(answer["view"])["block_id"]


def test_no_match_says_so_and_the_search_survives_page_turns(touchbase):
    jane, _ = _people(touchbase.db)
    for n in range(20):
        _log(touchbase.db, jane, 30 - n, f"renewal step {n}")
        _log(touchbase.db, jane, 30 - n, f"other {n}")
    touchbase.slack.command("/interactions", '"renewal"')
    touchbase.fake.wait_for("views.open")
    view = _latest_view(touchbase.fake)
    assert len(_row_ids(view)) == 15
    count = len(touchbase.fake.calls("views.update"))
    touchbase.slack.block_actions([{"action_id": ids.ACTION_PAGE_NEXT, "value": "next"}], view=view)
    touchbase.fake.wait_for("views.update", count=count + 1)
    second = _latest_view(touchbase.fake)
    assert len(_row_ids(second)) == 5
    assert all("renewal" in b["text"]["text"] for b in _rows(second))
    touchbase.slack.command("/interactions", '"zebra"')
    touchbase.fake.wait_for("views.open", count=2)
    empty = _latest_view(touchbase.fake)
    assert _row_ids(empty) == [] and "No interactions mention “zebra”" in json.dumps(
        empty, ensure_ascii=False
    )


def test_a_search_header_says_300_plus_past_the_search_cap_and_10000_plus_otherwise():
    from blocks.browse import COUNT_CAP, SEARCH_COUNT_CAP, ListState, list_modal
    from tests.blockkit import check_view
    from tests.test_attendees_blocks import NOW, record

    rows = [record("Jane Doe", id=n) for n in range(1, 16)]

    def header(state: ListState) -> str:
        view = list_modal(
            state,
            rows,
            has_prev=False,
            has_next=True,
            now=NOW,
            viewer_id="U1",
            viewer_is_admin=False,
            private_metadata="{}",
        )
        check_view(view)
        return next(
            b["elements"][0]["text"] for b in view["blocks"] if b["type"] == "context" and "–" in str(b)
        )

    assert header(ListState(search="renewal", total=SEARCH_COUNT_CAP + 1)) == "1–15 of 300+"
    assert header(ListState(search="renewal", total=42)) == "1–15 of 42"
    assert header(ListState(total=COUNT_CAP + 1)) == "1–15 of 10,000+"
    assert header(ListState(total=SEARCH_COUNT_CAP + 1)) == "1–15 of 301"
