"""Roles and permissions, enforced here (not only hidden in the UI).

``Actor`` is who is acting: a signed-in user, or the command line. Every write function in lib/
takes an Actor and calls ``require`` before touching the store.
"""
from __future__ import annotations

from dataclasses import dataclass

from lib.access.scope import scope_for
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
    "briefing_template": ("office",),  # the slide template of the monthly pack: the campaign office only
    "undo_any": ("office", "admin"),
    "audit_read": ("office", "admin"),
    "quality_read": ("office", "admin"),  # the 数据质量 page
    "accounts": ("admin",),
    "unlock": ("office", "admin"),  # lift sign-in delays
    "link_accounts": ("office",),  # 我的项目: link an account to its 包联领导 / 责任单位 (the office knows them)
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
    "briefing_template": "上传或删除汇报模板",
    "undo_any": "撤销他人的上传",
    "audit_read": "查看操作日志",
    "quality_read": "查看数据质量",
    "accounts": "管理账号",
    "unlock": "解除登录限制",
    "link_accounts": "设置账号的包联领导或责任单位",
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
    if region_code is not None:
        return scope_for(actor).allows(region_code)
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
