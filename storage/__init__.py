"""Touchbase's data: models, migrations and domain operations. Never imports Slack."""
