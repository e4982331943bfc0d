"""Project lights (lib/lights.py): every boundary of DESIGN.md "Traffic lights" on small hand-built
stores. Expected values are worked out by hand in the comments.

Unless a test says otherwise: P = 2022-06 (m = 6), as-of 2022-06-30, continuing projects with an
annual plan of 1200 万元, so the linear expected progress is e = 6/12 = 0.5 and t = 0.5.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from lib.rules import lights
from lib.store import session_scope
from tests.rules_helpers import Builder, row

P = "2022-06"
ARCH_COLUMNS = [
    "project_code", "project_name", "region_code", "library", "nature", "level", "sector", "tags",
    "unit", "leader", "annual_plan", "ytd_completed", "light", "start", "progress", "reporting",
    "stats", "funds", "problems", "approvals", "expected_pct", "actual_pct", "gap_pp", "reasons",
    "reasons_by_dim", "inputs", "persistent",
]


def steady(b: Builder, code: str, months=range(1, 7), ratio_gap: float = 0.0, **kw):
    """Reports for 2022-01..06 with ytd = (m/12 + ratio_gap) × 1200."""
    for m in months:
        b.report(code, f"2022-{m:02d}", round((m / 12 + ratio_gap) * 1200, 4), **kw)


# --- progress -------------------------------------------------------------------------------------

def test_progress_boundaries_and_rounding(session):
    b = Builder(session)
    # r = ytd/1200: 0.40 → gap −10.00 green; 0.3999 → −10.01 yellow; 0.20 → −30.00 yellow
    # (20% against 50%); 0.1999 → −30.01 red
    for code, ytd in [("G10", 480.0), ("Y1001", 479.88), ("Y30", 240.0), ("R3001", 239.88)]:
        b.project(code)
        b.report(code, P, ytd)
    df = lights.compute_lights(session, P)
    got = {c: (row(df, c)["progress"], row(df, c)["gap_pp"]) for c in ("G10", "Y1001", "Y30", "R3001")}
    assert got == {"G10": ("green", -10.0), "Y1001": ("yellow", -10.01), "Y30": ("yellow", -30.0),
                   "R3001": ("red", -30.01)}
    y30 = row(df, "Y30")
    assert (y30["expected_pct"], y30["actual_pct"]) == (50.0, 20.0)
    # to turn green r must reach 0.40: 480 − 240 = 240 万元 more
    assert y30["reasons_by_dim"]["progress"] == \
        "投资完成率20.0%,序时进度50.0%,滞后30.0个百分点;再完成240万元可转绿"
    assert "240" in y30["reasons_by_dim_en"]["progress"]
    assert y30["light"] == "yellow"  # the only assessed dimension besides green reporting/problems
    # 479.88 → 0.3999: needs 0.12 万元 more, rounded up to a whole 1 万元
    assert "再完成1万元可转绿" in row(df, "Y1001")["reasons"]
    assert row(df, "G10")["reasons"] == ""


def test_progress_needs_a_report_for_the_period_and_a_plan(session):
    b = Builder(session)
    b.project("NOREP").report("NOREP", "2022-05", 100.0)  # latest is May: no report for P
    b.project("ZERO", annual_plan=0.0).report("ZERO", P, 100.0)
    b.project("NONE", annual_plan=None).report("NONE", P, 100.0)
    df = lights.compute_lights(session, P)
    for code in ("NOREP", "ZERO", "NONE"):
        r = row(df, code)
        assert r["progress"] == "gray" and pd.isna(r["gap_pp"]), code
    assert row(df, "NOREP")["ytd_completed"] == 100.0  # latest report ≤ P in Y still gives the ytd


def test_linear_expected_from_planned_start_month(session):
    b = Builder(session)
    # new, planned start 2022-03: s0 = 3, e = (6−3+1)/(13−3) = 0.4; r = 480/1200 = 0.4 → gap 0
    b.project("N03", nature="new", planned_start="2022-03-15").report("N03", P, 480.0, started=True)
    # new, planned start 2022-08: m < s0 → e = 0 → gray
    b.project("N08", nature="new", planned_start="2022-08-01").report("N08", P, 0.0)
    # new, planned before Y: s0 = 1 → e = 0.5
    b.project("N21", nature="new", planned_start="2021-10-01").report("N21", P, 600.0, started=True)
    df = lights.compute_lights(session, P)
    assert (row(df, "N03")["expected_pct"], row(df, "N03")["gap_pp"]) == (40.0, 0.0)
    assert row(df, "N03")["progress"] == "green"
    assert row(df, "N08")["progress"] == "gray"
    assert row(df, "N21")["expected_pct"] == 50.0


def test_monthly_plan_overrides_linear(session):
    b = Builder(session)
    # plan: 300 of 1200 by June → e = 0.25; r = 0.2 → gap −5 → green (linear would be −30 yellow)
    b.project("PL").plan("PL", 2022, {3: 100.0, 6: 300.0, 12: 1200.0}).report("PL", P, 240.0)
    # plan without a June figure: interpolated between May (600) and December (1,200) (DESIGN.md,
    # issue 10): 600 + (1,200 − 600)×(6 − 5)/(12 − 5) = 685.71 → e = 0.5714; r = 0.2 → gap −37.14 red
    b.project("PL5").plan("PL5", 2022, {5: 600.0, 12: 1200.0}).report("PL5", P, 240.0)
    # a plan for another year does not count: linear e = 0.5
    b.project("PL21").plan("PL21", 2021, {6: 100.0}).report("PL21", P, 240.0)
    df = lights.compute_lights(session, P)
    pl = row(df, "PL")
    assert (pl["expected_pct"], pl["gap_pp"], pl["progress"]) == (25.0, -5.0, "green")
    assert pl["inputs"]["expected_source"] == "plan"
    assert (row(df, "PL5")["expected_pct"], row(df, "PL5")["gap_pp"], row(df, "PL5")["progress"]) == \
        (57.14, -37.14, "red")
    assert row(df, "PL21")["inputs"]["expected_source"] == "linear"


# --- start ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("planned, late, light", [
    ("2022-07-01", 0, "gray"),    # late = 6 − 7 + 1 = 0
    ("2022-06-20", 1, "yellow"),  # 1
    ("2022-05-01", 2, "yellow"),  # 2
    ("2022-04-01", 3, "red"),     # 3
])
def test_start_lateness(session, planned, late, light):
    b = Builder(session)
    b.project("S", nature="new", planned_start=planned).report("S", P, 0.0, started=False)
    r = row(lights.compute_lights(session, P), "S")
    assert r["start"] == light
    if light != "gray":
        y, m = planned[:4], int(planned[5:7])
        assert r["reasons_by_dim"]["start"] == f"计划{y}年{m}月开工,至今未开工,已滞后{late}个月"
    else:
        assert "start" not in r["reasons_by_dim"]


def test_started_by_project_date_or_earliest_report(session):
    b = Builder(session)
    b.project("OWN", nature="new", planned_start="2022-03-01", actual_start="2022-05-20")
    b.report("OWN", P, 0.0)
    # the earliest started report's own date counts (2022-04), not its period
    b.project("REP", nature="new", planned_start="2022-03-01")
    b.report("REP", "2022-05", 0.0, started=True, actual_start="2022-04-10").report("REP", P, 0.0, started=True)
    # a report that says started, dated after P → not started by P
    b.project("LATE", nature="new", planned_start="2022-03-01")
    b.report("LATE", P, 0.0, started=True, actual_start="2022-07-02")
    # a 实际开工 after P on the project → not started
    b.project("FUT", nature="new", planned_start="2022-03-01", actual_start="2022-08-01").report("FUT", P, 0.0)
    df = lights.compute_lights(session, P)
    assert row(df, "OWN")["start"] == "green" and row(df, "OWN")["start_period"] == "2022-05"
    assert row(df, "REP")["start"] == "green" and row(df, "REP")["start_period"] == "2022-04"
    assert row(df, "LATE")["start"] == "red" and not row(df, "LATE")["started"]
    assert row(df, "FUT")["start"] == "red"


def test_start_only_for_new_projects_with_a_planned_start(session):
    b = Builder(session)
    b.project("CONT", planned_start="2022-01-01").report("CONT", P, 600.0)
    b.project("NEWX", nature="new").report("NEWX", P, 600.0)
    df = lights.compute_lights(session, P)
    assert row(df, "CONT")["start"] == "gray" and row(df, "NEWX")["start"] == "gray"


# --- reporting ------------------------------------------------------------------------------------

@pytest.mark.parametrize("last, k, light", [("2022-06", 0, "green"), ("2022-05", 1, "yellow"),
                                            ("2022-04", 2, "red"), ("2022-02", 4, "red"),
                                            (None, 6, "red")])
def test_reporting_months_without_report(session, last, k, light):
    b = Builder(session)
    b.project("K")
    b.report("K", "2021-12", 1000.0)  # last year's reports do not count
    if last:
        b.report("K", last, 300.0)
    r = row(lights.compute_lights(session, P), "K")
    assert r["reporting"] == light
    assert r["inputs"]["reporting_gap_months"] == k
    if light != "green":
        assert r["reasons_by_dim"]["reporting"] == f"连续{k}个月未报送月报"
    if last is None:
        assert r["ytd_completed"] == 0.0  # no report in Y → every figure 0
    else:
        assert r["ytd_completed"] == 300.0 and r["inputs"]["latest_report_period"] == last


# --- stats ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("start, k, light", [("2022-05-03", 1, "green"), ("2022-04-03", 2, "yellow"),
                                             ("2022-03-03", 3, "red")])
def test_stats_months_since_start(session, start, k, light):
    b = Builder(session)
    b.project("ST", actual_start=start).report("ST", P, 600.0, in_stats=False)
    r = row(lights.compute_lights(session, P), "ST")
    assert r["stats"] == light and r["inputs"]["stats_months"] == k
    if light != "green":
        assert r["reasons_by_dim"]["stats"] == f"已开工{k}个月未入库纳统"


def test_stats_in_stats_green_and_not_started_gray(session):
    b = Builder(session)
    b.project("IN", actual_start="2021-01-01").report("IN", P, 600.0, in_stats=True)
    b.project("NS").report("NS", P, 600.0, in_stats=False)
    df = lights.compute_lights(session, P)
    assert row(df, "IN")["stats"] == "green" and row(df, "NS")["stats"] == "gray"


def test_start_month_from_a_report_of_an_earlier_year(session):
    b = Builder(session)
    b.project("OLD", year=[2021, 2022])
    b.report("OLD", "2021-02", 10.0, started=False).report("OLD", "2021-03", 20.0, started=True)
    b.report("OLD", P, 600.0, started=True, in_stats=False)
    r = row(lights.compute_lights(session, P), "OLD")
    # started 2021-03 → k = 2022-06 − 2021-03 = 15 months
    assert r["start_period"] == "2021-03" and r["stats"] == "red"
    assert r["reasons_by_dim"]["stats"] == "已开工15个月未入库纳统"


# --- funds ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("paid, light, short", [(400.0, "green", 10.0), (399.0, "yellow", 10.1),
                                                (200.0, "yellow", 30.0), (199.0, "red", 30.1)])
def test_funds_shortfall_boundaries(session, paid, light, short):
    b = Builder(session)
    # 600 + 400 allocated; paid split over two sources; t = 0.5
    b.project("F", central_budget=600.0, special_bond=400.0)
    b.report("F", P, 600.0, central_budget_paid=paid - 100.0, special_bond_paid=100.0)
    r = row(lights.compute_lights(session, P), "F")
    assert r["funds"] == light
    assert r["inputs"]["funds_shortfall_pp"] == short
    if paid == 200.0:
        assert r["reasons_by_dim"]["funds"] == "政策资金支付率20.0%,低于序时50.0%达30.0个百分点"


def test_funds_blank_paid_counts_zero_and_no_allocation_is_gray(session):
    b = Builder(session)
    b.project("FB", treasury_bond=1000.0).report("FB", P, 600.0)
    b.project("FN").report("FN", P, 600.0, central_budget_paid=50.0)
    df = lights.compute_lights(session, P)
    assert row(df, "FB")["funds"] == "red" and row(df, "FB")["funds_paid"] == 0.0
    assert row(df, "FN")["funds"] == "gray"


# --- problems -------------------------------------------------------------------------------------

def test_problem_overdue_days(session):
    b = Builder(session)
    for code in ("D30", "D31", "D0", "CLOSED_AFTER", "CLOSED_BEFORE", "RAISED_AFTER", "NO_DEADLINE"):
        b.project(code).report(code, P, 600.0)
    b.problem("D30", "2022-03-01", "2022-05-31")          # 30 days at 06-30 → yellow
    b.problem("D31", "2022-03-01", "2022-05-30")          # 31 days → red
    b.problem("D31", "2022-03-01", "2022-06-20")          # a second one, 10 days
    b.problem("D0", "2022-03-01", "2022-06-30")           # due today → not overdue
    b.problem("CLOSED_AFTER", "2022-03-01", "2022-05-30", status="closed", closed_on="2022-07-03")
    b.problem("CLOSED_BEFORE", "2022-03-01", "2022-05-30", status="closed", closed_on="2022-06-15")
    b.problem("RAISED_AFTER", "2022-07-01", "2022-05-01")
    b.problem("NO_DEADLINE", "2022-03-01", None)
    df = lights.compute_lights(session, P)
    got = {c: row(df, c)["problems"] for c in df["project_code"]}
    assert got == {"D30": "yellow", "D31": "red", "D0": "green", "CLOSED_AFTER": "red",
                   "CLOSED_BEFORE": "green", "RAISED_AFTER": "green", "NO_DEADLINE": "green"}
    assert row(df, "D31")["reasons_by_dim"]["problems"] == "2个问题超期未解决,最长超期31天"
    assert row(df, "D30")["reasons_by_dim"]["problems"] == "1个问题超期未解决,最长超期30天"


def test_as_of_date_moves_problems(session):
    b = Builder(session)
    b.project("A").report("A", P, 600.0)
    b.problem("A", "2022-03-01", "2022-05-30", status="closed", closed_on="2022-07-03")
    b.problem("A", "2022-07-02", "2022-05-01")  # raised after 06-30, counted from 07-02 on
    assert row(lights.compute_lights(session, P), "A")["max_overdue_days"] == 31
    r = row(lights.compute_lights(session, P, as_of="2022-07-05"), "A")
    # the first is closed by 07-05; the second (raised 07-02) is 65 days past its deadline
    assert (r["problems"], r["max_overdue_days"], r["overdue_problems"]) == ("red", 65, 1)
    assert row(lights.compute_lights(session, P, as_of=dt.date(2022, 6, 29)), "A")["max_overdue_days"] == 30


# --- overall and persistence ------------------------------------------------------------------------

def test_overall_is_the_worst_non_gray_dimension(session):
    b = Builder(session)
    b.project("W", actual_start="2022-04-01", central_budget=1000.0)
    b.report("W", P, 600.0, in_stats=False, central_budget_paid=500.0)  # stats k=2 yellow
    b.problem("W", "2022-01-01", "2022-05-01")  # 60 days → red
    b.project("RES", library="reserve", annual_plan=None).report("RES", P, 10.0)
    df = lights.compute_lights(session, P)
    w = row(df, "W")
    assert (w["stats"], w["problems"], w["light"]) == ("yellow", "red", "red")
    assert list(w["reasons_by_dim"]) == ["stats", "problems"]
    assert w["reasons"] == "已开工2个月未入库纳统;1个问题超期未解决,最长超期60天"
    res = row(df, "RES")
    assert res["light"] == "gray" and all(res[d] == "gray" for d in lights.DIMS)
    assert res["reasons"] == "" and not res["persistent"]


def test_persistence_three_yellow_months_turn_red(session):
    b = Builder(session)
    # gap −20 each month from April: yellow in 04, 05, 06 → red at 06
    b.project("Y3")
    steady(b, "Y3", months=range(1, 4))
    steady(b, "Y3", months=range(4, 7), ratio_gap=-0.2)
    # yellow in 05 and 06 only (April green) → stays yellow
    b.project("Y2")
    steady(b, "Y2", months=range(1, 5))
    steady(b, "Y2", months=range(5, 7), ratio_gap=-0.2)
    df = lights.compute_lights(session, P)
    y3, y2 = row(df, "Y3"), row(df, "Y2")
    assert (y3["progress"], y3["light"], y3["persistent"]) == ("yellow", "red", True)
    assert y3["reasons"].startswith("连续3个月黄灯;")
    assert y3["reasons_by_dim"]["overall"] == "连续3个月黄灯"
    assert (y2["light"], y2["persistent"]) == ("yellow", False)
    # one month earlier Y3 has only two yellow months
    assert row(lights.compute_lights(session, "2022-05"), "Y3")["light"] == "yellow"
    # the number of months is a setting
    assert row(lights.compute_lights(session, P, settings={"persistence_months": 2}), "Y2")["light"] == "red"
    # 0 switches persistence off
    off = row(lights.compute_lights(session, P, settings={"persistence_months": 0}), "Y3")
    assert (off["light"], off["persistent"]) == ("yellow", False)


def test_persistence_each_month_judged_with_its_own_as_of(session):
    b = Builder(session)
    # PD: each month has one problem 1–30 days overdue at its own month end → yellow in April,
    # May and June → red by persistence.
    b.project("PD")
    steady(b, "PD")  # progress green all along
    b.problem("PD", "2022-03-01", "2022-04-15", status="closed", closed_on="2022-05-20")  # Apr: 15 d
    b.problem("PD", "2022-03-01", "2022-05-10", status="closed", closed_on="2022-06-08")  # May: 21 d
    b.problem("PD", "2022-03-01", "2022-06-10")                                           # Jun: 20 d
    # PE: June yellow (A: 20 days), May yellow (B: 16 days at 05-31, closed 06-05), April green at
    # 04-30 (nothing due yet). Judged with June's as-of April would be yellow (A) → wrongly red.
    b.project("PE")
    steady(b, "PE")
    b.problem("PE", "2022-03-01", "2022-06-10")
    b.problem("PE", "2022-03-01", "2022-05-15", status="closed", closed_on="2022-06-05")
    b.project("PC")
    steady(b, "PC")
    b.problem("PC", "2022-03-01", "2022-04-29", status="closed", closed_on="2022-05-31")
    b.problem("PC", "2022-05-01", "2022-06-05")  # June 25 days
    b.problem("PC", "2022-04-01", "2022-04-30", status="closed", closed_on="2022-05-02")
    # PC: April: 04-29 → 1 day (yellow); May: 04-29 one closed 05-31 ≤ 05-31 → not open; the
    # 04-30 one closed 05-02 → May green → no persistence at June
    df = lights.compute_lights(session, P)
    pd_ = row(df, "PD")
    assert (pd_["problems"], pd_["light"], pd_["persistent"]) == ("yellow", "red", True)
    assert pd_["max_overdue_days"] == 20
    assert (row(df, "PE")["light"], row(df, "PE")["persistent"]) == ("yellow", False)
    may = row(lights.compute_lights(session, "2022-05"), "PE")
    assert (may["problems"], may["max_overdue_days"]) == ("yellow", 16)
    assert (row(df, "PC")["light"], row(df, "PC")["persistent"]) == ("yellow", False)


def test_persistence_across_the_year_boundary(session):
    b = Builder(session)
    # 2022: gap −20 in Nov and Dec (yellow); 2023-01: no report → reporting k=1 → yellow
    b.project("X", year=[2022, 2023])
    for m in range(1, 11):
        b.report("X", f"2022-{m:02d}", m * 100.0)
    b.report("X", "2022-11", 860.0).report("X", "2022-12", 960.0)
    # the same story for a project without a 2022 project year → no lights there, no persistence
    b.project("Z", year=[2023])
    b.report("Z", "2022-11", 860.0).report("Z", "2022-12", 960.0)
    df = lights.compute_lights(session, "2023-01")
    x, z = row(df, "X"), row(df, "Z")
    assert (x["reporting"], x["light"], x["persistent"]) == ("yellow", "red", True)
    assert (z["reporting"], z["light"], z["persistent"]) == ("yellow", "yellow", False)


# --- the frame ------------------------------------------------------------------------------------

def test_frame_shape_and_order(session):
    b = Builder(session)
    b.project("B2").report("B2", P, 600.0)
    b.project("A1", year=[2021, 2022]).report("A1", P, 600.0)
    b.project("C3", year=2021)  # no project year for 2022 → not listed
    df = lights.compute_lights(session, P)
    assert list(df["project_code"]) == ["A1", "B2"]
    assert set(ARCH_COLUMNS + ["reasons_en", "total_investment", "lon", "lat"]) <= set(df.columns)
    assert df.columns[: len(ARCH_COLUMNS)].tolist() == ARCH_COLUMNS
    assert df["light"].isin(["red", "yellow", "green", "gray"]).all()
    assert lights.light_counts(df) == {"red": 0, "yellow": 0, "green": 2, "gray": 0}
    assert row(df, "A1")["lon"] == 100.2 and row(df, "A1")["total_investment"] == 100000.0
    assert lights.compute_lights(session, "2023-06").empty


def test_default_as_of_is_the_last_day_of_the_period(session):
    b = Builder(session)
    b.project("E").report("E", "2022-02", 200.0)
    b.problem("E", "2022-01-01", "2022-01-29")  # 30 days at 02-28 → yellow (31 would be red)
    r = row(lights.compute_lights(session, "2022-02"), "E")
    assert r["problems"] == "yellow" and r["inputs"]["as_of"] == "2022-02-28"


def test_settings_override_thresholds(session):
    b = Builder(session)
    b.project("T").report("T", P, 540.0)  # r = 0.45 → gap −5
    assert row(lights.compute_lights(session, P), "T")["progress"] == "green"
    assert row(lights.compute_lights(session, P, settings={"progress_yellow_gap": -4.0}), "T")["progress"] == "yellow"


def test_project_history_matches_each_month(session):
    b = Builder(session)
    b.project("H")
    steady(b, "H", months=range(1, 4))
    steady(b, "H", months=range(4, 7), ratio_gap=-0.2)
    b.project("OTHER").report("OTHER", P, 1.0)
    hist = lights.project_history(session, "H", 2022, P)
    assert list(hist["period"]) == [f"2022-{m:02d}" for m in range(1, 7)]
    assert list(hist["light"]) == ["green", "green", "green", "yellow", "yellow", "red"]
    for p in ("2022-02", "2022-05", P):
        full = row(lights.compute_lights(session, p), "H")
        h = hist[hist["period"] == p].iloc[0]
        assert (h["light"], h["reasons"], h["gap_pp"]) == (full["light"], full["reasons"], full["gap_pp"])
    assert lights.project_history(session, "NOPE", 2022, P).empty
    # months of that year only; after June no report → reporting red
    whole = lights.project_history(session, "H", 2022, "2023-03")
    assert whole["period"].tolist()[-1] == "2022-12" and len(whole) == 12
    assert whole["reporting"].tolist()[-1] == "red"


# --- both stores ----------------------------------------------------------------------------------

def test_lights_on_sqlite_and_postgresql(store):
    with session_scope(store) as s:
        b = Builder(s)
        b.project("G", central_budget=1000.0).report("G", P, 480.0, central_budget_paid=400.0)
        b.project("Y", actual_start="2022-04-01").report("Y", P, 240.0, in_stats=False)
        b.project("R", nature="new", planned_start="2022-04-01").report("R", P, 0.0, started=False)
        b.problem("G", "2022-03-01", "2022-05-31")
        b.project("Q", year=[2021, 2022]).report("Q", "2021-03", 10.0, started=True)
        b.report("Q", "2022-04", 300.0, started=True, in_stats=False)
        b.project("V", library="reserve", annual_plan=None)
        # latest report long before the persistence window (Feb): its figures still count
        b.project("L", central_budget=100.0).report("L", "2022-01", 50.0)
        b.report("L", "2022-02", 80.0, in_stats=True, central_budget_paid=50.0)
        df = lights.compute_lights(s, P)
    got = {r["project_code"]: (r["light"], r["start"], r["progress"], r["reporting"], r["stats"],
                               r["funds"], r["problems"]) for r in df.to_dict("records")}
    assert got == {
        "G": ("yellow", "gray", "green", "green", "gray", "green", "yellow"),
        "Y": ("yellow", "gray", "yellow", "green", "yellow", "gray", "green"),
        # s0 = 4, e = 3/9 = 0.3333, r = 0 → gap −33.33 → red
        "R": ("red", "red", "red", "green", "gray", "gray", "green"),
        # started 2021-03 (last year's report), no report for May/June → k=2 red; stats k=15 red
        "Q": ("red", "gray", "gray", "red", "red", "gray", "green"),
        "V": ("gray",) * 7,
        # k = 4 → red; funds 50/100 = 0.5 vs t 0.5 → green; no report for June → progress gray
        "L": ("red", "gray", "gray", "red", "gray", "green", "green"),
    }
    assert df.loc[df["project_code"] == "L", "ytd_completed"].item() == 80.0
    assert df.loc[df["project_code"] == "Y", "gap_pp"].item() == -30.0
