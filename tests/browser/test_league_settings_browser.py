"""The league page's settings form (campaign office) is built from the settings schema: every
threshold with its label, including the import-warning factor, at both iPad orientations."""
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import goto_page, sign_in


@pytest.mark.parametrize("width,height,name", [(1180, 820, "landscape"), (820, 1180, "portrait")])
def test_settings_form_reads_the_schema(app_server, browser_page, width, height, name):
    rp = browser_page(width, height)
    sign_in(rp, app_server, "office")
    goto_page(rp, app_server, "ranking")
    page = rp.page
    summary = page.locator("summary", has_text="权重与阈值")
    expect(summary).to_be_visible()
    summary.click()
    field = page.get_by_label("导入提醒:本年累计超过年度计划的倍数")
    expect(field).to_be_visible(timeout=30000)
    expect(field).to_have_value("1.50")
    expect(page.get_by_label("进度红灯:滞后超过(百分点,负数)")).to_have_value("-30.00")
    field.scroll_into_view_if_needed()
    rp.screenshot(f"league_settings_{name}")
