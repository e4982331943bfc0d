"""Templates: columns, dropdowns, 填表说明, CSV with BOM, and the round trip download → fill → upload →
the store holds exactly what was typed (every kind)."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from lib.i18n import ENUMS, TEXT
from lib.intake.parsing import read_table
from lib.intake.templates import (
    COLUMNS,
    DROPDOWN,
    KINDS,
    NOTES_SHEET,
    rows_csv,
    template_csv,
    template_xlsx,
)
from lib.store import session_scope
from lib.store.models import (
    MonthlyPlan,
    MonthlyReport,
    Problem,
    Project,
    ProjectYear,
    Region,
    RegionStat,
    RegionTarget,
)
from tests._intake import OFFICE, STAFF_A, do_import, project_row, seed


def _book(data: bytes):
    return load_workbook(io.BytesIO(data))


@pytest.mark.parametrize("kind", KINDS)
def test_xlsx_template_headers_dropdowns_notes(kind):
    wb = _book(template_xlsx(kind))
    ws = wb.worksheets[0]
    cols = COLUMNS[kind]
    assert [c.value for c in ws[1]] == [c.zh for c in cols]
    # a dropdown on every enumeration column, offering the DESIGN.md words
    lists = {}
    for dv in ws.data_validations.dataValidation:
        if dv.type == "list":
            for rng in str(dv.sqref).split():
                lists[rng.split(":")[0].rstrip("0123456789")] = dv.formula1.strip('"').split(",")
    from openpyxl.utils import get_column_letter
    for i, c in enumerate(cols, start=1):
        letter = get_column_letter(i)
        if c.enum:
            assert lists.get(letter) == DROPDOWN[c.enum], (kind, c.zh)
        else:
            assert letter not in lists
    # every dropdown word is understood by the parser
    from lib.intake.parsing import parse_enum
    for c in cols:
        if c.enum:
            for word in DROPDOWN[c.enum]:
                assert parse_enum(word, c.enum) in ENUMS[c.enum]
    # example row present, and skipped on import
    assert str(ws.cell(row=2, column=1).value).startswith("示例")
    # 填表说明: one line per column with its help text
    notes = wb[NOTES_SHEET]
    listed = {r[0].value: r[5].value for r in notes.iter_rows(min_row=4)}
    assert set(listed) == {c.zh for c in cols}
    assert all(listed[c.zh] == c.help_text("zh") and c.help in TEXT for c in cols)  # an i18n key each
    assert len({listed[c.zh] for c in cols if c.help}) > 1 and not any(h.startswith("col_") for h in listed.values())
    frame, rows, _ = read_table(template_xlsx(kind), "t.xlsx", kind)
    assert len(frame) == 0 and rows == []  # the example row is not data


@pytest.mark.parametrize("kind", KINDS)
def test_csv_template_has_bom_and_headers(kind):
    data = template_csv(kind)
    assert data.startswith(b"\xef\xbb\xbf")
    first = data.decode("utf-8-sig").splitlines()[0].split(",")
    assert first == [c.zh for c in COLUMNS[kind]]
    frame, rows, _ = read_table(data, "t.csv", kind)
    assert len(frame) == 0  # the example row is skipped


def _fill(kind: str, rows: list[dict], lang="zh", overwrite_example=False) -> bytes:
    """What a user does in Excel: open the downloaded template and type rows (typed cells: numbers
    as numbers, dates as dates)."""
    wb = _book(template_xlsx(kind, lang=lang))
    ws = wb.worksheets[0]
    start = 2 if overwrite_example else 3
    keys = [c.key for c in COLUMNS[kind]]
    for r, row in enumerate(rows, start=start):
        for i, k in enumerate(keys, start=1):
            ws.cell(row=r, column=i).value = row.get(k)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_round_trip_every_kind(sqlite_store):
    eng = sqlite_store
    regions = [{"code": "532901", "name": "大理市", "kind": "市", "display_order": 1, "lon": 100.23, "lat": 25.59},
               {"code": "532922", "name": "漾濞县", "kind": "县", "display_order": 2, "lon": None, "lat": None}]
    r = do_import(eng, "regions", _fill("regions", regions), filename="r.xlsx")
    assert r.ok and r.inserted == 2, r.errors
    projects = [
        {"code": "2203-532901-04-01-000001", "name": "示范道路", "region": "大理市", "year": 2022, "library": "年度建设",
         "nature": "新开工", "level": "市重点", "sector": "交通", "industrial": "否", "tags": "两新一重;六新",
         "total_investment": 12000.5, "annual_plan": 3000, "planned_start": dt.datetime(2022, 3, 15),
         "planned_end": "2023年12月", "actual_start": "2022/4/1", "actual_end": None, "unit": "交通局",
         "leader": "张三", "owner": "城投", "lon": 100.25, "lat": 25.6, "central_budget": 500,
         "special_bond": "1,000", "treasury_bond": None, "approval_project": "已办结", "approval_land": "办理中",
         "approval_planning": "未启动", "approval_eia": "不涉及", "approval_energy": "已办结",
         "approval_construction": "办理中"},
        {"code": "R-01", "name": "储备园区", "region": "532922", "year": 2022, "library": "储备", "sector": "产业",
         "industrial": "是", "total_investment": 800},
    ]
    r = do_import(eng, "projects", _fill("projects", projects), filename="p.xlsx")
    assert r.ok and r.inserted == 2, r.errors
    plans = [{"code": "2203-532901-04-01-000001", "year": 2022, **{f"m{m}": 250 * m for m in range(3, 13)}}]
    assert do_import(eng, "plans", _fill("plans", plans)).ok
    monthly = [{"code": "2203-532901-04-01-000001", "name": "示范道路", "period": "2022-06", "ytd_completed": 1000,
                "month_completed": None, "started": "是", "actual_start": dt.datetime(2022, 4, 1), "in_stats": "否",
                "central_budget_paid": 100, "special_bond_paid": 200.25, "treasury_bond_paid": None,
                "progress_text": "路基完成40%", "variance_note": "雨季停工", "reporter": "李四"}]
    r = do_import(eng, "monthly", _fill("monthly", monthly), actor=STAFF_A)
    assert r.ok, r.errors
    assert do_import(eng, "targets", _fill("targets", [{"region": "大理市", "year": 2022, "growth_target": 12.5}])).ok
    assert do_import(eng, "stats", _fill("stats", [{"region": "漾濞县", "period": "2022年6月", "growth": -3.2}])).ok
    problems = [{"code": "2203-532901-04-01-000001", "category": "征地拆迁", "description": "K3段征地", "raised_on": "2022-05-10",
                 "level": "市级", "unit": "自然资源局", "leader": "王五", "person": "赵六", "measures": "补偿到位",
                 "deadline": dt.datetime(2022, 6, 30), "status": "办理中", "closed_on": None, "satisfied": None}]
    r = do_import(eng, "problems", _fill("problems", problems), actor=STAFF_A)
    assert r.ok, r.errors

    with session_scope(eng) as s:
        got = {g.code: (g.name, g.kind, g.display_order, g.lon, g.lat) for g in s.scalars(select(Region))}
        assert got == {"532901": ("大理市", "city", 1, 100.23, 25.59), "532922": ("漾濞县", "county", 2, None, None)}
        p = s.get(Project, "2203-532901-04-01-000001")
        assert (p.name, p.region_code, p.level, p.sector, p.industrial, p.tags) == (
            "示范道路", "532901", "municipal", "交通", False, "两新一重;六新")
        assert (p.total_investment, p.central_budget, p.special_bond, p.treasury_bond) == (12000.5, 500, 1000, None)
        assert (p.planned_start, p.planned_end, p.actual_start, p.actual_end) == (
            dt.date(2022, 3, 15), dt.date(2023, 12, 1), dt.date(2022, 4, 1), None)
        assert (p.unit, p.leader, p.owner, p.lon, p.lat) == ("交通局", "张三", "城投", 100.25, 25.6)
        assert (p.approval_project, p.approval_land, p.approval_planning, p.approval_eia, p.approval_energy,
                p.approval_construction) == ("done", "in_progress", "not_started", "not_applicable", "done", "in_progress")
        y = s.get(ProjectYear, ("2203-532901-04-01-000001", 2022))
        assert (y.library, y.nature, y.annual_plan) == ("annual", "new", 3000)
        r2 = s.get(Project, "R-01")
        assert (r2.region_code, r2.industrial) == ("532922", True)
        assert s.get(ProjectYear, ("R-01", 2022)).library == "reserve"
        assert {pl.month: pl.planned_cumulative for pl in s.scalars(select(MonthlyPlan))} == {m: 250.0 * m for m in range(3, 13)}
        m = s.get(MonthlyReport, ("2203-532901-04-01-000001", "2022-06"))
        assert (m.ytd_completed, m.month_completed, m.started, m.actual_start, m.in_stats) == (
            1000, None, True, dt.date(2022, 4, 1), False)
        assert (m.central_budget_paid, m.special_bond_paid, m.treasury_bond_paid) == (100, 200.25, None)
        assert (m.progress_text, m.variance_note, m.reporter) == ("路基完成40%", "雨季停工", "李四")
        assert s.get(RegionTarget, ("532901", 2022)).growth_target == 12.5
        assert s.get(RegionStat, ("532922", "2022-06")).growth == -3.2
        pr = s.scalars(select(Problem)).one()
        assert (pr.project_code, pr.category, pr.description, pr.raised_on, pr.level, pr.unit, pr.leader, pr.person,
                pr.measures, pr.deadline, pr.status, pr.closed_on, pr.satisfied) == (
            "2203-532901-04-01-000001", "demolition", "K3段征地", dt.date(2022, 5, 10), "city", "自然资源局", "王五",
            "赵六", "补偿到位", dt.date(2022, 6, 30), "in_progress", None, None)


def test_english_template_and_csv_round_trip(sqlite_store):
    seed(sqlite_store)
    data = _fill("targets", [{"region": "532901", "year": 2023, "growth_target": 8}], lang="en", overwrite_example=True)
    assert load_workbook(io.BytesIO(data)).worksheets[0]["C1"].value == "growth_target"
    assert do_import(sqlite_store, "targets", data).ok
    csv = template_csv("stats") + "大理市,2023-02,7.5\r\n".encode()
    r = do_import(sqlite_store, "stats", csv)
    assert r.ok and r.inserted == 1
    with session_scope(sqlite_store) as s:
        assert s.get(RegionTarget, ("532901", 2023)).growth_target == 8
        assert s.get(RegionStat, ("532901", "2023-02")).growth == 7.5


def test_monthly_template_prefilled_with_county_annual_projects(sqlite_store):
    seed(sqlite_store)
    do_import(sqlite_store, "projects", rows_csv("projects", [project_row("A9", library="储备"),
                                                              project_row("A8", year=2021)]))
    with session_scope(sqlite_store) as s:
        data = template_xlsx("monthly", session=s, region_code="532901", period="2022-03")
    ws = load_workbook(io.BytesIO(data)).worksheets[0]
    listed = [(r[0].value, r[1].value, r[2].value) for r in ws.iter_rows(min_row=2) if r[0].value]
    assert listed == [("A1", "项目A1", "2022-03"), ("A2", "项目A2", "2022-03"), ("A3", "项目A3", "2022-03")]
    # staff type only the figures
    for r, v in zip(range(2, 5), (100, 200, 300)):
        ws.cell(row=r, column=4).value = v
    buf = io.BytesIO()
    ws.parent.save(buf)
    res = do_import(sqlite_store, "monthly", buf.getvalue(), actor=STAFF_A, filename="月报.xlsx")
    assert res.ok and res.inserted == 3, res.errors
    with session_scope(sqlite_store) as s:
        got = {m.project_code: m.ytd_completed for m in s.scalars(select(MonthlyReport))}
    assert got == {"A1": 100, "A2": 200, "A3": 300}
    _ = OFFICE
