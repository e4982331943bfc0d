"""我的项目: link an account to its 包联领导 name (a leader) or its 责任单位 (a unit account).

``set_links`` is for whoever may manage accounts (audited); ``links`` reads an account's links.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from lib.access.roles import Actor, require
from lib.errors import CockpitError
from lib.store import audit
from lib.store.models import User

MAX_LEADER, MAX_UNIT = 100, 200


def links(session: Session, username: str) -> tuple[str | None, str | None]:
    """(leader_name, unit_name) of the account, (None, None) when unknown."""
    row = session.execute(select(User.leader_name, User.unit_name).where(User.username == username)).first()
    return (row[0], row[1]) if row else (None, None)


def set_links(session: Session, actor: Actor, username: str, leader_name: str | None = None,
              unit_name: str | None = None) -> None:
    require(actor, "accounts")
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise CockpitError("err_unknown_user", name=username)
    leader_name = (leader_name or "").strip() or None
    unit_name = (unit_name or "").strip() or None
    if (leader_name and len(leader_name) > MAX_LEADER) or (unit_name and len(unit_name) > MAX_UNIT):
        raise CockpitError("err_link_too_long")
    before = {"leader_name": user.leader_name, "unit_name": user.unit_name}
    user.leader_name, user.unit_name = leader_name, unit_name
    audit.record(session, actor.username, "account", "users", username, before=before,
                 after={"leader_name": leader_name, "unit_name": unit_name})
