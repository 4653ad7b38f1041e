"""Concurrent writers never leave `last_contacted_at` wrong, and retried submissions save once."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, text

from bot.domain.errors import NotFound
from bot.domain.records import Actor
from storage.contacts import ContactDraft, create_contact, get_contact
from storage.interactions import (
    InteractionChanges,
    InteractionDraft,
    create_interaction,
    delete_interaction,
    restore_interaction,
    update_interaction,
)
from storage.models import INTERACTION_TYPES, Interaction, UTCDateTime

TEAM = "T1"
WRITERS = 8
OPS_PER_WRITER = 40
SEED = 20260302


def run_in_threads(count: int, work: Callable[[int], object]) -> list[object]:
    """Run `work(i)` in `count` threads released together; re-raise the first failure."""
    barrier = threading.Barrier(count)
    results: list[object] = [None] * count
    errors: list[BaseException] = []

    def target(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = work(index)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a writer hung"
    if errors:
        raise errors[0]
    return results


# The stored value next to the definition (latest live interaction it attended whose type counts), read in
# one statement so both come from the same snapshot.
STORED_AND_TRUE = text(
    "SELECT c.last_contacted_at AS stored, "
    "(SELECT max(i.occurred_at) FROM interactions i"
    " JOIN interaction_contacts a ON a.interaction_id = i.id"
    " WHERE a.contact_id = c.id AND i.deleted_at IS NULL AND i.type <> 'note') AS latest "
    "FROM contacts c WHERE c.id = :contact_id"
).columns(stored=UTCDateTime(), latest=UTCDateTime())


def stored_and_true_last_contacted(db, contact_id: int) -> tuple[datetime | None, datetime | None]:
    with db.read() as session:
        stored, latest = session.execute(STORED_AND_TRUE, {"contact_id": contact_id}).one()
        return stored, latest


class Watcher:
    """Checks the invariant on every snapshot it can see while the writers run.

    Each write recomputes under the contact's lock and commits together with the interaction
    change, so every committed state must be consistent, not only the final one.
    """

    def __init__(self, db, *contact_ids: int) -> None:
        self.db = db
        self.contact_ids = contact_ids
        self.stop = threading.Event()
        self.checks = 0
        self.violations: list[tuple[int, datetime | None, datetime | None]] = []
        self.thread = threading.Thread(target=self.run)

    def run(self) -> None:
        while not self.stop.is_set():
            for contact_id in self.contact_ids:
                stored, latest = stored_and_true_last_contacted(self.db, contact_id)
                self.checks += 1
                if stored != latest:
                    self.violations.append((contact_id, stored, latest))
            time.sleep(0.002)

    def __enter__(self) -> Watcher:
        self.thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop.set()
        self.thread.join(timeout=30)


def test_concurrent_writers_leave_last_contacted_equal_to_latest_live_contact(db):
    owner = Actor(team_id=TEAM, user_id="U_OWNER")
    now = datetime.now(UTC)
    contact = create_contact(db, owner, ContactDraft(name="Jane Doe"), now=now)

    def random_past(rng: random.Random) -> datetime:
        return now - timedelta(days=rng.randint(0, 365), minutes=rng.randint(0, 1439))

    def writer(index: int) -> dict[str, int]:
        rng = random.Random(SEED + index)
        actor = Actor(team_id=TEAM, user_id=f"U_WRITER_{index}")
        live: list[int] = []
        deleted: list[int] = []
        done = {"create": 0, "backdate": 0, "retype": 0, "delete": 0, "restore": 0}
        for step in range(OPS_PER_WRITER):
            roll = rng.random()
            if not live or roll < 0.4:
                record, created = create_interaction(
                    db,
                    actor,
                    InteractionDraft(
                        contact_id=contact.id,
                        type=rng.choice(INTERACTION_TYPES),
                        occurred_at=random_past(rng),
                        summary=f"writer {index} step {step}",
                    ),
                    now=now,
                )
                assert created
                live.append(record.id)
                done["create"] += 1
            elif roll < 0.55:
                target = rng.choice(live)
                # Move it back: the case where "max(old, new)" bookkeeping would go wrong.
                update_interaction(
                    db,
                    actor,
                    target,
                    InteractionChanges(occurred_at=now - timedelta(days=rng.randint(366, 900))),
                    now=now,
                )
                done["backdate"] += 1
            elif roll < 0.7:
                target = rng.choice(live)
                update_interaction(
                    db,
                    actor,
                    target,
                    InteractionChanges(type=rng.choice(INTERACTION_TYPES), occurred_at=random_past(rng)),
                    now=now,
                )
                done["retype"] += 1
            elif roll < 0.88 or not deleted:
                target = live.pop(rng.randrange(len(live)))
                delete_interaction(db, actor, target, now=now)
                deleted.append(target)
                done["delete"] += 1
            else:
                target = deleted.pop(rng.randrange(len(deleted)))
                restore_interaction(db, actor, target, now=now)
                live.append(target)
                done["restore"] += 1
        return done

    with Watcher(db, contact.id) as watcher:
        results = run_in_threads(WRITERS, writer)

    totals = {kind: sum(result[kind] for result in results) for kind in results[0]}
    assert sum(totals.values()) == WRITERS * OPS_PER_WRITER
    assert all(count > 0 for count in totals.values()), totals
    assert watcher.checks > 0
    assert watcher.violations == []
    stored, expected = stored_and_true_last_contacted(db, contact.id)
    assert expected is not None
    assert stored == expected
    final = get_contact(db, owner, contact.id)
    assert final.last_contacted_at == expected
    assert final.due_at == expected + timedelta(days=final.effective_cadence_days)


def test_concurrent_submissions_with_same_source_ref_save_once(db):
    actor = Actor(team_id=TEAM, user_id="U_ALICE")
    now = datetime.now(UTC)
    contact = create_contact(db, actor, ContactDraft(name="Jane Doe"), now=now)
    occurred_at = now - timedelta(hours=2)
    draft = InteractionDraft(
        contact_id=contact.id,
        type="call",
        occurred_at=occurred_at,
        summary="renewal talk",
        source="modal",
        source_ref="view:V123:submission",
    )

    results = run_in_threads(WRITERS, lambda _index: create_interaction(db, actor, draft, now=now))

    ids = {record.id for record, _created in results}
    assert len(ids) == 1
    assert sum(created for _record, created in results) == 1
    with db.read() as session:
        rows = session.scalar(
            select(func.count()).select_from(Interaction).where(Interaction.source_ref == draft.source_ref)
        )
    assert rows == 1
    assert get_contact(db, actor, contact.id).last_contacted_at == occurred_at


def test_same_source_ref_in_another_workspace_is_a_separate_interaction(db):
    alice = Actor(team_id="T1", user_id="U_ALICE")
    zoe = Actor(team_id="T2", user_id="U_ZOE")
    now = datetime.now(UTC)
    occurred_at = now - timedelta(hours=2)
    records = []
    for actor in (alice, zoe):
        contact = create_contact(db, actor, ContactDraft(name="Jane Doe"), now=now)
        draft = InteractionDraft(
            contact_id=contact.id, type="call", occurred_at=occurred_at, summary="hi", source_ref="shared-ref"
        )
        record, created = create_interaction(db, actor, draft, now=now)
        assert created
        records.append(record)
    assert records[0].id != records[1].id
    assert [r.team_id for r in records] == ["T1", "T2"]


def test_concurrent_first_writes_in_a_new_workspace_all_land(db):
    """Writers racing to create the workspace, their contacts and interactions: none fails."""
    actor = Actor(team_id=TEAM, user_id="U_OWNER")
    now = datetime.now(UTC)

    def writer(index: int) -> int:
        contact = create_contact(
            db, actor, ContactDraft(name=f"Person {index}", email=f"p{index}@example.com"), now=now
        )
        for step in range(10):
            create_interaction(
                db,
                actor,
                InteractionDraft(
                    contact_id=contact.id,
                    type="call",
                    occurred_at=now - timedelta(days=step),
                    summary=f"step {step}",
                ),
                now=now,
            )
        return contact.id

    contact_ids = run_in_threads(WRITERS, writer)
    for contact_id in contact_ids:
        contact = get_contact(db, actor, contact_id)
        assert contact.last_contacted_at == now
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Interaction)) == WRITERS * 10


def test_moving_an_interaction_while_it_is_deleted_and_restored_keeps_both_contacts_right(db):
    """A delete or restore that read the interaction before a concurrent move must follow it."""
    author = Actor(team_id=TEAM, user_id="U_ALICE")
    now = datetime.now(UTC)
    jane = create_contact(db, author, ContactDraft(name="Jane Doe"), now=now)
    john = create_contact(db, author, ContactDraft(name="John Roe"), now=now)
    for contact in (jane, john):
        create_interaction(
            db,
            author,
            InteractionDraft(
                contact_id=contact.id, type="call", occurred_at=now - timedelta(days=30), summary="older"
            ),
            now=now,
        )
    wanderer, _ = create_interaction(
        db,
        author,
        InteractionDraft(
            contact_id=jane.id, type="call", occurred_at=now - timedelta(days=1), summary="moves"
        ),
        now=now,
    )
    rounds = 40

    def mover() -> int:
        moved = 0
        for step in range(rounds):
            target = john.id if step % 2 == 0 else jane.id
            try:
                update_interaction(db, author, wanderer.id, InteractionChanges(contact_id=target), now=now)
                moved += 1
            except NotFound:
                pass  # deleted at that moment: a fair answer
        return moved

    def deleter() -> int:
        for _ in range(rounds):
            delete_interaction(db, author, wanderer.id, now=now)
            restore_interaction(db, author, wanderer.id, now=now)
        return rounds

    with Watcher(db, jane.id, john.id) as watcher:
        moved, _ = run_in_threads(2, lambda index: (mover, deleter)[index]())

    assert moved > 0
    assert watcher.violations == []
    for contact in (jane, john):
        stored, latest = stored_and_true_last_contacted(db, contact.id)
        assert stored == latest
