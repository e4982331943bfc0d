"""Benchmark: the map at province scale (100 regions, 20,000 projects; bench_foundation's store).

Prints, for period 2022-10:
- the deck JSON the browser receives (bytes) with every project located            target ≤ 5 MB
  — once with the store's regions as they are, once with a synthetic simplified boundary of 160
  vertices for every region (the province store has none), which is what a real province would send;
- the time to build the map payload from lights + league (lib.geo.mapview.map_payload);
- the page's server run (pages/map.py through Streamlit's AppTest): first run and warm runs
  (lib results cached until the next write, as in the app)                          target ≤ 1.5 s warm.

PASS/MISS is printed next to each figure; the script never fails on a MISS.

    .venv/bin/python -m bench.bench_map
"""
from __future__ import annotations

import math
import os
import sys
import time
from pathlib import Path

from bench.bench_foundation import DEFAULT_DB, OUT, PERIOD, build_province_store

ROOT = Path(__file__).resolve().parent.parent

MB = 1_000_000


def _ring(lon: float, lat: float, r: float, n: int = 160) -> list[list[float]]:
    pts = [[round(lon + r * math.cos(2 * math.pi * k / n) * (1 + 0.15 * math.sin(7 * k / n * 2 * math.pi)), 5),
            round(lat + r * math.sin(2 * math.pi * k / n), 5)] for k in range(n)]
    return pts + [pts[0]]


def with_synthetic_boundaries(regions, lights):
    """Give every region without a boundary a 160-vertex polygon around its projects."""
    regions = regions.copy()
    geoms = []
    for _, r in regions.iterrows():
        if r["geometry"] is not None:
            geoms.append(r["geometry"])
            continue
        pts = lights[lights["region_code"] == r["region_code"]][["lon", "lat"]].dropna()
        lon = float(pts["lon"].mean()) if len(pts) else (r["lon"] or 100.0)
        lat = float(pts["lat"].mean()) if len(pts) else (r["lat"] or 25.0)
        geoms.append({"type": "Polygon", "coordinates": [_ring(lon, lat, 0.25)]})
    regions["geometry"] = geoms
    return regions


def main() -> int:
    url = build_province_store(DEFAULT_DB)
    os.environ["COCKPIT_DB_URL"] = url
    from lib import store
    from lib.geo import mapview
    from lib.rules.league import compute_league
    from lib.rules.lights import compute_lights

    eng = store.get_engine(url)
    with store.session_scope(eng) as s:
        t0 = time.perf_counter()
        lights = compute_lights(s, PERIOD)
        t_lights = time.perf_counter() - t0
        t0 = time.perf_counter()
        league = compute_league(s, PERIOD)
        t_league = time.perf_counter() - t0
        regions = mapview.load_regions(s)
    n_located = int((lights["lon"].notna() & lights["lat"].notna()).sum())
    print(f"store: {len(regions)} regions ({int(regions['geometry'].notna().sum())} with a boundary), "
          f"{len(lights):,} projects of 2022 ({n_located:,} located); lights {t_lights:.2f} s, league {t_league:.2f} s")

    md = mapview.MapData(PERIOD, regions, lights, league)
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        p = mapview.map_payload(md, "gap", "zh")
        times.append(time.perf_counter() - t0)
    size = len(p["spec"].encode("utf-8"))
    print(f"deck JSON, store as is: {size / MB:.2f} MB, {p['n_points']:,} points "
          f"{'PASS' if size <= 5 * MB else 'MISS'} (≤ 5 MB); payload build {min(times):.3f} s")
    md2 = mapview.MapData(PERIOD, with_synthetic_boundaries(regions, lights), lights, league)
    p2 = mapview.map_payload(md2, "gap", "zh")
    size2 = len(p2["spec"].encode("utf-8"))
    print(f"deck JSON, every region with a 160-vertex boundary: {size2 / MB:.2f} MB "
          f"{'PASS' if size2 <= 5 * MB else 'MISS'} (≤ 5 MB)")

    # the page's server run
    from streamlit.testing.v1 import AppTest

    from lib.access import Actor

    store.dispose_all()

    def run_page():
        at = AppTest.from_file(str(ROOT / "pages" / "map.py"), default_timeout=300)
        at.session_state["actor"] = Actor(username="leader", role="leader")
        at.session_state["period"] = PERIOD
        t0 = time.perf_counter()
        at.run()
        dt_ = time.perf_counter() - t0
        assert not at.exception, at.exception
        spec = at.get("deck_gl_json_chart")[0].proto.json
        return dt_, len(spec.encode("utf-8"))

    first, sent = run_page()
    warm = [run_page()[0] for _ in range(3)]
    best = min(warm)
    print(f"page server run: first {first:.2f} s, warm {best:.3f} s (runs {', '.join(f'{w:.3f}' for w in warm)}) "
          f"{'PASS' if best <= 1.5 else 'MISS'} (≤ 1.5 s warm); deck JSON sent {sent / MB:.2f} MB "
          f"{'PASS' if sent <= 5 * MB else 'MISS'}")
    OUT.mkdir(parents=True, exist_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
