"""Helpers shared by the data-intake tests (test_parsing, test_importer, test_templates)."""
from __future__ import annotations

from sqlalchemy import func, select

from lib.access import Actor
from lib.intake.importer import run_import
from lib.intake.templates import rows_csv
from lib.store import session_scope
from lib.store.models import (
    AuditLog,
    MonthlyPlan,
    MonthlyReport,
    Problem,
    ProblemEvent,
    Project,
    ProjectYear,
    Region,
    RegionStat,
    RegionTarget,
    UploadBatch,
)

OFFICE = Actor("office1", "office", display_name="项目办")
ADMIN = Actor("admin1", "admin")
STAFF_A = Actor("staff-532901", "staff", "532901")
STAFF_B = Actor("staff-532922", "staff", "532922")
LEADER = Actor("leader1", "leader")

DATA_MODELS = (Region, Project, ProjectYear, MonthlyPlan, MonthlyReport, RegionTarget, RegionStat, Problem,
               ProblemEvent, UploadBatch, AuditLog)

REGIONS = [
    {"code": "532901", "name": "大理市", "kind": "市", "display_order": 1, "lon": 100.23, "lat": 25.59},
    {"code": "532922", "name": "漾濞县", "kind": "县", "display_order": 2},
    {"code": "532999", "name": "大理经开区", "kind": "开发区", "display_order": 3},
]


def project_row(code, region="大理市", year=2022, library="年度建设", nature="新开工", plan=1200, total=10000, **kw):
    row = {"code": code, "name": f"项目{code}", "region": region, "year": year, "library": library,
           "nature": nature if library == "年度建设" else None, "sector": "交通", "total_investment": total,
           "annual_plan": plan if library == "年度建设" else None, "planned_start": "2022-01"}
    row.update(kw)
    return row


def seed(engine, n_projects_a=3, n_projects_b=2):
    """Regions, and annual projects A1.. in 532901 and B1.. in 532922 (plan 1,200万元, new, start 2022-01)."""
    with session_scope(engine) as s:
        r = run_import(s, "regions", rows_csv("regions", REGIONS), "regions.csv", OFFICE)
        assert r.ok, r.errors
        rows = [project_row(f"A{i}") for i in range(1, n_projects_a + 1)]
        rows += [project_row(f"B{i}", region="漾濞县") for i in range(1, n_projects_b + 1)]
        r = run_import(s, "projects", rows_csv("projects", rows), "projects.csv", OFFICE)
        assert r.ok, r.errors


def snapshot(engine) -> dict:
    """Every row of every data table (to prove that nothing was written)."""
    out = {}
    with session_scope(engine) as s:
        for m in DATA_MODELS:
            cols = list(m.__table__.c)
            out[m.__tablename__] = sorted(
                (tuple(r) for r in s.execute(select(*cols)).all()), key=repr)
    return out


def count(engine, model) -> int:
    with session_scope(engine) as s:
        return s.scalar(select(func.count()).select_from(model))


def do_import(engine, kind, data, actor=OFFICE, filename="f.csv", **kw):
    with session_scope(engine) as s:
        return run_import(s, kind, data, filename, actor, **kw)
