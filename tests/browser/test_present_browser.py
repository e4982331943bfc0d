"""汇报模式 (presentation mode) in Chromium at 1920×1080: every page with ?present=1 has no sidebar and no
controls, the slide header (title, region, 数据截至, 示例数据, legend), and keeps the mode over a
reload; charts save a 2× PNG named after their title and period. Screenshots go to
artifacts/screenshots/present_<page>.png (looked at before the page is called done)."""
from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from lib.i18n import t
from tests.browser.conftest import sign_in, wait_app_idle

pytestmark = pytest.mark.browser

PAGES = [  # url path → the i18n key of the title its header shows
    ("", "page_overview"),
    ("project-map", "page_map"),
    ("ranking", "page_league"),
    ("briefing", "page_outputs"),
    ("light-list", "page_project_list"),
    ("project-file", "page_project_file"),
    ("problem-list", "pb_title"),
    ("data-upload", "up_title"),
    ("accounts", "admin_title"),
    ("audit-log", "audit_title"),
]


def _open(rp, base: str, path: str, token: str) -> None:
    rp.page.goto(f"{base}/{path}?s={token}&present=1")
    wait_app_idle(rp.page)


def test_every_page_in_presentation_mode(app_server, browser_page):
    rp = browser_page(1920, 1080)
    sign_in(rp, app_server, user="admin")
    token = parse_qs(urlparse(rp.page.url).query)["s"][0]
    page = rp.page
    for path, title_key in PAGES:
        _open(rp, app_server, path, token)
        head = page.locator(".ck-present-head")
        expect(head).to_be_visible(timeout=60000)
        expect(head.locator(".ck-pt")).to_have_text(t(title_key, "zh"))
        expect(head).to_contain_text("数据截至")
        expect(head).to_contain_text("全部县区")
        expect(head.locator(".ck-demo")).to_have_text("示例数据")
        expect(head).to_contain_text("图例")
        for word in ("红", "黄", "绿", "灰"):
            expect(head.locator(".ck-pl")).to_contain_text(word)
        expect(page.locator('section[data-testid="stSidebar"]')).to_be_hidden()
        # no control is left on the slide except the small exit button
        for sel in ('[data-testid="stSelectbox"]', '[data-testid="stMultiSelect"]', '[data-testid="stTextInput"]',
                    '[data-testid="stDownloadButton"]', '[data-testid="stFileUploader"]'):
            for i in range(page.locator(sel).count()):
                expect(page.locator(sel).nth(i)).to_be_hidden()
        expect(page.locator(".st-key-ck_pm_exit button")).to_be_visible()
        # the frame is 16:9 wide at most
        box = page.locator('[data-testid="stMainBlockContainer"]').bounding_box()
        assert box is not None and box["width"] <= 1920 * 1.001 and box["width"] <= 1080 * 16 / 9 + 1
        assert "present=1" in page.url
        rp.screenshot(f"present_{path or 'overview'}")


def test_presentation_mode_survives_a_reload_and_exits(app_server, browser_page):
    rp = browser_page(1920, 1080)
    sign_in(rp, app_server, user="leader")
    token = parse_qs(urlparse(rp.page.url).query)["s"][0]
    _open(rp, app_server, "ranking", token)
    page = rp.page
    expect(page.locator(".ck-present-head")).to_be_visible()
    page.reload()
    wait_app_idle(page)
    expect(page.locator(".ck-present-head")).to_be_visible()
    expect(page.locator('section[data-testid="stSidebar"]')).to_be_hidden()
    page.locator(".st-key-ck_pm_exit button").click()
    expect(page.locator(".ck-present-head")).to_have_count(0, timeout=30000)
    expect(page.locator('section[data-testid="stSidebar"]')).to_be_visible()
    wait_app_idle(page)
    assert "present=1" not in page.url


def test_chart_png_is_named_by_title_and_period_at_twice_the_size(app_server, browser_page):
    rp = browser_page(1920, 1080)
    sign_in(rp, app_server, user="leader")
    page = rp.page
    plot = page.locator(".js-plotly-plot").first
    expect(plot).to_be_visible(timeout=60000)
    opts = page.evaluate("""() => [...document.querySelectorAll('.js-plotly-plot')].map(gd => ({
        opts: gd._context.toImageButtonOptions,
        removed: gd._context.modeBarButtonsToRemove,
        title: gd.layout.title && gd.layout.title.text,
        subtitle: gd.layout.title && gd.layout.title.subtitle && gd.layout.title.subtitle.text,
        legend: gd.layout.showlegend }))""")
    assert opts, "no chart on the overview"
    for o in opts:
        assert o["opts"]["scale"] == 2 and o["opts"]["format"] == "png"
        assert o["opts"]["filename"] != "newplot" and o["opts"]["filename"].endswith("_2022年10月")
        assert o["opts"]["filename"].startswith(o["title"].split("<")[0].strip()[:4])
        assert "toImage" not in (o["removed"] or [])
        assert "数据截至" in o["subtitle"] and "2022年10月31日" in o["subtitle"]
    # the camera button is in the chart's toolbar
    plot.hover()
    expect(plot.locator('.modebar-btn[data-title*="png"], .modebar-btn[data-title*="PNG"]').first).to_be_attached()


@pytest.mark.parametrize("size", [(1180, 820), (820, 1180)])
def test_briefing_page_makes_the_report_on_a_tablet(app_server, browser_page, size):
    from tests.browser.conftest import goto_page

    rp = browser_page(*size)
    sign_in(rp, app_server, user="office")
    goto_page(rp, app_server, "briefing")
    page = rp.page
    expect(page.locator(".st-key-ox_make_pack button")).to_be_visible()
    page.locator(".st-key-ox_make_report button").click()
    expect(page.locator(".st-key-ox_dl_docx button")).to_be_visible(timeout=120000)
    expect(page.locator('[data-testid="stFileUploader"]')).to_be_visible()  # the office keeps the template
    wait_app_idle(page)
    rp.screenshot(f"briefing_{size[0]}x{size[1]}")
