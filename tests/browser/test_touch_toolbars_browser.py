"""Issue 14 screenshots: on a touch screen (no hover) Streamlit and plotly draw the table and chart
toolbars all the time. In touch-emulating Chromium at both iPad sizes, no chart toolbar covers its
chart's title and no table toolbar covers the element above the table (a button, a select, a caption)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import MAIN, WAIT_MS, tap_sign_in, wait_app_idle

pytestmark = pytest.mark.browser

SIZES = [(1180, 820), (820, 1180)]
# the pages whose screenshots showed a toolbar over a title or a control (and the overview, most charts)
PAGES = ["cockpit", "pipeline", "light-list", "data-upload"]
PLOTS_DRAWN = """() => [...document.querySelectorAll('.js-plotly-plot')].every(p => p.querySelector('.main-svg'))"""

OVERLAPS_JS = """
() => {
  const shown = (el) => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.display !== 'none' && s.visibility !== 'hidden'; };
  const meet = (a, b) => a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
  const out = {charts: 0, tables: 0, bad: []};
  for (const plot of document.querySelectorAll('.js-plotly-plot')) {
    const title = plot.querySelector('.gtitle');
    if (!title || !shown(plot)) continue;
    out.charts += 1;
    const t = title.getBoundingClientRect();
    for (const btn of plot.querySelectorAll('.modebar-btn')) {
      if (shown(btn) && meet(btn.getBoundingClientRect(), t))
        out.bad.push(`chart "${title.textContent.slice(0, 30)}": toolbar button ${btn.dataset.title} over the title`);
    }
  }
  for (const bar of document.querySelectorAll('[data-testid="stDataFrame"] > [data-testid="stElementToolbar"]')) {
    if (!shown(bar)) continue;
    out.tables += 1;
    const b = bar.getBoundingClientRect();
    const own = bar.closest('[data-testid="stElementContainer"]');
    for (const el of document.querySelectorAll('[data-testid="stMain"] [data-testid="stElementContainer"]')) {
      if (el === own || el.contains(own) || own.contains(el) || !shown(el)) continue;
      if (el.closest('details:not([open])')) continue;  // inside a closed expander: not drawn
      if (meet(b, el.getBoundingClientRect()))
        out.bad.push(`table ${own.className.match(/st-key-\\S+/) || ''}: toolbar over ${el.className.match(/st-key-\\S+/) || el.innerText.slice(0, 30)}`);
    }
  }
  return out;
}
"""


@pytest.mark.parametrize("size", SIZES, ids=["landscape", "portrait"])
def test_toolbars_cover_no_title_and_no_control(app_server, chromium, size):
    ctx = chromium.new_context(viewport={"width": size[0], "height": size[1]}, locale="zh-CN",
                               device_scale_factor=1, has_touch=True)
    try:
        page = ctx.new_page()
        page.set_default_timeout(WAIT_MS)
        query = tap_sign_in(page, app_server, "office")
        assert page.evaluate("matchMedia('(hover: none)').matches"), "the context does not emulate touch"
        seen = {"charts": 0, "tables": 0}
        bad = []
        for path in PAGES:
            page.goto(f"{app_server}/{path}?{query}")
            wait_app_idle(page)
            expect(page.locator('[data-testid="stSkeleton"]')).to_have_count(0)
            expect(page.locator(MAIN)).to_contain_text("数据截至")
            page.wait_for_function(PLOTS_DRAWN)
            found = page.evaluate(OVERLAPS_JS)
            seen["charts"] += found["charts"]
            seen["tables"] += found["tables"]
            bad += [f"{path}: {b}" for b in found["bad"]]
        # the check looked at something: the overview and pipeline have titled charts, the list and
        # the upload page tables with their toolbars
        assert seen["charts"] >= 4 and seen["tables"] >= 2, seen
        assert not bad, "\n".join(bad)
    finally:
        ctx.close()
