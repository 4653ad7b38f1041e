"""After an interaction changes: keep every surface that shows it current."""

from __future__ import annotations

import logging

from bot.domain.records import Actor

logger = logging.getLogger(__name__)


def interactions_changed(client, svc, actor: Actor, contact_ids: set[int], when: list | None = None) -> None:
    """Refresh the live timeline threads of these contacts.

    `when` lists the occurred_at values that changed (before and after an edit), so only
    those months' replies are re-rendered.

    Runs after the change is saved and acknowledged; a thread that can't be updated is
    logged, never reported as a failed save (the save did happen).
    """
    from handlers.timeline import refresh_timelines

    try:
        refresh_timelines(client, svc, actor, set(contact_ids), months_hint=when)
    except Exception:
        logger.exception("could not refresh timeline threads for contacts %s", sorted(contact_ids))
