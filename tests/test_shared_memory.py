"""What one process learns, every process knows: replays and "log again?" answers reach any worker.

Two app instances on one database stand in for two `--workers` processes (each has its own
memory; only the database is shared), on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import threading
import time
from datetime import timedelta

import pytest

from bot.domain.records import Actor
from storage import request_keys
from storage.contacts import ContactDraft, create_contact, find_contacts
from storage.listing import InteractionFilters, list_interactions
from tests.app_harness import FROZEN_NOW, SIGNING_SECRET, ServedApp, wait_responses
from tests.modal_submit import submission
from tests.slack_requests import FORM, SlackSender, form_body, signed_headers

ME = Actor(team_id="T111", user_id="U111")


@pytest.fixture
def other_worker(db, fake_slack, clock):
    """A second app on the same database: another worker process as far as memory goes."""
    with ServedApp(db, fake_slack, clock) as served:
        yield SlackSender(served.url, SIGNING_SECRET, response_url_base=fake_slack.url)


def _interactions(db):
    return list_interactions(db, ME, InteractionFilters(), limit=100).items


def test_a_command_replayed_to_another_worker_runs_once(touchbase, other_worker):
    fields = touchbase.slack.command_fields("/contact", "add Replay Person, replay@example.com")
    body = form_body(fields)
    headers = signed_headers(body, SIGNING_SECRET)
    assert touchbase.slack.post(body, FORM, sign=False, headers=headers)[0] == 200
    wait_responses(touchbase.fake)
    status, _, answer = other_worker.post(body, FORM, sign=False, headers=headers)
    assert status == 200 and answer in ("", b"")  # the replay: an empty ack, nothing run
    time.sleep(0.3)
    assert len([m for m in find_contacts(touchbase.db, ME, "Replay Person") if m.exact]) == 1
    assert len(wait_responses(touchbase.fake)) == 1


def test_log_again_asked_by_one_worker_is_confirmed_on_another(touchbase, other_worker):
    jane = create_contact(touchbase.db, ME, ContactDraft(name="Jane Doe"), now=FROZEN_NOW)
    assert json.loads(touchbase.slack.command("/log", "Jane Doe call 10am pricing")[2])["text"].startswith(
        "Logged"
    )
    touchbase.clock.advance(minutes=2)
    touchbase.slack.command("/log", "")
    opened = touchbase.fake.wait_for("views.open")[0].args["view"]
    view = submission(
        opened, contact=str(jane.id), type="call", date="2026-03-11", time="10:00", summary="pricing"
    )
    status, _, body = touchbase.slack.view_submission(view)
    errors = json.loads(body)["errors"]
    assert status == 200 and "log again?" in " ".join(errors.values())
    assert len(_interactions(touchbase.db)) == 1
    # The user saves again; Slack's request reaches the other worker, which knows the question.
    status, _, body = other_worker.view_submission(view)
    assert status == 200 and body in ("", b""), body
    assert len(_interactions(touchbase.db)) == 2


def test_a_key_is_claimed_once_by_concurrent_claimers_and_again_after_it_expires(db):
    now = FROZEN_NOW
    results: list[bool] = []
    barrier = threading.Barrier(6)

    def claim() -> None:
        barrier.wait()
        results.append(request_keys.claim(db, "T111", "trigger:123", now=now, ttl=timedelta(minutes=5)))

    threads = [threading.Thread(target=claim) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 5 + [True]
    assert request_keys.is_claimed(db, "T111", "trigger:123", now=now)
    # Another workspace's key of the same text is its own; an expired key may be claimed again.
    assert request_keys.claim(db, "T222", "trigger:123", now=now, ttl=timedelta(minutes=5))
    later = now + timedelta(minutes=6)
    assert not request_keys.is_claimed(db, "T111", "trigger:123", now=later)
    assert request_keys.claim(db, "T111", "trigger:123", now=later, ttl=timedelta(minutes=5))
    assert not request_keys.claim(db, "T111", "trigger:123", now=later, ttl=timedelta(minutes=5))
