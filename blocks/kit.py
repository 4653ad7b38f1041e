"""Small Block Kit builders that apply the element limits, so renderers can't forget them."""

from __future__ import annotations

from blocks.text import (
    BUTTON_TEXT_MAX,
    BUTTON_VALUE_MAX,
    CONFIRM_BUTTON_MAX,
    CONFIRM_TEXT_MAX,
    CONFIRM_TITLE_MAX,
    FIELD_TEXT_MAX,
    HEADER_TEXT_MAX,
    LABEL_MAX,
    OPTION_TEXT_MAX,
    OPTION_VALUE_MAX,
    PLACEHOLDER_MAX,
    SECTION_TEXT_MAX,
    cut,
    mrkdwn,
    plain,
)


def section(text: str, *, accessory: dict | None = None, block_id: str | None = None) -> dict:
    block: dict = {"type": "section", "text": mrkdwn(text, SECTION_TEXT_MAX)}
    if accessory is not None:
        block["accessory"] = accessory
    if block_id is not None:
        block["block_id"] = block_id
    return block


def fields_section(fields: list[str]) -> dict:
    """A section of up to 10 two-column fields (each already-escaped mrkdwn)."""
    return {"type": "section", "fields": [mrkdwn(field, FIELD_TEXT_MAX) for field in fields[:10]]}


def header(text: str) -> dict:
    return {"type": "header", "text": plain(text, HEADER_TEXT_MAX)}


def context(*texts: str) -> dict:
    """A context block of up to 10 mrkdwn elements (already escaped)."""
    return {"type": "context", "elements": [mrkdwn(text) for text in texts[:10]]}


def actions(*elements: dict, block_id: str | None = None) -> dict:
    block: dict = {"type": "actions", "elements": list(elements[:25])}
    if block_id is not None:
        block["block_id"] = block_id
    return block


def confirm(title: str, text: str, *, yes: str, no: str = "Cancel", danger: bool = False) -> dict:
    dialog: dict = {
        "title": plain(title, CONFIRM_TITLE_MAX),
        "text": plain(text, CONFIRM_TEXT_MAX),
        "confirm": plain(yes, CONFIRM_BUTTON_MAX),
        "deny": plain(no, CONFIRM_BUTTON_MAX),
    }
    if danger:
        dialog["style"] = "danger"
    return dialog


def button(
    text: str,
    action_id: str,
    value: str | None = None,
    *,
    style: str | None = None,
    confirm: dict | None = None,
) -> dict:
    element: dict = {"type": "button", "action_id": action_id, "text": plain(text, BUTTON_TEXT_MAX)}
    if value:
        element["value"] = cut(value, BUTTON_VALUE_MAX)
    if style is not None:
        element["style"] = style
    if confirm is not None:
        element["confirm"] = confirm
    return element


def option(text: str, value: str, *, description: str | None = None) -> dict:
    item: dict = {"text": plain(text, OPTION_TEXT_MAX), "value": cut(value, OPTION_VALUE_MAX)}
    if description and description.strip():
        item["description"] = plain(description, OPTION_TEXT_MAX)
    return item


def placeholder(text: str) -> dict:
    return plain(text, PLACEHOLDER_MAX)


def input_block(
    block_id: str,
    label: str,
    element: dict,
    *,
    optional: bool = False,
    hint: str | None = None,
) -> dict:
    block: dict = {
        "type": "input",
        "block_id": block_id,
        "label": plain(label, LABEL_MAX),
        "element": element,
    }
    if optional:
        block["optional"] = True
    if hint:
        block["hint"] = plain(hint, LABEL_MAX)
    return block
