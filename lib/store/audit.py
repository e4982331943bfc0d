"""The audit trail: every write records who, when, what, before and after."""
from __future__ import annotations

import datetime as dt
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
