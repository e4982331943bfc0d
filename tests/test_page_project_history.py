"""AppTest: the project file's history of changes names each upload and problem move on the project."""
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from lib import store
from lib.access import Actor
from lib.demo import load_demo
from lib.intake.importer import run_import
from lib.intake.templates import rows_csv
from lib.store.models import ProjectYear
from tests.conftest import ROOT

OFFICE = Actor("office", "office")


def test_history_lists_an_upload(app_store):
    with store.session_scope(app_store) as s:
        load_demo(s)
    with store.session_scope(app_store) as s:
        code = s.scalar(select(ProjectYear.project_code).where(ProjectYear.year == 2022, ProjectYear.library == "annual")
                        .order_by(ProjectYear.project_code))
        data = rows_csv("monthly", [{"code": code, "period": "2022-11", "ytd_completed": 1, "started": "是",
                                     "in_stats": "是", "reporter": "王五"}])
        res = run_import(s, "monthly", data, "m.csv", OFFICE)
        assert res.ok, res.errors
    at = AppTest.from_file(str(ROOT / "pages" / "project_file.py"), default_timeout=120)
    at.session_state["actor"] = OFFICE
    at.session_state["period"] = "2022-11"
    at.session_state["project_code"] = code
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    shown = "\n".join(str(d.value.to_dict("list")) for d in at.dataframe)
    # the history names people, not login names: the demo's office account is 项目办(演示)
    assert "上传 · 月报" in shown and "项目办" in shown and "'office'" not in shown


def test_light_history_shows_a_dash_for_a_blank_gap(app_store):
    """A month without a gap (no expected progress) shows "—" in 差距, never "None" or "nan"."""
    from lib.rules import lights

    with store.session_scope(app_store) as s:
        load_demo(s)
    with store.session_scope(app_store) as s:
        codes = s.scalars(select(ProjectYear.project_code).where(ProjectYear.year == 2022, ProjectYear.library == "annual")
                          .order_by(ProjectYear.project_code)).all()
        code, hist = next((c, h) for c in codes for h in [lights.project_history(s, c, 2022, "2022-10")]
                          if len(h) and h["gap_pp"].isna().any() and h["gap_pp"].notna().any())
    at = AppTest.from_file(str(ROOT / "pages" / "project_file.py"), default_timeout=120)
    at.session_state["actor"] = OFFICE
    at.session_state["period"] = "2022-10"
    at.session_state["project_code"] = code
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    table = next(d.value for d in at.dataframe if "差距(百分点)" in d.value.columns)
    gaps = table["差距(百分点)"].tolist()
    assert len(gaps) == len(hist)
    assert gaps == ["—" if g != g else f"{g:+.1f}" for g in hist["gap_pp"]]
    assert "—" in gaps and not any(g is None or g in ("None", "nan") for g in gaps)
