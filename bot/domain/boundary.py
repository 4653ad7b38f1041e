"""What outside text may hold, checked at the boundary before it reaches matching or storage.

PostgreSQL refuses NUL in text; other C0/C1 control characters are invisible in Slack and only
ever arrive by accident or on purpose. Typed text is capped before any fuzzy matching, whose
cost grows with the length of what was typed.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable

# Longest text matched against contact names (names hold 200; more can't be a name).
MATCH_TEXT_MAX = 200
# Longest text a slash command may carry (Slack's own limit is about 4,000 characters).
COMMAND_TEXT_MAX = 4000
CONTROL_MESSAGE = "remove the invisible control characters (pasted from elsewhere?) and try again."
NUL_MESSAGE = "That text holds a NUL character Touchbase can't store: remove it and try again."
MAX_DEPTH = 50  # of a payload's nesting (holds_nul)
# Unicode's control characters (category Cc: U+0000-U+001F and U+007F-U+009F, a fixed set)
# but tab, line feed and carriage return.
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def has_control_chars(text: str) -> bool:
    """True when `text` holds NUL or another control character (tabs and line breaks are fine)."""
    return _CONTROL_RE.search(text) is not None


def holds_nul(value: object, *, depth: int = 0) -> bool:
    """True when any string (key or value) anywhere in a JSON-like payload holds NUL.

    Anything nested deeper than MAX_DEPTH counts as holding one: nothing Slack sends is that deep.
    (A loop over a stack, not a call per value: every request's payload passes through here.)
    """
    if depth > MAX_DEPTH:
        return True
    if isinstance(value, str):
        return "\x00" in value
    stack: list[tuple[object, int]] = [(value, depth)]
    while stack:
        item, level = stack.pop()
        children: Iterable[object]
        if isinstance(item, dict):
            children = itertools.chain(item.keys(), item.values())
        elif isinstance(item, list | tuple):
            children = item
        else:
            continue
        if item and level >= MAX_DEPTH:
            return True  # its children are deeper than MAX_DEPTH
        for child in children:
            if isinstance(child, str):
                if "\x00" in child:
                    return True
            elif isinstance(child, dict | list | tuple):
                stack.append((child, level + 1))
    return False
