"""The team's figures as App Home's "Team" section and as `touchbase report` output (table, CSV,
JSON). Pure: a `TeamReport` in, blocks or text out; every list is capped and summarised so a team
of hundreds stays within Block Kit's limits (3000 characters a section, 100 blocks a Home tab).
"""

from __future__ import annotations

import csv
import io
import json

from blocks import ids
from blocks.kit import actions, button, option, placeholder, section
from blocks.text import SECTION_TEXT_MAX, display_name, escape_truncate, fit_lines, user_mention
from bot.domain.followups import TeamReport

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
PEOPLE_SHOWN = 15
OWNERS_SHOWN = 10
FOLLOW_UPS_SHOWN = 5
BAR_WIDTH = 8
BARS = " ▁▂▃▄▅▆▇█"


def _week_label(report: TeamReport, index: int) -> str:
    day = report.week_starts[index]
    return f"{day:%b} {day.day:02d}"


def _bar(counts: tuple[int, ...], top: int) -> str:
    """A sparkline: one character a week, scaled to the busiest person-week."""
    return "".join(BARS[0 if not n else max(1, round(n * (len(BARS) - 1) / top))] for n in counts)


def _people_section(report: TeamReport) -> dict:
    weeks = len(report.week_starts)
    title = (
        f"*Interactions per person, last {weeks} week{'s' if weeks != 1 else ''}* (weeks from Monday, UTC)"
    )
    if not report.people:
        return section(f"{title}\nNobody logged anything in these weeks.")
    top = max(max(p.counts) for p in report.people) or 1
    head = "`" + " ".join(f"{_week_label(report, i):>6}" for i in range(weeks)) + " │  total`"
    lines = []
    for person in report.people[:PEOPLE_SHOWN]:
        cells = " ".join(f"{n:>6}" for n in person.counts)
        lines.append(
            f"`{cells} │ {person.total:>6}` {_bar(person.counts, top)} {user_mention(person.user_id)}"
        )
    totals = " ".join(f"{n:>6}" for n in report.week_totals)
    more = len(report.people) - PEOPLE_SHOWN
    tail = [f"`{totals} │ {sum(report.week_totals):>6}` *team*"]
    if more > 0:
        tail.insert(
            0, f"…and {more} more {'person' if more == 1 else 'people'} (`touchbase report` lists everyone)"
        )
    room = SECTION_TEXT_MAX - len(title) - len(head) - sum(len(t) + 1 for t in tail) - 10
    return section("\n".join([title, head, fit_lines(lines, room), *tail]))


def _stale_section(report: TeamReport) -> dict:
    title = f"*Overdue for a touch, by owner* ({report.stale_total:,})"
    if not report.stale_by_owner:
        return section(f"{title}\nEvery contact has been touched within its cadence. :tada:")
    lines = []
    for owner in report.stale_by_owner[:OWNERS_SHOWN]:
        names = ", ".join(escape_truncate(display_name(n), 60) for n in owner.names)
        more = f" and {owner.count - len(owner.names)} more" if owner.count > len(owner.names) else ""
        lines.append(f"• {user_mention(owner.owner_user_id)}: *{owner.count}* — {names}{more}")
    rest = len(report.stale_by_owner) - OWNERS_SHOWN
    if rest > 0:
        lines.append(f"…and {rest} more owner{'s' if rest != 1 else ''}")
    return section(title + "\n" + fit_lines(lines, SECTION_TEXT_MAX - len(title) - 1))


def _follow_ups_section(report: TeamReport) -> dict:
    title = f"*Most overdue follow-ups* ({report.overdue_follow_up_total:,})"
    if not report.overdue_follow_ups:
        return section(f"{title}\nNo follow-up is overdue.")
    lines = []
    for entry in report.overdue_follow_ups[:FOLLOW_UPS_SHOWN]:
        f = entry.follow_up
        lines.append(
            f"• *{escape_truncate(display_name(f.contact_name), 80)}* ({user_mention(f.owner_user_id)}), "
            f"overdue by {entry.days_overdue} day{'s' if entry.days_overdue != 1 else ''} — "
            f"{escape_truncate(f.summary, 120)}"
        )
    rest = report.overdue_follow_up_total - min(FOLLOW_UPS_SHOWN, len(report.overdue_follow_ups))
    if rest > 0:
        lines.append(f"…and {rest} more")
    return section(title + "\n" + fit_lines(lines, SECTION_TEXT_MAX - len(title) - 1))


def team_blocks(report: TeamReport, *, viewer_is_admin: bool) -> list[dict]:
    """App Home's Team section: at most 5 blocks, plus the admin's team digest controls (3)."""
    blocks: list[dict] = [
        {"type": "divider"},
        section("*Team*"),
        _people_section(report),
        _stale_section(report),
        _follow_ups_section(report),
    ]
    if viewer_is_admin:
        blocks += team_digest_controls(report.team_digest_channel, report.team_digest_weekday)
    return blocks


def team_digest_controls(channel_id: str | None, weekday: int) -> list[dict]:
    """Admins choose the channel and the day of the weekly team digest (09:00 UTC)."""
    day = WEEKDAYS[weekday % 7]
    select: dict = {
        "type": "conversations_select",
        "action_id": ids.ACTION_HOME_TEAM_CHANNEL,
        "placeholder": placeholder("Choose a channel"),
        "filter": {"include": ["public", "private"], "exclude_bot_users": True},
    }
    days = [option(name, str(i)) for i, name in enumerate(WEEKDAYS)]
    day_select = {
        "type": "static_select",
        "action_id": ids.ACTION_HOME_TEAM_DIGEST_DAY,
        "placeholder": placeholder("Day"),
        "options": days,
        "initial_option": days[weekday % 7],
    }
    if channel_id:
        select["initial_conversation"] = channel_id
        status = (
            f"Every {day} at 09:00 UTC, a summary of the team's week goes to <#{channel_id}>. "
            "Invite the app to that channel so it can post there."
        )
        elements: tuple[dict, ...] = (
            select,
            day_select,
            button("Turn off", ids.ACTION_HOME_TEAM_CHANNEL_OFF, "off"),
        )
    else:
        status = f"Off. Choose a channel to post a summary of the team's week there every {day}."
        elements = (select, day_select)
    return [section("*Weekly team digest* (admins)\n" + status), actions(*elements, block_id="team_digest")]


# ---------------------------------------------------------------------- `touchbase report`


def report_table(report: TeamReport) -> str:
    weeks = len(report.week_starts)
    lines = [
        f"Team {report.team_id} — {report.generated_at:%Y-%m-%d %H:%M} UTC",
        "",
        f"Interactions per person, last {weeks} week{'s' if weeks != 1 else ''} (weeks from Monday, UTC):",
    ]
    width = max([len("person"), *(len(p.user_id) for p in report.people)])
    head = f"  {'person':<{width}}  " + "  ".join(f"{_week_label(report, i):>6}" for i in range(weeks))
    lines.append(f"{head}   total")
    top = max([1, *(max(p.counts) for p in report.people)])
    for p in report.people:
        cells = "  ".join(f"{n:>6}" for n in p.counts)
        lines.append(f"  {p.user_id:<{width}}  {cells}  {p.total:>6}  {_bar(p.counts, top)}".rstrip())
    cells = "  ".join(f"{n:>6}" for n in report.week_totals)
    lines.append(f"  {'team':<{width}}  {cells}  {sum(report.week_totals):>6}")
    lines += ["", f"Overdue for a touch, by owner ({report.stale_total}):"]
    if not report.stale_by_owner:
        lines.append("  none")
    for o in report.stale_by_owner:
        more = f" and {o.count - len(o.names)} more" if o.count > len(o.names) else ""
        lines.append(f"  {o.owner_user_id}: {o.count} — {', '.join(display_name(n) for n in o.names)}{more}")
    lines += ["", f"Overdue follow-ups ({report.overdue_follow_up_total}), most overdue first:"]
    if not report.overdue_follow_ups:
        lines.append("  none")
    for entry in report.overdue_follow_ups:
        f = entry.follow_up
        days = f"{entry.days_overdue} day{'s' if entry.days_overdue != 1 else ''}"
        due = f" (due {f.due_on:%Y-%m-%d})" if f.due_on else ""
        lines.append(
            f"  {display_name(f.contact_name)} ({f.owner_user_id}) — overdue by {days}{due}: {f.summary}"
        )
    if report.overdue_follow_up_total > len(report.overdue_follow_ups):
        lines.append(f"  …and {report.overdue_follow_up_total - len(report.overdue_follow_ups)} more")
    return "\n".join(lines)


def report_csv(report: TeamReport) -> str:
    """One row per figure: section, person, week (Monday), value, detail."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["section", "user_id", "week", "value", "detail"])
    for p in report.people:
        for i, n in enumerate(p.counts):
            writer.writerow(["interactions", p.user_id, report.week_starts[i].isoformat(), n, ""])
    for o in report.stale_by_owner:
        writer.writerow(["stale_contacts", o.owner_user_id, "", o.count, "; ".join(o.names)])
    for entry in report.overdue_follow_ups:
        f = entry.follow_up
        writer.writerow(
            ["overdue_follow_up", f.owner_user_id, "", entry.days_overdue, f"{f.contact_name}: {f.summary}"]
        )
    return out.getvalue()


def report_json(report: TeamReport) -> str:
    data = {
        "team_id": report.team_id,
        "generated_at": report.generated_at.isoformat(),
        "weeks": [d.isoformat() for d in report.week_starts],
        "interactions": [
            {"user_id": p.user_id, "counts": list(p.counts), "total": p.total} for p in report.people
        ],
        "week_totals": list(report.week_totals),
        "stale_by_owner": [
            {"user_id": o.owner_user_id, "count": o.count, "most_overdue": list(o.names)}
            for o in report.stale_by_owner
        ],
        "stale_total": report.stale_total,
        "overdue_follow_ups": [
            {
                "interaction_id": e.follow_up.interaction_id,
                "user_id": e.follow_up.owner_user_id,
                "contact": e.follow_up.contact_name,
                "summary": e.follow_up.summary,
                "due_on": e.follow_up.due_on.isoformat() if e.follow_up.due_on else None,
                "days_overdue": e.days_overdue,
            }
            for e in report.overdue_follow_ups
        ],
        "overdue_follow_up_total": report.overdue_follow_up_total,
    }
    return json.dumps(data, indent=2, ensure_ascii=False)
