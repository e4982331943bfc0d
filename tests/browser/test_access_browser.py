"""Sign-in doors in a real browser: unknown and known names get the same answer, repeated guesses
are delayed (not locked), and the accounts page for the office (lifting delays only) and the admin,
at both tablet sizes (screenshots)."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import goto_page, sign_in, wait_app_idle

SIZES = [(1180, 820), (820, 1180)]


def _try(page, base, user, password):
    page.goto(base + "/")
    wait_app_idle(page)
    page.locator(".st-key-login_user input").fill(user)
    page.locator(".st-key-login_password input").fill(password)
    page.locator(".st-key-login_submit button").click()
    alert = page.locator('[data-testid="stAlertContentError"]')
    expect(alert).to_be_visible(timeout=30000)
    return alert.inner_text()


def test_same_answer_then_a_delay(app_server, browser_page):
    rp = browser_page(1180, 820)
    answers = [_try(rp.page, app_server, name, "wrong-password-1") for name in ("ghost-browser", "office")]
    assert answers[0] == answers[1] == "用户名或密码不正确"
    # keep guessing: after the free tries the answer becomes a wait (2, 4, 8 … s; a slow page
    # load may outlast the first short waits, so guess until the wait shows)
    texts = [_try(rp.page, app_server, "ghost-browser", "wrong-password-1") for _ in range(2)]
    for _ in range(8):
        texts.append(_try(rp.page, app_server, "ghost-browser", "wrong-password-1"))
        if "秒后再试" in texts[-1]:
            break
    assert re.search(r"请 \d+ 秒后再试", texts[-1]), texts
    assert set(texts[:-1]) == {"用户名或密码不正确"}
    assert "Traceback" not in rp.page.locator('[data-testid="stMain"]').inner_text()


@pytest.mark.parametrize("size", SIZES, ids=["landscape", "portrait"])
def test_accounts_page_for_office_and_admin(app_server, browser_page, size):
    w, h = size
    rp = browser_page(w, h)
    sign_in(rp, app_server, "office")
    goto_page(rp, app_server, "accounts")
    # the office's part: 我的项目 links (first tab) and lifting sign-in delays, never adding accounts
    expect(rp.page.locator(".st-key-admin_link_submit button")).to_be_visible()
    rp.page.get_by_role("tab", name="解除登录限制").click()
    expect(rp.page.locator(".st-key-admin_unlock_submit button")).to_be_visible()
    expect(rp.page.locator(".st-key-admin_new_user")).to_have_count(0)
    rp.screenshot(f"access_accounts_office_{w}x{h}")
    rp2 = browser_page(w, h)
    sign_in(rp2, app_server, "admin")
    goto_page(rp2, app_server, "accounts")
    tab = rp2.page.get_by_role("tab", name="解除登录限制")
    tab.click()
    expect(rp2.page.locator(".st-key-admin_unlock_submit button")).to_be_visible()
    rp2.screenshot(f"access_accounts_admin_{w}x{h}")
