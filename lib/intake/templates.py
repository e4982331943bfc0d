"""Upload templates: the downloadable .xlsx / .csv templates of every upload kind, built from the
upload-kind registry (lib.intake.kinds: columns, key, sheet title; DESIGN.md "Upload templates").

The 填表说明 sheet, the header comments and the dropdown hints are i18n texts (``tpl_*``) in the
template's language; the Chinese words here (dropdown values, the 示例 mark, the sheet names, the
reference columns' headers) are the data contract the parser reads back.
"""
from __future__ import annotations

import datetime as dt
import io
from typing import Any

from lib.access.scope import of as region_scope
from lib.i18n import ENUMS, TEXT, t
from lib.intake import kinds
from lib.intake.kinds import Col  # re-exported

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
for _kind, _labels in ENUMS.items():  # every other enumeration offers its Chinese words
    DROPDOWN.setdefault(_kind, [v[0] for v in _labels.values()])

# Read-only views of the upload-kind registry (lib.intake.kinds) for readers that index by kind.
KINDS = kinds.names()
COLUMNS = kinds.view(lambda k: list(k.columns))
TITLES = kinds.view(lambda k: (k.title_zh, k.title_en))
KEYS_ZH = kinds.view(lambda k: k.key_zh)
EXAMPLE_MARK = "示例"  # the example row's first cell starts with this; the parser skips such rows
NOTES_SHEET = "填表说明"


def columns(kind: str) -> list[Col]:
    return list(kinds.get(kind).columns)


def title(kind: str, lang: str = "zh") -> str:
    return kinds.get(kind).title(lang)


def _example_row(kind: str) -> list[Any]:
    row = [c.example for c in columns(kind)]
    first = row[0]
    row[0] = f"{EXAMPLE_MARK}:{'' if first is None else first}"
    return row


def type_label(c: Col, lang: str = "zh") -> str:
    """What a column holds, as the 填表说明 says it (i18n ``tpl_type_<type>``)."""
    return t(f"tpl_type_{c.type}", lang) if f"tpl_type_{c.type}" in TEXT else c.type


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
        .where(ProjectYear.year == year, ProjectYear.library == "annual", region_scope(region_code).where(Project.region_code))
        .order_by(Project.code)
    )
    projects = list(session.execute(q))
    last: dict[str, tuple] = {}
    if projects:
        latest = (
            select(MonthlyReport.project_code, func.max(MonthlyReport.period).label("period"))
            .join(Project, Project.code == MonthlyReport.project_code)
            .where(region_scope(region_code).where(Project.region_code), MonthlyReport.period < period)
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
        for c in columns("monthly"):
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
    ws.title = kinds.get(kind).sheet_title
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
        cell.comment = Comment((c.help_text(lang) or c.zh)
                               + (t("tpl_comment_required", lang) if c.required else ""), t("tpl_author", lang))
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
                                showErrorMessage=True, errorTitle=t("tpl_dv_title", lang),
                                error=t("tpl_dv_choose", lang, choices="/".join(DROPDOWN[c.enum])))
            dv.add(ref)
            ws.add_data_validation(dv)
        elif c.type in ("money", "number"):
            dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                                showErrorMessage=True, errorTitle=t("tpl_dv_title", lang), error=t("tpl_dv_number", lang))
            dv.add(ref)
            ws.add_data_validation(dv)
        if c.type in ("code", "project", "period", "text", "tags"):
            for rr in range(2, 2 + len(rows)):
                ws.cell(row=rr, column=i).number_format = "@"

    notes = wb.create_sheet(NOTES_SHEET)
    spec = kinds.get(kind)
    notes.append([t("tpl_notes_title", lang, title=title(kind), title_en=title(kind, "en"))])
    notes.append([t("tpl_notes_intro", lang, row_key=spec.key_zh, row_key_en=" + ".join(spec.key))])
    notes.append([t(k, lang) for k in ("tpl_col_column", "tpl_col_key", "tpl_col_required", "tpl_col_type",
                                       "tpl_col_values", "tpl_col_help")])
    notes["A1"].font = Font(bold=True, size=14)
    for cell in notes[3]:
        cell.font = Font(bold=True)
        cell.fill = opt_fill
    for c in cols:
        req = t("tpl_reference" if c.info else ("tpl_required" if c.required else "tpl_optional"), lang)
        notes.append([c.zh, c.key, req, type_label(c, lang), "/".join(DROPDOWN[c.enum]) if c.enum else "",
                      c.help_text(lang)])
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
