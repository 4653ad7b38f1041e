"""Contacts: add, look up, show, edit and snooze; each change keeps the surfaces showing it true."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from slack_sdk import WebClient

from bot.domain.errors import Invalid
from bot.domain.records import Actor, ContactMatch, ContactRecord, InteractionRecord
from bot.services import AfterAnswer, Services
from bot.services.surfaces import NO_SURFACES, Surfaces, after_contact_surfaces
from bot.services.timeline import refresh_timelines
from storage.contacts import (
    ContactChanges,
    ContactDraft,
    create_contact,
    get_contact,
    resolve_contact,
    snooze_contact,
    update_contact,
)
from storage.interactions import latest_interactions_for_contact

# Inputs of the contact use cases, re-exported for listeners (they never import storage).
__all__ = ["ContactCard", "ContactChanges", "ContactDraft", "add", "card", "edit", "get", "lookup", "snooze"]

CARD_RECENT = 5
SNOOZE_DAYS_MAX = 366


@dataclass(frozen=True)
class ContactCard:
    contact: ContactRecord
    recent: list[InteractionRecord]


def card(svc: Services, actor: Actor, contact_id: int) -> ContactCard:
    contact = get_contact(svc.db, actor, contact_id)
    return ContactCard(contact, latest_interactions_for_contact(svc.db, actor, contact.id, limit=CARD_RECENT))


def lookup(svc: Services, actor: Actor, query: str) -> tuple[ContactCard | None, list[ContactMatch]]:
    """The card of the one contact `query` names, or the candidates to choose from."""
    contact, matches = resolve_contact(svc.db, actor, query)
    if contact is None:
        return None, matches
    return card(svc, actor, contact.id), matches


def add(svc: Services, actor: Actor, draft: ContactDraft, *, now: datetime) -> ContactRecord:
    return create_contact(svc.db, actor, draft, now=now)


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
