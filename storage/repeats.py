"""Finding a log that repeats one saved minutes ago (same author, contacts, type and summary)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, select

from bot.domain.boundary import has_control_chars
from bot.domain.records import Actor, InteractionRecord
from storage.db import Database
from storage.interactions import to_records
from storage.models import Contact, Interaction, InteractionContact

# Built once (every /log and log modal asks): the actor's live interactions with one of the
# contacts, the same type and summary, since a moment; newest first.
_RECENT_SAME = (
    select(Interaction, Contact.name)
    .join(Contact, Contact.id == Interaction.contact_id)
    .where(
        Interaction.team_id == bindparam("team_id"),
        Interaction.logged_by == bindparam("logged_by"),
        Interaction.id.in_(
            select(InteractionContact.interaction_id).where(
                InteractionContact.contact_id == bindparam("contact_id")
            )
        ),
        Interaction.type == bindparam("type"),
        Interaction.summary == bindparam("summary"),
        Interaction.deleted_at.is_(None),
        Interaction.created_at >= bindparam("since"),
    )
    .order_by(Interaction.created_at.desc(), Interaction.id.desc())
    .limit(20)
)


def find_recent_repeat(
    db: Database,
    actor: Actor,
    *,
    contact_id: int,
    type: str,
    summary: str,
    since: datetime,
    contact_ids: frozenset[int] | None = None,
) -> InteractionRecord | None:
    """The actor's own live interaction with the same contacts, type and summary saved since `since`.

    The same contacts: exactly `contact_ids` (as a set) when given, else just `contact_id`.
    """
    wanted = contact_ids or frozenset({contact_id})
    summary = " ".join(summary.split())
    if not summary or has_control_chars(summary):
        return None
    params = {
        "team_id": actor.team_id,
        "logged_by": actor.user_id,
        "contact_id": min(wanted),
        "type": type,
        "summary": summary,
        "since": since,
    }
    with db.read() as session:
        row = session.execute(_RECENT_SAME, params).all()
        for record in to_records(session, [(i, name) for i, name in row]):
            if record.contact_ids == wanted:
                return record
        return None
