"""Workspace-wide settings."""

from __future__ import annotations

from bot.domain.records import Actor
from storage.db import Database
from storage.models import Workspace


def get_team_digest_channel(db: Database, actor: Actor) -> str | None:
    """The channel of the weekly team digest, or None when it is off."""
    with db.read() as session:
        workspace = session.get(Workspace, actor.team_id)
        return workspace.digest_channel_id if workspace is not None else None
