"""The pipeline's upload kinds (DESIGN.md "Project pipeline"): 前期手续 (approvals) and 集中活动
(events), registered in the upload-kind registry (lib.intake.kinds) like every other kind, so that
templates, validation, preview, undo and audit come with them. Also the conversion of the six old
approval columns of the projects template into 手续 rows (``approval_ops``).
"""
from __future__ import annotations

from lib.i18n import enum_label
from lib.intake.kinds import Col, UploadKind, register

#: the six static approval columns of the projects template → 手续 kinds and statuses
OLD_APPROVAL_KIND = {
    "approval_project": "initiation", "approval_land": "land", "approval_planning": "planning",
    "approval_eia": "eia", "approval_energy": "energy", "approval_construction": "construction_permit",
}
OLD_APPROVAL_STATUS = {"done": "done", "in_progress": "in_progress", "not_started": "not_started",
                       "not_applicable": "not_needed"}

_PROJECT = "2203-532901-04-01-000001"
APPROVAL_COLUMNS = (
    Col("项目代码", "code", True, "project", help="col_approvals_code",
        example=_PROJECT),
    Col("手续", "kind", True, "enum", "approval_kind", help="col_approvals_kind", example="用地预审"),
    Col("计划办结", "planned_on", False, "date", help="col_approvals_planned_on",
        example="2022-07-15"),
    Col("实际办结", "done_on", False, "date", help="col_approvals_done_on", example=None),
    Col("状态", "status", False, "enum", "approval_status", help="col_approvals_status", example="办理中"),
    Col("牵头部门", "unit", False, "text", help="col_approvals_unit",
        example="大理市自然资源局"),
)
EVENT_COLUMNS = (
    Col("活动名称", "name", True, "text", help="col_events_name",
        example="2022年三季度重大项目集中开工"),
    Col("活动日期", "held_on", True, "date", help="col_events_held_on", example="2022-08-26"),
    Col("类型", "type", True, "enum", "event_type", help="col_events_type",
        example="开工"),
    Col("项目代码", "code", True, "project", help="col_events_code",
        example=_PROJECT),
)

_ALIASES = (("项目编码", "code"),)


def _build_approvals(ctx, typed, rows, hm, errors, warnings):
    from lib.intake.importer import Item, Op, _column, _err, _project_checks

    _project_checks(ctx, typed, rows, hm, errors)
    items = []
    for i, r in enumerate(rows):
        code, kind = typed["code"][i], typed["kind"][i]
        if code is None or kind is None:
            continue
        planned = typed["planned_on"][i] if "planned_on" in typed else None
        done = typed["done_on"][i] if "done_on" in typed else None
        status = typed["status"][i] if "status" in typed else None
        if status is None:
            status = "done" if done is not None else "not_started"
        if done is not None and status in ("not_started", "in_progress"):
            errors.append(_err(r, _column(hm, "approvals", "status"), enum_label("approval_status", status),
                               "imp_approval_done_status"))
            continue
        vals = {"status": status}
        if "planned_on" in typed:
            vals["planned_on"] = planned
        if "done_on" in typed:
            vals["done_on"] = done
        if "unit" in typed:
            vals["unit"] = typed["unit"][i]
        items.append(Item(r, f"{code} / {kind}", [Op("approvals", (code, kind), vals)]))
    return items


def _build_events(ctx, typed, rows, hm, errors, warnings):
    from lib.intake.importer import Item, Op, _project_checks

    _project_checks(ctx, typed, rows, hm, errors)
    items = []
    for i, r in enumerate(rows):
        name, code = typed["name"][i], typed["code"][i]
        if name is None or code is None or typed["held_on"][i] is None or typed["type"][i] is None:
            continue
        items.append(Item(r, f"{name} / {code}", [
            Op("project_events", (name, code), {"held_on": typed["held_on"][i], "type": typed["type"][i]})]))
    return items


def approval_ops(code: str, project_values: dict) -> list:
    """Ops writing the 手续 rows that the six old approval columns of a projects file give (status
    only; dates stay as they are)."""
    from lib.intake.importer import Op

    ops = []
    for field, kind in OLD_APPROVAL_KIND.items():
        value = project_values.get(field)
        if value is not None:
            ops.append(Op("approvals", (code, kind), {"status": OLD_APPROVAL_STATUS[value]}))
    return ops


_MODULE = "lib.intake.pipeline_kinds"
register(UploadKind(
    "approvals", "前期手续", "Approvals", APPROVAL_COLUMNS, ("code", "kind"), "项目代码 + 手续", ("approvals",),
    f"{_MODULE}:_build_approvals", aliases=_ALIASES, defaults={"approvals": {"status": "not_started"}}))
register(UploadKind(
    "events", "集中活动", "Events", EVENT_COLUMNS, ("name", "code"), "活动名称 + 项目代码", ("project_events",),
    f"{_MODULE}:_build_events", aliases=_ALIASES))
