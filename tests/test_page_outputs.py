"""AppTest: the 汇报材料 page builds the pack (.pptx, and PDF with LibreOffice) and the 通报 (.docx)
with one click each; only the office sees the template upload; presentation mode is switched by
?present=1 and by the sidebar toggle, and kept in the URL."""
from __future__ import annotations

import io

import pytest
from streamlit.testing.v1 import AppTest

from tests.test_pages import APP, TIMEOUT, demo_store, errors, sign_in  # noqa: F401  (fixture)


def _outputs(user: str) -> AppTest:
    at = sign_in(user)
    at.switch_page("pages/outputs.py").run()
    assert not errors(at)
    return at


def test_office_makes_the_report_and_the_pack(demo_store):  # noqa: F811
    from docx import Document
    from pptx import Presentation

    at = _outputs("office")
    assert at.button(key="ox_make_pack").label == "生成汇报材料"
    at.button(key="ox_make_report").click().run()
    assert not errors(at)
    built = at.session_state["ox_built"]
    doc = Document(io.BytesIO(built["docx"]))
    assert any(p.text == "关于2022年10月重点项目推进情况的通报" for p in doc.paragraphs)
    at.button(key="ox_make_pack").click().run(timeout=600)
    assert not errors(at)
    built = at.session_state["ox_built"]
    prs = Presentation(io.BytesIO(built["pptx"]))
    assert len(prs.slides) >= 12
    import shutil

    if shutil.which("soffice"):
        assert built["pdf"][:4] == b"%PDF"
    else:
        assert built["pdf"] is None and "LibreOffice" in built["pdf_error"]
    assert any("汇报模板" in m.value for m in at.markdown)
    assert [u for u in at.get("file_uploader") if u.proto.label.startswith("上传模板")]


def test_template_drop_zone_speaks_the_users_language_and_names_its_limit(demo_store):  # noqa: F811
    """Streamlit's drop zone is English only: the page draws its own words over it, naming the template's
    own limit (20 MB, lib.outputs.templates) and type, and gives the uploader that limit."""
    from lib.outputs.templates import MAX_BYTES

    at = _outputs("office")
    up = [u for u in at.get("file_uploader") if u.proto.label.startswith("上传模板")][0]
    assert up.proto.max_upload_size_mb == MAX_BYTES // (1024 * 1024) == 20
    css = [h.proto.body for h in at.get("html") if "ck_template_drop" in h.proto.body]
    assert len(css) == 1 and "单个文件不超过 20 MB · PPTX" in css[0] and "上传" in css[0]


def test_leader_sees_no_template_upload(demo_store):  # noqa: F811
    at = _outputs("leader")
    assert not at.get("file_uploader")
    assert any(c.value == "只有项目办可以上传或删除汇报模板" for c in at.caption)


def test_presentation_mode_from_the_url_and_the_toggle(demo_store):  # noqa: F811
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["present"] = "1"
    at.run()
    at.text_input(key="login_user").input("leader")
    at.text_input(key="login_password").input("demo12345")
    at.button(key="login_submit").click().run()
    assert not errors(at)
    assert at.session_state["present"] is True
    assert at.toggle(key="present_toggle").value is True
    assert at.query_params["present"] == ["1"] or at.query_params["present"] == "1"
    assert at.button(key="pm_exit_button").label == "退出汇报模式"
    # the page header is the slide header (no st.info banner, no ## title)
    assert not [m for m in at.markdown if m.value.startswith("## ")]
    at.button(key="pm_exit_button").click().run()
    assert at.session_state["present"] is False
    assert "present" not in at.query_params
    assert [m for m in at.markdown if m.value.startswith("## ")]
    at.toggle(key="present_toggle").set_value(True).run()
    assert at.session_state["present"] is True
    assert at.query_params["present"] in ("1", ["1"])


@pytest.mark.parametrize("title,period,expected", [
    ("<b>各县区</b><br><span>数据截至</span>", "2022-10", "各县区_2022年10月"),
    ("a/b:c?", None, "a_b_c"),
    ("", "2022-01", "chart_2022年1月"),
])
def test_image_filename(title, period, expected):
    from pages._widgets import image_filename

    assert image_filename(title, period) == expected
