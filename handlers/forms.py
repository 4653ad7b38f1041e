"""The modals' round trip: what a view carries in `private_metadata`, and reading submissions back.

Both directions live here so the format is written in one place. Readers check every value's
type: a payload is outside input.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from blocks import ids
from blocks.metadata import decode_metadata, encode_metadata
from blocks.modals import LogPrefill, log_modal
from bot.domain.errors import Invalid
from bot.domain.rules import MAX_ATTENDEES, zone
from bot.services.capture import LogForm
from bot.services.surfaces import NO_SURFACES, Surfaces
from bot.services.users import SlackUser
from handlers.common import parse_id

RESPONSE_URL_MAX = 600


def log_view(
    prefill: LogPrefill,
    *,
    user: SlackUser,
    channel_id: str | None,
    slack_user_id: str | None = None,
    response_url: str | None = None,
    surfaces: Surfaces = NO_SURFACES,
) -> dict:
    """The log modal, its metadata carrying what the submission will need."""
    metadata = encode_metadata(
        {
            "channel": channel_id,
            "tz": user.tz.key,
            "interaction": prefill.interaction_id,
            "permalink": prefill.permalink,
            # The message author to create a contact for, if the user keeps the suggestion.
            "slack_user": slack_user_id,
            "new_name": prefill.new_contact_name,
            "response_url": response_url if response_url and len(response_url) < RESPONSE_URL_MAX else None,
            "surfaces": surfaces.to_json() or None,
            "completes": prefill.completes_follow_up,
        },
        # Keeping an open list in step is a nicety; the submission itself must fit.
        optional=("surfaces", "response_url", "permalink"),
    )
    return log_modal(prefill, private_metadata=metadata)


def _values(view: dict) -> dict:
    state = view.get("state")
    values = state.get("values") if isinstance(state, dict) else None
    return values if isinstance(values, dict) else {}


def element(values: dict, block: str) -> dict:
    """The one element of an input block (Slack keys it by action id)."""
    block_values = values.get(block)
    if not isinstance(block_values, dict) or not block_values:
        return {}
    first = next(iter(block_values.values()))
    return first if isinstance(first, dict) else {}


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def selected_value(values: dict, block: str) -> str | None:
    option = element(values, block).get("selected_option")
    return _str(option.get("value")) if isinstance(option, dict) else None


def text_value(values: dict, block: str) -> str:
    return _str(element(values, block).get("value")) or ""


def read_log_form(view: dict) -> LogForm:
    """The log modal's fields; raises Invalid, naming each field that can't be read."""
    values = _values(view)
    metadata = decode_metadata(view.get("private_metadata"))
    tz = zone(_str(metadata.get("tz")))
    errors: dict[str, str] = {}

    picks = _contact_picks(values)
    first = picks[0] if picks else None
    contact_id = first if isinstance(first, int) else None
    new_contact_name = first if isinstance(first, str) else None
    if not picks:
        errors["contact"] = "Choose who this was with, or type a new name."
    elif len(picks) > MAX_ATTENDEES:
        errors["contact"] = f"An interaction can have at most {MAX_ATTENDEES} contacts."

    selected_date = _str(element(values, ids.BLOCK_DATE).get("selected_date"))
    # No time picked: only the day is known, stored as the start of that day where the user is.
    selected_time = _str(element(values, ids.BLOCK_TIME).get("selected_time"))
    time_known = selected_time is not None
    occurred_at = None
    if selected_date is None:
        errors["occurred_at"] = "Pick the day it happened."
    else:
        try:
            local = datetime.combine(
                date.fromisoformat(selected_date), time.fromisoformat(selected_time or "00:00"), tzinfo=tz
            )
            occurred_at = local.astimezone(UTC)
        except (ValueError, OverflowError):
            errors["occurred_at"] = "Pick a date and time."

    duration_text = text_value(values, ids.BLOCK_DURATION).strip()
    duration = None
    if duration_text:
        if duration_text.startswith("-") and duration_text[1:].isdigit():
            errors["duration_minutes"] = "Duration can't be negative."
        elif duration_text.isascii() and duration_text.isdigit() and len(duration_text) <= 6:
            duration = int(duration_text)
        else:
            errors["duration_minutes"] = "Give the duration as a whole number of minutes, like 30."
    follow_up_on = None
    follow_up_text = _str(element(values, ids.BLOCK_FOLLOW_UP).get("selected_date"))
    if follow_up_text:
        try:
            follow_up_on = date.fromisoformat(follow_up_text)
        except ValueError:
            errors["follow_up_on"] = "Pick the day to follow up on."
    if errors:
        raise Invalid(errors)
    notes = _str(element(values, ids.BLOCK_NOTES).get("value"))
    completes = metadata.get("completes")
    interaction = metadata.get("interaction")
    return LogForm(
        view_id=_str(view.get("id")) or "",
        contact_id=contact_id,
        new_contact_name=new_contact_name,
        type=selected_value(values, ids.BLOCK_TYPE) or "",
        occurred_at=occurred_at,
        time_known=time_known,
        duration_minutes=duration,
        summary=text_value(values, ids.BLOCK_SUMMARY),
        notes=notes,
        interaction_id=interaction
        if isinstance(interaction, int) and not isinstance(interaction, bool)
        else None,
        permalink=_str(metadata.get("permalink")),
        slack_user_id=_str(metadata.get("slack_user")),
        suggested_name=_str(metadata.get("new_name")),
        surfaces=Surfaces.from_json(metadata.get("surfaces")),
        more_contacts=tuple(picks[1:]),
        follow_up_on=follow_up_on,
        completes_follow_up=completes
        if isinstance(completes, int) and not isinstance(completes, bool)
        else None,
        tz=tz.key,
    )


def _contact_picks(values: dict) -> list[int | str]:
    """The "Contacts" picked, in order: a contact's id, or the name of a contact to create."""
    state = element(values, ids.BLOCK_CONTACT)
    chosen = state.get("selected_options")
    if not isinstance(chosen, list):  # a single select (a view opened before attendees)
        chosen = [state.get("selected_option")]
    picks: list[int | str] = []
    for option in chosen:
        value = _str(option.get("value")) if isinstance(option, dict) else None
        contact_id = parse_id(value or "")
        pick: int | str | None = contact_id
        if contact_id is None and value and value.startswith(ids.NEW_CONTACT_PREFIX):
            pick = value[len(ids.NEW_CONTACT_PREFIX) :].strip() or None
        if pick is not None and pick not in picks:
            picks.append(pick)
    return picks


def log_channel(view: dict) -> str | None:
    """Where the user logged from: the confirmation goes there (else to a DM)."""
    return _str(decode_metadata(view.get("private_metadata")).get("channel"))


def log_response_url(view: dict) -> str | None:
    """The /log command's response_url the modal carries (the confirmation's first path)."""
    return _str(decode_metadata(view.get("private_metadata")).get("response_url"))


def contact_metadata(contact_id: int, channel_id: str | None, surfaces: Surfaces = NO_SURFACES) -> str:
    return encode_metadata(
        {"contact": contact_id, "channel": channel_id, "surfaces": surfaces.to_json() or None},
        optional=("surfaces",),
    )


def read_contact_ref(view: dict) -> tuple[int, str | None, Surfaces]:
    """(contact id, channel, surfaces) a contact or snooze modal was opened for."""
    metadata = decode_metadata(view.get("private_metadata"))
    contact_id = metadata.get("contact")
    return (
        contact_id if isinstance(contact_id, int) and not isinstance(contact_id, bool) else 0,
        _str(metadata.get("channel")),
        Surfaces.from_json(metadata.get("surfaces")),
    )


def view_values(view: dict) -> dict:
    return _values(view)
