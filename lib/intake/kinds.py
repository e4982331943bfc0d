"""The upload-kind registry: one entry per kind of upload (regions, projects, monthly, plans,
targets, stats, problems) holding every fact about it in one place.

An ``UploadKind`` says: its template columns (``Col``: header, English key, required, type, enum,
help texts, example), the columns forming its row key, the store tables it writes (parents
first), the permission an account needs to upload it (``lib.access``), its row builder (the
function turning typed rows into store rows, named ``"module:function"`` and resolved on use, so
a builder may live beside the kind without an import cycle), extra header spellings accepted on
upload, and the title of its template's data sheet.

Everything else reads this registry: the template writer (lib.intake.templates), the parser's
header recognition (lib.intake.parsing), the importer (permission, key, builder, write order),
the CLI's ``import KIND`` choices and the upload page's kind list. A new kind is one ``register``
call here (or in its own module) plus its row builder.

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
    help: str = ""
    help_en: str = ""
    example: Any = None
    info: bool = False  # informational (prefilled for reading; ignored on import)

    def header(self, lang: str = "zh") -> str:
        return self.key if lang == "en" else self.zh


_APPROVAL = [
    ("立项", "approval_project"), ("用地", "approval_land"), ("规划", "approval_planning"),
    ("环评", "approval_eia"), ("能评", "approval_energy"), ("施工许可", "approval_construction"),
]

_REGIONS_COLUMNS = [
    Col("县区代码", "code", True, "code", help="县区的唯一代码,如行政区划代码 532901", help_en="Unique county code", example="532901"),
    Col("县区名称", "name", True, "text", help="县区全称", help_en="County name", example="大理市"),
    Col("类型", "kind", False, "enum", "region_kind", help="县/区/市/开发区/园区,空白按「县」", help_en="County/district/city/park", example="市"),
    Col("排序", "display_order", False, "int", help="显示顺序,整数,越小越靠前", help_en="Display order (integer)", example=1),
    Col("经度", "lon", False, "pct", help="中心点经度(WGS-84),如 100.23", help_en="Centroid longitude", example=100.23),
    Col("纬度", "lat", False, "pct", help="中心点纬度(WGS-84),如 25.59", help_en="Centroid latitude", example=25.59),
]

_PROJECTS_COLUMNS = [
    Col("项目代码", "code", True, "code", help="全国投资项目在线审批监管平台代码(24位);没有的填任一唯一编号", help_en="Project code (unique)", example="2203-532901-04-01-000001"),
    Col("项目名称", "name", True, "text", help="项目全称", help_en="Project name", example="大理市示例道路改扩建工程"),
    Col("县区", "region", True, "region", help="县区名称或县区代码", help_en="County name or code", example="大理市"),
    Col("年度", "year", True, "year", help="该行所属的年度,如 2022", help_en="Year", example=2022),
    Col("项目库", "library", True, "enum", "library", help="储备 或 年度建设", help_en="reserve / annual", example="年度建设"),
    Col("建设性质", "nature", False, "enum", "nature", help="新开工 或 续建;年度建设项目必填", help_en="new / continuing (required for annual)", example="新开工"),
    Col("重点级别", "level", False, "enum", "level", help="省重点/市重点/县重点/一般", help_en="Key level", example="市重点"),
    Col("行业领域", "sector", True, "text", help="如 交通、能源、水利、产业、社会民生(自由填写)", help_en="Sector (free text)", example="交通"),
    Col("产业类", "industrial", False, "bool", "bool", help="是 或 否", help_en="Industrial project (yes/no)", example="否"),
    Col("标签", "tags", False, "tags", help="多个标签用英文分号 ; 分隔,如 六新;两新一重;招商引资", help_en="Tags separated by ;", example="两新一重"),
    Col("总投资(万元)", "total_investment", True, "money", help="万元,可带千分位逗号", help_en="Total investment (10k CNY)", example=12000),
    Col("年度计划投资(万元)", "annual_plan", False, "money", help="万元;年度建设项目必填", help_en="Annual plan (10k CNY), required for annual", example=3000),
    Col("计划开工", "planned_start", False, "date", help="日期,如 2022-03-15、2022/3/15、2022-03 或 2022年3月", help_en="Planned start date", example="2022-03"),
    Col("计划竣工", "planned_end", False, "date", help="日期", help_en="Planned completion date", example="2023-12"),
    Col("实际开工", "actual_start", False, "date", help="日期;未开工留空", help_en="Actual start date", example=None),
    Col("实际竣工", "actual_end", False, "date", help="日期;未竣工留空", help_en="Actual completion date", example=None),
    Col("项目来源", "source", False, "enum", "project_source", help="政府投资/企业投资/招商引资", help_en="government / enterprise / investment attraction", example="招商引资"),
    Col("签约日期", "signed_on", False, "date", help="招商引资项目的签约日期", help_en="Date signed (investment attraction)", example="2022-02-25"),
    Col("计划投产", "planned_operation", False, "date", help="计划投产日期", help_en="Planned start of operation", example="2024-06"),
    Col("实际投产", "actual_operation", False, "date", help="实际投产日期;未投产留空", help_en="Actual start of operation", example=None),
    Col("责任单位", "unit", False, "text", help="牵头责任单位", help_en="Responsible unit", example="大理市交通运输局"),
    Col("包联领导", "leader", False, "text", help="包联领导姓名及职务", help_en="Liaison leader", example="张三"),
    Col("项目业主", "owner", False, "text", help="项目业主单位", help_en="Owner", example="大理市城投公司"),
    Col("经度", "lon", False, "pct", help="项目位置经度(WGS-84)", help_en="Longitude (WGS-84)", example=100.25),
    Col("纬度", "lat", False, "pct", help="项目位置纬度(WGS-84)", help_en="Latitude (WGS-84)", example=25.6),
    Col("中央预算内资金(万元)", "central_budget", False, "money", help="已下达的中央预算内资金,万元", help_en="Central budget funds allocated", example=None),
    Col("专项债资金(万元)", "special_bond", False, "money", help="已下达的专项债资金,万元", help_en="Special bond funds allocated", example=1000),
    Col("国债资金(万元)", "treasury_bond", False, "money", help="已下达的国债资金,万元", help_en="Treasury bond funds allocated", example=None),
] + [
    Col(zh, key, False, "enum", "approval", help="已办结/办理中/未启动/不涉及", help_en="done / in progress / not started / n/a", example="已办结" if key == "approval_project" else "办理中")
    for zh, key in _APPROVAL
]

_MONTHLY_COLUMNS = [
    Col("项目代码", "code", True, "project", help="与项目清单中的项目代码一致", help_en="Project code as in the project list", example="2203-532901-04-01-000001"),
    Col("项目名称", "name", False, "text", info=True, help="仅供核对,导入时不读取", help_en="For reference only; not imported", example="大理市示例道路改扩建工程"),
    Col("报告期", "period", True, "period", help="年-月,如 2022-10 或 2022年10月", help_en="Period YYYY-MM", example="2022-10"),
    Col("本年累计完成投资(万元)", "ytd_completed", True, "money", help="1月至报告期末累计完成投资,万元", help_en="Year-to-date completed investment", example=2100),
    Col("本月完成投资(万元)", "month_completed", False, "money", help="当月完成投资,万元;应等于本月与上月累计数之差", help_en="Completed this month", example=300),
    Col("是否开工", "started", False, "bool", "bool", help="是 或 否", help_en="Started (yes/no)", example="是"),
    Col("实际开工日期", "actual_start", False, "date", help="日期;已开工的填写", help_en="Actual start date", example="2022-04-10"),
    Col("是否入库纳统", "in_stats", False, "bool", "bool", help="是 或 否", help_en="In statistics (yes/no)", example="是"),
    Col("中央预算内已支付(万元)", "central_budget_paid", False, "money", help="累计已支付,万元", help_en="Central budget paid (cumulative)", example=None),
    Col("专项债已支付(万元)", "special_bond_paid", False, "money", help="累计已支付,万元", help_en="Special bonds paid (cumulative)", example=600),
    Col("国债已支付(万元)", "treasury_bond_paid", False, "money", help="累计已支付,万元", help_en="Treasury bonds paid (cumulative)", example=None),
    Col("形象进度", "progress_text", False, "text", help="简要文字", help_en="Physical progress (text)", example="路基完成60%"),
    Col("偏差说明", "variance_note", False, "text", help="滞后序时进度10个百分点以上时必须说明原因", help_en="Variance note (required when lagging > 10 points)", example=None),
    Col("填报人", "reporter", False, "text", help="填报人姓名", help_en="Reporter", example="李四"),
]

_PLANS_COLUMNS = [
    Col("项目代码", "code", True, "project", help="与项目清单中的项目代码一致", help_en="Project code", example="2203-532901-04-01-000001"),
    Col("年度", "year", True, "year", help="如 2022", help_en="Year", example=2022),
] + [
    Col(f"{m}月", f"m{m}", False, "money", help=f"截至{m}月末计划累计完成投资,万元", help_en=f"Planned cumulative completion by end of month {m}", example=250 * m)
    for m in range(1, 13)
]

_TARGETS_COLUMNS = [
    Col("县区", "region", True, "region", help="县区名称或县区代码", help_en="County name or code", example="大理市"),
    Col("年度", "year", True, "year", help="如 2022", help_en="Year", example=2022),
    Col("固投增速目标(%)", "growth_target", True, "pct", help="百分数,如 10 表示增长10%", help_en="FAI growth target in percent", example=10),
]

_STATS_COLUMNS = [
    Col("县区", "region", True, "region", help="县区名称或县区代码", help_en="County name or code", example="大理市"),
    Col("报告期", "period", True, "period", help="年-月,如 2022-10", help_en="Period YYYY-MM", example="2022-10"),
    Col("固投累计增速(%)", "growth", True, "pct", help="百分数,可为负数,如 -3.5", help_en="FAI cumulative growth in percent (may be negative)", example=8.6),
]

_PROBLEMS_COLUMNS = [
    Col("问题编号", "id", False, "ref", help="贵单位问题台账中的编号,如 DL-2022-015,最多40个字符,原样保存;同一编号再次导入即更新该问题;留空由系统编号(如 Q-000123)", help_en="Your ledger's own number (up to 40 characters, kept exactly; the key on re-import); blank: a system number such as Q-000123", example="DL-2022-015"),
    Col("项目代码", "code", True, "project", help="问题所属项目代码", help_en="Project code", example="2203-532901-04-01-000001"),
    Col("问题类型", "category", True, "enum", "problem_category", help="用地/征地拆迁/规划/环评/能评/资金/审批手续/水电气配套/施工/其他", help_en="Category", example="征地拆迁"),
    Col("问题描述", "description", True, "text", help="问题的具体情况", help_en="Description", example="K3+200段征地尚未完成"),
    Col("提出日期", "raised_on", True, "date", help="日期", help_en="Date raised", example="2022-05-10"),
    Col("协调层级", "level", False, "enum", "problem_level", help="县级/市级/省级,空白按县级", help_en="Coordination level", example="县级"),
    Col("责任单位", "unit", False, "text", help="五到位之一;已交办及以后必填", help_en="Responsible unit (required from 已交办)", example="大理市自然资源局"),
    Col("责任领导", "leader", False, "text", help="五到位之一;已交办及以后必填", help_en="Responsible leader", example="王五"),
    Col("责任人", "person", False, "text", help="五到位之一;已交办及以后必填", help_en="Responsible person", example="赵六"),
    Col("解决措施", "measures", False, "text", help="五到位之一;已交办及以后必填", help_en="Measures", example="6月底前完成征地补偿"),
    Col("解决时限", "deadline", False, "date", help="五到位之一;已交办及以后必填", help_en="Deadline", example="2022-06-30"),
    Col("状态", "status", False, "enum", "problem_status", help="待交办/已交办/办理中/申请销号/已销号,空白按待交办;已销号由项目办确认", help_en="Status", example="已交办"),
    Col("办结日期", "closed_on", False, "date", help="已销号时必填", help_en="Closed on (required for 已销号)", example=None),
    Col("企业满意", "satisfied", False, "bool", "bool", help="是 或 否;已销号时必须为「是」", help_en="Owner satisfied (yes required to close)", example=None),
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
