"""Shared steps of logging an interaction: open the modal, read it back, confirm the save."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from slack_sdk import WebClient

from blocks import ids
from blocks.interactions import interaction_card
from blocks.modals import LogPrefill, log_modal
from bot.domain.errors import Invalid
from bot.domain.records import Actor, InteractionRecord
from bot.users import SlackUser
from handlers.common import decode_metadata, encode_metadata, parse_id, tell_user

logger = logging.getLogger(__name__)


def local_defaults(now: datetime, tz: ZoneInfo) -> tuple[date, str]:
    local = now.astimezone(tz)
    return local.date(), local.strftime("%H:%M")


def open_log_modal(
    client: WebClient,
    trigger_id: str,
    prefill: LogPrefill,
    *,
    user: SlackUser,
    channel_id: str | None,
    slack_user_id: str | None = None,
    response_url: str | None = None,
    push: bool = False,
) -> None:
    """Open (or push) the log modal; its metadata carries what the submission will need."""
    metadata = encode_metadata(
        {
            "channel": channel_id,
            "tz": user.tz.key,
            "interaction": prefill.interaction_id,
            "permalink": prefill.permalink,
            # The message author to create a contact for, if the user keeps the suggestion.
            "slack_user": slack_user_id,
            "new_name": prefill.new_contact_name,
            "response_url": response_url if response_url and len(response_url) < 600 else None,
        }
    )
    view = log_modal(prefill, private_metadata=metadata)
    if push:
        client.views_push(trigger_id=trigger_id, view=view)
    else:
        client.views_open(trigger_id=trigger_id, view=view)


def _value(values: dict, block: str) -> dict:
    block_values = values.get(block) or {}
    return next(iter(block_values.values()), {}) if block_values else {}


def read_log_submission(view: dict) -> dict:
    """The modal's fields as storage wants them; raises Invalid for what can't be read."""
    values = (view.get("state") or {}).get("values") or {}
    metadata = decode_metadata(view.get("private_metadata"))
    try:
        tz = ZoneInfo(metadata.get("tz") or "UTC")
    except Exception:
        tz = ZoneInfo("UTC")
    errors: dict[str, str] = {}

    contact_value = ((_value(values, ids.BLOCK_CONTACT).get("selected_option")) or {}).get("value") or ""
    contact_id = parse_id(contact_value)
    new_contact_name = None
    if contact_value.startswith(ids.NEW_CONTACT_PREFIX):
        new_contact_name = contact_value[len(ids.NEW_CONTACT_PREFIX) :].strip() or None
    if contact_id is None and new_contact_name is None:
        errors["contact"] = "Choose who this was with, or type a new name."

    type_value = ((_value(values, ids.BLOCK_TYPE).get("selected_option")) or {}).get("value")
    selected_date = _value(values, ids.BLOCK_DATE).get("selected_date")
    selected_time = _value(values, ids.BLOCK_TIME).get("selected_time") or "12:00"
    occurred_at = None
    try:
        local_day = date.fromisoformat(selected_date) if selected_date else None
        local_time = time.fromisoformat(selected_time)
        if local_day is not None:
            occurred_at = datetime.combine(local_day, local_time, tzinfo=tz).astimezone(UTC)
    except ValueError:
        errors["occurred_at"] = "Pick a date and time."
    if selected_date is None:
        errors["occurred_at"] = "Pick the day it happened."

    duration_text = (_value(values, ids.BLOCK_DURATION).get("value") or "").strip()
    duration = None
    if duration_text:
        if duration_text.isdigit():
            duration = int(duration_text)
        else:
            errors["duration_minutes"] = "Duration is a whole number of minutes."
    if errors:
        raise Invalid(errors)
    return {
        "metadata": metadata,
        "contact_id": contact_id,
        "new_contact_name": new_contact_name,
        "type": type_value or "",
        "occurred_at": occurred_at,
        "duration_minutes": duration,
        "summary": _value(values, ids.BLOCK_SUMMARY).get("value") or "",
        "notes": _value(values, ids.BLOCK_NOTES).get("value"),
    }


def confirm_saved(
    client: WebClient,
    actor: Actor,
    record: InteractionRecord,
    *,
    channel_id: str | None,
    now: datetime,
    respond=None,
) -> None:
    """Show the saved interaction's card to the person who logged it."""
    blocks = interaction_card(record, now=now, can_edit=True)
    text = f"Logged {record.type} with {record.contact_name}."
    if respond is not None:
        respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)
        return
    tell_user(client, user_id=actor.user_id, channel_id=channel_id, text=text, blocks=blocks)
