"""Issue 14, the touch-tablet polish: the upload drop zone's words, changes of zero, the audit trail as
people read it, one list view sent (表格/卡片), no faded pinned columns.

Unit tests and AppTests; the browser checks are in tests/browser/test_tablet_polish_browser.py.
"""
from __future__ import annotations

import json
import re
import tomllib

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from lib import store
from lib.access import Actor
from lib.changes import change_sign, fmt_change
from lib.i18n import fmt_money, fmt_pp
from lib.store import audit
from tests.conftest import ROOT

# --- 1 the drop zone --------------------------------------------------------------------------------


def test_dropzone_words_name_the_real_limit_and_types_in_both_languages():
    from lib.intake.limits import MAX_UPLOAD_BYTES
    from pages import _widgets

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] * 1024 * 1024 == MAX_UPLOAD_BYTES == _widgets.UPLOAD_MB * 1024 * 1024
    zh, en = _widgets.dropzone_css("zh"), _widgets.dropzone_css("en")
    assert 'content: "单个文件不超过 50 MB · CSV、XLSX、TXT"' in zh
    assert 'content: "上传"' in zh and 'content: "把文件拖放到这里"' in zh
    assert 'content: "Up to 50 MB per file · CSV, XLSX, TXT"' in en and 'content: "Upload"' in en
    for css in (zh, en):  # the English is kept (size 0, still in the page), never removed from it
        assert "display: none" not in css and "visibility" not in css
        assert css.count("font-size: 0 !important") == 3


def _page(page: str, user: str, state: dict | None = None) -> AppTest:
    """The page file run on its own (AppTest) as ``user`` at 2022-10, with ``state`` set first."""
    at = AppTest.from_file(str(ROOT / "pages" / page), default_timeout=120)
    at.session_state["actor"] = Actor(user, user)
    at.session_state["period"] = "2022-10"
    for k, v in (state or {}).items():
        at.session_state[k] = v
    return at.run()


def test_css_strings_cannot_leave_their_quotes():
    from pages._widgets import _css_string

    assert _css_string('a"b\\c</style>\n') == '"a\\22 b\\5C c\\3C /style\\3E \\A "'


def test_upload_page_draws_the_uploader_with_the_limit_and_our_words(app_store):
    at = _page("upload.py", "office")
    assert not at.exception
    bodies = [h.proto.body for h in at.get("html")]
    assert any('content: "单个文件不超过 50 MB · CSV、XLSX、TXT"' in b for b in bodies)
    uploader = at.get("file_uploader")[0].proto
    assert uploader.max_upload_size_mb == 50 and list(uploader.type) == [".csv", ".xlsx", ".txt"]


# --- 2 changes of zero ---------------------------------------------------------------------------------


def test_fmt_change_zero_is_a_word_never_an_arrow_or_a_sign():
    assert fmt_change(0) == "持平" and fmt_change(0, "en") == "no change"
    assert fmt_change(0, arrow=True) == "持平" and fmt_change(-0.0) == "持平"
    assert fmt_change(3) == "+3" and fmt_change(-2) == "−2"
    assert fmt_change(2, arrow=True) == "↑2" and fmt_change(-1, arrow=True) == "↓1"
    for unknown in (None, float("nan"), pd.NA):
        assert fmt_change(unknown) == "—" and change_sign(unknown) is None
    money = lambda m: fmt_money(m)
    assert fmt_change(0.3, fmt=money) == "持平" and change_sign(0.3, money) == 0  # shows as 0万元
    assert fmt_change(-12345, fmt=money) == "−1.23亿元"
    pp = lambda m: fmt_pp(m).lstrip("+")
    assert fmt_change(0.04, fmt=pp) == "持平" and fmt_change(1.25, fmt=pp) == "+1.2个百分点"


def test_metric_delta_sets_arrow_and_colour_from_the_number():
    from pages._widgets import metric_delta

    assert metric_delta(0) == {"delta": "持平", "delta_arrow": "off", "delta_color": "off"}
    assert metric_delta(3) == {"delta": "+3", "delta_arrow": "up", "delta_color": "green"}
    # a fall written with a real minus sign: Streamlit alone would give it a green ↑
    assert metric_delta(-1234, fmt=lambda m: fmt_money(m)) == {"delta": "−1,234万元", "delta_arrow": "down",
                                                                "delta_color": "red"}
    assert metric_delta(2, better="down")["delta_color"] == "red"  # more red projects is bad
    assert metric_delta(2, better=None)["delta_color"] == "off"
    assert metric_delta(None)["delta"] is None


def test_no_page_or_output_writes_a_change_by_hand():
    """Every ↑/↓ and every signed change goes through lib.changes.fmt_change (one helper)."""
    hand = re.compile(r"""["']↑["']|["']↓["']|f["']↑|f["']↓|\{v:\+d\}""")
    found = [f"{p.relative_to(ROOT)}:{i}" for p in [*ROOT.glob("pages/*.py"), *ROOT.glob("lib/**/*.py")]
             for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if hand.search(line) and p.name != "changes.py"]
    assert not found, found


# --- 3 the audit trail as people read it ----------------------------------------------------------------


def test_describe_names_fields_and_formats_values():
    after = {"action": "raise", "project_code": "P1", "category": "land", "raised_on": "2022-10-03",
             "deadline": None, "satisfied": False, "supervise_count": 0, "status": "pending"}
    text = audit.describe(json.dumps(after, ensure_ascii=False), "zh", "problems")
    assert text == ("动作: 提出;项目代码: P1;问题类型: 用地;提出日期: 2022年10月3日;解决时限: —;企业满意: 否;"
                    "督办次数: 0;状态: 待交办")
    assert audit.describe({"ytd_completed": 1234.5, "period": "2022-10", "annual_plan": 20000}, "zh", "monthly") \
        == "本年累计完成投资: 1,234.50万元;报告期: 2022年10月;年度计划投资: 20,000万元"
    assert audit.describe({"result": "ok", "address": "10.0.0.1"}, "en", "users") == "Result: OK; Address: 10.0.0.1"
    assert audit.describe({"created_at": "2022-10-03 14:05:06", "role": "staff"}, "zh", "users") \
        == "创建时间: 2022年10月3日 14:05;角色: 县区填报员"
    assert audit.describe({"growth": 25}, "zh", "settings") == "固投增速: 25"
    assert audit.describe(-12.5, "zh", "settings", key="progress_yellow_gap").endswith(": -12.5")
    assert audit.describe({"odd_key": 1}, "zh") == "odd_key: 1"  # no label: the key
    assert audit.describe(None) == audit.describe(float("nan")) == "" and audit.describe("not json") == "not json"


def test_describe_keeps_hostile_text_as_one_line_of_text():
    text = audit.describe({"description": '<img src=x onerror="alert(1)">\n=1+1 $x^2$'}, "zh", "problems")
    assert text == '问题描述: <img src=x onerror="alert(1)"> =1+1 $x^2$'  # the table cell shows it as text


@pytest.fixture
def audit_rows(app_store):
    with store.session_scope(app_store) as s:
        audit.record(s, "office", "problem", "problems", "7", None,
                     {"action": "raise", "description": "=HYPERLINK(\"http://evil.example\")", "raised_on": "2022-10-03"})
        audit.record(s, "office", "setting", "settings", "weights", {"growth": 20}, {"growth": 25})
    return app_store


def test_audit_page_shows_fields_not_json_and_exports_safely(audit_rows):
    from lib.outputs.excel import csv_bytes, safe_frame

    at = _page("audit.py", "office")
    assert not at.exception
    df = at.dataframe[0].value
    cells = list(df["修改前"]) + list(df["修改后"])
    assert not [c for c in cells if c.startswith(("{", "[", '"'))], cells  # no raw JSON
    assert "动作: 提出;问题描述: =HYPERLINK(\"http://evil.example\");提出日期: 2022年10月3日" in cells
    assert "nan" not in cells and "" in cells  # nothing before a new problem
    assert "固投增速: 20" in cells and "固投增速: 25" in cells
    cols = json.loads(at.dataframe[0].proto.columns)
    assert all(cols.get(name, {}).get("type_config", {}).get("type") in (None, "text") for name in ("修改前", "修改后"))
    # the exports stay formula-safe: a cell that starts a formula is made inert
    hostile = pd.DataFrame({"v": ['=HYPERLINK("http://evil.example")']})
    assert not safe_frame(hostile)["v"][0].startswith("=")
    assert b'\n"=HYPERLINK' not in csv_bytes(hostile)


# --- 4 one list view sent --------------------------------------------------------------------------------


def _list_page(page: str, state: dict | None = None) -> AppTest:
    return _page(page, "leader", state)


def _sent(at: AppTest) -> tuple[int, int]:
    """(tables, cards) sent to the browser."""
    cards = sum(1 for h in at.get("html") if 'class="ck-card' in h.proto.body)
    return len(at.dataframe), cards


@pytest.mark.slow
def test_a_list_sends_only_the_chosen_view(demo_engine, monkeypatch):
    from tests.conftest import use_store

    use_store(monkeypatch, demo_engine.url.render_as_string(hide_password=False))
    at = _list_page("project_list.py")  # no recorded orientation: the table
    assert not at.exception
    tables, cards = _sent(at)
    assert tables >= 1 and cards == 0
    at.get("button_group")[0].set_value("cards").run()  # 卡片
    assert not at.exception
    tables, cards = _sent(at)
    assert tables == 0 and cards >= 1
    assert at.session_state["list_view"] == "cards"
    lg = _list_page("league.py", {"list_view": "cards"})  # the session's choice holds on every list
    assert not lg.exception
    assert not [d for d in lg.dataframe if "名次变化" in d.value.columns]
    assert any('class="ck-card-box"' in h.proto.body for h in lg.get("html"))


def test_a_recorded_portrait_screen_opens_the_lists_as_cards(monkeypatch):
    from pages import _widgets

    class Ctx:
        cookies = {"ck_orient": "portrait"}

    monkeypatch.setattr(_widgets.st, "context", Ctx())
    assert _widgets.recorded_portrait()
    Ctx.cookies = {"ck_orient": "landscape"}
    assert not _widgets.recorded_portrait()


def test_the_frame_records_the_orientation_and_hides_no_list():
    from pages import _frame

    assert "ck_orient=" in _frame.PORTRAIT_JS and "matchMedia" in _frame.PORTRAIT_JS
    assert "st-key-ck_portrait_" not in _frame.TABLET_CSS and "st-key-ck_landscape_" not in _frame.TABLET_CSS


# --- 5 pinned names that read -------------------------------------------------------------------------------


def test_lists_pin_their_names_and_the_text_colour_survives_the_fade():
    """The lists keep the row's name in view (pinned), and Streamlit 1.67 draws a pinned column at 60 %
    opacity: the theme's text colour must stay at least 4.5:1 on white once faded (WCAG AA)."""
    import tomllib

    src = {p.name: p.read_text(encoding="utf-8") for p in ROOT.glob("pages/*.py")}
    assert 'col_name", lang): st.column_config.TextColumn(width="medium", pinned=True)' in src["project_list.py"]
    assert 'lg_group", lang): st.column_config.TextColumn(pinned=True)' in src["league.py"]
    assert 'L("pb_col_project"): st.column_config.TextColumn(width="medium", pinned=True)' in src["problems.py"]
    theme = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))["theme"]
    rgb = [int(theme["textColor"][i:i + 2], 16) for i in (1, 3, 5)]
    faded = [0.6 * c + 0.4 * 255 for c in rgb]
    assert contrast_on_white(faded) >= 4.5, (theme["textColor"], contrast_on_white(faded))
    assert contrast_on_white([0.6 * c + 0.4 * 255 for c in (0x1D, 0x24, 0x30)]) < 4.5  # the old colour faded


def contrast_on_white(rgb) -> float:
    def lin(c):
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    lum = 0.2126 * lin(rgb[0]) + 0.7152 * lin(rgb[1]) + 0.0722 * lin(rgb[2])
    return 1.05 / (lum + 0.05)
