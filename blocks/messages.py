"""Short messages: a plain notice."""

from __future__ import annotations

from blocks.kit import section
from blocks.text import SECTION_TEXT_MAX, escape_truncate


def notice(text: str) -> list[dict]:
    """One section with `text` escaped (so it may safely hold anything a user typed)."""
    return [section(escape_truncate(text, SECTION_TEXT_MAX))]
