"""Upload templates: the single source of every kind's columns (DESIGN.md "Upload templates"),
and the downloadable .xlsx / .csv templates built from them.

``COLUMNS[kind]`` is read by the parser (header recognition), the importer (types, required
columns, enumerations) and the template writer (headers, dropdowns, 填表说明).
"""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from lib.i18n import ENUMS

KINDS = ("regions", "projects", "monthly", "plans", "targets", "stats", "problems")

# Column types: text, code (a key text), region (name or code), project (project code reference),
# money (万元, ≥ 0), number (≥ 0), pct (percent, may be negative), int, year, period, date, bool,
# enum (``enum`` names lib.i18n.ENUMS kind), tags (';'-separated), id (problem id, integer).


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


# The words offered in dropdowns (DESIGN.md spells some shorter than lib.i18n.ENUMS; both accepted).
DROPDOWN: dict[str, list[str]] = {
    "region_kind": ["县", "区", "市", "开发区", "园区"],
    "library": ["储备", "年度建设"],
    "nature": [v[0] for v in ENUMS["nature"].values()],
    "level": [v[0] for v in ENUMS["level"].values()],
    "approval": [v[0] for v in ENUMS["approval"].values()],
    "problem_category": [v[0] for v in ENUMS["problem_category"].values()],
    "problem_level": [v[0] for v in ENUMS["problem_level"].values()],
    "problem_status": [v[0] for v in ENUMS["problem_status"].values()],
    "bool": ["是", "否"],
}

_APPROVAL = [
    ("立项", "approval_project"), ("用地", "approval_land"), ("规划", "approval_planning"),
    ("环评", "approval_eia"), ("能评", "approval_energy"), ("施工许可", "approval_construction"),
]

COLUMNS: dict[str, list[Col]] = {
    "regions": [
        Col("县区代码", "code", True, "code", help="县区的唯一代码,如行政区划代码 532901", help_en="Unique county code", example="532901"),
        Col("县区名称", "name", True, "text", help="县区全称", help_en="County name", example="大理市"),
        Col("类型", "kind", False, "enum", "region_kind", help="县/区/市/开发区/园区,空白按「县」", help_en="County/district/city/park", example="市"),
        Col("排序", "display_order", False, "int", help="显示顺序,整数,越小越靠前", help_en="Display order (integer)", example=1),
        Col("经度", "lon", False, "pct", help="中心点经度(WGS-84),如 100.23", help_en="Centroid longitude", example=100.23),
        Col("纬度", "lat", False, "pct", help="中心点纬度(WGS-84),如 25.59", help_en="Centroid latitude", example=25.59),
    ],
    "projects": [
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
    ],
    "monthly": [
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
    ],
    "plans": [
        Col("项目代码", "code", True, "project", help="与项目清单中的项目代码一致", help_en="Project code", example="2203-532901-04-01-000001"),
        Col("年度", "year", True, "year", help="如 2022", help_en="Year", example=2022),
    ] + [
        Col(f"{m}月", f"m{m}", False, "money", help=f"截至{m}月末计划累计完成投资,万元", help_en=f"Planned cumulative completion by end of month {m}", example=250 * m)
        for m in range(1, 13)
    ],
    "targets": [
        Col("县区", "region", True, "region", help="县区名称或县区代码", help_en="County name or code", example="大理市"),
        Col("年度", "year", True, "year", help="如 2022", help_en="Year", example=2022),
        Col("固投增速目标(%)", "growth_target", True, "pct", help="百分数,如 10 表示增长10%", help_en="FAI growth target in percent", example=10),
    ],
    "stats": [
        Col("县区", "region", True, "region", help="县区名称或县区代码", help_en="County name or code", example="大理市"),
        Col("报告期", "period", True, "period", help="年-月,如 2022-10", help_en="Period YYYY-MM", example="2022-10"),
        Col("固投累计增速(%)", "growth", True, "pct", help="百分数,可为负数,如 -3.5", help_en="FAI cumulative growth in percent (may be negative)", example=8.6),
    ],
    "problems": [
        Col("问题编号", "id", False, "id", help="新问题留空(系统自动编号);修改已有问题时填写系统中的编号", help_en="Blank for a new problem; the system id to update one", example=None),
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
    ],
}

TITLES = {
    "regions": ("县区", "Regions"), "projects": ("项目清单", "Projects"), "monthly": ("月报", "Monthly report"),
    "plans": ("月度计划", "Monthly plans"), "targets": ("县区目标", "Targets"), "stats": ("县区统计", "Region stats"),
    "problems": ("问题清单", "Problems"),
}
KEYS_ZH = {
    "regions": "县区代码", "projects": "项目代码 + 年度", "monthly": "项目代码 + 报告期",
    "plans": "项目代码 + 年度", "targets": "县区 + 年度", "stats": "县区 + 报告期", "problems": "问题编号(空白 = 新问题)",
}
EXAMPLE_MARK = "示例"  # the example row's first cell starts with this; the parser skips such rows
NOTES_SHEET = "填表说明"


def columns(kind: str) -> list[Col]:
    if kind not in COLUMNS:
        raise KeyError(kind)
    return COLUMNS[kind]


def title(kind: str, lang: str = "zh") -> str:
    return TITLES[kind][1 if lang == "en" else 0]


def _example_row(kind: str) -> list[Any]:
    row = [c.example for c in COLUMNS[kind]]
    first = row[0]
    row[0] = f"{EXAMPLE_MARK}:{'' if first is None else first}"
    return row


def _type_zh(c: Col) -> str:
    return {
        "text": "文字", "code": "文字(唯一)", "region": "县区名称或代码", "project": "项目代码",
        "money": "数字(万元,≥0)", "number": "数字(≥0)", "pct": "数字(可为负)", "int": "整数", "year": "年份",
        "period": "年-月", "date": "日期", "bool": "是/否", "enum": "下拉选择", "tags": "文字(;分隔)",
        "id": "整数",
    }.get(c.type, c.type)


# Side columns of the prefilled monthly template: the project's last reported figures, for reading
# (the parser ignores any header holding 仅供参考). (zh header, en header, MonthlyReport field)
REFERENCE_COLUMNS = (
    ("上次填报期(仅供参考)", "Last period reported (仅供参考)", "period"),
    ("上次本年累计完成投资(万元)(仅供参考)", "Last year-to-date completed (仅供参考)", "ytd_completed"),
    ("上次本月完成投资(万元)(仅供参考)", "Last month completed (仅供参考)", "month_completed"),
)


def _prefill_monthly(session, region_code: str, period: str) -> list[list[Any]]:
    """The county's annual projects of ``period``'s year, one row each: the key columns filled,
    the figures blank, then the REFERENCE_COLUMNS (the latest report before ``period``)."""
    from sqlalchemy import func, select

    from lib.periods import parse_period
    from lib.store.models import MonthlyReport, Project, ProjectYear

    period = parse_period(period)
    year = int(period[:4])
    q = (
        select(Project.code, Project.name)
        .join(ProjectYear, ProjectYear.project_code == Project.code)
        .where(ProjectYear.year == year, ProjectYear.library == "annual", Project.region_code == region_code)
        .order_by(Project.code)
    )
    projects = list(session.execute(q))
    last: dict[str, tuple] = {}
    if projects:
        latest = (
            select(MonthlyReport.project_code, func.max(MonthlyReport.period).label("period"))
            .join(Project, Project.code == MonthlyReport.project_code)
            .where(Project.region_code == region_code, MonthlyReport.period < period)
            .group_by(MonthlyReport.project_code)
            .subquery()
        )
        for code, p, ytd, month in session.execute(
                select(MonthlyReport.project_code, MonthlyReport.period, MonthlyReport.ytd_completed,
                       MonthlyReport.month_completed)
                .join(latest, (latest.c.project_code == MonthlyReport.project_code)
                      & (latest.c.period == MonthlyReport.period))):
            last[code] = (p, ytd, month)
    rows = []
    for code, name in projects:
        r: list[Any] = []
        for c in COLUMNS["monthly"]:
            r.append({"code": code, "name": name, "period": period}.get(c.key))
        r.extend(last.get(code, (None, None, None)))
        rows.append(r)
    return rows


def _safe_cell(v: Any) -> Any:
    """A stored value as a template cell: control characters (which openpyxl refuses) removed."""
    from lib.outputs.excel import strip_control

    return strip_control(v)


def template_xlsx(kind: str, lang: str = "zh", session=None, region_code: str | None = None,
                  period: str | None = None) -> bytes:
    """The .xlsx template of ``kind``: a data sheet (styled header, dropdowns for every enumeration,
    an example row, or — for monthly with session+region+period — the county's annual projects
    prefilled) and a 填表说明 sheet explaining every column."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    cols = columns(kind)
    prefilled = kind == "monthly" and session is not None and region_code and period
    wb = Workbook()
    ws = wb.active
    ws.title = title(kind, "zh")
    ws.append([c.header(lang) for c in cols]
              + ([h_en if lang == "en" else h for h, h_en, _ in REFERENCE_COLUMNS] if prefilled else []))
    req_fill = PatternFill("solid", fgColor="FCE4D6")
    opt_fill = PatternFill("solid", fgColor="DDEBF7")
    info_fill = PatternFill("solid", fgColor="EDEDED")
    for i, c in enumerate(cols, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font = Font(bold=True, color="9C0006" if c.required else "1F3864")
        cell.fill = info_fill if c.info else (req_fill if c.required else opt_fill)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.comment = Comment(((c.help_en if lang == "en" else c.help) or c.zh)
                               + ("(必填)" if c.required and lang != "en" else (" (required)" if c.required else "")),
                               "攻坚驾驶舱")
        ws.column_dimensions[get_column_letter(i)].width = max(10, min(30, len(c.header(lang)) * 2 + 4))
    ws.freeze_panes = "A2"
    ws.row_dimensions[1].height = 30

    rows: list[list[Any]]
    if prefilled:
        rows = _prefill_monthly(session, region_code, period)
        ref_fill = PatternFill("solid", fgColor="F2F2F2")
        for j in range(len(REFERENCE_COLUMNS)):
            cell = ws.cell(row=1, column=len(cols) + 1 + j)
            cell.font = Font(italic=True, color="595959")
            cell.fill = ref_fill
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            ws.column_dimensions[get_column_letter(len(cols) + 1 + j)].width = 18
    else:
        rows = [_example_row(kind)]
    for r in rows:
        ws.append([_safe_cell(v) for v in r])
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str):  # stored text, never a formula, even if it starts with =
                cell.data_type = "s"
                cell.quotePrefix = True
    if not prefilled:
        for i in range(1, len(cols) + 1):
            ws.cell(row=2, column=i).font = Font(italic=True, color="808080")

    last = 2000 + len(rows)
    for i, c in enumerate(cols, start=1):
        letter = get_column_letter(i)
        ref = f"{letter}2:{letter}{last}"
        if c.enum:
            dv = DataValidation(type="list", formula1='"' + ",".join(DROPDOWN[c.enum]) + '"', allow_blank=True,
                                showErrorMessage=True, errorTitle="输入有误",
                                error="请从下拉列表中选择:" + "/".join(DROPDOWN[c.enum]))
            dv.add(ref)
            ws.add_data_validation(dv)
        elif c.type in ("money", "number"):
            dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                                showErrorMessage=True, errorTitle="输入有误", error="请输入不小于0的数字(万元)")
            dv.add(ref)
            ws.add_data_validation(dv)
        if c.type in ("code", "project", "period", "text", "tags"):
            for rr in range(2, 2 + len(rows)):
                ws.cell(row=rr, column=i).number_format = "@"

    notes = wb.create_sheet(NOTES_SHEET)
    if lang == "en":
        notes.append([f"{title(kind, 'en')} template — how to fill"])
        notes.append(["Key: " + KEYS_ZH[kind] + ". One row per key; a file is all-or-nothing. "
                      "Rows whose first cell starts with 示例 are examples and are skipped. Blank lines and 合计 rows are ignored."])
        notes.append(["Column", "Key", "Required", "Type", "Allowed values", "Explanation"])
    else:
        notes.append([f"{title(kind)}模板 填表说明"])
        notes.append([f"唯一键:{KEYS_ZH[kind]}。同一键只填一行;文件中任何一处错误都会整表不导入,并逐条列出错误。"
                      "第一格以「示例」开头的行是示例,导入时跳过;空行和「合计」行自动忽略。"
                      "金额单位为万元,可带千分位逗号;日期可写 2022-03-15、2022/3/15、2022-03、2022年3月;是/否 也可写 1/0。"])
        notes.append(["列名", "英文键", "是否必填", "类型", "可选值", "说明"])
    notes["A1"].font = Font(bold=True, size=14)
    for cell in notes[3]:
        cell.font = Font(bold=True)
        cell.fill = opt_fill
    for c in cols:
        req = ("required" if lang == "en" else "必填") if c.required else ("optional" if lang == "en" else "选填")
        if c.info:
            req = "reference only" if lang == "en" else "仅供核对"
        notes.append([c.zh, c.key, req, _type_zh(c), "/".join(DROPDOWN[c.enum]) if c.enum else "",
                      c.help_en if lang == "en" else c.help])
    for letter, width in zip("ABCDEF", (26, 22, 10, 16, 40, 60)):
        notes.column_dimensions[letter].width = width
    notes["A2"].alignment = Alignment(wrap_text=True, vertical="top")
    notes.merge_cells("A2:F2")
    notes.row_dimensions[2].height = 60

    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _csv_cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, dt.date):
        return v.isoformat()
    s = str(v)
    if any(ch in s for ch in ',"\n\r'):
        s = '"' + s.replace('"', '""') + '"'
    return s


def template_csv(kind: str, lang: str = "zh") -> bytes:
    """The CSV template of ``kind`` (UTF-8 with BOM so Excel/WPS open it): header + example row."""
    cols = columns(kind)
    lines = [",".join(_csv_cell(c.header(lang)) for c in cols), ",".join(_csv_cell(v) for v in _example_row(kind))]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def rows_csv(kind: str, rows: list[dict[str, Any]], encoding: str = "utf-8-sig", lang: str = "zh") -> bytes:
    """A filled CSV of ``kind`` from dicts keyed by the English column keys (tests, demo, exports)."""
    cols = columns(kind)
    lines = [",".join(_csv_cell(c.header(lang)) for c in cols)]
    for r in rows:
        lines.append(",".join(_csv_cell(r.get(c.key)) for c in cols))
    return ("\r\n".join(lines) + "\r\n").encode(encoding)
