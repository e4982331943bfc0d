"""我的项目 (issue 14 item 9): the campaign office links an account to its 包联领导 / 责任单位 — in
lib (office only, checked, audited), on the accounts page and on the command line — and the
leader's home then shows that leader's projects first. SQLite and PostgreSQL."""
import json

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from lib import store
from lib.access import CLI_ACTOR, Actor, link_choices, links, set_links
from lib.demo import LEADERS
from lib.errors import CockpitError, PermissionDenied
from lib.store.models import AuditLog, Project
from tests.conftest import ROOT, run_cli, use_store

OFFICE = Actor("office", "office")


@pytest.fixture
def demo_app(backend, new_store, tmp_path, monkeypatch):
    """The demo store made THE store of this process (for AppTests and the CLI)."""
    url, drop = new_store(backend, tmp_path, demo=True, name="links")
    eng = use_store(monkeypatch, url)
    yield eng, url
    store.dispose_all()
    drop()


def _trail(s, username):
    return list(s.scalars(select(AuditLog).where(AuditLog.entity == "users", AuditLog.entity_key == username,
                                                 AuditLog.action == "account").order_by(AuditLog.id)))


def test_choices_are_the_projects_names(demo_app):
    eng, _ = demo_app
    with store.session_scope(eng) as s:
        ch = link_choices(s)
        leaders = {n for n in s.scalars(select(Project.leader)) if n}
        units = {n for n in s.scalars(select(Project.unit)) if n}
    assert ch["leader"] == sorted(leaders) and ch["unit"] == sorted(units)
    assert set(ch["leader"]) <= set(LEADERS) and len(ch["unit"]) > 1


def test_office_links_audited_before_and_after(demo_app):
    eng, _ = demo_app
    with store.session_scope(eng) as s:
        unit = link_choices(s)["unit"][0]
        before = links(s, "leader")
        after = set_links(s, OFFICE, "LEADER", LEADERS[3], unit)  # names are compared normalised
    assert after == {"leader_name": LEADERS[3], "unit_name": unit}
    with store.session_scope(eng) as s:
        assert links(s, "leader") == (LEADERS[3], unit)
        (row,) = _trail(s, "leader")
        assert row.username == "office" and row.at is not None
        assert json.loads(row.before) == {"leader_name": before[0], "unit_name": before[1]}
        assert json.loads(row.after) == after
        set_links(s, OFFICE, "leader", None, "")  # both empty: unlinked
    with store.session_scope(eng) as s:
        assert links(s, "leader") == (None, None)
        assert json.loads(_trail(s, "leader")[-1].after) == {"leader_name": None, "unit_name": None}


@pytest.mark.parametrize("actor", [Actor("leader", "leader"), Actor("staff-532923", "staff", "532923")])
def test_only_the_office_and_the_admin_may_link(demo_app, actor):
    eng, _ = demo_app
    with store.session_scope(eng) as s:
        with pytest.raises(PermissionDenied) as err:
            set_links(s, actor, "leader", LEADERS[2])
        assert "包联领导" in str(err.value)
    with store.session_scope(eng) as s:
        assert links(s, "leader") == (LEADERS[0], None) and _trail(s, "leader") == []


@pytest.mark.parametrize("leader, unit, message", [
    ("不存在的领导", None, "项目库中没有包联领导“不存在的领导”"),
    (None, "不存在的单位", "项目库中没有责任单位“不存在的单位”"),
    ("张" * 101, None, "不能超过100个字"),
    (None, "局" * 201, "不能超过200个字"),
    ("张明\x00(副州长)", None, "控制字符"),
    (None, "祥云县\u202e住建局", "控制字符"),
])
def test_bad_names_are_refused_and_change_nothing(demo_app, leader, unit, message):
    eng, _ = demo_app
    with store.session_scope(eng) as s:
        with pytest.raises(CockpitError) as err:
            set_links(s, OFFICE, "leader", leader, unit)
        assert message in str(err.value) and err.value.text("en") != str(err.value)
    with store.session_scope(eng) as s:
        assert links(s, "leader") == (LEADERS[0], None) and _trail(s, "leader") == []


def test_unknown_account_is_refused(demo_app):
    eng, _ = demo_app
    with store.session_scope(eng) as s, pytest.raises(CockpitError, match="nobody"):
        set_links(s, CLI_ACTOR, "nobody", LEADERS[0])


def test_cli_user_link(demo_app):
    eng, url = demo_app
    ok = run_cli("user", "link", "office", "--leader", LEADERS[1], url=url)
    assert ok.returncode == 0, ok.stderr
    assert LEADERS[1] in ok.stdout and "office" in ok.stdout
    bad = run_cli("user", "link", "office", "--unit", "没有这个单位", url=url)
    assert bad.returncode != 0 and "没有责任单位“没有这个单位”" in bad.stderr
    store.dispose_all()
    with store.session_scope(store.get_engine()) as s:
        assert links(s, "office") == (LEADERS[1], None)
        assert _trail(s, "office")[-1].username == "cli"
    assert run_cli("user", "link", "office", url=url).returncode == 0
    store.dispose_all()
    with store.session_scope(store.get_engine()) as s:
        assert links(s, "office") == (None, None)


def _page(name, actor, **state):
    at = AppTest.from_file(str(ROOT / "pages" / name), default_timeout=120)
    at.session_state["actor"] = actor
    for k, v in state.items():
        at.session_state[k] = v
    return at.run()


def test_office_links_on_the_page_and_the_leaders_home_shows_them_first(demo_app):
    eng, _ = demo_app
    from lib.rules.lights import compute_lights

    at = _page("admin.py", OFFICE)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.text_input  # still nothing but unlocking and linking for the office
    at.selectbox(key="admin_link_user").set_value("leader").run()
    leader_box = at.selectbox(key="admin_link_leader_leader")
    assert leader_box.value == LEADERS[0]  # the current link is preselected
    assert set(LEADERS[:4]) <= set(leader_box.options)
    leader_box.set_value(LEADERS[3])
    at.button(key="admin_link_submit").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "已保存 leader 的关联" in at.success[0].value
    table = at.dataframe[0].value
    assert table.loc[table["用户名"] == "leader", "包联领导"].item() == LEADERS[3]
    with store.session_scope(eng) as s:
        assert links(s, "leader") == (LEADERS[3], None)
        assert _trail(s, "leader")[-1].username == "office"
        lights = compute_lights(s, "2022-10")
    mine = lights[lights["leader"] == LEADERS[3]]
    assert len(mine) and len(mine) < len(lights)

    home = _page("overview.py", Actor("leader", "leader", display_name="领导(演示)"), period="2022-10")
    assert not home.exception, [e.value for e in home.exception]
    first = home.dataframe[0].value  # the first table on the home is the leader's own projects
    assert sorted(first["项目名称"]) == sorted(mine["project_name"])
    # the light is the word with its coloured mark, as in the light list (the screenshots showed a bare 红)
    from lib.i18n import enum_label
    from pages._widgets import LIGHT_MARK

    by_name = dict(zip(mine["project_name"], mine["light"]))
    assert [f"{LIGHT_MARK[by_name[n]]} {enum_label('light', by_name[n], 'zh')}" for n in first["项目名称"]] \
        == list(first["综合"])
    assert any(LEADERS[3] in m.value for m in [*home.markdown, *home.caption])


def test_the_admin_sees_the_links_and_may_set_them(demo_app):
    """DESIGN.md: the admin manages accounts and holds every office right, so it links accounts too."""
    eng, _ = demo_app
    at = _page("admin.py", Actor("admin", "admin"))
    assert not at.exception
    table = at.dataframe[0].value
    assert table.loc[table["用户名"] == "leader", "包联领导"].item() == LEADERS[0]
    assert table.loc[table["用户名"] == "admin", "责任单位"].item() == "—"  # not linked: a dash, never None
    at.selectbox(key="admin_link_user").set_value("leader").run()
    at.selectbox(key="admin_link_leader_leader").set_value(LEADERS[2])
    at.button(key="admin_link_submit").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    with store.session_scope(eng) as s:
        assert links(s, "leader") == (LEADERS[2], None)
        assert _trail(s, "leader")[-1].username == "admin"
