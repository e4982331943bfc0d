"""数据质量 — the campaign office's data-quality flags that stay: by county and kind, each flag with
its report row (project, period, column, value, message) and a way into the project file.

Numbers: lib.intake.quality.flag_table (the flags stored on the monthly reports) only.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from lib import periods
from lib.access import can
from lib.access.scope import of as scope_of
from lib.i18n import t
from lib.intake import quality
from lib.outputs.excel import safe_frame
from pages import _cache, _frame

c = _frame.ctx()
lang = c.lang


def L(key: str, **kw) -> str:
    return t(key, lang, **kw)


_frame.header(L("page_quality"), c)
if c.actor is None or not can(c.actor, "quality_read"):
    st.warning(L("qp_forbidden"))
    st.stop()

if _frame.need_period(c):
    year, _m = periods.split(c.period)
    flags = _cache.cached(quality.flag_table, year=year, through=c.period)
    regions = _cache.region_names()
    st.caption(L("qp_intro", year=year, period=periods.fmt_period(c.period, lang)))

    f1, f2 = st.columns([1, 2])
    options = ["", *regions]
    county = f1.selectbox(L("qp_county"), options, key="qp_county",
                          index=options.index(c.region_code) if c.region_code in regions else 0,
                          format_func=lambda k: t("all_regions", lang) if not k else regions.get(k, k))
    kinds = f2.multiselect(L("qp_kind"), list(quality.FLAG_CODES), key="qp_kind",
                           format_func=lambda k: L(f"qf_name_{k}"), placeholder=L("qp_all_kinds"))
    view = flags
    if county:
        view = view[scope_of(county).mask(view["region_code"])]
    if kinds:
        view = view[view["code"].isin(kinds)]

    m = st.columns(3)
    m[0].metric(L("qp_m_flags"), f"{len(view)}{t('count_unit', lang)}")
    m[1].metric(L("qp_m_rows"), f"{view[['project_code', 'period']].drop_duplicates().shape[0]}{t('count_unit', lang)}")
    m[2].metric(L("qp_m_counties"), f"{view['region_code'].nunique()}")

    if view.empty:
        st.success(L("qp_none"))
        st.stop()

    # --- by county and kind ----------------------------------------------------------------------------
    st.markdown(f"#### {L('qp_by_county')}")
    pivot = (view.assign(kind=view["code"].map(lambda k: L(f"qf_name_{k}")))
             .pivot_table(index="region_name", columns="kind", values="project_code", aggfunc="count", fill_value=0))
    order = [regions[k] for k in regions if regions[k] in pivot.index]
    pivot = pivot.reindex(order)
    pivot[L("qp_total")] = pivot.sum(axis=1)
    pivot.index.name = L("qp_county")
    st.table(pivot.reset_index().set_index(L("qp_county")))  # small: drawn as a plain table (slides, print)

    # --- every flag with its row ------------------------------------------------------------------------
    st.markdown(f"#### {L('qp_list')}")
    show = pd.DataFrame({
        L("qp_col_county"): view["region_name"],
        L("qp_col_period"): view["period"].map(lambda p: periods.fmt_period(p, lang)),
        L("qp_col_kind"): view["code"].map(lambda k: L(f"qf_name_{k}")),
        L("qp_col_message"): [quality.message({"code": k, "params": p}, lang) for k, p in zip(view["code"], view["params"])],
        L("qp_col_project"): view["project_name"].astype(str) + "(" + view["project_code"].astype(str) + ")",
    })
    event = st.dataframe(show, hide_index=True, key="qp_table", width="stretch", on_select="rerun",
                         selection_mode="single-row",
                         column_config={L("qp_col_message"): st.column_config.TextColumn(width="large"),
                                        L("qp_col_period"): st.column_config.TextColumn(width="small")})
    st.caption(L("qp_select_hint"))
    picked = list(getattr(getattr(event, "selection", None), "rows", []) or [])
    if picked:
        _frame.open_project(str(view.iloc[picked[0]]["project_code"]))
    codes = list(dict.fromkeys(view["project_code"]))
    names = dict(zip(view["project_code"], view["project_name"]))
    o1, o2 = st.columns([3, 2])
    pick = o1.selectbox(L("qp_pick"), codes, key="qp_pick", format_func=lambda k: f"{names.get(k, '')}({k})")
    with o2:
        st.write("")
        if st.button(t("open_file", lang), key="qp_open", width="stretch"):
            _frame.open_project(pick)
    st.download_button(t("export_csv", lang), safe_frame(show).to_csv(index=False).encode("utf-8-sig"),
                       file_name=f"data_quality_{c.period}.csv", mime="text/csv", key="qp_csv")
