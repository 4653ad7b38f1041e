"""What every adversarial test judges: the HTTP answer, what Slack received, the database invariants.

`EXAMPLES` is the number of hypothesis cases per entry point: a short run inside `make test`,
`TOUCHBASE_FUZZ_EXAMPLES=2000` (`make fuzz`) for the long one.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from typing import Any

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from blocks import ids
from storage.models import Contact, Interaction

EXAMPLES = int(os.environ.get("TOUCHBASE_FUZZ_EXAMPLES", "25"))
COUNTING = ("call", "email", "meeting", "message", "other")

fuzz_settings = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=EXAMPLES < 100,
    phases=[
        Phase.explicit,
        Phase.generate,
    ],  # a failure is reported as found: shrinking costs minutes  # the short run is the same every time; the long one explores
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

APOLOGY = "went wrong"


class Unhandled(logging.Handler):
    """Collects every error the app logged with a traceback (an apology's, or Bolt's own)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []
        self._lock = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info or "Unexpected error" in record.getMessage():
            with self._lock:
                self.records.append(record)

    def summary(self) -> list[str]:
        return [
            f"{r.name}: {r.getMessage()} {r.exc_info[1]!r}" if r.exc_info else r.getMessage()
            for r in self.records
        ]


class Counter:
    """Cases run per entry point (printed at the end of the session by conftest)."""

    counts: dict[str, int] = {}
    lock = threading.Lock()

    @classmethod
    def add(cls, name: str) -> None:
        with cls.lock:
            cls.counts[name] = cls.counts.get(name, 0) + 1


# --- strategies --------------------------------------------------------------------------

NASTY_WORDS = [
    "\x00",
    "\x01",
    "\x1b[31m",
    "\u202e",
    "\ufdfa",  # expands to 18 letters under NFKC
    "ﷺ",
    "until:0001-01-01",
    "since:9999-12-31",
    "until:99999-01-01",
    "since:0000-00-00",
    "<!channel>",
    "<@U999>",
    "<@U222|ana>",
    "Jane",
    "Jane Doe",
    "call",
    "note",
    "yesterday 3pm",
    "30m",
    "add",
    "-1",
    "²",
    "9" * 30,
    "'; DROP TABLE contacts; --",
    "%",
    "_",
    "\\",
    '"quoted"',
]

text_soup = st.one_of(
    st.text(max_size=200),
    st.lists(st.sampled_from(NASTY_WORDS), max_size=10).map(" ".join),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=3000, max_size=4000),
    st.text(alphabet="abcdefghij \x00", min_size=1, max_size=50),
)

json_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    text_soup,
    st.sampled_from(["1", "0", "²", "１２", "new:Zoë", "new:\x00", "-5", "9" * 25, "view:1", "digest:1"]),
)
json_value = st.recursive(
    json_scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)

LOG_BLOCKS = [
    ids.BLOCK_CONTACT,
    ids.BLOCK_TYPE,
    ids.BLOCK_DATE,
    ids.BLOCK_TIME,
    ids.BLOCK_DURATION,
    ids.BLOCK_SUMMARY,
    ids.BLOCK_NOTES,
]
CONTACT_BLOCKS = [
    ids.BLOCK_CONTACT_NAME,
    ids.BLOCK_CONTACT_EMAIL,
    ids.BLOCK_CONTACT_COMPANY,
    ids.BLOCK_CONTACT_CADENCE,
    ids.BLOCK_CONTACT_OWNER,
]
MODALS = {
    ids.LOG_MODAL: LOG_BLOCKS,
    ids.CONTACT_MODAL: CONTACT_BLOCKS,
    ids.SNOOZE_MODAL: [ids.BLOCK_SNOOZE_DATE],
}  # the modals with a submit button (the list and detail views have none)
ACTION_IDS = sorted({getattr(ids, name) for name in dir(ids) if name.startswith("ACTION_")})

element_state = st.fixed_dictionaries(
    {},
    optional={
        "type": st.sampled_from(
            ["static_select", "external_select", "plain_text_input", "datepicker", "timepicker"]
        ),
        "value": json_value,
        "selected_option": st.one_of(json_value, st.fixed_dictionaries({"value": json_value})),
        "selected_date": st.one_of(
            json_value,
            st.sampled_from(["0001-01-01", "9999-12-31", "2026-02-30", "2026-03-10", "2999-01-01"]),
        ),
        "selected_time": st.one_of(json_value, st.sampled_from(["25:00", "12:00", "23:59", ":"])),
        "selected_options": json_value,
        "selected_user": json_value,
    },
)
metadata = st.one_of(
    json_value,
    st.dictionaries(
        st.sampled_from(
            ["channel", "tz", "interaction", "contact", "surfaces", "response_url", "slack_user", "new_name"]
        ),
        json_value,
        max_size=5,
    ).map(json.dumps),
    st.text(min_size=2900, max_size=3100),
)


@st.composite
def submitted_views(draw) -> dict[str, Any]:
    callback_id = draw(
        st.one_of(
            st.sampled_from(sorted(MODALS)),
            st.sampled_from([ids.LIST_MODAL, ids.DETAIL_MODAL]),
            st.text(max_size=10),
        )
    )
    blocks = MODALS.get(callback_id, [])
    chosen = draw(st.lists(st.sampled_from(blocks), unique=True)) if blocks else []
    values: Any = {block: {f"{block}_input": draw(element_state)} for block in chosen}
    if draw(st.integers(0, 9)) == 0:
        values = draw(json_value)  # state of the wrong type altogether
    return {
        "callback_id": callback_id,
        "private_metadata": draw(metadata),
        "blocks": [{"type": "input", "block_id": b, "element": {"type": "plain_text_input"}} for b in blocks],
        "state": {"values": values},
    }


# --- judging -----------------------------------------------------------------------------


def judge_http(status: int, body: str, *, kind: str, view: dict | None = None) -> None:
    """Always an answer Slack accepts; never an apology."""
    assert status == 200, (status, body)
    assert APOLOGY not in body, body
    if not body:
        assert kind != "options", "an options load must be answered with options"
        return
    answer = json.loads(body)
    if kind == "options":
        assert isinstance(answer.get("options", answer.get("option_groups")), list), answer
    if kind == "view_submission" and isinstance(answer, dict) and answer.get("response_action") == "errors":
        present = {b["block_id"] for b in (view or {}).get("blocks", []) if b.get("type") == "input"}
        assert answer["errors"] and set(answer["errors"]) <= present, (answer, present)


def apologies(fake, since: int = 0) -> list:
    return [c for c in fake.calls()[since:] if APOLOGY in json.dumps(c.args, default=str)]


def check_invariants(db) -> None:
    """last_contacted_at is the max of live counting interactions; nothing crosses workspaces."""
    with db.read() as session:
        latest = dict(
            session.execute(
                select(Interaction.contact_id, func.max(Interaction.occurred_at))
                .where(Interaction.deleted_at.is_(None), Interaction.type.in_(COUNTING))
                .group_by(Interaction.contact_id)
            ).all()
        )
        for contact in session.scalars(select(Contact)):
            assert contact.last_contacted_at == latest.get(contact.id), (contact.id, contact.name)
        crossed = session.execute(
            select(Interaction.id)
            .join(Contact, Contact.id == Interaction.contact_id)
            .where(Contact.team_id != Interaction.team_id)
        ).all()
        assert crossed == []
