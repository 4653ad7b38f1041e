"""Slack message metadata on the messages Touchbase posts, so other apps, workflows and Touchbase
itself can tell what a message is about without reading its text.

`chat.postMessage` and `chat.update` accept `metadata` (`chat.postEphemeral` does not). Every
payload value is a string or a number, the types Slack's metadata payloads accept everywhere:
several ids travel as one comma-separated string ("12,15,16").

Event types (each under Slack's 50 characters):
- `touchbase_interaction`: a message about interactions, a saved-interaction card or one month
  of a timeline thread. `interaction_ids` and `contact_ids`; a month reply adds `month` (YYYY-MM).
- `touchbase_timeline`: the parent of a /timeline thread. `contact_id`.
- `touchbase_digest`: a person's digest DM. `user_id` and the `contact_ids` it lists.
"""

from __future__ import annotations

from collections.abc import Iterable

from blocks.timeline import MONTH_ITEMS_MAX
from bot.domain.records import InteractionRecord, StaleContact
from bot.domain.rules import DIGEST_CONTACTS_MAX

INTERACTION_EVENT = "touchbase_interaction"
TIMELINE_EVENT = "touchbase_timeline"
DIGEST_EVENT = "touchbase_digest"


def _ids(values: Iterable[int]) -> str:
    return ",".join(str(v) for v in dict.fromkeys(values))


def interaction_metadata(record: InteractionRecord) -> dict:
    """A message about one interaction (the card confirming it was saved)."""
    return {
        "event_type": INTERACTION_EVENT,
        "event_payload": {
            "interaction_ids": _ids([record.id]),
            "contact_ids": _ids(a.id for a in record.attendees),
            "interaction_type": record.type,
        },
    }


def month_reply_metadata(contact_id: int, month: str, interactions: list[InteractionRecord]) -> dict:
    """One month of a timeline thread: the interactions it shows (the latest MONTH_ITEMS_MAX)."""
    shown = interactions[-MONTH_ITEMS_MAX:]
    return {
        "event_type": INTERACTION_EVENT,
        "event_payload": {
            "interaction_ids": _ids(i.id for i in shown),
            "contact_ids": _ids([contact_id]),
            "month": month,
        },
    }


def timeline_metadata(contact_id: int) -> dict:
    return {"event_type": TIMELINE_EVENT, "event_payload": {"contact_id": contact_id}}


def digest_metadata(user_id: str, stale: list[StaleContact]) -> dict:
    """A digest DM and the contacts it lists (as `digest_message` shows them; none once caught up)."""
    shown = stale[:DIGEST_CONTACTS_MAX]
    return {
        "event_type": DIGEST_EVENT,
        "event_payload": {"user_id": user_id, "contact_ids": _ids(item.contact.id for item in shown)},
    }
