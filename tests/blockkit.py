"""Check rendered Block Kit payloads against Slack's limits, failing with the JSON path.

    check_blocks(blocks, surface="message")   # or "modal" / "home"
    check_view(view)                          # a modal or Home tab view
    check_options(options)                    # an external select's options response

Our own checks cover what Slack rejects (and what slack_sdk does not check, like 50 blocks per
message or plain_text_input max_length). Each payload is then parsed by slack_sdk's models and
must come back unchanged, which runs slack_sdk's validators and catches misspelt keys it drops.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Any

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

SURFACE_BLOCKS_MAX = {"message": 50, "modal": 100, "home": 100}
ID_MAX = 255

_TEXT_KEYS = {"type", "text", "emoji", "verbatim"}
_VIEW_KEYS = {
    "type",
    "title",
    "blocks",
    "close",
    "submit",
    "private_metadata",
    "callback_id",
    "clear_on_close",
    "notify_on_close",
    "external_id",
    "submit_disabled",
}
_SELECTS = {
    "static_select",
    "external_select",
    "users_select",
    "conversations_select",
    "channels_select",
    "multi_static_select",
    "multi_external_select",
    "multi_users_select",
    "multi_conversations_select",
    "multi_channels_select",
}
_CHOICES = {"checkboxes", "radio_buttons"}
_PICKERS = {"datepicker", "timepicker", "datetimepicker"}
_INPUTS = {"plain_text_input", "email_text_input", "url_text_input", "number_input"}
ACCESSORY_ELEMENTS = {"button", "overflow", "image"} | _SELECTS | _CHOICES | _PICKERS - {"datetimepicker"}
ACTIONS_ELEMENTS = {"button", "overflow"} | _SELECTS | _CHOICES | _PICKERS
INPUT_ELEMENTS = _INPUTS | _SELECTS | _CHOICES | _PICKERS
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d")


def fail(path: str, message: str) -> None:
    raise AssertionError(f"{path}: {message}")


def _require(condition: bool, path: str, message: str) -> None:
    if not condition:
        fail(path, message)


def _dict(obj: Any, path: str) -> dict:
    _require(isinstance(obj, dict), path, f"expected an object, got {type(obj).__name__}")
    return obj


def _length(value: Any, path: str, high: int, low: int = 1) -> None:
    _require(isinstance(value, str), path, f"expected a string, got {type(value).__name__}")
    _require(low <= len(value) <= high, path, f"length {len(value)} outside {low}..{high}")


def check_text(obj: Any, path: str, high: int, *, plain_only: bool = False) -> None:
    """A text object: plain_text or mrkdwn, non-blank, at most `high` characters."""
    obj = _dict(obj, path)
    allowed = {"plain_text"} if plain_only else {"plain_text", "mrkdwn"}
    _require(obj.get("type") in allowed, f"{path}.type", f"{obj.get('type')!r} not in {sorted(allowed)}")
    _require(set(obj) <= _TEXT_KEYS, path, f"unknown keys {sorted(set(obj) - _TEXT_KEYS)}")
    _length(obj.get("text"), f"{path}.text", high)
    _require(obj["text"].strip() != "", f"{path}.text", "blank text")
    if obj["type"] == "plain_text":
        _require("verbatim" not in obj, path, "verbatim on plain_text")
    else:
        _require("emoji" not in obj, path, "emoji on mrkdwn")


def _action_id(element: dict, path: str) -> None:
    if "action_id" in element:
        _length(element["action_id"], f"{path}.action_id", ID_MAX)


def check_confirm(obj: Any, path: str) -> None:
    obj = _dict(obj, path)
    check_text(obj.get("title"), f"{path}.title", 100, plain_only=True)
    check_text(obj.get("text"), f"{path}.text", 300)
    check_text(obj.get("confirm"), f"{path}.confirm", 30, plain_only=True)
    check_text(obj.get("deny"), f"{path}.deny", 30, plain_only=True)
    if "style" in obj:
        _require(obj["style"] in ("primary", "danger"), f"{path}.style", repr(obj["style"]))


def check_option(obj: Any, path: str, *, plain_only: bool = True) -> None:
    obj = _dict(obj, path)
    check_text(obj.get("text"), f"{path}.text", 75, plain_only=plain_only)
    _length(obj.get("value"), f"{path}.value", 150)
    if "description" in obj:
        check_text(obj["description"], f"{path}.description", 75, plain_only=plain_only)
    if "url" in obj:
        _length(obj["url"], f"{path}.url", 3000)


def check_options(options: Any, path: str = "options", *, high: int = 100, low: int = 0) -> None:
    """A list of select options (an external select's response may be empty)."""
    _require(isinstance(options, list), path, "expected a list")
    _require(low <= len(options) <= high, path, f"{len(options)} options, allowed {low}..{high}")
    values = set()
    for n, item in enumerate(options):
        check_option(item, f"{path}[{n}]")
        _require(item["value"] not in values, f"{path}[{n}].value", f"duplicate value {item['value']!r}")
        values.add(item["value"])


def _placeholder(element: dict, path: str) -> None:
    if "placeholder" in element:
        check_text(element["placeholder"], f"{path}.placeholder", 150, plain_only=True)


def _number(value: Any, path: str, decimal: bool) -> float:
    _require(isinstance(value, str), path, "number_input values are strings")
    try:
        number = float(value) if decimal else int(value)
    except ValueError:
        fail(path, f"{value!r} is not a number")
    return number


def check_element(element: Any, path: str) -> None:
    element = _dict(element, path)
    kind = element.get("type")
    _action_id(element, path)
    if "confirm" in element:
        check_confirm(element["confirm"], f"{path}.confirm")
    if kind == "button":
        check_text(element.get("text"), f"{path}.text", 75, plain_only=True)
        if "value" in element:
            _length(element["value"], f"{path}.value", 2000)
        if "url" in element:
            _length(element["url"], f"{path}.url", 3000)
        if "style" in element:
            _require(element["style"] in ("primary", "danger"), f"{path}.style", repr(element["style"]))
    elif kind == "overflow":
        check_options(element.get("options"), f"{path}.options", high=5, low=1)
    elif kind in _SELECTS:
        _placeholder(element, path)
        if kind in ("static_select", "multi_static_select"):
            has_options, has_groups = "options" in element, "option_groups" in element
            _require(has_options != has_groups, path, "needs exactly one of options / option_groups")
            if has_options:
                check_options(element["options"], f"{path}.options", low=1)
                known = element["options"]
            else:
                groups = element["option_groups"]
                _require(
                    isinstance(groups, list) and 1 <= len(groups) <= 100, f"{path}.option_groups", "1..100"
                )
                known = []
                for n, group in enumerate(groups):
                    check_text(group.get("label"), f"{path}.option_groups[{n}].label", 75, plain_only=True)
                    check_options(group.get("options"), f"{path}.option_groups[{n}].options", low=1)
                    known += group["options"]
            if "initial_option" in element:
                _require(
                    element["initial_option"] in known, f"{path}.initial_option", "not one of the options"
                )
            for n, chosen in enumerate(element.get("initial_options", [])):
                _require(chosen in known, f"{path}.initial_options[{n}]", "not one of the options")
        if "initial_option" in element:
            check_option(element["initial_option"], f"{path}.initial_option")
        if kind.startswith("multi_"):
            chosen = element.get("initial_options", [])
            _require(
                (isinstance(chosen, list) and len(chosen) >= 1) or "initial_options" not in element,
                f"{path}.initial_options",
                "a non-empty list when given",
            )
            for n, option in enumerate(chosen):
                check_option(option, f"{path}.initial_options[{n}]")
            if "max_selected_items" in element:
                most = element["max_selected_items"]
                _require(isinstance(most, int) and most >= 1, f"{path}.max_selected_items", repr(most))
                _require(len(chosen) <= most, f"{path}.initial_options", f"more than {most} selected")
        if "min_query_length" in element:
            value = element["min_query_length"]
            _require(isinstance(value, int) and value >= 0, f"{path}.min_query_length", repr(value))
        if kind == "users_select" and "initial_user" in element:
            _length(element["initial_user"], f"{path}.initial_user", ID_MAX)
    elif kind in _CHOICES:
        check_options(element.get("options"), f"{path}.options", high=10, low=1)
    elif kind == "datepicker":
        _placeholder(element, path)
        if "initial_date" in element:
            value = element["initial_date"]
            _require(
                isinstance(value, str) and bool(_DATE.fullmatch(value)), f"{path}.initial_date", repr(value)
            )
            try:
                _dt.date.fromisoformat(value)
            except ValueError:
                fail(f"{path}.initial_date", f"{value!r} is not a date")
    elif kind == "timepicker":
        _placeholder(element, path)
        if "initial_time" in element:
            value = element["initial_time"]
            _require(
                isinstance(value, str) and bool(_TIME.fullmatch(value)), f"{path}.initial_time", repr(value)
            )
    elif kind == "plain_text_input":
        _placeholder(element, path)
        high = element.get("max_length", 3000)
        low = element.get("min_length", 0)
        _require(
            isinstance(high, int) and 1 <= high <= 3000, f"{path}.max_length", f"{high!r} outside 1..3000"
        )
        _require(isinstance(low, int) and 0 <= low <= 3000, f"{path}.min_length", f"{low!r} outside 0..3000")
        _require(low <= high, path, "min_length above max_length")
        if "initial_value" in element:
            _length(element["initial_value"], f"{path}.initial_value", high, low=max(low, 1))
    elif kind in ("email_text_input", "url_text_input"):
        _placeholder(element, path)
        if "initial_value" in element:
            _length(element["initial_value"], f"{path}.initial_value", 3000)
    elif kind == "number_input":
        _placeholder(element, path)
        decimal = element.get("is_decimal_allowed")
        _require(isinstance(decimal, bool), f"{path}.is_decimal_allowed", "required, a boolean")
        low = _number(element["min_value"], f"{path}.min_value", decimal) if "min_value" in element else None
        high = _number(element["max_value"], f"{path}.max_value", decimal) if "max_value" in element else None
        if low is not None and high is not None:
            _require(low <= high, path, "min_value above max_value")
        if "initial_value" in element:
            value = _number(element["initial_value"], f"{path}.initial_value", decimal)
            _require(low is None or value >= low, f"{path}.initial_value", "below min_value")
            _require(high is None or value <= high, f"{path}.initial_value", "above max_value")
    elif kind == "image":
        _length(element.get("image_url"), f"{path}.image_url", 3000)
        _length(element.get("alt_text"), f"{path}.alt_text", 2000)
    elif kind == "datetimepicker":
        pass
    else:
        fail(f"{path}.type", f"unknown element type {kind!r}")


def _element_in(element: Any, path: str, allowed: set[str], where: str) -> None:
    element = _dict(element, path)
    _require(
        element.get("type") in allowed, f"{path}.type", f"{element.get('type')!r} not allowed in {where}"
    )
    check_element(element, path)


def check_block(block: Any, path: str, surface: str) -> None:
    block = _dict(block, path)
    kind = block.get("type")
    if "block_id" in block:
        _length(block["block_id"], f"{path}.block_id", ID_MAX)
    if kind == "section":
        _require("text" in block or "fields" in block, path, "a section needs text or fields")
        if "text" in block:
            check_text(block["text"], f"{path}.text", 3000)
        if "fields" in block:
            fields = block["fields"]
            _require(isinstance(fields, list) and 1 <= len(fields) <= 10, f"{path}.fields", "1..10 fields")
            for n, field in enumerate(fields):
                check_text(field, f"{path}.fields[{n}]", 2000)
        if "accessory" in block:
            _element_in(block["accessory"], f"{path}.accessory", ACCESSORY_ELEMENTS, "a section accessory")
    elif kind == "header":
        check_text(block.get("text"), f"{path}.text", 150, plain_only=True)
    elif kind == "divider":
        pass
    elif kind == "actions":
        elements = block.get("elements")
        _require(
            isinstance(elements, list) and 1 <= len(elements) <= 25, f"{path}.elements", "1..25 elements"
        )
        action_ids: set[str] = set()
        for n, element in enumerate(elements):
            _element_in(element, f"{path}.elements[{n}]", ACTIONS_ELEMENTS, "an actions block")
            if "action_id" in element:
                action_id = element["action_id"]
                _require(
                    action_id not in action_ids, f"{path}.elements[{n}].action_id", f"duplicate {action_id!r}"
                )
                action_ids.add(action_id)
    elif kind == "context":
        elements = block.get("elements")
        _require(
            isinstance(elements, list) and 1 <= len(elements) <= 10, f"{path}.elements", "1..10 elements"
        )
        for n, element in enumerate(elements):
            if _dict(element, f"{path}.elements[{n}]").get("type") == "image":
                check_element(element, f"{path}.elements[{n}]")
            else:
                check_text(element, f"{path}.elements[{n}]", 3000)
    elif kind == "input":
        _require(surface != "message", path, "input blocks belong in modals and the Home tab")
        check_text(block.get("label"), f"{path}.label", 2000, plain_only=True)
        if "hint" in block:
            check_text(block["hint"], f"{path}.hint", 2000, plain_only=True)
        _element_in(block.get("element"), f"{path}.element", INPUT_ELEMENTS, "an input block")
    elif kind == "image":
        _length(block.get("image_url"), f"{path}.image_url", 3000)
        _length(block.get("alt_text"), f"{path}.alt_text", 2000)
    else:
        fail(f"{path}.type", f"unknown block type {kind!r}")


def _check_sdk_blocks(blocks: list[dict], path: str) -> None:
    for n, block in enumerate(blocks):
        parsed = Block.parse(block)
        _require(parsed is not None, f"{path}[{n}]", "slack_sdk does not know this block")
        try:
            again = parsed.to_dict()
        except Exception as error:  # SlackObjectFormationError and friends
            fail(f"{path}[{n}]", f"slack_sdk rejects it: {error}")
        _require(again == block, f"{path}[{n}]", f"slack_sdk reads it differently: {again!r}")


def check_blocks(blocks: Any, surface: str = "message", path: str = "blocks") -> None:
    """Every limit of a block list on `surface` ("message", "modal" or "home")."""
    _require(surface in SURFACE_BLOCKS_MAX, path, f"unknown surface {surface!r}")
    _require(isinstance(blocks, list), path, "expected a list of blocks")
    high = SURFACE_BLOCKS_MAX[surface]
    _require(len(blocks) <= high, path, f"{len(blocks)} blocks, a {surface} holds at most {high}")
    block_ids: set[str] = set()
    for n, block in enumerate(blocks):
        check_block(block, f"{path}[{n}]", surface)
        if "block_id" in block:
            _require(
                block["block_id"] not in block_ids,
                f"{path}[{n}].block_id",
                f"duplicate {block['block_id']!r}",
            )
            block_ids.add(block["block_id"])
    _check_sdk_blocks(blocks, path)


def check_view(view: Any) -> None:
    """Every limit of a modal or Home tab view, its blocks included."""
    view = _dict(view, "view")
    kind = view.get("type")
    _require(kind in ("modal", "home"), "view.type", repr(kind))
    _require(set(view) <= _VIEW_KEYS, "view", f"unknown keys {sorted(set(view) - _VIEW_KEYS)}")
    if kind == "modal":
        check_text(view.get("title"), "view.title", 24, plain_only=True)
    else:
        _require("submit" not in view and "close" not in view, "view", "a Home tab has no submit or close")
    for key in ("submit", "close"):
        if key in view:
            check_text(view[key], f"view.{key}", 24, plain_only=True)
    if "private_metadata" in view:
        _length(view["private_metadata"], "view.private_metadata", 3000, low=0)
    for key in ("callback_id", "external_id"):
        if key in view:
            _length(view[key], f"view.{key}", ID_MAX)
    blocks = view.get("blocks")
    _require(isinstance(blocks, list) and len(blocks) >= 1, "view.blocks", "at least one block")
    if kind == "modal" and any(block.get("type") == "input" for block in blocks):
        _require("submit" in view, "view.submit", "a modal with inputs needs a submit button")
    check_blocks(blocks, kind, "view.blocks")
    try:
        again = View(**view).to_dict()
    except Exception as error:
        fail("view", f"slack_sdk rejects it: {error}")
    # slack_sdk leaves out an empty private_metadata, which Slack treats as absent anyway.
    expected = {key: value for key, value in view.items() if not (key == "private_metadata" and value == "")}
    _require(again == expected, "view", f"slack_sdk reads it differently: {again!r}")
