"""Small drawing helpers: chart styling, number formats, light badges and cell styles.
"""
from __future__ import annotations

import math

import streamlit as st

from lib.i18n import LIGHT_COLORS, enum_label, t
from lib.intake.limits import MAX_UPLOAD_BYTES
from lib.rules import dimensions


def light_badge(light: str, lang: str = "zh") -> str:
    """HTML for a light: coloured chip that also carries the word (colour is never alone)."""
    color = LIGHT_COLORS.get(light, LIGHT_COLORS["gray"])
    fg = "#1D2430" if light in ("yellow", "gray") else "#FFFFFF"
    word = enum_label("light", light, lang)
    return (
        f'<span style="background:{color};color:{fg};padding:2px 10px;border-radius:12px;'
        f'font-weight:600;white-space:nowrap">{word}</span>'
    )


FONT_FAMILY = "Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif"


PLOTLY_CONFIG = {
    "displaylogo": False,
    "responsive": True,
    "modeBarButtonsToRemove": ["select2d", "lasso2d", "toImage", "autoScale2d"],
}


LIGHT_ORDER = dimensions.LIGHT_ORDER


def nan(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _house_template() -> str:
    """plotly_white cut to what our charts use (no polar/ternary/3-D/geo defaults, bar/scatter/pie/heatmap
    trace defaults only) plus the house look (CJK fonts, title, legend under the chart, tight margins,
    14 px axis text), made the process default: every go.Figure gets it on creation for ~3 ms instead
    of copying the whole plotly template (40 ms a figure, 26k deepcopies per overview run), and
    style_fig sets only what differs per chart (title, height, legend on/off) — plotly's validating
    update path costs ~20 ms per nested key, so fewer keys is most of the saving."""
    import plotly.graph_objects as go
    import plotly.io as pio

    if "cockpit" not in pio.templates:
        white = pio.templates["plotly_white"]
        layout = {k: v for k, v in white.layout.to_plotly_json().items()
                  if k not in ("polar", "ternary", "scene", "geo")}
        axis = {"automargin": True, "tickfont": {"size": 14}, "title": {"font": {"size": 14}}}
        layout.update({
            "title": {"x": 0.01, "xanchor": "left", "yref": "container", "y": 0.985, "yanchor": "top",
                      "font": {"size": 18}},
            "font": {"family": FONT_FAMILY, "size": 14, "color": "#1D2430"},
            # the legend sits under the chart (outside the plot area, so it never covers the title)
            "legend": {"orientation": "h", "yref": "container", "yanchor": "bottom", "y": 0.0,
                       "xanchor": "left", "x": 0, "font": {"size": 14}},
            "margin": {"l": 8, "r": 8, "t": 56, "b": 8},
            "hoverlabel": {"font": {"family": FONT_FAMILY, "size": 14}},
            "xaxis": {**layout.get("xaxis", {}), **axis},
            "yaxis": {**layout.get("yaxis", {}), **axis},
        })
        data = {k: white.data[k] for k in ("bar", "scatter", "pie", "heatmap")}
        pio.templates["cockpit"] = go.layout.Template(layout=layout, data=data)
    pio.templates.default = "cockpit"
    return "cockpit"


TEMPLATE = _house_template()


def style_fig(fig, title: str, height: int = 380, legend: bool = True):
    """CJK fonts, a title, a visible horizontal legend, tight margins (no internet: no mathjax): the
    house template every figure carries; here only the title, the height and the legend switch."""
    if fig.layout.template is None or fig.layout.template.layout.hoverlabel.font.family != FONT_FAMILY:
        fig.update_layout(template=TEMPLATE)  # a figure made before this module set the default
    fig.update_layout(title_text=title, height=height, showlegend=legend)
    return fig


def _plain(text) -> str:
    """A chart title without its HTML (<b>, <br>, <span …>)."""
    import re

    return re.sub(r"<[^>]+>", " ", str(text or "")).split("  ")[0].strip()


def image_filename(title: str, period: str | None) -> str:
    """「title_2022年10月」: the PNG's file name (never newplot.png); no path or shell characters."""
    import re

    from lib.periods import fmt_period

    name = _plain(title) or "chart"
    if period:
        name += "_" + fmt_period(period, "zh")
    return re.sub(r'[\\/:*?"<>|\s]+', "_", name).strip("_")[:120] or "chart"


def image_config(fig, period: str | None = None) -> dict:
    """The house config plus the camera button: a PNG at twice the screen size, named after the
    chart's title and period (plotly's ``toImageButtonOptions``)."""
    title = fig.layout.title.text if fig.layout.title and fig.layout.title.text else ""
    cfg = dict(PLOTLY_CONFIG)
    cfg["modeBarButtonsToRemove"] = [b for b in PLOTLY_CONFIG["modeBarButtonsToRemove"] if b != "toImage"]
    cfg["toImageButtonOptions"] = {"format": "png", "filename": image_filename(title, period), "scale": 2}
    return cfg


def stamp_period(fig, lang: str = "zh") -> None:
    """Draw 数据截至 and the county into the chart (under its title) so a saved image carries them."""
    from lib import periods

    s = st.session_state
    period = s.get("period")
    if not period or not (fig.layout.title and fig.layout.title.text):
        return
    if fig.layout.title.subtitle and fig.layout.title.subtitle.text:
        return
    region = s.get("region_code")
    where = t("all_regions", lang)
    if region:
        try:
            from pages import _cache

            where = _cache.region_names().get(region, region)
        except Exception:  # the code still names the county
            where = region
    fig.update_layout(title_subtitle_text=f"{t('data_as_of', lang)}:{periods.fmt_date(periods.last_day(period), lang)}"
                                          f" · {where}",
                      title_subtitle_font={"size": 13, "color": "#465060"})
    top = fig.layout.margin.t if fig.layout.margin and fig.layout.margin.t is not None else 56
    fig.update_layout(margin={"t": max(top, 56) + 22})


def chart(fig, key: str | None = None, on_select=None):
    """st.plotly_chart with the house config (no plotly logo, nothing from the internet); the camera
    button saves a 2× PNG named after the title and period, with 数据截至 drawn in."""
    lang = st.session_state.get("lang", "zh")
    stamp_period(fig, lang)
    kwargs = {"width": "stretch", "config": image_config(fig, st.session_state.get("period")), "theme": None,
              "key": key}
    if on_select is not None:
        kwargs.update(on_select=on_select, selection_mode=("points",))
    return st.plotly_chart(fig, **kwargs)


def money(wan, lang: str = "zh", unit: str = "auto") -> str:
    from lib.i18n import fmt_money

    return fmt_money(None if nan(wan) else float(wan), lang, unit)


def pct(fraction, digits: int = 1) -> str:
    from lib.i18n import fmt_pct

    return fmt_pct(None if nan(fraction) else float(fraction), digits)


def pp(points, lang: str = "zh", digits: int = 1) -> str:
    from lib.i18n import fmt_pp

    return fmt_pp(None if nan(points) else float(points), lang, digits)


def metric_delta(value, lang: str = "zh", fmt=None, better: str | None = "up") -> dict:
    """st.metric's delta arguments for a change (lib.changes.fmt_change: 持平 for zero, "+3", "−1,234万元"):
    the arrow and the colour set from the number itself — Streamlit reads only an ASCII "-" as a fall, so
    "−1,234万元" would get a green ↑ — and a zero gets neither (the word 持平 says it, in grey).
    ``better``: "up" (a rise is good: green), "down" (a rise is bad: red) or None (grey either way).
    With no value: no delta at all."""
    from lib.changes import change_sign, fmt_change

    sign = change_sign(value, fmt)
    if sign is None:
        return {"delta": None, "delta_arrow": "off", "delta_color": "off"}
    arrow = {1: "up", -1: "down", 0: "off"}[sign]
    if sign == 0 or better is None:
        color = "off"
    else:
        color = "green" if (sign > 0) == (better == "up") else "red"
    return {"delta": fmt_change(value, lang, fmt), "delta_arrow": arrow, "delta_color": color}


def money_unit(values, lang: str = "zh") -> tuple[float, str, str]:
    """(divisor, unit key, axis title) for a series of 万元 values: 亿元 from 10,000万元 up."""
    vals = [abs(float(v)) for v in values if not nan(v)]
    if vals and max(vals) >= 10000:
        return 10000.0, "unit_yi", t("axis_yi", lang)
    return 1.0, "unit_wan", t("axis_wan", lang)


def light_word(light: str, lang: str = "zh") -> str:
    return enum_label("light", light, lang)


LIGHT_MARK = {"red": "🔴", "yellow": "🟡", "green": "🟢", "gray": "⚪"}


def marked_light_words(lang: str = "zh") -> dict[str, str]:
    """light word → the word with its coloured mark (🔴 红灯): a table's light cell without a Styler
    (a Styler costs ~0.7 ms a cell and refuses more than 262,144 cells). The word stays."""
    return {enum_label("light", k, lang): f"{LIGHT_MARK[k]} {enum_label('light', k, lang)}" for k in LIGHT_MARK}


def light_cell_style(light_word_to_key: dict[str, str]):
    """A pandas Styler function colouring a cell by the light word it holds (the word stays)."""
    def style(value):
        key = light_word_to_key.get(value)
        if key is None:
            return ""
        fg = "#1D2430" if key in ("yellow", "gray") else "#FFFFFF"
        return f"background-color: {LIGHT_COLORS[key]}; color: {fg}; font-weight: 600"
    return style


def excel_download(df, name: str, key: str, label: str | None = None) -> None:
    """A download button giving the table as shown as formula-safe Excel (lib.outputs.excel): a
    text that would start a formula is made inert. ``df`` may be a pandas Styler (its data is used)."""
    from lib.outputs.excel import to_excel_bytes

    data = getattr(df, "data", df)  # a Styler carries its frame in .data
    period = st.session_state.get("period")
    stem = image_filename(name, period)
    st.download_button(label or t("ox_table_xlsx", st.session_state.get("lang", "zh")),
                       data=lambda: to_excel_bytes(data, name), file_name=f"{stem}.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=key)


# Lists pin their identifying columns (light and name, or number and project: issue 14 item 4), so a
# sideways scroll keeps the row's name in view. Streamlit 1.67's grid draws a pinned column at 60 %
# opacity (its "faded" cell style; no column_config, Styler or theme setting changes it), so the
# theme's text colour is near-black (#0B0F14): faded it is ~#6D6F72, 5.2:1 on white (WCAG AA).

PAGE_ROWS = 200  # rows of a long table drawn at once; the rest are a page away (and in the export)


def paged(df, key: str, lang: str = "zh", size: int = PAGE_ROWS):
    """The rows of ``df`` on the page the user picked (a page number under the table when there is more
    than one page). A long table is never sent to the browser whole: 50,000 problems draw as fast as 200."""
    n = len(df)
    pages = max(1, -(-n // size))
    if pages == 1:
        return df
    if int(st.session_state.get(key) or 1) > pages:
        st.session_state[key] = 1
    left, right = st.columns([1, 3])
    page = int(left.number_input(t("pg_page", lang, pages=pages), min_value=1, max_value=pages, step=1,
                                 key=key) or 1)
    first = (page - 1) * size
    right.caption(t("pg_rows", lang, a=first + 1, b=min(first + size, n), n=n))
    return df.iloc[first:first + size]


# --- portrait cards (issue 14 item 4) ------------------------------------------------------------------
# A wide list is drawn either as the table (in a ``ck_landscape_*`` container) or as one page of cards (in
# a ``ck_portrait_*`` container) — only the one chosen is sent to the browser. The server cannot see the
# screen (st.context has no viewport), so the user chooses with a 表格/卡片 switch above the list, kept
# for the session; its first value follows the orientation the browser last recorded (the cookie
# ``ck_orient`` that pages/_frame.PORTRAIT_JS writes: "portrait" on an upright tablet or a narrow screen).
# Every value in a card is escaped here.

VIEW_STATE = "list_view"  # "table" or "cards": this session's choice, shared by every list
VIEW_COOKIE = "ck_orient"
VIEWS = ("table", "cards")


def recorded_portrait() -> bool:
    """True when the browser recorded an upright (portrait) screen when this session connected."""
    try:
        return st.context.cookies.get(VIEW_COOKIE) == "portrait"
    except Exception:  # no browser (a script run without a client)
        return False


def _view_picked(widget_key: str) -> None:
    value = st.session_state.get(widget_key)
    if value in VIEWS:  # tapping the chosen option again clears a segmented control: keep the choice
        st.session_state[VIEW_STATE] = value


def list_view(key: str, lang: str = "zh") -> str:
    """The 表格/卡片 switch of the list ``key`` (every list shares the session's choice); returns "table"
    or "cards". Draw only that one, in table_or_cards(key, view)."""
    s = st.session_state
    if s.get(VIEW_STATE) not in VIEWS:
        s[VIEW_STATE] = "cards" if recorded_portrait() else "table"
    widget_key = f"ck_view_{key}"
    s[widget_key] = s[VIEW_STATE]
    st.segmented_control(t("lv_label", lang), VIEWS, key=widget_key, label_visibility="collapsed",
                         format_func=lambda v: t(f"lv_{v}", lang), on_change=_view_picked, args=(widget_key,))
    return s[VIEW_STATE]


CARD_ROWS = 20  # cards drawn at once (the rest are a page away, as in the table)


def _esc(value) -> str:
    import html

    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return html.escape(str(value))


def card_html(title, *, light: str | None = None, lead=None, chip: tuple[str, str] | None = None,
              lines=(), figures=(), lang: str = "zh") -> str:
    """One card: [light chip with its word] [lead] **title** [chip]; then each of ``lines`` (label, text)
    on its own line, clamped to three lines; then the deciding ``figures`` (label, value) on one line.
    ``chip`` is (text, colour) for a flag that is not a light (逾期12天). Every text is escaped."""
    head = []
    if light is not None:
        head.append(light_badge(light, lang))
    if lead not in (None, ""):
        head.append(f'<span class="ck-card-lead">{_esc(lead)}</span>')
    head.append(f'<b class="ck-card-title">{_esc(title)}</b>')
    if chip is not None and chip[0]:
        head.append(f'<span class="ck-chip" style="background:{chip[1]};color:#FFFFFF">{_esc(chip[0])}</span>')
    body = "".join(
        f'<div class="ck-card-line"><span class="ck-card-label">{_esc(label)}:</span>{_esc(text)}</div>'
        for label, text in lines if text not in (None, "") and not nan(text))
    figs = " · ".join(f'<span class="ck-card-fig">{_esc(label)} <b>{_esc(value)}</b></span>'
                      for label, value in figures if value not in (None, "") and not nan(value))
    if figs:
        body += f'<div class="ck-card-figs">{figs}</div>'
    return f'<div class="ck-card"><div class="ck-card-head">{" ".join(head)}</div>{body}</div>'


def table_or_cards(key: str, view: str):
    """The container of the list ``key`` for ``view`` (list_view's answer): ``ck_landscape_<key>`` for the
    table, ``ck_portrait_<key>`` for the cards. The other view is not drawn at all."""
    return st.container(key=f"ck_landscape_{key}" if view == "table" else f"ck_portrait_{key}")


def card_key(value) -> str:
    """A widget-key-safe, stable tag for a row's own key (a code may hold any text)."""
    import hashlib

    return hashlib.sha1(str(value).encode("utf-8")).hexdigest()[:12]


# --- the upload drop zone (issue 14 item 1) --------------------------------------------------------------

UPLOAD_TYPES = ("csv", "xlsx", "txt")
UPLOAD_MB = MAX_UPLOAD_BYTES // (1024 * 1024)  # the limit lib.intake enforces (config.toml says the same)


def _css_string(text: str) -> str:
    """A CSS string literal of one of our own texts (quotes, backslashes, line ends and "<" escaped)."""
    out = "".join(f"\\{ord(ch):X} " if ch in '"\\<>\n\r' else ch for ch in text)
    return f'"{out}"'


def dropzone_css(lang: str, key: str = "ck_upload_drop", mb: int = UPLOAD_MB,
                 types: tuple[str, ...] = UPLOAD_TYPES) -> str:
    """The drop zone in the container ``key`` in the user's language: Streamlit writes its button, its
    limit line and its drag hint in English only (1.67 has no parameter, setting or translation for
    them). Each English text is kept (font size 0: still in the page and read by a screen reader) and
    ours is drawn after it — our fixed texts from lib.i18n naming the real limit (``mb``) and the
    accepted ``types``; no user text."""
    sep = "、" if lang == "zh" else ", "
    limit = t("up_drop_limit", lang, mb=mb, types=sep.join(x.upper() for x in types))
    zone = f'.st-key-{key} [data-testid="stFileUploaderDropzone"]'
    parts = [
        (f'{zone} button [data-testid="stMarkdownContainer"] p', t("up_drop_button", lang), "16px"),
        (f'{zone} [data-testid="stFileUploaderDropzoneInstructions"] span', limit, "14px"),
        (f"{zone} > div:not([data-testid]) > span", t("up_drop_drag", lang), "16px"),
    ]
    rules = "\n".join(
        f"{sel} {{ font-size: 0 !important; line-height: 0; }}\n"
        f"{sel}::after {{ content: {_css_string(text)}; font-size: {size}; line-height: 1.6; }}"
        for sel, text, size in parts)
    return f"<style>\n{rules}\n</style>"
