"""Properties of the rules (hypothesis), on a real migrated SQLite store: each example writes its
rows in a transaction that is rolled back afterwards.

- the overall light is never better than any non-gray dimension, gray only when every dimension is
  gray, and differs from the worst dimension only by persistence (yellow → red);
- every league score is within 0–100 (or blank when n/a), also for the weighted average;
- rates and gaps are compared after rounding: a whole-percent completion against a whole-percent
  plan gives a gap of exactly the difference, and the light follows integer comparison.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from lib import store as store_mod
from lib.rules import league, lights
from tests.rules_helpers import Builder

pytestmark = pytest.mark.slow  # hypothesis: hundreds of generated stores

P = "2022-06"
SEV = {"gray": -1, "green": 0, "yellow": 1, "red": 2}
PROPS = settings(max_examples=40, deadline=None,
                 suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    eng = store_mod.make_engine(f"sqlite:///{tmp_path_factory.mktemp('props') / 'p.db'}")
    store_mod.upgrade(eng)
    yield eng
    eng.dispose()


class rolled_back:
    """A session whose writes are undone at the end of the example."""

    def __init__(self, engine):
        self.engine = engine

    def __enter__(self) -> Session:
        self.conn = self.engine.connect()
        self.tx = self.conn.begin()
        self.session = Session(bind=self.conn)
        return self.session

    def __exit__(self, *exc):
        self.session.close()
        self.tx.rollback()
        self.conn.close()


months = st.integers(min_value=1, max_value=6)
project_st = st.fixed_dictionaries({
    "library": st.sampled_from(["annual", "annual", "annual", "reserve"]),
    "nature": st.sampled_from(["new", "continuing"]),
    "plan": st.one_of(st.none(), st.just(0.0), st.integers(100, 5000).map(float)),
    "planned_start": st.one_of(st.none(), st.integers(-14, 10)),  # months from 2022-01
    "actual_start": st.one_of(st.none(), st.integers(-14, 8)),
    "allocated": st.one_of(st.none(), st.integers(1, 3000).map(float)),
    "reports": st.dictionaries(months, st.fixed_dictionaries({
        "ytd": st.integers(0, 6000).map(float),
        "started": st.one_of(st.none(), st.booleans()),
        "in_stats": st.one_of(st.none(), st.booleans()),
        "paid": st.one_of(st.none(), st.integers(0, 3000).map(float)),
    }), max_size=6),
    "problems": st.lists(st.tuples(st.integers(0, 180), st.one_of(st.none(), st.integers(-60, 60)),
                                   st.booleans(), st.integers(-20, 40)), max_size=3),
    "region": st.sampled_from(["R1", "R2", "R3"]),
})


def month_date(offset: int) -> str:
    y, m = divmod(2022 * 12 + offset, 12)  # offset 0 → 2022-01
    return f"{y:04d}-{m + 1:02d}-01"


def build(b: Builder, projects: list[dict]):
    for r in ("R1", "R2", "R3"):
        b.region(r)
    as_of = dt.date(2022, 6, 30)
    for i, p in enumerate(projects):
        code = f"P{i:03d}"
        b.project(code, region=p["region"], library=p["library"], nature=p["nature"],
                  annual_plan=p["plan"],
                  planned_start=month_date(p["planned_start"]) if p["planned_start"] is not None else None,
                  actual_start=month_date(p["actual_start"]) if p["actual_start"] is not None else None,
                  central_budget=p["allocated"])
        for m, r in sorted(p["reports"].items()):
            b.report(code, f"2022-{m:02d}", r["ytd"], started=r["started"], in_stats=r["in_stats"],
                     central_budget_paid=r["paid"])
        for raised_ago, deadline_from_as_of, closed, closed_from_as_of in p["problems"]:
            raised = as_of - dt.timedelta(days=raised_ago - 30)  # some raised after the as-of date
            deadline = None if deadline_from_as_of is None else as_of + dt.timedelta(days=deadline_from_as_of)
            closed_on = as_of + dt.timedelta(days=closed_from_as_of) if closed else None
            b.problem(code, raised.isoformat(), deadline.isoformat() if deadline else None,
                      status="closed" if closed else "in_progress",
                      closed_on=closed_on.isoformat() if closed_on else None)


@PROPS
@given(st.lists(project_st, min_size=1, max_size=6))
def test_overall_never_better_than_a_dimension(engine, projects):
    with rolled_back(engine) as s:
        build(Builder(s), projects)
        df = lights.compute_lights(s, P)
    assert len(df) == len(projects)
    for r in df.to_dict("records"):
        dims = [SEV[r[d]] for d in lights.DIMS]
        worst = max(dims)
        assert SEV[r["light"]] >= worst
        assert (r["light"] == "gray") == (worst == -1)
        if r["persistent"]:
            assert r["light"] == "red" and worst == 1
        else:
            assert SEV[r["light"]] == worst
        if r["library"] == "reserve":
            assert r["light"] == "gray"
        # every yellow/red dimension has a reason, green and gray ones none
        assert set(r["reasons_by_dim"]) - {"overall"} == {d for d in lights.DIMS if r[d] in ("yellow", "red")}


@PROPS
@given(st.lists(project_st, min_size=1, max_size=6),
       st.dictionaries(st.sampled_from(["R1", "R2", "R3"]),
                       st.tuples(st.one_of(st.none(), st.floats(-20, 40).map(lambda x: round(x, 1))),
                                 st.one_of(st.none(), st.floats(-5, 20).map(lambda x: round(x, 1))))))
def test_league_scores_between_0_and_100(engine, projects, region_figures):
    with rolled_back(engine) as s:
        b = Builder(s)
        build(b, projects)
        for code, (growth, target) in region_figures.items():
            if growth is not None:
                b.stat(code, P, growth)
            if target is not None:
                b.target(code, 2022, target)
        df = league.compute_league(s, P)
    assert df["region_code"].tolist()[: len(df)] and len(df) == 3
    for col in ["score"] + [f"score_{m}" for m in league.METRICS]:
        vals = df[col].astype(float)
        assert ((vals >= 0) & (vals <= 100) | vals.isna()).all(), col
    ranked = df[df["rank"].notna()]
    assert ranked["rank"].tolist() == list(range(1, len(ranked) + 1))
    assert ranked["score"].is_monotonic_decreasing


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.floats(0, 100, allow_nan=False)), min_size=7, max_size=7),
       st.lists(st.floats(0, 50, allow_nan=False), min_size=7, max_size=7))
def test_weighted_score_stays_in_range(scores, weights):
    arrays = {m: np.array([np.nan if s is None else s]) for m, s in zip(league.METRICS, scores)}
    w = dict(zip(league.METRICS, weights))
    got = league.weighted_score(arrays, w)[0]
    wmax = max(weights)
    counted = [(s, wt) for s, wt in zip(scores, weights)
               if s is not None and wmax > 0 and wt / wmax >= league.RELATIVE_WEIGHT_FLOOR]
    if not counted:
        assert np.isnan(got)
    else:
        assert 0 <= got <= 100
        assert min(s for s, _ in counted) - 0.005 <= got <= max(s for s, _ in counted) + 0.005


@PROPS
@given(st.integers(0, 150), st.integers(1, 100), st.integers(0, 100), st.integers(1, 97))
def test_rates_are_compared_after_rounding(engine, actual_pct, planned_pct, paid_pct, k):
    plan = 100.0 * k
    with rolled_back(engine) as s:
        b = Builder(s)
        b.project("X", annual_plan=plan, central_budget=plan)
        b.plan("X", 2022, {6: planned_pct * k})
        b.report("X", P, actual_pct * k, central_budget_paid=paid_pct * k)
        r = lights.compute_lights(s, P).iloc[0].to_dict()
    gap = actual_pct - planned_pct
    assert r["gap_pp"] == float(gap)
    assert r["progress"] == ("green" if gap >= -10 else "yellow" if gap >= -30 else "red")
    short = 50 - paid_pct  # t = 6/12
    assert r["inputs"]["funds_shortfall_pp"] == float(short)
    assert r["funds"] == ("green" if short <= 10 else "yellow" if short <= 30 else "red")
