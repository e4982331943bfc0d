"""Smoke: the served app opens in Chromium at tablet size, signs in, shows the cockpit, and makes
no request outside 127.0.0.1 (the browser_page fixture fails the test on any such request)."""
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import MAIN, RecordedPage, sign_in

pytestmark = pytest.mark.browser


def test_outside_request_detector_flags_foreign_hosts():
    rp = RecordedPage(page=None, requests=[
        "http://127.0.0.1:8501/static/js/main.js", "http://localhost:8501/_stcore/health",
        "data:image/png;base64,xx", "https://fonts.googleapis.com/css?family=x",
        "https://basemaps.cartocdn.com/gl/positron-gl-style/style.json",
    ])
    assert rp.outside_requests() == ["https://fonts.googleapis.com/css?family=x",
                                     "https://basemaps.cartocdn.com/gl/positron-gl-style/style.json"]


def test_health_endpoint(app_server):
    with urllib.request.urlopen(app_server + "/_stcore/health", timeout=5) as r:
        assert r.status == 200 and r.read().strip() == b"ok"


@pytest.mark.parametrize("size", [(1180, 820), (820, 1180)], ids=["landscape", "portrait"])
def test_login_and_overview_offline(app_server, browser_page, size):
    rp = browser_page(*size)
    page = rp.page
    page.goto(app_server)
    expect(page.locator(".st-key-login_user input")).to_be_visible()
    rp.screenshot(f"login_{size[0]}x{size[1]}")
    sign_in(rp, app_server, "leader")
    main = page.locator(MAIN)
    expect(main).to_contain_text("驾驶舱")
    expect(main).to_contain_text("数据截至")
    expect(page.locator('[data-testid="stApp"]')).to_contain_text("示例数据")
    rp.screenshot(f"smoke_overview_{size[0]}x{size[1]}")
    # the recorder saw the app's own traffic (so the offline check below is not vacuous)
    assert any("/_stcore/" in u or "/static/" in u for u in rp.requests)
    assert rp.outside_requests() == []


def test_wrong_password_is_refused(app_server, browser_page):
    rp = browser_page(1180, 820)
    page = rp.page
    page.goto(app_server)
    page.locator(".st-key-login_user input").fill("leader")
    page.locator(".st-key-login_password input").fill("wrong-password")
    page.locator(".st-key-login_submit button").click()
    # the refusal is shown and the sign-in form stays
    expect(page.locator(MAIN)).to_contain_text("用户名或密码")
    expect(page.locator(".st-key-login_user input")).to_be_visible()
