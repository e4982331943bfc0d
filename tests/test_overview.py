"""lib.rules.overview: headline sums, group sums, change against last month, the monthly curve."""
from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from lib.rules import overview
from lib.store.models import MonthlyPlan, MonthlyReport, Project, ProjectYear, Region


def _lights_frame() -> pd.DataFrame:
    rows = [
        # code, region, library, nature, sector, plan, ytd, light, inputs
        ("P1", "R1", "annual", "new", "工业", 1000.0, 500.0, "red",
         {"start_due": True, "started": True, "in_stats": True, "funds_paid": 50.0, "funds_allocated": 100.0}),
        ("P2", "R1", "annual", "new", "交通", 2000.0, 0.0, "yellow",
         {"start_due": True, "started": False, "in_stats": False, "funds_paid": 0.0, "funds_allocated": 0.0}),
        ("P3", "R2", "annual", "continuing", "工业", 3000.0, 2400.0, "green",
         {"start_due": False, "started": True, "in_stats": False, "funds_paid": 30.0, "funds_allocated": 300.0}),
        ("P4", "R2", "reserve", None, "交通", None, None, "gray", {}),
        ("P5", "R2", "annual", "new", "交通", 0.0, 0.0, "gray",
         {"start_due": False, "started": False, "in_stats": None}),
    ]
    return pd.DataFrame([
        {"project_code": c, "region_code": r, "library": lib, "nature": nat, "sector": sec,
         "annual_plan": plan, "ytd_completed": ytd, "light": light, "inputs": inp,
         "leader": "张三", "unit": "发改局"}
        for c, r, lib, nat, sec, plan, ytd, light, inp in rows
    ])


def _problems() -> pd.DataFrame:
    return pd.DataFrame({
        "problem_id": [1, 2, 3, 4],
        "region_code": ["R1", "R1", "R2", "R2"],
        "status": ["in_progress", "closed", "assigned", "pending"],
        "overdue_days": pd.array([12, pd.NA, pd.NA, 40], dtype="Int64"),
        "is_open": [True, False, True, True],
    })


def test_summary_sums_and_rates():
    s = overview.summary(_lights_frame(), _problems(), "2022-06")
    assert s["plan"] == 6000.0 and s["ytd"] == 2900.0
    assert s["rate"] == pytest.approx(2900 / 6000)
    assert s["time_progress"] == 0.5
    assert s["gap_pp"] == pytest.approx(round((2900 / 6000 - 0.5) * 100, 2))
    assert s["counts"] == {"red": 1, "yellow": 1, "green": 1, "gray": 2}
    assert s["projects"] == 5 and s["annual_projects"] == 4
    # new projects due to start: P1 (started) and P2 (not started) → 1/2
    assert s["start_rate"] == 0.5
    # started projects: P1 (in stats) and P3 (not) → 1/2
    assert s["stats_rate"] == 0.5
    assert s["funds_rate"] == pytest.approx(80 / 400)
    assert s["problems_open"] == 3 and s["problems_overdue"] == 2


def test_summary_for_one_region():
    s = overview.summary(_lights_frame(), _problems(), "2022-06", region_code="R2")
    assert s["plan"] == 3000.0 and s["ytd"] == 2400.0
    assert s["counts"] == {"red": 0, "yellow": 0, "green": 1, "gray": 2}
    assert math.isnan(s["start_rate"])  # no new project due in R2
    assert s["problems_open"] == 2 and s["problems_overdue"] == 1


def test_change_against_previous_month():
    now = overview.summary(_lights_frame(), _problems(), "2022-06")
    prev_lights = _lights_frame().assign(light=["yellow", "yellow", "green", "gray", "gray"],
                                         ytd_completed=[400.0, 0.0, 2000.0, None, 0.0])
    before = overview.summary(prev_lights, _problems().iloc[:2], "2022-05")
    d = overview.change(now, before)
    assert d["counts"] == {"red": 1, "yellow": -1, "green": 0, "gray": 0}
    assert d["ytd"] == 500.0
    assert d["problems_open"] == 2
    none = overview.change(now, None)
    assert none["ytd"] is None and none["counts"]["red"] is None


def test_by_region_lists_every_region_in_order():
    g = overview.by_region(_lights_frame(), {"R2": "乙县", "R1": "甲县", "R3": "丙县"})
    assert list(g["region_code"]) == ["R2", "R1", "R3"]
    assert list(g["region_name"]) == ["乙县", "甲县", "丙县"]
    r1 = g.set_index("region_code").loc["R1"]
    assert r1["plan"] == 3000 and r1["ytd"] == 500 and r1["red"] == 1 and r1["yellow"] == 1
    assert r1["rate"] == pytest.approx(500 / 3000)
    r3 = g.set_index("region_code").loc["R3"]
    assert r3["projects"] == 0 and math.isnan(r3["rate"])


def test_by_sector_sorted_by_plan():
    g = overview.by_sector(_lights_frame())
    assert list(g["sector"]) == ["工业", "交通"]
    assert g.iloc[0]["plan"] == 4000 and g.iloc[0]["ytd"] == 2900
    assert g.iloc[1]["projects"] == 3 and g.iloc[1]["gray"] == 2


@pytest.mark.parametrize("month,nature,start,expected", [
    (1, "continuing", None, 1 / 12),
    (6, "continuing", dt.date(2022, 4, 1), 6 / 12),
    (3, "new", dt.date(2022, 4, 1), 0.0),
    (4, "new", dt.date(2022, 4, 1), 1 / 9),
    (12, "new", dt.date(2022, 4, 1), 1.0),
    (6, "new", dt.date(2021, 10, 1), 0.5),
    (12, "new", dt.date(2023, 2, 1), 0.0),
])
def test_linear_expected(month, nature, start, expected):
    assert overview.linear_expected(month, 2022, nature, start) == pytest.approx(expected)


def _seed(session):
    session.add_all([
        Region(code="R1", name="甲县", kind="county", display_order=1),
        Region(code="R2", name="乙县", kind="county", display_order=2),
    ])
    for code, region, nature, plan, start in [
        ("A", "R1", "continuing", 1200.0, None),
        ("B", "R1", "new", 900.0, dt.date(2022, 4, 10)),
        ("C", "R2", "continuing", 600.0, None),
    ]:
        session.add(Project(code=code, name=f"项目{code}", region_code=region, sector="工业",
                            total_investment=10000.0, planned_start=start))
        session.add(ProjectYear(project_code=code, year=2022, library="annual", nature=nature,
                                annual_plan=plan))
    session.add(Project(code="D", name="储备", region_code="R2", sector="工业", total_investment=1.0))
    session.add(ProjectYear(project_code="D", year=2022, library="reserve"))
    # C has a monthly plan
    for m in range(1, 13):
        session.add(MonthlyPlan(project_code="C", year=2022, month=m, planned_cumulative=50.0 * m))
    # reports: A in Jan (100) and Mar (250); B in Apr (90); C in Jan (40) then Feb (0)
    session.add_all([
        MonthlyReport(project_code="A", period="2022-01", ytd_completed=100.0),
        MonthlyReport(project_code="A", period="2022-03", ytd_completed=250.0),
        MonthlyReport(project_code="B", period="2022-04", ytd_completed=90.0),
        MonthlyReport(project_code="C", period="2022-01", ytd_completed=40.0),
        MonthlyReport(project_code="C", period="2022-02", ytd_completed=0.0),
        MonthlyReport(project_code="D", period="2022-04", ytd_completed=999.0),
        MonthlyReport(project_code="A", period="2022-05", ytd_completed=1000.0),  # after the period
    ])
    session.flush()


def test_monthly_curve(session):
    _seed(session)
    c = overview.monthly_curve(session, "2022-04")
    assert list(c["month"]) == list(range(1, 13))
    # Jan: A 100 + C 40; Feb: A 100 (carried) + C 0; Mar: 250 + 0; Apr: 250 + 90 + 0; reserve D never counts
    assert list(c["actual"][:4]) == [140.0, 100.0, 250.0, 340.0]
    assert c["actual"][4:].isna().all()
    # plan: A linear 1200*k/12, B new from April 900*(k-3)/9, C monthly plan 50k
    for k in range(1, 13):
        exp = 1200 * k / 12 + (900 * (k - 3) / 9 if k >= 4 else 0) + 50 * k
        assert c.loc[k - 1, "plan"] == pytest.approx(exp)
    assert (c["annual_plan"] == 2700.0).all()
    assert c.loc[5, "time_progress"] == pytest.approx(2700 * 6 / 12)


def test_monthly_curve_one_region(session):
    _seed(session)
    c = overview.monthly_curve(session, "2022-04", region_code="R2")
    assert list(c["actual"][:4]) == [40.0, 0.0, 0.0, 0.0]
    assert c.loc[11, "plan"] == pytest.approx(600.0)
    empty = overview.monthly_curve(session, "2023-02")
    assert list(empty["actual"][:2]) == [0.0, 0.0] and (empty["plan"] == 0).all()


def _list_frame() -> pd.DataFrame:
    df = _lights_frame()
    df["project_name"] = ["水厂", "公路", "园区", "储备库", "学校"]
    df["level"] = ["provincial", "municipal", "provincial", None, "county"]
    df["tags"] = ["六新;招商引资", "两新一重", None, "", "六新"]
    df["progress"] = ["red", "yellow", "green", "gray", "gray"]
    df["gap_pp"] = [-35.0, -15.0, 2.0, float("nan"), float("nan")]
    df["actual_pct"] = [50.0, 0.0, 80.0, float("nan"), 0.0]
    df["reasons"] = ["进度滞后35个百分点", "未开工", "", "", ""]
    df.loc[2, "leader"] = "李四"
    return df


@pytest.mark.parametrize("filters,codes", [
    ({}, ["P1", "P2", "P3", "P4", "P5"]),
    ({"region": "R1"}, ["P1", "P2"]),
    ({"light": ["red", "green"]}, ["P1", "P3"]),
    ({"dimension": "progress"}, ["P1", "P2"]),
    ({"dimension": "progress", "dim_light": ["green"]}, ["P3"]),
    ({"level": ["provincial"], "sector": ["工业"]}, ["P1", "P3"]),
    ({"tags": ["六新"]}, ["P1", "P5"]),
    ({"library": ["reserve"]}, ["P4"]),
    ({"nature": ["new"], "region": ["R2"]}, ["P5"]),
    ({"leader": ["李四"]}, ["P3"]),
    ({"text": "滞后"}, ["P1"]),
    ({"text": "p2"}, ["P2"]),
    ({"text": "公路", "light": ["red"]}, []),
])
def test_filter_projects(filters, codes):
    assert list(overview.filter_projects(_list_frame(), filters)["project_code"]) == codes


def test_sort_projects():
    df = _list_frame()
    assert list(overview.sort_projects(df, "light")["project_code"]) == ["P1", "P2", "P3", "P4", "P5"]
    assert list(overview.sort_projects(df, "gap")["project_code"])[:3] == ["P1", "P2", "P3"]
    assert list(overview.sort_projects(df, "rate")["project_code"]) == ["P2", "P5", "P1", "P3", "P4"]
    assert list(overview.sort_projects(df, "plan")["project_code"])[:3] == ["P3", "P2", "P1"]


def test_filter_options_and_tags():
    opts = overview.filter_options(_list_frame())
    assert opts["tags"] == sorted(["六新", "招商引资", "两新一重"])
    assert opts["region"] == ["R1", "R2"]
    assert opts["leader"] == sorted(["张三", "李四"])
    assert overview.tag_list("a; b；c") == ["a", "b", "c"] and overview.tag_list(None) == []


def test_rates_read_the_rule_columns_when_present():
    df = _lights_frame()
    for key in ("start_due", "started", "in_stats", "funds_paid", "funds_allocated"):
        df[key] = df["inputs"].map(lambda d: d.get(key))
    df["funds_paid"] = df["funds_paid"].fillna(0.0)
    df["funds_allocated"] = df["funds_allocated"].fillna(0.0)
    df["inputs"] = [{} for _ in range(len(df))]
    r = overview.rates(df)
    assert r["start_rate"] == 0.5 and r["stats_rate"] == 0.5
    assert r["funds_rate"] == pytest.approx(80 / 400)


def test_problem_counts_at_matches_problem_table(session):
    from lib import problems as pmod
    from lib.access import Actor

    _seed(session)
    office = Actor("office", "office")
    a = pmod.raise_problem(session, office, "A", "land", "用地", raised_on=dt.date(2022, 3, 1))
    a.deadline = dt.date(2022, 4, 1)
    b = pmod.raise_problem(session, office, "B", "funds", "资金", raised_on=dt.date(2022, 3, 2))
    b.deadline = dt.date(2022, 9, 1)
    c = pmod.raise_problem(session, office, "C", "other", "其他", raised_on=dt.date(2022, 3, 3))
    c.status, c.closed_on, c.deadline = "closed", dt.date(2022, 4, 10), dt.date(2022, 3, 20)
    d = pmod.raise_problem(session, office, "C", "other", "晚提出", raised_on=dt.date(2022, 6, 1))
    d.deadline = dt.date(2022, 6, 2)
    session.flush()
    for as_of in (dt.date(2022, 3, 31), dt.date(2022, 4, 5), dt.date(2022, 5, 31), dt.date(2022, 10, 31)):
        for region in (None, "R1", "R2"):
            table = pmod.problem_table(session, as_of=as_of)
            assert overview.problem_counts_at(session, as_of, region) == overview.problem_counts(table, region), (as_of, region)
    assert overview.problem_counts_at(session, dt.date(2022, 4, 5)) == {"open": 3, "overdue": 2}


def test_curve_and_counts_on_both_backends(store):
    """The SQL sums (LAG windows, CASE counts) read the same on SQLite and PostgreSQL."""
    from lib.store import session_scope

    with session_scope(store) as s:
        _seed(s)
        s.add(MonthlyReport(project_code="B", period="2022-02", ytd_completed=10.0))
        from lib import problems as pmod
        from lib.access import Actor

        p = pmod.raise_problem(s, Actor("office", "office"), "A", "land", "用地", raised_on=dt.date(2022, 3, 1))
        p.deadline = dt.date(2022, 3, 15)
        s.flush()
        c = overview.monthly_curve(s, "2022-04")
        assert list(c["actual"][:4]) == [140.0, 110.0, 260.0, 340.0]
        assert c.loc[11, "plan"] == pytest.approx(1200 + 900 + 600)
        assert overview.problem_counts_at(s, dt.date(2022, 4, 30)) == {"open": 1, "overdue": 1}
        assert overview.problem_counts_at(s, dt.date(2022, 4, 30), "R2") == {"open": 0, "overdue": 0}
