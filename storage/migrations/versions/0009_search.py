"""search: full-text search of interactions, indexed typo search of contact names

Revision ID: 0009
Revises: 0011
Create Date: 2026-12-01

`interactions.search_text`: summary and notes folded (case, accents, compatibility forms; the
folding contact names use) and reduced to words. Storage keeps it (an ORM hook on every write);
here it is computed for the rows already there. What indexes it:
- SQLite: `interaction_search`, an FTS5 table over it (external content, rowid = interaction id,
  prefix indexes for 2 to 6 letters), kept in step by triggers; deleted rows leave the index.
- PostgreSQL: `interactions.search_vector`, GENERATED ALWAYS AS to_tsvector('simple', search_text)
  STORED, with a GIN index. 'simple' (no stemming, no stop words): the team writes in several
  languages, and the folding is already done on the stored copy (unaccent is not IMMUTABLE).
Contact names (typo search): PostgreSQL `pg_trgm` and a GIN trigram index on `contacts.name_key`;
SQLite an FTS5 trigram table `contact_name_search` over name_key, kept by triggers.
"""

import re
import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WORD = re.compile(r"[^\W_]+")
BATCH = 5000


def _search_document(summary: str, notes: str | None) -> str:
    text = unicodedata.normalize("NFKD", f"{summary}\n{notes or ''}")
    folded = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return " ".join(_WORD.findall(folded))


SQLITE_UP = [
    "CREATE VIRTUAL TABLE interaction_search USING fts5(search_text, content='interactions', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='2 3 4 5 6')",
    "INSERT INTO interaction_search(rowid, search_text) "
    "SELECT id, search_text FROM interactions WHERE deleted_at IS NULL",
    """CREATE TRIGGER interactions_search_insert AFTER INSERT ON interactions
       WHEN new.deleted_at IS NULL BEGIN
         INSERT INTO interaction_search(rowid, search_text) VALUES (new.id, new.search_text);
       END""",
    """CREATE TRIGGER interactions_search_update AFTER UPDATE OF search_text, deleted_at ON interactions
       BEGIN
         INSERT INTO interaction_search(interaction_search, rowid, search_text)
           SELECT 'delete', old.id, old.search_text WHERE old.deleted_at IS NULL;
         INSERT INTO interaction_search(rowid, search_text)
           SELECT new.id, new.search_text WHERE new.deleted_at IS NULL;
       END""",
    """CREATE TRIGGER interactions_search_delete AFTER DELETE ON interactions
       WHEN old.deleted_at IS NULL BEGIN
         INSERT INTO interaction_search(interaction_search, rowid, search_text)
           VALUES ('delete', old.id, old.search_text);
       END""",
    "CREATE VIRTUAL TABLE contact_name_search USING fts5(name_key, content='contacts', "
    "content_rowid='id', tokenize='trigram')",
    "INSERT INTO contact_name_search(contact_name_search) VALUES ('rebuild')",
    """CREATE TRIGGER contacts_name_search_insert AFTER INSERT ON contacts BEGIN
         INSERT INTO contact_name_search(rowid, name_key) VALUES (new.id, new.name_key);
       END""",
    """CREATE TRIGGER contacts_name_search_update AFTER UPDATE OF name_key ON contacts BEGIN
         INSERT INTO contact_name_search(contact_name_search, rowid, name_key)
           VALUES ('delete', old.id, old.name_key);
         INSERT INTO contact_name_search(rowid, name_key) VALUES (new.id, new.name_key);
       END""",
    """CREATE TRIGGER contacts_name_search_delete AFTER DELETE ON contacts BEGIN
         INSERT INTO contact_name_search(contact_name_search, rowid, name_key)
           VALUES ('delete', old.id, old.name_key);
       END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS contacts_name_search_delete",
    "DROP TRIGGER IF EXISTS contacts_name_search_update",
    "DROP TRIGGER IF EXISTS contacts_name_search_insert",
    "DROP TABLE IF EXISTS contact_name_search",
    "DROP TRIGGER IF EXISTS interactions_search_delete",
    "DROP TRIGGER IF EXISTS interactions_search_update",
    "DROP TRIGGER IF EXISTS interactions_search_insert",
    "DROP TABLE IF EXISTS interaction_search",
]
POSTGRES_UP = [
    "ALTER TABLE interactions ADD COLUMN search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_text)) STORED",
    "CREATE INDEX ix_interactions_search_vector ON interactions USING gin (search_vector)",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX ix_contacts_name_key_trgm ON contacts USING gin (name_key gin_trgm_ops)",
]
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS ix_contacts_name_key_trgm",
    "DROP INDEX IF EXISTS ix_interactions_search_vector",
    "ALTER TABLE interactions DROP COLUMN IF EXISTS search_vector",
]


def _fill_search_text(bind: sa.engine.Connection) -> None:
    """search_text for the rows already there, in id order, a batch at a time."""
    interactions = sa.table(
        "interactions",
        sa.column("id", sa.Integer),
        sa.column("summary", sa.String),
        sa.column("notes", sa.Text),
        sa.column("search_text", sa.Text),
    )
    statement = (
        sa.update(interactions)
        .where(interactions.c.id == sa.bindparam("row_id"))
        .values(search_text=sa.bindparam("document"))
    )
    last = 0
    while True:
        rows = bind.execute(
            sa.select(interactions.c.id, interactions.c.summary, interactions.c.notes)
            .where(interactions.c.id > last)
            .order_by(interactions.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        updates = [{"row_id": i, "document": _search_document(s, n)} for i, s, n in rows]
        updates = [u for u in updates if u["document"]]
        if updates:
            bind.execute(statement, updates)
        last = rows[-1][0]


def upgrade() -> None:
    bind = op.get_bind()
    op.add_column("interactions", sa.Column("search_text", sa.Text(), server_default="", nullable=False))
    _fill_search_text(bind)
    for statement in SQLITE_UP if bind.dialect.name == "sqlite" else POSTGRES_UP:
        op.execute(statement)


def downgrade() -> None:
    bind = op.get_bind()
    for statement in SQLITE_DOWN if bind.dialect.name == "sqlite" else POSTGRES_DOWN:
        op.execute(statement)
    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.drop_column("search_text")
