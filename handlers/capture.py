"""Logging an interaction: /log, the two shortcuts, the Log buttons, and the log modal's submission."""

from __future__ import annotations

from slack_bolt import Ack, App, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from blocks import ids
from blocks.interactions import repeat_question, saved_confirmation
from blocks.message_metadata import interaction_metadata
from blocks.messages import notice
from bot.domain.quicklog import usage_text
from bot.services import AfterAnswer, Services, delivery, repeats
from bot.services import capture as capture_service
from bot.services import prefill as prefill_service
from handlers.common import (
    acting_user,
    action_value,
    as_dict,
    as_str,
    clicked_channel,
    listener,
    parse_id,
    reply,
    show_modal,
    surfaces_of_click,
    text_of,
)
from handlers.forms import log_channel, log_response_url, log_view, read_log_form

HELP_WORDS = frozenset({"help", "?", "-h", "--help"})


def register(app: App) -> None:
    app.command("/log")(listener(log_command))
    app.shortcut("log_interaction")(listener(log_interaction_shortcut))
    app.shortcut("log_message")(listener(log_message_shortcut))
    app.action(ids.ACTION_LOG_FOR_CONTACT)(listener(log_for_contact))
    app.action(ids.ACTION_HOME_LOG)(listener(log_interaction_shortcut))
    app.view(ids.LOG_MODAL)(listener(submit_log_modal))
    app.action(ids.ACTION_LOG_AGAIN)(listener(log_again))
    app.action(ids.ACTION_LOG_AGAIN_CANCEL)(listener(log_again_cancel))


def log_command(
    ack: Ack,
    body: dict,
    respond: Respond,
    client: WebClient,
    context: BoltContext,
    svc: Services,
    after: AfterAnswer,
) -> None:
    """`/log` alone opens the form; `/log <text>` saves first and answers in the ack itself.

    Acknowledged means saved: the confirmation is the HTTP answer to Slack's request, so a crash
    after it can't lose the log, and there is no second request that could fail.
    """
    text = text_of(body).strip()
    if text.lower() in HELP_WORDS:
        ack(text=usage_text(), blocks=notice(usage_text()), response_type="ephemeral")
        return
    actor, user = acting_user(context)
    now = svc.now()
    channel_id = as_str(body.get("channel_id"))
    if not text:
        ack()
        prefill = capture_service.new_log_prefill(user, now=now)
        view = log_view(prefill, user=user, channel_id=channel_id, response_url=context.response_url)
        client.views_open(trigger_id=body["trigger_id"], view=view)
        return
    trigger_id = as_str(body.get("trigger_id"))
    outcome = capture_service.quick_log(
        svc,
        client,
        actor,
        user,
        text,
        now=now,
        source_ref=f"command:{trigger_id}" if trigger_id else None,
        after=after,
    )
    # Saved (or asked about) before the ack: the answer travels in the ack itself, the one
    # reply that can't be rate limited or lost on the way while the request succeeds.
    if outcome.saved is not None:
        answer, blocks = saved_confirmation(outcome.saved, now=now, edited=False)
        ack(text=answer, blocks=blocks, response_type="ephemeral")
        return
    if outcome.repeat_of is not None and outcome.again is not None:
        answer, blocks = repeat_question(outcome.repeat_of, outcome.again, now=now)
        ack(text=answer, blocks=blocks, response_type="ephemeral")
        return
    ack()
    assert outcome.prefill is not None
    view = log_view(
        outcome.prefill,
        user=user,
        channel_id=channel_id,
        slack_user_id=outcome.slack_user_id,
        response_url=context.response_url,
    )
    client.views_open(trigger_id=body["trigger_id"], view=view)


def log_interaction_shortcut(
    ack: Ack, body: dict, client: WebClient, context: BoltContext, svc: Services
) -> None:
    """The global shortcut and App Home's Log button: the empty log modal (confirmation by DM)."""
    ack()
    _, user = acting_user(context)
    prefill = capture_service.new_log_prefill(user, now=svc.now())
    view = log_view(prefill, user=user, channel_id=None, surfaces=surfaces_of_click(body))
    client.views_open(trigger_id=body["trigger_id"], view=view)


def log_message_shortcut(
    ack: Ack, body: dict, client: WebClient, context: BoltContext, svc: Services
) -> None:
    """ "Log this conversation" on a message: the modal prefilled from the message."""
    ack()
    actor, user = acting_user(context)
    channel_id = clicked_channel(body)
    message = as_dict(body.get("message"))
    message_ts = as_str(body.get("message_ts"))
    outcome = prefill_service.message_prefill(
        svc, client, actor, user, message, channel_id=channel_id, message_ts=message_ts, now=svc.now()
    )
    assert outcome.prefill is not None
    view = log_view(outcome.prefill, user=user, channel_id=channel_id, slack_user_id=outcome.slack_user_id)
    client.views_open(trigger_id=body["trigger_id"], view=view)


def log_for_contact(ack: Ack, body: dict, client: WebClient, context: BoltContext, svc: Services) -> None:
    """Log buttons on cards, digests, timelines and Home: the modal with that contact chosen."""
    ack()
    actor, user = acting_user(context)
    prefill = prefill_service.log_prefill_for_contact(
        svc, actor, user, parse_id(action_value(body)) or 0, now=svc.now()
    )
    view = log_view(prefill, user=user, channel_id=clicked_channel(body), surfaces=surfaces_of_click(body))
    show_modal(client, body, view)


def submit_log_modal(
    ack: Ack,
    body: dict,
    view: dict,
    client: WebClient,
    context: BoltContext,
    svc: Services,
    after: AfterAnswer,
) -> None:
    """Saves before acknowledging, so a problem shows under its field and nothing is half-saved."""
    actor, _ = acting_user(context)
    now = svc.now()
    form = read_log_form(view)
    saved = capture_service.save_form(svc, client, actor, form, now=now, after=after)
    ack()
    if not saved.created:
        return  # Slack resent a submission that is already saved and confirmed
    if form.surfaces.detail_view_id:
        return  # edited from the detail view: it re-renders (and the list behind it), that's the answer
    text, blocks = saved_confirmation(saved.record, now=now, edited=saved.edited)
    delivery.confirm(
        svc,
        client,
        actor,
        text=text,
        blocks=blocks,
        response_url=log_response_url(view),
        channel_id=log_channel(view),
        now=now,
        metadata=interaction_metadata(saved.record),
    )


def log_again(
    ack: Ack,
    body: dict,
    respond: Respond,
    client: WebClient,
    context: BoltContext,
    svc: Services,
    after: AfterAnswer,
) -> None:
    """ "Log again" on the repeat question: saved once, whatever the number of clicks."""
    ack()
    actor, _ = acting_user(context)
    now = svc.now()
    container = as_dict(body.get("container"))
    question = as_str(container.get("message_ts")) or as_str(body.get("trigger_id")) or ""
    record, _ = repeats.log_again(
        svc, client, actor, action_value(body), source_ref=f"again:{question}", now=now, after=after
    )
    text, blocks = saved_confirmation(record, now=now, edited=False)
    reply(body, respond, client, actor.user_id, text=text, blocks=blocks)


def log_again_cancel(ack: Ack, body: dict, respond: Respond, client: WebClient, context: BoltContext) -> None:
    ack()
    actor, _ = acting_user(context)
    reply(body, respond, client, actor.user_id, text="Not logged again: the earlier one stands.")
