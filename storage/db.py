"""Engines and transactions.

`Database` is the session factory every layer receives. Reads and writes go through
different doors because SQLite needs `BEGIN IMMEDIATE` for writers: a deferred
transaction that reads and then writes fails at once with "database is locked" when
another writer committed in between, whatever the busy timeout.
"""

from __future__ import annotations

import logging
import select
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.pool import QueuePool

from bot.domain.errors import Busy

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

logger = logging.getLogger("touchbase.db")

SQLITE_BUSY_TIMEOUT_SECONDS = 30
# Serving a request, a writer waits this long for another process's SQLite lock, then "busy":
# inside Slack's 3 s to acknowledge (CLI jobs keep the patient default above).
SERVING_LOCK_WAIT_SECONDS = 1.5
# How long /healthz waits to take the write lock before it says writes can't succeed.
PROBE_LOCK_WAIT_SECONDS = 0.5
UNREACHABLE_MESSAGE = "Touchbase can't reach its database right now, try again in a moment."
# Per engine pool: the SQLite lock wait when it was shortened (serving), in seconds.
_LOCK_WAITS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
# How long a request waits for a free pooled connection before it is told "busy" when
# serving: well inside Slack's 3 s to acknowledge, so a starved request still gets an answer.
SERVING_POOL_TIMEOUT_SECONDS = 2.0
# Library callers (CLI jobs, tests, benchmarks) keep SQLAlchemy's patient default.
DEFAULT_POOL_TIMEOUT_SECONDS = 30.0
DEFAULT_POOL_SIZE = 10
# PostgreSQL: a pooled connection is replaced after this long (see `_drop_closed_connections`).
POOL_RECYCLE_SECONDS = 1800


class Database:
    """Engines and sessions for one process.

    `pool_size` should cover every thread of the process that can hold a connection at once
    (see `bot.workers.pool_size_for`); `max_overflow` adds a few for bursts (default: a
    pool size again, as before). `pgbouncer=True` turns psycopg 3's server-side prepared
    statements off, which PgBouncer in transaction pooling mode can't carry.
    """

    def __init__(
        self,
        url: str,
        *,
        echo: bool = False,
        pool_size: int = DEFAULT_POOL_SIZE,
        max_overflow: int | None = None,
        pool_timeout: float = DEFAULT_POOL_TIMEOUT_SECONDS,
        pgbouncer: bool = False,
    ) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self.pool_size = max(1, pool_size)
        self.max_overflow = max(0, self.pool_size if max_overflow is None else max_overflow)
        self.pool_timeout = pool_timeout
        in_memory = self.is_sqlite and (url in ("sqlite://", "sqlite:///:memory:") or "mode=memory" in url)
        pooling = {}
        if not in_memory:
            pooling = {
                "poolclass": QueuePool,
                "pool_size": self.pool_size,
                "max_overflow": self.max_overflow,
                "pool_timeout": pool_timeout,
            }
        if self.is_sqlite:
            self.engine = create_engine(
                url,
                echo=echo,
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
                **pooling,
            )
            _configure_sqlite(self.engine)
        else:
            connect_args = {"prepare_threshold": None} if pgbouncer else {}
            # No pre-ping (a round trip per checkout): a pooled connection the server closed is
            # found by a look at its socket instead (`_drop_closed_connections`), and none is
            # kept longer than POOL_RECYCLE_SECONDS (idle timeouts of proxies and firewalls).
            self.engine = create_engine(
                url,
                echo=echo,
                pool_recycle=POOL_RECYCLE_SECONDS,
                connect_args=connect_args,
                **pooling,
            )
            _drop_closed_connections(self.engine)
        self._sqlite_write_lock = threading.Lock()
        self._joined = threading.local()  # the read session `snapshot()` shares, per thread
        _answer_busy(self.engine)

    # The session factories are made on first use: the ORM is a large import that a serving
    # process's start-up (and /healthz, which uses the engine alone) doesn't need.
    @cached_property
    def _reader(self) -> sessionmaker[Session]:
        from sqlalchemy.orm import sessionmaker

        return sessionmaker(self.engine, expire_on_commit=False)

    @cached_property
    def _writer(self) -> sessionmaker[Session]:
        from sqlalchemy.orm import sessionmaker

        return sessionmaker(self.engine.execution_options(touchbase_write=True), expire_on_commit=False)

    def limit_lock_wait(self, seconds: float = SERVING_LOCK_WAIT_SECONDS) -> None:
        """Serving: wait at most `seconds` for a lock (SQLite), then raise Busy."""
        _LOCK_WAITS[self.engine.pool] = seconds

    @contextmanager
    def _write_turn(self) -> Iterator[None]:
        """This process's turn to write to SQLite (bounded when serving)."""
        wait = _LOCK_WAITS.get(self.engine.pool)
        if not self._sqlite_write_lock.acquire(timeout=-1 if wait is None else wait):
            raise Busy()
        try:
            yield
        finally:
            self._sqlite_write_lock.release()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def read(self) -> Iterator[Session]:
        """One read transaction; inside `snapshot()` (same thread), the snapshot's own."""
        joined = getattr(self._joined, "session", None)
        if joined is not None:
            yield joined
            return
        try:
            with self._reader.begin() as session:
                yield session
        except PoolTimeout as error:
            raise self._busy(error) from error

    def joined_session(self) -> Session | None:
        """The session of this thread's `snapshot()`, if one is open."""
        return getattr(self._joined, "session", None)

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Reads in this block (this thread) share one read transaction: one connection, one
        BEGIN/COMMIT, one consistent view, instead of one transaction per storage call.

        For runs of reads only: a `write()` inside is its own transaction, whose change the
        snapshot's later reads may not see (SQLite keeps the snapshot's start), so use cases
        end the snapshot before they write. Nested snapshots join the outer one.
        """
        if getattr(self._joined, "session", None) is not None:
            yield
            return
        with self.read() as session:
            self._joined.session = session
            try:
                yield
            finally:
                self._joined.session = None

    def _busy(self, error: PoolTimeout) -> Busy:
        logger.warning(
            "database busy: no free connection within %.1fs (pool %d + overflow %d); request refused",
            self.pool_timeout,
            self.pool_size,
            self.max_overflow,
        )
        return Busy()

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction that will write: commits on success, rolls back on error."""
        if self.is_sqlite:
            # SQLite has one writer at a time. Threads of this process queue here, in order,
            # instead of polling the file lock (its busy handler backs off up to 100 ms a try,
            # which under load turned 50 ms writes into 2 s waits). Other processes still
            # meet the busy timeout.
            try:
                with self._write_turn(), self._writer.begin() as session:
                    yield session
            except PoolTimeout as error:
                raise self._busy(error) from error
            return
        try:
            with self._writer.begin() as session:
                yield session
        except PoolTimeout as error:
            raise self._busy(error) from error

    def ping(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    def can_write(self) -> bool:
        """Whether a write could start now: takes the write lock (SQLite) or checks the server
        accepts writes (PostgreSQL), then rolls back. Cheap: nothing is written."""
        try:
            if self.is_sqlite:
                probe = self.engine.execution_options(touchbase_write=True, touchbase_probe=True)
                with probe.connect() as conn:
                    conn.exec_driver_sql("SELECT 1")
                    conn.rollback()
                return True
            with self.engine.connect() as conn:
                conn.exec_driver_sql("SET LOCAL statement_timeout = 1000")
                read_only = conn.exec_driver_sql("SHOW transaction_read_only").scalar()
                conn.rollback()
            return read_only == "off"
        except Exception:
            return False

    def dispose(self) -> None:
        self.engine.dispose()


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        # Take transaction control away from the sqlite3 module (it would not BEGIN before
        # SELECTs) so the "begin" hook below decides how each transaction starts.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_SECONDS * 1000}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(conn):
        options = conn.get_execution_options()
        immediate = options.get("touchbase_write", False)
        wait = PROBE_LOCK_WAIT_SECONDS if options.get("touchbase_probe") else _LOCK_WAITS.get(engine.pool)
        # The connection may come back from a probe or a CLI job: its wait is set every time.
        seconds = SQLITE_BUSY_TIMEOUT_SECONDS if wait is None else wait
        milliseconds = int(seconds * 1000)
        # The connection remembers the wait last set on it: a statement only when it changes.
        if conn.info.get(_BUSY_TIMEOUT_KEY) != milliseconds:
            conn.exec_driver_sql(f"PRAGMA busy_timeout={milliseconds}")
            conn.info[_BUSY_TIMEOUT_KEY] = milliseconds
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


_BUSY_TIMEOUT_KEY = "touchbase_busy_timeout_ms"


def _drop_closed_connections(engine: Engine) -> None:
    """A pooled PostgreSQL connection the server has closed is replaced before it is used.

    An idle connection has nothing to read; one the server ended (a restart, an administrator's
    `pg_terminate_backend`, an idle timeout) has its goodbye or end-of-file waiting on the
    socket. One non-blocking look at the socket at checkout finds it without a round trip
    (what `pool_pre_ping` pays on every checkout); the pool then opens a fresh connection.
    A connection lost silently (no packet ever arrives) fails at its first statement, and
    SQLAlchemy then drops every pooled connection older than the failure.
    """

    @event.listens_for(engine, "checkout")
    def on_checkout(dbapi_connection, _record, _proxy):
        if _closed_by_server(dbapi_connection):
            raise DisconnectionError("the server closed this pooled connection")


def _closed_by_server(dbapi_connection) -> bool:
    if getattr(dbapi_connection, "closed", False):
        return True
    try:
        fileno = dbapi_connection.pgconn.socket
    except Exception:  # not psycopg, or no socket any more
        return bool(getattr(dbapi_connection, "broken", False))
    try:
        readable, _, failed = select.select([fileno], [], [fileno], 0)
    except (OSError, ValueError):
        return True
    return bool(readable or failed)


def _answer_busy(engine: Engine) -> None:
    """A locked SQLite file or an unreachable server is "busy, try again", not an internal error."""

    @event.listens_for(engine, "handle_error")
    def on_error(context):
        if context.is_pre_ping or not isinstance(context.sqlalchemy_exception, OperationalError):
            return None
        message = str(context.original_exception).lower()
        if "locked" in message or "busy" in message:
            return Busy()
        if context.is_disconnect or context.connection is None or "connect" in message:
            return Busy(UNREACHABLE_MESSAGE)
        return None
