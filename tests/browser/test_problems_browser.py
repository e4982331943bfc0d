"""Chromium: the 问题销号 page and a problem's detail (办理) at both tablet sizes, as the office,
with no request leaving the machine; the detail shows the history and only the office's actions."""
import pytest

from tests.browser.conftest import goto_page, sign_in, wait_app_idle

pytestmark = pytest.mark.browser
SIZES = [(1180, 820), (820, 1180)]


@pytest.mark.parametrize("size", SIZES, ids=["landscape", "portrait"])
def test_problem_page_and_detail(app_server, browser_page, size):
    rp = browser_page(*size)
    sign_in(rp, app_server, "office")
    goto_page(rp, app_server, "problem-list")
    page = rp.page
    main = page.locator('[data-testid="stMain"]')
    text = main.inner_text()
    assert "问题销号" in text and "数据截至" in text and ("逾期" in text or "超期" in text)
    rp.screenshot(f"problems_{size[0]}x{size[1]}")
    for name, shot in (("状态看板", "board"), ("统计图", "charts"), ("办理", "detail")):
        page.get_by_role("tab", name=name, exact=True).click()
        wait_app_idle(page)
        page.wait_for_timeout(800)
        rp.screenshot(f"problems_{shot}_{size[0]}x{size[1]}")
    detail = main.inner_text()
    # the history of the picked problem and the office's own actions (督办 is the office's too)
    assert "办理记录" in detail or "历史" in detail or "记录" in detail
    assert "督办" in detail
    # the page header still carries the title and 数据截至 in the screenshot's viewport
    assert page.get_by_text("数据截至", exact=False).first.is_visible() or size == (820, 1180)
