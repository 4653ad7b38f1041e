"""A SQLite file another process holds locked for 12 s, and a database that can't be reached:
"busy, try again" inside Slack's 3 s (never a missing ack), and /healthz 503 while writes can't succeed."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from blocks import ids
from bot.domain.records import Actor
from storage.contacts import ContactDraft, create_contact
from storage.db import Database
from storage.listing import InteractionFilters, list_interactions
from tests.app_harness import FROZEN_NOW, SIGNING_SECRET, Clock, ServedApp
from tests.databases import POSTGRES_ADMIN_URL
from tests.fake_slack import FakeSlack
from tests.modal_submit import submission
from tests.slack_requests import SlackSender

ME = Actor(team_id="T111", user_id="U111")
HOLD_SECONDS = 12
LOCKER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("ROLLBACK")
"""


def _health(url: str) -> int:
    try:
        with urllib.request.urlopen(url + "healthz", timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_sqlite_file_locked_by_another_process_answers_busy_in_time(sqlite_template):
    url = sqlite_template.fresh_url()
    db = Database(url)
    db.limit_lock_wait()  # as `touchbase serve` does
    jane = create_contact(db, ME, ContactDraft(name="Jane Doe"), now=FROZEN_NOW)
    with FakeSlack() as fake, ServedApp(db, fake, Clock()) as served:
        slack = SlackSender(served.url, SIGNING_SECRET, response_url_base=fake.url)
        slack.command("/log", "")
        view = fake.wait_for("views.open")[0].args["view"]
        locker = subprocess.Popen(
            [sys.executable, "-c", LOCKER, url.removeprefix("sqlite:///"), str(HOLD_SECONDS)],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert locker.stdout is not None and locker.stdout.readline().strip() == "locked"
            started = time.monotonic()
            values = {"contact": str(jane.id), "type": "call", "summary": "while locked"}
            status, _, body = slack.view_submission(submission(view, **values) | {"id": "VLOCKED1"})
            assert time.monotonic() - started < 3.0 and status == 200
            assert "busy" in json.loads(body)["errors"][ids.BLOCK_SUMMARY]
            started = time.monotonic()
            status, _, body = slack.command("/log", "Jane Doe call pricing while locked")
            assert time.monotonic() - started < 3.0 and "busy" in json.loads(body)["text"]
            assert _health(served.url) == 503
        finally:
            locker.wait(timeout=HOLD_SECONDS + 10)
        assert _health(served.url) == 200
        status, _, body = slack.view_submission(submission(view, **values) | {"id": "VLOCKED2"})
        assert status == 200 and body == ""
        assert len(list_interactions(db, ME, InteractionFilters()).items) == 1
    db.dispose()


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:////nonexistent-touchbase-dir/touchbase.db",
        pytest.param(POSTGRES_ADMIN_URL.rsplit("@", 1)[0] + "@127.0.0.1:9/test", marks=pytest.mark.postgres),
    ],
    ids=["sqlite", "postgresql"],
)
def test_an_unreachable_database_answers_busy_and_healthz_503(url):
    db = Database(url)
    with FakeSlack() as fake, ServedApp(db, fake, Clock()) as served:
        slack = SlackSender(served.url, SIGNING_SECRET, response_url_base=fake.url)
        started = time.monotonic()
        status, _, body = slack.command("/log", "Jane Doe call pricing")
        assert time.monotonic() - started < 3.0 and status == 200
        text = json.loads(body)["text"]
        assert "try again" in text and "went wrong" not in text
        payload = slack.block_suggestion_payload(ids.ACTION_CONTACT_SELECT, ids.BLOCK_CONTACT, "Jane")
        assert json.loads(slack.interactive(payload)[2]) == {"options": []}
        assert _health(served.url) == 503
    db.dispose()
