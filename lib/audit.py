"""The audit trail: every write records who, when, what, before and after."""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy.orm import Session

from lib.models import AuditLog


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
