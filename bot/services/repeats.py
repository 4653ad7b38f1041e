"""A log that repeats one saved minutes ago (same author, contacts, type and summary) is asked
about, not saved twice: a double submit or a retry after a lost confirmation is the usual cause.

The question's "Log again" button carries the draft, so saying yes saves it exactly once.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from slack_sdk import WebClient

from bot.domain.errors import Invalid
from bot.domain.records import Actor, InteractionRecord
from bot.services import AfterAnswer, Services
from bot.services.surfaces import after_interactions_changed
from storage import request_keys
from storage.interactions import InteractionDraft, create_interaction
from storage.repeats import find_recent_repeat

REPEAT_WINDOW = timedelta(minutes=5)
# A modal stays open for a while: its "log again?" question is remembered for a day.
WARNED_FOR = timedelta(days=1)
STALE_BUTTON = "That button is out of date: log it again with /log."


def earlier_same_log(
    svc: Services,
    actor: Actor,
    *,
    contact_id: int,
    type: str,
    summary: str,
    now: datetime,
    contact_ids: Iterable[int] = (),
) -> InteractionRecord | None:
    """The same log (the same set of contacts: `contact_ids`, else just `contact_id`) minutes ago."""
    return find_recent_repeat(
        svc.db,
        actor,
        contact_id=contact_id,
        type=type,
        summary=summary,
        since=now - REPEAT_WINDOW,
        contact_ids=frozenset(contact_ids) or None,
    )


def encode_again(draft: InteractionDraft) -> str:
    return json.dumps(
        {
            "c": draft.contact_id,
            "t": draft.type,
            "at": draft.occurred_at.isoformat() if draft.occurred_at else None,
            "d": draft.duration_minutes,
            "s": draft.summary,
            "k": draft.time_known,
            **({"cs": others} if (others := _other_ids(draft)) else {}),
            "f": draft.follow_up_on.isoformat() if draft.follow_up_on else None,
        },
        separators=(",", ":"),
        ensure_ascii=False,
    )


def _other_ids(draft: InteractionDraft) -> list[int]:
    """The contacts after the first a "log again" must keep (a repeat names only existing ones)."""
    ids = [*draft.contact_ids, *(p for p in draft.more if isinstance(p, int))]
    return [cid for cid in dict.fromkeys(ids) if cid != draft.contact_id]


def decode_again(value: str, *, source_ref: str) -> InteractionDraft:
    """The draft a "Log again" button carries; Invalid for anything that isn't one."""
    try:
        data = json.loads(value)
        contact_id, type_, at, duration, summary = (data[k] for k in ("c", "t", "at", "d", "s"))
        occurred_at = datetime.fromisoformat(at)
    except (ValueError, TypeError, KeyError, IndexError):
        raise Invalid({"summary": STALE_BUTTON}) from None
    if not (
        isinstance(contact_id, int)
        and not isinstance(contact_id, bool)
        and isinstance(type_, str)
        and isinstance(summary, str)
        and (duration is None or (isinstance(duration, int) and not isinstance(duration, bool)))
    ):
        raise Invalid({"summary": STALE_BUTTON})
    more = data.get("cs", [])
    if not isinstance(more, list) or not all(isinstance(c, int) and not isinstance(c, bool) for c in more):
        raise Invalid({"summary": STALE_BUTTON})
    return InteractionDraft(
        contact_id=contact_id,
        contact_ids=tuple(more),
        type=type_,
        occurred_at=occurred_at,
        summary=summary,
        duration_minutes=duration,
        time_known=data.get("k") is not False,
        source="command",
        source_ref=source_ref,
        follow_up_on=_day(data.get("f")),
    )


def _day(value: object) -> date | None:
    """The follow-up day a "Log again" button carries (None: none, or unreadable)."""
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def warn(svc: Services, actor: Actor, view_id: str, *, now: datetime) -> None:
    """Remember that this modal's user was asked "log again?": their next Save confirms.

    Kept in the database, so the second Save may reach any worker process.
    """
    request_keys.claim(svc.db, actor.team_id, f"warned:{view_id}", now=now, ttl=WARNED_FOR)


def confirmed(svc: Services, actor: Actor, view_id: str, *, now: datetime) -> bool:
    """Whether this modal's user was already asked "log again?" (so Save means yes)."""
    return request_keys.is_claimed(svc.db, actor.team_id, f"warned:{view_id}", now=now)


def log_again(
    svc: Services,
    client: WebClient,
    actor: Actor,
    value: str,
    *,
    source_ref: str,
    now: datetime,
    after: AfterAnswer,
) -> tuple[InteractionRecord, bool]:
    """ "Log again" on the repeat question: saves the carried draft once (per question)."""
    draft = decode_again(value, source_ref=source_ref)
    record, created = create_interaction(svc.db, actor, draft, now=now)
    if created:
        after_interactions_changed(
            after, svc, client, actor, contact_ids=record.contact_ids, when=[record.occurred_at], now=now
        )
    return record, created
