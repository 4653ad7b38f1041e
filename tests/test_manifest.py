"""app.manifest.yaml: valid for Slack, and in step with the listeners the app registers."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT.parent / "shared" / "slack" / "manifest.schema.json"
CONTRACT_COMMANDS = {"/log", "/interactions", "/timeline", "/contact"}


@pytest.fixture(scope="module")
def manifest() -> dict:
    return yaml.safe_load((ROOT / "app.manifest.yaml").read_text())


def test_manifest_validates_against_slacks_schema(manifest):
    if not SCHEMA.exists():
        # CI and developers have shared/ beside the checkout; a bare clone elsewhere may not.
        pytest.skip("../shared/slack/manifest.schema.json is not beside this checkout")
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(manifest), key=str)
    assert errors == [], [e.message for e in errors]


def test_manifest_declares_the_contract(manifest):
    features = manifest["features"]
    assert {c["command"] for c in features["slash_commands"]} == CONTRACT_COMMANDS
    shortcuts = {(s["type"], s["callback_id"]) for s in features["shortcuts"]}
    assert shortcuts == {("message", "log_message"), ("global", "log_interaction")}
    assert features["app_home"]["home_tab_enabled"] is True
    assert "app_home_opened" in manifest["settings"]["event_subscriptions"]["bot_events"]
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    # Mentions and emails reach /log and /contact as <@U…> and <mailto:…> only when escaped.
    assert all(c["should_escape"] for c in features["slash_commands"])


def test_every_url_is_the_one_bolt_endpoint(manifest):
    settings = manifest["settings"]
    urls = [c["url"] for c in manifest["features"]["slash_commands"]]
    urls += [settings["event_subscriptions"]["request_url"], settings["interactivity"]["request_url"]]
    urls.append(settings["interactivity"]["message_menu_options_url"])
    assert all(url.endswith("/slack/events") for url in urls)


def test_bot_scopes_are_the_ones_the_app_uses(manifest):
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == {
        "commands",  # slash commands and shortcuts
        "chat:write",  # cards, timelines, digests
        "im:write",  # conversations.open for DMs
        "users:read",  # time zone and admin flag from users.info
        "users:read.email",  # email of a contact created from a Slack user
    }


def test_every_declared_surface_has_a_listener(manifest, touchbase):
    """Each command and shortcut the manifest declares is handled (Bolt answers 404 otherwise)."""
    for command in manifest["features"]["slash_commands"]:
        status, _, body = touchbase.slack.command(command["command"], "help")
        assert status == 200, (command["command"], body)
    for shortcut in manifest["features"]["shortcuts"]:
        if shortcut["type"] == "global":
            status, _, body = touchbase.slack.global_shortcut(shortcut["callback_id"])
        else:
            message = {"type": "message", "user": "U222", "ts": "1773248400.000100", "text": "hello"}
            status, _, body = touchbase.slack.message_shortcut(shortcut["callback_id"], message)
        assert status == 200, (shortcut["callback_id"], body)
    status, _, body = touchbase.slack.event({"type": "app_home_opened", "user": "U111", "tab": "home"})
    assert status == 200, body


# Workflow Builder steps as PRODUCT.md fixes them: input/output name -> (type, required).
CONTRACT_STEPS = {
    "log_interaction_step": (
        {
            "contact": ("string", True),
            "interaction_type": ("string", True),
            "summary": ("string", True),
            "notes": ("string", False),
            "occurred_at": ("slack#/types/timestamp", False),
            "logged_by": ("slack#/types/user_id", True),
        },
        {"interaction_id": ("string", True), "contact_name": ("string", True)},
    ),
    "contact_status_step": (
        {"contact": ("string", True)},
        {
            "contact_name": ("string", True),
            "last_contacted_at": ("slack#/types/timestamp", True),
            "is_stale": ("boolean", True),
            "owner": ("slack#/types/user_id", True),
        },
    ),
}


def _parameters(declared: dict) -> dict:
    return {name: (p["type"], p.get("is_required", False)) for name, p in declared.items()}


def test_workflow_steps_are_declared_as_the_contract_says(manifest):
    functions = manifest["functions"]
    assert set(functions) == set(CONTRACT_STEPS)
    for callback_id, (inputs, outputs) in CONTRACT_STEPS.items():
        declared = functions[callback_id]
        assert declared["title"] and declared["description"]
        assert _parameters(declared["input_parameters"]) == inputs, callback_id
        assert _parameters(declared["output_parameters"]) == outputs, callback_id
        for parameter in [*declared["input_parameters"].values(), *declared["output_parameters"].values()]:
            assert parameter["title"] and parameter["description"]
    if SCHEMA.exists():
        # The hermes schema leaves a parameter's type open; Slack's own list of types is here.
        schema = json.loads(SCHEMA.read_text())
        known = set(schema["definitions"]["slack-functions.parameter"]["properties"]["type"]["enum"])
        used = {
            t for inputs, outputs in CONTRACT_STEPS.values() for t, _ in [*inputs.values(), *outputs.values()]
        }
        assert used <= known
    # What Slack requires of an app with custom steps run by its own server.
    settings = manifest["settings"]
    assert settings["org_deploy_enabled"] is True
    assert settings["function_runtime"] == "remote"
    assert "function_executed" in settings["event_subscriptions"]["bot_events"]


def test_every_declared_step_has_a_listener_that_completes_it(manifest, touchbase):
    for n, callback_id in enumerate(manifest["functions"]):
        execution_id = f"FxManifest{n}"
        status, _, body = touchbase.slack.function_executed(callback_id, {}, execution_id=execution_id)
        assert status == 200, (callback_id, body)
        calls = touchbase.fake.wait_for("functions.completeError", count=n + 1)
        assert calls[n].args["function_execution_id"] == execution_id
