"""Sign-in tokens that survive a browser reload, the signing secret, and the trusted-header sign-in."""
from __future__ import annotations

import base64
import datetime as _dt
import hashlib
import hmac
import json as _json
import secrets

from lib import config
from lib.access.accounts import SECRET_SETTING_KEY, _get_user, _now, actor_for
from lib.access.roles import PERMISSIONS, Actor

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
    env = config.settings().secret
    if env:
        return env
    from sqlalchemy.exc import IntegrityError

    from lib.store.models import Setting

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
    name = config.settings().trusted_header
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
