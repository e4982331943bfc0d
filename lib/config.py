"""Every ``COCKPIT_*`` environment variable, read in this one place.

``settings()`` returns a frozen ``Config``; it is built once and rebuilt only when one of the
``COCKPIT_*`` variables changes (tests and the CLI set them at run time). No other module reads
``os.environ`` for the cockpit's own variables. The README's configuration table lists the same
names (a docs test checks both ways).
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from lib import DATA_DIR, ROOT

DEFAULT_DB_URL = f"sqlite:///{DATA_DIR / 'cockpit.db'}"
DEFAULT_KALEIDO_BROWSER = str(ROOT / "lib" / "outputs" / "offline_chromium.sh")

#: name -> (field, meaning); the README's table and ``Config`` follow this list.
VARIABLES: dict[str, tuple[str, str]] = {
    "COCKPIT_DB_URL": ("db_url", "SQLAlchemy URL of the store"),
    "COCKPIT_SECRET": ("secret", "key that signs sign-in tokens (else the key file)"),
    "COCKPIT_SECRET_FILE": ("secret_file", "key file that signs sign-in tokens, mode 0600"),
    "COCKPIT_TRUSTED_HEADER": ("trusted_header", "header from an authenticating proxy holding the username"),
    "COCKPIT_TRUSTED_PROXIES": ("trusted_proxies", "addresses allowed to send the trusted header"),
    "COCKPIT_KALEIDO_BROWSER": ("kaleido_browser", "browser that renders static images"),
    "COCKPIT_DEBUG": ("debug", "show tracebacks on the command line"),
}


@dataclass(frozen=True)
class Config:
    db_url: str = DEFAULT_DB_URL
    secret: str | None = None
    secret_file: str | None = None
    trusted_header: str | None = None
    trusted_proxies: tuple = ()
    kaleido_browser: str = DEFAULT_KALEIDO_BROWSER
    debug: bool = False


_cache: tuple[tuple, Config] | None = None


def _networks(value: str | None) -> tuple:
    """``COCKPIT_TRUSTED_PROXIES``: addresses or networks separated by commas or spaces
    (``127.0.0.1, 10.0.0.0/24``). A malformed entry is ignored, never widened."""
    import ipaddress

    nets = []
    for part in (value or "").replace(",", " ").split():
        try:
            nets.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            continue
    return tuple(nets)


def _snapshot() -> tuple:
    return tuple(os.environ.get(name) for name in VARIABLES)


def settings() -> Config:
    """The configuration now in force."""
    global _cache
    snap = _snapshot()
    if _cache is not None and _cache[0] == snap:
        return _cache[1]
    env = dict(zip(VARIABLES, snap))
    cfg = Config(
        db_url=env["COCKPIT_DB_URL"] or DEFAULT_DB_URL,
        secret=env["COCKPIT_SECRET"] or None,
        secret_file=(env["COCKPIT_SECRET_FILE"] or "").strip() or None,
        trusted_header=(env["COCKPIT_TRUSTED_HEADER"] or "").strip() or None,
        trusted_proxies=_networks(env["COCKPIT_TRUSTED_PROXIES"]),
        kaleido_browser=env["COCKPIT_KALEIDO_BROWSER"] or DEFAULT_KALEIDO_BROWSER,
        debug=(env["COCKPIT_DEBUG"] or "").strip() not in ("", "0", "false", "no"),
    )
    _cache = (snap, cfg)
    return cfg
