"""What every listener shares: the context keys, payload readers, reply helpers, and `listener`.

`listener` wraps each Bolt listener so that domain errors become Slack answers in one place
(handlers.errors) and the side effects a use case queued run after the user's answer.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from blocks import ids
from blocks.metadata import decode_metadata
from bot.domain.errors import DomainError
from bot.domain.records import Actor
from bot.services import AfterAnswer, Services
from bot.services.browse import ListRef
from bot.services.surfaces import NO_SURFACES, DigestRef, Surfaces
from bot.services.users import SlackUser
from handlers.errors import apology, modal_errors, user_message

logger = logging.getLogger(__name__)

# Keys the app's middleware puts into Bolt's context (listeners name them as arguments).
SERVICES_KEY = "svc"
AFTER_KEY = "after"

_ALWAYS = ("ack", "body", "respond", "client", "context")


def listener(fn: Callable[..., None]) -> Callable[..., None]:
    """A Bolt listener that answers domain errors plainly and runs queued side effects last.

    The wrapped function names the arguments it wants, as Bolt listeners do (`svc` and `after`
    come from the app's middleware). Whatever it raises is answered by handlers.errors; if it
    didn't acknowledge, that is done too, so Slack never waits for an ack that won't come.
    """
    wanted = list(inspect.signature(fn).parameters)
    names = list(dict.fromkeys([*_ALWAYS, *wanted]))

    @functools.wraps(fn)
    def run(**kwargs: Any) -> None:
        ack: Ack = kwargs["ack"]
        context: BoltContext = kwargs["context"]
        after = context.get(AFTER_KEY)
        if after is None:
            after = context[AFTER_KEY] = AfterAnswer()
        kwargs[AFTER_KEY] = after
        try:
            fn(**{name: kwargs.get(name) for name in wanted})
        except Exception as error:
            answer_error(error, ack=ack, body=kwargs["body"], respond=kwargs["respond"], context=context)
        finally:
            if ack.response is None:
                ack()
            after.run()

    del run.__wrapped__  # Bolt must see `run`'s own signature, below
    run.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD) for name in names]
    )
    return run


def acting_user(context: BoltContext) -> tuple[Actor, SlackUser]:
    """The actor from the verified payload (team and user ids), with Slack's admin flag."""
    svc: Services = context[SERVICES_KEY]
    team_id = context.team_id or context.enterprise_id or ""
    user_id = context.user_id or ""
    user = svc.users.get(team_id, user_id, client=context.client)
    return Actor(team_id=team_id, user_id=user_id, is_admin=user.is_admin), user


def answer_error(
    error: Exception,
    *,
    ack: Ack,
    body: dict,
    respond: Callable[..., Any] | None,
    context: BoltContext,
) -> None:
    """Tell the user about an error a listener raised, in the way this kind of request allows."""
    kind = body.get("type") if isinstance(body, dict) else None
    if ack.response is None:
        if kind == "view_submission":
            errors = modal_errors(error, body.get("view"))
            if errors is not None:
                ack(response_action="errors", errors=errors)
                return
        if kind == "block_suggestion":
            ack(options=[])
            if not isinstance(error, DomainError):
                apology(error, "options")
            return
        ack()
    text = user_message(error)
    try:
        if respond is not None and context.response_url:
            respond(text=text, response_type="ephemeral", replace_original=False)
        elif context.client is not None and context.user_id:
            channel = context.channel_id or clicked_channel(body)
            tell_user(context.client, user_id=context.user_id, channel_id=channel, text=text)
    except Exception:  # the answer itself failed; the log has the error
        logger.exception("could not tell %s about an error", context.user_id)


# --- payload readers ---------------------------------------------------------------------


def parse_id(value: object) -> int | None:
    """An id from a button value; None for anything that isn't a plain positive integer."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 19:
        return int(value)
    return None


def as_dict(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def first_action(body: dict) -> dict:
    actions = body.get("actions")
    return as_dict(actions[0]) if isinstance(actions, list) and actions else {}


def action_value(body: dict) -> str:
    """A button's value, or a select's chosen option value; "" when there is none."""
    action = first_action(body)
    value = action.get("value")
    if not isinstance(value, str):
        value = as_dict(action.get("selected_option")).get("value")
    return value if isinstance(value, str) else ""


def clicked_channel(body: dict) -> str | None:
    """The conversation a click came from; None in a modal or the App Home."""
    channel = as_dict(body.get("channel")).get("id") or as_dict(body.get("container")).get("channel_id")
    return channel if isinstance(channel, str) else None


def in_modal(body: dict) -> bool:
    """Clicked inside a modal (where new views are pushed), not a message or the Home tab."""
    return as_dict(body.get("view")).get("type") == "modal"


def text_of(body: dict, key: str = "text") -> str:
    value = body.get(key)
    return value if isinstance(value, str) else ""


# --- replies -----------------------------------------------------------------------------


def tell_user(
    client: WebClient,
    *,
    user_id: str,
    channel_id: str | None,
    text: str,
    blocks: list | None = None,
    metadata: dict | None = None,
) -> None:
    """An ephemeral message where the user is, or a DM when the app can't post there.

    `metadata` (Slack message metadata) goes with the DM only: chat.postEphemeral takes none.
    """
    if channel_id:
        try:
            client.chat_postEphemeral(channel=channel_id, user=user_id, text=text, blocks=blocks)
            return
        except SlackApiError as error:
            logger.info("ephemeral in %s failed (%s); sending a DM", channel_id, error.response.get("error"))
    dm = client.conversations_open(users=user_id)["channel"]["id"]
    client.chat_postMessage(channel=dm, text=text, blocks=blocks, metadata=metadata)


def reply(
    body: dict,
    respond: Callable[..., Any] | None,
    client: WebClient,
    user_id: str,
    *,
    text: str,
    blocks: list | None = None,
    replace: bool = True,
    metadata: dict | None = None,
) -> None:
    """Answer where the click came from: replace the user's own private card, else say it privately.

    A shared message (a digest DM, a timeline thread) is never replaced by one person's answer.
    """
    private_card = bool(as_dict(body.get("container")).get("is_ephemeral"))
    # Bolt hands every listener a `respond`; it only works with a (Slack) response_url.
    if respond is not None and body.get("response_url"):
        respond(
            text=text, blocks=blocks, replace_original=replace and private_card, response_type="ephemeral"
        )
    else:
        tell_user(
            client,
            user_id=user_id,
            channel_id=clicked_channel(body),
            text=text,
            blocks=blocks,
            metadata=metadata,
        )


def show_modal(client: WebClient, body: dict, view: dict) -> None:
    """Open a modal, or push it onto the one the click came from (Slack keeps a stack of 3)."""
    if in_modal(body):
        client.views_push(trigger_id=body["trigger_id"], view=view)
    else:
        client.views_open(trigger_id=body["trigger_id"], view=view)


def surfaces_of_click(body: dict) -> Surfaces:
    """The surfaces a click came from, to keep true after the change it makes."""
    view = as_dict(body.get("view"))
    metadata = decode_metadata(view.get("private_metadata"))
    callback_id = view.get("callback_id")
    if callback_id == ids.LIST_MODAL:
        return Surfaces(list=ListRef.of_list_view(view, metadata))
    if callback_id == ids.DETAIL_MODAL:
        carried = Surfaces.from_json(metadata.get("surfaces"))
        return Surfaces(
            list=carried.list, detail_view_id=view.get("id") if isinstance(view.get("id"), str) else None
        )
    if view.get("type") == "home":
        return Surfaces(home_tz=as_str(metadata.get("tz")) or "UTC")
    block_id = first_action(body).get("block_id")
    container = as_dict(body.get("container"))
    channel = clicked_channel(body)
    ts = container.get("message_ts")
    if (
        isinstance(block_id, str)
        and block_id.startswith(ids.DIGEST_BLOCK_PREFIX)
        and channel
        and isinstance(ts, str)
    ):
        return Surfaces(digest=DigestRef(channel, ts))
    return NO_SURFACES


def as_str(value: object) -> str | None:
    return value if isinstance(value, str) else None
