"""`touchbase serve --workers`: what it refuses, with one line naming the problem."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.app_harness import SIGNING_SECRET
from tests.serving import clean_env


def _serve(tmp_path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot", "serve", "--no-scheduler", *args],
        cwd=tmp_path,
        env=clean_env(**env),
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("args", "env", "named"),
    [
        (("--workers", "0"), {}, "--workers must be 1 or more"),
        (("--workers", "2"), {"SLACK_APP_TOKEN": "xapp-1"}, "--workers needs HTTP mode"),
        (
            (),
            {"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "s", "SLACK_APP_TOKEN": "xapp-1"},
            "HTTP mode only",
        ),
    ],
)
def test_serve_refuses_with_one_line(tmp_path, args, env, named):
    base = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": SIGNING_SECRET}
    if "SLACK_CLIENT_ID" in env:
        base.pop("SLACK_BOT_TOKEN")
    result = _serve(tmp_path, *args, **base, **env)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and named in lines[0], result.stderr
