"""Follow-ups: Done and Snooze from the digest, App Home and contact cards, and the Log button
that closes one by logging what was done.

Decision (issue 17): logging a new interaction with a contact does NOT close that contact's open
follow-ups by itself. A follow-up is a plan ("send the contract"); an unrelated touch (a call about
something else, a note) doesn't fulfil it, and closing it silently would lose the plan. The Log
button on a due follow-up opens the log modal for its contact, says that saving marks the
follow-up done, and does: closing is always something the user chose.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from slack_sdk import WebClient

from blocks.followups import log_notice
from blocks.modals import LogPrefill
from bot.domain.errors import DomainError, Invalid
from bot.domain.followups import SNOOZE_CHOICES, FollowUp, check_follow_up_day
from bot.domain.records import Actor, InteractionRecord
from bot.domain.rules import may_change
from bot.services import AfterAnswer, Services
from bot.services.contacts import ContactCard, card
from bot.services.home import publish_home
from bot.services.surfaces import NO_SURFACES, DigestRef, Surfaces, after_contact_surfaces, refresh_digest
from bot.services.users import SlackUser
from storage.deliveries import get_delivery
from storage.followups import get_follow_up, mark_follow_up_done, snooze_follow_up
from storage.user_settings import get_user_settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FollowUpOutcome:
    follow_up: FollowUp
    card: ContactCard | None = None  # the contact's card again, when the click came from it


def _after_change(
    after: AfterAnswer,
    svc: Services,
    client: WebClient,
    actor: Actor,
    item: FollowUp,
    surfaces: Surfaces,
    *,
    now: datetime,
) -> None:
    """The digest DM or Home it was changed from; then the owner's Home and today's digest DM,
    wherever the change was made (both list the owner's due follow-ups)."""
    after_contact_surfaces(after, svc, client, actor, surfaces, now=now)
    owner = Actor(actor.team_id, item.owner_user_id)
    settings = get_user_settings(svc.db, owner)
    if not (surfaces.home_tz and owner.user_id == actor.user_id):
        after.add("owner's App Home", publish_home, svc, client, owner, settings.tz or "UTC", now=now)
    if surfaces.digest and owner.user_id == actor.user_id:
        return  # that digest is the owner's, refreshed above
    today = now.astimezone(settings.zone).date()
    delivery = get_delivery(svc.db, owner.team_id, owner.user_id, today)
    if delivery is not None and delivery.channel_id and delivery.message_ts:
        ref = DigestRef(delivery.channel_id, delivery.message_ts)
        after.add("owner's digest DM", refresh_digest, svc, client, owner, ref, now=now)


def done(
    svc: Services,
    client: WebClient,
    actor: Actor,
    interaction_id: int,
    *,
    now: datetime,
    after: AfterAnswer,
    surfaces: Surfaces = NO_SURFACES,
    from_card: bool = False,
) -> FollowUpOutcome:
    item = mark_follow_up_done(svc.db, actor, interaction_id, now=now)
    _after_change(after, svc, client, actor, item, surfaces, now=now)
    return FollowUpOutcome(item, card(svc, actor, item.contact_id) if from_card else None)


def snooze(
    svc: Services,
    client: WebClient,
    actor: Actor,
    user: SlackUser,
    interaction_id: int,
    days: int,
    *,
    now: datetime,
    after: AfterAnswer,
    surfaces: Surfaces = NO_SURFACES,
    from_card: bool = False,
) -> FollowUpOutcome:
    """Due again `days` after the clicker's local today."""
    if days not in SNOOZE_CHOICES:
        raise Invalid({"until": "That snooze option isn't available."})
    until = now.astimezone(user.tz).date() + timedelta(days=days)
    item = snooze_follow_up(svc.db, actor, interaction_id, until, now=now)
    _after_change(after, svc, client, actor, item, surfaces, now=now)
    return FollowUpOutcome(item, card(svc, actor, item.contact_id) if from_card else None)


def log_prefill(
    svc: Services, actor: Actor, user: SlackUser, interaction_id: int, *, now: datetime
) -> LogPrefill:
    """The log modal for the follow-up's contact; saving it marks the follow-up done."""
    item = get_follow_up(svc.db, actor, interaction_id)
    local = now.astimezone(user.tz)
    mine = may_change(actor, item.owner_user_id)
    return LogPrefill(
        contact_id=item.contact_id,
        contact_name=item.contact_name,
        date=local.date(),
        time=local.strftime("%H:%M"),
        # A teammate's follow-up (seen on a contact card) stays theirs to close.
        notice=log_notice(item)
        if mine
        else "This follow-up is a teammate's: saving leaves it open for them.",
        completes_follow_up=item.interaction_id if mine else None,
    )


def check_form_day(day: date | None, before: InteractionRecord | None, today: date) -> None:
    """A follow-up day the form sets anew must be today or later where the user is.

    The day the interaction already has (as set, or as snoozed) is kept as it is, even when past.
    """
    if day is None or (before is not None and day in (before.follow_up_on, before.follow_up_due_on)):
        return
    problem = check_follow_up_day(day, today)
    if problem:
        raise Invalid({"follow_up_on": problem})


def complete_after_log(svc: Services, actor: Actor, interaction_id: int, *, now: datetime) -> None:
    """The log saved from a follow-up's Log button closes that follow-up (the log itself stands)."""
    try:
        mark_follow_up_done(svc.db, actor, interaction_id, now=now)
    except DomainError as error:
        # Deleted or not theirs meanwhile: the interaction they logged is saved all the same.
        logger.info("follow-up %s not marked done after a log: %s", interaction_id, error)
