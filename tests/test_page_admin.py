"""AppTest: the admin page adds, edits and disables accounts through lib.access, audited; others refused."""
import datetime as dt

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from lib import access, store
from lib.access import Actor, throttle
from lib.errors import CockpitError
from lib.store.models import AuditLog, Region, User
from tests.conftest import ROOT

ADMIN = Actor("admin", "admin")


@pytest.fixture
def admin_store(app_store):
    with store.session_scope(app_store) as s:
        s.add(Region(code="532923", name="祥云县", kind="county", display_order=1))
        s.flush()
        access.create_user(s, access.CLI_ACTOR, "admin", "root-pass-4471", "admin")
    return app_store


def _run(actor):
    at = AppTest.from_file(str(ROOT / "pages" / "admin.py"), default_timeout=30)
    at.session_state["actor"] = actor
    return at.run()


def test_admin_adds_and_disables_a_user(admin_store):
    at = _run(ADMIN)
    assert not at.exception
    table = at.dataframe[0].value
    assert table.loc[table["用户名"] == "admin", "所属县区"].item() == "—"  # no county: a dash, never nan
    at.text_input(key="admin_new_user").set_value("staff-532923b")
    at.selectbox(key="admin_new_role").set_value("staff")
    at.selectbox(key="admin_new_region").set_value("532923")
    at.text_input(key="admin_new_pw").set_value("a-good-password")
    at.button(key="admin_add_submit").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    with store.session_scope(admin_store) as s:
        u = s.scalar(select(User).where(User.username == "staff-532923b"))
        assert u.role == "staff" and u.region_code == "532923" and u.password_hash != "a-good-password"
        assert access.verify_password(u.password_hash, "a-good-password")
        trail = " ".join((r.after or "") for r in s.scalars(select(AuditLog)))
        assert "a-good-password" not in trail and u.password_hash not in trail
    at.selectbox(key="admin_edit_user").set_value("staff-532923b").run()
    at.button(key="admin_toggle_active").click().run()
    with store.session_scope(admin_store) as s:
        assert s.scalar(select(User.active).where(User.username == "staff-532923b")) is False


def test_short_password_is_refused_with_a_message(admin_store):
    at = _run(ADMIN)
    at.text_input(key="admin_new_user").set_value("leader2")
    at.text_input(key="admin_new_pw").set_value("short")
    at.button(key="admin_add_submit").click().run()
    assert at.error and "密码" in at.error[0].value
    with store.session_scope(admin_store) as s:
        assert s.scalar(select(User).where(User.username == "leader2")) is None


def test_office_lifts_sign_in_delays_and_sees_nothing_else(admin_store):
    """Issue 12 item 2: the campaign office can unlock an account on the page (and only that)."""
    with store.session_scope(admin_store) as s:
        access.create_user(s, access.CLI_ACTOR, "leader2", "a-good-password", "leader")
    for _ in range(4):
        try:
            with store.session_scope(admin_store) as s:
                access.authenticate(s, "leader2", "wrong-password", address="10.0.0.3")
        except CockpitError:
            pass
    with store.session_scope(admin_store) as s:  # six more, as if made over the last minutes: 2 min delay
        for _ in range(6):
            throttle.record_failure(s, throttle.keys_for("leader2", "10.0.0.3"), dt.datetime.now())
    with store.session_scope(admin_store) as s:
        assert "leader2" in access.delayed_until(s, ["leader2"])
    at = _run(Actor("office1", "office"))
    assert not at.exception
    assert not at.text_input  # no add / reset forms for the office
    assert at.selectbox(key="admin_unlock_user").value == "leader2"  # delayed names first
    at.button(key="admin_unlock_submit").click().run()
    assert not at.exception and not at.error
    with store.session_scope(admin_store) as s:
        assert access.delayed_until(s, ["leader2"]) == {}
        assert access.authenticate(s, "leader2", "a-good-password", address="10.0.0.3").username == "leader2"
        row = s.scalar(select(AuditLog).where(AuditLog.username == "office1"))
        assert row.entity_key == "leader2" and "unlocked" in row.after


@pytest.mark.parametrize("role", ["leader", "staff"])
def test_non_admins_are_refused(admin_store, role):
    at = _run(Actor("x", role, "532923" if role == "staff" else None))
    assert not at.exception and len(at.dataframe) == 0
    assert "只有管理员" in at.warning[0].value
