"""Reading `/contact add …`: name, email and company, said plainly when it was a guess.

Pure: text in (already unescaped: `<mailto:a@b.c|a@b.c>` is `a@b.c`), a `ContactAdd` out.
The text is read in this order, the first that applies deciding:

- Quotes: `"Mia Chen" Initech` — the quoted part is the name; in the rest, an email is the
  email and the other words are the company.
- Commas: `Mia Chen, mia@initech.com, Initech` — the first part is the name; a part that
  is an email is the email; the other parts (joined by ", ") are the company.
- An email between words: `Mia Chen mia@initech.com Initech` — before it the name,
  after it the company.
- Otherwise all of it is the name. With three words or more a company may be hiding in
  there, so `guessed` is set and `note` says what was understood and how to say otherwise.

A word with an `@` that isn't a well-formed email (`jane@acme`), or a second email, makes
`problem` say so: the caller stores nothing, rather than a name with a broken email in it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

EMAIL_RE = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")
_QUOTED = re.compile(r"[\"“”](.*?)[\"“”]")
# Words at most this many are a plain name ("Jane Doe"): nothing to guess.
PLAIN_NAME_WORDS = 2


@dataclass(frozen=True)
class ContactAdd:
    name: str
    email: str | None = None
    company: str | None = None
    guessed: bool = False
    note: str | None = None  # what was understood, when `guessed`
    problem: str | None = None  # the text can't be read as a contact: store nothing

    @property
    def ok(self) -> bool:
        return self.problem is None


def parse_contact_add(text: str) -> ContactAdd:
    text = " ".join((text or "").split())
    quoted = _QUOTED.search(text)
    if quoted:
        name = " ".join(quoted.group(1).split())
        rest = (text[: quoted.start()] + " " + text[quoted.end() :]).replace(",", " ")
        return _with_email_and_company(name, rest.split())
    if "," in text:
        parts = [part.split() for part in text.split(",")]
        name_words, others = parts[0], parts[1:]
        at = next((i for i, word in enumerate(name_words) if "@" in word), None)
        if at is not None:  # `Mia Chen mia@initech.com, Initech`
            others = [name_words[at:], *others]
            name_words = name_words[:at]
        emails = [_clean(word) for words in others for word in words if "@" in word]
        company_parts = [" ".join(w for w in words if "@" not in w) for words in others]
        return ContactAdd(
            name=" ".join(name_words),
            email=emails[0] if emails else None,
            company=", ".join(part for part in company_parts if part) or None,
            problem=_email_problem(emails),
        )
    words = text.replace("\u00a0", " ").split()
    at_words = [i for i, word in enumerate(words) if "@" in word]
    if at_words:
        first = at_words[0]
        return _with_email_and_company(" ".join(words[:first]), words[first:])
    name = " ".join(words)
    if len(words) <= PLAIN_NAME_WORDS:
        return ContactAdd(name=name)
    suggestion = f"{' '.join(words[:-1])}, {words[-1]}"
    return ContactAdd(
        name=name,
        guessed=True,
        note=f"I took all of “{name}” as the name. "
        f"To set a company, use commas: `/contact add {suggestion}` (or quotes around the name).",
    )


def _with_email_and_company(name: str, words: list[str]) -> ContactAdd:
    emails = [_clean(word) for word in words if "@" in word]
    others = [word for word in words if "@" not in word]
    email = emails[0] if emails else None
    return ContactAdd(
        name=name,
        email=email,
        company=" ".join(others) or None,
        problem=_email_problem(emails),
    )


def _email_problem(emails: list[str]) -> str | None:
    for email in emails:
        if not EMAIL_RE.match(email):
            return f"“{email}” isn't an email address, so I didn't add the contact. Check it and try again."
    if len(emails) > 1:
        return (
            f"A contact has one email, and I found {len(emails)} ({', '.join(emails)}), "
            "so I didn't add the contact."
        )
    return None


def _clean(word: str) -> str:
    """An email as typed in a sentence: `(mia@initech.com).` -> `mia@initech.com`."""
    return word.strip("<>()[];:'\".")
