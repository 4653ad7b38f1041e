"""Installations (one per workspace) and OAuth states, in the app's own database.

slack-sdk's SQLAlchemy installation and state stores, on the app's engine, with four
changes, each for a reason:
* token columns are wider (1000) so Fernet-encrypted tokens (about 1.4x + 57 bytes) fit;
* writes go through `Database.write()` (SQLite's writer lock, BEGIN IMMEDIATE);
* tokens are encrypted on the way in and decrypted on the way out (`bot.tokens.TokenCipher`);
* consuming a state is one DELETE, so the same state can't be consumed twice at once.

The tables are created by Alembic (migration 0003), never by `create_tables()`.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import cast

from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.sqlalchemy_utils import normalize_datetime_for_db
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import MetaData, String, Table, and_, delete, desc, func, select, text
from sqlalchemy.orm import Session

from bot.tokens import TokenCipher
from storage.db import Database

logger = logging.getLogger("touchbase.installations")

BOTS_TABLE = "slack_bots"
INSTALLATIONS_TABLE = "slack_installations"
STATES_TABLE = "slack_oauth_states"
TOKEN_COLUMNS = ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token")
TOKEN_COLUMN_LENGTH = 1000
STATE_EXPIRATION_SECONDS = 600


def _widen_tokens(table: Table) -> Table:
    for name in TOKEN_COLUMNS:
        if name in table.c:
            table.c[name].type = String(TOKEN_COLUMN_LENGTH)
    return table


class InstallationStore(SQLAlchemyInstallationStore):
    """slack-sdk's SQLAlchemy installation store on Touchbase's database, tokens encrypted."""

    @classmethod
    def build_installations_table(cls, metadata: MetaData, table_name: str) -> Table:
        return _widen_tokens(super().build_installations_table(metadata, table_name))

    @classmethod
    def build_bots_table(cls, metadata: MetaData, table_name: str) -> Table:
        return _widen_tokens(super().build_bots_table(metadata, table_name))

    def __init__(self, client_id: str, db: Database, cipher: TokenCipher | None = None) -> None:
        super().__init__(client_id=client_id, engine=db.engine, logger=logger)
        self.db = db
        self.cipher = cipher or TokenCipher(None)

    # ------------------------------------------------------------------ reads (decrypt)

    def build_installation_entity(self, row) -> Installation:  # type: ignore[override]
        installation = super().build_installation_entity(row)
        for name in TOKEN_COLUMNS:
            setattr(installation, name, self.cipher.decrypt(getattr(installation, name)))
        return installation

    def build_bot_entity(self, row) -> Bot:  # type: ignore[override]
        bot = super().build_bot_entity(row)
        bot.bot_token = cast(str, self.cipher.decrypt(bot.bot_token))
        bot.bot_refresh_token = self.cipher.decrypt(bot.bot_refresh_token)
        return bot

    # ------------------------------------------------------------------ writes (encrypt)

    def save(self, installation: Installation) -> None:
        with self.db.write() as session:
            self.save_in(session, installation)

    def save_in(self, session: Session, installation: Installation) -> None:
        row = installation.to_dict()
        for name in TOKEN_COLUMNS:
            row[name] = self.cipher.encrypt(row.get(name))
        self._upsert(session, self.installations, row)
        self.save_bot_in(session, installation.to_bot())

    def save_bot(self, bot: Bot) -> None:
        with self.db.write() as session:
            self.save_bot_in(session, bot)

    def save_bot_in(self, session: Session, bot: Bot) -> None:
        row = bot.to_dict()
        row["bot_token"] = self.cipher.encrypt(row.get("bot_token"))
        row["bot_refresh_token"] = self.cipher.encrypt(row.get("bot_refresh_token"))
        self._upsert(session, self.bots, row)

    def _upsert(self, session: Session, table: Table, row: dict) -> None:
        row["client_id"] = self.client_id
        for name in ("installed_at", "bot_token_expires_at", "user_token_expires_at"):
            if name in row:
                row[name] = normalize_datetime_for_db(row.get(name))
        row = {k: v for k, v in row.items() if k in table.c}
        c = table.c
        existing = session.execute(
            select(c.id)
            .where(
                c.client_id == self.client_id,
                c.enterprise_id == row.get("enterprise_id"),
                c.team_id == row.get("team_id"),
                c.installed_at == row.get("installed_at"),
            )
            .limit(1)
        ).scalar()
        if existing is None:
            session.execute(table.insert().values(**row))
        else:
            session.execute(table.update().where(c.id == existing).values(**row))

    def delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        with self.db.write() as session:
            c = self.bots.c
            session.execute(
                delete(self.bots).where(
                    c.client_id == self.client_id, c.enterprise_id == enterprise_id, c.team_id == team_id
                )
            )

    def delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        with self.db.write() as session:
            c = self.installations.c
            conditions = [
                c.client_id == self.client_id,
                c.enterprise_id == enterprise_id,
                c.team_id == team_id,
            ]
            if user_id is not None:
                conditions.append(c.user_id == user_id)
            session.execute(delete(self.installations).where(and_(*conditions)))

    def drop_tokens(self, team_id: str, enterprise_id: str | None = None) -> int:
        """Forget every token of a workspace (uninstall, revocation, purge); returns rows deleted."""
        with self.db.write() as session:
            deleted = 0
            for table in (self.bots, self.installations):
                c = table.c
                result = session.execute(
                    delete(table).where(c.enterprise_id == enterprise_id, c.team_id == team_id)
                )
                deleted += getattr(result, "rowcount", 0) or 0
        return deleted

    def drop_user_tokens(self, team_id: str, user_ids: list[str], enterprise_id: str | None = None) -> None:
        """`tokens_revoked` for user tokens: blank those users' tokens, keep the bot's."""
        if not user_ids:
            return
        with self.db.write() as session:
            c = self.installations.c
            session.execute(
                self.installations.update()
                .where(c.enterprise_id == enterprise_id, c.team_id == team_id, c.user_id.in_(user_ids))
                .values(
                    user_token=None, user_refresh_token=None, user_token_expires_at=None, user_scopes=None
                )
            )

    # ------------------------------------------------------------------ listing and rotation

    def installed_team_ids(self) -> list[str]:
        """Workspaces with a bot token, for the digest job and the rotation job."""
        c = self.bots.c
        with self.db.read() as session:
            rows = session.execute(
                select(c.team_id)
                .where(c.client_id == self.client_id, c.team_id.is_not(None), c.bot_token.is_not(None))
                .distinct()
            )
            return sorted(row[0] for row in rows)

    def teams_expiring_before(self, moment: datetime) -> list[str]:
        c = self.bots.c
        naive = moment.astimezone(UTC).replace(tzinfo=None)
        with self.db.read() as session:
            rows = session.execute(
                select(c.team_id, func.max(c.installed_at))
                .where(
                    c.client_id == self.client_id,
                    c.team_id.is_not(None),
                    c.bot_refresh_token.is_not(None),
                    c.bot_token_expires_at < naive,
                )
                .group_by(c.team_id)
            )
            return sorted(row[0] for row in rows)

    @contextmanager
    def team_lock(self, team_id: str) -> Iterator[Session]:
        """A write transaction holding this workspace's rotation lock until it ends.

        PostgreSQL: a transaction-scoped advisory lock (works through PgBouncer's transaction
        mode too). SQLite: the writer lock BEGIN IMMEDIATE takes, for the whole file.
        """
        with self.db.write() as session:
            if self.db.dialect == "postgresql":
                key = zlib.crc32(f"touchbase-token-rotation:{team_id}".encode())
                session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
            yield session

    def latest_bot_in(self, session: Session, team_id: str, enterprise_id: str | None = None) -> Bot | None:
        c = self.bots.c
        row = (
            session.execute(
                self.bots.select()
                .where(
                    c.client_id == self.client_id,
                    c.enterprise_id == enterprise_id,
                    c.team_id == team_id,
                    c.bot_token.is_not(None),
                )
                .order_by(desc(c.installed_at))
                .limit(1)
            )
            .mappings()
            .first()
        )
        return self.build_bot_entity(row) if row else None

    def replace_bot_tokens_in(self, session: Session, old: Bot, new: Bot) -> None:
        """After a rotation: the same installation rows, the new tokens."""
        expires_at = None
        if new.bot_token_expires_at is not None:  # epoch seconds in slack-sdk's models
            expires_at = datetime.fromtimestamp(new.bot_token_expires_at, UTC).replace(tzinfo=None)
        values = {
            "bot_token": self.cipher.encrypt(new.bot_token),
            "bot_refresh_token": self.cipher.encrypt(new.bot_refresh_token),
            "bot_token_expires_at": expires_at,
        }
        for table in (self.bots, self.installations):
            c = table.c
            session.execute(
                table.update()
                .where(
                    c.client_id == self.client_id,
                    c.enterprise_id == old.enterprise_id,
                    c.team_id == old.team_id,
                )
                .values(**values)
            )


class OAuthStateStore(SQLAlchemyOAuthStateStore):
    """slack-sdk's SQLAlchemy state store on Touchbase's database; a state is consumed once."""

    def __init__(self, db: Database, expiration_seconds: int = STATE_EXPIRATION_SECONDS) -> None:
        super().__init__(expiration_seconds=expiration_seconds, engine=db.engine, logger=logger)
        self.db = db

    def issue(self, *args, **kwargs) -> str:
        from uuid import uuid4

        state = str(uuid4())
        expire_at = datetime.fromtimestamp(datetime.now(UTC).timestamp() + self.expiration_seconds, tz=UTC)
        with self.db.write() as session:
            session.execute(
                self.oauth_states.insert().values(state=state, expire_at=normalize_datetime_for_db(expire_at))
            )
        return state

    def consume(self, state: str) -> bool:
        if not state:
            return False
        now = normalize_datetime_for_db(datetime.now(UTC))
        c = self.oauth_states.c
        with self.db.write() as session:
            # One statement: of two callbacks racing with the same state, one deletes the row.
            deleted = session.execute(delete(self.oauth_states).where(c.state == state, c.expire_at > now))
            consumed = (getattr(deleted, "rowcount", 0) or 0) == 1
            # Expired states are swept on the way.
            session.execute(delete(self.oauth_states).where(c.expire_at <= now))
        return consumed


def oauth_metadata() -> MetaData:
    """The three tables as the stores define them, for migrations and their test."""
    metadata = MetaData()
    InstallationStore.build_installations_table(metadata, INSTALLATIONS_TABLE)
    InstallationStore.build_bots_table(metadata, BOTS_TABLE)
    SQLAlchemyOAuthStateStore.build_oauth_states_table(metadata, STATES_TABLE)
    return metadata
