"""`postgresql` and `sqlite` for storage's `insert ... on conflict`, imported on first use.

`from storage.dialects import postgresql, sqlite` reads like `from sqlalchemy.dialects import
...`, and `postgresql.insert if dialect == "postgresql" else sqlite.insert` works the same; but
SQLAlchemy's PostgreSQL dialect (a large import) is only loaded by a process that talks to
PostgreSQL, not when a storage module is imported. (Since migration 0013 `storage.models`
declares a partial index with `postgresql_where`, which SQLAlchemy validates by loading the
dialect; so on SQLite it is loaded in the app's warm-up, after the server listens, see
bot/server.py. Before listening nothing of storage's models is imported: tests/test_startup.py.)
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import TYPE_CHECKING, Any


class _Dialect:
    """Stands for `sqlalchemy.dialects.<name>`; imports it when an attribute is first read."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attribute: str) -> Any:
        if self._module is None:
            self._module = importlib.import_module(f"sqlalchemy.dialects.{self._name}")
        return getattr(self._module, attribute)


if TYPE_CHECKING:  # the type checker sees the real modules
    from sqlalchemy.dialects import postgresql, sqlite
else:
    postgresql = _Dialect("postgresql")
    sqlite = _Dialect("sqlite")

__all__ = ["postgresql", "sqlite"]
