"""Stored text is hostile (issue 12 item 8), in a real browser: a project name and a problem
description holding a link, a form, an <img onerror> and a <script> are shown as text on the list,
the problem board and the project file; no element of theirs reaches the page and no script runs."""
from __future__ import annotations

import sqlite3

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import goto_page, sign_in, start_app, stop_app, wait_app_idle

pytestmark = pytest.mark.browser

PAYLOAD = ('<a id="ck-evil-a" href="http://evil.example/">点我</a><form id="ck-evil-form"><input name="password">'
           '</form><img id="ck-evil-img" src=x onerror="window.ckEvil=1"><script>window.ckEvil=2</script>')


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    base, proc = start_app(tmp / "cockpit.db", tmp / "streamlit.log")
    with sqlite3.connect(tmp / "cockpit.db") as conn:  # what an upload could have stored
        code = conn.execute("SELECT project_code FROM problems ORDER BY id LIMIT 1").fetchone()[0]
        conn.execute("UPDATE projects SET name = ? WHERE code = ?", ("项目" + PAYLOAD, code))
        conn.execute("UPDATE problems SET description = ? WHERE project_code = ?", ("问题" + PAYLOAD, code))
        conn.execute("UPDATE settings SET value = value")  # nothing cached survives: a new data version
        conn.execute("INSERT INTO audit_log (at, username, action, entity, entity_key) "
                     "VALUES (CURRENT_TIMESTAMP, 'test', 'edit', 'projects', ?)", (code,))
    yield base
    stop_app(proc)


def _no_injected_elements(page):
    for sel in ("#ck-evil-a", "#ck-evil-form", "#ck-evil-img", 'input[name="password"]:not([type="password"])'):
        assert page.locator(sel).count() == 0, sel
    assert page.evaluate("() => window.ckEvil === undefined")


@pytest.mark.parametrize("path", ["light-list", "problem-list", "project-file"])
def test_hostile_text_is_shown_as_text(hostile_server, browser_page, path):
    rp = browser_page(1180, 820)
    page = rp.page
    sign_in(rp, hostile_server, "office")
    goto_page(rp, hostile_server, path)
    if path == "problem-list":  # the board draws its cards as HTML
        page.get_by_role("tab", name="看板").first.click()
        wait_app_idle(page)
        expect(page.get_by_text("ck-evil-form", exact=False).first).to_be_attached(timeout=120000)
    main = page.locator('[data-testid="stMain"]')
    expect(main).to_be_visible(timeout=120000)
    rp.screenshot(f"hostile_{path}")
    _no_injected_elements(page)
