"""Bolt listeners, one module per feature; none imports another (shared helpers: common, forms, errors)."""

from slack_bolt import App

from handlers import (
    browse,
    capture,
    contacts,
    errors,
    followups,
    home,
    interactions,
    options,
    timeline,
    workflow,
)


def register(app: App) -> None:
    errors.register(app)
    capture.register(app)
    interactions.register(app)
    contacts.register(app)
    browse.register(app)
    timeline.register(app)
    options.register(app)
    home.register(app)
    workflow.register(app)
    followups.register(app)
