"""Whatever text follows /log, the user gets an answer, never an error or an unhandled exception."""

from __future__ import annotations

import json
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

WORDS = [
    "jane",
    "Jane Doe",
    "call",
    "coffee",
    "emailed",
    "dm",
    "note",
    "yesterday",
    "3pm",
    "tomorrow",
    "30m",
    "1h30",
    "90 min",
    "last tuesday",
    "re:",
    "<@U222>",
    "<@U123|x>",
    "<!channel>",
    "&amp;",
    "2026-02-30",
    "99999999999",
    "José",
    "李雷",
    "\u202e",
    "\x00",
    "```",
    "*",
    "<",
    ">",
    "|",
    '"',
]
log_text = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(WORDS), max_size=12).map(" ".join),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=400, max_size=3000),
)


def _answers(fake) -> list:
    return [c for c in fake.calls() if c.method.startswith("response/") or c.method == "views.open"]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=log_text)
def test_any_log_text_is_answered_without_an_error(touchbase_sqlite, text):
    fake = touchbase_sqlite.fake
    before = len(_answers(fake))
    status, _, body = touchbase_sqlite.slack.command("/log", text)
    assert status == 200
    if body:
        # A quick log that saves is answered in the acknowledgement itself.
        assert "went wrong" not in body, text
        return
    deadline = time.monotonic() + 10
    while len(_answers(fake)) == before:
        assert time.monotonic() < deadline, f"no answer to /log {text!r}"
        time.sleep(0.01)
    answer = _answers(fake)[-1]
    assert "went wrong" not in json.dumps(answer.args), text
