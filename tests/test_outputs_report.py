"""The monthly 通报 (lib/outputs/report.py) on the demo store: every figure in its text is the value
lib/ computes — recomputed here from the rule functions and the store directly (ranks, 红黑榜 top and
bottom three with scores and rates, light counts, start rate, problem counts, reporting rate) — and
no sentence carries a number that is not one of them. The .docx is read back (A4, 红头, fonts)."""
from __future__ import annotations

import datetime as dt
import io
import re

import pandas as pd
import pytest
from docx import Document
from sqlalchemy import func, select

from lib import store
from lib.i18n import enum_label, fmt_money, fmt_pct, t

PERIOD = "2022-10"
AS_OF = dt.date(2022, 10, 31)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from lib.demo import load_demo
    from lib.outputs.monthly import month_facts
    from lib.outputs.report import build_report, report_paragraphs
    from lib.problems import problem_table
    from lib.rules.league import compute_league
    from lib.rules.lights import compute_lights
    from lib.store.models import MonthlyReport, Project, ProjectYear

    tmp = tmp_path_factory.mktemp("report")
    eng = store.make_engine(f"sqlite:///{tmp / 'cockpit.db'}")
    store.upgrade(eng)
    with store.session_scope(eng) as s:
        assert load_demo(s)
    with store.session_scope(eng) as s:
        facts = month_facts(s, PERIOD)
        paras = report_paragraphs(facts)
        docx = build_report(facts)
        plain = build_report(facts, red_head=False)
        lights = compute_lights(s, PERIOD)
        lights_prev = compute_lights(s, "2022-09")
        league = compute_league(s, PERIOD)
        problems = problem_table(s, as_of=AS_OF)
        reported = s.execute(
            select(func.count()).select_from(MonthlyReport)
            .join(ProjectYear, (ProjectYear.project_code == MonthlyReport.project_code) & (ProjectYear.year == 2022))
            .where(ProjectYear.library == "annual", MonthlyReport.period == PERIOD)).scalar_one()
        missing_by_region = dict(s.execute(
            select(Project.region_code, func.count()).join(ProjectYear, ProjectYear.project_code == Project.code)
            .where(ProjectYear.year == 2022, ProjectYear.library == "annual",
                   ~Project.code.in_(select(MonthlyReport.project_code).where(MonthlyReport.period == PERIOD)))
            .group_by(Project.region_code)).all())
    eng.dispose()
    return {"facts": facts, "paras": paras, "docx": docx, "plain": plain, "lights": lights,
            "lights_prev": lights_prev, "league": league, "problems": problems, "reported": reported,
            "missing": missing_by_region}


def _body(paras) -> list[str]:
    return [text for kind, text in paras if kind in ("body", "h2")]


def _find(paras, prefix: str) -> str:
    hits = [text for kind, text in paras if text.startswith(prefix)]
    assert len(hits) == 1, (prefix, hits)
    return hits[0]


def expected(d) -> dict:
    """The figures recomputed from lib's rule functions (not from MonthFacts)."""
    lt, lg, pb = d["lights"], d["league"], d["problems"]
    annual = lt[lt["library"] == "annual"]
    plan, ytd = annual["annual_plan"].fillna(0).sum(), annual["ytd_completed"].fillna(0).sum()
    prev = d["lights_prev"][d["lights_prev"]["library"] == "annual"]
    rate_prev = prev["ytd_completed"].fillna(0).sum() / prev["annual_plan"].fillna(0).sum()
    new = annual[annual["nature"] == "new"]
    due = new[new["start_due"].astype(bool)]
    ranked = lg[lg["rank"].notna()].sort_values("rank")
    raised = pd.to_datetime(pb["raised_on"])
    is_open = pb["is_open"].astype(bool)
    overdue = is_open & pd.to_numeric(pb["overdue_days"], errors="coerce").gt(0)
    annual_n = len(annual)
    return {
        "n": len(annual), "plan": plan, "ytd": ytd, "rate": ytd / plan, "tp": 10 / 12,
        "gap": round((ytd / plan - 10 / 12) * 100, 2), "d_rate": round((ytd / plan - rate_prev) * 100, 1),
        "d_ytd": ytd - prev["ytd_completed"].fillna(0).sum(),
        "counts": lt["light"].value_counts().to_dict(),
        "due": len(due), "started": int(due["started"].astype(bool).sum()),
        "ranked": ranked, "top3": ranked.head(3), "bottom3": ranked.tail(3).iloc[::-1],
        "red": lt[lt["light"] == "red"],
        "open": int(is_open.sum()), "overdue": int(overdue.sum()),
        "new": int(((raised >= "2022-10-01") & (raised <= "2022-10-31")).sum()),
        "open_by_cat": pb[is_open]["category"].value_counts().to_dict(),
        "annual": annual_n, "reported": d["reported"], "report_rate": d["reported"] / annual_n,
        "missing": {k: v for k, v in d["missing"].items() if v},
    }


def test_overall_progress_figures(demo):
    e = expected(demo)
    text = _find(demo["paras"], f"截至2022年10月31日，{e['n']}个年度")
    assert text == t("rpt_overall_behind" if e["gap"] < 0 else "rpt_overall_ahead", "zh", as_of="2022年10月31日",
                     n=e["n"], plan=fmt_money(e["plan"]), ytd=fmt_money(e["ytd"]), rate=fmt_pct(e["rate"]),
                     tp=fmt_pct(e["tp"]), gap=f"{abs(e['gap']):.1f}")
    assert fmt_pct(e["rate"]) == "72.1%" and fmt_pct(e["tp"]) == "83.3%"  # the demo's figures on the overview
    prev = _find(demo["paras"], "与上月相比")
    assert prev == t("rpt_prev_up" if e["d_rate"] >= 0 else "rpt_prev_down", "zh", d=f"{abs(e['d_rate']):.1f}",
                     dytd=fmt_money(e["d_ytd"]))
    c = e["counts"]
    assert _find(demo["paras"], "按红黄绿灯评价") == t("rpt_lights", "zh", **c)
    assert c == {"red": 48, "yellow": 49, "green": 152, "gray": 51}  # the demo's counts (README)
    assert _find(demo["paras"], "计划于本月及以前开工") == t(
        "rpt_start", "zh", due=e["due"], started=e["started"], rate=fmt_pct(e["started"] / e["due"]))


def _rank_items(rows: pd.DataFrame) -> str:
    return "、".join(t("rpt_rank_item", "zh", rank=int(r["rank"]), name=r["region_name"], score=f"{r['score']:.1f}",
                      rate=fmt_pct(r["invest_rate"])) for r in rows.to_dict("records"))


def test_ranking_red_and_black_lists(demo):
    e = expected(demo)
    assert _find(demo["paras"], "按投资完成率、开工率").endswith(f"{len(e['ranked'])}个县区参与排名。")
    red = _find(demo["paras"], "红榜")
    black = _find(demo["paras"], "黑榜")
    assert red == t("rpt_red_list", "zh", items=_rank_items(e["top3"]))
    assert black == t("rpt_black_list", "zh", items=_rank_items(e["bottom3"]))
    # the names in order, read back from the sentence
    assert re.findall(r"第(\d+)名([^（]+)（", red) == [(str(int(r)), n) for r, n in zip(e["top3"]["rank"], e["top3"]["region_name"])]
    assert [int(x) for x in re.findall(r"第(\d+)名", black)] == [len(e["ranked"]), len(e["ranked"]) - 1, len(e["ranked"]) - 2]


def test_red_projects_by_county_with_reasons(demo):
    e = expected(demo)
    red = e["red"]
    counties = red["region_code"].nunique()
    assert _find(demo["paras"], "本期红灯项目共") == t("rpt_red_intro", "zh", n=len(red), k=counties)
    items = [text for kind, text in demo["paras"] if kind == "item" and "责任单位" not in text]
    assert len(items) == len(red)
    for r in red.to_dict("records"):  # each project carries its own reasons from lib.rules.lights
        assert any(text.endswith(f"{r['project_name']}，红灯原因：{r['reasons'].rstrip('。;; ')}。") for text in items)
    heads = [text for kind, text in demo["paras"] if kind == "h2"]
    assert len(heads) == counties
    names_by_code = dict(zip(demo["league"]["region_code"], demo["league"]["region_name"]))
    for code, n in red["region_code"].value_counts().items():
        assert any(h.endswith(f"）{names_by_code[code]}{n}个。") for h in heads)


def test_problem_and_reporting_figures(demo):
    e = expected(demo)
    assert _find(demo["paras"], "截至2022年10月31日，未销号") == t(
        "rpt_problems", "zh", as_of="2022年10月31日", open=e["open"], overdue=e["overdue"], new=e["new"])
    cats = _find(demo["paras"], "未销号问题按类型")
    got = dict((k, int(v)) for k, v in re.findall(r"([^：、]+?)(\d+)个", cats.split("：", 1)[1]))
    assert got == {enum_label("problem_category", k): v for k, v in e["open_by_cat"].items()}
    overdue_items = [text for kind, text in demo["paras"] if kind == "item" and "超期" in text and "责任单位" in text]
    pb = demo["problems"]
    days = pd.to_numeric(pb["overdue_days"], errors="coerce")
    open_days = sorted(days[pb["is_open"].astype(bool) & days.gt(0)].astype(int), reverse=True)
    assert open_days  # the demo has overdue problems
    assert [int(re.search(r"超期(\d+)天。$", x).group(1)) for x in overdue_items] == open_days[:10]
    assert _find(demo["paras"], "本月应报送月报") == t(
        "rpt_reporting", "zh", annual=e["annual"], reported=e["reported"], rate=fmt_pct(e["report_rate"]))
    miss = _find(demo["paras"], "未报齐的县区")
    names_by_code = dict(zip(demo["league"]["region_code"], demo["league"]["region_name"]))
    got = dict((k, int(v)) for k, v in re.findall(r"([^：、（]+)（缺报(\d+)个）", miss))
    assert got == {names_by_code[k]: v for k, v in e["missing"].items()}


def test_no_sentence_carries_a_number_lib_did_not_compute(demo):
    """Every number in the 通报's own sentences (headings and the red projects' reason texts aside,
    which are lib.rules.lights' texts checked above) is one of the recomputed figures."""
    e = expected(demo)
    allowed = {"2022", "10", "31", "3", "2"}  # the date, 前三名/后三名 … (ordinals are checked above)
    allowed |= {str(e[k]) for k in ("n", "due", "started", "open", "overdue", "new", "annual", "reported")}
    allowed |= {str(v) for v in e["counts"].values()} | {str(v) for v in e["open_by_cat"].values()}
    allowed |= {str(v) for v in e["missing"].values()} | {str(len(e["ranked"])), str(len(e["red"])),
                                                           str(e["red"]["region_code"].nunique())}
    for v in (e["rate"], e["tp"], e["started"] / e["due"], e["report_rate"]):
        allowed.add(fmt_pct(v)[:-1])
    allowed |= {f"{abs(e['gap']):.1f}", f"{abs(e['d_rate']):.1f}"}
    for money in (e["plan"], e["ytd"], e["d_ytd"]):
        allowed.add(fmt_money(money)[:-2])
    for r in pd.concat([e["top3"], e["bottom3"]]).to_dict("records"):
        allowed |= {str(int(r["rank"])), f"{r['score']:.1f}", fmt_pct(r["invest_rate"])[:-1]}
    checked = 0
    for kind, text in demo["paras"]:
        if kind not in ("body",) or text.startswith(("超期未解决问题如下", "另有")):
            continue
        for num in re.findall(r"\d[\d,]*(?:\.\d+)?", text):
            assert num in allowed, f"{num!r} in 「{text}」 is not a figure lib computed"
            checked += 1
    assert checked > 40


def test_docx_layout_and_text(demo):
    doc = Document(io.BytesIO(demo["docx"]))
    sec = doc.sections[0]
    assert round(sec.page_width.mm) == 210 and round(sec.page_height.mm) == 297
    assert round(sec.top_margin.mm) == 37 and round(sec.left_margin.mm) == 28
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == t("rpt_red_head", "zh")
    red_run = doc.paragraphs[0].runs[0]
    assert str(red_run.font.color.rgb) == "E00000"
    assert "攻坚办〔2022〕10号" in texts[1]
    for kind, text in demo["paras"]:
        if kind != "table":
            assert text in texts
    for h in ("一、总体进展", "二、县区排名", "三、红灯项目", "四、问题办理", "五、月报报送", "六、下一步工作"):
        assert h in texts
    assert any("【请填写" in x for x in texts)  # next steps are placeholders
    # the ranking table in the league order of lib
    table = doc.tables[0]
    names = [row.cells[1].text for row in table.rows[1:]]
    assert names == list(expected(demo)["ranked"]["region_name"])
    # East-Asian fonts on every run with Chinese, declared with an installed fallback
    from docx.oxml.ns import qn

    for p in doc.paragraphs:
        for r in p.runs:
            if re.search(r"[\u4e00-\u9fff]", r.text):
                assert r._element.rPr.rFonts.get(qn("w:eastAsia")) in ("方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312")
    font_table = [rel.target_part.blob.decode() for rel in doc.part.rels.values() if rel.reltype.endswith("/fontTable")][0]
    assert 'w:name="仿宋_GB2312"' in font_table and 'w:altName w:val="Noto Serif CJK SC"' in font_table
    plain = Document(io.BytesIO(demo["plain"]))
    assert plain.paragraphs[0].text != t("rpt_red_head", "zh")  # 红头 is optional


def test_the_pack_says_the_same_figures(demo, tmp_path):
    """The slide pack and the 通报 read the same MonthFacts: the problem sentence, the headline rate and
    each county's line carry the same numbers."""
    from pptx import Presentation

    from lib.outputs.briefing import build_pack, county_line

    prs = Presentation(io.BytesIO(build_pack(None, demo["facts"])))
    text = "\n".join(sh.text_frame.text for s in prs.slides for sh in s.shapes if sh.has_text_frame)
    cells = "\n".join(c.text for s in prs.slides for sh in s.shapes if sh.has_table
                      for row in sh.table.rows for c in row.cells)
    e = expected(demo)
    assert _find(demo["paras"], "截至2022年10月31日，未销号") in text
    assert fmt_pct(e["rate"]) in text and fmt_money(e["ytd"]) in text
    st = demo["facts"].county_status
    for r in st.to_dict("records"):
        assert county_line(r, "zh") in cells
    for r in e["top3"].to_dict("records"):
        assert f"第{int(r['rank'])}名,得分{r['score']:.1f};投资完成率{fmt_pct(r['invest_rate'])}" in cells


def test_cli_export_report_and_briefing(tmp_path):
    """`python -m lib.cli export report` writes the 通报; `export briefing --pdf` the pack and its PDF."""
    import os
    import shutil
    import subprocess
    import sys

    from tests.conftest import ROOT

    env = dict(os.environ, COCKPIT_DB_URL=f"sqlite:///{tmp_path / 'c.db'}")

    def run(*args):
        return subprocess.run([sys.executable, "-m", "lib.cli", *args], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=600)

    assert run("init", "--demo").returncode == 0
    proc = run("export", "report", "--period", "2022-10", "--out", str(tmp_path / "tb.docx"), "--no-red-head")
    assert proc.returncode == 0, proc.stderr
    doc = Document(str(tmp_path / "tb.docx"))
    assert doc.paragraphs[0].text != t("rpt_red_head", "zh")
    assert any(p.text.startswith("截至2022年10月31日，249个年度建设项目") for p in doc.paragraphs)
    bad = run("export", "report", "--period", "2022-13", "--out", str(tmp_path / "x.docx"))
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
    args = ["export", "briefing", "--period", "2022-10", "--out", str(tmp_path / "pack.pptx")]
    if shutil.which("soffice"):
        args.append("--pdf")
    proc = run(*args)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "pack.pptx").stat().st_size > 50_000
    if shutil.which("soffice"):
        assert (tmp_path / "pack.pdf").read_bytes()[:4] == b"%PDF"
