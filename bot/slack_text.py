"""Slack message markup turned into text a person reads (for notes taken from a message)."""

from __future__ import annotations

import re
from collections.abc import Callable

_TOKEN = re.compile(r"<([^<>]*)>")


def readable(text: str, user_name: Callable[[str], str]) -> str:
    """`<@U1>` -> `@Jane`, `<#C1|sales>` -> `#sales`, `<https://x|label>` -> `label (https://x)`."""

    def replace(match: re.Match) -> str:
        inner = match.group(1)
        target, _, label = inner.partition("|")
        if target.startswith("@"):
            return "@" + (label or user_name(target[1:]))
        if target.startswith("#"):
            return "#" + (label or target[1:])
        if target.startswith("!subteam^"):
            return label or "@group"
        if target.startswith("!date^"):
            return label or target
        if target.startswith("!"):
            return "@" + (label or target[1:])
        if target.startswith("mailto:"):
            return label or target[len("mailto:") :]
        if label and label != target:
            return f"{label} ({target})"
        return target

    text = _TOKEN.sub(replace, text or "")
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
