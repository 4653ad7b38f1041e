"""App Home: what it shows one user, and the settings changed from it."""

from __future__ import annotations

from datetime import datetime

from slack_sdk import WebClient

from blocks.home import home_view
from blocks.metadata import encode_metadata
from bot.domain.errors import Forbidden
from bot.domain.records import Actor
from bot.domain.rules import zone
from bot.services import Services
from storage.followups import due_follow_ups
from storage.listing import InteractionFilters, list_interactions
from storage.staleness import stale_contacts_for_owner
from storage.team_report import set_team_digest_weekday, team_report
from storage.user_settings import (
    get_team_digest_channel,
    get_user_settings,
    remember_user_tz,
    set_team_digest_channel,
    update_user_settings,
)

HOME_STALE_MAX = 10
HOME_RECENT_MAX = 10
HOME_FOLLOW_UPS_MAX = 5


def publish_home(svc: Services, client: WebClient, actor: Actor, tz_name: str, *, now: datetime) -> None:
    stale, stale_total = stale_contacts_for_owner(
        svc.db, actor.team_id, actor.user_id, now, limit=HOME_STALE_MAX
    )
    recent = list_interactions(svc.db, actor, InteractionFilters(author=actor.user_id), limit=HOME_RECENT_MAX)
    settings = get_user_settings(svc.db, actor)
    today = now.astimezone(zone(tz_name)).date()
    follow_ups, follow_up_total = due_follow_ups(
        svc.db, actor.team_id, actor.user_id, today, limit=HOME_FOLLOW_UPS_MAX
    )
    view = home_view(
        stale=[item.contact for item in stale],
        stale_total=stale_total,
        recent=recent.items,
        digest_enabled=settings.enabled,
        digest_time=settings.time,
        digest_weekdays=settings.weekdays,
        tz_name=tz_name,
        now=now,
        viewer_is_admin=actor.is_admin,
        team_digest_channel=get_team_digest_channel(svc.db, actor),
        follow_ups=follow_ups,
        follow_up_total=follow_up_total,
        today=today,
        team=team_report(svc.db, actor.team_id, now),
    )
    # Clicks on Home come back with this: a change made there re-renders Home in the right zone.
    view["private_metadata"] = encode_metadata({"tz": tz_name})
    client.views_publish(user_id=actor.user_id, view=view)


def home_opened(
    svc: Services, client: WebClient, actor: Actor, tz_name: str | None, *, now: datetime
) -> None:
    if tz_name:
        # The scheduler reads the zone from here rather than asking Slack for everyone.
        remember_user_tz(svc.db, actor.team_id, actor.user_id, tz_name, now=now)
    publish_home(svc, client, actor, tz_name or "UTC", now=now)


def set_digest_enabled(svc: Services, actor: Actor, enabled: bool, *, now: datetime) -> None:
    update_user_settings(svc.db, actor, enabled=enabled, now=now)


def set_digest_time(svc: Services, actor: Actor, time: str, *, now: datetime) -> None:
    update_user_settings(svc.db, actor, time=time, now=now)


def set_digest_days(svc: Services, actor: Actor, days: list[int], *, now: datetime) -> None:
    if not days:
        # No day at all means "off"; keep the days they had so turning it on again restores them.
        update_user_settings(svc.db, actor, enabled=False, now=now)
    else:
        update_user_settings(svc.db, actor, weekdays=days, enabled=True, now=now)


def set_team_channel(svc: Services, actor: Actor, channel_id: str | None, *, now: datetime) -> None:
    """Where the weekly team digest goes (None: nowhere). Workspace admins only."""
    if not actor.is_admin:
        raise Forbidden("Only a workspace admin can choose the team digest channel.")
    set_team_digest_channel(svc.db, actor, channel_id, now=now)


def set_team_day(svc: Services, actor: Actor, weekday: int, *, now: datetime) -> None:
    """The weekday of the weekly team digest. Workspace admins only."""
    set_team_digest_weekday(svc.db, actor, weekday, now=now)
