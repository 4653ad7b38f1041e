"""One `bot.services.digests.run_digests(...)` call in its own process, so the benchmark can time and stop it.

Prints JSON lines: {"event": "start", "t": wall clock} right before the call and
{"event": "end", "t": ..., "sent": ..., ...} after it. The client is the app's own
(bot.slack.build_client: Slack's retry handlers, 429s waited out), pointed at SLACK_API_URL.

    python -m benchmarks.digest_worker --now 2026-03-11T17:00:00+00:00 --worker-id bench-1
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from datetime import datetime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--now", required=True)
    parser.add_argument("--worker-id", default="bench-digests")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    from bot.services.digests import run_digests
    from bot.settings import load_settings
    from bot.slack import build_client
    from storage.db import Database

    settings = load_settings()
    db = Database(settings.database_url)
    client = build_client(settings)
    now = datetime.fromisoformat(args.now)
    print(json.dumps({"event": "start", "t": time.time()}), flush=True)
    report = run_digests(db, client, now=now, worker_id=args.worker_id, force=True, out=lambda _text: None)
    print(
        json.dumps(
            {
                "event": "end",
                "t": time.time(),
                "sent": report.sent,
                "skipped": report.skipped,
                "failed": report.failed,
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
