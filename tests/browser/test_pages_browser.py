"""Every page in Chromium at both tablet sizes: signed in, screenshotted to artifacts/screenshots/,
no sideways scrolling of the page, text ≥ 14 px, touch targets ≥ 40 px, no request off the machine
(the browser_page fixture fails the test on any). A reload (a new browser session on the same URL)
keeps the user signed in through the token in the URL."""
from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from lib.i18n import t
from tests.browser.conftest import MAIN, next_frame, sign_in, wait_app_idle

pytestmark = pytest.mark.browser

SIZES = [(1180, 820), (820, 1180)]
# url path → the text key of the page's own title (what the page must show)
PAGES = [
    ("", "page_overview"),  # the default page lives at /
    ("light-list", "page_project_list"),
    ("project-file", "page_project_file"),
    ("ranking", "page_league"),
    ("pipeline", "page_pipeline"),
    ("project-map", "page_map"),
    ("problem-list", "pb_title"),
    ("data-upload", "up_title"),
    ("accounts", "admin_title"),
    ("audit-log", "audit_title"),
]
# every plotly chart on the page has drawn its SVG
PLOTS_DRAWN = """() => [...document.querySelectorAll('.js-plotly-plot')].every(p => p.querySelector('.main-svg'))"""

SCROLLED = {"", "light-list", "project-file", "ranking", "pipeline"}  # the pages of issue 4: shot top to bottom
SCROLL_JS = """
(dy) => {
  const cands = [document.querySelector('[data-testid="stMain"]'),
                 document.querySelector('[data-testid="stAppViewContainer"]'), document.scrollingElement];
  for (const el of cands) {
    if (el && el.scrollHeight > el.clientHeight + 2) {
      const before = el.scrollTop;
      el.scrollTop = before + dy;
      return el.scrollTop !== before;
    }
  }
  return false;
}
"""

LAYOUT_JS = """
() => {
  const doc = document.documentElement;
  const main = document.querySelector('[data-testid="stMain"]');
  const out = {pageOverflow: doc.scrollWidth - doc.clientWidth,
               mainOverflow: main ? main.scrollWidth - main.clientWidth : 0,
               small: [], tiny: []};
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none';
  };
  // text: every element that directly holds text, outside charts (plotly draws in SVG)
  for (const el of document.querySelectorAll('[data-testid="stApp"] *')) {
    if (el.closest('svg') || el.closest('.js-plotly-plot') || el.closest('[data-testid="stDataFrame"]')) continue;
    if (!visible(el)) continue;
    const own = Array.from(el.childNodes).some(n => n.nodeType === 3 && n.textContent.trim().length);
    if (!own) continue;
    const fs = parseFloat(getComputedStyle(el).fontSize);
    if (fs === 0) continue;  // kept for screen readers only, shown in other words (the upload zone's)
    if (fs < 14) out.small.push(`${el.tagName}.${el.className}`.slice(0, 80) + ` ${fs}px: ` + el.textContent.trim().slice(0, 30));
  }
  // touch targets in the main area and the sidebar
  for (const el of document.querySelectorAll('button, a[href], input, [role="combobox"], [role="tab"], summary')) {
    if (!visible(el) || el.closest('.modebar') || el.closest('[data-testid="stDataFrame"]')) continue;
    const r0 = el.getBoundingClientRect();
    if (r0.width < 3 || r0.height < 3) continue;  // visually hidden (skip links)
    if (el.closest('h1, h2, h3, h4, h5, h6') && (el.getAttribute('href') || '').startsWith('#')) continue;
    if (el.closest('[data-testid="stElementToolbar"]')) continue;  // hover-only chart/table toolbar
    const sel = el.closest('[data-testid="stNumberInputContainer"], [data-testid="stDateInputField"]') ||
      el.closest('[data-baseweb="select"]') ||
      el.closest('[data-testid="stSelectbox"] [role="group"], [data-testid="stMultiSelect"] [role="group"], [data-testid="stNumberInput"] [role="group"]');
    if (sel) {  // a select box is one target: measure the box, not its inner input or chevron
      const rs = sel.getBoundingClientRect();
      if (rs.height < 40) out.tiny.push(`SELECT ${Math.round(rs.height)}px`);
      continue;
    }
    if (el.closest('[data-testid="stToolbar"]') || el.closest('header')) continue;
    if (el.type === 'radio' || el.type === 'checkbox' || el.type === 'hidden') continue;
    const r = el.getBoundingClientRect();
    if (r.height < 40) out.tiny.push(`${el.tagName} ${Math.round(r.height)}px: ` + (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 30));
  }
  return out;
}
"""


def _token(url: str) -> str:
    qs = parse_qs(urlparse(url).query)
    assert "s" in qs, f"no session token in {url}"
    return qs["s"][0]


@pytest.mark.parametrize("size", SIZES, ids=["landscape", "portrait"])
def test_every_page_at_tablet_size(app_server, browser_page, size):
    w, h = size
    rp = browser_page(w, h)
    page = rp.page
    sign_in(rp, app_server, "admin")  # the admin sees every page, the accounts page included
    token = _token(page.url)
    problems = []
    main = page.locator(MAIN)
    for path, title_key in PAGES:
        # a fresh load of the URL with the token = a browser reload: still signed in
        page.goto(f"{app_server}/{path}?s={token}")
        expect(main).to_contain_text(t(title_key, "zh"))  # the page itself, not the sign-in form
        wait_app_idle(page)
        page.wait_for_function(PLOTS_DRAWN)
        text = main.inner_text()  # read once the page is there and the script has finished
        assert page.locator(".st-key-login_user").count() == 0, f"{path}: signed out after reload"
        assert "Traceback" not in text and "Error" not in text[:200], f"{path}: {text[:300]}"
        assert page.get_by_text("Page not found").count() == 0, f"{path}: page not found"
        name = path or "cockpit"
        rp.screenshot(f"page_{name}_{w}x{h}")
        layout = page.evaluate(LAYOUT_JS)
        if path in SCROLLED:  # the rest of the page, one screen at a time
            for i in range(2, 6):
                moved = page.evaluate(SCROLL_JS, h - 140)
                if not moved:
                    break
                next_frame(page)
                rp.screenshot(f"page_{name}_{w}x{h}_{i}")
        if layout["pageOverflow"] > 1 or layout["mainOverflow"] > 1:
            problems.append(f"{path}: sideways scroll {layout['pageOverflow']}/{layout['mainOverflow']}px")
        if layout["small"]:
            problems.append(f"{path}: text under 14px: {layout['small'][:5]}")
        if layout["tiny"]:
            problems.append(f"{path}: touch targets under 40px: {layout['tiny'][:5]}")
    assert not problems, "\n".join(problems)
