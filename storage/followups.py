"""Follow-ups: which are due, on whom, and closing or snoozing one.

Open follow-ups have `follow_up_due_on` set (done ones have it cleared), so "due for this
person" is one range on the (team_id, logged_by, follow_up_due_on) index.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Select, func, select

from bot.domain.errors import Conflict, Forbidden, Invalid, NotFound
from bot.domain.followups import DIGEST_FOLLOW_UPS_MAX, DUE, FILTERS, OPEN, OVERDUE, FollowUp
from bot.domain.records import Actor
from bot.domain.rules import may_change
from storage.db import Database
from storage.history import record_edited, snapshot
from storage.models import Contact, Interaction

CARD_FOLLOW_UPS_MAX = 5


def to_follow_up(interaction: Interaction, contact_name: str) -> FollowUp:
    assert interaction.follow_up_on is not None
    return FollowUp(
        interaction_id=interaction.id,
        team_id=interaction.team_id,
        contact_id=interaction.contact_id,
        contact_name=contact_name,
        owner_user_id=interaction.logged_by,
        set_on=interaction.follow_up_on,
        due_on=interaction.follow_up_due_on,
        type=interaction.type,
        summary=interaction.summary,
        occurred_at=interaction.occurred_at,
        done_at=interaction.follow_up_done_at,
        done_by=interaction.follow_up_done_by,
    )


def _open() -> tuple:
    """SQL: open follow-ups of live interactions with live contacts (join Contact)."""
    return (
        Interaction.follow_up_due_on.is_not(None),
        Interaction.deleted_at.is_(None),
        Contact.archived_at.is_(None),
    )


def follow_up_condition(which: str, today: date):
    """SQL for `/interactions followup:open|due|overdue` (due by / before the user's `today`)."""
    if which == OPEN:
        return Interaction.follow_up_due_on.is_not(None)
    if which == DUE:
        return Interaction.follow_up_due_on <= today
    if which == OVERDUE:
        return Interaction.follow_up_due_on < today
    raise Invalid({"follow_up": f"Follow-ups are {', '.join(FILTERS)}."})


def latest_possible_today(now: datetime) -> date:
    """The latest local date anywhere at `now` (UTC+14): no one's today is after it."""
    return (now.astimezone(UTC) + timedelta(hours=14)).date()


def due_follow_ups(
    db: Database, team_id: str, user_id: str, today: date, *, limit: int = DIGEST_FOLLOW_UPS_MAX
) -> tuple[list[FollowUp], int]:
    """The person's follow-ups due on or before their local `today`, oldest first, and how many."""
    where = (
        Interaction.team_id == team_id,
        Interaction.logged_by == user_id,
        Interaction.follow_up_due_on <= today,
        *_open(),
    )
    with db.read() as session:
        rows = session.execute(
            select(Interaction, Contact.name)
            .join(Contact, Contact.id == Interaction.contact_id)
            .where(*where)
            .order_by(Interaction.follow_up_due_on, Interaction.id)
            .limit(max(0, limit))
        ).all()
        total = session.scalar(
            select(func.count())
            .select_from(Interaction)
            .join(Contact, Contact.id == Interaction.contact_id)
            .where(*where)
        )
    return [to_follow_up(i, name) for i, name in rows], total or 0


def open_follow_ups_for_contact(
    db: Database, actor: Actor, contact_id: int, *, limit: int = CARD_FOLLOW_UPS_MAX
) -> list[FollowUp]:
    """Open follow-ups on a contact (everyone's), soonest first: what the contact card shows."""
    with db.read() as session:
        rows = session.execute(
            select(Interaction, Contact.name)
            .join(Contact, Contact.id == Interaction.contact_id)
            .where(Interaction.team_id == actor.team_id, Interaction.contact_id == contact_id, *_open())
            .order_by(Interaction.follow_up_due_on, Interaction.id)
            .limit(limit)
        ).all()
    return [to_follow_up(i, name) for i, name in rows]


def follow_up_owners(now: datetime, only_user: str | None = None) -> Select:
    """SQL: (team_id, owner_user_id, earliest due day) of everyone with a follow-up that may be due
    somewhere at `now`; the caller compares the day with each person's local today."""
    query = (
        select(
            Interaction.team_id,
            Interaction.logged_by.label("owner_user_id"),
            func.min(Interaction.follow_up_due_on).label("due_on"),
        )
        .join(Contact, Contact.id == Interaction.contact_id)
        .where(Interaction.follow_up_due_on <= latest_possible_today(now), *_open())
        .group_by(Interaction.team_id, Interaction.logged_by)
    )
    if only_user:
        query = query.where(Interaction.logged_by == only_user)
    return query


def earliest_due_follow_ups(
    db: Database, now: datetime, *, only_user: str | None = None
) -> dict[tuple[str, str], date]:
    with db.read() as session:
        return {
            (team_id, user_id): due_on
            for team_id, user_id, due_on in session.execute(follow_up_owners(now, only_user)).all()
        }


def _load(session, actor: Actor, interaction_id: int) -> tuple[Interaction, str]:
    row = session.execute(
        select(Interaction, Contact.name)
        .join(Contact, Contact.id == Interaction.contact_id)
        .where(Interaction.id == interaction_id, Interaction.team_id == actor.team_id)
        .with_for_update(of=Interaction)
        .execution_options(populate_existing=True)
    ).first()
    if row is None or row[0].deleted_at is not None or row[0].follow_up_on is None:
        raise NotFound("That follow-up doesn't exist any more.")
    interaction, name = row
    if not may_change(actor, interaction.logged_by):
        raise Forbidden(
            f"This follow-up is <@{interaction.logged_by}>'s: only they or an admin can change it."
        )
    return interaction, name


def get_follow_up(db: Database, actor: Actor, interaction_id: int) -> FollowUp:
    with db.read() as session:
        row = session.execute(
            select(Interaction, Contact.name)
            .join(Contact, Contact.id == Interaction.contact_id)
            .where(Interaction.id == interaction_id, Interaction.team_id == actor.team_id)
        ).first()
    if row is None or row[0].deleted_at is not None or row[0].follow_up_on is None:
        raise NotFound("That follow-up doesn't exist any more.")
    return to_follow_up(*row)


def mark_follow_up_done(db: Database, actor: Actor, interaction_id: int, *, now: datetime) -> FollowUp:
    """Close it (done twice is done once). Never touches the contact's `last_contacted_at`."""
    with db.write() as session:
        interaction, name = _load(session, actor, interaction_id)
        if interaction.follow_up_due_on is not None:
            was = snapshot(interaction, ())  # contacts don't change here
            interaction.follow_up_due_on = None
            interaction.follow_up_done_at = now
            interaction.follow_up_done_by = actor.user_id
            record_edited(session, actor, interaction, was, (), now=now, action="follow_up_done")
        return to_follow_up(interaction, name)


def snooze_follow_up(
    db: Database, actor: Actor, interaction_id: int, until: date, *, now: datetime
) -> FollowUp:
    """Move an open follow-up's due day to `until` (checked against the owner's today by the caller)."""
    with db.write() as session:
        interaction, name = _load(session, actor, interaction_id)
        if interaction.follow_up_due_on is None:
            raise Conflict("That follow-up is already done.")
        was = snapshot(interaction, ())  # contacts don't change here
        interaction.follow_up_due_on = until
        record_edited(session, actor, interaction, was, (), now=now, action="follow_up_snoozed")
        return to_follow_up(interaction, name)
