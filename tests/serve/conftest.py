"""Real databases for the store tests: SQLite in tmp_path and a throwaway schema on the local PostgreSQL."""

from __future__ import annotations

import uuid

import pytest

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _pg_unreachable() -> str | None:
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed"
    try:
        psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=test", connect_timeout=2).close()
    except psycopg.OperationalError as err:
        return f"PostgreSQL at {PG_URL} is unreachable: {str(err).strip().splitlines()[0]}"
    return None


@pytest.fixture(scope="session")
def pg_skip_reason():
    return _pg_unreachable()


@pytest.fixture
def pg_schema(pg_skip_reason):
    """A unique schema, dropped after the test."""
    if pg_skip_reason:
        pytest.skip(pg_skip_reason)
    import sqlalchemy as sa

    name = f"pitfall_test_{uuid.uuid4().hex[:12]}"
    yield name
    engine = sa.create_engine(PG_URL)
    with engine.begin() as conn:
        conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    from pitfall.deploy.store import Store

    if request.param == "sqlite":
        s = Store(f"sqlite:///{tmp_path / 'store.db'}")
    else:
        s = Store(PG_URL, schema=request.getfixturevalue("pg_schema"))
    yield s
    s.close()
