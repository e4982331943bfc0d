"""Shared view helpers for the pages (the only UI module besides app.py and pages/*).

Pages call ``ctx()`` for who/when/where, ``header()`` for the title block every screenshot needs
(title, 数据截至, 示例数据 banner), and the cached readers for lib/ results.
"""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from lib import periods
from lib.auth import Actor
from lib.i18n import LIGHT_COLORS, enum_label, t
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
    from lib.queries import content_version

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


def light_badge(light: str, lang: str = "zh") -> str:
    """HTML for a light: coloured chip that also carries the word (colour is never alone)."""
    color = LIGHT_COLORS.get(light, LIGHT_COLORS["gray"])
    fg = "#1D2430" if light in ("yellow", "gray") else "#FFFFFF"
    word = enum_label("light", light, lang)
    return (
        f'<span style="background:{color};color:{fg};padding:2px 10px;border-radius:12px;'
        f'font-weight:600;white-space:nowrap">{word}</span>'
    )


# ---------------------------------------------------------------------------------------------
# Frame helpers (app.py) and shared view helpers for the cockpit pages.
# ---------------------------------------------------------------------------------------------
import math  # noqa: E402

import pandas as pd  # noqa: E402

FONT_FAMILY = "Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif"
PLOTLY_CONFIG = {
    "displaylogo": False,
    "responsive": True,
    "modeBarButtonsToRemove": ["select2d", "lasso2d", "toImage", "autoScale2d"],
}
LIST_PAGE = "pages/project_list.py"
FILE_PAGE = "pages/project_file.py"
LIST_FILTER_KEY = "list_filter_pending"  # filters another page asks the list to open with
LIGHT_ORDER = ("red", "yellow", "green", "gray")

TABLET_CSS = """
<style>
/* 攻坚驾驶舱 tablet rules: text ≥ 14 px, touch targets ≥ 40 px, no sideways page scroll. */
html { -webkit-text-size-adjust: 100%; }
[data-testid="stAppViewContainer"], [data-testid="stMain"] { overflow-x: hidden; }
[data-testid="stMainBlockContainer"], .block-container {
  max-width: 100%; padding-top: 2.2rem; padding-left: 1.25rem; padding-right: 1.25rem;
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
[data-testid="stTabs"] button[role="tab"] { min-height: 40px; }
[data-testid="stHorizontalBlock"] { flex-wrap: wrap; }
[data-testid="stColumn"] { min-width: min(190px, 100%); }
.ck-chip { display:inline-block; padding:2px 10px; border-radius:12px; font-weight:600; white-space:nowrap; }
.ck-table { width:100%; border-collapse:collapse; font-size:15px; }
.ck-table th, .ck-table td { padding:6px 8px; border-bottom:1px solid #E3E7ED; text-align:left; vertical-align:top; }
.ck-table td.num, .ck-table th.num { text-align:right; white-space:nowrap; }
.ck-scroll { max-width:100%; overflow-x:auto; }
@media (max-width: 1000px) {
  /* portrait tablet: four cards become two rows of two; chart rows stack full width */
  [data-testid="stColumn"] { min-width: calc(50% - 1rem) !important; }
  [class*="st-key-ck_stack"] [data-testid="stColumn"] { min-width: 100% !important; }
}
@media (max-width: 900px) {
  section[data-testid="stSidebar"] { width: 232px !important; min-width: 232px !important; }
  [data-testid="stMainBlockContainer"], .block-container { padding-left: 0.75rem; padding-right: 0.75rem; }
  [data-testid="stColumn"] { min-width: min(160px, 100%); }
}
</style>
"""


def inject_css() -> None:
    """The tablet CSS (font sizes, touch targets, no sideways page scroll); app.py calls it once per run."""
    st.html(TABLET_CSS)


def store_url() -> str:
    """The store URL (password masked) — part of every cache key."""
    return get_engine().url.render_as_string(hide_password=True)


def nan(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


# --- cached readers: lib/ results keyed by (period, as_of, data_version, store URL) ----------------
# The big frames (lights, league, problems) are kept once per process (st.cache_resource: no pickling
# on every hit) and handed out as shallow copies: with pandas copy-on-write a page that adds or
# changes a column changes only its own copy, never the cached frame. A write to the store changes
# data_version, so the next call computes afresh.


def _shallow(obj):
    if isinstance(obj, pd.DataFrame):
        return obj.copy(deep=False)
    if isinstance(obj, tuple):
        return tuple(_shallow(o) for o in obj)
    return obj


@st.cache_resource(show_spinner=False, max_entries=16)
def _lights(period: str, as_of, version: int, url: str) -> pd.DataFrame:
    from lib.lights import compute_lights

    with session_scope(get_engine()) as session:
        return compute_lights(session, period, as_of=as_of)


@st.cache_resource(show_spinner=False, max_entries=16)
def _league(period: str, as_of, group_by: str, version: int, url: str) -> pd.DataFrame:
    from lib.league import compute_league

    now, before, problems = _lights_pair(period, as_of, version, url)  # shared with the overview
    with session_scope(get_engine()) as session:
        return compute_league(session, period, as_of=as_of, group_by=group_by, lights=now,
                              lights_prev=before, problems=problems)


@st.cache_resource(show_spinner=False, max_entries=16)
def _problem_table(as_of, version: int, url: str) -> pd.DataFrame:
    from lib.problems import problem_table

    with session_scope(get_engine()) as session:
        return problem_table(session, as_of=as_of)


@st.cache_data(show_spinner=False, max_entries=16)
def _periods(version: int, url: str) -> list[str]:
    from lib.queries import report_periods

    with session_scope(get_engine()) as session:
        return report_periods(session)


@st.cache_data(show_spinner=False, max_entries=16)
def _regions(version: int, url: str) -> list[tuple[str, str]]:
    from lib.queries import regions

    with session_scope(get_engine()) as session:
        return regions(session)


def lights(period: str, as_of=None) -> pd.DataFrame:
    """compute_lights(period, as_of) for every project of the year (cached until the next write)."""
    return _shallow(_lights(period, as_of, data_version(), store_url()))


def league(period: str, as_of=None, group_by: str = "region") -> pd.DataFrame:
    return _shallow(_league(period, as_of, group_by, data_version(), store_url()))


def problem_table(as_of=None) -> pd.DataFrame:
    return _shallow(_problem_table(as_of, data_version(), store_url()))


def report_periods() -> list[str]:
    return _periods(data_version(), store_url())


def region_names() -> dict[str, str]:
    """code → name, in display order."""
    return dict(_regions(data_version(), store_url()))


def cached(fn, *args, **kwargs):
    """Run ``fn(session, *args, **kwargs)`` (a lib/ reader) through the cache, keyed by its
    arguments, the data version and the store URL."""
    return _cached(fn.__module__, fn.__qualname__, args, tuple(sorted(kwargs.items())),
                   data_version(), store_url())


@st.cache_data(show_spinner=False, max_entries=128)
def _cached(module: str, name: str, args: tuple, kwargs: tuple, version: int, url: str):
    import importlib

    fn = importlib.import_module(module)
    for part in name.split("."):
        fn = getattr(fn, part)
    with session_scope(get_engine()) as session:
        return fn(session, *args, **dict(kwargs))


def module_ready(name: str) -> bool:
    """Is lib.<name> importable (another engineer may still be writing it)?"""
    import importlib.util

    return importlib.util.find_spec(f"lib.{name}") is not None


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


# --- charts ------------------------------------------------------------------------------------------

def style_fig(fig, title: str, height: int = 380, legend: bool = True):
    """CJK fonts, a title, a visible horizontal legend, tight margins (no internet: no mathjax)."""
    fig.update_layout(
        template="plotly_white",
        title={"text": title, "x": 0.01, "xanchor": "left", "yref": "container", "y": 0.985,
               "yanchor": "top", "font": {"size": 18}},
        font={"family": FONT_FAMILY, "size": 14, "color": "#1D2430"},
        # the legend sits under the chart (outside the plot area, so it never covers the title)
        legend={"orientation": "h", "yref": "container", "yanchor": "bottom", "y": 0.0, "xanchor": "left",
                "x": 0, "font": {"size": 14}},
        showlegend=legend,
        margin={"l": 8, "r": 8, "t": 56, "b": 8},
        height=height,
        hoverlabel={"font": {"family": FONT_FAMILY, "size": 14}},
    )
    fig.update_xaxes(automargin=True, tickfont={"size": 14}, title_font={"size": 14})
    fig.update_yaxes(automargin=True, tickfont={"size": 14}, title_font={"size": 14})
    return fig


def chart(fig, key: str | None = None, on_select=None):
    """st.plotly_chart with the house config (no plotly logo, nothing from the internet)."""
    kwargs = {"width": "stretch", "config": PLOTLY_CONFIG, "theme": None, "key": key}
    if on_select is not None:
        kwargs.update(on_select=on_select, selection_mode=("points",))
    return st.plotly_chart(fig, **kwargs)


# --- number formats ----------------------------------------------------------------------------------

def money(wan, lang: str = "zh", unit: str = "auto") -> str:
    from lib.i18n import fmt_money

    return fmt_money(None if nan(wan) else float(wan), lang, unit)


def pct(fraction, digits: int = 1) -> str:
    from lib.i18n import fmt_pct

    return fmt_pct(None if nan(fraction) else float(fraction), digits)


def pp(points, lang: str = "zh", digits: int = 1) -> str:
    from lib.i18n import fmt_pp

    return fmt_pp(None if nan(points) else float(points), lang, digits)


def money_unit(values, lang: str = "zh") -> tuple[float, str, str]:
    """(divisor, unit key, axis title) for a series of 万元 values: 亿元 from 10,000万元 up."""
    vals = [abs(float(v)) for v in values if not nan(v)]
    if vals and max(vals) >= 10000:
        return 10000.0, "unit_yi", t("axis_yi", lang)
    return 1.0, "unit_wan", t("axis_wan", lang)


def light_word(light: str, lang: str = "zh") -> str:
    return enum_label("light", light, lang)


# --- leading to the list and the project file -----------------------------------------------------

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


def light_cell_style(light_word_to_key: dict[str, str]):
    """A pandas Styler function colouring a cell by the light word it holds (the word stays)."""
    def style(value):
        key = light_word_to_key.get(value)
        if key is None:
            return ""
        fg = "#1D2430" if key in ("yellow", "gray") else "#FFFFFF"
        return f"background-color: {LIGHT_COLORS[key]}; color: {fg}; font-weight: 600"
    return style


@st.cache_resource(show_spinner=False, max_entries=16)
def _lights_pair(period: str, as_of, version: int, url: str):
    """(lights at P, lights at P−1, the problems read with them): the league reuses the problems."""
    from lib.lights import lights_pair_with_frames

    with session_scope(get_engine()) as session:
        now, before, fr = lights_pair_with_frames(session, period, as_of=as_of)
        return now, before, fr.problems


def lights_pair(period: str, as_of=None):
    """(lights at P, lights at P−1 without reason texts) from one load (lib.lights.compute_lights_pair)."""
    return _shallow(_lights_pair(period, as_of, data_version(), store_url())[:2])


@st.cache_data(show_spinner=False, max_entries=16)
def _rank_history(period: str, group_by: str, version: int, url: str) -> pd.DataFrame:
    """Rank of every group in each month of the period's year that has reports (the lights of all
    those months from one load of the rule frames; each month's lights are the next one's P−1)."""
    from lib.frames import rule_problems
    from lib.league import compute_league
    from lib.lights import compute_lights_months

    year = period[:4]
    have = set(_periods(version, url))
    months = sorted(p for p in have if p.startswith(year + "-") and p <= period)
    parts = []
    with session_scope(get_engine()) as session:
        # one load of the rule frames for every month (and the month before the first, for its
        # rank change), lights without reason texts (ranks need none), problems read once (each
        # table filters them by its own dates)
        before_first = periods.previous(months[0]) if months else None
        wanted = months + ([before_first] if before_first in have else [])
        by_month = compute_lights_months(session, wanted, with_reasons=False)
        problems = rule_problems(session, raised_upto=periods.last_day(period)) if months else None
        for p in months:
            lg = compute_league(session, p, as_of=periods.last_day(p), group_by=group_by, lights=by_month[p],
                                lights_prev=by_month.get(periods.previous(p)), problems=problems)
            parts.append(lg[["group_key", "group_name", "rank", "score"]].assign(period=p))
    if not parts:
        return pd.DataFrame(columns=["group_key", "group_name", "rank", "score", "period"])
    return pd.concat(parts, ignore_index=True)


def rank_history(period: str, group_by: str = "region") -> pd.DataFrame:
    """group_key, group_name, rank, score, period for each month of the year up to ``period``."""
    return _rank_history(period, group_by, data_version(), store_url())


@st.cache_data(show_spinner=False, max_entries=32)
def _overview_bundle(period: str, as_of, region_code, prev_has_reports: bool, version: int, url: str) -> dict:
    from concurrent.futures import ThreadPoolExecutor

    from lib import overview

    def _curve():
        with session_scope(get_engine()) as s:
            return overview.monthly_curve(s, period, region_code)

    # the curve is two aggregate queries that the database answers without holding Python's lock:
    # on a cold run they go on (own connection) while this thread computes the lights
    with ThreadPoolExecutor(max_workers=1) as pool:
        curve_job = pool.submit(_curve)
        now, before, _ = _lights_pair(period, as_of, version, url)
        names = dict(_regions(version, url))
        prev = periods.previous(period)
        with session_scope(get_engine()) as session:
            summ = overview.summary(now, overview.problem_counts_at(session, as_of, region_code), period,
                                    region_code)
            summ_before = None
            if prev_has_reports:
                summ_before = overview.summary(
                    before, overview.problem_counts_at(session, periods.last_day(prev), region_code), prev,
                    region_code)
        curve = curve_job.result()
    mine = overview.filter_region(now, region_code)
    return {
        "summary": summ, "before": summ_before, "change": overview.change(summ, summ_before),
        "by_region": overview.by_region(now, names), "by_sector": overview.by_sector(mine).head(12),
        "counts": overview.light_counts(mine), "curve": curve,
    }


def overview_bundle(period: str, as_of, region_code: str | None) -> dict:
    """Everything the overview draws (summary now and a month before, change, by county, by sector,
    light counts, the monthly curve), computed by lib.overview over the cached lights."""
    prev_ok = periods.previous(period) in report_periods()
    return _overview_bundle(period, as_of, region_code, prev_ok, data_version(), store_url())


@st.cache_data(show_spinner=False, max_entries=16)
def _filter_options(period: str, as_of, version: int, url: str) -> dict:
    from lib import overview

    return overview.filter_options(_lights(period, as_of, version, url))


def filter_options(period: str, as_of=None) -> dict:
    """The values each list filter can take for the period's projects (lib.overview.filter_options)."""
    return _filter_options(period, as_of, data_version(), store_url())
