"""一项一档 — one project: facts and approvals, policy funds, the year-end forecast at the current pace
(冲刺), the monthly curve against plan, the light of every month with its reasons, its problems and
the history of changes.

Numbers: lib.rules.lights (lights and history), lib.rules.sprint.project_forecast,
lib.rules.overview.monthly_curve, lib.store.queries, lib.problems.
"""
from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from lib import periods
from lib.access.scope import of as region_scope
from lib.i18n import enum_label, t
from lib.rules import overview, pipeline
from lib.store import queries
from lib.store.models import APPROVAL_FIELDS
from pages import _cache, _frame, _widgets

c = _frame.ctx()
lang = c.lang
_frame.header(t("page_project_file", lang), c)


def kv_table(rows: list[tuple[str, str]]) -> str:
    body = "".join(f"<tr><th>{html.escape(k)}</th><td>{v}</td></tr>" for k, v in rows)
    return f'<div class="ck-scroll"><table class="ck-table">{body}</table></div>'


def esc(v) -> str:
    if v is None or (isinstance(v, float) and v != v) or v == "":
        return "—"
    return html.escape(str(v))


def label(prefix: str, key: str) -> str:
    """The label of a history action or table, the key itself when there is none."""
    text = t(prefix + key, lang)
    return key if text == prefix + key else text


def _num_text(values, fmt: str):
    """Numbers as text for a table: ``fmt`` rounded as shown, "—" for a blank (or a missing column)."""
    if values is None:
        return "—"
    nums = pd.to_numeric(values, errors="coerce").astype(float)
    return nums.map(lambda v: "—" if v != v else fmt.format(round(v, 1)))


def fdate(d) -> str:
    if d is None or d is pd.NaT or (isinstance(d, float) and d != d):
        return "—"
    return periods.fmt_date(pd.Timestamp(d).date(), lang)


if _frame.need_period(c):
    year, month = periods.split(c.period)
    from lib.rules import lights as lights_mod

    projects = _cache.cached(queries.project_codes, year)  # (code, name, region) of the year
    names = {code: name for code, name, _ in projects}
    codes = [code for code, _, region in projects if region_scope(c.region_code).allows(region)]
    wanted = st.session_state.get("project_code")
    if wanted and wanted not in codes and wanted in names:
        codes = [wanted, *codes]
    if not codes:
        st.info(t("no_data", lang))
        st.stop()
    if wanted in codes:
        st.session_state["pf_pick"] = wanted
    elif st.session_state.get("pf_pick") not in codes:
        st.session_state["pf_pick"] = codes[0]
    # a pick here becomes the project this page (and the list's "open") remembers, before the next run
    code = st.selectbox(t("pf_pick", lang), codes, key="pf_pick",
                        format_func=lambda k: f"{names.get(k, '')}({k})",
                        on_change=lambda: st.session_state.update(project_code=st.session_state["pf_pick"]))
    st.session_state["project_code"] = code

    facts = _cache.cached(queries.project_facts, code)
    if facts is None:
        st.warning(t("pf_unknown", lang))
        st.stop()
    # the project's lights for every month of the year up to the period; the last row is this period's
    hist = _cache.cached(lights_mod.project_history, code, year, c.period)
    if hist is None or not len(hist):
        st.info(t("no_data", lang))
        st.stop()
    row = hist.iloc[-1]

    st.markdown(f"### {html.escape(facts['name'])}")
    badge = _widgets.light_badge(row["light"], lang)
    rcol = "reasons_en" if lang == "en" and "reasons_en" in row.index else "reasons"
    reasons = html.escape(str(row.get(rcol) or ""))
    st.markdown(f'{t("col_light", lang)}:{badge} &nbsp; {reasons}', unsafe_allow_html=True)

    yinfo = facts["years"].get(year, {})
    left, right = st.container(key="ck_stack_facts").columns(2)
    with left:
        st.markdown(f"#### {t('pf_facts', lang)}")
        rows = [
            (t("col_code", lang), esc(code)),
            (t("col_region", lang), esc(facts["region_name"])),
            (t("f_sector", lang), esc(facts["sector"])),
            (t("f_level", lang), esc(enum_label("level", facts["level"], lang) if facts["level"] else None)),
            (t("fact_industrial", lang), enum_label("bool", "yes" if facts["industrial"] else "no", lang)),
            (t("f_tags", lang), esc(";".join(overview.tag_list(facts["tags"])) or None)),
            (t("fact_total_investment", lang), esc(_widgets.money(facts["total_investment"], lang))),
            (f"{t('fact_year', lang)} {year}",
             esc(" · ".join(x for x in (enum_label("library", yinfo.get("library"), lang),
                                        enum_label("nature", yinfo.get("nature"), lang)) if x) or None)),
            (t("card_plan", lang), esc(_widgets.money(yinfo.get("annual_plan"), lang))),
            (t("card_ytd", lang), esc(_widgets.money(row.get("ytd_completed"), lang))),
            (t("col_rate", lang) + " / " + t("col_expected", lang),
             f"{_widgets.pct(row['actual_pct'] / 100 if row['actual_pct'] == row['actual_pct'] else None)} / "
             f"{_widgets.pct(row['expected_pct'] / 100 if row['expected_pct'] == row['expected_pct'] else None)}"
             f"({_widgets.pp(row['gap_pp'], lang)})"),
            (t("fact_owner", lang), esc(facts["owner"])),
            (t("f_unit", lang), esc(facts["unit"])),
            (t("f_leader", lang), esc(facts["leader"])),
            (t("fact_planned", lang), f"{fdate(facts['planned_start'])} – {fdate(facts['planned_end'])}"),
            (t("fact_actual", lang), f"{fdate(facts['actual_start'])} – {fdate(facts['actual_end'])}"),
            (t("fact_location", lang),
             esc(f"{facts['lon']:.4f}, {facts['lat']:.4f}" if facts["lon"] is not None and facts["lat"] is not None
                 else None)),
        ]
        st.markdown(kv_table(rows), unsafe_allow_html=True)

    with right:
        st.markdown(f"#### {t('pf_approvals', lang)}")
        timeline = _cache.cached(pipeline.project_timeline, code, c.as_of)
        steps = timeline[timeline["step"] == "approval"]
        if len(steps):  # 前期手续 rows (approvals upload): planned vs actual, late in words
            def _late(r) -> str:
                if r.late_days is None or r.late_days != r.late_days or r.late_days <= 0:
                    return "—"
                done = r.status in ("done", "not_needed") or (r.actual is not None and r.actual == r.actual)
                return t("tl_done_late" if done else "tl_open_late", lang, days=int(r.late_days))
            arows = "".join(
                f"<tr><td>{esc(enum_label('approval_kind', r.kind, lang))}</td><td>{fdate(r.planned)}</td>"
                f"<td>{fdate(r.actual)}</td><td>{esc(enum_label('approval_status', r.status, lang))}</td>"
                f"<td>{esc(_late(r))}</td></tr>" for r in steps.itertuples())
            st.markdown(
                f"<div class='ck-scroll'><table class='ck-table'><tr><th>{t('tl_kind', lang)}</th>"
                f"<th>{t('tl_planned', lang)}</th><th>{t('tl_actual', lang)}</th><th>{t('tl_status', lang)}</th>"
                f"<th>{t('tl_late', lang)}</th></tr>{arows}</table></div>", unsafe_allow_html=True)
        else:  # an older store: the six approval statuses of the projects template
            arows = [(enum_label("approval_field", f, lang),
                      esc(enum_label("approval", facts["approvals"].get(f), lang) or None)) for f in APPROVAL_FIELDS]
            st.markdown(kv_table(arows), unsafe_allow_html=True)

        st.markdown(f"#### {t('pf_funds', lang)}")
        funds = _cache.cached(queries.project_funds, code, year, c.period)
        frows = "".join(
            f"<tr><td>{esc(enum_label('fund_source', r.source, lang))}</td>"  # a stored key, escaped like any
            f"<td class='num'>{_widgets.money(r.allocated, lang)}</td><td class='num'>{_widgets.money(r.paid, lang)}</td>"
            f"<td class='num'>{_widgets.pct(r.paid / r.allocated if r.allocated > 0 else None)}</td></tr>"
            for r in funds.itertuples())
        st.markdown(
            f"<div class='ck-scroll'><table class='ck-table'><tr><th>{t('pf_funds', lang)}</th>"
            f"<th class='num'>{t('pf_allocated', lang)}</th><th class='num'>{t('pf_paid', lang)}</th>"
            f"<th class='num'>%</th></tr>{frows}</table></div>", unsafe_allow_html=True)

    # --- 冲刺: the year-end forecast at the last three months' pace, and the monthly need ----------------
    from lib.rules import sprint

    st.markdown(f"#### {t('pf_sp_title', lang)}")
    fc = _cache.cached(sprint.project_forecast, code, c.period)
    if fc is None or not fc["plan"]:
        st.caption(t("pf_sp_no_plan", lang, year=year))
    else:
        money = lambda v: _widgets.money(v, lang)

        def share(v: float) -> str:  # of the plan, whole percent unless that would round up to the plan
            digits = 1 if v < fc["plan"] and round(v / fc["plan"] * 100) >= 100 else 0
            return _widgets.pct(v / fc["plan"], digits)

        args = dict(forecast=money(fc["forecast"]), plan=money(fc["plan"]), ytd=money(fc["ytd"]),
                    pct=share(fc["forecast"]), done=share(fc["ytd"]), need=money(fc["needed_monthly"]),
                    shortfall=money(fc["shortfall"]), pace=money(fc["pace"]), left=fc["months_left"])
        if not fc["months_left"]:
            line = t("pf_sp_december", lang, **args)
        elif fc["ytd"] >= fc["plan"]:
            line = t("pf_sp_done", lang, **args)
        else:
            line = t("pf_sp_line", lang, **args) + t("pf_sp_on_track" if fc["on_track"] else "pf_sp_behind",
                                                       lang, **args)
        st.markdown(f"**{line}**")
        if fc["months_left"]:  # in December nothing is forecast: the line says what was done
            with st.expander(t("pf_sp_how", lang)):
                since = periods.fmt_period(fc["since"], lang) if fc["since"] else t("pf_sp_year_start", lang)
                st.markdown(t("sp_rule", lang) + "\n\n" + t(
                    "pf_sp_inputs", lang, period=periods.fmt_period(c.period, lang), since=since,
                    before=money(fc["ytd_before"]), months=fc["months"], **args))

    # --- the curve of this year --------------------------------------------------------------------------
    curve = _cache.cached(overview.monthly_curve, c.period, None, [code])
    div, unit_key, axis = _widgets.money_unit(list(curve["plan"]) + list(curve["actual"].dropna()), lang)
    months = [t("month_n", lang).format(m=m) for m in curve["month"]]
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=months, y=curve["actual"] / div, name=t("series_actual", lang),
                             mode="lines+markers", line={"color": "#1F5FA8", "width": 3}))
    fig.add_trace(go.Scatter(x=months, y=curve["plan"] / div, name=t("series_plan", lang), mode="lines",
                             line={"color": "#E8892B", "width": 2, "dash": "dash"}))
    fig.add_trace(go.Scatter(x=months, y=curve["time_progress"] / div, name=t("series_time", lang),
                             mode="lines", line={"color": "#7A8591", "width": 1.5, "dash": "dot"}))
    fig.update_yaxes(title_text=axis, rangemode="tozero")
    _widgets.style_fig(fig, f"{facts['name']} · {t('pf_curve', lang)}", height=360)
    _widgets.chart(fig, key="pf_curve")

    # --- 挂图作战: every milestone, planned against actual ------------------------------------------------
    if len(timeline):
        labels = [enum_label("approval_kind", k, lang) if s == "approval" else t(f"tl_step_{s}", lang)
                  for s, k in zip(timeline["step"], timeline["kind"])]
        fig = go.Figure()
        fig.add_trace(go.Scatter(x=timeline["planned"], y=labels, mode="markers", name=t("tl_planned", lang),
                                 marker={"symbol": "diamond-open", "size": 14, "color": "#E8892B", "line": {"width": 2}}))
        fig.add_trace(go.Scatter(x=timeline["actual"], y=labels, mode="markers", name=t("tl_actual", lang),
                                 marker={"symbol": "circle", "size": 12, "color": "#1F5FA8"}))
        fig.add_vline(x=c.as_of.isoformat(), line={"color": "#7A8591", "dash": "dot"})
        fig.update_yaxes(autorange="reversed", type="category")
        fig.update_xaxes(tickformat="%Y年%-m月" if lang == "zh" else "%b %Y")
        _widgets.style_fig(fig, f"{facts['name']} · {t('tl_title', lang)}", height=120 + 34 * len(labels))
        _widgets.chart(fig, key="pf_timeline")

    # --- the light of every month ----------------------------------------------------------------------
    st.markdown(f"#### {t('pf_lights', lang)}")
    if not len(hist):
        st.caption(t("pf_none", lang))
    else:
        dims = list(overview.DIMENSIONS)
        word = {k: enum_label("light", k, lang) for k in ("red", "yellow", "green", "gray")}
        per_col = "period" if "period" in hist.columns else hist.columns[0]
        htab = pd.DataFrame({
            t("period", lang): hist[per_col].map(lambda p: periods.fmt_period(p, lang) if isinstance(p, str) else p),
            t("col_light", lang): hist["light"].map(word),
            **{enum_label("dimension", d, lang): hist[d].map(word) for d in dims if d in hist.columns},
            # as text: st.dataframe shows a blank number as "None" whatever the Styler's na_rep says
            t("col_rate", lang): _num_text(hist.get("actual_pct"), "{:.1f}%"),
            t("col_gap", lang): _num_text(hist.get("gap_pp"), "{:+.1f}"),
            t("col_reasons", lang): hist[rcol].fillna("") if rcol in hist.columns else "",
        })
        light_cols = [col for col in htab.columns if col in
                      [t("col_light", lang)] + [enum_label("dimension", d, lang) for d in dims]]
        st.dataframe(
            htab.style.map(_widgets.light_cell_style({v: k for k, v in word.items()}), subset=light_cols),
            hide_index=True, key="pf_hist",
            column_config={t("col_reasons", lang): st.column_config.TextColumn(width="large")})

    # --- problems ------------------------------------------------------------------------------------------
    st.markdown(f"#### {t('pf_problems', lang)}")
    from lib import problems as problems_mod

    probs = _cache.cached(problems_mod.problem_table, as_of=c.as_of, region_code=row["region_code"])
    probs = probs[probs["project_code"] == code]
    if not len(probs):
        st.caption(t("pf_none", lang))
    else:
        ptab = pd.DataFrame({
            t("pb_col_id", lang): probs["problem_id"].astype(str),
            t("pc_category", lang): probs["category"].map(lambda k: enum_label("problem_category", k, lang)),
            t("pc_status", lang): probs["status"].map(lambda k: enum_label("problem_status", k, lang)),
            t("pc_deadline", lang): probs["deadline"].map(fdate),
            t("pc_overdue", lang): probs["overdue_days"].map(
                lambda n: "—" if pd.isna(n) else t("pb_overdue_n", lang, n=int(n))),
            t("pc_supervised", lang): probs["supervise_count"],
            t("pc_description", lang): probs["description"],
        })
        st.dataframe(ptab, hide_index=True, key="pf_problems")
        _widgets.excel_download(ptab, t("pf_problems", lang), key="pf_problems_xlsx")

    # --- history of changes --------------------------------------------------------------------------------
    st.markdown(f"#### {t('pf_history', lang)}")
    changes = _cache.cached(queries.project_changes, code)
    events = _cache.cached(queries.project_problem_events, code)
    parts = []
    if len(changes):
        parts.append(pd.DataFrame({
            "at": changes["at"], "who": changes["username"],
            "what": [label("hist_", a) + " · " + label("tbl_", e) for a, e in
                     zip(changes["action"], changes["entity"].astype(str))],
            "detail": [queries.describe_change(b, a, lang) for b, a in zip(changes["before"], changes["after"])],
        }))
    if len(events):
        parts.append(pd.DataFrame({
            "at": events["at"], "who": events["username"],
            "what": [f"{pid} " + enum_label("problem_action", a, lang) for pid, a in
                     zip(events["problem_id"], events["action"])],
            "detail": events["note"].fillna(""),
        }))
    from lib.intake import quality

    qflags = _cache.cached(quality.flag_table, project_code=code)
    if len(qflags):  # the data-quality flags that stand on the project's reports
        parts.append(pd.DataFrame({
            "at": [r if r is not None and r == r else pd.Timestamp(periods.last_day(p))
                   for r, p in zip(qflags["reported_at"], qflags["period"])],
            "who": qflags["reporter"].fillna(""),
            "what": [f"{t('qf_history', lang)} · {t('qf_name_' + k, lang)} · {periods.fmt_period(p, lang)}"
                     for k, p in zip(qflags["code"], qflags["period"])],
            "detail": [quality.message({"code": k, "params": pr}, lang)
                       for k, pr in zip(qflags["code"], qflags["params"])],
        }))
    if not parts:
        st.caption(t("pf_none", lang))
    else:
        hist_all = pd.concat(parts, ignore_index=True).sort_values("at", ascending=False)
        who = _cache.cached(queries.people)
        hist_all["who"] = hist_all["who"].map(lambda u: who.get(u, u))
        hist_all["at"] = pd.to_datetime(hist_all["at"]).dt.strftime("%Y-%m-%d %H:%M")
        hist_all["detail"] = hist_all["detail"].astype(str).str.slice(0, 300)
        hist_all.columns = [t(k, lang) for k in ("hc_when", "hc_who", "hc_what", "hc_detail")]
        st.dataframe(hist_all, hide_index=True, key="pf_changes")
        _widgets.excel_download(hist_all, t("pf_history", lang), key="pf_changes_xlsx")

    # --- monthly reports ----------------------------------------------------------------------------------------
    with st.expander(t("pf_reports", lang)):
        reps = _cache.cached(queries.project_reports, code, year, c.period)
        if not len(reps):
            st.caption(t("pf_none", lang))
        else:
            cols = [col for col in ("period", "ytd_completed", "month_completed", "started", "in_stats",
                                    "central_budget_paid", "special_bond_paid", "treasury_bond_paid",
                                    "progress_text", "variance_note", "reporter") if col in reps.columns]
            st.dataframe(reps[cols].rename(columns={col: t("rc_" + col, lang) for col in cols}),
                         hide_index=True, key="pf_reports")
