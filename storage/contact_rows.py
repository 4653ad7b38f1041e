"""Contacts as prebuilt Core statements and plain rows: the hot reads (a card, a typed name).

No ORM entity and no statement built per call: `record_of_row` makes the same ContactRecord
`storage.contacts.to_record` makes of an entity, the workspace's cadence read in the same row.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select

from bot.domain.records import ContactRecord
from storage.models import Contact, Workspace
from storage.reads import CONTACT_RECORD_COLUMNS, contact_record

_CONTACTS = Contact.__table__
_WORKSPACES = Workspace.__table__
# A contact's record columns and its workspace's cadence (None: no workspace row yet) in one
# prebuilt Core statement: no ORM entity, no statement built per call (the card asks on every show).
CONTACT_WITH_CADENCE = (
    select(*CONTACT_RECORD_COLUMNS, _WORKSPACES.c.default_cadence_days)
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
    return contact_record(row, row[len(CONTACT_RECORD_COLUMNS)])
