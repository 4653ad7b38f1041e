"""Capture: log (quick or by form), edit, delete and restore interactions.

Each use case saves in one storage transaction, returns the record for the user's answer, and
queues on `after` every refresh the change needs (surfaces the user acted from, timeline threads).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime

from slack_sdk import WebClient

from blocks.modals import LogPrefill
from bot.domain.errors import Invalid
from bot.domain.quicklog import parse_quick_log
from bot.domain.records import Actor, ContactRecord, InteractionRecord
from bot.domain.rules import zone
from bot.services import AfterAnswer, Services, followups, repeats
from bot.services.attendees import draft_picks, edit_contact_ids, resolve_quick_contacts
from bot.services.surfaces import NO_SURFACES, Surfaces, after_interactions_changed
from bot.services.users import SlackUser
from storage.contact_names import known_names
from storage.contacts import (
    ContactDraft,
    find_contact_by_slack_user,
    has_contact_named,
    has_unique_first_name,
)
from storage.interactions import (
    InteractionChanges,
    InteractionDraft,
    create_interaction,
    delete_interaction,
    find_interaction_by_source_ref,
    get_interaction,
    restore_interaction,
    update_interaction,
    validate_fields,
)
from storage.new_contact import find_or_create_contact

logger = logging.getLogger(__name__)
SUMMARY_PREFILL_CHARS = 120


@dataclass(frozen=True)
class LogForm:
    """A submitted log modal, read from its payload."""

    view_id: str  # one view is one interaction: a resent submission saves once
    contact_id: int | None
    new_contact_name: str | None
    type: str
    occurred_at: datetime | None
    duration_minutes: int | None
    summary: str
    notes: str | None
    interaction_id: int | None = None  # editing when set
    permalink: str | None = None
    # A message author suggested as a new contact, and the name suggested for them.
    slack_user_id: str | None = None
    suggested_name: str | None = None
    surfaces: Surfaces = field(default_factory=Surfaces)
    time_known: bool = True  # False when the time was left empty: only the day is known
    # The other contacts picked after the first, in order: an id, or the name of one to create.
    more_contacts: tuple[int | str, ...] = ()
    follow_up_on: date | None = None  # "Follow up on", local to the user
    completes_follow_up: int | None = None  # opened from a follow-up's Log button: close it on save
    tz: str | None = None  # the user's zone, for their local today


@dataclass(frozen=True)
class Saved:
    record: InteractionRecord
    edited: bool = False
    created: bool = True  # False when a resend found what the first submission saved


@dataclass(frozen=True)
class QuickLogOutcome:
    """Either saved, or the modal to open prefilled with what was understood and why it opens."""

    saved: InteractionRecord | None = None
    prefill: LogPrefill | None = None
    slack_user_id: str | None = None  # a mentioned person to create as a contact on submit
    repeat_of: InteractionRecord | None = None  # the same log saved minutes ago: ask first
    again: str | None = None  # the draft to save if the user says "log again"


class ContactNames:
    """The quick-log parser's `contact_names`: does a phrase name a contact (a full name some
    contact has, or a first name exactly one contact has)?

    The parser tells it every phrase it may ask about (`expect`); the first question answers
    them all in one query (`known_names`). A phrase that wasn't expected, or that query leaves
    out, is asked on its own, as it always was.
    """

    def __init__(self, svc: Services, actor: Actor) -> None:
        self._db = svc.db
        self._actor = actor
        self._expected: list[str] = []
        self._answers: dict[str, bool] | None = None

    def expect(self, phrases: list[str]) -> None:
        self._expected = list(phrases)
        self._answers = None

    def __call__(self, phrase: str) -> bool:
        if self._answers is None:
            self._answers = known_names(self._db, self._actor, [*self._expected, phrase])
        answer = self._answers.get(phrase)
        if answer is None:
            answer = has_contact_named(self._db, self._actor, phrase) or has_unique_first_name(
                self._db, self._actor, phrase
            )
            self._answers[phrase] = answer
        return answer


def new_log_prefill(
    user: SlackUser, *, now: datetime, contact: ContactRecord | None = None, notice: str | None = None
) -> LogPrefill:
    local = now.astimezone(user.tz)
    return LogPrefill(
        contact_id=contact.id if contact else None,
        contact_name=contact.name if contact else None,
        date=local.date(),
        time=local.strftime("%H:%M"),
        notice=notice,
    )


def quick_log(
    svc: Services,
    client: WebClient,
    actor: Actor,
    user: SlackUser,
    text: str,
    *,
    now: datetime,
    source_ref: str | None,
    after: AfterAnswer,
) -> QuickLogOutcome:
    """`/log jane call yesterday 3pm renewal`: saved when every part is certain, else the modal."""
    # Everything read before the save shares one read transaction (the save is its own).
    with svc.db.snapshot():
        parsed = parse_quick_log(
            text, now=now, tz=user.tz, locale=user.locale, contact_names=ContactNames(svc, actor)
        )
        problems = list(parsed.problems)
        # Every name or mention, resolved one by one; an unsure one opens the modal with the others.
        named = resolve_quick_contacts(svc, client, actor, parsed.contact_texts)
        problems.extend(named.problems)
        contact, new_contact = named.first, named.first_person
        contact_ids = tuple(c.id for c in named.contacts)
        # A mentioned person who isn't a contact yet, suggested first in the modal, is linked on Save.
        slack_user_id = new_contact.slack_user_id if new_contact else None
        if not parsed.contact_texts:
            problems.append("Who was it with? Pick a contact.")
        if parsed.type is None:
            problems.append("What kind of interaction was it? Pick a type.")
        if not parsed.summary:
            problems.append("Add a short summary.")

        occurred_at = parsed.occurred_at  # None: unclear or in the future, the modal asks (never `now`)
        draft: InteractionDraft | None = None
        if not problems and (contact or new_contact) and parsed.type is not None and occurred_at is not None:
            draft = InteractionDraft(
                contact_id=contact.id if contact else None,
                new_contact=new_contact,
                more=named.more,
                type=parsed.type,
                occurred_at=occurred_at,
                time_known=parsed.time_known,
                summary=parsed.summary,
                duration_minutes=parsed.duration_minutes,
                source="command",
                source_ref=source_ref,
                follow_up_on=parsed.follow_up_on,
            )
            already = find_interaction_by_source_ref(svc.db, actor, source_ref) if source_ref else None
            if already is not None:
                return QuickLogOutcome(saved=already)  # the same request again: what it saved
            earlier = (
                contact
                and not named.people
                and repeats.earlier_same_log(
                    svc,
                    actor,
                    contact_id=contact.id,
                    contact_ids=contact_ids,
                    type=parsed.type,
                    summary=parsed.summary,
                    now=now,
                )
            )
            if earlier:
                return QuickLogOutcome(repeat_of=earlier, again=repeats.encode_again(draft))
    if draft is not None:
        try:
            record, _ = create_interaction(svc.db, actor, draft, now=now)
        except Invalid as invalid:
            problems.extend(invalid.fields.values())
        else:
            after_interactions_changed(
                after, svc, client, actor, contact_ids=record.contact_ids, when=[record.occurred_at], now=now
            )
            return QuickLogOutcome(saved=record)

    # Not certain: show the modal with what was understood rather than guess. An unclear time
    # leaves the date and time empty, so nothing is saved for a moment the user didn't say.
    local = occurred_at.astimezone(user.tz) if occurred_at is not None else None
    return QuickLogOutcome(
        prefill=LogPrefill(
            contact_id=contact.id if contact else None,
            contact_name=contact.name if contact else None,
            new_contact_name=named.modal_names()[0],
            more_contacts=named.more_contacts,
            more_new_contacts=named.modal_names()[1],
            type=parsed.type,
            date=local.date() if local else None,
            time=local.strftime("%H:%M") if local and parsed.time_known else None,
            duration_minutes=parsed.duration_minutes,
            summary=parsed.summary or None,
            notice=" ".join(problems),
            follow_up_on=parsed.follow_up_on,
        ),
        slack_user_id=slack_user_id,
    )


def save_form(
    svc: Services, client: WebClient, actor: Actor, form: LogForm, *, now: datetime, after: AfterAnswer
) -> Saved:
    """Create or edit from the log modal. Raises Invalid (field errors) before anything is saved."""
    # Check the interaction itself first: a contact is only created for a valid one.
    validate_fields(
        type=form.type,
        occurred_at=form.occurred_at,
        summary=form.summary,
        duration_minutes=form.duration_minutes,
        notes=form.notes,
        now=now,
    )
    with svc.db.snapshot():  # the reads before the save: one transaction
        if not form.interaction_id:
            # Slack resends a submission it got no answer to (after a restart): what the first one
            # saved is the answer, and the new contact it created is not created again.
            already = find_interaction_by_source_ref(svc.db, actor, f"view:{form.view_id}")
            if already is not None:
                return Saved(already, created=False)
        before = get_interaction(svc.db, actor, form.interaction_id) if form.interaction_id else None
        followups.check_form_day(form.follow_up_on, before, now.astimezone(zone(form.tz)).date())
        contact_id, new_contact = form.contact_id, None
        if contact_id is None:
            contact_id, new_contact = _contact_from_form(svc, client, actor, form)
        more = draft_picks(form.more_contacts)
        more_ids = tuple(p for p in more if isinstance(p, int))
        earlier = None
        if contact_id is not None and len(more_ids) == len(more) and not form.interaction_id:
            earlier = repeats.earlier_same_log(
                svc,
                actor,
                contact_id=contact_id,
                contact_ids=(contact_id, *more_ids),
                type=form.type,
                summary=form.summary,
                now=now,
            )
    if earlier is not None and not repeats.confirmed(svc, actor, form.view_id, now=now):
        repeats.warn(svc, actor, form.view_id, now=now)
        minutes = max(1, round((now - earlier.created_at).total_seconds() / 60))
        raise Invalid(
            {"summary": f"You logged this {minutes} min ago — log again? Save again to log it twice."}
        )
    if form.interaction_id and before is not None:
        if contact_id is None:  # an edit naming a new contact: create it first
            assert new_contact is not None
            contact_id = find_or_create_contact(svc.db, actor, new_contact, now=now)
        record = update_interaction(
            svc.db,
            actor,
            form.interaction_id,
            InteractionChanges(
                contact_ids=edit_contact_ids(svc, actor, contact_id, form.more_contacts, now=now),
                type=form.type,
                occurred_at=form.occurred_at,
                summary=form.summary,
                duration_minutes=form.duration_minutes,
                notes=form.notes or "",
                clear_duration=form.duration_minutes is None,
                clear_notes=not form.notes,
                time_known=form.time_known,
                follow_up_on=form.follow_up_on,
                # An empty "Follow up on" removes an open follow-up; a done one stays on record.
                clear_follow_up=form.follow_up_on is None and before.follow_up_due_on is not None,
            ),
            now=now,
        )
        # An edit may move the interaction away from contacts whose threads must change too.
        after_interactions_changed(
            after,
            svc,
            client,
            actor,
            contact_ids=before.contact_ids | record.contact_ids,
            when=[before.occurred_at, record.occurred_at],
            now=now,
            surfaces=form.surfaces,
            interaction_id=record.id,
            list_notice=f"Updated: {record.type} with {record.contact_names}.",
        )
        return Saved(record, edited=True)
    record, created = create_interaction(
        svc.db,
        actor,
        InteractionDraft(
            contact_id=contact_id,
            type=form.type,
            occurred_at=form.occurred_at,
            time_known=form.time_known,
            summary=form.summary,
            duration_minutes=form.duration_minutes,
            notes=form.notes,
            source="shortcut" if form.permalink else "modal",
            source_ref=f"view:{form.view_id}",
            permalink=form.permalink,
            follow_up_on=form.follow_up_on,
            new_contact=new_contact,
            more=more,
        ),
        now=now,
    )
    if created and form.completes_follow_up:
        followups.complete_after_log(svc, actor, form.completes_follow_up, now=now)
    if created:
        after_interactions_changed(
            after,
            svc,
            client,
            actor,
            contact_ids=record.contact_ids,
            when=[record.occurred_at],
            now=now,
            surfaces=form.surfaces,
        )
    return Saved(record, created=created)


def log_interaction(
    svc: Services,
    client: WebClient,
    actor: Actor,
    draft: InteractionDraft,
    *,
    now: datetime,
    after: AfterAnswer,
) -> Saved:
    """Log one interaction for an already chosen contact (a workflow step, say), as `actor`.

    The same validation and side effects as /log: Invalid before anything is saved; the timeline
    threads of the contact refreshed after the answer. A repeated `source_ref` saves once.
    """
    record, created = create_interaction(svc.db, actor, draft, now=now)
    if created:
        after_interactions_changed(
            after, svc, client, actor, contact_ids=record.contact_ids, when=[record.occurred_at], now=now
        )
    return Saved(record, created=created)


def _contact_from_form(
    svc: Services, client: WebClient, actor: Actor, form: LogForm
) -> tuple[int | None, ContactDraft | None]:
    """The contact a submission names: an existing id, or the draft of a new one.

    A new contact is created by storage in the interaction's own transaction (all or nothing).
    """
    name = form.new_contact_name
    if not name:
        raise Invalid({"contact": "Choose who this was with, or type a new name."})
    if form.slack_user_id and name == form.suggested_name:
        linked = find_contact_by_slack_user(svc.db, actor, form.slack_user_id)
        if linked is not None:
            return linked.id, None
        person = svc.users.get(actor.team_id, form.slack_user_id, client=client)
        return None, ContactDraft(name=name, email=person.email, slack_user_id=form.slack_user_id)
    return None, ContactDraft(name=name)


def delete(
    svc: Services,
    client: WebClient,
    actor: Actor,
    interaction_id: int,
    *,
    now: datetime,
    after: AfterAnswer,
    surfaces: Surfaces = NO_SURFACES,
) -> InteractionRecord:
    record = delete_interaction(svc.db, actor, interaction_id, now=now)
    after_interactions_changed(
        after,
        svc,
        client,
        actor,
        contact_ids=record.contact_ids,
        when=[record.occurred_at],
        now=now,
        surfaces=surfaces,
        interaction_id=record.id,
        list_notice=f"Deleted: {record.type} with {record.contact_names} — {record.summary}",
        undo_id=record.id,
    )
    return record


def restore(
    svc: Services,
    client: WebClient,
    actor: Actor,
    interaction_id: int,
    *,
    now: datetime,
    after: AfterAnswer,
    surfaces: Surfaces = NO_SURFACES,
) -> InteractionRecord:
    record = restore_interaction(svc.db, actor, interaction_id, now=now)
    after_interactions_changed(
        after,
        svc,
        client,
        actor,
        contact_ids=record.contact_ids,
        when=[record.occurred_at],
        now=now,
        surfaces=surfaces,
        interaction_id=record.id,
        list_notice=f"Restored: {record.type} with {record.contact_names}.",
    )
    return record
