"""项目储备与转化 and the project file's milestones in Chromium at both tablet sizes: the page draws its
funnels, a stage opens the list of exactly its projects, nothing leaves the machine."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import goto_page, sign_in, wait_app_idle

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("size", [(1180, 820), (820, 1180)], ids=["landscape", "portrait"])
def test_pipeline_page_and_its_list(app_server, browser_page, size):
    w, h = size
    rp = browser_page(w, h)
    page = rp.page
    sign_in(rp, app_server, "leader")
    goto_page(rp, app_server, "pipeline")
    main = page.locator('[data-testid="stMain"]')
    expect(main.get_by_text("项目储备与转化").first).to_be_visible(timeout=60000)
    expect(main.locator(".js-plotly-plot").first).to_be_visible(timeout=60000)
    expect(main.get_by_text("储备倍数").first).to_be_visible(timeout=60000)
    rp.screenshot(f"pipeline_{w}x{h}")
    # the preparing stage → the list of its projects
    button = page.locator(".st-key-pl_stage_list button")
    label = button.inner_text()  # 查看N个项目
    n = int("".join(ch for ch in label if ch.isdigit()))
    button.click()
    wait_app_idle(page)
    expect(main.get_by_text(f"当前筛选共 {n} 个项目").first).to_be_visible(timeout=60000)
    rp.screenshot(f"pipeline_list_{w}x{h}")
