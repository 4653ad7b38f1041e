"""Per-user notes of confirmations that couldn't be delivered: kept until their next request."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete, select

from bot.domain.records import Actor
from storage.contacts import ensure_workspace
from storage.db import Database
from storage.models import PendingNote

NOTE_MAX_CHARS = 2000


def add_note(db: Database, actor: Actor, text: str, *, now: datetime) -> None:
    """Append to the user's note (several undelivered confirmations read as one)."""
    with db.write() as session:
        ensure_workspace(session, actor.team_id, now=now)
        note = session.get(PendingNote, (actor.team_id, actor.user_id))
        if note is None:
            session.add(
                PendingNote(
                    team_id=actor.team_id, user_id=actor.user_id, text=text[:NOTE_MAX_CHARS], created_at=now
                )
            )
        else:
            note.text = f"{note.text}\n{text}"[-NOTE_MAX_CHARS:]


_NOTES = PendingNote.__table__
# Asked after every request: a prebuilt Core statement, no ORM entity.
_HAS_NOTE = (
    select(_NOTES.c.user_id)
    .where(_NOTES.c.team_id == bindparam("team_id"), _NOTES.c.user_id == bindparam("user_id"))
    .limit(1)
)


def has_note(db: Database, actor: Actor) -> bool:
    with db.read() as session:
        found = session.execute(_HAS_NOTE, {"team_id": actor.team_id, "user_id": actor.user_id}).first()
        return found is not None


def take_note(db: Database, actor: Actor) -> str | None:
    """The user's note, removed (exactly one request gets to say it)."""
    with db.write() as session:
        note = session.scalars(
            select(PendingNote).where(
                PendingNote.team_id == actor.team_id, PendingNote.user_id == actor.user_id
            )
        ).first()
        if note is None:
            return None
        text = note.text
        session.execute(
            delete(PendingNote).where(
                PendingNote.team_id == actor.team_id, PendingNote.user_id == actor.user_id
            )
        )
        return text
