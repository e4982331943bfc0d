"""Issue 14, item 5 follow-up: a link to an inner page (/project-map from a message or a bookmark)
opened signed out shows the sign-in form with no Streamlit "Page not found" dialog over it, and the
sign-in then lands on the page the link named, keeping the link's other query parameters.

The server is this module's own, freshly started as deployed (conftest.serve: warm-up run included),
so that no earlier test's sign-in has already taken Streamlit out of its legacy pages/-folder mode —
the deep link is the first page any browser opens on it. Both tablet sizes, by touch: the inputs are
tapped and typed into, 登录 is tapped once.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from lib.i18n import t
from tests.browser.conftest import DEMO_PASSWORD, MAIN, SHOTS, start_app, stop_app, wait_app_idle

SIZES = [(1180, 820), (820, 1180)]
# (url path and query the link carries, title key of the page it names, what the URL keeps after sign-in)
LINKS = [
    ("/project-map", "page_map", []),
    ("/ranking?present=1", "page_league", ["present=1"]),
]


@pytest.fixture(scope="module")
def fresh_server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("deeplink")
    base, proc = start_app(tmp / "cockpit.db", tmp / "streamlit.log")
    yield base
    stop_app(proc)


def _no_page_not_found(page) -> None:
    expect(page.get_by_text("Page not found")).to_have_count(0)
    expect(page.locator('[role="dialog"]')).to_have_count(0)


@pytest.mark.parametrize("width,height", SIZES, ids=lambda v: str(v))
def test_deep_link_signed_out_then_sign_in_lands_there(fresh_server, touch_page, width, height):
    for link, title_key, kept in LINKS:
        page = touch_page(width, height)
        page.goto(fresh_server + link)
        user = page.locator(".st-key-login_user input")
        expect(user).to_be_visible()
        wait_app_idle(page)
        _no_page_not_found(page)
        expect(page.locator(MAIN).get_by_text(t("login_title", "zh"))).to_be_visible()
        name = link.split("?")[0].strip("/")
        if link == LINKS[0][0]:
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / f"deeplink_signed_out_{name}_{width}x{height}.png"))

        user.tap()
        page.keyboard.type("leader")
        password = page.locator(".st-key-login_password input")
        password.tap()
        page.keyboard.type(DEMO_PASSWORD)
        expect(user).to_have_value("leader")  # nothing typed was lost to a dialog
        page.locator(".st-key-login_submit button").tap()

        expect(page.locator(".st-key-login_user")).to_have_count(0)
        wait_app_idle(page)
        _no_page_not_found(page)
        expect(page).to_have_url(re.compile(rf"/{re.escape(name)}\?(.*&)?s=[^&]+"))
        for param in kept:
            expect(page).to_have_url(re.compile(rf"[?&]{re.escape(param)}(&|$)"))
        expect(page.locator(MAIN).get_by_text(t(title_key, "zh"), exact=True).first).to_be_visible()
        if link == LINKS[0][0]:
            page.screenshot(path=str(SHOTS / f"deeplink_signed_in_{name}_{width}x{height}.png"))
        page.context.close()
