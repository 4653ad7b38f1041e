"""clean records: date-only interactions, archived and merged contacts, Slack escaping repaired

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01

Schema: `interactions.time_known` (false when only the day is known), `interactions.merged_from_contact_id`,
`contacts.archived_at/archived_by/merged_into_id/merge_undo` and `contacts.first_name_key` (indexed).

Data: text that came through a slash command was stored with Slack's escaping (`&amp;`, `&lt;`,
`&gt;`). It is unescaped once here, but only where it can have come from a command, so that text a
person typed literally in a modal is left alone:
- interactions whose `source` is 'command' (quick logs): summary (commands never set notes);
- contacts: name and company. Contacts have no source column; a contact name typed in a modal that
  literally contains one of those three entities is judged unlikely enough to accept.
Only the three entities are undone (`&amp;` last, so `&amp;lt;` becomes `&lt;`, as Slack meant).
`first_name_key` is computed for every contact (with the name repaired first).
"""

import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _unescape(text: str | None) -> str | None:
    if text is None:
        return None
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _name_key(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


def upgrade() -> None:
    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("time_known", sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column("merged_from_contact_id", sa.Integer(), nullable=True))
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("first_name_key", sa.String(length=200), server_default="", nullable=False))
        batch_op.add_column(sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("archived_by", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("merged_into_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("merge_undo", sa.Text(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_contacts_team_id_first_name_key"), ["team_id", "first_name_key"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_contacts_merged_into_id_contacts"), "contacts", ["merged_into_id"], ["id"]
        )

    bind = op.get_bind()
    contacts = sa.table(
        "contacts",
        sa.column("id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("name_key", sa.String),
        sa.column("first_name_key", sa.String),
        sa.column("company", sa.String),
    )
    for cid, name, company in bind.execute(sa.select(contacts.c.id, contacts.c.name, contacts.c.company)).all():
        fixed_name = _unescape(name) or ""
        key = _name_key(fixed_name)
        bind.execute(
            contacts.update()
            .where(contacts.c.id == cid)
            .values(
                name=fixed_name,
                name_key=key,
                first_name_key=key.split(" ", 1)[0] if key else "",
                company=_unescape(company),
            )
        )
    interactions = sa.table(
        "interactions", sa.column("id", sa.Integer), sa.column("summary", sa.String), sa.column("source", sa.String)
    )
    escaped = sa.or_(
        interactions.c.summary.like("%&amp;%"),
        interactions.c.summary.like("%&lt;%"),
        interactions.c.summary.like("%&gt;%"),
    )
    rows = bind.execute(
        sa.select(interactions.c.id, interactions.c.summary).where(interactions.c.source == "command", escaped)
    ).all()
    for iid, summary in rows:
        bind.execute(interactions.update().where(interactions.c.id == iid).values(summary=_unescape(summary)))


def downgrade() -> None:
    # The repaired text stays repaired: escaping it again would only bring the bug back.
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_contacts_merged_into_id_contacts"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_contacts_team_id_first_name_key"))
        batch_op.drop_column("merge_undo")
        batch_op.drop_column("merged_into_id")
        batch_op.drop_column("archived_by")
        batch_op.drop_column("archived_at")
        batch_op.drop_column("first_name_key")
    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.drop_column("merged_from_contact_id")
        batch_op.drop_column("time_known")
