"""AppTest: the audit page lists the trail for the office and refuses county staff."""
import pytest
from streamlit.testing.v1 import AppTest

from lib import store
from lib.access import Actor
from lib.store import audit
from tests.conftest import ROOT


@pytest.fixture
def audit_store(app_store):
    eng = app_store
    with store.session_scope(eng) as s:
        audit.record(s, "staff-532923", "upload", "monthly", "batch:1", None, {"inserted": 3}, batch_id=1)
        audit.record(s, "office", "setting", "settings", "weights", {"growth": 20}, {"growth": 25})
    return eng


def _run(actor):
    at = AppTest.from_file(str(ROOT / "pages" / "audit.py"), default_timeout=30)
    at.session_state["actor"] = actor
    at.session_state["period"] = "2022-10"
    return at.run()


def test_office_sees_and_filters_the_trail(audit_store):
    at = _run(Actor("office", "office"))
    assert not at.exception
    df = at.dataframe[0].value
    assert len(df) == 2
    assert "共 2 条记录" in " ".join(c.value for c in at.caption)
    at.selectbox(key="audit_user").set_value("office").run()
    df = at.dataframe[0].value
    assert len(df) == 1 and df.iloc[0]["操作"] == "修改设置" and df.iloc[0]["对象"] == "规则设置"


def test_staff_cannot_read_the_trail(audit_store):
    at = _run(Actor("staff-532923", "staff", "532923"))
    assert not at.exception
    assert len(at.dataframe) == 0
    assert "只有项目办和管理员" in at.warning[0].value
