"""Bolt listeners, one small module per Slack surface (as in Slack's starter template)."""

from slack_bolt import App

from handlers import actions, browse, commands, errors, home, options, shortcuts, timeline, views


def register(app: App) -> None:
    errors.register(app)
    commands.register(app)
    browse.register(app)
    timeline.register(app)
    shortcuts.register(app)
    actions.register(app)
    views.register(app)
    options.register(app)
    home.register(app)
