"""The map page in a real Chromium (WebGL through SwiftShader) at both tablet sizes: it draws the
county polygons (a quarter or more of the map area differs from the background), makes no request
outside 127.0.0.1, and a click on the map opens a county panel or a project file."""
from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import MAIN, SHOTS, goto_page, poll, sign_in, wait_app_idle

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


def chart_box(page) -> dict:
    chart = page.locator(MAP).first
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    assert box and box["width"] > 300 and box["height"] > 300, box
    return box


def wait_map_drawn(page, min_share: float = 0.25, timeout: float = 180) -> tuple[bytes, dict, float]:
    """Wait until the map's canvas shows the counties: at least ``min_share`` of its area differs
    from the background (WebGL through SwiftShader draws after the first frame, slowly on a loaded
    machine). Returns the screenshot, the chart's box and the share."""
    last = {"share": 0.0}

    def drawn():
        box = chart_box(page)
        png = page.screenshot()
        last["share"] = share = non_background_share(png, box)
        return (png, box, share) if share >= min_share else None

    try:
        return poll(drawn, timeout=timeout, every=0.5, message="the map to be drawn")
    except AssertionError as exc:
        raise AssertionError(f"{exc}: only {last['share']:.1%} of the map area drawn, need {min_share:.0%}") from None


def open_map(rp, base):
    """Sign in as the leader, open the map page (its address, keeping the sign-in token) and wait
    until the map is drawn."""
    sign_in(rp, base, "leader")
    goto_page(rp, base, "project-map")
    page = rp.page
    try:
        expect(page.locator(f"{MAP} canvas").first).to_be_visible()
        wait_map_drawn(page)
    except Exception:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "map_open_failed.png"))
        raise
    return page


def click_until(page, x: float, y: float, text, tries: int = 3) -> None:
    """Click at (x, y) until the main area shows ``text`` (a string or a compiled pattern): a click
    that lands while deck.gl is still settling is sometimes not picked, so the click is repeated
    (each try waits for the text)."""
    main = page.locator(MAIN)
    for attempt in range(tries):
        page.mouse.move(x, y)
        page.mouse.click(x, y)
        try:
            expect(main).to_contain_text(text, timeout=30_000)
            return
        except AssertionError:
            if attempt == tries - 1:
                raise
            page.mouse.move(x, y + 40)


@pytest.mark.parametrize("size", [(1180, 820), (820, 1180)], ids=["landscape", "portrait"])
def test_map_draws_offline(app_server, browser_page, size):
    rp = browser_page(*size)
    page = open_map(rp, app_server)  # waits until a quarter or more of the map area is drawn
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"map_top_{size[0]}x{size[1]}.png"))  # title, 数据截至, controls
    png, box, share = wait_map_drawn(page)
    (SHOTS / f"map_{size[0]}x{size[1]}.png").write_bytes(png)
    print(f"map {size}: non-background share {share:.1%}")
    main = page.locator(MAIN)
    for word in ("数据截至", "图例", "红灯"):
        expect(main).to_contain_text(word)
    # the page really talked to the app (the offline check is not vacuous) and never left the machine
    assert any("/_stcore/" in u for u in rp.requests)
    assert rp.outside_requests() == []


def test_map_click_opens_a_panel_or_file(app_server, browser_page):
    rp = browser_page(1180, 820)
    page = open_map(rp, app_server)
    box = chart_box(page)
    # hover first: the tooltip carries the name (screenshot for a look), then click
    cx, cy = box["x"] + box["width"] * 0.42, box["y"] + box["height"] * 0.45
    page.mouse.move(cx, cy)
    page.screenshot(path=str(SHOTS / "map_tooltip_1180x820.png"))  # for a look (a tooltip if over a county)
    click_until(page, cx, cy, re.compile("县区情况|一项一档"))
    wait_app_idle(page)
    page.screenshot(path=str(SHOTS / "map_click_1180x820.png"), full_page=True)
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
    labels = [(m["x"], m["y"]) for m in p["labels"]]  # the names over the map, px from its centre
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
        near_label = min((math.dist((x, y), lb) for lb in labels), default=99)
        if near > q["z"] + 4 and near_label > 40 and abs(x) < 200 and abs(y) < 200:
            if best is None or q["z"] > best[2]["z"]:
                best = (x, y, q, p["codes"][i])
    assert best, "no isolated red point in the demo"
    return best


def test_map_click_on_a_project_opens_its_file(app_server, browser_page):
    x, y, point, code = _isolated_red_point()
    rp = browser_page(1180, 820)
    page = open_map(rp, app_server)
    chart_box(page)
    canvas = page.locator(f"{MAP} canvas").first.bounding_box()
    cx, cy = canvas["x"] + canvas["width"] / 2 + x, canvas["y"] + canvas["height"] / 2 + y
    page.mouse.move(cx, cy)
    expect(page.locator(".deck-tooltip")).to_contain_text(point["n"])
    page.screenshot(path=str(SHOTS / "map_point_tooltip_1180x820.png"))
    click_until(page, cx, cy, "一项一档")
    expect(page.locator(MAIN)).to_contain_text(point["n"])
    page.screenshot(path=str(SHOTS / "map_point_opens_file_1180x820.png"))
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
