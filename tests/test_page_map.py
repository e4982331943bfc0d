"""AppTest: the map page builds an offline deck (no basemap URL, layer ids, one feature per county of
the demo, one point per located project) and a county click opens its panel."""
import json
import re

import pytest
from streamlit.testing.v1 import AppTest

from lib import store
from lib.access import Actor
from tests.conftest import BACKENDS, ROOT

pytestmark = pytest.mark.slow  # AppTests of the map on the demo, on both stores

LEADER = Actor(username="leader", role="leader")
PERIOD = "2022-10"


@pytest.fixture(scope="module", params=BACKENDS)
def demo_url(request, tmp_path_factory, new_store):
    """A copy of the demo store on SQLite and on PostgreSQL."""
    url, drop = new_store(request.param, tmp_path_factory.mktemp("mapdemo"), demo=True)
    yield url
    store.dispose_all()
    drop()


@pytest.fixture
def demo_store(demo_url, monkeypatch):
    monkeypatch.setenv("COCKPIT_DB_URL", demo_url)
    store.dispose_all()
    yield store.get_engine()
    store.dispose_all()


def _expected(engine):
    """Counties with a boundary and projects with a location, straight from the store."""
    from sqlalchemy import select

    from lib.rules.lights import compute_lights
    from lib.store.models import Region

    with store.session_scope(engine) as s:
        regions = s.execute(select(Region.code, Region.boundary)).all()
        lights = compute_lights(s, PERIOD)
    with_boundary = sorted(code for code, b in regions if b)
    no_boundary = sorted(code for code, b in regions if not b)
    located = lights[lights["lon"].notna() & lights["lat"].notna()]
    return with_boundary, no_boundary, located, lights


def _run(**state):
    at = AppTest.from_file(str(ROOT / "pages" / "map.py"), default_timeout=60)
    at.session_state["actor"] = LEADER
    at.session_state["period"] = PERIOD
    for k, v in state.items():
        at.session_state[k] = v
    return at.run()


def _deck(at):
    charts = at.get("deck_gl_json_chart")
    assert len(charts) == 1, "the page draws exactly one map"
    proto = charts[0].proto
    return json.loads(proto.json), json.loads(proto.tooltip) if proto.tooltip else None


def test_map_deck_is_offline_and_complete(demo_store):
    with_boundary, no_boundary, located, lights = _expected(demo_store)
    assert len(with_boundary) == 12 and len(located) > 50  # the demo: 12 counties, located projects
    at = _run()
    assert not at.exception, at.exception
    spec, tooltip = _deck(at)
    # no basemap: pydeck's placeholder (read by Streamlit as "none"), never a style URL or provider
    assert spec.get("mapStyle") in (None, "__MAP_STYLE__")
    assert "mapProvider" not in spec
    assert "http" not in json.dumps(spec)
    layers = {layer["id"]: layer for layer in spec["layers"]}
    assert all(layer.get("id") for layer in spec["layers"])
    assert set(layers) == {"counties", "county-outlines", "projects", "region-markers", "marker-outlines"}
    counties = layers["counties"]
    assert counties["@@type"] == "GeoJsonLayer"
    codes = sorted(f["properties"]["k"] for f in counties["data"]["features"])
    assert codes == with_boundary
    # every county filled with a real colour and carrying its tooltip fields (league score and rank)
    for f in counties["data"]["features"]:
        assert len(f["properties"]["f"]) == 4 and f["properties"]["n"]
        assert re.search(r"综合得分 \d+\.\d · 第\d+名", f["properties"]["s"]), f["properties"]["s"]
    projects = layers["projects"]
    assert projects["@@type"] == "ScatterplotLayer"
    assert len(projects["data"]) == len(located)
    assert projects["radiusUnits"] == "pixels"
    # red points carry the red colour and the word 红灯 (colour is never alone)
    reds = [p for p in projects["data"] if p["f"] == [214, 69, 69]]
    assert len(reds) == int((located["light"] == "red").sum()) and all("红灯" in p["s"] for p in reds)
    # the park without boundary is a labelled marker at its centroid
    markers = layers["region-markers"]["data"]["features"]
    assert sorted(m["properties"]["k"] for m in markers) == no_boundary
    # the county names are HTML over the map (in the map's own box), one per region
    names = [h for h in at.get("html") if "ck-map-labels" in h.proto.body]
    assert len(names) == 1
    body = names[0].proto.body
    assert "祥云县" in body and "漾濞县" in body and body.count("<span") == len(with_boundary) + len(no_boundary)
    assert "Noto Sans CJK SC" in body
    # the tooltip template uses the fields every object carries
    assert tooltip and "{n}" in tooltip["html"] and "{r}" in tooltip["html"]
    # legend beside the map lists the measure's classes and the light words
    legend = " ".join(m.value for m in at.markdown)
    assert "完成率与序时进度之差" in legend and "红灯" in legend and "点大小" in legend


def test_measure_and_filters_change_the_deck(demo_store):
    _, _, located, _ = _expected(demo_store)
    at = _run()
    base, _ = _deck(at)
    fills = {f["properties"]["k"]: f["properties"]["f"] for f in
             next(layer for layer in base["layers"] if layer["id"] == "counties")["data"]["features"]}
    at.radio(key="map_measure").set_value("score").run()
    assert not at.exception
    spec, _ = _deck(at)
    fills2 = {f["properties"]["k"]: f["properties"]["f"] for f in
              next(layer for layer in spec["layers"] if layer["id"] == "counties")["data"]["features"]}
    assert fills2 != fills
    at.multiselect(key="pl_light").set_value(["red"]).run()
    assert not at.exception
    spec, _ = _deck(at)
    pts = next(layer for layer in spec["layers"] if layer["id"] == "projects")["data"]
    assert len(pts) == int((located["light"] == "red").sum()) > 0
    assert all("红灯" in p["s"] for p in pts)


def test_sidebar_county_opens_its_panel(demo_store):
    at = _run(region_code="532923")
    assert not at.exception, at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "祥云县 · 县区情况" in text
    frames = at.dataframe
    assert len(frames) == 1
    df = frames[0].value
    lights_col = df.iloc[:, 1].tolist()
    order = {"红": 0, "黄": 1, "绿": 2, "灰": 3}
    assert lights_col == sorted(lights_col, key=order.get)  # red first


def test_list_filters_are_shared_and_english_works(demo_store):
    _, _, located, _ = _expected(demo_store)
    # a filter chosen on the traffic-light list (same session-state key) applies to the map
    at = _run(pl_light=["yellow"], lang="en")
    assert not at.exception, at.exception
    spec, tooltip = _deck(at)
    pts = next(layer for layer in spec["layers"] if layer["id"] == "projects")["data"]
    assert len(pts) == int((located["light"] == "yellow").sum()) > 0
    assert all("Yellow light" in p["s"] for p in pts)
    assert "Done" in tooltip["html"] and "Expected" in tooltip["html"]
    legend = " ".join(m.value for m in at.markdown)
    assert "Completion vs time progress" in legend and "Point size" in legend


def test_a_county_tapped_in_the_list_opens_its_panel_beside_the_map_and_stays(demo_store):
    """Issue 14 item 2: a tap on a county (the pills beside the map) opens its panel in the side
    column; a rerun (another tap elsewhere on the page) keeps it; 关闭 closes it."""
    at = _run()
    assert not at.exception, at.exception
    assert not [m for m in at.markdown if "县区情况" in m.value]
    pills = [w for w in at.get("button_group") if getattr(w, "key", None) == "map_region_pills"]
    assert pills, "no county pills beside the map"
    pills[0].set_value("532923").run()
    assert not at.exception, at.exception
    assert any("祥云县 · 县区情况" in m.value for m in at.markdown)
    at.radio(key="map_measure").set_value("score").run()
    assert any("祥云县 · 县区情况" in m.value for m in at.markdown)
    at.button(key="map_region_close").click().run()
    assert not any("县区情况" in m.value and "####" in m.value for m in at.markdown)
