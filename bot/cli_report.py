"""`touchbase report --team T [--weeks N] [--format table|csv|json]`: the team's figures."""

from __future__ import annotations

import sys

from bot.settings import Settings, SettingsError


def add_report_commands(subparsers) -> None:
    report = subparsers.add_parser(
        "report",
        help="the team's figures: interactions per person per week, stale contacts, overdue follow-ups",
        description="Print what App Home's Team section shows: interactions each person logged in each "
        "of the last N weeks (weeks start on Monday, UTC; the last one is this week so far), the "
        "contacts overdue for a touch grouped by owner, and the most overdue follow-ups (overdue by "
        "each owner's local today). Reads only.",
    )
    report.add_argument("--team", required=True, metavar="T", help="the workspace's Slack team id")
    report.add_argument(
        "--weeks", type=int, default=4, metavar="N", help="weeks to count (default 4, at most 52)"
    )
    report.add_argument("--format", choices=("table", "csv", "json"), default="table", help="default: table")
    report.set_defaults(run=cmd_report)


def cmd_report(args, settings: Settings) -> int:
    from blocks.team import report_csv, report_json, report_table
    from bot.scheduler import open_database
    from bot.services import utc_now
    from storage.team_report import WEEKS_MAX, team_report

    if not 1 <= args.weeks <= WEEKS_MAX:
        raise SettingsError(f"--weeks must be between 1 and {WEEKS_MAX}")
    db = open_database(settings)
    try:
        report = team_report(db, args.team, utc_now(), weeks=args.weeks, follow_ups_max=50)
    finally:
        db.dispose()
    render = {"table": report_table, "csv": report_csv, "json": report_json}[args.format]
    text = render(report)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0
