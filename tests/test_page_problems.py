"""AppTest: the 问题销号 page. County staff raise, assign and submit; the office returns, supervises,
escalates and accepts; after each move the store's history is checked. Other roles see only their moves."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from lib import problems as P
from lib import store
from lib.access import Actor
from lib.store.models import Problem, ProblemEvent, Project, Region
from tests.conftest import ROOT

STAFF = Actor("staff-532901", "staff", "532901")
STAFF_B = Actor("staff-532922", "staff", "532922")
OFFICE = Actor("office", "office")
LEADER = Actor("leader", "leader")


@pytest.fixture
def page_store(app_store):
    eng = app_store
    with store.session_scope(eng) as s:
        s.add_all([Region(code="532901", name="大理市", display_order=1),
                   Region(code="532922", name="漾濞县", display_order=2)])
        s.add_all([Project(code="P1", name="海东综合管廊", region_code="532901", sector="市政",
                           total_investment=50000),
                   Project(code="P2", name="核桃产业园", region_code="532922", sector="产业",
                           total_investment=20000)])
        s.flush()
        # an overdue problem of the other county, for the figures and the 督办单
        old = P.raise_problem(s, OFFICE, "P2", "funds", "专项债资金缺口", "2022-03-01", unit="漾濞县财政局",
                              leader="张副县长", person="赵敏", measures="争取调度资金", deadline="2022-04-30")
        P.apply(s, OFFICE, old.id, "assign")
    return eng


def page(actor, period="2022-06", view=None):
    at = AppTest.from_file(str(ROOT / "pages" / "problems.py"), default_timeout=60)
    at.session_state["actor"] = actor
    if view:
        at.session_state["list_view"] = view  # the 表格/卡片 switch (only the chosen view is sent)
    at.session_state["period"] = period
    at.session_state["region_code"] = None
    at.session_state["lang"] = "zh"
    return at.run()


def ok(at):
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


def history(eng, pid):
    with store.session_scope(eng) as s:
        return [(e.action, e.from_status, e.to_status, e.username, e.note) for e in s.scalars(
            select(ProblemEvent).where(ProblemEvent.problem_id == pid).order_by(ProblemEvent.id))]


def problem(eng, pid):
    with store.session_scope(eng) as s:
        return s.get(Problem, pid)


def act(at, pid, action, note=None, **fields):
    at.radio(key=f"pb_action_{pid}").set_value(action).run()
    for key, value in fields.items():
        widget = {"deadline": at.date_input, "closed": at.date_input, "sat": at.radio}.get(key, None)
        if key in ("closed", "sat"):
            widget(key=f"pb_f_{key}_{pid}_{action}").set_value(value)
        elif key == "deadline":
            at.date_input(key=f"pb_f_deadline_{pid}").set_value(value)
        elif key == "measures":
            at.text_area(key=f"pb_f_measures_{pid}").set_value(value)
        else:
            at.text_input(key=f"pb_f_{key}_{pid}").set_value(value)
    if note is not None:
        at.text_area(key=f"pb_f_note_{pid}_{action}").set_value(note)
    return at.button(key=f"pb_do_{pid}_{action}").click().run()


def test_page_draws_figures_title_legend(page_store):
    at = page(LEADER)
    ok(at)
    assert any("问题销号" in m.value for m in at.markdown)
    assert any("数据截至" in cap.value for cap in at.caption) and any("图例" in cap.value for cap in at.caption)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["提出问题"] == "1个" and metrics["逾期未销号"] == "1个" and metrics["销号率"] == "0.0%"
    # leader: may only 督办 on an open problem; cannot raise
    assert at.radio(key="pb_action_1").options == ["督办"]
    assert any("不能提出问题" in i.value for i in at.info)
    assert at.get("download_button")  # the 督办单 is offered for the overdue unit


def test_staff_raise_assign_submit_then_office_return_supervise_escalate_accept(page_store):
    eng = page_store
    at = page(STAFF)
    ok(at)
    assert at.selectbox(key="pb_new_project").options == ["海东综合管廊(P1)"]  # own county only
    at.selectbox(key="pb_new_category").set_value("land")
    at.text_area(key="pb_new_desc").set_value("二期用地指标未落实")
    at.date_input(key="pb_new_raised").set_value(dt.date(2022, 5, 10))
    at.button(key="pb_new_submit").click().run()
    ok(at)
    with store.session_scope(eng) as s:
        pid = s.scalar(select(Problem.id).where(Problem.project_code == "P1"))
    assert history(eng, pid) == [("raise", None, "pending", "staff-532901", "二期用地指标未落实")]
    number = problem(eng, pid).number
    assert number == "Q-000002"  # a problem raised on the page gets the next system number
    assert at.selectbox(key="pb_pick").value == number
    assert at.radio(key=f"pb_action_{pid}").options == ["交办", "进展", "提级"]

    # assign without all five: refused with the missing ones named; nothing written
    at = act(at, pid, "assign", unit="大理市自然资源局", leader="王副市长")
    assert at.error and "缺少:责任人、解决措施、解决时限" in at.error[0].value
    assert problem(eng, pid).status == "pending" and len(history(eng, pid)) == 1

    at = act(at, pid, "assign", person="李建华", measures="5月底前完成用地报批", deadline=dt.date(2022, 5, 31))
    ok(at)
    p = problem(eng, pid)
    assert (p.status, p.unit, p.person, p.deadline) == ("assigned", "大理市自然资源局", "李建华", dt.date(2022, 5, 31))
    assert history(eng, pid)[-1][:4] == ("assign", "pending", "assigned", "staff-532901")

    at = act(at, pid, "start")
    ok(at)
    at = act(at, pid, "submit", closed=dt.date(2022, 6, 5), sat=True)
    ok(at)
    p = problem(eng, pid)
    assert (p.status, p.closed_on, p.satisfied) == ("closure_requested", dt.date(2022, 6, 5), True)
    assert [h[0] for h in history(eng, pid)] == ["raise", "assign", "start", "submit"]
    # staff may not 销号 their own problem
    assert "销号" not in at.radio(key=f"pb_action_{pid}").options

    # the office
    at = page(OFFICE)
    ok(at)
    at.selectbox(key="pb_pick").set_value(number).run()
    assert at.radio(key=f"pb_action_{pid}").options == ["进展", "销号", "退回", "督办", "提级"]
    at = act(at, pid, "return", note="")  # a return needs a note
    assert at.error and "必须填写说明" in at.error[0].value
    assert problem(eng, pid).status == "closure_requested"
    at = act(at, pid, "return", note="佐证材料不全,请补充用地批复")
    ok(at)
    assert problem(eng, pid).status == "in_progress"
    assert history(eng, pid)[-1] == ("return", "closure_requested", "in_progress", "office",
                                     "佐证材料不全,请补充用地批复")
    at = act(at, pid, "supervise", note="请于6月20日前办结")
    ok(at)
    assert problem(eng, pid).supervise_count == 1 and history(eng, pid)[-1][0] == "supervise"
    at = act(at, pid, "escalate", note="需市级协调用地指标")
    ok(at)
    assert problem(eng, pid).level == "city"
    assert history(eng, pid)[-1][4] == "县级→市级:需市级协调用地指标"
    at = act(at, pid, "submit", closed=dt.date(2022, 6, 18), sat=True)
    ok(at)
    at = act(at, pid, "accept", closed=dt.date(2022, 6, 18), sat=True)
    ok(at)
    p = problem(eng, pid)
    assert (p.status, p.closed_on, p.satisfied) == ("closed", dt.date(2022, 6, 18), True)
    assert [h[0] for h in history(eng, pid)] == ["raise", "assign", "start", "submit", "return", "supervise",
                                                 "escalate", "submit", "accept"]
    # a closed problem offers no move, and the figures count it
    assert any("没有可办理的操作" in cap.value for cap in at.caption)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["已销号"] == "1个" and metrics["销号率"] == "50.0%"


def test_staff_of_another_county_sees_but_cannot_act(page_store):
    at = page(STAFF_B)
    ok(at)
    at = page(STAFF)  # staff of 532901 looking at the 漾濞县 problem
    ok(at)
    assert at.selectbox(key="pb_pick").value == "Q-000001"
    assert any("没有可办理的操作" in cap.value for cap in at.caption)


def test_english_labels(page_store):
    at = AppTest.from_file(str(ROOT / "pages" / "problems.py"), default_timeout=60)
    at.session_state["actor"] = OFFICE
    at.session_state["period"] = "2022-06"
    at.session_state["lang"] = "en"
    at.run()
    ok(at)
    assert "Closure rate" in [m.label for m in at.metric]
    assert any("Problem closure" in m.value for m in at.markdown)


def test_as_of_and_overdue_filter(page_store):
    eng = page_store
    with store.session_scope(eng) as s:  # a second, on-time problem in the other county
        P.raise_problem(s, OFFICE, "P1", "other", "施工便道未贯通", "2022-04-01")
    at = page(OFFICE)
    ok(at)
    assert {m.label: m.value for m in at.metric}["提出问题"] == "2个"
    at.checkbox(key="pb_f_overdue").check().run()
    ok(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["提出问题"] == "1个" and metrics["逾期未销号"] == "1个"
    # the deadline (2022-04-30) itself is not overdue; the day after is, by 1 day
    at.date_input(key="pb_as_of").set_value(dt.date(2022, 4, 30)).run()
    ok(at)
    assert {m.label: m.value for m in at.metric}["提出问题"] == "0个"
    at.date_input(key="pb_as_of").set_value(dt.date(2022, 5, 1)).run()
    ok(at)
    assert {m.label: m.value for m in at.metric}["逾期未销号"] == "1个"
    assert "逾期1天" in at.selectbox(key="pb_pick").options[0]
    # a later as-of widens the raised-between range with it: a problem raised after the first
    # as-of still shows
    with store.session_scope(eng) as s:
        P.raise_problem(s, OFFICE, "P2", "funds", "配套资金未到位", "2022-07-15", deadline="2022-07-20",
                        unit="漾濞县财政局", leader="张副县长", person="赵敏", measures="调度")
    at.checkbox(key="pb_f_overdue").uncheck()
    at.date_input(key="pb_as_of").set_value(dt.date(2022, 8, 31)).run()
    ok(at)
    assert {m.label: m.value for m in at.metric}["提出问题"] == "3个"


def test_raise_form_prefilled_from_a_light_draft(page_store):
    draft = P.draft_from_light({"project_code": "P1", "project_name": "海东综合管廊", "light": "red",
                                "progress": "red", "unit": "大理市住建局",
                                "reasons_by_dim": {"progress": "投资完成率20.0%,序时进度50.0%,滞后30.0个百分点"}},
                               raised_on="2022-06-30")
    at = AppTest.from_file(str(ROOT / "pages" / "problems.py"), default_timeout=60)
    at.session_state["actor"] = STAFF
    at.session_state["period"] = "2022-06"
    at.session_state["problem_draft"] = draft
    at.run()
    ok(at)
    assert any("已根据红黄灯原因预填" in i.value for i in at.info)
    assert "滞后30.0个百分点" in at.text_area(key="pb_new_desc").value
    assert at.selectbox(key="pb_new_category").value == "construction"
    assert at.text_input(key="pb_new_unit").value == "大理市住建局"
    at.button(key="pb_new_submit").click().run()
    ok(at)
    with store.session_scope(page_store) as s:
        p = s.scalar(select(Problem).where(Problem.project_code == "P1"))
        assert p.category == "construction" and p.unit == "大理市住建局" and "红灯" in p.description
    assert "problem_draft" not in at.session_state


def test_portrait_cards_carry_number_project_overdue_description_state(page_store):
    """Issue 14 item 4: the list as cards (shown on a portrait screen) — number, project, 逾期N天,
    description, state — most urgent first and escaped; a card's 办理 opens that problem as a row does."""
    import html

    hostile = '<img src=x onerror="alert(1)">拆迁未完成'
    with store.session_scope(page_store) as s:
        s.add(Project(code="P3", name="<b>滨海</b>大道", region_code="532901", sector="交通",
                         total_investment=9000))
        s.flush()
        fresh = P.raise_problem(s, OFFICE, "P3", "land", hostile, "2022-06-01")
        fresh_pk, fresh_no = fresh.id, str(fresh.number)
        old_no = str(s.scalars(select(Problem).where(Problem.project_code == "P2")).one().number)
    at = page(OFFICE, view="cards")
    ok(at)
    assert not [d for d in at.dataframe if "问题描述" in d.value.columns]  # the table is not sent as well
    cards = [h.proto.body for h in at.get("html") if 'class="ck-card"' in h.proto.body]
    assert len(cards) == 2
    first, second = cards  # the overdue one first, as in the table
    assert f'<span class="ck-card-lead">#{html.escape(old_no)}</span>' in first
    assert '<b class="ck-card-title">核桃产业园</b>' in first
    assert "逾期" in first and "天</span>" in first
    assert "问题描述:</span>专项债资金缺口" in first
    assert "状态 <b>已交办</b>" in first and "责任单位 <b>漾濞县财政局</b>" in first
    # stored text is escaped: no tag of it reaches the browser
    assert "<img" not in second and "<b>滨海" not in second
    assert f"问题描述:</span>{html.escape(hostile)}" in second
    assert f'<b class="ck-card-title">{html.escape("<b>滨海</b>大道")}</b>' in second
    assert "逾期" not in second  # not overdue: no flag
    # 办理 on the card opens that problem in the 办理 tab
    at.button(key=f"pb_card_open_{fresh_pk}").click().run()
    ok(at)
    assert at.selectbox(key="pb_pick").value == fresh_no
    assert at.session_state["pb_tab"] == "办理"


def test_pick_search_reaches_a_problem_the_filters_hide(page_store):
    """办理: the picker lists the filter's most urgent problems; the search finds any problem of the
    county by its number or its project (code or name), whatever the list's other filters say."""
    eng = page_store
    with store.session_scope(eng) as s:
        P.raise_problem(s, OFFICE, "P1", "other", "施工便道未贯通", "2022-04-01")
    with store.session_scope(eng) as s:  # the numbers the page shows
        table = P.problem_table(s, as_of=dt.date(2022, 6, 30))
        pids = dict(zip(table["project_code"], table["problem_id"].astype(str)))
    assert len(pids) == 2
    at = page(OFFICE)
    ok(at)
    at.checkbox(key="pb_f_overdue").check().run()  # the list keeps only P2's overdue problem
    ok(at)
    assert [o.split()[0] for o in at.selectbox(key="pb_pick").options] == [pids["P2"]]
    for text in ("海东", "p1", pids["P1"]):  # name, code (any case), number
        at.text_input(key="pb_pick_find").input(text).run()
        ok(at)
        assert [o.split()[0] for o in at.selectbox(key="pb_pick").options] == [pids["P1"]], text
        assert at.selectbox(key="pb_pick").value == pids["P1"]
        assert any("找到 1 个" in cap.value for cap in at.caption)
    at.text_input(key="pb_pick_find").input("没有这个项目").run()
    ok(at)
    assert all(sb.key != "pb_pick" for sb in at.selectbox)
    assert any("没有编号或项目含此文字" in i.value for i in at.info)
    at.text_input(key="pb_pick_find").input("").run()  # the search cleared: the filter's list again
    ok(at)
    assert [o.split()[0] for o in at.selectbox(key="pb_pick").options] == [pids["P2"]]


def test_detail_shows_a_dash_for_facts_not_known_yet(page_store):
    """办理 of an open problem: 办结日期 and 企业满意 are not known yet and read as a dash (the
    issue 14 screenshots showed them as nothing after the colon); known facts read as they are."""
    at = page(OFFICE)
    ok(at)
    detail = next(m.value for m in at.markdown if "**办结日期**" in m.value)
    lines = dict(line[2:].split(":", 1) for line in detail.splitlines())
    assert lines["**办结日期**"] == "—" and lines["**企业满意**"] == "—"
    assert lines["**责任单位**"] == "漾濞县财政局" and lines["**状态**"] == "已交办"
    assert "None" not in detail and "nan" not in detail
