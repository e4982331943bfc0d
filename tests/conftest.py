"""Shared fixtures. ``store`` runs a test on SQLite and, when 127.0.0.1:5432 answers, on PostgreSQL
(each test in its own schema). In CI (CI=true) an unreachable PostgreSQL is a failure, not a skip."""
from __future__ import annotations

import os
import socket
import uuid
from pathlib import Path

import pytest

from lib import store as store_mod

ROOT = Path(__file__).resolve().parent.parent

PG_URL = os.environ.get("COCKPIT_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def pg_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


def _pg_engine(schema: str):
    from sqlalchemy import create_engine, text

    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    return create_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})


def _drop_pg_schema(schema: str):
    from sqlalchemy import create_engine, text

    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


def make_store(kind: str, tmp_path: Path):
    """A fresh, migrated store of ``kind`` ('sqlite' or 'postgresql'); returns (engine, cleanup)."""
    if kind == "sqlite":
        eng = store_mod.make_engine(f"sqlite:///{tmp_path / 'cockpit.db'}")
        store_mod.upgrade(eng)
        return eng, eng.dispose
    if not pg_reachable():
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL at 127.0.0.1:5432 is not reachable in CI")
        pytest.skip("PostgreSQL at 127.0.0.1:5432 is not reachable")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    eng = _pg_engine(schema)
    store_mod.upgrade(eng)

    def cleanup():
        eng.dispose()
        _drop_pg_schema(schema)

    return eng, cleanup


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    """An empty migrated store, on SQLite and on PostgreSQL."""
    eng, cleanup = make_store(request.param, tmp_path)
    yield eng
    cleanup()


@pytest.fixture
def sqlite_store(tmp_path):
    """An empty migrated SQLite store (for logic tests that need no second backend)."""
    eng, cleanup = make_store("sqlite", tmp_path)
    yield eng
    cleanup()


@pytest.fixture
def session(sqlite_store):
    from lib.store import session_scope

    with session_scope(sqlite_store) as s:
        yield s


@pytest.fixture
def app_store(tmp_path, monkeypatch):
    """A fresh migrated SQLite store made THE store of this process (COCKPIT_DB_URL), as pages and
    AppTests see it; page tests seed it with what they need."""
    monkeypatch.setenv("COCKPIT_DB_URL", f"sqlite:///{tmp_path / 'app.db'}")
    store_mod.dispose_all()
    eng = store_mod.get_engine()
    store_mod.upgrade(eng)
    yield eng
    store_mod.dispose_all()
