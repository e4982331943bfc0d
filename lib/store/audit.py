"""The audit trail: every write records who, when, what, before and after."""
from __future__ import annotations

import datetime as dt
import functools
import json
from typing import Any

from sqlalchemy.orm import Session

from lib.store.models import AuditLog


def _json(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)


def now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def record(
    session: Session,
    username: str,
    action: str,
    entity: str,
    entity_key: str | None = None,
    before: Any = None,
    after: Any = None,
    batch_id: int | None = None,
) -> AuditLog:
    """Add one audit row in the caller's transaction (so it commits or rolls back with the write)."""
    row = AuditLog(
        at=now(),
        username=username,
        action=action,
        entity=entity,
        entity_key=entity_key,
        before=_json(before),
        after=_json(after),
        batch_id=batch_id,
    )
    session.add(row)
    return row


def query(
    session: Session,
    actor,
    username: str | None = None,
    entity: str | None = None,
    action: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    limit: int = 5000,
):
    """The audit trail as a DataFrame, newest first, filtered; office and admin only."""
    import pandas as pd
    from sqlalchemy import select

    from lib.access import require

    require(actor, "audit_read")
    stmt = select(AuditLog).order_by(AuditLog.id.desc())
    if username:
        stmt = stmt.where(AuditLog.username == username)
    if entity:
        stmt = stmt.where(AuditLog.entity == entity)
    if action:
        stmt = stmt.where(AuditLog.action == action)
    if date_from:
        stmt = stmt.where(AuditLog.at >= dt.datetime.combine(date_from, dt.time.min))
    if date_to:
        stmt = stmt.where(AuditLog.at < dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min))
    rows = session.scalars(stmt.limit(limit)).all()
    cols = ["id", "at", "username", "action", "entity", "entity_key", "before", "after", "batch_id"]
    return pd.DataFrame([{c: getattr(r, c) for c in cols} for r in rows], columns=cols)


def distinct_values(session: Session, column: str) -> list[str]:
    from sqlalchemy import select

    col = getattr(AuditLog, column)
    return [v for v in session.scalars(select(col).distinct().order_by(col)) if v]


# --- the trail as people read it (issue 14): 「字段: 值」 instead of the stored JSON ---------------------------

# fields whose values are words of an enumeration, per audited entity (a key means different things in
# different tables: a problem's 状态 is not a 前期手续's)
_ENUMS_BY_ENTITY = {
    "problems": {"status": "problem_status", "level": "problem_level", "category": "problem_category",
                 "action": "problem_action"},
    "users": {"role": "role", "result": "audit_result", "via": "audit_result", "password": "audit_result"},
    "projects": {"level": "level", "library": "library", "nature": "nature", "source": "project_source"},
    "regions": {"kind": "region_kind"},
    "approvals": {"kind": "approval_kind", "status": "approval_status"},
    "events": {"type": "event_type"},
}
_DATE = r"\d{4}-\d{2}-\d{2}"


def _sep(lang: str) -> str:
    """Between fields (a field's own list is joined with 、)."""
    return "; " if lang == "en" else ";"


@functools.lru_cache(maxsize=1)
def _columns() -> dict[str, tuple[str, str, str | None]]:
    """Upload column key → (its Chinese header without its unit in brackets, its type, its enumeration)."""
    import re

    from lib.intake.templates import COLUMNS

    out: dict[str, tuple[str, str, str | None]] = {}
    for cols in COLUMNS.values():
        for c in cols:
            out.setdefault(c.key, (re.sub(r"[\uff08(][^\uff08\uff09()]*[\uff09)]$", "", c.zh), c.type, c.enum))
    return out


def field_label(key: str, lang: str = "zh", entity: str | None = None) -> str:
    """The name a person knows an audited field by: the audit's own label, the upload column's header,
    a metric or a rule setting's name; else the key itself."""
    from lib.i18n import ENUMS, enum_label

    for kind in ("audit_field", "metric", "setting"):
        if key in ENUMS.get(kind, {}):
            return enum_label(kind, key, lang)
    col = _columns().get(key)
    if col is not None and lang != "en":
        return col[0]
    return str(key)


def _value(key: str | None, value, lang: str, entity: str | None) -> str:
    import datetime as _dt
    import re

    from lib import periods
    from lib.i18n import ENUMS, enum_label, fmt_money

    if value is None or value == "":
        return "—"
    col = _columns().get(key) if key else None
    enum = _ENUMS_BY_ENTITY.get(entity or "", {}).get(key or "") or (col[2] if col else None)
    if isinstance(value, bool):
        return enum_label("bool", "yes" if value else "no", lang)
    if isinstance(value, dict):
        return "(" + _sep(lang).join(f"{field_label(k, lang, entity)}: {_value(k, v, lang, entity)}"
                              for k, v in value.items()) + ")"
    if isinstance(value, list):
        return ("、" if lang != "en" else ", ").join(_value(key, v, lang, entity) for v in value)
    if isinstance(value, (int, float)):
        if col is not None and col[1] == "money":
            return fmt_money(float(value), lang, "wan", None if float(value).is_integer() else 2)
        if isinstance(value, float) and not value.is_integer():
            return f"{value:,.4f}".rstrip("0").rstrip(".")
        return f"{int(value):,}" if abs(value) >= 10000 and key not in ("year", "id") else str(int(value))
    text = " ".join(str(value).split())  # one line: newlines and tabs read as spaces
    if enum and text in ENUMS.get(enum, {}):
        return enum_label(enum, text, lang)
    if re.fullmatch(_DATE, text):
        return periods.fmt_date(_dt.date.fromisoformat(text), lang)
    m = re.fullmatch(rf"({_DATE})[T ](\d{{2}}:\d{{2}})(:\d{{2}}(\.\d+)?)?", text)
    if m:
        return f"{periods.fmt_date(_dt.date.fromisoformat(m.group(1)), lang)} {m.group(2)}"
    if (key == "period" or (col is not None and col[1] == "period")) and re.fullmatch(r"\d{4}-\d{2}", text):
        return periods.fmt_period(text, lang)
    return text


def describe(value, lang: str = "zh", entity: str | None = None, key: str | None = None) -> str:
    """An audit row's before or after as people read it: 「字段: 值;字段: 值」 with the field names of the
    upload templates (or the audit's own labels; the key when there is none), money in 万元, dates as people
    write them, yes/no and the enumerations' words. ``value`` is the stored JSON (or already decoded); a
    stored text that is no JSON is shown as it is. Plain text only: the page shows it in a table cell,
    never as HTML or Markdown. ``key``: the row's own key (a rule setting's), naming a value that is no
    mapping."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return " ".join(value.split())
    if value is None or value == "" or value == {} or (isinstance(value, float) and value != value):
        return ""  # nothing stored (a missing value reads NaN in a frame)
    if isinstance(value, dict):
        return _sep(lang).join(f"{field_label(k, lang, entity)}: {_value(k, v, lang, entity)}"
                               for k, v in value.items())
    if key:
        return f"{field_label(key, lang, entity)}: {_value(key, value, lang, entity)}"
    return _value(None, value, lang, entity)
