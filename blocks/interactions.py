"""Interactions as Slack sees them: the confirmation card, the deleted card, list lines, the detail modal."""

from __future__ import annotations

from datetime import datetime

from blocks import ids
from blocks.followups import follow_up_note
from blocks.history import history_blocks
from blocks.kit import actions, button, confirm, context, fields_section, header, section
from blocks.text import (
    DATE_ONLY_FORMAT,
    SECTION_TEXT_MAX,
    VIEW_BLOCKS_MAX,
    ago_token,
    date_token,
    display_name,
    duration_text,
    escape_truncate,
    headline,
    link,
    one_line,
    plain,
    split_escaped,
    truncate,
    type_emoji,
    type_label,
    user_mention,
)
from bot.domain.history import HistoryPage
from bot.domain.records import InteractionRecord

# The card previews notes; the detail modal shows them in full.
CARD_NOTES_CHARS = 500
CARD_NAME_CHARS = 600
SUMMARY_SHOWN_CHARS = 1500  # 300 typed characters, each escaped to at most 5
LINE_NAME_CHARS = 120
LINE_SUMMARY_CHARS = 200
# interaction_line never returns more than this, so callers can budget a section.
LINE_MAX_CHARS = 450
PERMALINK_LABEL = "View the original message"


def when_text(interaction: InteractionRecord) -> str:
    """When it happened: a date and time, or only the date when the time isn't known (never "12:00 AM")."""
    if not interaction.time_known:
        return date_token(interaction.occurred_at, DATE_ONLY_FORMAT)
    return f"{date_token(interaction.occurred_at)} ({ago_token(interaction.occurred_at)})"


def _when(interaction: InteractionRecord, now: datetime) -> str:
    return when_text(interaction)


def _delete_button(interaction: InteractionRecord) -> dict:
    what = headline(interaction.type, interaction.contact_names, capital=False)
    ending = " will be deleted. You can undo this right after."
    text = "The " + truncate(what, 300 - len("The ") - len(ending)) + ending
    return button(
        "Delete",
        ids.ACTION_DELETE_INTERACTION,
        str(interaction.id),
        style="danger",
        confirm=confirm("Delete this interaction?", text, yes="Delete", danger=True),
    )


def _edit_button(interaction: InteractionRecord) -> dict:
    return button("Edit", ids.ACTION_EDIT_INTERACTION, str(interaction.id))


def interaction_card(interaction: InteractionRecord, *, now: datetime, can_edit: bool = True) -> list[dict]:
    """The card posted after logging: what, when, summary, a notes preview, and what to do next."""
    i = interaction
    title = f"{type_emoji(i.type)} *{escape_truncate(headline(i.type, i.contact_names), CARD_NAME_CHARS)}*"
    meta = _when(i, now)
    if i.duration_minutes is not None:
        meta += f" · {duration_text(i.duration_minutes)}"
    footer = []
    if i.permalink:
        footer.append(link(i.permalink, PERMALINK_LABEL))
    footer.append(f"Logged by {user_mention(i.logged_by)}")
    footer = [note for note in [follow_up_note(i)] if note] + footer

    fixed = [title, meta, *footer]
    # Each flexible line costs its text plus one newline.
    left = SECTION_TEXT_MAX - len("\n".join(fixed)) - 2
    summary = escape_truncate(i.summary, min(SUMMARY_SHOWN_CHARS, left))
    left -= len(summary)
    notes = escape_truncate(i.notes, min(CARD_NOTES_CHARS, left)) if i.notes and i.notes.strip() else ""
    lines = [title, meta, summary, notes, *footer]
    text = "\n".join(line for line in lines if line.strip())

    buttons = []
    if can_edit:
        buttons += [_edit_button(i), _delete_button(i)]
    buttons.append(button("Timeline", ids.ACTION_OPEN_TIMELINE, str(i.contact_id)))
    return [section(text), actions(*buttons)]


def saved_confirmation(
    interaction: InteractionRecord, *, now: datetime, edited: bool
) -> tuple[str, list[dict]]:
    """The answer to a save: "Logged …" for a new interaction, "Updated …" for an edit, with its card."""
    verb = "Updated" if edited else "Logged"
    text = f"{verb} {interaction.type} with {truncate(interaction.contact_names, 600)}."
    return text, interaction_card(interaction, now=now, can_edit=True)


def deleted_card(interaction: InteractionRecord, *, now: datetime) -> list[dict]:
    """What replaces the card once deleted, with a way back."""
    i = interaction
    what = escape_truncate(headline(i.type, i.contact_names, capital=False), CARD_NAME_CHARS)
    text = f"Deleted: {what} — {escape_truncate(one_line(i.summary), SUMMARY_SHOWN_CHARS)}"
    when = when_text(i)
    return [
        section(f":wastebasket: {text}\n{when}"),
        actions(button("Undo", ids.ACTION_UNDO_DELETE, str(i.id))),
    ]


def attendee_names(interaction: InteractionRecord, limit: int, *, besides: int | None = None) -> str:
    """The attendees' names (but `besides`), escaped, in at most `limit` characters: as many
    whole names as fit, then "+N more" ("Jane Doe, May Chen +3 more")."""
    names = [escape_truncate(display_name(a.name), limit) for a in interaction.attendees if a.id != besides]
    if not names:
        return ""
    full = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    if len(full) <= limit:
        return full
    for shown in range(len(names) - 1, 0, -1):
        text = f"{', '.join(names[:shown])} +{len(names) - shown} more"
        if len(text) <= limit:
            return text
    return (
        escape_truncate(display_name(interaction.attendees[0].name), limit - 12) + f" +{len(names) - 1} more"
    )


def interaction_line(
    interaction: InteractionRecord, *, now: datetime, with_contact: bool = True, contact_id: int | None = None
) -> str:
    """One mrkdwn line for lists: emoji, date, contacts (unless the list is one contact's: then
    the others, when `contact_id` says whose list it is), summary.

    At most LINE_MAX_CHARS long, so callers can budget a section's 3000 characters.
    """
    i = interaction
    line = f"{type_emoji(i.type)} {date_token(i.occurred_at, DATE_ONLY_FORMAT)}"
    if with_contact:
        line += f" *{attendee_names(i, LINE_NAME_CHARS)}*"
    elif contact_id is not None and len(i.attendees) > 1:
        line += f" _with {attendee_names(i, LINE_NAME_CHARS, besides=contact_id)}_"
    summary = escape_truncate(one_line(i.summary), LINE_SUMMARY_CHARS)
    return f"{line} — {summary}" if summary else line


def interaction_detail_modal(
    interaction: InteractionRecord, *, now: datetime, can_edit: bool, history: HistoryPage | None = None
) -> dict:
    """Everything about one interaction, notes in full, with Edit and Delete for those allowed,
    then its history (newest first)."""
    i = interaction
    blocks: list[dict] = [header(headline(i.type, i.contact_names))]
    if i.is_deleted and i.deleted_at is not None:
        blocks.append(context(f":wastebasket: Deleted {date_token(i.deleted_at)}"))
    fields = [
        f"*{'Contacts' if len(i.attendees) > 1 else 'Contact'}*\n{attendee_names(i, 1500)}",
        f"*Type*\n{type_emoji(i.type)} {type_label(i.type)}",
        f"*When*\n{_when(i, now)}",
    ]
    if i.duration_minutes is not None:
        fields.append(f"*Duration*\n{duration_text(i.duration_minutes)}")
    if follow_up_note(i):
        fields.append(f"*Follow-up*\n{follow_up_note(i)}")
    blocks.append(fields_section(fields))
    blocks.append(section(f"*Summary*\n{escape_truncate(i.summary, SECTION_TEXT_MAX - 20)}"))

    tail: list[dict] = []
    if i.permalink:
        tail.append(section(link(i.permalink, PERMALINK_LABEL)))
    logged = f"Logged by {user_mention(i.logged_by)} on {date_token(i.created_at)}"
    if i.updated_by:
        tail.append(context(logged, f"Edited by {user_mention(i.updated_by)} on {date_token(i.updated_at)}"))
    else:
        tail.append(context(logged))
    buttons = []
    if can_edit and not i.is_deleted:
        buttons = [_edit_button(i), _delete_button(i)]
    elif can_edit:
        buttons = [button("Undo delete", ids.ACTION_UNDO_DELETE, str(i.id))]
    if buttons:
        tail.append(actions(*buttons))
    past = history_blocks(history) if history else []
    if past:
        tail += [{"type": "divider"}, *past]

    if i.notes and i.notes.strip():
        label = "*Notes*\n"
        chunks = split_escaped(i.notes, SECTION_TEXT_MAX - len(label))
        room = VIEW_BLOCKS_MAX - len(blocks) - len(tail)
        if len(chunks) > room:
            chunks = [*chunks[: room - 1], chunks[room - 1] + "\n…"]
        blocks += [section((label if n == 0 else "") + chunk) for n, chunk in enumerate(chunks)]
    blocks += tail
    return {
        "type": "modal",
        "callback_id": ids.DETAIL_MODAL,
        "title": plain("Interaction", 24),
        "close": plain("Close", 24),
        "blocks": blocks,
    }


def repeat_question(
    previous: InteractionRecord, again_value: str, *, now: datetime
) -> tuple[str, list[dict]]:
    """ "You logged this 2 minutes ago — log again?" with the buttons to say so."""
    minutes = max(1, round((now - previous.created_at).total_seconds() / 60))
    ago = "a minute ago" if minutes == 1 else f"{minutes} minutes ago"
    what = escape_truncate(headline(previous.type, previous.contact_names, capital=False), CARD_NAME_CHARS)
    summary = escape_truncate(one_line(previous.summary), SUMMARY_SHOWN_CHARS)
    text = f"You logged this {ago} — log again?"
    return text, [
        section(f"{text}\n{what} — {summary}"),
        actions(
            button("Log again", ids.ACTION_LOG_AGAIN, again_value, style="primary"),
            button("Don't", ids.ACTION_LOG_AGAIN_CANCEL, str(previous.id)),
        ),
    ]
