"""lib.store.queries: periods with reports, one project's facts, funds and the history of changes to it."""
from __future__ import annotations

import datetime as dt

import pytest

from lib import problems
from lib.access import Actor
from lib.store import queries
from lib.store.models import MonthlyReport, Project, ProjectYear, Region

OFFICE = Actor("office", "office")


def _seed(session):
    session.add(Region(code="R1", name="甲县", kind="county", display_order=1))
    session.add(Project(code="P1", name="水厂项目", region_code="R1", sector="水利", total_investment=5000.0,
                        central_budget=100.0, special_bond=200.0, approval_land="done", leader="张三"))
    session.add(Project(code="P10", name="另一个", region_code="R1", sector="水利", total_investment=10.0))
    session.add(ProjectYear(project_code="P1", year=2022, library="annual", nature="new", annual_plan=1200.0))
    session.add(ProjectYear(project_code="P10", year=2022, library="annual", nature="new", annual_plan=5.0))
    session.flush()


def test_periods(session):
    assert queries.latest_period(session) is None and queries.report_periods(session) == []
    _seed(session)
    session.add_all([MonthlyReport(project_code="P1", period=p, ytd_completed=1.0)
                     for p in ("2022-01", "2022-03", "2021-12")])
    session.flush()
    assert queries.latest_period(session) == "2022-03"
    assert queries.report_periods(session) == ["2022-03", "2022-01", "2021-12"]


def test_facts_and_funds(session):
    _seed(session)
    session.add(MonthlyReport(project_code="P1", period="2022-02", ytd_completed=10.0, central_budget_paid=40.0))
    session.add(MonthlyReport(project_code="P1", period="2022-04", ytd_completed=20.0, central_budget_paid=60.0,
                              special_bond_paid=None))
    session.add(MonthlyReport(project_code="P1", period="2022-06", ytd_completed=30.0, central_budget_paid=90.0))
    session.flush()
    f = queries.project_facts(session, "P1")
    assert f["name"] == "水厂项目" and f["region_name"] == "甲县" and f["leader"] == "张三"
    assert f["years"] == {2022: {"library": "annual", "nature": "new", "annual_plan": 1200.0}}
    assert f["approvals"]["approval_land"] == "done" and f["approvals"]["approval_eia"] is None
    assert queries.project_facts(session, "nope") is None
    funds = queries.project_funds(session, "P1", 2022, "2022-05").set_index("source")
    assert funds.loc["central_budget", "allocated"] == 100.0 and funds.loc["central_budget", "paid"] == 60.0
    assert funds.loc["special_bond", "paid"] == 0.0 and funds.loc["treasury_bond", "allocated"] == 0.0
    reps = queries.project_reports(session, "P1", 2022, "2022-05")
    assert list(reps["period"]) == ["2022-02", "2022-04"]


def test_changes_come_from_uploads_and_problem_moves(session):
    from lib.intake.importer import run_import

    _seed(session)
    csv = "项目代码,报告期,本年累计完成投资(万元)\nP1,2022-03,300\nP10,2022-03,1\n".encode("utf-8")
    res = run_import(session, "monthly", csv, "月报.csv", OFFICE)
    assert res.ok, res.errors
    pid = problems.raise_problem(session, OFFICE, "P1", "land", "用地指标未落实",
                                 raised_on=dt.date(2022, 3, 5)).id
    session.flush()
    ch = queries.project_changes(session, "P1")
    uploads = ch[ch["entity"] == "monthly_reports"]
    assert len(uploads) == 1
    assert uploads.iloc[0]["entity_key"] == "P1|2022-03" and uploads.iloc[0]["username"] == "office"
    assert uploads.iloc[0]["after"]["ytd_completed"] == pytest.approx(300.0)
    moves = ch[ch["entity"] == "problems"]
    assert len(moves) >= 1 and set(moves["entity_key"]) == {str(pid)}
    # the other project's rows are not in P1's history (P10 starts with "P1")
    assert not ch["entity_key"].astype(str).str.startswith("P10").any()
    assert len(queries.project_changes(session, "P10")) == 1


def test_describe_change():
    assert queries.describe_change({"ytd_completed": 200.0, "reporter": "王"},
                                   {"ytd_completed": 300.0, "reporter": "王"}) == "本年累计完成投资(万元):200.0 → 300.0"
    assert queries.describe_change(None, {"ytd_completed": 5.0, "reporter": None}) == "本年累计完成投资(万元):5.0"
    assert queries.describe_change({"a": 1}, None) == "已删除"
    assert "ytd_completed" in queries.describe_change({"ytd_completed": 1}, {"ytd_completed": 2}, lang="en")


def test_content_version_ignores_sign_ins(session):
    from lib.rules import settings as settings_mod
    from lib.store import audit

    v0 = queries.content_version(session)
    audit.record(session, "leader", "login", "users", "leader", None, {"result": "ok"})
    session.flush()
    assert queries.content_version(session) == v0
    audit.record(session, "office", "upload", "monthly", "a.csv", None, {"inserted": 1})
    session.flush()
    v1 = queries.content_version(session)
    assert v1 != v0
    settings_mod.save(session, OFFICE, {"progress_red_gap": -35})
    session.flush()
    assert queries.content_version(session) != v1
