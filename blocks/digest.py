"""The digest DM (stale contacts with Log, Snooze and Timeline), its plain-text twin for
`--dry-run`, and the weekly team digest. Pure: data and `now` in, text and blocks out."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from blocks import ids
from blocks.contacts import snooze_menu
from blocks.followups import follow_up_blocks, follow_up_text_line
from blocks.kit import actions, button, context, header, section
from blocks.text import (
    DATE_ONLY_FORMAT,
    SECTION_TEXT_MAX,
    ago,
    ago_token,
    date_token,
    display_name,
    escape,
    escape_truncate,
    fit_lines,
    one_line,
    truncate,
    type_emoji,
    type_label,
    user_mention,
)
from bot.domain.followups import DIGEST_FOLLOW_UPS_MAX, FollowUp
from bot.domain.records import StaleContact, TeamWeekSummary
from bot.domain.rules import DIGEST_CONTACTS_MAX

SUMMARY_CHARS = 200
NAME_CHARS = 120
COMPANY_CHARS = 80
# Names in the notification text (what a phone shows); the blocks list them all.
TEXT_NAMES_MAX = 3
PEOPLE_MAX = 10
DIGEST_FOOTER = ":bulb: Log a touch or snooze a contact and it leaves your next digest."


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {plural or word + 's'}"


def overdue_phrase(item: StaleContact, now: datetime) -> str:
    """ "overdue by 12 days", or "due today" within the first day."""
    days = item.overdue_by(now).days
    return f"overdue by {_plural(days, 'day')}" if days >= 1 else "due today"


def _last_contact(item: StaleContact, now: datetime) -> str:
    c = item.contact
    if c.last_contacted_at is None:
        return f"Never contacted (added {date_token(c.created_at, DATE_ONLY_FORMAT)})"
    return (
        f"Last contact {date_token(c.last_contacted_at, DATE_ONLY_FORMAT)} ({ago_token(c.last_contacted_at)})"
    )


def _last_interaction_line(item: StaleContact, now: datetime) -> str | None:
    last = item.last_interaction
    if last is None:
        return None
    summary = escape_truncate(one_line(last.summary), SUMMARY_CHARS)
    # A note after the last contact has its own date; otherwise the date is already shown above.
    when = "" if last.occurred_at == item.contact.last_contacted_at else f", {ago_token(last.occurred_at)}"
    return f"{type_emoji(last.type)} _{type_label(last.type)}{last.others_text}{when}:_ {summary}"


def _contact_blocks(item: StaleContact, now: datetime) -> list[dict]:
    c = item.contact
    title = f"*{escape_truncate(display_name(c.name), NAME_CHARS)}*"
    if c.company and c.company.strip():
        title += f" · {escape_truncate(one_line(c.company), COMPANY_CHARS)}"
    lines = [title, f"{_last_contact(item, now)} · :warning: {overdue_phrase(item, now)}"]
    last = _last_interaction_line(item, now)
    if last:
        lines.append(last)
    cid = str(c.id)
    return [
        section("\n".join(lines)),
        actions(
            button("Log", ids.ACTION_LOG_FOR_CONTACT, cid, style="primary"),
            snooze_menu(c.id),
            button("Timeline", ids.ACTION_OPEN_TIMELINE, cid),
            block_id=f"{ids.DIGEST_BLOCK_PREFIX}:{cid}",
        ),
    ]


def digest_message(
    user_id: str,
    contacts_with_details: list[StaleContact],
    total: int,
    *,
    now: datetime,
    follow_ups: Sequence[FollowUp] = (),
    follow_up_total: int = 0,
    today: date | None = None,
) -> tuple[str, list[dict]]:
    """The digest DM: most overdue first, at most DIGEST_CONTACTS_MAX contacts, then "and N more";
    then the follow-ups due by the user's local `today` (at most DIGEST_FOLLOW_UPS_MAX).

    Two blocks per contact and per follow-up keeps the whole message under 47 blocks (Slack: 50).
    """
    shown = contacts_with_details[:DIGEST_CONTACTS_MAX]
    total = max(total, len(shown))
    count = _plural(total, "contact")
    verb = "is" if total == 1 else "are"
    blocks: list[dict] = [header("Time to touch base")]
    if total:
        blocks.append(
            section(f"{user_mention(user_id)}, {count} {verb} overdue for a touch. Most overdue first.")
        )
    for item in shown:
        blocks.extend(_contact_blocks(item, now))
    if total > len(shown):
        more = total - len(shown)
        blocks.append(
            context(f"…and {_plural(more, 'more overdue contact')}. Use `/contact NAME` to open any of them.")
        )
    fu_shown = list(follow_ups[:DIGEST_FOLLOW_UPS_MAX])
    fu_total = max(follow_up_total, len(fu_shown))
    if fu_shown:
        day = today or now.date()
        intro = "" if total else f"{user_mention(user_id)}, "
        blocks.append(section(f"{intro}*Follow-ups due ({fu_total})* — what you planned to do next."))
        blocks.extend(
            follow_up_blocks(
                fu_shown, fu_total, day, block_prefix=f"{ids.DIGEST_BLOCK_PREFIX}:{ids.FOLLOW_UP_BLOCK}"
            )
        )
    blocks.append(context(DIGEST_FOOTER))
    text = _notification_text(shown, total) if total else ""
    if fu_total:
        due = f"{_plural(fu_total, 'follow-up')} due"
        text = (
            f"{text}; {due}"
            if text
            else f"{due}: "
            + ", ".join(escape(display_name(f.contact_name)) for f in fu_shown[:TEXT_NAMES_MAX])
        )
    return truncate(text, 300), blocks


def digest_caught_up_message() -> tuple[str, list[dict]]:
    """What a digest DM becomes once everything on it has been handled."""
    text = "You're all caught up: nobody on this digest is overdue any more."
    return text, [section(f":white_check_mark: {text}"), context(DIGEST_FOOTER)]


def _notification_text(shown: list[StaleContact], total: int) -> str:
    names = [escape(display_name(item.contact.name)) for item in shown[:TEXT_NAMES_MAX]]
    if total > len(names):
        names.append(f"{total - len(names)} more")
    verb = "is" if total == 1 else "are"
    return truncate(f"{_plural(total, 'contact')} {verb} overdue for a touch: {', '.join(names)}", 300)


def digest_text(
    user_id: str,
    contacts_with_details: list[StaleContact],
    total: int,
    *,
    now: datetime,
    tz: ZoneInfo | None = None,
    team_id: str | None = None,
    follow_ups: Sequence[FollowUp] = (),
    follow_up_total: int = 0,
) -> str:
    """The digest as readable plain text (for `touchbase digest run --dry-run`), dates in `tz`."""
    zone = tz or ZoneInfo("UTC")
    shown = contacts_with_details[:DIGEST_CONTACTS_MAX]
    total = max(total, len(shown))
    where = f" in {team_id}" if team_id else ""
    local_now = now.astimezone(zone)
    what = (
        f"{_plural(total, 'contact')} overdue for a touch, most overdue first"
        if total
        else "no contact overdue for a touch"
    )
    if follow_up_total or follow_ups:
        what += f"; {_plural(max(follow_up_total, len(follow_ups)), 'follow-up')} due"
    lines = [f"Digest for {user_id}{where} ({local_now:%a %Y-%m-%d %H:%M} {zone.key}): {what}"]
    for number, item in enumerate(shown, start=1):
        c = item.contact
        name = display_name(c.name) + (f" ({one_line(c.company)})" if c.company and c.company.strip() else "")
        if c.last_contacted_at is None:
            last = f"never contacted (added {c.created_at.astimezone(zone):%Y-%m-%d})"
        else:
            last = f"last contact {c.last_contacted_at.astimezone(zone):%Y-%m-%d} ({ago(c.last_contacted_at, now)})"
        lines.append(f"{number:>3}. {name} — {last}; {overdue_phrase(item, now)}")
        if item.last_interaction is not None:
            li = item.last_interaction
            summary = truncate(one_line(li.summary), SUMMARY_CHARS)
            lines.append(
                f"     {type_label(li.type)}{li.others_text} {li.occurred_at.astimezone(zone):%Y-%m-%d}: “{summary}”"
            )
    if total > len(shown):
        lines.append(f"     …and {_plural(total - len(shown), 'more overdue contact')}")
    fu_shown = list(follow_ups[:DIGEST_FOLLOW_UPS_MAX])
    fu_total = max(follow_up_total, len(fu_shown))
    if fu_shown:
        lines.append(f"  Follow-ups due ({fu_total}), oldest first:")
        today = local_now.date()
        lines.extend(f"   - {follow_up_text_line(f, today)}" for f in fu_shown)
        if fu_total > len(fu_shown):
            lines.append(f"     …and {_plural(fu_total - len(fu_shown), 'more follow-up')}")
    return "\n".join(lines)


# ---------------------------------------------------------------------- weekly team digest


def _type_lines(summary: TeamWeekSummary) -> list[str]:
    return [f"{type_emoji(kind)} {type_label(kind)}: *{n}*" for kind, n in summary.by_type.items()]


def team_digest_message(summary: TeamWeekSummary, *, now: datetime) -> tuple[str, list[dict]]:
    """The weekly team digest: interactions by type and by person, and contacts that went stale."""
    s = summary
    period = f"{date_token(s.since, DATE_ONLY_FORMAT)} – {date_token(s.until, DATE_ONLY_FORMAT)}"
    blocks: list[dict] = [header("The week in contacts")]
    if s.interaction_total:
        blocks.append(
            section(
                f"*{_plural(s.interaction_total, 'interaction')}* logged, {period}.\n"
                + "\n".join(_type_lines(s))
            )
        )
        people = [f"{user_mention(user)}: {n}" for user, n in s.by_person[:PEOPLE_MAX]]
        if len(s.by_person) > PEOPLE_MAX:
            people.append(f"…and {_plural(len(s.by_person) - PEOPLE_MAX, 'more person', 'more people')}")
        blocks.append(section("*By person*\n" + "\n".join(people)))
    else:
        blocks.append(section(f"No interactions were logged, {period}."))
    if s.newly_stale_total:
        lines = [
            f"• *{escape_truncate(display_name(c.name), NAME_CHARS)}* ({user_mention(c.owner_user_id)}), "
            f"due {date_token(c.due_at, DATE_ONLY_FORMAT)}"
            for c in s.newly_stale
        ]
        title = f"*Became stale this week ({s.newly_stale_total})*"
        body = fit_lines(lines, SECTION_TEXT_MAX - len(title) - 40)
        if s.newly_stale_total > len(s.newly_stale):
            body += f"\n…and {s.newly_stale_total - len(s.newly_stale)} more"
        blocks.append(section(f"{title}\n{body}"))
    else:
        blocks.append(section("No contact became stale this week."))
    text = (
        f"The week in contacts: {_plural(s.interaction_total, 'interaction')} logged, "
        f"{_plural(s.newly_stale_total, 'contact')} became stale"
    )
    return text, blocks


def team_digest_text(summary: TeamWeekSummary, *, now: datetime) -> str:
    """The weekly team digest as plain text, for `--dry-run`."""
    s = summary
    lines = [
        f"Team digest for {s.team_id}: {s.since:%Y-%m-%d} – {s.until:%Y-%m-%d} (UTC), "
        f"{_plural(s.interaction_total, 'interaction')} logged"
    ]
    if s.by_type:
        lines.append("  By type: " + ", ".join(f"{type_label(k)} {n}" for k, n in s.by_type.items()))
    if s.by_person:
        lines.append("  By person: " + ", ".join(f"{u} {n}" for u, n in s.by_person))
    lines.append(f"  Became stale this week: {s.newly_stale_total}")
    lines.extend(
        f"    - {display_name(c.name)} (owner {c.owner_user_id}), due {c.due_at:%Y-%m-%d}"
        for c in s.newly_stale
    )
    if s.newly_stale_total > len(s.newly_stale):
        lines.append(f"    …and {s.newly_stale_total - len(s.newly_stale)} more")
    return "\n".join(lines)
