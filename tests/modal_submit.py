"""Turn a modal the app opened into the view_submission Slack would send back."""

from __future__ import annotations

from typing import Any

_SELECTS = {"static_select", "external_select"}


def _initial_state(element: dict) -> dict:
    kind = element["type"]
    state: dict[str, Any] = {"type": kind}
    if kind in _SELECTS:
        state["selected_option"] = element.get("initial_option")
    elif kind in ("multi_static_select", "multi_external_select"):
        state["selected_options"] = element.get("initial_options", [])
    elif kind == "datepicker":
        state["selected_date"] = element.get("initial_date")
    elif kind == "timepicker":
        state["selected_time"] = element.get("initial_time")
    elif kind == "users_select":
        state["selected_user"] = element.get("initial_user")
    elif kind == "checkboxes":
        state["selected_options"] = element.get("initial_options", [])
    else:  # plain_text_input, number_input, email_text_input
        state["value"] = element.get("initial_value")
    return state


def _override(state: dict, value: Any) -> dict:
    kind = state["type"]
    if kind in _SELECTS:
        if isinstance(value, dict) or value is None:
            state["selected_option"] = value
        else:
            state["selected_option"] = {
                "text": {"type": "plain_text", "text": str(value)},
                "value": str(value),
            }
    elif kind == "multi_external_select":
        # One value or a list of them (an option dict, or the value that becomes one); None empties it.
        values = value if isinstance(value, list) else [] if value is None else [value]
        state["selected_options"] = [
            v if isinstance(v, dict) else {"text": {"type": "plain_text", "text": str(v)}, "value": str(v)}
            for v in values
        ]
    elif kind == "datepicker":
        state["selected_date"] = value
    elif kind == "timepicker":
        state["selected_time"] = value
    elif kind == "users_select":
        state["selected_user"] = value
    else:
        state["value"] = value
    return state


def submission(opened: dict, view_id: str = "VSUBMIT", **values: Any) -> dict:
    """The view as submitted: initial values, with `values` (by block_id) as the user changed them."""
    state_values: dict[str, dict] = {}
    for block in opened.get("blocks", []):
        if block.get("type") != "input":
            continue
        element = block["element"]
        state = _initial_state(element)
        if block["block_id"] in values:
            state = _override(state, values[block["block_id"]])
        state_values[block["block_id"]] = {element["action_id"]: state}
    return {
        "id": view_id,
        "hash": "h1",
        "type": "modal",
        "callback_id": opened["callback_id"],
        "private_metadata": opened.get("private_metadata", ""),
        "title": opened.get("title"),
        "blocks": opened.get("blocks", []),
        "state": {"values": state_values},
    }
