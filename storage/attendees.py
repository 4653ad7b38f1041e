"""Attendees: the contacts of an interaction, kept in `interaction_contacts`.

`interactions.contact_id` stays the first attendee (position 0), so what shows one contact keeps
working; every question about "a contact's interactions" (filters, `last_contacted_at`,
timelines, cards, staleness, the digest) goes through the join table, whose rows repeat the
interaction's `occurred_at` so those questions walk the (contact_id, occurred_at) index.
Writers hold the interaction's row lock, then lock every contact involved in ascending id order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import Connection, bindparam, delete, select
from sqlalchemy.orm import Session

from bot.domain.errors import Invalid
from bot.domain.records import Attendee
from bot.domain.rules import MAX_ATTENDEES
from storage.models import Contact, Interaction, InteractionContact


def clean_attendee_ids(first: int | None, contact_ids: Sequence[int] = ()) -> list[int]:
    """The attendees in order, once each (the first one given first); Invalid when none or too many."""
    ordered: list[int] = []
    for cid in ([first] if first else []) + list(contact_ids):
        if cid and cid not in ordered:
            ordered.append(cid)
    if not ordered:
        raise Invalid({"contact": "Choose who this was with."})
    if len(ordered) > MAX_ATTENDEES:
        raise Invalid({"contact": f"An interaction can have at most {MAX_ATTENDEES} contacts."})
    return ordered


def attendee_ids(session: Session, interaction_id: int) -> list[int]:
    return list(
        session.scalars(
            select(InteractionContact.contact_id)
            .where(InteractionContact.interaction_id == interaction_id)
            .order_by(InteractionContact.position, InteractionContact.contact_id)
        )
    )


_attendees = InteractionContact.__table__
_contacts = Contact.__table__
# One page of interactions' attendees, first first (an expanding IN: the compiled form is cached).
_ATTENDEES_OF = (
    select(_attendees.c.interaction_id, _contacts.c.id, _contacts.c.name)
    .join(_contacts, _contacts.c.id == _attendees.c.contact_id)
    .where(_attendees.c.interaction_id.in_(bindparam("ids", expanding=True)))
    .order_by(_attendees.c.interaction_id, _attendees.c.position, _attendees.c.contact_id)
)


def attendees_of(
    runner: Session | Connection, interaction_ids: Iterable[int]
) -> dict[int, tuple[Attendee, ...]]:
    """Each interaction's attendees (id and name), first first: one query for a page of them."""
    ids = sorted(set(interaction_ids))
    found: dict[int, list[Attendee]] = {}
    for start in range(0, len(ids), 500):
        rows = runner.execute(_ATTENDEES_OF, {"ids": ids[start : start + 500]}).all()
        for interaction_id, contact_id, name in rows:
            found.setdefault(interaction_id, []).append(Attendee(contact_id, name))
    return {iid: tuple(people) for iid, people in found.items()}


def write_attendees(session: Session, interaction: Interaction, contact_ids: Sequence[int]) -> None:
    """Make the interaction's attendees exactly `contact_ids`, in that order (the first is its contact).

    Rows of attendees who stay are kept (with what a merge recorded on them); only positions move.
    """
    session.flush()
    current = {
        row.contact_id: row
        for row in session.scalars(
            select(InteractionContact).where(InteractionContact.interaction_id == interaction.id)
        )
    }
    gone = set(current) - set(contact_ids)
    if gone:
        session.execute(
            delete(InteractionContact).where(
                InteractionContact.interaction_id == interaction.id, InteractionContact.contact_id.in_(gone)
            )
        )
    for position, contact_id in enumerate(contact_ids):
        row = current.get(contact_id)
        if row is None:
            session.add(
                InteractionContact(
                    interaction_id=interaction.id,
                    contact_id=contact_id,
                    team_id=interaction.team_id,
                    position=position,
                    occurred_at=interaction.occurred_at,
                )
            )
        else:
            row.position = position
            row.occurred_at = interaction.occurred_at
    interaction.contact_id = contact_ids[0]
    session.flush()


def of_contact(contact_id: int):
    """A condition on `Interaction`: the contact is one of its attendees."""
    return Interaction.id.in_(
        select(InteractionContact.interaction_id).where(InteractionContact.contact_id == contact_id)
    )
