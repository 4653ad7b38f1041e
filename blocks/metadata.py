"""`private_metadata`: the small JSON a view carries to its next interaction (at most 3000 chars)."""

from __future__ import annotations

import json
from collections.abc import Iterable

PRIVATE_METADATA_MAX = 3000


def encode_metadata(data: dict, *, optional: Iterable[str] = ()) -> str:
    """JSON for `private_metadata`; drops `optional` keys (in order) rather than exceed Slack's limit.

    What remains after dropping every optional key must fit: it is the view's own state.
    """
    kept = {k: v for k, v in data.items() if v is not None}
    text = json.dumps(kept, separators=(",", ":"))
    for key in optional:
        if len(text) <= PRIVATE_METADATA_MAX:
            break
        kept.pop(key, None)
        text = json.dumps(kept, separators=(",", ":"))
    if len(text) > PRIVATE_METADATA_MAX:
        raise ValueError(f"private_metadata is {len(text)} characters, Slack allows {PRIVATE_METADATA_MAX}")
    return text


def decode_metadata(text: object) -> dict:
    """The metadata a view carries; {} for anything that isn't a JSON object."""
    if not isinstance(text, str) or not text:
        return {}
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
