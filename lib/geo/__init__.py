"""Boundaries: GeoJSON reading, simplification, centroids, point-in-polygon, and boundary import.

Pure Python + numpy (no shapely). Geometries are GeoJSON ``Polygon`` / ``MultiPolygon`` dicts with
coordinates in degrees (WGS-84, or GCJ-02 as AMap gives them — within ~500 m, negligible at county
scale). Simplification is Douglas–Peucker; ``simplify_many`` simplifies a set of neighbouring
boundaries arc by arc so that shared borders stay identical (no slivers or gaps between counties).
"""
from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from lib.errors import ValidationError
from lib.i18n import t

DEFAULT_TOLERANCE = 0.001  # degrees (~100 m): faithful at prefecture scale
DECIMALS = 5

Coord = tuple[float, float]


# --------------------------------------------------------------------------- reading


def load_geojson(source: Any) -> Any:
    """A GeoJSON object from a dict, a path, JSON text or bytes."""
    if isinstance(source, (dict, list)):
        return source
    if isinstance(source, Path) or (isinstance(source, str) and not source.lstrip().startswith(("{", "["))):
        return json.loads(Path(source).read_text(encoding="utf-8-sig"))
    if isinstance(source, (bytes, bytearray)):
        source = bytes(source).decode("utf-8-sig")
    if hasattr(source, "read"):
        data = source.read()
        return load_geojson(data)
    return json.loads(source)


def features(obj: Any) -> list[dict]:
    """The features of a FeatureCollection, a Feature (one), or a bare geometry (one, no properties)."""
    kind = obj.get("type") if isinstance(obj, dict) else None
    if kind == "FeatureCollection":
        return [f for f in obj.get("features") or [] if isinstance(f, dict)]
    if kind == "Feature":
        return [obj]
    if kind in ("Polygon", "MultiPolygon", "GeometryCollection"):
        return [{"type": "Feature", "properties": {}, "geometry": obj}]
    raise ValidationError(
        "err_geo_not_geojson",
        [{"row": None, "column": "type", "value": kind, "message": t("geo_msg_type", "zh")}],
    )


def as_geometry(obj: Any) -> dict:
    """The geometry of a Feature / one-feature collection / geometry (dict or JSON text)."""
    if isinstance(obj, str):
        obj = json.loads(obj)
    kind = obj.get("type")
    if kind == "Feature":
        return obj["geometry"]
    if kind == "FeatureCollection":
        feats = features(obj)
        if len(feats) != 1:
            raise ValueError("a FeatureCollection with one feature is needed")
        return feats[0]["geometry"]
    return obj


def polygons(geometry: dict) -> list[list[list[Coord]]]:
    """Polygon / MultiPolygon / GeometryCollection → list of polygons, each a list of rings."""
    g = as_geometry(geometry)
    kind = g.get("type")
    if kind == "Polygon":
        return [g["coordinates"]]
    if kind == "MultiPolygon":
        return list(g["coordinates"])
    if kind == "GeometryCollection":
        out = []
        for sub in g.get("geometries") or []:
            if sub.get("type") in ("Polygon", "MultiPolygon"):
                out.extend(polygons(sub))
        return out
    raise ValueError(f"not a polygon geometry: {kind}")


def check_degrees(geometry: dict) -> None:
    """Raise ValueError (plain Chinese) if coordinates are not longitude/latitude degrees."""
    for poly in polygons(geometry):
        for ring in poly:
            for pt in ring:
                lon, lat = float(pt[0]), float(pt[1])
                if not (math.isfinite(lon) and math.isfinite(lat)) or abs(lon) > 180 or abs(lat) > 90:
                    raise ValueError(t("geo_msg_not_degrees", "zh", lon=pt[0], lat=pt[1]))


# --------------------------------------------------------------------------- simplification


def _dp_mask(pts: np.ndarray, tol: float) -> np.ndarray:
    """Douglas–Peucker keep-mask for an open chain (endpoints always kept)."""
    n = len(pts)
    keep = np.zeros(n, dtype=bool)
    keep[0] = keep[-1] = True
    if n <= 2:
        return keep
    stack = [(0, n - 1)]
    tol2 = tol * tol
    while stack:
        i, j = stack.pop()
        if j <= i + 1:
            continue
        a, b = pts[i], pts[j]
        seg = pts[i + 1 : j]
        d = b - a
        dd = float(d @ d)
        if dd == 0.0:
            dist2 = ((seg - a) ** 2).sum(axis=1)
        else:
            t = np.clip(((seg - a) @ d) / dd, 0.0, 1.0)
            proj = a + t[:, None] * d
            dist2 = ((seg - proj) ** 2).sum(axis=1)
        k = int(np.argmax(dist2))
        if dist2[k] > tol2:
            m = i + 1 + k
            keep[m] = True
            stack.append((i, m))
            stack.append((m, j))
    return keep


def simplify_chain(chain: list[Coord], tol: float) -> list[Coord]:
    """Douglas–Peucker of an open chain, computed in a canonical direction so that the same chain
    walked backwards gives the same points (shared borders stay identical)."""
    if len(chain) <= 2 or tol <= 0:
        return list(chain)
    rev = tuple(chain[-1]) < tuple(chain[0])
    seq = chain[::-1] if rev else chain
    arr = np.asarray(seq, dtype=float)
    keep = _dp_mask(arr, tol)
    out = [seq[i] for i in range(len(seq)) if keep[i]]
    return out[::-1] if rev else out


def _ring_open(ring: list) -> list[Coord]:
    pts = [(float(p[0]), float(p[1])) for p in ring]
    while len(pts) > 1 and pts[0] == pts[-1]:
        pts.pop()
    return pts


def _rounded_ring(pts: list[Coord], decimals: int) -> list[list[float]] | None:
    """Round, drop consecutive duplicates, close; None when the ring collapsed."""
    out: list[list[float]] = []
    for x, y in pts:
        q = [round(x, decimals), round(y, decimals)]
        if not out or out[-1] != q:
            out.append(q)
    while len(out) > 1 and out[0] == out[-1]:
        out.pop()
    if len(out) < 3 or abs(_ring_area(out)) < 10 ** (-2 * decimals):
        return None
    out.append(list(out[0]))
    return out


def _ring_area(ring) -> float:
    a = np.asarray(ring, dtype=float)
    x, y = a[:, 0], a[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y))


def _simplify_ring_with_nodes(pts: list[Coord], is_node: list[bool], tol: float) -> list[Coord]:
    """Simplify a closed ring (open list of vertices) keeping every node vertex fixed."""
    n = len(pts)
    if n < 4:
        return pts
    nodes = [i for i in range(n) if is_node[i]]
    if len(nodes) < 2:
        # no junctions: anchor at the smallest vertex and the one farthest from it
        start = min(range(n), key=lambda i: pts[i])
        arr = np.asarray(pts, dtype=float)
        far = int(np.argmax(((arr - arr[start]) ** 2).sum(axis=1)))
        nodes = sorted({start, far})
        if len(nodes) < 2:
            return pts
    out: list[Coord] = []
    for k, i in enumerate(nodes):
        j = nodes[(k + 1) % len(nodes)]
        chain = pts[i : j + 1] if j > i else pts[i:] + pts[: j + 1]
        out.extend(simplify_chain(chain, tol)[:-1])
    return out


def _simplify_polys(polys_list: list[list[list[list[float]]]], tol: float, decimals: int) -> list[list]:
    """Simplify several MultiPolygon coordinate lists together (arc-aware). Returns the new lists."""
    # which rings share each vertex
    rings: list[tuple[int, int, int, list[Coord]]] = []
    owners: dict[Coord, set[int]] = {}
    for gi, polys in enumerate(polys_list):
        for pi, poly in enumerate(polys):
            for ri, ring in enumerate(poly):
                pts = _ring_open(ring)
                rid = len(rings)
                rings.append((gi, pi, ri, pts))
                for p in pts:
                    owners.setdefault(p, set()).add(rid)
    out: list[list] = [[[] for _ in polys] for polys in polys_list]
    for gi, pi, ri, pts in rings:
        n = len(pts)
        sets = [owners[p] for p in pts]
        is_node = [
            len(sets[i]) > 2 or sets[i] != sets[i - 1] or sets[i] != sets[(i + 1) % n]
            for i in range(n)
        ]
        simp = _simplify_ring_with_nodes(pts, is_node, tol)
        ring = _rounded_ring(simp, decimals)
        if ring is None and ri == 0:
            out[gi][pi] = None  # exterior collapsed: drop the polygon
        elif ring is not None and out[gi][pi] is not None:
            out[gi][pi].append(ring)
    result = []
    for gi, polys in enumerate(out):
        kept = [p for p in polys if p]  # drops None and polygons whose exterior collapsed
        result.append(kept)
    return result


def _to_geometry(polys: list) -> dict | None:
    if not polys:
        return None
    if len(polys) == 1:
        return {"type": "Polygon", "coordinates": polys[0]}
    return {"type": "MultiPolygon", "coordinates": polys}


def simplify_many(geometries: list[dict], tolerance: float = DEFAULT_TOLERANCE,
                  decimals: int = DECIMALS) -> list[dict]:
    """Simplify neighbouring geometries together: shared borders are simplified once and stay
    identical. Coordinates rounded to ``decimals``; collapsed rings dropped. A geometry that would
    vanish entirely is retried with a smaller tolerance (and, last, kept only rounded)."""
    polys_list = [polygons(g) for g in geometries]
    simplified = _simplify_polys(polys_list, tolerance, decimals)
    out = []
    for i, polys in enumerate(simplified):
        tol = tolerance
        while not polys and tol > 1e-7:
            tol /= 4
            polys = _simplify_polys([polys_list[i]], tol, decimals)[0]
        if not polys:
            polys = _simplify_polys([polys_list[i]], 0.0, decimals)[0]
        out.append(_to_geometry(polys))
    return out


def simplify(geometry: dict, tolerance: float = DEFAULT_TOLERANCE, decimals: int = DECIMALS) -> dict | None:
    """Douglas–Peucker simplification of one Polygon/MultiPolygon (see ``simplify_many``)."""
    return simplify_many([geometry], tolerance, decimals)[0]


def count_points(geometry: dict) -> int:
    return sum(len(r) for p in polygons(geometry) for r in p)


def dumps(obj: Any) -> str:
    """Compact JSON (no spaces) for storage and files."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


# --------------------------------------------------------------------------- measures


def _ring_centroid(ring) -> tuple[float, float, float]:
    """(signed area, cx, cy) of a ring (shoelace)."""
    a = np.asarray(ring, dtype=float)
    x, y = a[:, 0], a[:, 1]
    x1, y1 = np.roll(x, -1), np.roll(y, -1)
    cross = x * y1 - x1 * y
    area = cross.sum() / 2.0
    if area == 0:
        return 0.0, float(x.mean()), float(y.mean())
    cx = ((x + x1) * cross).sum() / (6.0 * area)
    cy = ((y + y1) * cross).sum() / (6.0 * area)
    return float(area), float(cx), float(cy)


def polygon_area(poly) -> float:
    """Area (square degrees) of a polygon (exterior minus holes)."""
    if not poly:
        return 0.0
    total = abs(_ring_centroid(poly[0])[0])
    for hole in poly[1:]:
        total -= abs(_ring_centroid(hole)[0])
    return total


def centroid(geometry: dict) -> tuple[float, float]:
    """(lon, lat): the area-weighted centroid of the largest polygon (holes subtracted)."""
    polys = polygons(geometry)
    if not polys:
        raise ValueError("empty geometry")
    poly = max(polys, key=polygon_area)
    a0, cx0, cy0 = _ring_centroid(poly[0])
    a0 = abs(a0)
    if a0 == 0:
        return cx0, cy0
    sx, sy, sa = cx0 * a0, cy0 * a0, a0
    for hole in poly[1:]:
        ah, cxh, cyh = _ring_centroid(hole)
        ah = abs(ah)
        sx, sy, sa = sx - cxh * ah, sy - cyh * ah, sa - ah
    if sa <= 0:
        return cx0, cy0
    return sx / sa, sy / sa


def _ring_contains_fast(ring, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Even-odd test, vectorised over edges × points (chunked)."""
    a = np.asarray(ring, dtype=float)
    xa, ya = a[:, 0][:, None], a[:, 1][:, None]
    xb, yb = np.roll(a[:, 0], -1)[:, None], np.roll(a[:, 1], -1)[:, None]
    out = np.zeros(x.shape, dtype=bool)
    step = max(1, 2_000_000 // max(len(a), 1))
    for s in range(0, len(x), step):
        px, py = x[s : s + step][None, :], y[s : s + step][None, :]
        cond = (ya > py) != (yb > py)
        dy = np.where(yb == ya, 1.0, yb - ya)
        xcross = xa + (py - ya) * (xb - xa) / dy
        out[s : s + step] = (np.count_nonzero(cond & (px < xcross), axis=0) % 2) == 1
    return out


def points_in_geometry(lons: Iterable[float], lats: Iterable[float], geometry: dict) -> np.ndarray:
    """Vectorised point-in-(multi)polygon (holes respected). Returns a bool array."""
    x = np.asarray(list(lons), dtype=float)
    y = np.asarray(list(lats), dtype=float)
    result = np.zeros(x.shape, dtype=bool)
    for poly in polygons(geometry):
        if not poly:
            continue
        ext = np.asarray(poly[0], dtype=float)
        box = (x >= ext[:, 0].min()) & (x <= ext[:, 0].max()) & (y >= ext[:, 1].min()) & (y <= ext[:, 1].max())
        if not box.any():
            continue
        idx = np.nonzero(box & ~result)[0]
        if len(idx) == 0:
            continue
        inside = _ring_contains_fast(poly[0], x[idx], y[idx])
        for hole in poly[1:]:
            inside &= ~_ring_contains_fast(hole, x[idx], y[idx])
        result[idx[inside]] = True
    return result


def point_in_geometry(lon: float, lat: float, geometry: dict) -> bool:
    """True when (lon, lat) lies inside the Polygon/MultiPolygon (holes excluded)."""
    return bool(points_in_geometry([lon], [lat], geometry)[0])


def bbox(geometry: dict) -> tuple[float, float, float, float]:
    """(min lon, min lat, max lon, max lat)."""
    pts = np.asarray([p for poly in polygons(geometry) for ring in poly for p in ring], dtype=float)
    return float(pts[:, 0].min()), float(pts[:, 1].min()), float(pts[:, 0].max()), float(pts[:, 1].max())


# --------------------------------------------------------------------------- import


# the shapes of Chinese place names (data the matching reads, not messages)
_AUTONOMOUS = re.compile(r"^(.{2,}?)(?:[\u4e00-\u9fff]{1,3}族)+自治[县州旗]$")
_NAME_SUFFIXES = ("县", "市", "区", "旗")


def _norm_name(name: str) -> str:
    """A county name without its suffix: 漾濞彝族自治县 → 漾濞, 祥云县 → 祥云, 大理市 → 大理."""
    s = str(name or "").strip()
    m = _AUTONOMOUS.match(s)
    if m:
        return m.group(1)
    for suffix in _NAME_SUFFIXES:
        if s.endswith(suffix) and len(s) > len(suffix) + 1:
            return s[: -len(suffix)]
    return s


def read_geojson_file(path) -> Any:
    """A boundary file read within the limits: at most ``GEOJSON_MAX_BYTES``, valid JSON (nesting
    too deep for the parser is refused, not a crash). ValidationError with a plain message."""
    from lib.intake.limits import GEOJSON_MAX_BYTES

    def refuse(key: str, **params):
        raise ValidationError(key, [{"row": None, "column": None, "value": str(path)[-200:],
                                     "message": t(key, "zh", **params)}], **params)

    if isinstance(path, (dict, list)):  # already read (tests, callers holding the object)
        return path
    if isinstance(path, (bytes, bytearray)) or (isinstance(path, str) and path.lstrip().startswith(("{", "["))):
        raw = path.encode("utf-8") if isinstance(path, str) else bytes(path)
        if len(raw) > GEOJSON_MAX_BYTES:
            refuse("in_err_geo_too_big", mb=f"{len(raw) / 1024 / 1024:.1f}", max=GEOJSON_MAX_BYTES // (1024 * 1024))
        try:
            return json.loads(raw.decode("utf-8-sig"))
        except RecursionError:
            refuse("in_err_geo_depth")
        except ValueError as exc:
            refuse("in_err_geo_json", detail=str(exc)[:200])
    try:
        size = Path(path).stat().st_size
        if size > GEOJSON_MAX_BYTES:
            refuse("in_err_geo_too_big", mb=f"{size / 1024 / 1024:.1f}", max=GEOJSON_MAX_BYTES // (1024 * 1024))
        with open(path, "rb") as fh:
            raw = fh.read(GEOJSON_MAX_BYTES + 1)
        if len(raw) > GEOJSON_MAX_BYTES:
            refuse("in_err_geo_too_big", mb=f"{len(raw) / 1024 / 1024:.1f}", max=GEOJSON_MAX_BYTES // (1024 * 1024))
        return json.loads(raw.decode("utf-8-sig"))
    except ValidationError:
        raise
    except RecursionError:
        refuse("in_err_geo_depth")
    except UnicodeDecodeError:
        refuse("in_err_geo_json", detail=t("in_geo_not_utf8", "zh"))
    except ValueError as exc:  # json.JSONDecodeError
        refuse("in_err_geo_json", detail=str(exc)[:200])
    except OSError as exc:
        refuse("in_err_geo_json", detail=exc.__class__.__name__)


def shape_problem(geom: dict) -> str | None:
    """None when a Polygon/MultiPolygon is well formed (polygons of rings of ≥ 4 [lon, lat] number
    pairs), else the i18n key of what is wrong. Never raises."""
    coords = geom.get("coordinates")
    polys = [coords] if geom.get("type") == "Polygon" else coords
    if not isinstance(polys, list) or not polys:
        return "in_geo_no_coords"
    for poly in polys:
        if not isinstance(poly, list) or not poly:
            return "in_geo_no_rings"
        for ring in poly:
            if not isinstance(ring, list):
                return "in_geo_ring_not_list"
            if len(ring) < 4:
                return "in_geo_ring_short"
            for pt in ring:
                if not isinstance(pt, list) or len(pt) < 2 or not all(
                        isinstance(v, (int, float)) and not isinstance(v, bool) for v in pt[:2]):
                    return "in_geo_point_bad"
    return None


def import_boundaries(session, actor, path, code_field: str = "code", name_field: str | None = None,
                      tolerance: float = DEFAULT_TOLERANCE) -> dict:
    """Store simplified boundaries from a GeoJSON FeatureCollection into ``Region.boundary``.

    Features are matched to regions by the property ``code_field`` (then by name: ``name_field``,
    or the ``name`` property). Centroids are set where a region has no lon/lat yet. Coordinates must
    be degrees (WGS-84 or GCJ-02); projected coordinates are refused. All-or-nothing: any bad
    feature raises ValidationError and nothing is written.

    Returns ``{"matched": [region codes], "unmatched": [feature codes/names not in regions],
    "regions_without": [region codes that still have no boundary]}``.
    """
    from sqlalchemy import select

    from lib.access import require
    from lib.store import audit
    from lib.store.models import Region

    require(actor, "upload_regions")
    obj = read_geojson_file(path)
    feats = features(obj)
    regions = {r.code: r for r in session.scalars(select(Region))}
    by_name = {r.name: r for r in regions.values()}
    by_short: dict[str, list] = {}
    for r in regions.values():
        by_short.setdefault(_norm_name(r.name), []).append(r)

    errors: list[dict] = []
    matched: dict[str, dict] = {}
    unmatched: list[str] = []
    for row, feat in enumerate(feats, start=1):
        props = feat.get("properties") or {}
        geom = feat.get("geometry")
        if not isinstance(props, dict):
            errors.append({"row": row, "column": "properties", "value": type(props).__name__,
                           "message": t("in_err_geo_properties", "zh", row=row)})
            continue
        code = props.get(code_field)
        code_s = str(code).strip() if code is not None else ""
        if code_s.endswith(".0") and code_s[:-2].isdigit():
            code_s = code_s[:-2]
        name = props.get(name_field) if name_field else props.get("name")
        name_s = str(name).strip() if name is not None else ""
        region = regions.get(code_s) if code_s else None
        if region is None and name_s:
            region = by_name.get(name_s)
            if region is None:
                cands = by_short.get(_norm_name(name_s), [])
                region = cands[0] if len(cands) == 1 else None
        label = code_s or name_s or t("geo_feature_n", "zh", n=row)
        # a malformed polygon is an error whether or not it matches a region (the file is broken)
        bad = shape_problem(geom) if isinstance(geom, dict) and geom.get("type") in ("Polygon", "MultiPolygon") else None
        if bad:
            errors.append({"row": row, "column": "coordinates", "value": label,
                           "message": t("in_err_geo_shape", "zh", label=label, detail=t(bad, "zh"))})
            continue
        if region is None:
            unmatched.append(label)
            continue
        if not isinstance(geom, dict) or geom.get("type") not in ("Polygon", "MultiPolygon"):
            errors.append({"row": row, "column": "geometry", "value": (geom or {}).get("type") if isinstance(geom, dict) else None,
                           "message": t("geo_msg_not_polygon", "zh", label=label)})
            continue
        try:
            check_degrees(geom)
        except (ValueError, TypeError, IndexError) as exc:
            errors.append({"row": row, "column": "coordinates", "value": label, "message": str(exc)})
            continue
        if region.code in matched:
            errors.append({"row": row, "column": code_field, "value": label,
                           "message": t("geo_msg_duplicate", "zh", code=region.code, name=region.name)})
            continue
        matched[region.code] = geom
    if errors:
        raise ValidationError("in_err_geo_file", errors[:200])

    codes = list(matched)
    simplified = simplify_many([matched[c] for c in codes], tolerance) if codes else []
    for code, geom in zip(codes, simplified):
        region = regions[code]
        before = {"has_boundary": region.boundary is not None, "lon": region.lon, "lat": region.lat}
        region.boundary = dumps(geom)
        if region.lon is None or region.lat is None:
            region.lon, region.lat = (round(v, 6) for v in centroid(geom))
        after = {"has_boundary": True, "points": count_points(geom), "lon": region.lon, "lat": region.lat}
        audit.record(session, actor.username, "upload", "regions", code, before, after)
    session.flush()
    regions_without = sorted(c for c, r in regions.items() if r.boundary is None and r.code not in matched)
    return {"matched": codes, "unmatched": unmatched, "regions_without": regions_without}
