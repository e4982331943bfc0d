"""AppTest: the frame and the cockpit pages on the demo store, checked against lib/.

Signs in through the login form (login_user / login_password / login_submit), switches to every page
and compares what is shown with lib.rules.lights / lib.rules.league / lib.rules.overview.
"""
from __future__ import annotations

import os
import re

import pytest
from streamlit.testing.v1 import AppTest

from lib import store
from tests.conftest import BACKENDS, ROOT

pytestmark = pytest.mark.slow  # AppTests of every page on the demo, on both stores

APP = str(ROOT / "app.py")
PASSWORD = "demo12345"
TIMEOUT = 120


@pytest.fixture(scope="module", params=BACKENDS)
def demo_store(request, tmp_path_factory, new_store):
    """The demo store (a copy of the demo template) on SQLite and on PostgreSQL, made THE store of
    this process for the module's AppTests."""
    url, drop = new_store(request.param, tmp_path_factory.mktemp("pages"), demo=True)
    old = os.environ.get("COCKPIT_DB_URL")
    os.environ["COCKPIT_DB_URL"] = url
    store.dispose_all()
    yield store.get_engine()
    store.dispose_all()
    drop()
    if old is None:
        os.environ.pop("COCKPIT_DB_URL", None)
    else:
        os.environ["COCKPIT_DB_URL"] = old


def _session():
    return store.session_scope(store.get_engine())


def sign_in(user: str = "leader", password: str = PASSWORD) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception, [e.value for e in at.exception]
    at.text_input(key="login_user").input(user)
    at.text_input(key="login_password").input(password)
    at.button(key="login_submit").click().run()
    return at


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.exception]


def metric(at: AppTest, label: str) -> str:
    for m in at.metric:
        if m.label == label:
            return m.value
    raise AssertionError(f"no metric {label}: {[m.label for m in at.metric]}")


def frame_with(at: AppTest, *columns: str):
    """The first st.dataframe shown whose columns include all of ``columns``."""
    for d in at.dataframe:
        df = d.value
        if all(c in df.columns for c in columns):
            return df
    raise AssertionError(f"no table with {columns}: {[list(d.value.columns) for d in at.dataframe]}")


def number(text: str) -> float:
    return float(re.sub(r"[^0-9.\-]", "", text))


def latest(session) -> str:
    from lib.store.queries import latest_period

    return latest_period(session)


# --- the frame -----------------------------------------------------------------------------------------

def test_wrong_password_is_refused(demo_store):
    at = sign_in("leader", "wrong-password")
    assert not errors(at)
    assert at.text_input(key="login_user")  # still on the form
    assert any("用户名或密码不正确" in e.value for e in at.error)
    assert "actor" not in at.session_state


def test_sign_in_keeps_a_token_that_survives_a_reload(demo_store):
    at = sign_in()
    assert not errors(at)
    assert at.session_state["actor"].username == "leader"
    token = at.query_params.get("s")
    assert token
    token = token[0] if isinstance(token, list) else token
    # a reload is a new session with the same URL
    again = AppTest.from_file(APP, default_timeout=TIMEOUT)
    again.query_params["s"] = token
    again.run()
    assert not errors(again)
    assert again.session_state["actor"].username == "leader"
    assert not again.text_input  # no login form
    # a tampered token is refused
    bad = AppTest.from_file(APP, default_timeout=TIMEOUT)
    bad.query_params["s"] = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    bad.run()
    assert bad.text_input(key="login_user")


def test_sign_out_clears_the_session_and_token(demo_store):
    at = sign_in()
    at.button(key="logout_button").click().run()
    assert not errors(at)
    assert "actor" not in at.session_state
    assert "s" not in at.query_params
    assert at.text_input(key="login_user")


def test_overview_cards_match_lib(demo_store):
    from lib.problems import problem_table
    from lib.rules import overview
    from lib.rules.lights import compute_lights, light_counts

    at = sign_in()
    assert not errors(at)
    with _session() as s:
        period = latest(s)
        lights = compute_lights(s, period)
        counts = light_counts(lights)
        from lib.periods import last_day
        summ = overview.summary(lights, problem_table(s, as_of=last_day(period)), period)
    assert at.session_state["period"] == period
    assert number(metric(at, "红灯项目")) == counts["red"]
    assert number(metric(at, "黄灯项目")) == counts["yellow"]
    assert number(metric(at, "绿灯项目")) == counts["green"]
    assert number(metric(at, "灰灯项目")) == counts["gray"]
    assert metric(at, "投资完成率") == f"{summ['rate'] * 100:.1f}%"
    assert metric(at, "年度计划投资") == f"{summ['plan'] / 10000:,.2f}亿元"
    assert number(metric(at, "未销号问题")) == summ["problems_open"]
    assert counts["red"] > 0  # the demo shows every colour
    assert len(at.get("plotly_chart")) == 4


def test_a_card_leads_to_the_list_filtered(demo_store):
    from lib.rules.lights import compute_lights

    at = sign_in()
    at.button(key="card_red").click().run()
    assert not errors(at)
    with _session() as s:
        lights = compute_lights(s, latest(s))
    red = lights[lights["light"] == "red"]
    df = at.dataframe[0].value
    assert len(df) == len(red)
    assert set(df["项目代码"]) == set(red["project_code"])
    assert {v.split()[-1] for v in df["综合"]} == {"红"}  # the word, after its coloured mark (🔴 红)
    assert any(f"当前筛选共 {len(red)} 个项目" in m.value for m in at.markdown)


def test_language_switch_changes_labels(demo_store):
    at = sign_in()
    at.radio(key="lang_select").set_value("en").run()
    assert not errors(at)
    assert at.session_state["lang"] == "en"
    labels = [m.label for m in at.metric]
    assert "Annual plan" in labels and "Red projects" in labels
    assert any("亿元" not in m.value and "100M CNY" in m.value for m in at.metric)


# --- the list -----------------------------------------------------------------------------------------------

def test_list_shows_every_project_and_filters(demo_store):
    from lib.rules.lights import compute_lights

    at = sign_in()
    at.switch_page("pages/project_list.py").run()
    assert not errors(at)
    with _session() as s:
        lights = compute_lights(s, latest(s))
    assert len(at.dataframe[0].value) == len(lights)
    # county from the sidebar is kept on the list
    region = sorted(lights["region_code"].unique())[0]
    at.selectbox(key="region_select").set_value(region).run()
    assert not errors(at)
    assert at.session_state["region_code"] == region
    df = at.dataframe[0].value
    assert len(df) == int((lights["region_code"] == region).sum())
    # a light filter on top
    at.multiselect(key="pl_light").set_value(["yellow"]).run()
    want = lights[(lights["region_code"] == region) & (lights["light"] == "yellow")]
    assert len(at.dataframe[0].value) == len(want)
    # free text
    at.multiselect(key="pl_light").set_value([]).run()
    name = lights[lights["region_code"] == region]["project_name"].iloc[0]
    at.text_input(key="pl_text").input(name).run()
    assert name in set(at.dataframe[0].value["项目名称"])
    assert at.download_button(key="pl_export") is not None


def test_filters_kept_across_pages(demo_store):
    at = sign_in()
    periods_shown = at.selectbox(key="period_select").options
    assert len(periods_shown) > 1
    at.selectbox(key="period_select").set_value("2022-06").run()
    at.switch_page("pages/league.py").run()
    assert at.session_state["period"] == "2022-06"
    at.switch_page("pages/project_list.py").run()
    assert not errors(at)
    assert at.session_state["period"] == "2022-06"
    assert at.selectbox(key="period_select").value == "2022-06"


def test_list_portrait_cards_carry_light_name_reason(demo_store):
    """Issue 14 item 4: one page of cards in the list's order, each with the light word (in its coloured
    chip), the name, the reason and the deciding figures, escaped; a card's button opens the project file."""
    import html

    from lib.i18n import enum_label
    from lib.rules import overview
    from lib.rules.lights import compute_lights
    from pages import _widgets

    with _session() as s:
        lights = overview.sort_projects(compute_lights(s, latest(s)), "light")
    at = sign_in()
    at.session_state["list_view"] = "cards"  # the 表格/卡片 switch: only the chosen view is sent
    at.switch_page("pages/project_list.py").run()
    assert not errors(at)
    cards = [getattr(h.proto, "body", "") for h in at.get("html") if 'class="ck-card"' in getattr(h.proto, "body", "")]
    want = lights.head(_widgets.CARD_ROWS)
    assert len(cards) == len(want) == _widgets.CARD_ROWS  # one page of cards, never the whole list
    for body, (_, row) in zip(cards, want.iterrows()):
        word = enum_label("light", row["light"], "zh")
        assert f">{word}</span>" in body and "ck-card-head" in body
        assert f'<b class="ck-card-title">{html.escape(row["project_name"])}</b>' in body
        assert f"原因:</span>{html.escape(row['reasons'])}" in body
        assert f"完成率 <b>{round(float(row['actual_pct']), 1):.1f}%</b>" in body
    # the first card leads where its row did: the project file of that project
    first = want.iloc[0]
    at.button(key=f"pl_card_open_{_widgets.card_key(first['project_code'])}").click().run()
    assert not errors(at)
    assert f"### {first['project_name']}" in "\n".join(m.value for m in at.markdown)


def test_card_html_escapes_every_text():
    from pages import _widgets

    hostile = '<img src=x onerror="alert(1)">'
    body = _widgets.card_html(hostile, light="red", lead=hostile, chip=(hostile, "#D64545"),
                              lines=[(hostile, hostile)], figures=[(hostile, hostile)], lang="zh")
    assert "<img" not in body
    assert body.count("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;") == 7
    assert ">红</span>" in body  # the light's word, not its colour alone


# --- the project file -------------------------------------------------------------------------------------

def test_project_file_shows_the_project(demo_store):
    from lib.rules.lights import compute_lights
    from lib.store.queries import project_facts

    with _session() as s:
        lights = compute_lights(s, latest(s))
        row = lights[lights["light"] == "red"].iloc[0]
        facts = project_facts(s, row["project_code"])
    at = sign_in()
    at.switch_page("pages/project_list.py").run()
    at.selectbox(key="pl_pick").set_value(row["project_code"]).run()
    at.button(key="pl_open").click().run()
    assert not errors(at)
    text = "\n".join(m.value for m in at.markdown)
    assert f"### {facts['name']}" in text
    assert row["project_code"] in text and facts["region_name"] in text
    assert facts["sector"] in text
    assert "红" in text  # the overall light with its word
    hist = frame_with(at, "报告期", "综合", "进度")
    assert len(hist) == int(latest_month())
    assert hist.iloc[-1]["综合"] == "红"


def latest_month() -> int:
    with _session() as s:
        return int(latest(s)[5:7])


# --- the league ----------------------------------------------------------------------------------------------

def test_league_order_matches_lib(demo_store):
    from lib.rules.league import compute_league

    with _session() as s:
        lg = compute_league(s, latest(s)).sort_values("rank")
    at = sign_in()
    at.switch_page("pages/league.py").run()
    assert not errors(at)
    table = at.dataframe[0].value
    assert list(table["县区"] if "县区" in table.columns else table["名称"]) == list(lg["region_name"])
    assert list(table["名次"]) == list(lg["rank"])
    assert list(table["综合得分"]) == [round(v, 2) for v in lg["score"]]


def test_league_portrait_cards_in_rank_order(demo_store):
    """Issue 14 item 4: each county as a card — light word, rank and name, why the light, 综合得分 and
    名次变化 — in rank order, escaped."""
    import html

    from lib.i18n import enum_label
    from lib.rules.league import compute_league

    with _session() as s:
        lg = compute_league(s, latest(s)).sort_values("rank", kind="stable")
    at = sign_in()
    at.session_state["list_view"] = "cards"  # the 表格/卡片 switch: only the chosen view is sent
    at.switch_page("pages/league.py").run()
    assert not errors(at)
    boxes = [getattr(h.proto, "body", "") for h in at.get("html") if 'class="ck-card-box"' in getattr(h.proto, "body", "")]
    assert len(boxes) == 1  # the county league (leaders and units are drawn on request)
    cards = boxes[0].split('<div class="ck-card-box">')[1:]
    assert len(cards) == min(len(lg), 20)
    for body, (_, row) in zip(cards, lg.iterrows()):
        assert f">{enum_label('light', row['light'], 'zh')}</span>" in body
        assert f'<span class="ck-card-lead">{int(row["rank"])}.</span>' in body
        assert f'<b class="ck-card-title">{html.escape(str(row["region_name"]))}</b>' in body
        assert f"灯色原因:</span>{html.escape(row['light_reason'])}" in body
        assert f"综合得分 <b>{row['score']:.2f}</b>" in body
        change = row["rank_change"]
        word = "持平" if change == 0 else (f"↑{int(change)}" if change > 0 else f"↓{-int(change)}")
        assert f"名次变化 <b>{word}</b>" in body


def test_office_previews_then_saves_weights(demo_store):
    from lib.rules import settings as settings_mod

    at = sign_in("office")
    at.switch_page("pages/league.py").run()
    assert not errors(at)
    at.number_input(key="lg_w_growth").set_value(40.0).run()
    at.button(key="lg_preview").click().run()
    assert not errors(at)
    preview = frame_with(at, "新名次", "新得分")
    assert len(preview) == len(frame_with(at, "名次", "综合得分"))
    with _session() as s:
        assert settings_mod.load(s)["weights"]["growth"] == 20  # not saved by a preview
    at.button(key="lg_save").click().run()
    assert not errors(at)
    with _session() as s:
        assert settings_mod.load(s)["weights"]["growth"] == 40
        from sqlalchemy import select

        from lib.store.models import AuditLog
        rows = s.scalars(select(AuditLog).where(AuditLog.entity == "settings")).all()
        assert any(r.username == "office" for r in rows)
        settings_mod.save(s, __import__("lib.access", fromlist=["Actor"]).Actor("office", "office"),
                          {"weights": {"growth": 20}})


def test_leader_has_no_settings_form(demo_store):
    at = sign_in("leader")
    at.switch_page("pages/league.py").run()
    assert not errors(at)
    assert not [b for b in at.button if b.key == "lg_save"]


def test_league_rank_month_by_month(demo_store):
    from lib.periods import fmt_period
    from lib.rules.league import compute_league

    with _session() as s:
        period = latest(s)
        lg = compute_league(s, period)
        june = compute_league(s, "2022-06")
    at = sign_in()
    at.switch_page("pages/league.py").run()
    at.toggle(key="lg_show_trend").set_value(True).run()
    assert not errors(at)
    wide = frame_with(at, fmt_period(period), fmt_period("2022-06"))
    by_name = wide.set_index("名称")
    for _, row in lg.iterrows():
        assert by_name.loc[row["region_name"], fmt_period(period)] == row["rank"]
    for _, row in june.iterrows():
        assert by_name.loc[row["region_name"], fmt_period("2022-06")] == row["rank"]


@pytest.mark.parametrize("group", ["leader", "unit"])
def test_league_by_leader_and_unit(demo_store, group):
    from lib.rules.league import compute_league

    with _session() as s:
        lg = compute_league(s, latest(s), group_by=group).sort_values("rank", kind="stable")
    at = sign_in()
    at.switch_page("pages/league.py").run()
    at.segmented_control(key="lg_group_by").set_value(group).run()
    assert not errors(at)
    tables = [d.value for d in at.dataframe if "名次" in d.value.columns]
    assert len(tables) == 2
    table = tables[1]
    assert list(table["名称"]) == [str(v) for v in lg["group_name"]]
    assert list(table["名次"].astype("Int64")) == list(lg["rank"].astype("Int64"))


def test_missing_store_shows_how_to_fix(tmp_path, monkeypatch):
    monkeypatch.setenv("COCKPIT_DB_URL", f"sqlite:///{tmp_path / 'none' / 'cockpit.db'}")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not errors(at)
    assert any("数据库不存在" in e.value and "lib.cli init" in e.value for e in at.error)
    assert not at.text_input  # no sign-in form on a missing store
    store.dispose_all()
