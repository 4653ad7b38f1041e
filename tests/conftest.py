from __future__ import annotations

import os

import pytest

from storage.db import Database
from tests.databases import SqliteTemplate, in_ci, start_postgres

# Everything in the suite talks to 127.0.0.1; slack_sdk would otherwise honour a proxy.
for _name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
    os.environ.pop(_name, None)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> SqliteTemplate:
    return SqliteTemplate(tmp_path_factory.mktemp("sqlite"))


@pytest.fixture(scope="session")
def postgres_database():
    database = start_postgres()
    yield database
    if database is not None:
        database.drop()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, sqlite_template) -> str:
    """A migrated, empty database: each test runs once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return sqlite_template.fresh_url()
    postgres = request.getfixturevalue("postgres_database")
    if postgres is None:
        assert not in_ci()
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    return postgres.fresh_url()


@pytest.fixture
def db(db_url) -> Database:
    database = Database(db_url)
    yield database
    database.dispose()


@pytest.fixture
def fake_slack():
    from tests.fake_slack import FakeSlack

    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def clock():
    from tests.app_harness import Clock

    return Clock()


@pytest.fixture
def touchbase(db, fake_slack, clock):
    """The app served on 127.0.0.1 against `db` (SQLite and PostgreSQL) and the fake Slack."""
    from tests.app_harness import SIGNING_SECRET, RunningApp, ServedApp
    from tests.slack_requests import SlackSender

    with ServedApp(db, fake_slack, clock) as served:
        yield RunningApp(
            url=served.url,
            app=served.app,
            db=db,
            fake=fake_slack,
            slack=SlackSender(served.url, SIGNING_SECRET, response_url_base=fake_slack.url),
            clock=clock,
        )


@pytest.fixture(scope="module")
def touchbase_sqlite(tmp_path_factory, sqlite_template):
    """One app for a whole module (SQLite), for property tests that send many requests."""
    from bot.domain.records import Actor
    from storage.contacts import ContactDraft, create_contact
    from tests.app_harness import FROZEN_NOW, SIGNING_SECRET, Clock, RunningApp, ServedApp
    from tests.fake_slack import FakeSlack
    from tests.slack_requests import SlackSender

    database = Database(sqlite_template.fresh_url())
    me = Actor(team_id="T111", user_id="U111")
    for name in ("Jane Doe", "Jane Smith", "José Núñez"):
        create_contact(database, me, ContactDraft(name=name), now=FROZEN_NOW)
    clock = Clock()
    with FakeSlack() as fake, ServedApp(database, fake, clock) as served:
        yield RunningApp(
            url=served.url,
            app=served.app,
            db=database,
            fake=fake,
            slack=SlackSender(served.url, SIGNING_SECRET, response_url_base=fake.url),
            clock=clock,
        )
    database.dispose()


def pytest_terminal_summary(terminalreporter):
    """Say how much of the PostgreSQL half ran: a skipped half is easy to miss in the totals."""
    outcomes: dict[str, set[str]] = {}
    for outcome in ("passed", "failed", "error", "skipped", "xfailed", "xpassed"):
        for report in terminalreporter.stats.get(outcome, []):
            if "postgres" in getattr(report, "keywords", {}):
                outcomes.setdefault(outcome, set()).add(report.nodeid)
    total = len(set().union(*outcomes.values())) if outcomes else 0
    if not total:
        return
    counts = ", ".join(f"{len(ids)} {outcome}" for outcome, ids in outcomes.items() if ids)
    terminalreporter.write_sep("-", f"PostgreSQL tests: {counts}")
    if outcomes.get("skipped"):
        terminalreporter.write_line(
            "PostgreSQL tests were skipped: start a server on 127.0.0.1:5432 with user postgres, trust auth "
            "and a database `test` (README, Tests) or set TOUCHBASE_TEST_POSTGRES_URL."
        )
