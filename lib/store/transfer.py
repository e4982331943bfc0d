"""Moving and restoring a store: ``copy_store`` (e.g. the SQLite file into PostgreSQL) and
``restore_backup`` (a backup file made by ``backup`` loaded into the current store).

Both copy every table (in foreign-key order, in chunks) inside ONE transaction on the target: the
target ends up holding exactly the source's rows, or — on any error, a row count that does not
match, an interrupted connection — nothing changes. On PostgreSQL every id sequence is then set
past the largest copied id, so the next insert does not collide. The derived ``result_cache`` is
never copied (it is rebuilt on demand) and is emptied on the target. The target gets one audit row
saying what was copied from where (with the row counts), by the command line.

A target that already holds data is refused unless ``replace=True`` (then its rows are deleted in
the same transaction, before the copy).
"""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import Integer, delete, func, inspect, select, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from lib import store
from lib.errors import CockpitError, StoreError
from lib.store.models import DERIVED_TABLES, Base

CHUNK = 5000


def data_tables():
    """The tables that hold data, parents before children."""
    return [t for t in Base.metadata.sorted_tables if t.name not in DERIVED_TABLES]


def row_counts(conn: Connection) -> dict[str, int]:
    return {t.name: int(conn.execute(select(func.count()).select_from(t)).scalar() or 0) for t in data_tables()}


def _reset_sequences(conn: Connection) -> None:
    """PostgreSQL: every serial/identity id sequence set to the largest id (next insert gets max+1)."""
    if conn.dialect.name != "postgresql":
        return
    for table in data_tables():
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or not isinstance(pk[0].type, Integer) or pk[0].autoincrement is False:
            continue
        col = pk[0].name
        seq = conn.execute(text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": col}).scalar()
        if seq:
            conn.execute(text(f'SELECT setval(:s, COALESCE((SELECT MAX("{col}") FROM "{table.name}"), 1), '
                              f'(SELECT MAX("{col}") FROM "{table.name}") IS NOT NULL)'), {"s": seq})


def _copy(source: Engine, target: Engine, *, replace: bool, what: str, origin: str) -> dict[str, int]:
    from lib.access import CLI_ACTOR
    from lib.store import audit

    store.upgrade(target)  # the target's schema is created (or brought to the newest) first
    store.require_current(source)
    try:
        with source.connect() as src, target.begin() as dst:
            existing = row_counts(dst)
            if any(existing.values()) and not replace:
                full = ", ".join(f"{k} {v}" for k, v in existing.items() if v)
                raise CockpitError("st_target_not_empty", tables=full)
            for table in reversed(data_tables()):  # children first
                dst.execute(delete(table))
            for name in DERIVED_TABLES:
                dst.execute(delete(Base.metadata.tables[name]))
            counts: dict[str, int] = {}
            for table in data_tables():
                n = 0
                result = src.execution_options(stream_results=True).execute(select(table))
                while True:
                    rows = result.fetchmany(CHUNK)
                    if not rows:
                        break
                    dst.execute(table.insert(), [dict(r._mapping) for r in rows])
                    n += len(rows)
                counts[table.name] = n
            copied = row_counts(dst)
            if copied != counts:
                raise StoreError("st_count_mismatch", detail=str({k: (counts[k], copied[k]) for k in counts
                                                                    if counts[k] != copied[k]}))
            _reset_sequences(dst)
            # one audit row on the target, in the same transaction (ids after the copied ones)
            from sqlalchemy.orm import Session

            with Session(bind=dst) as session:
                audit.record(session, CLI_ACTOR.username, what, "store", origin, after={"rows": counts})
                session.flush()
            _reset_sequences(dst)
    except SQLAlchemyError as exc:
        raise StoreError("st_copy_failed", detail=store._short(exc)) from exc
    return counts


def copy_store(source: Engine, target_url: str, replace: bool = False) -> dict[str, int]:
    """Copy every table of ``source`` into the store at ``target_url``. Returns rows per table."""
    target = store.make_engine(target_url)
    if str(target.url) == str(source.url):
        raise CockpitError("st_same_store")
    try:
        return _copy(source, target, replace=replace, what="store_copy",
                     origin=source.url.render_as_string(hide_password=True))
    finally:
        target.dispose()


def restore_backup(backup: Path, target: Engine, replace: bool = False) -> dict[str, int]:
    """Load the backup file ``backup`` (an SQLite store written by ``backup``) into ``target``."""
    backup = Path(backup)
    if not backup.is_file():
        raise CockpitError("st_no_backup", path=str(backup))
    with open(backup, "rb") as f:
        if f.read(16) != b"SQLite format 3\x00":
            raise CockpitError("st_not_backup", path=str(backup))
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory(prefix="cockpit_restore_") as tmp:
        # a working copy, brought to the newest schema (a backup of an older version restores too);
        # the backup file itself is never written
        work = Path(tmp) / "backup.db"
        shutil.copyfile(backup, work)
        source = store.make_engine(f"sqlite:///{work}")
        try:
            try:
                with source.connect() as conn:
                    ok = inspect(conn).has_table("alembic_version")
            except SQLAlchemyError:
                ok = False
            if not ok:
                raise CockpitError("st_not_backup", path=str(backup))
            store.upgrade(source)
            return _copy(source, target, replace=replace, what="store_restore", origin=backup.name)
        finally:
            source.dispose()


__all__ = ["copy_store", "restore_backup", "row_counts", "data_tables"]
