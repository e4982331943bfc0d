"""County league table (排名/通报): DESIGN.md "County league table".

``compute_league(session, period, as_of=None, settings=None, group_by="region")`` → one row per
region (every region of the regions table), ranked. ``group_by="leader"`` / ``"unit"`` ranks the
包联领导 / 责任单位 of the annual projects on the same project-based metrics (growth is n/a there).

Metrics over the group's annual projects of year Y at P = (Y, m), t = m/12 (exact):
invest_rate = Σ ytd ÷ Σ annual_plan (score 100×min(rate/t, 1)); start_rate = started ÷ new projects due
to start (planned start month ≤ P) (100×rate); growth = FAI growth at P vs the target of Y (target > 0:
100×clamp(actual/target, 0, 1); else 100 if actual ≥ target, else 0); stats_rate = started projects in
stats ÷ started projects (100×rate); funds_rate = Σ paid ÷ Σ allocated over the projects with an
allocation > 0 (100×min(rate/t, 1)); closure_rate = problems raised in Y (1 January – 31 December) and
on or before as-of, closed by as-of ÷ raised (100×rate); red_share = red ÷ lit projects
(100×(1 − share)). A metric with no denominator or no data is n/a (NaN) and its weight drops out;
t and the metric scores stay exact, score = Σ w·s ÷ Σ w rounded to 2 decimals (half-even). The project figures are those of
``lib.rules.lights`` (same "latest report ≤ P in Y", "started by P", in_stats), so the table and the lights
always agree.

Ranking: score descending, ties by higher invest_rate, then the code. A group whose every metric is
n/a (e.g. a region with no annual project) is listed at the bottom with a blank score, rank,
rank_change and a gray light. rank_change = rank at P−1 − rank at P (positive = moved up), blank when
the store holds no report for P−1 (or the group had no rank then).

Region light (天津): with growth and target: growth < 0 red; growth ≥ target and ≥ the mean growth of
the regions that have stats at P green; otherwise yellow. Without stats or target: the progress
thresholds on gap = (invest_rate − t)×100 (2 decimals). Leader/unit groups use the gap rule.
"""
from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from lib import periods
from lib.changes import number as _f  # a float, or None for a missing value
from lib.i18n import enum_label, t
from lib.rules import frames as fr_mod
from lib.rules import settings as settings_mod
from lib.rules import shared
from lib.rules.lights import (
    compute_lights,
    lights_pair_with_frames,
    resolve_as_of,
    resolve_settings,
)

# metrics the office may switch on (default weight 0: today's rankings do not move unless it does);
# they are computed only while their weight is above 0, for the region table (DESIGN.md pipeline)
OPTIONAL_METRICS = ("reserve_ratio", "conversion_rate", "ready_rate", "flag_rate")
ALL_METRICS = tuple(w.key for w in settings_mod.WEIGHTS)  # the settings schema's weights, in order
METRICS = tuple(m for m in ALL_METRICS if m not in OPTIONAL_METRICS)
GROUPS = {"region": "region_code", "leader": "leader", "unit": "unit"}
UNFILLED = (t("lg_unfilled", "zh"), t("lg_unfilled", "en"))

COLUMNS = [
    "region_code", "region_name", *METRICS[:3], "growth_target", *METRICS[3:], "score", "rank",
    "rank_change", "light", *[f"score_{m}" for m in METRICS], "light_reason", "light_reason_en",
    "group_key", "group_name", "n_projects", "n_lit", "n_red", "inputs",
    *OPTIONAL_METRICS, *[f"score_{m}" for m in OPTIONAL_METRICS],
]


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, np.round(num / np.where(den > 0, den, 1.0), 4), np.nan)


def _scores(rates: dict[str, np.ndarray], growth: np.ndarray, target: np.ndarray,
            t_rate: float) -> dict[str, np.ndarray]:
    with np.errstate(invalid="ignore", divide="ignore"):
        s = {
            "invest_rate": 100 * np.minimum(rates["invest_rate"] / t_rate, 1.0),
            "start_rate": 100 * rates["start_rate"],
            "stats_rate": 100 * rates["stats_rate"],
            "funds_rate": 100 * np.minimum(rates["funds_rate"] / t_rate, 1.0),
            "closure_rate": 100 * rates["closure_rate"],
            "red_share": 100 * (1 - rates["red_share"]),
        }
        ok = ~np.isnan(growth) & ~np.isnan(target)
        pos = target > 0
        g = np.where(pos, 100 * np.clip(growth / np.where(pos, target, 1.0), 0.0, 1.0),
                     np.where(growth >= target, 100.0, 0.0))
        s["growth"] = np.where(ok, g, np.nan)
    return {k: v.astype(float) for k, v in s.items()}  # exact: only the final score is rounded


RELATIVE_WEIGHT_FLOOR = 1e-9


def weighted_score(scores: dict[str, np.ndarray], weights: dict[str, float]) -> np.ndarray:
    """Σ w·s ÷ Σ w over the metrics that are not n/a, rounded to 2 decimals (NaN when none)."""
    n = len(next(iter(scores.values()))) if scores else 0
    num = np.zeros(n)
    den = np.zeros(n)
    # weights are relative: scaled by the largest, and one under RELATIVE_WEIGHT_FLOOR of it counts
    # as 0 (a vanishingly small weight would otherwise underflow and skew the quotient)
    wmax = max((float(weights.get(m, 0) or 0) for m in ALL_METRICS), default=0.0)
    for m in ALL_METRICS:
        w = float(weights.get(m, 0) or 0) / wmax if wmax > 0 else 0.0
        if w < RELATIVE_WEIGHT_FLOOR or m not in scores:
            continue
        s = np.asarray(scores[m], dtype=float)
        ok = ~np.isnan(s)
        num += np.where(ok, w * np.where(ok, s, 0.0), 0.0)
        den += np.where(ok, w, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, np.round(num / np.where(den > 0, den, 1.0), 2), np.nan)


def rank_order(score: pd.Series, invest_rate: pd.Series, key: pd.Series) -> pd.Series:
    """Ranks 1..k by score (desc), then invest_rate (desc), then key (asc); blank (NA) for a blank
    score. Returns a nullable Int64 Series aligned to the input."""
    df = pd.DataFrame({"s": score.astype(float), "r": invest_rate.astype(float),
                       "k": key.astype(object)})
    df["s_missing"] = df["s"].isna()
    df["r_fill"] = df["r"].fillna(-np.inf)
    order = df.sort_values(["s_missing", "s", "r_fill", "k"],
                           ascending=[True, False, False, True], kind="stable").index
    rank = pd.Series(pd.NA, index=df.index, dtype="Int64")
    ranked = [i for i in order if not df.at[i, "s_missing"]]
    rank.loc[ranked] = np.arange(1, len(ranked) + 1)
    return rank


def _group_values(lights: pd.DataFrame, col: str, lang_idx: int = 0) -> pd.Series:
    v = lights[col].astype(object)
    return v.where(v.notna() & (v.astype(str).str.strip() != ""), UNFILLED[lang_idx])


def switched_on(st: dict) -> tuple[str, ...]:
    """The optional metrics whose weight is above 0."""
    return tuple(m for m in OPTIONAL_METRICS if float(st["weights"].get(m, 0) or 0) > 0)


def _optional(session: Session, period: str, as_of: dt.date, st: dict) -> pd.DataFrame | None:
    """Per region, the switched-on pipeline metrics (value, numerator, denominator), or None."""
    on = switched_on(st)
    if not on:
        return None
    out = pd.DataFrame()
    if "flag_rate" in on:  # data-quality flags (lib.intake.quality) per report of the year up to P
        out = _flag_rate(session, period)
    if not set(on) - {"flag_rate"}:
        return out
    from lib.rules import pipeline

    tb = pipeline.compute_pipeline(session, period, as_of).set_index("region_code")
    return out.join(pd.DataFrame({
        "reserve_ratio": tb["reserve_ratio"], "reserve_ratio_num": tb["reserve_investment"],
        "reserve_ratio_den": tb["annual_plan"],
        "conversion_rate": tb["conversion_rate"], "conversion_rate_num": tb["converted"],
        "conversion_rate_den": tb["reserve_prev"],
        "ready_rate": tb["ready_rate"], "ready_rate_num": tb["ready"], "ready_rate_den": tb["planned_new"],
    }), how="outer")


def _flag_rate(session: Session, period: str) -> pd.DataFrame:
    """Per region: data-quality flags on its reports of the year up to P ÷ those reports."""
    from sqlalchemy import func, select

    from lib.intake import quality
    from lib.store.models import MonthlyReport, Project

    year, _ = periods.split(period)
    flags = pd.Series(quality.flag_counts(session, year, through=period), dtype=float)
    rows = session.execute(
        select(Project.region_code, func.count()).select_from(MonthlyReport)
        .join(Project, Project.code == MonthlyReport.project_code)
        .where(MonthlyReport.period >= f"{year:04d}-01", MonthlyReport.period <= period)
        .group_by(Project.region_code)).all()
    reports = pd.Series({r: float(n) for r, n in rows}, dtype=float)
    num = flags.reindex(reports.index).fillna(0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(reports > 0, num / reports.where(reports > 0, 1.0), np.nan)
    return pd.DataFrame({"flag_rate": rate, "flag_rate_num": num, "flag_rate_den": reports}, index=reports.index)


def _optional_scores(opt: pd.DataFrame, idx: pd.Index, st: dict) -> tuple[dict, dict]:
    """(values, scores) of the switched-on metrics aligned on ``idx``; reserve_ratio scores
    100 × min(ratio ÷ goal, 1) (goal: setting reserve_ratio_goal), the rates 100 × rate."""
    values, scores = {}, {}
    for m in switched_on(st):
        v = opt[m].reindex(idx).astype(float).to_numpy() if opt is not None else np.full(len(idx), np.nan)
        values[m] = v
        with np.errstate(invalid="ignore"):
            if m == "reserve_ratio":
                scores[m] = 100 * np.minimum(v / float(st.get("reserve_ratio_goal", 5.0)), 1.0)
            elif m == "flag_rate":  # fewer flags per report is better
                scores[m] = 100 * (1 - np.minimum(v, 1.0))
            else:
                scores[m] = 100 * v
    return values, scores


def _table(lights: pd.DataFrame, problems: pd.DataFrame, period: str, as_of: dt.date, st: dict,
           group_by: str, regions: pd.DataFrame | None, targets: pd.DataFrame | None,
           stats: pd.DataFrame | None, optional: pd.DataFrame | None = None) -> pd.DataFrame:
    year, m = periods.split(period)
    t_rate = m / 12.0  # exact (DESIGN.md: t and the metric scores are not rounded)
    col = GROUPS[group_by]
    # only the columns the table reads (the lights frame has 42, with reason texts and inputs)
    need = ["project_code", col, "nature", "light", "annual_plan", "ytd_completed", "start_due",
            "started", "in_stats", "funds_allocated", "funds_paid"]
    a = lights.loc[(lights["library"] == "annual").to_numpy(), list(dict.fromkeys(need))]
    a = a.assign(_key=_group_values(a, col)) if len(a) else a.assign(_key=pd.Series(dtype=object))

    # problems of the group's annual projects raised in Y up to as-of
    ts = pd.Timestamp(as_of)
    pb = problems
    if len(pb):
        # raised between 1 January and 31 December of Y, and on or before as-of
        pb = pb[(pb["raised_on"] >= pd.Timestamp(year, 1, 1))
                & (pb["raised_on"] <= min(ts, pd.Timestamp(year, 12, 31)))]
        closed = ~shared.open_mask(pb["status"], pb["closed_on"], ts)
        codes = pd.Index(a["project_code"].to_numpy(dtype=object), dtype=object)
        if codes.is_unique:  # one lights row per project: look the group up instead of a merge
            pos = codes.get_indexer(pd.Index(pb["project_code"].to_numpy(dtype=object), dtype=object))
            keep = pos >= 0
            pb = pd.DataFrame({"_key": pd.Series(a["_key"].to_numpy(dtype=object)[pos[keep]], dtype=object),
                               "_closed": closed[keep]})
        else:
            pb = pb.assign(_closed=closed).merge(a[["project_code", "_key"]], on="project_code",
                                                 how="inner")
    else:
        pb = pd.DataFrame({"_key": pd.Series(dtype=object), "_closed": pd.Series(dtype=bool)})

    if group_by == "region":
        keys = list(regions["region_code"]) if regions is not None and len(regions) else []
        keys += sorted(set(a["_key"]) - set(keys))
        names = dict(zip(regions["region_code"], regions["region_name"])) \
            if regions is not None and len(regions) else {}
    else:
        keys = sorted(set(a["_key"]))
        names = {}
    idx = pd.Index(keys, dtype=object)

    is_new = (a["nature"] == "new").to_numpy()
    lit = (a["light"] != "gray").to_numpy()
    alloc = a["funds_allocated"].astype(float).fillna(0.0).to_numpy()
    parts = pd.DataFrame({
        "_key": a["_key"].to_numpy(dtype=object),
        "plan": a["annual_plan"].astype(float).fillna(0.0).to_numpy(),
        "ytd": a["ytd_completed"].astype(float).fillna(0.0).to_numpy(),
        "due": a["start_due"].to_numpy(dtype=bool) & is_new,
        "started_due": a["start_due"].to_numpy(dtype=bool) & is_new & a["started"].to_numpy(dtype=bool),
        "started": a["started"].to_numpy(dtype=bool),
        "in_stats": a["started"].to_numpy(dtype=bool) & a["in_stats"].to_numpy(dtype=bool),
        "alloc": alloc,
        # funds_rate: Σ paid ÷ Σ allocated over the projects with an allocation > 0 only
        "paid": np.where(alloc > 0, a["funds_paid"].astype(float).fillna(0.0).to_numpy(), 0.0),
        "lit": lit,
        "red": (a["light"] == "red").to_numpy(),
        "n": np.ones(len(a), dtype=int),
    })
    sums = parts.groupby("_key").sum().reindex(idx).fillna(0)
    psum = pb.groupby("_key")["_closed"].agg(["size", "sum"]).reindex(idx).fillna(0) if len(pb) \
        else pd.DataFrame({"size": 0, "sum": 0}, index=idx)
    # a plan sum of 0 means no denominator (n/a)
    rates = {
        "invest_rate": _ratio(sums["ytd"], sums["plan"]),
        "start_rate": _ratio(sums["started_due"], sums["due"]),
        "stats_rate": _ratio(sums["in_stats"], sums["started"]),
        "funds_rate": _ratio(sums["paid"], sums["alloc"]),
        "closure_rate": _ratio(psum["sum"], psum["size"]),
        "red_share": _ratio(sums["red"], sums["lit"]),
    }
    if group_by == "region":
        tg = targets.set_index("region_code")["growth_target"] if targets is not None and len(targets) \
            else pd.Series(dtype=float)
        sg = stats.set_index("region_code")["growth"] if stats is not None and len(stats) \
            else pd.Series(dtype=float)
        growth = sg.reindex(idx).astype(float).to_numpy()
        target = tg.reindex(idx).astype(float).to_numpy()
        with_stats = sg[sg.index.isin(idx)].dropna()
        mean_growth = round(float(with_stats.mean()), 4) if len(with_stats) else float("nan")
    else:
        growth = np.full(len(idx), np.nan)
        target = np.full(len(idx), np.nan)
        mean_growth = float("nan")
    scores = _scores(rates, growth, target, t_rate)
    opt_values, opt_scores = _optional_scores(optional, idx, st) if group_by == "region" else ({}, {})
    score = weighted_score({**scores, **opt_scores}, st["weights"])

    out = pd.DataFrame({
        "group_key": pd.Series(list(idx), dtype=object),
        "group_name": pd.Series([names.get(k, k) for k in idx], dtype=object),
        **{k: v for k, v in rates.items()},
        "growth": growth,
        "growth_target": target,
        "score": score,
        **{f"score_{k}": scores[k] for k in METRICS},
        "n_projects": sums["n"].to_numpy().astype(int),
        "n_lit": sums["lit"].to_numpy().astype(int),
        "n_red": sums["red"].to_numpy().astype(int),
    })
    for m in OPTIONAL_METRICS:  # blank unless switched on
        out[m] = opt_values.get(m, np.full(len(idx), np.nan))
        out[f"score_{m}"] = opt_scores.get(m, np.full(len(idx), np.nan))
    out["rank"] = rank_order(out["score"], out["invest_rate"], out["group_key"])

    # light
    lights_, reasons_zh, reasons_en = [], [], []
    yg, rg = st["progress_yellow_gap"], st["progress_red_gap"]
    rows = out[["growth", "growth_target", "invest_rate"]].to_dict("records")
    for row in rows:
        lt, rz, re_ = _group_light(row, t_rate, mean_growth, yg, rg, group_by)
        lights_.append(lt)
        reasons_zh.append(rz)
        reasons_en.append(re_)
    out["light"] = pd.Series(lights_, dtype=object)
    out["light_reason"] = pd.Series(reasons_zh, dtype=object)
    out["light_reason_en"] = pd.Series(reasons_en, dtype=object)

    weights = {k: float(st["weights"].get(k, 0) or 0) for k in ALL_METRICS}
    opt_in = {m: optional.reindex(idx) for m in opt_values} if optional is not None else {}
    sm = {c: sums[c].to_numpy() for c in sums.columns}  # plain arrays: no pandas lookup per cell
    ps = {c: psum[c].to_numpy() for c in ("size", "sum")}
    out["inputs"] = [
        {
            "period": period, "as_of": as_of.isoformat(), "t": t_rate, "weights": weights,
            "invest_rate": {"num": _f(sm["ytd"][i]), "den": _f(sm["plan"][i])},
            "start_rate": {"num": int(sm["started_due"][i]), "den": int(sm["due"][i])},
            "growth": {"actual": _f(growth[i]), "target": _f(target[i]), "mean": _f(mean_growth)},
            "stats_rate": {"num": int(sm["in_stats"][i]), "den": int(sm["started"][i])},
            "funds_rate": {"num": _f(sm["paid"][i]), "den": _f(sm["alloc"][i])},
            "closure_rate": {"num": int(ps["sum"][i]), "den": int(ps["size"][i])},
            "red_share": {"num": int(sm["red"][i]), "den": int(sm["lit"][i])},
            **{m: {"num": _f(opt_in[m][f"{m}_num"].iloc[i]), "den": _f(opt_in[m][f"{m}_den"].iloc[i])}
               for m in opt_in},
        }
        for i in range(len(out))
    ]
    if group_by == "region":
        out["region_code"] = out["group_key"]
        out["region_name"] = out["group_name"]
    else:
        out["region_code"] = pd.Series([None] * len(out), dtype=object)
        out["region_name"] = pd.Series([None] * len(out), dtype=object)
    out["rank_change"] = pd.Series(pd.NA, index=out.index, dtype="Int64")
    return out


def _pct(x: float) -> str:
    return f"{round(float(x), 4):.1f}"


def _group_light(row: pd.Series | dict, t_rate: float, mean_growth: float, yg: float, rg: float,
                 group_by: str) -> tuple[str, str, str]:
    g, tg = row["growth"], row["growth_target"]
    if group_by == "region" and not (math.isnan(g) or math.isnan(tg)):
        kw = dict(growth=_pct(g), target=_pct(tg), mean=_pct(mean_growth) if mean_growth == mean_growth else "—")
        if g < 0:
            key, light = "rs_lg_growth_neg", "red"
        elif g >= tg and (math.isnan(mean_growth) or g >= mean_growth):
            key, light = "rs_lg_growth_green", "green"
        elif g < tg:
            key, light = "rs_lg_growth_below_target", "yellow"
        else:
            key, light = "rs_lg_growth_below_mean", "yellow"
        return light, t(key, "zh").format(**kw), t(key, "en").format(**kw)
    rate = row["invest_rate"]
    if math.isnan(rate):
        return "gray", t("rs_lg_no_data", "zh"), t("rs_lg_no_data", "en")
    gap = round((rate - t_rate) * 100, 2)
    light = "green" if gap >= yg else ("yellow" if gap >= rg else "red")
    kw = dict(rate=_pct(rate * 100), t=_pct(t_rate * 100), gap=f"{gap:+.1f}")
    if group_by != "region":
        return light, t("rs_lg_gap_group", "zh").format(**kw), t("rs_lg_gap_group", "en").format(**kw)
    missing = "rs_lg_missing_stats" if math.isnan(g) else "rs_lg_missing_target"
    return (light, t("rs_lg_gap", "zh").format(missing=t(missing, "zh"), **kw),
            t("rs_lg_gap", "en").format(missing=t(missing, "en"), **kw))


def _context(session: Session, period: str, as_of: dt.date, group_by: str,
             problems: pd.DataFrame | None = None) -> dict:
    """The non-lights inputs of one table: problems (read unless given; filtered by date in
    ``_table``), and for regions the regions, targets and stats."""
    year, _ = periods.split(period)
    ctx = {"problems": problems if problems is not None else
           fr_mod.rule_problems(session, raised_upto=as_of),
           "regions": None, "targets": None, "stats": None}
    if group_by == "region":
        ctx.update(regions=fr_mod.regions(session), targets=fr_mod.region_targets(session, year),
                   stats=fr_mod.region_stats(session, period))
    return ctx


def compute_league(session: Session, period: str, as_of: Any = None, settings: dict | None = None,
                   group_by: str = "region", lights: pd.DataFrame | None = None,
                   lights_prev: pd.DataFrame | None = None,
                   problems: pd.DataFrame | None = None) -> pd.DataFrame:
    """The league table at ``period`` (columns: see COLUMNS; rates are fractions, growth percent).
    Pass ``lights`` (compute_lights at P with the same as-of) and ``lights_prev`` (at P−1, as-of its
    last day) to reuse them; otherwise both come from one load. ``problems`` may pass the problems
    already read with those lights (``lights_pair_with_frames(...)[2].problems``: every problem raised
    up to at least the later of the as-of and the end of P−1; the table filters by date)."""
    if group_by not in GROUPS:
        raise ValueError(f"group_by must be one of {sorted(GROUPS)}")
    period = periods.parse_period(period)
    st = resolve_settings(session, settings)
    as_of_d = resolve_as_of(period, as_of)
    prev = periods.previous(period)
    prev_has_data = fr_mod.has_reports(session, prev)
    prev_as_of = periods.last_day(prev)
    if lights is None:
        # the table reads no reason texts: the lights are computed without them
        if prev_has_data and lights_prev is None:
            lights, lights_prev, fr = lights_pair_with_frames(session, period, as_of_d, settings,
                                                              with_reasons=False)
            problems = fr.problems  # raised up to max(as-of, end of P); _table filters by date
        else:
            lights = compute_lights(session, period, as_of_d, settings, with_reasons=False)
    if problems is None:  # one read for P and P−1 (raised up to the later as-of; _table filters)
        problems = fr_mod.rule_problems(
            session, raised_upto=max(as_of_d, prev_as_of) if prev_has_data else as_of_d)
    regional = group_by == "region"
    out = _table(lights, period=period, as_of=as_of_d, st=st, group_by=group_by,
                 optional=_optional(session, period, as_of_d, st) if regional else None,
                 **_context(session, period, as_of_d, group_by, problems))
    if prev_has_data:
        if lights_prev is None:
            lights_prev = compute_lights(session, prev, None, settings, with_reasons=False)
        before = _table(lights_prev, period=prev, as_of=prev_as_of, st=st, group_by=group_by,
                        optional=_optional(session, prev, prev_as_of, st) if regional else None,
                        **_context(session, prev, prev_as_of, group_by, problems))
        prev_rank = before.set_index("group_key")["rank"]
        pr = prev_rank.reindex(out["group_key"]).to_numpy()
        out["rank_change"] = (pd.array(pr, dtype="Int64") - out["rank"].array)
    out = out.sort_values(["rank", "group_key"], na_position="last", kind="stable")
    return out.reset_index(drop=True)[COLUMNS]


def explain_score(row: pd.Series | dict, lang: str = "zh") -> list[dict]:
    """The rule and the inputs behind every metric of one league row: a list of
    {metric, label, value, score, weight, numerator, denominator, rule} (value/score None when n/a).
    ``rule`` is a plain sentence the UI can show under the score."""
    r = dict(row)
    inputs = r.get("inputs") or {}
    weights = inputs.get("weights", {})
    t_rate = inputs.get("t")
    out = []
    for m in ALL_METRICS:
        if m in OPTIONAL_METRICS and not (weights.get(m) or 0) > 0:
            continue  # switched off: not part of the score
        value = _f(r.get(m))
        score = _f(r.get(f"score_{m}"))
        inp = inputs.get(m, {})
        num = inp.get("num", inp.get("actual"))
        den = inp.get("den", inp.get("target"))
        rule = t(f"lg_rule_{m}", lang)
        out.append({
            "metric": m, "label": enum_label("metric", m, lang), "value": value, "score": score,
            "weight": weights.get(m), "numerator": num, "denominator": den, "t": t_rate,
            "rule": rule, "counted": score is not None and (weights.get(m) or 0) > 0,
        })
    return out


__all__ = ["compute_league", "explain_score", "weighted_score", "rank_order", "METRICS", "OPTIONAL_METRICS",
           "ALL_METRICS", "COLUMNS", "switched_on"]
