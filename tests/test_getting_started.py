"""What a new user follows: the manifest's Socket Mode recipe, `.env.example`, the README's anchors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from dotenv import dotenv_values

from bot.settings import DEFAULT_DATABASE_URL, SettingsError, load_settings

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT.parent / "shared" / "slack" / "manifest.schema.json"
URL_LINE = "touchbase.example.com/slack/events"


def socket_mode_manifest() -> tuple[str, int]:
    """The README's step 2, done to the text: delete the URL lines, turn Socket Mode on."""
    lines = (ROOT / "app.manifest.yaml").read_text().splitlines()
    kept = [line for line in lines if not line.rstrip().endswith(URL_LINE)]
    text = "\n".join(kept).replace("socket_mode_enabled: false", "socket_mode_enabled: true")
    return text, len(lines) - len(kept)


def test_the_socket_mode_recipe_deletes_seven_lines_and_leaves_a_valid_manifest():
    text, deleted = socket_mode_manifest()
    manifest = yaml.safe_load(text)

    assert deleted == 7  # the number README and the manifest's header give
    assert "example.com" not in json.dumps(manifest)
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert manifest["settings"]["interactivity"] == {"is_enabled": True}
    assert {c["command"] for c in manifest["features"]["slash_commands"]} == {
        "/log",
        "/interactions",
        "/timeline",
        "/contact",
    }
    if SCHEMA.exists():
        import jsonschema

        jsonschema.validate(manifest, json.loads(SCHEMA.read_text()))


def test_the_manifest_header_points_at_a_readme_section_that_exists():
    header = (ROOT / "app.manifest.yaml").read_text().split("_metadata:")[0]
    readme = (ROOT / "README.md").read_text()
    [section] = re.findall(r'README "([^"]+)"', header)
    assert f"\n## {section}\n" in readme
    assert "message_menu_options_url" in header and "seven lines" in header


def test_readme_links_stay_inside_the_repository():
    readme = (ROOT / "README.md").read_text()
    links = re.findall(r"\]\(([^)#]+)\)", readme)
    local = [link for link in links if not link.startswith(("http://", "https://"))]
    assert local and all((ROOT / link).exists() for link in local), local
    assert "../shared" not in readme
    # In-page links (GitHub's anchors: lower case, punctuation dropped, spaces to hyphens).
    anchors = {
        re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
        for heading in re.findall(r"^#+ (.+)$", readme, flags=re.MULTILINE)
    }
    targets = re.findall(r"\]\(#([^)]+)\)", readme)
    assert targets and set(targets) <= anchors, set(targets) - anchors


def test_env_example_gives_socket_mode_with_sqlite_and_its_placeholders_stop_start_up():
    values = {k: v for k, v in dotenv_values(ROOT / ".env.example").items() if v is not None}

    assert set(values) == {"SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"}  # everything else stays default
    with pytest.raises(SettingsError) as stopped:
        load_settings(values)
    assert str(stopped.value).startswith("SLACK_BOT_TOKEN is still the example from .env.example")

    pasted = {"SLACK_BOT_TOKEN": "xoxb-1-2-abc", "SLACK_APP_TOKEN": "xapp-1-A1-2-def"}
    settings = load_settings(pasted)
    assert settings.socket_mode and settings.database_url == DEFAULT_DATABASE_URL
    settings.require_slack()  # no signing secret needed in Socket Mode


def _pytest_summary(postgres_url: str) -> str:
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["TOUCHBASE_TEST_POSTGRES_URL"] = postgres_url
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_smoke_storage.py"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return result.stdout


def test_the_test_summary_counts_postgresql_tests_that_were_skipped():
    out = _pytest_summary("postgresql+psycopg://postgres@127.0.0.1:1/test")

    assert re.search(r"-+ PostgreSQL tests: 1 skipped -+", out), out
    assert "start a server on 127.0.0.1:5432 with user postgres" in out


@pytest.mark.postgres
def test_the_test_summary_counts_postgresql_tests_that_ran(postgres_database):
    if postgres_database is None:
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    from tests.databases import POSTGRES_ADMIN_URL

    out = _pytest_summary(POSTGRES_ADMIN_URL)

    assert re.search(r"-+ PostgreSQL tests: 1 passed -+", out), out
