"""App Home: published when opened, and again whenever its buttons change something."""

from __future__ import annotations

import logging

from slack_bolt import App

from blocks import ids
from blocks.home import home_view
from blocks.modals import LogPrefill
from bot.domain.errors import DomainError
from bot.domain.records import Actor
from handlers.capture import local_defaults, open_log_modal
from handlers.common import acting_user, services
from storage.interactions import InteractionFilters, list_interactions
from storage.staleness import stale_contacts_for_owner
from storage.user_settings import get_user_settings, remember_user_tz, update_user_settings

logger = logging.getLogger(__name__)
HOME_STALE_MAX = 10
HOME_RECENT_MAX = 10


def register(app: App) -> None:
    app.event("app_home_opened")(app_home_opened)
    app.action(ids.ACTION_HOME_LOG)(home_log)
    app.action(ids.ACTION_HOME_DIGEST_ENABLED)(digest_setting_changed)
    app.action(ids.ACTION_HOME_DIGEST_TIME)(digest_setting_changed)
    app.action(ids.ACTION_HOME_DIGEST_DAYS)(digest_setting_changed)


def publish_home(client, svc, actor: Actor, tz_name: str) -> None:
    now = svc.now()
    stale, stale_total = stale_contacts_for_owner(
        svc.db, actor.team_id, actor.user_id, now, limit=HOME_STALE_MAX
    )
    recent = list_interactions(svc.db, actor, InteractionFilters(author=actor.user_id), limit=HOME_RECENT_MAX)
    settings = get_user_settings(svc.db, actor)
    view = home_view(
        stale=[item.contact for item in stale],
        stale_total=stale_total,
        recent=recent.items,
        digest_enabled=settings.enabled,
        digest_time=settings.time,
        digest_weekdays=settings.weekdays,
        tz_name=tz_name,
        now=now,
    )
    client.views_publish(user_id=actor.user_id, view=view)


def app_home_opened(event, client, context):
    if event.get("tab") != "home":
        return
    svc = services(context)
    actor, user = acting_user(context)
    if user.known:
        # The scheduler reads the zone from here rather than asking Slack for everyone.
        remember_user_tz(svc.db, actor.team_id, actor.user_id, user.tz.key, now=svc.now())
    publish_home(client, svc, actor, user.tz.key)


def home_log(ack, body, client, context):
    ack()
    svc = services(context)
    _, user = acting_user(context)
    day, clock = local_defaults(svc.now(), user.tz)
    open_log_modal(client, body["trigger_id"], LogPrefill(date=day, time=clock), user=user, channel_id=None)


def digest_setting_changed(ack, body, client, context):
    ack()
    svc = services(context)
    actor, user = acting_user(context)
    action = (body.get("actions") or [{}])[0]
    action_id = action.get("action_id")
    try:
        if action_id == ids.ACTION_HOME_DIGEST_ENABLED:
            update_user_settings(
                svc.db,
                actor,
                now=svc.now(),
                enabled=(action.get("selected_option") or {}).get("value") == "on",
            )
        elif action_id == ids.ACTION_HOME_DIGEST_TIME:
            update_user_settings(
                svc.db, actor, now=svc.now(), time=(action.get("selected_option") or {}).get("value") or ""
            )
        else:
            days = [
                int(o["value"]) for o in action.get("selected_options") or [] if o.get("value", "").isdigit()
            ]
            if not days:
                # No day at all means "off"; keep the days they had so turning it on again restores them.
                update_user_settings(svc.db, actor, now=svc.now(), enabled=False)
            else:
                update_user_settings(svc.db, actor, now=svc.now(), weekdays=days, enabled=True)
    except DomainError as error:
        logger.info("digest setting refused for %s: %s", actor.user_id, error)
    publish_home(client, svc, actor, user.tz.key)


def on_home(body: dict) -> bool:
    return (body.get("view") or {}).get("type") == "home"
