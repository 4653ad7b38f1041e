"""Events API listeners."""

from __future__ import annotations

from slack_bolt import App


def register(app: App) -> None:
    app.event("app_home_opened")(app_home_opened)


def app_home_opened(event, client, context, logger):
    if event.get("tab") != "home":
        return
    # The Home tab is rendered by the browse feature; until then nothing is published.
    logger.debug("app_home_opened for %s", context.user_id)
