"""Fuzz every entry point through the signed endpoint: whatever arrives, a clear answer.

Per case: the HTTP answer (200, something Slack accepts, never an apology); per test: what Slack
received (no apology), no error logged with a traceback, and the database invariants.
"""

from __future__ import annotations

import time

from hypothesis import given
from hypothesis import strategies as st

from tests.adversarial.support import (
    ACTION_IDS,
    MODALS,
    Counter,
    apologies,
    check_invariants,
    fuzz_settings,
    json_value,
    metadata,
    submitted_views,
    text_soup,
)

COMMANDS = ["/log", "/interactions", "/timeline", "/contact"]


def _settle(app, before: int) -> None:
    """Give side effects a moment, then nothing Slack received may be an apology."""
    time.sleep(0.3)
    assert apologies(app.fake, before) == []


@fuzz_settings
@given(command=st.sampled_from(COMMANDS), text=text_soup, prefix=st.sampled_from(["", "add ", "help "]))
def test_fuzz_commands(touchbase_sqlite, unhandled, command, text, prefix):
    Counter.add("commands")
    status, _, body = touchbase_sqlite.slack.command(command, prefix + text)
    from tests.adversarial.support import judge_http

    judge_http(status, body, kind="command")
    assert unhandled.summary() == []


@fuzz_settings
@given(view=submitted_views())
def test_fuzz_view_submissions(touchbase_sqlite, unhandled, view):
    from tests.adversarial.support import judge_http

    Counter.add("view_submissions")
    status, _, body = touchbase_sqlite.slack.view_submission(view)
    if view["callback_id"] not in MODALS:
        assert status in (200, 404)  # no such modal of ours: Bolt's "no listener", nothing runs
        return
    judge_http(status, body, kind="view_submission", view=view)
    assert unhandled.summary() == []


@st.composite
def clicks(draw):
    action = {"action_id": draw(st.sampled_from(ACTION_IDS))}
    value = draw(json_value)
    if value is not None:
        action["value"] = value
    if draw(st.booleans()):
        action["selected_option"] = draw(st.one_of(json_value, st.fixed_dictionaries({"value": json_value})))
    if draw(st.booleans()):
        action["block_id"] = draw(
            st.one_of(st.sampled_from(["digest:1", "digest:x", "block"]), st.text(max_size=12))
        )
    where = draw(st.sampled_from(["message", "modal", "home"]))
    view = None
    if where == "modal":
        view = {
            "type": "modal",
            "callback_id": draw(
                st.sampled_from(["interactions_list", "interaction_detail", "interaction_modal", "x"])
            ),
            "private_metadata": draw(metadata),
        }
    elif where == "home":
        view = {"type": "home", "callback_id": "", "private_metadata": draw(metadata)}
    return action, view


@fuzz_settings
@given(click=clicks())
def test_fuzz_block_actions(touchbase_sqlite, unhandled, click):
    from tests.adversarial.support import judge_http

    Counter.add("block_actions")
    action, view = click
    status, _, body = touchbase_sqlite.slack.block_actions([action], view=view)
    if action["action_id"].endswith("_input"):
        # An input inside a modal: Slack sends no click for it (not dispatch_action), so no listener.
        assert status in (200, 404)
    else:
        judge_http(status, body, kind="block_actions")
    assert unhandled.summary() == []


@fuzz_settings
@given(
    action_id=st.sampled_from(["contact_input", "filter_contact", "unknown"]),
    value=st.one_of(json_value, text_soup),
)
def test_fuzz_options(touchbase_sqlite, unhandled, action_id, value):
    from tests.adversarial.support import judge_http

    Counter.add("options")
    payload = touchbase_sqlite.slack.block_suggestion_payload(action_id, "block", "")
    payload["value"] = value
    status, _, body = touchbase_sqlite.slack.interactive(payload)
    if action_id != "unknown":
        judge_http(status, body, kind="options")
    else:
        assert status in (200, 404)
    assert unhandled.summary() == []


@fuzz_settings
@given(
    kind=st.sampled_from(["app_home_opened", "app_uninstalled", "tokens_revoked", "message", "x"]),
    fields=st.dictionaries(
        st.sampled_from(["user", "tab", "channel", "view", "tokens", "text", "ts"]), json_value
    ),
)
def test_fuzz_events(touchbase_sqlite, unhandled, kind, fields):
    Counter.add("events")
    status, _, body = touchbase_sqlite.slack.event({"type": kind, **fields})
    assert status in (200, 404), (status, body)  # 404: Bolt's "no listener" for an event nobody handles
    assert "went wrong" not in body
    assert unhandled.summary() == []


def test_after_the_fuzz_slack_got_no_apology_and_the_database_holds(touchbase_sqlite):
    _settle(touchbase_sqlite, 0)
    check_invariants(touchbase_sqlite.db)
