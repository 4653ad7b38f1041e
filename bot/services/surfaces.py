"""Every surface that shows a thing, kept true after it changes.

A write carries `Surfaces`: the places the user acted from (the open list, the detail view, the
digest DM). After the user's answer, each is re-rendered from storage. Timeline threads are found
in storage (they are remembered when posted) and refreshed by bot.services.timeline.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from blocks.metadata import encode_metadata
from bot.domain.records import Actor
from bot.services import AfterAnswer, Services
from bot.services.browse import ListRef, detail_view, render_list_again
from bot.services.digest_content import digest_content
from bot.services.home import publish_home
from bot.services.timeline import refresh_timelines

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DigestRef:
    channel_id: str
    ts: str


@dataclass(frozen=True)
class Surfaces:
    """The views and messages a change was made from, to re-render after it."""

    list: ListRef | None = None
    detail_view_id: str | None = None
    digest: DigestRef | None = None
    home_tz: str | None = None  # set when the change was made from the user's App Home

    def to_json(self) -> dict:
        data: dict = {}
        if self.list:
            data["list"] = self.list.to_json()
        if self.detail_view_id:
            data["detail"] = self.detail_view_id
        if self.digest:
            data["digest"] = [self.digest.channel_id, self.digest.ts]
        if self.home_tz:
            data["home"] = self.home_tz
        return data

    @classmethod
    def from_json(cls, data: object) -> Surfaces:
        if not isinstance(data, dict):
            return cls()
        digest = data.get("digest")
        digest_ref = None
        if isinstance(digest, list) and len(digest) == 2 and all(isinstance(x, str) for x in digest):
            digest_ref = DigestRef(digest[0], digest[1])
        detail = data.get("detail")
        home = data.get("home")
        return cls(
            list=ListRef.from_json(data.get("list")),
            detail_view_id=detail if isinstance(detail, str) else None,
            digest=digest_ref,
            home_tz=home if isinstance(home, str) else None,
        )


NO_SURFACES = Surfaces()


def refresh_digest(svc: Services, client: WebClient, actor: Actor, ref: DigestRef, *, now: datetime) -> None:
    """Re-render the user's digest DM in place: what they just handled drops off it."""
    content = digest_content(svc.db, actor.team_id, actor.user_id, now=now)
    text, blocks, metadata = content.message(now=now)
    client.chat_update(channel=ref.channel_id, ts=ref.ts, text=text, blocks=blocks, metadata=metadata)


def refresh_list(
    svc: Services,
    client: WebClient,
    actor: Actor,
    ref: ListRef,
    *,
    now: datetime,
    notice: str | None = None,
    undo_id: int | None = None,
) -> None:
    view = render_list_again(svc, actor, ref, now=now, notice=notice, undo_id=undo_id)
    try:
        client.views_update(view_id=ref.view_id, view=view)
    except SlackApiError as error:
        # The list was closed meanwhile: nothing left to keep true.
        if error.response.get("error") not in ("not_found", "view_not_found"):
            raise


def refresh_detail(
    svc: Services,
    client: WebClient,
    actor: Actor,
    view_id: str,
    interaction_id: int,
    *,
    now: datetime,
    list_ref: ListRef | None = None,
) -> None:
    # The detail view keeps remembering the list it was opened from.
    metadata = encode_metadata(
        {"surfaces": Surfaces(list=list_ref).to_json() or None}, optional=("surfaces",)
    )
    try:
        client.views_update(
            view_id=view_id, view=detail_view(svc, actor, interaction_id, now=now, metadata=metadata)
        )
    except SlackApiError as error:
        if error.response.get("error") not in ("not_found", "view_not_found"):
            raise


def after_contact_surfaces(
    after: AfterAnswer, svc: Services, client: WebClient, actor: Actor, surfaces: Surfaces, *, now: datetime
) -> None:
    """The digest DM and App Home the user acted from list contacts: re-render them."""
    if surfaces.digest:
        after.add("digest DM", refresh_digest, svc, client, actor, surfaces.digest, now=now)
    if surfaces.home_tz:
        after.add("App Home", publish_home, svc, client, actor, surfaces.home_tz, now=now)


def after_interactions_changed(
    after: AfterAnswer,
    svc: Services,
    client: WebClient,
    actor: Actor,
    *,
    contact_ids: Iterable[int],
    when: Iterable[datetime],
    now: datetime,
    surfaces: Surfaces = NO_SURFACES,
    interaction_id: int | None = None,
    list_notice: str | None = None,
    undo_id: int | None = None,
) -> None:
    """Queue every refresh a change to interactions needs: quick surfaces first, timelines last."""
    if surfaces.detail_view_id and interaction_id is not None:
        after.add(
            "detail view",
            refresh_detail,
            svc,
            client,
            actor,
            surfaces.detail_view_id,
            interaction_id,
            now=now,
            list_ref=surfaces.list,
        )
    if surfaces.list:
        after.add(
            "list",
            refresh_list,
            svc,
            client,
            actor,
            surfaces.list,
            now=now,
            notice=list_notice,
            undo_id=undo_id,
        )
    after_contact_surfaces(after, svc, client, actor, surfaces, now=now)
    after.add(
        "timeline threads", refresh_timelines, client, svc, actor, set(contact_ids), list(when), now=now
    )
