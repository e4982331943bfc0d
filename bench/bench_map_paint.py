"""Benchmark: the map's time to first paint in a software-rendered Chromium (SwiftShader, as the
test machine and many intranet PCs draw), on the demo store, at both tablet sizes.

For RUNS fresh browser sessions each (signed in first, then the map page opened by its address):
- server  — from the page request until Streamlit reports the script finished (data-test-script-state)
- canvas  — until the deck.gl canvas exists
- painted — until a quarter of the map box differs from the background (polygons drawn)
Prints each run and the median. Starts its own ``streamlit run app.py`` on a free port of 127.0.0.1
(or uses BASE_URL when given). Never fails: it prints figures.

    .venv/bin/python bench/bench_map_paint.py [RUNS]
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, DEMO_PASSWORD, start_app, wait_app_idle  # noqa: E402
from tests.browser.test_map_browser import MAP, non_background_share  # noqa: E402


def painted_share(page) -> float:
    box = page.locator(MAP).first.bounding_box()
    if not box:
        return 0.0
    return non_background_share(page.screenshot(), box)


def one_run(browser, base: str, size: tuple[int, int]) -> dict:
    ctx = browser.new_context(viewport={"width": size[0], "height": size[1]}, locale="zh-CN", has_touch=True)
    page = ctx.new_page()
    page.set_default_timeout(120000)
    page.goto(base)
    wait_app_idle(page)
    page.locator(".st-key-login_user input").fill("leader")
    page.locator(".st-key-login_password input").fill(DEMO_PASSWORD)
    page.locator(".st-key-login_submit button").click()
    page.wait_for_selector(".st-key-login_user", state="detached")
    wait_app_idle(page)
    query = page.url.split("?", 1)[1] if "?" in page.url else ""
    t0 = time.perf_counter()
    page.goto(f"{base}/project-map?{query}")
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]')
    page.wait_for_selector(MAP)
    t_server = time.perf_counter() - t0
    page.wait_for_selector(f"{MAP} canvas")
    t_canvas = time.perf_counter() - t0
    page.locator(MAP).first.scroll_into_view_if_needed()
    while painted_share(page) < 0.25 and time.perf_counter() - t0 < 120:
        page.wait_for_timeout(100)
    t_paint = time.perf_counter() - t0
    ctx.close()
    return {"server": t_server, "canvas": t_canvas, "painted": t_paint}


def main() -> int:
    from playwright.sync_api import sync_playwright

    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    proc = None
    base = os.environ.get("BASE_URL")
    tmp = tempfile.mkdtemp()
    if not base:
        base, proc = start_app(Path(tmp) / "cockpit.db", Path(tmp) / "streamlit.log")
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            for size in [(1180, 820), (820, 1180)]:
                res = [one_run(browser, base, size) for _ in range(runs)]
                for i, r in enumerate(res):
                    print(f"{size[0]}x{size[1]} run {i + 1}: server {r['server']:.1f} s · canvas {r['canvas']:.1f} s · "
                          f"painted {r['painted']:.1f} s", flush=True)
                med = {k: statistics.median(r[k] for r in res) for k in ("server", "canvas", "painted")}
                print(f"{size[0]}x{size[1]} median: server {med['server']:.1f} s · canvas {med['canvas']:.1f} s · "
                      f"first paint {med['painted']:.1f} s", flush=True)
            browser.close()
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
