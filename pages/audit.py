"""操作日志 — the audit trail for the campaign office and admin: filter by user, kind and date; export."""
from __future__ import annotations

import datetime as dt

import streamlit as st

from lib.access import can
from lib.i18n import enum_label, t
from lib.outputs.excel import csv_bytes
from lib.store import audit, get_engine, session_scope
from pages import _widgets
from pages._frame import ctx, header

c = ctx()
header(t("audit_title", c.lang), c)
if c.actor is None or not can(c.actor, "audit_read"):
    st.warning(t("audit_forbidden", c.lang))
    st.stop()

with session_scope(get_engine()) as s:
    users = audit.distinct_values(s, "username")
    entities = audit.distinct_values(s, "entity")
    actions = audit.distinct_values(s, "action")

cols = st.columns([1, 1, 1, 1, 1])
act_label = lambda v: enum_label("audit_action", v, c.lang) if v else t("all", c.lang)
ent_label = lambda v: enum_label("audit_entity", v, c.lang) if v else t("all", c.lang)
user = cols[0].selectbox(t("audit_user", c.lang), [""] + users, key="audit_user",
                         format_func=lambda v: v or t("all", c.lang))
entity = cols[1].selectbox(t("audit_entity", c.lang), [""] + entities, key="audit_entity", format_func=ent_label)
action = cols[2].selectbox(t("audit_action", c.lang), [""] + actions, key="audit_action", format_func=act_label)
today = dt.date.today()
date_from = cols[3].date_input(t("date_from", c.lang), value=today - dt.timedelta(days=365), key="audit_from")
date_to = cols[4].date_input(t("date_to", c.lang), value=today, key="audit_to")

with session_scope(get_engine()) as s:
    df = audit.query(s, c.actor, username=user or None, entity=entity or None, action=action or None,
                     date_from=date_from, date_to=date_to)

st.caption(t("audit_count", c.lang).format(n=len(df)))
labels = {k: t(f"audit_col_{k}", c.lang) for k in df.columns}


def readable(column: str) -> list[str]:
    """修改前 / 修改后 as 「字段: 值」 (lib.store.audit.describe), never the stored JSON; plain text in the
    table's cells (never HTML or Markdown)."""
    return [audit.describe(v, c.lang, e, k if e == "settings" else None)
            for v, e, k in zip(df[column], df["entity"], df["entity_key"])]


shown = df.assign(action=df["action"].map(act_label), entity=df["entity"].map(ent_label),
                  before=readable("before"), after=readable("after"))
text_cols = {labels[k]: st.column_config.TextColumn(width="medium") for k in ("before", "after")}
st.dataframe(shown.rename(columns=labels), hide_index=True, width="stretch", column_config=text_cols,
             height="auto" if len(shown) <= 15 else 560)
_widgets.excel_download(shown.rename(columns=labels), t("page_audit", c.lang), key="audit_xlsx")
st.download_button(
    t("export_csv", c.lang),
    csv_bytes(df),
    file_name=f"audit_{today.isoformat()}.csv",
    mime="text/csv",
    key="audit_export",
)
