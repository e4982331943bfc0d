"""AppTest: 数据上报 as county staff — upload → preview (errors, warnings, changes) → confirm → undo;
the office sees the reporting grid; a leader is refused."""
from __future__ import annotations

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from lib import store
from lib.intake.templates import rows_csv
from lib.store.models import MonthlyReport, UploadBatch
from tests._intake import LEADER, OFFICE, STAFF_A, seed
from tests.conftest import ROOT


@pytest.fixture
def page_store(app_store):
    seed(app_store)
    return app_store


def _run(actor, period="2022-03"):
    at = AppTest.from_file(str(ROOT / "pages" / "upload.py"), default_timeout=60)
    at.session_state["actor"] = actor
    at.session_state["period"] = period
    return at.run()


def _reports(eng):
    with store.session_scope(eng) as s:
        return {(r.project_code, r.period): r.ytd_completed for r in s.scalars(select(MonthlyReport))}


def test_staff_upload_preview_confirm_undo(page_store):
    at = _run(STAFF_A)
    assert not at.exception, at.exception
    assert at.selectbox(key="upload_kind").value == "monthly"
    # staff cannot choose the prefecture-wide kinds
    assert set(at.selectbox(key="upload_kind").options) == {"项目清单", "月报", "月度计划", "问题清单", "前期手续", "集中活动"}

    # 1) a file with an error: listed with its row, nothing written, no confirm button
    bad = rows_csv("monthly", [{"code": "A1", "period": "2022-03", "ytd_completed": "abc"},
                               {"code": "B1", "period": "2022-03", "ytd_completed": 5}], encoding="gbk")
    at.file_uploader(key="upload_file").set_value(("三月.csv", bad, "text/csv")).run()
    assert not at.exception
    assert at.error and "2 处错误" in at.error[0].value
    table = at.dataframe[0].value
    assert list(table["行号"]) == [2, 3]
    assert "不是数字" in table["说明"][0] and "532922" in table["说明"][1]
    assert not [b for b in at.button if b.key == "upload_confirm"]
    assert _reports(page_store) == {}

    # 2) a good file with a warning (A2 lags 20.8 points with no 偏差说明): confirm is disabled until the warning is acknowledged
    good = rows_csv("monthly", [{"code": "A1", "period": "2022-03", "ytd_completed": 300, "month_completed": 250},
                                {"code": "A2", "period": "2022-03", "ytd_completed": 50, "month_completed": 50}])
    at.file_uploader(key="upload_file").set_value(("三月.csv", good, "text/csv")).run()
    assert not at.exception and not at.error
    assert [m.value for m in at.metric] == ["2", "0", "0"]
    assert at.warning and "提醒" in at.warning[0].value
    assert at.button(key="upload_confirm").disabled
    at.checkbox(key="upload_ack").check().run()
    assert not at.button(key="upload_confirm").disabled
    at.button(key="upload_confirm").click().run()
    assert not at.exception
    assert _reports(page_store) == {("A1", "2022-03"): 300.0, ("A2", "2022-03"): 50.0}
    assert at.success and "批次" in at.success[0].value

    # 3) a correction: the preview shows before → after for the changed field
    fix = rows_csv("monthly", [{"code": "A1", "period": "2022-03", "ytd_completed": 320, "month_completed": 270,
                                "variance_note": "征地"},
                               {"code": "A2", "period": "2022-03", "ytd_completed": 50, "month_completed": 50}])
    at.file_uploader(key="upload_file").set_value(("三月改.csv", fix, "text/csv")).run()
    assert [m.value for m in at.metric] == ["0", "1", "1"]
    changes = [d.value for d in at.dataframe if "修改前" in d.value.columns][0]
    row = changes[changes["字段"] == "本年累计完成投资(万元)"].iloc[0]
    assert (row["修改前"], row["修改后"]) == ("300", "320")
    note = changes[changes["字段"] == "偏差说明"].iloc[0]
    assert (note["修改前"], note["修改后"]) == ("", "征地")
    if at.checkbox:
        at.checkbox(key="upload_ack").check().run()
    at.button(key="upload_confirm").click().run()
    assert _reports(page_store)[("A1", "2022-03")] == 320.0

    # 4) undo the correction from the history: the first upload's values come back exactly
    with store.session_scope(page_store) as s:
        last = s.scalars(select(UploadBatch).order_by(UploadBatch.id.desc())).first().id
    assert at.selectbox(key="upload_undo_pick").value == last
    at.button(key="upload_undo").click().run()
    # nothing is undone before the confirmation, which names the batch
    assert _reports(page_store)[("A1", "2022-03")] == 320.0
    assert any(f"#{last}" in w.value for w in at.warning)
    assert at.button(key="upload_undo_yes").proto.label == f"确认撤销 #{last}"
    at.button(key="upload_undo_yes").click().run()
    assert not at.exception and not at.error
    assert at.success and f"已撤销批次 {last}" in at.success[0].value
    assert _reports(page_store) == {("A1", "2022-03"): 300.0, ("A2", "2022-03"): 50.0}
    hist = [d.value for d in at.dataframe if "批次" in d.value.columns][0]
    assert hist[hist["批次"] == last]["状态"].iloc[0].startswith("已撤销")


def test_template_downloads_and_prefill_caption(page_store):
    at = _run(STAFF_A)
    labels = [b.proto.label for b in at.get("download_button")]
    assert any("Excel" in x for x in labels) and any("CSV" in x for x in labels)
    assert any("预填 3 个年度建设项目" in cap.value for cap in at.caption)


def test_office_sees_reporting_grid(page_store):
    from tests._intake import do_import

    do_import(page_store, "monthly", rows_csv("monthly", [{"code": "A1", "period": "2022-03", "ytd_completed": 1}]))
    at = _run(OFFICE)
    assert not at.exception
    assert "县区、县区目标和县区统计" not in "".join(e.value for e in at.error)
    assert set(at.selectbox(key="upload_kind").options) >= {"县区", "县区目标", "县区统计"}
    grid = [d.value for d in at.dataframe if "3月" in getattr(d.value, "columns", [])]
    assert grid, "reporting grid missing"
    g = grid[0].data if hasattr(grid[0], "data") else grid[0]
    # uploaded today for March 2022: after 10 April 2022, so late (⏰); ytd 1 lags with no note (⚑)
    assert g.loc["大理市", "3月"] == "1/3 ✗ ⏰1 ⚑1" and g.loc["漾濞县", "3月"] == "0/2 ✗"


def test_leader_is_refused(page_store):
    at = _run(LEADER)
    assert not at.exception
    assert at.warning and "没有上传数据的权限" in at.warning[0].value
    assert not at.get("file_uploader")


def test_problem_preview_shows_the_numbers_new_problems_get(page_store):
    from tests._intake import STAFF_A as STAFF_ACTOR

    rows = [{"id": "DL-2022-015", "code": "A1", "category": "用地", "description": "用地预审未批复", "raised_on": "2022-03-01"},
            {"id": None, "code": "A1", "category": "资金", "description": "专项债未到位", "raised_on": "2022-03-02"}]
    at = _run(STAFF_ACTOR)
    at.selectbox(key="upload_kind").set_value("problems").run()
    at.file_uploader(key="upload_file").set_value(("问题.csv", rows_csv("problems", rows), "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    new = next(d.value for d in at.dataframe if "编号" in list(d.value.columns))
    assert list(new["编号"]) == ["DL-2022-015", "Q-000001"]  # the office's own number kept, a blank numbered
    assert any("Q-000001(新问题,系统编号)" in m.value for m in at.markdown)


def test_errors_and_new_problem_numbers_in_english(page_store):
    """The same bad file as in Chinese: the rows, columns and values as in the file, the messages in
    English (issue 9 item 5); a new problem's preview label is English too."""
    at = AppTest.from_file(str(ROOT / "pages" / "upload.py"), default_timeout=60)
    at.session_state["actor"] = STAFF_A
    at.session_state["period"] = "2022-03"
    at.session_state["lang"] = "en"
    at.run()
    bad = rows_csv("monthly", [{"code": "A1", "period": "2022-03", "ytd_completed": "abc"},
                               {"code": "B1", "period": "2022-03", "ytd_completed": 5}], encoding="gbk")
    at.file_uploader(key="upload_file").set_value(("march.csv", bad, "text/csv")).run()
    assert not at.exception
    assert at.error and "2 error(s)" in at.error[0].value
    table = at.dataframe[0].value
    assert list(table["Row"]) == [2, 3] and list(table["Value"]) == ["abc", "B1"]
    assert list(table["Column"]) == ["本年累计完成投资(万元)", "项目代码"]  # the headers the file has
    assert list(table["Message"]) == [
        "“abc” is not a number",
        "Project B1 is in county 532922; you report for county 532901 and may upload only its data"]

    rows = [{"id": None, "code": "A1", "category": "资金", "description": "专项债未到位", "raised_on": "2022-03-02"}]
    at.selectbox(key="upload_kind").set_value("problems").run()
    at.file_uploader(key="upload_file").set_value(("problems.csv", rows_csv("problems", rows), "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Q-000001 (new problem, system number)" in m.value for m in at.markdown)
