"""The domain package stays pure: no SQLAlchemy, no Slack SDK or Bolt, no storage, no handlers."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

DOMAIN = Path(__file__).resolve().parent.parent / "bot" / "domain"
FORBIDDEN = ("sqlalchemy", "slack_sdk", "slack_bolt", "storage", "handlers", "blocks", "dateparser")


@pytest.mark.parametrize("path", sorted(DOMAIN.glob("*.py")), ids=lambda p: p.name)
def test_domain_module_is_pure_and_small(path: Path) -> None:
    source = path.read_text()
    assert len(source.splitlines()) <= 500
    for node in ast.walk(ast.parse(source)):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        for name in names:
            assert name.split(".")[0] not in FORBIDDEN, f"{path.name} imports {name}"
