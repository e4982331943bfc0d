"""驾驶舱总览 — headline cards, the cumulative curve, completion by county and sector, the lights.

Numbers: lib.rules.lights (lights), lib.problems (open/overdue), lib.rules.overview (sums and curves).
Every card and chart leads to the traffic-light list filtered to what it shows.
"""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from lib.i18n import LIGHT_COLORS, enum_label, t
from lib.rules import overview
from pages import _cache, _frame, _widgets

c = _frame.ctx()
lang = c.lang
_frame.header(t("page_overview", lang), c)


def _my_projects() -> None:
    """我的项目 first: a linked leader's (or unit's) own projects, worst light first, with what each
    needs (the light's reason), and their open problems, most overdue first."""
    from lib.access.links import links
    from lib.store import get_engine, session_scope

    if c.actor is None or not c.period:
        return
    with session_scope(get_engine()) as session:
        leader_name, unit_name = links(session, c.actor.username)
    if not leader_name and not unit_name:
        return
    col, name = ("leader", leader_name) if leader_name else ("unit", unit_name)
    st.markdown(f"#### {t('my_title', lang)}")
    st.caption(t("my_linked", lang, what=t("my_leader" if col == "leader" else "my_unit", lang), name=name))
    lights = _cache.lights(c.period, c.as_of)
    mine = overview.sort_projects(lights[lights[col] == name], "light")
    if not len(mine):
        st.info(t("my_none", lang))
        return
    rcol = "reasons_en" if lang == "en" and "reasons_en" in mine.columns else "reasons"
    event = st.dataframe(pd.DataFrame({
        # the light word with its coloured mark, as in the light list and the league (🔴 红)
        t("col_light", lang): [_widgets.marked_light_words(lang).get(w, w)
                               for w in (enum_label("light", v, lang) for v in mine["light"])],
        t("col_name", lang): mine["project_name"],
        t("my_needs", lang): mine[rcol].fillna(""),
        t("col_region", lang): mine["region_code"].map(lambda r: _cache.region_names().get(r, r)),
    }), hide_index=True, key="my_projects", on_select="rerun", selection_mode="single-row",
        column_config={t("col_light", lang): st.column_config.TextColumn(width=64, pinned=True),
                       t("col_name", lang): st.column_config.TextColumn(pinned=True),
                       t("my_needs", lang): st.column_config.TextColumn(width="large")})
    rows = event.selection.rows if event is not None else []
    if rows:
        _frame.open_project(str(mine.iloc[rows[0]]["project_code"]))
    from lib import problems as P

    probs = _cache.cached(P.problem_table, as_of=c.as_of)
    probs = probs[probs["is_open"] & probs["project_code"].isin(set(mine["project_code"]))]
    if len(probs):
        probs = P.urgency_order(probs)
        st.markdown(f"**{t('my_problems', lang)}({len(probs)})**")
        st.dataframe(pd.DataFrame({
            "#": probs["problem_id"].astype(int),
            t("col_name", lang): probs["project_name"],
            t("pb_col_overdue", lang): probs["overdue_days"].map(
                lambda n: "—" if pd.isna(n) else t("pb_overdue_n", lang, n=int(n))),
            t("pb_col_desc", lang): probs["description"],
        }), hide_index=True, key="my_problems")
    st.divider()


_my_projects()

if _frame.need_period(c):
    period = c.period
    names = _cache.region_names()
    bundle = _cache.overview_bundle(period, c.as_of, c.region_code)
    s, d = bundle["summary"], bundle["change"]
    region_filter = {"region": c.region_code} if c.region_code else {}
    vs = t("prev_month_change", lang)

    def money_delta(v, better="up"):
        return _widgets.metric_delta(v, lang, lambda m: _widgets.money(m, lang), better)

    def points_delta(points, better="up"):
        return _widgets.metric_delta(points, lang, lambda m: _widgets.pp(m, lang).lstrip("+"), better)

    def pp_delta(fraction, better="up"):  # a change of a rate (a fraction), in percentage points
        return points_delta(None if fraction is None else fraction * 100, better)

    def count_delta(v, better="up"):
        return _widgets.metric_delta(v, lang, None, better)

    def card(col, label, value, delta, key, help=None, description=None, **filters):
        """A headline card; ``delta`` is metric_delta's arguments (or a plain text shown without an arrow)."""
        if not isinstance(delta, dict):
            delta = {"delta": delta, "delta_arrow": "off", "delta_color": "off"}
        with col:
            with st.container(border=True):
                st.metric(label, value, help=help, **delta,
                          delta_description=(description or vs) if delta["delta"] is not None else None)
                _frame.list_button(t("view_list", lang), key=f"card_{key}", **region_filter, **filters)

    # --- headline cards -------------------------------------------------------------------------------
    row1 = st.columns(4)
    card(row1[0], t("card_plan", lang), _widgets.money(s["plan"], lang), money_delta(d.get("plan")), "plan",
         library="annual")
    card(row1[1], t("card_ytd", lang), _widgets.money(s["ytd"], lang), money_delta(d.get("ytd")), "ytd",
         library="annual")
    card(row1[2], t("card_rate", lang), _widgets.pct(s["rate"]), pp_delta(d.get("rate")), "rate",
         library="annual", sort="gap")
    card(row1[3], t("card_time", lang), _widgets.pct(s["time_progress"]), points_delta(s["gap_pp"]), "time",
         description=t("card_gap_short", lang),
         library="annual", dimension="progress", dim_light=["red", "yellow"])

    row2 = st.columns(4)
    card(row2[0], t("card_start_rate", lang), _widgets.pct(s["start_rate"]), pp_delta(d.get("start_rate")),
         "start", dimension="start", nature="new")
    card(row2[1], t("card_stats_rate", lang), _widgets.pct(s["stats_rate"]), pp_delta(d.get("stats_rate")),
         "stats", dimension="stats")
    card(row2[2], t("card_funds_rate", lang), _widgets.pct(s["funds_rate"]), pp_delta(d.get("funds_rate")),
         "funds", dimension="funds")
    unit = t("count_unit", lang)
    card(row2[3], t("card_open_problems", lang), f"{s['problems_open']}{unit}",
         f"{s['problems_overdue']}{unit}", "problems",
         description=t("card_overdue_problems", lang), dimension="problems", dim_light=["red", "yellow"])

    row3 = st.columns(4)
    for col, light in zip(row3, ("red", "yellow", "green", "gray")):
        card(col, t(f"card_{light}", lang), f"{s['counts'][light]}{unit}",
             count_delta(d["counts"][light], "down" if light in ("red", "yellow") else ("up" if light == "green" else None)),
             light, light=[light])

    # --- charts ---------------------------------------------------------------------------------------------
    curve = bundle["curve"]
    div, unit_key, axis = _widgets.money_unit(list(curve["plan"]) + list(curve["actual"].dropna()), lang)
    months = [t("month_n", lang).format(m=m) for m in curve["month"]]
    left, right = st.container(key="ck_stack_charts1").columns(2)
    with left:
        fig = go.Figure()
        fig.add_trace(go.Scatter(x=months, y=curve["actual"] / div, name=t("series_actual", lang),
                                 mode="lines+markers", line={"color": "#1F5FA8", "width": 3}))
        fig.add_trace(go.Scatter(x=months, y=curve["plan"] / div, name=t("series_plan", lang),
                                 mode="lines", line={"color": "#E8892B", "width": 2, "dash": "dash"}))
        fig.add_trace(go.Scatter(x=months, y=curve["time_progress"] / div, name=t("series_time", lang),
                                 mode="lines", line={"color": "#7A8591", "width": 1.5, "dash": "dot"}))
        fig.update_yaxes(title_text=axis, rangemode="tozero")
        _widgets.style_fig(fig, t("chart_curve", lang))
        _widgets.chart(fig, key="ov_curve")
        _frame.list_button(t("view_list", lang), key="chart_curve_list", library="annual", sort="gap",
                        **region_filter)

    with right:
        counts = bundle["counts"]
        keys = [k for k in ("red", "yellow", "green", "gray")]
        words = [enum_label("light", k, lang) for k in keys]
        fig = go.Figure(go.Pie(
            labels=words, values=[counts[k] for k in keys], hole=0.55, sort=False,
            marker={"colors": [LIGHT_COLORS[k] for k in keys], "line": {"color": "#FFFFFF", "width": 2}},
            textinfo="label+value", textfont={"size": 15}, customdata=keys,
        ))
        _widgets.style_fig(fig, t("chart_lights", lang))
        ev = _widgets.chart(fig, key="ov_donut", on_select="rerun")
        pts = (ev or {}).get("selection", {}).get("points", []) if ev else []
        if pts:
            idx = pts[0].get("point_index", pts[0].get("point_number"))
            if idx is not None:
                _frame.goto_list(light=[keys[int(idx)]], **region_filter)
        cc1, cc2 = st.columns([3, 2])
        pick = cc1.selectbox(t("pick_light", lang), keys, key="ov_pick_light",
                             format_func=lambda k: enum_label("light", k, lang),
                             label_visibility="collapsed")
        with cc2:
            _frame.list_button(t("go_light", lang), key="go_light", light=[pick], **region_filter)

    left, right = st.container(key="ck_stack_charts2").columns(2)
    with left:
        g = bundle["by_region"]
        tp = overview.time_progress(period) * 100
        fig = go.Figure()
        fig.add_trace(go.Bar(y=g["region_name"], x=(g["rate"] * 100).round(1), name=t("series_rate", lang),
                             orientation="h", marker_color="#1F5FA8", customdata=g["region_code"],
                             text=[_widgets.pct(v) for v in g["rate"]], textposition="outside",
                             textfont={"size": 14}, cliponaxis=False))
        fig.add_trace(go.Scatter(x=[tp] * len(g), y=g["region_name"], name=f"{t('series_time', lang)} {tp:.1f}%",
                                 mode="lines", line={"color": "#D64545", "width": 2, "dash": "dash"}))
        fig.update_xaxes(title_text=t("axis_rate", lang), range=[0, max(110, float((g["rate"] * 100).max() or 0) + 15)])
        fig.update_yaxes(autorange="reversed")
        _widgets.style_fig(fig, t("chart_county", lang), height=max(380, 120 + 30 * len(g)))
        ev = _widgets.chart(fig, key="ov_county", on_select="rerun")
        pts = (ev or {}).get("selection", {}).get("points", []) if ev else []
        if pts and pts[0].get("customdata"):
            cd = pts[0]["customdata"]
            _frame.goto_list(region=cd[0] if isinstance(cd, list) else cd)
        cc1, cc2 = st.columns([3, 2])
        county = cc1.selectbox(t("pick_county", lang), list(g["region_code"]), key="ov_pick_county",
                               format_func=lambda code: names.get(code, code), label_visibility="collapsed")
        with cc2:
            _frame.list_button(t("go_county", lang), key="go_county", region=county)

    with right:
        sec = bundle["by_sector"]
        sdiv, sunit, saxis = _widgets.money_unit(list(sec["plan"]), lang)
        fig = go.Figure()
        fig.add_trace(go.Bar(y=sec["sector"], x=sec["plan"] / sdiv, name=t("series_plan_annual", lang),
                             orientation="h", marker_color="#B8C7DB", customdata=sec["sector"]))
        fig.add_trace(go.Bar(y=sec["sector"], x=sec["ytd"] / sdiv, name=t("series_actual", lang),
                             orientation="h", marker_color="#1F5FA8", customdata=sec["sector"],
                             text=[_widgets.pct(v) for v in sec["rate"]], textposition="outside",
                             textfont={"size": 14}, cliponaxis=False))
        fig.update_layout(barmode="overlay")
        fig.update_yaxes(autorange="reversed")
        fig.update_xaxes(title_text=saxis)
        _widgets.style_fig(fig, t("chart_sector", lang), height=max(380, 120 + 30 * len(sec)))
        ev = _widgets.chart(fig, key="ov_sector", on_select="rerun")
        pts = (ev or {}).get("selection", {}).get("points", []) if ev else []
        if pts and pts[0].get("customdata"):
            cd = pts[0]["customdata"]
            _frame.goto_list(sector=[cd[0] if isinstance(cd, list) else cd], **region_filter)
        cc1, cc2 = st.columns([3, 2])
        sector = cc1.selectbox(t("pick_sector", lang), list(sec["sector"]) or [""], key="ov_pick_sector",
                               label_visibility="collapsed")
        with cc2:
            _frame.list_button(t("go_sector", lang), key="go_sector", sector=[sector], **region_filter)

# --- 冲刺: the prefecture's own targets, and the year-end forecast at the current pace -------------------
if c.period:
    st.markdown(f"#### {t('sp_title', lang)}")
    sv = _cache.sprint_view(c.period, c.as_of, c.region_code)  # once per data version and county
    words = {"met": t("sp_met", lang), "behind": t("sp_behind", lang), "no_data": t("sp_no_data", lang)}
    lines = []
    for r in sv["targets"]:
        if r["key"] == "fai_growth":
            value = "—" if r["status"] == "no_data" else f"{r['value']:.1f}%"
            lines.append(f"- {t('sp_t_growth', lang)} ≥ {r['target']:.0f}%:{value} · **{words[r['status']]}**")
        else:
            lines.append(f"- {t('sp_t_start', lang)} ≥ {r['target']:.0%}:{_widgets.pct(r['value'])} · "
                         f"**{words[r['status']]}**")
    st.markdown("\n".join(lines))
    if sv["n"]:
        plan, fc, need = sv["plan"], sv["forecast"], sv["needed"]
        st.caption(t("sp_rule", lang))
        k = st.columns(3)
        k[0].metric(t("sp_forecast", lang), _widgets.money(fc, lang),
                    f"{_widgets.pct(fc / plan if plan else None)} {t('sp_of_plan', lang)}", delta_color="off")
        k[1].metric(t("card_plan", lang), _widgets.money(plan, lang))
        k[2].metric(t("sp_needed", lang), _widgets.money(need, lang))
        g = sv["by_region"]
        names = _cache.region_names()
        st.dataframe(pd.DataFrame({
            t("sp_status", lang): [t("sp_on_track" if v else "sp_off_track", lang) for v in g["on_track"]],
            t("col_region", lang): g["region_code"].map(lambda r: names.get(r, r)),
            t("sp_forecast", lang): [_widgets.money(v, lang) for v in g["forecast"]],
            t("card_plan", lang): [_widgets.money(v, lang) for v in g["plan"]],
            t("sp_needed", lang): [_widgets.money(v, lang) for v in g["needed_monthly"]],
            t("sp_pace", lang): [_widgets.money(v, lang) for v in g["pace"]],
        }), hide_index=True, key="sp_regions",
            column_config={t("sp_status", lang): st.column_config.TextColumn(pinned=True)})
