"""The frame every page shares: who/when/where (``ctx``), the title block a screenshot needs
(``header``: title, 数据截至, 示例数据), the tablet CSS, and leading to the list and the project file.
"""
from __future__ import annotations

import contextlib
import datetime
import gc
import logging
import secrets
import threading
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from lib import periods
from lib.access import Actor
from lib.access.scope import of as region_scope
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


_GC = {"runs": 0, "thread": None}
_GC_LOCK = threading.Lock()
_GC_WAKE = threading.Event()  # set: look now (tests)
GC_EVERY_S = 30.0


def collect_garbage_now_and_then() -> None:
    """Count this page run; one thread of the process runs a full garbage collection at most every
    GC_EVERY_S seconds, and only after page runs. Streamlit's own collection after every run is off
    (.streamlit/config.toml, runner.postScriptGC): with the cached province frames in memory it cost
    more CPU than the page (0.1–0.6 s a run). Without any, reference cycles (a plotly figure, a
    frame's caches) would be freed only when Python's own rule gets round to it, and memory would
    grow with the sessions."""
    _GC["runs"] += 1
    if _GC["thread"] is not None:
        return
    with _GC_LOCK:
        if _GC["thread"] is not None:
            return

        def loop() -> None:
            seen = 0
            while True:
                _GC_WAKE.wait(GC_EVERY_S)
                _GC_WAKE.clear()
                if _GC["runs"] != seen:
                    seen = _GC["runs"]
                    gc.collect()

        _GC["thread"] = threading.Thread(target=loop, name="cockpit-gc", daemon=True)
        _GC["thread"].start()


def data_version() -> int:
    """Changes whenever the data is written (not on a sign-in): part of every cache key. Read once per
    script run (a page asks for it for every cached reader): kept on an object Streamlit creates afresh
    for every run, so the next run — after a write — always reads it again."""
    from lib.store.queries import content_version

    holder = None
    try:
        from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

        holder = getattr(get_script_run_ctx(suppress_warning=True), "parallel_coordinator", None)
        known = getattr(holder, "_cockpit_data_version", None)
        if known is not None:
            return known
    except Exception:  # another Streamlit version: read every time
        holder = None
    with session_scope(get_engine()) as session:
        version = content_version(session)
    if holder is not None:
        try:
            holder._cockpit_data_version = version
        except Exception:
            pass
    return version


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
    if presentation_mode():  # 汇报模式: the slide header instead (see presentation_header below)
        try:
            demo = _is_demo(data_version(), str(get_engine().url))
        except Exception:  # a missing lib.demo must not break a page header
            demo = False
        presentation_header(title, c, demo, subtitle)
        return
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
/* touch screens (no hover): the chart and table toolbars are always drawn there. A chart keeps the
   camera, reset and full-screen buttons (a drag still zooms), so its toolbar no longer covers the end of
   the chart's title in a half-width column; a table gets a band above it for its toolbar, which covered
   the button, select or caption just above the table */
@media (hover: none) {
  .modebar-btn[data-attr="dragmode"], .modebar-btn[data-attr="zoom"][data-val="in"],
  .modebar-btn[data-attr="zoom"][data-val="out"] { display: none !important; }
  [data-testid="stElementContainer"]:has(> [data-testid="stFullScreenFrame"] > [data-testid="stDataFrame"]) { margin-top: 3rem; }
  [data-testid="stDataFrame"] > [data-testid="stElementToolbar"] { top: -56px !important; }
}
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
/* wide lists (issue 14 item 4): one page of cards (light, name, reason, the deciding figures) or the
   table, as the 表格/卡片 switch says (pages/_widgets.list_view); only that one is sent */
[class*="st-key-ck_card_"] { gap: 0.25rem; }
.ck-card-box { border: 1px solid #E3E7ED; border-radius: 8px; padding: 8px 12px; margin-bottom: 8px; }
.ck-card { font-size: 15px; line-height: 1.55; color: #1D2430; }
.ck-card-head { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 8px; }
.ck-card-title { font-size: 17px; overflow-wrap: anywhere; }
.ck-card-lead { font-weight: 600; color: #465060; }
.ck-card-line { margin-top: 2px; overflow-wrap: anywhere; display: -webkit-box; -webkit-line-clamp: 3;
  -webkit-box-orient: vertical; overflow: hidden; }
.ck-card-label { color: #465060; }
.ck-card-figs { margin-top: 2px; color: #465060; }
.ck-card-figs b { color: #1D2430; }
</style>
"""


# Portrait: Streamlit opens the sidebar on any screen wider than 768 px, so on an 820 px tablet the filter
# panel would cover the page at first. Close it once per browser tab when the screen is narrow; the user
# opens it with the sidebar button. It also records the screen's orientation in the cookie ck_orient
# (kept a year, this site only), which the next session reads for the lists' first view (cards when
# upright: pages/_widgets.list_view). A fixed script (no user text in it).
PORTRAIT_JS = """
<script>
(function () {
  const doc = window.parent && window.parent.document ? window.parent.document : document;
  const win = doc.defaultView || window;
  const upright = win.matchMedia("(orientation: portrait) and (max-width: 1100px), (max-width: 700px)");
  const record = () => { doc.cookie = "ck_orient=" + (upright.matches ? "portrait" : "landscape")
    + "; path=/; max-age=31536000; SameSite=Strict"; };
  record();
  if (!win.ckOrientWatched) { win.ckOrientWatched = true; upright.addEventListener("change", record); }
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
        return df[region_scope(c.region_code).mask(df[col])]
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


_LOG = logging.getLogger("cockpit.pages")


@contextlib.contextmanager
def error_boundary(lang: str):
    """Run a page: an uncaught error shows a short message with a reference number, never a
    traceback, a server path or the exception text; the traceback goes to the server log under
    the same reference. A CockpitError is a message meant for the user and is shown as it is.
    Streamlit's own stop/rerun signals (BaseException) pass through."""
    from lib.errors import CockpitError

    try:
        yield
    except CockpitError as exc:
        st.error(exc.text(lang))
    except Exception:
        ref = f"{datetime.datetime.now():%m%d%H%M}-{secrets.token_hex(3).upper()}"
        _LOG.exception("page error, reference %s", ref)
        st.error(t("err_boundary", lang, ref=ref))


# --- 汇报模式 presentation mode (issue 16; kept apart from the tablet CSS above) -----------------------
# One switch: the sidebar toggle or ?present=1 in the URL (so a reload keeps it). The sidebar, the
# page's controls and Streamlit's chrome are hidden; the content is framed at 16:9 with larger type;
# header() draws the slide header (title, region, 数据截至, 示例数据, legend). A screenshot of any page
# in this mode goes straight onto a slide.

PRESENT_PARAM = "present"
PRESENT_STATE = "present"

PRESENT_CSS = """
<style>
/* 攻坚驾驶舱 presentation mode: no sidebar, no controls, 16:9 frame, larger type */
html { font-size: 19px; }
section[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
header[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
[data-testid="stStatusWidget"] { display: none !important; }
[data-testid="stMain"] { padding-top: 0 !important; }
[data-testid="stMainBlockContainer"], .block-container {
  width: min(100vw, calc(100vh * 16 / 9)) !important; max-width: min(100vw, calc(100vh * 16 / 9)) !important;
  min-height: min(100vh, calc(100vw * 9 / 16)); margin: 0 auto !important;
  padding: 1.1rem 2.2rem 1.2rem 2.2rem !important; box-sizing: border-box;
  box-shadow: 0 0 0 1px #D5DCE6; background: #FFFFFF;
}
/* controls: selects, inputs, buttons, downloads, uploads, forms, chart toolbars */
[data-testid="stSelectbox"], [data-testid="stMultiSelect"], [data-testid="stTextInput"],
[data-testid="stTextArea"], [data-testid="stNumberInput"], [data-testid="stDateInput"],
[data-testid="stRadio"], [data-testid="stCheckbox"], [data-testid="stToggle"], [data-testid="stSlider"],
[data-testid="stButtonGroup"], [data-testid="stSegmentedControl"], [data-testid="stPills"],
.stButton, .stDownloadButton, [data-testid="stButton"], [data-testid="stDownloadButton"],
[data-testid="stFileUploader"], [data-testid="stForm"], [data-testid="stPageLink"],
[data-testid="stElementToolbar"], .modebar-container, [data-testid="stAlert"],
[data-testid="stExpander"] { display: none !important; }
.st-key-ck_pm_exit { position: fixed; top: 6px; right: 10px; z-index: 999991; width: auto !important; opacity: .55; }
.st-key-ck_pm_exit .stButton, .st-key-ck_pm_exit [data-testid="stButton"] { display: block !important; }
.st-key-ck_pm_exit button { min-height: 32px !important; padding: 0 10px; font-size: 14px; }
.ck-present-head { border-bottom: 3px solid #1F4E8C; padding: 0 0 .45rem 0; margin: 0 0 .7rem 0;
  display: flex; flex-wrap: wrap; align-items: flex-end; gap: .3rem 1.4rem; }
.ck-present-head .ck-pt { font-size: 2.0rem; font-weight: 700; color: #1D2430; line-height: 1.2; }
.ck-present-head .ck-ps { font-size: 1.0rem; color: #465060; }
.ck-present-head .ck-demo { background:#FFF4D6; border:1px solid #E8B10E; color:#8A5A00; font-weight:700;
  padding: 1px 10px; border-radius: 6px; }
.ck-present-head .ck-pl { margin-left: auto; font-size: .95rem; color: #465060; }
.ck-present-head .ck-pl .ck-chip { margin-left: .35rem; }
[data-testid="stMetricValue"] { font-size: 2.1rem !important; }
[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] p, [data-testid="stMetricDelta"],
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p { font-size: 17px !important; }
</style>
"""


def presentation_mode() -> bool:
    """True when presentation mode is on: this session switched it on, or the URL says present=1."""
    s = st.session_state
    if PRESENT_STATE not in s:
        s[PRESENT_STATE] = st.query_params.get(PRESENT_PARAM) == "1"
    return bool(s[PRESENT_STATE])


def _present_toggled() -> None:
    st.session_state[PRESENT_STATE] = bool(st.session_state.get("present_toggle"))


def _present_exit() -> None:
    st.session_state[PRESENT_STATE] = False
    st.session_state["present_toggle"] = False
    if PRESENT_PARAM in st.query_params:
        del st.query_params[PRESENT_PARAM]


def presentation_switch(lang: str) -> bool:
    """The sidebar switch, the URL kept in step (?present=1 survives a reload and page changes), the
    presentation CSS and a small exit button. app.py calls this once per run after sign-in."""
    on = presentation_mode()
    if "present_toggle" not in st.session_state:
        st.session_state["present_toggle"] = on
    st.sidebar.toggle(t("pm_toggle", lang), key="present_toggle", help=t("pm_toggle_help", lang),
                      on_change=_present_toggled)
    on = bool(st.session_state[PRESENT_STATE])
    if on:
        if st.query_params.get(PRESENT_PARAM) != "1":
            st.query_params[PRESENT_PARAM] = "1"
        st.html(PRESENT_CSS)
        with st.container(key="ck_pm_exit"):
            st.button(t("pm_exit", lang), key="pm_exit_button", on_click=_present_exit)
    elif PRESENT_PARAM in st.query_params:
        del st.query_params[PRESENT_PARAM]
    return on


def legend_html(lang: str) -> str:
    """The light legend as chips with words (colour never alone)."""
    import html as _html

    from lib.i18n import LIGHT_COLORS

    chips = []
    for light in ("red", "yellow", "green", "gray"):
        fg = "#1D2430" if light in ("yellow", "gray") else "#FFFFFF"
        chips.append(f'<span class="ck-chip" style="background:{LIGHT_COLORS[light]};color:{fg}">'
                     f'{_html.escape(t("pm_legend_" + light, lang))}</span>')
    return f'{_html.escape(t("pm_legend", lang))}:' + "".join(chips)


def presentation_header(title: str, c: Ctx, demo: bool, subtitle: str | None = None) -> None:
    """The slide header of presentation mode: title, region, 数据截至 and period, 示例数据, legend."""
    import html as _html

    region = t("all_regions", c.lang)
    if c.region_code:
        try:
            from pages import _cache

            region = _cache.region_names().get(c.region_code, c.region_code)
        except Exception:  # the name is a nicety; the code still says which county
            region = c.region_code
    bits = [region]
    if c.period:
        bits.append(f"{t('data_as_of', c.lang)}:{periods.fmt_date(c.as_of, c.lang)}")
        bits.append(f"{t('period', c.lang)}:{periods.fmt_period(c.period, c.lang)}")
    if subtitle:
        bits.append(subtitle)
    demo_tag = f'<span class="ck-demo">{_html.escape(t("map_demo_mark", c.lang))}</span>' if demo else ""
    st.html(
        f'<div class="ck-present-head"><span class="ck-pt">{_html.escape(title)}</span>'
        f'<span class="ck-ps">{_html.escape(" · ".join(bits))}</span>{demo_tag}'
        f'<span class="ck-pl">{legend_html(c.lang)}</span></div>')


STORE_RETRY_SECONDS = 5  # how often a page that lost the store tries it again


def store_unavailable(err, lang: str = "zh") -> None:
    """The store is locked or unreachable: a clear message instead of a traceback, and a small probe
    that tries the store every few seconds and reloads the page by itself once it answers. Stops the run."""
    detail = err.text(lang) if hasattr(err, "text") else str(err)
    st.error(t("st_unavailable_page", lang, detail=detail))

    @st.fragment(run_every=STORE_RETRY_SECONDS)
    def _probe():
        from sqlalchemy import text as sql

        try:
            with get_engine().connect() as conn:
                conn.execute(sql("SELECT 1 FROM alembic_version"))
        except Exception:
            st.caption(f"{t('st_retry_at', lang)} {_now():%H:%M:%S}")
            return
        if _in_fragment_run():  # the store answers again: draw the page as it should be
            st.rerun(scope="app")

    _probe()
    if st.button(t("st_retry", lang), key="st_retry_now"):
        st.rerun()
    st.stop()


def _now():
    import datetime as _dt

    return _dt.datetime.now()


def _in_fragment_run() -> bool:
    try:
        from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

        ctx = get_script_run_ctx(suppress_warning=True)
        return bool(ctx and ctx.fragment_ids_this_run)
    except Exception:
        return False


def guarded(fn, *args, lang: str = "zh", **kwargs):
    """``fn(*args, **kwargs)``; a lost or locked store shows store_unavailable instead of a traceback."""
    from lib.store import as_store_error

    try:
        return fn(*args, **kwargs)
    except Exception as exc:
        err = as_store_error(exc)
        if err is None:
            raise
        store_unavailable(err, lang)

