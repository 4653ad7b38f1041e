"""Staleness: whose contacts are due a touch, and what a workspace's week looked like.

A contact is stale once `due_at <= now`. `due_at` already folds cadence, workspace
default, creation and snooze (kept by storage.contacts.refresh_due_at), so "stale" is one
range on the partial (team_id, owner_user_id, due_at) index of live contacts. Reads only: nothing here writes.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Select, and_, bindparam, func, select, union

from bot.domain.records import LastInteraction, StaleContact, TeamWeekSummary
from bot.domain.rules import DIGEST_CONTACTS_MAX
from storage.contacts import default_cadence, to_record
from storage.db import Database
from storage.followups import follow_up_owners
from storage.models import Contact, Interaction, InteractionContact, UserSettings, Workspace
from storage.reads import CONTACT_RECORD_COLUMNS, contact_record, reading

TEAM_DIGEST_DAYS = 7
NEWLY_STALE_MAX = 10


_contacts = Contact.__table__
_interactions = Interaction.__table__
_attendees = InteractionContact.__table__
_workspaces = Workspace.__table__
# Stale: one range of the partial (team_id, owner_user_id, due_at) WHERE archived_at IS NULL index,
# which the count reads alone (index-only) and the page in order.
_STALE = (
    _contacts.c.team_id == bindparam("team_id"),
    _contacts.c.owner_user_id == bindparam("owner_user_id"),
    _contacts.c.due_at <= bindparam("now"),
    _contacts.c.archived_at.is_(None),
)
_STALE_COUNT = select(func.count()).select_from(_contacts).where(*_STALE)


def _stale_page_statement() -> Select:
    """The page of stale contacts, each joined to its latest live interaction (a correlated
    subquery: one probe of the attendees' (contact_id, occurred_at) index per contact shown), the
    total (an uncorrelated count, evaluated once), the workspace's default cadence and how many
    contacts that interaction was with (counted on the attendees' primary key)."""
    page = (
        select(*CONTACT_RECORD_COLUMNS)
        .where(*_STALE)
        .order_by(_contacts.c.due_at, _contacts.c.id)
        .limit(bindparam("limit"))
        .subquery("page")
    )
    live = _interactions.alias("live")
    latest_id = (
        select(_attendees.c.interaction_id)
        .join(live, live.c.id == _attendees.c.interaction_id)
        .where(_attendees.c.contact_id == page.c.id, live.c.deleted_at.is_(None))
        .order_by(_attendees.c.occurred_at.desc(), _attendees.c.interaction_id.desc())
        .limit(1)
        .correlate(page)
        .scalar_subquery()
    )
    people = (
        select(func.count())
        .select_from(_attendees)
        .where(_attendees.c.interaction_id == _interactions.c.id)
        .correlate(_interactions)
        .scalar_subquery()
    )
    return (
        select(
            *(page.c[column.name] for column in CONTACT_RECORD_COLUMNS),
            _STALE_COUNT.scalar_subquery(),
            _interactions.c.type,
            _interactions.c.occurred_at,
            _interactions.c.summary,
            _interactions.c.logged_by,
            _workspaces.c.default_cadence_days,
            people,
        )
        .select_from(page)
        .outerjoin(_interactions, _interactions.c.id == latest_id)
        .outerjoin(_workspaces, _workspaces.c.team_id == page.c.team_id)
        .order_by(page.c.due_at, page.c.id)
    )


_STALE_PAGE = _stale_page_statement()


def stale_contacts_for_owner(
    db: Database, team_id: str, owner_user_id: str, now: datetime, limit: int = DIGEST_CONTACTS_MAX
) -> tuple[list[StaleContact], int]:
    """The owner's stale contacts, most overdue first (at most `limit`), and how many there are.

    One prebuilt Core statement (`_STALE_PAGE`) on a connection, rows made straight into records.
    """
    params = {"team_id": team_id, "owner_user_id": owner_user_id, "now": now}
    if limit <= 0:  # no row would carry the count
        with reading(db) as connection:
            return [], connection.execute(_STALE_COUNT, params).scalar() or 0
    with reading(db) as connection:
        rows = connection.execute(_STALE_PAGE, {**params, "limit": limit}).all()
    stale_contacts = []
    for row in rows:
        kind, occurred_at, summary, logged_by, cadence, people = row[17:]
        last = None
        if kind is not None:
            last = LastInteraction(kind, occurred_at, summary, logged_by, max(0, (people or 1) - 1))
        stale_contacts.append(StaleContact(contact_record(row, cadence), last))
    return stale_contacts, rows[0][16] if rows else 0


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
