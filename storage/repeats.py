"""Finding a log that repeats one saved minutes ago (same author, contact, type and summary)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from bot.domain.boundary import has_control_chars
from bot.domain.records import Actor, InteractionRecord
from storage.db import Database
from storage.interactions import _to_record
from storage.models import Contact, Interaction


def find_recent_repeat(
    db: Database, actor: Actor, *, contact_id: int, type: str, summary: str, since: datetime
) -> InteractionRecord | None:
    """The actor's own live interaction with the same contact, type and summary saved since `since`."""
    summary = " ".join(summary.split())
    if not summary or has_control_chars(summary):
        return None
    with db.read() as session:
        row = session.execute(
            select(Interaction, Contact.name)
            .join(Contact, Contact.id == Interaction.contact_id)
            .where(
                Interaction.team_id == actor.team_id,
                Interaction.logged_by == actor.user_id,
                Interaction.contact_id == contact_id,
                Interaction.type == type,
                Interaction.summary == summary,
                Interaction.deleted_at.is_(None),
                Interaction.created_at >= since,
            )
            .order_by(Interaction.created_at.desc(), Interaction.id.desc())
            .limit(1)
        ).first()
        return _to_record(*row) if row else None
