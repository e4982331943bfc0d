"""项目地图 — the offline investment-progress map.

Counties filled by a chosen measure, projects as points by light, legend beside the map. Clicking a
county opens its panel (league figures and its projects, red first); clicking a project opens its
project file. Everything is drawn by lib.geo.mapview (no basemap, nothing fetched from outside).
Filters share the traffic-light list's widget keys (pl_light, pl_level, pl_sector, pl_tags,
pl_nature), so a filter set here is the list's filter too.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from lib.access.scope import of as region_scope
from lib.geo import mapview
from lib.i18n import enum_label, t
from lib.rules import overview
from pages import _cache, _frame, _widgets

c = _frame.ctx()
lang = c.lang
_frame.header(t("page_map", lang), c)

# deck.gl picks what a finger touches synchronously when it goes down, and a tap whose finger is up
# more than 250 ms later is no tap (its tap recogniser times the two events as the page handles them,
# so a busy main thread between them, a slow pick or anything else, loses the tap). A map's first pick
# builds the picking buffer and pipelines (over a second in a software-rendered browser on a loaded
# machine), so the first tap on a fresh map was lost. This fixed script (no user text in it) does two
# things:
# - warm-up: once the deck's canvas is there, a mouse move over its empty top-left corner and a mouse
#   leave, repeated a few times while the layers arrive, and never after a touch or a click, so the
#   first pick happens before the user's first tap;
# - replay: it times every one-finger touch on the map as the page handles it (listeners that run
#   before deck.gl's); when the finger was up 250 ms or more after it went down (by then deck.gl has
#   dropped it), moved less than 9 px and no other finger touched, it touches the same spot once more,
#   down and up at once, which deck.gl picks (warm now) and reads as the tap the person made.
#   ``window.__ckNoReplay = true`` turns the replay off (the browser test shows a slow tap lost then).
WARM_PICK_JS = """
<script>
(function () {
  const doc = document, win = window;
  if (win.__ckWarmPick) return;
  win.__ckWarmPick = true;
  let touched = false;
  const MAP = '[data-testid="stDeckGlJsonChart"]';
  // replay: the touch as the page handled it (capture on the window: before deck.gl's listeners)
  let down = null, fingers = 0;
  win.__ckReplays = 0;
  doc.addEventListener("pointerdown", () => { touched = true; }, {capture: true});
  win.addEventListener("pointerdown", (e) => {
    if (!e.isTrusted || e.pointerType !== "touch") return;
    fingers += 1;
    if (fingers > 1) { if (down) down.alone = false; return; }
    const onMap = e.target && e.target.closest && e.target.closest(MAP);
    down = onMap ? {t: win.performance.now(), x: e.clientX, y: e.clientY, target: e.target, id: e.pointerId,
                    alone: true} : null;
  }, {capture: true});
  const lift = (e) => {
    if (!e.isTrusted || e.pointerType !== "touch") return;
    fingers = Math.max(0, fingers - 1);
    const d = down;
    if (!d || e.pointerId !== d.id || e.type !== "pointerup") { if (fingers === 0) down = null; return; }
    down = null;
    const late = win.performance.now() - d.t >= 250;
    const still = Math.hypot(e.clientX - d.x, e.clientY - d.y) < 9;
    if (!late || !still || !d.alone || win.__ckNoReplay || !d.target.isConnected) return;
    win.setTimeout(() => {
      const o = {bubbles: true, cancelable: true, composed: true, pointerId: d.id, pointerType: "touch",
                 isPrimary: true, clientX: d.x, clientY: d.y, button: 0, buttons: 1, width: 1, height: 1};
      d.target.dispatchEvent(new PointerEvent("pointerdown", o));
      d.target.dispatchEvent(new PointerEvent("pointerup", {...o, buttons: 0}));
      win.__ckReplays += 1;
    }, 0);
  };
  win.addEventListener("pointerup", lift, {capture: true});
  win.addEventListener("pointercancel", lift, {capture: true});
  // warm-up: the first one may come before the layers: it builds the picking buffer; the next ones
  // pick the layers as they arrive. Each one after the first costs a pick of ~15 ms.
  const delays = [0, 150, 400, 800, 1500, 3000, 6000, 12000];
  let seen = null;
  const warm = (canvas) => {
    if (touched || !canvas.isConnected) return;
    const r = canvas.getBoundingClientRect();
    const o = {bubbles: true, clientX: r.left + 2, clientY: r.top + 2, buttons: 0};
    canvas.dispatchEvent(new MouseEvent("mousemove", o));
    win.requestAnimationFrame(() => win.requestAnimationFrame(() => {
      canvas.dispatchEvent(new MouseEvent("mouseleave", o));
      canvas.dataset.ckWarm = String(Number(canvas.dataset.ckWarm || 0) + 1);
    }));
  };
  const look = () => {
    const canvas = doc.querySelector(MAP + ' canvas');
    if (canvas && canvas !== seen && canvas.width > 0) {
      seen = canvas;
      touched = false;  // a new map (another measure, or the page opened again): warm it too
      for (const d of delays) win.setTimeout(() => warm(canvas), d);
    }
    win.setTimeout(look, 100);
  };
  look();
})();
</script>
"""

FILTER_WIDGETS = {"light": "pl_light", "level": "pl_level", "sector": "pl_sector", "tags": "pl_tags",
                  "nature": "pl_nature"}


@st.cache_data(show_spinner=False, max_entries=32)
def _payload(period: str, as_of, measure: str, filters: tuple, lang: str, version: int, url: str) -> dict:
    def compute():
        lights = _cache.lights(period, as_of)
        league = _cache.league(period, as_of)
        regions = _cache.cached(mapview.load_regions)
        md = mapview.MapData(period=period, regions=regions, lights=lights, league=league)
        return mapview.map_payload(md, measure, lang, dict(filters))

    # the deck JSON of this period, measure, filter set and language: one build for every process
    return _cache.across_processes(f"map_payload.{mapview.PAYLOAD_VERSION}", (period, as_of, measure, filters, lang),
                                   version, compute)


def _png(period: str, as_of, measure: str, lang: str, filters: tuple) -> bytes:
    """The static image of this view (kaleido on the local Chromium), made when the button is pressed."""
    lights = _cache.lights(period, as_of)
    league = _cache.league(period, as_of)
    md = mapview.MapData(period=period, regions=_cache.cached(mapview.load_regions), lights=lights, league=league)
    demo = False
    try:
        from lib.demo import is_demo

        demo = _cache.cached(is_demo)
    except ImportError:
        pass
    kinds = {"light": "light", "level": "level", "nature": "nature"}
    parts = [", ".join(enum_label(kinds[f], v, lang) if f in kinds else str(v) for v in vals)
             for f, vals in filters if vals]
    note = (t("map_filters", lang) + ":" + ";".join(parts)) if parts else None
    return mapview.static_map_png(md, measure, lang, demo=demo, filters=dict(filters), note=note)


def _selection(event) -> tuple[str | None, str | None]:
    """(layer id, key) of the picked object: a region code or a project code."""
    if not event:
        return None, None
    sel = event.get("selection") or {}
    objects = sel.get("objects") or {}
    indices = sel.get("indices") or {}
    for layer in (mapview.LAYER_IDS["projects"], mapview.LAYER_IDS["counties"], mapview.LAYER_IDS["markers"]):
        objs = objects.get(layer) or []
        idx = indices.get(layer) or []
        if layer == mapview.LAYER_IDS["projects"] and idx:
            return layer, ("#", idx[0])  # index into the payload's ordered codes
        if objs:
            obj = objs[0]
            key = obj.get("k") or (obj.get("properties") or {}).get("k")
            if key:
                return layer, key
    return None, None


def _region_summary(payload: dict, code: str) -> bool:
    """The county panel beside the map (below it in portrait, right under the map): its figures and
    lights, where a tap on the map leaves the eye. False when the code is not a region of the map."""
    regions = payload["regions"]
    row = regions[regions["region_code"] == code]
    if not len(row):
        return False
    r = row.iloc[0]
    with st.container(border=True, key="map_region_panel"):
        st.markdown(f"#### {t('map_region_panel', lang).format(name=r['region_name'])}")
        facts = [
            (t("map_tt_score", lang), "—" if _widgets.nan(r.get("score")) else f"{float(r['score']):.1f}"),
            (t("map_rank", lang), "—" if _widgets.nan(r.get("rank")) else f"{int(r['rank'])}"),
            (t("map_tt_invest_rate", lang), _widgets.pct(r.get("invest_rate"))
             + ("" if _widgets.nan(r.get("gap")) else f"({_widgets.pp(r.get('gap'), lang)})")),
            (t("map_tt_completed", lang), _widgets.money(r.get("completed"), lang)),
        ]
        st.markdown("\n".join(f"- {k}:**{v}**" for k, v in facts))
        chips = " ".join(f"{_widgets.light_badge(k, lang)} <b>{int(r.get(k) or 0)}</b>" for k in mapview.LIGHT_ORDER)
        st.markdown(f'<div style="line-height:2.2">{t("map_project_count", lang)} {int(r.get("n_projects") or 0)} '
                    f'&nbsp; {chips}</div>', unsafe_allow_html=True)
        b1, b2 = st.columns(2)
        if b1.button(t("map_region_list", lang), key="map_region_list", width="stretch"):
            _frame.goto_list(region=code)
        if b2.button(t("map_region_close", lang), key="map_region_close", width="stretch"):
            st.session_state["map_region"] = None
            st.rerun()
    return True


def _region_projects(code: str) -> None:
    """The county's projects, red first, below the map; one opens its file."""
    lights = _cache.lights(c.period, c.as_of)
    mine = overview.sort_projects(lights[region_scope(code).mask(lights["region_code"])], "light")
    st.markdown(f"**{t('map_region_projects', lang)}**")
    table = pd.DataFrame({
        t("col_name", lang): mine["project_name"],
        t("col_light", lang): [enum_label("light", v, lang) for v in mine["light"]],
        t("map_tt_actual", lang): [_widgets.pct(None if _widgets.nan(v) else v / 100) for v in mine["actual_pct"]],
        t("map_tt_expected", lang): [_widgets.pct(None if _widgets.nan(v) else v / 100) for v in mine["expected_pct"]],
        t("col_reasons", lang): mine["reasons"].fillna(""),
    })
    st.dataframe(table, hide_index=True, width="stretch", height=min(38 + 35 * len(table), 360))
    _widgets.excel_download(table, t("map_region_projects", lang), key=f"map_xlsx_{code}")
    if len(mine):
        names = dict(zip(mine["project_code"], mine["project_name"]))
        pick_col, btn_col = st.columns([3, 1])
        pick = pick_col.selectbox(t("map_open_file", lang), list(names), key=f"map_pick_{code}",
                                  format_func=lambda k: names.get(k, k), label_visibility="collapsed")
        if btn_col.button(t("map_open_file", lang), key=f"map_open_{code}", width="stretch"):
            _frame.open_project(pick)


if _frame.need_period(c):
    opts = _cache.filter_options(c.period, c.as_of)

    # the county the user tapped stays open (a second tap on it, which the chart reads as "deselect",
    # does not close it); the sidebar's county opens it when nothing was tapped
    if st.session_state.get("_map_region_for") != c.region_code:
        st.session_state["_map_region_for"] = c.region_code
        st.session_state["map_region"] = c.region_code

    payload_regions = _cache.cached(mapview.load_regions)
    st.html(WARM_PICK_JS, unsafe_allow_javascript=True)  # before the map: it waits for the map's canvas
    map_col, side_col = st.columns([3, 1])
    with side_col:  # the county panel, controls and legend beside the map (below it when narrow)
        panel = st.container()
        measure = st.radio(
            t("map_measure_pick", lang), list(mapview.MEASURES), key="map_measure",
            format_func=lambda k: mapview.measure_label(k, lang))
        legend = st.container()  # the legend under the measure it explains, in the first screen
        # a tappable county list: on a tablet a finger reaches every county here, whatever the map does
        rnames = dict(zip(payload_regions["region_code"], payload_regions["region_name"]))
        tapped = st.pills(t("map_region_pick", lang), list(rnames), key="map_region_pills",
                          format_func=lambda k: mapview.short_name(rnames.get(k, k)))
        if tapped != st.session_state.get("_map_last_pill"):
            st.session_state["_map_last_pill"] = tapped
            if tapped:
                st.session_state["map_region"] = tapped
        with st.expander(t("map_filters", lang), expanded=False):
            for f, key in FILTER_WIDGETS.items():
                if f != "light":
                    st.session_state[key] = [v for v in st.session_state.get(key) or [] if v in opts[f]]
            st.multiselect(t("f_light", lang), list(mapview.LIGHT_ORDER), key="pl_light", persist_state="session",
                           format_func=lambda k: enum_label("light", k, lang))
            st.multiselect(t("f_level", lang), opts["level"], key="pl_level", persist_state="session",
                           format_func=lambda k: enum_label("level", k, lang))
            st.multiselect(t("f_sector", lang), opts["sector"], key="pl_sector", persist_state="session")
            st.multiselect(t("f_tags", lang), opts["tags"], key="pl_tags", persist_state="session")
            st.multiselect(t("f_nature", lang), opts["nature"], key="pl_nature", persist_state="session",
                           format_func=lambda k: enum_label("nature", k, lang))
    filters = tuple((f, tuple(st.session_state.get(k) or ())) for f, k in FILTER_WIDGETS.items())
    payload = _payload(c.period, c.as_of, measure, filters, lang, _frame.data_version(), _frame.store_url())

    with map_col, st.container(key="map_box"):
        # the same spec on every rerun (a tap changes no layer): the browser keeps its deck
        event = st.pydeck_chart(
            mapview.CompactDeck.from_spec(payload["spec"], payload["tooltip"]),
            on_select="rerun", selection_mode="single-object", key="map_deck", height=mapview.MAP_HEIGHT,
            alt=t("map_title", lang),
        )
        st.html(payload["labels_html"])  # the county names, over the map (names escaped in lib)
    with legend:
        st.markdown(payload["legend"], unsafe_allow_html=True)
        st.caption(t("map_counties_note", lang))
    st.caption(" · ".join([
        t("map_points_shown", lang).format(n=payload["n_points"], m=payload["n_unlocated"]),
        t("map_click_hint", lang)]))

    # a new pick counts once: a county opens its panel, a point its project file
    layer, key = _selection(event)
    picked = (layer, key if layer != mapview.LAYER_IDS["projects"] else key[1]) if layer else None
    if picked != st.session_state.get("_map_last_pick"):
        st.session_state["_map_last_pick"] = picked
        if layer == mapview.LAYER_IDS["projects"]:
            i = key[1]
            if 0 <= i < len(payload["codes"]):
                st.session_state["_map_last_pick"] = None  # back on the map, the same point opens again
                _frame.open_project(payload["codes"][i])
        elif layer in (mapview.LAYER_IDS["counties"], mapview.LAYER_IDS["markers"]):
            st.session_state["map_region"] = key
    region_code = st.session_state.get("map_region")
    if region_code:
        with panel:
            shown = _region_summary(payload, region_code)
        if shown:
            _region_projects(region_code)

    st.download_button(
        t("map_static_download", lang),
        data=lambda: _png(c.period, c.as_of, measure, lang, filters),
        file_name=f"map_{c.period}_{measure}.png", mime="image/png", key="map_png",
    )
