"""The use cases: what a user can do, each owning every side effect of its write.

A use case takes the acting user, a Web API client and `now`, validates through storage and
returns plain records. Side effects that make the user wait (timeline threads paced a second
per message, other surfaces showing the changed thing) are queued on an `AfterAnswer` and run
by the listener once the user has their answer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bot.services.users import UserDirectory
from bot.settings import Settings
from storage.db import Database

logger = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    """What every use case needs besides its arguments; handed to listeners through Bolt's context."""

    settings: Settings
    db: Database
    users: UserDirectory
    clock: Callable[[], datetime] = field(default=utc_now)
    # Pause between messages of one timeline thread: chat.postMessage allows about one a
    # second per channel. Tests set it to 0.
    timeline_pace_seconds: float = 1.0

    def now(self) -> datetime:
        return self.clock()


class AfterAnswer:
    """Side effects of a write, run after the user's answer has gone out.

    Each runs on its own: one that fails is logged and never turns the saved change into an
    error (the change is saved; a stale surface is repaired by the next change).
    """

    def __init__(self) -> None:
        self._tasks: list[tuple[str, Callable[..., Any], tuple, dict]] = []

    def add(self, what: str, task: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        self._tasks.append((what, task, args, kwargs))

    def __len__(self) -> int:
        return len(self._tasks)

    def run(self) -> None:
        tasks, self._tasks = self._tasks, []
        for what, task, args, kwargs in tasks:
            try:
                task(*args, **kwargs)
            except Exception:
                logger.exception("side effect failed after the answer: %s", what)
