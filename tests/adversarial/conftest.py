from __future__ import annotations

import logging

import pytest

from tests.adversarial.support import Counter, Unhandled


@pytest.fixture
def unhandled():
    """Every error logged with a traceback while the test ran: must stay empty."""
    handler = Unhandled()
    root = logging.getLogger()
    root.addHandler(handler)
    yield handler
    root.removeHandler(handler)


def pytest_terminal_summary(terminalreporter):
    if Counter.counts:
        terminalreporter.write_sep("-", "adversarial cases per entry point")
        for name, count in sorted(Counter.counts.items()):
            terminalreporter.write_line(f"{name}: {count}")
