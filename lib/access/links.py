"""我的项目: link an account to its 包联领导 name (a leader) or its 责任单位 (a unit account).

``set_links`` is for the campaign office (项目办) and the command line; it checks the names (length,
no control characters, present in the projects' 包联领导/责任单位 columns) and is audited (who,
when, before → after). ``link_choices`` lists the names one may choose; ``links`` reads an
account's links.
"""
from __future__ import annotations

import unicodedata

from sqlalchemy import select
from sqlalchemy.orm import Session

from lib.access.roles import CLI_ACTOR, Actor, require
from lib.errors import CockpitError
from lib.store import audit
from lib.store.models import Project, User

MAX_LEADER, MAX_UNIT = 100, 200  # the columns' lengths (users.leader_name, users.unit_name)


def links(session: Session, username: str) -> tuple[str | None, str | None]:
    """(leader_name, unit_name) of the account, (None, None) when unknown."""
    row = session.execute(select(User.leader_name, User.unit_name).where(User.username == username)).first()
    return (row[0], row[1]) if row else (None, None)


def link_choices(session: Session) -> dict[str, list[str]]:
    """{"leader": [...], "unit": [...]}: the distinct non-empty 包联领导 and 责任单位 names of the
    projects, sorted — the names an account may be linked to."""
    out = {}
    for key, col in (("leader", Project.leader), ("unit", Project.unit)):
        names = session.scalars(select(col).where(col.is_not(None)).distinct()).all()
        out[key] = sorted({n.strip() for n in names if n and n.strip()})
    return out


def _clean(value: str | None, limit: int, long_key: str, chars_key: str) -> str | None:
    """The trimmed name or None; CockpitError when it is too long or holds control characters."""
    value = (value or "").strip()
    if not value:
        return None
    if len(value) > limit:
        raise CockpitError(long_key, n=limit)
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") for ch in value):
        raise CockpitError(chars_key)
    return value


def set_links(session: Session, actor: Actor, username: str, leader_name: str | None = None,
              unit_name: str | None = None) -> dict:
    """Link ``username`` to exactly these names (an empty one unlinks it). Campaign office only (or
    the command line): PermissionDenied otherwise. Each name must be one of ``link_choices``.
    Audited with the links before and after; returns the links after."""
    from lib.access.accounts import _get_user

    if actor != CLI_ACTOR:
        require(actor, "link_accounts")
    user = _get_user(session, username)
    if user is None:
        raise CockpitError("err_unknown_user", name=username)
    leader_name = _clean(leader_name, MAX_LEADER, "err_link_leader_long", "err_link_leader_chars")
    unit_name = _clean(unit_name, MAX_UNIT, "err_link_unit_long", "err_link_unit_chars")
    choices = link_choices(session)
    if leader_name is not None and leader_name not in choices["leader"]:
        raise CockpitError("err_link_unknown_leader", name=leader_name)
    if unit_name is not None and unit_name not in choices["unit"]:
        raise CockpitError("err_link_unknown_unit", name=unit_name)
    before = {"leader_name": user.leader_name, "unit_name": user.unit_name}
    after = {"leader_name": leader_name, "unit_name": unit_name}
    if before != after:
        user.leader_name, user.unit_name = leader_name, unit_name
        audit.record(session, actor.username, "account", "users", user.username, before=before, after=after)
        session.flush()
    return after
