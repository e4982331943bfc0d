"""账号管理 — admin: add users, assign county, reset passwords, disable accounts, lift sign-in
delays; download a backup. The campaign office lifts sign-in delays and links accounts to their
包联领导 / 责任单位 (我的项目, lib.access.links); the table shows every account's links."""
from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st
from sqlalchemy import select

from lib import access
from lib.errors import CockpitError
from lib.i18n import enum_label, t
from lib.store import get_engine, session_scope
from lib.store.models import ROLES, Region
from pages import _widgets
from pages._frame import ctx, header

c = ctx()
header(t("admin_title", c.lang), c)
if c.actor is None or not (access.can(c.actor, "accounts") or access.can(c.actor, "unlock")):
    st.warning(t("admin_forbidden", c.lang))
    st.stop()
is_admin = access.can(c.actor, "accounts")

with session_scope(get_engine()) as s:
    users = access.list_users(s)
    delayed = access.delayed_until(s, [u["username"] for u in users])
    regions = {r.code: r.name for r in s.scalars(select(Region).order_by(Region.display_order, Region.code))}

def region_label(code) -> str:
    """County name and code; a dash for accounts without a county (NaN in the table)."""
    if code is None or (isinstance(code, float) and pd.isna(code)) or code == "":
        return "—"
    return f"{regions.get(code, code)}({code})"



role_label = lambda r: enum_label("role", r, c.lang)

table = pd.DataFrame(users)
if not table.empty:
    table = table.assign(
        role=table["role"].map(role_label),
        region_code=table["region_code"].map(region_label),
        leader_name=table["leader_name"].map(lambda v: v if isinstance(v, str) and v else "—"),
        unit_name=table["unit_name"].map(lambda v: v if isinstance(v, str) and v else "—"),
        active=table["active"].map(lambda v: t("yes", c.lang) if v else t("no", c.lang)),
        wait_until=table["username"].map(lambda n: f"{delayed[n]:%Y-%m-%d %H:%M:%S}" if n in delayed else "—"),
    )[["username", "display_name", "role", "region_code", "leader_name", "unit_name", "active", "failed_logins",
       "wait_until", "created_at"]]
    table.columns = [t(f"admin_col_{k}", c.lang) for k in table.columns]
if st.session_state.get("admin_flash"):
    st.success(st.session_state.pop("admin_flash"))
st.dataframe(table, hide_index=True, width="stretch")
_widgets.excel_download(table, t("page_admin", c.lang), key="admin_xlsx")


def _do(fn, ok_message: str) -> None:
    try:
        with session_scope(get_engine()) as s:
            fn(s)
    except CockpitError as exc:
        st.error(exc.text(c.lang))
        return
    st.session_state["admin_flash"] = ok_message
    st.rerun()  # redraw the table and lists with the change


def _unlock_form() -> None:
    st.caption(t("admin_unlock_help", c.lang))
    names = [u["username"] for u in users]
    delayed_first = sorted(names, key=lambda n: (n not in delayed, n))
    if not names:
        return
    who_unlock = st.selectbox(t("username", c.lang), delayed_first, key="admin_unlock_user")
    if st.button(t("admin_unlock", c.lang), key="admin_unlock_submit"):
        _do(lambda s: access.unlock(s, c.actor, who_unlock), t("admin_unlock_done", c.lang, name=who_unlock))


def _link_form() -> None:
    """我的项目: link an account to a 包联领导 / 责任单位 name chosen from the projects' names (office)."""
    st.caption(t("admin_link_help", c.lang))
    names = [u["username"] for u in users]
    with session_scope(get_engine()) as s:
        choices = access.link_choices(s)
    if not names:
        return
    if not choices["leader"] and not choices["unit"]:
        st.info(t("admin_link_no_names", c.lang))
        return
    leaders_first = sorted(names, key=lambda n: (next(u["role"] for u in users if u["username"] == n) != "leader", n))
    who_link = st.selectbox(t("username", c.lang), leaders_first, key="admin_link_user")
    current = next(u for u in users if u["username"] == who_link)
    none = t("admin_link_none", c.lang)
    with st.form("admin_link_form"):
        fields = []
        for kind, col in (("leader", "leader_name"), ("unit", "unit_name")):
            options = [""] + choices[kind]
            if current[col] and current[col] not in options:  # a name no project holds any more: still shown
                options.append(current[col])
            fields.append(st.selectbox(t(f"admin_col_{col}", c.lang), options, index=options.index(current[col] or ""),
                                       format_func=lambda v: v or none, key=f"admin_link_{kind}_{who_link}"))
        if st.form_submit_button(t("admin_link_save", c.lang), key="admin_link_submit"):
            _do(lambda s: access.set_links(s, c.actor, who_link, fields[0] or None, fields[1] or None),
                t("admin_link_done", c.lang, name=who_link))


if not is_admin:  # the campaign office: lifting sign-in delays and the 我的项目 links
    st.info(t("admin_office_only_unlock", c.lang))
    if access.can(c.actor, "link_accounts"):
        tab_link, tab_unlock_office = st.tabs([t("admin_link", c.lang), t("admin_unlock", c.lang)])
        with tab_link:
            _link_form()
        with tab_unlock_office:
            _unlock_form()
    else:
        _unlock_form()
    st.stop()

tab_add, tab_edit, tab_link, tab_unlock, tab_backup = st.tabs(
    [t("admin_add", c.lang), t("admin_edit", c.lang), t("admin_link", c.lang), t("admin_unlock", c.lang),
     t("admin_backup", c.lang)])
with tab_link:
    _link_form()
with tab_unlock:
    _unlock_form()
with tab_add:
    with st.form("admin_add_form", clear_on_submit=True):
        a1, a2 = st.columns(2)
        new_user = a1.text_input(t("username", c.lang), key="admin_new_user")
        new_name = a2.text_input(t("admin_col_display_name", c.lang), key="admin_new_name")
        new_role = a1.selectbox(t("admin_col_role", c.lang), ROLES, format_func=role_label, key="admin_new_role")
        new_region = a2.selectbox(t("admin_col_region_code", c.lang), [""] + list(regions),
                                  format_func=lambda v: region_label(v) if v else "—", key="admin_new_region")
        new_pw = a1.text_input(t("admin_new_password_10", c.lang), type="password", key="admin_new_pw")
        if st.form_submit_button(t("admin_add", c.lang), key="admin_add_submit"):
            _do(lambda s: access.create_user(s, c.actor, new_user, new_pw, new_role, region_code=new_region or None,
                                           display_name=new_name or None),
                t("admin_saved", c.lang))

with tab_edit:
    names = [u["username"] for u in users]
    if names:
        who = st.selectbox(t("username", c.lang), names, key="admin_edit_user")
        current = next(u for u in users if u["username"] == who)
        e1, e2 = st.columns(2)
        with e1.form("admin_pw_form", clear_on_submit=True):
            pw = st.text_input(t("admin_new_password_10", c.lang), type="password", key="admin_reset_pw")
            if st.form_submit_button(t("admin_reset", c.lang), key="admin_reset_submit"):
                _do(lambda s: access.set_password(s, c.actor, who, pw), t("admin_saved", c.lang))
        with e2.form("admin_role_form"):
            role = st.selectbox(t("admin_col_role", c.lang), ROLES, index=ROLES.index(current["role"]),
                                format_func=role_label, key="admin_role")
            keys = [""] + list(regions)
            region = st.selectbox(t("admin_col_region_code", c.lang), keys,
                                  index=keys.index(current["region_code"] or ""),
                                  format_func=lambda v: region_label(v) if v else "—", key="admin_region")
            if st.form_submit_button(t("admin_save_role", c.lang), key="admin_role_submit"):
                _do(lambda s: access.set_role(s, c.actor, who, role, region or None), t("admin_saved", c.lang))
        label = t("admin_disable", c.lang) if current["active"] else t("admin_enable", c.lang)
        if st.button(label, key="admin_toggle_active"):
            _do(lambda s: access.set_active(s, c.actor, who, not current["active"]), t("admin_saved", c.lang))

with tab_backup:
    st.caption(t("admin_backup_help", c.lang) + " " + t("admin_backup_audited", c.lang))
    if st.button(t("admin_backup_make", c.lang), key="admin_backup_make"):
        from lib.store.backup import backup_to_sqlite

        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "cockpit-backup.db"
            counts = backup_to_sqlite(get_engine(), out, actor=c.actor)
            st.session_state["admin_backup_bytes"] = out.read_bytes()
        st.success(t("admin_backup_done", c.lang).format(rows=sum(counts.values()), tables=len(counts)))
    if st.session_state.get("admin_backup_bytes"):
        st.download_button(t("admin_backup_download", c.lang), st.session_state["admin_backup_bytes"],
                           file_name="cockpit-backup.db", mime="application/x-sqlite3", key="admin_backup_dl")
