"""Sign-in throttling: growing delays, never a hard lock that an outsider controls.

Every failed sign-in counts against three keys, known and unknown usernames alike (so the answer
never tells whether a name exists): ``ua:<name>|<address>`` (this name from this address),
``a:<address>`` (any name from this address) and ``u:<name>`` (this name from anywhere). Each key
allows a few free failures, then asks to wait 2, 4, 8 … seconds up to its cap. A guesser at one
address therefore slows down the name at that address quickly, but the real user at another
address is delayed at most ``POLICIES['u']`` (a minute) however many addresses guess. The office or
an administrator lifts the delays of a name (``clear_user``). Counts are raised with one atomic
``UPDATE … SET failures = failures + 1 … RETURNING`` per key, so parallel guesses all count.
"""
from __future__ import annotations

import datetime as _dt
import math

from sqlalchemy import delete, select, update

#: key kind -> (free failures, longest delay in seconds)
POLICIES: dict[str, tuple[int, int]] = {
    "ua": (3, 15 * 60),
    "a": (10, 5 * 60),
    "u": (20, 60),
}
NO_ADDRESS = "-"


def keys_for(username: str, address: str | None) -> dict[str, str]:
    """The throttle keys of a sign-in attempt, by kind."""
    addr = (address or NO_ADDRESS)[:64]
    name = (username or "")[:100]
    return {"ua": f"ua:{name}|{addr}", "a": f"a:{addr}", "u": f"u:{name}"}


def delay_seconds(kind: str, failures: int) -> int:
    """The wait after ``failures`` failures on a key of ``kind``: 0, then doubling up to the cap."""
    free, cap = POLICIES[kind]
    if failures <= free:
        return 0
    return int(min(cap, 2 ** min(failures - free, 30)))


def wait_seconds(session, keys: dict[str, str], now: _dt.datetime) -> int:
    """Seconds to wait before the next attempt may be checked (0: go ahead)."""
    from lib.store.models import LoginThrottle

    rows = session.execute(select(LoginThrottle.key, LoginThrottle.failures, LoginThrottle.last_failure)
                           .where(LoginThrottle.key.in_(list(keys.values())))).all()
    by_key = {k: (n, at) for k, n, at in rows}
    wait = 0.0
    for kind, key in keys.items():
        if key not in by_key:
            continue
        n, at = by_key[key]
        delay = delay_seconds(kind, int(n or 0))
        if at is None or delay == 0:
            continue
        left = (at + _dt.timedelta(seconds=delay) - now).total_seconds()
        wait = max(wait, left)
    return int(math.ceil(wait)) if wait > 0 else 0


def _insert_missing(session, key: str, now: _dt.datetime) -> None:
    from lib.store.models import LoginThrottle

    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    session.execute(insert(LoginThrottle).values(key=key, failures=0, last_failure=now)
                    .on_conflict_do_nothing(index_elements=["key"]))


def record_failure(session, keys: dict[str, str], now: _dt.datetime) -> dict[str, int]:
    """Count one failure on every key, atomically (keys in a fixed order: no deadlock between
    parallel attempts). Returns the new count per kind."""
    from lib.store.models import LoginThrottle

    counts: dict[str, int] = {}
    for kind, key in sorted(keys.items(), key=lambda kv: kv[1]):
        _insert_missing(session, key, now)
        counts[kind] = session.execute(
            update(LoginThrottle).where(LoginThrottle.key == key)
            .values(failures=LoginThrottle.failures + 1, last_failure=now)
            .returning(LoginThrottle.failures)
            .execution_options(synchronize_session=False)
        ).scalar_one()
    return counts


def clear(session, keys) -> None:
    """Forget the failures of these keys (a successful sign-in)."""
    from lib.store.models import LoginThrottle

    session.execute(delete(LoginThrottle).where(LoginThrottle.key.in_(list(keys)))
                    .execution_options(synchronize_session=False))


def clear_user(session, username: str) -> int:
    """Forget every failure counted against ``username`` (from any address), and the address
    counts of the addresses it failed from (so its own address is not still delayed). Returns
    rows removed."""
    from lib.store.models import LoginThrottle

    name = (username or "")[:100]
    like = name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    mine = (LoginThrottle.key == f"u:{name}") | LoginThrottle.key.like(f"ua:{like}|%", escape="\\")
    pair_keys = session.scalars(select(LoginThrottle.key).where(mine)).all()
    addresses = [f"a:{k.split('|', 1)[1]}" for k in pair_keys if k.startswith("ua:") and "|" in k]
    result = session.execute(delete(LoginThrottle).where(mine | LoginThrottle.key.in_(addresses))
                             .execution_options(synchronize_session=False))
    return int(result.rowcount or 0)


def until(session, username: str, now: _dt.datetime) -> _dt.datetime | None:
    """When ``username`` may next try from anywhere (the ``u:`` key), or from its worst address;
    None when it is not delayed. For the accounts page."""
    from lib.store.models import LoginThrottle

    name = (username or "")[:100]
    like = name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    rows = session.execute(select(LoginThrottle.key, LoginThrottle.failures, LoginThrottle.last_failure).where(
        (LoginThrottle.key == f"u:{name}") | LoginThrottle.key.like(f"ua:{like}|%", escape="\\"))).all()
    worst = None
    for key, n, at in rows:
        if at is None:
            continue
        kind = "u" if key.startswith("u:") else "ua"
        end = at + _dt.timedelta(seconds=delay_seconds(kind, int(n or 0)))
        if end > now and (worst is None or end > worst):
            worst = end
    return worst
