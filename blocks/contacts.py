"""Contacts as Slack sees them: the contact card, "which one did you mean?", "no such contact"."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime

from blocks import ids
from blocks.followups import card_follow_up_blocks
from blocks.interactions import interaction_line
from blocks.kit import actions, button, confirm, context, fields_section, header, option, placeholder, section
from blocks.text import (
    BUTTON_TEXT_MAX,
    BUTTON_VALUE_MAX,
    DATE_ONLY_FORMAT,
    SECTION_TEXT_MAX,
    ago_token,
    cut,
    date_token,
    display_name,
    escape_truncate,
    fit_lines,
    one_line,
    truncate,
    user_mention,
)
from bot.domain.followups import FollowUp
from bot.domain.records import ContactMatch, ContactRecord, InteractionRecord

CHOICES_MAX = 10
MERGED_SHOWN = 5
RECENT_TITLE = "*Latest interactions*"
SNOOZE_LABELS = {"7": "1 week", "30": "1 month", ids.SNOOZE_PICK: "Pick a date…"}


def _days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"


def next_touch(contact: ContactRecord, now: datetime) -> str:
    """The value of a "Next touch" field: snoozed, overdue, due today, or the day it's due."""
    if contact.snoozed_until is not None and contact.snoozed_until > now:
        return f":zzz: Snoozed until {date_token(contact.snoozed_until, DATE_ONLY_FORMAT)}"
    if contact.is_stale(now):
        overdue = (now - contact.due_at).days
        return f":warning: Overdue by {_days(overdue)}" if overdue >= 1 else ":warning: Due today"
    return date_token(contact.due_at, DATE_ONLY_FORMAT)


def snooze_menu(contact_id: int) -> dict:
    """The snooze menu: a week, a month, or pick a date (values `"{id}:7"`, `"{id}:30"`, `"{id}:pick"`)."""
    return {
        "type": "static_select",
        "action_id": ids.ACTION_SNOOZE_CONTACT,
        "placeholder": placeholder("Snooze"),
        "options": [option(label, f"{contact_id}:{choice}") for choice, label in SNOOZE_LABELS.items()],
    }


def contact_card(
    contact: ContactRecord,
    recent: list[InteractionRecord],
    *,
    now: datetime,
    merged_from: Sequence[ContactRecord] = (),
    merged_into: ContactRecord | None = None,
    follow_ups: Sequence[FollowUp] = (),
    today: date | None = None,
) -> list[dict]:
    """Who the contact is, when they were last contacted, whether a touch is due, and the latest history
    (and the open follow-ups, due ones with Done, Snooze and Log, measured by the viewer's `today`)."""
    c = contact
    fields = []
    if c.company and c.company.strip():
        fields.append(f"*Company*\n{escape_truncate(one_line(c.company), 1500)}")
    if c.email and c.email.strip():
        fields.append(f"*Email*\n{escape_truncate(one_line(c.email), 1500)}")
    if c.slack_user_id:
        fields.append(f"*Slack*\n{user_mention(c.slack_user_id)}")
    fields.append(f"*Owner*\n{user_mention(c.owner_user_id)}")
    if c.last_contacted_at is not None:
        last = f"{date_token(c.last_contacted_at, DATE_ONLY_FORMAT)} ({ago_token(c.last_contacted_at)})"
    else:
        last = "Never"
    fields.append(f"*Last contacted*\n{last}")
    default = "" if c.cadence_days is not None else " (workspace default)"
    fields.append(f"*Cadence*\nEvery {_days(c.effective_cadence_days)}{default}")
    if not c.is_archived:
        fields.append(f"*Next touch*\n{next_touch(c, now)}")

    if recent:
        lines = [interaction_line(i, now=now, with_contact=False, contact_id=c.id) for i in recent]
        history = f"{RECENT_TITLE}\n" + fit_lines(lines, SECTION_TEXT_MAX - len(RECENT_TITLE) - 1)
    else:
        history = "No interactions yet."
    cid = str(c.id)
    name = display_name(c.name)
    if c.is_archived:
        if merged_into is not None:
            state = f":twisted_rightwards_arrows: Merged into *{escape_truncate(display_name(merged_into.name), 500)}*"
            undo = button("Undo merge", ids.ACTION_UNDO_MERGE, cid)
        else:
            state = (
                ":file_cabinet: Archived: kept with its interactions, left out of pickers, digests and Home."
            )
            undo = button("Unarchive", ids.ACTION_UNARCHIVE_CONTACT, cid)
        return [
            header(name),
            section(state),
            fields_section(fields),
            section(history),
            actions(undo, button("Timeline", ids.ACTION_OPEN_TIMELINE, cid)),
        ]
    blocks = [
        header(name),
        fields_section(fields),
        section(history),
        *card_follow_up_blocks(follow_ups, today or now.date()),
        actions(
            button("Log interaction", ids.ACTION_LOG_FOR_CONTACT, cid, style="primary"),
            button("Timeline", ids.ACTION_OPEN_TIMELINE, cid),
            button("Edit contact", ids.ACTION_EDIT_CONTACT, cid),
            snooze_menu(c.id),
        ),
        actions(
            merge_select(c),
            button(
                "Archive",
                ids.ACTION_ARCHIVE_CONTACT,
                cid,
                confirm=confirm(
                    "Archive this contact?",
                    truncate(name, 200) + " will leave pickers, digests and Home; "
                    "their interactions are kept. You can unarchive from the card.",
                    yes="Archive",
                ),
            ),
            block_id=f"{ids.MERGE_BLOCK_PREFIX}{cid}",
        ),
    ]
    for source in merged_from[:MERGED_SHOWN]:
        blocks.append(
            context(f"Merged from *{escape_truncate(display_name(source.name), 500)}*."),
        )
        blocks.append(
            actions(
                button(truncate(f"Undo merge of {source.name}", 75), ids.ACTION_UNDO_MERGE, str(source.id))
            )
        )
    return blocks


def merge_select(contact: ContactRecord) -> dict:
    """ "Merge into…": pick the contact this one is a duplicate of; a confirm says what moves."""
    name = truncate(display_name(contact.name), 120)
    return {
        "type": "external_select",
        "action_id": ids.ACTION_MERGE_CONTACT,
        "placeholder": placeholder("Merge into…"),
        "min_query_length": 1,
        "confirm": confirm(
            "Merge contacts?",
            f"{name}'s interactions, snooze and missing details move to the contact you picked; "
            f"{name} is archived. You can undo it from the card.",
            yes="Merge",
        ),
    }


def _quoted(prefix: str, query: str, suffix: str = "", limit: int = BUTTON_TEXT_MAX) -> str:
    room = limit - len(prefix) - len(suffix) - 2
    return f"{prefix}“{truncate(query, room)}”{suffix}"


def _create_button(query: str) -> dict:
    return button(_quoted("Create ", query), ids.ACTION_CREATE_CONTACT, cut(query, BUTTON_VALUE_MAX))


def contact_choices(matches: list[ContactMatch], query: str) -> list[dict]:
    """ "Which contact did you mean?": a button per match (at most 10) and one to create `query`.

    Each button sits in its own actions block: Slack wants action_ids unique within a block,
    and every match button shares ACTION_SHOW_CONTACT.
    """
    query = one_line(query)
    blocks = [section("Which contact did you mean?")]
    seen: set[int] = set()
    for match in matches:
        contact = match.contact
        if contact.id in seen:
            continue
        seen.add(contact.id)
        company = one_line(contact.company or "")
        name = display_name(contact.name)
        if company:
            label = f"{truncate(name, BUTTON_TEXT_MAX - 3 - min(len(company), 30))} ({truncate(company, 30)})"
        else:
            label = name
        blocks.append(actions(button(label, ids.ACTION_SHOW_CONTACT, str(contact.id))))
        if len(seen) == CHOICES_MAX:
            break
    if query:
        blocks.append(actions(_create_button(query)))
    return blocks


def did_you_mean(match: ContactMatch, query: str) -> list[dict]:
    """One close (fuzzy) match: "Did you mean Priya Patel?" with it and a way to create `query`."""
    query = one_line(query)
    name = display_name(match.contact.name)
    blocks = [
        section(
            f"No contact is called “{escape_truncate(query, 1000)}”. Did you mean *{escape_truncate(name, 1000)}*?"
        ),
        actions(
            button(truncate(f"Yes, {name}", BUTTON_TEXT_MAX), ids.ACTION_SHOW_CONTACT, str(match.contact.id))
        ),
    ]
    if query:
        blocks.append(actions(_create_button(query)))
    return blocks


def already_a_contact(
    existing: ContactRecord,
    recent: list[InteractionRecord],
    *,
    name: str,
    email: str | None,
    company: str | None,
    now: datetime,
) -> list[dict]:
    """`/contact add` of a name or email that exists: the existing card, and an explicit "Add anyway"."""
    same_email = bool(email) and (existing.email or "").lower() == (email or "").strip().lower()
    why = "has that email" if same_email else "has that name"
    # Emails are unique: a second contact for the same address can only be added without it.
    value = json.dumps([name, None if same_email else email, company], ensure_ascii=False)
    label = f"Add anyway without the email: {name}" if same_email else f"Add anyway: {name}"
    note = section(
        f":information_source: *{escape_truncate(display_name(existing.name), 1000)}* already {why}. "
        "Here is their card; add a new contact only if this is someone else."
    )
    extra = []
    if len(value) <= BUTTON_VALUE_MAX:
        extra.append(actions(button(truncate(label, BUTTON_TEXT_MAX), ids.ACTION_ADD_CONTACT_ANYWAY, value)))
    return [note, *contact_card(existing, recent, now=now), *extra]


def contact_not_found(query: str) -> list[dict]:
    """ "No contact matches “query”." with a button to create it."""
    query = one_line(query)
    if not query:
        return [section("No contact matches.")]
    return [
        section(f"No contact matches “{escape_truncate(query, 1000)}”."),
        actions(_create_button(query)),
    ]
