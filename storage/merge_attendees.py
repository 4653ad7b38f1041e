"""What a merge does to attendees: A's rows become B's, and undoing it puts back exactly what was there.

An interaction that had both A and B keeps B once: A's row is dropped, and its interaction and
position are kept in the merge's undo record so that undoing the merge adds A back where it was.
The primary contact (`interactions.contact_id`) moves with the rows (contact_lifecycle does that).
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import CursorResult, and_, delete, insert, or_, select, update
from sqlalchemy.orm import Session, aliased

from bot.domain.records import Actor
from storage.models import Interaction, InteractionContact


def move_attendee_rows(
    session: Session, actor: Actor, source_id: int, target_id: int
) -> tuple[int, list[list]]:
    """Move the source's attendee rows to the target: (interactions of the source, the dropped
    rows as [[interaction id, position], ...])."""
    other = aliased(InteractionContact)
    both = session.execute(
        select(InteractionContact.interaction_id, InteractionContact.position)
        .join(
            other,
            and_(other.interaction_id == InteractionContact.interaction_id, other.contact_id == target_id),
        )
        .where(InteractionContact.contact_id == source_id, InteractionContact.team_id == actor.team_id)
        .order_by(InteractionContact.interaction_id)
    ).all()
    dropped = [[interaction_id, position] for interaction_id, position in both]
    if dropped:
        session.execute(
            delete(InteractionContact).where(
                InteractionContact.contact_id == source_id,
                InteractionContact.interaction_id.in_([row[0] for row in dropped]),
            )
        )
    moved = session.execute(
        update(InteractionContact)
        .where(InteractionContact.contact_id == source_id, InteractionContact.team_id == actor.team_id)
        .values(contact_id=target_id, merged_from_contact_id=source_id)
        .execution_options(synchronize_session=False)
    )
    return int(cast(CursorResult, moved).rowcount or 0) + len(dropped), dropped


def restore_attendee_rows(
    session: Session, actor: Actor, source_id: int, target_id: int, dropped: list[list]
) -> int:
    """Undo `move_attendee_rows`: the moved rows go back, the dropped ones come back (how many in all)."""
    moved = session.execute(
        update(InteractionContact)
        .where(
            InteractionContact.contact_id == target_id,
            InteractionContact.merged_from_contact_id == source_id,
            InteractionContact.team_id == actor.team_id,
        )
        .values(contact_id=source_id, merged_from_contact_id=None)
        .execution_options(synchronize_session=False)
    )
    count = int(cast(CursorResult, moved).rowcount or 0)
    if not dropped:
        return count
    # Only interactions still there and without the source (an edit since may have re-added nobody).
    times = dict(
        session.execute(
            select(Interaction.id, Interaction.occurred_at).where(
                Interaction.id.in_([row[0] for row in dropped]), Interaction.team_id == actor.team_id
            )
        ).all()
    )
    present = set(
        session.scalars(
            select(InteractionContact.interaction_id).where(
                InteractionContact.contact_id == source_id,
                InteractionContact.interaction_id.in_(list(times)),
            )
        )
    )
    rows = [
        {
            "interaction_id": interaction_id,
            "contact_id": source_id,
            "team_id": actor.team_id,
            "position": position,
            "occurred_at": times[interaction_id],
        }
        for interaction_id, position in dropped
        if interaction_id in times and interaction_id not in present
    ]
    if rows:
        session.execute(insert(InteractionContact), rows)
        _first_leads(session, [row["interaction_id"] for row in rows])
    return count + len(rows)


def _first_leads(session: Session, interaction_ids: list[int]) -> None:
    """Keep each interaction's contact its first attendee, should an edit since the merge have
    put someone else where the restored attendee was."""
    rows = session.execute(
        select(InteractionContact.interaction_id, InteractionContact.contact_id)
        .where(InteractionContact.interaction_id.in_(interaction_ids))
        .order_by(
            InteractionContact.interaction_id, InteractionContact.position, InteractionContact.contact_id
        )
    ).all()
    first: dict[int, int] = {}
    for interaction_id, contact_id in rows:
        first.setdefault(interaction_id, contact_id)
    for interaction_id, contact_id in first.items():
        session.execute(
            update(Interaction)
            .where(Interaction.id == interaction_id, Interaction.contact_id != contact_id)
            .values(contact_id=contact_id)
            .execution_options(synchronize_session=False)
        )


def lock_interactions_of(
    session: Session, actor: Actor, source_id: int, dropped: list[list] | None = None
) -> None:
    """Lock (PostgreSQL) every interaction a merge or its undo will rewrite, in id order, before
    any contact: the order every writer takes (an edit locks its interaction, then its contacts),
    so a merge and an edit of one of its interactions wait for each other instead of deadlocking.

    Merging: the interactions `source_id` attends. Undoing: those moved from it (still marked
    `merged_from_contact_id`) and those where its row was dropped (`dropped`).
    """
    attended = select(InteractionContact.interaction_id).where(
        InteractionContact.team_id == actor.team_id,
        (InteractionContact.merged_from_contact_id == source_id)
        if dropped is not None
        else (InteractionContact.contact_id == source_id),
    )
    ids = or_(Interaction.id.in_(attended), Interaction.id.in_([row[0] for row in dropped or []]))
    session.execute(
        select(Interaction.id)
        .where(ids, Interaction.team_id == actor.team_id)
        .order_by(Interaction.id)
        .with_for_update()
    ).all()
