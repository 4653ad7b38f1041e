"""The capture use cases without HTTP: what they save, and that their side effects wait for `after`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.errors import Forbidden, Invalid
from bot.domain.records import Actor
from bot.services import AfterAnswer, Services, capture, prefill
from bot.services.browse import ListRef
from bot.services.surfaces import DigestRef, Surfaces
from bot.services.users import SlackUser, UserDirectory
from bot.settings import Settings
from storage.contacts import ContactDraft, create_contact, get_contact
from storage.interactions import get_interaction
from storage.timelines import remember_reply, start_thread
from tests.recording_client import RecordingClient

NOW = datetime(2026, 3, 11, 17, 0, tzinfo=UTC)
ME = Actor(team_id="T111", user_id="U111")
COLLEAGUE = Actor(team_id="T111", user_id="U222")
LA = ZoneInfo("America/Los_Angeles")
USER = SlackUser(id="U111", name="Me", email=None, tz=LA, is_admin=False, locale="en-US")


@pytest.fixture
def svc(db):
    settings = Settings(
        slack_bot_token="xoxb-x",
        slack_signing_secret="s",
        slack_app_token=None,
        database_url=db.url,
        slack_api_url="http://127.0.0.1:9/api/",
        log_level="INFO",
        port=0,
    )
    return Services(
        settings=settings,
        db=db,
        users=UserDirectory(RecordingClient()),
        clock=lambda: NOW,
        timeline_pace_seconds=0,
    )


@pytest.fixture
def client():
    return RecordingClient()


def _jane(svc):
    return create_contact(svc.db, ME, ContactDraft(name="Jane Doe"), now=NOW - timedelta(days=30))


def _thread(svc, contact_id):
    thread_id = start_thread(svc.db, ME, contact_id, "C900", "1.1", LA, now=NOW)
    remember_reply(svc.db, ME, thread_id, "2026-03", "1.2")


def test_quick_log_saves_and_queues_the_timeline_refresh_for_after_the_answer(svc, client):
    jane = _jane(svc)
    _thread(svc, jane.id)
    after = AfterAnswer()
    outcome = capture.quick_log(
        svc, client, ME, USER, "Jane Doe call 30m renewal talk", now=NOW, source_ref="command:t1", after=after
    )
    assert outcome.saved is not None and outcome.prefill is None
    assert outcome.saved.summary == "renewal talk" and outcome.saved.duration_minutes == 30
    assert get_contact(svc.db, ME, jane.id).last_contacted_at == NOW
    assert client.calls == []  # nothing sent before the answer
    after.run()
    assert client.methods() == ["chat.update", "chat.update"]  # the thread's parent, then its month


def test_quick_log_resent_with_the_same_trigger_saves_once(svc, client):
    _jane(svc)
    first = capture.quick_log(
        svc, client, ME, USER, "Jane Doe call renewal", now=NOW, source_ref="command:t2", after=AfterAnswer()
    )
    again = capture.quick_log(
        svc, client, ME, USER, "Jane Doe call renewal", now=NOW, source_ref="command:t2", after=AfterAnswer()
    )
    assert first.saved is not None and again.saved is not None and first.saved.id == again.saved.id


def test_quick_log_that_is_unsure_opens_the_form_and_saves_nothing(svc, client):
    outcome = capture.quick_log(
        svc, client, ME, USER, "Nobody Known call hello", now=NOW, source_ref=None, after=AfterAnswer()
    )
    assert outcome.saved is None and outcome.prefill is not None
    assert "not a contact yet" in (outcome.prefill.notice or "")
    assert outcome.prefill.new_contact_name == "Nobody Known"


def _form(**fields):
    base = dict(
        view_id="V1",
        contact_id=None,
        new_contact_name=None,
        type="meeting",
        occurred_at=NOW - timedelta(hours=2),
        duration_minutes=45,
        summary="kickoff",
        notes=None,
    )
    base.update(fields)
    return capture.LogForm(**base)


def test_save_form_creates_then_an_edit_says_edited_and_refreshes_where_it_came_from(svc, client):
    jane = _jane(svc)
    after = AfterAnswer()
    saved = capture.save_form(svc, client, ME, _form(contact_id=jane.id), now=NOW, after=after)
    assert saved.created and not saved.edited
    after.run()
    surfaces = Surfaces(
        list=ListRef(view_id="VLIST", state={}, tz="America/Los_Angeles"),
        detail_view_id="VDETAIL",
        digest=DigestRef("D1", "9.9"),
    )
    client.calls.clear()
    after = AfterAnswer()
    edited = capture.save_form(
        svc,
        client,
        ME,
        _form(
            view_id="V2",
            contact_id=jane.id,
            interaction_id=saved.record.id,
            summary="kickoff, signed",
            surfaces=surfaces,
        ),
        now=NOW,
        after=after,
    )
    assert edited.edited and edited.record.summary == "kickoff, signed"
    assert client.calls == []
    after.run()
    updates = [(m, a.get("view_id") or a.get("channel")) for m, a in client.calls]
    assert updates[:3] == [("views.update", "VDETAIL"), ("views.update", "VLIST"), ("chat.update", "D1")]


def test_a_resent_form_is_saved_once_and_queues_nothing(svc, client):
    jane = _jane(svc)
    capture.save_form(svc, client, ME, _form(contact_id=jane.id), now=NOW, after=AfterAnswer())
    after = AfterAnswer()
    again = capture.save_form(svc, client, ME, _form(contact_id=jane.id), now=NOW, after=after)
    assert not again.created and len(after) == 0


def test_an_invalid_form_creates_no_contact(svc, client):
    with pytest.raises(Invalid) as raised:
        capture.save_form(
            svc, client, ME, _form(new_contact_name="Brand New", summary=""), now=NOW, after=AfterAnswer()
        )
    assert "summary" in raised.value.fields
    from storage.contacts import has_contact_named

    assert not has_contact_named(svc.db, ME, "Brand New")


def test_only_the_author_or_an_admin_may_edit_or_delete(svc, client):
    jane = _jane(svc)
    saved = capture.save_form(svc, client, ME, _form(contact_id=jane.id), now=NOW, after=AfterAnswer())
    with pytest.raises(Forbidden):
        prefill.edit_prefill(svc, COLLEAGUE, USER, saved.record.id)
    with pytest.raises(Forbidden):
        capture.delete(svc, client, COLLEAGUE, saved.record.id, now=NOW, after=AfterAnswer())
    admin = Actor(team_id="T111", user_id="U333", is_admin=True)
    deleted = capture.delete(svc, client, admin, saved.record.id, now=NOW, after=AfterAnswer())
    assert deleted.is_deleted
    restored = capture.restore(svc, client, ME, saved.record.id, now=NOW, after=AfterAnswer())
    assert not restored.is_deleted
    assert get_interaction(svc.db, ME, saved.record.id).summary == "kickoff"


def test_copies_of_a_new_contact_submission_arriving_at_once_save_one_contact_and_one_log(svc, client):
    """Slack's resend racing the first delivery: the unique source reference picks one winner,
    and the loser's contact is rolled back with its interaction (one transaction)."""
    import threading

    from storage.contacts import find_contacts

    barrier = threading.Barrier(6)
    results: list = []

    def submit() -> None:
        barrier.wait()
        form = _form(view_id="VRACE", new_contact_name="Brand New")
        results.append(capture.save_form(svc, client, ME, form, now=NOW, after=AfterAnswer()))

    threads = [threading.Thread(target=submit) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 6 and sum(saved.created for saved in results) == 1
    assert len({saved.record.id for saved in results}) == 1
    assert [m.contact.name for m in find_contacts(svc.db, ME, "Brand New") if m.exact] == ["Brand New"]


def test_a_mention_in_a_quick_log_creates_the_contact_only_with_its_log(svc, client):
    """A mentioned person not yet a contact: created in the log's transaction; an unclear quick
    log (the modal opens) creates nobody until the user saves."""
    from storage.contacts import find_contact_by_slack_user

    person = {
        "id": "U777",
        "team_id": "T111",
        "real_name": "Mo Salah",
        "tz": "Europe/London",
        "profile": {"real_name": "Mo Salah", "email": "mo@example.com"},
    }
    client = RecordingClient({"users.info": {"user": person}})
    unsure = capture.quick_log(
        svc, client, ME, USER, "<@U777> call yesteday", now=NOW, source_ref="command:T1", after=AfterAnswer()
    )
    assert unsure.saved is None and unsure.prefill is not None and unsure.slack_user_id == "U777"
    assert find_contact_by_slack_user(svc.db, ME, "U777") is None
    sure = capture.quick_log(
        svc,
        client,
        ME,
        USER,
        "<@U777> call 1h ago pricing",
        now=NOW,
        source_ref="command:T2",
        after=AfterAnswer(),
    )
    assert sure.saved is not None and sure.saved.contact_name == "Mo Salah"
    contact = find_contact_by_slack_user(svc.db, ME, "U777")
    assert contact is not None and contact.id == sure.saved.contact_id and contact.email == "mo@example.com"
