"""The connection pool: sized to the threads, a short wait, and "busy" instead of a missed 3 s."""

from __future__ import annotations

import json
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.errors import Busy, DomainError
from bot.domain.records import Actor
from bot.workers import pool_size_for
from storage.contacts import ContactDraft, create_contact
from storage.db import SERVING_POOL_TIMEOUT_SECONDS, Database
from tests.app_harness import SIGNING_SECRET, Clock, ServedApp
from tests.modal_submit import submission
from tests.slack_requests import SlackSender

ME = Actor(team_id="T111", user_id="U111")
CONNECTIONS = 2
REQUESTS = 6


def test_busy_is_a_domain_error_with_a_plain_message():
    assert issubclass(Busy, DomainError)
    assert Busy().message == "Touchbase is busy, try again in a moment."


def test_the_pool_covers_server_listener_and_digest_threads():
    assert pool_size_for(server_threads=8, listener_threads=16, digest_threads=10) == 8 + 16 + 10 + 2
    assert pool_size_for(server_threads=8) == 8 + 16 + 2  # Bolt's listener executor (bot/app.py)


@pytest.fixture
def small_pool(db_url):
    database = Database(
        db_url, pool_size=CONNECTIONS, max_overflow=0, pool_timeout=SERVING_POOL_TIMEOUT_SECONDS
    )
    yield database
    database.dispose()


def _opened(fake, sender) -> dict:
    sender.command("/log", "")
    return fake.wait_for("views.open")[0].args["view"]


def _submit_many(sender, opened, contact_id, prefix: str) -> list[tuple[int, str, float]]:
    clock = Clock()
    day = (clock() - timedelta(days=1)).astimezone(UTC).date().isoformat()

    def one(i: int):
        view = submission(
            opened,
            view_id=f"V{prefix}{i}",
            contact=str(contact_id),
            type="call",
            date=day,
            time="10:00",
            summary=f"{prefix} {i}",
        )
        start = time.monotonic()
        status, _, body = sender.view_submission(view)
        return status, body, time.monotonic() - start

    with ThreadPoolExecutor(REQUESTS) as pool:
        return list(pool.map(one, range(REQUESTS)))


def test_more_requests_than_connections_each_get_an_answer_within_3_seconds(small_pool, fake_slack, caplog):
    jane = create_contact(small_pool, ME, ContactDraft(name="Jane Doe"), now=datetime.now(UTC))
    clock = Clock()
    with ServedApp(small_pool, fake_slack, clock) as served:
        sender = SlackSender(served.url, SIGNING_SECRET, response_url_base=fake_slack.url)
        opened = _opened(fake_slack, sender)

        # Short transactions: six requests share two connections, each waits its turn and saves.
        answers = _submit_many(sender, opened, jane.id, "shared")
        assert [(status, body) for status, body, _ in answers] == [(200, "")] * REQUESTS
        assert max(latency for *_, latency in answers) < 3.0

        # Every connection held elsewhere (long transactions): each request is told "busy" in time.
        held = [small_pool.engine.connect() for _ in range(CONNECTIONS)]
        try:
            with caplog.at_level(logging.WARNING, logger="touchbase.db"):
                answers = _submit_many(sender, opened, jane.id, "starved")
        finally:
            for connection in held:
                connection.close()
        for status, body, latency in answers:
            assert status == 200
            assert latency < 3.0, f"answered after {latency:.2f}s"
            errors = json.loads(body)["errors"]
            assert "Touchbase is busy, try again in a moment." in " ".join(errors.values())
        assert sum("database busy" in r.getMessage() for r in caplog.records) >= REQUESTS
        print(
            f"\nstarved: {REQUESTS} requests, {CONNECTIONS} connections, slowest answer {max(a[2] for a in answers):.2f}s"
        )

        # Once connections are free again the same submission saves.
        view = submission(
            opened,
            view_id="Vstarved0",
            contact=str(jane.id),
            type="call",
            date=(clock() - timedelta(days=1)).date().isoformat(),
            time="10:00",
            summary="starved 0",
        )
        assert sender.view_submission(view)[:3:2] == (200, "")


@pytest.mark.postgres
def test_pgbouncer_mode_turns_psycopg_prepared_statements_off(postgres_database):
    if postgres_database is None:
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    for pgbouncer, threshold in ((True, None), (False, 5)):
        database = Database(postgres_database.fresh_url(), pgbouncer=pgbouncer)
        try:
            with database.engine.connect() as connection:
                assert connection.connection.dbapi_connection.prepare_threshold == threshold
        finally:
            database.dispose()


def test_the_pgbouncer_setting_is_read_and_checked():
    from bot.settings import SettingsError, load_settings

    assert load_settings({"TOUCHBASE_PGBOUNCER": "1"}).pgbouncer is True
    assert load_settings({}).pgbouncer is False
    with pytest.raises(SettingsError, match="TOUCHBASE_PGBOUNCER"):
        load_settings({"TOUCHBASE_PGBOUNCER": "maybe"})
