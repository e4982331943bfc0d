"""Benchmark: validate and commit a 5,000-row monthly file (target ≤ 3 s) and a 20,000-row project
file (target ≤ 10 s) on a copy of the province-scale store of bench_foundation (20,000 projects,
~0.9M reports) and on a fresh SQLite store (and PostgreSQL when --pg is given). Prints (wall seconds,
CPU seconds of this process) per step, and each import as a ratio to the floor: a bare
``pandas.read_csv`` of the same file plus an insert of its rows into a plain table."""
from __future__ import annotations

import io
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from lib import store
from lib.access import Actor
from lib.intake.importer import run_import
from lib.intake.templates import rows_csv
from lib.store import session_scope

OFFICE = Actor("bench", "office")


def project_rows(n, region="532901", prefix="P"):
    return [{"code": f"{prefix}{i:06d}", "name": f"项目{i}", "region": region, "year": 2022, "library": "年度建设",
             "nature": "续建" if i % 2 else "新开工", "level": "市重点", "sector": "交通", "industrial": "否",
             "tags": "六新;两新一重", "total_investment": f"{10000 + i:,}", "annual_plan": 1200,
             "planned_start": "2022-03", "planned_end": "2024/12/31", "unit": "交通局", "leader": "张三",
             "owner": "城投", "lon": 100.2, "lat": 25.6, "special_bond": 500, "approval_project": "已办结",
             "approval_land": "办理中"} for i in range(n)]


class Clock:
    """Wall seconds and this process's CPU seconds (the machine may be shared)."""

    def __enter__(self):
        self.w, self.c = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall = round(time.perf_counter() - self.w, 2)
        self.cpu = round(time.process_time() - self.c, 2)


def floor(engine, data: bytes, table: str) -> float:
    """Seconds for a bare pandas.read_csv of the file plus a plain insert of its rows."""
    with Clock() as c:
        df = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str)
        with engine.begin() as conn:
            df.to_sql(table, conn, if_exists="replace", index=False, chunksize=5000)
    return c.wall


def run(engine, region="532901", prefix="P", create_region=True):
    out = {}
    if create_region:
        with session_scope(engine) as s:
            run_import(s, "regions", rows_csv("regions", [{"code": region, "name": "大理市", "kind": "市"}]),
                       "r.csv", OFFICE)
    data = rows_csv("projects", project_rows(20000, region=region, prefix=prefix))
    with Clock() as c, session_scope(engine) as s:
        r = run_import(s, "projects", data, "projects.csv", OFFICE)
    assert r.ok and r.inserted == 20000, r.errors[:3]
    out["projects_20000_insert"] = (c.wall, c.cpu)
    with Clock() as c, session_scope(engine) as s:
        r = run_import(s, "projects", data, "projects.csv", OFFICE)
    assert r.ok and r.unchanged == 20000
    out["projects_20000_unchanged"] = (c.wall, c.cpu)
    out["projects_floor_read_csv_insert"] = floor(engine, data, "bench_raw_projects")
    out["projects_ratio_to_floor"] = round(out["projects_20000_insert"][0] / out["projects_floor_read_csv_insert"], 1)
    monthly = rows_csv("monthly", [{"code": f"{prefix}{i:06d}", "period": "2022-06", "ytd_completed": 500 + i % 100,
                                    "month_completed": None, "started": "是", "in_stats": "是",
                                    "variance_note": "", "reporter": "李四"} for i in range(5000)])
    with Clock() as c, session_scope(engine) as s:
        r = run_import(s, "monthly", monthly, "monthly.csv", OFFICE)
    assert r.ok and r.inserted == 5000, r.errors[:3]
    out["monthly_5000_insert"] = (c.wall, c.cpu)
    out["monthly_floor_read_csv_insert"] = floor(engine, monthly, "bench_raw_monthly")
    out["monthly_ratio_to_floor"] = round(out["monthly_5000_insert"][0] / out["monthly_floor_read_csv_insert"], 1)
    monthly2 = monthly.replace(b",2022-06,", b",2022-07,")
    with Clock() as c, session_scope(engine) as s:
        r = run_import(s, "monthly", monthly2, "monthly.csv", OFFICE)
    out["monthly_5000_next_month_with_warnings"] = (c.wall, c.cpu)
    out["warnings_next_month"] = len(r.warnings)
    return out


def province_copy(d: str):
    """A copy of bench_foundation's province store (built if missing) to import into."""
    from bench.bench_foundation import DEFAULT_DB, build_province_store

    build_province_store(DEFAULT_DB)
    src = Path(str(DEFAULT_DB).replace("sqlite:///", ""))
    dst = Path(d) / "province_copy.db"
    with sqlite3.connect(src) as a, sqlite3.connect(dst) as b:
        a.backup(b)
    eng = store.make_engine(f"sqlite:///{dst}")
    with eng.connect() as conn:
        from sqlalchemy import text
        region = conn.execute(text("SELECT code FROM regions ORDER BY code LIMIT 1")).scalar()
    return eng, region


def show(label, out):
    print(label)
    for k, v in out.items():
        print(f"  {k}: {v}")
    print(f"  targets: 20,000 projects ≤ 10 s {'PASS' if out['projects_20000_insert'][0] <= 10 else 'MISS'}; "
          f"5,000 monthly ≤ 3 s {'PASS' if out['monthly_5000_insert'][0] <= 3 else 'MISS'}")


if __name__ == "__main__":
    d = tempfile.mkdtemp()
    try:
        eng, region = province_copy(d)
        show("sqlite, province-scale store (20,000 projects already in it)",
             run(eng, region=region, prefix="BENCH", create_region=False))
        eng.dispose()
    except Exception as exc:  # the fresh-store figures still print
        print("province store unavailable:", exc)
    eng = store.make_engine(f"sqlite:///{d}/bench.db")
    store.upgrade(eng)
    show("sqlite, fresh store", run(eng))
    shutil.rmtree(d, ignore_errors=True)
    if "--pg" in sys.argv:
        import uuid

        from sqlalchemy import create_engine, text
        url = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        with create_engine(url).begin() as c:
            c.execute(text(f'CREATE SCHEMA "{schema}"'))
        pg = create_engine(url, connect_args={"options": f"-csearch_path={schema}"})
        try:
            store.upgrade(pg)
            show("postgresql, fresh store", run(pg))
        finally:
            pg.dispose()
            with create_engine(url).begin() as c:
                c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
