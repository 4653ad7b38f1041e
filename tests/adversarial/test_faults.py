"""Every Web API method the app calls × {429 past the retry budget, 500, ok:false}, with a user
who retries: an answer always arrives (or is said on their next request), a retry never doubles."""

from __future__ import annotations

import itertools
import json
import time

import pytest

from blocks import ids
from bot.domain.records import Actor
from bot.services import delivery
from storage.contacts import ContactDraft, create_contact
from storage.listing import InteractionFilters, list_interactions
from storage.pending_notes import has_note
from tests.app_harness import FROZEN_NOW
from tests.modal_submit import submission

METHODS = [
    "users.info",
    "views.open",
    "views.update",
    "views.publish",
    "chat.postEphemeral",
    "chat.postMessage",
    "chat.update",
    "conversations.open",
    "chat.getPermalink",
    "response_url",
]
FAULTS = ["429", "500", "ok_false"]
DELIVERIES = ("response/", "chat.postEphemeral", "chat.postMessage")
_users = itertools.count(1)


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch):
    monkeypatch.setattr(delivery, "BACKOFF_SECONDS", (0.01, 0.02))


def _break(fake, method: str, fault: str) -> None:
    if fault == "429":
        fake.respond_with(method, status=429, headers={"Retry-After": "0"})
    elif fault == "500":
        fake.respond_with(method, status=500)
    else:
        fake.respond_with(method, status=200, body={"ok": False, "error": "internal_error"})


def _delivered(fake, broken: set[str], since: int) -> bool:
    return any(c.method.startswith(DELIVERIES) and c.method not in broken for c in fake.calls()[since:])


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("method", METHODS)
def test_faults_an_answer_always_arrives_and_a_retry_never_doubles(touchbase_sqlite, method, fault):
    app, fake = touchbase_sqlite, touchbase_sqlite.fake
    fake.reset()
    n = next(_users)
    user = f"UFAULT{n}"
    actor = Actor(team_id="T111", user_id=user)
    contact = create_contact(app.db, actor, ContactDraft(name=f"Fault Contact {n}"), now=FROZEN_NOW)
    slack = app.sender(user_id=user)

    # 1. A quick log, and the user retrying it: the ack body answers; the retry asks first.
    fields = slack.command_fields("/log", f"Fault Contact {n} call pricing talk")
    broken = {method}
    if method == "response_url":
        broken = {"response/" + fields["response_url"].rsplit("/", 1)[1]}
    for m in broken:
        _break(fake, m, fault)
    from tests.slack_requests import FORM, form_body

    status, _, body = slack.post(form_body(fields), FORM)
    assert status == 200 and json.loads(body)["text"], body
    status, _, body = slack.command("/log", f"Fault Contact {n} call pricing talk")
    assert status == 200 and "log again?" in json.loads(body)["text"]

    # 2. The log modal (opened before the fault), submitted, then submitted again as a new
    #    modal by a user who saw no confirmation.
    fake.reset()
    slack.command("/log", "")
    command = slack.last_payload
    view = fake.wait_for("views.open")[0].args["view"]
    broken = (
        {"response/" + command["response_url"].rsplit("/", 1)[1]} if method == "response_url" else {method}
    )
    for m in broken:
        _break(fake, m, fault)
    since = len(fake.calls())
    values = {"contact": str(contact.id), "type": "meeting", "summary": "modal talk"}
    # (The fake's view ids restart after a reset; Slack's are unique.)
    status, _, body = slack.view_submission(submission(view, **values) | {"id": f"VFIRST{n}"})
    assert status == 200 and "went wrong" not in body
    deadline = time.monotonic() + 10
    while not (_delivered(fake, broken, since) or has_note(app.db, actor)):
        assert time.monotonic() < deadline, f"no answer: {fake.methods()} {body!r}"
        time.sleep(0.05)
    status, _, body = slack.view_submission(submission(view, **values) | {"id": f"VRETRY{n}"})
    assert status == 200 and "log again?" in json.loads(body)["errors"][ids.BLOCK_SUMMARY]

    saved = list_interactions(app.db, actor, InteractionFilters(contact_id=contact.id)).items
    assert sorted(i.type for i in saved) == ["call", "meeting"], saved  # nothing doubled
    # 3. Whatever wasn't delivered is said on the user's next request.
    if has_note(app.db, actor):
        fake.reset()
        slack.command("/contact", f"Fault Contact {n}")
        deadline = time.monotonic() + 10
        while has_note(app.db, actor):
            assert time.monotonic() < deadline
            time.sleep(0.05)
