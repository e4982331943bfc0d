"""AppTest: 项目储备与转化 on the demo store — its figures are lib.rules.pipeline's, its funnel counts
the stages, and a figure leads to the list of exactly the projects behind it."""
from __future__ import annotations

import json

from lib import store
from lib.rules import pipeline
from tests.test_pages import demo_store, errors, metric, sign_in  # noqa: F401  (fixture)

PERIOD = "2022-10"


def _open(user="leader"):
    at = sign_in(user)
    at.switch_page("pages/pipeline.py").run()
    assert not errors(at), errors(at)
    return at


def test_pipeline_page_shows_lib_figures(demo_store):  # noqa: F811
    at = _open()
    with store.session_scope(store.get_engine()) as s:
        table = pipeline.compute_pipeline(s, PERIOD)
        sg = pipeline.stages(s, PERIOD)
    tot = pipeline.area_totals(table)
    assert metric(at, "储备倍数") == f"{tot['reserve_ratio']:.1f}倍"
    assert metric(at, "开工条件具备率") == f"{tot['ready_rate'] * 100:.1f}%"
    # the count funnel draws the stage counts in stage order
    funnels = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    counts = next(f["data"][0]["x"] for f in funnels if f["data"][0]["type"] == "funnel")
    assert counts == [int((sg["stage"] == s).sum()) for s in pipeline.STAGES]
    assert sum(counts) == 300  # every demo project has a project year for 2022
    # the county table lists every region with its stalled count
    df = next(d.value for d in at.dataframe if "储备倍数" in d.value.columns)
    assert len(df) == len(table)
    assert int(df["开工即停工"].sum()) == int(table["stalled_after_event"].sum()) == 1
    # the demo's stalled project is named under the events
    assert any("开工即停工的项目" in m.value for m in at.markdown)


def test_a_stage_leads_to_the_list_of_its_projects(demo_store):  # noqa: F811
    at = _open()
    at.selectbox(key="pl_stage_pick").set_value("preparing").run()
    at.button(key="pl_stage_list").click().run()
    assert not errors(at), errors(at)
    with store.session_scope(store.get_engine()) as s:
        sg = pipeline.stages(s, PERIOD)
    n = int((sg["stage"] == "preparing").sum())
    assert any(f"{n}个项目" in i.value for i in at.info), [i.value for i in at.info]
    assert any(f"共 {n} 个项目" in m.value or f"{n} 个项目" in m.value for m in at.markdown)


def test_project_file_shows_the_milestones(demo_store):  # noqa: F811
    with store.session_scope(store.get_engine()) as s:
        late = pipeline.late_approvals(s, PERIOD).sort_values(["late_days", "project_code"], ascending=[False, True])
        code, days = late.iloc[0]["project_code"], int(late.iloc[0]["late_days"])
        timeline = pipeline.project_timeline(s, code, "2022-10-31")
    at = sign_in()
    at.switch_page("pages/project_list.py").run()
    at.selectbox(key="pl_pick").set_value(code).run()
    at.button(key="pl_open").click().run()
    assert not errors(at), errors(at)
    text = "\n".join(m.value for m in at.markdown)
    assert f"未办结,已超期{days}天" in text  # the latest 手续 in words, not only a colour
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    tl = next(ch for ch in charts if "挂图作战" in ch["layout"]["title"]["text"])
    planned = next(tr for tr in tl["data"] if tr["name"] == "计划")
    assert len(planned["y"]) == len(timeline)  # every 手续 plus start/completion/operation
