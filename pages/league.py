"""县区排名 — each county's metrics, scores, composite score, rank and rank change, the county light;
scores as bars; 比亮晒 top and bottom three; the rank month by month; the same table for 包联领导 and
责任单位; the office's weights and thresholds form (preview before saving; saving is audited).

Numbers: lib.rules.league.compute_league only. Settings: lib.rules.settings.load/save.
"""
from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from lib import access, periods
from lib.changes import fmt_change
from lib.errors import CockpitError, ValidationError
from lib.i18n import LIGHT_COLORS, enum_label, t
from lib.rules import settings as settings_mod
from lib.rules.league import ALL_METRICS, OPTIONAL_METRICS
from lib.store import get_engine, session_scope
from pages import _cache, _frame, _widgets

c = _frame.ctx()
lang = c.lang
_frame.header(t("page_league", lang), c)


def name_col(df: pd.DataFrame) -> str:
    for col in ("group_name", "region_name", "name", "leader", "unit", "group", "region_code"):
        if col in df.columns:
            return col
    return df.columns[0]


def key_col(df: pd.DataFrame) -> str:
    for col in ("group_key", "region_code", "group", "key", "leader", "unit"):
        if col in df.columns:
            return col
    return df.columns[0]


def change_text(v) -> str:
    """A rank's move: ↑2, ↓1, 持平 (lib.changes.fmt_change), — when there is no previous month."""
    return fmt_change(v, lang, arrow=True)


def metric_value(m: str, v) -> str:
    if v is None or v is pd.NA or (isinstance(v, float) and v != v):
        return "—"
    if m == "growth":
        return f"{float(v):.1f}%"
    if m == "reserve_ratio":
        return f"{float(v):.1f}{t('pl_times', lang)}"
    return _widgets.pct(v)


def league_table(df: pd.DataFrame) -> pd.DataFrame:
    """The table as read, most important first: light, name, rank, composite, change, why the light,
    then each metric value (score)."""
    word = {k: enum_label("light", k, lang) for k in ("red", "yellow", "green", "gray")}
    nc = name_col(df)
    out = pd.DataFrame(index=df.index)
    if "light" in df.columns:
        out[t("lg_light", lang)] = df["light"].map(word)
    out[t("lg_group", lang)] = df[nc].astype(str)
    out[t("lg_rank", lang)] = df["rank"].astype("Int64")
    out[t("lg_scores", lang)] = pd.to_numeric(df["score"], errors="coerce").round(2)
    if "rank_change" in df.columns:
        out[t("lg_change", lang)] = [change_text(v) for v in df["rank_change"]]
    rcol = "light_reason_en" if lang == "en" else "light_reason"
    if rcol in df.columns:
        out[t("lg_light_why", lang)] = df[rcol].fillna("")
    for m in ALL_METRICS:
        if m not in df.columns or (m in OPTIONAL_METRICS and pd.to_numeric(df[m], errors="coerce").isna().all()):
            continue  # an optional metric the office has not switched on
        sc = df.get(f"score_{m}")
        vals = [metric_value(m, v) for v in df[m]]
        if sc is not None:
            vals = [f"{v}({s:.0f})" if isinstance(s, (int, float)) and s == s else v for v, s in zip(vals, sc)]
        out[enum_label("metric", m, lang)] = vals
    return out.reset_index(drop=True)


def league_cards(df: pd.DataFrame, key: str) -> None:
    """Portrait: one card per county (or leader, unit) — light, name, rank, score, rank change, why the
    light — one page at a time. The league's rows lead nowhere, so neither do its cards."""
    nc = name_col(df)
    rcol = "light_reason_en" if lang == "en" else "light_reason"
    cards = []
    for r in _widgets.paged(df, f"{key}_card_page", lang, size=_widgets.CARD_ROWS).to_dict("records"):
        score = pd.to_numeric(r.get("score"), errors="coerce")
        rank = pd.to_numeric(r.get("rank"), errors="coerce")
        cards.append(_widgets.card_html(
            r[nc], light=r["light"] if isinstance(r.get("light"), str) else None, lang=lang, lead=None if pd.isna(rank) else f"{int(rank)}.",
            lines=[(t("lg_light_why", lang), r.get(rcol))],
            figures=[(t("lg_scores", lang), None if pd.isna(score) else f"{score:.2f}"),
                     (t("lg_change", lang), change_text(r.get("rank_change")) if "rank_change" in r else None)]))
    st.html("".join(f'<div class="ck-card-box">{card}</div>' for card in cards))


def show_table(df: pd.DataFrame, key: str) -> None:
    tab = league_table(df)
    if t("lg_light", lang) in tab.columns:  # the word with its coloured mark (no Styler)
        marked = _widgets.marked_light_words(lang)
        tab[t("lg_light", lang)] = tab[t("lg_light", lang)].map(marked).fillna(tab[t("lg_light", lang)])
    mode = _widgets.list_view(key, lang)  # 表格 or 卡片: only that one is drawn
    with _widgets.table_or_cards(key, mode):
        if mode == "cards":
            league_cards(df.reset_index(drop=True), key)
        else:
            st.dataframe(tab, hide_index=True, key=key, height=min(38 + 35 * max(len(tab), 1), 720),
                         column_config={t("lg_scores", lang): st.column_config.NumberColumn(format="%.2f"),
                                        t("lg_light", lang): st.column_config.TextColumn(width=80, pinned=True),
                                        t("lg_group", lang): st.column_config.TextColumn(pinned=True),
                                        t("lg_light_why", lang): st.column_config.TextColumn(width="large")})
    _widgets.excel_download(tab, t("page_league", lang), key=f"{key}_xlsx")


if _frame.need_period(c):
    period = c.period
    lg = _cache.league(period, c.as_of, "region").sort_values("rank", kind="stable").reset_index(drop=True)
    nc = name_col(lg)

    st.markdown(f"#### {t('lg_table', lang)}")
    show_table(lg, "lg_region_table")
    # why a county has its light: the rule beside the table, and the first county's own reason
    st.caption(t("lg_region_rule", lang))
    rcol = "light_reason_en" if lang == "en" else "light_reason"
    if len(lg) and rcol in lg.columns and lg.loc[0, rcol]:
        st.caption(t("lg_first_why", lang, name=str(lg.loc[0, nc]),
                     light=enum_label("light", lg.loc[0, "light"], lang), why=lg.loc[0, rcol]))
    st.caption(" · ".join(f"{enum_label('metric', m, lang)} {w:g}" for m, w in
                          _cache.cached(settings_mod.load)["weights"].items()) + f"({t('lg_weight', lang)})")

    word = {k: enum_label("light", k, lang) for k in ("red", "yellow", "green", "gray")}
    ranked = lg[lg["score"].notna()] if "score" in lg.columns else lg
    fig = go.Figure()
    for light in ("green", "yellow", "red", "gray"):
        part = ranked[ranked["light"] == light] if "light" in ranked.columns else ranked.iloc[0:0]
        if not len(part):
            continue
        fig.add_trace(go.Bar(
            y=part[nc], x=part["score"], name=f"{t('lg_light', lang)}:{word[light]}", orientation="h",
            marker_color=LIGHT_COLORS[light], customdata=part[key_col(part)],
            text=[f"{s:.1f}" for s in part["score"]], textposition="outside", textfont={"size": 14},
            cliponaxis=False))
    fig.update_yaxes(categoryorder="array", categoryarray=list(ranked[nc]), autorange="reversed")
    fig.update_xaxes(title_text=t("lg_axis_score", lang), range=[0, 110])
    _widgets.style_fig(fig, f"{t('page_league', lang)} · {t('lg_scores', lang)}",
                  height=max(380, 130 + 30 * len(ranked)))
    ev = _widgets.chart(fig, key="lg_scores_chart", on_select="rerun")
    pts = (ev or {}).get("selection", {}).get("points", []) if ev else []
    if pts and pts[0].get("customdata"):
        cd = pts[0]["customdata"]
        _frame.goto_list(region=cd[0] if isinstance(cd, list) else cd)

    def callout(title, rows, color):
        items = "".join(
            f"<li><b>{int(r['rank'])}. {html.escape(str(r[nc]))}</b> {float(r['score']):.2f} "
            f"{_widgets.light_badge(r['light'], lang) if 'light' in r else ''}</li>" for _, r in rows.iterrows())
        st.markdown(f"<div style='border-left:6px solid {color};padding:4px 12px;margin-bottom:12px'>"
                    f"<b style='font-size:17px'>{title}</b><ul style='margin:6px 0 0 0;line-height:2'>{items}</ul></div>",
                    unsafe_allow_html=True)

    top, bottom, go_col = st.columns(3)
    with top:
        callout(t("lg_top", lang), ranked.head(3), LIGHT_COLORS["green"])
    with bottom:
        callout(t("lg_bottom", lang), ranked.tail(3).iloc[::-1] if len(ranked) > 3 else ranked.iloc[0:0],
                LIGHT_COLORS["red"])
    with go_col:
        codes = list(lg[key_col(lg)])
        pick = st.selectbox(t("pick_county", lang), codes, key="lg_pick",
                            format_func=lambda k: dict(zip(lg[key_col(lg)], lg[nc])).get(k, k))
        _frame.list_button(t("go_county", lang), key="lg_go", region=pick)
        # the county's data-quality flags this year to date (lib.intake.quality)
        from lib.intake import quality

        qcounts = _cache.cached(quality.flag_counts, int(period[:4]), through=period)
        pick_name = dict(zip(lg[key_col(lg)], lg[nc])).get(pick, pick)
        st.caption(t("qf_league_count", lang, county=pick_name, n=qcounts.get(pick, 0)))

    with st.expander(t("qf_league_title", lang)):
        from lib.intake import quality

        qcounts = _cache.cached(quality.flag_counts, int(period[:4]), through=period)
        st.dataframe(pd.DataFrame({
            t("lg_group", lang): lg[nc],
            t("qf_league_col", lang): [qcounts.get(k, 0) for k in lg[key_col(lg)]],
        }), hide_index=True, key="lg_quality_counts")

    # --- rank month by month (computed on request: every month judged from one load of the rule frames) --
    show_trend = st.toggle(t("lg_trend_show", lang), key="lg_show_trend", persist_state="session")
    if show_trend:
        rk = _cache.rank_history(period, "region")
        if len(rk):
            fig = go.Figure()
            for code, part in rk.groupby("group_key", sort=False):
                fig.add_trace(go.Scatter(
                    x=[periods.fmt_period(p, lang) for p in part["period"]], y=part["rank"],
                    name=str(part["group_name"].iloc[-1]), mode="lines+markers"))
            fig.update_yaxes(autorange="reversed", title_text=t("lg_axis_rank", lang), dtick=1)
            _widgets.style_fig(fig, t("lg_trend", lang), height=520)
            _widgets.chart(fig, key="lg_trend_chart")
            wide = rk.pivot_table(index="group_name", columns="period", values="rank", aggfunc="first")
            wide = wide.reindex(index=list(lg[nc]))
            wide.columns = [periods.fmt_period(p, lang) for p in wide.columns]
            wide.index.name = t("lg_group", lang)
            st.dataframe(wide.astype("Int64").reset_index(), hide_index=True, key="lg_trend_table")
            _widgets.excel_download(wide.astype("Int64").reset_index(), t("page_league", lang) + "_trend",
                                    key="lg_trend_xlsx")

    # --- leaders and units -----------------------------------------------------------------------------------
    # the same table for 包联领导 and 责任单位 (their projects' figures), one at a time on request
    group = st.segmented_control(
        t("lg_by_group", lang), ["leader", "unit"], key="lg_group_by", persist_state="session",
        format_func=lambda g: t("lg_by_leader" if g == "leader" else "lg_by_unit", lang))
    if group:
        show_table(_cache.league(period, c.as_of, group).sort_values("rank", kind="stable"), f"lg_{group}_table")

    # --- weights and thresholds (campaign office) -----------------------------------------------------------
    actor = c.actor
    if actor is not None and access.can(actor, "settings"):
        with st.expander(t("lg_settings", lang)):
            current = _cache.cached(settings_mod.load)
            st.markdown(f"**{t('lg_weight', lang)}**")
            wcols = st.columns(4)
            new_weights = {}
            for i, spec in enumerate(settings_mod.WEIGHTS):  # the settings schema
                m = spec.key
                new_weights[m] = wcols[i % 4].number_input(
                    enum_label(*spec.label_key(), lang), min_value=float(spec.minimum),
                    max_value=float(spec.maximum), step=1.0,
                    value=float(current["weights"].get(m, spec.default)), key=f"lg_w_{m}")
            tcols = st.columns(3)
            new_thresholds = {}
            for i, spec in enumerate(settings_mod.SCHEMA):  # type, bounds and label from the schema
                k, label = spec.key, enum_label(*spec.label_key(), lang)
                if spec.type is int:
                    new_thresholds[k] = int(tcols[i % 3].number_input(
                        label, min_value=int(spec.minimum), max_value=int(spec.maximum),
                        value=int(current[k]), step=1, key=f"lg_t_{k}"))
                else:
                    new_thresholds[k] = float(tcols[i % 3].number_input(
                        label, min_value=float(spec.minimum), max_value=float(spec.maximum),
                        value=float(current[k]), step=1.0, key=f"lg_t_{k}"))
            changes = {k: v for k, v in new_thresholds.items() if v != current[k]}
            if any(new_weights[m] != float(current["weights"].get(m, 0)) for m in new_weights):
                changes["weights"] = new_weights
            b1, b2 = st.columns(2)
            preview = b1.button(t("lg_preview", lang), key="lg_preview", width="stretch")
            save = b2.button(t("lg_save", lang), key="lg_save", type="primary", width="stretch",
                             disabled=not changes)
            if preview or save:
                try:
                    settings_mod.validate(changes, current)
                except ValidationError as exc:
                    for e in exc.errors:
                        st.error(f"{e.get('column')}:{t(e['key'], lang, **e['params']) if e.get('key') else e.get('message')}")
                    st.stop()
            if preview:
                from lib.rules.league import compute_league

                trial = {**current, **{k: v for k, v in changes.items() if k != "weights"},
                         "weights": {**current["weights"], **changes.get("weights", {})}}
                with session_scope(get_engine()) as session:
                    after = compute_league(session, period, as_of=c.as_of, settings=trial)
                kc = key_col(lg)
                cmp = lg[[kc, nc, "rank", "score"]].merge(
                    after[[kc, "rank", "score", "light"]].rename(
                        columns={"rank": "new_rank", "score": "new_score", "light": "new_light"}), on=kc)
                cmp = cmp.sort_values("new_rank", kind="stable")
                st.caption(t("lg_preview_note", lang))
                st.dataframe(pd.DataFrame({
                    t("lg_group", lang): cmp[nc],
                    t("lg_rank", lang): cmp["rank"].astype(int),
                    t("lg_new_rank", lang): cmp["new_rank"].astype(int),
                    t("lg_change", lang): [change_text(a - b) for a, b in zip(cmp["rank"], cmp["new_rank"])],
                    t("lg_scores", lang): cmp["score"].round(2),
                    t("lg_new_score", lang): cmp["new_score"].round(2),
                    t("lg_light", lang): cmp["new_light"].map(lambda k: enum_label("light", k, lang)),
                }), hide_index=True, key="lg_preview_table")
            if save:
                try:
                    with session_scope(get_engine()) as session:
                        settings_mod.save(session, actor, changes)
                except CockpitError as exc:
                    st.error(exc.text(lang))
                else:
                    st.session_state["lg_saved_note"] = True
                    st.rerun()
            if st.session_state.pop("lg_saved_note", False):
                st.success(t("lg_saved", lang))
