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
    from lib.store import data_version as _dv

    with session_scope(get_engine()) as session:
        return _dv(session)


@st.cache_data(show_spinner=False, max_entries=64)
def _is_demo(_version: int, url: str) -> bool:
    from lib.demo import is_demo

    with session_scope(get_engine()) as session:
        return is_demo(session)


def header(title: str, c: Ctx | None = None, subtitle: str | None = None) -> None:
    """Title, 数据截至 and the 示例数据 banner: every page starts with this."""
    c = c or ctx()
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
