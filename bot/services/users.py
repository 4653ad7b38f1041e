"""Slack users as the app needs them (time zone, admin flag, name), cached a while.

`users.info` is Tier 4 and every modal needs the user's time zone, so profiles are kept
for a few minutes per process; an API failure falls back to UTC and "not an admin".
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain.rules import UTC_ZONE, zone

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SlackUser:
    id: str
    name: str
    email: str | None
    tz: ZoneInfo
    is_admin: bool
    is_bot: bool = False
    deleted: bool = False
    known: bool = True  # False when Slack could not be asked
    locale: str | None = None  # e.g. "en-US": decides day/month order in typed dates
    team_id: str | None = None  # the user's own workspace (differs in Slack Connect channels)


def user_from_payload(user: dict) -> SlackUser:
    profile = user.get("profile") or {}
    name = (
        profile.get("real_name")
        or user.get("real_name")
        or profile.get("display_name")
        or user.get("name")
        or user.get("id", "")
    )
    return SlackUser(
        id=user["id"],
        name=name,
        email=profile.get("email"),
        tz=zone(user.get("tz")),
        is_admin=bool(user.get("is_admin") or user.get("is_owner")),
        is_bot=bool(user.get("is_bot")),
        deleted=bool(user.get("deleted")),
        locale=user.get("locale") if isinstance(user.get("locale"), str) else None,
        team_id=user.get("team_id") if isinstance(user.get("team_id"), str) else None,
    )


class UserDirectory:
    def __init__(self, client: WebClient, *, ttl_seconds: float = 600) -> None:
        self._client = client
        self._ttl = ttl_seconds
        self._cache: dict[tuple[str, str], tuple[float, SlackUser]] = {}
        self._lock = threading.Lock()

    def get(self, team_id: str, user_id: str, *, client: WebClient | None = None) -> SlackUser:
        key = (team_id, user_id)
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(key)
        if cached and now - cached[0] < self._ttl:
            return cached[1]
        try:
            response = (client or self._client).users_info(user=user_id, include_locale=True)
            user = user_from_payload(response["user"])
        except (SlackApiError, KeyError, TypeError) as exc:
            logger.warning("users.info failed for %s: %s", user_id, exc)
            return SlackUser(id=user_id, name=user_id, email=None, tz=UTC_ZONE, is_admin=False, known=False)
        with self._lock:
            self._cache[key] = (now, user)
        return user
