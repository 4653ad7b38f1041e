"""follow-ups on interactions, the weekday of the weekly team digest, where each digest was posted

Revision ID: 0010
Revises: 0012
Create Date: 2026-12-01

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
# The head of main when this was written; chained after whichever migration lands before it.
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("interactions") as batch:
        batch.add_column(sa.Column("follow_up_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("follow_up_due_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("follow_up_done_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("follow_up_done_by", sa.String(length=32), nullable=True))
        batch.create_index(
            "ix_interactions_team_id_logged_by_follow_up_due_on",
            ["team_id", "logged_by", "follow_up_due_on"],
            unique=False,
        )
    with op.batch_alter_table("workspaces") as batch:
        batch.add_column(sa.Column("team_digest_weekday", sa.Integer(), server_default="0", nullable=False))
    with op.batch_alter_table("digest_deliveries") as batch:
        batch.add_column(sa.Column("channel_id", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("message_ts", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("digest_deliveries") as batch:
        batch.drop_column("message_ts")
        batch.drop_column("channel_id")
    with op.batch_alter_table("workspaces") as batch:
        batch.drop_column("team_digest_weekday")
    with op.batch_alter_table("interactions") as batch:
        batch.drop_index("ix_interactions_team_id_logged_by_follow_up_due_on")
        batch.drop_column("follow_up_done_by")
        batch.drop_column("follow_up_done_at")
        batch.drop_column("follow_up_due_on")
        batch.drop_column("follow_up_on")
