"""League table (lib/league.py): DESIGN.md "County league table" on small hand-built stores.
P = 2022-06 (t = 0.5) unless a test says otherwise; every expected number is worked out by hand.
"""
from __future__ import annotations

import math

import pandas as pd
import pytest

from lib.rules import league
from lib.store import session_scope
from tests.rules_helpers import Builder, row

P = "2022-06"
CLI_COLUMNS = ["region_code", "region_name", "invest_rate", "start_rate", "growth", "growth_target",
               "stats_rate", "funds_rate", "closure_rate", "red_share", "score", "rank",
               "rank_change", "light"]


def is_blank(v) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))


def build_full(b: Builder):
    """Region R1 with every metric present.
    A: continuing, started 2021-01, plan 1000, ytd 400, in stats, 1000 allocated / 300 paid
       → progress gap −10 green, funds shortfall 20 yellow → yellow.
    B: new, planned 2022-03, not started → start late 4 → red.
    C: new, planned 2022-09 (not due) → start/progress gray → green.
    invest 400/3000 = 0.1333 → 100×min(0.1333/0.5, 1) = 26.66; start 0/1 → 0; growth 5 vs 10 → 50;
    stats 1/1 → 100; funds 0.3 → 60; closure 1/3 → 33.33 (raised in 2022 up to 06-30: P1 closed
    05-01, P2 open, P5 closed only on 07-10; P3 raised in 2021 and P4 raised 07-01 do not count);
    red 1/3 → 66.67.
    score = (30×26.66 + 15×0 + 20×50 + 10×100 + 10×60 + 10×33.33 + 5×66.67)/100 = 40.6645 → 40.66."""
    b.region("R1", "甲县", order=1)
    b.project("A", region="R1", annual_plan=1000.0, actual_start="2021-01-05", central_budget=1000.0)
    b.report("A", P, 400.0, started=True, in_stats=True, central_budget_paid=300.0)
    b.project("B", region="R1", nature="new", annual_plan=1000.0, planned_start="2022-03-01")
    b.report("B", P, 0.0, started=False)
    b.project("C", region="R1", nature="new", annual_plan=1000.0, planned_start="2022-09-01")
    b.report("C", P, 0.0, started=False)
    b.problem("A", "2022-02-01", None, status="closed", closed_on="2022-05-01")   # P1
    b.problem("B", "2022-03-01", None)                                            # P2
    b.problem("A", "2021-12-01", None, status="closed", closed_on="2022-01-10")   # P3
    b.problem("A", "2022-07-01", None)                                            # P4
    b.problem("C", "2022-04-01", None, status="closed", closed_on="2022-07-10")   # P5
    b.target("R1", 2022, 10.0).stat("R1", P, 5.0)


def check_full(df: pd.DataFrame):
    r1 = row(df, "R1")
    assert r1["invest_rate"] == 0.1333 and r1["start_rate"] == 0.0
    assert (r1["growth"], r1["growth_target"]) == (5.0, 10.0)
    assert (r1["stats_rate"], r1["funds_rate"], r1["closure_rate"], r1["red_share"]) == \
        (1.0, 0.3, 0.3333, 0.3333)
    assert {m: r1[f"score_{m}"] for m in league.METRICS} == {
        "invest_rate": 26.66, "start_rate": 0.0, "growth": 50.0, "stats_rate": 100.0,
        "funds_rate": 60.0, "closure_rate": 33.33, "red_share": 66.67}
    assert r1["score"] == pytest.approx(40.66, abs=0.006)
    assert (r1["rank"], r1["light"]) == (1, "yellow")  # growth 5 < target 10
    assert r1["light_reason"] == "固投增速5.0%,低于目标10.0%"
    assert is_blank(r1["rank_change"])  # no report at all for 2022-05
    assert r1["inputs"]["closure_rate"] == {"num": 1, "den": 3}
    assert r1["inputs"]["start_rate"] == {"num": 0, "den": 1}
    assert r1["region_name"] == "甲县"


def test_every_metric_by_hand(session):
    build_full(Builder(session))
    df = league.compute_league(session, P)
    assert df.columns[:14].tolist() == CLI_COLUMNS
    check_full(df)


def test_league_on_sqlite_and_postgresql(store):
    with session_scope(store) as s:
        build_full(Builder(s))
        df = league.compute_league(s, P)
    check_full(df)


def test_na_metrics_drop_out_of_the_weights(session):
    b = Builder(session)
    # one continuing project, never started, no funds, no problems, no stats or target:
    # invest 300/1200 = 0.25 → 50; red 0/1 → 100; everything else n/a
    # score = (30×50 + 5×100)/(30 + 5) = 57.142857… → 57.14
    b.project("A").report("A", P, 300.0)
    r = row(league.compute_league(session, P), "R1")
    assert r["score"] == 57.14
    for m in ("start_rate", "growth", "stats_rate", "funds_rate", "closure_rate"):
        assert is_blank(r[m]) and is_blank(r[f"score_{m}"]), m
    explained = {e["metric"]: e for e in league.explain_score(r)}
    assert len(explained) == 7 and explained["invest_rate"]["counted"]
    assert not explained["growth"]["counted"] and explained["growth"]["score"] is None
    assert explained["invest_rate"]["numerator"] == 300.0 and explained["invest_rate"]["denominator"] == 1200.0
    assert "序时进度" in explained["invest_rate"]["rule"]
    # a weight of 0 drops a metric as well: only red_share is left → 100
    r0 = row(league.compute_league(session, P, settings={"weights": {"invest_rate": 0}}), "R1")
    assert r0["score"] == 100.0


def test_ties_break_on_invest_rate_then_code(session):
    b = Builder(session)
    # all three score 100 (invest capped at t, no red); B has the highest invest_rate
    for region, ytd in [("B", 600.0), ("A", 500.0), ("C", 500.0)]:
        b.region(region)
        b.project(f"{region}1", region=region, annual_plan=1000.0).report(f"{region}1", P, ytd)
    b.region("D")  # no project at all
    df = league.compute_league(session, P)
    assert df["region_code"].tolist() == ["B", "A", "C", "D"]
    assert df["score"].tolist()[:3] == [100.0, 100.0, 100.0]
    assert df["rank"].tolist()[:3] == [1, 2, 3]
    d = row(df, "D")
    assert is_blank(d["score"]) and is_blank(d["rank"]) and d["light"] == "gray"
    assert df["rank_change"].isna().all()  # no report for 2022-05


def test_rank_change_against_the_previous_month(session):
    b = Builder(session)
    # May (t = 5/12, exact; only the final score is rounded): A 0.4/(5/12) = 0.96 → 96, green →
    # (30×96 + 5×100)/35 = 3,380/35 = 96.571 → 96.57, rank 1; C 0.3/(5/12) = 0.72 → 72, yellow →
    # (30×72 + 500)/35 = 2,660/35 = 76.00, rank 2; B 0.1 → 24, red (gap −31.67) → 720/35 = 20.57, rank 3.
    # June: B 0.6, A 0.5, C 0.5 all score 100 → B 1, A 2, C 3 (ties by invest_rate, then code).
    for region, may, june in [("A", 400.0, 500.0), ("B", 100.0, 600.0), ("C", 300.0, 500.0)]:
        b.region(region)
        b.project(f"{region}1", region=region, annual_plan=1000.0)
        b.report(f"{region}1", "2022-05", may).report(f"{region}1", P, june)
    may = league.compute_league(session, "2022-05")
    assert may["region_code"].tolist() == ["A", "C", "B"]
    assert may["score"].tolist() == [96.57, 76.0, 20.57]
    df = league.compute_league(session, P)
    assert df["region_code"].tolist() == ["B", "A", "C"]
    assert {r: row(df, r)["rank_change"] for r in "ABC"} == {"A": -1, "B": 2, "C": -1}


def test_region_lights_tianjin_rule(session):
    b = Builder(session)
    # stats at P: R1 14, R2 6.5, R3 −1, R4 6, R6 7, R7 6.2 → mean 38.7/6 = 6.45
    spec = {  # region: (growth, target, ytd of 1200)
        "R1": (14.0, 10.0, 600.0), "R2": (6.5, 6.0, 600.0), "R3": (-1.0, 5.0, 600.0),
        "R4": (6.0, 10.0, 600.0), "R5": (None, 10.0, 600.0), "R6": (7.0, None, 200.0),
        "R7": (6.2, 6.0, 600.0),
    }
    for code, (growth, target, ytd) in spec.items():
        b.region(code)
        b.project(f"{code}p", region=code).report(f"{code}p", P, ytd)
        if growth is not None:
            b.stat(code, P, growth)
        if target is not None:
            b.target(code, 2022, target)
    df = league.compute_league(session, P)
    got = {c: row(df, c)["light"] for c in spec}
    assert got == {
        "R1": "green",   # 14 ≥ 10 and ≥ 6.45
        "R2": "green",   # 6.5 ≥ 6 and ≥ 6.45
        "R3": "red",     # negative growth
        "R4": "yellow",  # below target
        "R5": "green",   # no stats: gap = (0.5 − 0.5)×100 = 0
        "R6": "red",     # no target: 200/1200 = 0.1667 → gap −33.33
        "R7": "yellow",  # 6.2 ≥ 6 but below the mean 6.45
    }
    assert row(df, "R3")["light_reason"] == "固投增速-1.0%,为负增长"
    assert row(df, "R7")["light_reason"] == "固投增速6.2%,低于各县区平均6.5%"
    assert "无固投增速统计数据" in row(df, "R5")["light_reason"]
    assert "无固投增速目标" in row(df, "R6")["light_reason"]
    assert row(df, "R3")["light_reason_en"].startswith("FAI growth -1.0%")
    # growth scores: R1 min(14/10,1) → 100; R2 6.5/6 → 100; R3 clamp(−1/5) → 0; R4 60
    assert [row(df, c)["score_growth"] for c in ("R1", "R2", "R3", "R4")] == [100.0, 100.0, 0.0, 60.0]
    assert is_blank(row(df, "R5")["score_growth"]) and is_blank(row(df, "R6")["score_growth"])


def test_growth_score_with_a_target_of_zero_or_below(session):
    b = Builder(session)
    for code, growth, target in [("Z1", 0.0, 0.0), ("Z2", -0.5, 0.0), ("Z3", -1.0, -2.0)]:
        b.region(code)
        b.project(f"{code}p", region=code).report(f"{code}p", P, 600.0)
        b.stat(code, P, growth).target(code, 2022, target)
    df = league.compute_league(session, P)
    # target ≤ 0: 100 when actual ≥ target, else 0
    assert [row(df, c)["score_growth"] for c in ("Z1", "Z2", "Z3")] == [100.0, 0.0, 100.0]


def test_group_by_leader_and_unit(session):
    b = Builder(session)
    b.project("A", leader="张副市长", unit="市交通局", annual_plan=1000.0).report("A", P, 500.0)
    b.project("B", leader="张副市长", unit="市水务局", annual_plan=1000.0).report("B", P, 100.0)
    b.project("C", leader=None, unit="市水务局", annual_plan=2000.0).report("C", P, 1000.0)
    b.project("D", leader="李副市长", library="reserve", annual_plan=None)  # reserve: not counted
    by_leader = league.compute_league(session, P, group_by="leader")
    assert set(by_leader["group_key"]) == {"张副市长", "(未填写)"}
    zhang = row(by_leader, "张副市长")
    assert zhang["invest_rate"] == 0.3 and is_blank(zhang["growth"])  # 600/2000
    assert zhang["region_code"] is None and zhang["group_name"] == "张副市长"
    # B: r = 0.1 → gap −40 red; A green → red share 1/2
    assert zhang["red_share"] == 0.5
    assert zhang["light"] == "yellow"  # gap (0.3 − 0.5)×100 = −20
    assert "投资完成率30.0%" in zhang["light_reason"]
    by_unit = league.compute_league(session, P, group_by="unit")
    # 市交通局: A 0.5 → 100, no red → 100. 市水务局: 1100/3000 = 0.3667 → 73.34; B red, C green
    # → red share 0.5 → 50; (30×73.34 + 5×50)/35 = 70.0057 → 70.01
    assert by_unit["group_key"].tolist() == ["市交通局", "市水务局"]
    assert by_unit["score"].tolist() == [100.0, 70.01]
    assert by_unit["rank"].tolist() == [1, 2]
    assert row(by_unit, "市水务局")["light"] == "yellow"
    with pytest.raises(ValueError):
        league.compute_league(session, P, group_by="sector")


def test_reusing_lights_gives_the_same_table(session):
    from lib.rules.lights import compute_lights

    build_full(Builder(session))
    lt = compute_lights(session, P)
    a = league.compute_league(session, P)
    b = league.compute_league(session, P, lights=lt)
    pd.testing.assert_frame_equal(a.drop(columns=["inputs"]), b.drop(columns=["inputs"]))
