"""The offline investment-progress map: county polygons filled by a measure, projects as points by
light, county names on top; its legend, tooltips, and a static image of the same view for slides.

Pure Python (pydeck, plotly, pandas); never imports streamlit. Offline by construction:
``pdk.Deck(map_provider=None)`` and no map-style argument (pydeck then writes the ``__MAP_STYLE__``
placeholder, which Streamlit's frontend reads as "no basemap"), fonts are system fonts, the static
image is plain plotly shapes in lon/lat rendered by kaleido on the local Chromium with the
plotly.js bundled in the plotly package and MathJax off.

Entry points:
- ``load_map_data(session, period)`` → ``MapData`` (regions with geometry, lights, league)
- ``region_table(...)`` → one row per region with the measures (gap, score, red, completed)
- ``measure_classes(measure, values, lang)`` → class breaks + colours (legend and fill share them)
- ``build_deck(...)`` → ``pdk.Deck``; ``deck_spec(deck)`` → compact JSON text
- ``legend_html(...)``, ``static_map_figure(...)``, ``fig_to_png(fig, ...)``
"""
from __future__ import annotations

import gc
import hashlib
import json
import math
import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import pandas as pd
import pydeck as pdk

from lib import config, geo, periods
from lib.i18n import LIGHT_COLORS, enum_label, fmt_money, fmt_pp, t
from lib.rules import dimensions

FONT_FAMILY = "Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
MEASURES = ("gap", "score", "red", "completed")
DEFAULT_MEASURE = "gap"
LIGHT_ORDER = dimensions.LIGHT_ORDER
LAYER_IDS = {
    "counties": "counties",
    "projects": "projects",
    "markers": "region-markers",
    "outlines": "county-outlines",
    "marker_outlines": "marker-outlines",
}
POINT_OUTLINE = (29, 36, 48)  # dark outline so a yellow point shows on a pale county
NA_COLOR = "#E9ECEF"
REASON_CHARS = 60  # the tooltip's reason is cut here (the project file has the full text)
# map frame the initial view is fitted to (the chart is ~this size on a tablet, legend beside)
VIEW_W, VIEW_H = 600, 560
MAP_HEIGHT = VIEW_H  # the page's map is this tall (its names are placed for it)
# what map_payload answers depends on this file's code: its shared-cache name carries a digest of it,
# so a payload built by another version of the code is never served (stored results outlive a deploy)
PAYLOAD_VERSION = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]
def chromium() -> str:
    """The browser kaleido drives (COCKPIT_KALEIDO_BROWSER, default the offline wrapper)."""
    return config.settings().kaleido_browser


# --------------------------------------------------------------------------- colours and classes


def hex_rgb(color: str) -> tuple[int, int, int]:
    c = color.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


@dataclass(frozen=True)
class MeasureClass:
    lo: float | None  # inclusive lower bound (None = open)
    hi: float | None  # exclusive upper bound (None = open)
    color: str
    label: str

    def contains(self, v: float) -> bool:
        return (self.lo is None or v >= self.lo) and (self.hi is None or v < self.hi)


# Palettes chosen not to be confused with the light colours of the points (red/yellow/green):
# purple ← lagging … ahead → blue for the gap; blues for the score; purples for red counts; teals
# for completed investment. All pale enough that a dark-outlined point shows on them.
_GAP_COLORS = ("#8B68AE", "#B7A2D0", "#E3DAEE", "#D3E6F1", "#97C4DE")
_SCORE_COLORS = ("#EEF3F9", "#CCDDEE", "#A2C4E2", "#6FA3D0", "#3F7DB9")
_RED_COLORS = ("#F3EFF7", "#D9CDE7", "#B8A3D1", "#9475B8", "#6D4C9C")
_DONE_COLORS = ("#EAF5F3", "#C4E4DF", "#91CCC3", "#5BAEA3", "#318B81")


def _nice(v: float) -> float:
    """A round number near v (1, 2, 2.5, 5 × 10^k), for class breaks people can read."""
    if v <= 0:
        return 0.0
    k = math.floor(math.log10(v))
    base = 10 ** k
    for m in (1, 2, 2.5, 5, 10):
        if v <= m * base * 1.0001:
            return m * base
    return 10 * base


def measure_label(measure: str, lang: str = "zh") -> str:
    return t(f"map_measure_{measure}", lang)


def measure_classes(measure: str, values: Iterable[float] | None = None, lang: str = "zh") -> list[MeasureClass]:
    """Class breaks and colours of a measure; the legend and the fill use the same list.

    gap (points, vs 序时进度): < −30, −30…−10, −10…0, 0…10, ≥ 10 (aligned with the light thresholds);
    score: < 60, 60–70, 70–80, 80–90, ≥ 90; red: 0, 1–2, 3–5, 6–10, > 10;
    completed: four round breaks at the data's quintiles (万元, labelled in 万元/亿元)."""
    pp = t("geo_pp_suffix", lang)
    if measure == "gap":
        b = (-30, -10, 0, 10)
        labels = (f"< {b[0]}{pp}", f"{b[0]} ~ {b[1]}{pp}", f"{b[1]} ~ {b[2]}{pp}",
                  f"{b[2]} ~ +{b[3]}{pp}", f"≥ +{b[3]}{pp}")
        return _from_breaks(b, _GAP_COLORS, labels)
    if measure == "score":
        b = (60, 70, 80, 90)
        labels = ("< 60", "60 ~ 70", "70 ~ 80", "80 ~ 90", "≥ 90")
        return _from_breaks(b, _SCORE_COLORS, labels)
    if measure == "red":
        b = (1, 3, 6, 11)
        unit = t("count_unit", lang)
        labels = (f"0{unit}", f"1 ~ 2{unit}", f"3 ~ 5{unit}", f"6 ~ 10{unit}", f"> 10{unit}")
        return _from_breaks(b, _RED_COLORS, labels)
    if measure == "completed":
        vals = np.array([float(v) for v in (values or []) if v is not None and not _isnan(v)], dtype=float)
        vals = vals[vals > 0]
        if len(vals) == 0:
            vals = np.array([10000.0])
        qs = np.quantile(vals, [0.2, 0.4, 0.6, 0.8])
        breaks: list[float] = []
        for q in qs:
            n = _nice(float(q))
            if n > 0 and (not breaks or n > breaks[-1]):
                breaks.append(n)
        while len(breaks) < 4:
            breaks.append(_nice(breaks[-1] * 2.01) if breaks else 10000.0)
        unit = "yi" if breaks[0] >= 10000 else "wan"
        f = lambda v: fmt_money(v, lang, unit=unit, digits=(0 if unit == "wan" or v % 10000 == 0 else 1))
        labels = (f"< {f(breaks[0])}", f"{f(breaks[0])} ~ {f(breaks[1])}", f"{f(breaks[1])} ~ {f(breaks[2])}",
                  f"{f(breaks[2])} ~ {f(breaks[3])}", f"≥ {f(breaks[3])}")
        return _from_breaks(tuple(breaks), _DONE_COLORS, labels)
    raise ValueError(f"unknown measure {measure!r}")


def _from_breaks(breaks, colors, labels) -> list[MeasureClass]:
    edges = [None, *breaks, None]
    return [MeasureClass(edges[i], edges[i + 1], colors[i], labels[i]) for i in range(len(colors))]


def _isnan(v) -> bool:
    try:
        return v is None or (isinstance(v, float) and math.isnan(v)) or pd.isna(v)
    except (TypeError, ValueError):
        return False


def classify(value, classes: list[MeasureClass]) -> int | None:
    """Index of the class holding ``value`` (None when the value is missing)."""
    if _isnan(value):
        return None
    v = float(value)
    for i, c in enumerate(classes):
        if c.contains(v):
            return i
    return None


def class_color(value, classes: list[MeasureClass]) -> str:
    i = classify(value, classes)
    return NA_COLOR if i is None else classes[i].color


# --------------------------------------------------------------------------- sizes


def point_radius(annual_plan) -> float:
    """Pixel radius of a project point: grows with √(annual plan in 万元), 5…16 px (5 px: a point a
    fingertip can tap; deck.gl in Streamlit picks with no radius around the drawn shape)."""
    plan = 0.0 if _isnan(annual_plan) else max(float(annual_plan), 0.0)
    return float(min(16.0, max(MIN_POINT_PX, 2.5 + math.sqrt(plan) / 30.0)))


MIN_POINT_PX = 5.0
SIZE_STEPS = (1000.0, 10000.0, 100000.0)  # 1,000万元, 1亿元, 10亿元 for the legend


# --------------------------------------------------------------------------- data


@dataclass
class MapData:
    period: str
    regions: pd.DataFrame  # region_code, region_name, kind, display_order, lon, lat, geometry
    lights: pd.DataFrame  # compute_lights + lon, lat
    league: pd.DataFrame  # compute_league
    extra: dict = field(default_factory=dict)


def load_regions(session) -> pd.DataFrame:
    """Regions with their parsed boundary geometry (None when there is none)."""
    from sqlalchemy import select

    from lib.store.models import Region

    c = Region.__table__.c
    rows = session.connection().execute(
        select(c.code, c.name, c.kind, c.display_order, c.lon, c.lat, c.boundary)
    ).fetchall()
    recs = []
    for code, name, kind, order, lon, lat, boundary in rows:
        g = None
        if boundary:
            try:
                g = geo.as_geometry(json.loads(boundary))
                geo.polygons(g)
            except (ValueError, TypeError, KeyError):
                g = None
        recs.append({"region_code": code, "region_name": name, "kind": kind or "county",
                     "display_order": order or 0, "lon": lon, "lat": lat, "geometry": g})
    df = pd.DataFrame.from_records(
        recs, columns=["region_code", "region_name", "kind", "display_order", "lon", "lat", "geometry"])
    return df.sort_values(["display_order", "region_code"], kind="stable").reset_index(drop=True)


def _project_positions(session, codes: list[str]) -> pd.DataFrame:
    from sqlalchemy import select

    from lib.store.models import Project

    c = Project.__table__.c
    rows = session.connection().execute(select(c.code, c.lon, c.lat)).fetchall()
    df = pd.DataFrame.from_records(rows, columns=["project_code", "lon", "lat"])
    return df


def load_map_data(session, period: str, as_of=None, lights: pd.DataFrame | None = None,
                  league: pd.DataFrame | None = None) -> MapData:
    """Everything the map reads, through lib only (lights, league, regions)."""
    if lights is None:
        from lib.rules.lights import compute_lights

        lights = compute_lights(session, period, as_of=as_of)
    if league is None:
        try:
            from lib.rules.league import compute_league
        except ImportError:  # the league module not there yet: the map still draws (no scores)
            league = pd.DataFrame(columns=["region_code"])
        else:
            league = compute_league(session, period, as_of=as_of)
    lights = lights.copy()
    if "lon" not in lights.columns or "lat" not in lights.columns:
        pos = _project_positions(session, list(lights["project_code"]))
        lights = lights.drop(columns=[c for c in ("lon", "lat") if c in lights.columns])
        lights = lights.merge(pos, on="project_code", how="left")
    return MapData(period=period, regions=load_regions(session), lights=lights, league=league)


# an autonomous county's name (漾濞彝族自治县): the shape of a Chinese place name, data not a message
_AUTONOMOUS = re.compile(r"^(.{2,}?)((?:[\u4e00-\u9fff]{1,3}族)+)自治(县|旗)$")


def short_name(name: str) -> str:
    """A county's short label: 漾濞彝族自治县 → 漾濞县, 巍山彝族回族自治县 → 巍山县."""
    m = _AUTONOMOUS.match(name or "")
    if m:
        return m.group(1) + m.group(3)
    return name


def region_table(md: MapData) -> pd.DataFrame:
    """One row per region: name, geometry, label point, and the measures
    gap (points vs 序时进度), score, rank, light, red/yellow/green/gray counts, completed (Σ ytd)."""
    regions = md.regions.copy()
    y, m = periods.split(md.period)
    tshare = m / 12.0
    lights = md.lights
    counts = pd.DataFrame(index=regions["region_code"])
    if len(lights):
        ct = pd.crosstab(lights["region_code"], lights["light"])
        for lt in LIGHT_ORDER:
            counts[lt] = ct[lt] if lt in ct.columns else 0
        annual = lights[lights.get("library", pd.Series("annual", index=lights.index)) == "annual"]
        done = annual.groupby("region_code")["ytd_completed"].sum(min_count=1)
        plan = annual.groupby("region_code")["annual_plan"].sum(min_count=1)
        counts["completed"] = done
        counts["plan"] = plan
        counts["n_projects"] = lights.groupby("region_code").size()
    else:
        for lt in LIGHT_ORDER:
            counts[lt] = 0
        counts["completed"] = np.nan
        counts["plan"] = np.nan
        counts["n_projects"] = 0
    counts = counts.reset_index()
    for lt in LIGHT_ORDER + ("n_projects",):
        counts[lt] = counts[lt].fillna(0).astype(int)
    out = regions.merge(counts, on="region_code", how="left")
    lg = md.league
    keep = [c for c in ("region_code", "invest_rate", "score", "rank", "rank_change", "light", "light_reason",
                        "start_rate", "growth", "growth_target") if c in lg.columns]
    out = out.merge(lg[keep].rename(columns={"light": "region_light"}), on="region_code", how="left")
    for c in ("invest_rate", "score", "rank", "region_light"):
        if c not in out.columns:
            out[c] = np.nan
    # the league's invest_rate is Σ ytd ÷ Σ plan of the annual projects; the same from the lights
    # when the league has no row for a region
    own = out["completed"] / out["plan"].where(out["plan"] > 0)
    out["invest_rate"] = pd.to_numeric(out["invest_rate"], errors="coerce").fillna(own)
    out["gap"] = [(round((float(r) - tshare) * 100, 2) if not _isnan(r) else np.nan) for r in out["invest_rate"]]
    out["red"] = out["red"].astype(int)
    # label point: stored centroid, else the boundary's centroid, else the mean of its projects
    if len(lights) and "lon" in lights.columns:
        mean_pos = lights.dropna(subset=["lon", "lat"]).groupby("region_code")[["lon", "lat"]].mean()
    else:
        mean_pos = pd.DataFrame(columns=["lon", "lat"])
    lons, lats = [], []
    for code, lon, lat, g in zip(out["region_code"], out["lon"], out["lat"], out["geometry"]):
        if (_isnan(lon) or _isnan(lat)) and g is not None:
            lon, lat = geo.centroid(g)
        if (_isnan(lon) or _isnan(lat)) and code in mean_pos.index:
            lon, lat = float(mean_pos.at[code, "lon"]), float(mean_pos.at[code, "lat"])
        lons.append(None if _isnan(lon) else float(lon))
        lats.append(None if _isnan(lat) else float(lat))
    out["label_lon"], out["label_lat"] = lons, lats
    out.attrs["tshare"] = tshare
    return out


FILTER_KEYS = ("light", "level", "sector", "tags", "nature")


def filter_projects(lights: pd.DataFrame, filters: dict | None = None) -> pd.DataFrame:
    """The traffic-light list's filters (lib.rules.overview.filter_projects: the same rules as the list)."""
    from lib.rules.overview import filter_projects as _filter

    filters = {k: v for k, v in (filters or {}).items() if v not in (None, "", [], ())}
    return _filter(lights, filters) if filters else lights


# --------------------------------------------------------------------------- tooltip


TOOLTIP_STYLE = {
    "backgroundColor": "#1D2430", "color": "#FFFFFF", "fontSize": "13px", "lineHeight": "1.45",
    "maxWidth": "340px", "fontFamily": FONT_FAMILY, "padding": "8px 10px", "borderRadius": "6px",
}


def tooltip_spec(lang: str = "zh") -> dict:
    """One template for every pickable layer: each object carries n (title), s (line 2), a and e
    (completion and 序时进度) and r (line 4). Streamlit escapes the values; the labels and line
    breaks are in the template, so 20,000 points do not repeat them."""
    html = (f"<b>{{n}}</b><br/>{{s}}<br/>{t('map_tt_actual', lang)} {{a}} · "
            f"{t('map_tt_expected', lang)} {{e}}<br/>{{r}}")
    return {"html": html, "style": TOOLTIP_STYLE}


def light_word(light: str, lang: str = "zh") -> str:
    w = enum_label("light", light, lang)
    return t("geo_light_word", lang, light=w)


def _pct(v) -> str:
    return "—" if _isnan(v) else f"{float(v):.1f}%"


def _pct_list(values: pd.Series) -> list[str]:
    v = pd.to_numeric(values, errors="coerce")
    return ["—" if x != x else f"{x:.1f}%" for x in v.to_numpy(float)]


def cut(text: str, n: int) -> str:
    text = str(text or "")
    return text if len(text) <= n else text[: max(n - 1, 0)] + "…"


def project_tooltip_fields(row: dict, region_names: dict, lang: str = "zh",
                           reason_chars: int = REASON_CHARS) -> dict:
    """n, s, a, e, r of a project: name; county · light; completion %; expected %; reason."""
    return {
        "n": str(row.get("project_name") or row.get("project_code")),
        "s": f"{region_names.get(row.get('region_code'), row.get('region_code') or '')} · {light_word(row.get('light'), lang)}",
        "a": _pct(row.get("actual_pct")),
        "e": _pct(row.get("expected_pct")),
        "r": cut(row.get("reasons"), reason_chars),
    }


def region_tooltip_fields(r: dict, tshare: float, lang: str = "zh") -> dict:
    """n, s, a, e, r of a county: name; score, rank, region light; completion (Σ ytd ÷ Σ plan) and
    序时进度 (m/12); the gap, project counts by light and completed investment."""
    score = "—" if _isnan(r.get("score")) else f"{float(r['score']):.1f}"
    rank = "" if _isnan(r.get("rank")) else t("geo_rank", lang, rank=int(r["rank"]))
    rl = r.get("region_light")
    light = "" if _isnan(rl) or not rl else f" · {light_word(rl, lang)}"
    inv = r.get("invest_rate")
    gap = r.get("gap")
    gap_s = "—" if _isnan(gap) else fmt_pp(float(gap), lang)
    counts = " ".join(f"{light_word(lt, lang)}{int(r.get(lt) or 0)}" for lt in ("red", "yellow", "green"))
    return {
        "n": str(r.get("region_name")),
        "s": f"{t('map_tt_score', lang)} {score}{rank}{light}",
        "a": "—" if _isnan(inv) else f"{float(inv) * 100:.1f}%",
        "e": f"{tshare * 100:.1f}%",
        "r": f"{t('map_tt_gap', lang)} {gap_s} · {counts} · {t('map_tt_completed', lang)} {fmt_money(r.get('completed'), lang)}",
    }


# --------------------------------------------------------------------------- deck


class CompactDeck(pdk.Deck):
    """A pydeck Deck whose JSON is compact (no indentation, UTF-8 text): a province's 20,000 points
    stay well under 5 MB. Also usable as a wrapper around an already built spec (``from_spec``)."""

    _spec: str | None = None

    def to_json(self):
        if self._spec is not None:
            return self._spec
        from pydeck.bindings.json_tools import default_serialize

        # pydeck's own serialize indents (pure-Python encoder, ~10× slower and ~2× larger)
        return json.dumps(self, default=default_serialize, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_spec(cls, spec: str, tooltip: dict | None = None) -> "CompactDeck":
        d = cls(layers=[], map_provider=None, tooltip=tooltip or tooltip_spec())
        d._spec = spec
        return d


def _lit(text: str) -> str:
    """A string prop pydeck must pass as a literal (unquoted strings become @@= expressions)."""
    return f"'{text}'"


def _rgba(color: str, alpha: int = 255) -> list[int]:
    r, g, b = hex_rgb(color)
    return [r, g, b, alpha]


def _bounds(regions: pd.DataFrame, pts: pd.DataFrame) -> tuple[float, float, float, float] | None:
    xs, ys = [], []
    for g in regions["geometry"]:
        if g is not None:
            b = geo.bbox(g)
            xs += [b[0], b[2]]
            ys += [b[1], b[3]]
    for lon, lat in zip(regions["label_lon"], regions["label_lat"]):
        if lon is not None and lat is not None:
            xs.append(lon)
            ys.append(lat)
    if len(pts):
        p = pts[["lon", "lat"]].dropna()
        if len(p):
            xs += [float(p["lon"].quantile(0.01)), float(p["lon"].quantile(0.99))]
            ys += [float(p["lat"].quantile(0.01)), float(p["lat"].quantile(0.99))]
    if not xs:
        return None
    return min(xs), min(ys), max(xs), max(ys)


def _mercator_y(lat: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(max(min(lat, 85), -85)) / 2))


def fit_view(bounds, width: int = VIEW_W, height: int = VIEW_H, padding: float = 0.04) -> dict:
    """Centre and zoom (Web Mercator, 512-px world at zoom 0) that fit ``bounds`` in the frame."""
    if bounds is None:
        return {"longitude": 100.2, "latitude": 25.6, "zoom": 7.0}
    x0, y0, x1, y1 = bounds
    merc = _mercator_y
    dx = max(x1 - x0, 1e-4)
    dy = max(merc(y1) - merc(y0), 1e-6)
    zx = math.log2(width * (1 - 2 * padding) * 360.0 / (512.0 * dx))
    zy = math.log2(height * (1 - 2 * padding) * 2 * math.pi / (512.0 * dy))
    cy = math.degrees(2 * math.atan(math.exp((merc(y0) + merc(y1)) / 2)) - math.pi / 2)
    return {"longitude": round((x0 + x1) / 2, 5), "latitude": round(cy, 5),
            "zoom": round(max(1.0, min(zx, zy, 14.0)), 2)}


SPEC_BUDGET = 4_600_000  # bytes of deck JSON we allow ourselves (the limit is 5 MB at 20,000 points)


def point_records(pts: pd.DataFrame, region_names: dict, lang: str = "zh",
                  budget: int = SPEC_BUDGET) -> list[dict]:
    """Minimal point records, in the order of ``pts`` (the page maps a picked index back to the
    project code): n/s/a/e/r tooltip fields, p [lon, lat] (5 decimals), z radius px, f colour by
    light. The reason is cut so that the whole layer stays under ``budget`` bytes."""
    colors = {lt: list(hex_rgb(c)) for lt, c in LIGHT_COLORS.items()}
    gray = colors["gray"]
    if not len(pts):
        return []
    names = pts["project_name"].fillna(pts["project_code"]).astype(str).tolist()
    words = {lt: light_word(lt, lang) for lt in LIGHT_ORDER}
    rn = [region_names.get(c, c or "") for c in pts["region_code"]]
    lights = pts["light"].tolist()
    s = [f"{r} · {words.get(lt, lt)}" for r, lt in zip(rn, lights)]
    a = _pct_list(pts["actual_pct"]) if "actual_pct" in pts.columns else ["—"] * len(pts)
    e = _pct_list(pts["expected_pct"]) if "expected_pct" in pts.columns else ["—"] * len(pts)
    reasons = pts["reasons"].fillna("").astype(str).tolist() if "reasons" in pts.columns else [""] * len(pts)
    lon = pts["lon"].astype(float).round(5).tolist()
    lat = pts["lat"].astype(float).round(5).tolist()
    plans = pd.to_numeric(pts["annual_plan"], errors="coerce") if "annual_plan" in pts.columns else pd.Series(0.0, index=pts.index)
    z = np.round(np.clip(2.5 + np.sqrt(plans.fillna(0).clip(lower=0).to_numpy(float)) / 30.0, MIN_POINT_PX, 16.0),
                 1).tolist()
    gc_was = gc.isenabled()
    gc.disable()  # 20,000 small dicts: the cyclic collector would rescan them over and over
    try:
        out = [
            {"n": n_, "s": s_, "a": a_, "e": e_, "r": "", "p": [x, y], "z": z_, "f": colors.get(lt, gray)}
            for n_, s_, a_, e_, x, y, z_, lt in zip(names, s, a, e, lon, lat, z, lights)
        ]
    finally:
        if gc_was:
            gc.enable()
    step = max(1, len(out) // 2000)  # size of the records without reasons, from a sample
    sample = out[::step]
    base = len(json.dumps(sample, ensure_ascii=False, separators=(",", ":")).encode("utf-8")) * len(out) / len(sample)
    with_reason = sum(1 for r in reasons if r)
    chars = REASON_CHARS
    if with_reason:
        # UTF-8 Chinese is 3 bytes a character
        chars = int(min(REASON_CHARS, max(8, (budget - base) / (3 * with_reason))))
    for rec, r in zip(out, reasons):
        if r:
            rec["r"] = cut(r, chars)
    return out


def located(lights: pd.DataFrame) -> pd.DataFrame:
    """Projects with a usable location (lon/lat present and in range), red first so they draw on top
    last (deck.gl draws in data order: the worst lights are drawn last, i.e. on top)."""
    if not len(lights):
        return lights.assign(lon=[], lat=[]) if "lon" not in lights.columns else lights
    ok = lights["lon"].notna() & lights["lat"].notna()
    ok &= lights["lon"].between(-180, 180) & lights["lat"].between(-90, 90)
    df = lights[ok].copy()
    order = {"gray": 0, "green": 1, "yellow": 2, "red": 3}
    df["_o"] = df["light"].map(order).fillna(0)
    df = df.sort_values(["_o", "project_code"], kind="stable").drop(columns="_o")
    return df.reset_index(drop=True)


def build_deck(regions_tbl: pd.DataFrame, points: pd.DataFrame, measure: str = DEFAULT_MEASURE,
               lang: str = "zh", selected_region: str | None = None,
               classes: list[MeasureClass] | None = None) -> CompactDeck:
    """The map: county polygons filled by ``measure`` (with outlines), regions without a boundary as
    ◆ markers at their centroid, projects as points by light sized by √annual plan, in a fixed view.
    The county names are not in it: the page draws them over the map (``label_marks``,
    ``labels_html``). ``points`` must already be filtered and ordered (``located``)."""
    if classes is None:
        classes = measure_classes(measure, regions_tbl[measure].tolist(), lang)
    names = dict(zip(regions_tbl["region_code"], regions_tbl["region_name"]))
    tshare = float(regions_tbl.attrs.get("tshare", 0.0))
    view = fit_view(_bounds(regions_tbl, points))
    feats, markers = [], []
    for r in regions_tbl.to_dict("records"):
        props = {"k": r["region_code"], **region_tooltip_fields(r, tshare, lang)}
        fill = class_color(r.get(measure), classes)
        selected = selected_region is not None and r["region_code"] == selected_region
        if r["geometry"] is not None:
            props["f"] = _rgba(fill, 255 if selected else 215)  # a chosen county in full colour
            feats.append({"type": "Feature", "geometry": _round_geometry(r["geometry"]), "properties": props})
        elif r["label_lon"] is not None:
            props["f"] = _rgba(fill, 255)
            props["p"] = [round(r["label_lon"], 5), round(r["label_lat"], 5)]
            markers.append({"type": "Feature", "geometry": diamond(props["p"], view["zoom"]), "properties": props})
    layers = [
        pdk.Layer(
            "GeoJsonLayer", id=LAYER_IDS["counties"],
            data={"type": "FeatureCollection", "features": feats},
            filled=True, stroked=False, pickable=True, auto_highlight=True,
            get_fill_color="properties.f", highlight_color=[255, 255, 255, 70],
        ),
        _outline_layer(LAYER_IDS["outlines"], feats, [70, 78, 92, 255]),
        pdk.Layer(
            "ScatterplotLayer", id=LAYER_IDS["projects"], data=point_records(points, names, lang),
            get_position="p", get_radius="z", radius_units=_lit("pixels"), get_fill_color="f",
            stroked=True, get_line_color=list(POINT_OUTLINE), line_width_units=_lit("pixels"),
            get_line_width=1.2, pickable=True, auto_highlight=True, highlight_color=[255, 255, 255, 120],
        ),
        # regions without a boundary: a ◆ polygon above the points (no text to pick)
        pdk.Layer(
            "GeoJsonLayer", id=LAYER_IDS["markers"],
            data={"type": "FeatureCollection", "features": markers},
            filled=True, stroked=False, pickable=True, auto_highlight=True,
            get_fill_color="properties.f", highlight_color=[255, 255, 255, 90],
        ),
        _outline_layer(LAYER_IDS["marker_outlines"], markers, list(POINT_OUTLINE) + [255], width=1.5),
    ]
    return CompactDeck(
        layers=layers,
        # a fixed view: the county names are drawn over it by the page (label_marks), a finger
        # swiping over the map scrolls the page, and a tap picks (no pan or zoom to undo)
        views=[pdk.View(type="MapView", controller=False)],
        initial_view_state=pdk.ViewState(**view, pitch=0, bearing=0),
        map_provider=None,
        tooltip=tooltip_spec(lang),
    )


# Outlines are a LineLayer of boundary segments, never picked. deck.gl picks on the finger's touch-down,
# synchronously, and drops the tap when the pointer is up more than 250 ms after it is down (its tap
# recogniser's limit, which Streamlit does not let us change). With GeoJsonLayer's own outlines (a
# PathLayer) a pick cost ~125 ms in a software-rendered browser, ~110 ms of it the outlines, and
# 300 ms and more on a loaded machine: taps were lost. The PathLayer's shader also held the first
# frame 2.5–4.5 s (SwiftShader at load ~12); a LineLayer draws the same 1-px lines for a fraction.


def outline_segments(features: list[dict]) -> list[dict]:
    """Every boundary edge of ``features`` once (a border two counties share is drawn once):
    {"s": [lon, lat], "t": [lon, lat]}."""
    seen: set = set()
    out = []
    for f in features:
        for poly in geo.polygons(f["geometry"]):
            for ring in poly:
                for a, b in zip(ring, ring[1:]):
                    a, b = (round(a[0], 5), round(a[1], 5)), (round(b[0], 5), round(b[1], 5))
                    if a == b:
                        continue
                    key = (a, b) if a <= b else (b, a)
                    if key in seen:
                        continue
                    seen.add(key)
                    out.append({"s": list(a), "t": list(b)})
    return out


def _outline_layer(layer_id: str, features: list[dict], color: list[int], width: float = 1.0) -> pdk.Layer:
    return pdk.Layer(
        "LineLayer", id=layer_id, data=outline_segments(features), get_source_position="s",
        get_target_position="t", get_color=color, get_width=width, width_units=_lit("pixels"), pickable=False,
    )


# County names are HTML over the map, not a deck.gl TextLayer: the TextLayer's two shaders (text and
# its background box) held a software-rendered browser's first paint ~2 s (demo, 1180x820: painted at
# 5.1 s with them, 2.9 s without; bench/bench_map_paint.py). The view is fixed (no pan or zoom), so a
# name sits at a fixed offset from the map's centre, which Web Mercator gives here.
LABEL_BELOW_MARKER = 9  # px between a ◆ and its name


def to_pixels(lon: float, lat: float, view: dict) -> tuple[float, float]:
    """Pixels right of and below the map's centre where ``view`` (longitude, latitude, zoom; no pitch
    or bearing) draws (lon, lat): deck.gl's Web Mercator, a 512-px world at zoom 0."""
    scale = 512.0 * 2 ** float(view["zoom"])
    x = (lon - float(view["longitude"])) / 360.0 * scale
    y = -(_mercator_y(lat) - _mercator_y(float(view["latitude"]))) / (2 * math.pi) * scale
    return x, y


LABEL_PX = 14  # the names' font size


def label_box(text: str, x: float, y: float) -> tuple[float, float, float, float]:
    """The box a name centred at (x, y) takes, roughly: a Chinese character is LABEL_PX wide, a Latin
    letter or digit ~0.6 of it, plus the white box's padding."""
    width = sum(LABEL_PX if ord(ch) > 0x2E7F else 0.6 * LABEL_PX for ch in text) + 6
    height = LABEL_PX * 1.25 + 2
    return x - width / 2, y - height / 2, x + width / 2, y + height / 2


def label_marks(regions_tbl: pd.DataFrame, view: dict) -> list[dict]:
    """Each region's short name where the map shows it: {"k": code, "t": name, "p": [lon, lat],
    "x": px right of the centre, "y": px below it, "shown": bool}; a region without a boundary has its
    name below its ◆. Names that would overlap one already placed are not shown (placed in order of
    the regions' project counts, most first, then code): on a crowded map (a province's 100 counties)
    the names stay legible, and every region is still a tap away in the county list beside the map."""
    marks = []
    for r in regions_tbl.to_dict("records"):
        if r.get("label_lon") is None or pd.isna(r.get("label_lon")):
            continue
        lon, lat = round(float(r["label_lon"]), 5), round(float(r["label_lat"]), 5)
        x, y = to_pixels(lon, lat, view)
        if r.get("geometry") is None:
            y += MARKER_PX + LABEL_BELOW_MARKER
        n = r.get("n_projects")
        marks.append({"k": r["region_code"], "t": short_name(r["region_name"]), "p": [lon, lat],
                      "x": round(x, 1), "y": round(y, 1), "shown": False,
                      "_n": 0 if n is None or pd.isna(n) else int(n)})
    placed: list[tuple[float, float, float, float]] = []
    for m in sorted(marks, key=lambda m: (-m["_n"], str(m["k"]))):
        box = label_box(m["t"], m["x"], m["y"])
        if all(box[2] <= b[0] or b[2] <= box[0] or box[3] <= b[1] or b[3] <= box[1] for b in placed):
            placed.append(box)
            m["shown"] = True
    for m in marks:
        del m["_n"]
    return marks


LABELS_CSS = (
    "<style>"
    ".st-key-map_box{position:relative}"
    # the names' own element sits on the map (its top left corner), not below it
    '.st-key-map_box [data-testid="stElementContainer"]:has(.ck-map-labels){position:absolute;left:0;top:0;'
    "right:0;margin:0;z-index:1;pointer-events:none}"
    ".ck-map-labels{position:relative;overflow:hidden;pointer-events:none}"
    # no names floating on an empty box while the map's script loads: they appear with its canvas
    ".st-key-map_box:not(:has(canvas)) .ck-map-labels{visibility:hidden}"
    # the view is fixed: a finger swiping over the map scrolls the page (deck.gl asks for none)
    '.st-key-map_box [data-testid="stDeckGlJsonChart"] *{touch-action:manipulation!important}'
    ".ck-map-labels span{position:absolute;transform:translate(-50%,-50%);white-space:nowrap;"
    f"font:600 {LABEL_PX}px/1.25 {FONT_FAMILY};color:#1d2430;background:rgba(255,255,255,.88);"
    "padding:1px 3px;border-radius:2px}"
    "</style>"
)


def labels_html(marks: list[dict], height: int) -> str:
    """The county names over a map ``height`` px tall, each centred on its mark (names escaped: they
    come from the store)."""
    import html

    spans = "".join(
        f'<span style="left:calc(50% + {m["x"]:.1f}px);top:calc(50% + {m["y"]:.1f}px)">{html.escape(str(m["t"]))}</span>'
        for m in marks if m.get("shown", True))
    return f'{LABELS_CSS}<div class="ck-map-labels" style="height:{int(height)}px">{spans}</div>'


MARKER_PX = 11  # half the ◆'s width at the initial view, in pixels (a fingertip target of 22 px)


def diamond(center: list[float], zoom: float, half_px: float = MARKER_PX) -> dict:
    """A ◆ polygon around ``center`` [lon, lat], ``half_px`` pixels from centre to corner at ``zoom``
    (Web Mercator: a degree of latitude is 1/cos(lat) times taller than one of longitude)."""
    lon, lat = center
    dx = half_px * 360.0 / (512.0 * 2 ** zoom)
    dy = dx * math.cos(math.radians(lat))
    ring = [[lon, lat + dy], [lon + dx, lat], [lon, lat - dy], [lon - dx, lat], [lon, lat + dy]]
    return {"type": "Polygon", "coordinates": [[[round(x, 5), round(y, 5)] for x, y in ring]]}


def _round_geometry(g: dict, decimals: int = 5) -> dict:
    def rnd(obj):
        if isinstance(obj, (list, tuple)):
            if obj and isinstance(obj[0], (int, float)):
                return [round(float(v), decimals) for v in obj]
            return [rnd(o) for o in obj]
        return obj

    return {"type": g["type"], "coordinates": rnd(g["coordinates"])}


def deck_spec(deck: pdk.Deck) -> str:
    """The JSON text Streamlit sends to the browser for this deck."""
    return deck.to_json()


# --------------------------------------------------------------------------- legend


def legend_items(measure: str, classes: list[MeasureClass], lang: str = "zh") -> dict:
    """What the legend shows, as data (the page renders it as HTML; the static image as traces)."""
    return {
        "measure": measure_label(measure, lang),
        "classes": [(c.color, c.label) for c in classes] + [(NA_COLOR, t("map_no_data", lang))],
        "lights": [(LIGHT_COLORS[lt], light_word(lt, lang)) for lt in LIGHT_ORDER],
        "sizes": [(2 * point_radius(v), fmt_money(v, lang, digits=0)) for v in SIZE_STEPS],
    }


def legend_html(measure: str, classes: list[MeasureClass], lang: str = "zh") -> str:
    """HTML legend beside the map: measure classes with colours and ranges, light colours (with the
    word), point sizes, and the ◆ marker of regions without a boundary. Three blocks that stack in
    the narrow column beside the map and sit side by side when the legend wraps below it."""
    it = legend_items(measure, classes, lang)
    sw = ("display:inline-block;width:18px;height:14px;border:1px solid #465060;margin-right:6px;"
          "vertical-align:middle;background:{c}")
    head = '<div style="font-weight:600;margin:0 0 4px">{}</div>'
    block = '<div style="flex:1 1 170px;min-width:150px">{}</div>'
    classes_rows = [head.format(f'{t("legend", lang)} · {it["measure"]}')]
    for color, label in it["classes"]:
        classes_rows.append(f'<div style="margin:2px 0"><span style="{sw.format(c=color)}"></span>{label}</div>')
    light_rows = [head.format(t("map_legend_points", lang))]
    for color, label in it["lights"]:
        light_rows.append(
            '<div style="margin:2px 0"><span style="display:inline-block;width:13px;height:13px;border-radius:50%;'
            f'border:1.5px solid #1D2430;background:{color};margin-right:6px;vertical-align:middle"></span>{label}</div>')
    size_rows = [head.format(t("map_legend_size", lang))]
    for d, label in it["sizes"]:
        d = round(d)
        size_rows.append(
            f'<div style="margin:2px 0;display:flex;align-items:center"><span style="display:inline-block;width:{d}px;'
            f'height:{d}px;border-radius:50%;border:1.5px solid #1D2430;background:#FFFFFF;margin-right:6px;'
            f'flex:none"></span>{label}</div>')
    size_rows.append(f'<div style="margin:6px 0 2px"><span style="color:#6D4C9C;font-size:18px;margin-right:6px">◆</span>'
                     f'{t("map_legend_marker", lang)}</div>')
    blocks = "".join(block.format("".join(rows)) for rows in (classes_rows, light_rows, size_rows))
    return ('<div style="font-size:14px;line-height:1.35;display:flex;flex-wrap:wrap;gap:10px 16px">'
            + blocks + "</div>")


# --------------------------------------------------------------------------- static image


def _rings(g: dict):
    for poly in geo.polygons(g):
        if poly:
            yield poly[0]


def static_map_figure(regions_tbl: pd.DataFrame, points: pd.DataFrame, measure: str, title: str,
                      period: str, lang: str = "zh", demo: bool = False, width: int = 1600,
                      height: int = 900, framed: bool = True, note: str | None = None):
    """The same view as a plotly figure (plain lon/lat polygons: nothing fetched): title, 数据截至,
    the measure's classes, the light colours and the size scale drawn in. ``framed=False`` leaves
    the title and 数据截至 to the slide that holds the image (the legend stays)."""
    import plotly.graph_objects as go

    classes = measure_classes(measure, regions_tbl[measure].tolist(), lang)
    fig = go.Figure()
    legend_seen: set[str] = set()
    # legend rows for every class (also classes no county falls in)
    for c in classes + [MeasureClass(None, None, NA_COLOR, t("map_no_data", lang))]:
        fig.add_trace(go.Scatter(
            x=[None], y=[None], mode="markers", name=c.label, legendgroup="classes",
            marker=dict(symbol="square", size=14, color=c.color, line=dict(color="#465060", width=1)),
            legendgrouptitle_text=measure_label(measure, lang) if not legend_seen else None,
            showlegend=True,
        ))
        legend_seen.add(c.label)
    label_x, label_y, label_t, markers = [], [], [], []
    for r in regions_tbl.to_dict("records"):
        color = class_color(r.get(measure), classes)
        if r["geometry"] is not None:
            for ring in _rings(r["geometry"]):
                xs = [p[0] for p in ring]
                ys = [p[1] for p in ring]
                fig.add_trace(go.Scatter(
                    x=xs, y=ys, mode="lines", fill="toself", fillcolor=color,
                    line=dict(color="#465060", width=1), hoverinfo="skip", showlegend=False))
        elif r["label_lon"] is not None:
            markers.append((r["label_lon"], r["label_lat"], color))
        if r["label_lon"] is not None:
            label_x.append(r["label_lon"])
            label_y.append(r["label_lat"] if r["geometry"] is not None else r["label_lat"] - 0.05)
            label_t.append(short_name(r["region_name"]))
    # projects by light, red drawn last (on top); the legend rows carry the words at one size
    for i, lt in enumerate(LIGHT_ORDER):
        sub = points[points["light"] == lt] if len(points) else points
        fig.add_trace(go.Scatter(
            x=[None], y=[None], mode="markers", name=f"{light_word(lt, lang)} {len(sub)}", legendgroup="lights",
            legendgrouptitle_text=t("map_legend_points", lang) if i == 0 else None,
            marker=dict(color=LIGHT_COLORS[lt], size=12, opacity=1, line=dict(color="#1D2430", width=1))))
    for lt in reversed(LIGHT_ORDER):
        sub = points[points["light"] == lt] if len(points) else points
        if not len(sub):
            continue
        fig.add_trace(go.Scatter(
            x=sub["lon"], y=sub["lat"], mode="markers", showlegend=False, hoverinfo="skip",
            marker=dict(color=LIGHT_COLORS[lt], opacity=1, size=[2 * point_radius(v) for v in sub["annual_plan"]],
                        line=dict(color="#1D2430", width=1))))
    for lon, lat, color in markers:  # regions without a boundary: ◆ on top of the points
        fig.add_trace(go.Scatter(
            x=[lon], y=[lat], mode="markers", showlegend=False, hoverinfo="skip",
            marker=dict(symbol="diamond", size=24, color=color, opacity=1, line=dict(color="#1D2430", width=2.5))))
    for i, v in enumerate(SIZE_STEPS):
        fig.add_trace(go.Scatter(
            x=[None], y=[None], mode="markers", name=fmt_money(v, lang, digits=0), legendgroup="sizes",
            legendgrouptitle_text=t("map_legend_size", lang) if i == 0 else None,
            marker=dict(color="#FFFFFF", size=2 * point_radius(v), line=dict(color="#1D2430", width=1.2)),
        ))
    if any(g is None for g in regions_tbl["geometry"]) and any(x is not None for x in regions_tbl["label_lon"]):
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=t("map_legend_marker", lang),
                                 marker=dict(symbol="diamond", size=14, color="#B8A3D1",
                                             line=dict(color="#1D2430", width=1.5))))
    fig.add_trace(go.Scatter(
        x=label_x, y=label_y, mode="text", text=label_t, showlegend=False, hoverinfo="skip",
        textfont=dict(size=17, color="#1D2430", family=FONT_FAMILY,
                      shadow="0px 0px 2px #FFFFFF, 0px 0px 3px #FFFFFF")))
    as_of = periods.fmt_date(periods.last_day(period), lang)
    sub = f"{t('data_as_of', lang)}:{as_of} · {t('map_fill_by', lang)}:{measure_label(measure, lang)}"
    if note:
        sub += " · " + note
    if demo:
        sub += " · " + t("map_demo_mark", lang)
    mid_lat = float(np.nanmean([y for y in regions_tbl["label_lat"] if y is not None] or [25.0]))
    fig.update_layout(
        width=width, height=height, template=None, paper_bgcolor="#FFFFFF", plot_bgcolor="#FFFFFF",
        font=dict(family=FONT_FAMILY, size=16, color="#1D2430"),
        margin=dict(l=20, r=20, t=95 if framed else 20, b=20),
        legend=dict(x=0.7, xanchor="left", y=1.0, yanchor="top", bgcolor="rgba(255,255,255,0.9)",
                    groupclick="toggleitem", tracegroupgap=16, font=dict(size=18),
                    grouptitlefont=dict(size=19)),
        showlegend=True,
    )
    if framed:
        fig.update_layout(title=dict(
            text=f"<b>{title}</b><br><span style='font-size:16px;color:#465060'>{sub}</span>",
            x=0.02, xanchor="left", y=0.97, font=dict(size=26)))
    fig.update_xaxes(visible=False, domain=[0.0, 0.68])
    fig.update_yaxes(visible=False, scaleanchor="x", scaleratio=1 / max(math.cos(math.radians(mid_lat)), 0.2))
    return fig


_kaleido_lock = threading.Lock()
_kaleido_started = False


def start_renderer() -> None:
    """Start kaleido's render server once: system Chromium, MathJax off, plotly.js from the plotly
    package (kaleido's default when plotly is installed: a file:// URL, no CDN)."""
    global _kaleido_started
    with _kaleido_lock:
        if _kaleido_started:
            return
        import kaleido

        os.environ["BROWSER_PATH"] = chromium()
        kaleido.start_sync_server(mathjax=False, silence_warnings=True)
        _kaleido_started = True


def fig_to_png(fig, width: int | None = None, height: int | None = None, scale: float = 1.0) -> bytes:
    """A PNG of a plotly figure, rendered offline by kaleido on the local Chromium."""
    import kaleido

    start_renderer()
    d = fig.to_plotly_json() if hasattr(fig, "to_plotly_json") else fig
    lay = d.get("layout", {})
    return kaleido.calc_fig_sync(
        d, opts=dict(format="png", width=width or lay.get("width") or 1600,
                     height=height or lay.get("height") or 900, scale=scale))


def static_map_png(md: MapData, measure: str = DEFAULT_MEASURE, lang: str = "zh", demo: bool = False,
                   title: str | None = None, width: int = 1600, height: int = 900,
                   framed: bool = True, filters: dict | None = None, note: str | None = None) -> bytes:
    """The map image of the same view (measure, the list's filters on the points) from already
    loaded map data; the briefing uses every project."""
    tbl = region_table(md)
    pts = located(filter_projects(md.lights, filters))
    fig = static_map_figure(tbl, pts, measure, title or t("map_title", lang), md.period, lang, demo,
                            width=width, height=height, framed=framed, note=note)
    return fig_to_png(fig, width, height)


def map_payload(md: MapData, measure: str = DEFAULT_MEASURE, lang: str = "zh", filters: dict | None = None,
                selected_region: str | None = None) -> dict[str, Any]:
    """What the page needs in one call (cacheable): deck JSON text, tooltip, legend HTML, the county
    names over the map (marks and HTML), the region table (without geometry) and the ordered project
    codes of the point layer."""
    tbl = region_table(md)
    shown = filter_projects(md.lights, filters)
    pts = located(shown)
    classes = measure_classes(measure, tbl[measure].tolist(), lang)
    deck = build_deck(tbl, pts, measure, lang, selected_region=selected_region, classes=classes)
    view = deck.initial_view_state  # the deck's own view: the names sit where it draws
    marks = label_marks(tbl, {"longitude": view.longitude, "latitude": view.latitude, "zoom": view.zoom})
    return {
        "spec": deck_spec(deck),
        "labels": marks,
        "labels_html": labels_html(marks, MAP_HEIGHT),
        "tooltip": tooltip_spec(lang),
        "legend": legend_html(measure, classes, lang),
        "regions": tbl.drop(columns=["geometry"]),
        "codes": pts["project_code"].tolist(),
        "n_points": len(pts),
        "n_unlocated": int(len(shown) - len(pts)),
    }
