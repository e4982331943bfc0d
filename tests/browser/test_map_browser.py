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
    """Sign in as the leader and open the map page: through its navigation link when one is shown,
    else by its address (the app's url_path for pages/map.py), keeping the sign-in token."""
    from urllib.parse import urlparse

    sign_in(rp, base, "leader")
    page = rp.page
    link = page.locator("a").filter(has_text="项目地图")
    if not (link.count() and link.first.is_visible()):
        # top navigation: the page sits in the 驾驶舱 section's menu
        section = page.get_by_text("驾驶舱", exact=True)
        if section.count():
            section.first.click()
            page.wait_for_timeout(500)
    if link.count() and link.first.is_visible():
        link.first.click()
    else:
        query = urlparse(page.url).query
        for path in _map_paths():
            page.goto(f"{base}/{path}" + (f"?{query}" if query else ""))
            wait_app_idle(page)
            if page.locator(MAP).count():
                break
    wait_app_idle(page)
    try:
        page.wait_for_selector(f"{MAP} canvas", timeout=60000)
    except Exception:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "map_open_failed.png"))
        raise
    page.wait_for_timeout(2500)  # WebGL (software) draws after the first frame
    return page


def _map_paths() -> list[str]:
    """url_path of pages/map.py as app.py declares it (falls back to the file name)."""
    import re

    from tests.browser.conftest import ROOT

    src = (ROOT / "app.py").read_text(encoding="utf-8")
    m = re.search(r'"map\.py",\s*"([^"]+)"', src)
    return ([m.group(1)] if m else []) + ["map"]


@pytest.mark.parametrize("size", [(1180, 820), (820, 1180)], ids=["landscape", "portrait"])
def test_map_draws_offline(app_server, browser_page, size):
    rp = browser_page(*size)
    page = open_map(rp, app_server)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"map_top_{size[0]}x{size[1]}.png"))  # title, 数据截至, controls
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


def _isolated_red_point(period: str = "2022-10"):
    """The map's spec for the demo (deterministic) and one large red point far from any other point
    and label: (spec, point, project name)."""
    import json
    import math
    import tempfile
    from pathlib import Path

    from lib import store
    from lib.demo import load_demo
    from lib.geo import mapview

    with tempfile.TemporaryDirectory() as tmp:
        eng = store.make_engine(f"sqlite:///{Path(tmp) / 'd.db'}")
        store.upgrade(eng)
        with store.session_scope(eng) as s:
            load_demo(s)
        with store.session_scope(eng) as s:
            md = mapview.load_map_data(s, period)
        eng.dispose()
    p = mapview.map_payload(md, "gap", "zh")
    spec = json.loads(p["spec"])
    view = spec["initialViewState"]
    layers = {layer["id"]: layer for layer in spec["layers"]}
    pts = layers["projects"]["data"]
    labels = layers["region-labels"]["data"]
    scale = 512 * 2 ** view["zoom"]

    def px(lon, lat):
        merc = lambda y: math.log(math.tan(math.pi / 4 + math.radians(y) / 2))
        return ((lon - view["longitude"]) / 360 * scale, -(merc(lat) - merc(view["latitude"])) / (2 * math.pi) * scale)

    best = None
    for i, q in enumerate(pts):
        if q["f"] != [214, 69, 69] or q["z"] < 6:
            continue
        x, y = px(*q["p"])
        near = min((math.dist((x, y), px(*o["p"])) - o["z"] for j, o in enumerate(pts) if j != i), default=99)
        near_label = min((math.dist((x, y), px(*lb["p"])) for lb in labels), default=99)
        if near > q["z"] + 4 and near_label > 40 and abs(x) < 200 and abs(y) < 200:
            if best is None or q["z"] > best[2]["z"]:
                best = (x, y, q, p["codes"][i])
    assert best, "no isolated red point in the demo"
    return best


def test_map_click_on_a_project_opens_its_file(app_server, browser_page):
    x, y, point, code = _isolated_red_point()
    rp = browser_page(1180, 820)
    page = open_map(rp, app_server)
    chart = page.locator(MAP).first
    chart.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    canvas = page.locator(f"{MAP} canvas").first.bounding_box()
    cx, cy = canvas["x"] + canvas["width"] / 2 + x, canvas["y"] + canvas["height"] / 2 + y
    page.mouse.move(cx, cy)
    page.wait_for_timeout(800)
    page.screenshot(path=str(SHOTS / "map_point_tooltip_1180x820.png"))
    # one retry: a click that lands while the frontend is still settling is sometimes not picked
    for _ in range(2):
        page.mouse.click(cx, cy)
        try:
            page.wait_for_function(
                "() => (document.querySelector('[data-testid=\"stMain\"]')?.innerText || '').includes('一项一档')",
                timeout=20000)
            break
        except Exception:
            page.mouse.move(cx, cy + 40)
            page.wait_for_timeout(500)
            page.mouse.move(cx, cy)
            page.wait_for_timeout(500)
    wait_app_idle(page)
    page.wait_for_timeout(1000)
    main = page.locator('[data-testid="stMain"]').inner_text()
    page.screenshot(path=str(SHOTS / "map_point_opens_file_1180x820.png"))
    assert "一项一档" in main and point["n"] in main, main[:600]
    assert rp.outside_requests() == []


def test_map_image_download_is_a_png_made_offline(app_server, browser_page):
    from PIL import Image

    rp = browser_page(1180, 820)
    page = open_map(rp, app_server)
    button = page.locator(".st-key-map_png button")
    button.scroll_into_view_if_needed()
    with page.expect_download(timeout=120000) as dl:
        button.click()
    path = dl.value.path()
    img = Image.open(path)
    assert img.format == "PNG" and img.size == (1600, 900)
    shot = SHOTS / "map_static_download.png"
    img.save(shot)
    assert rp.outside_requests() == []
