"""The store: engine creation, sessions, and schema migrations (Alembic).

Default store: SQLite file ``data/cockpit.db``. ``COCKPIT_DB_URL`` selects any SQLAlchemy URL.
"""
from __future__ import annotations

import functools
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from lib import ROOT, config
from lib.errors import StoreError

MIGRATIONS_DIR = ROOT / "lib" / "store" / "migrations"
DEFAULT_URL = config.DEFAULT_DB_URL

_engines: dict[str, Engine] = {}


def db_url() -> str:
    return config.settings().db_url


SQLITE_BUSY_SECONDS = 15  # how long a SQLite read or write waits for another writer's lock


def _sqlite_pragmas(dbapi_conn, _record):
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_SECONDS * 1000)}")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def make_engine(url: str | None = None) -> Engine:
    """A new engine for ``url`` (default: COCKPIT_DB_URL or the SQLite file)."""
    url = url or db_url()
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1] if "///" in url else ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        eng = create_engine(url, connect_args={"timeout": SQLITE_BUSY_SECONDS, "check_same_thread": False})
        event.listen(eng, "connect", _sqlite_pragmas)
    else:
        eng = create_engine(url, pool_pre_ping=True)
    return eng


def get_engine(url: str | None = None) -> Engine:
    """A cached engine per URL (pages and CLI share one per process)."""
    url = url or db_url()
    if url not in _engines:
        _engines[url] = make_engine(url)
    return _engines[url]


def dispose_all() -> None:
    for eng in _engines.values():
        eng.dispose()
    _engines.clear()


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any exception."""
    engine = engine or get_engine()
    maker = sessionmaker(bind=engine, expire_on_commit=False)
    session = maker()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _alembic_config(engine: Engine):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


@functools.lru_cache(maxsize=1)
def head_revision() -> str:
    """The newest schema revision (read once per process: every page run asks). Every CLI call checks it (``require_current``), so it is read
    from the migration files' ``revision``/``down_revision`` assignments without importing Alembic
    and every script (~0.4 s); Alembic decides whenever the files do not name exactly one head."""
    head = _head_from_files()
    if head is not None:
        return head
    return _alembic_head()


def _alembic_head() -> str:
    from alembic.script import ScriptDirectory

    cfg = _alembic_config(None)  # type: ignore[arg-type]
    return ScriptDirectory.from_config(cfg).get_current_head()


def _head_from_files() -> str | None:
    """The one revision no migration file names as its down_revision, or None when that is not
    clear from plain ``revision = "…"`` / ``down_revision = "…"|None`` lines (merges, odd files)."""
    import re

    line = re.compile(r"""^(revision|down_revision)\s*=\s*(?:(None)|(['"])([^'"]+)\3)\s*(?:#.*)?$""", re.M)
    revisions, downs = set(), set()
    try:
        for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
            found = {m.group(1): m.group(4) for m in line.finditer(path.read_text(encoding="utf-8"))}
            if not found.get("revision") or "down_revision" not in found:
                return None
            revisions.add(found["revision"])
            if found["down_revision"] is not None:
                downs.add(found["down_revision"])
    except OSError:
        return None
    heads = revisions - downs
    return heads.pop() if len(heads) == 1 and downs <= revisions else None


def current_revision(engine: Engine) -> str | None:
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table("alembic_version"):
                return None
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except OperationalError as exc:
        raise StoreError("err_store_unreachable", detail=_short(exc)) from exc


def upgrade(engine: Engine | None = None) -> str:
    """Create the store or upgrade it to the newest schema. Returns the revision."""
    from alembic import command

    engine = engine or get_engine()
    try:
        command.upgrade(_alembic_config(engine), "head")
    except SQLAlchemyError as exc:
        raise StoreError("err_store_upgrade_failed", detail=_short(exc)) from exc
    return head_revision()


def require_current(engine: Engine | None = None) -> Engine:
    """Raise StoreError (one-line message) unless the store exists and is at the newest schema."""
    engine = engine or get_engine()
    url = engine.url
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        if not Path(url.database).exists():
            raise StoreError("err_store_missing", path=url.database)
    rev = current_revision(engine)
    if rev is None:
        raise StoreError("err_store_not_initialised")
    head = head_revision()
    if rev != head:
        raise StoreError("err_store_old_schema", rev=rev, head=head)
    return engine


def _short(exc: Exception) -> str:
    msg = str(getattr(exc, "orig", exc) or exc).strip().splitlines()
    return msg[0] if msg else exc.__class__.__name__


_CONNECTION_WORDS = ("connect", "closed", "terminat", "refused", "timeout", "timed out", "server", "network",
                     "unable to open", "shutdown", "lost", "reset", "broken pipe", "no route", "could not")


def as_store_error(exc: BaseException) -> StoreError | None:
    """A StoreError for an exception that means the store is unreachable, interrupted or locked (a
    dropped PostgreSQL connection, a refused connection, a locked SQLite file); None for any other."""
    from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, StoreError):
            return seen
        if isinstance(seen, (OperationalError, InterfaceError, DisconnectionError, PoolTimeout)) or (
                isinstance(seen, DBAPIError) and seen.connection_invalidated):
            detail = _short(seen)
            low = detail.lower()
            if "locked" in low or "busy" in low:
                return StoreError("st_locked", detail=detail)
            if isinstance(seen, OperationalError) and not any(w in low for w in _CONNECTION_WORDS):
                return StoreError("st_store_failed", detail=detail)
            return StoreError("st_connection_lost", detail=detail)
        if isinstance(seen, (ConnectionError, TimeoutError)):
            return StoreError("st_connection_lost", detail=str(seen) or seen.__class__.__name__)
        seen = seen.__cause__ or seen.__context__
    return None


def data_version(session: Session) -> int:
    """A number that changes whenever the store is written (every write is audited).
    Pages use it as part of their cache key so a cached figure never outlives a write."""
    from sqlalchemy import func, select

    from lib.store.models import AuditLog, Setting

    audit_max = session.scalar(select(func.max(AuditLog.id))) or 0
    settings_n = session.scalar(select(func.count()).select_from(Setting)) or 0
    return int(audit_max) * 1000 + int(settings_n)
