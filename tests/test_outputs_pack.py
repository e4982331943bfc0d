"""Slide pack v2 (lib/outputs/briefing.py) on the demo store, read back with python-pptx: the slide
titles, the ranking as a native table in lib's league order, the red projects (paginated, with
reasons and the amount to turn green), native chart parts (bar, line, doughnut; the map the only
picture), ``a:ea`` on every Chinese run; the office's template (stored, audited, office only) used
for the next pack; and, with LibreOffice installed, the pack as PDF rendered to PNG pages
(artifacts/pack/page-NN.png)."""
from __future__ import annotations

import io
import re
import shutil
import subprocess

import pytest
from pptx import Presentation
from pptx.oxml.ns import qn
from pptx.util import Inches

from lib import store
from lib.access import Actor
from lib.errors import CockpitError, PermissionDenied
from tests.conftest import ROOT

PERIOD = "2022-10"
OFFICE = Actor(username="office", role="office")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from lib.demo import load_demo
    from lib.outputs.briefing import briefing_pptx
    from lib.outputs.monthly import month_facts
    from lib.rules.league import compute_league
    from lib.rules.lights import compute_lights

    tmp = tmp_path_factory.mktemp("pack")
    eng = store.make_engine(f"sqlite:///{tmp / 'cockpit.db'}")
    store.upgrade(eng)
    with store.session_scope(eng) as s:
        assert load_demo(s)
    with store.session_scope(eng) as s:
        facts = month_facts(s, PERIOD)
        out = briefing_pptx(s, PERIOD, tmp / "pack.pptx", facts=facts)
        league = compute_league(s, PERIOD)
        lights = compute_lights(s, PERIOD)
    yield {"eng": eng, "tmp": tmp, "path": out, "prs": Presentation(str(out)), "facts": facts,
           "league": league, "lights": lights}
    eng.dispose()


def _title(slide) -> str:
    boxes = [sh for sh in slide.shapes if sh.has_text_frame and sh.text_frame.text.strip()]
    return boxes[0].text_frame.text if boxes else ""


def _tables(slide):
    return [[[c.text for c in row.cells] for row in sh.table.rows] for sh in slide.shapes if sh.has_table]


def test_slide_titles_in_order(demo):
    prs = demo["prs"]
    assert prs.slide_width == Inches(13.333) and prs.slide_height == Inches(7.5)
    titles = [_title(s) for s in prs.slides]
    n_red = len(demo["lights"][demo["lights"]["light"] == "red"])
    red_pages = -(-n_red // 9)
    expected = (["攻坚驾驶舱 · 月度通报", "主要指标", "投资进度地图", "累计完成投资与计划(月度)", "各县区项目红黄绿灯",
                 "县区排名"] + [f"红灯项目清单({i}/{red_pages})" for i in range(1, red_pages + 1)]
                + ["问题分类与责任单位", "超期未解决问题", "月报报送完整率", "各县区一句话状态"])
    assert titles == expected
    for slide in list(prs.slides)[1:]:
        text = "\n".join(sh.text_frame.text for sh in slide.shapes if sh.has_text_frame)
        assert "数据截至:2022年10月31日" in text and "示例数据" in text


def test_ranking_is_a_native_table_in_the_league_order(demo):
    slide = next(s for s in demo["prs"].slides if _title(s) == "县区排名")
    (table,) = _tables(slide)
    lg = demo["league"]
    ranked = lg[lg["rank"].notna()].sort_values("rank")
    assert [r[1] for r in table[1:]] == list(ranked["region_name"])
    assert [int(r[0]) for r in table[1:]] == list(ranked["rank"].astype(int))
    assert [r[2] for r in table[1:]] == [f"{v:.1f}" for v in ranked["score"]]
    assert [r[8] for r in table[1:]] == [{"red": "红灯", "yellow": "黄灯", "green": "绿灯", "gray": "灰灯"}[v]
                                         for v in ranked["light"]]


def test_red_projects_paginated_with_reasons_and_amount(demo):
    lt = demo["lights"]
    red = lt[lt["light"] == "red"].set_index("project_code")
    rows = []
    for slide in demo["prs"].slides:
        if _title(slide).startswith("红灯项目清单"):
            (table,) = _tables(slide)
            assert table[0] == ["县区", "项目", "红灯原因", "转绿还需完成(万元)"]
            assert 1 <= len(table) - 1 <= 9
            rows += table[1:]
    assert len(rows) == len(red)
    by_reason = {r[2]: r for r in rows}
    for code, r in red.iterrows():
        got = by_reason[r["reasons"]]  # every red project with its own reasons
        amount = r["inputs"].get("to_green")
        if r["progress"] in ("red", "yellow") and amount:
            assert got[3] == f"{amount:,.0f}" and f"再完成{amount:,.0f}万元可转绿" in r["reasons"]
        else:
            assert got[3] == "—"


def test_native_charts_and_one_picture(demo):
    from pptx.enum.chart import XL_CHART_TYPE

    prs = demo["prs"]
    charts = [sh.chart for s in prs.slides for sh in s.shapes if sh.has_chart]
    kinds = {c.chart_type for c in charts}
    assert len(charts) >= 5
    assert {XL_CHART_TYPE.LINE_MARKERS, XL_CHART_TYPE.DOUGHNUT, XL_CHART_TYPE.BAR_STACKED,
            XL_CHART_TYPE.BAR_CLUSTERED} <= kinds
    parts = [str(p.partname) for p in prs.part.package.iter_parts()]
    assert len([p for p in parts if re.fullmatch(r"/ppt/charts/chart\d+\.xml", p)]) == len(charts)
    assert len([p for p in parts if p.startswith("/ppt/embeddings/")]) == len(charts)  # editable data
    pictures = [sh for s in prs.slides for sh in s.shapes if sh.shape_type == 13]
    assert len(pictures) == 1 and _title(pictures[0].part.slide if hasattr(pictures[0].part, "slide") else
                                         next(s for s in prs.slides if pictures[0] in list(s.shapes))) == "投资进度地图"
    # the lights by county chart holds lib's counts
    bar = next(c for c in charts if c.chart_type == XL_CHART_TYPE.BAR_STACKED and c.plots[0].series[0].name == "红灯")
    assert sum(bar.plots[0].series[0].values) == len(demo["lights"][demo["lights"]["light"] == "red"])
    donut = next(c for c in charts if c.chart_type == XL_CHART_TYPE.DOUGHNUT)
    counts = demo["lights"]["light"].value_counts()
    assert list(donut.plots[0].series[0].values) == [int(counts.get(k, 0)) for k in ("red", "yellow", "green", "gray")]
    assert list(donut.plots[0].series[0].values) == [48, 49, 152, 51]  # README's demo table


def test_every_chinese_run_has_an_east_asian_font(demo):
    prs = demo["prs"]
    checked = 0
    for slide in prs.slides:
        for r in slide._element.iter(qn("a:r")):
            text = r.findtext(qn("a:t")) or ""
            if re.search(r"[\u4e00-\u9fff]", text):
                rpr = r.find(qn("a:rPr"))
                assert rpr is not None and rpr.find(qn("a:ea")) is not None, text
                assert rpr.find(qn("a:ea")).get("typeface")
                checked += 1
    assert checked > 300
    for sh in (sh for s in prs.slides for sh in s.shapes if sh.has_chart):  # chart text too
        txpr = sh.chart._chartSpace.find(qn("c:txPr"))
        assert txpr is not None and txpr.find(".//" + qn("a:ea")) is not None


def _template_bytes() -> bytes:
    """A 16:9 template with a logo text on its master and its own accent colour."""
    from pptx import Presentation as P
    from pptx.util import Pt

    prs = P()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    scratch = prs.slides.add_slide(prs.slide_layouts[6])
    box = scratch.shapes.add_textbox(Inches(11.5), Inches(6.9), Inches(1.6), Inches(0.4))
    box.text_frame.text = "LOGO-大理州"
    box.text_frame.paragraphs[0].runs[0].font.size = Pt(12)
    prs.slide_master.shapes._spTree.append(box._element)  # onto the master: every slide shows it
    theme = next(r.target_part for r in prs.slide_master.part.rels.values() if r.reltype.endswith("/theme"))
    xml = theme.blob.decode()
    theme._blob = re.sub(r"(<a:accent1>\s*<a:srgbClr val=\")[0-9A-Fa-f]{6}", r"\g<1>8B1A1A", xml).encode()
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


def test_office_template_is_stored_audited_and_used(demo):
    from sqlalchemy import select

    from lib.outputs.briefing import briefing_pptx
    from lib.outputs.templates import get_template, remove_template, save_template
    from lib.store.models import AuditLog

    data = _template_bytes()
    with store.session_scope(demo["eng"]) as s:
        for who in (Actor("leader", "leader"), Actor("admin", "admin"), Actor("staff-532901", "staff", "532901")):
            with pytest.raises(PermissionDenied):
                save_template(s, who, "t.pptx", data)
        with pytest.raises(CockpitError):
            save_template(s, OFFICE, "bad.pptx", b"not a pptx")
        save_template(s, OFFICE, "大理州模板.pptx", data)
    with store.session_scope(demo["eng"]) as s:
        row = get_template(s)
        assert row.filename == "大理州模板.pptx" and row.uploaded_by == "office" and row.content == data
        audits = s.scalars(select(AuditLog).where(AuditLog.entity == "output_templates")).all()
        assert [a.action for a in audits] == ["template"] and audits[0].username == "office"
        out = briefing_pptx(s, PERIOD, demo["tmp"] / "templated.pptx", facts=demo["facts"])
    prs = Presentation(str(out))
    master_text = [sh.text_frame.text for sh in prs.slide_master.shapes if sh.has_text_frame]
    assert "LOGO-大理州" in master_text
    assert len(prs.slides) == len(demo["prs"].slides)
    slide = next(s for s in prs.slides if _title(s) == "县区排名")
    header_cell = next(sh for sh in slide.shapes if sh.has_table).table.cell(0, 0)
    assert str(header_cell.fill.fore_color.rgb) == "8B1A1A"  # the template's colour
    with store.session_scope(demo["eng"]) as s:
        with pytest.raises(PermissionDenied):
            remove_template(s, Actor("leader", "leader"))
        assert remove_template(s, OFFICE)
        assert get_template(s) is None


def test_template_of_another_size_is_refused():
    from pptx import Presentation as P

    from lib.outputs.templates import check_template

    buf = io.BytesIO()
    P().save(buf)  # python-pptx's default is 4:3
    with pytest.raises(CockpitError):
        check_template(buf.getvalue())


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftoppm") is None,
                    reason="LibreOffice or poppler not installed (make system-deps installs them as root)")
def test_pack_as_pdf_and_png_pages(demo):
    from PIL import Image

    from lib.outputs.briefing import pack_pdf

    pdf = pack_pdf(demo["path"])
    assert pdf.read_bytes().startswith(b"%PDF")
    out = ROOT / "artifacts" / "pack"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    shutil.copy(pdf, out / "pack.pdf")
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(out / "page")], check=True, timeout=300)
    pages = sorted(out.glob("page-*.png"))
    assert len(pages) == len(demo["prs"].slides)
    for p in pages:
        img = Image.open(p).convert("RGB")
        w, h = img.size
        assert abs(w / h - 16 / 9) < 0.01
        assert len(img.getcolors(1 << 20)) > 20  # drawn, not blank
