"""红黄绿灯项目清单 — every project of the year with its overall and six dimension lights.

Numbers: lib.rules.lights.compute_lights, the year-end forecast column lib.rules.sprint; filtering and sorting: lib.rules.overview; export: lib.outputs.excel.
Light cells carry the word (红/黄/绿/灰) as well as the colour. A row leads to the project file.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from lib.i18n import enum_label, t
from lib.outputs.excel import to_excel_bytes
from lib.rules import overview, sprint
from lib.rules.lights import round1
from pages import _cache, _frame, _widgets

MAX_ROWS = 1000  # rows drawn on screen; the export carries every row of the filter

c = _frame.ctx()
lang = c.lang
_frame.header(t("page_project_list", lang), c)

ALL = {}  # set below, once the language is known
WIDGETS = {  # filter → widget key
    "region": "pl_region", "light": "pl_light", "dimension": "pl_dim", "dim_light": "pl_dim_light",
    "level": "pl_level", "sector": "pl_sector", "tags": "pl_tags", "library": "pl_library",
    "nature": "pl_nature", "leader": "pl_leader", "unit": "pl_unit", "text": "pl_text", "sort": "pl_sort",
}
SINGLE = {"dimension", "text", "sort"}


def _reset(values: dict | None = None) -> None:
    values = values or {}
    # a set of projects another page points at (e.g. a pipeline figure): kept until cleared
    st.session_state["pl_codes"] = list(values.get("codes") or [])
    st.session_state["pl_codes_label"] = values.get("codes_label")
    for f, key in WIDGETS.items():
        v = values.get(f)
        if f in SINGLE:
            st.session_state[key] = v if v is not None else ("" if f == "text" else (None if f == "dimension" else "light"))
        else:
            st.session_state[key] = list(v) if isinstance(v, (list, tuple)) else ([v] if v else [])


ALL = {"placeholder": t("filter_all", lang)}

if _frame.need_period(c):
    names = _cache.region_names()
    opts = _cache.filter_options(c.period, c.as_of)

    # filters asked for by another page (a card or a chart), else the sidebar county
    pending = st.session_state.pop(_frame.LIST_FILTER_KEY, None)
    if pending is not None:
        _reset(pending)
        st.session_state["pl_sidebar_region"] = c.region_code
    elif "pl_region" not in st.session_state or st.session_state.get("pl_sidebar_region") != c.region_code:
        keep = {f: st.session_state.get(k) for f, k in WIDGETS.items()}
        keep["region"] = [c.region_code] if c.region_code else []
        _reset(keep)
        st.session_state["pl_sidebar_region"] = c.region_code
    # drop remembered values that this period no longer offers
    for f in ("region", "level", "sector", "tags", "library", "nature", "leader", "unit"):
        key = WIDGETS[f]
        st.session_state[key] = [v for v in st.session_state.get(key) or [] if v in opts[f] or (f == "region" and v in names)]

    lights_keys = ["red", "yellow", "green", "gray"]
    dims = list(overview.DIMENSIONS)
    f1 = st.columns(4)
    f1[0].multiselect(t("f_region", lang), list(names.keys()), key="pl_region",
                      format_func=lambda code: names.get(code, code), persist_state="session", **ALL)
    f1[1].multiselect(t("f_light", lang), lights_keys, key="pl_light",
                      format_func=lambda k: enum_label("light", k, lang), persist_state="session", **ALL)
    f1[2].text_input(t("f_text", lang), key="pl_text", persist_state="session")
    f1[3].selectbox(t("f_sort", lang), list(overview.SORTS), key="pl_sort",
                    format_func=lambda k: t(f"sort_{k}", lang), persist_state="session", **ALL)
    with st.expander(t("f_more", lang), expanded=any(
            st.session_state.get(WIDGETS[f]) for f in ("dimension", "level", "sector", "tags", "library",
                                                       "nature", "leader", "unit"))):
        f2 = st.columns(4)
        f2[0].selectbox(t("f_dimension", lang), [None, *dims], key="pl_dim",
                        format_func=lambda k: "—" if k is None else enum_label("dimension", k, lang),
                        persist_state="session", **ALL)
        f2[1].multiselect(t("f_dim_light", lang), lights_keys, key="pl_dim_light",
                          format_func=lambda k: enum_label("light", k, lang), persist_state="session", **ALL)
        f2[2].multiselect(t("f_level", lang), opts["level"], key="pl_level",
                          format_func=lambda k: enum_label("level", k, lang), persist_state="session", **ALL)
        f2[3].multiselect(t("f_sector", lang), opts["sector"], key="pl_sector", persist_state="session", **ALL)
        f3 = st.columns(4)
        f3[0].multiselect(t("f_tags", lang), opts["tags"], key="pl_tags", persist_state="session", **ALL)
        f3[1].multiselect(t("f_library", lang), opts["library"], key="pl_library",
                          format_func=lambda k: enum_label("library", k, lang), persist_state="session", **ALL)
        f3[2].multiselect(t("f_nature", lang), opts["nature"], key="pl_nature",
                          format_func=lambda k: enum_label("nature", k, lang), persist_state="session", **ALL)
        f3[3].multiselect(t("f_leader", lang), opts["leader"], key="pl_leader", persist_state="session", **ALL)
        f4 = st.columns(4)
        f4[0].multiselect(t("f_unit", lang), opts["unit"], key="pl_unit", persist_state="session", **ALL)
        with f4[3]:
            st.write("")
            if st.button(t("f_clear", lang), key="pl_clear", width="stretch"):
                _reset({})
                st.session_state["pl_sidebar_region"] = c.region_code
                st.rerun()

    filters = {f: st.session_state.get(k) for f, k in WIDGETS.items() if f != "sort"}
    if st.session_state.get("pl_codes"):
        filters["codes"] = st.session_state["pl_codes"]
        shown = st.columns([4, 1])
        shown[0].info(t("pl_codes_only", lang, label=st.session_state.get("pl_codes_label") or "",
                        n=len(st.session_state["pl_codes"])))
        if shown[1].button(t("f_clear", lang), key="pl_codes_clear", width="stretch"):
            st.session_state["pl_codes"] = []
            st.rerun()
    # filtered, sorted and counted once per filter for every session (pages/_cache.project_view)
    view, counts = _cache.project_view(c.period, c.as_of, filters, st.session_state.get("pl_sort") or "light")

    # counts by colour for the current filter (word + number; the colour is not alone)
    chips = " ".join(
        f'{_widgets.light_badge(k, lang)} <b style="font-size:17px">{counts[k]}</b>' for k in lights_keys)
    st.markdown(f'<div style="line-height:2.2">{t("list_count", lang).format(n=len(view))} &nbsp; {chips}</div>',
                unsafe_allow_html=True)

    # the table as read: words, percents, points (drawn for the rows shown; the export builds all rows)
    word = {k: enum_label("light", k, lang) for k in lights_keys}
    reasons_col = "reasons_en" if lang == "en" and "reasons_en" in view.columns else "reasons"

    fc = _cache.cached(sprint.sprint_frame, c.period).set_index("project_code")
    sprint_pct = (fc["forecast"] / fc["plan"].where(fc["plan"] > 0) * 100).round(0)

    def make_table(v):
        # most important first: light and name, the reason, then the deciding figures; the code last
        pct = lambda col: round1(pd.to_numeric(v[col], errors="coerce").to_numpy())
        return pd.DataFrame({
            t("col_light", lang): v["light"].map(word),
            t("col_name", lang): v["project_name"],
            t("col_reasons", lang): v[reasons_col].fillna(""),
            t("col_gap", lang): pct("gap_pp"),
            t("col_rate", lang): pct("actual_pct"),
            t("col_expected", lang): pct("expected_pct"),
            t("col_sprint", lang): v["project_code"].map(sprint_pct),  # 冲刺: year-end forecast, % of plan
            t("col_region", lang): v["region_code"].map(lambda code: names.get(code, code)),
            **{enum_label("dimension", d, lang): v[d].map(word) for d in dims},
            t("col_plan", lang): pd.to_numeric(v["annual_plan"], errors="coerce").round(0),
            t("col_code", lang): v["project_code"],
        }).reset_index(drop=True)

    e1, e2 = st.columns([3, 2])
    with e2:
        st.download_button(
            t("export_excel", lang), data=lambda: to_excel_bytes(make_table(view), t("page_project_list", lang)),
            file_name=f"红黄绿灯项目清单_{c.period}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key="pl_export", width="stretch", on_click="ignore",
        )
    with e1:
        mode = _widgets.list_view("pl", lang)  # 表格 or 卡片: only that one is drawn
        st.caption(t("open_file_hint" if mode == "table" else "card_open_hint", lang))  # a row, or a card's button

    with _widgets.table_or_cards("pl", mode):
        if mode == "table":  # the table; a tapped row opens the project file
            shown = make_table(_widgets.paged(view, "pl_table_page", lang, size=MAX_ROWS))
            # light words carry their coloured mark; numbers are formatted by the grid (no Styler: it cost
            # 0.7 s for 1,000 rows and refuses more than 262,144 cells)
            marked = _widgets.marked_light_words(lang)
            light_cols = [t("col_light", lang)] + [enum_label("dimension", d, lang) for d in dims]
            drawn = shown.assign(**{col: shown[col].map(marked).fillna(shown[col]) for col in light_cols if col in shown})
            event = st.dataframe(
                drawn, key="pl_table", hide_index=True, on_select="rerun", selection_mode="single-row",
                height=min(38 + 35 * max(len(shown), 1), 640),
                column_config={t("col_light", lang): st.column_config.TextColumn(width=80, pinned=True),
                               t("col_name", lang): st.column_config.TextColumn(width="medium", pinned=True),
                               t("col_reasons", lang): st.column_config.TextColumn(width="large"),
                               t("col_rate", lang): st.column_config.NumberColumn(format="%.1f%%"),
                               t("col_expected", lang): st.column_config.NumberColumn(format="%.1f%%"),
                               t("col_gap", lang): st.column_config.NumberColumn(format="%+.1f"),
                               t("col_sprint", lang): st.column_config.NumberColumn(format="%.0f%%"),
                               t("col_plan", lang): st.column_config.NumberColumn(format="localized")},
            )
            rows = event.selection.rows if event is not None else []
            if rows:
                _frame.open_project(str(shown.iloc[rows[0]][t("col_code", lang)]))
        else:  # one page of cards, each leading to its project file as a row does
            for r in _widgets.paged(view, "pl_card_page", lang, size=_widgets.CARD_ROWS).to_dict("records"):
                num = lambda v: pd.to_numeric(v, errors="coerce")
                gap, rate, exp = num(r.get("gap_pp")), num(r.get("actual_pct")), num(r.get("expected_pct"))
                with st.container(key=f"ck_card_pl_{_widgets.card_key(r['project_code'])}", border=True):
                    st.html(_widgets.card_html(
                        r["project_name"], light=r["light"], lang=lang,
                        lines=[(t("col_reasons", lang), r.get(reasons_col))],
                        figures=[(t("col_gap", lang), None if pd.isna(gap) else f"{gap:+.1f}"),
                                 (t("col_rate", lang), None if pd.isna(rate) else f"{rate:.1f}%"),
                                 (t("col_expected", lang), None if pd.isna(exp) else f"{exp:.1f}%"),
                                 (t("col_region", lang), names.get(r["region_code"], r["region_code"]))]))
                    if st.button(f"{t('open_file', lang)} ›", key=f"pl_card_open_{_widgets.card_key(r['project_code'])}",
                                 type="tertiary"):
                        _frame.open_project(str(r["project_code"]))

    if len(view):
        o1, o2 = st.columns([3, 2])
        codes = list(view["project_code"].head(MAX_ROWS))
        label = dict(zip(view["project_code"], view["project_name"]))
        pick = o1.selectbox(t("pf_pick", lang), codes, key="pl_pick",
                            format_func=lambda code: f"{label.get(code, '')}({code})")
        with o2:
            st.write("")
            if st.button(t("open_file", lang), key="pl_open", width="stretch"):
                _frame.open_project(pick)
