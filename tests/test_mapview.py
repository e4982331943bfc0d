"""lib.geo.mapview: measure classes, point sizes, the deck (offline, ids, counts, tooltip fields), the
size budget at province scale, the legend, and the static image rendered offline."""
from __future__ import annotations

import io
import json
import re
import socket
import subprocess
import sys
import textwrap
import threading

import numpy as np
import pandas as pd
import pytest

from lib import geo
from lib.geo import mapview as mv
from lib.i18n import LIGHT_COLORS
from tests.conftest import ROOT

COUNTIES = ROOT / "data" / "geo" / "dali_counties.geojson"


def _regions(extra_park=True, bare_region=False) -> pd.DataFrame:
    gj = json.loads(COUNTIES.read_text(encoding="utf-8"))
    rows = [{"region_code": f["properties"]["code"], "region_name": f["properties"]["name"], "kind": "county",
             "display_order": i, "lon": None, "lat": None, "geometry": f["geometry"]}
            for i, f in enumerate(gj["features"])]
    if extra_park:
        rows.append({"region_code": "532971", "region_name": "大理经济技术开发区", "kind": "park",
                     "display_order": 50, "lon": 100.265, "lat": 25.575, "geometry": None})
    if bare_region:  # no boundary, no centroid: placed at the mean of its projects
        rows.append({"region_code": "539999", "region_name": "某园区", "kind": "park", "display_order": 60,
                     "lon": None, "lat": None, "geometry": None})
    return pd.DataFrame(rows)


def _lights(regions: pd.DataFrame, n: int, seed: int = 1, long_text: bool = False) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    cent = {}
    for r in regions.to_dict("records"):
        if r["geometry"] is not None:
            cent[r["region_code"]] = geo.centroid(r["geometry"])
        elif pd.notna(r["lon"]):
            cent[r["region_code"]] = (r["lon"], r["lat"])
        else:
            cent[r["region_code"]] = (100.6, 25.1)
    codes = regions["region_code"].tolist()
    rows = []
    lights = ["red", "yellow", "green", "gray"]
    for i in range(n):
        rc = codes[i % len(codes)]
        lon, lat = cent[rc]
        lt = lights[i % 4]
        name = f"示例项目{i}号" + ("大理州某县城镇老旧小区改造及配套基础设施建设项目" if long_text else "")
        reason = "" if lt in ("green", "gray") else (
            "投资完成率41.5%,序时进度65.0%,滞后23.5个百分点;再完成1,234万元可转绿" * (2 if long_text else 1))
        rows.append({"project_code": f"P{i:06d}", "project_name": name, "region_code": rc, "library": "annual",
                     "nature": "new" if i % 2 else "continuing", "level": "municipal", "sector": "交通",
                     "tags": "六新;招商引资" if i % 3 == 0 else "", "annual_plan": float(rng.uniform(100, 200000)),
                     "ytd_completed": float(rng.uniform(0, 50000)), "light": lt, "expected_pct": 83.3,
                     "actual_pct": 41.5, "gap_pp": -41.8, "reasons": reason,
                     "lon": lon + float(rng.uniform(-0.1, 0.1)), "lat": lat + float(rng.uniform(-0.1, 0.1))})
    return pd.DataFrame(rows)


def _league(regions: pd.DataFrame) -> pd.DataFrame:
    n = len(regions)
    return pd.DataFrame({"region_code": regions["region_code"], "invest_rate": np.linspace(0.4, 0.95, n),
                         "score": np.linspace(50, 96, n), "rank": np.arange(n, 0, -1), "light": "yellow"})


def _md(n=120, **kw) -> mv.MapData:
    regions = _regions(**kw)
    return mv.MapData("2022-10", regions, _lights(regions, n), _league(regions))


def _layers(spec: str) -> dict:
    return {layer["id"]: layer for layer in json.loads(spec)["layers"]}


# --------------------------------------------------------------------------- classes and sizes


def test_gap_classes_follow_the_light_thresholds():
    cl = mv.measure_classes("gap")
    assert len(cl) == 5 and len({c.color for c in cl}) == 5
    assert mv.classify(-30.01, cl) == 0
    assert mv.classify(-30, cl) == 1  # −30 points is yellow, not red: the class boundary agrees
    assert mv.classify(-10.01, cl) == 1 and mv.classify(-10, cl) == 2
    assert mv.classify(0, cl) == 3 and mv.classify(10, cl) == 4 and mv.classify(250, cl) == 4
    assert mv.classify(None, cl) is None and mv.classify(float("nan"), cl) is None
    assert mv.class_color(None, cl) == mv.NA_COLOR
    # none of the fills is a light colour (the points' colours stay unambiguous)
    assert not {c.color.upper() for c in cl} & {v.upper() for v in LIGHT_COLORS.values()}


@pytest.mark.parametrize("measure", ["score", "red"])
def test_fixed_classes_cover_every_value(measure):
    cl = mv.measure_classes(measure)
    for v in (0, 1, 2.5, 59.99, 60, 75, 90, 100, 250):
        assert mv.classify(v, cl) is not None
    assert [mv.classify(v, cl) for v in sorted([0, 5, 50, 95])] == sorted(mv.classify(v, cl) for v in [0, 5, 50, 95])


def test_completed_classes_come_from_the_data_in_round_numbers():
    vals = [1200, 5000, 23000, 48000, 91000, 150000, 320000, 0, None]
    cl = mv.measure_classes("completed", vals)
    bounds = [c.hi for c in cl[:-1]]
    assert bounds == sorted(bounds) and len(set(bounds)) == 4
    for b in bounds:
        mant = b / 10 ** np.floor(np.log10(b))
        assert round(mant, 6) in (1, 2, 2.5, 5, 10)
    # every class gets at least one of a spread of values, and labels carry the money unit
    idx = {mv.classify(v, cl) for v in vals if v}
    assert len(idx) >= 4
    assert all(("亿元" in c.label) or ("万元" in c.label) for c in cl)


def test_point_radius_grows_with_the_square_root_of_the_plan():
    r = [mv.point_radius(v) for v in (0, 100, 1000, 10000, 100000, 10 ** 7)]
    assert r == sorted(r) and r[0] == 5 and r[-1] == 16
    assert mv.point_radius(None) == 5
    # √ scale: 4× the plan → about 2× the part above the base
    assert (mv.point_radius(40000) - 2.5) == pytest.approx(2 * (mv.point_radius(10000) - 2.5))


def test_short_names():
    assert mv.short_name("漾濞彝族自治县") == "漾濞县"
    assert mv.short_name("巍山彝族回族自治县") == "巍山县"
    assert mv.short_name("祥云县") == "祥云县"
    assert mv.short_name("大理市") == "大理市"


# --------------------------------------------------------------------------- the deck


def test_deck_is_offline_with_ids_and_every_feature():
    md = _md(n=120, bare_region=True)
    md.lights.loc[5, "lon"] = None  # one project without a location is left off the map
    p = mv.map_payload(md, "gap")
    spec = json.loads(p["spec"])
    assert spec["mapStyle"] == "__MAP_STYLE__" and "mapProvider" not in spec
    assert not re.search(r"https?://", p["spec"])
    layers = _layers(p["spec"])
    assert list(layers) == ["counties", "county-outlines", "projects", "region-markers", "marker-outlines"]
    assert len(layers["counties"]["data"]["features"]) == 12
    assert len(layers["projects"]["data"]) == 119 == p["n_points"] and p["n_unlocated"] == 1
    assert len(p["codes"]) == 119 and "P000005" not in p["codes"]
    markers = {m["properties"]["k"]: m["properties"] for m in layers["region-markers"]["data"]["features"]}
    assert set(markers) == {"532971", "539999"}
    assert markers["532971"]["p"] == [100.265, 25.575]
    # the bare region sits at the mean of its projects
    mine = md.lights[(md.lights["region_code"] == "539999") & md.lights["lon"].notna()]
    assert markers["539999"]["p"][0] == pytest.approx(mine["lon"].mean(), abs=1e-4)
    # literal props are literals, accessors are expressions
    pts = layers["projects"]
    assert pts["radiusUnits"] == "pixels" and pts["getPosition"] == "@@=p" and pts["getFillColor"] == "@@=f"
    # a fixed view (the names are drawn over it by the page): no pan, no zoom
    assert spec["views"] == [{"@@type": "MapView", "controller": False}]
    assert {m["k"] for m in p["labels"]} == {f["properties"]["k"] for f in layers["counties"]["data"]["features"]} | set(markers)
    # red points drawn last (on top) with the red colour
    data = pts["data"]
    assert data[-1]["f"] == list(mv.hex_rgb(LIGHT_COLORS["red"]))
    assert all(p_["p"][0] == round(p_["p"][0], 5) for p_ in data)


def test_fills_follow_the_measure_classes():
    md = _md(n=40)
    tbl = mv.region_table(md)
    for measure in mv.MEASURES:
        classes = mv.measure_classes(measure, tbl[measure].tolist())
        layers = _layers(mv.deck_spec(mv.build_deck(tbl, mv.located(md.lights), measure, classes=classes)))
        for f in layers["counties"]["data"]["features"]:
            row = tbl[tbl["region_code"] == f["properties"]["k"]].iloc[0]
            assert f["properties"]["f"][:3] == list(mv.hex_rgb(mv.class_color(row[measure], classes)))


def test_region_table_measures():
    md = _md(n=200)
    tbl = mv.region_table(md).set_index("region_code")
    lights = md.lights
    code = "532923"
    mine = lights[lights["region_code"] == code]
    assert tbl.at[code, "red"] == int((mine["light"] == "red").sum())
    assert tbl.at[code, "completed"] == pytest.approx(mine["ytd_completed"].sum())
    inv = md.league.set_index("region_code").at[code, "invest_rate"]
    assert tbl.at[code, "gap"] == pytest.approx(round((inv - 10 / 12) * 100, 2))


def test_tooltip_fields_exist_on_every_pickable_object():
    md = _md(n=60)
    p = mv.map_payload(md, "score")
    fields = set(re.findall(r"{(\w+)}", p["tooltip"]["html"]))
    assert fields == {"n", "s", "a", "e", "r"}
    layers = _layers(p["spec"])
    objs = [f["properties"] for f in layers["counties"]["data"]["features"]]
    objs += layers["projects"]["data"] + [f["properties"] for f in layers["region-markers"]["data"]["features"]]
    for o in objs:
        assert fields <= set(o), o
    red = next(o for o in layers["projects"]["data"] if "红灯" in o["s"])
    assert red["a"] == "41.5%" and red["e"] == "83.3%" and "滞后" in red["r"]
    county = next(f["properties"] for f in layers["counties"]["data"]["features"] if f["properties"]["k"] == "532923")
    assert county["n"] == "祥云县" and "综合得分" in county["s"] and "名" in county["s"]
    assert county["e"] == "83.3%" and "个百分点" in county["r"]


def test_filters_are_the_lists_filters():
    md = _md(n=120)
    p = mv.map_payload(md, "gap", filters={"light": ["red"], "tags": ["六新"]})
    expect = md.lights[(md.lights["light"] == "red") & md.lights["tags"].str.contains("六新")]
    assert sorted(p["codes"]) == sorted(expect["project_code"]) and len(expect) > 0


def test_province_scale_spec_stays_under_5_mb():
    regions = _regions()
    lights = _lights(regions, 20000, long_text=True)
    md = mv.MapData("2022-10", regions, lights, _league(regions))
    p = mv.map_payload(md, "gap")
    size = len(p["spec"].encode("utf-8"))
    assert p["n_points"] == 20000
    assert size <= 5_000_000, size
    assert "\n" not in p["spec"][:2000]  # compact, not pydeck's indented JSON
    # reasons are cut to fit, not dropped
    pts = _layers(p["spec"])["projects"]["data"]
    assert sum(1 for x in pts if x["r"]) == int(lights["reasons"].astype(bool).sum())


def test_legend_lists_classes_lights_and_sizes():
    classes = mv.measure_classes("gap")
    html = mv.legend_html("gap", classes)
    for c in classes:
        assert c.label in html and c.color in html
    for word in ("红灯", "黄灯", "绿灯", "灰灯", "1,000万元", "1亿元", "10亿元", "图例"):
        assert word in html


def test_from_spec_sends_the_built_json():
    md = _md(n=10)
    p = mv.map_payload(md)
    d = mv.CompactDeck.from_spec(p["spec"], p["tooltip"])
    assert d.to_json() == p["spec"] and d._tooltip == p["tooltip"]


# --------------------------------------------------------------------------- the static image


def test_static_figure_has_title_as_of_and_legend():
    md = _md(n=80)
    tbl = mv.region_table(md)
    pts = mv.located(md.lights)
    fig = mv.static_map_figure(tbl, pts, "gap", "投资进度地图", "2022-10", demo=True)
    title = fig.layout.title.text
    assert "投资进度地图" in title and "数据截至" in title and "2022年10月31日" in title and "示例数据" in title
    names = [tr.name for tr in fig.data if tr.showlegend is not False and tr.name]
    for c in mv.measure_classes("gap"):
        assert c.label in names
    assert any(n.startswith("红灯") for n in names) and "1亿元" in names
    rings = sum(len(list(mv._rings(g))) for g in tbl["geometry"] if g is not None)
    assert sum(1 for tr in fig.data if tr.fill == "toself") == rings


def test_kaleido_page_uses_local_plotly_and_no_mathjax():
    from kaleido._page_generator import PageGenerator

    page = PageGenerator(mathjax=False).generate_index()
    scripts = re.findall(r'<script src="([^"]+)"', page)
    assert scripts and all(s.startswith("file://") for s in scripts), scripts
    assert any("plotly" in s and "package_data" in s for s in scripts)


@pytest.mark.slow
def test_static_png_renders_with_no_network(tmp_path):
    """Render in a child process whose Chromium sends every http(s) request to a proxy on 127.0.0.1
    that records it and answers nothing: the PNG still comes out (nothing it needs is fetched), and
    no request is for a script, style, font or tile (plotly.js and fonts come from the machine).
    Chromium's own background services (update, accounts, start page) still try to connect; in
    production lib/outputs/offline_chromium.sh sends them to a dead proxy on 127.0.0.1:9 and resolves no
    host name, so nothing leaves the machine."""
    seen: list[bytes] = []
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    srv.settimeout(0.5)
    port = srv.getsockname()[1]
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, _ = srv.accept()
            except OSError:
                continue
            try:
                conn.settimeout(1)
                seen.append(conn.recv(200))
            except OSError:
                seen.append(b"?")
            conn.close()

    th = threading.Thread(target=serve, daemon=True)
    th.start()
    out = tmp_path / "map.png"
    code = textwrap.dedent(f"""
        from tests.test_mapview import _md  # python -c in ROOT imports from ROOT
        from lib.geo import mapview as mv
        png = mv.static_map_png(_md(n=80), "gap", demo=True)
        open({str(out)!r}, "wb").write(png)
    """)
    env = {**__import__("os").environ, "CHOREO_PROXY_SERVER": f"http://127.0.0.1:{port}"}
    try:
        r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, timeout=240, cwd=ROOT)
    finally:
        stop.set()
        th.join(2)
        srv.close()
    assert r.returncode == 0, r.stderr.decode()[-2000:]
    from PIL import Image

    img = Image.open(io.BytesIO(out.read_bytes()))
    assert img.size == (1600, 900)
    colors = img.convert("RGB").getcolors(1 << 20)
    assert colors and len(colors) > 50  # a drawn map, not a blank page
    first_lines = [x.split(b"\r\n")[0].decode("latin-1") for x in seen]
    assets = re.compile(r"plot\.ly|plotly|mathjax|cdn|jsdelivr|unpkg|font|tile|carto|mapbox|\.js\b|\.css\b", re.I)
    assert not [x for x in first_lines if assets.search(x)], first_lines
    # the launcher locks the network for the background services
    launcher = (ROOT / "lib" / "outputs" / "offline_chromium.sh").read_text()
    assert "--proxy-server=http://127.0.0.1:9" in launcher and "MAP * ~NOTFOUND" in launcher
    assert mv.chromium().endswith("offline_chromium.sh")


def test_static_figure_names_the_filter_and_shows_only_filtered_points():
    md = _md(n=80)
    tbl = mv.region_table(md)
    pts = mv.located(mv.filter_projects(md.lights, {"light": ["red"]}))
    fig = mv.static_map_figure(tbl, pts, "red", "投资进度地图", "2022-10", note="筛选项目:红")
    assert "筛选项目:红" in fig.layout.title.text
    drawn = [tr for tr in fig.data if tr.mode == "markers" and tr.x is not None and len(tr.x) and tr.x[0] is not None]
    colors = {tr.marker.color for tr in drawn if tr.marker.symbol != "diamond"}
    assert colors == {LIGHT_COLORS["red"]}
    assert sum(len(tr.x) for tr in drawn if tr.marker.symbol != "diamond") == len(pts)


def test_load_regions_reads_boundaries_on_every_backend(store):
    """Regions with a stored (simplified) boundary come back as geometry; a region without one, or
    with an unreadable one, comes back with None and is drawn as a marker."""
    from lib.store import session_scope
    from lib.store.models import Region

    gj = json.loads(COUNTIES.read_text(encoding="utf-8"))
    f = gj["features"][2]
    with session_scope(store) as s:
        s.add(Region(code=f["properties"]["code"], name=f["properties"]["name"], kind="county", display_order=2,
                     boundary=json.dumps(f["geometry"])))
        s.add(Region(code="532971", name="大理经济技术开发区", kind="park", display_order=9, lon=100.265, lat=25.575))
        s.add(Region(code="539998", name="坏边界", kind="park", display_order=10, boundary="{not json"))
    with session_scope(store) as s:
        regions = mv.load_regions(s)
    assert regions["region_code"].tolist() == ["532923", "532971", "539998"]
    g = regions.set_index("region_code")["geometry"]
    assert g["532923"]["type"] == f["geometry"]["type"] and g["532971"] is None and g["539998"] is None
    lights = _lights(regions, 30)
    md = mv.MapData("2022-10", regions, lights, pd.DataFrame(columns=["region_code"]))
    layers = _layers(mv.map_payload(md)["spec"])
    assert [x["properties"]["k"] for x in layers["counties"]["data"]["features"]] == ["532923"]
    assert sorted(m["properties"]["k"] for m in layers["region-markers"]["data"]["features"]) == ["532971", "539998"]


def test_only_fills_and_points_are_picked():
    """A tap is lost when deck.gl's pick on touch-down takes more than 250 ms: outlines (a LineLayer
    of each boundary edge once) are drawn but never picked, text is never picked, no PathLayer (its
    shader held a software renderer's first frame for seconds), and a region without a boundary is a
    ◆ polygon ~22 px wide at the initial view."""
    from lib import geo

    md = _md(n=60, bare_region=True)
    spec = json.loads(mv.map_payload(md, "gap")["spec"])
    layers = {layer["id"]: layer for layer in spec["layers"]}
    assert list(layers) == ["counties", "county-outlines", "projects", "region-markers", "marker-outlines"]
    picked = [x["id"] for x in spec["layers"] if x.get("pickable")]
    assert picked == ["counties", "projects", "region-markers"]
    for lid in ("counties", "region-markers"):
        assert layers[lid]["@@type"] == "GeoJsonLayer" and layers[lid]["stroked"] is False
    for lid, fill in (("county-outlines", "counties"), ("marker-outlines", "region-markers")):
        assert layers[lid]["@@type"] == "LineLayer" and layers[lid]["widthUnits"] == "pixels"
        edges = {tuple(map(tuple, sorted([e["s"], e["t"]]))) for e in layers[lid]["data"]}
        assert len(edges) == len(layers[lid]["data"])  # each edge once
        want = set()
        for f in layers[fill]["data"]["features"]:
            for poly in geo.polygons(f["geometry"]):
                for ring in poly:
                    want |= {tuple(sorted([tuple(a), tuple(b)])) for a, b in zip(ring, ring[1:]) if a != b}
        assert edges == want and edges
    # no TextLayer (its two shaders held a software renderer's first paint ~2 s) and no PathLayer
    assert "TextLayer" not in {x["@@type"] for x in spec["layers"]}
    assert "PathLayer" not in {x["@@type"] for x in spec["layers"]}
    zoom = spec["initialViewState"]["zoom"]
    for f in layers["region-markers"]["data"]["features"]:
        ring = f["geometry"]["coordinates"][0]
        width_px = (max(x for x, _ in ring) - min(x for x, _ in ring)) * 512 * 2 ** zoom / 360
        assert len(ring) == 5 and ring[0] == ring[-1] and width_px == pytest.approx(2 * mv.MARKER_PX, abs=0.5)
        lon, lat = f["properties"]["p"]
        assert min(x for x, _ in ring) < lon < max(x for x, _ in ring)
        assert min(y for _, y in ring) < lat < max(y for _, y in ring)


def test_label_marks_sit_where_the_fixed_view_draws_the_names():
    """Each name at deck.gl's Web Mercator offset from the map's centre: the centre at (0, 0), east to
    the right, north up, a zoom step doubling the distance; a region without a boundary has its name
    below its ◆."""
    view = {"longitude": 100.0, "latitude": 25.0, "zoom": 8.0}
    assert mv.to_pixels(100.0, 25.0, view) == (0.0, 0.0)
    x, y = mv.to_pixels(100.5, 25.0, view)
    assert x == pytest.approx(0.5 / 360 * 512 * 2 ** 8) and y == 0.0
    assert mv.to_pixels(100.0, 25.5, view)[1] < 0 < mv.to_pixels(100.0, 24.5, view)[1]
    assert mv.to_pixels(100.5, 25.3, {**view, "zoom": 9.0}) == pytest.approx(
        tuple(2 * v for v in mv.to_pixels(100.5, 25.3, view)))
    md = _md(n=40, bare_region=True)
    p = mv.map_payload(md, "gap")
    spec = json.loads(p["spec"])
    view = spec["initialViewState"]
    tbl = mv.region_table(md)
    marks = {m["k"]: m for m in p["labels"]}
    for r in tbl.to_dict("records"):
        m = marks[r["region_code"]]
        x, y = mv.to_pixels(r["label_lon"], r["label_lat"], view)
        below = 0 if r["geometry"] is not None else mv.MARKER_PX + mv.LABEL_BELOW_MARKER
        assert (m["x"], m["y"]) == pytest.approx((x, y + below), abs=0.2)
        assert m["t"] == mv.short_name(r["region_name"])
    # every name inside the map frame the view was fitted to
    assert all(abs(m["x"]) < mv.VIEW_W / 2 and abs(m["y"]) < mv.VIEW_H / 2 for m in p["labels"])
    # the names shown never overlap, and a name is hidden only where it would
    shown = [mv.label_box(m["t"], m["x"], m["y"]) for m in p["labels"] if m["shown"]]
    overlap = lambda a, b: not (a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1])
    assert not any(overlap(a, b) for i, a in enumerate(shown) for b in shown[i + 1:])
    for m in p["labels"]:
        if not m["shown"]:
            assert any(overlap(mv.label_box(m["t"], m["x"], m["y"]), b) for b in shown), m


def test_crowded_names_keep_the_region_with_more_projects():
    tbl = pd.DataFrame({
        "region_code": ["A", "B", "C"], "region_name": ["甲县", "乙县", "丙县"],
        "label_lon": [100.0, 100.001, 100.5], "label_lat": [25.0, 25.0, 25.0],
        "geometry": [{"type": "Point"}] * 3, "n_projects": [3, 9, 1]})
    marks = {m["k"]: m for m in mv.label_marks(tbl, {"longitude": 100.2, "latitude": 25.0, "zoom": 8.0})}
    assert (marks["A"]["shown"], marks["B"]["shown"], marks["C"]["shown"]) == (False, True, True)
    html_ = mv.labels_html(list(marks.values()), 560)
    assert "乙县" in html_ and "丙县" in html_ and "甲县" not in html_


def test_labels_html_escapes_names_and_places_each():
    marks = [{"k": "1", "t": '<img src=x onerror=alert(1)>县', "p": [0, 0], "x": 12.34, "y": -5.0, "shown": True},
             {"k": "2", "t": "=HYPERLINK(\"x\")", "p": [0, 0], "x": 0, "y": 0, "shown": True}]
    out = mv.labels_html(marks, 560)
    assert "<img" not in out and "&lt;img src=x onerror=alert(1)&gt;县" in out
    assert 'left:calc(50% + 12.3px);top:calc(50% + -5.0px)' in out
    assert 'class="ck-map-labels" style="height:560px"' in out
    assert out.count("<span") == 2
    assert "<script" not in out.lower()
