"""Concurrent writers on interactions that share contacts never leave any attendee's
`last_contacted_at` wrong, and never deadlock (contacts are locked in id order)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

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
from storage.models import INTERACTION_TYPES
from tests.test_storage_concurrency import SEED, TEAM, Watcher, run_in_threads, stored_and_true_last_contacted

WRITERS = 6
OPS_PER_WRITER = 30


def test_concurrent_writers_on_shared_attendees_keep_every_contact_right(db):
    owner = Actor(team_id=TEAM, user_id="U_OWNER")
    now = datetime.now(UTC)
    people = [create_contact(db, owner, ContactDraft(name=f"Person {n}"), now=now).id for n in range(4)]
    # Shared by every writer: each edit re-picks its attendees among the same four contacts.
    shared, _ = create_interaction(
        db,
        owner,
        InteractionDraft(
            contact_id=None,
            contact_ids=tuple(people[:2]),
            type="meeting",
            occurred_at=now - timedelta(days=3),
            summary="kick-off",
        ),
        now=now,
    )

    def some(rng: random.Random) -> tuple[int, ...]:
        picked = rng.sample(people, rng.randint(1, len(people)))
        return tuple(picked)  # in random order: the first one differs from call to call

    def past(rng: random.Random) -> datetime:
        return now - timedelta(days=rng.randint(0, 200), minutes=rng.randint(0, 1439))

    def writer(index: int) -> dict[str, int]:
        rng = random.Random(SEED + index)
        actor = Actor(team_id=TEAM, user_id=f"U_WRITER_{index}", is_admin=True)
        mine: list[int] = []
        done = {"create": 0, "attendees": 0, "shared": 0, "delete": 0}
        for step in range(OPS_PER_WRITER):
            roll = rng.random()
            if not mine or roll < 0.35:
                record, _ = create_interaction(
                    db,
                    actor,
                    InteractionDraft(
                        contact_id=None,
                        contact_ids=some(rng),
                        type=rng.choice(INTERACTION_TYPES),
                        occurred_at=past(rng),
                        summary=f"writer {index} step {step}",
                    ),
                    now=now,
                )
                mine.append(record.id)
                done["create"] += 1
            elif roll < 0.6:
                changes = InteractionChanges(contact_ids=some(rng), occurred_at=past(rng))
                update_interaction(db, actor, rng.choice(mine), changes, now=now)
                done["attendees"] += 1
            elif roll < 0.8:
                # Everyone edits the same interaction: its attendees and time move under each other.
                update_interaction(
                    db,
                    actor,
                    shared.id,
                    InteractionChanges(contact_ids=some(rng), type=rng.choice(INTERACTION_TYPES)),
                    now=now,
                )
                done["shared"] += 1
            else:
                target = rng.choice(mine)
                delete_interaction(db, actor, target, now=now)
                if rng.random() < 0.5:
                    restore_interaction(db, actor, target, now=now)
                else:
                    mine.remove(target)
                done["delete"] += 1
        return done

    with Watcher(db, *people) as watcher:
        results = run_in_threads(WRITERS, writer)

    totals = {kind: sum(result[kind] for result in results) for kind in results[0]}
    assert all(count > 0 for count in totals.values()), totals
    assert watcher.checks > 0
    assert watcher.violations == []
    for contact_id in people:
        stored, expected = stored_and_true_last_contacted(db, contact_id)
        assert stored == expected
        final = get_contact(db, owner, contact_id)
        base = expected if expected is not None else final.created_at
        assert final.due_at == base + timedelta(days=final.effective_cadence_days)


def test_merges_and_their_undo_concurrent_with_edits_never_deadlock_and_keep_every_contact_right(db):
    """A merge rewrites every interaction the merged contact attended while editors change those
    same interactions: both lock interactions before contacts, so they wait, never deadlock."""
    from storage.contact_lifecycle import merge_contacts, unmerge_contacts

    owner = Actor(team_id=TEAM, user_id="U_OWNER", is_admin=True)
    now = datetime.now(UTC)
    ana, bo, cy = (create_contact(db, owner, ContactDraft(name=f"Merge {n}"), now=now).id for n in "ABC")
    attended = [
        create_interaction(
            db,
            owner,
            InteractionDraft(
                contact_id=None,
                contact_ids=(ana, bo) if n % 2 else (cy, ana),
                type="call",
                occurred_at=now - timedelta(days=n + 1),
                summary=f"shared {n}",
            ),
            now=now,
        )[0].id
        for n in range(8)
    ]
    merges = 12

    def worker(index: int) -> dict[str, int]:
        rng = random.Random(SEED + index)
        done = {"merge": 0, "edit": 0}
        if index == 0:
            for _ in range(merges):
                merge_contacts(db, owner, ana, bo, now=now)
                unmerge_contacts(db, owner, ana, now=now)
                done["merge"] += 1
            return done
        for step in range(40):
            changes = InteractionChanges(
                summary=f"edit {index}.{step}",
                occurred_at=now - timedelta(days=rng.randint(1, 90)),
                type=rng.choice(INTERACTION_TYPES),
            )
            update_interaction(db, owner, rng.choice(attended), changes, now=now)
            done["edit"] += 1
        return done

    results = run_in_threads(4, worker)
    assert sum(r["merge"] for r in results) == merges and sum(r["edit"] for r in results) == 3 * 40
    for contact_id in (ana, bo, cy):
        stored, expected = stored_and_true_last_contacted(db, contact_id)
        assert stored == expected
