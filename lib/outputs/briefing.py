"""The monthly briefing (月度通报) as 16:9 slides: ``briefing_pptx(session, period, out_path)``.

Slides: title (攻坚驾驶舱 · 月度通报 · period · 数据截至 · 示例数据 when the demo is loaded), headline
figures, the investment-progress map (lib.geo.mapview's static image), lights by county (plotly → PNG),
the league table (top and bottom five), overdue problems. Every slide carries its title and
数据截至; every slide with colour carries a legend in words. Images are rendered offline by kaleido
(lib.geo.mapview.fig_to_png: local Chromium, plotly.js from the plotly package, MathJax off).
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
from lib.geo import mapview
from lib.i18n import LIGHT_COLORS, enum_label, fmt_money, t
from lib.outputs.excel import strip_control
from lib.rules import overview

FONT = "Noto Sans CJK SC"
INK = RGBColor(0x1D, 0x24, 0x30)
MUTED = RGBColor(0x46, 0x50, 0x60)
ACCENT = RGBColor(0x1F, 0x4E, 0x8C)
SLIDE_W, SLIDE_H = Inches(13.333), Inches(7.5)
LIGHTS = ("red", "yellow", "green", "gray")
TOP_N = 5
OVERDUE_ROWS = 10


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
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    _text(slide, Inches(0.5), Inches(0.3), Inches(10.5), Inches(0.7), title, size=28, bold=True)
    sub = f"{t('data_as_of', ctx['lang'])}:{ctx['as_of_text']} · {t('period', ctx['lang'])}:{ctx['period_text']}"
    _text(slide, Inches(0.5), Inches(0.95), Inches(10.5), Inches(0.4), sub, size=14, color=MUTED)
    if ctx["demo"]:
        _demo_tag(slide, Inches(11.2), Inches(0.38), ctx["lang"])
    line = slide.shapes.add_connector(1, Inches(0.5), Inches(1.38), SLIDE_W - Inches(0.5), Inches(1.38))
    line.line.color.rgb = ACCENT
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
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    lang = ctx["lang"]
    band = slide.shapes.add_shape(1, 0, Inches(2.2), SLIDE_W, Inches(2.6))
    band.fill.solid()
    band.fill.fore_color.rgb = ACCENT
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
         f"{'—' if _nan(summ['gap_pp']) else format(summ['gap_pp'], '+.1f')}{'个百分点' if lang == 'zh' else ' pp'}"),
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
          "红灯=滞后超过30个百分点、未按期开工3个月以上、连续2个月未报送等;灰灯=未评价(储备项目或尚未到期)"
          if lang == "zh" else
          "Red = over 30 pp behind, 3+ months late to start, 2+ months without a report…; gray = not assessed",
          size=12, color=MUTED)


def _map_slide(prs, ctx, md):
    lang = ctx["lang"]
    slide = _frame(prs, t("br_map", lang), ctx)
    png = mapview.static_map_png(md, mapview.DEFAULT_MEASURE, lang, demo=ctx["demo"], width=1600, height=820,
                                 framed=False)
    _picture(slide, png, Inches(0.5), Inches(1.5), SLIDE_W - Inches(1.0), SLIDE_H - Inches(2.05))
    return png


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


def _table(slide, x, y, w, rows: list[list[str]], widths: list[float], size=13, fills=None):
    """A table: first row is the header. ``fills``: {(r, c): (hex colour, text colour)}."""
    n_rows, n_cols = len(rows), len(rows[0])
    row_h = Inches(0.36)
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
            run = p.add_run()
            run.text = strip_control(str(val))
            fill = (fills or {}).get((r, c))
            if r == 0:
                cell.fill.solid()
                cell.fill.fore_color.rgb = ACCENT
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
              enum_label("metric", "red_share", lang), "名次变化" if lang == "zh" else "Change",
              "县区灯" if lang == "zh" else "Light"]
    rows, fills = [header], {}
    records = show.to_dict("records")
    gap_after = TOP_N if len(ranked) > 2 * TOP_N else None
    for r in records:
        if gap_after is not None and len(rows) == gap_after + 1:
            rows.append(["…"] + [""] * (len(header) - 1))  # the middle of the table is left out
        i = len(rows)
        rc = r.get("rank_change")
        change = "—" if _nan(rc) else ("↑" + str(int(rc)) if rc > 0 else ("↓" + str(-int(rc)) if rc < 0 else "0"))
        growth = "—" if _nan(r.get("growth")) else f"{float(r['growth']):.1f}%"
        rows.append([str(int(r["rank"])), str(r["region_name"]),
                     "—" if _nan(r.get("score")) else f"{float(r['score']):.1f}", _pct(r.get("invest_rate")),
                     _pct(r.get("start_rate")), growth, _pct(r.get("red_share")), change,
                     mapview.light_word(r.get("light") or "gray", lang)])
        fills[(i, 8)] = _light_fill(r.get("light") or "gray")
    _table(slide, Inches(0.5), Inches(1.6), SLIDE_W - Inches(1.0), rows,
           [0.7, 2.2, 1.0, 1.2, 1.0, 1.0, 1.0, 1.0, 1.0], size=14, fills=fills)
    if len(ranked) > 2 * TOP_N:
        note = (f"前{TOP_N}名与后{TOP_N}名,共{len(ranked)}个县区参与排名" if lang == "zh"
                else f"Top and bottom {TOP_N} of {len(ranked)} counties")
        _text(slide, Inches(0.5), SLIDE_H - Inches(1.35), Inches(8), Inches(0.4), note, size=12, color=MUTED)
    _legend_lights(slide, Inches(0.5), SLIDE_H - Inches(0.95), lang)


def _overdue_slide(prs, ctx, problems: pd.DataFrame | None, region_names: dict):
    lang = ctx["lang"]
    slide = _frame(prs, t("br_overdue", lang), ctx)
    if problems is None or not len(problems):
        od = pd.DataFrame()
    else:
        days = pd.to_numeric(problems["overdue_days"], errors="coerce")
        od = problems[days.notna() & (days > 0)].assign(_d=days).sort_values(["_d", "problem_id"], ascending=[False, True])
    if not len(od):
        _text(slide, Inches(0.5), Inches(2.0), Inches(12), Inches(0.6), t("br_no_overdue", lang), size=20)
        return
    header = ["项目" if lang == "zh" else "Project", t("region", lang), "问题类型" if lang == "zh" else "Category",
              "协调层级" if lang == "zh" else "Level", "责任单位" if lang == "zh" else "Unit",
              "超期天数" if lang == "zh" else "Days overdue", "督办次数" if lang == "zh" else "Supervised"]
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
    total = f"超期未解决问题共 {len(od)} 个" if lang == "zh" else f"{len(od)} overdue problems"
    if more > 0:
        total += ";" + t("br_more", lang).format(n=more)
    _text(slide, Inches(0.5), SLIDE_H - Inches(1.35), Inches(8), Inches(0.4), total, size=12, color=MUTED)
    legend = ("图例:超期天数 红 = 超过30天,黄 = 1–30天" if lang == "zh"
              else "Legend: days overdue red = over 30, yellow = 1–30")
    _text(slide, Inches(0.5), SLIDE_H - Inches(0.95), Inches(7), Inches(0.4), legend, size=12, color=MUTED)
    _chip(slide, Inches(7.6), SLIDE_H - Inches(0.98), "red", "> 30天" if lang == "zh" else "> 30 days", lang, w=Inches(1.3))
    _chip(slide, Inches(9.0), SLIDE_H - Inches(0.98), "yellow", "1–30天" if lang == "zh" else "1–30 days", lang, w=Inches(1.3))


# --------------------------------------------------------------------------- entry point


def briefing_pptx(session: Session, period: str, out_path, as_of=None, lang: str = "zh") -> Path:
    """Write the monthly briefing for ``period`` to ``out_path`` (.pptx, 16:9). Returns the path."""
    from lib.rules.league import compute_league
    from lib.rules.lights import compute_lights

    period = periods.parse_period(period)
    as_of_d = periods.parse_date(as_of) if as_of else periods.last_day(period)
    lights = compute_lights(session, period, as_of=as_of_d)
    league = compute_league(session, period, as_of=as_of_d)
    try:
        from lib.problems import problem_table

        problems = problem_table(session, as_of=as_of_d)
    except ImportError:
        problems = None
    try:
        from lib.demo import is_demo

        demo = bool(is_demo(session))
    except ImportError:
        demo = False
    regions = mapview.load_regions(session)
    region_names = dict(zip(regions["region_code"], regions["region_name"]))
    md = mapview.MapData(period=period, regions=regions, lights=lights, league=league)
    summ = overview.summary(lights, problems, period)

    prs = Presentation()
    prs.slide_width, prs.slide_height = SLIDE_W, SLIDE_H
    ctx = {"lang": lang, "period": period, "period_text": periods.fmt_period(period, lang),
           "as_of_text": periods.fmt_date(as_of_d, lang), "demo": demo, "n": 0}
    _title_slide(prs, ctx)
    _headline_slide(prs, ctx, summ)
    _map_slide(prs, ctx, md)
    _lights_slide(prs, ctx, lights, region_names)
    _league_slide(prs, ctx, league)
    _overdue_slide(prs, ctx, problems, region_names)
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    prs.save(str(out))
    return out
