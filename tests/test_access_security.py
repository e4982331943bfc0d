"""Issue 12 items 1–7 and 14: the sign-in doors. Each test failed before its fix.

1 parallel guesses all count (both stores) · 2 growing delays by name and address, the same
answer for known and unknown names, unlock / reset-password / disable · 3 revocable, renewed
itsdangerous tokens · 4 the trusted header only from trusted proxies, audited · 5 the signing key
out of the store and out of backups, rotated · 6 password and name rules · 7 audit rows for every
refusal, with the client address · 14 the error boundary.
"""
from __future__ import annotations

import datetime as dt
import io
import json
import threading
from contextlib import redirect_stdout

import pytest
from sqlalchemy import create_engine, select

from lib import access, cli
from lib.access import CLI_ACTOR, Actor, throttle
from lib.errors import CockpitError, PermissionDenied
from lib.store import session_scope
from lib.store.models import AuditLog, LoginThrottle, Region, Setting, User

PW = "correct horse battery"
T0 = dt.datetime(2022, 6, 1, 9, 0, 0)
ADMIN = Actor("admin1", "admin")
OFFICE = Actor("office1", "office")


def _seed(engine):
    with session_scope(engine) as s:
        s.add(Region(code="532901", name="大理市"))
        s.flush()
        access.create_user(s, CLI_ACTOR, "admin1", PW, "admin")
        access.create_user(s, CLI_ACTOR, "office1", PW, "office")
        access.create_user(s, CLI_ACTOR, "staff1", PW, "staff", region_code="532901")


def _fail(engine, name, password="wrong-password-x", now=T0, address="10.0.0.9"):
    with pytest.raises(CockpitError) as e:
        with session_scope(engine) as s:
            access.authenticate(s, name, password, now=now, address=address)
    return e.value


def _login(engine, name, password=PW, now=T0, address="10.0.0.9"):
    with session_scope(engine) as s:
        return access.authenticate(s, name, password, now=now, address=address)


# --- 1. parallel guesses -----------------------------------------------------------------------

def test_30_parallel_wrong_passwords_all_count(store):
    """Before: read-modify-write left failed_logins at 2–3 after 30 parallel guesses."""
    _seed(store)
    start = threading.Barrier(30)
    errors = []

    def guess():
        start.wait()
        try:
            _fail(store, "staff1")
        except BaseException as exc:
            errors.append(repr(exc))

    threads = [threading.Thread(target=guess) for _ in range(30)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    with session_scope(store) as s:
        assert s.scalar(select(User.failed_logins).where(User.username == "staff1")) == 30
        keys = throttle.keys_for("staff1", "10.0.0.9")
        assert s.get(LoginThrottle, keys["ua"]).failures == 30
        assert s.get(LoginThrottle, keys["u"]).failures == 30
    # and the name is now delayed from that address
    assert "秒后再试" in str(_fail(store, "staff1", PW, now=T0 + dt.timedelta(seconds=1)))


# --- 2. growing delays, same answer, unlock ---------------------------------------------------------

def test_delays_grow_same_answer_for_unknown_names_and_no_outsider_lock(sqlite_store):
    """Before: 5 wrong passwords locked the real admin out for 15 min, and a known name was told
    「再错4次账号将锁定」 while an unknown one was not."""
    eng = sqlite_store
    _seed(eng)
    known = [str(_fail(eng, "admin1", now=T0 + dt.timedelta(seconds=i))) for i in range(3)]
    unknown = [str(_fail(eng, "nobody1", now=T0 + dt.timedelta(seconds=i))) for i in range(3)]
    assert known == unknown == ["用户名或密码不正确"] * 3
    # the fourth failure asks the name at this address to wait, known or unknown alike
    w1 = str(_fail(eng, "admin1", now=T0 + dt.timedelta(seconds=10)))
    w2 = str(_fail(eng, "nobody1", now=T0 + dt.timedelta(seconds=10)))
    assert w1 == "用户名或密码不正确" and w2 == "用户名或密码不正确"
    wait_known = str(_fail(eng, "admin1", PW, now=T0 + dt.timedelta(seconds=11)))
    wait_unknown = str(_fail(eng, "nobody1", PW, now=T0 + dt.timedelta(seconds=11)))
    assert wait_known == wait_unknown == "登录尝试过于频繁,请 1 秒后再试(或请项目办解锁)"
    # delays grow: 2, 4, 8 … seconds after each further failure
    t = T0 + dt.timedelta(seconds=20)
    waits = []
    for _ in range(4):
        _fail(eng, "admin1", now=t)
        with session_scope(eng) as s:
            w = throttle.wait_seconds(s, throttle.keys_for("admin1", "10.0.0.9"), t)
        waits.append(w)
        t += dt.timedelta(seconds=w)
    assert waits == [4, 8, 16, 32]
    # the real admin at another address is not locked out by the guesser
    assert _login(eng, "admin1", address="10.0.0.1", now=t).role == "admin"
    assert throttle.delay_seconds("ua", 10_000) == 15 * 60  # never longer than the cap


def test_unlock_by_office_and_cli_reset_password_and_disable(sqlite_store, monkeypatch, capsys):
    eng = sqlite_store
    _seed(eng)
    for i in range(6):
        _fail(eng, "staff1", now=T0)
    assert "秒后再试" in str(_fail(eng, "staff1", PW, now=T0))
    with session_scope(eng) as s:
        with pytest.raises(PermissionDenied):
            access.unlock(s, Actor("leader1", "leader"), "staff1")
        assert "staff1" in access.delayed_until(s, ["staff1", "office1"], now=T0)
        access.unlock(s, OFFICE, "staff1")
    assert _login(eng, "staff1", now=T0).username == "staff1"
    # the command line: unlock, reset-password, disable, enable
    monkeypatch.setattr(cli, "_engine", lambda require=True: eng)
    for _ in range(12):  # the name and the address are both delayed now
        _fail(eng, "staff1", now=T0)
    assert "秒后再试" in str(_fail(eng, "staff1", PW, now=T0))
    assert cli.main(["user", "unlock", "STAFF1"]) == 0
    assert _login(eng, "staff1", now=T0).username == "staff1"
    monkeypatch.setattr("sys.stdin", io.StringIO("a-new-long-secret\n"))
    assert cli.main(["user", "reset-password", "staff1"]) == 0
    assert _login(eng, "staff1", "a-new-long-secret").username == "staff1"
    assert cli.main(["user", "disable", "staff1"]) == 0
    assert "已停用" in str(_fail(eng, "staff1", "a-new-long-secret"))
    assert cli.main(["user", "enable", "staff1"]) == 0
    out = capsys.readouterr().out
    assert "已解除 staff1 的登录限制" in out and "已停用账号:staff1" in out


# --- 3. tokens ----------------------------------------------------------------------------------------

def test_tokens_revoked_by_logout_password_role_and_disabling(sqlite_store, monkeypatch):
    """Before: an old ?s= token kept signing in for 12 h after logout or a password reset."""
    monkeypatch.setenv("COCKPIT_SECRET", "k" * 40)
    eng = sqlite_store
    _seed(eng)

    def fresh():
        with session_scope(eng) as s:
            return access.issue_token(s, Actor("staff1", "staff", "532901"))

    def valid(tok):
        with session_scope(eng) as s:
            return access.actor_from_token(s, tok) is not None

    changes = [
        lambda s: access.logout(s, "staff1"),
        lambda s: access.set_password(s, ADMIN, "staff1", "another-long-pass"),
        lambda s: access.set_role(s, ADMIN, "staff1", "leader"),
        lambda s: access.set_active(s, ADMIN, "staff1", False),
    ]
    for change in changes:
        with session_scope(eng) as s:
            access.set_active(s, ADMIN, "staff1", True)
        tok = fresh()
        assert valid(tok)
        with session_scope(eng) as s:
            change(s)
        assert not valid(tok), change
    # a token of the right version but forged with a guessed key is refused
    with session_scope(eng) as s:
        access.set_active(s, ADMIN, "staff1", True)
        version = s.scalar(select(User.token_version).where(User.username == "staff1"))
    assert not valid(access.sign_token("staff1", version, "guessed-key"))
    assert valid(access.sign_token("staff1", version, "k" * 40))


def test_token_lifetime_is_short_and_renewed_on_use(sqlite_store, monkeypatch):
    monkeypatch.setenv("COCKPIT_SECRET", "k" * 40)
    eng = sqlite_store
    _seed(eng)
    with session_scope(eng) as s:
        tok = access.issue_token(s, Actor("staff1", "staff", "532901"), now=T0)
        actor, same = access.resume(s, tok, now=T0 + dt.timedelta(minutes=5))
        assert same == tok  # young: kept
        actor, renewed = access.resume(s, tok, now=T0 + dt.timedelta(minutes=90))
        assert renewed != tok and actor.username == "staff1"
        # the renewed token outlives the first one
        assert access.resume(s, tok, now=T0 + dt.timedelta(hours=2, minutes=1)) is None
        assert access.resume(s, renewed, now=T0 + dt.timedelta(hours=2, minutes=1))[0].username == "staff1"
    assert access.tokens.TOKEN_TTL_SECONDS <= 2 * 3600


# --- 4. the trusted header ----------------------------------------------------------------------------

def test_trusted_header_only_from_trusted_proxies_and_audited(sqlite_store, monkeypatch):
    """Before: any browser sending X-Remote-User: admin1 to the app port was admin, unaudited."""
    eng = sqlite_store
    _seed(eng)
    monkeypatch.setenv("COCKPIT_TRUSTED_HEADER", "X-Remote-User")
    monkeypatch.delenv("COCKPIT_TRUSTED_PROXIES", raising=False)
    hdr = {"X-Remote-User": "admin1"}
    with session_scope(eng) as s:
        assert access.actor_from_trusted_header(s, hdr, "127.0.0.1") is None  # default: nobody trusted
    monkeypatch.setenv("COCKPIT_TRUSTED_PROXIES", "10.1.0.0/24, 127.0.0.1, not-an-address")
    with session_scope(eng) as s:
        assert access.actor_from_trusted_header(s, hdr, "10.9.9.9") is None
        assert access.actor_from_trusted_header(s, hdr, None) is None
        assert access.actor_from_trusted_header(s, hdr, "::ffff:10.1.0.7").role == "admin"
        assert access.actor_from_trusted_header(s, hdr, "127.0.0.1").role == "admin"
    with session_scope(eng) as s:
        rows = [json.loads(r.after) for r in s.scalars(select(AuditLog).where(AuditLog.action == "login"))]
    assert [(r.get("via"), r.get("address")) for r in rows] == [("trusted_header", "::ffff:10.1.0.7"),
                                                               ("trusted_header", "127.0.0.1")]


# --- 5. the signing key ------------------------------------------------------------------------------

def test_signing_key_out_of_store_and_backup_and_rotated(sqlite_store, tmp_path, monkeypatch):
    """Before: the key was the session_secret setting, copied into every backup."""
    from lib.store.backup import backup_to_sqlite

    monkeypatch.delenv("COCKPIT_SECRET", raising=False)
    monkeypatch.delenv("COCKPIT_SECRET_FILE", raising=False)
    eng = sqlite_store
    _seed(eng)
    with session_scope(eng) as s:  # a setting left by an older version
        s.add(Setting(key="session_secret", value=json.dumps("old-key-in-the-store")))
    with session_scope(eng) as s:
        key = access.get_secret(s)
        path = access.secret_path(s)
        tok = access.issue_token(s, Actor("admin1", "admin"))
    assert key != "old-key-in-the-store"
    assert path == tmp_path / "cockpit.db.key" and path.read_text().strip() == key
    assert path.stat().st_mode & 0o777 == 0o600
    with session_scope(eng) as s:
        assert s.get(Setting, "session_secret") is None  # removed at first use
    out = tmp_path / "backup.db"
    backup_to_sqlite(eng, out)
    blob = out.read_bytes()
    assert key.encode() not in blob and b"session_secret" not in blob
    copy = create_engine(f"sqlite:///{out}")
    with copy.connect() as conn:
        assert conn.execute(select(Setting.key)).all() == []
    copy.dispose()
    # rotate: the old token stops working
    assert cli.main.__module__ == "lib.cli"
    monkeypatch.setattr(cli, "_engine", lambda require=True: eng)
    with redirect_stdout(io.StringIO()) as printed:
        assert cli.main(["secret", "rotate"]) == 0
    assert str(path) in printed.getvalue()
    assert path.read_text().strip() != key and path.stat().st_mode & 0o777 == 0o600
    with session_scope(eng) as s:
        assert access.actor_from_token(s, tok) is None
    monkeypatch.setenv("COCKPIT_SECRET", "x" * 40)
    assert cli.main(["secret", "rotate"]) == 1  # the key is the variable's: refused


def test_migration_removes_a_stored_session_secret(tmp_path):
    from alembic import command

    from lib import store

    eng = store.make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    command.upgrade(store._alembic_config(eng), "0002")
    with session_scope(eng) as s:
        s.add(Setting(key="session_secret", value=json.dumps("k" * 64)))
    store.upgrade(eng)
    with session_scope(eng) as s:
        assert s.get(Setting, "session_secret") is None
    eng.dispose()


# --- 6. passwords and names ----------------------------------------------------------------------------

@pytest.mark.parametrize("password,key", [
    (" " * 12, "acc_pw_simple"), ("aaaaaaaaaaaa", "acc_pw_simple"), ("12345678", "acc_pw_short"),
    ("password", "acc_pw_short"), ("short-9ch", "acc_pw_short"), ("1234567890", "acc_pw_common"),
    ("Password123", "acc_pw_common"), ("QWERTYUIOP", "acc_pw_common"), ("newuser-2024!", "acc_pw_username"),
])
def test_weak_passwords_refused(session, password, key):
    with pytest.raises(CockpitError) as e:
        access.create_user(session, CLI_ACTOR, "newuser", password, "leader")
    assert e.value.key == key


@pytest.mark.parametrize("name,key", [
    ("\u0430dmin", "acc_name_chars"),  # Cyrillic а
    ("<img src=x>", "acc_name_chars"), ("a b", "acc_name_chars"), ("", "acc_name_empty"),
    ("x" * 65, "acc_name_long"), ("ADMIN1", "acc_name_taken"), ("Ａｄｍｉｎ1", "acc_name_taken"),
])
def test_look_alike_and_hostile_names_refused(session, name, key):
    access.create_user(session, CLI_ACTOR, "admin1", PW, "admin")
    with pytest.raises(CockpitError) as e:
        access.create_user(session, CLI_ACTOR, name, PW, "leader")
    assert e.value.key == key


def test_names_normalised_and_cjk_allowed(session):
    u = access.create_user(session, CLI_ACTOR, " Li.Si_2-x ", PW, "leader")
    assert u.username == "li.si_2-x"
    assert access.create_user(session, CLI_ACTOR, "张三", PW, "leader").username == "张三"
    assert access.authenticate(session, "LI.SI_2-X", PW, now=T0).username == "li.si_2-x"


def test_cli_user_add_refuses_the_demo_password(sqlite_store, monkeypatch, capsys):
    monkeypatch.setattr(cli, "_engine", lambda require=True: sqlite_store)
    monkeypatch.setattr("sys.stdin", io.StringIO("demo12345\n"))
    assert cli.main(["user", "add", "leader9", "--role", "leader"]) == 1
    assert "至少需要10个字符" in capsys.readouterr().err


# --- 7. audit -----------------------------------------------------------------------------------------

def test_every_refusal_is_audited_with_the_address(sqlite_store):
    """Before: nothing was audited for an unknown name, a locked or disabled account, and failed
    sign-ins had no address."""
    eng = sqlite_store
    _seed(eng)
    with session_scope(eng) as s:
        access.set_active(s, ADMIN, "office1", False)
    _fail(eng, "ghost", address="10.0.0.5")
    _fail(eng, "staff1", address="10.0.0.6")
    _fail(eng, "office1", PW, address="10.0.0.7")
    for _ in range(4):
        _fail(eng, "admin1", address="10.0.0.8")
    _fail(eng, "admin1", PW, address="10.0.0.8")  # while delayed
    _login(eng, "staff1", address="10.0.0.6")
    with session_scope(eng) as s:
        rows = [(r.username, json.loads(r.after)) for r in
                s.scalars(select(AuditLog).where(AuditLog.action == "login").order_by(AuditLog.id))]
    got = [(u, a["result"], a["address"]) for u, a in rows]
    assert got == [("ghost", "unknown_user", "10.0.0.5"), ("staff1", "failed", "10.0.0.6"),
                   ("office1", "disabled", "10.0.0.7")] + [("admin1", "failed", "10.0.0.8")] * 4 + [
                   ("admin1", "throttled", "10.0.0.8"), ("staff1", "ok", "10.0.0.6")]


def test_backups_are_audited(sqlite_store, tmp_path):
    from lib.store.backup import backup_to_sqlite

    _seed(sqlite_store)
    with pytest.raises(PermissionDenied):
        backup_to_sqlite(sqlite_store, tmp_path / "b0.db", actor=OFFICE)
    backup_to_sqlite(sqlite_store, tmp_path / "b1.db", actor=ADMIN)
    with session_scope(sqlite_store) as s:
        row = s.scalar(select(AuditLog).where(AuditLog.action == "backup"))
    assert (row.username, row.entity, row.entity_key) == ("admin1", "store", "b1.db")
    assert json.loads(row.after)["tables"] > 5


# --- 3. at the app: the old URL after logout ------------------------------------------------------------

def test_old_url_token_no_longer_signs_in_after_logout(app_store, monkeypatch):
    """Before: after logout the old ?s= URL still signed in, in any browser, for 12 h."""
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT

    monkeypatch.setenv("COCKPIT_SECRET", "k" * 40)
    with session_scope(app_store) as s:
        access.create_user(s, CLI_ACTOR, "leader1", PW, "leader")
    app = str(ROOT / "app.py")
    at = AppTest.from_file(app, default_timeout=60).run()
    at.text_input(key="login_user").input("Leader1")
    at.text_input(key="login_password").input(PW)
    at.button(key="login_submit").click().run()
    assert at.session_state["actor"].username == "leader1"
    token = at.query_params["s"]
    token = token[0] if isinstance(token, list) else token
    reload = AppTest.from_file(app, default_timeout=60)
    reload.query_params["s"] = token
    reload.run()
    assert reload.session_state["actor"].username == "leader1"  # a reload keeps the sign-in
    at.button(key="logout_button").click().run()
    assert at.text_input(key="login_user")
    stale = AppTest.from_file(app, default_timeout=60)
    stale.query_params["s"] = token
    stale.run()
    assert "actor" not in stale.session_state and stale.text_input(key="login_user")
    reload.run()  # the other session of the same account ends at its next run
    assert "actor" not in reload.session_state and reload.text_input(key="login_user")
