"""Touchbase: the Slack app's process side (settings, app assembly, CLI, scheduler)."""
