"""Staleness: whose contacts are due a touch, and what a workspace's week looked like.

A contact is stale once `due_at <= now`. `due_at` already folds cadence, workspace
default, creation and snooze (kept by storage.contacts.refresh_due_at), so "stale" is one
range on the (team_id, owner_user_id, due_at) index. Reads only: nothing here writes.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Select, and_, func, select, union
from sqlalchemy.orm import aliased

from bot.domain.records import LastInteraction, StaleContact, TeamWeekSummary
from bot.domain.rules import DEFAULT_CADENCE_DAYS, DIGEST_CONTACTS_MAX
from storage.contacts import default_cadence, to_record
from storage.db import Database
from storage.followups import follow_up_owners
from storage.models import Contact, Interaction, InteractionContact, UserSettings, Workspace

TEAM_DIGEST_DAYS = 7
NEWLY_STALE_MAX = 10


def stale_contacts_for_owner(
    db: Database, team_id: str, owner_user_id: str, now: datetime, limit: int = DIGEST_CONTACTS_MAX
) -> tuple[list[StaleContact], int]:
    """The owner's stale contacts, most overdue first (at most `limit`), and how many there are.

    One statement: the page of contacts, each joined to its latest live interaction through a
    correlated subquery (one probe of the attendees' (contact_id, occurred_at) index per contact
    shown), the total (an uncorrelated count on the stale index, evaluated once) and the
    workspace's default cadence.
    """
    stale = (
        Contact.team_id == team_id,
        Contact.owner_user_id == owner_user_id,
        Contact.due_at <= now,
        Contact.archived_at.is_(None),
    )
    if limit <= 0:  # no row would carry the count
        with db.read() as session:
            return [], session.scalar(select(func.count()).select_from(Contact).where(*stale)) or 0
    page = select(Contact).where(*stale).order_by(Contact.due_at, Contact.id).limit(limit).subquery()
    contact = aliased(Contact, page)
    total = select(func.count()).select_from(Contact).where(*stale).scalar_subquery()
    latest_id = (
        select(InteractionContact.interaction_id)
        .join(Interaction, Interaction.id == InteractionContact.interaction_id)
        .where(InteractionContact.contact_id == page.c.id, Interaction.deleted_at.is_(None))
        .order_by(InteractionContact.occurred_at.desc(), InteractionContact.interaction_id.desc())
        .limit(1)
        .correlate(page)
        .scalar_subquery()
    )
    # Who else it was with: counted on the attendees' primary key, still in the one statement.
    attendees = (
        select(func.count())
        .select_from(InteractionContact)
        .where(InteractionContact.interaction_id == Interaction.id)
        .correlate(Interaction)
        .scalar_subquery()
    )
    with db.read() as session:
        rows = session.execute(
            select(
                contact,
                total,
                Interaction.type,
                Interaction.occurred_at,
                Interaction.summary,
                Interaction.logged_by,
                Workspace.default_cadence_days,
                attendees,
            )
            .select_from(contact)
            .outerjoin(Interaction, Interaction.id == latest_id)
            .outerjoin(Workspace, Workspace.team_id == page.c.team_id)
            .order_by(page.c.due_at, page.c.id)
        ).all()
    stale_contacts = []
    for found, _, kind, occurred_at, summary, logged_by, cadence, people in rows:
        last = None
        if kind is not None:
            last = LastInteraction(kind, occurred_at, summary, logged_by, max(0, (people or 1) - 1))
        cadence = DEFAULT_CADENCE_DAYS if cadence is None else cadence  # no workspace row yet
        stale_contacts.append(StaleContact(to_record(found, cadence), last))
    return stale_contacts, rows[0][1] if rows else 0


def stale_owners(now: datetime, only_user: str | None = None) -> Select:
    """SQL: distinct (team_id, owner_user_id) owning at least one stale contact (in every workspace)."""
    query = (
        select(Contact.team_id, Contact.owner_user_id)
        .where(Contact.due_at <= now, Contact.archived_at.is_(None))
        .distinct()
    )
    if only_user:
        query = query.where(Contact.owner_user_id == only_user)
    return query


def owners_without_tz(db: Database, now: datetime, *, only_user: str | None = None) -> list[tuple[str, str]]:
    """Owners of stale contacts (or of follow-ups due soon) whose Slack time zone the scheduler
    hasn't learned yet."""
    follow_ups = follow_up_owners(now, only_user).subquery()
    with db.read() as session:
        owners = union(
            stale_owners(now, only_user), select(follow_ups.c.team_id, follow_ups.c.owner_user_id)
        ).subquery()
        rows = session.execute(
            select(owners.c.team_id, owners.c.owner_user_id)
            .outerjoin(
                UserSettings,
                and_(
                    UserSettings.team_id == owners.c.team_id, UserSettings.user_id == owners.c.owner_user_id
                ),
            )
            .where(UserSettings.tz.is_(None))
            .order_by(owners.c.team_id, owners.c.owner_user_id)
        ).all()
        return [(team_id, user_id) for team_id, user_id in rows]


def team_week_summary(db: Database, team_id: str, now: datetime) -> TeamWeekSummary:
    """The last seven days of a workspace: interactions by type and by person, newly stale contacts."""
    since = now - timedelta(days=TEAM_DIGEST_DAYS)
    with db.read() as session:
        week = (
            Interaction.team_id == team_id,
            Interaction.deleted_at.is_(None),
            Interaction.occurred_at > since,
            Interaction.occurred_at <= now,
        )
        by_type_rows = session.execute(
            select(Interaction.type, func.count()).where(*week).group_by(Interaction.type)
        ).all()
        by_person_rows = session.execute(
            select(Interaction.logged_by, func.count()).where(*week).group_by(Interaction.logged_by)
        ).all()
        became_stale = (
            Contact.team_id == team_id,
            Contact.due_at > since,
            Contact.due_at <= now,
            Contact.archived_at.is_(None),
        )
        stale_total = session.scalar(select(func.count()).select_from(Contact).where(*became_stale)) or 0
        stale_rows = session.scalars(
            select(Contact).where(*became_stale).order_by(Contact.due_at, Contact.id).limit(NEWLY_STALE_MAX)
        ).all()
        cadence = default_cadence(session, team_id)
        newly_stale = [to_record(contact, cadence) for contact in stale_rows]
    by_type = dict(sorted(((t, n) for t, n in by_type_rows), key=lambda item: (-item[1], item[0])))
    by_person = sorted(((u, n) for u, n in by_person_rows), key=lambda item: (-item[1], item[0]))
    return TeamWeekSummary(
        team_id=team_id,
        since=since,
        until=now,
        by_type=by_type,
        by_person=by_person,
        interaction_total=sum(by_type.values()),
        newly_stale=newly_stale,
        newly_stale_total=stale_total,
    )
