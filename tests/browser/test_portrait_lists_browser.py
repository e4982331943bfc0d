"""Issue 14 item 4 in a touch-emulating Chromium: the wide lists on a portrait iPad (820×1180) show one
card per row — the light (word and colour), the name, the reason and the deciding figures — inside the
screen's width, and a card leads where its row did; on a landscape iPad (1180×820) the table is shown.
Only the view shown is sent (the other is not in the page): the 表格/卡片 switch above the list chooses,
and its first value follows the orientation the browser recorded when the page was opened (sign-in).

1 light list: light, name, 原因 inside 820 px; the card's button opens the project file
2 county league: light, name, 灯色原因, 综合得分, 名次变化 inside 820 px
3 problem list: number, project, 逾期, 问题描述, 状态 inside 820 px; the card's 办理 opens the problem
4 landscape: the tables, no cards; turned to portrait the session keeps its view until 卡片 is tapped (the
  server cannot see the turn); a page opened upright starts with cards
Screenshots: artifacts/screenshots/portrait_*.png. Waits are Playwright ``expect``, never sleeps.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import open_signed_in, shot

pytestmark = pytest.mark.browser
expect.set_options(timeout=90000)  # a loaded 2-core machine: waits are long, never fixed

PORTRAIT = (820, 1180)
LANDSCAPE = (1180, 820)
CARDS = '[class*="st-key-ck_portrait_"]'
TABLES = '[class*="st-key-ck_landscape_"]'
LIGHT_WORDS = {"红", "黄", "绿", "灰"}




def inside_width(page, locator, width: int) -> None:
    """The element is drawn, has a size, and lies wholly inside the screen's width."""
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    assert box and box["width"] > 3 and box["height"] > 3, box
    assert box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, (locator, box)


def no_sideways_scroll(page) -> None:
    over = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert over <= 1, f"the page scrolls sideways by {over}px"


def first_card(page, scope: str):
    return page.locator(f"{CARDS}{scope} .ck-card").first


def test_1_light_list_cards_in_portrait(app_server, touch_page):
    page = touch_page(*PORTRAIT)
    open_signed_in(page, app_server, "light-list")
    card = first_card(page, "")
    expect(card).to_be_visible()
    expect(page.locator(f'{TABLES} [data-testid="stDataFrame"]')).to_have_count(0)  # the wide table is not sent
    expect(page.locator(f'{CARDS} [class*="st-key-pl_card_open_"] button').first).to_be_visible()
    expect(page.locator(".st-key-pl_light")).to_be_visible()
    shot(page, "portrait_list_820")
    chip, name = card.locator(".ck-card-head > span").first, card.locator(".ck-card-title")
    reason = card.locator(".ck-card-line").first
    for part in (chip, name, reason):
        inside_width(page, part, PORTRAIT[0])
    assert chip.inner_text().strip() in LIGHT_WORDS  # the word, not the colour alone
    assert name.inner_text().strip()
    expect(reason).to_contain_text("原因:")
    expect(card.locator(".ck-card-figs")).to_contain_text("完成率")
    no_sideways_scroll(page)
    # a card leads where the row did: its button opens the project file of that project
    title = name.inner_text().strip()
    page.locator(f'{CARDS} [class*="st-key-pl_card_open_"] button').first.tap()
    expect(page.locator('[data-testid="stMain"] h3').filter(has_text=title).first).to_be_visible()
    shot(page, "portrait_list_card_opens_file_820")


def test_2_league_cards_in_portrait(app_server, touch_page):
    page = touch_page(*PORTRAIT)
    open_signed_in(page, app_server, "ranking")
    card = first_card(page, "[class*='lg_region_table']")
    expect(card).to_be_visible()
    expect(page.locator(f'{TABLES} [data-testid="stDataFrame"]')).to_have_count(0)
    card.scroll_into_view_if_needed()
    shot(page, "portrait_league_820")
    chip, name = card.locator(".ck-card-head > span").first, card.locator(".ck-card-title")
    reason = card.locator(".ck-card-line").first
    for part in (chip, name, reason, card.locator(".ck-card-figs")):
        inside_width(page, part, PORTRAIT[0])
    assert chip.inner_text().strip() in LIGHT_WORDS
    assert name.inner_text().strip()
    expect(reason).to_contain_text("灯色原因:")
    expect(card.locator(".ck-card-figs")).to_contain_text("综合得分")
    expect(card.locator(".ck-card-figs")).to_contain_text("名次变化")
    expect(card.locator(".ck-card-lead")).to_have_text("1.")  # the first card is the first county
    no_sideways_scroll(page)


def test_3_problem_cards_in_portrait(app_server, touch_page):
    page = touch_page(*PORTRAIT)
    open_signed_in(page, app_server, "problem-list", user="office")
    card = first_card(page, "")
    expect(card).to_be_visible()
    expect(page.locator(f'{TABLES} [data-testid="stDataFrame"]')).to_have_count(0)
    expect(page.locator(f'{CARDS} [class*="st-key-pb_card_open_"] button').first).to_be_visible()
    card.scroll_into_view_if_needed()
    shot(page, "portrait_problems_820")
    number, project = card.locator(".ck-card-lead"), card.locator(".ck-card-title")
    overdue, desc = card.locator(".ck-chip"), card.locator(".ck-card-line").first
    for part in (number, project, overdue, desc, card.locator(".ck-card-figs")):
        inside_width(page, part, PORTRAIT[0])
    expect(overdue).to_have_text(re.compile(r"逾期\d+天"))  # the most urgent first: an overdue one
    expect(desc).to_contain_text("问题描述:")
    expect(card.locator(".ck-card-figs")).to_contain_text("状态")
    no_sideways_scroll(page)
    # a card leads where the row did: 办理 opens that problem in the 办理 tab
    pid = number.inner_text().strip().removeprefix("#")
    page.locator(f'{CARDS} [class*="st-key-pb_card_open_"] button').first.tap()
    expect(page.get_by_role("tab", name="办理")).to_have_attribute("aria-selected", "true")
    expect(page.locator(".st-key-pb_pick input")).to_have_value(re.compile(f"^{re.escape(pid)} "))
    shot(page, "portrait_problems_card_opens_820")


@pytest.mark.parametrize("path,user", [("light-list", "leader"), ("ranking", "leader"),
                                       ("problem-list", "office")])
def test_4_landscape_shows_the_table_and_the_switch_brings_the_cards(app_server, touch_page, path, user):
    page = touch_page(*LANDSCAPE)
    open_signed_in(page, app_server, path, user)
    grid = page.locator(f'{TABLES} [data-testid="stDataFrame"]').first
    expect(grid).to_be_visible()
    expect(page.locator(f"{CARDS} .ck-card")).to_have_count(0)  # the cards are not sent
    shot(page, f"portrait_{path}_1180")
    # 卡片 tapped: only the cards are sent; turned upright they fit the screen (the server cannot see a
    # turn: the session keeps its view until the switch is tapped again)
    page.locator('[class*="st-key-ck_view_"] button').filter(has_text="卡片").first.tap()
    expect(page.locator(f"{CARDS} .ck-card").first).to_be_visible()
    expect(page.locator(f'{TABLES} [data-testid="stDataFrame"]')).to_have_count(0)
    page.set_viewport_size({"width": PORTRAIT[0], "height": PORTRAIT[1]})
    inside_width(page, page.locator(f"{CARDS} .ck-card").first, PORTRAIT[0])
    no_sideways_scroll(page)
    shot(page, f"portrait_{path}_switched_820")
    # back to landscape and 表格: the table again, whole and inside the screen
    page.set_viewport_size({"width": LANDSCAPE[0], "height": LANDSCAPE[1]})
    page.locator('[class*="st-key-ck_view_"] button').filter(has_text="表格").first.tap()
    grid = page.locator(f'{TABLES} [data-testid="stDataFrame"]').first
    expect(grid).to_be_visible()
    expect(page.locator(f"{CARDS} .ck-card")).to_have_count(0)
    header = grid.locator('[role="columnheader"]').first
    expect(header).not_to_have_text("")
    box = grid.bounding_box()
    assert box and box["height"] > 60 and box["x"] + box["width"] <= LANDSCAPE[0] + 0.5, box
    shot(page, f"portrait_{path}_turned_back_1180")
