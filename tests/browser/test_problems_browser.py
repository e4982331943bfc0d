"""Chromium: the 问题销号 page and a problem's detail (办理) at both tablet sizes, as the office,
with no request leaving the machine; the detail shows the history and only the office's actions."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import MAIN, goto_page, sign_in

pytestmark = pytest.mark.browser
SIZES = [(1180, 820), (820, 1180)]


@pytest.mark.parametrize("size", SIZES, ids=["landscape", "portrait"])
def test_problem_page_and_detail(app_server, browser_page, size):
    rp = browser_page(*size)
    sign_in(rp, app_server, "office")
    goto_page(rp, app_server, "problem-list")
    page = rp.page
    main = page.locator(MAIN)
    expect(main).to_contain_text("问题销号")
    expect(main).to_contain_text("数据截至")
    expect(main).to_contain_text(re.compile("逾期|超期"))
    rp.screenshot(f"problems_{size[0]}x{size[1]}")
    for name, shot in (("状态看板", "board"), ("统计图", "charts"), ("办理", "detail")):
        tab = page.get_by_role("tab", name=name, exact=True)
        tab.click()
        expect(tab).to_have_attribute("aria-selected", "true")
        expect(page.get_by_role("tabpanel").filter(visible=True).first).to_be_visible()
        rp.screenshot(f"problems_{shot}_{size[0]}x{size[1]}")
    # the history of the picked problem and the office's own actions (督办 is the office's too)
    expect(main).to_contain_text(re.compile("办理记录|历史|记录"))
    expect(main).to_contain_text("督办")
    # the page header still carries the title and 数据截至 in the landscape screenshot's viewport
    if size != (820, 1180):
        expect(page.get_by_text("数据截至", exact=False).first).to_be_in_viewport()
