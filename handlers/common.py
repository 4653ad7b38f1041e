"""Small helpers every listener uses: services, the acting user, private_metadata."""

from __future__ import annotations

import json
import logging

from slack_bolt import BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain.records import Actor
from bot.services import Services
from bot.users import SlackUser

logger = logging.getLogger(__name__)


def services(context: BoltContext) -> Services:
    from bot.app import SERVICES_KEY

    return context[SERVICES_KEY]


def acting_user(context: BoltContext) -> tuple[Actor, SlackUser]:
    """The actor from the verified payload (team and user ids), with Slack's admin flag."""
    svc = services(context)
    team_id = context.team_id or context.enterprise_id
    user = svc.users.get(team_id, context.user_id, client=context.client)
    return Actor(team_id=team_id, user_id=context.user_id, is_admin=user.is_admin), user


def encode_metadata(data: dict) -> str:
    text = json.dumps({k: v for k, v in data.items() if v is not None}, separators=(",", ":"))
    if len(text) > 3000:
        raise ValueError("private_metadata over Slack's 3000 characters")
    return text


def decode_metadata(text: str | None) -> dict:
    try:
        data = json.loads(text or "{}")
        return data if isinstance(data, dict) else {}
    except json.JSONDecodeError:
        return {}


def parse_id(value: str | None) -> int | None:
    """An id from a button value; None for anything that isn't a plain positive integer."""
    if value and value.isdigit() and len(value) < 19:
        return int(value)
    return None


def tell_user(
    client: WebClient,
    *,
    user_id: str,
    channel_id: str | None,
    text: str,
    blocks: list | None = None,
) -> None:
    """An ephemeral message where the user is, or a DM when the app can't post there."""
    if channel_id:
        try:
            client.chat_postEphemeral(channel=channel_id, user=user_id, text=text, blocks=blocks)
            return
        except SlackApiError as error:
            logger.info("ephemeral in %s failed (%s); sending a DM", channel_id, error.response.get("error"))
    dm = client.conversations_open(users=user_id)["channel"]["id"]
    client.chat_postMessage(channel=dm, text=text, blocks=blocks)
