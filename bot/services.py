"""What listeners need besides the payload, handed to them through Bolt's context."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.settings import Settings
from bot.users import UserDirectory
from storage.db import Database


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    settings: Settings
    db: Database
    users: UserDirectory
    clock: Callable[[], datetime] = field(default=utc_now)
    # Pause between messages of one timeline thread: chat.postMessage allows about one a
    # second per channel. Tests set it to 0.
    timeline_pace_seconds: float = 1.0

    def now(self) -> datetime:
        return self.clock()
