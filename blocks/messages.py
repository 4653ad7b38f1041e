"""Short messages: a plain notice, and an error with the reference support can look up."""

from __future__ import annotations

from blocks.kit import context, section
from blocks.text import SECTION_TEXT_MAX, escape_truncate


def notice(text: str) -> list[dict]:
    """One section with `text` escaped (so it may safely hold anything a user typed)."""
    return [section(escape_truncate(text, SECTION_TEXT_MAX))]


def error_notice(text: str, reference: str | None = None) -> list[dict]:
    """A short apology or refusal; `reference` is the id logged with the error, shown for support."""
    blocks = [section(f":warning: {escape_truncate(text, SECTION_TEXT_MAX - 20)}")]
    if reference:
        blocks.append(context(f"Reference: `{escape_truncate(reference, 200)}`"))
    return blocks
