"""App Home: published when opened, and again whenever a setting changes from it."""

from __future__ import annotations

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from blocks import ids
from bot.services import Services
from bot.services import home as home_service
from handlers.common import acting_user, as_dict, first_action, listener


def register(app: App) -> None:
    app.event("app_home_opened")(listener(app_home_opened))
    app.action(ids.ACTION_HOME_DIGEST_ENABLED)(listener(digest_setting_changed))
    app.action(ids.ACTION_HOME_DIGEST_TIME)(listener(digest_setting_changed))
    app.action(ids.ACTION_HOME_DIGEST_DAYS)(listener(digest_setting_changed))
    app.action(ids.ACTION_HOME_TEAM_CHANNEL)(listener(team_channel_changed))
    app.action(ids.ACTION_HOME_TEAM_CHANNEL_OFF)(listener(team_channel_changed))
    app.action(ids.ACTION_HOME_TEAM_DIGEST_DAY)(listener(team_channel_changed))


def app_home_opened(event: dict, client: WebClient, context: BoltContext, svc: Services) -> None:
    if event.get("tab") != "home":
        return
    actor, user = acting_user(context)
    home_service.home_opened(svc, client, actor, user.tz.key if user.known else None, now=svc.now())


def digest_setting_changed(
    ack: Ack, body: dict, client: WebClient, context: BoltContext, svc: Services
) -> None:
    ack()
    actor, user = acting_user(context)
    action = first_action(body)
    action_id = action.get("action_id")
    now = svc.now()
    option = as_dict(action.get("selected_option"))
    try:
        if action_id == ids.ACTION_HOME_DIGEST_ENABLED:
            home_service.set_digest_enabled(svc, actor, option.get("value") == "on", now=now)
        elif action_id == ids.ACTION_HOME_DIGEST_TIME:
            value = option.get("value")
            home_service.set_digest_time(svc, actor, value if isinstance(value, str) else "", now=now)
        else:
            chosen = action.get("selected_options")
            values = [as_dict(o).get("value") for o in chosen] if isinstance(chosen, list) else []
            days = [int(v) for v in values if isinstance(v, str) and len(v) == 1 and v in "0123456"]
            home_service.set_digest_days(svc, actor, days, now=now)
    finally:
        # Home shows the saved settings, whatever was refused.
        home_service.publish_home(svc, client, actor, user.tz.key, now=now)


def team_channel_changed(
    ack: Ack, body: dict, client: WebClient, context: BoltContext, svc: Services
) -> None:
    ack()
    actor, user = acting_user(context)
    action = first_action(body)
    channel = action.get("selected_conversation")
    if action.get("action_id") == ids.ACTION_HOME_TEAM_CHANNEL_OFF:
        channel = None
    now = svc.now()
    try:
        if action.get("action_id") == ids.ACTION_HOME_TEAM_DIGEST_DAY:
            day = as_dict(action.get("selected_option")).get("value")
            home_service.set_team_day(svc, actor, int(day) if day in tuple("0123456") else -1, now=now)
        else:
            home_service.set_team_channel(svc, actor, channel if isinstance(channel, str) else None, now=now)
    finally:
        home_service.publish_home(svc, client, actor, user.tz.key, now=now)
