"""The printable 督办单 (supervision notice) as .docx, by responsible unit or county."""
from __future__ import annotations

import datetime as dt
import io

from sqlalchemy.orm import Session

from lib import periods
from lib.i18n import enum_label, t
from lib.outputs.excel import strip_control
from lib.problems.table import problem_table, urgency_order
from lib.problems.workflow import _parse_date_field, _today
from lib.store.models import (
    Region,
)

# --- 督办单 ----------------------------------------------------------------------------------

# font names of the printed notice (names of installed typefaces, not messages)
DUDAN_FONT = "仿宋"
DUDAN_HEAD_FONT = "黑体"
DUDAN_FALLBACK_FONTS = ("FangSong", "Noto Serif CJK SC", "Noto Sans CJK SC")


def _font(run, size_pt: float | None = None, bold: bool = False, east_asia: str = DUDAN_FONT) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = "Times New Roman"
    rpr = run._element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, rfonts)
    rfonts.set(qn("w:eastAsia"), east_asia)
    if size_pt:
        run.font.size = Pt(size_pt)
    run.bold = bold


_FULLWIDTH = str.maketrans({",": "\uff0c", ":": "\uff1a", ";": "\uff1b", "(": "\uff08", ")": "\uff09"})


def _fullwidth(text: str) -> str:
    """Chinese punctuation for the printed template text (user data is left as typed)."""
    return text.translate(_FULLWIDTH)


def dudan_number(as_of: dt.date, unit: str | None, region_code: str | None, lang: str = "zh") -> str:
    """A stable document number: 督〔YYYY〕MMDD-NN, NN from the recipient (same inputs, same number)."""
    import zlib

    seed = f"{unit or ''}|{region_code or ''}".encode("utf-8")
    return t("dd_number", lang, year=as_of.year, mmdd=f"{as_of:%m%d}", nn=f"{zlib.crc32(seed) % 100:02d}")


def dudan_docx(session: Session, as_of, unit: str | None = None, region_code: str | None = None,
               reply_days: int = 7, issuer: str | None = None, lang: str = "zh") -> bytes:
    """A printable 督办单 (Word) listing the problems overdue at ``as_of`` of one responsible unit
    and/or one county, with their 五到位 and days overdue, in ``lang`` (the issuer defaults to the
    campaign office, ``rpt_issuer``)."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    as_of = _parse_date_field(as_of, "as_of") or _today()
    df = problem_table(session, as_of=as_of, region_code=region_code)
    if unit:
        df = df[df["unit"].fillna("") == unit]
    df = urgency_order(df[df["overdue_days"].notna()])
    region_name, region_kind = None, None
    if region_code:
        r = session.get(Region, region_code)
        region_name, region_kind = (r.name, r.kind) if r else (region_code, None)
    issuer = issuer or t("rpt_issuer", lang)
    county_office = t("dd_to_park" if region_kind == "park" else "dd_to_county", lang, name=region_name)
    recipient = unit or (county_office if region_name else t("dd_to_all", lang))
    scope = unit or region_name or t("all_regions", lang)

    def date(d: dt.date) -> str:
        return periods.fmt_date(d, lang)

    doc = Document()
    styles = doc.styles
    normal = styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(12)
    rpr = normal.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, rfonts)
    rfonts.set(qn("w:eastAsia"), DUDAN_FONT)
    lang_el = rpr.find(qn("w:lang"))
    if lang_el is None:
        lang_el = rpr.makeelement(qn("w:lang"), {})
        rpr.append(lang_el)
    lang_el.set(qn("w:val"), "en-GB" if lang == "en" else "zh-CN")
    lang_el.set(qn("w:eastAsia"), "zh-CN")  # so a substitute font is a Simplified Chinese face
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.LANDSCAPE
    sec.page_width, sec.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin"):
        setattr(sec, side, Cm(2.0))
    sec.top_margin = sec.bottom_margin = Cm(1.8)

    def para(text: str = "", size: float = 14, bold: bool = False, align=None, font=DUDAN_FONT,
             space_after: float = 4):
        p = doc.add_paragraph()
        if align is not None:
            p.alignment = align
        p.paragraph_format.space_after = Pt(space_after)
        if text:
            text = strip_control(text)
            _font(p.add_run(_fullwidth(text) if lang == "zh" else text), size, bold, font)
        return p

    para(t("dd_title", lang), 22, True, WD_ALIGN_PARAGRAPH.CENTER, DUDAN_HEAD_FONT, 6)
    para(f"{dudan_number(as_of, unit, region_code, lang)}        {date(as_of)}", 12, False,
         WD_ALIGN_PARAGRAPH.CENTER, space_after=10)
    para(t("dd_salutation", lang, to=recipient), 14, True)
    reply_by = as_of + dt.timedelta(days=reply_days)
    if len(df):
        body = t("dd_body", lang, as_of=date(as_of), scope=scope, n=len(df),
                 days=int(df["overdue_days"].max()))
    else:
        body = t("dd_body_none", lang, as_of=date(as_of), scope=scope)
    p = para(body, 14)
    p.paragraph_format.first_line_indent = Pt(28)

    if len(df):
        headers = [t(k, lang) for k in ("dd_col_number", "dd_col_project", "pb_col_category", "pb_col_desc",
                                         "pb_col_unit", "pb_col_leader", "pb_col_person", "pb_col_measures",
                                         "pb_col_deadline", "dd_col_overdue", "pc_supervised")]
        widths = [2.2, 3.2, 1.9, 3.6, 2.6, 2.3, 1.6, 3.3, 2.4, 1.3, 1.3]
        table = doc.add_table(rows=1, cols=len(headers))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        for i, col in enumerate(table.columns):  # the grid widths are what LibreOffice/WPS honour
            col.width = Cm(widths[i])
        for i, h in enumerate(headers):
            cell = table.rows[0].cells[i]
            cell.width = Cm(widths[i])
            cp = cell.paragraphs[0]
            cp.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _font(cp.add_run(h), 10.5, True, DUDAN_HEAD_FONT)
        for r in df.itertuples(index=False):
            values = [str(r.problem_id), r.project_name or r.project_code,
                      enum_label("problem_category", r.category, lang), r.description or "", r.unit or "",
                      r.leader or "", r.person or "", r.measures or "",
                      date(r.deadline) if r.deadline else "", t("dd_days", lang, n=int(r.overdue_days)),
                      t("dd_times", lang, n=int(r.supervise_count))]
            cells = table.add_row().cells
            for i, v in enumerate(values):
                cells[i].width = Cm(widths[i])
                cp = cells[i].paragraphs[0]
                if i in (0, 8, 9, 10):
                    cp.alignment = WD_ALIGN_PARAGRAPH.CENTER
                _font(cp.add_run(strip_control(v)), 10.5)
        # repeat the header row on each printed page
        trpr = table.rows[0]._tr.get_or_add_trPr()
        trpr.append(trpr.makeelement(qn("w:tblHeader"), {qn("w:val"): "true"}))
    para("", 6)
    p = para(t("dd_reply", lang, by=date(reply_by), issuer=issuer), 14)
    p.paragraph_format.first_line_indent = Pt(28)
    para("", 10)
    para(t("dd_seal", lang, issuer=issuer), 14, False, WD_ALIGN_PARAGRAPH.RIGHT)
    para(t("dd_signature", lang), 14, False, WD_ALIGN_PARAGRAPH.RIGHT)
    para(t("dd_footer", lang, as_of=date(as_of)), 9, False)
    _declare_cjk_fonts(doc)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


# 仿宋 / 黑体 declared in the font table as Chinese (GB2312-charset) fonts with a named alternative
# (w:altName) for word processors that lack them. LibreOffice on Linux ignores the hint and uses its
# own CJK substitute (Noto Sans CJK); Word/WPS on the government PCs have 仿宋 and 黑体.
_CJK_FONTS = ((DUDAN_FONT, "Noto Serif CJK SC", "roman"), (DUDAN_HEAD_FONT, "Noto Sans CJK SC", "swiss"))


def _declare_cjk_fonts(doc) -> None:
    from lib.outputs.report import declare_fonts

    declare_fonts(doc, {name: (alt, family) for name, alt, family in _CJK_FONTS})
