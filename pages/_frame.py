"""The frame every page shares: who/when/where (``ctx``), the title block a screenshot needs
(``header``: title, 数据截至, 示例数据), the tablet CSS, and leading to the list and the project file.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from lib import periods
from lib.access import Actor
from lib.i18n import t
from lib.store import get_engine, session_scope


@dataclass(frozen=True)
class Ctx:
    actor: Actor | None
    period: str | None
    region_code: str | None
    lang: str

    @property
    def as_of(self):
        return periods.last_day(self.period) if self.period else None


def ctx() -> Ctx:
    s = st.session_state
    return Ctx(
        actor=s.get("actor"),
        period=s.get("period"),
        region_code=s.get("region_code"),
        lang=s.get("lang", "zh"),
    )


def data_version() -> int:
    """Changes whenever the data is written (not on a sign-in): part of every cache key."""
    from lib.store.queries import content_version

    with session_scope(get_engine()) as session:
        return content_version(session)


@st.cache_data(show_spinner=False, max_entries=64)
def _is_demo(version: int, url: str) -> bool:
    from lib.demo import is_demo

    with session_scope(get_engine()) as session:
        return is_demo(session)


def header(title: str, c: Ctx | None = None, subtitle: str | None = None) -> None:
    """Title, 数据截至 and the 示例数据 banner: every page starts with this."""
    c = c or ctx()
    if c.actor is None:  # a page reached without the frame's sign-in shows nothing
        st.warning(t("login_required", c.lang))
        st.stop()
    st.markdown(f"## {title}")
    bits = []
    if c.period:
        bits.append(f"{t('data_as_of', c.lang)}:{periods.fmt_date(c.as_of, c.lang)}")
        bits.append(f"{t('period', c.lang)}:{periods.fmt_period(c.period, c.lang)}")
    if subtitle:
        bits.append(subtitle)
    if bits:
        st.caption(" · ".join(bits))
    try:
        demo = _is_demo(data_version(), str(get_engine().url))
    except Exception:  # a missing lib.demo must not break a page header
        demo = False
    if demo:
        st.info(t("demo_banner", c.lang))


LIST_PAGE = "pages/project_list.py"


FILE_PAGE = "pages/project_file.py"


LIST_FILTER_KEY = "list_filter_pending"  # filters another page asks the list to open with


TABLET_CSS = """
<style>
/* 攻坚驾驶舱 tablet rules: text ≥ 14 px, touch targets ≥ 40 px, no sideways page scroll. */
html { -webkit-text-size-adjust: 100%; }
[data-testid="stAppViewContainer"], [data-testid="stMain"] { overflow-x: hidden; }
[data-testid="stMainBlockContainer"], .block-container {
  max-width: 100%; padding-top: 4.25rem; padding-left: 1.25rem; padding-right: 1.25rem;
}
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p,
[data-testid="stMetricDelta"], [data-testid="stMetricLabel"], [data-testid="stMetricLabel"] p,
[data-testid="stWidgetLabel"] p, small, .stTooltipIcon { font-size: 14px !important; }
[data-testid="stMetricValue"] { font-size: 1.75rem; }
/* inline HTML written with a smaller size still reads at 14 px on a tablet */
[data-testid="stMarkdownContainer"] [style*="font-size:12px"], [data-testid="stMarkdownContainer"] [style*="font-size:13px"],
[data-testid="stMarkdownContainer"] [style*="font-size: 12px"], [data-testid="stMarkdownContainer"] [style*="font-size: 13px"] {
  font-size: 14px !important; }
[data-testid="stMetricValue"] > div { white-space: normal !important; overflow-wrap: anywhere; }
.stButton button, .stDownloadButton button, [data-testid="stFormSubmitButton"] button,
[data-testid="stBaseButton-secondary"], [data-testid="stBaseButton-primary"],
[data-testid="stBaseButton-tertiary"] { min-height: 40px; }
[data-testid="stSidebarNavLink"], [data-testid="stPageLink"] a,
[data-testid="stPageLink-NavLink"] { min-height: 40px; display: flex; align-items: center; }
[data-baseweb="select"] > div, [data-baseweb="input"], [data-testid="stTextInput"] input { min-height: 40px; }
[data-testid="stSelectbox"] [role="group"], [data-testid="stMultiSelect"] [role="group"],
[data-testid="stNumberInput"] [role="group"] { min-height: 40px; }
[data-testid="stNumberInputContainer"], [data-testid="stNumberInputField"],
[data-testid="stNumberInputContainer"] button, [data-testid="stDateInputField"] { min-height: 40px; }
[data-testid="stDateInputField"] { display: flex; align-items: center; }
[data-testid="stTextInputRootElement"] button { min-width: 40px; min-height: 40px; }  /* password eye */
button[aria-label^="Help for"] { min-width: 40px; min-height: 40px; padding: 12px; margin: -12px; }
[data-testid="stHeaderActionElements"], h1 a[href^="#"], h2 a[href^="#"], h3 a[href^="#"],
h4 a[href^="#"] { display: none !important; }
[data-testid="stRadio"] label, [data-testid="stCheckbox"] label { min-height: 40px; align-items: center; }
[data-testid="stExpander"] summary { min-height: 40px; }
[data-testid="stButtonGroup"] button { min-height: 40px; }
.st-key-map_region_pills [data-testid="stButtonGroup"], .st-key-map_region_pills [data-testid="stButtonGroup"] > div { flex-wrap: wrap !important; overflow: visible !important; }
[data-testid="stTabs"] button[role="tab"] { min-height: 40px; }
[data-testid="stHorizontalBlock"] { flex-wrap: wrap; }
[data-testid="stColumn"] { min-width: min(190px, 100%); }
.ck-chip { display:inline-block; padding:2px 10px; border-radius:12px; font-weight:600; white-space:nowrap; }
.ck-table { width:100%; border-collapse:collapse; font-size:15px; }
.ck-table th, .ck-table td { padding:6px 8px; border-bottom:1px solid #E3E7ED; text-align:left; vertical-align:top; }
.ck-table td.num, .ck-table th.num { text-align:right; white-space:nowrap; }
.ck-scroll { max-width:100%; overflow-x:auto; }
/* touch targets ≥ 40 px in Streamlit's own chrome: top menu sections and items, sidebar and menu
   buttons, table toolbar icons, multiselect chips' boxes, the date picker */
[data-testid="stHeader"] { min-height: 3.75rem; }
[data-testid="stTopNavSection"], [data-testid="stTopNav"] button { min-height: 40px; }
[data-testid="stTopNavLinkContainer"], [data-testid="stTopNavDropdownLink"] { min-height: 44px; display: flex; align-items: center; }
[data-testid="stSidebarCollapseButton"] button, [data-testid="stExpandSidebarButton"],
[data-testid="stMainMenuButton"], [data-testid="stSidebarCollapsedControl"] button { min-width: 40px !important; min-height: 40px !important; }
[data-testid="stElementToolbarButton"] button, [data-testid="stElementToolbar"] button { min-width: 40px; min-height: 40px; }
[data-testid="stMultiSelectTagsContainer"], [data-testid="stMultiSelectTagsContainer"] input { min-height: 40px; }
[data-testid="stDateInput"] [data-baseweb="input"] button, [data-testid="stDateInput"] button { min-width: 40px; min-height: 40px; }
/* a page title is never under the top menu bar */
[data-testid="stMainBlockContainer"] h2:first-of-type { scroll-margin-top: 4.5rem; }
@media (max-width: 1000px) {
  /* portrait tablet: four cards become two rows of two; chart rows stack full width */
  [data-testid="stColumn"] { min-width: calc(50% - 1rem) !important; }
  [class*="st-key-ck_stack"] [data-testid="stColumn"] { min-width: 100% !important; }
}
@media (max-width: 900px) {
  /* portrait: the filters are a panel over the content (opened with the sidebar button); the content
     always takes the full width, and a closed panel leaves no band */
  section[data-testid="stSidebar"] { position: fixed !important; left: 0; top: 0; bottom: 0; z-index: 999990;
    box-shadow: 0 0 24px rgba(0, 0, 0, 0.25); }
  section[data-testid="stSidebar"][data-collapsed="false"] { width: 280px !important; min-width: 280px !important; }
  section[data-testid="stSidebar"][data-collapsed="true"] { width: 0 !important; min-width: 0 !important;
    box-shadow: none; overflow: hidden; visibility: hidden; }
  [data-testid="stMainBlockContainer"], .block-container { padding-left: 0.75rem; padding-right: 0.75rem; }
  [data-testid="stColumn"] { min-width: min(160px, 100%); }
}
</style>
"""


# Portrait: Streamlit opens the sidebar on any screen wider than 768 px, so on an 820 px tablet the filter
# panel would cover the page at first. Close it once per browser tab when the screen is narrow; the user
# opens it with the sidebar button. A fixed script (no user text in it).
PORTRAIT_JS = """
<script>
(function () {
  const doc = window.parent && window.parent.document ? window.parent.document : document;
  const win = doc.defaultView || window;
  const flag = "ck_portrait_closed";
  if (win.innerWidth > 900 || win.sessionStorage.getItem(flag)) return;
  let tries = 0;
  const close = () => {
    const side = doc.querySelector('section[data-testid="stSidebar"][data-collapsed="false"]');
    const btn = doc.querySelector('[data-testid="stSidebarCollapseButton"] button');
    if (side && btn) { btn.click(); win.sessionStorage.setItem(flag, "1"); return; }
    if (doc.querySelector('section[data-testid="stSidebar"][data-collapsed="true"]')) {
      win.sessionStorage.setItem(flag, "1"); return; }
    if (++tries < 40) win.setTimeout(close, 100);
  };
  close();
})();
</script>
"""


def inject_css() -> None:
    """The tablet CSS (font sizes, touch targets, no sideways page scroll) and the portrait panel
    closer; app.py calls it once per run."""
    st.html(TABLET_CSS)
    st.html(PORTRAIT_JS, unsafe_allow_javascript=True)


def store_url() -> str:
    """The store URL (password masked) — part of every cache key."""
    return get_engine().url.render_as_string(hide_password=True)


def need_period(c: Ctx) -> bool:
    """Show the 'no reports yet' note and return False when no period is chosen."""
    if c.period:
        return True
    st.info(t("no_periods", c.lang))
    return False


def in_region(df: pd.DataFrame, c: Ctx, col: str = "region_code") -> pd.DataFrame:
    """Rows of the sidebar's county (all rows for 全部县区)."""
    if c.region_code and col in df.columns:
        return df[df[col] == c.region_code]
    return df


def goto_list(**filters) -> None:
    """Open the traffic-light list with these filters (region, light, dimension, dim_light, level,
    sector, tags, library, nature, leader, unit, text)."""
    st.session_state[LIST_FILTER_KEY] = {k: v for k, v in filters.items() if v not in (None, "", [])}
    st.switch_page(LIST_PAGE)


def list_button(label: str, key: str, **filters) -> None:
    """A button that leads to the list filtered to what the card or chart shows."""
    if st.button(label, key=key, width="stretch"):
        goto_list(**filters)


def open_project(code: str) -> None:
    st.session_state["project_code"] = code
    st.switch_page(FILE_PAGE)
