"""项目储备与转化 — the pipeline 谋划储备 → 前期手续 → 开工 → 竣工 → 投产 and 三个一批.

Numbers: lib.rules.pipeline only (stages, per-county ratios, late 手续, event outcomes). Every figure
leads to the traffic-light list filtered to the projects behind it.
"""
from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from lib import periods
from lib.access.scope import of as scope_of
from lib.i18n import enum_label, t
from lib.rules import pipeline
from pages import _cache, _frame, _widgets

c = _frame.ctx()
lang = c.lang
_frame.header(t("page_pipeline", lang), c)

STAGE_COLORS = {"reserve": "#9AA3AD", "preparing": "#7A9CC6", "building": "#1F4E8C", "completed": "#2E9E5B",
                "operating": "#0F6B3A"}
RESERVE_GOAL = 5.0  # 大同: reserve ≥ 5 × the year's investment
SIGNED_GOAL = 0.5  # 大同: half of the projects signed in a year started the same year


def _list(label: str, codes, key: str) -> None:
    """A button that opens the traffic-light list with exactly these projects."""
    codes = sorted(set(codes))
    if st.button(t("pl_view_projects", lang, n=len(codes)), key=key, width="stretch", disabled=not codes):
        _frame.goto_list(codes=codes, codes_label=label)


def _ratio(v) -> str:
    return "—" if _widgets.nan(v) else f"{v:.1f}{t('pl_times', lang)}"


def _goal(v, goal: float) -> str:
    """The value with a word (not only a colour) saying whether the goal is met."""
    if _widgets.nan(v):
        return t("pl_na", lang)
    return t("pl_goal_met", lang) if v >= goal else t("pl_goal_missed", lang)


if _frame.need_period(c):
    period, as_of = c.period, c.as_of
    table = _cache.cached(pipeline.compute_pipeline, period, as_of)
    sg = _cache.cached(pipeline.stages, period, as_of)
    late = _cache.cached(pipeline.late_approvals, period, as_of)
    events = _cache.cached(pipeline.event_outcomes, period, as_of)
    pool = _cache.cached(pipeline.conversion_pool, period)
    signed = _cache.cached(pipeline.signed_pool, period, as_of)
    names = _cache.region_names()
    if c.region_code:  # the sidebar's county: every frame through the region scope
        here = scope_of(c.region_code)
        table, sg, late, events, pool, signed = (df[here.mask(df["region_code"])] for df in
                                                 (table, sg, late, events, pool, signed))
    tot = pipeline.area_totals(table)
    where = names.get(c.region_code, t("all_regions", lang)) if c.region_code else t("all_regions", lang)

    # --- headline figures against the goals ---------------------------------------------------------------
    k = st.columns(4)
    with k[0], st.container(border=True):
        st.metric(t("pl_reserve_ratio", lang), _ratio(tot["reserve_ratio"]),
                  _goal(tot["reserve_ratio"], RESERVE_GOAL), delta_color="off", delta_arrow="off",
                  help=t("pl_reserve_ratio_help", lang))
        _list(t("pl_reserve_ratio", lang), sg.loc[sg["stage"].isin(("reserve", "preparing")), "code"], "pl_k_reserve")
    with k[1], st.container(border=True):
        st.metric(t("pl_conversion", lang), _widgets.pct(tot["conversion_rate"]),
                  f"{int(tot['converted'])}/{int(tot['reserve_prev'])}", delta_color="off", delta_arrow="off",
                  help=t("pl_conversion_help", lang))
        _list(t("pl_conversion", lang), pool["code"], "pl_k_conv")
    with k[2], st.container(border=True):
        st.metric(t("pl_signed_started", lang), _widgets.pct(tot["signed_started_rate"]),
                  _goal(tot["signed_started_rate"], SIGNED_GOAL), delta_color="off", delta_arrow="off",
                  help=t("pl_signed_started_help", lang))
        _list(t("pl_signed_started", lang), signed["code"], "pl_k_signed")
    with k[3], st.container(border=True):
        st.metric(t("pl_ready", lang), _widgets.pct(tot["ready_rate"]),
                  f"{int(tot['ready'])}/{int(tot['planned_new'])}", delta_color="off", delta_arrow="off",
                  help=t("pl_ready_help", lang))
        _list(t("pl_ready", lang), late["project_code"] if len(late) else [], "pl_k_ready")

    # --- funnel by stage: counts and investment ----------------------------------------------------------------
    left, right = st.columns(2)
    stages = list(pipeline.STAGES)
    labels = [enum_label("stage", s, lang) for s in stages]
    counts = [int((sg["stage"] == s).sum()) for s in stages]
    inv = [float(sg.loc[sg["stage"] == s, "total_investment"].astype(float).fillna(0).sum()) for s in stages]
    div, unit_key, _axis = _widgets.money_unit(inv, lang)
    with left:
        fig = go.Figure(go.Funnel(y=labels, x=counts, textinfo="value+percent total",
                                  marker={"color": [STAGE_COLORS[s] for s in stages]}))
        _widgets.chart(_widgets.style_fig(fig, t("pl_funnel_count", lang, where=where), legend=False), key="pl_funnel_n")
    with right:
        fig = go.Figure(go.Funnel(y=labels, x=[v / div for v in inv], texttemplate="%{x:,.1f}" + t(unit_key, lang),
                                  marker={"color": [STAGE_COLORS[s] for s in stages]}))
        _widgets.chart(_widgets.style_fig(fig, t("pl_funnel_money", lang, where=where), legend=False), key="pl_funnel_m")
    pick = st.columns([2, 1])
    stage_pick = pick[0].selectbox(t("pl_stage_pick", lang), stages, format_func=lambda s: enum_label("stage", s, lang),
                                   key="pl_stage_pick")
    with pick[1]:
        st.write("")
        _list(enum_label("stage", stage_pick, lang), sg.loc[sg["stage"] == stage_pick, "code"], "pl_stage_list")

    # --- per county ------------------------------------------------------------------------------------------
    st.markdown(f"#### {t('pl_by_county', lang)}")
    view = pd.DataFrame({
        t("region", lang): table["region_name"],
        **{enum_label("stage", s, lang): table[f"n_{s}"] for s in stages},
        t("pl_reserve_ratio", lang): table["reserve_ratio"].map(_ratio),
        t("pl_reserve_goal", lang): table["reserve_ratio"].map(lambda v: _goal(v, RESERVE_GOAL)),
        t("pl_conversion", lang): table["conversion_rate"].map(_widgets.pct),
        t("pl_signed_started", lang): table["signed_started_rate"].map(_widgets.pct),
        t("pl_ready", lang): table["ready_rate"].map(_widgets.pct),
        t("pl_stalled", lang): table["stalled_after_event"],
    })
    st.dataframe(view, hide_index=True, width="stretch", key="pl_county_table",
                 column_config={t("region", lang): st.column_config.TextColumn(pinned=True)})
    if len(table) > 1:
        pc = st.columns([2, 1])
        county = pc[0].selectbox(t("pl_county_pick", lang), list(table["region_code"]),
                                 format_func=lambda code: names.get(code, code), key="pl_county_pick")
        with pc[1]:
            st.write("")
            _list(names.get(county, county), sg.loc[scope_of(county).mask(sg["region_code"]), "code"], "pl_county_list")

    # --- 要素保障: late 手续 by kind and by lead department ---------------------------------------------------------
    st.markdown(f"#### {t('pl_factors', lang)}")
    if not len(late):
        st.caption(t("pl_no_late", lang))
    else:
        by_kind = late.groupby("kind").agg(n=("project_code", "nunique"), days=("late_days", "max"),
                                           mean=("late_days", "mean")).reset_index().sort_values("n", ascending=False)
        by_unit = late.assign(unit=late["unit"].fillna(t("pl_no_unit", lang))).groupby("unit").agg(
            n=("project_code", "nunique"), days=("late_days", "max")).reset_index().sort_values("n", ascending=False)
        fl, fr = st.columns(2)
        with fl:
            fig = go.Figure(go.Bar(y=[enum_label("approval_kind", k, lang) for k in by_kind["kind"]], x=by_kind["n"],
                                   orientation="h", marker_color="#7A9CC6", text=by_kind["n"], textposition="auto",
                                   customdata=by_kind["days"], hovertemplate="%{y}: %{x} · ≤%{customdata}d"))
            fig.update_yaxes(autorange="reversed")
            _widgets.chart(_widgets.style_fig(fig, t("pl_late_by_kind", lang), legend=False), key="pl_late_kind")
        with fr:
            st.dataframe(pd.DataFrame({
                t("pl_unit", lang): by_unit["unit"], t("pl_projects", lang): by_unit["n"],
                t("pl_max_late", lang): by_unit["days"]}), hide_index=True, width="stretch", key="pl_late_unit",
                column_config={t("pl_unit", lang): st.column_config.TextColumn(pinned=True)})
        kp = st.columns([2, 1])
        kind = kp[0].selectbox(t("pl_kind_pick", lang), list(by_kind["kind"]),
                               format_func=lambda k: enum_label("approval_kind", k, lang), key="pl_kind_pick")
        with kp[1]:
            st.write("")
            _list(enum_label("approval_kind", kind, lang), late.loc[late["kind"] == kind, "project_code"], "pl_kind_list")

    # --- 三个一批 events and what happened after ---------------------------------------------------------------------
    st.markdown(f"#### {t('pl_events', lang)}")
    if not len(events):
        st.caption(t("pl_no_events", lang))
    else:
        summary = events.groupby(["name", "held_on", "type"]).agg(
            n=("project_code", "nunique"),
            stalled=("outcome", lambda s: int((s == "stalled").sum())),
            started=("outcome", lambda s: int(s.isin(("started", "investing", "operating")).sum())),
        ).reset_index().sort_values("held_on")
        st.dataframe(pd.DataFrame({
            t("pl_event", lang): summary["name"],
            t("pl_event_date", lang): summary["held_on"].map(lambda d: periods.fmt_date(d, lang)),
            t("pl_event_type", lang): summary["type"].map(lambda k: enum_label("event_type", k, lang)),
            t("pl_projects", lang): summary["n"],
            t("pl_event_ok", lang): summary["started"],
            t("pl_stalled", lang): summary["stalled"],
        }), hide_index=True, width="stretch", key="pl_events_table",
            column_config={t("pl_event", lang): st.column_config.TextColumn(pinned=True)})
        stalled = events[events["outcome"] == "stalled"]
        if len(stalled):
            items = "".join(
                f"<li>{html.escape(str(r.project_name))}({html.escape(names.get(r.region_code, r.region_code))})"
                f" — {html.escape(t('outcome_stalled', lang))}</li>" for r in stalled.itertuples())
            st.markdown(f"<div role='note'><b>⚠ {html.escape(t('pl_stalled_title', lang))}</b><ul>{items}</ul></div>",
                        unsafe_allow_html=True)
        ep = st.columns([2, 1])
        ev_name = ep[0].selectbox(t("pl_event_pick", lang), list(summary["name"]), key="pl_event_pick")
        with ep[1]:
            st.write("")
            _list(ev_name, events.loc[events["name"] == ev_name, "project_code"], "pl_event_list")
