"""stale contacts: the (team_id, owner_user_id, due_at) index holds live contacts only

A stale-contacts count filters `archived_at IS NULL`, which the full index can't answer: every
entry cost a table row (10,000 for a big owner). As a partial index it is read alone.

Revision ID: 0013
Revises: 0009
Create Date: 2026-12-01

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "ix_contacts_team_id_owner_user_id_due_at"
COLUMNS = ["team_id", "owner_user_id", "due_at"]
LIVE = sa.text("archived_at IS NULL")


def upgrade() -> None:
    op.drop_index(NAME, table_name="contacts")
    op.create_index(NAME, "contacts", COLUMNS, sqlite_where=LIVE, postgresql_where=LIVE)


def downgrade() -> None:
    op.drop_index(NAME, table_name="contacts")
    op.create_index(NAME, "contacts", COLUMNS)
