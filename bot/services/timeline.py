"""Timeline threads: post a contact's history as a thread, and keep every thread live.

The parent message sums the contact up; each reply in its thread is one month, oldest first,
grouped in the time zone of the person who posted the thread (the parent says which). Every
write to an interaction queues `refresh_timelines` after the user's answer.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from blocks.message_metadata import month_reply_metadata, timeline_metadata
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
from bot.domain.errors import NotFound
from bot.domain.outcomes import PostedTimeline
from bot.domain.records import Actor
from bot.services import Services
from storage.timelines import (
    ContactHistory,
    ThreadRecord,
    contact_history,
    forget_thread,
    get_thread,
    month_interactions,
    remember_reply,
    start_thread,
    threads_changed_since,
    threads_for_contact,
)

logger = logging.getLogger(__name__)

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
    now: datetime,
) -> PostedTimeline:
    """Post the parent in `channel_id` (or our DM), then one reply per month, and remember them all.

    Bounded: the latest TIMELINE_ITEMS_MAX interactions, in at most TIMELINE_MONTHS_MAX months.
    Raises NotFound for a contact outside the actor's workspace; nothing is posted then.
    """
    history = contact_history(svc.db, actor, contact_id, max_items=TIMELINE_ITEMS_MAX)
    months, shown = _window(history, tz)
    text, blocks = timeline_parent(history, now=now, shown=shown, months_in=tz.key)
    channel, thread_ts, in_dm = _post_parent(
        client, actor.user_id, channel_id, text, blocks, timeline_metadata(contact_id)
    )
    # Remembered before the replies go out, so a change made meanwhile already reaches this thread.
    thread_id = start_thread(svc.db, actor, contact_id, channel, thread_ts, tz, now=now)
    posted = 0
    for group in months:
        _pace(svc)
        if group.month in get_thread(svc.db, actor, thread_id).replies:
            posted += 1  # a change made meanwhile already posted this month, with fresher data
            continue
        reply_text, reply_blocks = month_reply(group.label, group.items, now=now, contact_id=contact_id)
        try:
            reply = client.chat_postMessage(
                channel=channel,
                thread_ts=thread_ts,
                text=reply_text,
                blocks=reply_blocks,
                unfurl_links=False,
                metadata=month_reply_metadata(contact_id, group.month, group.items),
            )
        except SlackApiError as error:
            code = str(error.response.get("error") or "error")
            logger.warning("timeline reply %s for contact %s stopped: %s", group.month, contact_id, code)
            return PostedTimeline(history.contact.name, channel, in_dm, posted, len(months), failure=code)
        remember_reply(svc.db, actor, thread_id, group.month, reply["ts"])
        posted += 1
    return PostedTimeline(history.contact.name, channel, in_dm, posted, len(months))


def _post_parent(
    client: WebClient, user_id: str, channel_id: str | None, text: str, blocks: list[dict], metadata: dict
) -> tuple[str, str, bool]:
    """(channel, ts, went_to_dm) of the posted parent."""
    if channel_id:
        try:
            response = client.chat_postMessage(
                channel=channel_id, text=text, blocks=blocks, unfurl_links=False, metadata=metadata
            )
            return response.get("channel") or channel_id, response["ts"], False
        except SlackApiError as error:
            code = error.response.get("error")
            if code not in POST_ELSEWHERE:
                raise
            logger.info("can't post a timeline in %s (%s); using a DM", channel_id, code)
    dm = client.conversations_open(users=user_id)["channel"]["id"]
    response = client.chat_postMessage(
        channel=dm, text=text, blocks=blocks, unfurl_links=False, metadata=metadata
    )
    return response.get("channel") or dm, response["ts"], True


# --- keeping threads live ------------------------------------------------------------------


def refresh_timelines(
    client: WebClient,
    svc: Services,
    actor: Actor,
    contact_ids: Iterable[int],
    months_hint: Iterable[datetime] | None = None,
    *,
    now: datetime,
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
            _refresh_contact(client, svc, actor, contact_id, hint, now)
        except NotFound:
            continue  # the contact is not in this workspace: nothing of theirs to refresh
        except Exception:
            logger.exception("could not refresh timelines of contact %s in %s", contact_id, actor.team_id)


def _refresh_contact(
    client: WebClient,
    svc: Services,
    actor: Actor,
    contact_id: int,
    hint: list[datetime] | None,
    now: datetime,
) -> None:
    threads = threads_for_contact(svc.db, actor, contact_id)
    if not threads:
        return
    history = contact_history(svc.db, actor, contact_id, max_items=TIMELINE_ITEMS_MAX)
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
    text, blocks = timeline_parent(history, now=now, shown=shown, months_in=tz.key)
    try:
        client.chat_update(
            channel=thread.channel_id,
            ts=thread.thread_ts,
            text=text,
            blocks=blocks,
            metadata=timeline_metadata(thread.contact_id),
        )
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
        reply_text, reply_blocks = month_reply(
            month_label(month), items, now=now, contact_id=thread.contact_id
        )
        metadata = month_reply_metadata(thread.contact_id, month, items)
        ts = thread.replies.get(month)
        try:
            if ts:
                client.chat_update(
                    channel=thread.channel_id, ts=ts, text=reply_text, blocks=reply_blocks, metadata=metadata
                )
            elif items:
                reply = client.chat_postMessage(
                    channel=thread.channel_id,
                    thread_ts=thread.thread_ts,
                    text=reply_text,
                    blocks=reply_blocks,
                    unfurl_links=False,
                    metadata=metadata,
                )
                remember_reply(svc.db, actor, thread.id, month, reply["ts"])
        except SlackApiError as error:
            # One lost reply (deleted by hand, say) must not keep the other months stale.
            logger.warning(
                "timeline %s month %s not refreshed: %s", thread.id, month, error.response.get("error")
            )


# How far back a restart looks for timeline refreshes a crash may have cut short.
REPAIR_WINDOW = timedelta(minutes=30)


def repair_timelines(svc: Services, client_for: Callable[[str], WebClient | None], *, now: datetime) -> int:
    """Re-render every thread of contacts changed in the last REPAIR_WINDOW; returns how many contacts.

    Refreshes run after the user's answer, so a process killed in between leaves a thread stale.
    The scheduler runs this once at start: a whole refresh (every month shown) repairs whatever was
    cut short. Threads are only read and updated, so repairing one that was fine costs a few calls.
    """
    repaired = 0
    for team_id, contact_id in threads_changed_since(svc.db, now - REPAIR_WINDOW):
        client = client_for(team_id)
        if client is None:
            continue  # the workspace uninstalled the app
        refresh_timelines(client, svc, Actor(team_id=team_id, user_id=""), {contact_id}, None, now=now)
        repaired += 1
    if repaired:
        logger.info("repaired the timeline threads of %d contact(s) changed before the restart", repaired)
    return repaired
