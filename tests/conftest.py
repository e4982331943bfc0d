"""Shared fixtures: fresh stores on SQLite and PostgreSQL, copied from one migrated template.

Alembic runs once per test session and backend, not once per test: the first store of a kind is
migrated (and, for ``demo=True``, loaded with the demo campaign) into a template, and every test
gets a copy of it — a file copy on SQLite, ``CREATE DATABASE … TEMPLATE …`` on PostgreSQL (one
database per test, dropped afterwards).

``store``, ``app_store`` and the other ``*_store`` fixtures run a test on SQLite and, when
127.0.0.1:5432 answers, on PostgreSQL. In CI (CI=true) an unreachable PostgreSQL is a failure, not
a skip. ``COCKPIT_TEST_BACKENDS=sqlite`` limits a local run to SQLite.
"""
from __future__ import annotations

import contextlib
import io
import os
import shutil
import socket
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.pool import NullPool

from lib import store as store_mod

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("COCKPIT_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BACKENDS = tuple(b for b in os.environ.get("COCKPIT_TEST_BACKENDS", "sqlite,postgresql").split(",") if b)
# the session's own prefix: other test runs on this machine share the PostgreSQL cluster
RUN = f"ct{os.getpid()}_{uuid.uuid4().hex[:6]}"


def pg_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


def require_pg() -> None:
    if not pg_reachable():
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL at 127.0.0.1:5432 is not reachable in CI")
        pytest.skip("PostgreSQL at 127.0.0.1:5432 is not reachable")


def _pg_admin():
    return create_engine(PG_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)


def _drop_pg_schema(schema: str) -> None:
    """Drop a schema a test made in the ``test`` database (tests that need a schema of their own)."""
    from sqlalchemy import create_engine, text

    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


def _pg_url(database: str) -> str:
    return make_url(PG_URL).set(database=database).render_as_string(hide_password=False)


def _pg_exec(sql: str) -> None:
    admin = _pg_admin()
    try:
        with admin.connect() as conn:
            conn.execute(text(sql))
    finally:
        admin.dispose()


class Templates:
    """One migrated template per (backend, demo) for the whole test session."""

    def __init__(self, base: Path):
        self.base = base
        self.made: dict[tuple[str, bool], str] = {}

    def _build(self, url: str, demo: bool) -> None:
        eng = store_mod.make_engine(url)
        try:
            store_mod.upgrade(eng)
            if demo:
                from lib.demo import load_demo

                with store_mod.session_scope(eng) as s:
                    assert load_demo(s)
            if url.startswith("sqlite"):
                with eng.connect() as conn:  # everything into the main file before it is copied
                    conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            eng.dispose()

    def template(self, backend: str, demo: bool) -> str:
        key = (backend, demo)
        if key not in self.made:
            name = f"template{'_demo' if demo else ''}"
            if backend == "sqlite":
                path = self.base / f"{name}.db"
                self._build(f"sqlite:///{path}", demo)
                self.made[key] = str(path)
            else:
                db = f"{RUN}_{name}"
                _pg_exec(f'CREATE DATABASE "{db}"')
                self._build(_pg_url(db), demo)
                self.made[key] = db
        return self.made[key]

    def drop_all(self) -> None:
        for (backend, _), name in self.made.items():
            if backend == "postgresql":
                _pg_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def _templates(tmp_path_factory):
    tpl = Templates(tmp_path_factory.mktemp("templates"))
    yield tpl
    tpl.drop_all()


@pytest.fixture(scope="session")
def new_store(_templates):
    """Factory: ``new_store(backend, where, demo=False, migrated=True) -> (url, cleanup)`` — a fresh
    store of its own: a copy of the migrated (demo) template, or an empty one (``migrated=False``).
    ``where`` is a directory for the SQLite file."""

    def make(backend: str, where: Path, demo: bool = False, migrated: bool = True, name: str = "cockpit"):
        if backend == "sqlite":
            path = Path(where) / f"{name}.db"
            if migrated:
                shutil.copyfile(_templates.template("sqlite", demo), path)
            return f"sqlite:///{path}", lambda: None
        require_pg()
        db = f"{RUN}_{uuid.uuid4().hex[:10]}"
        source = f'"{_templates.template("postgresql", demo)}"' if migrated else "template0"
        _pg_exec(f'CREATE DATABASE "{db}" TEMPLATE {source}')
        return _pg_url(db), lambda: _pg_exec(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')

    return make


def make_store(kind: str, tmp_path: Path, new_store):
    """A fresh, migrated store of ``kind`` ('sqlite' or 'postgresql'); returns (engine, cleanup)."""
    url, drop = new_store(kind, tmp_path)
    eng = store_mod.make_engine(url)
    return eng, lambda: (eng.dispose(), drop())


backends = pytest.mark.parametrize("backend", BACKENDS)


@pytest.fixture(params=BACKENDS)
def backend(request):
    """'sqlite' or 'postgresql' (every test that asks for it runs on both)."""
    return request.param


@pytest.fixture
def store(backend, new_store, tmp_path):
    """An empty migrated store, on SQLite and on PostgreSQL."""
    eng, cleanup = make_store(backend, tmp_path, new_store)
    yield eng
    cleanup()


@pytest.fixture
def sqlite_store(new_store, tmp_path):
    """An empty migrated SQLite store (for logic tests that need no second backend)."""
    eng, cleanup = make_store("sqlite", tmp_path, new_store)
    yield eng
    cleanup()


@pytest.fixture
def demo_engine(backend, new_store, tmp_path):
    """A fresh copy of the store with the demo campaign loaded, on SQLite and on PostgreSQL."""
    url, drop = new_store(backend, tmp_path, demo=True)
    eng = store_mod.make_engine(url)
    yield eng
    eng.dispose()
    drop()


@pytest.fixture
def session(sqlite_store):
    from lib.store import session_scope

    with session_scope(sqlite_store) as s:
        yield s


def use_store(monkeypatch, url: str):
    """Make ``url`` THE store of this process (COCKPIT_DB_URL), as pages, AppTests and the CLI see it."""
    monkeypatch.setenv("COCKPIT_DB_URL", url)
    store_mod.dispose_all()
    return store_mod.get_engine()


@pytest.fixture
def app_store(backend, new_store, tmp_path, monkeypatch):
    """A fresh migrated store made THE store of this process (COCKPIT_DB_URL), as pages and
    AppTests see it, on SQLite and on PostgreSQL; page tests seed it with what they need."""
    url, drop = new_store(backend, tmp_path, name="app")
    yield use_store(monkeypatch, url)
    store_mod.dispose_all()
    drop()


@dataclass
class CliResult:
    returncode: int
    stdout: str
    stderr: str


def run_cli(*args: str, url: str, stdin: str = "") -> CliResult:
    """``python -m lib.cli ARGS`` run in this process (``lib.cli.main(argv)``) against the store at
    ``url``, with stdin, stdout and stderr captured — as a user would run it, without the cost of a
    new interpreter."""
    from lib import cli

    out, err = io.StringIO(), io.StringIO()
    saved = {k: os.environ.get(k) for k in ("COCKPIT_DB_URL", "COCKPIT_DEBUG")}
    os.environ["COCKPIT_DB_URL"] = url
    os.environ.pop("COCKPIT_DEBUG", None)
    old_stdin = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = cli.main(list(args))
            except SystemExit as exc:  # argparse's --help
                code = exc.code if isinstance(exc.code, int) else 1
    finally:
        sys.stdin = old_stdin
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        store_mod.dispose_all()
    return CliResult(code, out.getvalue(), err.getvalue())


def pytest_collection_modifyitems(config, items):
    """Browser tests are slow tests too (``-m "not slow"`` leaves them out with the other slow ones)."""
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.slow)
