"""Accounts: password hashing, users, sign-in with lockout. Passwords and hashes are never
logged or audited."""
from __future__ import annotations

import datetime as _dt
import re
import secrets
import threading
import unicodedata
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from lib.access.roles import (
    CLI_ACTOR,
    REGION_SCOPED_ROLES,
    Actor,
    can,
    require,
)
from lib.errors import CockpitError
from lib.i18n import Label, List, Msg

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256
MAX_USERNAME_LENGTH = 64
SECRET_SETTING_KEY = "session_secret"  # where the signing key lived before it left the store
# letters a-z (after NFKC and lower-casing), digits, - _ . and CJK ideographs; nothing else, so
# Cyrillic or Greek look-alikes (``аdmin``) and markup (``<img src=x>``) are refused
_NAME_RE = re.compile(r"^[a-z0-9_.\-\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+$")


def _common_passwords() -> frozenset[str]:
    path = Path(__file__).with_name("common_passwords.txt")
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(x.strip().lower() for x in lines if x.strip() and not x.startswith("#"))


COMMON_PASSWORDS = _common_passwords()

_hasher = PasswordHasher()
# A real hash of a random password, verified against when the user does not exist, so that an
# unknown username costs the same time as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


# Each argon2 hash or check takes 64 MiB for a moment and runs outside Python's lock: thirty people
# signing in at once would take ~2 GB of server memory (measured: peak RSS 4.1 GB at 30 sessions).
# Two at a time keeps memory flat and costs no throughput on a 2-core server.
_HASH_SLOTS = threading.BoundedSemaphore(2)


def hash_password(password: str) -> str:
    """An argon2id hash (salted, self-describing) of ``password``."""
    with _HASH_SLOTS:
        return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when ``password`` matches ``password_hash``; False for a mismatch or a malformed hash."""
    if not password_hash or password is None:
        return False
    try:
        with _HASH_SLOTS:
            return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def actor_for(user) -> Actor:
    """The Actor of a ``lib.store.models.User`` row."""
    return Actor(username=user.username, role=user.role, region_code=user.region_code,
                 display_name=user.display_name)


def _now() -> _dt.datetime:
    return _dt.datetime.now().replace(microsecond=0)


def normalise_username(name: str | None) -> str:
    """The canonical form of a username: NFKC (full-width letters become ASCII), trimmed, lower case.
    Sign-in and uniqueness both use it, so ``ADMIN`` and ``Ａｄｍｉｎ`` are ``admin``."""
    return unicodedata.normalize("NFKC", name or "").strip().lower()


def check_username(name: str | None) -> str:
    """The normalised name, or CockpitError when it is empty, too long or holds other characters."""
    norm = normalise_username(name)
    if not norm:
        raise CockpitError("acc_name_empty")
    if len(norm) > MAX_USERNAME_LENGTH:
        raise CockpitError("acc_name_long", n=MAX_USERNAME_LENGTH)
    if not _NAME_RE.match(norm):
        raise CockpitError("acc_name_chars")
    return norm


def check_password(password: str | None, username: str | None = None) -> None:
    """Refuse a password that is short, blank or one repeated character, common, or holds the username."""
    if password is None or len(password) < MIN_PASSWORD_LENGTH:
        raise CockpitError("acc_pw_short", n=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        raise CockpitError("acc_pw_long", n=MAX_PASSWORD_LENGTH)
    if not password.strip() or len(set(password)) <= 2:
        raise CockpitError("acc_pw_simple")
    folded = unicodedata.normalize("NFKC", password).strip().lower()
    if folded in COMMON_PASSWORDS:
        raise CockpitError("acc_pw_common")
    name = normalise_username(username)
    if name and (name == folded or (len(name) >= 3 and name in folded)):
        raise CockpitError("acc_pw_username")


def _get_user(session, username: str):
    from sqlalchemy import func, select

    from lib.store.models import User

    norm = normalise_username(username)
    if not norm:
        return None
    return session.scalars(select(User).where(func.lower(User.username) == norm)).first()


def _require_user(session, username: str):
    user = _get_user(session, username)
    if user is None:
        raise CockpitError("acc_no_user", name=username)
    return user


def _bump_token_version(session, user) -> None:
    """Every sign-in token issued so far for ``user`` stops working (atomic on both stores)."""
    from sqlalchemy import update

    from lib.store.models import User

    user.token_version = session.execute(
        update(User).where(User.id == user.id).values(token_version=User.token_version + 1)
        .returning(User.token_version).execution_options(synchronize_session=False)
    ).scalar_one()


def _user_public(user) -> dict:
    """What may be shown or audited about a user: never the password hash."""
    return {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "region_code": user.region_code,
        "active": bool(user.active),
        "failed_logins": int(user.failed_logins or 0),
        "locked_until": user.locked_until,
        "created_at": user.created_at,
    }


def _check_password_rule(password: str, username: str | None = None) -> None:
    check_password(password, username)


def _check_role_region(session, role: str, region_code: str | None) -> str | None:
    from lib.store.models import ROLES, Region

    if role not in ROLES:
        names = List(Msg("acc_role_name", code=k, label=Label("role", k)) for k in ROLES)
        raise CockpitError("acc_role_unknown", role=role, names=names)
    region_code = (region_code or "").strip() or None
    if role in REGION_SCOPED_ROLES:
        if region_code is None:
            raise CockpitError("acc_staff_region")
        if session.get(Region, region_code) is None:
            raise CockpitError("acc_region_unknown", code=region_code)
    elif region_code is not None and session.get(Region, region_code) is None:
        raise CockpitError("acc_region_unknown", code=region_code)
    return region_code


def _require_accounts(actor: Actor) -> None:
    if actor == CLI_ACTOR:
        return
    require(actor, "accounts")


def create_user(session, actor: Actor, username: str, password: str, role: str,
                region_code: str | None = None, display_name: str | None = None):
    """Create an account (admin only, or the command line). The name is normalised (NFKC, lower
    case) and must be unique that way; the password must pass ``check_password``. Staff need a
    region. Audited without the password or its hash. Returns the new User row."""
    from lib.store import audit
    from lib.store.models import User

    _require_accounts(actor)
    username = check_username(username)
    if _get_user(session, username) is not None:
        raise CockpitError("acc_name_taken", name=username)
    check_password(password, username)
    region_code = _check_role_region(session, role, region_code)
    user = User(
        username=username,
        display_name=(display_name or "").strip()[:100] or None,
        password_hash=hash_password(password),
        role=role,
        region_code=region_code,
        active=True,
        failed_logins=0,
        locked_until=None,
        created_at=_now(),
        token_version=0,
    )
    session.add(user)
    session.flush()
    audit.record(session, actor.username, "account", "users", username, None,
                 {k: v for k, v in _user_public(user).items() if k not in ("failed_logins", "locked_until")})
    return user


def _audit_name(name: str) -> str:
    return (name or "?")[:100]


def authenticate(session, username: str, password: str, now: _dt.datetime | None = None,
                 address: str | None = None) -> Actor:
    """Check a sign-in from client ``address``. Returns the Actor or raises CockpitError.

    Known and unknown names get the same answer and the same throttling (lib/access/throttle.py:
    growing delays per name+address, per address and per name; no hard lock). Every refusal is
    audited with the address: unknown name, wrong password, attempt while delayed, disabled
    account. Failures are counted with atomic UPDATEs and committed here (the caller's transaction
    would otherwise roll them back together with the refusal)."""
    from sqlalchemy import update

    from lib.access import throttle
    from lib.store import audit
    from lib.store.models import User

    now = now or _now()
    name = normalise_username(username)
    keys = throttle.keys_for(name, address)
    wait = throttle.wait_seconds(session, keys, now)
    if wait > 0:
        audit.record(session, _audit_name(name), "login", "users", _audit_name(name), None,
                     {"result": "throttled", "address": address, "wait_seconds": wait})
        session.commit()
        raise CockpitError("acc_login_wait", seconds=wait)
    user = _get_user(session, name)
    stored_hash = user.password_hash if user is not None else _DUMMY_HASH
    # hand the connection back while argon2 works (parallel attempts must not exhaust the pool),
    # and end the read snapshot: the counting write below starts a transaction of its own
    session.commit()
    ok = verify_password(stored_hash, password or "")
    if user is None or not ok:
        counts = throttle.record_failure(session, keys, now)
        after = {"result": "unknown_user" if user is None else "failed", "address": address,
                 "failures": counts["ua"]}
        if user is not None:
            after["failed_logins"] = session.execute(
                update(User).where(User.id == user.id).values(failed_logins=User.failed_logins + 1)
                .returning(User.failed_logins).execution_options(synchronize_session=False)
            ).scalar_one()
        audit.record(session, _audit_name(name), "login", "users", _audit_name(name), None, after)
        session.commit()
        raise CockpitError("acc_login_failed")
    if not user.active:
        audit.record(session, user.username, "login", "users", user.username, None,
                     {"result": "disabled", "address": address})
        session.commit()
        raise CockpitError("acc_disabled")
    throttle.clear(session, [keys["ua"], keys["u"]])
    if user.failed_logins or user.locked_until:
        user.failed_logins = 0
        user.locked_until = None
    audit.record(session, user.username, "login", "users", user.username, None,
                 {"result": "ok", "address": address})
    session.flush()
    return actor_for(user)


def unlock(session, actor: Actor, username: str) -> int:
    """Lift the sign-in delays of ``username`` from every address (office or admin). Audited."""
    from lib.access import throttle
    from lib.store import audit

    if actor != CLI_ACTOR:
        require(actor, "unlock")
    user = _get_user(session, username)
    name = user.username if user is not None else check_username(username)
    removed = throttle.clear_user(session, name)
    if user is not None:
        user.failed_logins = 0
        user.locked_until = None
    audit.record(session, actor.username, "account", "users", name, None, {"unlocked": removed})
    session.flush()
    return removed


def delayed_until(session, usernames, now: _dt.datetime | None = None) -> dict[str, _dt.datetime]:
    """username -> when its sign-in delay ends, for the names that are delayed now."""
    from lib.access import throttle

    now = now or _now()
    out = {}
    for name in usernames:
        end = throttle.until(session, name, now)
        if end is not None:
            out[name] = end
    return out


def logout(session, username: str) -> None:
    """Sign out everywhere: every token of ``username`` stops working. Audited."""
    from lib.store import audit

    user = _get_user(session, username)
    if user is None:
        return
    _bump_token_version(session, user)
    audit.record(session, user.username, "logout", "users", user.username, None, {"result": "ok"})
    session.flush()


def set_password(session, actor: Actor, username: str, new_password: str,
                 old_password: str | None = None) -> None:
    """Admin sets anyone's password (and lifts a lock); a user may change their own with the old one."""
    from lib.store import audit

    user = _require_user(session, username)
    if actor == CLI_ACTOR or can(actor, "accounts"):
        pass
    elif actor.username == username:
        if not verify_password(user.password_hash, old_password or ""):
            raise CockpitError("acc_old_password_wrong")
    else:
        require(actor, "accounts")
    check_password(new_password, user.username)
    user.password_hash = hash_password(new_password)
    user.failed_logins = 0
    user.locked_until = None
    _bump_token_version(session, user)
    audit.record(session, actor.username, "account", "users", username, None, {"password": "changed"})
    session.flush()


def _active_admins(session) -> int:
    from sqlalchemy import func, select

    from lib.store.models import User

    return session.scalar(select(func.count()).select_from(User).where(
        User.role == "admin", User.active.is_(True))) or 0


def set_active(session, actor: Actor, username: str, active: bool) -> None:
    """Enable or disable an account (admin). The last active admin cannot be disabled."""
    from lib.store import audit

    _require_accounts(actor)
    user = _require_user(session, username)
    before = bool(user.active)
    if not active and user.role == "admin" and before and _active_admins(session) <= 1:
        raise CockpitError("acc_last_admin_disable")
    user.active = bool(active)
    if active:
        user.failed_logins = 0
        user.locked_until = None
    elif before:
        _bump_token_version(session, user)
    audit.record(session, actor.username, "account", "users", username,
                 {"active": before}, {"active": bool(active)})
    session.flush()


def set_role(session, actor: Actor, username: str, role: str, region_code: str | None = None) -> None:
    """Change an account's role and region (admin). Staff need a region."""
    from lib.store import audit

    _require_accounts(actor)
    user = _require_user(session, username)
    region_code = _check_role_region(session, role, region_code)
    if user.role == "admin" and role != "admin" and user.active and _active_admins(session) <= 1:
        raise CockpitError("acc_last_admin_role")
    before = {"role": user.role, "region_code": user.region_code}
    if (user.role, user.region_code) != (role, region_code):
        _bump_token_version(session, user)
    user.role = role
    user.region_code = region_code
    audit.record(session, actor.username, "account", "users", username, before,
                 {"role": role, "region_code": region_code})
    session.flush()


def set_region(session, actor: Actor, username: str, region_code: str | None) -> None:
    """Change an account's region, keeping its role (admin)."""
    user = _require_user(session, username)
    set_role(session, actor, username, user.role, region_code)


def list_users(session) -> list[dict]:
    """Every account (no password hashes) with the 包联领导/责任单位 it is linked to, ordered by username."""
    from sqlalchemy import select

    from lib.store.models import User

    return [{**_user_public(u), "leader_name": u.leader_name, "unit_name": u.unit_name}
            for u in session.scalars(select(User).order_by(User.username))]


