"""Backups: the whole store copied into one SQLite file that is itself a valid, current store
(restore = point COCKPIT_DB_URL at it, or copy it to data/cockpit.db). Works from SQLite and PostgreSQL."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Engine

from lib import store
from lib.errors import CockpitError
from lib.store.models import Base

CHUNK = 5000


def backup_to_sqlite(source: Engine, out: Path) -> dict[str, int]:
    """Copy every table of ``source`` into a new SQLite file ``out``. Returns rows per table."""
    out = Path(out)
    if out.exists():
        raise CockpitError("err_backup_exists", path=out)
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
                n = 0
                result = src.execution_options(stream_results=True).execute(select(table))
                while True:
                    rows = result.fetchmany(CHUNK)
                    if not rows:
                        break
                    dst.execute(table.insert(), [dict(r._mapping) for r in rows])
                    n += len(rows)
                counts[table.name] = n
    finally:
        target.dispose()
    for suffix in ("-wal", "-shm"):
        side = Path(str(tmp) + suffix)
        if side.exists():
            side.unlink()
    tmp.rename(out)
    return counts
