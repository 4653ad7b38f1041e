"""`touchbase digest run [--now] [--dry-run] [--user U]` and `touchbase scheduler`."""

from __future__ import annotations

from bot.settings import Settings


def add_digest_commands(subparsers) -> None:
    digest = subparsers.add_parser(
        "digest",
        help="stale-contact digests",
        description="The morning DM that lists each person's contacts overdue for a touch. "
        "`touchbase serve` and `touchbase scheduler` send them on schedule; `digest run` sends "
        "what is due once.",
    )
    actions = digest.add_subparsers(dest="digest_command", required=True, metavar="ACTION")
    run = actions.add_parser(
        "run",
        help="send the digests due now, once (what each scheduler tick does)",
        description="Send every digest due now and not yet delivered today. Safe to run while "
        "schedulers are running: each digest is claimed in the database and sent once.",
    )
    run.add_argument(
        "--now",
        action="store_true",
        help="treat everyone with stale contacts as due now, whatever their digest days and time "
        "(still at most one digest per person per local day)",
    )
    run.add_argument(
        "--dry-run", action="store_true", help="print each digest as text; send, claim and record nothing"
    )
    run.add_argument("--user", metavar="U", help="only this Slack user id")
    run.set_defaults(run=cmd_digest_run)

    scheduler = subparsers.add_parser(
        "scheduler",
        help="run only the digest scheduler (for deployments that serve with --no-scheduler)",
        description="Run the digest scheduler alone, in the foreground, until SIGTERM or Ctrl-C: every "
        "minute it sends the digests that came due (each person's days and time, in their time zone). "
        "Use it when every `touchbase serve` runs with --no-scheduler. Several schedulers are safe: "
        "each digest is claimed in the database and sent once. Needs SLACK_BOT_TOKEN and a migrated "
        "database.",
    )
    scheduler.set_defaults(run=cmd_scheduler)


def cmd_digest_run(args, settings: Settings) -> int:
    from bot.scheduler import open_database, require_bot_token, worker_id
    from bot.services import utc_now
    from bot.services.digests import run_digests

    client = None
    if not args.dry_run:
        from bot.slack import build_client

        require_bot_token(settings)
        client = build_client(settings)
    db = open_database(settings)
    if client is not None:
        from bot.scheduler import scheduler_clients

        client, _ = scheduler_clients(settings, db, client)  # each workspace's token in OAuth mode
    try:
        report = run_digests(
            db,
            client,
            now=utc_now(),
            worker_id=f"cli-{worker_id()}",
            force=args.now,
            dry_run=args.dry_run,
            only_user=args.user,
            out=_print_digest,
        )
    finally:
        db.dispose()
    if args.dry_run:
        count = len(report.dry_run_texts)
        print(f"Dry run: {count} digest{'s' if count != 1 else ''} would be sent; nothing was sent.")
        return 0
    for key, outcome, reason in report.outcomes:
        print(
            f"{outcome:8} {key.team_id} {key.user_id} {key.local_date}" + (f" ({reason})" if reason else "")
        )
    print(f"Digests: {report.summary()}.")
    return 1 if report.failed else 0


def _print_digest(text: str) -> None:
    print(text)
    print()


def cmd_scheduler(args, settings: Settings) -> int:
    from bot.scheduler import run_scheduler_forever

    return run_scheduler_forever(settings)
