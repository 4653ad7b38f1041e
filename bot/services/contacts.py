"""Contacts: add, look up, show, edit and snooze; each change keeps the surfaces showing it true."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from slack_sdk import WebClient

from blocks.contacts import contact_card
from bot.domain.errors import Invalid, NotFound
from bot.domain.followups import FollowUp
from bot.domain.records import Actor, ContactMatch, ContactRecord, InteractionRecord
from bot.services import AfterAnswer, Services
from bot.services.surfaces import NO_SURFACES, Surfaces, after_contact_surfaces
from bot.services.timeline import refresh_timelines
from storage.contact_lifecycle import (
    archive_contact,
    contacts_merged_into,
    find_existing,
    merge_contacts,
    unarchive_contact,
    unmerge_contacts,
)
from storage.contacts import (
    ContactChanges,
    ContactDraft,
    create_contact,
    get_contact,
    resolve_contact,
    snooze_contact,
    update_contact,
)
from storage.followups import open_follow_ups_for_contact
from storage.listing import latest_interactions_for_contact
from storage.user_settings import get_user_settings

# Inputs of the contact use cases, re-exported for listeners (they never import storage).
__all__ = [
    "ContactCard",
    "ContactChanges",
    "ContactDraft",
    "Merged",
    "add",
    "archive",
    "card",
    "edit",
    "get",
    "lookup",
    "merge",
    "snooze",
    "unarchive",
    "unmerge",
]

CARD_RECENT = 5
SNOOZE_DAYS_MAX = 366


@dataclass(frozen=True)
class ContactCard:
    contact: ContactRecord
    recent: list[InteractionRecord]
    merged_from: list[ContactRecord] = field(default_factory=list)  # merges into it that can be undone
    merged_into: ContactRecord | None = None  # when this contact was merged into another
    follow_ups: list[FollowUp] = field(default_factory=list)  # open ones, soonest first
    today: date | None = None  # the viewer's local today (what "due" follow-ups are measured by)


def card_blocks(card: ContactCard, *, now: datetime) -> list[dict]:
    """The card as Block Kit (every listener that answers with a card shows the same one)."""
    return contact_card(
        card.contact,
        card.recent,
        now=now,
        merged_from=card.merged_from,
        merged_into=card.merged_into,
        follow_ups=card.follow_ups,
        today=card.today,
    )


@dataclass(frozen=True)
class Merged:
    source: ContactRecord  # archived, merged into target
    target: ContactCard
    moved: int  # interactions moved


def card(svc: Services, actor: Actor, contact_id: int) -> ContactCard:
    with svc.db.snapshot():  # the card's reads: one transaction, one consistent view
        contact = get_contact(svc.db, actor, contact_id)
        into = None
        if contact.merged_into_id is not None:
            try:
                into = get_contact(svc.db, actor, contact.merged_into_id)
            except NotFound:
                into = None
        return ContactCard(
            contact,
            latest_interactions_for_contact(svc.db, actor, contact.id, limit=CARD_RECENT),
            merged_from=contacts_merged_into(svc.db, actor, contact.id),
            merged_into=into,
            follow_ups=open_follow_ups_for_contact(svc.db, actor, contact.id),
            today=svc.now().astimezone(get_user_settings(svc.db, actor).zone).date(),
        )


def lookup(svc: Services, actor: Actor, query: str) -> tuple[ContactCard | None, list[ContactMatch]]:
    """The card of the one contact `query` names, or the candidates to choose from."""
    contact, matches = resolve_contact(svc.db, actor, query)
    if contact is None:
        return None, matches
    return card(svc, actor, contact.id), matches


def add(svc: Services, actor: Actor, draft: ContactDraft, *, now: datetime) -> ContactRecord:
    return create_contact(svc.db, actor, draft, now=now)


def existing_for(svc: Services, actor: Actor, draft: ContactDraft) -> ContactCard | None:
    """The card of a live contact with this exact name or email, if there is one ("Add anyway" then)."""
    existing = find_existing(svc.db, actor, draft)
    return card(svc, actor, existing.id) if existing else None


def _after_contacts_changed(
    after: AfterAnswer,
    svc: Services,
    client: WebClient,
    actor: Actor,
    contact_ids: set[int],
    surfaces: Surfaces,
    *,
    now: datetime,
) -> None:
    """Digest DM and Home (they list contacts) first, then every timeline thread of both contacts."""
    after_contact_surfaces(after, svc, client, actor, surfaces, now=now)
    after.add("timeline threads", refresh_timelines, client, svc, actor, contact_ids, None, now=now)


def merge(
    svc: Services,
    client: WebClient,
    actor: Actor,
    source_id: int,
    target_id: int,
    *,
    now: datetime,
    after: AfterAnswer,
    surfaces: Surfaces = NO_SURFACES,
) -> Merged:
    source, target, moved = merge_contacts(svc.db, actor, source_id, target_id, now=now)
    _after_contacts_changed(after, svc, client, actor, {source.id, target.id}, surfaces, now=now)
    return Merged(source, card(svc, actor, target.id), moved)


def unmerge(
    svc: Services,
    client: WebClient,
    actor: Actor,
    source_id: int,
    *,
    now: datetime,
    after: AfterAnswer,
    surfaces: Surfaces = NO_SURFACES,
) -> Merged:
    """Undo a merge: the source is live again with the interactions that came from it."""
    source, target, moved = unmerge_contacts(svc.db, actor, source_id, now=now)
    _after_contacts_changed(after, svc, client, actor, {source.id, target.id}, surfaces, now=now)
    return Merged(source, card(svc, actor, target.id), moved)


def archive(
    svc: Services,
    client: WebClient,
    actor: Actor,
    contact_id: int,
    *,
    now: datetime,
    after: AfterAnswer,
    surfaces: Surfaces = NO_SURFACES,
) -> ContactCard:
    contact = archive_contact(svc.db, actor, contact_id, now=now)
    _after_contacts_changed(after, svc, client, actor, {contact.id}, surfaces, now=now)
    return card(svc, actor, contact.id)


def unarchive(
    svc: Services,
    client: WebClient,
    actor: Actor,
    contact_id: int,
    *,
    now: datetime,
    after: AfterAnswer,
    surfaces: Surfaces = NO_SURFACES,
) -> ContactCard:
    contact = unarchive_contact(svc.db, actor, contact_id, now=now)
    _after_contacts_changed(after, svc, client, actor, {contact.id}, surfaces, now=now)
    return card(svc, actor, contact.id)


def get(svc: Services, actor: Actor, contact_id: int) -> ContactRecord:
    return get_contact(svc.db, actor, contact_id)


def edit(
    svc: Services,
    client: WebClient,
    actor: Actor,
    contact_id: int,
    changes: ContactChanges,
    *,
    now: datetime,
    after: AfterAnswer,
) -> ContactCard:
    contact = update_contact(svc.db, actor, contact_id, changes, now=now)
    # Timeline parents show the name, company and cadence: re-render them (no month replies).
    after.add("timeline parents", refresh_timelines, client, svc, actor, {contact.id}, [], now=now)
    return card(svc, actor, contact.id)


def snooze(
    svc: Services,
    client: WebClient,
    actor: Actor,
    contact_id: int,
    *,
    until: datetime,
    now: datetime,
    after: AfterAnswer,
    surfaces: Surfaces = NO_SURFACES,
) -> ContactCard:
    if until <= now:
        raise Invalid({"until": "Pick a day after today."})
    contact = snooze_contact(svc.db, actor, contact_id, until, now=now)
    after_contact_surfaces(after, svc, client, actor, surfaces, now=now)
    after.add("timeline parents", refresh_timelines, client, svc, actor, {contact.id}, [], now=now)
    return card(svc, actor, contact.id)


def snooze_for_days(
    svc: Services,
    client: WebClient,
    actor: Actor,
    contact_id: int,
    days: int,
    *,
    now: datetime,
    after: AfterAnswer,
    surfaces: Surfaces = NO_SURFACES,
) -> ContactCard:
    if not 1 <= days <= SNOOZE_DAYS_MAX:
        raise Invalid({"until": "That snooze option isn't available."})
    return snooze(
        svc,
        client,
        actor,
        contact_id,
        until=now + timedelta(days=days),
        now=now,
        after=after,
        surfaces=surfaces,
    )


def one_named(svc: Services, actor: Actor, name: str) -> ContactRecord:
    """The one live contact a typed name means (for `/contact merge A into B`), else a plain refusal."""
    contact, matches = resolve_contact(svc.db, actor, name)
    if contact is not None:
        return contact
    if len(matches) == 1:
        raise NotFound(f"No contact is called “{name}”. Did you mean {matches[0].contact.name}?")
    if matches:
        raise NotFound(f"Several contacts match “{name}”: use the full name.")
    raise NotFound(f"No contact is called “{name}”.")
