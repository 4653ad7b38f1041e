"""request keys: one-time keys (command trigger ids, "log again?" questions) shared by every process

Revision ID: 0012
Revises: 0007
Create Date: 2026-12-01

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
# Kept last in the chain: re-pointed after whichever migration lands before it.
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "request_keys",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "key", name=op.f("pk_request_keys")),
    )
    op.create_index(op.f("ix_request_keys_expires_at"), "request_keys", ["expires_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_request_keys_expires_at"), table_name="request_keys")
    op.drop_table("request_keys")
