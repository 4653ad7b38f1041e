"""A throwaway PostgreSQL database for one benchmark run: touchbase_bench_<pid>, dropped at the end."""

from __future__ import annotations

import os

from sqlalchemy import create_engine, text

ADMIN_URL = os.environ.get(
    "TOUCHBASE_BENCH_POSTGRES_URL",
    os.environ.get("TOUCHBASE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
)


class ThrowawayPostgres:
    def __init__(self, suffix: str = "", admin_url: str = ADMIN_URL) -> None:
        self.name = f"touchbase_bench_{os.getpid()}{suffix}"
        self.admin_url = admin_url
        self.admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{self.name}"'))
        self.url = f"{admin_url.rsplit('/', 1)[0]}/{self.name}"

    def drop(self) -> None:
        try:
            with self.admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        finally:
            self.admin.dispose()


def reachable(admin_url: str = ADMIN_URL) -> str | None:
    """None if the server answers, else the reason."""
    try:
        engine = create_engine(admin_url)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as error:  # any driver or network error
        return str(error).splitlines()[0]
