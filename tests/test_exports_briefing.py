"""lib.outputs.briefing: the monthly briefing on the demo store — 16:9 slides, each with its title
and 数据截至, the demo mark, the map as a rendered image, the league and overdue tables matching lib.
(The v2 slides — native charts, red projects, template, PDF — are tested in test_outputs_pack.py.)"""
from __future__ import annotations

import io

import pandas as pd
import pytest
from pptx import Presentation
from pptx.util import Inches

from lib import store

pytestmark = pytest.mark.slow  # slides with static images drawn by Chromium

PERIOD = "2022-10"


@pytest.fixture(scope="module")
def deck(tmp_path_factory):
    from lib.demo import load_demo
    from lib.outputs.briefing import briefing_pptx
    from lib.problems import problem_table
    from lib.rules.league import compute_league

    tmp = tmp_path_factory.mktemp("brief")
    eng = store.make_engine(f"sqlite:///{tmp / 'cockpit.db'}")
    store.upgrade(eng)
    with store.session_scope(eng) as s:
        assert load_demo(s)
    with store.session_scope(eng) as s:
        out = briefing_pptx(s, PERIOD, tmp / "brief.pptx")
        league = compute_league(s, PERIOD)
        problems = problem_table(s, as_of="2022-10-31")
    eng.dispose()
    return Presentation(str(out)), league, problems


def _texts(slide) -> str:
    return "\n".join(sh.text_frame.text for sh in slide.shapes if sh.has_text_frame)


def _table(slide):
    tables = [sh.table for sh in slide.shapes if sh.has_table]
    assert len(tables) == 1, len(tables)
    t = tables[0]
    return [[t.cell(r, c).text for c in range(len(t.columns))] for r in range(len(t.rows))]


def _slide(prs, title: str):
    return next(s for s in prs.slides if _texts(s).strip().startswith(title))


def test_wide_slides_each_with_title_and_as_of(deck):
    prs, _, _ = deck
    assert prs.slide_width == Inches(13.333) and prs.slide_height == Inches(7.5)
    slides = list(prs.slides)
    assert len(slides) >= 12
    titles = ["攻坚驾驶舱 · 月度通报", "主要指标", "投资进度地图", "各县区项目红黄绿灯", "县区排名", "超期未解决问题"]
    for title in titles:
        _slide(prs, title)
    for slide in slides:
        text = _texts(slide)
        assert "数据截至" in text and "2022年10月31日" in text
        assert "示例数据" in text  # the demo store is marked on every slide
    assert "2022年10月" in _texts(slides[0])


def test_the_map_is_a_rendered_png(deck):
    from PIL import Image

    prs, _, _ = deck
    for slide in (_slide(prs, "投资进度地图"),):
        pics = [sh for sh in slide.shapes if sh.shape_type == 13]
        assert len(pics) == 1
        img = Image.open(io.BytesIO(pics[0].image.blob))
        assert img.format == "PNG" and img.size == (1600, 820)
        assert len(img.convert("RGB").getcolors(1 << 20)) > 50  # drawn, not blank


def test_headline_figures_and_light_legend(deck):
    prs, league, _ = deck
    text = _texts(_slide(prs, "主要指标"))
    for word in ("年度项目", "年度计划投资", "累计完成投资", "投资完成率", "序时进度", "红灯", "黄灯", "绿灯", "灰灯"):
        assert word in text
    assert "亿元" in text


def test_league_slide_in_rank_order(deck):
    prs, league, _ = deck
    slide = _slide(prs, "县区排名")
    rows = _table(slide)
    ranked = league[league["rank"].notna()].sort_values("rank")
    assert [r[1] for r in rows[1:]] == ranked["region_name"].tolist()  # every county (13 fit one slide)
    assert [int(r[0]) for r in rows[1:]] == ranked["rank"].astype(int).tolist()
    assert all(r[-1] in ("红灯", "黄灯", "绿灯", "灰灯") for r in rows[1:])
    assert "图例" in _texts(slide)


def test_overdue_slide_lists_the_most_overdue_first(deck):
    prs, _, problems = deck
    days = pd.to_numeric(problems["overdue_days"], errors="coerce")
    overdue = problems[days > 0]
    assert len(overdue) > 0
    rows = _table(_slide(prs, "超期未解决问题"))
    shown = [int(r[5]) for r in rows[1:]]
    assert shown == sorted(days[days > 0].astype(int).tolist(), reverse=True)[: len(shown)]
    assert len(shown) == min(10, len(overdue))
    text = _texts(_slide(prs, "超期未解决问题"))
    assert f"共 {len(overdue)} 个" in text and "图例" in text
