"""Several contacts per interaction: resolving who a quick log or a log modal names.

A quick log's names are resolved one by one as a single name always was: a mention is its
person's contact (created with the log, in its transaction, if need be), a name is the contact
it names exactly; a typo, an ambiguous name or an unknown one opens the modal with the others
preselected. New contacts picked in the modal are created with the log too (storage does it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from slack_sdk import WebClient

from bot.domain.records import Actor, Attendee, ContactRecord
from bot.services import Services
from storage.contacts import ContactDraft, find_contact_by_slack_user, resolve_contact
from storage.new_contact import find_or_create_contact

_MENTION_PREFIX, _MENTION_SUFFIX = "<@", ">"


@dataclass
class QuickContacts:
    """Who a quick log names: the contacts found (in order), mentioned people who aren't contacts
    yet (created with the log), typed names nobody has, and what is unsure."""

    contacts: list[ContactRecord] = field(default_factory=list)
    people: list[ContactDraft] = field(default_factory=list)
    new_names: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    first_kind: str = "contact"  # what was named first: "contact", "person" or "name"
    # Contacts and people in the order named.
    order: list[ContactRecord | ContactDraft] = field(default_factory=list)

    @property
    def first(self) -> ContactRecord | None:
        return self.contacts[0] if self.first_kind == "contact" and self.contacts else None

    @property
    def first_person(self) -> ContactDraft | None:
        return self.people[0] if self.first_kind == "person" else None

    @property
    def more(self) -> tuple[int | ContactDraft, ...]:
        """Everyone named after the first, in order: a contact's id, or a person to create."""
        return tuple(p.id if isinstance(p, ContactRecord) else p for p in self.order[1:])

    @property
    def more_contacts(self) -> tuple[Attendee, ...]:
        rest = self.contacts[1:] if self.first_kind == "contact" else self.contacts
        return tuple(Attendee(c.id, c.name) for c in rest)

    def modal_names(self) -> tuple[str | None, tuple[str, ...]]:
        """(the first new contact to offer, the others): names typed, then people mentioned."""
        names = [*self.new_names, *(p.name for p in self.people)]
        if self.first_kind == "person":
            names = [self.people[0].name, *self.new_names, *(p.name for p in self.people[1:])]
        if self.first_kind == "contact":
            return None, tuple(names)
        return (names[0] if names else None), tuple(names[1:])


def resolve_quick_contacts(
    svc: Services, client: WebClient, actor: Actor, texts: Sequence[str]
) -> QuickContacts:
    found = QuickContacts()
    for index, text in enumerate(texts):
        if text.startswith(_MENTION_PREFIX) and text.endswith(_MENTION_SUFFIX):
            contact, person = _mentioned(svc, client, actor, text[2:-1])
            if contact is None and person is None:
                found.problems.append("I couldn't look up the person you mentioned.")
            elif person is not None:
                if person.slack_user_id not in {p.slack_user_id for p in found.people}:
                    found.people.append(person)
                    found.order.append(person)
                found.first_kind = "person" if index == 0 else found.first_kind
            elif contact is not None and contact.id not in {c.id for c in found.contacts}:
                found.contacts.append(contact)
                found.order.append(contact)
            continue
        contact, matches = resolve_contact(svc.db, actor, text)
        if contact is None and len(matches) == 1:
            # One close match (a typo): offered, never saved without the user's Save.
            contact = matches[0].contact
            found.problems.append(f"No contact is called “{text}”. Did you mean {contact.name}?")
        elif contact is None:
            if not matches:
                found.new_names.append(text)
                found.first_kind = "name" if index == 0 else found.first_kind
            found.problems.append(
                f"Several contacts match “{text}”: pick one."
                if matches
                else f"“{text}” is not a contact yet: check the name, then Save creates it."
            )
        if contact is not None and contact.id not in {c.id for c in found.contacts}:
            found.contacts.append(contact)
            found.order.append(contact)
    return found


def _mentioned(
    svc: Services, client: WebClient, actor: Actor, user_id: str
) -> tuple[ContactRecord | None, ContactDraft | None]:
    """A mentioned person's contact, or the draft of it (None, None when Slack doesn't know them)."""
    contact = find_contact_by_slack_user(svc.db, actor, user_id)
    if contact is not None:
        return contact, None
    mentioned = svc.users.get(actor.team_id, user_id, client=client)
    if not mentioned.known or mentioned.deleted:
        return None, None
    # A mention names exactly one person: their contact is created (with the log), not guessed.
    return None, ContactDraft(name=mentioned.name, email=mentioned.email, slack_user_id=mentioned.id)


def draft_picks(more: Sequence[int | str]) -> tuple[int | ContactDraft, ...]:
    """The modal's other picks in order: a contact's id, or a contact to create with the log."""
    return tuple(p if isinstance(p, int) else ContactDraft(name=p) for p in more)


def edit_contact_ids(
    svc: Services, actor: Actor, first: int, more: Sequence[int | str], *, now: datetime
) -> tuple[int, ...]:
    """An edit's contacts, first first: new names found or created (an edit has no log to create them with)."""
    ids = [first]
    for pick in more:
        contact_id = (
            pick
            if isinstance(pick, int)
            else find_or_create_contact(svc.db, actor, ContactDraft(name=pick), now=now)
        )
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
