"""The benchmark code path runs end to end at tiny sizes (`python -m benchmarks --smoke`).

Benchmarks are not tests: nothing here looks at a timing. It only proves that every
section runs and lands in the results file, so `make bench` doesn't rot between runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_every_section_runs_and_writes_results(tmp_path):
    results = tmp_path / "results.json"
    env = {k: v for k, v in os.environ.items() if k.lower() not in ("http_proxy", "https_proxy", "all_proxy")}
    env["TOUCHBASE_BENCH_DATA"] = str(tmp_path / "data")
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--smoke", "--output", str(results)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    data = json.loads(results.read_text())
    assert data["mode"] == "smoke"
    rows = data["rows"]
    assert {row["section"] for row in rows} == {"1", "2", "3", "4", "5"}
    assert not [row for row in rows if row["status"] == "ERROR"]
    for row in rows:
        assert {"section", "name", "figure", "unit", "floor", "ratio", "target", "status"} <= set(row)
        assert row["status"] in ("met", "MISSED", "info", "pending")
    # The table made it to stdout, and the plans were saved.
    assert "figure" in completed.stdout and "floor" in completed.stdout
    assert list((tmp_path / "data" / "plans").glob("sqlite_*.txt"))
