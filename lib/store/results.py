"""Compute once, serve many: results that do not depend on the person (lights, league, the problem
table, overview aggregates, the reporting grid …) kept in the store's ``result_cache`` table, keyed by
(name, parameters, data version).

The data version (lib.store.queries.content_version) changes with every audited write, so a result
is never served after a write: the next reader computes under the new version and older rows are
purged. Because the rows live in the store itself, every server process (several replicas on one
PostgreSQL, or several Streamlit processes on one SQLite file) shares them: the first process to
need a result computes it, the others read it.

Safety and failure: the cache is an optimisation only. A store without the table (older schema),
a locked SQLite file or any error while reading or writing a cached row falls back to computing the
result (and says so in the log); a result that cannot be pickled is simply not stored. The payload
is a pickle written by this program into its own store: whoever can write the store can already
change every figure, so reading it back adds no new trust.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import pickle
from typing import Any, Callable

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from lib.store.models import ResultCache

log = logging.getLogger(__name__)
TABLE = ResultCache.__table__
MAX_PAYLOAD = 256 * 1024 * 1024  # larger results are recomputed rather than stored

stats = {"hit": 0, "miss": 0, "error": 0}  # per process; tests and bench read it


def result_key(name: str, params: tuple, version: int) -> str:
    raw = repr((name, params, int(version))).encode("utf-8")
    return hashlib.sha256(raw).hexdigest()


def load(engine: Engine, name: str, params: tuple, version: int):
    """(True, value) when a result for (name, params, version) is stored, else (False, None)."""
    key = result_key(name, params, version)
    try:
        with engine.connect() as conn:
            payload = conn.execute(select(TABLE.c.payload).where(TABLE.c.key == key)).scalar()
    except SQLAlchemyError as exc:
        stats["error"] += 1
        log.warning("result cache read failed (%s): %s", name, exc.__class__.__name__)
        return False, None
    if payload is None:
        return False, None
    try:
        return True, pickle.loads(payload)
    except Exception as exc:  # a row written by another program version: recompute
        stats["error"] += 1
        log.warning("result cache row unreadable (%s): %s", name, exc.__class__.__name__)
        return False, None


def save(engine: Engine, name: str, params: tuple, version: int, value: Any) -> bool:
    """Store ``value``; drop rows of older versions. Returns whether it was stored."""
    try:
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:
        log.info("result %s not picklable: %s", name, exc.__class__.__name__)
        return False
    if len(payload) > MAX_PAYLOAD:
        return False
    key = result_key(name, params, version)
    row = {"key": key, "name": name[:100], "version": int(version), "payload": payload,
           "created_at": dt.datetime.now()}
    try:
        with engine.begin() as conn:
            conn.execute(delete(TABLE).where(TABLE.c.version < int(version)))
            conn.execute(_insert_ignoring_duplicate(engine), row)
    except SQLAlchemyError as exc:  # locked, read-only, full disk: serve the computed value anyway
        stats["error"] += 1
        log.warning("result cache write failed (%s): %s", name, exc.__class__.__name__)
        return False
    return True


def _insert_ignoring_duplicate(engine: Engine):
    if engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert

        return insert(TABLE).on_conflict_do_nothing(index_elements=["key"])
    if engine.dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert

        return insert(TABLE).on_conflict_do_nothing(index_elements=["key"])
    return TABLE.insert()


def get_or_compute(engine: Engine, name: str, params: tuple, version: int, compute: Callable[[], Any]):
    """The stored result for (name, params, version), or ``compute()`` stored for the next reader."""
    found, value = load(engine, name, params, version)
    if found:
        stats["hit"] += 1
        return value
    stats["miss"] += 1
    value = compute()
    save(engine, name, params, version, value)
    return value


def clear(engine: Engine) -> int:
    """Delete every stored result (always safe). Returns the number of rows deleted."""
    with engine.begin() as conn:
        return conn.execute(delete(TABLE)).rowcount or 0


__all__ = ["get_or_compute", "load", "save", "clear", "result_key", "stats"]
