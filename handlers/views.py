"""Modal submissions. Each saves before acknowledging, so errors appear under their field."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time

from slack_bolt import App

from blocks import ids
from blocks.contacts import contact_card
from bot.domain.errors import DomainError, Invalid
from handlers.capture import confirm_saved, read_log_submission
from handlers.common import acting_user, decode_metadata, services, tell_user
from handlers.errors import apology, modal_errors
from handlers.live import interactions_changed
from storage.contacts import (
    ContactChanges,
    ContactDraft,
    create_contact,
    ensure_contact_for_slack_user,
    snooze_contact,
    update_contact,
)
from storage.interactions import (
    InteractionChanges,
    InteractionDraft,
    create_interaction,
    get_interaction,
    latest_interactions_for_contact,
    update_interaction,
    validate_fields,
)

logger = logging.getLogger(__name__)


def register(app: App) -> None:
    app.view(ids.LOG_MODAL)(submit_log_modal)
    app.view(ids.CONTACT_MODAL)(submit_contact_modal)
    app.view(ids.SNOOZE_MODAL)(submit_snooze_modal)


def submit_log_modal(ack, body, view, client, context):
    svc = services(context)
    actor, _ = acting_user(context)
    now = svc.now()
    try:
        fields = read_log_submission(view)
        metadata = fields["metadata"]
        # Check the interaction itself first: a contact is only created for a valid one.
        validate_fields(
            type=fields["type"],
            occurred_at=fields["occurred_at"],
            summary=fields["summary"],
            duration_minutes=fields["duration_minutes"],
            notes=fields["notes"],
            now=now,
        )
        contact_id = fields["contact_id"] or _create_contact_from_modal(svc, actor, fields, metadata, client)
        interaction_id = metadata.get("interaction")
        # An edit may move the interaction away from a contact whose thread must change too.
        previous_contact: set[int] = set()
        changed_times = []
        if interaction_id:
            before = get_interaction(svc.db, actor, int(interaction_id))
            previous_contact, changed_times = {before.contact_id}, [before.occurred_at]
            record = update_interaction(
                svc.db,
                actor,
                int(interaction_id),
                InteractionChanges(
                    contact_id=contact_id,
                    type=fields["type"],
                    occurred_at=fields["occurred_at"],
                    summary=fields["summary"],
                    duration_minutes=fields["duration_minutes"],
                    notes=fields["notes"] or "",
                    clear_duration=fields["duration_minutes"] is None,
                    clear_notes=not fields["notes"],
                ),
                now=now,
            )
        else:
            record, created = create_interaction(
                svc.db,
                actor,
                InteractionDraft(
                    contact_id=contact_id,
                    type=fields["type"],
                    occurred_at=fields["occurred_at"],
                    summary=fields["summary"],
                    duration_minutes=fields["duration_minutes"],
                    notes=fields["notes"],
                    source="shortcut" if metadata.get("permalink") else "modal",
                    # One view is one interaction: a double click or a retried request saves once.
                    source_ref=f"view:{view['id']}",
                    permalink=metadata.get("permalink"),
                ),
                now=now,
            )
            if not created:
                ack()
                return
    except DomainError as error:
        ack(response_action="errors", errors=modal_errors(error, fallback_block=ids.BLOCK_SUMMARY))
        return
    except Exception as error:
        ack(response_action="errors", errors={ids.BLOCK_SUMMARY: apology(error, "log modal")})
        return
    ack()
    confirm_saved(client, actor, record, channel_id=metadata.get("channel"), now=now)
    interactions_changed(
        client, svc, actor, {record.contact_id, *previous_contact}, [*changed_times, record.occurred_at]
    )


def _create_contact_from_modal(svc, actor, fields, metadata, client) -> int:
    name = fields["new_contact_name"]
    slack_user = metadata.get("slack_user")
    if slack_user and name == metadata.get("new_name"):
        person = svc.users.get(actor.team_id, slack_user, client=client)
        contact, _ = ensure_contact_for_slack_user(
            svc.db, actor, slack_user, name=name, email=person.email, now=svc.now()
        )
        return contact.id
    return create_contact(svc.db, actor, ContactDraft(name=name), now=svc.now()).id


def _input_value(values: dict, block: str, key: str = "value"):
    element = next(iter((values.get(block) or {}).values()), {})
    return element.get(key)


def submit_contact_modal(ack, body, view, client, context):
    svc = services(context)
    actor, _ = acting_user(context)
    metadata = decode_metadata(view.get("private_metadata"))
    values = view["state"]["values"]
    cadence_text = (_input_value(values, ids.BLOCK_CONTACT_CADENCE) or "").strip()
    if cadence_text and not cadence_text.isdigit():
        ack(response_action="errors", errors={ids.BLOCK_CONTACT_CADENCE: "Cadence is a number of days."})
        return
    email = (_input_value(values, ids.BLOCK_CONTACT_EMAIL) or "").strip()
    company = (_input_value(values, ids.BLOCK_CONTACT_COMPANY) or "").strip()
    try:
        contact = update_contact(
            svc.db,
            actor,
            int(metadata.get("contact", 0)),
            ContactChanges(
                name=_input_value(values, ids.BLOCK_CONTACT_NAME) or "",
                email=email or None,
                company=company or None,
                cadence_days=int(cadence_text) if cadence_text else None,
                owner_user_id=_input_value(values, ids.BLOCK_CONTACT_OWNER, "selected_user"),
                clear_email=not email,
                clear_company=not company,
                clear_cadence=not cadence_text,
            ),
            now=svc.now(),
        )
    except DomainError as error:
        ack(response_action="errors", errors=modal_errors(error, fallback_block=ids.BLOCK_CONTACT_NAME))
        return
    ack()
    tell_user(
        client,
        user_id=actor.user_id,
        channel_id=metadata.get("channel"),
        text=f"Updated {contact.name}.",
        blocks=contact_card(
            contact, latest_interactions_for_contact(svc.db, actor, contact.id, limit=5), now=svc.now()
        ),
    )


def submit_snooze_modal(ack, body, view, client, context):
    svc = services(context)
    actor, user = acting_user(context)
    metadata = decode_metadata(view.get("private_metadata"))
    picked = _input_value(view["state"]["values"], ids.BLOCK_SNOOZE_DATE, "selected_date")
    try:
        if not picked:
            raise Invalid({"until": "Pick a date."})
        # Snoozed until the start of that day where the user lives.
        until = datetime.combine(date.fromisoformat(picked), time(0), tzinfo=user.tz).astimezone(UTC)
        contact = snooze_contact(svc.db, actor, int(metadata.get("contact", 0)), until, now=svc.now())
    except DomainError as error:
        ack(response_action="errors", errors=modal_errors(error, fallback_block=ids.BLOCK_SNOOZE_DATE))
        return
    ack()
    tell_user(
        client,
        user_id=actor.user_id,
        channel_id=metadata.get("channel"),
        text=f"Snoozed {contact.name} until {picked}.",
    )
