"""After an interaction changes: keep every surface that shows it current."""

from __future__ import annotations

import logging

from storage.records import Actor

logger = logging.getLogger(__name__)


def interactions_changed(client, svc, actor: Actor, contact_ids: set[int]) -> None:
    """Refresh the live timeline threads of these contacts.

    Runs after the change is saved and acknowledged; a thread that can't be updated is
    logged, never reported as a failed save (the save did happen).
    """
    try:
        from handlers.timeline import refresh_timelines
    except ImportError:  # timeline threads not installed yet
        return
    try:
        refresh_timelines(client, svc, actor, set(contact_ids))
    except Exception:
        logger.exception("could not refresh timeline threads for contacts %s", sorted(contact_ids))
