"""Rows, statistics, timing and the results table shared by every section."""

from __future__ import annotations

import json
import math
import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
# Scratch space (databases, logs, EXPLAIN plans); gitignored. Tests point it elsewhere.
DATA_DIR = Path(os.environ.get("TOUCHBASE_BENCH_DATA") or BENCH_DIR / ".data").resolve()
PLANS_DIR = DATA_DIR / "plans"
RESULTS_PATH = BENCH_DIR / "results.json"

SECTIONS = {
    "1": "ack latency",
    "2": "storage at scale",
    "3": "parsing and start-up",
    "4": "digest fan-out",
    "5": "memory",
}

MET = "met"
MISSED = "MISSED"
INFO = "info"
PENDING = "pending"
ERROR = "ERROR"


@dataclass
class Row:
    """One figure, its floor measured in the same run, their ratio and the target.

    `limit` is the largest ratio that meets the target (None: no ratio target);
    `absolute_max` is an extra bound on the figure itself (e.g. p99 < 100 ms).
    `expect` is for counts that must equal a value (duplicates == 0).
    """

    section: str
    name: str
    figure: float | None
    unit: str
    floor: float | None = None
    floor_name: str = ""
    limit: float | None = None
    absolute_max: float | None = None
    expect: float | None = None
    target: str = ""
    status: str = ""
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.figure is None or self.floor is None or self.floor <= 0:
            return None
        return self.figure / self.floor

    def judge(self) -> Row:
        if self.status:
            return self
        if self.figure is None:
            self.status = ERROR
            return self
        checks = []
        if self.limit is not None:
            checks.append(self.ratio is not None and self.ratio <= self.limit)
        if self.absolute_max is not None:
            checks.append(self.figure < self.absolute_max)
        if self.expect is not None:
            checks.append(self.figure == self.expect)
        self.status = (MET if all(checks) else MISSED) if checks else INFO
        if not self.target:
            parts = []
            if self.limit is not None:
                parts.append(f"<= {self.limit:g}x")
            if self.absolute_max is not None:
                parts.append(f"< {self.absolute_max:g} {self.unit}")
            if self.expect is not None:
                parts.append(f"== {self.expect:g}")
            self.target = " and ".join(parts) or "-"
        return self

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["ratio"] = None if self.ratio is None else round(self.ratio, 3)
        data["section_title"] = SECTIONS.get(self.section, "")
        return data


# ---------------------------------------------------------------------- statistics


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def summary_ms(samples: list[float]) -> dict[str, float]:
    """p50/p99/max of samples in seconds, as milliseconds."""
    return {
        "p50": percentile(samples, 50) * 1000,
        "p99": percentile(samples, 99) * 1000,
        "max": max(samples) * 1000 if samples else math.nan,
        "n": len(samples),
    }


def median_time(fn: Callable[[], object], *, runs: int, warmup: int = 3) -> tuple[float, list[float]]:
    """Median wall time of `fn` in seconds over `runs` calls after `warmup` untimed ones."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples), samples


def interleaved_medians(
    fns: dict[str, Callable[[], object]],
    *,
    runs: int,
    warmup: int = 3,
    budget_seconds: float | None = None,
    min_runs: int = 3,
) -> tuple[dict[str, float], int]:
    """Median seconds of each function, run in turns (a, b, a, b...) so drift hits all alike.

    With `budget_seconds`, fewer than `runs` rounds (at least `min_runs`) are made when a
    round is slow, as measured during the warm-up. Returns the medians and the rounds made.
    """
    started = time.perf_counter()
    for _ in range(warmup):
        for fn in fns.values():
            fn()
    if budget_seconds is not None and warmup:
        per_round = (time.perf_counter() - started) / warmup
        runs = max(min_runs, min(runs, int(budget_seconds / max(per_round, 1e-9))))
    samples: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(runs):
        for name, fn in fns.items():
            started = time.perf_counter()
            fn()
            samples[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in samples.items()}, runs


# ---------------------------------------------------------------------- processes


def vm_hwm_kib(pid: int) -> int | None:
    """Peak resident set size (VmHWM) of a live process, in KiB."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def clean_env(**extra: str) -> dict[str, str]:
    """The environment for a child process: no proxies (everything is on 127.0.0.1), repo on the path."""
    env = {k: v for k, v in os.environ.items() if k.lower() not in ("http_proxy", "https_proxy", "all_proxy")}
    env["PYTHONPATH"] = str(REPO_DIR) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


# ---------------------------------------------------------------------- output


def _fmt(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if value == 0:
        return "0"
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.0f}"
    if magnitude >= 100:
        return f"{value:.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    if magnitude >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def render_table(rows: list[Row]) -> str:
    headers = ("sec", "name", "figure", "unit", "floor", "ratio", "target", "result")
    lines = []
    body = []
    for row in rows:
        ratio = row.ratio
        body.append(
            (
                row.section,
                row.name,
                _fmt(row.figure),
                row.unit,
                _fmt(row.floor),
                "-" if ratio is None else f"{ratio:.2f}x",
                row.target,
                row.status,
            )
        )
    widths = [max(len(h), *(len(r[i]) for r in body)) if body else len(h) for i, h in enumerate(headers)]
    numeric = {2, 4, 5}

    def line(cells) -> str:
        out = []
        for i, cell in enumerate(cells):
            out.append(cell.rjust(widths[i]) if i in numeric else cell.ljust(widths[i]))
        return "  ".join(out).rstrip()

    lines.append(line(headers))
    lines.append(line(["-" * w for w in widths]))
    current = None
    for row, cells in zip(rows, body, strict=True):
        if row.section != current and current is not None:
            lines.append("")
        current = row.section
        lines.append(line(cells))
    return "\n".join(lines)


def render_notes(rows: list[Row]) -> str:
    notes = []
    for row in rows:
        if row.note or row.floor_name:
            parts = []
            if row.floor_name:
                parts.append(f"floor = {row.floor_name}")
            if row.note:
                parts.append(row.note)
            notes.append(f"  [{row.section}] {row.name}: " + "; ".join(parts))
    return "\n".join(notes)


def code_version() -> str:
    """The commit measured (read-only git), with "+changes" when the work tree differs from it."""
    import subprocess

    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO_DIR, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=REPO_DIR,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+changes" if dirty else "")


def write_results(rows: list[Row], *, mode: str, path: Path, started: float, config: dict) -> None:
    data = {
        "code": code_version(),
        "mode": mode,
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "duration_seconds": round(time.time() - started, 1),
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "config": config,
        "sections": {key: title for key, title in SECTIONS.items()},
        "rows": [row.to_json() for row in rows],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2, default=str) + "\n")
    tmp.replace(path)
