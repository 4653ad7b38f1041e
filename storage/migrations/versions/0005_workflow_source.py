"""interactions may come from a Workflow Builder step (source 'workflow')

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01

The number leaves room for 0003 and 0004, which other branches add; whichever lands in main
first, this one follows the head it finds there (down_revision below says which).
"""
from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = '0005'
down_revision: Union[str, Sequence[str], None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

OLD = "source IN ('command', 'modal', 'shortcut', 'import')"
NEW = "source IN ('command', 'modal', 'shortcut', 'import', 'workflow')"


def upgrade() -> None:
    # Batch mode: SQLite can't alter a CHECK constraint, so the table is recreated there.
    with op.batch_alter_table('interactions') as batch_op:
        batch_op.drop_constraint(op.f('ck_interactions_source'), type_='check')
        batch_op.create_check_constraint(op.f('ck_interactions_source'), NEW)


def downgrade() -> None:
    # Interactions logged by a workflow step become "modal" ones: nothing saved is lost.
    op.execute("UPDATE interactions SET source = 'modal' WHERE source = 'workflow'")
    with op.batch_alter_table('interactions') as batch_op:
        batch_op.drop_constraint(op.f('ck_interactions_source'), type_='check')
        batch_op.create_check_constraint(op.f('ck_interactions_source'), OLD)
