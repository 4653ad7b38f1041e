"""What one person's digest holds now: stale contacts and the follow-ups due by their local today.

Shared by the digest job (sending and `--dry-run`) and by the in-place refresh of a digest DM.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from blocks.digest import digest_caught_up_message, digest_message, digest_text
from blocks.message_metadata import digest_metadata
from bot.domain.followups import FollowUp
from bot.domain.records import Actor, StaleContact
from storage.db import Database
from storage.followups import due_follow_ups
from storage.staleness import stale_contacts_for_owner
from storage.user_settings import get_user_settings


@dataclass(frozen=True)
class DigestContent:
    team_id: str
    user_id: str
    stale: list[StaleContact]
    stale_total: int
    follow_ups: list[FollowUp]
    follow_up_total: int
    zone: ZoneInfo
    today: date  # the user's local today

    @property
    def is_empty(self) -> bool:
        return not self.stale and not self.follow_ups

    def message(self, *, now: datetime) -> tuple[str, list[dict], dict]:
        """(text, blocks, metadata) of the DM; "all caught up" once nothing is left on it."""
        metadata = digest_metadata(self.user_id, self.stale)
        if self.is_empty:
            return (*digest_caught_up_message(), metadata)
        text, blocks = digest_message(
            self.user_id,
            self.stale,
            self.stale_total,
            now=now,
            follow_ups=self.follow_ups,
            follow_up_total=self.follow_up_total,
            today=self.today,
        )
        return text, blocks, metadata

    def text(self, *, now: datetime) -> str:
        return digest_text(
            self.user_id,
            self.stale,
            self.stale_total,
            now=now,
            tz=self.zone,
            team_id=self.team_id,
            follow_ups=self.follow_ups,
            follow_up_total=self.follow_up_total,
        )


def digest_content(db: Database, team_id: str, user_id: str, *, now: datetime) -> DigestContent:
    zone = get_user_settings(db, Actor(team_id, user_id)).zone
    today = now.astimezone(zone).date()
    stale, stale_total = stale_contacts_for_owner(db, team_id, user_id, now)
    follow_ups, follow_up_total = due_follow_ups(db, team_id, user_id, today)
    return DigestContent(team_id, user_id, stale, stale_total, follow_ups, follow_up_total, zone, today)
