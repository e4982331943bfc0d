"""数据上报 — download a template, upload a filled file, preview (new / changed / unchanged, every
error, warnings to acknowledge), confirm; upload history with undo; the office's reporting grid.

Thin view: parsing, checks, writes, undo and the grid are lib.intake.importer / lib.intake.templates.
"""
from __future__ import annotations

import datetime as dt
import hashlib

import pandas as pd
import streamlit as st
from sqlalchemy import select

from lib import access, periods
from lib.errors import CockpitError
from lib.i18n import t
from lib.intake import kinds
from lib.intake.importer import (
    batches,
    change_label,
    display_value,
    field_label,
    issue_text,
    reporting_grid,
    run_import,
    undo_batch,
)
from lib.intake.templates import TITLES, template_csv, template_xlsx
from lib.store import get_engine, session_scope
from lib.store.models import Region
from pages import _cache, _frame, _widgets

c = _frame.ctx()
lang = c.lang
_frame.header(t("up_title", lang), c)
actor = c.actor
if actor is None or not access.can(actor, "upload"):
    st.warning(t("up_forbidden", lang))
    st.stop()


def L(key: str, **kw) -> str:
    text = t(key, lang)
    return text.format(**kw) if kw else text


def _show_errors(res, key: str = "upload_errors_xlsx") -> None:
    """The errors of a refused upload: the count of all, the first 200 listed (lib caps the list)."""
    total = max(res.error_total, len(res.errors))
    st.error(L("up_errors", n=total))
    if total > len(res.errors):
        st.caption(L("in_errors_total", total=total, shown=len(res.errors)))
    st.dataframe(_issues_table(res.errors), hide_index=True, width="stretch")
    _widgets.excel_download(_issues_table(res.errors), L("up_col_message"), key=key)


def kind_label(k: str) -> str:
    return TITLES[k][1 if lang == "en" else 0]


engine = get_engine()
with session_scope(engine) as s:
    regions = {r.code: r.name for r in s.scalars(select(Region).order_by(Region.display_order, Region.code))}

# kinds this account may upload (regions/targets/stats are the office's)
allowed = [k for k, spec in kinds.REGISTRY.items() if access.can(actor, spec.permission)]
today = dt.date.today()
last_idx = today.year * 12 + today.month + 1
month_list = [periods.from_index(i) for i in range(last_idx, (today.year - 6) * 12, -1)]
default_period = c.period if c.period in month_list else periods.from_index(today.year * 12 + today.month)

col_kind, col_period, col_region = st.columns([1, 1, 2])
kind = col_kind.selectbox(L("up_kind"), allowed, index=allowed.index("monthly") if "monthly" in allowed else 0,
                          format_func=kind_label, key="upload_kind")
period = col_period.selectbox(L("up_period"), month_list, index=month_list.index(default_period),
                              format_func=lambda p: periods.fmt_period(p, lang), key="upload_period")
if actor.role == "staff":
    prefill_region = actor.region_code
    col_region.text_input(L("up_region"), value=f"{regions.get(actor.region_code, '')}({actor.region_code})",
                          disabled=True, key="upload_region_fixed")
else:
    opts = [""] + list(regions)
    prefill_region = col_region.selectbox(
        L("up_region"), opts, index=opts.index(c.region_code) if c.region_code in opts else 0,
        format_func=lambda code: f"{regions[code]}({code})" if code else "—", key="upload_region") or None

# ---- ① templates ----
st.markdown(f"#### {L('up_step1')}")
with session_scope(engine) as s:
    if kind == "monthly" and prefill_region:
        xlsx = template_xlsx(kind, lang, session=s, region_code=prefill_region, period=period)
    else:
        xlsx = template_xlsx(kind, lang)
d1, d2, d3 = st.columns([1, 1, 2])
stem = L("up_template_file", kind=kind_label(kind), name=kind)
if kind == "monthly" and prefill_region:
    stem = f"{regions.get(prefill_region, prefill_region)}{periods.fmt_period(period, lang)}{kind_label(kind)}"
d1.download_button(L("up_dl_xlsx"), xlsx, file_name=f"{stem}.xlsx", key="upload_dl_xlsx",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", width="stretch")
d2.download_button(L("up_dl_csv"), template_csv(kind, lang), file_name=f"{stem}.csv", key="upload_dl_csv",
                   mime="text/csv", width="stretch")
if kind == "monthly" and prefill_region:
    from sqlalchemy import func

    from lib.store.models import Project, ProjectYear

    with session_scope(engine) as s:
        n = s.scalar(select(func.count()).select_from(ProjectYear).join(Project, Project.code == ProjectYear.project_code)
                     .where(ProjectYear.year == int(period[:4]), ProjectYear.library == "annual",
                            access.scope.of(prefill_region).where(Project.region_code)))
    d3.caption(L("up_prefilled", n=n))

# ---- ② upload ----
st.markdown(f"#### {L('up_step2')}")
st.html(_widgets.dropzone_css(lang))  # the drop zone's words in the user's language
with st.container(key="ck_upload_drop"):
    upl = st.file_uploader(L("up_file"), type=list(_widgets.UPLOAD_TYPES), key="upload_file", help=L("up_file_help"),
                           max_upload_size=_widgets.UPLOAD_MB)

if st.session_state.get("upload_flash"):
    st.success(st.session_state.pop("upload_flash"))


def _issues_table(items: list[dict]) -> pd.DataFrame:
    """Errors or warnings of an upload in the user's language (row, column and value as in the file)."""
    shown = [issue_text(e, lang) for e in items]
    return pd.DataFrame(
        [{L("up_col_row"): ("" if e["row"] is None else int(e["row"])), L("up_col_column"): e["column"] or "",
          L("up_col_value"): "" if e["value"] is None else str(e["value"]), L("up_col_message"): e["message"]}
         for e in shown])


def _changes_table(res) -> pd.DataFrame:
    out = []
    for ch in res.changes:
        if ch["action"] != "update":
            continue
        for f, after in (ch["after"] or {}).items():
            base = f.split(":", 1)[-1]
            label = field_label(kind, base, lang)
            if ":" in f:  # monthly plans: m3:planned_cumulative
                label = L("up_month_label", m=int(f.split(":")[0][1:]))
            before = (ch["before"] or {}).get(f)
            out.append({L("up_col_row"): ch["row"], L("up_col_key"): ch["key"], L("up_col_field"): label,
                        L("up_col_before"): display_value(kind, f, before, lang),
                        L("up_col_after"): display_value(kind, f, after, lang)})
    return pd.DataFrame(out)


if upl is not None:
    data = upl.getvalue()
    sha = hashlib.sha256(data).hexdigest()
    done = st.session_state.get("upload_done")
    if done and done.get("sha") == sha and done.get("kind") == kind:
        st.success(L("up_done", id=done["batch_id"], ins=done["inserted"], upd=done["updated"], unc=done["unchanged"]))
    else:
        st.markdown(f"#### {L('up_step3')}")
        cache_key = (sha, kind, actor.username, _frame.data_version())
        pre = st.session_state.get("upload_preview")
        if not pre or pre[0] != cache_key:
            with session_scope(engine) as s:
                res = run_import(s, kind, data, upl.name, actor, dry_run=True)
            st.session_state["upload_preview"] = (cache_key, res)
        else:
            res = pre[1]
        if res.rows:
            st.caption(L("up_rows", n=res.rows))
        if res.skipped:
            st.info(L("in_skipped_unfilled", n=res.skipped))
        m1, m2, m3 = st.columns(3)
        m1.metric(L("up_new"), res.inserted)
        m2.metric(L("up_changed"), res.updated)
        m3.metric(L("up_unchanged"), res.unchanged)
        if res.errors:
            _show_errors(res)
        else:
            ack = True
            if res.warnings:
                st.warning(L("up_warnings", n=len(res.warnings)))
                st.dataframe(_issues_table(res.warnings), hide_index=True, width="stretch")
                ack = st.checkbox(L("up_ack"), key="upload_ack")
            changes = _changes_table(res)
            if not changes.empty:
                st.markdown(f"**{L('up_changes')}**")
                st.dataframe(changes, hide_index=True, width="stretch")
            if kind == "problems":  # the numbers new problems will get (blank 问题编号 → the next system number)
                new = [ch for ch in res.changes if ch["action"] == "insert"]
                if new:
                    st.markdown(f"**{L('up_new_problems')}**")
                    st.dataframe(pd.DataFrame([{
                        L("up_col_row"): ch["row"], L("pb_col_id"): (ch["after"] or {}).get("number", ""),
                        L("pb_col_project"): (ch["after"] or {}).get("project_code", ""),
                        L("pb_col_desc"): str((ch["after"] or {}).get("description", ""))[:60]} for ch in new]),
                        hide_index=True, width="stretch", key="upload_new_problems")
            new_keys = [change_label(ch, lang) for ch in res.changes if ch["action"] == "insert"]
            if new_keys:
                with st.expander(f"{L('up_new_rows')}({len(new_keys)})"):
                    st.write(("、" if lang == "zh" else ", ").join(new_keys[:500]) + (" …" if len(new_keys) > 500 else ""))
            if res.inserted == 0 and res.updated == 0:
                st.info(L("up_nothing"))
            elif st.button(L("up_confirm"), type="primary", disabled=not ack, key="upload_confirm"):
                with session_scope(engine) as s:
                    final = run_import(s, kind, data, upl.name, actor, dry_run=False, acknowledge_warnings=True)
                if final.ok:
                    st.session_state["upload_done"] = {"sha": sha, "kind": kind, "batch_id": final.batch_id,
                                                       "inserted": final.inserted, "updated": final.updated,
                                                       "unchanged": final.unchanged}
                    st.session_state.pop("upload_preview", None)
                    st.session_state.pop("upload_undo_pick", None)  # point the undo picker at the newest batch
                    st.rerun()
                else:  # the store changed between preview and confirm
                    st.session_state.pop("upload_preview", None)
                    _show_errors(final, key="upload_final_errors_xlsx")

# ---- history and undo ----
st.divider()
st.markdown(f"#### {L('up_history')}")
with session_scope(engine) as s:
    hist = batches(s, actor)
if hist.empty:
    st.caption(L("up_no_history"))
else:
    view = pd.DataFrame({
        L("up_col_id"): hist["id"],
        L("up_col_at"): [f"{periods.fmt_date(a.date(), lang)} {a:%H:%M}" if a is not None else "" for a in hist["at"]],
        L("up_col_user"): hist["username"],
        L("up_col_kind"): [kind_label(k) if k in TITLES else k for k in hist["kind"]],
        L("up_col_file"): hist["filename"],
        L("up_col_region"): [regions.get(r, r or "") for r in hist["region_code"]],
        L("up_col_inserted"): hist["inserted"], L("up_col_updated"): hist["updated"],
        L("up_col_unchanged"): hist["unchanged"], L("up_col_warnings"): hist["warnings"],
        L("up_col_status"): [L("up_status_undone", by=b) if u is not None and not pd.isna(u) else L("up_status_ok")
                             for u, b in zip(hist["undone_at"], hist["undone_by"])],
    })
    st.dataframe(view, hide_index=True, width="stretch")
    undoable = [int(r.id) for r in hist.itertuples()
                if (r.undone_at is None or pd.isna(r.undone_at))
                and (r.username == actor.username or access.can(actor, "undo_any"))]
    if undoable:
        u1, u2 = st.columns([2, 1])
        pick = u1.selectbox(L("up_undo_pick"), undoable, key="upload_undo_pick",
                            format_func=lambda i: f"#{i} · {hist.loc[hist.id == i, 'filename'].iloc[0]}")
        with u2:
            st.write("")
            if st.button(L("up_undo"), key="upload_undo", width="stretch"):
                st.session_state["upload_undo_confirm"] = int(pick)
        # an undo deletes or restores a whole batch: it is asked once more, naming the batch
        confirm = st.session_state.get("upload_undo_confirm")
        if confirm is not None and confirm != int(pick):
            st.session_state.pop("upload_undo_confirm", None)
            confirm = None
        go_undo = False
        if confirm is not None:
            fname = hist.loc[hist.id == confirm, "filename"].iloc[0]
            st.warning(t("up_undo_confirm_q", lang, id=confirm, file=fname))
            k1, k2 = st.columns(2)
            go_undo = k1.button(t("up_undo_confirm", lang, id=confirm), key="upload_undo_yes", type="primary",
                                width="stretch")
            if k2.button(t("up_undo_cancel", lang), key="upload_undo_no", width="stretch"):
                st.session_state.pop("upload_undo_confirm", None)
                st.rerun()
        if go_undo:
            st.session_state.pop("upload_undo_confirm", None)
            try:
                with session_scope(engine) as s:
                    out = undo_batch(s, int(pick), actor)
            except CockpitError as exc:
                st.error(exc.text(lang))
            else:
                st.session_state["upload_flash"] = L("up_undone", id=out["batch_id"], deleted=out["deleted"],
                                                     restored=out["restored"])
                st.session_state.pop("upload_done", None)
                st.session_state.pop("upload_preview", None)
                st.session_state.pop("upload_undo_pick", None)
                st.rerun()

# ---- reporting grid (the office) ----
if access.can(actor, "undo_any"):
    st.divider()
    st.markdown(f"#### {L('up_grid')}")
    years = sorted({int(p[:4]) for p in month_list}, reverse=True)
    gy = int(c.period[:4]) if c.period else today.year
    year = st.selectbox(L("up_grid_year"), years, index=years.index(gy) if gy in years else 0, key="upload_grid_year")
    through = c.period if c.period and int(c.period[:4]) == year else None
    grid = _cache.shared(reporting_grid, year, through=through)  # once per data version, every session
    if grid.empty:
        st.caption(t("no_data", lang))
    else:
        grid = grid.assign(cell=[f"{r}/{a}" + (" ✗" if m else "") + (f" ⏰{lt}" if lt else "") + (f" ⚑{fl}" if fl else "")
                                 for r, a, m, lt, fl in zip(grid["reported"], grid["annual"], grid["missing"],
                                                            grid["late"], grid["flagged"])],
                           month=[L("up_month_label", m=int(p[5:])) if lang == "zh" else p for p in grid["period"]])
        order = list(dict.fromkeys(grid["month"]))
        wide = grid.pivot(index="region_name", columns="month", values="cell")[order]
        wide = wide.loc[list(dict.fromkeys(grid["region_name"]))]
        wide.index.name = L("up_col_region")
        st.dataframe(wide.style.map(lambda v: "background-color:#F8D7D7" if isinstance(v, str) and "✗" in v else ""),
                     width="stretch")
        _widgets.excel_download(wide.reset_index(), L("up_grid"), key="upload_grid_xlsx")
        st.caption(L("up_grid_note"))
        st.caption(L("up_grid_legend"))
