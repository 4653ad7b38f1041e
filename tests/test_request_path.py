"""The request path's cheaper ways give the answers the plain ways gave (issue 19, CPU per request).

* the quick-log parser's name probes, one query for every phrase (`known_names`), answer as
  `has_contact_named(p) or has_unique_first_name(p)` did phrase by phrase;
* a `/log` asks the database a bounded number of statements, its reads in one transaction;
* `Database.snapshot()` shares one read transaction, and writes stay their own;
* the ASCII fast path of `name_key`, the regex of `has_control_chars` and the loop of
  `holds_nul` decide exactly as the per-character versions;
* on PostgreSQL, a pooled connection the server ended is replaced without a pre-ping.
"""

from __future__ import annotations

import contextlib
import time
import unicodedata
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, text

from bot.domain.boundary import MAX_DEPTH, has_control_chars, holds_nul
from bot.domain.names import candidate_phrases
from bot.domain.quicklog import parse_quick_log
from bot.domain.records import Actor
from bot.services import AfterAnswer, Services, capture
from bot.services.users import SlackUser, UserDirectory
from bot.settings import Settings
from storage.contact_lifecycle import archive_contact
from storage.contact_names import known_names
from storage.contacts import (
    ContactDraft,
    create_contact,
    get_contact,
    has_contact_named,
    has_unique_first_name,
    name_key,
)
from storage.db import Database
from tests.recording_client import RecordingClient

NOW = datetime(2026, 3, 11, 17, 0, tzinfo=UTC)
ME = Actor(team_id="T111", user_id="U111")
OTHER_TEAM = Actor(team_id="T999", user_id="U999")
LA = ZoneInfo("America/Los_Angeles")
USER = SlackUser(id="U111", name="Me", email=None, tz=LA, is_admin=False, locale="en-US")

NAMES = ["Jane Doe", "Jane Smith", "Ada Lovelace", "José Núñez", "Tom & Jerry Ltd", "Cher", "Bob", "May Chen"]


@contextlib.contextmanager
def counted(db: Database):
    """The statements `db` sends inside the block (their text)."""
    statements: list[str] = []

    def on_execute(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", on_execute)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", on_execute)


@pytest.fixture
def svc(db):
    settings_ = Settings(
        slack_bot_token="xoxb-x",
        slack_signing_secret="s",
        slack_app_token=None,
        database_url=db.url,
        slack_api_url="http://127.0.0.1:9/api/",
        log_level="INFO",
        port=0,
    )
    return Services(
        settings=settings_,
        db=db,
        users=UserDirectory(RecordingClient()),
        clock=lambda: NOW,
        timeline_pace_seconds=0,
    )


@pytest.fixture
def team(db):
    """Contacts with shared first names, an archived one, and another workspace's."""
    for name in NAMES:
        create_contact(db, ME, ContactDraft(name=name), now=NOW - timedelta(days=30))
    gone = create_contact(db, ME, ContactDraft(name="Zed Archived"), now=NOW - timedelta(days=30))
    archive_contact(db, ME, gone.id, now=NOW - timedelta(days=1))
    create_contact(db, OTHER_TEAM, ContactDraft(name="Olga Other"), now=NOW - timedelta(days=30))
    return db


def _old_probe(db: Database, actor: Actor, phrase: str) -> bool:
    return has_contact_named(db, actor, phrase) or has_unique_first_name(db, actor, phrase)


WORDS = st.sampled_from(
    ["jane", "Jane", "doe", "DOE", "smith", "ada", "Lovelace", "jose", "José", "Núñez", "nunez", "tom", "&",
     "jerry", "ltd", "Cher", "bob", "may", "chen", "zed", "archived", "olga", "other", "call", "with", "x"]
)  # fmt: skip
PHRASES = st.lists(WORDS, min_size=1, max_size=4).map(" ".join) | st.text(max_size=12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(phrases=st.lists(PHRASES, min_size=1, max_size=12))
def test_one_query_for_all_phrases_answers_as_the_per_phrase_probes(team, phrases):
    answers = known_names(team, ME, phrases)
    for phrase, answer in answers.items():
        assert answer == _old_probe(team, ME, phrase), phrase
    for phrase in phrases:  # what it leaves out is what the old probes refused outright
        if phrase not in answers:
            key = name_key(phrase)
            assert not key or has_control_chars(key) or len(key) > 200


def test_known_names_is_one_statement_and_keeps_to_the_workspace(team):
    with counted(team) as statements:
        answers = known_names(
            team, ME, ["Jane", "Jane Doe", "Cher", "Bob", "Zed Archived", "Olga Other", "may"]
        )
    assert [s for s in statements if s.lstrip().upper().startswith("SELECT")] and len(statements) <= 3
    assert sum(s.lstrip().upper().startswith("SELECT") for s in statements) == 1
    # Jane: two contacts have that first name; Zed: archived; Olga: another workspace's.
    assert answers == {
        "Jane": False,
        "Jane Doe": True,
        "Cher": True,
        "Bob": True,
        "Zed Archived": False,
        "Olga Other": False,
        "may": True,
    }


LINES = [
    "Ada Lovelace call yesterday 3pm 30m pricing follow-up",
    "Jane Doe and Bob call renewal",
    "met with May Chen and Cher at lunch: roadmap",
    "emailed bob the deck",
    "Tom & Jerry Ltd meeting today kickoff",
    "José Núñez, Jane Smith call 1h review",
    "call Jane,Bob yesterday about terms",
    "Jane call",
]


@pytest.mark.parametrize("line", LINES)
def test_the_parse_with_one_query_is_the_parse_with_a_query_per_phrase(team, svc, line):
    asked: list[str] = []

    def per_phrase(phrase: str) -> bool:
        asked.append(phrase)
        return _old_probe(team, ME, phrase)

    before = parse_quick_log(line, now=NOW, tz=LA, locale="en-US", contact_names=per_phrase)
    with counted(team) as statements:
        after = parse_quick_log(
            line, now=NOW, tz=LA, locale="en-US", contact_names=capture.ContactNames(svc, ME)
        )
    assert after == before
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    if asked:
        # Every phrase asked about was foreseen: one query, whatever the number of phrases.
        assert set(asked) <= set(candidate_phrases(line))
        assert len(selects) == 1
    else:
        assert selects == []


@given(st.text(max_size=40))
def test_name_key_of_ascii_text_is_the_full_fold(text_):
    decomposed = unicodedata.normalize("NFKD", text_)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    assert name_key(text_) == " ".join(stripped.casefold().split())


def test_control_characters_are_category_cc_but_tab_and_line_breaks():
    for code in range(0x110000):
        char = chr(code)
        assert has_control_chars(char) == (unicodedata.category(char) == "Cc" and char not in "\t\n\r")
    assert has_control_chars("Jane\x00Doe") and not has_control_chars("Jane\tDoe\n")


def _holds_nul_recursive(value: object, *, depth: int = 0) -> bool:
    """The earlier definition, a call per value."""
    if depth > MAX_DEPTH:
        return True
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(
            _holds_nul_recursive(k, depth=depth + 1) or _holds_nul_recursive(v, depth=depth + 1)
            for k, v in value.items()
        )
    if isinstance(value, list | tuple):
        return any(_holds_nul_recursive(v, depth=depth + 1) for v in value)
    return False


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet="ab\x00", max_size=3),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.text(alphabet="k\x00", max_size=2), children, max_size=3)
    ),
    max_leaves=25,
)


def _nested(value: object, levels: int) -> object:
    for n in range(levels):
        value = [value] if n % 2 else {"k": value}
    return value


@settings(max_examples=300)
@given(value=JSON, levels=st.integers(0, MAX_DEPTH + 3), depth=st.integers(0, 3))
def test_holds_nul_decides_as_the_recursive_definition(value, levels, depth):
    deep = _nested(value, levels)
    assert holds_nul(deep, depth=depth) == _holds_nul_recursive(deep, depth=depth)


def test_a_quick_log_sends_a_bounded_number_of_statements(team, svc):
    client = RecordingClient()
    line = "Ada Lovelace call yesterday 3pm 30m pricing follow-up"
    with counted(team) as first:
        saved = capture.quick_log(
            svc, client, ME, USER, line, now=NOW, source_ref="command:t1", after=AfterAnswer()
        )
    assert saved.saved is not None
    with counted(team) as repeat:
        asked = capture.quick_log(
            svc, client, ME, USER, line, now=NOW, source_ref="command:t2", after=AfterAnswer()
        )
    assert asked.repeat_of is not None and asked.repeat_of.id == saved.saved.id
    # The repeat: the name probe, the contact, the source_ref, the repeat check (and its
    # contacts): reads only, in one transaction (SQLite: one BEGIN; PostgreSQL: implicit).
    reads = [s for s in repeat if s.lstrip().upper().startswith("SELECT")]
    assert len(reads) <= 7, reads
    assert sum(s.strip().upper().startswith("BEGIN") for s in repeat) <= 1
    assert len(first) <= len(repeat) + 16  # the save adds its own transaction's statements


def test_a_snapshot_shares_one_read_transaction_and_writes_stay_their_own(team):
    jane = create_contact(team, ME, ContactDraft(name="Jane Twice"), now=NOW)
    with counted(team) as statements, team.snapshot():
        with team.read() as first, team.read() as second:
            assert first is second
        with team.snapshot(), team.read() as nested:
            assert nested is first
        assert get_contact(team, ME, jane.id).name == "Jane Twice"
        with pytest.raises(Exception):  # noqa: B017 - NotFound, from inside the shared session
            get_contact(team, ME, 10**9)
        assert get_contact(team, ME, jane.id).name == "Jane Twice"  # the session is still usable
        create_contact(team, ME, ContactDraft(name="Written Inside"), now=NOW)  # its own transaction
    begins = [s for s in statements if s.strip().upper().startswith("BEGIN")]
    assert len(begins) <= 2  # the snapshot's (SQLite) and the write's
    with team.read() as after:
        assert after is not first
        assert (
            after.execute(text("SELECT count(*) FROM contacts WHERE name = 'Written Inside'")).scalar() == 1
        )


def test_core_reads_inside_a_snapshot_use_its_connection(team):
    """A page (storage/reads.py, Core) read inside a snapshot joins the snapshot's transaction:
    one pool checkout and at most one BEGIN for the page, its count and the card's contact."""
    from storage.listing import InteractionFilters, count_interactions, list_interactions

    jane = create_contact(team, ME, ContactDraft(name="Jane Inside"), now=NOW)
    checkouts: list[int] = []

    def on_checkout(*_args):
        checkouts.append(1)

    event.listen(team.engine, "checkout", on_checkout)
    try:
        with counted(team) as statements, team.snapshot():
            list_interactions(team, ME, InteractionFilters(), limit=15)
            count_interactions(team, ME, InteractionFilters())
            assert get_contact(team, ME, jane.id).name == "Jane Inside"
        without = len(checkouts)
        list_interactions(team, ME, InteractionFilters(), limit=15)
        assert get_contact(team, ME, jane.id).name == "Jane Inside"
    finally:
        event.remove(team.engine, "checkout", on_checkout)
    assert without == 1
    assert len(checkouts) == 3  # outside a snapshot each call checks out its own
    assert sum(s.strip().upper().startswith("BEGIN") for s in statements) <= 1


@pytest.mark.postgres
def test_a_pooled_connection_the_server_ended_is_replaced_without_a_ping(postgres_database):
    if postgres_database is None:
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    db_url = postgres_database.fresh_url()
    database = Database(db_url, pool_size=2, max_overflow=0)
    try:
        with database.read() as session:
            pid = session.execute(text("SELECT pg_backend_pid()")).scalar()
        with counted(database) as statements, database.read() as session:
            assert session.execute(text("SELECT pg_backend_pid()")).scalar() == pid  # pooled
        assert len(statements) == 1  # no pre-ping before it
        killer = Database(db_url, pool_size=1, max_overflow=0)
        try:
            with killer.write() as session:
                session.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        finally:
            killer.dispose()
        time.sleep(0.3)  # the server's goodbye reaches the socket
        with database.read() as session:
            assert session.execute(text("SELECT pg_backend_pid()")).scalar() != pid
    finally:
        database.dispose()
