"""The team's figures: interactions per person per week, stale contacts by owner, overdue follow-ups.

A few set-based statements (grouped counts, a window for each owner's most overdue names);
`TeamReport` is what App Home's Team section and `touchbase report` render. Reads only, except
the weekly team digest's weekday, which an admin sets.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta

from sqlalchemy import case, func, select

from bot.domain.errors import Forbidden, Invalid
from bot.domain.followups import FollowUp, OverdueFollowUp, OwnerStale, PersonWeeks, TeamReport
from bot.domain.records import Actor
from bot.domain.rules import zone
from storage.contacts import ensure_workspace
from storage.db import Database
from storage.followups import latest_possible_today, to_follow_up
from storage.models import Contact, Interaction, UserSettings, Workspace

WEEKS_DEFAULT = 4
WEEKS_MAX = 52
STALE_NAMES_PER_OWNER = 3
OVERDUE_FOLLOW_UPS_MAX = 10


def week_starts(now: datetime, weeks: int) -> list[datetime]:
    """Monday 00:00 UTC of each of the last `weeks` weeks, oldest first; the last is this week's."""
    today = now.astimezone(UTC).date()
    monday = datetime(today.year, today.month, today.day, tzinfo=UTC) - timedelta(days=today.weekday())
    return [monday - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]


def team_report(
    db: Database,
    team_id: str,
    now: datetime,
    *,
    weeks: int = WEEKS_DEFAULT,
    follow_ups_max: int = OVERDUE_FOLLOW_UPS_MAX,
) -> TeamReport:
    if not 1 <= weeks <= WEEKS_MAX:
        raise Invalid({"weeks": f"Weeks go from 1 to {WEEKS_MAX}."})
    starts = week_starts(now, weeks)
    # Which week an interaction falls in: the last start at or before it.
    bucket = case(
        *[(Interaction.occurred_at >= start, index) for index, start in reversed(list(enumerate(starts)))],
        else_=-1,
    ).label("week")
    with db.read() as session:
        per_week = session.execute(
            select(Interaction.logged_by, bucket, func.count())
            .where(
                Interaction.team_id == team_id,
                Interaction.deleted_at.is_(None),
                Interaction.occurred_at >= starts[0],
                Interaction.occurred_at <= now,
            )
            .group_by(Interaction.logged_by, bucket)
        ).all()
        stale_where = (Contact.team_id == team_id, Contact.due_at <= now, Contact.archived_at.is_(None))
        rank = (
            func.row_number()
            .over(partition_by=Contact.owner_user_id, order_by=(Contact.due_at, Contact.id))
            .label("rank")
        )
        ranked = select(Contact.owner_user_id, Contact.name, rank).where(*stale_where).subquery()
        names = session.execute(
            select(ranked.c.owner_user_id, ranked.c.name)
            .where(ranked.c.rank <= STALE_NAMES_PER_OWNER)
            .order_by(ranked.c.owner_user_id, ranked.c.rank)
        ).all()
        stale_counts = session.execute(
            select(Contact.owner_user_id, func.count()).where(*stale_where).group_by(Contact.owner_user_id)
        ).all()
        # Follow-ups due somewhere now; each is then measured against its owner's local today.
        candidates = session.execute(
            select(Interaction, Contact.name, UserSettings.tz)
            .join(Contact, Contact.id == Interaction.contact_id)
            .outerjoin(
                UserSettings,
                (UserSettings.team_id == Interaction.team_id)
                & (UserSettings.user_id == Interaction.logged_by),
            )
            .where(
                Interaction.team_id == team_id,
                Interaction.follow_up_due_on < latest_possible_today(now),
                Interaction.deleted_at.is_(None),
                Contact.archived_at.is_(None),
            )
            .order_by(Interaction.follow_up_due_on, Interaction.id)
        ).all()
        workspace = session.get(Workspace, team_id)
        overdue: list[OverdueFollowUp] = []
        for interaction, contact_name, tz in candidates:
            item: FollowUp = to_follow_up(interaction, contact_name)
            today = now.astimezone(zone(tz)).date()
            if item.due_on is not None and item.due_on < today:
                overdue.append(OverdueFollowUp(item, (today - item.due_on).days))
    counts: dict[str, list[int]] = defaultdict(lambda: [0] * weeks)
    for user_id, week, n in per_week:
        if 0 <= week < weeks:
            counts[user_id][week] += n
    people = sorted(
        (PersonWeeks(user_id, tuple(c)) for user_id, c in counts.items()), key=lambda p: (-p.total, p.user_id)
    )
    by_owner: dict[str, list[str]] = defaultdict(list)
    for owner, name in names:
        by_owner[owner].append(name)
    stale = sorted(
        (OwnerStale(owner, n, tuple(by_owner[owner])) for owner, n in stale_counts),
        key=lambda o: (-o.count, o.owner_user_id),
    )
    overdue.sort(key=lambda o: (-o.days_overdue, o.follow_up.interaction_id))
    return TeamReport(
        team_id=team_id,
        generated_at=now,
        week_starts=tuple(start.date() for start in starts),
        people=tuple(people),
        week_totals=tuple(sum(p.counts[i] for p in people) for i in range(weeks)),
        stale_by_owner=tuple(stale),
        stale_total=sum(o.count for o in stale),
        overdue_follow_ups=tuple(overdue[:follow_ups_max]),
        overdue_follow_up_total=len(overdue),
        team_digest_channel=workspace.digest_channel_id if workspace else None,
        team_digest_weekday=workspace.team_digest_weekday if workspace else 0,
    )


def set_team_digest_weekday(db: Database, actor: Actor, weekday: int, *, now: datetime) -> None:
    """The day of the weekly team digest (Monday is 0). Workspace admins only."""
    if not actor.is_admin:
        raise Forbidden("Only a workspace admin can choose the team digest's day.")
    if not 0 <= weekday <= 6:
        raise Invalid({"weekday": "Pick a day of the week."})
    with db.write() as session:
        ensure_workspace(session, actor.team_id, now=now).team_digest_weekday = weekday
