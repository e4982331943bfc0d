"""The map page in a real Chromium (WebGL through SwiftShader) at both tablet sizes: it draws the
county polygons (a quarter or more of the map area differs from the background), makes no request
outside 127.0.0.1, and a click on the map opens a county panel or a project file."""
from __future__ import annotations

import io

import pytest

from tests.browser.conftest import SHOTS, sign_in, wait_app_idle

pytestmark = pytest.mark.browser

MAP = '[data-testid="stDeckGlJsonChart"]'


def non_background_share(png: bytes, box: dict, tol: int = 12) -> float:
    """Share of pixels inside ``box`` that differ from the background colour (the most common
    colour along the box's border, i.e. what an empty map shows)."""
    from PIL import Image

    img = Image.open(io.BytesIO(png)).convert("RGB")
    x0, y0 = int(box["x"]) + 2, int(box["y"]) + 2
    x1, y1 = int(box["x"] + box["width"]) - 2, int(box["y"] + box["height"]) - 2
    crop = img.crop((x0, y0, x1, y1))
    w, h = crop.size
    px = crop.load()
    border = [px[x, 0] for x in range(w)] + [px[x, h - 1] for x in range(w)]
    bg = max(set(border), key=border.count)
    diff = 0
    step = 2
    total = 0
    for y in range(0, h, step):
        for x in range(0, w, step):
            total += 1
            p = px[x, y]
            if max(abs(p[0] - bg[0]), abs(p[1] - bg[1]), abs(p[2] - bg[2])) > tol:
                diff += 1
    return diff / total


def open_map(rp, base):
    sign_in(rp, base, "leader")
    page = rp.page
    page.locator('[data-testid="stSidebarNavLink"]').filter(has_text="项目地图").first.click()
    wait_app_idle(page)
    page.wait_for_selector(f"{MAP} canvas", timeout=60000)
    page.wait_for_timeout(2500)  # WebGL (software) draws after the first frame
    return page


@pytest.mark.parametrize("size", [(1180, 820), (820, 1180)], ids=["landscape", "portrait"])
def test_map_draws_offline(app_server, browser_page, size):
    rp = browser_page(*size)
    page = open_map(rp, app_server)
    chart = page.locator(MAP).first
    chart.scroll_into_view_if_needed()
    page.wait_for_timeout(800)
    box = chart.bounding_box()
    assert box and box["width"] > 300 and box["height"] > 300
    shot = SHOTS / f"map_{size[0]}x{size[1]}.png"
    SHOTS.mkdir(parents=True, exist_ok=True)
    png = page.screenshot(path=str(shot))
    share = non_background_share(png, box)
    print(f"map {size}: non-background share {share:.1%}")
    assert share >= 0.25, f"only {share:.1%} of the map area is drawn"
    body = page.locator('[data-testid="stMain"]').inner_text()
    assert "数据截至" in body and "图例" in body and "红灯" in body
    # the page really talked to the app (the offline check is not vacuous) and never left the machine
    assert any("/_stcore/" in u for u in rp.requests)
    assert rp.outside_requests() == []


def test_map_click_opens_a_panel_or_file(app_server, browser_page):
    rp = browser_page(1180, 820)
    page = open_map(rp, app_server)
    chart = page.locator(MAP).first
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    # hover first: the tooltip carries the name (screenshot for a look), then click
    cx, cy = box["x"] + box["width"] * 0.42, box["y"] + box["height"] * 0.45
    page.mouse.move(cx, cy)
    page.wait_for_timeout(800)
    page.screenshot(path=str(SHOTS / "map_tooltip_1180x820.png"))
    page.mouse.click(cx, cy)
    page.wait_for_timeout(1500)
    wait_app_idle(page)
    text = page.locator('[data-testid="stMain"]').inner_text()
    page.screenshot(path=str(SHOTS / "map_click_1180x820.png"), full_page=True)
    assert ("县区情况" in text) or ("一项一档" in text), text[:500]
    assert rp.outside_requests() == []
