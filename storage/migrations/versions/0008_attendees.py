"""attendees: several contacts per interaction (interaction_contacts)

Every existing interaction's contact becomes its first attendee. Downgrading keeps the first
attendee (`interactions.contact_id` already holds it) and drops the others.

Revision ID: 0008
Revises: 0012
Create Date: 2026-12-01

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
# Follows whichever migration was main's head when this merged (0012: request keys).
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "interaction_contacts",
        sa.Column("interaction_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("merged_from_contact_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_interaction_contacts_contact_id_contacts")
        ),
        sa.ForeignKeyConstraint(
            ["interaction_id"],
            ["interactions.id"],
            name=op.f("fk_interaction_contacts_interaction_id_interactions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["workspaces.team_id"], name=op.f("fk_interaction_contacts_team_id_workspaces")
        ),
        sa.PrimaryKeyConstraint("interaction_id", "contact_id", name=op.f("pk_interaction_contacts")),
    )
    # Every interaction so far had one contact: it becomes the first attendee, with what a
    # merge recorded on the interaction (so undoing an earlier merge still moves it back).
    op.execute(
        "INSERT INTO interaction_contacts"
        " (interaction_id, contact_id, team_id, position, occurred_at, merged_from_contact_id)"
        " SELECT id, contact_id, team_id, 0, occurred_at, merged_from_contact_id FROM interactions"
    )
    op.create_index(
        op.f("ix_interaction_contacts_contact_id_occurred_at_interaction_id"),
        "interaction_contacts",
        ["contact_id", "occurred_at", "interaction_id"],
    )
    op.create_index(
        op.f("ix_interaction_contacts_team_id_contact_id"), "interaction_contacts", ["team_id", "contact_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_interaction_contacts_team_id_contact_id"), table_name="interaction_contacts")
    op.drop_index(
        op.f("ix_interaction_contacts_contact_id_occurred_at_interaction_id"), table_name="interaction_contacts"
    )
    op.drop_table("interaction_contacts")
