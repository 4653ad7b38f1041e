"""Several contacts per interaction: resolving who a quick log or a log modal names.

A quick log's names are resolved one by one as a single name always was: a mention is its
person's contact (created if need be), a name is the contact it names exactly; a typo, an
ambiguous name or an unknown one opens the modal with the others preselected.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from slack_sdk import WebClient

from bot.domain.records import Actor, Attendee, ContactRecord
from bot.services import Services
from storage.contacts import (
    ContactDraft,
    create_contact,
    ensure_contact_for_slack_user,
    find_contact_by_slack_user,
    has_contact_named,
    resolve_contact,
)

_MENTION_PREFIX, _MENTION_SUFFIX = "<@", ">"


@dataclass
class QuickContacts:
    """Who a quick log names: the contacts found (in order), names to create, and what is unsure."""

    contacts: list[ContactRecord] = field(default_factory=list)
    new_names: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    # The first one named is a new name (it leads the picker), not the first contact found.
    new_first: bool = False

    @property
    def more_contacts(self) -> tuple[Attendee, ...]:
        rest = self.contacts if self.new_first else self.contacts[1:]
        return tuple(Attendee(c.id, c.name) for c in rest)

    @property
    def first(self) -> ContactRecord | None:
        return None if self.new_first or not self.contacts else self.contacts[0]


def resolve_quick_contacts(
    svc: Services, client: WebClient, actor: Actor, texts: Sequence[str], *, now: datetime
) -> QuickContacts:
    found = QuickContacts()
    for index, text in enumerate(texts):
        if text.startswith(_MENTION_PREFIX) and text.endswith(_MENTION_SUFFIX):
            contact = _mentioned(svc, client, actor, text[2:-1], now=now)
            if contact is None:
                found.problems.append("I couldn't look up the person you mentioned.")
            elif contact.id not in {c.id for c in found.contacts}:
                found.contacts.append(contact)
            continue
        contact, matches = resolve_contact(svc.db, actor, text)
        if contact is None and len(matches) == 1:
            # One close match (a typo): offered, never saved without the user's Save.
            contact = matches[0].contact
            found.problems.append(f"No contact is called “{text}”. Did you mean {contact.name}?")
        elif contact is None:
            if not matches:
                found.new_names.append(text)
                found.new_first = found.new_first or index == 0
            found.problems.append(
                f"Several contacts match “{text}”: pick one."
                if matches
                else f"“{text}” is not a contact yet: check the name, then Save creates it."
            )
        if contact is not None and contact.id not in {c.id for c in found.contacts}:
            found.contacts.append(contact)
    return found


def _mentioned(
    svc: Services, client: WebClient, actor: Actor, user_id: str, *, now: datetime
) -> ContactRecord | None:
    contact = find_contact_by_slack_user(svc.db, actor, user_id)
    if contact is not None:
        return contact
    mentioned = svc.users.get(actor.team_id, user_id, client=client)
    if not mentioned.known or mentioned.deleted:
        return None
    # A mention names exactly one person: their contact is created, not guessed.
    contact, _ = ensure_contact_for_slack_user(
        svc.db, actor, mentioned.id, name=mentioned.name, email=mentioned.email, now=now
    )
    return contact


def contact_named(svc: Services, actor: Actor, name: str, *, now: datetime) -> int:
    """The contact a "Create contact “name”" pick stands for: created unless it now exists."""
    # The picker offers "create" only when no contact has exactly this name; one that does now
    # was created by an earlier delivery of this very submission (or a moment ago): use it.
    existing, _ = resolve_contact(svc.db, actor, name)
    if existing is not None and has_contact_named(svc.db, actor, name):
        return existing.id
    return create_contact(svc.db, actor, ContactDraft(name=name), now=now).id


def picked_contact_ids(
    svc: Services, actor: Actor, first: int, more: Sequence[int | str], *, now: datetime
) -> tuple[int, ...]:
    """Every contact picked in the modal, first first: ids as picked, new names created."""
    ids = [first]
    for pick in more:
        contact_id = pick if isinstance(pick, int) else contact_named(svc, actor, pick, now=now)
        if contact_id not in ids:
            ids.append(contact_id)
    return tuple(ids)


def mentioned_contacts(svc: Services, actor: Actor, user_ids: Sequence[str]) -> list[ContactRecord]:
    """The contacts of the people a message mentions (those who are contacts), in order."""
    found: list[ContactRecord] = []
    for user_id in dict.fromkeys(user_ids):
        contact = find_contact_by_slack_user(svc.db, actor, user_id)
        if contact is not None and contact.id not in {c.id for c in found}:
            found.append(contact)
    return found
