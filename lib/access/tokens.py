"""Sign-in tokens that survive a browser reload, the signing key, and the trusted-header sign-in.

A token is ``itsdangerous``-signed ``{"u": username, "v": token_version}`` with its issue time. It
is honoured for ``TOKEN_TTL_SECONDS`` after issue and only while the account's ``token_version`` is
unchanged (logout, password change, role change and disabling raise it); the app renews a token
older than ``RENEW_AFTER_SECONDS`` on use, so an active session stays signed in.

The signing key never lives in the store (a backup must not let anyone mint tokens): it is
``COCKPIT_SECRET``, else a key file (``COCKPIT_SECRET_FILE``, default beside the SQLite file as
``<db>.key``, or ``data/cockpit-secret.key`` for PostgreSQL) created with mode 0600 on first use,
and replaced by ``python -m lib.cli secret rotate``.
"""
from __future__ import annotations

import datetime as _dt
import ipaddress
import os
import secrets
import time
from pathlib import Path

from itsdangerous import BadData, TimestampSigner, URLSafeTimedSerializer

from lib import DATA_DIR, config
from lib.access.accounts import SECRET_SETTING_KEY, _get_user, actor_for
from lib.access.roles import Actor
from lib.errors import CockpitError

TOKEN_TTL_SECONDS = 2 * 3600
RENEW_AFTER_SECONDS = 10 * 60
_SALT = "cockpit-sign-in"


def _serializer(secret: str, now: _dt.datetime | None = None) -> URLSafeTimedSerializer:
    stamp = int(now.timestamp()) if now is not None else None

    class _Signer(TimestampSigner):
        def get_timestamp(self) -> int:
            return stamp if stamp is not None else int(time.time())

    return URLSafeTimedSerializer(secret, salt=_SALT, signer=_Signer)


def sign_token(username: str, version: int, secret: str, now: _dt.datetime | None = None) -> str:
    """A signed, timestamped token for ``username`` at token ``version``."""
    return _serializer(secret, now).dumps({"u": username, "v": int(version or 0)})


def read_token(token: str | None, secret: str, now: _dt.datetime | None = None,
               max_age: int = TOKEN_TTL_SECONDS) -> tuple[str, int, _dt.datetime] | None:
    """(username, version, issued at) of a valid, unexpired token; None for anything tampered,
    malformed, signed with another key or older than ``max_age`` seconds."""
    if not token or not secret or not isinstance(token, str) or len(token) > 2000:
        return None
    try:
        body, issued = _serializer(secret, now).loads(token, max_age=max_age, return_timestamp=True)
        return str(body["u"]), int(body["v"]), _dt.datetime.fromtimestamp(issued.timestamp())
    except (BadData, KeyError, TypeError, ValueError, UnicodeError):
        return None


def issue_token(session, actor: Actor, now: _dt.datetime | None = None) -> str:
    """A token for ``actor`` at the account's current token version."""
    user = _get_user(session, actor.username)
    version = int(user.token_version or 0) if user is not None else 0
    return sign_token(actor.username, version, get_secret(session), now)


def resume(session, token: str | None, now: _dt.datetime | None = None) -> tuple[Actor, str] | None:
    """The Actor of a valid token whose account still exists, is active and has the token's
    version, with the token to keep: the same one, or a renewed one once it is older than
    ``RENEW_AFTER_SECONDS``. Role and region come from the store (a change applies at once)."""
    got = read_token(token, get_secret(session), now)
    if got is None:
        return None
    username, version, issued = got
    user = _get_user(session, username)
    if user is None or not user.active or int(user.token_version or 0) != version:
        return None
    actor = actor_for(user)
    current = now or _dt.datetime.now()
    if (current - issued).total_seconds() >= RENEW_AFTER_SECONDS:
        token = sign_token(user.username, version, get_secret(session), now)
    return actor, token


def actor_from_token(session, token: str | None, now: _dt.datetime | None = None) -> Actor | None:
    """The Actor of a valid token (see ``resume``), or None."""
    got = resume(session, token, now)
    return got[0] if got else None


# --- the signing key -----------------------------------------------------------------------------

def secret_path(session) -> Path:
    """Where the key file is: COCKPIT_SECRET_FILE, else beside the SQLite store, else in data/."""
    cfg = config.settings()
    if cfg.secret_file:
        return Path(cfg.secret_file)
    url = session.get_bind().url
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        db = Path(url.database)
        return db.with_name(db.name + ".key")
    return DATA_DIR / "cockpit-secret.key"


def _write_key(path: Path, value: str, replace: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not replace:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(value)
        return
    tmp = path.with_name(f"{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(value)
    os.replace(tmp, path)


def _read_key(path: Path) -> str | None:
    try:
        value = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    if path.stat().st_mode & 0o077:
        os.chmod(path, 0o600)  # readable by others: close it
    return value or None


def _drop_stored_secret(session) -> None:
    """An older store kept the key as a setting; it must not stay there (nor reach a backup)."""
    from lib.store.models import Setting

    row = session.get(Setting, SECRET_SETTING_KEY)
    if row is not None:
        session.delete(row)
        session.flush()


def get_secret(session) -> str:
    """The signing key: COCKPIT_SECRET, else the key file (created with mode 0600 on first use)."""
    _drop_stored_secret(session)
    env = config.settings().secret
    if env:
        return env
    path = secret_path(session)
    value = _read_key(path)
    if value:
        return value
    try:
        _write_key(path, secrets.token_hex(32), replace=False)
    except FileExistsError:  # another process created it first
        pass
    return _read_key(path) or ""


def rotate_secret(session) -> Path:
    """Replace the key file with a new random key: every token issued so far stops working."""
    if config.settings().secret:
        raise CockpitError("acc_secret_from_env")
    path = secret_path(session)
    _write_key(path, secrets.token_hex(32), replace=True)
    _drop_stored_secret(session)
    return path


# --- the trusted header ----------------------------------------------------------------------------

def is_trusted_proxy(address: str | None) -> bool:
    """True when ``address`` is in COCKPIT_TRUSTED_PROXIES (empty by default: nobody is)."""
    nets = config.settings().trusted_proxies
    if not address or not nets:
        return False
    try:
        ip = ipaddress.ip_address(address.strip().split("%", 1)[0])
    except ValueError:
        return False
    if getattr(ip, "ipv4_mapped", None):
        ip = ip.ipv4_mapped
    return any(ip in net for net in nets)


def actor_from_trusted_header(session, headers: dict, address: str | None = None) -> Actor | None:
    """When COCKPIT_TRUSTED_HEADER names a header and the request comes from an address in
    COCKPIT_TRUSTED_PROXIES (the proxy that did the sign-in), the active user whose username it
    holds; otherwise None. Each such sign-in is audited with the address."""
    from lib.store import audit

    name = config.settings().trusted_header
    if not name or not headers or not is_trusted_proxy(address):
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
    audit.record(session, user.username, "login", "users", user.username, None,
                 {"result": "ok", "via": "trusted_header", "address": address})
    session.flush()
    return actor_for(user)
