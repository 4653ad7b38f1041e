"""How an edit changes an interaction's follow-up (shared by edits and the follow-up actions)."""

from __future__ import annotations

from datetime import date

from storage.models import Interaction


def set_follow_up(interaction: Interaction, day: date | None, *, clear: bool = False) -> None:
    """A new day (re)opens the follow-up for that day; the day it has (as set or as snoozed) keeps
    it as it is (done, snoozed); `clear` removes it. None without `clear` changes nothing."""
    if clear:
        interaction.follow_up_on = None
        interaction.follow_up_due_on = None
        interaction.follow_up_done_at = None
        interaction.follow_up_done_by = None
    elif day is not None and day not in (interaction.follow_up_on, interaction.follow_up_due_on):
        interaction.follow_up_on = day
        interaction.follow_up_due_on = day
        interaction.follow_up_done_at = None
        interaction.follow_up_done_by = None
