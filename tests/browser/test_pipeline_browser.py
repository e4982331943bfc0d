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


@pytest.mark.parametrize("size", [(1180, 820), (820, 1180)], ids=["landscape", "portrait"])
def test_project_file_shows_the_milestones(app_server, browser_page, size):
    """挂图作战 in the project file: a project whose 前期手续 is late shows it in words and on the chart."""
    from lib import store
    from lib.rules import pipeline
    from tests.browser.conftest import APP

    engine = store.make_engine(f"sqlite:///{APP['db']}")
    try:
        with store.session_scope(engine) as s:
            late = pipeline.late_approvals(s, "2022-10").sort_values(["late_days", "project_code"], ascending=[False, True])
            code, days = late.iloc[0]["project_code"], int(late.iloc[0]["late_days"])
    finally:
        engine.dispose()
    w, h = size
    rp = browser_page(w, h)
    page = rp.page
    sign_in(rp, app_server, "leader")
    goto_page(rp, app_server, "project-file")
    main = page.locator('[data-testid="stMain"]')
    pick = page.locator(".st-key-pf_pick input")
    pick.click()
    pick.fill(code)
    page.keyboard.press("Enter")
    wait_app_idle(page)
    expect(main.get_by_text(code).first).to_be_visible(timeout=60000)
    rp.screenshot(f"project_timeline_top_{w}x{h}")
    expect(main.get_by_text(f"未办结,已超期{days}天").first).to_be_visible(timeout=60000)
    chart = main.get_by_text("挂图作战").first
    expect(chart).to_be_attached(timeout=60000)
    chart.scroll_into_view_if_needed()
    expect(chart).to_be_visible(timeout=60000)
    rp.screenshot(f"project_timeline_{w}x{h}")
