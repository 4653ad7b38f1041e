"""The `touchbase` command explains itself: the command list, and a description for every command."""

from __future__ import annotations

import argparse

import pytest

from bot.cli import build_parser, main


def _subcommands(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield (*path, name), sub
                yield from _subcommands(sub, (*path, name))


def _help(capsys, *argv: str) -> str:
    with pytest.raises(SystemExit) as exited:
        main([*argv, "--help"])
    assert exited.value.code == 0
    return " ".join(capsys.readouterr().out.split())


def test_touchbase_alone_lists_the_commands_and_exits_2(capsys):
    assert main([]) == 2

    out = capsys.readouterr().out
    assert out.startswith("usage: touchbase")
    for command in ("serve", "check", "db", "digest", "scheduler", "export", "contacts"):
        assert f"\n    {command}" in out, command
    assert "touchbase COMMAND --help" in " ".join(out.split())


def test_every_command_has_a_description():
    commands = dict(_subcommands(build_parser()))

    assert {
        ("serve",),
        ("check",),
        ("db",),
        ("db", "upgrade"),
        ("digest",),
        ("digest", "run"),
        ("scheduler",),
        ("export",),
        ("export", "interactions"),
        ("export", "contacts"),
        ("export", "history"),
        ("contacts",),
        ("contacts", "import"),
    } <= set(commands)
    for path, parser in commands.items():
        assert parser.description and len(parser.description) > 20, path


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (("scheduler",), "Run the digest scheduler alone"),
        (("db", "upgrade"), "Apply every pending migration"),
        (("check",), "apps.connections.open"),
        (("serve",), "--no-check"),
        (("export", "contacts"), "which the import skips"),
        (("export", "history"), "deleted ones included"),
    ],
)
def test_help_texts(capsys, argv, says):
    assert says in _help(capsys, *argv)


def test_contacts_import_help_says_what_happens_to_owners(capsys):
    text = _help(capsys, "contacts", "import")

    assert "your Slack email (needs SLACK_BOT_TOKEN) or member id" in text
    assert "A row without an owner is owned by the --as user when it creates a contact" in text
    assert "a row whose owner email matches no Slack user is reported and not imported" in text
    assert "default: SLACK_BOT_TOKEN's workspace" in text
