"""The store: migrations create and upgrade it on SQLite and PostgreSQL, without losing data."""
import datetime as dt

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select, text

from lib import store
from lib.errors import StoreError
from lib.store.models import Base, MonthlyReport, Project, ProjectYear, Region


def test_migrations_match_models(store):
    with store.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
    assert store_mod_current(store) == store_head()


def store_mod_current(engine):
    return store.current_revision(engine)


def store_head():
    return store.head_revision()


def test_every_model_table_exists(store):
    names = set(inspect(store).get_table_names())
    assert {t.name for t in Base.metadata.sorted_tables} <= names
    assert "alembic_version" in names


def test_upgrade_from_first_revision_keeps_data(tmp_path):
    eng = store.make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    command.upgrade(store._alembic_config(eng), "0001")
    with eng.begin() as conn:
        conn.execute(text("INSERT INTO regions (code, name, kind, display_order) VALUES ('R1', '甲县', 'county', 1)"))
        conn.execute(text(
            "INSERT INTO projects (code, name, region_code, sector, industrial, total_investment) "
            "VALUES ('P1', '甲县水厂', 'R1', '水利', 0, 5000)"))
        conn.execute(text("INSERT INTO monthly_reports (project_code, period, ytd_completed) VALUES ('P1', '2022-03', 120.5)"))
    with pytest.raises(StoreError, match="init"):
        store.require_current(eng)
    store.upgrade(eng)
    store.require_current(eng)
    with store.session_scope(eng) as s:
        rep = s.get(MonthlyReport, ("P1", "2022-03"))
        assert rep.ytd_completed == 120.5 and rep.reported_at is None
        assert s.get(Region, "R1").name == "甲县"
    eng.dispose()


def test_missing_sqlite_store_is_one_line_error(tmp_path):
    eng = store.make_engine(f"sqlite:///{tmp_path / 'nope' / 'x.db'}")
    with pytest.raises(StoreError) as exc:
        store.require_current(eng)
    assert "\n" not in str(exc.value) and "init" in str(exc.value)


def test_sqlite_pragmas(sqlite_store):
    with sqlite_store.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


def test_session_scope_rolls_back_on_error(store):
    with pytest.raises(RuntimeError):
        with store_session(store) as s:
            s.add(Region(code="R9", name="乙县", kind="county", display_order=1))
            s.flush()
            raise RuntimeError("boom")
    with store_session(store) as s:
        assert s.get(Region, "R9") is None


def store_session(engine):
    return store.session_scope(engine)


def test_foreign_keys_enforced(store):
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError):
        with store_session(store) as s:
            s.add(Project(code="P1", name="x", region_code="NOPE", sector="s", industrial=False, total_investment=1))
            s.flush()


def test_round_trip_types(store):
    with store_session(store) as s:
        s.add(Region(code="R1", name="甲县", kind="county", display_order=1, lon=100.1, lat=25.6))
        s.add(Project(code="P1", name="甲县水厂", region_code="R1", sector="水利", industrial=True,
                      total_investment=12345.67, planned_start=dt.date(2022, 3, 1)))
        s.add(ProjectYear(project_code="P1", year=2022, library="annual", nature="new", annual_plan=3000.0))
    with store_session(store) as s:
        p = s.scalar(select(Project).where(Project.code == "P1"))
        assert p.planned_start == dt.date(2022, 3, 1) and p.industrial is True
        assert [y.annual_plan for y in p.years] == [3000.0]


def test_data_version_changes_on_audited_write(store):
    from lib.store import audit

    with store_session(store) as s:
        v0 = store_mod_version(s)
        audit.record(s, "office", "edit", "projects", "P1", {"a": 1}, {"a": 2})
        s.flush()
        assert store_mod_version(s) > v0


def store_mod_version(s):
    return store.data_version(s)


def test_head_revision_read_from_files_is_alembics(tmp_path, monkeypatch):
    """The CLI's quick head check (no Alembic import) names the head Alembic names; with two heads
    in the files it leaves the answer to Alembic."""
    assert store._head_from_files() == store._alembic_head() == store.head_revision()
    versions = tmp_path / "versions"
    versions.mkdir()
    for path in (store.MIGRATIONS_DIR / "versions").glob("*.py"):
        (versions / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    (versions / "9999_branch.py").write_text('revision = "branch"\ndown_revision = "0001"\n', encoding="utf-8")
    monkeypatch.setattr(store, "MIGRATIONS_DIR", tmp_path)
    assert store._head_from_files() is None
