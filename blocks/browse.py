"""The /interactions list: filters, one page of rows, and page buttons."""

from __future__ import annotations

import zlib
from dataclasses import dataclass, replace
from datetime import date, datetime

from blocks import ids
from blocks.interactions import interaction_line
from blocks.kit import actions, button, context, option, placeholder, section
from blocks.text import escape, escape_truncate, one_line, plain, type_emoji, type_label
from bot.domain.records import InteractionRecord
from bot.domain.rules import INTERACTION_TYPES
from bot.domain.search import Snippet, search_words, snippet

PAGE_SIZE = 15
# Beyond this many matches the header says "10,000+" rather than paying for an exact count.
COUNT_CAP = 10_000
# A search's count stops sooner: past a few hundred matches, narrowing the words helps more.
SEARCH_COUNT_CAP = 300


@dataclass(frozen=True)
class ListState:
    """What the list shows: its filters, and where the page starts in the whole list."""

    contact_id: int | None = None
    contact_name: str | None = None
    types: tuple[str, ...] = ()
    since: date | None = None  # local days, inclusive
    until: date | None = None
    author: str | None = None
    sort: str = "newest"
    search: str | None = None  # words to find in summaries and notes
    start: int = 1  # 1-based position of the page's first row
    total: int = 0
    follow_up: str | None = None  # `followup:open|due|overdue`


def _sort_option(sort: str) -> dict:
    return option("Newest first" if sort == "newest" else "Oldest first", sort)


def _filter_blocks(state: ListState) -> list[dict]:
    contact_select: dict = {
        "type": "external_select",
        "action_id": ids.ACTION_FILTER_CONTACT,
        "placeholder": placeholder("Any contact"),
        "min_query_length": 1,
    }
    if state.contact_id is not None:
        contact_select["initial_option"] = option(state.contact_name or "Contact", str(state.contact_id))
    types_select: dict = {
        "type": "multi_static_select",
        "action_id": ids.ACTION_FILTER_TYPES,
        "placeholder": placeholder("Any type"),
        "options": [option(f"{type_emoji(t)} {type_label(t)}", t) for t in INTERACTION_TYPES],
    }
    if state.types:
        types_select["initial_options"] = [
            option(f"{type_emoji(t)} {type_label(t)}", t) for t in state.types if t in INTERACTION_TYPES
        ]
    author_select: dict = {
        "type": "users_select",
        "action_id": ids.ACTION_FILTER_AUTHOR,
        "placeholder": placeholder("Anyone"),
    }
    if state.author:
        author_select["initial_user"] = state.author
    sort_select = {
        "type": "static_select",
        "action_id": ids.ACTION_FILTER_SORT,
        "options": [_sort_option("newest"), _sort_option("oldest")],
        "initial_option": _sort_option(state.sort),
    }
    since: dict = {
        "type": "datepicker",
        "action_id": ids.ACTION_FILTER_SINCE,
        "placeholder": placeholder("From"),
    }
    until: dict = {
        "type": "datepicker",
        "action_id": ids.ACTION_FILTER_UNTIL,
        "placeholder": placeholder("To"),
    }
    if state.since:
        since["initial_date"] = state.since.isoformat()
    if state.until:
        until["initial_date"] = state.until.isoformat()
    date_row = [since, until]
    if _has_filters(state):
        date_row.append(button("Clear filters", ids.ACTION_CLEAR_FILTERS, "clear"))
    return [
        _search_box(state),
        actions(contact_select, types_select, author_select, sort_select, block_id=ids.BLOCK_LIST_FILTERS),
        actions(*date_row, block_id=ids.BLOCK_LIST_DATES),
    ]


SEARCH_MAX_CHARS = 200


def _search_box(state: ListState) -> dict:
    """Words to find in summaries and notes: Enter (or the Search button) lists the matches."""
    element: dict = {
        "type": "plain_text_input",
        "action_id": ids.ACTION_FILTER_SEARCH,
        "placeholder": placeholder("Words in summaries or notes, e.g. renewal terms"),
        "max_length": SEARCH_MAX_CHARS,
        "dispatch_action_config": {"trigger_actions_on": ["on_enter_pressed"]},
    }
    if state.search:
        element["initial_value"] = state.search[:SEARCH_MAX_CHARS]
    # Slack keeps what was typed in a block across views.update while its block_id stays: the id
    # follows the search, so clearing the filters (or a new search) empties or refills the box.
    version = zlib.crc32((state.search or "").encode()) % 100_000
    return {
        "type": "input",
        "block_id": f"{ids.BLOCK_LIST_SEARCH}.{version}",
        "dispatch_action": True,
        "optional": True,
        "label": plain("Search"),
        "element": element,
    }


def _has_filters(state: ListState) -> bool:
    return bool(
        state.contact_id
        or state.types
        or state.since
        or state.until
        or state.author
        or state.follow_up
        or state.search
    )


def _marked(found: Snippet) -> str:
    """The snippet as mrkdwn: user text escaped, matched words bold."""
    text = "".join(f"*{escape(piece)}*" if matched else escape(piece) for piece, matched in found.pieces)
    return ("…" if found.cut_start else "") + text + ("…" if found.cut_end else "")


def _search_line(interaction: InteractionRecord, words: tuple[str, ...], *, now: datetime) -> str:
    """The row's line with the matching words in context: in the summary, or a line from the notes."""
    in_summary = snippet(interaction.summary, None, words)
    if in_summary is not None:
        bare = interaction_line(replace(interaction, summary=""), now=now)
        return f"{bare} — {_marked(in_summary)}"
    line = interaction_line(interaction, now=now)
    in_notes = snippet("", interaction.notes, words)
    return f"{line}\n:mag: {_marked(in_notes)}" if in_notes is not None else line


def _row(
    interaction: InteractionRecord, *, now: datetime, can_edit: bool, words: tuple[str, ...] = ()
) -> dict:
    menu = [option("View", f"view:{interaction.id}")]
    if can_edit:
        menu += [option("Edit", f"edit:{interaction.id}"), option("Delete", f"delete:{interaction.id}")]
    overflow = {"type": "overflow", "action_id": ids.ACTION_ROW_MENU, "options": menu}
    line = _search_line(interaction, words, now=now) if words else interaction_line(interaction, now=now)
    return section(line, accessory=overflow)


def list_modal(
    state: ListState,
    rows: list[InteractionRecord],
    *,
    has_prev: bool,
    has_next: bool,
    now: datetime,
    viewer_id: str,
    viewer_is_admin: bool,
    private_metadata: str,
    notice: str | None = None,
    undo_id: int | None = None,
    unmatched: str | None = None,
) -> dict:
    """The list modal. `unmatched`: a contact filter that names no contact, so nothing is listed."""
    blocks = _filter_blocks(state)
    if notice:
        note = section(escape(notice))
        if undo_id is not None:
            note["accessory"] = button("Undo", ids.ACTION_UNDO_DELETE, str(undo_id))
        blocks.append(note)
    blocks.append({"type": "divider"})
    if unmatched is not None:
        blocks.append(
            section(
                f"No contact matches “{escape_truncate(one_line(unmatched), 1000)}”, so no interactions are listed.",
                accessory=button("Clear filter", ids.ACTION_CLEAR_FILTERS, "clear"),
            )
        )
    elif rows:
        first, last = state.start, state.start + len(rows) - 1
        total = max(state.total, last)
        cap = SEARCH_COUNT_CAP if state.search else COUNT_CAP
        shown_total = f"{cap:,}+" if total > cap else f"{total:,}"
        blocks.append(context(f"{first:,}–{last:,} of {shown_total}"))
        words = search_words(state.search or "")
        for interaction in rows:
            can_edit = viewer_is_admin or interaction.logged_by == viewer_id
            blocks.append(_row(interaction, now=now, can_edit=can_edit, words=words))
    elif state.search:
        blocks.append(
            section(
                f"No interactions mention “{escape_truncate(one_line(state.search), 200)}” with these "
                "filters. Try fewer words or *Clear filters*."
            )
        )
    elif _has_filters(state):
        blocks.append(
            section("No interactions match these filters. Try a wider date range or *Clear filters*.")
        )
    else:
        blocks.append(
            section(
                "Nothing logged yet. Use `/log` (or the *Log interaction* shortcut) to record a call, "
                "email or meeting, and it will show up here."
            )
        )
    paging = []
    if has_prev:
        paging.append(button("◀ Previous", ids.ACTION_PAGE_PREV, "prev"))
    if has_next:
        paging.append(button("Next ▶", ids.ACTION_PAGE_NEXT, "next"))
    if paging:
        blocks.append(actions(*paging, block_id="list_paging"))
    return {
        "type": "modal",
        "callback_id": ids.LIST_MODAL,
        "title": plain("Interactions", 24),
        "close": plain("Close", 24),
        # The search box is an input block, and a modal with one needs a submit button.
        "submit": plain("Search", 24),
        "private_metadata": private_metadata,
        "blocks": blocks,
    }
