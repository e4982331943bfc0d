"""Issue 10 — rules at the edges: the five corrections DESIGN.md was made precise about, each worked
out by hand (arithmetic in the comments), on SQLite and PostgreSQL (the ``store`` fixture), plus the
import warning for a monthly plan whose cumulative figure exceeds the annual plan."""
from __future__ import annotations

import pytest

from lib.access import Actor
from lib.rules.league import compute_league
from lib.rules.lights import compute_lights
from lib.store import session_scope
from tests.rules_helpers import Builder, row

OFFICE = Actor("office", "office")


# 1. Start evidence: the earliest counts ------------------------------------------------------------

def test_start_from_reports_earlier_than_the_projects_own_date(store):
    """Planned start 2023-10, own 实际开工 2023-10-15, reports Jul–Sep 2023 say 是否开工=是 with
    实际开工日期 2023-07-05. At P = 2023-09 (Y×12+m = 24285):
    evidence months: own 2023-10 (> P, no evidence yet), reports → 2023-07 ≤ P → started in July.
    start: started → green. stats: not in stats, k = P − start = 9 − 7 = 2 → yellow (2 ≥ 2, < 3).
    progress: new, planned in Y: s0 = 10, m = 9 < s0 → e = 0 → gray. reporting: report for P → green.
    overall: worst of green/yellow/green/green = yellow (before the fix: start gray, stats gray → green)."""
    with session_scope(store) as s:
        b = Builder(s).project("P1", year=2023, nature="new", planned_start="2023-10-01",
                               actual_start="2023-10-15")
        for p in ("2023-07", "2023-08", "2023-09"):
            b.report("P1", p, 50.0, started=True, actual_start="2023-07-05", in_stats=False)
        r = row(compute_lights(s, "2023-09"), "P1")
    assert (r["start"], r["stats"], r["progress"], r["light"]) == ("green", "yellow", "gray", "yellow")
    assert r["start_period"] == "2023-07"


def test_start_from_an_earlier_report_without_a_date(store):
    """Own 实际开工 2023-06-10; the March report says 是 without a date → its period 2023-03; April–June
    reports say 是 with 2023-06-10. Earliest evidence: 2023-03. At P = 2023-06:
    stats: not in stats, k = 6 − 3 = 3 → red (≥ 3). progress: new, planned 2023-03 → s0 = 3,
    e = (6 − 3 + 1)/(13 − 3) = 4/10 = 0.4; ytd 480/1,200 = 0.4 → gap 0 → green. overall red
    (before the fix: start month June, k = 0 → stats green, overall green)."""
    with session_scope(store) as s:
        b = Builder(s).project("P1", year=2023, nature="new", planned_start="2023-03-01",
                               actual_start="2023-06-10")
        b.report("P1", "2023-03", 100.0, started=True, in_stats=False)
        for p, y in (("2023-04", 200.0), ("2023-05", 350.0), ("2023-06", 480.0)):
            b.report("P1", p, y, started=True, actual_start="2023-06-10", in_stats=False)
        r = row(compute_lights(s, "2023-06"), "P1")
    assert (r["start"], r["progress"], r["stats"], r["light"]) == ("green", "green", "red", "red")
    assert r["start_period"] == "2023-03"


# 2. Monthly plans with blank months are interpolated -----------------------------------------------

@pytest.mark.parametrize("period,ytd,expected_pct,gap,light", [
    # April: between 3月=300 and 6月=600: 300 + (600 − 300)×(4 − 3)/(6 − 3) = 400; e = 400/1,200
    # = 0.3333; r = 200/1,200 = 0.1667; gap = (0.1667 − 0.3333)×100 = −16.66 → yellow (−30 ≤ gap < −10)
    ("2023-04", 200.0, 33.33, -16.66, "yellow"),
    # January: from 0 at month 0 to 300 at month 3: 300×1/3 = 100; e = 100/1,200 = 0.0833;
    # r = 100/1,200 = 0.0833 → gap 0 → green (the engine carried nothing forward: e = 0 → gray)
    ("2023-01", 100.0, 8.33, 0.0, "green"),
    # August: after the last given month 6月=600 its value carries: e = 600/1,200 = 0.5;
    # r = 540/1,200 = 0.45 → gap −5 → green
    ("2023-08", 540.0, 50.0, -5.0, "green"),
])
def test_blank_plan_months_interpolated(store, period, ytd, expected_pct, gap, light):
    with session_scope(store) as s:
        Builder(s).project("P1", year=2023, annual_plan=1200.0).plan("P1", 2023, {3: 300.0, 6: 600.0}) \
            .report("P1", period, ytd, started=True, in_stats=True)
        r = row(compute_lights(s, period), "P1")
    assert (r["expected_pct"], r["gap_pp"], r["progress"]) == (expected_pct, gap, light)


# 3. League funds_rate over allocated projects only ------------------------------------------------

def test_league_funds_rate_counts_allocated_projects_only(store):
    """A: allocated 1,200 (central budget), paid 600; B: allocated 0, paid 300 (a figure it should
    not have). funds_rate = Σ paid ÷ Σ allocated over projects with allocation > 0 = 600/1,200 = 0.5
    (before: (600 + 300)/1,200 = 0.75). P = 2023-06: t = 0.5 → score 100×min(0.5/0.5, 1) = 100."""
    with session_scope(store) as s:
        Builder(s).project("A", year=2023, central_budget=1200.0).project("B", year=2023) \
            .report("A", "2023-06", 600.0, started=True, in_stats=True, central_budget_paid=600.0) \
            .report("B", "2023-06", 600.0, started=True, in_stats=True, central_budget_paid=300.0)
        lg = row(compute_league(s, "2023-06"), "R1")
    assert lg["funds_rate"] == 0.5
    assert lg["inputs"]["funds_rate"] == {"num": 600.0, "den": 1200.0}


# 4. League score: only the final score is rounded -------------------------------------------------

def test_league_score_rounds_only_the_final_score(store):
    """January (t = 1/12), one continuing project, plan 1,200, ytd 96 → invest_rate 0.08.
    invest score = 100×min(0.08 ÷ (1/12), 1) = 100×0.96 = 96 (exact; the engine took t = 0.0833:
    0.08/0.0833 = 0.96038… → 96.04). Lights: e = 1/12 = 0.0833, r = 0.08, gap −0.33 → green,
    reporting green, other dimensions gray → lit, not red → red_share 0 → score 100.
    start_rate (no new project), growth (no stats), stats_rate (not started), funds (none),
    closure (no problems) are n/a. score = (30×96 + 5×100)/(30 + 5) = 3,380/35 = 96.5714… → 96.57
    (before: (30×96.04 + 500)/35 = 3,381.2/35 = 96.605… → 96.61)."""
    with session_scope(store) as s:
        Builder(s).project("P1", year=2023, annual_plan=1200.0).report("P1", "2023-01", 96.0)
        lg = row(compute_league(s, "2023-01"), "R1")
    assert lg["invest_rate"] == 0.08
    assert lg["score"] == 96.57


# 5. Closure rate counts problems raised in Y only ---------------------------------------------------

def test_closure_rate_counts_problems_raised_in_the_year_only(store):
    """--period 2023-12 --as-of 2024-01-10. Problems of the 2023 annual project: one raised 2023-05-01,
    closed 2023-06-01; one raised 2024-01-05, open. Raised between 1 Jan and 31 Dec 2023 and on or
    before as-of: only the first → closed 1 ÷ raised 1 = 1.0 (before: 1 ÷ 2 = 0.5)."""
    with session_scope(store) as s:
        Builder(s).project("P1", year=2023).report("P1", "2023-12", 1200.0) \
            .problem("P1", "2023-05-01", "2023-06-30", status="closed", closed_on="2023-06-01") \
            .problem("P1", "2024-01-05", "2024-02-28")
        lg = row(compute_league(s, "2023-12", as_of="2024-01-10"), "R1")
    assert lg["closure_rate"] == 1.0
    assert lg["inputs"]["closure_rate"] == {"num": 1, "den": 1}


# Import warning: a monthly plan above the annual plan ---------------------------------------------

def test_plan_cumulative_above_annual_plan_warns(store):
    """P1's 2023 annual plan is 1,200; a plan row with 12月 = 1,300 (> 1,200) warns on that cell
    (月度计划累计超过年度计划); 11月 = 1,200 (= the plan) does not. Warnings do not stop the upload."""
    from lib.intake.importer import run_import

    with session_scope(store) as s:
        Builder(s).project("P1", year=2023, annual_plan=1200.0)
        data = "项目代码,年度,6月,11月,12月\nP1,2023,600,1200,1300\n".encode("utf-8-sig")
        res = run_import(s, "plans", data, "plans.csv", OFFICE, dry_run=True)
    assert res.ok, res.errors
    over = [w for w in res.warnings if "月度计划累计超过年度计划" in w["message"]]
    assert [(w["column"], w["value"]) for w in over] == [("12月", "1300")]
