"""汇报材料 — the month's outputs in one click: the slide pack (.pptx with native charts, and its PDF
when LibreOffice is installed) and the written 月度通报 (.docx). The office keeps the slide template.

Everything is built by lib/outputs (briefing, report, monthly); this page only calls it.
"""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

import streamlit as st

from lib import access, periods
from lib.errors import CockpitError
from lib.i18n import t
from lib.outputs.templates import MAX_BYTES as TEMPLATE_MAX_BYTES
from lib.store import get_engine, session_scope
from pages import _frame, _widgets

c = _frame.ctx()
lang = c.lang
_frame.header(t("page_outputs", lang), c)

if _frame.need_period(c):
    period = c.period
    st.caption(t("ox_intro", lang))
    stem = f"{t('br_title', lang).split(' · ')[-1]}_{periods.fmt_period(period, lang)}".replace(" ", "_")
    built = st.session_state.get("ox_built") or {}
    if built.get("period") != period or built.get("lang") != lang:
        built = {}

    left, right = st.columns(2)
    with left:
        if st.button(t("ox_make_pack", lang), key="ox_make_pack", type="primary", width="stretch"):
            from lib.outputs.briefing import briefing_pptx, pack_pdf, soffice

            t0 = time.perf_counter()
            with st.spinner(t("ox_make_pack", lang)):
                with tempfile.TemporaryDirectory(prefix="cockpit-pack-") as tmp:
                    out = Path(tmp) / "pack.pptx"
                    with session_scope(get_engine()) as session:
                        briefing_pptx(session, period, out, lang=lang)
                    built.update(period=period, lang=lang, pptx=out.read_bytes(), pdf=None, pdf_error=None)
                    if soffice():
                        try:
                            built["pdf"] = pack_pdf(out).read_bytes()
                        except CockpitError as exc:
                            built["pdf_error"] = exc.text(lang)
                    else:
                        built["pdf_error"] = t("pk_no_soffice", lang)
            built["pack_s"] = time.perf_counter() - t0
            st.session_state["ox_built"] = built
        if built.get("pptx"):
            st.caption(t("ox_built", lang, s=built.get("pack_s", 0.0)))
            st.download_button(t("ox_dl_pptx", lang), built["pptx"], file_name=f"{stem}.pptx", key="ox_dl_pptx",
                               mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
                               width="stretch")
            if built.get("pdf"):
                st.download_button(t("ox_dl_pdf", lang), built["pdf"], file_name=f"{stem}.pdf", key="ox_dl_pdf",
                                   mime="application/pdf", width="stretch")
            elif built.get("pdf_error"):
                st.caption(built["pdf_error"])
    with right:
        red_head = st.checkbox(t("ox_red_head", lang), value=True, key="ox_red_head")
        if st.button(t("ox_make_report", lang), key="ox_make_report", type="primary", width="stretch"):
            from lib.outputs.monthly import month_facts
            from lib.outputs.report import build_report

            t0 = time.perf_counter()
            with session_scope(get_engine()) as session:
                docx = build_report(month_facts(session, period), lang, red_head=red_head)
            built.update(period=period, lang=lang, docx=docx, report_s=time.perf_counter() - t0)
            st.session_state["ox_built"] = built
        if built.get("docx"):
            st.caption(t("ox_built", lang, s=built.get("report_s", 0.0)))
            y, m = periods.split(period)
            st.download_button(t("ox_dl_docx", lang), built["docx"],
                               file_name=f"{t('rpt_title', lang, year=y, month=m, period=period)}.docx",
                               mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                               key="ox_dl_docx", width="stretch")

    # --- the office's slide template ---------------------------------------------------------------------
    st.divider()
    st.markdown(f"#### {t('ox_template', lang)}")
    from lib.outputs.templates import get_template, remove_template, save_template

    with session_scope(get_engine()) as session:
        row = get_template(session)
        current = None if row is None else (row.filename, row.uploaded_by, row.uploaded_at)
    if current is None:
        st.caption(t("pk_template_none", lang))
    else:
        st.caption(t("pk_template_active", lang, name=current[0], by=current[1],
                     at=f"{current[2]:%Y-%m-%d %H:%M}"))
    if st.session_state.get("ox_flash"):
        st.success(st.session_state.pop("ox_flash"))
    if access.can(c.actor, "briefing_template"):
        template_mb = TEMPLATE_MAX_BYTES // (1024 * 1024)
        st.html(_widgets.dropzone_css(lang, "ck_template_drop", template_mb, ("pptx",)))  # words in the user's language
        with st.container(key="ck_template_drop"):
            up = st.file_uploader(t("ox_template_file", lang), type=["pptx"], key="ox_template_file",
                                  max_upload_size=template_mb)
        b1, b2 = st.columns(2)
        if up is not None and b1.button(t("ox_template_save", lang), key="ox_template_save", width="stretch"):
            try:
                with session_scope(get_engine()) as session:
                    save_template(session, c.actor, up.name, up.getvalue())
                st.session_state["ox_flash"] = t("ox_template_saved", lang)
                st.rerun()
            except CockpitError as exc:
                st.error(exc.text(lang))
        if current is not None and b2.button(t("ox_template_remove", lang), key="ox_template_remove",
                                             width="stretch"):
            try:
                with session_scope(get_engine()) as session:
                    remove_template(session, c.actor)
                st.session_state["ox_flash"] = t("ox_template_removed", lang)
                st.rerun()
            except CockpitError as exc:
                st.error(exc.text(lang))
    else:
        st.caption(t("pk_template_forbidden", lang))
