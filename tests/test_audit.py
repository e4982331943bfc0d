"""The audit trail: rows in the writer's transaction, filters, and who may read it."""
import datetime as dt

import pytest

from lib.access import Actor
from lib.errors import PermissionDenied
from lib.store import audit, session_scope

OFFICE = Actor("office", "office")


def test_record_and_query_filters(store):
    with session_scope(store) as s:
        audit.record(s, "staff-532923", "upload", "monthly", "batch:1", None, {"inserted": 3}, batch_id=1)
        audit.record(s, "office", "setting", "settings", "weights", {"growth": 20}, {"growth": 25})
        audit.record(s, "office", "problem", "problems", "7", {"status": "pending"}, {"status": "assigned"})
    with session_scope(store) as s:
        all_rows = audit.query(s, OFFICE)
        assert list(all_rows["action"]) == ["problem", "setting", "upload"]  # newest first
        assert list(audit.query(s, OFFICE, username="office")["entity"]) == ["problems", "settings"]
        assert list(audit.query(s, OFFICE, entity="monthly")["batch_id"]) == [1]
        row = audit.query(s, OFFICE, action="setting").iloc[0]
        assert '"growth": 20' in row["before"] and '"growth": 25' in row["after"]
        today = dt.date.today()
        assert len(audit.query(s, OFFICE, date_from=today, date_to=today)) == 3
        assert len(audit.query(s, OFFICE, date_to=today - dt.timedelta(days=1))) == 0
        assert audit.distinct_values(s, "username") == ["office", "staff-532923"]


def test_rolled_back_write_leaves_no_audit_row(store):
    with pytest.raises(RuntimeError):
        with session_scope(store) as s:
            audit.record(s, "office", "edit", "projects", "P1", None, {"x": 1})
            s.flush()
            raise RuntimeError("write failed")
    with session_scope(store) as s:
        assert audit.query(s, OFFICE).empty


@pytest.mark.parametrize("role", ["leader", "staff"])
def test_only_office_and_admin_read_the_trail(session, role):
    with pytest.raises(PermissionDenied):
        audit.query(session, Actor("u", role, "532901"))
