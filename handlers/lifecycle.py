"""`app_uninstalled` and `tokens_revoked` (OAuth mode): the workspace's tokens are dropped.

Bolt lets these two events through without authorizing them (the tokens are already dead).
The workspace's data stays until an operator runs `touchbase workspace purge TEAM_ID --yes`.
"""

from __future__ import annotations

import logging

from slack_bolt import App

logger = logging.getLogger("touchbase.lifecycle")


def register_lifecycle(app: App, store) -> None:
    @app.event("app_uninstalled")
    def app_uninstalled(ack, body, context):
        ack()
        team_id = body.get("team_id") or context.team_id
        enterprise_id = body.get("enterprise_id") or None
        if not team_id:
            return
        dropped = store.drop_tokens(team_id, enterprise_id)
        logger.info("app uninstalled from %s: %d installation rows with tokens dropped", team_id, dropped)

    @app.event("tokens_revoked")
    def tokens_revoked(ack, body, event, context):
        ack()
        team_id = body.get("team_id") or context.team_id
        enterprise_id = body.get("enterprise_id") or None
        if not team_id:
            return
        tokens = event.get("tokens") or {}
        if tokens.get("bot"):
            dropped = store.drop_tokens(team_id, enterprise_id)
            logger.info("bot token of %s revoked: %d installation rows dropped", team_id, dropped)
        users = list(tokens.get("oauth") or [])
        if users:
            store.drop_user_tokens(team_id, users, enterprise_id)
            logger.info("user tokens of %s revoked for %d user(s)", team_id, len(users))
