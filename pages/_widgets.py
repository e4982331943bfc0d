"""Small drawing helpers: chart styling, number formats, light badges and cell styles.
"""
from __future__ import annotations

import math

import streamlit as st

from lib.i18n import LIGHT_COLORS, enum_label, t
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


def light_cell_style(light_word_to_key: dict[str, str]):
    """A pandas Styler function colouring a cell by the light word it holds (the word stays)."""
    def style(value):
        key = light_word_to_key.get(value)
        if key is None:
            return ""
        fg = "#1D2430" if key in ("yellow", "gray") else "#FFFFFF"
        return f"background-color: {LIGHT_COLORS[key]}; color: {fg}; font-weight: 600"
    return style
