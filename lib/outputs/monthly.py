"""The month's facts, computed once for every monthly output: the slide pack (briefing), the written
通报 (report) and the bench. Both documents read the same ``MonthFacts``, so a figure in the 通报 is
the figure on the slide, and both come from the rules the pages use (lib.rules.lights,
lib.rules.league, lib.rules.overview, lib.problems, lib.intake.importer.reporting_grid).

Pure Python: never imports streamlit.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy.orm import Session

from lib import periods


def nan(v) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    try:
        return isinstance(v, float) and math.isnan(v)
    except TypeError:
        return False


@dataclass
class MonthFacts:
    period: str
    as_of: dt.date
    prev_period: str | None  # the month before, when the store has reports for it
    demo: bool
    region_names: dict  # code → name, display order
    lights: pd.DataFrame  # compute_lights at P (every project of the year)
    league: pd.DataFrame  # compute_league at P
    problems: pd.DataFrame  # problem_table at as-of
    summary: dict  # overview.summary at P (prefecture)
    summary_prev: dict | None  # overview.summary at P−1 (None without reports for P−1)
    by_region: pd.DataFrame  # overview.by_region at P
    curve: pd.DataFrame  # overview.monthly_curve at P
    red: pd.DataFrame  # red projects: region order, then largest lag
    problems_new: pd.DataFrame  # raised in the month of P
    problems_overdue: pd.DataFrame  # open and overdue at as-of, most days first
    by_category: pd.DataFrame  # category, open, overdue, new
    by_unit: pd.DataFrame  # lib.problems.unit_scoreboard over the open problems
    reporting: pd.DataFrame  # region_code, region_name, annual, reported, missing, rate at P
    reporting_total: dict  # annual, reported, missing, rate
    county_status: pd.DataFrame  # one row per county: rank, score, rate, red, overdue, reported/annual
    extra: dict = field(default_factory=dict)

    @property
    def ranked(self) -> pd.DataFrame:
        """The league's ranked counties, best first (the order of the ranking page)."""
        lg = self.league
        return lg[lg["rank"].notna()].sort_values("rank", kind="stable").reset_index(drop=True)

    def top(self, n: int = 3) -> pd.DataFrame:
        return self.ranked.head(n)

    def bottom(self, n: int = 3) -> pd.DataFrame:
        """The last ``n`` ranked counties, last first (红黑榜's 后三名 read from the bottom)."""
        r = self.ranked
        return r.tail(min(n, max(len(r) - n, 0) or n)).iloc[::-1].reset_index(drop=True)


def _month_bounds(period: str) -> tuple[dt.date, dt.date]:
    y, m = periods.split(period)
    return dt.date(y, m, 1), periods.last_day(period)


def _as_date(v):
    if nan(v):
        return None
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    try:
        return pd.Timestamp(v).date()
    except (TypeError, ValueError):
        return None


def red_projects(lights: pd.DataFrame, region_names: dict) -> pd.DataFrame:
    """The red projects with their reasons and the amount (万元) that turns progress green: county in
    display order, then the largest lag first."""
    cols = ["project_code", "project_name", "region_code", "region_name", "annual_plan", "ytd_completed",
            "gap_pp", "to_green", "reasons", "reasons_en", "persistent"]
    if not len(lights):
        return pd.DataFrame(columns=cols)
    r = lights[lights["light"] == "red"].copy()
    order = {c: i for i, c in enumerate(region_names)}
    r["region_name"] = r["region_code"].map(lambda c: region_names.get(c, c))
    r["to_green"] = r["inputs"].map(
        lambda d: (d or {}).get("to_green") if isinstance(d, dict) else None) if "inputs" in r.columns else None
    # the amount counts only where progress is not green (otherwise it is not what keeps it red)
    r["to_green"] = [v if (p in ("red", "yellow") and not nan(v) and float(v) > 0) else float("nan")
                     for v, p in zip(r["to_green"], r["progress"])]
    r["_o"] = r["region_code"].map(lambda c: order.get(c, len(order)))
    r["_g"] = pd.to_numeric(r["gap_pp"], errors="coerce").fillna(0)
    r = r.sort_values(["_o", "_g", "project_code"], kind="stable")
    for c in cols:
        if c not in r.columns:
            r[c] = None
    return r[cols].reset_index(drop=True)


def problem_breakdowns(problems: pd.DataFrame, period: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(new in the month, overdue at as-of, by category, by unit)."""
    from lib.problems.table import unit_scoreboard
    from lib.store.models import PROBLEM_CATEGORIES

    first, last = _month_bounds(period)
    p = problems if problems is not None else pd.DataFrame()
    if not len(p):
        empty = pd.DataFrame(columns=["problem_id"])
        cat = pd.DataFrame({"category": list(PROBLEM_CATEGORIES), "open": 0, "overdue": 0, "new": 0})
        return empty, empty, cat, unit_scoreboard(pd.DataFrame(columns=["unit", "is_open", "closed_on",
                                                                         "deadline", "overdue_days", "days_open"]))
    raised = p["raised_on"].map(_as_date)
    is_new = raised.map(lambda d: d is not None and first <= d <= last)
    is_open = p["is_open"].astype(bool)
    days = pd.to_numeric(p["overdue_days"], errors="coerce")
    is_overdue = is_open & days.notna() & (days > 0)
    new = p[is_new].sort_values("problem_id", kind="stable").reset_index(drop=True)
    od = p[is_overdue].assign(_d=days[is_overdue]).sort_values(["_d", "problem_id"], ascending=[False, True],
                                                                 kind="stable").drop(columns="_d").reset_index(drop=True)
    cat = pd.DataFrame({
        "category": list(PROBLEM_CATEGORIES),
        "open": [int((is_open & (p["category"] == c)).sum()) for c in PROBLEM_CATEGORIES],
        "overdue": [int((is_overdue & (p["category"] == c)).sum()) for c in PROBLEM_CATEGORIES],
        "new": [int((is_new & (p["category"] == c)).sum()) for c in PROBLEM_CATEGORIES],
    })
    units = unit_scoreboard(p[is_open])
    return new, od, cat, units


def reporting_of_month(session: Session, period: str) -> tuple[pd.DataFrame, dict]:
    """Per county: annual projects of the year, how many reported for ``period``, missing, rate."""
    from lib.intake.importer import reporting_grid

    year, _ = periods.split(period)
    g = reporting_grid(session, year, through=period)
    g = g[g["period"] == period].drop(columns="period").reset_index(drop=True)
    g["rate"] = [r / a if a else float("nan") for r, a in zip(g["reported"], g["annual"])]
    a, r = int(g["annual"].sum()), int(g["reported"].sum())
    return g, {"annual": a, "reported": r, "missing": max(a - r, 0), "rate": (r / a) if a else float("nan")}


def county_status(league: pd.DataFrame, by_region: pd.DataFrame, problems_overdue: pd.DataFrame,
                  reporting: pd.DataFrame, region_names: dict) -> pd.DataFrame:
    """One row per county in display order: rank, score, invest_rate, light, projects, red, overdue
    problems, reported/annual for the month."""
    lg = league.set_index("region_code") if len(league) else pd.DataFrame()
    br = by_region.set_index("region_code") if len(by_region) else pd.DataFrame()
    rp = reporting.set_index("region_code") if len(reporting) else pd.DataFrame()
    od = problems_overdue["region_code"].value_counts() if len(problems_overdue) else pd.Series(dtype=int)
    rows = []
    for code, name in region_names.items():
        def get(frame, col, default=float("nan")):
            return frame.at[code, col] if (len(frame) and code in frame.index and col in frame.columns) else default
        rows.append({
            "region_code": code, "region_name": name,
            "rank": get(lg, "rank"), "rank_change": get(lg, "rank_change"), "score": get(lg, "score"),
            "invest_rate": get(lg, "invest_rate"), "light": get(lg, "light", "gray") or "gray",
            "projects": int(get(br, "projects", 0) or 0), "red": int(get(br, "red", 0) or 0),
            "yellow": int(get(br, "yellow", 0) or 0),
            "overdue": int(od.get(code, 0)),
            "annual": int(get(rp, "annual", 0) or 0), "reported": int(get(rp, "reported", 0) or 0),
        })
    return pd.DataFrame(rows)


def month_facts(session: Session, period: str, as_of=None) -> MonthFacts:
    """Everything the month's outputs say, computed by lib/ (the same functions the pages call)."""
    from lib.geo import mapview
    from lib.problems import problem_table
    from lib.rules import overview
    from lib.rules.league import compute_league
    from lib.rules.lights import lights_pair_with_frames
    from lib.store.queries import report_periods

    period = periods.parse_period(period)
    as_of_d = periods.parse_date(as_of) if as_of else periods.last_day(period)
    now, before, fr = lights_pair_with_frames(session, period, as_of=as_of_d)
    league = compute_league(session, period, as_of=as_of_d, lights=now, lights_prev=before,
                            problems=fr.problems)
    problems = problem_table(session, as_of=as_of_d)
    try:
        from lib.demo import is_demo

        demo = bool(is_demo(session))
    except ImportError:
        demo = False
    regions = mapview.load_regions(session)
    names = dict(zip(regions["region_code"], regions["region_name"]))
    prev = periods.previous(period)
    have_prev = prev in set(report_periods(session))
    summ = overview.summary(now, problems, period)
    summ_prev = None
    if have_prev:
        summ_prev = overview.summary(before, overview.problem_counts_at(session, periods.last_day(prev)), prev)
    by_region = overview.by_region(now, names)
    curve = overview.monthly_curve(session, period)
    new, od, cat, units = problem_breakdowns(problems, period)
    rep, rep_total = reporting_of_month(session, period)
    return MonthFacts(
        period=period, as_of=as_of_d, prev_period=prev if have_prev else None, demo=demo, region_names=names,
        lights=now, league=league, problems=problems, summary=summ, summary_prev=summ_prev,
        by_region=by_region, curve=curve, red=red_projects(now, names), problems_new=new,
        problems_overdue=od, by_category=cat, by_unit=units, reporting=rep, reporting_total=rep_total,
        county_status=county_status(league, by_region, od, rep, names),
        extra={"regions": regions, "lights_prev": before},
    )


__all__ = ["MonthFacts", "month_facts", "red_projects", "problem_breakdowns", "reporting_of_month",
           "county_status", "nan"]
