"""The upload-kind registry: one entry per kind of upload (regions, projects, monthly, plans,
targets, stats, problems) holding every fact about it in one place.

An ``UploadKind`` says: its template columns (``Col``: header, English key, required, type, enum,
the i18n key of its explanation, example), the columns forming its row key, the store tables it writes (parents
first), the permission an account needs to upload it (``lib.access``), its row builder (the
function turning typed rows into store rows, named ``"module:function"`` and resolved on use, so
a builder may live beside the kind without an import cycle), extra header spellings accepted on
upload, and the title of its template's data sheet.

Everything else reads this registry: the template writer (lib.intake.templates), the parser's
header recognition (lib.intake.parsing), the importer (permission, key, builder, write order),
the CLI's ``import KIND`` choices and the upload page's kind list. A new kind is one ``register``
call here (or in its own module) plus its row builder, and the explanation of each column as an
i18n text (``col_<kind>_<key>`` in lib/i18n/intake.py).

The Chinese here is the templates' data contract: column headers (DESIGN.md), accepted header
spellings, example cell values and the kinds' titles (with their English twins).

Column types: text, code (a key text), region (name or code), project (project code reference),
money (万元, ≥ 0), number (≥ 0), pct (may be negative), int, year, period, date, bool,
enum (``enum`` names a lib.i18n.ENUMS kind), tags (';'-separated), ref (the office's own
problem number: text up to 40 characters, kept exactly).
"""
from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Col:
    zh: str
    key: str
    required: bool = False
    type: str = "text"
    enum: str | None = None
    help: str = ""  # the i18n key of the column's explanation (填表说明, the header's comment)
    example: Any = None
    info: bool = False  # informational (prefilled for reading; ignored on import)
    help_params: tuple[tuple[str, Any], ...] = ()  # parameters of the explanation

    def header(self, lang: str = "zh") -> str:
        return self.key if lang == "en" else self.zh

    def help_text(self, lang: str = "zh") -> str:
        """The column's explanation in ``lang`` ("" when it has none)."""
        from lib.i18n import t

        return t(self.help, lang, **dict(self.help_params)) if self.help else ""


_APPROVAL = [
    ("立项", "approval_project"), ("用地", "approval_land"), ("规划", "approval_planning"),
    ("环评", "approval_eia"), ("能评", "approval_energy"), ("施工许可", "approval_construction"),
]

_REGIONS_COLUMNS = [
    Col("县区代码", "code", True, "code", help="col_regions_code", example="532901"),
    Col("县区名称", "name", True, "text", help="col_regions_name", example="大理市"),
    Col("类型", "kind", False, "enum", "region_kind", help="col_regions_kind", example="市"),
    Col("排序", "display_order", False, "int", help="col_regions_display_order", example=1),
    Col("经度", "lon", False, "pct", help="col_regions_lon", example=100.23),
    Col("纬度", "lat", False, "pct", help="col_regions_lat", example=25.59),
]

_PROJECTS_COLUMNS = [
    Col("项目代码", "code", True, "code", help="col_projects_code", example="2203-532901-04-01-000001"),
    Col("项目名称", "name", True, "text", help="col_projects_name", example="大理市示例道路改扩建工程"),
    Col("县区", "region", True, "region", help="col_projects_region", example="大理市"),
    Col("年度", "year", True, "year", help="col_projects_year", example=2022),
    Col("项目库", "library", True, "enum", "library", help="col_projects_library", example="年度建设"),
    Col("建设性质", "nature", False, "enum", "nature", help="col_projects_nature", example="新开工"),
    Col("重点级别", "level", False, "enum", "level", help="col_projects_level", example="市重点"),
    Col("行业领域", "sector", True, "text", help="col_projects_sector", example="交通"),
    Col("产业类", "industrial", False, "bool", "bool", help="col_projects_industrial", example="否"),
    Col("标签", "tags", False, "tags", help="col_projects_tags", example="两新一重"),
    Col("总投资(万元)", "total_investment", True, "money", help="col_projects_total_investment", example=12000),
    Col("年度计划投资(万元)", "annual_plan", False, "money", help="col_projects_annual_plan", example=3000),
    Col("计划开工", "planned_start", False, "date", help="col_projects_planned_start", example="2022-03"),
    Col("计划竣工", "planned_end", False, "date", help="col_projects_planned_end", example="2023-12"),
    Col("实际开工", "actual_start", False, "date", help="col_projects_actual_start", example=None),
    Col("实际竣工", "actual_end", False, "date", help="col_projects_actual_end", example=None),
    Col("项目来源", "source", False, "enum", "project_source", help="col_projects_source", example="招商引资"),
    Col("签约日期", "signed_on", False, "date", help="col_projects_signed_on", example="2022-02-25"),
    Col("计划投产", "planned_operation", False, "date", help="col_projects_planned_operation", example="2024-06"),
    Col("实际投产", "actual_operation", False, "date", help="col_projects_actual_operation", example=None),
    Col("责任单位", "unit", False, "text", help="col_projects_unit", example="大理市交通运输局"),
    Col("包联领导", "leader", False, "text", help="col_projects_leader", example="张三"),
    Col("项目业主", "owner", False, "text", help="col_projects_owner", example="大理市城投公司"),
    Col("经度", "lon", False, "pct", help="col_projects_lon", example=100.25),
    Col("纬度", "lat", False, "pct", help="col_projects_lat", example=25.6),
    Col("中央预算内资金(万元)", "central_budget", False, "money", help="col_projects_central_budget", example=None),
    Col("专项债资金(万元)", "special_bond", False, "money", help="col_projects_special_bond", example=1000),
    Col("国债资金(万元)", "treasury_bond", False, "money", help="col_projects_treasury_bond", example=None),
] + [
    Col(zh, key, False, "enum", "approval", help="col_projects_approval", example="已办结" if key == "approval_project" else "办理中")
    for zh, key in _APPROVAL
]

_MONTHLY_COLUMNS = [
    Col("项目代码", "code", True, "project", help="col_monthly_code", example="2203-532901-04-01-000001"),
    Col("项目名称", "name", False, "text", info=True, help="col_monthly_name", example="大理市示例道路改扩建工程"),
    Col("报告期", "period", True, "period", help="col_monthly_period", example="2022-10"),
    Col("本年累计完成投资(万元)", "ytd_completed", True, "money", help="col_monthly_ytd_completed", example=2100),
    Col("本月完成投资(万元)", "month_completed", False, "money", help="col_monthly_month_completed", example=300),
    Col("是否开工", "started", False, "bool", "bool", help="col_monthly_started", example="是"),
    Col("实际开工日期", "actual_start", False, "date", help="col_monthly_actual_start", example="2022-04-10"),
    Col("是否入库纳统", "in_stats", False, "bool", "bool", help="col_monthly_in_stats", example="是"),
    Col("中央预算内已支付(万元)", "central_budget_paid", False, "money", help="col_monthly_central_budget_paid", example=None),
    Col("专项债已支付(万元)", "special_bond_paid", False, "money", help="col_monthly_special_bond_paid", example=600),
    Col("国债已支付(万元)", "treasury_bond_paid", False, "money", help="col_monthly_treasury_bond_paid", example=None),
    Col("形象进度", "progress_text", False, "text", help="col_monthly_progress_text", example="路基完成60%"),
    Col("偏差说明", "variance_note", False, "text", help="col_monthly_variance_note", example=None),
    Col("填报人", "reporter", False, "text", help="col_monthly_reporter", example="李四"),
]

_PLANS_COLUMNS = [
    Col("项目代码", "code", True, "project", help="col_plans_code", example="2203-532901-04-01-000001"),
    Col("年度", "year", True, "year", help="col_plans_year", example=2022),
] + [
    Col(f"{m}月", f"m{m}", False, "money", help="col_plans_month", example=250 * m, help_params=(("m", m),))
    for m in range(1, 13)
]

_TARGETS_COLUMNS = [
    Col("县区", "region", True, "region", help="col_targets_region", example="大理市"),
    Col("年度", "year", True, "year", help="col_targets_year", example=2022),
    Col("固投增速目标(%)", "growth_target", True, "pct", help="col_targets_growth_target", example=10),
]

_STATS_COLUMNS = [
    Col("县区", "region", True, "region", help="col_stats_region", example="大理市"),
    Col("报告期", "period", True, "period", help="col_stats_period", example="2022-10"),
    Col("固投累计增速(%)", "growth", True, "pct", help="col_stats_growth", example=8.6),
]

_PROBLEMS_COLUMNS = [
    Col("问题编号", "id", False, "ref", help="col_problems_id", example="DL-2022-015"),
    Col("项目代码", "code", True, "project", help="col_problems_code", example="2203-532901-04-01-000001"),
    Col("问题类型", "category", True, "enum", "problem_category", help="col_problems_category", example="征地拆迁"),
    Col("问题描述", "description", True, "text", help="col_problems_description", example="K3+200段征地尚未完成"),
    Col("提出日期", "raised_on", True, "date", help="col_problems_raised_on", example="2022-05-10"),
    Col("协调层级", "level", False, "enum", "problem_level", help="col_problems_level", example="县级"),
    Col("责任单位", "unit", False, "text", help="col_problems_unit", example="大理市自然资源局"),
    Col("责任领导", "leader", False, "text", help="col_problems_leader", example="王五"),
    Col("责任人", "person", False, "text", help="col_problems_person", example="赵六"),
    Col("解决措施", "measures", False, "text", help="col_problems_measures", example="6月底前完成征地补偿"),
    Col("解决时限", "deadline", False, "date", help="col_problems_deadline", example="2022-06-30"),
    Col("状态", "status", False, "enum", "problem_status", help="col_problems_status", example="已交办"),
    Col("办结日期", "closed_on", False, "date", help="col_problems_closed_on", example=None),
    Col("企业满意", "satisfied", False, "bool", "bool", help="col_problems_satisfied", example=None),
]


@dataclass(frozen=True)
class UploadKind:
    name: str
    title_zh: str
    title_en: str
    columns: tuple[Col, ...]
    key: tuple[str, ...]  # template column keys that identify a row
    key_zh: str  # the key as the 填表说明 explains it
    tables: tuple[str, ...]  # store tables written, parents first
    builder: str  # "module:function" (see lib.intake.importer for the signature)
    permission: str = "upload"  # lib.access permission needed to upload this kind
    aliases: tuple[tuple[str, str], ...] = ()  # extra accepted header spellings → column key
    sheet: str = ""  # the template's data sheet title (default: the Chinese title)
    defaults: dict[str, dict[str, Any]] = field(default_factory=dict)  # table → {field: default}

    def title(self, lang: str = "zh") -> str:
        return self.title_en if lang == "en" else self.title_zh

    @property
    def sheet_title(self) -> str:
        return self.sheet or self.title_zh

    def column(self, key: str) -> Col | None:
        return next((c for c in self.columns if c.key == key), None)

    @property
    def needs_regions(self) -> bool:
        return any(c.type == "region" for c in self.columns)

    def build(self) -> Callable:
        """The row builder: ``builder(ctx, typed, rows, header_map, errors, warnings) -> [Item]``."""
        module, _, func = self.builder.partition(":")
        return getattr(importlib.import_module(module), func)


REGISTRY: dict[str, UploadKind] = {}


def register(kind: UploadKind) -> UploadKind:
    """Add an upload kind (its name must be new)."""
    if kind.name in REGISTRY:
        raise ValueError(f"upload kind {kind.name!r} registered twice")
    if not set(kind.key) <= {c.key for c in kind.columns}:
        raise ValueError(f"upload kind {kind.name!r}: key {kind.key} not among its columns")
    REGISTRY[kind.name] = kind
    return kind


def get(name: str) -> UploadKind:
    return REGISTRY[name]


def names() -> tuple[str, ...]:
    return tuple(REGISTRY)


class view(Mapping):
    """A read-only {kind name: f(kind)} over the registry, current at every read."""

    def __init__(self, f: Callable[[UploadKind], Any]):
        self._f = f

    def __getitem__(self, name: str) -> Any:
        return self._f(REGISTRY[name])

    def __iter__(self) -> Iterator[str]:
        return iter(REGISTRY)

    def __len__(self) -> int:
        return len(REGISTRY)


def table_order() -> list[str]:
    """Every table an upload writes, parents first (the registry's order, then each kind's)."""
    out: list[str] = []
    for k in REGISTRY.values():
        out.extend(t for t in k.tables if t not in out)
    return out


_IMPORTER = "lib.intake.importer"
_REGION_ALIASES = tuple((n, "region") for n in ("县区名称", "县区代码", "县(市、区)", "县市区"))
_PROJECT_ALIASES = (("项目编码", "code"),)

register(UploadKind(
    "regions", "县区", "Regions", tuple(_REGIONS_COLUMNS), ("code",), "县区代码", ("regions",),
    f"{_IMPORTER}:_build_regions", permission="upload_regions",
    defaults={"regions": {"kind": "county", "display_order": 0}}))
register(UploadKind(
    "projects", "项目清单", "Projects", tuple(_PROJECTS_COLUMNS), ("code", "year"), "项目代码 + 年度",
    ("projects", "project_years"), f"{_IMPORTER}:_build_projects", aliases=_REGION_ALIASES,
    defaults={"projects": {"industrial": False}}))
register(UploadKind(
    "monthly", "月报", "Monthly report", tuple(_MONTHLY_COLUMNS), ("code", "period"), "项目代码 + 报告期",
    ("monthly_reports",), f"{_IMPORTER}:_build_monthly", aliases=_PROJECT_ALIASES))
register(UploadKind(
    "plans", "月度计划", "Monthly plans", tuple(_PLANS_COLUMNS), ("code", "year"), "项目代码 + 年度",
    ("monthly_plans",), f"{_IMPORTER}:_build_plans", aliases=_PROJECT_ALIASES))
register(UploadKind(
    "targets", "县区目标", "Targets", tuple(_TARGETS_COLUMNS), ("region", "year"), "县区 + 年度",
    ("region_targets",), f"{_IMPORTER}:_build_targets", permission="upload_regions", aliases=_REGION_ALIASES))
register(UploadKind(
    "stats", "县区统计", "Region stats", tuple(_STATS_COLUMNS), ("region", "period"), "县区 + 报告期",
    ("region_stats",), f"{_IMPORTER}:_build_stats", permission="upload_regions", aliases=_REGION_ALIASES))
register(UploadKind(
    "problems", "问题清单", "Problems", tuple(_PROBLEMS_COLUMNS), ("id",), "问题编号(空白 = 新问题)",
    ("problems",), f"{_IMPORTER}:_build_problems", aliases=_PROJECT_ALIASES,
    defaults={"problems": {"level": "county", "status": "pending", "supervise_count": 0}}))

# the pipeline's kinds (前期手续 approvals, 集中活动 events) are registered beside their rules
from lib.intake import pipeline_kinds  # noqa: E402, F401
