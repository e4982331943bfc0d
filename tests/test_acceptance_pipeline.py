"""Acceptance: the project pipeline rules of DESIGN.md ("Project pipeline") on a small campaign whose
every expected value was worked out by hand (the arithmetic is in the comments), not by calling the
code under test. SQLite and PostgreSQL.

Period P = 2022-07 (month index 2022×12+7), as-of 2022-07-31.

Region R1 (projects with a project year for 2022; total investment / annual plan in 万元):
  A1 annual new,  plan 100, total 1,000, planned start 2022-09; 立项 done 2022-03-01; 用地预审 planned
     2022-07-01, in progress → late 2022-07-31 − 2022-07-01 = 30 days → yellow (30 is not > 30);
     planned start month 2022-09 > P. Not ready (用地预审 open).
  A2 annual new,  plan 200, total 2,000, planned start 2022-10; 环评 planned 2022-06-30, in progress →
     31 days late → red. Not ready.
  A3 annual new,  plan 300, total 3,000, planned start 2022-07 (= P, "has come"); 立项 done; 施工许可
     planned 2022-08-15, in progress (not late) but not done when the planned start month has come →
     red. Ready (施工许可 is not needed for readiness; 立项 done).
  A4 annual new,  plan 400, total 4,000, planned start 2022-12; 立项 and 用地 done, 施工许可 not started
     (planned 2022-11-30, not late) → green. Ready.
  A5 annual continuing, plan 1,000, started 2021-03; presented at the 开工 event 「二季度集中开工」
     held 2022-04-20 (event month April; May and June both ≤ P); ytd April 100, May 100, June 100 →
     new investment 100 − 100 = 0 → 开工即停工: flagged, approvals yellow.
  A6 annual new,  plan 500, planned start 2022-04; reports: April 0 (否), May 50 (是), June 80 (是) →
     started 2022-05; at the same event; new investment = ytd(June) − ytd(April) = 80 − 0 = 80 > 0 →
     not stalled; started → approvals gray. Ready (started).
  B1 reserve 2022, total 20,000, no 手续 → stage reserve.
  B2 reserve 2022, total 10,000, 立项 in progress → stage preparing.
  C1 reserve 2021 and annual new 2022 (plan 1,000, planned start 2022-03, actual start 2022-03-10)
     → in the reserve at the end of 2021, started in 2022 → converted. Ready (started).
  C2 reserve 2021 and reserve 2022, total 5,000 → not converted; stage reserve.
  S1 招商引资 signed 2022-02-01, annual new 2022 (plan 500, planned start 2022-05, actual 2022-05-01)
     → signed in Y and started in Y. Ready (started).
  S2 招商引资 signed 2022-06-01, reserve 2022, total 6,000, not started → stage reserve.
  S3 招商引资 signed 2021-11-01 (not in Y), no project year for 2022 → not counted anywhere.
  O1 annual continuing, plan 1,000, started 2020, 竣工 2022-05-31, 投产 2022-07-15 → operating.
  E1 annual continuing, plan 1,000, started 2020, 竣工 2022-06-30 → completed.

Stages: reserve B1, C2, S2 = 3; preparing A1, A2, A3, A4, B2 = 5; building A5, A6, C1, S1 = 4;
completed E1 = 1; operating O1 = 1.
reserve_investment = reserve (20,000 + 5,000 + 6,000) + preparing (1,000 + 2,000 + 3,000 + 4,000 +
10,000) = 31,000 + 20,000 = 51,000.
annual_plan = A1..A6 (100+200+300+400+1,000+500) + C1 1,000 + S1 500 + O1 1,000 + E1 1,000 = 6,000.
reserve_ratio = 51,000 ÷ 6,000 = 8.5.  conversion_rate = C1 ÷ {C1, C2} = 0.5.
signed = S1, S2 = 2; signed_started = S1 = 1; signed_started_rate = 0.5.
planned_new = A1, A2, A3, A4, A6, C1, S1 = 7; ready = A3, A4, A6, C1, S1 = 5; ready_rate = 5/7.
event_projects = A5, A6 = 2; stalled_after_event = A5 = 1.
Region R2 has no projects: counts 0, every rate blank (no denominator).
"""
import datetime as dt
import json
import math

import pandas as pd
import pytest

from lib.rules import pipeline
from lib.store import session_scope
from lib.store.models import Approval, Project, ProjectEvent
from tests.conftest import run_cli
from tests.rules_helpers import Builder, d

PERIOD = "2022-07"


def _set(s, code, **fields):
    p = s.get(Project, code)
    for k, v in fields.items():
        setattr(p, k, d(v) if isinstance(v, str) and k != "source" else v)
    s.flush()


def _appr(s, code, kind, planned=None, done=None, status="in_progress", unit="县自然资源局"):
    s.add(Approval(project_code=code, kind=kind, planned_on=d(planned) if planned else None,
                   done_on=d(done) if done else None, status=status, unit=unit))
    s.flush()


APPROVALS = [  # code, 手续, 计划办结, 实际办结, 状态 (the file's words)
    ("A1", "立项", "2022-03-01", "2022-03-01", "已办结"), ("A1", "用地预审", "2022-07-01", None, "办理中"),
    ("A2", "环评", "2022-06-30", None, "办理中"),
    ("A3", "立项", "2022-02-01", "2022-02-01", "已办结"), ("A3", "施工许可", "2022-08-15", None, "办理中"),
    ("A4", "立项", "2022-02-01", "2022-02-01", "已办结"), ("A4", "用地", "2022-05-01", "2022-04-20", "已办结"),
    ("A4", "施工许可", "2022-11-30", None, "未启动"),
    ("B2", "立项", "2022-12-01", None, "办理中"),
]
EVENTS = [("二季度集中开工", "2022-04-20", "开工", "A5"), ("二季度集中开工", "2022-04-20", "开工", "A6")]
KIND = {"立项": "initiation", "用地预审": "land_pre", "用地": "land", "环评": "eia", "施工许可": "construction_permit"}
STATUS = {"已办结": "done", "办理中": "in_progress", "未启动": "not_started"}


def build(s, with_pipeline_rows: bool = True):
    b = Builder(s)
    b.region("R1", "甲县", order=1).region("R2", "乙县", order=2)
    b.project("A1", nature="new", annual_plan=100, planned_start="2022-09-01")
    b.project("A2", nature="new", annual_plan=200, planned_start="2022-10-01")
    b.project("A3", nature="new", annual_plan=300, planned_start="2022-07-01")
    b.project("A4", nature="new", annual_plan=400, planned_start="2022-12-01")
    b.project("A5", annual_plan=1000, actual_start="2021-03-01")
    b.project("A6", nature="new", annual_plan=500, planned_start="2022-04-01")
    b.project("B1", library="reserve", nature=None, annual_plan=None)
    b.project("B2", library="reserve", nature=None, annual_plan=None)
    b.project("C1", year=[], planned_start="2022-03-01", actual_start="2022-03-10")
    b.year("C1", 2021, library="reserve", nature=None, annual_plan=None).year("C1", 2022, nature="new", annual_plan=1000)
    b.project("C2", year=[2021, 2022], library="reserve", nature=None, annual_plan=None)
    b.project("S1", nature="new", annual_plan=500, planned_start="2022-05-01", actual_start="2022-05-01")
    b.project("S2", library="reserve", nature=None, annual_plan=None)
    b.project("S3", year=[])
    b.project("O1", annual_plan=1000, actual_start="2020-03-01")
    b.project("E1", annual_plan=1000, actual_start="2020-03-01")
    totals = {"A1": 1000, "A2": 2000, "A3": 3000, "A4": 4000, "B1": 20000, "B2": 10000, "C2": 5000, "S2": 6000}
    for code, total in totals.items():
        _set(s, code, total_investment=total)
    _set(s, "S1", source="attracted", signed_on="2022-02-01")
    _set(s, "S2", source="attracted", signed_on="2022-06-01")
    _set(s, "S3", source="attracted", signed_on="2021-11-01")
    _set(s, "O1", actual_end="2022-05-31", actual_operation="2022-07-15")
    _set(s, "E1", actual_end="2022-06-30")
    if with_pipeline_rows:
        for code, kind, planned, done, status in APPROVALS:
            _appr(s, code, KIND[kind], planned, done, STATUS[status])
        for name, held_on, _type, code in EVENTS:
            s.add(ProjectEvent(name=name, project_code=code, held_on=d(held_on), type="start"))
    for period, ytd in (("2022-04", 100), ("2022-05", 100), ("2022-06", 100)):
        b.report("A5", period, ytd, started=True)
    b.report("A6", "2022-04", 0, started=False).report("A6", "2022-05", 50, started=True)
    b.report("A6", "2022-06", 80, started=True)
    s.flush()


@pytest.fixture(params=["rows", "files"])
def campaign(request, store, tmp_path):
    """The campaign with its 手续 and events written as rows, or imported from the DESIGN.md upload
    templates (前期手续 and 集中活动 CSV files) through the command line."""
    with session_scope(store) as s:
        build(s, with_pipeline_rows=request.param == "rows")
    if request.param == "files":
        url = store.url.render_as_string(hide_password=False)
        appr = tmp_path / "前期手续.csv"
        appr.write_text("项目代码,手续,计划办结,实际办结,状态,牵头部门\n" + "".join(
            f"{c},{k},{p},{dn or ''},{st},县自然资源局\n" for c, k, p, dn, st in APPROVALS), encoding="utf-8-sig")
        ev = tmp_path / "集中活动.csv"
        ev.write_text("活动名称,活动日期,类型,项目代码\n" + "".join(f"{n},{h},{ty},{c}\n" for n, h, ty, c in EVENTS),
                      encoding="utf-8-sig")
        for kind, path in (("approvals", appr), ("events", ev)):
            res = run_cli("import", kind, str(path), url=url)
            assert res.returncode == 0, (res.stdout, res.stderr)
            assert json.loads(res.stdout)["inserted"] == (len(APPROVALS) if kind == "approvals" else len(EVENTS))
    return store


def test_region_figures_worked_out_by_hand(campaign):
    with session_scope(campaign) as s:
        df = pipeline.compute_pipeline(s, PERIOD).set_index("region_code")
    assert list(df.reset_index().columns)[:len(pipeline.PIPELINE_COLUMNS)] == pipeline.PIPELINE_COLUMNS
    r1 = df.loc["R1"]
    assert (r1.n_reserve, r1.n_preparing, r1.n_building, r1.n_completed, r1.n_operating) == (3, 5, 4, 1, 1)
    assert r1.reserve_investment == 51000 and r1.annual_plan == 6000
    assert r1.reserve_ratio == pytest.approx(8.5)
    assert r1.conversion_rate == pytest.approx(0.5) and (r1.reserve_prev, r1.converted) == (2, 1)
    assert (r1.signed, r1.signed_started) == (2, 1) and r1.signed_started_rate == pytest.approx(0.5)
    assert (r1.planned_new, r1.ready) == (7, 5) and r1.ready_rate == pytest.approx(5 / 7)
    assert (r1.event_projects, r1.stalled_after_event) == (2, 1)
    r2 = df.loc["R2"]
    assert (r2.n_reserve, r2.n_building, r2.signed, r2.planned_new, r2.event_projects) == (0, 0, 0, 0, 0)
    for col in ("reserve_ratio", "conversion_rate", "signed_started_rate", "ready_rate"):
        assert math.isnan(r2[col]), col


def test_stages_worked_out_by_hand(campaign):
    with session_scope(campaign) as s:
        sg = pipeline.stages(s, PERIOD).set_index("code")["stage"].to_dict()
    assert sg == {"A1": "preparing", "A2": "preparing", "A3": "preparing", "A4": "preparing",
                  "A5": "building", "A6": "building", "B1": "reserve", "B2": "preparing",
                  "C1": "building", "C2": "reserve", "S1": "building", "S2": "reserve",
                  "O1": "operating", "E1": "completed"}


def test_approvals_dimension_worked_out_by_hand(campaign):
    with session_scope(campaign) as s:
        al = pipeline.approvals_lights(s, PERIOD).set_index("project_code")
    assert al.loc["A1", "light"] == "yellow"  # exactly 30 days late
    assert al.loc["A1", "reason"] == "用地预审计划7月办结,已超期30天"
    assert al.loc["A2", "light"] == "red"  # 31 days late
    assert al.loc["A2", "reason"] == "环评计划6月办结,已超期31天"
    assert al.loc["A3", "light"] == "red"  # planned start month has come with 施工许可 open
    assert "计划开工月份(2022-07)已到" in al.loc["A3", "reason"]
    assert al.loc["A4", "light"] == "green"
    assert al.loc["A5", "light"] == "yellow" and bool(al.loc["A5", "stalled"])
    assert "开工即停工" in al.loc["A5", "reason"]
    assert al.loc["A6", "light"] == "gray" and not bool(al.loc["A6", "stalled"])  # started, invested
    for code in ("B1", "B2", "C2", "S2", "O1", "E1"):
        assert al.loc[code, "light"] == "gray", code
    # one day earlier: A1 is 29 days late (still yellow), A2 exactly 30 (yellow, not red)
    with session_scope(campaign) as s:
        al = pipeline.approvals_lights(s, PERIOD, as_of=dt.date(2022, 7, 30)).set_index("project_code")
    assert al.loc["A1", "light"] == "yellow" and al.loc["A2", "light"] == "yellow"


def test_late_approvals_for_the_factor_view(campaign):
    with session_scope(campaign) as s:
        late = pipeline.late_approvals(s, PERIOD)
    got = sorted(zip(late["project_code"], late["kind"], late["late_days"]))
    # A1 用地预审 30 days, A2 环评 31 days; A3's 施工许可 is not yet past its date; B2's 立项 is due in December
    assert got == [("A1", "land_pre", 30), ("A2", "eia", 31)]


def test_area_totals_and_event_outcomes(campaign):
    with session_scope(campaign) as s:
        table = pipeline.compute_pipeline(s, PERIOD)
        ev = pipeline.event_outcomes(s, PERIOD)
        tl = pipeline.project_timeline(s, "A1", dt.date(2022, 7, 31))
    tot = pipeline.area_totals(table)
    # R2 adds nothing: the area's figures are R1's
    assert tot["reserve_ratio"] == pytest.approx(8.5) and tot["ready_rate"] == pytest.approx(5 / 7)
    assert dict(zip(ev["project_code"], ev["outcome"])) == {"A5": "stalled", "A6": "investing"}
    # A1: 立项 done on its date (0 days late), 用地预审 open 30 days past 2022-07-01, start planned 2022-09-01
    assert [(k, None if pd.isna(v) else int(v)) for k, v in zip(tl["kind"], tl["late_days"])] == \
        [("initiation", 0), ("land_pre", 30), ("start", None)]


def test_the_lights_carry_the_approvals_dimension(campaign):
    """compute_lights judges the 7th dimension with the same rule as the pipeline page, worst wins,
    and gives its reason (A2: 环评 31 days late → red; A5: 开工即停工 → yellow)."""
    from lib.rules.lights import compute_lights

    with session_scope(campaign) as s:
        lights = compute_lights(s, PERIOD).set_index("project_code")
        dim = pipeline.approvals_lights(s, PERIOD).set_index("project_code")
    assert lights["approvals"].to_dict() == dim["light"].to_dict()
    assert lights.loc["A2", "light"] == "red" and "环评计划6月办结,已超期31天" in lights.loc["A2", "reasons"]
    assert "开工即停工" in lights.loc["A5", "reasons"]
    assert lights.loc["A5", "light"] in ("yellow", "red")  # at least the approvals yellow


def test_league_pipeline_metrics_are_off_by_default_and_count_when_switched_on(campaign):
    """Default weight 0: the score is today's. With only ready_rate weighted, R1's score is its
    readiness 5/7 × 100 = 71.43 (half-even to 2 decimals); R2 has no planned new start → n/a → no
    score (it has no annual projects either)."""
    from lib.rules import settings as settings_mod
    from lib.rules.league import compute_league

    with session_scope(campaign) as s:
        base = compute_league(s, PERIOD).set_index("region_code")
        st = settings_mod.load(s)
        assert all(st["weights"][m] == 0 for m in ("reserve_ratio", "conversion_rate", "ready_rate"))
        only_ready = {**st, "weights": {**{k: 0 for k in st["weights"]}, "ready_rate": 1}}
        switched = compute_league(s, PERIOD, settings=only_ready).set_index("region_code")
    assert math.isnan(base.loc["R1", "ready_rate"])  # not computed while off
    assert switched.loc["R1", "ready_rate"] == pytest.approx(5 / 7)
    assert switched.loc["R1", "score"] == 71.43
    assert math.isnan(switched.loc["R2", "score"])
