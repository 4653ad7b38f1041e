"""Slack message metadata on every message Touchbase posts about interactions: timeline parents
and month replies (posted and updated), saved-interaction cards sent by DM, digest DMs (posted and
updated in place). Ephemeral messages carry none: chat.postEphemeral doesn't take metadata.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from slack_sdk import WebClient

from blocks.message_metadata import (
    digest_metadata,
    interaction_metadata,
    month_reply_metadata,
    timeline_metadata,
)
from bot.domain.records import Actor
from bot.services import Services
from bot.services.digests import run_digests
from bot.services.surfaces import DigestRef, refresh_digest
from bot.services.users import UserDirectory
from bot.slack import retry_handlers
from storage.contacts import ContactDraft, create_contact
from storage.interactions import InteractionDraft, create_interaction
from storage.listing import InteractionFilters, list_interactions
from storage.staleness import stale_contacts_for_owner
from storage.user_settings import remember_user_tz
from tests import app_harness
from tests.app_harness import FROZEN_NOW, wait_responses
from tests.modal_submit import submission

ME = Actor(team_id="T111", user_id="U111")


def _log(db, contact_id: int, when: datetime, summary: str = "hello", kind: str = "call"):
    draft = InteractionDraft(contact_id=contact_id, type=kind, occurred_at=when, summary=summary)
    return create_interaction(db, ME, draft, now=FROZEN_NOW)[0]


def _all_carry_metadata(fake) -> None:
    """Every message posted or updated carries a Touchbase event type; no ephemeral one tries to."""
    for call in fake.calls("chat.postMessage") + fake.calls("chat.update"):
        metadata = call.args.get("metadata")
        assert isinstance(metadata, dict), (call.method, call.args.get("text"))
        assert metadata["event_type"].startswith("touchbase_") and len(metadata["event_type"]) <= 50
        payload = metadata["event_payload"]
        assert all(isinstance(v, str | int | bool) for v in payload.values()), payload
    assert all("metadata" not in c.args for c in fake.calls("chat.postEphemeral"))


def test_timeline_parent_and_month_replies_carry_their_contact_and_interactions(touchbase):
    jane = create_contact(touchbase.db, ME, ContactDraft(name="Jane Doe"), now=FROZEN_NOW)
    january = [
        _log(touchbase.db, jane.id, datetime(2026, 1, 5, 18, tzinfo=UTC)),
        _log(touchbase.db, jane.id, datetime(2026, 1, 20, 18, tzinfo=UTC), kind="email"),
    ]
    march = _log(touchbase.db, jane.id, datetime(2026, 3, 10, 18, tzinfo=UTC))

    touchbase.slack.command("/timeline", "Jane", channel_id="C111")
    parent, *replies = touchbase.fake.wait_for("chat.postMessage", count=3)

    assert parent.args["metadata"] == {
        "event_type": "touchbase_timeline",
        "event_payload": {"contact_id": jane.id},
    }
    assert [r.args["metadata"] for r in replies] == [
        {
            "event_type": "touchbase_interaction",
            "event_payload": {
                "interaction_ids": f"{january[0].id},{january[1].id}",
                "contact_ids": str(jane.id),
                "month": "2026-01",
            },
        },
        {
            "event_type": "touchbase_interaction",
            "event_payload": {
                "interaction_ids": str(march.id),
                "contact_ids": str(jane.id),
                "month": "2026-03",
            },
        },
    ]
    wait_responses(touchbase.fake, 1)

    # A new interaction keeps the thread live: the updates carry the metadata again.
    touchbase.slack.command("/log", "Jane Doe call 1h ago checked in", channel_id="C111")
    updates = touchbase.fake.wait_for("chat.update", count=2)
    [new] = [
        i
        for i in list_interactions(touchbase.db, ME, InteractionFilters(), limit=10).items
        if i.summary == "checked in"
    ]
    assert updates[0].args["metadata"] == parent.args["metadata"]
    assert updates[1].args["metadata"]["event_payload"] == {
        "interaction_ids": f"{march.id},{new.id}",
        "contact_ids": str(jane.id),
        "month": "2026-03",
    }
    _all_carry_metadata(touchbase.fake)


def test_a_saved_card_sent_by_dm_carries_the_interaction(touchbase):
    jane = create_contact(touchbase.db, ME, ContactDraft(name="Jane Doe"), now=FROZEN_NOW)
    touchbase.fake.fail("chat.postEphemeral", "channel_not_found")
    touchbase.slack.command("/log", "")
    # The command's response_url (the confirmation's first path) is gone too.
    response_path = "response/" + touchbase.slack.last_payload["response_url"].rsplit("/", 1)[1]
    touchbase.fake.respond_with(response_path, status=500)
    view = touchbase.fake.wait_for("views.open")[0].args["view"]
    touchbase.slack.view_submission(submission(view, contact=str(jane.id), type="meeting", summary="Demo"))

    card = touchbase.fake.wait_for("chat.postMessage")[0]
    [saved] = list_interactions(touchbase.db, ME, InteractionFilters(), limit=10).items
    assert card.args["channel"] == "DU111"
    assert card.args["metadata"] == {
        "event_type": "touchbase_interaction",
        "event_payload": {
            "interaction_ids": str(saved.id),
            "contact_ids": str(jane.id),
            "interaction_type": "meeting",
        },
    }
    _all_carry_metadata(touchbase.fake)


def test_digest_dms_carry_the_contacts_they_list_posted_and_updated(db, fake_slack):
    created = FROZEN_NOW - timedelta(days=60)
    ada = create_contact(db, ME, ContactDraft(name="Ada"), now=created)
    grace = create_contact(db, ME, ContactDraft(name="Grace"), now=created - timedelta(days=1))
    remember_user_tz(db, "T111", "U111", "America/Los_Angeles", now=FROZEN_NOW)
    client = WebClient(token="xoxb-test", base_url=fake_slack.url, retry_handlers=retry_handlers(), timeout=5)

    report = run_digests(
        db,
        client,
        now=datetime(2026, 3, 11, 17, 5, tzinfo=UTC),
        worker_id="w",
        out=lambda _: None,
        concurrency=1,
    )

    assert report.sent == 1
    [dm] = fake_slack.calls("chat.postMessage")
    assert dm.args["metadata"] == {
        "event_type": "touchbase_digest",
        "event_payload": {"user_id": "U111", "contact_ids": f"{grace.id},{ada.id}"},
    }

    # Grace is handled from the digest: the DM is re-rendered in place, with what it lists now.
    _log(db, grace.id, FROZEN_NOW - timedelta(hours=1))
    services = Services(
        settings=app_harness.test_settings(db.url, fake_slack.url),
        db=db,
        users=UserDirectory(client),
        clock=lambda: FROZEN_NOW,
    )
    refresh_digest(services, client, ME, DigestRef("DU111", "1.0"), now=FROZEN_NOW)
    update = fake_slack.last("chat.update")
    assert update.args["metadata"]["event_payload"] == {"user_id": "U111", "contact_ids": str(ada.id)}

    _log(db, ada.id, FROZEN_NOW - timedelta(hours=1))
    refresh_digest(services, client, ME, DigestRef("DU111", "1.0"), now=FROZEN_NOW)
    caught_up = fake_slack.last("chat.update")
    assert caught_up.args["metadata"] == {
        "event_type": "touchbase_digest",
        "event_payload": {"user_id": "U111", "contact_ids": ""},
    }
    _all_carry_metadata(fake_slack)


def test_metadata_builders_are_pure_and_bounded(db):
    jane = create_contact(db, ME, ContactDraft(name="Jane"), now=FROZEN_NOW)
    records = [_log(db, jane.id, FROZEN_NOW - timedelta(minutes=n)) for n in range(1, 4)]
    assert interaction_metadata(records[0])["event_payload"]["interaction_ids"] == str(records[0].id)
    month = month_reply_metadata(jane.id, "2026-03", records * 50)  # more than a month reply shows
    assert len(month["event_payload"]["interaction_ids"].split(",")) == 3  # ids once each
    assert timeline_metadata(jane.id) == {
        "event_type": "touchbase_timeline",
        "event_payload": {"contact_id": jane.id},
    }
    stale, _ = stale_contacts_for_owner(db, "T111", "U111", FROZEN_NOW + timedelta(days=400))
    assert digest_metadata("U111", stale)["event_payload"]["contact_ids"] == str(jane.id)
