"""Follow-ups as the digest, App Home and the contact card show them: a line and Done/Snooze/Log.

Pure: the follow-ups and the viewer's local `today` in, blocks out.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from blocks import ids
from blocks.kit import actions, button, context, option, placeholder, section
from blocks.text import (
    DATE_ONLY_FORMAT,
    SECTION_TEXT_MAX,
    date_token,
    display_name,
    escape_truncate,
    fit_lines,
    one_line,
    type_label,
    user_mention,
)
from bot.domain.followups import SNOOZE_CHOICES, FollowUp, due_phrase
from bot.domain.records import InteractionRecord

SUMMARY_CHARS = 200
NAME_CHARS = 120
SNOOZE_LABELS = {1: "Tomorrow", 3: "In 3 days", 7: "In a week"}


def follow_up_line(item: FollowUp, today: date, *, with_owner: bool = False) -> str:
    """ "*Jane Doe* · :alarm_clock: overdue by 2 days — _Call, Nov 3:_ send the contract"."""
    due = due_phrase(item.due_on, today) if item.due_on is not None else "done"
    warn = ":alarm_clock:" if item.due_on is not None and item.due_on <= today else ":calendar:"
    owner = f" ({user_mention(item.owner_user_id)})" if with_owner else ""
    snoozed = " (snoozed)" if item.is_snoozed else ""
    summary = escape_truncate(one_line(item.summary), SUMMARY_CHARS)
    return (
        f"*{escape_truncate(display_name(item.contact_name), NAME_CHARS)}*{owner} · {warn} {due}{snoozed}"
        f"\n_{type_label(item.type)}, {date_token(item.occurred_at, DATE_ONLY_FORMAT)}:_ {summary}"
    )


def snooze_follow_up_menu(interaction_id: int) -> dict:
    return {
        "type": "static_select",
        "action_id": ids.ACTION_FOLLOW_UP_SNOOZE,
        "placeholder": placeholder("Snooze"),
        "options": [option(SNOOZE_LABELS[days], f"{interaction_id}:{days}") for days in SNOOZE_CHOICES],
    }


def follow_up_actions(item: FollowUp, block_prefix: str) -> dict:
    iid = str(item.interaction_id)
    return actions(
        button("Done", ids.ACTION_FOLLOW_UP_DONE, iid, style="primary"),
        snooze_follow_up_menu(item.interaction_id),
        button("Log", ids.ACTION_FOLLOW_UP_LOG, iid),
        block_id=f"{block_prefix}:{iid}",
    )


def follow_up_blocks(
    items: Sequence[FollowUp], total: int, today: date, *, block_prefix: str, more: str | None = None
) -> list[dict]:
    """A section and the buttons for each follow-up, then "…and N more" if some are left out."""
    blocks: list[dict] = []
    for item in items:
        blocks.append(section(follow_up_line(item, today)))
        if item.due_on is not None:
            blocks.append(follow_up_actions(item, block_prefix))
    if total > len(items):
        n = total - len(items)
        blocks.append(context(f"…and {n} more follow-up{'s' if n != 1 else ''}. {more or ''}".strip()))
    return blocks


def follow_up_text_line(item: FollowUp, today: date) -> str:
    """Plain text, for `--dry-run` and the CLI."""
    due = due_phrase(item.due_on, today) if item.due_on is not None else "done"
    summary = one_line(item.summary)
    if len(summary) > SUMMARY_CHARS:
        summary = summary[: SUMMARY_CHARS - 1] + "…"
    return f"{display_name(item.contact_name)} — {due} (set for {item.set_on:%Y-%m-%d}): “{summary}”"


def log_notice(item: FollowUp) -> str:
    """What the log modal says when opened from a follow-up's Log button."""
    summary = one_line(item.summary)
    return f"Saving this marks the follow-up on “{summary[:150]}” ({item.set_on:%b} {item.set_on.day}) done."


def card_follow_up_blocks(items: Sequence[FollowUp], today: date) -> list[dict]:
    """The card's open follow-ups: one section listing them, buttons for those due by `today`."""
    if not items:
        return []
    lines = [f"• {follow_up_line(item, today, with_owner=True)}" for item in items]
    blocks = [section(fit_lines([f"*Follow-ups ({len(items)})*", *lines], SECTION_TEXT_MAX))]
    blocks += [follow_up_actions(item, ids.CARD_FOLLOW_UP_BLOCK) for item in items if item.is_due(today)]
    return blocks


def follow_up_note(interaction: InteractionRecord) -> str | None:
    """ "Follow up on Fri 13 Mar" (snoozed to …, done) for an interaction's card and detail view."""
    i = interaction
    if i.follow_up_on is None:
        return None
    day = f"{i.follow_up_on:%a} {i.follow_up_on.day} {i.follow_up_on:%b %Y}"
    if i.follow_up_due_on is None:
        return f":white_check_mark: Follow-up of {day}: done"
    if i.follow_up_due_on != i.follow_up_on:
        due = i.follow_up_due_on
        return f":alarm_clock: Follow up on {day}, snoozed to {due:%a} {due.day} {due:%b %Y}"
    return f":alarm_clock: Follow up on {day}"
