"""Section 5: peak memory. Serving (from section 1's load) and the interactions export.

Peak RSS is VmHWM from /proc/<pid>/status, read while the process runs (the export is
polled every 20 ms until it exits; VmHWM only grows, so the last reading is the peak).
Not ru_maxrss from wait4: on Linux it carries over the forked parent's RSS across exec.
"Flat" means the figure for 10x the work stays within 10% of the
figure for 1x: serving after 10k requests vs after 1k, an export of 1,000,000 rows vs
one of 100,000 rows of the same shape.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

from benchmarks.common import DATA_DIR, REPO_DIR, Row, clean_env, vm_hwm_kib

FLAT_LIMIT = 1.10


def export_peak(database_url: str) -> dict:
    """Run `touchbase export interactions --format csv --output /dev/null`; its peak RSS and time."""
    command = [
        sys.executable,
        "-m",
        "bot",
        "export",
        "interactions",
        "--format",
        "csv",
        "--output",
        os.devnull,
    ]
    env = clean_env(
        DATABASE_URL=database_url, TOUCHBASE_LOG_LEVEL="WARNING", SLACK_BOT_TOKEN="", SLACK_APP_TOKEN=""
    )
    log_path = DATA_DIR / "logs" / "export.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with open(log_path, "ab") as log_file:
        process = subprocess.Popen(command, cwd=str(REPO_DIR), env=env, stdout=log_file, stderr=log_file)
        peak = 0
        status = None
        while True:
            hwm = vm_hwm_kib(process.pid)
            if hwm:
                peak = max(peak, hwm)
            pid, status, _ = os.wait4(process.pid, os.WNOHANG)
            if pid:
                process.returncode = os.waitstatus_to_exitcode(status)
                break
            time.sleep(0.02)
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise RuntimeError(f"export exited with {process.returncode}; see {log_path}")
    return {"vmhwm_kib": peak, "seconds": seconds}


def export_rows(dialect: str, big: tuple[int, dict], small: tuple[int, dict]) -> list[Row]:
    big_rows, big_peak = big
    small_rows, small_peak = small
    return [
        Row(
            "5",
            f"export {big_rows:,} interactions ({dialect}): peak RSS",
            big_peak["vmhwm_kib"] / 1024,
            "MiB",
            floor=small_peak["vmhwm_kib"] / 1024,
            floor_name=f"export of {small_rows:,} interactions, same command",
            limit=FLAT_LIMIT,
            note=(
                f"touchbase export interactions --format csv --output /dev/null; "
                f"{big_peak['seconds']:.1f}s vs {small_peak['seconds']:.1f}s"
            ),
        ).judge()
    ]


def serving_rows(memory, checkpoints: tuple[int, int], *, label: str = "serving on sqlite") -> list[Row]:
    """Peak RSS after the first and the last checkpoint; failures and ack times under the mix."""
    from benchmarks.common import percentile

    first_at, first = memory.at(checkpoints[0])
    last_at, last = memory.at(checkpoints[1])
    if not first or not last:
        return [Row("5", f"{label}: peak RSS", None, "MiB", status="ERROR", note="no VmHWM readings").judge()]
    curve = ", ".join(f"{n:,}: {kib / 1024:.0f}" for n, kib in memory.curve if kib)
    rows = [
        Row(
            "5",
            f"{label}: peak RSS after {last_at:,} requests",
            last / 1024,
            "MiB",
            floor=first / 1024,
            floor_name=f"same process after {first_at:,} requests",
            limit=FLAT_LIMIT,
            note=(
                "fresh touchbase serve, the section 1 kinds mixed, 8 concurrent senders; "
                f"VmHWM MiB by requests: {curve}"
                + (f"; bare Bolt app: {memory.bare_hwm_kib / 1024:.0f} MiB" if memory.bare_hwm_kib else "")
            ),
            extra={"curve_kib": memory.curve},
        ).judge()
    ]
    total = sum(len(v) for v in memory.latencies.values())
    failed = sum(memory.failures.values())
    rows.append(
        Row(
            "5",
            f"{label}: non-200 answers in {total:,} mixed requests",
            failed,
            "requests",
            expect=0,
            note=", ".join(f"{kind}: {n}" for kind, n in memory.failures.items()) or "none",
        ).judge()
    )
    for kind, samples in memory.latencies.items():
        clean = [s for s in samples if s == s]
        if clean:
            rows.append(
                Row(
                    "5",
                    f"{label}: {kind} ack p99 under the mix",
                    percentile(clean, 99) * 1000,
                    "ms",
                    note=f"diagnostic; p50 {percentile(clean, 50) * 1000:.0f} ms, max {max(clean) * 1000:.0f} ms, n={len(clean)}",
                ).judge()
            )
    return rows
