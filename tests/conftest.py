from __future__ import annotations

import pytest

from storage.db import Database
from tests.databases import SqliteTemplate, in_ci, start_postgres


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> SqliteTemplate:
    return SqliteTemplate(tmp_path_factory.mktemp("sqlite"))


@pytest.fixture(scope="session")
def postgres_database():
    database = start_postgres()
    yield database
    if database is not None:
        database.drop()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, sqlite_template) -> str:
    """A migrated, empty database: each test runs once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return sqlite_template.fresh_url()
    postgres = request.getfixturevalue("postgres_database")
    if postgres is None:
        assert not in_ci()
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    return postgres.fresh_url()


@pytest.fixture
def db(db_url) -> Database:
    database = Database(db_url)
    yield database
    database.dispose()
