"""interaction history: who changed what in an interaction, and when

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
# The head of main when this was written; chained after whichever migration lands before it.
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "interaction_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("interaction_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("actor_user_id", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changes", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["interaction_id"],
            ["interactions.id"],
            name=op.f("fk_interaction_history_interaction_id_interactions"),
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["workspaces.team_id"], name=op.f("fk_interaction_history_team_id_workspaces")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interaction_history")),
    )
    op.create_index(
        op.f("ix_interaction_history_team_id_interaction_id_at_id"),
        "interaction_history",
        ["team_id", "interaction_id", "at", "id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_interaction_history_team_id_interaction_id_at_id"), table_name="interaction_history"
    )
    op.drop_table("interaction_history")
