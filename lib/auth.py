"""Roles and permissions, enforced here (not only hidden in the UI).

``Actor`` is who is acting: a signed-in user, or the command line. Every write function in lib/
takes an Actor and calls ``require`` before touching the store.
"""
from __future__ import annotations

from dataclasses import dataclass

from lib.errors import PermissionDenied

# permission -> roles that hold it. Staff hold region-scoped permissions for their own region only.
PERMISSIONS: dict[str, tuple[str, ...]] = {
    "read": ("leader", "staff", "office", "admin"),
    "upload": ("staff", "office", "admin"),
    "upload_regions": ("office", "admin"),  # regions, targets, stats are prefecture-wide
    "problem_work": ("staff", "office", "admin"),  # raise, assign, start, progress, submit, escalate
    "problem_close": ("office", "admin"),  # 销号 accept, 退回 return
    "supervise": ("leader", "office", "admin"),  # 督办
    "settings": ("office", "admin"),
    "undo_any": ("office", "admin"),
    "audit_read": ("office", "admin"),
    "accounts": ("admin",),
    "backup": ("admin",),
}
REGION_SCOPED_ROLES = ("staff",)

PERMISSION_ZH = {
    "read": "查看数据",
    "upload": "上传数据",
    "upload_regions": "上传全州基础数据",
    "problem_work": "办理问题",
    "problem_close": "销号或退回问题",
    "supervise": "督办",
    "settings": "修改规则设置",
    "undo_any": "撤销他人的上传",
    "audit_read": "查看操作日志",
    "accounts": "管理账号",
    "backup": "备份数据",
}
ROLE_ZH = {"leader": "领导", "staff": "县区填报员", "office": "项目办", "admin": "管理员"}


@dataclass(frozen=True)
class Actor:
    username: str
    role: str
    region_code: str | None = None
    display_name: str | None = None

    @property
    def label(self) -> str:
        return self.display_name or self.username


CLI_ACTOR = Actor(username="cli", role="admin", display_name="命令行")


def can(actor: Actor, permission: str, region_code: str | None = None) -> bool:
    roles = PERMISSIONS.get(permission, ())
    if actor.role not in roles:
        return False
    if actor.role in REGION_SCOPED_ROLES and region_code is not None:
        return actor.region_code == region_code
    return True


def require(actor: Actor, permission: str, region_code: str | None = None) -> None:
    """Raise PermissionDenied with a plain-Chinese message unless ``actor`` may do this."""
    if can(actor, permission, region_code):
        return
    what = PERMISSION_ZH.get(permission, permission)
    role = ROLE_ZH.get(actor.role, actor.role)
    if actor.role in PERMISSIONS.get(permission, ()) and region_code is not None:
        raise PermissionDenied(
            f"{actor.label}({role},{actor.region_code})只能{what}本县区的数据,不能操作县区 {region_code}"
        )
    raise PermissionDenied(f"{actor.label}({role})没有权限{what}")


# ---------------------------------------------------------------------------------------------
# Accounts: hashing, users, sign-in with lockout, signed session tokens, trusted header.
# Passwords and hashes are never logged or audited.
# ---------------------------------------------------------------------------------------------
import base64  # noqa: E402
import datetime as _dt  # noqa: E402
import hashlib  # noqa: E402
import hmac  # noqa: E402
import json as _json  # noqa: E402
import os  # noqa: E402
import secrets  # noqa: E402

from argon2 import PasswordHasher  # noqa: E402
from argon2.exceptions import InvalidHashError, VerificationError  # noqa: E402

from lib.errors import CockpitError  # noqa: E402

MIN_PASSWORD_LENGTH = 8
MAX_FAILED_LOGINS = 5
LOCK_MINUTES = 15
SECRET_SETTING_KEY = "session_secret"
_GENERIC_LOGIN_ERROR = "用户名或密码不正确"

_hasher = PasswordHasher()
# A real hash of a random password, verified against when the user does not exist, so that an
# unknown username costs the same time as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


def hash_password(password: str) -> str:
    """An argon2id hash (salted, self-describing) of ``password``."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when ``password`` matches ``password_hash``; False for a mismatch or a malformed hash."""
    if not password_hash or password is None:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def actor_for(user) -> Actor:
    """The Actor of a ``lib.models.User`` row."""
    return Actor(username=user.username, role=user.role, region_code=user.region_code,
                 display_name=user.display_name)


def _now() -> _dt.datetime:
    return _dt.datetime.now().replace(microsecond=0)


def _get_user(session, username: str):
    from sqlalchemy import select

    from lib.models import User

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
    from lib.models import ROLES, Region

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
    from lib import audit
    from lib.models import User

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
    from lib import audit

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
    from lib import audit

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

    from lib.models import User

    return session.scalar(select(func.count()).select_from(User).where(
        User.role == "admin", User.active.is_(True))) or 0


def set_active(session, actor: Actor, username: str, active: bool) -> None:
    """Enable or disable an account (admin). The last active admin cannot be disabled."""
    from lib import audit

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
    from lib import audit

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

    from lib.models import User

    return [_user_public(u) for u in session.scalars(select(User).order_by(User.username))]


# --- session tokens: survive a browser reload -------------------------------------------------

def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(payload: str, secret: str) -> str:
    return _b64(hmac.new(secret.encode("utf-8"), payload.encode("ascii"), hashlib.sha256).digest())


def issue_token(actor: Actor, secret: str, ttl_hours: float = 12, now: _dt.datetime | None = None) -> str:
    """A signed token (HMAC-SHA256) carrying username, role, region and expiry."""
    now = now or _dt.datetime.now()
    expiry = int((now + _dt.timedelta(hours=ttl_hours)).timestamp())
    body = {"u": actor.username, "r": actor.role, "g": actor.region_code, "d": actor.display_name,
            "e": expiry}
    payload = _b64(_json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    return f"{payload}.{_sign(payload, secret)}"


def read_token(token: str | None, secret: str, now: _dt.datetime | None = None) -> Actor | None:
    """The Actor of a valid, unexpired token; None for anything tampered, malformed or expired."""
    if not token or not secret or token.count(".") != 1:
        return None
    payload, signature = token.split(".")
    try:
        expected = _sign(payload, secret)
    except (UnicodeEncodeError, ValueError):
        return None
    if not hmac.compare_digest(expected, signature):
        return None
    try:
        body = _json.loads(_unb64(payload).decode("utf-8"))
        expiry = int(body["e"])
        actor = Actor(username=str(body["u"]), role=str(body["r"]), region_code=body.get("g"),
                      display_name=body.get("d"))
    except (ValueError, KeyError, TypeError):
        return None
    now = now or _dt.datetime.now()
    if now.timestamp() >= expiry or actor.role not in PERMISSIONS["read"]:
        return None
    return actor


def get_secret(session) -> str:
    """The token secret: env COCKPIT_SECRET, else a random secret stored in the Setting row
    ``session_secret`` (created on first use)."""
    env = os.environ.get("COCKPIT_SECRET")
    if env:
        return env
    from sqlalchemy.exc import IntegrityError

    from lib.models import Setting

    row = session.get(Setting, SECRET_SETTING_KEY)
    if row is not None:
        return _json.loads(row.value)
    value = secrets.token_hex(32)
    try:
        with session.begin_nested():
            session.add(Setting(key=SECRET_SETTING_KEY, value=_json.dumps(value),
                                updated_by="system", updated_at=_now()))
    except IntegrityError:  # another process created it first
        row = session.get(Setting, SECRET_SETTING_KEY)
        return _json.loads(row.value)
    return value


def actor_from_token(session, token: str | None) -> Actor | None:
    """Like read_token, and the account must still exist and be active; role and region are
    taken from the store (a changed role applies at once)."""
    actor = read_token(token, get_secret(session))
    if actor is None:
        return None
    user = _get_user(session, actor.username)
    if user is None or not user.active:
        return None
    return actor_for(user)


def actor_from_trusted_header(session, headers: dict) -> Actor | None:
    """When env COCKPIT_TRUSTED_HEADER names a header (set by a trusted reverse proxy that did the
    sign-in), the active user whose username it holds; otherwise None."""
    name = os.environ.get("COCKPIT_TRUSTED_HEADER")
    if not name or not headers:
        return None
    value = None
    for key, val in dict(headers).items():
        if str(key).lower() == name.lower():
            value = val
            break
    value = (value or "").strip() if isinstance(value, str) else None
    if not value:
        return None
    user = _get_user(session, value)
    if user is None or not user.active:
        return None
    return actor_for(user)
