"""Benchmark: validate and commit a 5,000-row monthly file (target ≤ 3 s) and a 20,000-row project
file (target ≤ 10 s) on a fresh SQLite store (and PostgreSQL when COCKPIT_TEST_PG_URL/127.0.0.1:5432
answers and --pg is given). Prints (wall seconds, CPU seconds of this process) per step."""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lib import store  # noqa: E402
from lib.auth import Actor  # noqa: E402
from lib.importer import run_import  # noqa: E402
from lib.store import session_scope  # noqa: E402
from lib.templates import rows_csv  # noqa: E402

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


def run(engine):
    out = {}
    with session_scope(engine) as s:
        run_import(s, "regions", rows_csv("regions", [{"code": "532901", "name": "大理市", "kind": "市"}]), "r.csv", OFFICE)
    data = rows_csv("projects", project_rows(20000))
    with Clock() as c, session_scope(engine) as s:
        r = run_import(s, "projects", data, "projects.csv", OFFICE)
    assert r.ok and r.inserted == 20000, r.errors[:3]
    out["projects_20000_insert"] = (c.wall, c.cpu)
    with Clock() as c, session_scope(engine) as s:
        r = run_import(s, "projects", data, "projects.csv", OFFICE)
    assert r.ok and r.unchanged == 20000
    out["projects_20000_unchanged"] = (c.wall, c.cpu)
    monthly = rows_csv("monthly", [{"code": f"P{i:06d}", "period": "2022-06", "ytd_completed": 500 + i % 100,
                                    "month_completed": None, "started": "是", "in_stats": "是",
                                    "variance_note": "", "reporter": "李四"} for i in range(5000)])
    with Clock() as c, session_scope(engine) as s:
        r = run_import(s, "monthly", monthly, "monthly.csv", OFFICE)
    assert r.ok and r.inserted == 5000, r.errors[:3]
    out["monthly_5000_insert"] = (c.wall, c.cpu)
    monthly2 = monthly.replace(b",2022-06,", b",2022-07,")
    with Clock() as c, session_scope(engine) as s:
        r = run_import(s, "monthly", monthly2, "monthly.csv", OFFICE)
    out["monthly_5000_next_month_with_warnings"] = (c.wall, c.cpu)
    out["warnings_next_month"] = len(r.warnings)
    return out


if __name__ == "__main__":
    d = tempfile.mkdtemp()
    eng = store.make_engine(f"sqlite:///{d}/bench.db")
    store.upgrade(eng)
    print("sqlite", run(eng))
    if "--pg" in sys.argv:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
        import uuid

        from sqlalchemy import create_engine, text
        url = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        with create_engine(url).begin() as c:
            c.execute(text(f'CREATE SCHEMA "{schema}"'))
        pg = create_engine(url, connect_args={"options": f"-csearch_path={schema}"})
        try:
            store.upgrade(pg)
            print("postgresql", run(pg))
        finally:
            pg.dispose()
            with create_engine(url).begin() as c:
                c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
