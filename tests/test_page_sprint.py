"""冲刺 per project (issue 14 item 10): the project file says the year-end forecast at the last three
months' pace, its share of the plan and the monthly need, with the rule and inputs; the project
list has the forecast as a share of the plan. The numbers are lib.rules.sprint's. SQLite and PostgreSQL."""
import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from lib import store
from lib.access import Actor
from lib.i18n import fmt_money
from lib.rules import sprint
from lib.store.models import MonthlyReport, ProjectYear
from tests.conftest import ROOT, use_store

LEADER = Actor("leader", "leader", display_name="领导(演示)")
PERIOD = "2022-10"


@pytest.fixture
def demo_app(backend, new_store, tmp_path, monkeypatch):
    url, drop = new_store(backend, tmp_path, demo=True, name="sprintpage")
    eng = use_store(monkeypatch, url)
    yield eng
    store.dispose_all()
    drop()


def _page(name, **state):
    at = AppTest.from_file(str(ROOT / "pages" / name), default_timeout=120)
    at.session_state["actor"] = LEADER
    for k, v in state.items():
        at.session_state[k] = v
    return at.run()


def _behind_project(eng):
    """An annual project that is behind at the current pace, with its forecast, checked by hand
    against its reports: ytd at October and at July, pace over three months, two months left."""
    with store.session_scope(eng) as s:
        frame = sprint.sprint_frame(s, PERIOD)
        row = frame[~frame["on_track"] & (frame["ytd"] > 0) & (frame["pace"] > 0)].iloc[0]
        fc = sprint.project_forecast(s, row["project_code"], PERIOD)
        reps = dict(s.execute(select(MonthlyReport.period, MonthlyReport.ytd_completed)
                              .where(MonthlyReport.project_code == row["project_code"])).all())
    assert fc["project_code"] == row["project_code"] and fc["forecast"] == row["forecast"]
    ytd, before = reps.get("2022-10", 0.0), reps.get("2022-07", 0.0)
    assert fc["ytd"] == pytest.approx(ytd) and fc["ytd_before"] == pytest.approx(before)
    assert fc["pace"] == pytest.approx((ytd - before) / 3, abs=0.01)
    assert fc["forecast"] == pytest.approx(ytd + fc["pace"] * 2, abs=0.01)
    assert fc["needed_monthly"] == pytest.approx((fc["plan"] - ytd) / 2, abs=0.01)
    assert fc["months_left"] == 2 and fc["since"] == "2022-07"
    return fc


def test_project_file_says_the_forecast_and_the_monthly_need(demo_app):
    fc = _behind_project(demo_app)
    at = _page("project_file.py", period=PERIOD, project_code=fc["project_code"])
    assert not at.exception, [e.value for e in at.exception]
    texts = [m.value for m in at.markdown]
    (line,) = [x for x in texts if x.startswith("**按近三月平均进度")]
    share = f"{fc['forecast'] / fc['plan'] * 100:.0f}%"
    assert f"预计年底完成 {fmt_money(fc['forecast'])},为年度计划({fmt_money(fc['plan'])})的 {share}" in line
    assert f"此后每月需完成 {fmt_money(fc['needed_monthly'])}" in line
    assert f"年底还差 {fmt_money(fc['shortfall'])}" in line
    (how,) = [x for x in texts if "近三月月均 =" in x]  # the rule and its inputs, in the expander
    assert f"2022年7月累计 {fmt_money(fc['ytd_before'])}" in how and f"= {fmt_money(fc['pace'])}" in how
    assert "剩余 2 个月" in how


def test_project_outside_the_annual_library_gets_no_forecast(demo_app):
    with store.session_scope(demo_app) as s:
        annual = set(s.scalars(select(ProjectYear.project_code).where(ProjectYear.year == 2022,
                                                                      ProjectYear.library == "annual")))
        other = s.scalar(select(ProjectYear.project_code).where(ProjectYear.year == 2022,
                                                                ProjectYear.project_code.not_in(annual)))
    if other is None:
        pytest.skip("the demo holds no 2022 project outside the annual library")
    with store.session_scope(demo_app) as s:
        assert sprint.project_forecast(s, other, PERIOD) is None
    at = _page("project_file.py", period=PERIOD, project_code=other)
    assert not at.exception
    assert any("不作年底预计" in x.value for x in at.caption)


def test_project_list_has_the_forecast_share_of_plan(demo_app):
    at = _page("project_list.py", period=PERIOD)
    assert not at.exception, [e.value for e in at.exception]
    table = at.dataframe[0].value
    with store.session_scope(demo_app) as s:
        frame = sprint.sprint_frame(s, PERIOD).set_index("project_code")
    shown = table.set_index("项目代码")["年底预计占计划%"]
    assert shown.notna().sum() > 10
    for code, value in shown.dropna().items():
        assert value == round(frame.loc[code, "forecast"] / frame.loc[code, "plan"] * 100), code
