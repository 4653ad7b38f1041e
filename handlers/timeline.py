"""/timeline and the Timeline button: a contact's history as a thread, kept live afterwards.

The parent message sums the contact up; each reply in its thread is one month, oldest first.
Whenever an interaction is logged, edited, deleted or restored, the rest of the app calls
`refresh_timelines` so every thread of that contact shows the change.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from blocks import ids
from blocks.contacts import contact_choices, contact_not_found
from blocks.messages import notice
from blocks.text import display_name, escape, escape_truncate, one_line
from blocks.timeline import (
    TIMELINE_ITEMS_MAX,
    MonthGroup,
    month_key,
    month_label,
    month_reply,
    shown_in_month,
    timeline_months,
    timeline_parent,
)
from bot.domain.errors import DomainError, NotFound
from bot.domain.records import Actor, ContactHistory, ThreadRecord
from bot.services import Services
from handlers.common import acting_user, parse_id, services, tell_user
from handlers.errors import user_message
from storage.contacts import get_contact, resolve_contact
from storage.timelines import (
    contact_history,
    forget_thread,
    get_thread,
    month_interactions,
    remember_reply,
    start_thread,
    threads_for_contact,
)

logger = logging.getLogger(__name__)

TIMELINE_USAGE = (
    "*/timeline NAME* posts a contact's history here as a thread: a summary, then one reply per month, "
    "oldest first. The thread stays up to date as interactions are logged, edited or deleted.\n"
    "For example: `/timeline Jane Doe`"
)
# chat.postMessage errors that mean "not in this conversation": the timeline goes to a DM instead.
POST_ELSEWHERE = frozenset(
    {
        "not_in_channel",
        "channel_not_found",
        "is_archived",
        "restricted_action",
        "restricted_action_read_only_channel",
        "restricted_action_thread_only_channel",
        "restricted_action_non_threadable_channel",
        "team_access_not_granted",
        "ekm_access_denied",
    }
)
# chat.update errors on a parent that mean the thread is gone for good: stop keeping it live.
THREAD_GONE = frozenset({"message_not_found", "channel_not_found"})


def register(app: App) -> None:
    app.command("/timeline")(timeline_command)
    app.action(ids.ACTION_OPEN_TIMELINE)(open_timeline)


@dataclass(frozen=True)
class PostedTimeline:
    contact_name: str
    channel_id: str
    in_dm: bool  # true when it went to our DM because the app couldn't post where asked
    months_posted: int
    months_planned: int
    failure: str | None = None  # Slack's error code when a month reply could not be posted

    def confirmation(self) -> str:
        name = escape_truncate(display_name(self.contact_name), 600)
        if self.in_dm:
            where = "in our DM (I can't post in that conversation)"
        elif self.channel_id.startswith("D"):
            where = "in our DM"
        else:
            where = f"in <#{self.channel_id}>"
        if self.failure:
            return (
                f"Posted {name}'s timeline {where}, but only {self.months_posted} of {self.months_planned} months: "
                f"Slack refused the rest (`{escape(self.failure)}`). Try again in a minute."
            )
        return f"Posted {name}'s timeline {where}."


# --- listeners ---------------------------------------------------------------------------


def timeline_command(ack, body, respond, client, context):
    ack()
    svc = services(context)
    actor, user = acting_user(context)
    query = one_line(body.get("text") or "")
    if not query or query.lower() in ("help", "?"):
        respond(text=TIMELINE_USAGE, blocks=notice(TIMELINE_USAGE), response_type="ephemeral")
        return
    contact, matches = resolve_contact(svc.db, actor, query)
    if contact is None:
        if matches:
            text, blocks = f"Several contacts match “{escape(query)}”.", contact_choices(matches, query)
        else:
            text, blocks = f"No contact matches “{escape(query)}”.", contact_not_found(query)
        respond(text=text, blocks=blocks, response_type="ephemeral")
        return
    posted = post_timeline(client, svc, actor, contact.id, channel_id=body.get("channel_id"), tz=user.tz)
    respond(text=posted.confirmation(), response_type="ephemeral")


def open_timeline(ack, body, respond, client, context):
    """The Timeline button on cards and digests: post it where the button was clicked, else in a DM."""
    ack()
    svc = services(context)
    actor, user = acting_user(context)
    channel_id = _clicked_channel(body)
    answer = _answerer(body, respond, client, actor.user_id, channel_id)
    try:
        contact = get_contact(svc.db, actor, parse_id(_action_value(body)) or 0)
    except DomainError as error:
        answer(user_message(error))
        return
    posted = post_timeline(client, svc, actor, contact.id, channel_id=channel_id, tz=user.tz)
    answer(posted.confirmation())


def _action_value(body: dict) -> str:
    action = (body.get("actions") or [{}])[0]
    return action.get("value") or ""


def _clicked_channel(body: dict) -> str | None:
    # In a modal or the App Home there is no channel: the timeline goes to a DM.
    return (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")


def _answerer(body, respond, client, user_id: str, channel_id: str | None) -> Callable[[str], None]:
    """Say something privately to whoever clicked, never replacing the message they clicked on."""

    def answer(text: str) -> None:
        if body.get("response_url") and respond is not None:
            respond(text=text, response_type="ephemeral", replace_original=False)
        else:
            tell_user(client, user_id=user_id, channel_id=channel_id, text=text)

    return answer


# --- posting a new thread ------------------------------------------------------------------


def _pace(svc: Services) -> None:
    # chat.postMessage allows about one message a second per channel (chat.update ~50 a minute).
    if svc.timeline_pace_seconds > 0:
        time.sleep(svc.timeline_pace_seconds)


def _window(history: ContactHistory, tz: ZoneInfo) -> tuple[list[MonthGroup], int]:
    """The months a thread lists and how many interactions that shows."""
    months = timeline_months(history.interactions, tz)
    return months, sum(shown_in_month(len(group.items)) for group in months)


def post_timeline(
    client: WebClient,
    svc: Services,
    actor: Actor,
    contact_id: int,
    *,
    channel_id: str | None,
    tz: ZoneInfo,
) -> PostedTimeline:
    """Post the parent in `channel_id` (or our DM), then one reply per month, and remember them all.

    Bounded: the latest TIMELINE_ITEMS_MAX interactions, in at most TIMELINE_MONTHS_MAX months.
    Raises NotFound for a contact outside the actor's workspace; nothing is posted then.
    """
    now = svc.now()
    history = contact_history(svc.db, actor, contact_id, max_items=TIMELINE_ITEMS_MAX)
    months, shown = _window(history, tz)
    text, blocks = timeline_parent(history, now=now, shown=shown)
    channel, thread_ts, in_dm = _post_parent(client, actor.user_id, channel_id, text, blocks)
    # Remembered before the replies go out, so a change made meanwhile already reaches this thread.
    thread_id = start_thread(svc.db, actor, contact_id, channel, thread_ts, tz, now=svc.now())
    posted = 0
    for group in months:
        _pace(svc)
        if group.month in get_thread(svc.db, actor, thread_id).replies:
            posted += 1  # a change made meanwhile already posted this month, with fresher data
            continue
        reply_text, reply_blocks = month_reply(group.label, group.items, now=now)
        try:
            reply = client.chat_postMessage(
                channel=channel, thread_ts=thread_ts, text=reply_text, blocks=reply_blocks, unfurl_links=False
            )
        except SlackApiError as error:
            code = str(error.response.get("error") or "error")
            logger.warning("timeline reply %s for contact %s stopped: %s", group.month, contact_id, code)
            return PostedTimeline(history.contact.name, channel, in_dm, posted, len(months), failure=code)
        remember_reply(svc.db, actor, thread_id, group.month, reply["ts"])
        posted += 1
    return PostedTimeline(history.contact.name, channel, in_dm, posted, len(months))


def _post_parent(
    client: WebClient, user_id: str, channel_id: str | None, text: str, blocks: list[dict]
) -> tuple[str, str, bool]:
    """(channel, ts, went_to_dm) of the posted parent."""
    if channel_id:
        try:
            response = client.chat_postMessage(
                channel=channel_id, text=text, blocks=blocks, unfurl_links=False
            )
            return response.get("channel") or channel_id, response["ts"], False
        except SlackApiError as error:
            code = error.response.get("error")
            if code not in POST_ELSEWHERE:
                raise
            logger.info("can't post a timeline in %s (%s); using a DM", channel_id, code)
    dm = client.conversations_open(users=user_id)["channel"]["id"]
    response = client.chat_postMessage(channel=dm, text=text, blocks=blocks, unfurl_links=False)
    return response.get("channel") or dm, response["ts"], True


# --- keeping threads live ------------------------------------------------------------------


def refresh_timelines(
    client: WebClient,
    svc: Services,
    actor: Actor,
    contact_ids: Iterable[int],
    months_hint: Iterable[datetime] | None = None,
) -> None:
    """Bring every timeline thread of these contacts up to date after interactions changed.

    `months_hint` is when the changed interactions happened, before and after the change; only
    those months' replies are re-rendered (an empty hint re-renders just the parents). None
    re-renders every month a thread shows and appends months that are new since it was posted.
    A month without a reply gets a new one at the end of the thread; nothing is ever deleted.
    Never raises: the change itself is saved, a stale thread must not turn it into an error.
    """
    hint = None if months_hint is None else [when for when in months_hint if when is not None]
    for contact_id in sorted({cid for cid in contact_ids if cid}):
        try:
            _refresh_contact(client, svc, actor, contact_id, hint)
        except NotFound:
            continue  # the contact is not in this workspace: nothing of theirs to refresh
        except Exception:
            logger.exception("could not refresh timelines of contact %s in %s", contact_id, actor.team_id)


def _refresh_contact(
    client: WebClient, svc: Services, actor: Actor, contact_id: int, hint: list[datetime] | None
) -> None:
    threads = threads_for_contact(svc.db, actor, contact_id)
    if not threads:
        return
    history = contact_history(svc.db, actor, contact_id, max_items=TIMELINE_ITEMS_MAX)
    now = svc.now()
    for n, thread in enumerate(threads):
        if n:
            _pace(svc)
        try:
            _refresh_thread(client, svc, actor, thread, history, hint, now)
        except SlackApiError as error:
            code = error.response.get("error")
            logger.warning("timeline thread %s (%s) not refreshed: %s", thread.id, thread.channel_id, code)


def _refresh_thread(
    client: WebClient,
    svc: Services,
    actor: Actor,
    thread: ThreadRecord,
    history: ContactHistory,
    hint: list[datetime] | None,
    now: datetime,
) -> None:
    tz = thread.zone
    window, shown = _window(history, tz)
    text, blocks = timeline_parent(history, now=now, shown=shown)
    try:
        client.chat_update(channel=thread.channel_id, ts=thread.thread_ts, text=text, blocks=blocks)
    except SlackApiError as error:
        if error.response.get("error") in THREAD_GONE:
            logger.info("timeline thread %s is gone; no longer keeping it live", thread.id)
            forget_thread(svc.db, actor, thread.id)
            return
        raise
    if hint is None:
        newest = max(thread.replies, default="")
        months = set(thread.replies) | {group.month for group in window if group.month > newest}
    else:
        months = {month_key(when, tz) for when in hint}
    for month in sorted(months):
        _pace(svc)
        items = month_interactions(svc.db, actor, thread.contact_id, month, tz)
        reply_text, reply_blocks = month_reply(month_label(month), items, now=now)
        ts = thread.replies.get(month)
        try:
            if ts:
                client.chat_update(channel=thread.channel_id, ts=ts, text=reply_text, blocks=reply_blocks)
            elif items:
                reply = client.chat_postMessage(
                    channel=thread.channel_id,
                    thread_ts=thread.thread_ts,
                    text=reply_text,
                    blocks=reply_blocks,
                    unfurl_links=False,
                )
                remember_reply(svc.db, actor, thread.id, month, reply["ts"])
        except SlackApiError as error:
            # One lost reply (deleted by hand, say) must not keep the other months stale.
            logger.warning(
                "timeline %s month %s not refreshed: %s", thread.id, month, error.response.get("error")
            )
