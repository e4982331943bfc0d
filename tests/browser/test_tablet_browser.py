"""Issue 14 in a touch-emulating Chromium at both iPad sizes (1180×820 and 820×1180): taps, not
clicks (``has_touch=True``, ``tap()``), and Playwright ``expect`` waits, never fixed sleeps.

1 the problem workflow keeps its tab and problem after a submit; the button names the problem
2 a county tapped beside the map opens its panel on the first tap
3 portrait: the content takes the full width, the filters are a panel over it
4 the light list shows light, name and reason in the first screen (screenshot; portrait: as a card)
5 no raw page menu on the first visit
6 touch targets ≥ 40 px: top menu sections and items, sidebar button, multiselects, date picker
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import next_frame, shot, tap_sign_in, wait_app_idle

pytestmark = pytest.mark.browser
expect.set_options(timeout=90000)  # a loaded 2-core machine: waits are long, never fixed

SIZES = [(1180, 820), (820, 1180)]
IDS = ["landscape", "portrait"]


def open_path(page, base: str, query: str, path: str) -> None:
    page.goto(f"{base}/{path}?{query}")
    wait_app_idle(page)



@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_5_no_raw_page_menu_on_first_visit(app_server, touch_page, size):
    page = touch_page(*size)
    page.goto(app_server)
    wait_app_idle(page)
    expect(page.locator(".st-key-login_user input")).to_be_visible()
    shot(page, f"tablet_5_login_{size[0]}")
    # Streamlit's file menu (app, admin, audit, … upload) is never drawn
    expect(page.locator('[data-testid="stSidebarNav"]')).to_have_count(0)
    for name in ("admin", "audit", "upload", "problems", "project_file"):
        expect(page.locator(f'a[href$="/{name}"]')).to_have_count(0)


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_3_portrait_content_takes_the_full_width(app_server, touch_page, size):
    page = touch_page(*size)
    query = tap_sign_in(page, app_server)
    open_path(page, app_server, query, "light-list")
    main = page.locator('[data-testid="stMainBlockContainer"]')
    expect(main).to_be_visible()
    side = page.locator('section[data-testid="stSidebar"]')
    if size[0] < 900:
        # the filter panel is closed at first and leaves no band
        expect(side).to_have_attribute("data-collapsed", "true")
        assert main.bounding_box()["width"] >= size[0] - 60
        shot(page, "tablet_3_portrait_closed")
        # it opens over the content with a tap; the content keeps its width
        page.locator('[data-testid="stExpandSidebarButton"]').tap()
        expect(side).to_have_attribute("data-collapsed", "false")
        expect(page.locator(".st-key-period_select")).to_be_visible()
        assert main.bounding_box()["width"] >= size[0] - 60
        shot(page, "tablet_3_portrait_open")
    else:
        expect(side).to_have_attribute("data-collapsed", "false")
        assert main.bounding_box()["width"] >= size[0] - 360


TARGETS_JS = """
() => {
  const out = [];
  const q = (sel) => Array.from(document.querySelectorAll(sel));
  const add = (what, el) => { const r = el.getBoundingClientRect();
    if (r.width > 3 && r.height > 3) out.push([what, Math.round(r.width), Math.round(r.height)]); };
  q('[data-testid="stTopNavSection"]').forEach(el => add('menu section', el));
  q('[data-testid="stTopNavLinkContainer"], [data-testid="stTopNavLink"]').forEach(el => add('menu item', el));
  q('[data-testid="stExpandSidebarButton"], [data-testid="stSidebarCollapseButton"] button').forEach(el => add('sidebar button', el));
  q('[data-testid="stMultiSelectTagsContainer"]').forEach(el => add('multiselect', el.parentElement));
  q('[data-testid="stDateInputField"], [data-testid="stDateInput"] [data-baseweb="input"]').forEach(el => add('date picker', el));
  return out;
}
"""


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_6_touch_targets_are_40px(app_server, touch_page, size):
    page = touch_page(*size)
    query = tap_sign_in(page, app_server, "office")
    open_path(page, app_server, query, "problem-list")
    page.get_by_text("筛选", exact=True).first.tap()  # the filters with multiselects and a date range
    expect(page.locator('[data-testid="stMultiSelect"]').first).to_be_visible()
    page.locator('[data-testid="stTopNavSection"]').first.tap()  # a top menu open: its items
    expect(page.locator('[data-testid="stTopNavLinkContainer"]').first).to_be_visible()
    shot(page, f"tablet_6_targets_{size[0]}")
    found = page.evaluate(TARGETS_JS)
    kinds = {k for k, _w, _h in found}
    assert {"menu section", "menu item", "sidebar button", "multiselect", "date picker"} <= kinds, kinds
    small = [f for f in found if f[2] < 40 or (f[0] == "sidebar button" and f[1] < 40)]
    assert not small, small


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_4_light_list_first_screen_shows_light_name_reason(app_server, touch_page, size):
    page = touch_page(*size)
    query = tap_sign_in(page, app_server)
    open_path(page, app_server, query, "light-list")
    if size[0] < size[1]:
        # portrait: one card per project instead of the wide table (tests/browser/test_portrait_lists_browser.py)
        card = page.locator('[class*="st-key-ck_portrait_pl"] .ck-card').first
        expect(card).to_be_visible()
        expect(page.locator('[class*="st-key-ck_landscape_pl"] [data-testid="stDataFrame"]')).to_be_hidden()
        card.scroll_into_view_if_needed()
        shot(page, f"tablet_4_list_{size[0]}")
        expect(card.locator(".ck-card-head .ck-chip, .ck-card-head > span").first).to_have_text(re.compile("^[红黄绿灰]$"))
        expect(card.locator(".ck-card-title")).not_to_have_text("")
        expect(card.locator(".ck-card-line").first).to_contain_text("原因:")
        return
    grid = page.locator('[data-testid="stDataFrame"]').first
    expect(grid).to_be_visible()
    grid.scroll_into_view_if_needed()
    shot(page, f"tablet_4_list_{size[0]}")
    # the grid's accessible table lists its columns in order: light, name, reason first
    first_header = page.locator('[data-testid="stDataFrame"] [role="columnheader"]').first
    expect(first_header).to_be_attached()  # the grid's accessible table is drawn after the canvas
    expect(first_header).not_to_have_text("")
    headers = page.locator('[data-testid="stDataFrame"] [role="columnheader"]').all_inner_texts()
    headers = [h.strip() for h in headers if h.strip()]
    assert headers[:3] == ["综合", "项目名称", "原因"], headers[:6]


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_2_county_tap_opens_its_panel_first_time(app_server, touch_page, size):
    page = touch_page(*size)
    query = tap_sign_in(page, app_server)
    open_path(page, app_server, query, "project-map")
    pills = page.locator(".st-key-map_region_pills button")
    expect(pills.first).to_be_visible()
    pills.filter(has_text="祥云县").first.tap()
    panel = page.locator(".st-key-map_region_panel")
    expect(panel).to_contain_text("祥云县 · 县区情况")
    expect(panel).to_be_in_viewport()
    shot(page, f"tablet_2_county_panel_{size[0]}")


ARM_RERUN_JS = """
() => {
  const app = document.querySelector('[data-testid="stApp"]');
  window.__ckRan = false;
  if (window.__ckObs) window.__ckObs.disconnect();
  window.__ckObs = new MutationObserver(records => {
    if (records.some(r => r.oldValue === "running" || app.dataset.testScriptState === "running")) {
      window.__ckRan = true;
      window.__ckObs.disconnect();
    }
  });
  window.__ckObs.observe(app, {attributes: true, attributeOldValue: true,
                               attributeFilter: ["data-test-script-state"]});
}
"""


def arm_rerun(page) -> None:
    """Watch for the next script run (call before the tap that should cause one)."""
    page.evaluate(ARM_RERUN_JS)


def wait_rerun(page) -> None:
    """Wait until the server has run the script since ``arm_rerun`` and finished: the tap reached it.
    (``wait_app_idle`` alone may return in the moment before the rerun starts, with the old elements.)"""
    page.wait_for_function("() => window.__ckRan === true")
    wait_app_idle(page)


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_1_problem_workflow_keeps_tab_and_problem(app_server, touch_page, size):
    page = touch_page(*size)
    query = tap_sign_in(page, app_server, "office")
    open_path(page, app_server, query, "problem-list")
    tab = page.get_by_role("tab", name="办理")
    arm_rerun(page)
    tab.tap()
    expect(tab).to_have_attribute("aria-selected", "true")
    pick = page.locator(".st-key-pb_pick")
    expect(pick).to_be_visible()  # drawn by the server's run of the open tab
    wait_rerun(page)
    # choose the third problem of the list (not the preselected most urgent one)
    pick.locator("input").tap()
    options = page.locator('[role="option"]')
    expect(options.nth(2)).to_be_visible()
    chosen = options.nth(2).inner_text()
    pid = re.match(r"(\S+) ", chosen).group(1)  # the problem number (the demo's are its ids' text form)
    arm_rerun(page)
    options.nth(2).tap()
    expect(pick.locator("input")).to_have_value(re.compile(f"^{re.escape(pid)} "))
    wait_rerun(page)  # the server has drawn this problem's facts and moves: no stale radio is left
    # a move: 督办 (the office may always supervise) with a note
    # the widgets are keyed by the problem's internal id (its number is the office's own text, e.g. a
    # Q-000123 raised on the page by an earlier test): one problem's actions are drawn at a time
    radio = page.locator('[class*="st-key-pb_action_"]')
    expect(radio).to_have_count(1)
    arm_rerun(page)
    radio.get_by_text("督办", exact=True).tap()
    button = page.locator('[class*="st-key-pb_do_"][class*="_supervise"] button')
    expect(button).to_contain_text(pid)  # the server's rerun drew the form, and it names the problem
    wait_rerun(page)
    note = page.locator('[class*="st-key-pb_f_note_"][class*="_supervise"] textarea')
    expect(note).to_be_visible()
    note.fill("请本周内办结")
    expect(note).to_have_value("请本周内办结")
    shot(page, f"tablet_1_before_submit_{size[0]}")
    arm_rerun(page)
    button.tap()
    # after the rerun: the same tab, the same problem, the confirmation in the tab the user is on
    success = page.locator('[data-testid="stAlertContentSuccess"]')
    expect(success).to_contain_text(pid)
    wait_rerun(page)
    open_tab = page.get_by_role("tab", name="办理")
    expect(open_tab).to_have_attribute("aria-selected", "true")
    expect(pick.locator("input")).to_have_value(re.compile(f"^{re.escape(pid)} "))
    panel = page.get_by_role("tabpanel").filter(visible=True)
    expect(panel).to_have_count(1)
    # the confirmation is in the tab in use, under the form just submitted, and as a toast in sight
    expect(panel.locator('[data-testid="stAlertContentSuccess"]')).to_contain_text(pid)
    expect(panel.locator('[class*="st-key-pb_do_"]')).to_have_count(1)
    assert success.bounding_box()["y"] > button.bounding_box()["y"]
    toast = page.locator('[data-testid="stToast"]')
    expect(toast).to_contain_text(pid)
    expect(toast).to_be_in_viewport()
    next_frame(page)
    shot(page, f"tablet_1_after_submit_{size[0]}")
    success.scroll_into_view_if_needed()  # and the message under the form, once scrolled to
    expect(success).to_be_in_viewport()
