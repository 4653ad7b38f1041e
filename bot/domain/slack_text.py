"""Slack's text markup, undone once where text comes in and done once where it goes out.

Slack escapes `&`, `<` and `>` in what people type (`&amp;`, `&lt;`, `&gt;`) and wraps mentions,
channels and links in angle brackets: `<@U123|jane>`, `<#C1|sales>`, `<mailto:a@b.c|a@b.c>`,
`<https://x.io|x.io>`. `unescape` turns that into the text the person typed, exactly once, so
`unescape(escape(s)) == s` for any `s` (a literal `&amp;` included).

Links: `<https://x.io|label>` becomes the label when the label is just the URL as typed (Slack
auto-links `x.io` as `<http://x.io|x.io>`, so the person's own words come back), else the URL itself
(a label that differs from its target is not what the link is, and a record keeps the target).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Mention", "escape", "readable", "unescape", "unescape_with_mentions"]

_TOKEN = re.compile(r"<([^<>]*)>")
_ENTITY = re.compile(r"&(amp|lt|gt);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">"}
_USER = re.compile(r"@([UW][A-Z0-9]+)(?:\|[^<>]*)?")


@dataclass(frozen=True)
class Mention:
    """A real Slack user mention in unescaped text: text[start:end] == f"<@{user_id}>"."""

    start: int
    end: int
    user_id: str


def escape(text: str) -> str:
    """Escape text for Slack (`&`, `<`, `>`): what Slack does to typed text, what renderers must do."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """Undo Slack's escaping once. A user mention stays a token, `<@U123>` (its label dropped)."""
    return unescape_with_mentions(text)[0]


def unescape_with_mentions(text: str) -> tuple[str, list[Mention]]:
    """`unescape`, and where the real mentions are in the result.

    A literal `<@U1>` someone typed arrives escaped (`&lt;@U1&gt;`): it comes back as the text
    `<@U1>` but is not in the list, so it never counts as a mention.
    """
    parts: list[str] = []
    mentions: list[Mention] = []
    length = 0
    position = 0
    for token in _TOKEN.finditer(text):
        plain = _entities(text[position : token.start()])
        parts.append(plain)
        length += len(plain)
        position = token.end()
        inner = token.group(1)
        user = _USER.fullmatch(inner)
        if user:
            replacement = f"<@{user.group(1)}>"
            mentions.append(Mention(length, length + len(replacement), user.group(1)))
        else:
            replacement = _entities(_plain_token(inner))
        parts.append(replacement)
        length += len(replacement)
    parts.append(_entities(text[position:]))
    return "".join(parts), mentions


def _entities(text: str) -> str:
    return _ENTITY.sub(lambda m: _ENTITIES[m.group(1)], text)


def _plain_token(inner: str) -> str:
    target, bar, label = inner.partition("|")
    if target.startswith("#"):
        return "#" + (label or target[1:])
    if target.startswith("!subteam^"):
        return label or "@group"
    if target.startswith("!date^"):
        return label or target
    if target.startswith("!"):
        return "@" + (label or target[1:])
    if target.startswith("@"):
        return "@" + (label or target[1:])
    if target.startswith("mailto:"):
        return label or target[len("mailto:") :]
    if bar and label and _as_typed(target, label):
        return label
    return target


def _as_typed(target: str, label: str) -> bool:
    bare = re.sub(r"^[a-z][a-z0-9+.-]*://", "", target, flags=re.IGNORECASE)
    return label in (target, bare, bare.rstrip("/"))


def readable(text: str, user_name: Callable[[str], str]) -> str:
    """For notes taken from a message: `<@U1>` -> `@Jane`, `<#C1|sales>` -> `#sales`,
    `<https://x|label>` -> `label (https://x)`, entities unescaped."""

    def replace(match: re.Match) -> str:
        inner = match.group(1)
        target, _, label = inner.partition("|")
        if target.startswith("@"):
            return "@" + (label or user_name(target[1:]))
        if target.startswith(("#", "!", "mailto:")):
            return _plain_token(inner)
        if label and label != target:
            return f"{label} ({target})"
        return target

    parts: list[str] = []
    position = 0
    for match in _TOKEN.finditer(text or ""):
        parts.append(_entities((text or "")[position : match.start()]))
        parts.append(_entities(replace(match)))
        position = match.end()
    parts.append(_entities((text or "")[position:]))
    return "".join(parts)
