"""Accounts: password hashing, users, sign-in with lockout. Passwords and hashes are never
logged or audited."""
from __future__ import annotations

import datetime as _dt
import secrets
import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from lib.access.roles import (
    CLI_ACTOR,
    REGION_SCOPED_ROLES,
    ROLE_ZH,
    Actor,
    can,
    require,
)
from lib.errors import CockpitError

MIN_PASSWORD_LENGTH = 8
MAX_FAILED_LOGINS = 5
LOCK_MINUTES = 15
SECRET_SETTING_KEY = "session_secret"
_GENERIC_LOGIN_ERROR = "用户名或密码不正确"

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


def _get_user(session, username: str):
    from sqlalchemy import select

    from lib.store.models import User

    return session.scalars(select(User).where(User.username == username)).first()


def _require_user(session, username: str):
    user = _get_user(session, username)
    if user is None:
        raise CockpitError(f"账号不存在:{username}")
    return user


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


def _check_password_rule(password: str) -> None:
    if password is None or len(password) < MIN_PASSWORD_LENGTH:
        raise CockpitError(f"密码至少需要{MIN_PASSWORD_LENGTH}个字符")


def _check_role_region(session, role: str, region_code: str | None) -> str | None:
    from lib.store.models import ROLES, Region

    if role not in ROLES:
        names = "、".join(f"{k}({ROLE_ZH[k]})" for k in ROLES)
        raise CockpitError(f"角色「{role}」不存在,应为:{names}")
    region_code = (region_code or "").strip() or None
    if role in REGION_SCOPED_ROLES:
        if region_code is None:
            raise CockpitError("县区填报员必须指定所属县区")
        if session.get(Region, region_code) is None:
            raise CockpitError(f"县区代码不存在:{region_code}")
    elif region_code is not None and session.get(Region, region_code) is None:
        raise CockpitError(f"县区代码不存在:{region_code}")
    return region_code


def _require_accounts(actor: Actor) -> None:
    if actor == CLI_ACTOR:
        return
    require(actor, "accounts")


def create_user(session, actor: Actor, username: str, password: str, role: str,
                region_code: str | None = None, display_name: str | None = None):
    """Create an account (admin only, or the command line). Staff need a region.
    Audited without the password or its hash. Returns the new User row."""
    from lib.store import audit
    from lib.store.models import User

    _require_accounts(actor)
    username = (username or "").strip()
    if not username:
        raise CockpitError("用户名不能为空")
    if len(username) > 100:
        raise CockpitError("用户名不能超过100个字符")
    if _get_user(session, username) is not None:
        raise CockpitError(f"账号已存在:{username}")
    _check_password_rule(password)
    region_code = _check_role_region(session, role, region_code)
    user = User(
        username=username,
        display_name=(display_name or "").strip() or None,
        password_hash=hash_password(password),
        role=role,
        region_code=region_code,
        active=True,
        failed_logins=0,
        locked_until=None,
        created_at=_now(),
    )
    session.add(user)
    session.flush()
    audit.record(session, actor.username, "account", "users", username, None,
                 {k: v for k, v in _user_public(user).items() if k not in ("failed_logins", "locked_until")})
    return user


def authenticate(session, username: str, password: str, now: _dt.datetime | None = None) -> Actor:
    """Check a sign-in. Returns the Actor or raises CockpitError with a plain-Chinese message.

    Five wrong passwords in a row lock the account for 15 minutes; a successful sign-in resets the
    counter; disabled accounts are refused. The failure counter is committed here (the caller's
    transaction would otherwise roll it back together with the refusal)."""
    from lib.store import audit

    now = now or _now()
    username = (username or "").strip()
    user = _get_user(session, username) if username else None
    if user is None:
        verify_password(_DUMMY_HASH, password or "")
        raise CockpitError(_GENERIC_LOGIN_ERROR)
    if user.locked_until is not None:
        if now < user.locked_until:
            raise CockpitError(
                f"密码连续错误{MAX_FAILED_LOGINS}次,账号已锁定至{_fmt_dt(user.locked_until)},"
                "请届时再试或联系管理员解锁"
            )
        # the lock has run out: start counting afresh
        user.locked_until = None
        user.failed_logins = 0
    if not verify_password(user.password_hash, password or ""):
        user.failed_logins = int(user.failed_logins or 0) + 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until = now + _dt.timedelta(minutes=LOCK_MINUTES)
            audit.record(session, username, "login", "users", username, None,
                         {"result": "locked", "locked_until": user.locked_until})
            session.commit()
            raise CockpitError(
                f"密码连续错误{MAX_FAILED_LOGINS}次,账号已锁定至{_fmt_dt(user.locked_until)},"
                "请届时再试或联系管理员解锁"
            )
        left = MAX_FAILED_LOGINS - user.failed_logins
        audit.record(session, username, "login", "users", username, None,
                     {"result": "failed", "failed_logins": user.failed_logins})
        session.commit()
        raise CockpitError(f"{_GENERIC_LOGIN_ERROR}(再错{left}次账号将锁定{LOCK_MINUTES}分钟)")
    if not user.active:
        raise CockpitError("账号已停用,请联系管理员")
    if user.failed_logins:
        user.failed_logins = 0
    audit.record(session, username, "login", "users", username, None, {"result": "ok"})
    session.flush()
    return actor_for(user)


def _fmt_dt(value: _dt.datetime) -> str:
    return f"{value.year}年{value.month}月{value.day}日 {value.hour:02d}:{value.minute:02d}"


def set_password(session, actor: Actor, username: str, new_password: str,
                 old_password: str | None = None) -> None:
    """Admin sets anyone's password (and lifts a lock); a user may change their own with the old one."""
    from lib.store import audit

    user = _require_user(session, username)
    if actor == CLI_ACTOR or can(actor, "accounts"):
        pass
    elif actor.username == username:
        if not verify_password(user.password_hash, old_password or ""):
            raise CockpitError("原密码不正确")
    else:
        require(actor, "accounts")
    _check_password_rule(new_password)
    user.password_hash = hash_password(new_password)
    user.failed_logins = 0
    user.locked_until = None
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
        raise CockpitError("不能停用最后一个管理员账号")
    user.active = bool(active)
    if active:
        user.failed_logins = 0
        user.locked_until = None
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
        raise CockpitError("不能取消最后一个管理员的管理员角色")
    before = {"role": user.role, "region_code": user.region_code}
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
    """Every account (no password hashes), ordered by username."""
    from sqlalchemy import select

    from lib.store.models import User

    return [_user_public(u) for u in session.scalars(select(User).order_by(User.username))]


