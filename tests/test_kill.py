"""SIGKILL a serving process in the middle of a stream of submissions: nothing acknowledged is lost.

For each database (SQLite file, PostgreSQL) and each way of serving (one process, --workers 2),
a few rounds of: start `touchbase serve`, stream submissions from several threads, SIGKILL the
whole process group at a random moment, restart, submit every request of the round again as
Slack would on a retry (same view id), stop. Then, per round:
* every submission answered 200 (saved) is in the database, exactly once;
* the retries after the restart save nothing twice;
* nothing half-written: no interaction without its contact, no stray contact.

Kinds of request are pluggable (`Kind`): modal submissions for an existing contact and for a new
contact are checked; quick logs (`/log` text) are measured and reported, and join the checked
kinds once the quick log saves before it acknowledges (see QUICK_LOG_SAVES_BEFORE_ACK).
"""

from __future__ import annotations

import collections
import random
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.domain.records import Actor
from storage.contacts import ContactDraft, create_contact
from storage.db import Database
from storage.models import Contact, Interaction
from tests.app_harness import SIGNING_SECRET
from tests.modal_submit import submission
from tests.serving import start_serve
from tests.slack_requests import SlackSender

pytestmark = pytest.mark.slow

ME = Actor(team_id="T111", user_id="U111")
ROUNDS = 3
STREAM_THREADS = 4
# Flip when `/log` text saves before its ack (the lead's change): quick logs are then checked too.
QUICK_LOG_SAVES_BEFORE_ACK = True
# A new-contact modal creates its contact in the interaction's own transaction
# (storage/new_contact.py) and a resent view finds what its first delivery saved: no stray
# contact may be left by a kill or by the retries.
NEW_CONTACT_IS_ATOMIC = True


@dataclass
class Kind:
    name: str
    checked: bool
    # (sender, opened view, jane's id, unique key) -> (status, body)
    send: object
    acked: object = lambda status, body: status == 200 and body == ""


def _day() -> str:
    return (datetime.now(UTC) - timedelta(days=2)).date().isoformat()


def _modal(sender, opened, jane_id, key):
    view = submission(
        opened, view_id=f"V{key}", contact=str(jane_id), type="call", date=_day(), time="09:00", summary=key
    )
    status, _, body = sender.view_submission(view)
    return status, body


def _modal_new_contact(sender, opened, jane_id, key):
    view = submission(
        opened,
        view_id=f"V{key}",
        contact=f"new:Person {key}",
        type="email",
        date=_day(),
        time="09:00",
        summary=key,
    )
    status, _, body = sender.view_submission(view)
    return status, body


def _quick_log(sender, opened, jane_id, key):
    fields = sender.command_fields("/log", f"Jane Doe call yesterday 3pm {key}", trigger_id=f"trig-{key}")
    from tests.slack_requests import FORM, form_body

    status, _, body = sender.post(form_body(fields), FORM)
    return status, body


KINDS = [
    Kind("modal", True, _modal),
    Kind("modal-new-contact", True, _modal_new_contact),
    # A quick log answers in the ack itself: acknowledged means the body says it was logged.
    Kind(
        "quick-log",
        QUICK_LOG_SAVES_BEFORE_ACK,
        _quick_log,
        lambda status, body: status == 200 and "Logged" in body,
    ),
]


@dataclass
class Tally:
    sent: int = 0
    acked: int = 0
    saved: int = 0
    lost: int = 0
    duplicated: int = 0
    retry_duplicated: int = 0
    orphans_from_kill: int = 0
    orphans_from_retry: int = 0
    keys: dict = field(default_factory=dict)


def _stream(sender, opened, jane_id, round_id: str, stop: threading.Event) -> list[tuple[str, str, bool]]:
    """Send until the server dies or `stop`; (kind, key, acknowledged) for each request sent."""
    sent: list[tuple[str, str, bool]] = []
    lock = threading.Lock()
    counter = iter(range(10**6))

    def worker() -> None:
        while not stop.is_set():
            with lock:
                n = next(counter)
            kind = KINDS[n % len(KINDS)]
            key = f"{round_id}-{kind.name}-{n}"
            try:
                status, body = kind.send(sender, opened, jane_id, key)
                acked = kind.acked(status, body)
            except OSError:
                acked = False  # connection refused or reset: the server is gone
                time.sleep(0.05)
            with lock:
                sent.append((kind.name, key, acked))

    threads = [threading.Thread(target=worker) for _ in range(STREAM_THREADS)]
    for thread in threads:
        thread.start()
    return sent, threads


def _saved(url: str) -> collections.Counter:
    db = Database(url)
    try:
        with db.read() as session:
            return collections.Counter(session.execute(select(Interaction.summary)).scalars())
    finally:
        db.dispose()


def _orphan_contacts(url: str) -> list[str]:
    """Contacts the stream created (new-contact submissions) that no interaction points at."""
    db = Database(url)
    try:
        with db.read() as session:
            used = select(Interaction.contact_id)
            return list(
                session.execute(
                    select(Contact.name).where(Contact.name.like("Person %"), Contact.id.not_in(used))
                ).scalars()
            )
    finally:
        db.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def kill_db_url(request, tmp_path, postgres_database):
    if request.param == "sqlite":
        from storage.migrate import upgrade

        url = f"sqlite:///{tmp_path / 'kill.db'}"
        upgrade(url)
        return url
    if postgres_database is None:
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    return postgres_database.fresh_url()


@pytest.mark.parametrize("workers", [1, 2], ids=["one-process", "workers-2"])
def test_sigkill_mid_stream_loses_nothing_acknowledged(tmp_path, kill_db_url, fake_slack, workers):
    db = Database(kill_db_url)
    jane = create_contact(db, ME, ContactDraft(name="Jane Doe"), now=datetime.now(UTC))
    db.dispose()
    env = {
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake_slack.url,
        "DATABASE_URL": kill_db_url,
    }
    args = ("--no-scheduler", "--workers", str(workers))
    rng = random.Random(15)
    tallies = {kind.name: Tally() for kind in KINDS}
    opened = None
    for round_number in range(ROUNDS):
        round_id = f"r{round_number}"
        orphans_before = set(_orphan_contacts(kill_db_url))
        server = start_serve(tmp_path, *args, env=env)
        try:
            server.wait_healthy()
            sender = SlackSender(server.url, SIGNING_SECRET, response_url_base=fake_slack.url, timeout=10)
            if opened is None:
                sender.command("/log", "")
                opened = fake_slack.wait_for("views.open", timeout=10)[0].args["view"]
            stop = threading.Event()
            sent, threads = _stream(sender, opened, jane.id, round_id, stop)
            time.sleep(rng.uniform(1.0, 2.5))
            server.kill()  # SIGKILL to the process group: master and workers at once
            time.sleep(0.3)
            stop.set()
            for thread in threads:
                thread.join(timeout=30)
        finally:
            server.stop()

        saved_after_kill = _saved(kill_db_url)
        orphans_after_kill = set(_orphan_contacts(kill_db_url))

        # Restart and retry every request of the round, as Slack (or the user) would.
        server = start_serve(tmp_path, *args, env=env)
        try:
            server.wait_healthy()
            sender = SlackSender(server.url, SIGNING_SECRET, response_url_base=fake_slack.url, timeout=10)
            kinds = {kind.name: kind for kind in KINDS}
            for kind_name, key, _ in sent:
                if kind_name.startswith("modal"):
                    status, _ = kinds[kind_name].send(sender, opened, jane.id, key)
                    assert status == 200
        finally:
            server.stop()
        saved_after_retry = _saved(kill_db_url)
        orphans_after_retry = set(_orphan_contacts(kill_db_url))

        for kind_name, key, acked in sent:
            tally = tallies[kind_name]
            tally.sent += 1
            tally.acked += acked
            count = saved_after_kill[key]
            tally.saved += count > 0
            tally.lost += acked and count == 0
            tally.duplicated += count > 1
            tally.retry_duplicated += saved_after_retry[key] > 1
        tallies["modal-new-contact"].orphans_from_kill += len(orphans_after_kill - orphans_before)
        tallies["modal-new-contact"].orphans_from_retry += len(orphans_after_retry - orphans_after_kill)

    report = ", ".join(
        f"{name}: sent {t.sent}, acked {t.acked}, saved {t.saved}, lost {t.lost}, "
        f"duplicated {t.duplicated}, duplicated after retry {t.retry_duplicated}"
        + (
            f", stray contacts left by the kill {t.orphans_from_kill}, by the retries {t.orphans_from_retry}"
            if name == "modal-new-contact"
            else ""
        )
        for name, t in tallies.items()
    )
    print(f"\n[{kill_db_url.split(':')[0]}, workers={workers}, {ROUNDS} kills] {report}")
    for kind in KINDS:
        tally = tallies[kind.name]
        assert tally.sent > 0
        if kind.checked:
            assert tally.acked > 0, report
            assert tally.lost == 0, report
            assert tally.duplicated == 0 and tally.retry_duplicated == 0, report
    if NEW_CONTACT_IS_ATOMIC:
        new_contact = tallies["modal-new-contact"]
        assert new_contact.orphans_from_kill == new_contact.orphans_from_retry == 0, report
    # Every interaction points at a live contact (foreign keys), whatever was killed when.
    db = Database(kill_db_url)
    try:
        with db.read() as session:
            dangling = session.execute(
                select(func.count())
                .select_from(Interaction)
                .where(Interaction.contact_id.not_in(select(Contact.id)))
            ).scalar()
    finally:
        db.dispose()
    assert dangling == 0
