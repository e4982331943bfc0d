"""The monthly briefing pack (v2) as 16:9 slides: ``briefing_pptx(session, period, out_path)``.

Slides: title (示例数据 when the demo is loaded), headline figures, the investment-progress map (the
only picture: lib.geo.mapview's static image), investment progress (native line chart of the monthly
curve + native doughnut of the lights), lights by county (native stacked bar), the full county
ranking (native table in the league order, paginated), red projects (native tables, paginated, each
with its reasons and the amount that turns it green), problems by category (native bar) and by unit
(table), overdue problems, reporting completeness of the month (native stacked bar), each county's
one-line status. Every slide carries its title, 数据截至 and the page number; every chart its legend.
Charts are python-pptx chart parts (editable in PowerPoint/WPS); every run carries an East-Asian font
(``a:ea``). The office's uploaded template (lib/outputs/templates.py) supplies master, logo and
colours. ``pack_pdf`` converts a pack to PDF with LibreOffice when it is installed.
The figures come from ``lib.outputs.monthly.month_facts`` — the same as the 通报's.
Pure Python: never imports streamlit.
"""
from __future__ import annotations

import io
import math
from pathlib import Path

import pandas as pd
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt
from sqlalchemy.orm import Session

from lib import periods
from lib.changes import fmt_change
from lib.geo import mapview
from lib.i18n import LIGHT_COLORS, enum_label, fmt_money, fmt_pp, t
from lib.outputs.excel import strip_control
from lib.rules import dimensions, overview

FONT = "Noto Sans CJK SC"
INK = RGBColor(0x1D, 0x24, 0x30)
MUTED = RGBColor(0x46, 0x50, 0x60)
ACCENT = RGBColor(0x1F, 0x4E, 0x8C)
SLIDE_W, SLIDE_H = Inches(13.333), Inches(7.5)
LIGHTS = dimensions.LIGHT_ORDER
TOP_N = 5
OVERDUE_ROWS = 10
RED_MAX = 63  # red projects tabled in the pack (7 pages); the rest are counted


def _rgb(hex_color: str) -> RGBColor:
    h = hex_color.lstrip("#")
    return RGBColor(int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16))


def _style_run(run, size: float, bold: bool = False, color: RGBColor = INK) -> None:
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.color.rgb = color
    run.font.name = FONT
    rpr = run._r.get_or_add_rPr()
    for tag in ("a:ea", "a:cs"):
        el = rpr.find(qn(tag))
        if el is None:
            el = rpr.makeelement(qn(tag), {})
            rpr.append(el)
        el.set("typeface", FONT)


def _text(slide, x, y, w, h, lines, size=14, bold=False, color=INK, align=PP_ALIGN.LEFT,
          anchor=MSO_ANCHOR.TOP):
    """A text box; ``lines`` is a string or a list of strings / (text, size, bold, colour) tuples."""
    box = slide.shapes.add_textbox(x, y, w, h)
    tf = box.text_frame
    tf.word_wrap = True
    tf.vertical_anchor = anchor
    tf.margin_left = tf.margin_right = Inches(0.05)
    if isinstance(lines, str):
        lines = [lines]
    for i, line in enumerate(lines):
        p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        p.alignment = align
        txt, sz, b, col = line if isinstance(line, tuple) else (line, size, bold, color)
        _style_run(p.add_run(), sz, b, col)
        p.runs[0].text = strip_control(txt)
    return box


def _frame(prs, title: str, ctx: dict):
    """A blank slide with the title, the 数据截至 line (and 示例数据) and the footer."""
    slide = _new_slide(prs, ctx)
    _text(slide, Inches(0.5), Inches(0.3), Inches(10.5), Inches(0.7), title, size=28, bold=True)
    sub = f"{t('data_as_of', ctx['lang'])}:{ctx['as_of_text']} · {t('period', ctx['lang'])}:{ctx['period_text']}"
    _text(slide, Inches(0.5), Inches(0.95), Inches(10.5), Inches(0.4), sub, size=14, color=MUTED)
    if ctx["demo"]:
        _demo_tag(slide, Inches(11.2), Inches(0.38), ctx["lang"])
    line = slide.shapes.add_connector(1, Inches(0.5), Inches(1.38), SLIDE_W - Inches(0.5), Inches(1.38))
    line.line.color.rgb = ctx.get("accent", ACCENT)
    line.line.width = Pt(1.5)
    ctx["n"] += 1
    _text(slide, Inches(0.5), SLIDE_H - Inches(0.45), Inches(8), Inches(0.35),
          f"{t('br_source', ctx['lang'])} · {t('br_title', ctx['lang']).split(' · ')[-1]} · {ctx['period_text']}",
          size=10, color=MUTED)
    _text(slide, SLIDE_W - Inches(1.5), SLIDE_H - Inches(0.45), Inches(1.0), Inches(0.35), str(ctx["n"]),
          size=10, color=MUTED, align=PP_ALIGN.RIGHT)
    return slide


def _demo_tag(slide, x, y, lang):
    shp = slide.shapes.add_shape(1, x, y, Inches(1.6), Inches(0.45))
    shp.fill.solid()
    shp.fill.fore_color.rgb = RGBColor(0xFF, 0xF4, 0xD6)
    shp.line.color.rgb = RGBColor(0xE8, 0xB1, 0x0E)
    tf = shp.text_frame
    tf.margin_top = tf.margin_bottom = 0
    p = tf.paragraphs[0]
    p.alignment = PP_ALIGN.CENTER
    r = p.add_run()
    r.text = t("map_demo_mark", lang)
    _style_run(r, 14, True, RGBColor(0x8A, 0x5A, 0x00))


def _chip(slide, x, y, light: str, label: str, lang: str, w=Inches(1.9)):
    """A coloured chip with the word written in it (colour never alone)."""
    shp = slide.shapes.add_shape(1, x, y, w, Inches(0.42))
    shp.fill.solid()
    shp.fill.fore_color.rgb = _rgb(LIGHT_COLORS[light])
    shp.line.fill.background()
    tf = shp.text_frame
    tf.margin_top = tf.margin_bottom = 0
    p = tf.paragraphs[0]
    p.alignment = PP_ALIGN.CENTER
    r = p.add_run()
    r.text = strip_control(label)
    _style_run(r, 15, True, INK if light in ("yellow", "gray") else RGBColor(0xFF, 0xFF, 0xFF))
    return shp


def _legend_lights(slide, x, y, lang):
    """The light legend: chip + word for each light."""
    _text(slide, x, y, Inches(0.9), Inches(0.4), t("legend", lang) + ":", size=12, color=MUTED,
          anchor=MSO_ANCHOR.MIDDLE)
    for i, lt in enumerate(LIGHTS):
        _chip(slide, x + Inches(0.9 + 1.25 * i), y, lt, mapview.light_word(lt, lang), lang, w=Inches(1.1))


def _picture(slide, png: bytes, x, y, max_w, max_h):
    from PIL import Image

    w, h = Image.open(io.BytesIO(png)).size
    scale = min(max_w / w, max_h / h)
    pw, ph = int(w * scale), int(h * scale)
    slide.shapes.add_picture(io.BytesIO(png), x + int((max_w - pw) / 2), y, Emu(pw), Emu(ph))


def _nan(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or (not isinstance(v, str) and pd.isna(v))


def _pct(v) -> str:
    return "—" if _nan(v) else f"{float(v) * 100:.1f}%"


# --------------------------------------------------------------------------- slides


def _title_slide(prs, ctx):
    slide = _new_slide(prs, ctx)
    lang = ctx["lang"]
    band = slide.shapes.add_shape(1, 0, Inches(2.2), SLIDE_W, Inches(2.6))
    band.fill.solid()
    band.fill.fore_color.rgb = ctx.get("accent", ACCENT)
    band.line.fill.background()
    _text(slide, Inches(0.8), Inches(2.4), Inches(11.5), Inches(1.2), t("br_title", lang), size=44, bold=True,
          color=RGBColor(0xFF, 0xFF, 0xFF))
    _text(slide, Inches(0.8), Inches(3.6), Inches(11.5), Inches(0.9), ctx["period_text"], size=28,
          color=RGBColor(0xFF, 0xFF, 0xFF))
    _text(slide, Inches(0.8), Inches(5.2), Inches(11.5), Inches(0.5),
          f"{t('data_as_of', lang)}:{ctx['as_of_text']}", size=20, color=INK)
    if ctx["demo"]:
        _demo_tag(slide, Inches(0.8), Inches(5.85), lang)
        _text(slide, Inches(2.6), Inches(5.85), Inches(10), Inches(0.45), t("demo_banner", lang), size=14,
              color=MUTED, anchor=MSO_ANCHOR.MIDDLE)
    ctx["n"] += 1


def _headline_slide(prs, ctx, summ: dict):
    lang = ctx["lang"]
    slide = _frame(prs, t("br_headline", lang), ctx)
    cards = [
        (t("br_projects", lang), f"{summ['annual_projects']:,}", ""),
        (t("br_plan", lang), fmt_money(summ["plan"], lang), ""),
        (t("br_completed", lang), fmt_money(summ["ytd"], lang), ""),
        (t("br_rate", lang), _pct(summ["rate"]),
         f"{t('br_time', lang)} {_pct(summ['time_progress'])},"
         f"{fmt_pp(summ['gap_pp'], lang)}"),
        (t("br_started", lang), _pct(summ.get("start_rate")),
         f"{summ.get('started_due', 0)}/{summ.get('start_due', 0)}"),
        (t("br_open_problems", lang), f"{summ.get('problems_open', 0):,}",
         f"{t('br_overdue_n', lang)} {summ.get('problems_overdue', 0):,}"),
    ]
    cw, ch = Inches(3.9), Inches(1.55)
    for i, (label, value, note) in enumerate(cards):
        x = Inches(0.5) + (cw + Inches(0.27)) * (i % 3)
        y = Inches(1.65) + (ch + Inches(0.25)) * (i // 3)
        box = slide.shapes.add_shape(1, x, y, cw, ch)
        box.fill.solid()
        box.fill.fore_color.rgb = RGBColor(0xF3, 0xF6, 0xFA)
        box.line.color.rgb = RGBColor(0xD5, 0xDC, 0xE6)
        _text(slide, x + Inches(0.15), y + Inches(0.1), cw - Inches(0.3), Inches(0.4), label, size=15, color=MUTED)
        _text(slide, x + Inches(0.15), y + Inches(0.48), cw - Inches(0.3), Inches(0.6), value, size=30, bold=True)
        if note:
            _text(slide, x + Inches(0.15), y + Inches(1.08), cw - Inches(0.3), Inches(0.4), note, size=13, color=MUTED)
    # lights: chips with the word and the count (the chips are the legend)
    y = Inches(5.45)
    _text(slide, Inches(0.5), y, Inches(3), Inches(0.42), t("map_legend_points", lang) + ":", size=15,
          color=MUTED, anchor=MSO_ANCHOR.MIDDLE)
    for i, lt in enumerate(LIGHTS):
        _chip(slide, Inches(3.2) + Inches(2.3) * i, y, lt,
              f"{mapview.light_word(lt, lang)} {summ['counts'].get(lt, 0):,}", lang, w=Inches(2.1))
    _text(slide, Inches(0.5), Inches(6.1), Inches(12), Inches(0.5),
          t("br_lights_note", lang),
          size=12, color=MUTED)


def _map_png(md, ctx) -> bytes:
    return mapview.static_map_png(md, mapview.DEFAULT_MEASURE, ctx["lang"], demo=ctx["demo"], width=1600,
                                  height=820, framed=False)


def _map_slide(prs, ctx, md, png_future=None):
    """The map slide; with ``png_future`` (the image rendering in another thread) the picture is
    placed when it is ready — the caller calls the returned function after the other slides."""
    lang = ctx["lang"]
    slide = _frame(prs, t("br_map", lang), ctx)

    def place(png: bytes) -> bytes:
        _picture(slide, png, Inches(0.5), Inches(1.5), SLIDE_W - Inches(1.0), SLIDE_H - Inches(2.05))
        return png

    if png_future is None:
        return place(_map_png(md, ctx))
    return lambda: place(png_future.result())


def lights_by_region_figure(lights: pd.DataFrame, region_names: dict, period: str, lang: str = "zh",
                            framed: bool = True):
    """Stacked bars: each county's projects by light (the legend carries the words). ``framed=False``
    leaves the title and 数据截至 to the slide."""
    import plotly.graph_objects as go

    g = overview.by_region(lights, region_names)
    g = g[g["projects"] > 0].iloc[::-1]
    labels = [mapview.short_name(n) for n in g["region_name"]]
    fig = go.Figure()
    for lt in LIGHTS:
        fig.add_trace(go.Bar(
            y=labels, x=g[lt], orientation="h", name=mapview.light_word(lt, lang),
            marker=dict(color=LIGHT_COLORS[lt], line=dict(color="#FFFFFF", width=1)),
            text=[str(v) if v else "" for v in g[lt]], textposition="inside", insidetextanchor="middle",
            textfont=dict(color="#1D2430" if lt in ("yellow", "gray") else "#FFFFFF", size=18),
        ))
    as_of = periods.fmt_date(periods.last_day(period), lang)
    fig.update_layout(
        barmode="stack", width=1600, height=820, template=None, paper_bgcolor="#FFFFFF", plot_bgcolor="#FFFFFF",
        font=dict(family=mapview.FONT_FAMILY, size=20, color="#1D2430"),
        legend=dict(orientation="h", x=0.0, y=1.0, yanchor="bottom", xanchor="left", font=dict(size=20),
                    traceorder="normal",
                    title=dict(text=t("legend", lang) + ":")),
        margin=dict(l=20, r=30, t=130 if framed else 60, b=60),
        xaxis=dict(title=t("br_count", lang), gridcolor="#E3E7ED", zeroline=False),
        yaxis=dict(automargin=True),
    )
    if framed:
        fig.update_layout(title=dict(
            text=f"<b>{t('br_lights_by_region', lang)}</b><br><span style='font-size:16px;color:#465060'>"
                 f"{t('data_as_of', lang)}:{as_of}</span>", x=0.01, xanchor="left", font=dict(size=26)))
    return fig


def _lights_slide(prs, ctx, lights, region_names):
    lang = ctx["lang"]
    slide = _frame(prs, t("br_lights_by_region", lang), ctx)
    fig = lights_by_region_figure(lights, region_names, ctx["period"], lang, framed=False)
    png = mapview.fig_to_png(fig, 1600, 820)
    _picture(slide, png, Inches(0.5), Inches(1.5), SLIDE_W - Inches(1.0), SLIDE_H - Inches(2.05))
    return png


def _table(slide, x, y, w, rows: list[list[str]], widths: list[float], size=13, fills=None, accent=ACCENT,
           row_h=None, align=None):
    """A table: first row is the header. ``fills``: {(r, c): (hex colour, text colour)}."""
    n_rows, n_cols = len(rows), len(rows[0])
    row_h = row_h or Inches(0.36)
    shape = slide.shapes.add_table(n_rows, n_cols, x, y, w, row_h * n_rows)
    table = shape.table
    total = sum(widths)
    for c, wd in enumerate(widths):
        table.columns[c].width = int(w * wd / total)
    for r, row in enumerate(rows):
        table.rows[r].height = row_h
        for c, val in enumerate(row):
            cell = table.cell(r, c)
            cell.margin_top = cell.margin_bottom = Inches(0.02)
            cell.vertical_anchor = MSO_ANCHOR.MIDDLE
            tf = cell.text_frame
            tf.word_wrap = True
            p = tf.paragraphs[0]
            if align and c in align:
                p.alignment = align[c]
            run = p.add_run()
            run.text = strip_control(str(val))
            fill = (fills or {}).get((r, c))
            if r == 0:
                cell.fill.solid()
                cell.fill.fore_color.rgb = accent
                _style_run(run, size, True, RGBColor(0xFF, 0xFF, 0xFF))
            else:
                cell.fill.solid()
                cell.fill.fore_color.rgb = _rgb(fill[0]) if fill else (
                    RGBColor(0xFF, 0xFF, 0xFF) if r % 2 else RGBColor(0xF3, 0xF6, 0xFA))
                _style_run(run, size, bool(fill), _rgb(fill[1]) if fill else INK)
    return table


def _light_fill(light: str) -> tuple[str, str]:
    return LIGHT_COLORS.get(light, LIGHT_COLORS["gray"]), "#1D2430" if light in ("yellow", "gray") else "#FFFFFF"


def _league_slide(prs, ctx, league: pd.DataFrame):
    lang = ctx["lang"]
    ranked = league[league["rank"].notna()].sort_values("rank")
    if len(ranked) > 2 * TOP_N:
        show = pd.concat([ranked.head(TOP_N), ranked.tail(TOP_N)])
        title = t("br_league", lang)
    else:
        show = ranked
        title = t("br_league_all", lang)
    slide = _frame(prs, title, ctx)
    header = [t("map_rank", lang), t("region", lang), t("map_tt_score", lang), t("br_rate", lang),
              enum_label("metric", "start_rate", lang), enum_label("metric", "growth", lang),
              enum_label("metric", "red_share", lang), t("lg_change", lang), t("br_col_light", lang)]
    rows, fills = [header], {}
    records = show.to_dict("records")
    gap_after = TOP_N if len(ranked) > 2 * TOP_N else None
    for r in records:
        if gap_after is not None and len(rows) == gap_after + 1:
            rows.append(["…"] + [""] * (len(header) - 1))  # the middle of the table is left out
        i = len(rows)
        rc = r.get("rank_change")
        change = fmt_change(rc, lang, arrow=True)
        growth = "—" if _nan(r.get("growth")) else f"{float(r['growth']):.1f}%"
        rows.append([str(int(r["rank"])), str(r["region_name"]),
                     "—" if _nan(r.get("score")) else f"{float(r['score']):.1f}", _pct(r.get("invest_rate")),
                     _pct(r.get("start_rate")), growth, _pct(r.get("red_share")), change,
                     mapview.light_word(r.get("light") or "gray", lang)])
        fills[(i, 8)] = _light_fill(r.get("light") or "gray")
    _table(slide, Inches(0.5), Inches(1.6), SLIDE_W - Inches(1.0), rows,
           [0.7, 2.2, 1.0, 1.2, 1.0, 1.0, 1.0, 1.0, 1.0], size=14, fills=fills)
    if len(ranked) > 2 * TOP_N:
        note = t("br_league_note", lang, n=TOP_N, total=len(ranked))
        _text(slide, Inches(0.5), SLIDE_H - Inches(1.35), Inches(8), Inches(0.4), note, size=12, color=MUTED)
    _legend_lights(slide, Inches(0.5), SLIDE_H - Inches(0.95), lang)


def _overdue_slide(prs, ctx, problems: pd.DataFrame | None, region_names: dict):
    lang = ctx["lang"]
    slide = _frame(prs, t("br_overdue", lang), ctx)
    if problems is None or not len(problems):
        od = pd.DataFrame()
    else:
        days = pd.to_numeric(problems["overdue_days"], errors="coerce")
        od = problems[days.notna() & (days > 0)].assign(_d=days).sort_values(["_d", "pk"], ascending=[False, True])
    if not len(od):
        _text(slide, Inches(0.5), Inches(2.0), Inches(12), Inches(0.6), t("br_no_overdue", lang), size=20)
        return
    header = [t(k, lang) for k in ("br_col_project", "region", "br_col_category", "br_col_level", "br_col_unit",
                                    "br_col_overdue", "br_col_supervised")]
    rows, fills = [header], {}
    for i, r in enumerate(od.head(OVERDUE_ROWS).to_dict("records"), start=1):
        d = int(r["_d"])
        rows.append([mapview.cut(r.get("project_name") or r["project_code"], 20),
                     mapview.short_name(region_names.get(r.get("region_code"), r.get("region_code") or "")),
                     enum_label("problem_category", r.get("category"), lang),
                     enum_label("problem_level", r.get("level"), lang),
                     mapview.cut(r.get("unit") or "—", 14), str(d), str(int(r.get("supervise_count") or 0))])
        fills[(i, 5)] = _light_fill("red" if d > 30 else "yellow")
    _table(slide, Inches(0.5), Inches(1.6), SLIDE_W - Inches(1.0), rows, [3.3, 1.1, 1.0, 0.9, 2.4, 0.9, 0.9],
           size=13, fills=fills)
    more = len(od) - OVERDUE_ROWS
    total = t("br_overdue_total", lang, n=len(od))
    if more > 0:
        total += ";" + t("br_more", lang).format(n=more)
    _text(slide, Inches(0.5), SLIDE_H - Inches(1.35), Inches(8), Inches(0.4), total, size=12, color=MUTED)
    legend = t("br_overdue_legend", lang)
    _text(slide, Inches(0.5), SLIDE_H - Inches(0.95), Inches(7), Inches(0.4), legend, size=12, color=MUTED)
    _chip(slide, Inches(7.6), SLIDE_H - Inches(0.98), "red", t("br_over_30", lang), lang, w=Inches(1.3))
    _chip(slide, Inches(9.0), SLIDE_H - Inches(0.98), "yellow", t("br_1_30", lang), lang, w=Inches(1.3))


# --------------------------------------------------------------------------- v2: template, native charts


def _ea(rpr, font: str = FONT) -> None:
    """Latin, East-Asian and complex-script typefaces on a run/default run property."""
    for tag in ("a:latin", "a:ea", "a:cs"):
        el = rpr.find(qn(tag))
        if el is None:
            el = rpr.makeelement(qn(tag), {})
            rpr.append(el)
        el.set("typeface", font)


# what a template's blank layout is called (PowerPoint's English and Chinese names: data, not messages)
BLANK_LAYOUT_NAMES = ("blank", "空白", "空白版式")


def _blank_layout(prs):
    """The template's blank layout (named Blank/空白, else the one with the fewest placeholders)."""
    layouts = list(prs.slide_layouts)
    for lay in layouts:
        if (lay.name or "").strip().lower() in BLANK_LAYOUT_NAMES:
            return lay
    return min(layouts, key=lambda lay: len(lay.placeholders))


def _new_slide(prs, ctx):
    slide = prs.slides.add_slide(ctx["layout"])
    for ph in list(slide.placeholders):  # the layout's empty boxes would show "click to add"
        ph._element.getparent().remove(ph._element)
    return slide


def _theme_accent(prs) -> RGBColor | None:
    """accent1 of the template's theme (the office's colour), if it is an RGB colour."""
    import re

    try:
        master = prs.slide_masters[0]
        for rel in master.part.rels.values():
            if rel.reltype.endswith("/theme"):
                xml = rel.target_part.blob.decode("utf-8", "replace")
                m = re.search(r"<a:accent1>\s*<a:srgbClr val=\"([0-9A-Fa-f]{6})\"", xml)
                if m:
                    return _rgb(m.group(1))
    except Exception:  # a theme we cannot read keeps the built-in colour
        return None
    return None


def _open_template(data: bytes | None):
    """A Presentation on the template (its slides removed, masters and layouts kept), else the
    built-in 16:9 one."""
    if not data:
        prs = Presentation()
        prs.slide_width, prs.slide_height = SLIDE_W, SLIDE_H
        return prs, False
    prs = Presentation(io.BytesIO(data))
    sld_ids = prs.slides._sldIdLst
    for sld_id in list(sld_ids):
        prs.part.drop_rel(sld_id.rId)
        sld_ids.remove(sld_id)
    return prs, True


def _chart(slide, kind, x, y, w, h, categories, series, legend=True, labels=False, number_format="0",
           title: str | None = None, size=12):
    """A native chart: ``series`` = [(name, values, hex colour or None)]."""
    from pptx.chart.data import CategoryChartData
    from pptx.enum.chart import XL_LEGEND_POSITION

    cd = CategoryChartData(number_format=number_format)
    cd.categories = list(categories)
    for name, values, _ in series:
        cd.add_series(name, [None if _nan(v) else float(v) for v in values])
    ch = slide.shapes.add_chart(kind, x, y, w, h, cd).chart
    ch.font.size = Pt(size)
    ch.font.color.rgb = INK
    _ea(ch.font._rPr)
    ch.has_legend = legend
    if legend:
        ch.legend.position = XL_LEGEND_POSITION.TOP
        ch.legend.include_in_layout = False
    if title:
        ch.has_title = True
        tf = ch.chart_title.text_frame
        tf.text = title
        for p in tf.paragraphs:
            for r in p.runs:
                _style_run(r, size + 2, True)
    else:
        ch.has_title = False
    plot = ch.plots[0]
    if labels:
        plot.has_data_labels = True
        plot.data_labels.number_format = number_format
        plot.data_labels.number_format_is_linked = False
        plot.data_labels.font.size = Pt(size - 1)
        _ea(plot.data_labels.font._rPr)
    for s_obj, (_, _, color) in zip(plot.series, series):
        if not color:
            continue
        if "LINE" in str(kind):
            s_obj.format.line.color.rgb = _rgb(color)
            s_obj.format.line.width = Pt(2.5)
            s_obj.smooth = False
        else:
            s_obj.format.fill.solid()
            s_obj.format.fill.fore_color.rgb = _rgb(color)
    return ch


def _progress_slide(prs, ctx, f):
    """The monthly cumulative curve (native line chart) and the lights doughnut."""
    from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION

    lang = ctx["lang"]
    slide = _frame(prs, t("pk_curve", lang), ctx)
    cv = f.curve
    div = 10000.0 if float(cv["annual_plan"].max() or 0) >= 10000 else 1.0
    unit = t("unit_yi" if div > 1 else "unit_wan", lang)
    months = [t("month_n", lang).format(m=m) for m in cv["month"]]
    _chart(slide, XL_CHART_TYPE.LINE_MARKERS, Inches(0.5), Inches(1.55), Inches(7.9), Inches(5.2), months, [
        (f"{t('series_actual', lang)}({unit})", [None if _nan(v) else round(v / div, 2) for v in cv["actual"]], "#1F5FA8"),
        (f"{t('series_plan', lang)}({unit})", [round(v / div, 2) for v in cv["plan"]], "#E8892B"),
        (f"{t('series_time', lang)}({unit})", [round(v / div, 2) for v in cv["time_progress"]], "#7A8591"),
    ], number_format="0.0")
    counts = f.summary["counts"]
    ch = _chart(slide, XL_CHART_TYPE.DOUGHNUT, Inches(8.6), Inches(1.55), Inches(4.2), Inches(5.2),
                [mapview.light_word(lt, lang) for lt in LIGHTS],
                [(t("br_count", lang), [counts[lt] for lt in LIGHTS], None)], labels=True,
                title=t("pk_lights_donut", lang))
    ch.legend.position = XL_LEGEND_POSITION.BOTTOM
    ch.plots[0].data_labels.show_category_name = True
    for i, lt in enumerate(LIGHTS):
        pt = ch.plots[0].series[0].points[i]
        pt.format.fill.solid()
        pt.format.fill.fore_color.rgb = _rgb(LIGHT_COLORS[lt])
    s = f.summary
    _text(slide, Inches(0.5), SLIDE_H - Inches(0.78), Inches(12), Inches(0.35),
          f"{t('br_rate', lang)} {_pct(s['rate'])} · {t('br_time', lang)} {_pct(s['time_progress'])} · "
          f"{t('br_completed', lang)} {fmt_money(s['ytd'], lang)} / {t('br_plan', lang)} {fmt_money(s['plan'], lang)}",
          size=12, color=MUTED)


def _lights_chart_slide(prs, ctx, f):
    """Lights by county as a native stacked bar chart (the legend carries the words)."""
    from pptx.enum.chart import XL_CHART_TYPE

    lang = ctx["lang"]
    slide = _frame(prs, t("br_lights_by_region", lang), ctx)
    g = f.by_region[f.by_region["projects"] > 0].iloc[::-1]
    ch = _chart(slide, XL_CHART_TYPE.BAR_STACKED, Inches(0.5), Inches(1.5), SLIDE_W - Inches(1.0),
                SLIDE_H - Inches(2.1), [mapview.short_name(n) for n in g["region_name"]],
                [(mapview.light_word(lt, lang), list(g[lt]), LIGHT_COLORS[lt]) for lt in LIGHTS], labels=True)
    ch.plots[0].gap_width = 50
    ch.plots[0].overlap = 100


def _league_slides(prs, ctx, f, per_page: int = 13):
    """The whole ranking in the league order of lib.rules.league, as native tables (paginated)."""
    lang = ctx["lang"]
    ranked = f.ranked
    unranked = f.league[f.league["rank"].isna()]
    allrows = pd.concat([ranked, unranked]) if len(unranked) else ranked
    recs = allrows.to_dict("records")
    pages = max(1, math.ceil(len(recs) / per_page))
    header = [t("map_rank", lang), t("region", lang), t("map_tt_score", lang), t("br_rate", lang),
              enum_label("metric", "start_rate", lang), enum_label("metric", "growth", lang),
              enum_label("metric", "red_share", lang), t("rpt_col_change", lang), t("rpt_col_light", lang)]
    for pg in range(pages):
        title = t("br_league_all", lang) if pages == 1 else t("pk_league_page", lang, i=pg + 1, n=pages)
        slide = _frame(prs, title, ctx)
        rows, fills = [header], {}
        for r in recs[pg * per_page:(pg + 1) * per_page]:
            i = len(rows)
            rc = r.get("rank_change")
            change = fmt_change(rc, lang, arrow=True)
            growth = "—" if _nan(r.get("growth")) else f"{float(r['growth']):.1f}%"
            rows.append(["—" if _nan(r.get("rank")) else str(int(r["rank"])), str(r["region_name"]),
                         "—" if _nan(r.get("score")) else f"{float(r['score']):.1f}", _pct(r.get("invest_rate")),
                         _pct(r.get("start_rate")), growth, _pct(r.get("red_share")), change,
                         mapview.light_word(r.get("light") or "gray", lang)])
            fills[(i, 8)] = _light_fill(r.get("light") or "gray")
        _table(slide, Inches(0.5), Inches(1.55), SLIDE_W - Inches(1.0), rows,
               [0.7, 2.2, 1.0, 1.2, 1.0, 1.0, 1.0, 1.0, 1.0], size=14, fills=fills, accent=ctx["accent"],
               row_h=Inches(0.34))
        _legend_lights(slide, Inches(0.5), SLIDE_H - Inches(0.95), lang)


def _red_slides(prs, ctx, f, per_page: int = 9):
    """Red projects as native tables: county, project, every reason, the amount that turns it green."""
    lang = ctx["lang"]
    red = f.red
    if not len(red):
        slide = _frame(prs, t("pk_red_projects", lang), ctx)
        _text(slide, Inches(0.5), Inches(2.0), Inches(12), Inches(0.6), t("pk_no_red", lang), size=20)
        return
    shown = red
    if len(red) > RED_MAX:  # a province has thousands: the furthest behind, still in county order
        worst = pd.to_numeric(red["gap_pp"], errors="coerce").fillna(0).sort_values(kind="stable").index[:RED_MAX]
        shown = red.loc[sorted(worst)]
    recs = shown.to_dict("records")
    pages = math.ceil(len(recs) / per_page)
    header = [t("region", lang), t("pk_col_project", lang), t("pk_col_reasons", lang), t("pk_col_to_green", lang)]
    for pg in range(pages):
        slide = _frame(prs, t("pk_red_page", lang, i=pg + 1, n=pages) if pages > 1 else t("pk_red_projects", lang), ctx)
        rows = [header]
        for r in recs[pg * per_page:(pg + 1) * per_page]:
            reasons = r["reasons_en"] if lang == "en" else r["reasons"]
            rows.append([mapview.short_name(r["region_name"]), mapview.cut(r["project_name"] or r["project_code"], 22),
                         str(reasons or ""), "—" if _nan(r.get("to_green")) else f"{float(r['to_green']):,.0f}"])
        _table(slide, Inches(0.5), Inches(1.55), SLIDE_W - Inches(1.0), rows, [1.0, 2.6, 6.4, 1.4], size=12,
               accent=ctx["accent"], row_h=Inches(0.5), align={3: PP_ALIGN.RIGHT})
        note = (t("rpt_red_intro", lang, n=len(red), k=red["region_code"].nunique()) if len(shown) == len(red)
                else t("pk_red_more", lang, n=len(red), m=len(shown)))
        _text(slide, Inches(0.5), SLIDE_H - Inches(0.82), Inches(12), Inches(0.35), note, size=12, color=MUTED)


def _problems_slide(prs, ctx, f, top_units: int = 10):
    """Open problems by category (native clustered bar: open and overdue) and the units holding most."""
    from pptx.enum.chart import XL_CHART_TYPE

    lang = ctx["lang"]
    slide = _frame(prs, t("pk_problems", lang), ctx)
    cat = f.by_category[f.by_category["open"] > 0].sort_values("open", kind="stable")
    if len(cat):
        _chart(slide, XL_CHART_TYPE.BAR_CLUSTERED, Inches(0.5), Inches(1.5), Inches(5.6), SLIDE_H - Inches(2.45),
               [enum_label("problem_category", c, lang) for c in cat["category"]],
               [(t("pk_series_open", lang), list(cat["open"]), "#1F5FA8"),
                (t("pk_series_overdue", lang), list(cat["overdue"]), LIGHT_COLORS["red"])],
               labels=True, title=t("pk_problems_by_cat", lang))
    units = f.by_unit.head(top_units)
    rows = [[t("pk_col_unit", lang), t("pk_col_open", lang), t("pk_col_overdue", lang), t("pk_col_max_days", lang)]]
    fills = {}
    for r in units.to_dict("records"):
        i = len(rows)
        md = r.get("max_overdue_days")
        rows.append([mapview.cut(r["unit"], 16), str(int(r["held"])), str(int(r["overdue"])),
                     "—" if _nan(md) else str(int(md))])
        if int(r["overdue"]):
            fills[(i, 2)] = _light_fill("red" if (not _nan(md) and int(md) > 30) else "yellow")
    if len(rows) > 1:
        _table(slide, Inches(6.4), Inches(1.55), Inches(6.4), rows, [3.2, 1.0, 1.0, 1.4], size=12, fills=fills,
               accent=ctx["accent"], row_h=Inches(0.4))
    s = f.summary
    _text(slide, Inches(0.5), SLIDE_H - Inches(0.82), Inches(12), Inches(0.35),
          t("rpt_problems", lang, as_of=ctx["as_of_text"], open=s["problems_open"], overdue=s["problems_overdue"],
            new=len(f.problems_new)), size=12, color=MUTED)


def _reporting_slide(prs, ctx, f):
    """Reporting completeness of the month: reported and missing by county (native stacked bar)."""
    from pptx.enum.chart import XL_CHART_TYPE

    lang = ctx["lang"]
    slide = _frame(prs, t("pk_reporting", lang), ctx)
    rp = f.reporting[f.reporting["annual"] > 0].iloc[::-1]
    ch = _chart(slide, XL_CHART_TYPE.BAR_STACKED, Inches(0.5), Inches(1.5), SLIDE_W - Inches(1.0),
                SLIDE_H - Inches(2.4), [mapview.short_name(n) for n in rp["region_name"]],
                [(t("pk_series_reported", lang), list(rp["reported"]), LIGHT_COLORS["green"]),
                 (t("pk_series_missing", lang), list(rp["missing"]), LIGHT_COLORS["red"])], labels=True)
    ch.plots[0].gap_width = 50
    ch.plots[0].overlap = 100
    rt = f.reporting_total
    _text(slide, Inches(0.5), SLIDE_H - Inches(0.85), Inches(12), Inches(0.4),
          t("pk_reporting_total", lang, annual=rt["annual"], reported=rt["reported"], rate=_pct(rt["rate"])),
          size=14, bold=True)


def county_line(r: dict, lang: str) -> str:
    """One county's status in one line (rank, score, completion, red projects, overdue problems, reports)."""
    if _nan(r.get("rank")):
        return t("pk_county_line_unranked", lang, red=r["red"], overdue=r["overdue"], reported=r["reported"],
                 annual=r["annual"])
    return t("pk_county_line", lang, rank=int(r["rank"]), score=f"{float(r['score']):.1f}",
             rate=_pct(r["invest_rate"]), red=r["red"], overdue=r["overdue"], reported=r["reported"],
             annual=r["annual"])


def _county_status_slides(prs, ctx, f, per_page: int = 13):
    lang = ctx["lang"]
    recs = f.county_status.to_dict("records")
    pages = max(1, math.ceil(len(recs) / per_page))
    for pg in range(pages):
        title = t("pk_county_status", lang) + ("" if pages == 1 else f"({pg + 1}/{pages})")
        slide = _frame(prs, title, ctx)
        rows, fills = [[t("region", lang), t("rpt_col_light", lang), t("pk_county_status", lang)]], {}
        for r in recs[pg * per_page:(pg + 1) * per_page]:
            i = len(rows)
            rows.append([mapview.short_name(r["region_name"]), mapview.light_word(r["light"] or "gray", lang),
                         county_line(r, lang)])
            fills[(i, 1)] = _light_fill(r["light"] or "gray")
        _table(slide, Inches(0.5), Inches(1.55), SLIDE_W - Inches(1.0), rows, [1.6, 0.9, 9.8], size=13,
               fills=fills, accent=ctx["accent"], row_h=Inches(0.34))
        _legend_lights(slide, Inches(0.5), SLIDE_H - Inches(0.95), lang)


# --------------------------------------------------------------------------- entry point


def build_pack(session: Session, facts, lang: str = "zh", template: bytes | None = None) -> bytes:
    """The pack (.pptx bytes) from the month's facts on the office's template (or the built-in one)."""
    f = facts
    prs, templated = _open_template(template)
    ctx = {"lang": lang, "period": f.period, "period_text": periods.fmt_period(f.period, lang),
           "as_of_text": periods.fmt_date(f.as_of, lang), "demo": f.demo, "n": 0,
           "layout": _blank_layout(prs) if templated else prs.slide_layouts[6],
           "accent": (_theme_accent(prs) if templated else None) or ACCENT}
    regions = f.extra.get("regions")
    if regions is None:
        regions = mapview.load_regions(session)
    md = mapview.MapData(period=f.period, regions=regions, lights=f.lights, league=f.league)
    from concurrent.futures import ThreadPoolExecutor

    # the map image is drawn by the local Chromium (kaleido) while the native slides are built here
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pack-map") as pool:
        png = pool.submit(_map_png, md, ctx)
        _title_slide(prs, ctx)
        _headline_slide(prs, ctx, f.summary)
        place_map = _map_slide(prs, ctx, md, png)
        _progress_slide(prs, ctx, f)
        _lights_chart_slide(prs, ctx, f)
        _league_slides(prs, ctx, f)
        _red_slides(prs, ctx, f)
        _problems_slide(prs, ctx, f)
        _overdue_slide(prs, ctx, f.problems, f.region_names)
        _reporting_slide(prs, ctx, f)
        _county_status_slides(prs, ctx, f)
        place_map()
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


def briefing_pptx(session: Session, period: str, out_path, as_of=None, lang: str = "zh", facts=None,
                  template: bytes | None = None, use_stored_template: bool = True) -> Path:
    """Write the monthly briefing pack for ``period`` to ``out_path`` (.pptx, 16:9). The office's stored
    template is used unless ``template`` is given or ``use_stored_template`` is False."""
    from lib.outputs.monthly import month_facts

    f = facts or month_facts(session, period, as_of=as_of)
    if template is None and use_stored_template:
        from lib.outputs.templates import get_template

        row = get_template(session)
        template = row.content if row is not None else None
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(build_pack(session, f, lang, template))
    return out


def soffice() -> str | None:
    """The LibreOffice program, when installed."""
    import shutil

    return shutil.which("soffice") or shutil.which("libreoffice")


def pack_pdf(pptx_path, out_dir=None, timeout: int = 240) -> Path:
    """Convert a .pptx (or .docx) to PDF with LibreOffice (headless, its own throwaway profile so that
    two conversions never share one). Raises CockpitError when LibreOffice is missing or fails."""
    import subprocess
    import tempfile

    from lib.errors import CockpitError

    exe = soffice()
    if exe is None:
        raise CockpitError("pk_no_soffice")
    src = Path(pptx_path)
    out_dir = Path(out_dir or src.parent)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="cockpit-lo-") as profile:
        try:
            proc = subprocess.run(
                [exe, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                 "--convert-to", "pdf", "--outdir", str(out_dir), str(src)],
                capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise CockpitError("pk_pdf_failed", why=f"timeout {timeout}s") from exc
    pdf = out_dir / (src.stem + ".pdf")
    if proc.returncode != 0 or not pdf.exists():
        why = (proc.stderr or proc.stdout or b"").decode("utf-8", "replace").strip().splitlines()
        raise CockpitError("pk_pdf_failed", why=(why[-1] if why else f"exit {proc.returncode}")[:200])
    return pdf
