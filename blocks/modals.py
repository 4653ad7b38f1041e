"""Modals that take input: log or edit an interaction, edit a contact, snooze a contact."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from datetime import date, timedelta

from blocks import ids
from blocks.kit import context, input_block, option, placeholder, section
from blocks.text import (
    OPTION_TEXT_MAX,
    OPTION_VALUE_MAX,
    OPTIONS_MAX,
    PRIVATE_METADATA_MAX,
    date_token,
    display_name,
    escape_truncate,
    is_user_id,
    link,
    one_line,
    plain,
    truncate,
    type_emoji,
    type_label,
)
from bot.domain.records import Attendee, ContactMatch, ContactRecord
from bot.domain.rules import (
    COMPANY_MAX_CHARS,
    INTERACTION_TYPES,
    MAX_ATTENDEES,
    MAX_DURATION_MINUTES,
    NAME_MAX_CHARS,
    NOTES_MAX_CHARS,
    SUMMARY_MAX_CHARS,
)

CADENCE_MIN_DAYS = 1
CADENCE_MAX_DAYS = 3650
SNOOZE_DEFAULT_DAYS = 7
_TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d")


@dataclass(frozen=True)
class LogPrefill:
    """What the log modal opens with; every field may be missing."""

    contact_id: int | None = None
    contact_name: str | None = None
    new_contact_name: str | None = None  # a contact to create on submit
    type: str | None = None
    date: date | None = None  # local to the user
    time: str | None = None  # "HH:MM", local to the user
    duration_minutes: int | None = None
    summary: str | None = None
    notes: str | None = None
    interaction_id: int | None = None  # editing when set
    permalink: str | None = None
    notice: str | None = None  # why the modal opened, e.g. "I couldn't tell which Jane you meant."
    # More attendees after the first (`contact_id`, else `new_contact_name`), in order, and
    # more contacts to create on submit.
    more_contacts: tuple[Attendee, ...] = ()
    more_new_contacts: tuple[str, ...] = ()
    follow_up_on: dt.date | None = None  # local to the user (`date` above shadows the type)
    completes_follow_up: int | None = None  # saving marks this interaction's follow-up done


def _check_metadata(private_metadata: str) -> None:
    if len(private_metadata) > PRIVATE_METADATA_MAX:
        raise ValueError(f"private_metadata is {len(private_metadata)} characters, Slack allows 3000")


def _modal(callback_id: str, title: str, blocks: list[dict], private_metadata: str, *, submit: str) -> dict:
    _check_metadata(private_metadata)
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(title, 24),
        "submit": plain(submit, 24),
        "close": plain("Cancel", 24),
        "private_metadata": private_metadata,
        "blocks": blocks,
    }


def _quoted_option(prefix: str, name: str) -> str:
    """ "Create contact “Jane”" within the option text limit, keeping the closing quote."""
    room = OPTION_TEXT_MAX - len(prefix) - 2
    return f"{prefix}“{truncate(name, room)}”"


def new_contact_option(name: str) -> dict:
    """The option that creates a contact named `name` when the modal is submitted."""
    name = one_line(name)
    return option(
        _quoted_option("Create contact ", name),
        ids.NEW_CONTACT_PREFIX + name[: OPTION_VALUE_MAX - len(ids.NEW_CONTACT_PREFIX)],
    )


def type_option(interaction_type: str) -> dict:
    return option(f"{type_emoji(interaction_type)} {type_label(interaction_type)}", interaction_type)


def _date_value(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}-{day.day:02d}"


def _text_input(action_id: str, initial: str | None, max_length: int, **extra) -> dict:
    element: dict = {"type": "plain_text_input", "action_id": action_id, "max_length": max_length, **extra}
    if initial and initial.strip():
        element["initial_value"] = truncate(initial, max_length)
    return element


def _number_input(action_id: str, initial: int | None, low: int, high: int) -> dict:
    element: dict = {
        "type": "number_input",
        "action_id": action_id,
        "is_decimal_allowed": False,
        "min_value": str(low),
        "max_value": str(high),
    }
    if initial is not None:
        element["initial_value"] = str(min(max(int(initial), low), high))
    return element


def log_modal(prefill: LogPrefill, *, private_metadata: str) -> dict:
    """The modal to log an interaction, or to edit one when `prefill.interaction_id` is set."""
    p = prefill
    blocks: list[dict] = []
    notes_line = []
    if p.notice and p.notice.strip():
        notes_line.append(f":information_source: {escape_truncate(p.notice, 1000)}")
    if p.permalink:
        notes_line.append(f":link: From {link(p.permalink, 'this message')}")
    if notes_line:
        blocks.append(context(*notes_line))

    blocks.append(input_block(ids.BLOCK_CONTACT, "Contacts", contacts_element(p)))

    kind: dict = {
        "type": "static_select",
        "action_id": ids.ACTION_TYPE_INPUT,
        "placeholder": placeholder("Call, email, meeting…"),
        "options": [type_option(t) for t in INTERACTION_TYPES],
    }
    if p.type in INTERACTION_TYPES:
        kind["initial_option"] = type_option(p.type)
    blocks.append(input_block(ids.BLOCK_TYPE, "Type", kind))

    day: dict = {"type": "datepicker", "action_id": ids.ACTION_DATE_INPUT}
    if p.date is not None:
        day["initial_date"] = _date_value(p.date)
    blocks.append(input_block(ids.BLOCK_DATE, "Date", day))

    time: dict = {"type": "timepicker", "action_id": ids.ACTION_TIME_INPUT}
    if p.time and _TIME.fullmatch(p.time):
        time["initial_time"] = p.time
    blocks.append(
        input_block(
            ids.BLOCK_TIME, "Time", time, optional=True, hint="Leave it empty if you only know the day."
        )
    )

    duration = _number_input(ids.ACTION_DURATION_INPUT, p.duration_minutes, 0, MAX_DURATION_MINUTES)
    duration["placeholder"] = placeholder("30")
    blocks.append(input_block(ids.BLOCK_DURATION, "Duration (minutes)", duration, optional=True))

    summary = _text_input(ids.ACTION_SUMMARY_INPUT, p.summary, SUMMARY_MAX_CHARS)
    summary["placeholder"] = placeholder("What was it about?")
    blocks.append(input_block(ids.BLOCK_SUMMARY, "Summary", summary))

    notes = _text_input(ids.ACTION_NOTES_INPUT, p.notes, NOTES_MAX_CHARS, multiline=True)
    blocks.append(input_block(ids.BLOCK_NOTES, "Notes", notes, optional=True))
    blocks.append(follow_up_input(p.follow_up_on))

    title = "Edit interaction" if p.interaction_id is not None else "Log interaction"
    return _modal(ids.LOG_MODAL, title, blocks, private_metadata, submit="Save")


def contacts_element(p: LogPrefill) -> dict:
    """The "Contacts" picker (first contact first), preselecting who the prefill names."""
    element: dict = {
        "type": "multi_external_select",
        "action_id": ids.ACTION_CONTACT_SELECT,
        "min_query_length": 1,
        "max_selected_items": MAX_ATTENDEES,
        "placeholder": placeholder("Search or add contacts"),
    }
    chosen: list[dict] = []
    if p.contact_id is not None:
        chosen.append(option(display_name(p.contact_name, f"Contact #{p.contact_id}"), str(p.contact_id)))
    elif p.new_contact_name and p.new_contact_name.strip():
        chosen.append(new_contact_option(p.new_contact_name))
    chosen += [option(display_name(a.name, f"Contact #{a.id}"), str(a.id)) for a in p.more_contacts]
    chosen += [new_contact_option(name) for name in p.more_new_contacts if name.strip()]
    unique = list({o["value"]: o for o in chosen}.values())[:MAX_ATTENDEES]
    if unique:
        element["initial_options"] = unique
    return element


def follow_up_input(day: date | None) -> dict:
    """ "Follow up on": an optional day, a plan that never counts as a contact."""
    picker: dict = {"type": "datepicker", "action_id": ids.ACTION_FOLLOW_UP_INPUT}
    if day is not None:
        picker["initial_date"] = _date_value(day)
    hint = "You'll see it in your digest and on App Home that day. It doesn't count as a contact."
    return input_block(ids.BLOCK_FOLLOW_UP, "Follow up on", picker, optional=True, hint=hint)


def contact_options(matches: list[ContactMatch], query: str) -> list[dict]:
    """Options for the contact picker: close matches first, then "Create contact “query”" unless one is exact."""
    query = one_line(query)
    options: list[dict] = []
    seen: set[int] = set()
    for match in matches:
        contact = match.contact
        if contact.id in seen:
            continue
        seen.add(contact.id)
        options.append(
            option(display_name(contact.name), str(contact.id), description=contact.company or contact.email)
        )
    if query and not any(match.exact for match in matches):
        options = [*options[: OPTIONS_MAX - 1], new_contact_option(query)]
    return options[:OPTIONS_MAX]


def merge_options(matches: list[ContactMatch]) -> list[dict]:
    """Options for "Merge into…": existing contacts only (nothing is created by a merge)."""
    return [
        option(
            display_name(m.contact.name), str(m.contact.id), description=m.contact.company or m.contact.email
        )
        for m in matches[:OPTIONS_MAX]
    ]


def contact_modal(contact: ContactRecord, *, private_metadata: str) -> dict:
    """Edit a contact's name, email, company, cadence and owner."""
    c = contact
    name = _text_input(ids.ACTION_CONTACT_NAME_INPUT, c.name, NAME_MAX_CHARS)
    email: dict = {"type": "email_text_input", "action_id": ids.ACTION_CONTACT_EMAIL_INPUT}
    if c.email and c.email.strip():
        email["initial_value"] = c.email
    company = _text_input(ids.ACTION_CONTACT_COMPANY_INPUT, c.company, COMPANY_MAX_CHARS)
    cadence = _number_input(
        ids.ACTION_CONTACT_CADENCE_INPUT, c.cadence_days, CADENCE_MIN_DAYS, CADENCE_MAX_DAYS
    )
    if c.cadence_days is None:
        hint = f"Empty uses the workspace default ({c.effective_cadence_days} days)."
    else:
        hint = "Empty uses the workspace default."
    owner: dict = {"type": "users_select", "action_id": ids.ACTION_CONTACT_OWNER_INPUT}
    if is_user_id(c.owner_user_id):
        owner["initial_user"] = c.owner_user_id
    blocks = [
        input_block(ids.BLOCK_CONTACT_NAME, "Name", name),
        input_block(ids.BLOCK_CONTACT_EMAIL, "Email", email, optional=True),
        input_block(ids.BLOCK_CONTACT_COMPANY, "Company", company, optional=True),
        input_block(
            ids.BLOCK_CONTACT_CADENCE, "Keep in touch every (days)", cadence, optional=True, hint=hint
        ),
        input_block(ids.BLOCK_CONTACT_OWNER, "Owner", owner),
    ]
    return _modal(ids.CONTACT_MODAL, "Edit contact", blocks, private_metadata, submit="Save")


def snooze_modal(contact: ContactRecord, *, today: date, private_metadata: str) -> dict:
    """Pick the day until which a contact is left out of reminders (a week from today to start)."""
    c = contact
    blocks: list[dict] = [
        section(
            f"No reminders about *{escape_truncate(display_name(c.name), 1000)}* until the day you pick."
        ),
    ]
    if c.snoozed_until is not None and c.snoozed_until.date() >= today:
        blocks.append(
            context(f"Currently snoozed until {date_token(c.snoozed_until, '{date_short_pretty}')}.")
        )
    picker = {
        "type": "datepicker",
        "action_id": ids.ACTION_SNOOZE_DATE_INPUT,
        "initial_date": _date_value(today + timedelta(days=SNOOZE_DEFAULT_DAYS)),
    }
    blocks.append(input_block(ids.BLOCK_SNOOZE_DATE, "Snooze until", picker))
    return _modal(ids.SNOOZE_MODAL, "Snooze contact", blocks, private_metadata, submit="Snooze")
