"""Roles and permissions, enforced here (not only hidden in the UI).

``Actor`` is who is acting: a signed-in user, or the command line. Every write function in lib/
takes an Actor and calls ``require`` before touching the store.
"""
from __future__ import annotations

from dataclasses import dataclass

from lib.access.scope import scope_for
from lib.errors import PermissionDenied
from lib.i18n import Label, t

# permission -> roles that hold it. Staff hold region-scoped permissions for their own region only.
PERMISSIONS: dict[str, tuple[str, ...]] = {
    "read": ("leader", "staff", "office", "admin"),
    "upload": ("staff", "office", "admin"),
    "upload_regions": ("office", "admin"),  # regions, targets, stats are prefecture-wide
    "problem_work": ("staff", "office", "admin"),  # raise, assign, start, progress, submit, escalate
    "problem_close": ("office", "admin"),  # 销号 accept, 退回 return
    "supervise": ("leader", "office", "admin"),  # 督办
    "settings": ("office", "admin"),
    "briefing_template": ("office",),  # the slide template of the monthly pack: the campaign office only
    "undo_any": ("office", "admin"),
    "audit_read": ("office", "admin"),
    "quality_read": ("office", "admin"),  # the 数据质量 page
    "accounts": ("admin",),
    "unlock": ("office", "admin"),  # lift sign-in delays
    # 我的项目: link an account to its 包联领导 / 责任单位 (the office knows the names; the admin
    # manages accounts and holds every office right, DESIGN.md "Accounts")
    "link_accounts": ("office", "admin"),
    "backup": ("admin",),
}
REGION_SCOPED_ROLES = ("staff",)


@dataclass(frozen=True)
class Actor:
    username: str
    role: str
    region_code: str | None = None
    display_name: str | None = None

    @property
    def label(self) -> str:
        return self.display_name or self.username


CLI_ACTOR = Actor(username="cli", role="admin", display_name=t("acc_cli_actor"))


def can(actor: Actor, permission: str, region_code: str | None = None) -> bool:
    roles = PERMISSIONS.get(permission, ())
    if actor.role not in roles:
        return False
    if region_code is not None:
        return scope_for(actor).allows(region_code)
    return True


def require(actor: Actor, permission: str, region_code: str | None = None) -> None:
    """Raise PermissionDenied unless ``actor`` may do this; its message (``acc_denied``,
    ``acc_denied_region``) reads in either language (``exc.text(lang)``)."""
    if can(actor, permission, region_code):
        return
    what = Label("permission", permission)
    role = Label("role", actor.role)
    if actor.role in PERMISSIONS.get(permission, ()) and region_code is not None:
        raise PermissionDenied("acc_denied_region", who=actor.label, role=role, own=actor.region_code,
                               what=what, region=region_code)
    raise PermissionDenied("acc_denied", who=actor.label, role=role, what=what)
