"""Which phrases of a quick log name a contact: every candidate phrase in one statement.

The quick-log parser asks "does this phrase name a contact?" (a full name some live contact has,
or a first name exactly one live contact has) about several phrases per line; `known_names`
answers all of them at once, as `has_contact_named(p) or has_unique_first_name(p)` would.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Select, String, bindparam, func, literal_column, select, union_all

from bot.domain.boundary import MATCH_TEXT_MAX, has_control_chars
from bot.domain.records import Actor
from storage.contacts import LIVE, name_key
from storage.db import Database
from storage.models import Contact

KNOWN_NAMES_MAX_KEYS = 400  # phrases asked about in one statement (the rest: not answered)
# Prebuilt (the lists are expanding parameters): the full names among `keys`, and how many live
# contacts have each of `words` as their first name.
_KNOWN_FULL_NAMES: Select[str, str, int] = (
    select(
        literal_column("'n'", String).label("kind"), Contact.name_key.label("key"), func.count().label("n")
    )
    .where(
        Contact.team_id == bindparam("team_id"),
        LIVE,
        Contact.name_key.in_(bindparam("keys", expanding=True)),
    )
    .group_by(Contact.name_key)
)
_KNOWN_NAMES = union_all(
    _KNOWN_FULL_NAMES,
    select(
        literal_column("'f'", String).label("kind"),
        Contact.first_name_key.label("key"),
        func.count().label("n"),
    )
    .where(
        Contact.team_id == bindparam("team_id"),
        LIVE,
        Contact.first_name_key.in_(bindparam("words", expanding=True)),
    )
    .group_by(Contact.first_name_key),
)


def known_names(db: Database, actor: Actor, phrases: Iterable[str]) -> dict[str, bool]:
    """For each phrase, what `has_contact_named(p) or has_unique_first_name(p)` answers, in one
    statement: the full names (`name_key IN (...)`) and the one-word phrases' first-name counts.

    Phrases those functions would refuse or treat specially (empty, too long, control
    characters) are left out of the answer, as are any beyond KNOWN_NAMES_MAX_KEYS keys; the
    caller asks about those one by one.
    """
    keys: dict[str, str] = {}
    distinct: set[str] = set()
    for phrase in phrases:
        key = name_key(phrase)
        if not key or len(key) > MATCH_TEXT_MAX or has_control_chars(key):
            continue
        if key not in distinct and len(distinct) >= KNOWN_NAMES_MAX_KEYS:
            continue
        distinct.add(key)
        keys[phrase] = key
    if not keys:
        return {}
    wanted = sorted(distinct)
    single = [key for key in wanted if " " not in key]
    named: set[str] = set()
    unique_first: set[str] = set()
    with db.read() as session:
        rows = session.execute(
            _KNOWN_NAMES if single else _KNOWN_FULL_NAMES,
            {"team_id": actor.team_id, "keys": wanted, "words": single},
        )
        for kind, key, count in rows:
            if kind == "n":
                named.add(key)
            elif count == 1:
                unique_first.add(key)
    return {phrase: key in named or key in unique_first for phrase, key in keys.items()}
