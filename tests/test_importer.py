"""Import: validation errors and warnings, all-or-nothing commit, upsert, batches, undo, permissions,
concurrency (SQLite and PostgreSQL)."""
from __future__ import annotations

import json
import os
import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from lib.access import Actor
from lib.errors import CockpitError, PermissionDenied
from lib.i18n import TEXT
from lib.intake.importer import KINDS, issue_text, reporting_grid, run_import, undo_batch
from lib.intake.templates import rows_csv
from lib.store import session_scope
from lib.store.models import (
    AuditLog,
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
from tests._intake import (
    LEADER,
    OFFICE,
    STAFF_A,
    STAFF_B,
    count,
    do_import,
    project_row,
    seed,
    snapshot,
)


@pytest.fixture
def seeded(sqlite_store):
    seed(sqlite_store)
    return sqlite_store


def monthly(rows, encoding="utf-8-sig"):
    return rows_csv("monthly", rows, encoding=encoding)


def test_kinds_contract():
    assert KINDS == ("regions", "projects", "monthly", "plans", "targets", "stats", "problems", "approvals", "events")


# ---------------- bad input: clear message, nothing written ----------------

def test_empty_file_writes_nothing(seeded):
    before = snapshot(seeded)
    r = do_import(seeded, "monthly", b"", actor=STAFF_A)
    assert not r.ok and "空" in r.errors[0]["message"]
    assert snapshot(seeded) == before


def test_random_bytes_named_csv_writes_nothing(seeded):
    before = snapshot(seeded)
    r = do_import(seeded, "projects", os.urandom(20000), filename="x.csv")
    assert not r.ok and r.errors and r.errors[0]["message"]
    assert snapshot(seeded) == before


def test_60_mb_file_rejected_with_limit_named(seeded):
    before = snapshot(seeded)
    r = do_import(seeded, "monthly", b"x" * (60 * 1024 * 1024), actor=STAFF_A)
    assert not r.ok and "50 MB" in r.errors[0]["message"]
    assert snapshot(seeded) == before


@pytest.mark.slow
def test_5000_rows_one_bad_cell_at_row_4321(sqlite_store):
    seed(sqlite_store, n_projects_a=5000, n_projects_b=0)
    rows = [{"code": f"A{i}", "period": "2022-01", "ytd_completed": 100} for i in range(1, 5001)]
    rows[4321 - 2]["ytd_completed"] = "一百"  # header is row 1, so file row 4,321 is list index 4,319
    before = count(sqlite_store, MonthlyReport)
    r = do_import(sqlite_store, "monthly", monthly(rows), actor=STAFF_A)
    assert not r.ok
    assert len(r.errors) == 1
    e = r.errors[0]
    assert e["row"] == 4321 and e["column"] == "本年累计完成投资(万元)" and e["value"] == "一百"
    assert "不是数字" in e["message"]
    assert count(sqlite_store, MonthlyReport) == before == 0


def test_gbk_file_with_wrong_county_row_by_county_staff(seeded):
    before = snapshot(seeded)
    data = monthly([{"code": "A1", "period": "2022-03", "ytd_completed": 300},
                    {"code": "B1", "period": "2022-03", "ytd_completed": 300},
                    {"code": "A2", "period": "2022-03", "ytd_completed": 300}], encoding="gbk")
    r = do_import(seeded, "monthly", data, actor=STAFF_A)
    assert not r.ok
    assert [e["row"] for e in r.errors] == [3]
    assert "532922" in r.errors[0]["message"] and "本县区" in r.errors[0]["message"]
    assert snapshot(seeded) == before
    # the other county's staff may upload that row
    r = do_import(seeded, "monthly", monthly([{"code": "B1", "period": "2022-03", "ytd_completed": 300}], "gbk"),
                  actor=STAFF_B)
    assert r.ok and r.inserted == 1


def test_duplicate_key_in_file(seeded):
    before = snapshot(seeded)
    r = do_import(seeded, "monthly", monthly([{"code": "A1", "period": "2022-03", "ytd_completed": 1},
                                              {"code": "A1", "period": "2022年3月", "ytd_completed": 2}]))
    assert not r.ok and r.errors[0]["row"] == 3 and "第 2 行重复" in r.errors[0]["message"]
    assert snapshot(seeded) == before


def test_every_error_at_once(seeded):
    rows = [
        {"code": "NOPE", "period": "2022-03", "ytd_completed": 1},            # row 2 unknown project
        {"code": "A1", "period": "2022-13", "ytd_completed": 1},              # row 3 bad period
        {"code": "A2", "period": "2022-03", "ytd_completed": -5},             # row 4 negative
        {"code": "A3", "period": "2022-03", "ytd_completed": 20000},          # row 5 above total investment
        {"code": "A1", "period": "2022-04", "ytd_completed": None, "month_completed": 3},  # row 6 required value
        {"code": "A2", "period": "2022-04", "ytd_completed": 5, "started": "也许"},  # row 7 bad yes/no
    ]
    r = do_import(seeded, "monthly", monthly(rows))
    assert not r.ok
    by_row = {e["row"]: e for e in r.errors}
    assert set(by_row) == {2, 3, 4, 5, 6, 7}
    assert "不在项目清单" in by_row[2]["message"]
    assert by_row[3]["column"] == "报告期"
    assert "负数" in by_row[4]["message"]
    assert "超过项目总投资" in by_row[5]["message"]
    assert "必填" in by_row[6]["message"]
    assert by_row[7]["value"] == "也许"
    assert count(seeded, MonthlyReport) == 0


def test_projects_annual_needs_nature_and_plan_and_region_must_exist(seeded):
    rows = [project_row("N1", nature=None), project_row("N2", plan=None), project_row("N3", region="外县")]
    r = do_import(seeded, "projects", rows_csv("projects", rows))
    msgs = {e["row"]: e["message"] for e in r.errors}
    assert "建设性质" in msgs[2] and "年度计划投资" in msgs[3] and "外县" in msgs[4]
    assert count(seeded, Project) == 5


# ---------------- warnings ----------------

def test_cumulative_went_down_is_a_warning_shown_before_commit(seeded):
    assert do_import(seeded, "monthly", monthly([{"code": "A1", "period": "2022-03", "ytd_completed": 500,
                                                  "variance_note": "x"}]), actor=STAFF_A).ok
    data = monthly([{"code": "A1", "period": "2022-04", "ytd_completed": 450, "variance_note": "x"}])
    with session_scope(seeded) as s:
        pre = run_import(s, "monthly", data, "m.csv", STAFF_A, dry_run=True)
    assert pre.ok and pre.inserted == 1
    assert any("累计数下降" in w["message"] and w["row"] == 2 and w["value"] == "450" for w in pre.warnings)
    r = do_import(seeded, "monthly", data, actor=STAFF_A, acknowledge_warnings=False)
    assert not r.ok and r.needs_acknowledgement and not r.errors
    assert count(seeded, MonthlyReport) == 1
    r = do_import(seeded, "monthly", data, actor=STAFF_A, acknowledge_warnings=True)
    assert r.ok and count(seeded, MonthlyReport) == 2
    with session_scope(seeded) as s:
        b = s.get(UploadBatch, r.batch_id)
        assert any("累计数下降" in w["message"] for w in json.loads(b.warnings))


def test_other_monthly_warnings(seeded):
    # A1: plan 1,200, new, planned start 2022-01 → expected at June 50%
    rows = [{"code": "A1", "period": f"2022-0{m}", "ytd_completed": v, "month_completed": mc, "started": "是",
             "variance_note": "征地" if m != 6 else None}
            for m, v, mc in ((4, 400, 100), (5, 400, 0), (6, 400, 0))]
    rows.append({"code": "A2", "period": "2022-06", "ytd_completed": 1900, "variance_note": "超额"})
    rows.append({"code": "A3", "period": "2022-01", "ytd_completed": 50, "month_completed": 40, "variance_note": "-"})
    r = do_import(seeded, "monthly", monthly(rows), dry_run=True)
    assert r.ok, r.errors
    msgs = [(w["row"], w["message"]) for w in r.warnings]
    assert any(row == 4 and "疑似照抄" in m for row, m in msgs)
    assert any(row == 4 and "滞后" in m and "偏差说明" in m for row, m in msgs)  # 33.3% vs 50% → −16.7
    assert not any(row == 3 and "滞后" in m for row, m in msgs)  # noted
    assert any(row == 5 and "1.5倍" in m for row, m in msgs)
    assert any(row == 6 and "不一致" in m for row, m in msgs)  # January: 40 ≠ 50 − 0
    assert not any(row in (2, 3, 4) and "不一致" in m for row, m in msgs)  # April: no March to compare with
    assert sum("疑似照抄" in m for _, m in msgs) == 1


# ---------------- commit, upsert, batches, idempotence ----------------

def test_upsert_counts_batch_and_audit(seeded):
    r1 = do_import(seeded, "monthly", monthly([{"code": "A1", "period": "2022-03", "ytd_completed": 300},
                                               {"code": "A2", "period": "2022-03", "ytd_completed": 200}]),
                   actor=STAFF_A, filename="三月.csv")
    assert r1.ok and (r1.inserted, r1.updated, r1.unchanged) == (2, 0, 0)
    data2 = monthly([{"code": "A1", "period": "2022-03", "ytd_completed": 300},
                     {"code": "A2", "period": "2022-03", "ytd_completed": 250, "reporter": "李四"},
                     {"code": "A3", "period": "2022-03", "ytd_completed": 10}])
    r2 = do_import(seeded, "monthly", data2, actor=STAFF_A, filename="三月改.csv")
    assert (r2.inserted, r2.updated, r2.unchanged) == (1, 1, 1)
    upd = [c for c in r2.changes if c["action"] == "update"][0]
    assert upd["key"] == "A2 / 2022-03"
    assert upd["before"] == {"ytd_completed": 200.0, "reporter": None}
    assert upd["after"] == {"ytd_completed": 250.0, "reporter": "李四"}
    with session_scope(seeded) as s:
        b = s.get(UploadBatch, r2.batch_id)
        assert (b.username, b.kind, b.filename, b.region_code) == ("staff-532901", "monthly", "三月改.csv", "532901")
        import hashlib
        assert b.sha256 == hashlib.sha256(data2).hexdigest()
        assert (b.inserted, b.updated, b.unchanged) == (1, 1, 1)
        audits = s.scalars(select(AuditLog).where(AuditLog.batch_id == r2.batch_id)).all()
        assert [a.action for a in audits] == ["upload"] and audits[0].username == "staff-532901"
        rep = s.get(MonthlyReport, ("A2", "2022-03"))
        assert rep.ytd_completed == 250 and rep.reporter == "李四" and rep.batch_id == r2.batch_id


def test_same_file_twice_changes_nothing(seeded):
    data = monthly([{"code": "A1", "period": "2022-03", "ytd_completed": 300, "started": "是",
                     "actual_start": "2022/3/5", "progress_text": "路基"}])
    assert do_import(seeded, "monthly", data, actor=STAFF_A).ok
    before = snapshot(seeded)
    r = do_import(seeded, "monthly", data, actor=STAFF_A)
    assert r.ok and (r.inserted, r.updated, r.unchanged) == (0, 0, 1) and r.batch_id is None
    assert snapshot(seeded) == before


def test_projects_write_project_and_project_years(seeded):
    rows = [project_row("P9", year=2022, plan=100, tags="六新;招商引资", industrial="是", approval_land="办理中"),
            project_row("P9", year=2023, nature="续建", plan=300, tags="六新;招商引资", industrial="是",
                        approval_land="办理中")]
    r = do_import(seeded, "projects", rows_csv("projects", rows))
    assert r.ok and r.inserted == 2
    with session_scope(seeded) as s:
        p = s.get(Project, "P9")
        assert p.tags == "六新;招商引资" and p.industrial is True and p.approval_land == "in_progress"
        ys = {y.year: (y.library, y.nature, y.annual_plan) for y in s.scalars(select(ProjectYear).where(ProjectYear.project_code == "P9"))}
        assert ys == {2022: ("annual", "new", 100.0), 2023: ("annual", "continuing", 300.0)}
    rows[1]["name"] = "别的名字"
    r = do_import(seeded, "projects", rows_csv("projects", rows))
    assert not r.ok and "不一致" in r.errors[0]["message"] and r.errors[0]["row"] == 3


# ---------------- undo ----------------

def test_undo_restores_exactly_updates_included(seeded):
    assert do_import(seeded, "monthly", monthly([{"code": "A1", "period": "2022-03", "ytd_completed": 300,
                                                  "reporter": "甲"}]), actor=STAFF_A).ok
    before = snapshot(seeded)
    r = do_import(seeded, "monthly", monthly([{"code": "A1", "period": "2022-03", "ytd_completed": 350, "reporter": "乙"},
                                              {"code": "A2", "period": "2022-03", "ytd_completed": 20}]), actor=STAFF_A)
    assert r.ok and (r.inserted, r.updated) == (1, 1)
    with session_scope(seeded) as s:
        out = undo_batch(s, r.batch_id, STAFF_A)
    assert out == {"batch_id": r.batch_id, "deleted": 1, "restored": 1}
    after = snapshot(seeded)
    # data tables exactly as before; the batch is marked undone and the undo audited
    for t in before:
        if t not in ("upload_batches", "audit_log"):
            assert after[t] == before[t], t
    with session_scope(seeded) as s:
        b = s.get(UploadBatch, r.batch_id)
        assert b.undone_by == "staff-532901" and b.undone_at is not None
        assert s.scalars(select(AuditLog.action).where(AuditLog.batch_id == r.batch_id)).all() == ["upload", "undo"]
        with pytest.raises(CockpitError, match="已于"):
            undo_batch(s, r.batch_id, STAFF_A)


def test_undo_projects_batch_and_refusals(seeded):
    r1 = do_import(seeded, "monthly", monthly([{"code": "A1", "period": "2022-03", "ytd_completed": 300}]), actor=STAFF_A)
    r2 = do_import(seeded, "monthly", monthly([{"code": "A1", "period": "2022-03", "ytd_completed": 310}]), actor=STAFF_A)
    with session_scope(seeded) as s:
        with pytest.raises(CockpitError, match=f"批次 {r2.batch_id}"):
            undo_batch(s, r1.batch_id, STAFF_A)
    with session_scope(seeded) as s:
        with pytest.raises(PermissionDenied):
            undo_batch(s, r2.batch_id, STAFF_B)
    with session_scope(seeded) as s:
        with pytest.raises(PermissionDenied):
            undo_batch(s, r2.batch_id, LEADER)
    with session_scope(seeded) as s:
        undo_batch(s, r2.batch_id, OFFICE)  # the office may undo anyone's
    with session_scope(seeded) as s:
        assert s.get(MonthlyReport, ("A1", "2022-03")).ytd_completed == 300
        undo_batch(s, r1.batch_id, STAFF_A)  # now nothing later touches it
    assert count(seeded, MonthlyReport) == 0


def test_undo_refused_when_inserted_project_is_used_later(seeded):
    r = do_import(seeded, "projects", rows_csv("projects", [project_row("NEW1")]))
    assert do_import(seeded, "monthly", monthly([{"code": "NEW1", "period": "2022-03", "ytd_completed": 1}])).ok
    with session_scope(seeded) as s:
        with pytest.raises(CockpitError, match="引用"):
            undo_batch(s, r.batch_id, OFFICE)
    assert count(seeded, Project) == 6


# ---------------- problems ----------------

def prob(**kw):
    row = {"code": "A1", "category": "征地拆迁", "description": "K3段征地未完成", "raised_on": "2022-05-10"}
    row.update(kw)
    return row


FIVE = {"unit": "自然资源局", "leader": "王五", "person": "赵六", "measures": "6月底前补偿到位", "deadline": "2022-06-30"}


def test_problems_insert_update_events_and_idempotence(seeded):
    data = rows_csv("problems", [prob(status="已交办", **FIVE), prob(description="用电未接入", category="水电气配套")])
    r = do_import(seeded, "problems", data, actor=STAFF_A)
    assert r.ok and r.inserted == 2, r.errors
    with session_scope(seeded) as s:
        ps = s.scalars(select(Problem).order_by(Problem.id)).all()
        assert [(p.status, p.level, p.category) for p in ps] == [("assigned", "county", "demolition"),
                                                                  ("pending", "county", "utilities")]
        evs = s.scalars(select(ProblemEvent).order_by(ProblemEvent.id)).all()
        # a new problem is raised, then taken through the page's moves (交办), each an event of its actor
        assert [(e.action, e.from_status, e.to_status, e.username) for e in evs] == [
            ("import", None, "pending", "staff-532901"), ("assign", "pending", "assigned", "staff-532901"),
            ("import", None, "pending", "staff-532901")]
        pid, number = ps[0].id, ps[0].number
        assert [p.number for p in ps] == ["Q-000001", "Q-000002"]  # blank 问题编号 → system numbers
    again = do_import(seeded, "problems", data, actor=STAFF_A)
    assert again.ok and (again.inserted, again.updated, again.unchanged) == (0, 0, 2)
    upd = rows_csv("problems", [prob(id=number, status="办理中", **FIVE)])
    r = do_import(seeded, "problems", upd, actor=STAFF_A)
    assert r.ok and r.updated == 1, r.errors
    with session_scope(seeded) as s:
        ev = s.scalars(select(ProblemEvent).where(ProblemEvent.problem_id == pid).order_by(ProblemEvent.id)).all()[-1]
        assert (ev.from_status, ev.to_status, ev.action, ev.username) == ("assigned", "in_progress", "start",
                                                                           "staff-532901")
    with session_scope(seeded) as s:
        undo_batch(s, r.batch_id, STAFF_A)
    with session_scope(seeded) as s:
        assert s.get(Problem, pid).status == "assigned"
        assert len(s.scalars(select(ProblemEvent).where(ProblemEvent.problem_id == pid)).all()) == 2


def test_problem_rules(seeded):
    rows = [prob(status="已交办", unit="自然资源局"),                                # five-in-place missing 4
            prob(description="b", status="已销号", **FIVE),                         # no satisfied, no closed_on
            prob(description="c", status="已销号", satisfied="是", closed_on="2022-06-01", **FIVE),  # staff may not close
            prob(id="X" * 41)]                                                     # number too long
    r = do_import(seeded, "problems", rows_csv("problems", rows), actor=STAFF_A)
    msgs = [(e["row"], e["message"]) for e in r.errors]
    assert any(row == 2 and "五到位" in m and "责任领导" in m and "解决时限" in m for row, m in msgs)
    assert any(row == 3 and "企业满意" in m for row, m in msgs)
    assert any(row == 3 and "办结日期" in m for row, m in msgs)
    assert any(row == 4 and "项目办" in m for row, m in msgs)
    assert any(row == 5 and "41" in m and "40" in m for row, m in msgs)
    assert count(seeded, Problem) == 0
    ok = do_import(seeded, "problems", rows_csv("problems", [rows[2]]), actor=OFFICE)
    assert ok.ok and ok.inserted == 1
    with session_scope(seeded) as s:
        pid, number = s.execute(select(Problem.id, Problem.number)).one()
    reopen = do_import(seeded, "problems", rows_csv("problems", [{**rows[2], "id": number, "status": "办理中"}]),
                       actor=STAFF_A)
    assert not reopen.ok and "已销号" in reopen.errors[0]["message"]
    with session_scope(seeded) as s:
        assert s.get(Problem, pid).status == "closed"


# ---------------- permissions and the other kinds ----------------

def test_staff_may_not_upload_prefecture_data_and_leader_nothing(seeded):
    for kind, row in (("regions", {"code": "1", "name": "x"}), ("targets", {"region": "大理市", "year": 2022, "growth_target": 9}),
                      ("stats", {"region": "大理市", "period": "2022-03", "growth": 5})):
        r = do_import(seeded, kind, rows_csv(kind, [row]), actor=STAFF_A)
        assert not r.ok and "没有权限" in r.errors[0]["message"]
    r = do_import(seeded, "monthly", monthly([{"code": "A1", "period": "2022-03", "ytd_completed": 1}]), actor=LEADER)
    assert not r.ok and "没有权限" in r.errors[0]["message"]


def test_targets_stats_plans_regions(seeded):
    assert do_import(seeded, "targets", rows_csv("targets", [{"region": "大理市", "year": 2022, "growth_target": "10"},
                                                             {"region": "532922", "year": 2022, "growth_target": -2}])).ok
    assert do_import(seeded, "stats", rows_csv("stats", [{"region": "漾濞县", "period": "2022年3月", "growth": "-3.5%"}])).ok
    plans = rows_csv("plans", [{"code": "A1", "year": 2022, "m3": 300, "m6": "600", "m12": "1,200"}])
    r = do_import(seeded, "plans", plans, actor=STAFF_A)
    assert r.ok and r.inserted == 1
    r = do_import(seeded, "regions", rows_csv("regions", [{"code": "532901", "name": "大理市", "kind": "园区"}]))
    assert r.ok and r.updated == 1
    with session_scope(seeded) as s:
        assert s.get(RegionTarget, ("532922", 2022)).growth_target == -2
        assert s.get(RegionStat, ("532922", "2022-03")).growth == -3.5
        assert s.get(Region, "532901").kind == "park"
        assert s.get(Region, "532901").display_order == 1  # blank on update: unchanged
        from lib.store.models import MonthlyPlan
        got = {p.month: p.planned_cumulative for p in s.scalars(select(MonthlyPlan))}
        assert got == {3: 300.0, 6: 600.0, 12: 1200.0}


def test_display_value_reads_like_the_template():
    from lib.intake.importer import display_value

    assert display_value("projects", "approval_land", "in_progress") == "办理中"
    assert display_value("projects", "library", "annual") == "年度建设"
    assert display_value("monthly", "started", True) == "是"
    assert display_value("problems", "deadline", "2022-06-30") == "2022年6月30日"
    assert display_value("problems", "level", "city") == "市级"
    assert display_value("monthly", "ytd_completed", 1234.5) == "1,234.5"
    assert display_value("plans", "m3:planned_cumulative", 300.0) == "300"
    assert display_value("projects", "year", 2022) == "2022"
    assert display_value("monthly", "variance_note", None) == ""


def test_reporting_grid(seeded):
    do_import(seeded, "monthly", monthly([{"code": "A1", "period": "2022-03", "ytd_completed": 1},
                                          {"code": "A2", "period": "2022-03", "ytd_completed": 1}]))
    with session_scope(seeded) as s:
        g = reporting_grid(s, 2022, through="2022-03")
    cell = g[(g.region_code == "532901") & (g.period == "2022-03")].iloc[0]
    assert (cell.annual, cell.reported, cell.missing) == (3, 2, 1)
    assert set(g.period) == {"2022-01", "2022-02", "2022-03"}
    assert g[(g.region_code == "532922") & (g.period == "2022-03")].iloc[0].missing == 2


# ---------------- concurrency (SQLite and PostgreSQL) ----------------

def test_concurrent_imports_same_county_are_serialised(store):
    seed(store, n_projects_a=40, n_projects_b=0)
    barrier = threading.Barrier(2)
    results, failures = {}, []

    def run(name, rows):
        try:
            barrier.wait()
            with session_scope(store) as s:
                results[name] = run_import(s, "monthly", monthly(rows), f"{name}.csv", STAFF_A)
        except Exception as exc:
            failures.append(repr(exc))

    rows1 = [{"code": f"A{i}", "period": "2022-03", "ytd_completed": 100 + i} for i in range(1, 41)]
    rows2 = [{"code": f"A{i}", "period": "2022-03", "ytd_completed": 200 + i} for i in range(1, 41)]
    threads = [threading.Thread(target=run, args=("one", rows1)), threading.Thread(target=run, args=("two", rows2))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not failures, failures
    r1, r2 = results["one"], results["two"]
    assert r1.ok and r2.ok
    first, second = sorted((r1, r2), key=lambda r: r.batch_id)
    # the second saw everything the first wrote: all its rows are updates whose "before" is the first's value
    assert (first.inserted, second.inserted, second.updated) == (40, 0, 40)
    with session_scope(store) as s:
        b2 = json.loads(s.get(UploadBatch, second.batch_id).changes)
        b1 = {tuple(c["k"]): c["a"]["ytd_completed"] for c in json.loads(s.get(UploadBatch, first.batch_id).changes)}
        for c in b2:
            assert c["b"]["ytd_completed"] == b1[tuple(c["k"])]
        final = {r.project_code: r.ytd_completed for r in s.scalars(select(MonthlyReport))}
    winner = rows1 if second is r1 else rows2
    assert final == {r["code"]: float(r["ytd_completed"]) for r in winner}
    # and undoing the second brings back exactly the first
    with session_scope(store) as s:
        undo_batch(s, second.batch_id, STAFF_A)
    with session_scope(store) as s:
        final = {r.project_code: r.ytd_completed for r in s.scalars(select(MonthlyReport))}
    loser = rows2 if winner is rows1 else rows1
    assert final == {r["code"]: float(r["ytd_completed"]) for r in loser}


def test_concurrent_inserts_of_the_same_new_rows(store):
    seed(store, n_projects_a=1, n_projects_b=0)
    rows = [project_row(f"C{i}") for i in range(30)]
    data = rows_csv("projects", rows)
    barrier = threading.Barrier(2)
    results, failures = [], []

    def run():
        try:
            barrier.wait()
            with session_scope(store) as s:
                results.append(run_import(s, "projects", data, "p.csv", OFFICE))
        except Exception as exc:
            failures.append(repr(exc))

    ts = [threading.Thread(target=run) for _ in range(2)]
    [t.start() for t in ts]
    [t.join(60) for t in ts]
    assert not failures, failures
    assert sorted((r.inserted, r.unchanged) for r in results) == [(0, 30), (30, 0)]
    assert count(store, Project) == 31


# ---------------- property: run_import never raises on random tables ----------------

cell = st.one_of(st.text(max_size=8), st.sampled_from(["A1", "A2", "B1", "2022-03", "2022-13", "是", "已销号", "1,000",
                                                         "-5", "大理市", "年度建设", ""]),
                 st.integers(-10**6, 10**9).map(str))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(kind=st.sampled_from(list(KINDS)), data=st.data())
def test_run_import_never_raises(seeded, kind, data):
    from lib.intake.templates import COLUMNS

    cols = [c.key for c in COLUMNS[kind]]
    chosen = data.draw(st.lists(st.sampled_from(cols), min_size=2, max_size=len(cols), unique=True))
    rows = data.draw(st.lists(st.fixed_dictionaries({k: cell for k in chosen}), max_size=5))
    payload = rows_csv(kind, rows)
    actor = data.draw(st.sampled_from([OFFICE, STAFF_A, Actor("x", "staff", None)]))
    with session_scope(seeded) as s:
        r = run_import(s, kind, payload, "r.csv", actor, dry_run=True)
        assert r.ok == (not r.errors and not r.needs_acknowledgement)
        for e in r.errors + r.warnings:  # every issue is an i18n key with its Chinese text
            assert set(e) == {"row", "column", "value", "message", "key", "params"} and e["message"]
            assert e["key"] in TEXT and issue_text(e, "zh")["message"] == e["message"] and issue_text(e, "en")["message"]


def _xlsx_with_formulas(cached: bool) -> bytes:
    import io

    if cached:
        import xlsxwriter

        buf = io.BytesIO()
        wb = xlsxwriter.Workbook(buf, {"in_memory": True})
        ws = wb.add_worksheet("月报")
        ws.merge_range("A1:D1", "大理市2022年3月月报")
        ws.merge_range("A2:A3", "项目代码")
        ws.merge_range("B2:B3", "报告期")
        ws.merge_range("C2:D2", "投资完成情况")
        ws.write("C3", "本年累计完成投资(万元)")
        ws.write("D3", "本月完成投资(万元)")
        ws.write_row("A4", ["A1", "2022-03"])
        ws.write_formula("C4", "=D4+200", None, 300)
        ws.write_number("D4", 100)
        ws.write("A5", "合计")
        ws.write_formula("C5", "=SUM(C4:C4)", None, 300)
        wb.close()
        return buf.getvalue()
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.merge_cells("A1:C1")
    ws["A1"] = "大理市2022年3月月报"
    ws.append(["项目代码", "报告期", "本年累计完成投资(万元)"])
    ws.append(["A1", "2022-03", "=200+100"])  # openpyxl stores no cached result
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_xlsx_with_formulas_and_merged_header_cells(seeded):
    before = snapshot(seeded)
    r = do_import(seeded, "monthly", _xlsx_with_formulas(cached=False), actor=STAFF_A, filename="m.xlsx")
    assert not r.ok and r.errors[0]["row"] == 3 and "C3" in r.errors[0]["message"] and "公式" in r.errors[0]["message"]
    assert snapshot(seeded) == before
    r = do_import(seeded, "monthly", _xlsx_with_formulas(cached=True), actor=STAFF_A, filename="m.xlsx")
    assert r.ok and r.inserted == 1, r.errors
    with session_scope(seeded) as s:
        rep = s.get(MonthlyReport, ("A1", "2022-03"))
        assert (rep.ytd_completed, rep.month_completed) == (300.0, 100.0)


xcell = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**9), st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.datetimes(min_value=__import__("datetime").datetime(1900, 3, 1), max_value=__import__("datetime").datetime(2100, 1, 1)),
    st.times(), st.sampled_from(["A1", "B1", "2022-03", "是", "否", "年度建设", "已交办", "大理市", "合计", "1,000", "=1+1"]),
    st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=6).filter(lambda s: not s.startswith("=")),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(kind=st.sampled_from(list(KINDS)), data=st.data())
def test_run_import_never_raises_on_random_xlsx(seeded, kind, data):
    import io

    from openpyxl import Workbook

    from lib.intake.templates import COLUMNS

    cols = COLUMNS[kind]
    chosen = data.draw(st.lists(st.sampled_from(cols), min_size=2, max_size=len(cols), unique=True))
    rows = data.draw(st.lists(st.lists(xcell, min_size=len(chosen), max_size=len(chosen)), max_size=4))
    wb = Workbook()
    ws = wb.active
    ws.append([c.zh for c in chosen])
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    with session_scope(seeded) as s:
        r = run_import(s, kind, buf.getvalue(), "r.xlsx", OFFICE, dry_run=True)
        assert r.ok == (not r.errors and not r.needs_acknowledgement)
        for e in r.errors + r.warnings:
            assert e["message"]
