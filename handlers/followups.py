"""Follow-ups: Done, Snooze and Log on a due follow-up (digest DM, App Home, contact card)."""

from __future__ import annotations

from datetime import datetime

from slack_bolt import Ack, App, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from blocks import ids
from bot.domain.errors import Invalid
from bot.services import AfterAnswer, Services
from bot.services import followups as followup_service
from bot.services.contacts import card_blocks
from handlers.common import (
    acting_user,
    action_value,
    clicked_channel,
    first_action,
    listener,
    parse_id,
    reply,
    show_modal,
    surfaces_of_click,
)
from handlers.forms import log_view


def register(app: App) -> None:
    app.action(ids.ACTION_FOLLOW_UP_DONE)(listener(follow_up_done))
    app.action(ids.ACTION_FOLLOW_UP_SNOOZE)(listener(follow_up_snoozed))
    app.action(ids.ACTION_FOLLOW_UP_LOG)(listener(follow_up_log))


def _from_card(body: dict) -> bool:
    block_id = first_action(body).get("block_id")
    return isinstance(block_id, str) and block_id.startswith(ids.CARD_FOLLOW_UP_BLOCK + ":")


def _answer(
    body: dict,
    respond: Respond,
    client: WebClient,
    user_id: str,
    outcome: followup_service.FollowUpOutcome,
    text: str,
    *,
    quiet: bool,
    now: datetime,
) -> None:
    """From a card: the card again, without it. From the digest or Home, they update in place."""
    if outcome.card is not None:
        reply(body, respond, client, user_id, text=text, blocks=card_blocks(outcome.card, now=now))
    elif not quiet:
        reply(body, respond, client, user_id, text=text, replace=False)


def follow_up_done(
    ack: Ack,
    body: dict,
    respond: Respond,
    client: WebClient,
    context: BoltContext,
    svc: Services,
    after: AfterAnswer,
) -> None:
    ack()
    actor, _ = acting_user(context)
    surfaces = surfaces_of_click(body)
    now = svc.now()
    outcome = followup_service.done(
        svc,
        client,
        actor,
        parse_id(action_value(body)) or 0,
        now=now,
        after=after,
        surfaces=surfaces,
        from_card=_from_card(body),
    )
    text = f"Follow-up with {outcome.follow_up.contact_name} done."
    _answer(
        body,
        respond,
        client,
        actor.user_id,
        outcome,
        text,
        quiet=bool(surfaces.digest or surfaces.home_tz),
        now=now,
    )


def follow_up_snoozed(
    ack: Ack,
    body: dict,
    respond: Respond,
    client: WebClient,
    context: BoltContext,
    svc: Services,
    after: AfterAnswer,
) -> None:
    ack()
    actor, user = acting_user(context)
    id_text, _, days_text = action_value(body).partition(":")
    days = parse_id(days_text)
    if days is None:
        raise Invalid({"until": "That snooze option isn't available."})
    surfaces = surfaces_of_click(body)
    now = svc.now()
    outcome = followup_service.snooze(
        svc,
        client,
        actor,
        user,
        parse_id(id_text) or 0,
        days,
        now=now,
        after=after,
        surfaces=surfaces,
        from_card=_from_card(body),
    )
    due = outcome.follow_up.due_on or outcome.follow_up.set_on
    text = f"Follow-up with {outcome.follow_up.contact_name} snoozed until {due:%a %b} {due.day}."
    _answer(
        body,
        respond,
        client,
        actor.user_id,
        outcome,
        text,
        quiet=bool(surfaces.digest or surfaces.home_tz),
        now=now,
    )


def follow_up_log(ack: Ack, body: dict, client: WebClient, context: BoltContext, svc: Services) -> None:
    """The log modal for the follow-up's contact; saving it marks the follow-up done."""
    ack()
    actor, user = acting_user(context)
    prefill = followup_service.log_prefill(svc, actor, user, parse_id(action_value(body)) or 0, now=svc.now())
    view = log_view(prefill, user=user, channel_id=clicked_channel(body), surfaces=surfaces_of_click(body))
    show_modal(client, body, view)
