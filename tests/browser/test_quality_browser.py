"""The 数据质量 page in Chromium at both tablet sizes (office): the flags of the demo's reports by
county and kind, no sideways scroll, text ≥ 14 px, touch targets ≥ 40 px, nothing off the machine;
screenshots in artifacts/screenshots/."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import goto_page, sign_in
from tests.browser.test_pages_browser import LAYOUT_JS, SCROLL_JS

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("size", [(1180, 820), (820, 1180)], ids=["landscape", "portrait"])
def test_quality_page_at_tablet_size(app_server, browser_page, size):
    w, h = size
    rp = browser_page(w, h)
    page = rp.page
    sign_in(rp, app_server, "office")
    goto_page(rp, app_server, "data-quality")
    main = page.locator('[data-testid="stMain"]')
    expect(main.get_by_text("数据质量").first).to_be_visible(timeout=60000)
    expect(main.get_by_text("按县区和类型")).to_be_visible(timeout=60000)
    expect(main.get_by_text("逐条提醒")).to_be_visible(timeout=60000)
    expect(main.locator('[data-testid="stTable"]').get_by_text("大理市")).to_be_visible(timeout=60000)  # the county × kind table
    rp.screenshot(f"page_data-quality_{w}x{h}")
    layout = page.evaluate(LAYOUT_JS)
    for i in range(2, 4):
        if not page.evaluate(SCROLL_JS, h - 140):
            break
        expect(main).to_be_visible()
        rp.screenshot(f"page_data-quality_{w}x{h}_{i}")
    assert layout["pageOverflow"] <= 1 and layout["mainOverflow"] <= 1, layout
    assert not layout["small"], layout["small"][:5]
    assert not layout["tiny"], layout["tiny"][:5]
