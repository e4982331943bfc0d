"""问题销号 — problem closure: figures, filters, list by urgency, board by state, charts, one problem's
history and the moves the signed-in role may take, raising a problem, the 督办单 and the unit scoreboard.

Thin view: every number and every move comes from lib.problems.
"""
from __future__ import annotations

import datetime as dt
import html

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from lib import access, periods
from lib import problems as P
from lib.errors import CockpitError
from lib.i18n import LIGHT_COLORS, enum_label, t
from lib.outputs.excel import csv_bytes
from lib.store import get_engine, queries, session_scope
from lib.store.models import PROBLEM_CATEGORIES, PROBLEM_LEVELS, PROBLEM_STATUSES
from pages import _cache, _frame, _widgets

c = _frame.ctx()
lang = c.lang
actor = c.actor or access.Actor("guest", "leader")  # reading needs no more than a leader may
RED = LIGHT_COLORS["red"]


def L(key: str, **kw) -> str:
    text = t(key, lang)
    return text.format(**kw) if kw else text


def fmt_d(value) -> str:
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return ""
    return periods.fmt_date(value, lang)


def txt(value) -> str:
    """Text of a cell; blank for None/NaN."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value)


def overdue_text(n) -> str:
    return "" if pd.isna(n) else L("pb_overdue_n", n=int(n))


def seed(widget_key: str, marker: str, value, default) -> None:
    """(Re)seed a widget from the frame's shared value when that value changed."""
    if st.session_state.get(marker) != value or widget_key not in st.session_state:
        st.session_state[widget_key] = default
        st.session_state[marker] = value


# --- as-of date and county ----------------------------------------------------------------------
today = dt.date.today()
default_as_of = c.as_of or today
seed("pb_as_of", "_pb_as_of_for", c.period, default_as_of)
# Cached per data version: a write on this page changes the version, so it shows at once.
regions = _cache.region_names()
ALL = ""  # 全部县区 (a selectbox shows None as an empty choice)
county_options = [ALL, *regions]
seed("pb_county", "_pb_county_for", c.region_code,
     c.region_code if c.region_code in regions else ALL)

_frame.header(L("pb_title"), c, subtitle=f"{L('pb_as_of')}:{fmt_d(st.session_state['pb_as_of'])}")

top = st.columns([1, 1, 2])
as_of = top[0].date_input(L("pb_as_of"), key="pb_as_of", format="YYYY-MM-DD")
county = top[1].selectbox(L("pb_f_county"), county_options, key="pb_county",
                          format_func=lambda code: t("all_regions", lang) if code == ALL else regions.get(code, code))
county = county or None

table_all = _cache.problem_table(as_of)  # once per data version for every session (a write changes it)
# the county's problems and what each filter offers for them: once per data version for every session
choices = _cache.problem_base(as_of, county)
base = choices["base"]

# --- filters ------------------------------------------------------------------------------------

with st.expander(L("pb_filters"), expanded=False):
    f1, f2, f3, f4 = st.columns(4)
    f_project = f1.multiselect(L("pb_f_project"), choices["project_code"], key="pb_f_project",
                               format_func=choices["project_labels"].__getitem__)
    f_category = f2.multiselect(L("pb_f_category"), list(PROBLEM_CATEGORIES), key="pb_f_category",
                                format_func=lambda k: enum_label("problem_category", k, lang))
    f_level = f3.multiselect(L("pb_f_level"), list(PROBLEM_LEVELS), key="pb_f_level",
                             format_func=lambda k: enum_label("problem_level", k, lang))
    f_status = f4.multiselect(L("pb_f_status"), list(PROBLEM_STATUSES), key="pb_f_status",
                              format_func=lambda k: enum_label("problem_status", k, lang))
    g1, g2, g3, g4, g5 = st.columns([3, 3, 3, 2, 2])
    f_number = g5.text_input(L("pb_f_number"), key="pb_f_number", max_chars=40)
    f_unit = g1.multiselect(L("pb_f_unit"), choices["unit"], key="pb_f_unit")
    f_leader = g2.multiselect(L("pb_f_leader"), choices["leader"], key="pb_f_leader")
    first_raised = choices["first_raised"] if choices["first_raised"] is not None else as_of
    # the range follows the as-of date and the county (a range kept from another as-of would hide rows)
    seed("pb_f_raised", "_pb_f_raised_for", (as_of, county), (first_raised, as_of))
    f_raised = g3.date_input(L("pb_f_raised"), key="pb_f_raised", format="YYYY-MM-DD")
    f_overdue = g4.checkbox(L("pb_f_overdue"), key="pb_f_overdue")

# filtered and ordered once per filter for every session (lib.problems.filter_problems, cached)
view = _cache.problem_view(as_of, county, raised=f_raised if isinstance(f_raised, (tuple, list)) else None,
                           overdue_only=f_overdue, project_code=f_project, category=f_category, level=f_level,
                           status=f_status, unit=f_unit, leader=f_leader)
df = view["df"]  # most urgent first
if f_number.strip():  # 问题编号: the office's own number or a system number, any part of it
    df = df[df["problem_id"].astype(str).str.contains(f_number.strip(), case=False, regex=False)]

# --- figures ------------------------------------------------------------------------------------
stats = view["stats"]
days = L("pb_days")
unit_n = t("count_unit", lang)
m = st.columns(4) + st.columns(4)[:3]
m[0].metric(L("pb_m_raised"), f"{stats['raised']}{unit_n}")
m[1].metric(L("pb_m_closed"), f"{stats['closed']}{unit_n}")
m[2].metric(L("pb_m_rate"), _widgets.pct(stats["closure_rate"]))
m[3].metric(L("pb_m_on_time"), f"{stats['closed_on_time']}{unit_n}")
m[4].metric(L("pb_m_open"), f"{stats['open']}{unit_n}")
m[5].metric(L("pb_m_overdue"), f"{stats['overdue']}{unit_n}")
m[6].metric(L("pb_m_avg"), "—" if stats["avg_days_to_close"] is None else f"{stats['avg_days_to_close']:.1f}{days}")
st.caption(L("pb_legend"))
st.caption(L("pb_count", n=len(df)))

TAB_KEYS = ("pb_tab_table", "pb_tab_board", "pb_tab_charts", "pb_tab_units", "pb_tab_detail",
            "pb_tab_raise", "pb_tab_dudan")
tab_labels = [L(k) for k in TAB_KEYS]
# The open tab is kept across reruns (a submit, a filter, a tap): a keyed, stateful st.tabs. A move that
# leads elsewhere (a row picked in the list, a problem just raised) asks for its tab before it is drawn.
wanted_tab = st.session_state.pop("pb_tab_next", None)
if wanted_tab in TAB_KEYS:
    st.session_state["pb_tab"] = L(wanted_tab)
elif st.session_state.get("pb_tab") not in tab_labels:
    st.session_state.pop("pb_tab", None)  # another language's label
tabs = st.tabs(tab_labels, key="pb_tab", on_change="rerun")


def flash(i: int) -> None:
    """The last move's confirmation, shown in the tab the user is looking at (办理 when unknown), and
    as a toast in the corner of the screen, in sight wherever the tab is scrolled to."""
    open_ = [k for k, tab in enumerate(tabs) if getattr(tab, "open", None)]
    if st.session_state.get("pb_flash") and (open_[0] if open_ else 4) == i:
        message = st.session_state.pop("pb_flash")
        st.success(message)
        st.toast(message, duration="long")

# --- list, most urgent first ---------------------------------------------------------------------
PICK_MAX = 1000  # problems offered in the 办理 picker (most urgent first)
OVERDUE_MARK = "🔴 "  # the overdue cell's mark (a Styler's red background cannot draw 50,000 rows)


def table_view(rows: pd.DataFrame, mark: bool = True) -> pd.DataFrame:
    """The list's columns for ``rows`` (whole-column maps, no per-cell Python beyond the few dates);
    ``mark=False`` leaves the overdue cells as plain words (the CSV export)."""
    def enum(col: str, kind: str) -> pd.Series:
        return rows[col].map({k: enum_label(kind, k, lang) for k in rows[col].dropna().unique()}).astype(object)

    def dates(col: str) -> pd.Series:
        return rows[col].map({d: fmt_d(d) for d in rows[col].dropna().unique()}).astype(object).fillna("")

    over = rows["overdue_days"]
    # most important first: number, project, how overdue, what, state; the rest after
    return pd.DataFrame({
        L("pb_col_id"): rows["problem_id"].astype(str),
        L("pb_col_project"): rows["project_name"].fillna(rows["project_code"]),
        L("pb_col_overdue"): over.map({n: (OVERDUE_MARK if mark else "") + overdue_text(n) for n in over.dropna().unique()})
        .astype(object).fillna(""),
        L("pb_col_desc"): rows["description"],
        L("pb_col_status"): enum("status", "problem_status"),
        L("pb_col_region"): rows["region_code"].map(regions).fillna(rows["region_code"]),
        L("pb_col_unit"): rows["unit"].fillna(""),
        L("pb_col_deadline"): dates("deadline"),
        L("pb_col_category"): enum("category", "problem_category"),
        L("pb_col_level"): enum("level", "problem_level"),
        L("pb_col_supervise"): rows["supervise_count"].astype(int),
        L("pb_col_person"): rows["person"].fillna(""),
        L("pb_col_raised"): dates("raised_on"),
        L("pb_col_closed"): dates("closed_on"),
        L("pb_col_days"): rows["days_open"].astype("Int64"),
    })


with tabs[0]:
    flash(0)
    if df.empty:
        st.info(L("pb_empty"))
    else:
        mode = _widgets.list_view("pb", lang)  # 表格 or 卡片: only that one is drawn
        with _widgets.table_or_cards("pb", mode):
            if mode == "table":  # a tapped row opens the problem in 办理
                part = _widgets.paged(df, "pb_table_page", lang)  # one page of rows drawn, never 50,000
                show = table_view(part)
                col_over = L("pb_col_overdue")
                event = st.dataframe(show, hide_index=True, width="stretch",
                                     key=f"pb_table_{st.session_state.get('_pb_table_v', 0)}",
                                     on_select="rerun", selection_mode="single-row",
                                     column_config={col_over: st.column_config.TextColumn(width=116),
                                                    L("pb_col_id"): st.column_config.TextColumn(width=96, pinned=True),
                                                    L("pb_col_project"): st.column_config.TextColumn(width="medium", pinned=True),
                                                    L("pb_col_desc"): st.column_config.TextColumn(width="large")})
                st.caption(L("pb_select_hint"))
                picked = list(getattr(getattr(event, "selection", None), "rows", []) or [])
                if picked:
                    # a tapped row opens that problem (by its number, not its position) in 办理, and the
                    # list's selection is cleared so that a later redraw cannot pick again
                    st.session_state["pb_pick_next"] = str(show.iloc[picked[0]][L("pb_col_id")])
                    st.session_state["pb_tab_next"] = "pb_tab_detail"
                    st.session_state["_pb_table_v"] = st.session_state.get("_pb_table_v", 0) + 1
                    st.rerun()
            else:  # one page of cards; 办理 opens the problem as a tapped row does
                st.caption(L("pb_card_hint"))
                cards = _widgets.paged(df, "pb_card_page", lang, size=_widgets.CARD_ROWS)
                for r in table_view(cards, mark=False).assign(_pk=cards["pk"].to_numpy(),
                                                              _over=cards["overdue_days"].to_numpy()).to_dict("records"):
                    with st.container(key=f"ck_card_pb_{int(r['_pk'])}", border=True):
                        st.html(_widgets.card_html(
                            r[L("pb_col_project")], lead=f'#{r[L("pb_col_id")]}', lang=lang,
                            chip=(r[L("pb_col_overdue")], RED) if not pd.isna(r["_over"]) else None,
                            lines=[(L("pb_col_desc"), r[L("pb_col_desc")])],
                            figures=[(L("pb_col_status"), r[L("pb_col_status")]),
                                     (L("pb_col_unit"), r[L("pb_col_unit")]),
                                     (L("pb_col_deadline"), r[L("pb_col_deadline")])]))
                        if st.button(f"{L('pb_tab_detail')} ›", key=f"pb_card_open_{int(r['_pk'])}", type="tertiary"):
                            st.session_state["pb_pick_next"] = str(r[L("pb_col_id")])
                            st.session_state["pb_tab_next"] = "pb_tab_detail"
                            st.rerun()
        # the rows shown (the table's page, or the cards' page)
        _widgets.excel_download(show if mode == "table" else table_view(cards), t("page_problems", lang), key="pb_xlsx")
        st.download_button(t("export_csv", lang),  # every filtered row, formula-safe, built only on a click
                           lambda rows=df: csv_bytes(table_view(rows, mark=False)),
                           file_name=f"problems_{as_of:%Y%m%d}.csv", mime="text/csv", key="pb_csv")

# --- board by state --------------------------------------------------------------------------------
with tabs[1]:
    cols = st.columns(len(PROBLEM_STATUSES))
    # the first 12 of each state and the counts, without copying every row of the filter once per state
    in_state = df["status"].value_counts()
    firsts = df.groupby("status", sort=False).head(12)
    for col, status in zip(cols, PROBLEM_STATUSES):
        part = firsts[firsts["status"] == status]
        n_state = int(in_state.get(status, 0))
        col.markdown(f"**{enum_label('problem_status', status, lang)}({n_state})**")
        for r in part.itertuples(index=False):
            flag = (f'<span class="ck-chip" style="background:{RED};color:#fff">{overdue_text(r.overdue_days)}</span> '
                    if not pd.isna(r.overdue_days) else "")
            sup = f" · {L('pb_col_supervise')} {int(r.supervise_count)}" if r.supervise_count else ""
            col.markdown(
                f'<div style="border:1px solid #E3E7ED;border-radius:8px;padding:6px 8px;margin-bottom:6px">'
                f"{flag}<b>{html.escape(str(r.problem_id))}</b> {html.escape(str(r.project_name or r.project_code))}<br>"
                f'<span style="font-size:14px">{enum_label("problem_category", r.category, lang)} · '
                f"{html.escape(str(r.description)[:40])}{sup}</span></div>", unsafe_allow_html=True)
        if n_state > 12:
            col.caption(L("pb_board_more", n=n_state - 12))

# --- charts --------------------------------------------------------------------------------------
with tabs[2]:
    if df.empty:
        st.info(L("pb_empty"))
    else:
        # counted once per filter for every session (pages/_cache.problem_figures), unless a number narrows it
        figs = _cache.problem_figures(df) if f_number.strip() else view["figures"]
        ch1, ch2 = st.columns(2)
        with ch1:
            names = [enum_label("problem_category", k, lang) for k in figs["cats"]]
            open_n, closed_n = figs["open_n"], figs["closed_n"]
            fig = go.Figure([
                go.Bar(name=L("pb_s_open"), x=names, y=open_n, marker_color=LIGHT_COLORS["yellow"],
                       text=open_n, textposition="inside"),
                go.Bar(name=L("pb_s_closed"), x=names, y=closed_n, marker_color=LIGHT_COLORS["green"],
                       text=closed_n, textposition="inside"),
            ])
            fig.update_layout(barmode="stack", yaxis_title=L("pb_ax_count"))
            _widgets.chart(_widgets.style_fig(fig, L("pb_ch_category")), key="pb_ch_cat")
        with ch2:
            by_unit = figs["by_unit"]
            if by_unit.empty:
                st.info(L("pb_no_overdue"))
            else:
                by_unit = by_unit.rename(index={P.UNASSIGNED_UNIT: L("pb_no_unit")})  # the reader's language
                fig = go.Figure(go.Bar(name=L("pb_s_overdue"), x=by_unit.values, y=by_unit.index,
                                       orientation="h", marker_color=RED, text=by_unit.values,
                                       textposition="outside"))
                fig.update_layout(xaxis_title=L("pb_ax_count"))
                _widgets.chart(_widgets.style_fig(fig, L("pb_ch_units"), legend=False), key="pb_ch_units")
        ch3, ch4 = st.columns(2)
        with ch3:
            counts = figs["ageing"]
            colors = [LIGHT_COLORS["green"], LIGHT_COLORS["yellow"], "#E07B39", RED]
            fig = go.Figure(go.Bar(x=[L(f"pb_age_{b}") for b in P.AGEING_BUCKETS], y=counts,
                                   marker_color=colors, text=counts, textposition="outside",
                                   name=L("pb_s_open")))
            fig.update_layout(xaxis_title=L("pb_ax_age"), yaxis_title=L("pb_ax_count"))
            _widgets.chart(_widgets.style_fig(fig, L("pb_ch_ageing"), legend=False), key="pb_ch_age")
        with ch4:
            raised_m, closed_m = figs["raised_m"], figs["closed_m"]
            months = sorted(set(raised_m) | set(closed_m))
            fig = go.Figure([
                go.Bar(name=L("pb_s_raised"), x=[periods.fmt_period(p, lang) for p in months],
                       y=[int(raised_m.get(p, 0)) for p in months], marker_color="#4A78B5"),
                go.Bar(name=L("pb_s_closed"), x=[periods.fmt_period(p, lang) for p in months],
                       y=[int(closed_m.get(p, 0)) for p in months], marker_color=LIGHT_COLORS["green"]),
            ])
            fig.update_layout(barmode="group", xaxis_title=L("pb_ax_month"), yaxis_title=L("pb_ax_count"))
            _widgets.chart(_widgets.style_fig(fig, L("pb_ch_month")), key="pb_ch_month")

# --- per-unit scoreboard -------------------------------------------------------------------------
with tabs[3]:
    board = view["units"]
    if board.empty:
        st.info(L("pb_empty"))
    else:
        units_tab = pd.DataFrame({
            L("pb_col_unit"): board["unit"].replace(P.UNASSIGNED_UNIT, L("pb_no_unit")),
            L("pb_u_held"): board["held"],
            L("pb_u_closed"): board["closed"],
            L("pb_u_on_time"): board["on_time_rate"].map(_widgets.pct),
            L("pb_u_overdue"): board["overdue"],
            L("pb_u_max"): board["max_overdue_days"],
        })
        st.dataframe(units_tab, hide_index=True, width="stretch", key="pb_units")
        _widgets.excel_download(units_tab, L("pb_col_unit"), key="pb_units_xlsx")


def run(fn, ok: str) -> bool:
    """Run one write in its own transaction; show the refusal, or flash ``ok`` and redraw."""
    try:
        with session_scope(get_engine()) as session:
            fn(session)
    except CockpitError as exc:
        st.error(exc.text(lang))  # drawn in the open tab, under the form that was submitted
        return False
    st.session_state["pb_flash"] = ok
    st.rerun()
    return True



# --- one problem: history and the moves this role may take ----------------------------------------
with tabs[4]:
    # the picker lists the most urgent PICK_MAX problems of the filter, or those of the county whose
    # number or project holds the text searched for (so that any problem can be reached); labels are
    # built for those rows only, and only the chosen row becomes a dict
    wanted = st.session_state.pop("pb_pick_next", None)  # a row tapped in the list, a problem just raised
    if wanted is not None:
        st.session_state["pb_pick"] = str(wanted)
        st.session_state["pb_pick_find"] = ""  # that problem, not an earlier search
    find = st.text_input(L("pb_pick_find"), key="pb_pick_find", max_chars=60,
                         placeholder=L("pb_pick_find_hint")).strip()
    found = _cache.problem_search(as_of, county, find) if find else None
    pick_rows = (found if found is not None else df).head(PICK_MAX)
    ids = pick_rows["problem_id"].astype(str).tolist()
    kept = st.session_state.get("pb_pick")
    # the chosen problem stays chosen after a move or a filter change: never another one in its place
    # (a search asks for other problems: the first one found is chosen then)
    if kept is not None and kept not in ids and found is None:
        extra = table_all[table_all["problem_id"].astype(str) == kept]
        if len(extra):
            ids = [kept, *ids]
            pick_rows = pd.concat([extra, pick_rows])
    if not ids:
        st.info(L("pb_pick_none") if found is not None else L("pb_empty"))
    else:
        if found is not None:
            st.caption(L("pb_pick_found_capped", n=len(found), shown=PICK_MAX) if len(found) > PICK_MAX
                       else L("pb_pick_found", n=len(found)))
        elif len(df) > PICK_MAX:
            st.caption(L("pb_pick_capped", n=PICK_MAX, total=len(df)))
        status_word = pick_rows["status"].map({k: enum_label("problem_status", k, lang)
                                               for k in pick_rows["status"].dropna().unique()}).astype(object)
        od_text = pick_rows["overdue_days"].map(
            {n: overdue_text(n) for n in pick_rows["overdue_days"].dropna().unique()}).astype(object)
        labels = dict(zip(ids, (
            pick_rows["problem_id"].astype(str) + " "
            + pick_rows["project_name"].fillna(pick_rows["project_code"]).astype(str) + " · "
            + pick_rows["description"].astype(str).str.slice(0, 24) + " · " + status_word.astype(str)
            + od_text.map(lambda v: f" · {v}" if isinstance(v, str) and v else "").fillna("")).tolist()))

        def label(pid: str) -> str:
            return labels.get(pid, pid)

        if st.session_state.get("pb_pick") not in ids:
            st.session_state["pb_pick"] = ids[0]
        pid = st.selectbox(L("pb_pick"), ids, key="pb_pick", format_func=label)
        r = pick_rows[pick_rows["problem_id"].astype(str) == pid].iloc[0].to_dict()
        facts = {
            L("pb_col_project"): f"{txt(r['project_name'])}({r['project_code']})",
            L("pb_col_region"): regions.get(r["region_code"], r["region_code"]),
            L("pb_col_category"): enum_label("problem_category", r["category"], lang),
            L("pb_col_level"): enum_label("problem_level", r["level"], lang),
            L("pb_col_status"): enum_label("problem_status", r["status"], lang),
            L("pb_col_desc"): r["description"],
            L("pb_col_unit"): txt(r["unit"]), L("pb_col_leader"): txt(r["leader"]),
            L("pb_col_person"): txt(r["person"]), L("pb_col_measures"): txt(r["measures"]), L("pb_col_deadline"): fmt_d(r["deadline"]),
            L("pb_col_raised"): fmt_d(r["raised_on"]), L("pb_col_closed"): fmt_d(r["closed_on"]),
            L("pb_col_satisfied"): ("" if r["satisfied"] is None or pd.isna(r["satisfied"])
                                    else t("yes" if r["satisfied"] else "no", lang)),
            L("pb_col_overdue"): overdue_text(r["overdue_days"]) or "—",
            L("pb_col_supervise"): int(r["supervise_count"]),
        }
        d1, d2 = st.columns([2, 3])
        with d1:
            # a fact not known yet (办结日期, 企业满意 of an open problem) reads as a dash, never as nothing
            st.markdown("\n".join(f"- **{k}**:{txt(v) or '—'}"
                                  for k, v in facts.items()))
        with d2:
            st.markdown(f"**{L('pb_history')}**")
            with session_scope(get_engine()) as session:
                hist = P.history(session, pid)
                people = queries.people(session)
            st.dataframe(pd.DataFrame({
                L("pb_h_at"): hist["at"].map(lambda v: f"{fmt_d(v)} {v:%H:%M}"),
                L("pb_h_who"): hist["username"].map(lambda u: people.get(u, u)),
                L("pb_h_action"): hist["action"].map(lambda k: enum_label("problem_action", k, lang)),
                L("pb_h_from"): hist["from_status"].map(lambda k: enum_label("problem_status", k, lang)),
                L("pb_h_to"): hist["to_status"].map(lambda k: enum_label("problem_status", k, lang)),
                L("pb_h_note"): hist["note"].fillna(""),
            }), hide_index=True, width="stretch", key="pb_history")

        kid = int(r["pk"])  # widget keys use the internal id (a number is the office's own text)
        actions = P.allowed_actions(actor, r) if c.actor is not None else []
        st.markdown(f"**{L('pb_actions')}**")
        if not actions:
            st.caption(L("pb_no_actions"))
        else:
            action = st.radio(L("pb_action"), actions, key=f"pb_action_{kid}", horizontal=True, index=None,
                              format_func=lambda a: enum_label("problem_action", a, lang))
        if actions and action is None:
            st.caption(L("pb_choose_action"))
        elif actions:
            with st.form(f"pb_form_{kid}_{action}", clear_on_submit=False):
                fields: dict = {}
                if action == "assign":
                    st.caption(L("pb_five_hint"))
                    a1, a2, a3 = st.columns(3)
                    fields["unit"] = a1.text_input(L("pb_col_unit"), value=txt(r["unit"]), key=f"pb_f_unit_{kid}")
                    fields["leader"] = a2.text_input(L("pb_col_leader"), value=txt(r["leader"]),
                                                     key=f"pb_f_leader_{kid}")
                    fields["person"] = a3.text_input(L("pb_col_person"), value=txt(r["person"]),
                                                     key=f"pb_f_person_{kid}")
                    fields["measures"] = st.text_area(L("pb_col_measures"), value=txt(r["measures"]),
                                                      key=f"pb_f_measures_{kid}")
                    fields["deadline"] = st.date_input(L("pb_col_deadline"), value=r["deadline"] if isinstance(r["deadline"], dt.date) else None,
                                                       key=f"pb_f_deadline_{kid}", format="YYYY-MM-DD")
                elif action in ("submit", "accept"):
                    st.caption(L("pb_submit_hint" if action == "submit" else "pb_accept_hint"))
                    b1, b2 = st.columns(2)
                    fields["closed_on"] = b1.date_input(L("pb_col_closed"), value=r["closed_on"] if isinstance(r["closed_on"], dt.date) else today,
                                                        key=f"pb_f_closed_{kid}_{action}", format="YYYY-MM-DD")
                    sat_now = r["satisfied"] if isinstance(r["satisfied"], bool) else None
                    sat_opts = [True, False, None]
                    fields["satisfied"] = b2.radio(
                        L("pb_col_satisfied"), sat_opts, index=sat_opts.index(sat_now), horizontal=True,
                        key=f"pb_f_sat_{kid}_{action}",
                        format_func=lambda v: L("pb_sat_unknown") if v is None else t("yes" if v else "no", lang))
                needs_note = action in P.NOTE_REQUIRED
                note = st.text_area(L("pb_note_required" if needs_note else "pb_note"),
                                    key=f"pb_f_note_{kid}_{action}")
                # the button names the problem it acts on (number and project)
                go_ = st.form_submit_button(
                    L("pb_do_on", action=enum_label("problem_action", action, lang), id=pid,
                      project=txt(r["project_name"]) or r["project_code"]),
                    type="primary", key=f"pb_do_{kid}_{action}")
            if go_:
                run(lambda s: P.apply(s, c.actor, pid, action, note=note or None, **fields),
                    L("pb_done", action=enum_label("problem_action", action, lang), id=pid))
    # the confirmation of a move goes under the form, where the tapped button was (and where a refusal
    # is shown): at the top of this long tab it was out of sight on a tablet, and a move looked lost
    flash(4)

# --- raise a new problem -----------------------------------------------------------------------
with tabs[5]:
    flash(5)
    if c.actor is None or not access.can(c.actor, "problem_work"):
        st.info(L("pb_cannot_raise"))
    else:
        # the permission asked once per county, not once per project (20,000 of them)
        allowed = [rg for rg in _cache.project_regions() if access.can(c.actor, "problem_work", rg)]
        codes, names = _cache.project_choices(allowed, county)
        draft = st.session_state.get("problem_draft") or {}
        if draft:
            st.info(L("pb_from_light"))
        if not codes:
            st.info(L("pb_no_projects"))
        else:
            with st.form("pb_raise_form", clear_on_submit=True):
                n1, n2, n3 = st.columns([3, 1, 1])
                project = n1.selectbox(L("pb_new_project"), codes, key="pb_new_project",
                                       index=codes.index(draft["project_code"]) if draft.get("project_code") in codes else 0,
                                       format_func=names.__getitem__)
                category = n2.selectbox(L("pb_col_category"), list(PROBLEM_CATEGORIES), key="pb_new_category",
                                        index=list(PROBLEM_CATEGORIES).index(draft.get("category", "other")),
                                        format_func=lambda k: enum_label("problem_category", k, lang))
                level = n3.selectbox(L("pb_col_level"), list(PROBLEM_LEVELS), key="pb_new_level",
                                     format_func=lambda k: enum_label("problem_level", k, lang))
                desc = st.text_area(L("pb_new_desc"), value=draft.get("description", ""), key="pb_new_desc")
                raised_on = st.date_input(L("pb_new_raised"), value=min(as_of, today), key="pb_new_raised",
                                          format="YYYY-MM-DD")
                st.caption(L("pb_five_optional"))
                o1, o2, o3 = st.columns(3)
                five = {
                    "unit": o1.text_input(L("pb_col_unit"), value=draft.get("unit") or "", key="pb_new_unit"),
                    "leader": o2.text_input(L("pb_col_leader"), value=draft.get("leader") or "", key="pb_new_leader"),
                    "person": o3.text_input(L("pb_col_person"), key="pb_new_person"),
                    "measures": st.text_input(L("pb_col_measures"), key="pb_new_measures"),
                    "deadline": st.date_input(L("pb_col_deadline"), value=None, key="pb_new_deadline",
                                              format="YYYY-MM-DD"),
                }
                submitted = st.form_submit_button(L("pb_new_submit"), type="primary", key="pb_new_submit")
            if submitted:
                created: dict = {}

                def _raise(session):
                    p = P.raise_problem(session, c.actor, project, category, desc, raised_on, level=level,
                                        **{k: v for k, v in five.items() if v not in (None, "")})
                    created["id"] = p.number

                try:
                    with session_scope(get_engine()) as session:
                        _raise(session)
                except CockpitError as exc:
                    st.error(exc.text(lang))
                else:
                    st.session_state.pop("problem_draft", None)
                    st.session_state["pb_flash"] = L("pb_raised_ok", id=created["id"])
                    st.session_state["pb_pick_next"] = created["id"]
                    st.session_state["pb_tab_next"] = "pb_tab_detail"
                    st.rerun()

# --- 督办单 ------------------------------------------------------------------------------------
with tabs[6]:
    st.caption(L("pb_dd_hint"))
    overdue_rows = choices["overdue"]  # the notice lists every overdue problem of its addressee
    by = st.radio(L("pb_dd_by"), ["unit", "county"], key="pb_dd_by", horizontal=True,
                  format_func=lambda k: L("pb_dd_unit" if k == "unit" else "pb_dd_county"))
    if by == "unit":
        units = sorted(u for u in overdue_rows["unit"].dropna().unique() if str(u).strip())
        target = st.selectbox(L("pb_dd_unit"), units, key="pb_dd_unit") if units else None
        sel = overdue_rows[overdue_rows["unit"] == target]
        dd_kwargs = {"unit": target, "region_code": county}
    else:
        cs = sorted(overdue_rows["region_code"].dropna().unique(), key=lambda r: list(regions).index(r)
                    if r in regions else 999)
        target = st.selectbox(L("pb_dd_county"), cs, key="pb_dd_county",
                              format_func=lambda code: regions.get(code, code)) if cs else None
        sel = overdue_rows[access.scope.of(target).mask(overdue_rows["region_code"])] if target else overdue_rows.iloc[:0]
        dd_kwargs = {"region_code": target}
    if target is None:
        st.info(L("pb_no_overdue"))
    else:
        st.caption(L("pb_dd_count", n=len(sel)))
        def make_doc(as_of=as_of, kwargs=dict(dd_kwargs)) -> bytes:
            """Built only when the button is clicked (deferred download)."""
            with session_scope(get_engine()) as session:
                return P.dudan_docx(session, as_of, lang=lang, **kwargs)

        name = regions.get(target, target) if by == "county" else target
        st.download_button(L("pb_dd_download"), make_doc, file_name=f"督办单_{name}_{as_of:%Y%m%d}.docx",
                           mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                           key="pb_dd_download")
