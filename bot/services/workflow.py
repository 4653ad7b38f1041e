"""Workflow Builder steps: log an interaction from a workflow, and read a contact's status.

The step names, inputs and outputs are the product's contract (PRODUCT.md, "Workflow Builder
steps"). Inputs come from a workflow's form or earlier steps and are typed only loosely by Slack,
so each is checked here; a problem raises `StepError`, whose message is what the workflow's
builder reads in the run's activity. Logging goes through the capture service, as `logged_by`,
with the same validation and side effects as /log.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from slack_sdk import WebClient

from bot.domain.errors import DomainError, Invalid
from bot.domain.records import Actor, ContactRecord, InteractionRecord
from bot.domain.rules import INTERACTION_TYPES
from bot.services import AfterAnswer, Services
from bot.services import capture as capture_service
from storage.contacts import contacts_by_email_or_exact_name
from storage.interactions import InteractionDraft

LOG_STEP = "log_interaction_step"
STATUS_STEP = "contact_status_step"

# The inputs as Workflow Builder labels them (app.manifest.yaml), for messages that name one.
INPUT_TITLES = {
    "contact": "Contact",
    "interaction_type": "Interaction type",
    "summary": "Summary",
    "notes": "Notes",
    "occurred_at": "When it happened",
    "logged_by": "Logged by",
}
# Storage's field names -> the step input a builder sets.
FIELD_INPUTS = {
    "type": "interaction_type",
    "occurred_at": "occurred_at",
    "summary": "summary",
    "notes": "notes",
}
USER_ID_RE = re.compile(r"^[UW][A-Z0-9]{2,}$")


class StepError(DomainError):
    """A step that can't be done as configured: the message tells the workflow's builder why."""


@dataclass(frozen=True)
class LoggedStep:
    record: InteractionRecord
    created: bool  # False when Slack redelivered an execution that already logged this

    @property
    def outputs(self) -> dict:
        return {"interaction_id": str(self.record.id), "contact_name": self.record.contact_name}


def source_ref(execution_id: str) -> str | None:
    """One step execution logs one interaction, however often Slack delivers it."""
    return f"function:{execution_id}" if execution_id else None


def log_interaction_step(
    svc: Services,
    client: WebClient,
    team_id: str,
    inputs: dict,
    *,
    execution_id: str,
    now: datetime,
    after: AfterAnswer,
) -> LoggedStep:
    """`log_interaction_step`: save the interaction as `logged_by` in the workflow's workspace.

    `team_id` comes from the verified event, never from the inputs. Raises StepError (nothing
    saved) for a missing or bad input, an unknown contact or a time in the future.
    """
    user_id = _required(inputs, "logged_by")
    if not USER_ID_RE.match(user_id):
        raise StepError(f"{_title('logged_by')} must be a Slack user (got “{user_id}”).")
    contact_text = _required(inputs, "contact")
    interaction_type = _required(inputs, "interaction_type").lower()
    if interaction_type not in INTERACTION_TYPES:
        raise StepError(
            f"{_title('interaction_type')} must be one of {', '.join(INTERACTION_TYPES)} "
            f"(got “{_clip(interaction_type)}”)."
        )
    summary = _required(inputs, "summary")
    notes = _optional_text(inputs, "notes")
    occurred_at = _timestamp(inputs.get("occurred_at"), now)

    person = svc.users.get(team_id, user_id, client=client)
    if not person.known:
        raise StepError(f"Slack couldn't confirm who {_title('logged_by')} ({user_id}) is. Try again.")
    if person.deleted or person.is_bot:
        raise StepError(
            f"{_title('logged_by')} must be an active person, not a bot or a deactivated account."
        )
    actor = Actor(team_id=team_id, user_id=user_id, is_admin=person.is_admin)
    contact = _one_contact(svc, actor, contact_text)
    try:
        saved = capture_service.log_interaction(
            svc,
            client,
            actor,
            InteractionDraft(
                contact_id=contact.id,
                type=interaction_type,
                occurred_at=occurred_at,
                summary=summary,
                notes=notes,
                source="workflow",
                source_ref=source_ref(execution_id),
            ),
            now=now,
            after=after,
        )
    except Invalid as invalid:
        raise StepError(_invalid_message(invalid)) from invalid
    return LoggedStep(saved.record, saved.created)


def contact_status_step(svc: Services, team_id: str, inputs: dict, *, now: datetime) -> dict:
    """`contact_status_step`: the outputs for one contact of the workflow's workspace."""
    contact = _one_contact(svc, Actor(team_id=team_id, user_id=""), _required(inputs, "contact"))
    last = contact.last_contacted_at
    return {
        "contact_name": contact.name,
        "last_contacted_at": int(last.timestamp()) if last else 0,
        "is_stale": contact.is_stale(now),
        "owner": contact.owner_user_id,
    }


def step_error_message(error: Exception) -> str:
    """What a workflow's builder is told when a step ends with an error."""
    if isinstance(error, StepError):
        return error.message
    if isinstance(error, Invalid):
        return _invalid_message(error)
    if isinstance(error, DomainError):
        return error.message
    return "Touchbase couldn't finish this step because of an unexpected error. Try the workflow again."


# --- reading inputs --------------------------------------------------------------------------


def _title(name: str) -> str:
    return f"The “{INPUT_TITLES.get(name, name)}” input"


def _clip(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _required(inputs: dict, name: str) -> str:
    value = inputs.get(name)
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise StepError(f"{_title(name)} is required: set it in the step.")
    return value.strip()


def _optional_text(inputs: dict, name: str) -> str | None:
    value = inputs.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise StepError(f"{_title(name)} must be text.")
    return value.strip() or None


def _timestamp(value: object, now: datetime) -> datetime:
    """A Slack `timestamp` input (seconds since 1970); now when left empty."""
    if value is None or value == "":
        return now
    if isinstance(value, str):
        text = value.strip()
        try:
            value = float(text)
        except ValueError:
            raise StepError(
                f"{_title('occurred_at')} must be a date and time (got “{_clip(text)}”)."
            ) from None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise StepError(f"{_title('occurred_at')} must be a date and time.")
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        raise StepError(f"{_title('occurred_at')} is not a date Touchbase can use.") from None


def _one_contact(svc: Services, actor: Actor, text: str) -> ContactRecord:
    found = contacts_by_email_or_exact_name(svc.db, actor, text)
    if not found:
        raise StepError(
            f"No contact named or with the email “{_clip(text)}” in Touchbase. "
            "Use a contact's exact name or email (/contact add creates one)."
        )
    if len(found) > 1:
        raise StepError(
            f"Several contacts are named “{_clip(text)}”: use the contact's email in {_title('contact')}."
        )
    return found[0]


def _invalid_message(invalid: Invalid) -> str:
    parts = []
    for field, message in invalid.fields.items():
        name = FIELD_INPUTS.get(field)
        parts.append(f"{_title(name)}: {message}" if name else message)
    return "Touchbase couldn't log the interaction. " + " ".join(parts)
