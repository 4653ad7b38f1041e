"""Typed SQLAlchemy models. Every row belongs to one Slack workspace (`team_id`)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    event,
    text,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bot.domain.rules import CONTACT_TYPES, DEFAULT_CADENCE_DAYS, INTERACTION_TYPES, SOURCES  # noqa: F401
from bot.domain.search import search_document

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in and out, on SQLite (no time zones) and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def result_processor(self, dialect, coltype):
        """`process_result_value` after the driver type's own processing, as one function: a page
        reads five of these per row, and TypeDecorator's default nests three Python calls a value."""
        parse = self.impl_instance.result_processor(dialect, coltype)

        if parse is None:

            def process(value):
                if value is None:
                    return None
                return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

            return process

        def process_parsed(value):
            if value is None:
                return None
            value = parse(value)
            if value is None:
                return None
            return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

        return process_parsed


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Workspace(Base):
    __tablename__ = "workspaces"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    default_cadence_days: Mapped[int] = mapped_column(Integer, default=DEFAULT_CADENCE_DAYS)
    # Channel for the optional weekly team digest.
    digest_channel_id: Mapped[str | None] = mapped_column(String(32))
    # Weekday of the weekly team digest (Monday is 0).
    team_digest_weekday: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Contact(Base):
    __tablename__ = "contacts"
    __table_args__ = (
        UniqueConstraint("team_id", "email"),
        UniqueConstraint("team_id", "slack_user_id"),
        Index(None, "team_id", "name_key"),
        # "A first name that exactly one contact has": an indexed probe on the first word.
        Index(None, "team_id", "first_name_key"),
        # Stale contacts of one owner, most overdue first: live ones only, so their count reads
        # the index alone (migration 0013).
        Index(
            None,
            "team_id",
            "owner_user_id",
            "due_at",
            sqlite_where=text("archived_at IS NULL"),
            postgresql_where=text("archived_at IS NULL"),
        ),
        CheckConstraint("cadence_days IS NULL OR cadence_days BETWEEN 1 AND 3650", name="cadence_days"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), ForeignKey("workspaces.team_id"))
    name: Mapped[str] = mapped_column(String(200))
    # Case- and accent-folded name, what searches compare against.
    name_key: Mapped[str] = mapped_column(String(200))
    # The first word of name_key ("jane" for "Jane Doe").
    first_name_key: Mapped[str] = mapped_column(String(200), server_default="")
    email: Mapped[str | None] = mapped_column(String(254))
    company: Mapped[str | None] = mapped_column(String(200))
    slack_user_id: Mapped[str | None] = mapped_column(String(32))
    owner_user_id: Mapped[str] = mapped_column(String(32))
    cadence_days: Mapped[int | None] = mapped_column(Integer)
    snoozed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_contacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When a touch becomes due: max(last contact or creation + cadence, snooze end).
    # Kept by storage.contacts.refresh_due_at so "stale" is one indexed range scan.
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Archived (or merged into another): kept with its interactions, gone from pickers and digests.
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    archived_by: Mapped[str | None] = mapped_column(String(32))
    # Merged into that contact; `merge_undo` keeps what the merge changed on it (JSON), for undo.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    merge_undo: Mapped[str | None] = mapped_column(Text)


class Interaction(Base):
    __tablename__ = "interactions"
    __table_args__ = (
        # Retried submissions carry the same source reference and must save once.
        UniqueConstraint("team_id", "source_ref"),
        Index(None, "contact_id", "occurred_at", "id"),
        Index(None, "team_id", "occurred_at", "id"),
        Index(None, "team_id", "logged_by", "occurred_at", "id"),
        # Open follow-ups of one person, soonest first: "due" is one range scan.
        Index(None, "team_id", "logged_by", "follow_up_due_on"),
        CheckConstraint("type IN ('call', 'email', 'meeting', 'message', 'note', 'other')", name="type"),
        CheckConstraint("source IN ('command', 'modal', 'shortcut', 'import', 'workflow')", name="source"),
        CheckConstraint("duration_minutes IS NULL OR duration_minutes BETWEEN 0 AND 1440", name="duration"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), ForeignKey("workspaces.team_id"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"))
    type: Mapped[str] = mapped_column(String(16))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # False when only the day is known: occurred_at is then the start of that day where it was logged.
    time_known: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(String(300))
    notes: Mapped[str | None] = mapped_column(Text)
    logged_by: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(16))
    source_ref: Mapped[str | None] = mapped_column(String(255))
    permalink: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(32))
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_by: Mapped[str | None] = mapped_column(String(32))
    # Moved here by a merge from that contact (undoing the merge moves it back).
    merged_from_contact_id: Mapped[int | None] = mapped_column(Integer)
    # A follow-up (a plan, never a contact): the day it was set for, local to its author; the day it
    # is due now (the snooze, if any; NULL once done or when there is none); who closed it and when.
    follow_up_on: Mapped[date | None] = mapped_column(Date)
    follow_up_due_on: Mapped[date | None] = mapped_column(Date)
    follow_up_done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    follow_up_done_by: Mapped[str | None] = mapped_column(String(32))
    # Summary and notes folded to words (bot.domain.search): what full-text search indexes.
    # Kept by the hook below on every ORM write; the migration filled it for older rows.
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")


@event.listens_for(Interaction, "before_insert")
@event.listens_for(Interaction, "before_update")
def _keep_search_text(mapper, connection, interaction: Interaction) -> None:
    interaction.search_text = search_document(interaction.summary or "", interaction.notes)


class InteractionContact(Base):
    """One attendee of an interaction (the first by `position` is `Interaction.contact_id`).

    `occurred_at` repeats the interaction's (storage keeps it in step), so "a contact's
    interactions newest first" and its last contact are walks of one index.
    """

    __tablename__ = "interaction_contacts"
    __table_args__ = (
        Index(None, "contact_id", "occurred_at", "interaction_id"),
        Index(None, "team_id", "contact_id"),
    )

    interaction_id: Mapped[int] = mapped_column(
        ForeignKey("interactions.id", ondelete="CASCADE"), primary_key=True
    )
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), ForeignKey("workspaces.team_id"))
    position: Mapped[int] = mapped_column(Integer)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Moved here by a merge from that contact (undoing the merge moves it back).
    merged_from_contact_id: Mapped[int | None] = mapped_column(Integer)


class UserSettings(Base):
    """A person's digest preferences, and what the scheduler must know without asking Slack."""

    __tablename__ = "user_settings"

    team_id: Mapped[str] = mapped_column(String(32), ForeignKey("workspaces.team_id"), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    digest_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    digest_time: Mapped[str] = mapped_column(String(5), default="09:00")  # local HH:MM
    digest_weekdays: Mapped[str] = mapped_column(String(13), default="0,1,2,3,4")  # Monday is 0
    # The user's Slack time zone as last seen (users.info), so the scheduler needn't call Slack.
    tz: Mapped[str | None] = mapped_column(String(64))
    dm_channel_id: Mapped[str | None] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DigestDelivery(Base):
    """One digest for one user and local day: the unique row is the claim that makes it once."""

    __tablename__ = "digest_deliveries"
    __table_args__ = (
        UniqueConstraint("team_id", "user_id", "local_date"),
        Index(None, "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), ForeignKey("workspaces.team_id"))
    user_id: Mapped[str] = mapped_column(String(32))
    local_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))  # claimed, sent, failed, skipped
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    contact_count: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(String(200))
    # Where the digest was posted, so a change made elsewhere (App Home) can update it in place.
    channel_id: Mapped[str | None] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))


class TimelineThread(Base):
    """A /timeline thread in a channel, kept live as the contact's interactions change."""

    __tablename__ = "timeline_threads"
    __table_args__ = (Index(None, "team_id", "contact_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), ForeignKey("workspaces.team_id"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"))
    channel_id: Mapped[str] = mapped_column(String(32))
    thread_ts: Mapped[str] = mapped_column(String(32))
    # Months are grouped in the time zone of whoever started the thread.
    tz: Mapped[str] = mapped_column(String(64), default="UTC")
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TimelineReply(Base):
    """One month's reply in a timeline thread."""

    __tablename__ = "timeline_replies"
    __table_args__ = (UniqueConstraint("thread_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("timeline_threads.id", ondelete="CASCADE"))
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM in the thread's time zone
    message_ts: Mapped[str] = mapped_column(String(32))


class PendingNote(Base):
    """A confirmation Slack wouldn't take (every path failed): said on the user's next request."""

    __tablename__ = "pending_notes"

    team_id: Mapped[str] = mapped_column(String(32), ForeignKey("workspaces.team_id"), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    text: Mapped[str] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RequestKey(Base):
    """A one-time key seen lately (a slash command's trigger id, a modal's "log again?" question).

    Shared by every process: a replay or a second Save reaching another worker is still known.
    """

    __tablename__ = "request_keys"
    __table_args__ = (Index(None, "expires_at"),)

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class InteractionHistory(Base):
    """One change to an interaction: who, when, and each changed field's old and new value.

    Written in the transaction of the change it records; never changed afterwards. Rows stay when
    their interaction is deleted (interactions are soft-deleted) and go with a workspace purge.
    """

    __tablename__ = "interaction_history"
    __table_args__ = (Index(None, "team_id", "interaction_id", "at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), ForeignKey("workspaces.team_id"))
    interaction_id: Mapped[int] = mapped_column(ForeignKey("interactions.id"))
    # created, edited, deleted, restored, merged, unmerged (storage.history.ACTIONS)
    action: Mapped[str] = mapped_column(String(32))
    actor_user_id: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    # JSON {field: [old, new]}, raw values (times ISO-8601 UTC, contacts with their names then).
    changes: Mapped[str] = mapped_column(Text, default="{}")
