"""What outside text may hold, checked at the boundary before it reaches matching or storage.

PostgreSQL refuses NUL in text; other C0/C1 control characters are invisible in Slack and only
ever arrive by accident or on purpose. Typed text is capped before any fuzzy matching, whose
cost grows with the length of what was typed.
"""

from __future__ import annotations

import unicodedata

# Longest text matched against contact names (names hold 200; more can't be a name).
MATCH_TEXT_MAX = 200
# Longest text a slash command may carry (Slack's own limit is about 4,000 characters).
COMMAND_TEXT_MAX = 4000
CONTROL_MESSAGE = "remove the invisible control characters (pasted from elsewhere?) and try again."
NUL_MESSAGE = "That text holds a NUL character Touchbase can't store: remove it and try again."
_ALLOWED_CONTROLS = frozenset("\t\n\r")


def has_control_chars(text: str) -> bool:
    """True when `text` holds NUL or another control character (tabs and line breaks are fine)."""
    return any(unicodedata.category(ch) == "Cc" and ch not in _ALLOWED_CONTROLS for ch in text)


def holds_nul(value: object, *, depth: int = 0) -> bool:
    """True when any string (key or value) anywhere in a JSON-like payload holds NUL."""
    if depth > 50:
        return True  # nothing Slack sends is this deep
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(holds_nul(k, depth=depth + 1) or holds_nul(v, depth=depth + 1) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(holds_nul(v, depth=depth + 1) for v in value)
    return False
