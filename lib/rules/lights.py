"""Project traffic lights (红黄绿灯): DESIGN.md "Traffic lights", vectorised with pandas.

``compute_lights(session, period, as_of=None, settings=None)`` returns one row per project that has a
project year for the period's year (annual → lit, reserve → all gray), sorted by project_code.
Every threshold comes from ``lib.rules.settings`` (a ``settings`` dict overrides single keys).

How the rules read (Y, m = the period's year and month; months are counted Y×12+m):
- start month: the earliest start evidence — the project's 实际开工 and every report ≤ P saying
  是否开工=是 (its 实际开工日期 if given, else its period); "started by P" when that month ≤ P.
- "latest report ≤ P in Y": the report of the highest period Y-01..P; blank figures count as 0, no
  report → every figure 0.
- progress: needs annual_plan > 0 and a report for exactly P. Expected e: lib.rules.shared (the
  monthly plan with blank months interpolated, else linear from s0). e = 0 → gray. Rates are
  fractions rounded to 4 decimals, gaps points rounded to 2, then compared.
- problems: raised on or before the as-of date; open unless 已销号 with 办结日期 ≤ as-of
  (lib.rules.shared; the store requires 办结日期 for 已销号); overdue days d = as-of − deadline.
- the dimensions themselves are the entries of lib.rules.dimensions (evaluator and reason each).
- overall: the worst non-gray dimension (all gray → gray); yellow in each of the last
  ``persistence_months`` periods (each judged with its own as-of: the last day of that month, the
  given as-of for P) → red and ``persistent``. Months before January belong to the year before (that
  year's project year); a project with no light there cannot be persistent.

Besides the columns of docs/ARCHITECTURE.md the frame carries: reasons_en, reasons_by_dim_en,
total_investment, lon, lat, year, period, as_of, started, start_period, start_due, in_stats,
funds_allocated, funds_paid, overdue_problems, max_overdue_days.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from lib import periods
from lib.i18n import t
from lib.rules import dimensions as dims_mod
from lib.rules import frames as fr_mod
from lib.rules import settings as settings_mod
from lib.rules import shared

DIMS = dims_mod.KEYS  # the dimension registry, in display order
LIGHT_ORDER = dims_mod.BY_SEVERITY  # severity order: gray, green, yellow, red (−1 … 2)
SEVERITY = dims_mod.SEVERITY

COLUMNS = [
    "project_code", "project_name", "region_code", "library", "nature", "level", "sector", "tags",
    "unit", "leader", "annual_plan", "ytd_completed", "light", *DIMS, "expected_pct", "actual_pct",
    "gap_pp", "reasons", "reasons_by_dim", "inputs", "persistent",
    # extras (documented above)
    "reasons_en", "reasons_by_dim_en", "total_investment", "lon", "lat", "year", "period", "as_of",
    "started", "start_period", "start_due", "in_stats", "funds_allocated", "funds_paid",
    "overdue_problems", "max_overdue_days",
]


# --- settings and dates ---------------------------------------------------------------------------

def resolve_settings(session: Session, settings: dict | None = None) -> dict:
    """The stored settings (DESIGN.md defaults underneath), with ``settings`` overriding key by key
    (weights merged metric by metric)."""
    st = settings_mod.load(session)
    for key, value in (settings or {}).items():
        if key == "weights" and isinstance(value, dict):
            st["weights"] = {**st["weights"], **value}
        else:
            st[key] = value
    return st


def resolve_as_of(period: str, as_of: Any = None) -> dt.date:
    """The as-of date: given (date or text) or the last day of the period."""
    if as_of is None or (isinstance(as_of, str) and not as_of.strip()):
        return periods.last_day(period)
    d = periods.parse_date(as_of)
    return d if d is not None else periods.last_day(period)


def _persistence_months(st: dict) -> int:
    """Months of yellow (P included) that turn a light red; 0 (or less) switches persistence off."""
    value = st.get("persistence_months", 3)
    return max(int(value), 0) if value is not None else 3


def _frame(columns: dict, index=None) -> pd.DataFrame:
    """A DataFrame whose text columns stay plain Python objects (pandas 3 would otherwise turn every
    text array into Arrow strings, which costs more than the whole rule evaluation)."""
    data = {}
    for key, value in columns.items():
        if isinstance(value, list) or (isinstance(value, np.ndarray) and value.dtype == object):
            data[key] = pd.Series(value, index=index, dtype=object)
        else:
            data[key] = value
    return pd.DataFrame(data, index=index)


# --- one period, all projects: the base lights (no persistence) -----------------------------------

def _names(codes: np.ndarray) -> np.ndarray:
    return dims_mod.names(codes)


def evaluate(fr: fr_mod.RuleFrames, period: str, as_of: dt.date, st: dict,
             codes=None) -> pd.DataFrame:
    """Every registered dimension (lib.rules.dimensions) and the base overall light (before
    persistence) of every project with a project year for the period's year (only ``codes`` when
    given), with the numbers behind them. Index: the project id ``pid`` of the frames."""
    year, m = periods.split(period)
    P = periods.index(period)
    proj = fr.projects[fr.projects["year"] == year]
    rep = fr.reports
    if codes is not None:  # project ids (``pid``)
        proj = proj[proj["pid"].isin(codes)]
        rep = rep[rep["pid"].isin(codes)]
    proj = proj.drop_duplicates("pid").set_index("pid")
    idx = proj.index
    n = len(idx)
    annual = proj["is_annual"].to_numpy(dtype=bool)
    is_new = proj["is_new"].to_numpy(dtype=bool)

    # latest report ≤ P in Y (reports are sorted by pid, pidx)
    ry = rep[(rep["pidx"] >= year * 12 + 1) & (rep["pidx"] <= P)]
    latest = ry.drop_duplicates("pid", keep="last").set_index("pid").reindex(idx)
    has_p = idx.isin(ry.loc[ry["pidx"] == P, "pid"])
    latest_pidx = latest["pidx"].to_numpy(dtype=float)
    ytd = latest["ytd_completed"].astype(float).fillna(0.0).to_numpy()
    in_stats = latest["in_stats"].eq(True).to_numpy()
    paid = latest["paid_sum"].astype(float).fillna(0.0).to_numpy()

    # start: the earliest start evidence — the project's own 实际开工 and every started report ≤ P
    own_start = proj["own_start_idx"].to_numpy(dtype=float)
    fs = fr.first_started
    rep_start = fs[fs["pidx"] <= P].groupby("pid")["start_idx"].min().reindex(idx).to_numpy(dtype=float)
    start_idx = np.fmin(own_start, rep_start)
    with np.errstate(invalid="ignore"):
        started = start_idx <= P

    # expected progress: the one rule of lib.rules.shared
    planned_idx = proj["planned_idx"].to_numpy(dtype=float)
    plan = proj["annual_plan"].astype(float).to_numpy()
    pl = fr.plans[fr.plans["year"] == year]
    has_mplan = idx.isin(pl["pid"].unique())
    ps_year = np.floor((planned_idx - 1) / 12)
    s0 = shared.linear_s0(is_new, ps_year, planned_idx - ps_year * 12, year)
    planned_cum = shared.plan_cumulative(m, *shared.plan_neighbours_frame(pl, m, idx))
    expected = shared.expected(m, s0, has_mplan, planned_cum, plan)

    ctx = dims_mod.Context(
        idx=idx, n=n, year=year, m=m, P=P, as_of=as_of, annual=annual, is_new=is_new,
        started=started, start_idx=start_idx, planned_idx=planned_idx, has_report=has_p,
        latest_pidx=latest_pidx, ytd=ytd, in_stats=in_stats, paid=paid,
        alloc=proj["alloc_sum"].to_numpy(dtype=float), plan=plan, expected=expected,
        expected_source=np.where(has_mplan, "plan", "linear").astype(object), s0=s0,
        problems=fr.problems, approvals=fr.approvals, stalled=fr.stalled)
    light_cols: dict = {}
    extra: dict = {}
    for dim in dims_mod.DIMENSIONS:
        light_cols[dim.key], more = dim.evaluate(ctx, st)
        extra.update(more)

    # overall: the worst non-gray dimension
    sev = np.column_stack(list(light_cols.values())) if n else \
        np.zeros((0, len(light_cols)), dtype=np.int8)
    overall = sev.max(axis=1) if n else np.zeros(0, dtype=np.int8)

    out = _frame(
        {
            "annual": annual, "ytd_completed": ytd, "has_report": has_p,
            "latest_pidx": latest_pidx, "started": started, "start_idx": start_idx,
            "planned_idx": planned_idx, "expected": expected,
            "expected_source": ctx.expected_source, "s0": s0,
            "in_stats": in_stats & started, "funds_allocated": ctx.alloc, "funds_paid": paid,
            **extra,
            # severity codes: −1 gray, 0 green, 1 yellow, 2 red (names only in the output)
            **light_cols, "overall": overall,
        },
        index=idx,
    )
    out.attrs.update(period=period, as_of=as_of)
    return out


# --- persistence, reasons, the output frame -------------------------------------------------------

class _Run:
    """Base lights per (period, as-of), computed once per call and shared by persistence, the league
    table's previous month and a project's month-by-month history."""

    def __init__(self, fr: fr_mod.RuleFrames, st: dict):
        self.fr, self.st = fr, st
        self._cache: dict[tuple[str, dt.date], pd.DataFrame] = {}

    def base(self, period: str, as_of: dt.date) -> pd.DataFrame:
        key = (period, as_of)
        if key not in self._cache:
            self._cache[key] = evaluate(self.fr, period, as_of, self.st)
        return self._cache[key]

    def lights(self, period: str, as_of: dt.date, with_reasons: bool = True) -> pd.DataFrame:
        base = self.base(period, as_of)
        n = _persistence_months(self.st)
        persistent = (base["overall"].to_numpy() == 1) & (n >= 1)
        for i in range(1, n):
            if not persistent.any():
                break
            p = periods.shift(period, -i)
            key = (p, periods.last_day(p))
            if key in self._cache:
                prev_base = self._cache[key]
            else:  # only the projects still yellow can be persistent: judge just those
                prev_base = evaluate(self.fr, p, key[1], self.st, codes=base.index[persistent])
            prev = prev_base["overall"].reindex(base.index)
            persistent &= (prev == 1).to_numpy()
        return _assemble(self.fr, base, period, as_of, persistent, n, self.st, with_reasons)


def round1(values) -> np.ndarray:
    """Numbers rounded to one decimal exactly as the reason texts print them (dimensions.f1): every page
    and export that shows a percent to one decimal uses this, so the list and the reason never differ."""
    arr = np.asarray(values, dtype=float)
    return np.array([float(x) for x in dims_mod.f1(arr)], dtype=float) if arr.size else arr


def _reasons(b: pd.DataFrame, persistent: np.ndarray, n_persist: int,
             lang: str) -> tuple[list[str], list[dict]]:
    """Plain-language reasons for every yellow/red dimension (and persistence), built dimension by
    dimension (each registered dimension's ``reason``) over just the rows concerned:
    (joined text per row, dict dim → text per row)."""
    n = len(b)
    texts: list[tuple[str, np.ndarray, list[str]]] = []  # (dim, positions, texts) in display order
    pos = np.flatnonzero(persistent)
    texts.append(("overall", pos, [t("rs_persistent", lang, n=n_persist)] * len(pos)))
    for dim in dims_mod.DIMENSIONS:
        pos = np.flatnonzero(b[dim.key].to_numpy() >= 1)
        if len(pos):
            texts.append((dim.key, pos, dim.reason(b, pos, lang)))

    by_dim: list[dict] = [{} for _ in range(n)]
    for dim, positions, strs in texts:
        for p, text in zip(positions.tolist(), strs):
            by_dim[p][dim] = text
    sep = ";" if lang == "zh" else "; "
    joined = [sep.join(d.values()) if d else "" for d in by_dim]
    return joined, by_dim


def _period_texts(idx: np.ndarray, keep: np.ndarray | None = None) -> list:
    """Month indexes → ``YYYY-MM`` texts (None for NaN or where ``keep`` is False)."""
    arr = np.asarray(idx, dtype=float)
    if keep is not None:
        arr = np.where(keep, arr, np.nan)
    mapping = {v: periods.from_index(int(v)) for v in np.unique(arr[~np.isnan(arr)])}
    return [None if v != v else mapping[v] for v in arr.tolist()]


def _none_nan(values) -> list:
    """A column as a plain list with NaN → None (JSON-friendly)."""
    lst = np.asarray(values).tolist()
    return [None if (v != v) else v for v in lst]


def _assemble(fr: fr_mod.RuleFrames, base: pd.DataFrame, period: str, as_of: dt.date,
              persistent: np.ndarray, n_persist: int, st: dict, with_reasons: bool) -> pd.DataFrame:
    year, _ = periods.split(period)
    proj = fr.projects[fr.projects["year"] == year]
    proj = proj.drop_duplicates("pid").set_index("pid").reindex(base.index)
    b = base.assign(persistent=persistent)
    light = _names(np.where(persistent, 2, b["overall"].to_numpy()))
    assessed = (b["progress"].to_numpy() >= 0)
    annual = b["annual"].to_numpy()
    annual_plan_ok = annual & (proj["annual_plan"].astype(float).fillna(0) > 0).to_numpy()
    started = b["started"].to_numpy() & annual

    out = _frame({
        "project_code": proj["project_code"].to_numpy(dtype=object),
        "project_name": proj["project_name"].to_numpy(),
        "region_code": proj["region_code"].to_numpy(),
        "library": proj["library"].to_numpy(),
        "nature": proj["nature"].to_numpy(),
        "level": proj["level"].to_numpy(),
        "sector": proj["sector"].to_numpy(),
        "tags": proj["tags"].to_numpy(),
        "unit": proj["unit"].to_numpy(),
        "leader": proj["leader"].to_numpy(),
        "annual_plan": proj["annual_plan"].astype(float).to_numpy(),
        "ytd_completed": b["ytd_completed"].to_numpy(),
        "light": light,
        **{d: _names(b[d].to_numpy()) for d in DIMS},
        "expected_pct": np.where(annual_plan_ok, np.round(b["expected"].to_numpy() * 100, 2), np.nan),
        "actual_pct": np.where(annual_plan_ok, np.round(b["actual"].to_numpy() * 100, 2), np.nan),
        "gap_pp": np.where(assessed, b["gap"].to_numpy(), np.nan),
        "persistent": persistent,
        "total_investment": proj["total_investment"].astype(float).to_numpy(),
        "lon": proj["lon"].astype(float).to_numpy(),
        "lat": proj["lat"].astype(float).to_numpy(),
        "year": np.full(len(b), year, dtype=int),
        "period": [period] * len(b),
        "as_of": [as_of] * len(b),
        "started": started,
        "start_period": _period_texts(b["start_idx"].to_numpy(), started),
        "start_due": b["start_due"].to_numpy(),
        "in_stats": b["in_stats"].to_numpy() & annual,
        "funds_allocated": b["funds_allocated"].to_numpy(),
        "funds_paid": b["funds_paid"].to_numpy(),
        "overdue_problems": b["overdue_problems"].to_numpy().astype(int),
        "max_overdue_days": b["max_overdue_days"].to_numpy().astype(int),
    })

    # reasons: only for the rows and dimensions that have something to say
    if with_reasons and len(out):
        zh, by_zh = _reasons(b, persistent, n_persist, "zh")
        en, by_en = _reasons(b, persistent, n_persist, "en")
    else:
        zh, en = [""] * len(out), [""] * len(out)
        by_zh, by_en = [{} for _ in range(len(out))], [{} for _ in range(len(out))]
    out["reasons"] = zh
    out["reasons_en"] = en
    out["reasons_by_dim"] = by_zh
    out["reasons_by_dim_en"] = by_en
    out["inputs"] = _inputs(b, period, as_of, started) if with_reasons else [{} for _ in range(len(out))]
    # pids follow the sorted project codes, so this is the project_code order
    out = out.iloc[np.argsort(base.index.to_numpy(), kind="stable")].reset_index(drop=True)
    return out[COLUMNS]


def _inputs(b: pd.DataFrame, period: str, as_of: dt.date, started: np.ndarray) -> list[dict]:
    """The numbers each row's lights were computed from (JSON-friendly: None for blanks).
    Keys: period, as_of, ytd_completed, latest_report_period, report_for_period, expected,
    expected_source, s0, actual, gap_pp, to_green, planned_start, late_months, started,
    start_period, start_due, reporting_gap_months, in_stats, stats_months, funds_allocated,
    funds_paid, funds_rate, time_progress, funds_shortfall_pp, overdue_problems, max_overdue_days."""
    n = len(b)
    if not n:
        return []
    late_shown = b["start"].to_numpy() >= 1
    cols = {
        "period": [period] * n,
        "as_of": [as_of.isoformat()] * n,
        "ytd_completed": _none_nan(b["ytd_completed"]),
        "latest_report_period": _period_texts(b["latest_pidx"].to_numpy()),
        "report_for_period": b["has_report"].to_numpy().tolist(),
        "expected": _none_nan(b["expected"]),
        "expected_source": b["expected_source"].tolist(),
        "s0": _none_nan(b["s0"]),
        "actual": _none_nan(b["actual"]),
        "gap_pp": _none_nan(b["gap"]),
        "to_green": _none_nan(b["to_green"]),
        "planned_start": _period_texts(b["planned_idx"].to_numpy()),
        "late_months": _none_nan(np.where(late_shown, b["late"].to_numpy(), np.nan)),
        "started": started.tolist(),
        "start_period": _period_texts(b["start_idx"].to_numpy(), started),
        "start_due": b["start_due"].to_numpy().tolist(),
        "reporting_gap_months": _none_nan(b["k_reporting"]),
        "in_stats": b["in_stats"].to_numpy().tolist(),
        "stats_months": _none_nan(np.where(started, b["k_stats"].to_numpy(), np.nan)),
        "funds_allocated": _none_nan(b["funds_allocated"]),
        "funds_paid": _none_nan(b["funds_paid"]),
        "funds_rate": _none_nan(b["funds_rate"]),
        "time_progress": _none_nan(b["time_progress"]),
        "funds_shortfall_pp": _none_nan(b["shortfall"]),
        "overdue_problems": b["overdue_problems"].to_numpy().astype(int).tolist(),
        "max_overdue_days": b["max_overdue_days"].to_numpy().astype(int).tolist(),
    }
    keys = list(cols)
    return [dict(zip(keys, vals)) for vals in zip(*cols.values())]


# --- public entry points --------------------------------------------------------------------------

def _window_frames(session: Session, first: str, last: str, as_of: dt.date, st: dict,
                   project_codes=None) -> fr_mod.RuleFrames:
    n = max(_persistence_months(st), 1)
    raised_upto = max(as_of, periods.last_day(last))
    window_first = periods.shift(first, -(n - 1))
    # every light of the window is judged at the last day of a month ≥ window_first, or at ``as_of``
    earliest = min(as_of, periods.last_day(window_first))
    return fr_mod.load_rule_frames(session, window_first, last, raised_upto=raised_upto,
                                   project_codes=project_codes, earliest_as_of=earliest)


def compute_lights(session: Session, period: str, as_of: Any = None,
                   settings: dict | None = None, with_reasons: bool = True) -> pd.DataFrame:
    """One row per project with a project year for the period's year (columns: see module doc).
    ``with_reasons=False`` leaves the reason texts blank and ``inputs`` empty (the league's use)."""
    period = periods.parse_period(period)
    st = resolve_settings(session, settings)
    as_of_d = resolve_as_of(period, as_of)
    fr = _window_frames(session, period, period, as_of_d, st)
    return _Run(fr, st).lights(period, as_of_d, with_reasons=with_reasons)


def lights_pair_with_frames(session: Session, period: str, as_of: Any = None,
                            settings: dict | None = None, with_reasons: bool = True):
    """Lights at P (with reasons) and at P−1 (as-of its last day; no reason strings), from one load,
    plus the RuleFrames it read (the league reuses its problems for rank_change and closure).
    ``with_reasons=False``: no reason texts at P either."""
    period = periods.parse_period(period)
    st = resolve_settings(session, settings)
    as_of_d = resolve_as_of(period, as_of)
    prev = periods.previous(period)
    fr = _window_frames(session, prev, period, as_of_d, st)
    run = _Run(fr, st)
    # P−1 first: its base lights (all projects) are then reused by P's persistence check
    before = run.lights(prev, periods.last_day(prev), with_reasons=False)
    return run.lights(period, as_of_d, with_reasons=with_reasons), before, fr


def compute_lights_months(session: Session, months: list[str], settings: dict | None = None,
                          with_reasons: bool = True) -> dict[str, pd.DataFrame]:
    """compute_lights(session, p, as_of=None) for every period p of ``months`` (each judged with its
    own as-of, the last day of p), from ONE load of the rule frames covering them all (the league's
    month-by-month ranks). Same frames, row for row, as one compute_lights call per month."""
    months = sorted({periods.parse_period(p) for p in months})
    if not months:
        return {}
    st = resolve_settings(session, settings)
    last_as_of = periods.last_day(months[-1])
    fr = _window_frames(session, months[0], months[-1], last_as_of, st)
    run = _Run(fr, st)
    return {p: run.lights(p, periods.last_day(p), with_reasons=with_reasons) for p in months}


def project_history(session: Session, project_code: str, year: int, upto_period: str | None = None,
                    as_of: Any = None, settings: dict | None = None) -> pd.DataFrame:
    """The lights of one project for every month from January of ``year`` up to ``upto_period``
    (default December), each month judged with its own as-of (its last day; ``as_of`` for the last
    month when given). Same columns as compute_lights; empty when the project has no project year."""
    year = int(year)
    upto = periods.parse_period(upto_period) if upto_period else f"{year:04d}-12"
    first = f"{year:04d}-01"
    if periods.index(upto) > periods.index(f"{year:04d}-12"):  # months of that year only
        upto, as_of = f"{year:04d}-12", None
    if periods.index(upto) < periods.index(first):
        return pd.DataFrame(columns=COLUMNS)
    st = resolve_settings(session, settings)
    last_as_of = resolve_as_of(upto, as_of)
    fr = _window_frames(session, first, upto, last_as_of, st, project_codes=[project_code])
    run = _Run(fr, st)
    parts = []
    p = first
    while periods.index(p) <= periods.index(upto):
        a = last_as_of if p == upto else periods.last_day(p)
        parts.append(run.lights(p, a))
        p = periods.shift(p, 1)
    parts = [x for x in parts if len(x)]
    if not parts:
        return pd.DataFrame(columns=COLUMNS)
    return pd.concat(parts, ignore_index=True)


def light_counts(df: pd.DataFrame) -> dict[str, int]:
    """Projects per overall light: {'red': n, 'yellow': n, 'green': n, 'gray': n}."""
    vc = df["light"].value_counts() if len(df) else pd.Series(dtype=int)
    return {k: int(vc.get(k, 0)) for k in ("red", "yellow", "green", "gray")}


__all__ = ["compute_lights", "lights_pair_with_frames", "compute_lights_months", "project_history", "light_counts", "evaluate",
           "resolve_settings", "resolve_as_of", "DIMS", "COLUMNS", "SEVERITY"]
