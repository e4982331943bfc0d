"""Backups: the whole store copied into one SQLite file that is itself a valid, current store
(restore = point COCKPIT_DB_URL at it, or copy it to data/cockpit.db). Works from SQLite and PostgreSQL.

The token-signing key is never in a backup: it lives outside the store (lib/access/tokens.py), and
a ``session_secret`` setting left by an older version is skipped. Every backup is audited."""
from __future__ import annotations

import errno
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from lib import store
from lib.errors import CockpitError, StoreError
from lib.store import audit
from lib.store.models import DERIVED_TABLES, Base, Setting

CHUNK = 5000


SKIP_SETTINGS = ("session_secret",)  # the signing key of older versions: never copied


def backup_to_sqlite(source: Engine, out: Path, actor=None) -> dict[str, int]:
    """Copy every table of ``source`` into a new SQLite file ``out``, as ``actor`` (an admin; the
    command line when None), and record the backup in ``source``'s audit trail. Returns rows per table."""
    from lib.access import CLI_ACTOR, require

    actor = actor or CLI_ACTOR
    if actor != CLI_ACTOR:
        require(actor, "backup")
    out = Path(out)
    if out.exists():
        raise CockpitError("err_backup_exists", path=str(out))
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    if tmp.exists():
        tmp.unlink()
    target = store.make_engine(f"sqlite:///{tmp}")
    counts: dict[str, int] = {}
    try:
        store.upgrade(target)
        with source.connect() as src, target.begin() as dst:
            for table in Base.metadata.sorted_tables:
                if table.name in DERIVED_TABLES:  # rebuilt on demand, never backed up
                    continue
                n = 0
                query = select(table)
                if table.name == Setting.__tablename__:
                    query = query.where(table.c.key.not_in(SKIP_SETTINGS))
                result = src.execution_options(stream_results=True).execute(query)
                while True:
                    rows = result.fetchmany(CHUNK)
                    if not rows:
                        break
                    dst.execute(table.insert(), [dict(r._mapping) for r in rows])
                    n += len(rows)
                counts[table.name] = n
    except (SQLAlchemyError, OSError, StoreError) as exc:
        target.dispose()
        _remove(tmp)
        if _disk_full(exc):
            raise StoreError("st_backup_disk_full", path=str(out.parent)) from exc
        detail = store._short(exc) if isinstance(exc, SQLAlchemyError) else str(exc)
        raise StoreError("st_backup_failed", detail=detail) from exc
    finally:
        target.dispose()
    for suffix in ("-wal", "-shm"):
        side = Path(str(tmp) + suffix)
        if side.exists():
            side.unlink()
    tmp.rename(out)
    with store.session_scope(source) as session:
        audit.record(session, actor.username, "backup", "store", out.name, None,
                     {"tables": len(counts), "rows": sum(counts.values())})
    return counts


def _remove(tmp: Path) -> None:
    """The unfinished backup and its side files go (a half backup must never look like one)."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            Path(str(tmp) + suffix).unlink(missing_ok=True)
        except OSError:
            pass


def _disk_full(exc: BaseException) -> bool:
    seen = exc
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno == errno.ENOSPC:
            return True
        text = str(getattr(seen, "orig", seen) or "").lower()
        if "disk is full" in text or "no space left" in text or "disk full" in text:
            return True
        seen = seen.__cause__ or seen.__context__
    return False
