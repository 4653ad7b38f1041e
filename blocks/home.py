"""The App Home tab: what's overdue, what I logged lately, and my digest settings."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from blocks import ids
from blocks.contacts import snooze_menu
from blocks.followups import follow_up_blocks
from blocks.interactions import interaction_line
from blocks.kit import actions, button, context, header, option, placeholder, section
from blocks.team import team_blocks
from blocks.text import ago_token, escape, escape_truncate
from bot.domain.followups import FollowUp, TeamReport
from bot.domain.records import ContactRecord, InteractionRecord

WEEKDAY_SHORT = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# Half-hourly choices for the digest time; a custom saved time is added if missing.
DIGEST_TIMES = tuple(f"{h:02d}:{m:02d}" for h in range(5, 22) for m in (0, 30))


def _days_text(weekdays: frozenset[int]) -> str:
    days = sorted(weekdays)
    if days == [0, 1, 2, 3, 4]:
        return "Monday to Friday"
    if len(days) == 7:
        return "every day"
    return ", ".join(WEEKDAY_SHORT[d] for d in days)


def _digest_controls(enabled: bool, digest_time: str, weekdays: frozenset[int], tz_name: str) -> list[dict]:
    on_off = [option("Digest on", "on"), option("Digest off", "off")]
    times = list(DIGEST_TIMES) if digest_time in DIGEST_TIMES else sorted({*DIGEST_TIMES, digest_time})
    day_options = [option(name, str(i)) for i, name in enumerate(WEEKDAY_SHORT)]
    checkboxes: dict = {
        "type": "checkboxes",
        "action_id": ids.ACTION_HOME_DIGEST_DAYS,
        "options": day_options,
    }
    chosen = [day_options[d] for d in sorted(weekdays) if 0 <= d < 7]
    if chosen:
        checkboxes["initial_options"] = chosen
    status = (
        f"A DM at *{digest_time}* your time ({escape(tz_name)}), {_days_text(weekdays)}, "
        "listing your contacts that are overdue for a touch and your follow-ups that are due. "
        "Nothing is sent when there is neither."
        if enabled
        else "Your daily digest is *off*."
    )
    return [
        section("*Daily digest*\n" + status),
        actions(
            {
                "type": "static_select",
                "action_id": ids.ACTION_HOME_DIGEST_ENABLED,
                "options": on_off,
                "initial_option": on_off[0] if enabled else on_off[1],
            },
            {
                "type": "static_select",
                "action_id": ids.ACTION_HOME_DIGEST_TIME,
                "placeholder": placeholder("Time"),
                "options": [option(t, t) for t in times][:100],
                "initial_option": option(digest_time, digest_time),
            },
            block_id="digest_settings",
        ),
        actions(checkboxes, block_id="digest_days"),
    ]


def home_view(
    *,
    stale: list[ContactRecord],
    stale_total: int,
    recent: list[InteractionRecord],
    digest_enabled: bool,
    digest_time: str,
    digest_weekdays: frozenset[int],
    tz_name: str,
    now: datetime,
    viewer_is_admin: bool = False,
    team_digest_channel: str | None = None,
    follow_ups: Sequence[FollowUp] = (),
    follow_up_total: int = 0,
    today: date | None = None,
    team: TeamReport | None = None,
) -> dict:
    blocks: list[dict] = [
        header("Touchbase"),
        actions(button("Log interaction", ids.ACTION_HOME_LOG, "log", style="primary"), block_id="home_top"),
        {"type": "divider"},
        section(f"*Overdue for a touch* ({stale_total:,})" if stale_total else "*Overdue for a touch*"),
    ]
    if not stale:
        blocks.append(context("Nobody you own is overdue. :tada:"))
    for contact in stale:
        last = (
            f"last contact {ago_token(contact.last_contacted_at)}"
            if contact.last_contacted_at
            else "never contacted"
        )
        overdue_days = max(0, (now - contact.due_at).days)
        overdue = (
            f"overdue by {overdue_days} day{'s' if overdue_days != 1 else ''}"
            if overdue_days
            else "due today"
        )
        blocks.append(section(f"*{escape_truncate(contact.name, 200)}* · {overdue} · {last}"))
        blocks.append(
            actions(
                button("Log", ids.ACTION_LOG_FOR_CONTACT, str(contact.id), style="primary"),
                snooze_menu(contact.id),
                button("Timeline", ids.ACTION_OPEN_TIMELINE, str(contact.id)),
            )
        )
    if stale_total > len(stale):
        blocks.append(context(f"…and {stale_total - len(stale):,} more. Your morning digest lists them too."))
    if follow_ups:
        title = f"*Follow-ups due* ({max(follow_up_total, len(follow_ups)):,})"
        blocks += [{"type": "divider"}, section(title)]
        blocks += follow_up_blocks(
            follow_ups, follow_up_total, today or now.date(), block_prefix=ids.HOME_FOLLOW_UP_BLOCK
        )
    blocks += [{"type": "divider"}, section("*Your recent interactions*")]
    if not recent:
        blocks.append(context("You haven't logged anything yet. Try `/log Jane call 30m intro`."))
    for interaction in recent:
        blocks.append(
            section(
                interaction_line(interaction, now=now),
                accessory=button("View", ids.ACTION_VIEW_INTERACTION, str(interaction.id)),
            )
        )
    blocks.append({"type": "divider"})
    blocks += _digest_controls(digest_enabled, digest_time, digest_weekdays, tz_name)
    if team is not None:
        blocks += team_blocks(team, viewer_is_admin=viewer_is_admin)
    elif viewer_is_admin:
        blocks += _team_digest_controls(team_digest_channel)
    return {"type": "home", "blocks": blocks[:100]}


def _team_digest_controls(channel_id: str | None) -> list[dict]:
    """Admins choose the channel of the weekly team digest (Mondays, 09:00 UTC)."""
    select: dict = {
        "type": "conversations_select",
        "action_id": ids.ACTION_HOME_TEAM_CHANNEL,
        "placeholder": placeholder("Choose a channel"),
        "filter": {"include": ["public", "private"], "exclude_bot_users": True},
    }
    if channel_id:
        select["initial_conversation"] = channel_id
        status = (
            f"Every Monday at 09:00 UTC, a summary of the team's week goes to <#{channel_id}>. "
            "Invite the app to that channel so it can post there."
        )
    else:
        status = "Off. Choose a channel to post a summary of the team's week there every Monday."
    return [
        {"type": "divider"},
        section("*Weekly team digest* (admins)\n" + status),
        actions(
            select,
            button("Turn off", ids.ACTION_HOME_TEAM_CHANNEL_OFF, "off"),
            block_id="team_digest",
        )
        if channel_id
        else actions(select, block_id="team_digest"),
    ]
