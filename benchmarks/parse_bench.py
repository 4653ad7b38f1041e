"""Section 3: the quick-log parser next to dateparser's own search, and start-up to /healthz.

parse_quick_log(line, now=, tz=) on realistic `/log` lines, next to
`dateparser.search.search_dates` alone on the same lines with the settings quicklog gives
dateparser (languages=["en"], RELATIVE_BASE = local now, PREFER_DATES_FROM past, naive
results). Warm figures: p50/p99 over every line, many rounds, after one warm-up round,
the two interleaved line by line. Cold: the first call in a fresh interpreter (after its
import, which is reported apart), median over a few fresh processes.

Start-up: `touchbase serve` from exec to the first 200 from /healthz (an up-to-date
SQLite database, so the migration step only checks), next to the bare Bolt app.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from benchmarks.common import REPO_DIR, Row, clean_env, log, percentile

TZ = "America/Los_Angeles"
LINES = (
    "Jane Doe call yesterday 3pm 30m pricing follow-up",
    "<@U024BE7LH|jane> coffee last tuesday",
    "jane email 2 days ago re: contract",
    "lunch with José Núñez on march 3 for 1h30 about the renewal",
    "Acme CFO note today onboarding went well",
    "Ada Lovelace meeting 2026-03-01 45 min kickoff",
    "call with Bob Smith this morning 20m renewal pricing",
    "Maria Garcia zoom friday 2pm 1h demo of the dashboard",
    "Tom email 3/14 sent the proposal",
    "met Sarah Connor last week at the conference",
    "Ken message 15:30 quick question about invoices",
    "Lisa call 2 hours ago 10 min",
    "Priya demo on Feb 12 1.5h security review",
    "Chris dinner last night talked hiring",
    "Kim text today re: the contract draft",
    "Dana coffee 10 days ago",
    "phoned Robert Brown yesterday afternoon about the outage, 25 minutes",
    "Emily Clark meeting january 15 2pm quarterly business review",
    "Sam slack this morning shared the case study",
    "George call 09:15 budget for next year",
)


def _settings(now: datetime, tz: ZoneInfo) -> dict:
    # What bot/quicklog.py gives dateparser.
    return {
        "RELATIVE_BASE": now.astimezone(tz).replace(tzinfo=None),
        "PREFER_DATES_FROM": "past",
        "RETURN_AS_TIMEZONE_AWARE": False,
    }


def warm_figures(rounds: int) -> dict[str, list[float]]:
    from dateparser.search import search_dates

    from bot.domain.quicklog import parse_quick_log

    tz = ZoneInfo(TZ)
    now = datetime.now(UTC)
    settings = _settings(now, tz)
    samples: dict[str, list[float]] = {"quicklog": [], "search_dates": []}

    def one_round(record: bool) -> None:
        for line in LINES:
            started = time.perf_counter()
            parse_quick_log(line, now=now, tz=tz)
            middle = time.perf_counter()
            search_dates(line, languages=["en"], settings=settings)
            ended = time.perf_counter()
            if record:
                samples["quicklog"].append(middle - started)
                samples["search_dates"].append(ended - middle)

    one_round(False)
    for _ in range(rounds):
        one_round(True)
    return samples


COLD_SCRIPT = r"""
import json, sys, time
which = sys.argv[1]
line = sys.argv[2]
t0 = time.perf_counter()
from datetime import UTC, datetime
from zoneinfo import ZoneInfo
tz = ZoneInfo(sys.argv[3])
now = datetime.now(UTC)
if which == "quicklog":
    from bot.domain.quicklog import parse_quick_log
    t1 = time.perf_counter()
    parse_quick_log(line, now=now, tz=tz)
else:
    from dateparser.search import search_dates
    settings = {"RELATIVE_BASE": now.astimezone(tz).replace(tzinfo=None), "PREFER_DATES_FROM": "past",
                "RETURN_AS_TIMEZONE_AWARE": False}
    t1 = time.perf_counter()
    search_dates(line, languages=["en"], settings=settings)
t2 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "first": t2 - t1}))
"""


# The cold case that costs: the first calendar date, where dateparser loads its English data.
COLD_LINE = LINES[3]


def cold_figures(repeats: int, line: str = COLD_LINE) -> dict[str, dict[str, float]]:
    results: dict[str, dict[str, list[float]]] = {
        name: {"import": [], "first": []} for name in ("quicklog", "search_dates")
    }
    for _ in range(repeats):
        for name in ("quicklog", "search_dates"):
            out = subprocess.run(
                [sys.executable, "-c", COLD_SCRIPT, name, line, TZ],
                cwd=str(REPO_DIR),
                env=clean_env(),
                capture_output=True,
                text=True,
                check=True,
            )
            data = json.loads(out.stdout.strip().splitlines()[-1])
            results[name]["import"].append(data["import"])
            results[name]["first"].append(data["first"])
    return {name: {k: statistics.median(v) for k, v in parts.items()} for name, parts in results.items()}


def startup_figures(database_url: str, api_url: str, repeats: int) -> dict[str, float]:
    from benchmarks.serving import bare_server, touchbase_server

    times: dict[str, list[float]] = {"touchbase": [], "bare": []}
    for n in range(repeats):
        for name in ("touchbase", "bare"):
            if name == "touchbase":
                server = touchbase_server(database_url, api_url, log_name=f"startup-touchbase-{n}.log")
            else:
                server = bare_server(api_url, log_name=f"startup-bare-{n}.log")
            try:
                server.start()
                times[name].append(server.ready_after)
            finally:
                server.stop()
    return {name: statistics.median(values) for name, values in times.items()}


def run_parse_section(*, rounds: int, cold_repeats: int) -> list[Row]:
    log(f"section 3: parse {len(LINES)} lines x {rounds} rounds")
    warm = warm_figures(rounds)
    rows = []
    for stat, p in (("p50", 50), ("p99", 99)):
        mine = percentile(warm["quicklog"], p) * 1000
        floor = percentile(warm["search_dates"], p) * 1000
        rows.append(
            Row(
                "3",
                f"parse_quick_log warm {stat}",
                mine,
                "ms",
                floor=floor,
                floor_name=f"dateparser.search_dates alone, same lines and settings, {stat}",
                limit=1.2,
                note=f"{len(warm['quicklog'])} parses ({len(LINES)} lines x {rounds} rounds) after 1 warm-up round",
            ).judge()
        )
    log(f"section 3: cold parse in {cold_repeats} fresh processes each")
    cold = cold_figures(cold_repeats)
    rows.append(
        Row(
            "3",
            "parse_quick_log cold (first call in a fresh process)",
            cold["quicklog"]["first"] * 1000,
            "ms",
            floor=cold["search_dates"]["first"] * 1000,
            floor_name="first dateparser.search_dates in a fresh process",
            limit=1.2,
            note=(
                f"median of {cold_repeats}; line {COLD_LINE!r} (a calendar date: dateparser loads its data); "
                f"imports before it: bot.quicklog "
                f"{cold['quicklog']['import'] * 1000:.0f} ms, dateparser.search {cold['search_dates']['import'] * 1000:.0f} ms"
            ),
        ).judge()
    )
    return rows


STARTUP_RATIO = 2.0  # issue 19, item 5: start-up within 2x the bare app


def startup_rows(startup: dict[str, float], repeats: int) -> list[Row]:
    return [
        Row(
            "3",
            "start-up: touchbase serve to healthy /healthz",
            startup["touchbase"] * 1000,
            "ms",
            floor=startup["bare"] * 1000,
            floor_name="bare waitress + Bolt app to /healthz",
            limit=STARTUP_RATIO,
            note=f"median of {repeats} starts, in turns; up-to-date SQLite database (migration check "
            "included); `touchbase serve --no-scheduler`",
        ).judge()
    ]
