"""Bolt listeners, one small module per Slack surface (as in Slack's starter template)."""

from slack_bolt import App

from handlers import actions, commands, errors, events, options, shortcuts, views


def register(app: App) -> None:
    errors.register(app)
    commands.register(app)
    shortcuts.register(app)
    actions.register(app)
    views.register(app)
    options.register(app)
    events.register(app)
