"""`/contact add`: name, email and company read without guessing, or said plainly when guessed."""

from __future__ import annotations

import json

import pytest

from bot.domain.contact_add import parse_contact_add
from bot.domain.records import Actor
from storage.contacts import list_contacts
from tests.app_harness import wait_responses

ME = Actor(team_id="T111", user_id="U111")


@pytest.mark.parametrize(
    ("text", "name", "email", "company"),
    [
        ('"Mia Chen" Initech', "Mia Chen", None, "Initech"),
        ("“Mia Chen” mia@initech.com Initech GmbH", "Mia Chen", "mia@initech.com", "Initech GmbH"),
        ('"Mia Chen Initech"', "Mia Chen Initech", None, None),
        ("Mia Chen, mia@initech.com, Initech", "Mia Chen", "mia@initech.com", "Initech"),
        ("Mia Chen, Initech", "Mia Chen", None, "Initech"),
        ("Mia Chen,Initech,", "Mia Chen", None, "Initech"),
        ("Bob Stone, Stone, Inc.", "Bob Stone", None, "Stone, Inc."),
        ("Mia Chen mia@initech.com, Initech", "Mia Chen", "mia@initech.com", "Initech"),
        ("Mia Chen mia@initech.com Initech", "Mia Chen", "mia@initech.com", "Initech"),
        ("Mia Chen mia@initech.com", "Mia Chen", "mia@initech.com", None),
        ("Mia (mia@initech.com).", "Mia", "mia@initech.com", None),
        ("Jane Doe", "Jane Doe", None, None),
        ("  Jane   Doe ", "Jane Doe", None, None),
        ("Cher", "Cher", None, None),
    ],
)
def test_unambiguous_splits(text, name, email, company):
    understood = parse_contact_add(text)

    assert (understood.name, understood.email, understood.company) == (name, email, company)
    assert not understood.guessed and understood.note is None and understood.ok


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [
        ("Mia Chen Initech", "`/contact add Mia Chen, Initech`"),
        ("Bad Email not-an-email Foo", "`/contact add Bad Email not-an-email, Foo`"),
    ],
)
def test_three_words_or_more_without_a_separator_are_a_name_and_a_guess(text, suggestion):
    understood = parse_contact_add(text)

    assert (understood.name, understood.email, understood.company) == (text, None, None)
    assert understood.guessed and understood.ok
    assert understood.note == (
        f"I took all of “{text}” as the name. To set a company, use commas: {suggestion} "
        "(or quotes around the name)."
    )


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("Jane jane@acme Acme", "“jane@acme” isn't an email address"),
        ("Jane, jane@, Acme", "“jane@” isn't an email address"),
        ("Jane a@b.example c@d.example", "A contact has one email, and I found 2"),
    ],
)
def test_a_broken_email_is_refused_not_stored(text, problem):
    understood = parse_contact_add(text)

    assert not understood.ok and problem in understood.problem


# --- through the app ---------------------------------------------------------------------------


def _added(touchbase, text: str) -> tuple[dict, list]:
    touchbase.slack.command("/contact", text)
    [answer] = wait_responses(touchbase.fake)
    return answer.args, [(c.name, c.email, c.company) for c in list_contacts(touchbase.db, ME)]


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ('add "Mia Chen" Initech', ("Mia Chen", None, "Initech")),
        (
            "add Mia Chen, <mailto:mia@initech.com|mia@initech.com>, Initech",
            ("Mia Chen", "mia@initech.com", "Initech"),
        ),
        (
            "add Mia Chen <mailto:mia@initech.com|mia@initech.com> Initech",
            ("Mia Chen", "mia@initech.com", "Initech"),
        ),
        ("add AT&amp;T Person, AT&amp;T", ("AT&T Person", None, "AT&T")),
    ],
)
def test_contact_add_stores_what_it_read(touchbase, text, stored):
    answer, contacts = _added(touchbase, text)

    assert contacts == [stored]
    assert answer["text"] == f"Added {stored[0]}."


def test_a_guessed_split_is_stored_and_said(touchbase):
    answer, contacts = _added(touchbase, "add Mia Chen Initech")

    assert contacts == [("Mia Chen Initech", None, None)]
    assert answer["text"].startswith(
        "Added “Mia Chen Initech”. I took all of “Mia Chen Initech” as the name."
    )
    shown = json.dumps(answer["blocks"], ensure_ascii=False)
    assert "To set a company, use commas: `/contact add Mia Chen, Initech`" in shown


def test_a_broken_email_stores_nothing_and_says_why(touchbase):
    answer, contacts = _added(touchbase, "add Bad Email not-an-email@ Foo")

    assert contacts == []
    assert "“not-an-email@” isn't an email address, so I didn't add the contact" in answer["text"]
