"""Accounts: hashing, users, sign-in, session tokens, trusted header, role/region rules.
(Throttling, revocation, the key file and the name/password rules: tests/test_access_security.py.)"""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from lib import access
from lib.access import CLI_ACTOR, Actor, can, require, tokens
from lib.errors import CockpitError, PermissionDenied
from lib.store import session_scope
from lib.store.models import AuditLog, Region, Setting, User

PW = "correct horse"
T0 = dt.datetime(2022, 6, 1, 9, 0, 0)


def _regions(s):
    s.add_all([Region(code="532901", name="大理市"), Region(code="532922", name="漾濞县")])
    s.flush()


@pytest.fixture
def users(session):
    _regions(session)
    access.create_user(session, CLI_ACTOR, "admin1", PW, "admin")
    access.create_user(session, CLI_ACTOR, "staff1", PW, "staff", region_code="532901", display_name="张三")
    access.create_user(session, CLI_ACTOR, "office1", PW, "office")
    return session


# --- hashing ---------------------------------------------------------------------------------

def test_hash_and_verify():
    h = access.hash_password("s3cret-pass")
    assert h != "s3cret-pass" and h.startswith("$argon2")
    assert access.verify_password(h, "s3cret-pass")
    assert not access.verify_password(h, "s3cret-pasS")
    assert not access.verify_password("not a hash", "s3cret-pass")
    assert access.hash_password("same") != access.hash_password("same")  # salted


# --- create_user ------------------------------------------------------------------------------

def test_create_user_rules(users):
    s = users
    admin = Actor("admin1", "admin")
    office = Actor("office1", "office")
    with pytest.raises(PermissionDenied):
        access.create_user(s, office, "x1", PW, "leader")
    with pytest.raises(CockpitError, match="至少需要10个字符"):
        access.create_user(s, admin, "x2", "short", "leader")
    with pytest.raises(CockpitError, match="必须指定所属县区"):
        access.create_user(s, admin, "x3", PW, "staff")
    with pytest.raises(CockpitError, match="县区代码不存在"):
        access.create_user(s, admin, "x4", PW, "staff", region_code="999999")
    with pytest.raises(CockpitError, match="角色"):
        access.create_user(s, admin, "x5", PW, "boss")
    with pytest.raises(CockpitError, match="已存在"):
        access.create_user(s, admin, "staff1", PW, "leader")
    u = access.create_user(s, admin, "lead1", PW, "leader", display_name="李四")
    assert u.password_hash != PW and access.verify_password(u.password_hash, PW)
    names = [r["username"] for r in access.list_users(s)]
    assert names == sorted(names) and {"admin1", "staff1", "office1", "lead1"} <= set(names)
    assert all("password_hash" not in r for r in access.list_users(s))


def test_audit_never_holds_password_or_hash(users):
    s = users
    access.set_password(s, Actor("admin1", "admin"), "staff1", "another-pass-1")
    with pytest.raises(CockpitError):
        access.authenticate(s, "staff1", "wrong-password-x", now=T0)
    hashes = [u.password_hash for u in s.scalars(select(User))]
    rows = s.scalars(select(AuditLog)).all()
    assert any(r.action == "account" and r.entity_key == "staff1" for r in rows)
    for r in rows:
        blob = f"{r.before}{r.after}"
        assert PW not in blob and "another-pass-1" not in blob and "wrong-password-x" not in blob
        assert "$argon2" not in blob and not any(h in blob for h in hashes)


# --- authenticate and lockout -----------------------------------------------------------------

def test_authenticate_ok_returns_actor(users):
    a = access.authenticate(users, "staff1", PW, now=T0)
    assert a == Actor("staff1", "staff", "532901", "张三")


def test_unknown_user_and_wrong_password_same_message(users):
    with pytest.raises(CockpitError, match="用户名或密码不正确") as e1:
        access.authenticate(users, "nobody", PW, now=T0)
    with pytest.raises(CockpitError, match="用户名或密码不正确"):
        access.authenticate(users, "staff1", "nope-nope", now=T0)
    assert "nobody" not in str(e1.value)


def test_failure_counter_survives_the_callers_rollback(sqlite_store):
    with session_scope(sqlite_store) as s:
        _regions(s)
        access.create_user(s, CLI_ACTOR, "staff1", PW, "staff", region_code="532901")
    for _ in range(2):
        with pytest.raises(CockpitError):
            with session_scope(sqlite_store) as s:
                access.authenticate(s, "staff1", "bad-password", now=T0)
    with session_scope(sqlite_store) as s:
        assert s.scalars(select(User)).one().failed_logins == 2


def test_success_resets_counter(users):
    s = users
    for _ in range(3):  # three free failures: no delay yet
        with pytest.raises(CockpitError, match="用户名或密码不正确"):
            access.authenticate(s, "staff1", "bad-password", now=T0)
    access.authenticate(s, "staff1", PW, now=T0)
    for _ in range(3):  # three more failures are free again: the count started afresh
        with pytest.raises(CockpitError, match="用户名或密码不正确"):
            access.authenticate(s, "staff1", "bad-password", now=T0)
    assert access.authenticate(s, "staff1", PW, now=T0).username == "staff1"


def test_disabled_user_refused_and_reenabled(users):
    s = users
    admin = Actor("admin1", "admin")
    access.set_active(s, admin, "staff1", False)
    with pytest.raises(CockpitError, match="已停用"):
        access.authenticate(s, "staff1", PW, now=T0)
    access.set_active(s, admin, "staff1", True)
    assert access.authenticate(s, "staff1", PW, now=T0).username == "staff1"
    with pytest.raises(CockpitError, match="最后一个管理员"):
        access.set_active(s, admin, "admin1", False)
    with pytest.raises(PermissionDenied):
        access.set_active(s, Actor("office1", "office"), "staff1", False)


def test_set_password_admin_and_self(users):
    s = users
    me = Actor("staff1", "staff", "532901")
    with pytest.raises(CockpitError, match="原密码不正确"):
        access.set_password(s, me, "staff1", "brand-new-pw", old_password="wrong-old-pw")
    access.set_password(s, me, "staff1", "brand-new-pw", old_password=PW)
    assert access.authenticate(s, "staff1", "brand-new-pw", now=T0).username == "staff1"
    with pytest.raises(PermissionDenied):
        access.set_password(s, me, "office1", "brand-new-pw")
    access.set_password(s, Actor("admin1", "admin"), "staff1", "reset-by-admin")
    assert access.authenticate(s, "staff1", "reset-by-admin", now=T0).username == "staff1"


def test_set_role_and_region(users):
    s = users
    admin = Actor("admin1", "admin")
    access.set_region(s, admin, "staff1", "532922")
    assert access.authenticate(s, "staff1", PW, now=T0).region_code == "532922"
    with pytest.raises(CockpitError, match="必须指定所属县区"):
        access.set_role(s, admin, "office1", "staff")
    access.set_role(s, admin, "staff1", "leader")
    a = access.authenticate(s, "staff1", PW, now=T0)
    assert (a.role, a.region_code) == ("leader", None)
    with pytest.raises(PermissionDenied):
        access.set_role(s, Actor("office1", "office"), "staff1", "admin")


# --- tokens -----------------------------------------------------------------------------------

def test_token_round_trip_tamper_expiry():
    tok = access.sign_token("staff1", 3, "k" * 32, now=T0)
    assert access.read_token(tok, "k" * 32, now=T0 + dt.timedelta(hours=1, minutes=59))[:2] == ("staff1", 3)
    assert access.read_token(tok, "k" * 32, now=T0 + dt.timedelta(hours=2, seconds=1)) is None  # expired
    assert access.read_token(tok, "other-secret", now=T0) is None  # wrong key
    payload, stamp, sig = tok.rsplit(".", 2)
    forged = tokens._serializer("guessed-key", T0).dumps({"u": "admin1", "v": 0})
    assert access.read_token(forged, "k" * 32, now=T0) is None
    flipped = sig[:-2] + ("A" if sig[-2] != "A" else "B") + sig[-1]
    assert access.read_token(f"{payload}.{stamp}.{flipped}", "k" * 32, now=T0) is None
    for junk in ("", None, "abc", "a.b.c", "é.é", "x" * 5000):
        assert access.read_token(junk, "k" * 32, now=T0) is None


def test_get_secret_from_key_file_or_env(store, monkeypatch, tmp_path):
    monkeypatch.delenv("COCKPIT_SECRET", raising=False)
    monkeypatch.setenv("COCKPIT_SECRET_FILE", str(tmp_path / "k" / "cockpit.key"))
    with session_scope(store) as s:
        first = access.get_secret(s)
    with session_scope(store) as s:
        assert access.get_secret(s) == first and len(first) >= 32
        assert s.get(Setting, access.SECRET_SETTING_KEY) is None  # never in the store
    assert (tmp_path / "k" / "cockpit.key").stat().st_mode & 0o777 == 0o600
    monkeypatch.setenv("COCKPIT_SECRET", "from-the-environment")
    with session_scope(store) as s:
        assert access.get_secret(s) == "from-the-environment"


def test_actor_from_token_follows_the_store(users, monkeypatch, tmp_path):
    s = users
    monkeypatch.setenv("COCKPIT_SECRET", "k" * 32)
    tok = access.issue_token(s, Actor("staff1", "staff", "532901"))
    assert access.actor_from_token(s, tok).region_code == "532901"
    access.set_active(s, Actor("admin1", "admin"), "staff1", False)
    assert access.actor_from_token(s, tok) is None


def test_trusted_header(users, monkeypatch):
    s = users
    monkeypatch.delenv("COCKPIT_TRUSTED_HEADER", raising=False)
    monkeypatch.setenv("COCKPIT_TRUSTED_PROXIES", "127.0.0.1")
    assert access.actor_from_trusted_header(s, {"X-Remote-User": "office1"}, "127.0.0.1") is None
    monkeypatch.setenv("COCKPIT_TRUSTED_HEADER", "X-Remote-User")
    assert access.actor_from_trusted_header(s, {"x-remote-user": "office1"}, "127.0.0.1").role == "office"
    assert access.actor_from_trusted_header(s, {"X-Remote-User": "ghost"}, "127.0.0.1") is None
    assert access.actor_from_trusted_header(s, {"Other": "office1"}, "127.0.0.1") is None
    access.set_active(s, Actor("admin1", "admin"), "office1", False)
    assert access.actor_from_trusted_header(s, {"X-Remote-User": "office1"}, "127.0.0.1") is None


# --- role and region permissions --------------------------------------------------------------

STAFF_A = Actor("s1", "staff", "532901")
LEADER = Actor("l1", "leader")
OFFICE = Actor("o1", "office")
ADMIN = Actor("a1", "admin")


@pytest.mark.parametrize("actor,perm,region,ok", [
    (STAFF_A, "upload", "532901", True),
    (STAFF_A, "upload", "532922", False),  # another county
    (STAFF_A, "problem_work", "532922", False),
    (STAFF_A, "problem_work", "532901", True),
    (STAFF_A, "problem_close", "532901", False),
    (STAFF_A, "supervise", "532901", False),
    (STAFF_A, "upload_regions", None, False),
    (LEADER, "read", None, True),
    (LEADER, "supervise", "532922", True),
    (LEADER, "upload", "532901", False),  # leaders may supervise but not upload
    (LEADER, "problem_close", None, False),
    (OFFICE, "problem_close", "532922", True),
    (OFFICE, "upload", "532922", True),
    (OFFICE, "accounts", None, False),
    (ADMIN, "accounts", None, True),
    (ADMIN, "backup", None, True),
])
def test_permissions(actor, perm, region, ok):
    assert can(actor, perm, region) is ok
    if ok:
        require(actor, perm, region)
    else:
        with pytest.raises(PermissionDenied) as e:
            require(actor, perm, region)
        assert "权限" in str(e.value) or "本县区" in str(e.value)
