"""The monthly 通报 as a Word document in the layout of a Chinese government notice (GB/T 9704 style):
A4, margins 37/35/28/26 mm, title 2号 小标宋, body 3号 仿宋 on a fixed 28 pt line, level-one
headings 3号 黑体, an optional red letterhead (红头) with its document number and red rule.

Every sentence is a template of lib/i18n/outputs.py filled with figures of ``MonthFacts``
(lib/outputs/monthly.py) — the same figures as the slide pack and the pages; nothing is written that
the data does not say. The next steps are left as editable placeholders for the office.

``report_docx(session, period, out_path, red_head=True)`` writes the file; ``report_paragraphs(facts)``
returns the generated text (the test reads its figures back). Pure Python: never imports streamlit.
"""
from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
from sqlalchemy.orm import Session

from lib import periods
from lib.changes import fmt_change
from lib.i18n import enum_label, fmt_money, fmt_pct, t
from lib.outputs.monthly import MonthFacts, month_facts, nan

# GB/T 9704 fonts and the installed fonts a machine without them falls back to (declared as w:altName)
TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEAD_FONT = "黑体"
SUBHEAD_FONT = "楷体_GB2312"
FALLBACKS = {TITLE_FONT: ("Noto Serif CJK SC", "roman"), BODY_FONT: ("Noto Serif CJK SC", "roman"),
             HEAD_FONT: ("Noto Sans CJK SC", "swiss"), SUBHEAD_FONT: ("Noto Serif CJK SC", "roman")}
RED = (0xE0, 0x00, 0x00)
OVERDUE_ITEMS = 10
RED_PER_COUNTY = 10  # a county's red projects named in the text; the rest are counted
TOP = 3


def _n1(v) -> str:
    """A figure with one decimal (scores, points)."""
    return "—" if nan(v) else f"{float(v):.1f}"


def _pct(v) -> str:
    return fmt_pct(None if nan(v) else float(v))


def rank_items(rows: pd.DataFrame, lang: str) -> str:
    return t("rpt_rank_sep", lang).join(
        t("rpt_rank_item", lang, rank=int(r["rank"]), name=r["region_name"], score=_n1(r["score"]),
          rate=_pct(r["invest_rate"]))
        for r in rows.to_dict("records"))


def report_paragraphs(f: MonthFacts, lang: str = "zh") -> list[tuple[str, str]]:
    """The 通报's text as (kind, text) pairs: kind is one of title, to, body, h1, h2, item, table,
    placeholder, sign. ``table`` carries no text (the ranking table is drawn there)."""
    s, sp = f.summary, f.summary_prev
    as_of = periods.fmt_date(f.as_of, lang)
    y, m = periods.split(f.period)
    out: list[tuple[str, str]] = [
        ("title", t("rpt_title", lang, year=y, month=m, period=periods.fmt_period(f.period, lang))),
        ("to", t("rpt_to", lang)),
        ("body", t("rpt_intro", lang, as_of=as_of)),
        # 一、总体进展
        ("h1", t("rpt_sec_overall", lang)),
    ]
    gap = s["gap_pp"]
    key = "rpt_overall_behind" if (not nan(gap) and gap < 0) else "rpt_overall_ahead"
    out.append(("body", t(key, lang, as_of=as_of, n=s["annual_projects"], plan=fmt_money(s["plan"], lang),
                          ytd=fmt_money(s["ytd"], lang), rate=_pct(s["rate"]), tp=_pct(s["time_progress"]),
                          gap=_n1(abs(gap)) if not nan(gap) else "—")))
    if sp is None or nan(sp.get("rate")) or nan(s["rate"]):
        out.append(("body", t("rpt_prev_none", lang)))
    else:
        d = round((s["rate"] - sp["rate"]) * 100, 1)
        out.append(("body", t("rpt_prev_up" if d >= 0 else "rpt_prev_down", lang, d=_n1(abs(d)),
                              dytd=fmt_money(s["ytd"] - sp["ytd"], lang))))
    c = s["counts"]
    out.append(("body", t("rpt_lights", lang, red=c["red"], yellow=c["yellow"], green=c["green"], gray=c["gray"])))
    if s.get("start_due"):
        out.append(("body", t("rpt_start", lang, due=s["start_due"], started=s["started_due"],
                              rate=_pct(s["start_rate"]))))
    # 二、县区排名(红黑榜)
    out.append(("h1", t("rpt_sec_rank", lang)))
    ranked = f.ranked
    out.append(("body", t("rpt_rank_intro", lang, n=len(ranked))))
    if len(ranked):
        out.append(("body", t("rpt_red_list", lang, items=rank_items(f.top(TOP), lang))))
        if len(ranked) > TOP:
            out.append(("body", t("rpt_black_list", lang, items=rank_items(f.bottom(TOP), lang))))
        out.append(("body", t("rpt_rank_table", lang)))
        out.append(("table", ""))
    # 三、红灯项目
    out.append(("h1", t("rpt_sec_red", lang)))
    red = f.red
    if not len(red):
        out.append(("body", t("rpt_red_none", lang)))
    else:
        groups = [(code, g) for code, g in red.groupby("region_code", sort=False)]
        out.append(("body", t("rpt_red_intro", lang, n=len(red), k=len(groups))))
        for i, (code, g) in enumerate(groups, start=1):
            out.append(("h2", t("rpt_red_county", lang, i=_cn_num(i, lang), name=f.region_names.get(code, code),
                                n=len(g))))
            for j, r in enumerate(g.head(RED_PER_COUNTY).to_dict("records"), start=1):
                reasons = r["reasons_en"] if lang == "en" else r["reasons"]
                out.append(("item", t("rpt_red_item", lang, i=j, project=r["project_name"] or r["project_code"],
                                      reasons=str(reasons or "").rstrip("。;; "))))
            if len(g) > RED_PER_COUNTY:
                out.append(("body", t("rpt_red_more", lang, n=len(g) - RED_PER_COUNTY)))
    # 四、问题办理
    out.append(("h1", t("rpt_sec_problems", lang)))
    out.append(("body", t("rpt_problems", lang, as_of=as_of, open=s["problems_open"],
                          overdue=s["problems_overdue"], new=len(f.problems_new))))
    cats = f.by_category[f.by_category["open"] > 0].sort_values("open", ascending=False, kind="stable")
    if len(cats):
        out.append(("body", t("rpt_problem_cats", lang, items=t("rpt_rank_sep", lang).join(
            t("rpt_cat_item", lang, cat=enum_label("problem_category", r["category"], lang), n=int(r["open"]))
            for r in cats.to_dict("records")))))
    od = f.problems_overdue
    if len(od):
        out.append(("body", t("rpt_overdue_intro", lang)))
        for i, r in enumerate(od.head(OVERDUE_ITEMS).to_dict("records"), start=1):
            out.append(("item", t("rpt_overdue_item", lang, i=i,
                                  region=f.region_names.get(r.get("region_code"), r.get("region_code") or ""),
                                  project=r.get("project_name") or r.get("project_code"),
                                  desc=str(r.get("description") or "").rstrip("。"),
                                  unit=r.get("unit") or "—", d=int(r["overdue_days"]))))
        if len(od) > OVERDUE_ITEMS:
            out.append(("body", t("rpt_overdue_more", lang, n=len(od) - OVERDUE_ITEMS)))
    # 五、月报报送
    out.append(("h1", t("rpt_sec_reporting", lang)))
    rt = f.reporting_total
    out.append(("body", t("rpt_reporting", lang, annual=rt["annual"], reported=rt["reported"], rate=_pct(rt["rate"]))))
    miss = f.reporting[f.reporting["missing"] > 0]
    if len(miss):
        out.append(("body", t("rpt_reporting_missing", lang, items=t("rpt_rank_sep", lang).join(
            t("rpt_reporting_item", lang, name=r["region_name"], n=int(r["missing"])) for r in miss.to_dict("records")))))
    elif rt["annual"]:
        out.append(("body", t("rpt_reporting_all", lang)))
    # 六、下一步工作 (placeholders the office writes)
    out.append(("h1", t("rpt_sec_next", lang)))
    out.append(("placeholder", t("rpt_next_hint", lang)))
    for k in ("rpt_next_1", "rpt_next_2", "rpt_next_3"):
        out.append(("placeholder", t(k, lang)))
    out.append(("sign", t("rpt_issuer", lang)))
    out.append(("sign", periods.fmt_date(f.as_of, lang)))
    if f.demo:
        out.append(("sign", t("rpt_demo_note", lang)))
    return out


# Chinese numerals of the notice's headings (一、二、…; 十一 …), a typographic convention
_CN = "一二三四五六七八九十"
_CN_TEN = _CN[9]


def _cn_num(i: int, lang: str) -> str:
    if lang == "en":
        return str(i)
    if i <= 10:
        return _CN[i - 1]
    if i < 20:
        return _CN_TEN + _CN[i - 11]
    tens, ones = divmod(i, 10)
    return _CN[tens - 1] + _CN_TEN + (_CN[ones - 1] if ones else "")


# --------------------------------------------------------------------------- docx layout


def _font(run, east_asia: str, size_pt: float, bold: bool = False, color=None) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    run.font.name = "Times New Roman"
    rpr = run._element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, rfonts)
    rfonts.set(qn("w:eastAsia"), east_asia)
    run.font.size = Pt(size_pt)
    run.bold = bold
    if color is not None:
        run.font.color.rgb = RGBColor(*color)


def _para(doc, text: str, font: str, size: float, *, bold=False, align=None, indent=True, color=None,
          space_before=0, line_pt=28):
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Pt

    p = doc.add_paragraph()
    pf = p.paragraph_format
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = Pt(line_pt)
    pf.space_before = Pt(space_before)
    pf.space_after = Pt(0)
    if indent:
        pf.first_line_indent = Pt(size * 2)  # 首行缩进两字
    if align is not None:
        p.alignment = align
    _font(p.add_run(text), font, size, bold, color)
    return p


def declare_fonts(doc, fonts: dict[str, tuple[str, str]] | None = None) -> None:
    """Declare Chinese fonts in a .docx font table (GB2312 charset) with an installed alternative
    (w:altName): ``fonts`` maps name → (alternative, family); default the GB/T 9704 set. The 通报 and
    the 督办单 both use this."""
    fonts = FALLBACKS if fonts is None else fonts
    for rel in doc.part.rels.values():
        if rel.reltype.endswith("/fontTable"):
            part = rel.target_part
            blob = part.blob.decode("utf-8")
            extra = "".join(
                f'<w:font w:name="{name}"><w:altName w:val="{alt}"/><w:charset w:val="86"/>'
                f'<w:family w:val="{family}"/><w:pitch w:val="variable"/></w:font>'
                for name, (alt, family) in fonts.items() if f'w:name="{name}"' not in blob)
            part._blob = blob.replace("</w:fonts>", extra + "</w:fonts>").encode("utf-8")
            return


def _red_rule(doc) -> None:
    """The red rule under the letterhead (a paragraph bottom border, 2.25 pt, red)."""
    from docx.oxml.ns import qn

    p = doc.add_paragraph()
    ppr = p._p.get_or_add_pPr()
    bdr = ppr.makeelement(qn("w:pBdr"), {})
    bottom = bdr.makeelement(qn("w:bottom"), {qn("w:val"): "single", qn("w:sz"): "18", qn("w:space"): "1",
                                              qn("w:color"): "E00000"})
    bdr.append(bottom)
    ppr.append(bdr)


def _ranking_table(doc, f: MonthFacts, lang: str) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    header = [t("rpt_col_rank", lang), t("rpt_col_region", lang), t("rpt_col_score", lang),
              t("rpt_col_rate", lang), t("rpt_col_red", lang), t("rpt_col_change", lang), t("rpt_col_light", lang)]
    st = f.county_status.set_index("region_code")
    rows = []
    for r in f.ranked.to_dict("records"):
        rc = r.get("rank_change")
        change = fmt_change(rc, lang, arrow=True)
        rows.append([str(int(r["rank"])), r["region_name"], _n1(r["score"]), _pct(r["invest_rate"]),
                     str(int(st.at[r["region_code"], "red"])) if r["region_code"] in st.index else "0", change,
                     t("rpt_light_word", lang, word=enum_label("light", r.get("light") or "gray", lang))])
    table = doc.add_table(rows=1 + len(rows), cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    from docx.shared import Mm

    table.autofit = False
    widths = [Mm(w) for w in (14, 40, 22, 24, 20, 20, 16)]  # 156 mm: the text width
    for col, wd in zip(table.columns, widths):  # the grid (LibreOffice reads it) and every cell (Word)
        col.width = wd
    for row, vals in zip(table.rows, [header] + rows):  # row.cells once per row (table.cell is O(n) each)
        r = 0 if vals is header else 1
        for cell, v, wd in zip(row.cells, vals, widths):
            cell.width = wd
            p = cell.paragraphs[0]
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _font(p.add_run(str(v)), HEAD_FONT if r == 0 else BODY_FONT, 13, bold=False)


def build_report(f: MonthFacts, lang: str = "zh", red_head: bool = True) -> bytes:
    """The 通报 (.docx bytes) from the month's facts."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm

    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin = Mm(37), Mm(35)
    sec.left_margin, sec.right_margin = Mm(28), Mm(26)
    declare_fonts(doc)
    normal = doc.styles["Normal"]
    normal.font.name = "Times New Roman"
    from docx.oxml.ns import qn

    rpr = normal.element.get_or_add_rPr()
    rf = rpr.find(qn("w:rFonts"))
    if rf is None:
        rf = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, rf)
    rf.set(qn("w:eastAsia"), BODY_FONT)

    y, m = periods.split(f.period)
    if red_head:
        _para(doc, t("rpt_red_head", lang), TITLE_FONT, 28, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False,
              color=RED, line_pt=48)
        _para(doc, t("rpt_doc_no", lang, year=y, month=m), BODY_FONT, 16, align=WD_ALIGN_PARAGRAPH.CENTER,
              indent=False, space_before=12)
        _red_rule(doc)
    for kind, text in report_paragraphs(f, lang):
        if kind == "title":
            _para(doc, text, TITLE_FONT, 22, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, space_before=18,
                  line_pt=36)
            _para(doc, "", BODY_FONT, 16, indent=False)
        elif kind == "to":
            _para(doc, text, BODY_FONT, 16, indent=False)
        elif kind == "h1":
            _para(doc, text, HEAD_FONT, 16)
        elif kind == "h2":
            _para(doc, text, SUBHEAD_FONT, 16)
        elif kind == "table":
            _ranking_table(doc, f, lang)
        elif kind == "placeholder":
            _para(doc, text, BODY_FONT, 16, color=(0x60, 0x60, 0x60))
        elif kind == "sign":
            _para(doc, text, BODY_FONT, 16, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
        else:
            _para(doc, text, BODY_FONT, 16)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def report_docx(session: Session, period: str, out_path, as_of=None, lang: str = "zh",
                red_head: bool = True, facts: MonthFacts | None = None) -> Path:
    """Write the monthly 通报 for ``period`` to ``out_path`` (.docx). Returns the path."""
    f = facts or month_facts(session, period, as_of=as_of)
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(build_report(f, lang, red_head=red_head))
    return out


__all__ = ["report_docx", "build_report", "report_paragraphs", "rank_items"]
