"""A contact's timeline as Slack sees it: a parent message and one thread reply per month."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

from blocks import ids
from blocks.contacts import next_touch
from blocks.interactions import LINE_MAX_CHARS, interaction_line
from blocks.kit import actions, button, context, fields_section, header, section
from blocks.text import (
    DATE_ONLY_FORMAT,
    MESSAGE_BLOCKS_MAX,
    SECTION_TEXT_MAX,
    ago_token,
    date_token,
    display_name,
    escape,
    escape_truncate,
    one_line,
    type_emoji,
)
from bot.domain.outcomes import PostedTimeline
from bot.domain.records import ContactHistory, InteractionRecord
from bot.domain.rules import INTERACTION_TYPES

MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
# A thread posted at once stays within what Slack lets us post in a reasonable time.
TIMELINE_MONTHS_MAX = 24
TIMELINE_ITEMS_MAX = 300
# What one month's reply lists at most; a busier month shows its latest ones.
MONTH_ITEMS_MAX = 100
# Header, count and "+N more" take three blocks; one section per interaction (with its View
# button) fits in the rest. A busier month packs plain lines into sections instead: a line is
# at most LINE_MAX_CHARS, so MONTH_ITEMS_MAX lines need at most 17 sections.
MONTH_BUTTONS_MAX = MESSAGE_BLOCKS_MAX - 3
assert 3 + -(-MONTH_ITEMS_MAX // (SECTION_TEXT_MAX // (LINE_MAX_CHARS + 1))) <= MESSAGE_BLOCKS_MAX
EMPTY_MONTH = "No interactions left this month."
_PLURAL = {
    "call": "calls",
    "email": "emails",
    "meeting": "meetings",
    "message": "messages",
    "note": "notes",
    "other": "other",
}
assert set(_PLURAL) == set(INTERACTION_TYPES)


class MonthGroup(NamedTuple):
    month: str  # 'YYYY-MM' in the thread's time zone
    label: str  # "March 2026"
    items: list[InteractionRecord]


def month_key(when: datetime, tz: ZoneInfo) -> str:
    return when.astimezone(tz).strftime("%Y-%m")


def month_label(month: str) -> str:
    """ "2026-03" -> "March 2026"."""
    year, number = month.split("-")
    return f"{MONTH_NAMES[int(number) - 1]} {year}"


def group_by_month(interactions: Iterable[InteractionRecord], tz: ZoneInfo) -> list[MonthGroup]:
    """Interactions by local month, oldest month first; each month keeps the order it was given."""
    months: dict[str, list[InteractionRecord]] = {}
    for interaction in interactions:
        months.setdefault(month_key(interaction.occurred_at, tz), []).append(interaction)
    return [MonthGroup(month, month_label(month), months[month]) for month in sorted(months)]


def timeline_months(
    interactions: Iterable[InteractionRecord], tz: ZoneInfo, *, max_months: int = TIMELINE_MONTHS_MAX
) -> list[MonthGroup]:
    """The latest `max_months` months of a history: what a new thread posts."""
    groups = group_by_month(interactions, tz)
    return groups[-max_months:] if max_months > 0 else []


def shown_in_month(count: int) -> int:
    """How many of a month's `count` interactions its reply lists."""
    return min(count, MONTH_ITEMS_MAX)


def _count(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def _days(n: int) -> str:
    return _count(n, "day", "days")


def _type_counts(counts: dict[str, int]) -> str:
    parts = [
        f"{type_emoji(kind)} {_count(counts[kind], kind, _PLURAL[kind])}"
        for kind in INTERACTION_TYPES
        if counts.get(kind)
    ]
    return "   ".join(parts)


def _command_name(name: str) -> str:
    # Inside `code` a backtick would end the span early.
    return escape_truncate(display_name(name).replace("`", "'"), 100)


def timeline_parent(
    history: ContactHistory, *, now: datetime, shown: int | None = None, months_in: str = "UTC"
) -> tuple[str, list[dict]]:
    """The thread's parent: who the contact is, totals by type, first and last contact, cadence state.

    `shown` is how many interactions the thread lists (default: all of `history.interactions`);
    when fewer than the total, a note says how to see the rest. `months_in` names the time zone the
    replies are grouped by (the zone of whoever posted the thread; it never changes afterwards).
    """
    c = history.contact
    name = display_name(c.name)
    shown = len(history.interactions) if shown is None else shown
    fields = []
    if c.company and c.company.strip():
        fields.append(f"*Company*\n{escape_truncate(one_line(c.company), 1500)}")
    fields.append(f"*Interactions*\n{history.total:,}")
    if history.first_at is not None:
        fields.append(f"*First interaction*\n{date_token(history.first_at, DATE_ONLY_FORMAT)}")
    if c.last_contacted_at is not None:
        last = f"{date_token(c.last_contacted_at, DATE_ONLY_FORMAT)} ({ago_token(c.last_contacted_at)})"
    else:
        last = "Never"
    fields.append(f"*Last contacted*\n{last}")
    default = "" if c.cadence_days is not None else " (workspace default)"
    fields.append(f"*Cadence*\nEvery {_days(c.effective_cadence_days)}{default}")
    fields.append(f"*Next touch*\n{next_touch(c, now)}")

    blocks: list[dict] = [header(f"Timeline: {name}"), fields_section(fields)]
    if history.total:
        blocks.append(section(_type_counts(history.counts_by_type)))
        if shown < history.total:
            blocks.append(
                context(
                    f"Showing the latest {shown:,} of {history.total:,} — "
                    f"use `/interactions {_command_name(c.name)}` for the rest"
                )
            )
        blocks.append(
            context(
                f"Month by month in this thread (months in {escape(months_in)} time), "
                "kept up to date as interactions are logged, edited or deleted."
            )
        )
    else:
        blocks.append(
            context(
                f"No interactions yet. Whatever is logged for {escape_truncate(name, 600)} will show up in this thread."
            )
        )
    blocks.append(actions(button("Log interaction", ids.ACTION_LOG_FOR_CONTACT, str(c.id), style="primary")))
    text = f"Timeline of {escape(name)}: {_count(history.total, 'interaction', 'interactions')}"
    return text, blocks


def _pack(lines: list[str], limit: int = SECTION_TEXT_MAX) -> list[str]:
    """Whole lines packed into as few texts of at most `limit` characters as they fit."""
    packed: list[str] = []
    current = ""
    for line in lines:
        if current and len(current) + 1 + len(line) > limit:
            packed.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line
    if current:
        packed.append(current)
    return packed


def month_reply(
    label: str, interactions: list[InteractionRecord], *, now: datetime, contact_id: int | None = None
) -> tuple[str, list[dict]]:
    """One month of a timeline thread: its interactions oldest first, each with a View button when they fit.

    A month with more than MONTH_ITEMS_MAX shows the latest ones and counts the rest.
    """
    label = one_line(label)
    count = len(interactions)
    blocks: list[dict] = [header(label)]
    if not count:
        blocks.append(section(EMPTY_MONTH))
        return f"{escape(label)}: no interactions left", blocks

    shown = interactions[-MONTH_ITEMS_MAX:]
    hidden = count - len(shown)
    blocks.append(context(_count(count, "interaction", "interactions")))
    if hidden:
        blocks.append(context(f"+{hidden:,} more this month, earlier than these"))
    lines = [interaction_line(i, now=now, with_contact=False, contact_id=contact_id) for i in shown]
    if len(shown) <= MONTH_BUTTONS_MAX:
        blocks += [
            section(line, accessory=button("View", ids.ACTION_VIEW_INTERACTION, str(i.id)))
            for i, line in zip(shown, lines, strict=True)
        ]
    else:
        blocks += [section(text) for text in _pack(lines)]
    return f"{escape(label)}: {_count(count, 'interaction', 'interactions')}", blocks


def timeline_posted_text(posted: PostedTimeline) -> str:
    """The private answer to /timeline: where the thread went, and whether all of it did."""
    name = escape_truncate(display_name(posted.contact_name), 600)
    if posted.in_dm:
        where = "in our DM (I can't post in that conversation)"
    elif posted.channel_id.startswith("D"):
        where = "in our DM"
    else:
        where = f"in <#{posted.channel_id}>"
    if posted.failure:
        return (
            f"Posted {name}'s timeline {where}, but only {posted.months_posted} of {posted.months_planned} months: "
            f"Slack refused the rest (`{escape(posted.failure)}`). Try again in a minute."
        )
    return f"Posted {name}'s timeline {where}."
