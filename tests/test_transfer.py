"""Moving and restoring a store: ``copy --to URL`` (SQLite → PostgreSQL), ``backup`` then ``restore``,
compared table by table; the errors people meet (a full disk during a backup, a target that holds
data, an unreachable database) are one clear line and the right exit code."""
import os
import subprocess
import sys
import uuid

import pytest
from sqlalchemy import event, select, text

from lib import store
from lib.store.models import AuditLog, Base
from lib.store.transfer import data_tables, restore_backup
from tests.conftest import PG_URL, ROOT, _drop_pg_schema, pg_reachable

N_TABLES = len(data_tables())  # every table but the derived result cache


def _demo(path):
    from lib.demo import load_demo

    eng = store.make_engine(f"sqlite:///{path}")
    store.upgrade(eng)
    with store.session_scope(eng) as s:
        load_demo(s)
    return eng


def _rows(eng, table):
    pk = list(table.primary_key.columns)
    with eng.connect() as conn:
        return [tuple(r) for r in conn.execute(select(table).order_by(*pk))]


def assert_same_tables(a, b, extra_audit: int, after_backup: bool = True):
    """Every data table of ``b`` holds exactly ``a``'s rows; ``b``'s audit log has ``extra_audit``
    more rows (the copy's or restore's own record), after all of ``a``'s. ``after_backup``: ``a``'s
    own record of the backup was written after the file was made, so the file cannot hold it."""
    compared = 0
    for table in data_tables():
        ra, rb = _rows(a, table), _rows(b, table)
        if table.name == "audit_log":
            ra = [r for r in ra if r[3] != "backup"]  # written to the source after its backup file
            assert rb[:len(ra)] == ra
            assert len(rb) == len(ra) + extra_audit
        else:
            assert ra == rb, f"table {table.name} differs"
        compared += 1
    assert compared == len(Base.metadata.sorted_tables) - 1  # all but the derived result cache


def cli(*args, url, stdin=None):
    env = dict(os.environ, COCKPIT_DB_URL=url)
    env.pop("COCKPIT_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "lib.cli", *args], cwd=ROOT, env=env, input=stdin,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture
def pg_schema():
    if not pg_reachable():
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL at 127.0.0.1:5432 is not reachable in CI")
        pytest.skip("PostgreSQL at 127.0.0.1:5432 is not reachable")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = store.make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    yield schema, f"{PG_URL}?options=-csearch_path%3D{schema}"
    _drop_pg_schema(schema)


def test_copy_sqlite_into_postgresql_every_table_and_sequences(tmp_path, pg_schema):
    schema, url = pg_schema
    src = _demo(tmp_path / "demo.db")
    proc = cli("copy", "--to", url, url=f"sqlite:///{tmp_path / 'demo.db'}")
    assert proc.returncode == 0, proc.stderr
    assert f"已复制 {N_TABLES} 张表" in proc.stdout
    dst = store.make_engine(url)
    try:
        assert_same_tables(src, dst, extra_audit=1)
        with dst.connect() as conn:
            last = conn.execute(select(AuditLog).order_by(AuditLog.id.desc()).limit(1)).one()
        assert last.action == "store_copy" and last.username == "cli"
        # sequences were set: new rows get fresh ids instead of colliding with copied ones
        from lib.store import audit

        before = max(r[0] for r in _rows(dst, AuditLog.__table__))
        with store.session_scope(dst) as s:
            row = audit.record(s, "tester", "test", "store")
            s.flush()
            assert row.id == before + 1
        # the copied store is a working store: the CLI reads the same lights from both
        a = cli("lights", "--period", "2022-10", url=f"sqlite:///{tmp_path / 'demo.db'}")
        b = cli("lights", "--period", "2022-10", url=url)
        assert a.returncode == b.returncode == 0 and a.stdout == b.stdout and a.stdout.count("\n") > 100
        # a second copy into a store that now holds data is refused, and writes nothing
        again = cli("copy", "--to", url, url=f"sqlite:///{tmp_path / 'demo.db'}")
        assert again.returncode == 1 and "--replace" in again.stderr
        assert len(_rows(dst, AuditLog.__table__)) == before + 1
    finally:
        dst.dispose()
        src.dispose()


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_backup_then_restore_round_trip(tmp_path, kind, request):
    src = _demo(tmp_path / "demo.db")
    backup = tmp_path / "backup.db"
    assert cli("backup", "--out", str(backup), url=f"sqlite:///{tmp_path / 'demo.db'}").returncode == 0
    if kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'restored.db'}"
        cleanup = None
    else:
        schema_fixture = request.getfixturevalue("pg_schema")
        url = schema_fixture[1]
        cleanup = None
    proc = cli("restore", str(backup), url=url)
    assert proc.returncode == 0, proc.stderr
    assert "已从" in proc.stdout and f"恢复 {N_TABLES} 张表" in proc.stdout
    dst = store.make_engine(url)
    try:
        assert_same_tables(src, dst, extra_audit=1, after_backup=True)
        # restoring again over data is refused without --replace, and works with it
        again = cli("restore", str(backup), url=url)
        assert again.returncode == 1 and "--replace" in again.stderr
        forced = cli("restore", str(backup), "--replace", url=url)
        assert forced.returncode == 0, forced.stderr
        assert_same_tables(src, dst, extra_audit=1)
    finally:
        dst.dispose()
        src.dispose()
        if cleanup:
            cleanup()


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    bad = tmp_path / "notes.db"
    bad.write_text("hello")
    proc = cli("restore", str(bad), url=f"sqlite:///{tmp_path / 'x.db'}")
    assert proc.returncode == 1 and "不是本系统的备份文件" in proc.stderr and "Traceback" not in proc.stderr
    missing = cli("restore", str(tmp_path / "none.db"), url=f"sqlite:///{tmp_path / 'x.db'}")
    assert missing.returncode == 1 and "备份文件不存在" in missing.stderr


def test_restore_of_an_interrupted_copy_writes_nothing(tmp_path, monkeypatch):
    """A failure in the middle of the copy (here: the 5th chunk insert) rolls everything back."""
    src = _demo(tmp_path / "demo.db")
    backup = tmp_path / "backup.db"
    from lib.store.backup import backup_to_sqlite

    backup_to_sqlite(src, backup)
    target = store.make_engine(f"sqlite:///{tmp_path / 'target.db'}")
    store.upgrade(target)
    calls = {"n": 0}

    @event.listens_for(target, "before_cursor_execute")
    def fail_later(conn, cursor, statement, params, context, executemany):
        if statement.startswith("INSERT INTO monthly_reports"):
            calls["n"] += 1
            if calls["n"] == 1:
                raise OSError("simulated: connection reset by peer")

    from lib.errors import CockpitError

    with pytest.raises((CockpitError, OSError)):
        restore_backup(backup, target)
    event.remove(target, "before_cursor_execute", fail_later)
    from lib.store.transfer import row_counts

    with target.connect() as conn:
        assert not any(row_counts(conn).values())
    target.dispose()
    src.dispose()


def test_backup_disk_full_is_reported_and_leaves_nothing(tmp_path, monkeypatch, capsys):
    """SQLite's own 'database or disk is full' (the backup file is capped at a few pages, as a full
    disk would cap it): one clear line, exit 2, and no half-written backup left behind."""
    src = _demo(tmp_path / "demo.db")
    src.dispose()
    real = store.make_engine

    def capped(url=None):
        eng = real(url)
        if url and url.endswith(".part"):
            @event.listens_for(eng, "connect")
            def cap(dbapi_conn, _rec):
                dbapi_conn.execute("PRAGMA max_page_count=40")
        return eng

    monkeypatch.setattr(store, "make_engine", capped)
    monkeypatch.setenv("COCKPIT_DB_URL", f"sqlite:///{tmp_path / 'demo.db'}")
    monkeypatch.delenv("COCKPIT_DEBUG", raising=False)
    store.dispose_all()
    from lib import cli as cli_mod

    out = tmp_path / "b.db"
    code = cli_mod.main(["backup", "--out", str(out)])
    err = capsys.readouterr().err
    store.dispose_all()
    assert code == 2, err
    assert "磁盘空间不足" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not out.exists() and not (tmp_path / "b.db.part").exists()


def test_cli_unreachable_postgresql_is_a_store_error(tmp_path):
    """Nothing listens on the port: a store error (exit 2) in one line, not 内部错误 (exit 3)."""
    import socket

    with socket.socket() as s:  # a free port nobody answers on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/test?connect_timeout=3"
    proc = cli("lights", "--period", "2022-10", url=url)
    assert proc.returncode == 2, proc.stderr
    assert "内部错误" not in proc.stderr and "Traceback" not in proc.stderr
    src = _demo(tmp_path / "demo.db")
    src.dispose()
    copy = cli("copy", "--to", url, url=f"sqlite:///{tmp_path / 'demo.db'}")
    assert copy.returncode == 2, copy.stderr
    assert "内部错误" not in copy.stderr and len(copy.stderr.strip().splitlines()) == 1
