"""One digest scheduler process on a simulated clock, for tests/test_digest_multiprocess.py.

    python -m tests.digest_driver DATABASE_URL SLACK_API_URL WORKER_ID

Prints `ready`, then reads one command per line on stdin: `tick ISO-8601` runs the digest
job once at that instant and answers `done SENT SKIPPED FAILED`; `quit` (or end of input)
exits. The test steps every process through the same ticks, so they race for each claim
exactly as schedulers ticking at the same moment do.
"""

from __future__ import annotations

import sys
from datetime import datetime

from slack_sdk import WebClient

from bot.services.digests import run_digests
from bot.slack import retry_handlers
from storage.db import Database


def main(argv: list[str]) -> int:
    database_url, slack_url, worker_id = argv
    db = Database(database_url, pool_size=2)
    client = WebClient(token="xoxb-test", base_url=slack_url, retry_handlers=retry_handlers(), timeout=10)
    print("ready", flush=True)
    try:
        for line in sys.stdin:
            command, _, argument = line.strip().partition(" ")
            if command == "quit":
                break
            if command == "tick":
                now = datetime.fromisoformat(argument)
                report = run_digests(db, client, now=now, worker_id=worker_id, out=lambda _text: None)
                print(f"done {report.sent} {report.skipped} {report.failed}", flush=True)
    finally:
        db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
