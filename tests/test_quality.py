"""Data-quality flags that stay (issue 11 item 5): computed at upload, stored on the report rows,
shown on the 数据质量 page, in the project file and the league page, cleared by a corrected
report (also one for an earlier month), restored by undo; thresholds read from the stored settings;
the reporting grid counts late and flagged reports."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select, update
from streamlit.testing.v1 import AppTest

from lib.intake import quality
from lib.intake.importer import reporting_grid, run_import, undo_batch
from lib.intake.templates import rows_csv
from lib.store import session_scope
from lib.store.models import MonthlyReport, Setting
from tests._intake import OFFICE, STAFF_A, seed
from tests.conftest import ROOT

# A1: the same ytd three months running while under construction → 疑似照抄 in March
# A2: March below February → 累计数下降 in March
PLANTED = [
    {"code": "A1", "period": "2022-01", "ytd_completed": 100, "month_completed": 100, "started": "是", "variance_note": "x"},
    {"code": "A1", "period": "2022-02", "ytd_completed": 300, "month_completed": 200, "started": "是", "variance_note": "x"},
    {"code": "A1", "period": "2022-03", "ytd_completed": 300, "month_completed": 0, "started": "是", "variance_note": "x"},
    {"code": "A1", "period": "2022-04", "ytd_completed": 300, "month_completed": 0, "started": "是", "variance_note": "x"},
    {"code": "A2", "period": "2022-02", "ytd_completed": 600, "started": "是", "variance_note": "x"},
    {"code": "A2", "period": "2022-03", "ytd_completed": 500, "started": "是", "variance_note": "x"},
]


def flags_of(engine) -> dict[tuple[str, str], list[str]]:
    with session_scope(engine) as s:
        return {(c, p): [f["code"] for f in json.loads(f)] for c, p, f in
                s.execute(select(MonthlyReport.project_code, MonthlyReport.period, MonthlyReport.flags)) if f}


def upload(engine, rows, actor=STAFF_A):
    with session_scope(engine) as s:
        r = run_import(s, "monthly", rows_csv("monthly", rows), "m.csv", actor)
        assert r.ok, r.errors
        return r


@pytest.fixture
def planted(app_store):
    seed(app_store)
    r = upload(app_store, PLANTED)
    assert any("疑似照抄" in w["message"] for w in r.warnings) and any("累计数下降" in w["message"] for w in r.warnings)
    return app_store


def test_planted_flags_are_stored_on_their_rows(planted):
    got = flags_of(planted)
    assert got[("A1", "2022-04")] == ["copied"]  # Feb, Mar, Apr all 300
    assert got[("A2", "2022-03")] == ["ytd_drop"]
    assert ("A1", "2022-02") not in got


def page(path, actor, period="2022-04", **state):
    at = AppTest.from_file(str(ROOT / "pages" / path), default_timeout=120)
    at.session_state["actor"] = actor
    at.session_state["period"] = period
    for k, v in state.items():
        at.session_state[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def shown(at) -> str:
    return "\n".join(str(d.value.to_dict("list")) for d in at.dataframe)


def test_flags_on_the_quality_page_and_project_file_then_gone_after_a_correction(planted):
    at = page("quality.py", OFFICE)
    text = shown(at)
    assert "疑似照抄" in text and "累计数下降" in text and "项目A1(A1)" in text and "项目A2(A2)" in text
    assert {m.label: m.value for m in at.metric}["提醒"] == "2个"
    assert at.selectbox(key="qp_pick").options == ["项目A1(A1)", "项目A2(A2)"]  # the way into each project file
    pf = page("project_file.py", OFFICE, project_code="A1")
    assert "数据质量提醒 · 疑似照抄" in shown(pf)
    # corrected reports: A1 April grows, A2 March above February
    upload(planted, [{"code": "A1", "period": "2022-04", "ytd_completed": 450, "month_completed": 150,
                      "started": "是", "variance_note": "x"},
                     {"code": "A2", "period": "2022-03", "ytd_completed": 650, "started": "是", "variance_note": "x"}])
    assert flags_of(planted) == {}
    at = page("quality.py", OFFICE)
    text = shown(at)
    assert "累计数下降" not in text and "项目A2" not in text
    pf = page("project_file.py", OFFICE, project_code="A2")
    assert "数据质量提醒" not in shown(pf)


def test_a_corrected_earlier_month_clears_the_flag_it_caused_and_undo_brings_it_back(planted):
    r = upload(planted, [{"code": "A2", "period": "2022-02", "ytd_completed": 400, "started": "是", "variance_note": "x"}])
    assert ("A2", "2022-03") not in flags_of(planted)
    with session_scope(planted) as s:
        undo_batch(s, r.batch_id, STAFF_A)
    assert flags_of(planted)[("A2", "2022-03")] == ["ytd_drop"]


def test_the_quality_page_is_the_office_s(planted):
    at = page("quality.py", STAFF_A)
    assert any("项目办" in w.value for w in at.warning) and not at.dataframe


def test_over_plan_reads_the_stored_setting(app_store):
    seed(app_store)  # annual plan 1,200
    rows = [{"code": "A3", "period": "2022-01", "ytd_completed": 2000, "started": "是", "variance_note": "x"}]
    upload(app_store, rows)
    assert flags_of(app_store)[("A3", "2022-01")] == ["over_plan"]  # 2,000 > 1.5 × 1,200
    with session_scope(app_store) as s:
        s.add(Setting(key=quality.OVER_PLAN_KEY, value="2.0"))
    upload(app_store, [{**rows[0], "reporter": "改"}])  # re-upload: recomputed with k = 2
    assert ("A3", "2022-01") not in flags_of(app_store)


def test_lag_without_note_follows_the_yellow_gap_setting(app_store):
    seed(app_store)  # new, planned start 2022-01: expected 3/12 = 25% in March
    rows = [{"code": "A1", "period": "2022-03", "ytd_completed": 120, "started": "是"}]  # 10%: 15 points behind
    upload(app_store, rows)
    assert "lag_no_note" in flags_of(app_store)[("A1", "2022-03")]
    with session_scope(app_store) as s:
        s.add(Setting(key="progress_yellow_gap", value="-20.0"))
    upload(app_store, [{**rows[0], "reporter": "改"}])
    assert ("A1", "2022-03") not in flags_of(app_store)


def test_reporting_grid_counts_reported_missing_late_and_flagged(planted):
    with session_scope(planted) as s:
        s.execute(update(MonthlyReport).where(MonthlyReport.period == "2022-02")
                  .values(reported_at=dt.datetime(2022, 3, 11, 9, 0)))  # after the 10th of March
        s.execute(update(MonthlyReport).where(MonthlyReport.period == "2022-01")
                  .values(reported_at=dt.datetime(2022, 2, 10, 18, 0)))  # on the 10th: on time
    with session_scope(planted) as s:
        g = reporting_grid(s, 2022, through="2022-04").set_index(["region_code", "period"])
    assert tuple(g.loc[("532901", "2022-02"), ["annual", "reported", "missing", "late", "flagged"]]) == (3, 2, 1, 2, 0)
    assert tuple(g.loc[("532901", "2022-01"), ["reported", "late"]]) == (1, 0)
    assert tuple(g.loc[("532901", "2022-03"), ["reported", "flagged"]]) == (2, 1)  # A2 累计数下降
    assert tuple(g.loc[("532901", "2022-04"), ["reported", "missing", "flagged"]]) == (1, 2, 1)  # A1 疑似照抄


def test_league_detail_shows_the_county_flag_count(planted):
    with session_scope(planted) as s:
        assert quality.flag_counts(s, 2022, through="2022-04") == {"532901": 2}


def test_league_page_detail_shows_flag_counts_per_county(planted):
    at = page("league.py", OFFICE)
    counts = next(d.value for d in at.dataframe if "数据质量提醒" in list(d.value.columns))
    got = dict(zip(counts["名称"], counts["数据质量提醒"]))
    assert got["大理市"] == 2 and got["漾濞县"] == 0
    assert any("数据质量提醒" in cap.value and "条" in cap.value for cap in at.caption)


def test_init_on_an_older_store_backfills_the_flags(tmp_path):
    from alembic import command

    from lib import store as store_mod
    from tests.test_cli import cli

    db = tmp_path / "old.db"
    eng = store_mod.make_engine(f"sqlite:///{db}")
    store_mod.upgrade(eng)
    seed(eng)
    upload(eng, PLANTED)
    command.downgrade(store_mod._alembic_config(eng), "ledger_problem_number")  # a store from before the flags
    eng.dispose()
    proc = cli("init", db=db)
    assert proc.returncode == 0, proc.stderr
    eng = store_mod.make_engine(f"sqlite:///{db}")
    assert flags_of(eng) == {("A1", "2022-04"): ["copied"], ("A2", "2022-03"): ["ytd_drop"]}
    eng.dispose()


def test_flag_rate_is_a_league_metric_the_office_switches_on(planted):
    """Off by default (weight 0): the score is today's. Switched on alone, each county's score is
    100 × (1 − flags ÷ reports of the year up to P), worked out here from the planted file."""
    from lib.intake import quality as q
    from lib.rules import settings as settings_mod
    from lib.rules.league import compute_league

    with session_scope(planted) as s:
        st = settings_mod.load(s)
        assert st["weights"]["flag_rate"] == 0
        base = compute_league(s, "2022-04").set_index("region_code")
        counts = q.flag_counts(s, 2022, through="2022-04")
        from sqlalchemy import func

        from lib.store.models import Project

        region = next(iter(counts))
        n_reports = s.scalar(select(func.count()).select_from(MonthlyReport)
                             .join(Project, Project.code == MonthlyReport.project_code)
                             .where(Project.region_code == region, MonthlyReport.period >= "2022-01",
                                    MonthlyReport.period <= "2022-04"))
        only = {**st, "weights": {**{k: 0 for k in st["weights"]}, "flag_rate": 1}}
        on = compute_league(s, "2022-04", settings=only).set_index("region_code")
    assert base["flag_rate"].isna().all()  # not computed while off
    rate = counts[region] / n_reports
    assert on.loc[region, "flag_rate"] == pytest.approx(rate)
    assert on.loc[region, "score"] == round(100 * (1 - rate), 2)
