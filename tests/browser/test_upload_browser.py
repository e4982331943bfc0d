"""Chromium: county staff upload a GBK CSV monthly report on 数据上报 and read the preview — a row of
another county is refused with its row number; a clean file previews, imports and lands in the store."""
import csv
import io
import re
import sqlite3

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import APP, MAIN, goto_page, sign_in, wait_app_idle

pytestmark = pytest.mark.browser
STAFF_REGION = "532923"  # 祥云县


def _codes(db, own: bool):
    with sqlite3.connect(db) as conn:
        op = "=" if own else "<>"
        return [r[0] for r in conn.execute(
            f"SELECT p.code FROM projects p JOIN project_years y ON y.project_code = p.code "
            f"WHERE y.year = 2022 AND y.library = 'annual' AND p.region_code {op} ? ORDER BY p.code", (STAFF_REGION,))]


def _gbk_csv(rows) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["项目代码", "报告期", "本年累计完成投资(万元)", "是否开工", "是否入库纳统", "形象进度", "填报人"])
    for r in rows:
        w.writerow(r)
    return buf.getvalue().encode("gbk")


def _upload(rp, base, data: bytes, name: str):
    page = rp.page
    goto_page(rp, base, "data-upload")
    page.locator(".st-key-upload_file input[type=file]").set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": data}])
    expect(page.locator(MAIN)).to_contain_text("新增")  # the preview is there
    wait_app_idle(page)
    return page.locator(MAIN)


def _ytd(db, code, period):
    with sqlite3.connect(db) as conn:
        row = conn.execute("SELECT ytd_completed, progress_text FROM monthly_reports WHERE project_code=? AND period=?",
                           (code, period)).fetchone()
    return row


def test_gbk_upload_with_another_countys_row_is_refused(app_server, browser_page):
    own, other = _codes(APP["db"], True)[0], _codes(APP["db"], False)[0]
    rp = browser_page(1180, 820)
    sign_in(rp, app_server, f"staff-{STAFF_REGION}")
    data = _gbk_csv([(own, "2022-11", "1,234.5", "是", "是", "主体完工", "张三"),
                     (other, "2022-11", "500", "是", "是", "基础施工", "张三")])
    main = _upload(rp, app_server, data, "月报_祥云县_GBK.csv")
    expect(main).to_contain_text("发现 1 处错误")
    rp.screenshot("upload_gbk_refused_1180x820")
    assert _ytd(APP["db"], own, "2022-11") is None  # nothing written
    expect(rp.page.locator(".st-key-upload_confirm")).to_have_count(0)


def test_gbk_upload_previews_and_imports(app_server, browser_page):
    own = _codes(APP["db"], True)[:2]
    rp = browser_page(820, 1180)
    sign_in(rp, app_server, f"staff-{STAFF_REGION}")
    data = _gbk_csv([(own[0], "2022-12", "2,345.6", "是", "是", "主体结构封顶", "李四"),
                     (own[1], "2022-12", "800", "是", "是", "设备安装调试", "李四")])
    main = _upload(rp, app_server, data, "月报_祥云县_12月.csv")
    page = rp.page
    confirm = page.locator(".st-key-upload_confirm button")
    expect(confirm).to_be_visible()  # a clean file: the import may be confirmed
    expect(main).not_to_contain_text(re.compile(r"发现 \d+ 处错误"))  # … and no errors listed
    rp.screenshot("upload_gbk_preview_820x1180")
    ack = page.locator(".st-key-upload_ack input")
    if ack.count():  # warnings to acknowledge (shown with the preview, which is there now)
        ack.check(force=True)
    expect(confirm).to_be_enabled()
    confirm.click()
    expect(main).to_contain_text("导入成功")
    wait_app_idle(page)
    rp.screenshot("upload_gbk_done_820x1180")
    assert _ytd(APP["db"], own[0], "2022-12") == (2345.6, "主体结构封顶")
    assert _ytd(APP["db"], own[1], "2022-12") == (800.0, "设备安装调试")
