"""Contacts as prebuilt Core statements and plain rows: the hot reads (a card, a typed name).

No ORM entity and no statement built per call: `record_of_row` makes the same ContactRecord
`storage.contacts.to_record` makes of an entity, the workspace's cadence read in the same row.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select

from bot.domain.records import ContactRecord
from storage.models import DEFAULT_CADENCE_DAYS, Contact, Workspace

_CONTACTS = Contact.__table__
_WORKSPACES = Workspace.__table__
# A contact's row and its workspace's cadence in one prebuilt Core statement: no ORM entity,
# no statement built per call (the card asks on every show).
CONTACT_WITH_CADENCE = (
    select(
        *_CONTACTS.c,
        _WORKSPACES.c.team_id.label("workspace_team_id"),
        _WORKSPACES.c.default_cadence_days.label("workspace_cadence_days"),
    )
    .select_from(_CONTACTS.outerjoin(_WORKSPACES, _WORKSPACES.c.team_id == _CONTACTS.c.team_id))
    .where(_CONTACTS.c.team_id == bindparam("team_id"))
)
GET_CONTACT = CONTACT_WITH_CADENCE.where(_CONTACTS.c.id == bindparam("contact_id"))
NAMED = CONTACT_WITH_CADENCE.where(
    _CONTACTS.c.archived_at.is_(None), _CONTACTS.c.name_key == bindparam("name_key")
).limit(2)
CONTACTS_MERGED_INTO = CONTACT_WITH_CADENCE.where(
    _CONTACTS.c.merged_into_id == bindparam("contact_id")
).order_by(_CONTACTS.c.id)


def record_of_row(row: Any) -> ContactRecord:
    """The record of a `CONTACT_WITH_CADENCE` row (as `to_record` makes it of an entity)."""
    default = row.workspace_cadence_days if row.workspace_team_id is not None else DEFAULT_CADENCE_DAYS
    return ContactRecord(
        id=row.id,
        team_id=row.team_id,
        name=row.name,
        email=row.email,
        company=row.company,
        slack_user_id=row.slack_user_id,
        owner_user_id=row.owner_user_id,
        cadence_days=row.cadence_days,
        effective_cadence_days=row.cadence_days or default,
        snoozed_until=row.snoozed_until,
        last_contacted_at=row.last_contacted_at,
        due_at=row.due_at,
        created_by=row.created_by,
        created_at=row.created_at,
        updated_at=row.updated_at,
        archived_at=row.archived_at,
        merged_into_id=row.merged_into_id,
    )
