"""Roles and permissions, enforced here (not only hidden in the UI).

``Actor`` is who is acting: a signed-in user, or the command line. Every write function in lib/
takes an Actor and calls ``require`` before touching the store.
"""
from __future__ import annotations

from dataclasses import dataclass

from lib.access.scope import scope_for
from lib.errors import PermissionDenied
from lib.i18n import Label, enum_label, t

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
    "backup": ("admin",),
}
REGION_SCOPED_ROLES = ("staff",)

# The words of the permissions and roles live in lib/i18n (enumerations "permission" and "role");
# these Chinese views are kept for callers that still build their own Chinese text (lib/intake,
# converted on branch msgintake).
PERMISSION_ZH = {key: enum_label("permission", key) for key in PERMISSIONS}
ROLE_ZH = {key: enum_label("role", key) for key in ("leader", "staff", "office", "admin")}


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
