"""What use cases hand back to listeners besides records: plain results to render."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PostedTimeline:
    contact_name: str
    channel_id: str
    in_dm: bool  # true when it went to our DM because the app couldn't post where asked
    months_posted: int
    months_planned: int
    failure: str | None = None  # Slack's error code when a month reply could not be posted
