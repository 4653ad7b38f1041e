"""The contact a log names for the first time, found or created inside the log's own transaction.

Creating the contact and its first interaction in one transaction is what makes a log modal's
submission all-or-nothing: a crash between the two can't leave a contact nobody logged with, and
a resent submission (Slack resends one it got no answer to) finds the first delivery's interaction
by its source reference, or loses the race to the unique reference and rolls its contact back.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.errors import Invalid
from bot.domain.records import Actor
from storage.contacts import LIVE, ContactDraft, _clean_draft, _insert_contact, ensure_workspace, name_key
from storage.db import Database
from storage.models import Contact


def contact_for_new_log(session: Session, actor: Actor, draft: ContactDraft, *, now: datetime) -> int:
    """The id of the contact `draft` describes: an existing one it unmistakably is, else a new one.

    A Slack user already linked to a contact is that contact; a Slack user whose email a contact
    has is linked to it. A typed name that exactly one live contact already has (created a moment
    ago by someone else, say) is that contact: the picker only offers "create" when none has it.
    """
    try:
        draft = _clean_draft(draft)
    except Invalid as invalid:  # the log modal's field for a new contact is "contact"
        raise Invalid({"contact": " ".join(invalid.fields.values())}) from None
    team = Contact.team_id == actor.team_id
    if draft.slack_user_id:
        linked = session.scalars(
            select(Contact).where(team, Contact.slack_user_id == draft.slack_user_id)
        ).first()
        if linked is not None:
            return linked.id
        if draft.email:
            same_email = session.scalars(
                select(Contact).where(team, Contact.email == draft.email).with_for_update()
            ).first()
            if same_email is not None:
                if same_email.slack_user_id is None:
                    same_email.slack_user_id = draft.slack_user_id
                    same_email.updated_at = now
                return same_email.id
    else:
        named = session.scalars(
            select(Contact.id).where(team, LIVE, Contact.name_key == name_key(draft.name)).limit(2)
        ).all()
        if len(named) == 1:
            return named[0]
    return _insert_contact(session, actor, draft, now).id


def find_or_create_contact(db: Database, actor: Actor, draft: ContactDraft, *, now: datetime) -> int:
    """`contact_for_new_log` in a transaction of its own (an edit that names a new contact).

    A resent edit finds the contact its first delivery created (the only one with that name).
    """
    with db.write() as session:
        ensure_workspace(session, actor.team_id, now=now)
        return contact_for_new_log(session, actor, draft, now=now)
