"""Aggregates for the cockpit overview that are not rules: sums by county and sector, the headline
figures, the month-by-month cumulative curve of actual against plan.

Pure pandas over the lights DataFrame (``lib.rules.lights.compute_lights``), the problem table
(``lib.problems.problem_table``) and the store's frames (``lib.rules.frames``). The rules themselves
(lights, rates of the league) stay in lib.rules.lights / lib.rules.league; here they are only summed.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from lib import periods
from lib.access.scope import of as region_scope
from lib.rules import dimensions, frames, shared

LIGHTS = dimensions.LIGHT_ORDER


def _f(value) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return float("nan")
    return v


def _ratio(num: float, den: float) -> float:
    return float(num) / float(den) if den and den > 0 else float("nan")


def time_progress(period: str) -> float:
    """序时进度 as a fraction: months elapsed ÷ 12 (m/12, as the league table's t)."""
    _, m = periods.split(period)
    return m / 12.0


def annual(lights: pd.DataFrame) -> pd.DataFrame:
    """The annual (年度建设) projects of a lights frame."""
    if "library" not in lights.columns:
        return lights
    return lights[lights["library"] == "annual"]


def filter_region(df: pd.DataFrame, region_code: str | None, col: str = "region_code") -> pd.DataFrame:
    if region_code is None or col not in df.columns:
        return df
    return df[region_scope(region_code).mask(df[col])]


def light_counts(lights: pd.DataFrame) -> dict[str, int]:
    """Projects per overall light (every light present, 0 when none)."""
    vc = lights["light"].value_counts() if len(lights) else pd.Series(dtype=int)
    return {k: int(vc.get(k, 0)) for k in LIGHTS}


def _input_sum(lights: pd.DataFrame, key: str) -> tuple[float, int]:
    """Σ of inputs[key] over the rows whose inputs carry a number for it; (sum, rows)."""
    if "inputs" not in lights.columns or not len(lights):
        return 0.0, 0
    vals = lights["inputs"].map(lambda d: _f(d.get(key)) if isinstance(d, dict) else float("nan"))
    vals = vals.dropna()
    return float(vals.sum()), int(len(vals))


def _input_flag(lights: pd.DataFrame, key: str) -> pd.Series:
    """A column the light rules carry (started, start_due, in_stats, …), else the same key of
    ``inputs``."""
    if key in lights.columns:
        return lights[key]
    if "inputs" not in lights.columns or not len(lights):
        return pd.Series(None, index=lights.index, dtype=object)
    return lights["inputs"].map(lambda d: d.get(key) if isinstance(d, dict) else None)


def rates(lights: pd.DataFrame) -> dict[str, float]:
    """新开工开工率, 入库率 and 政策资金支付率 over the given annual projects, from the inputs the
    light rules used (so they match the lights and the league table):
    start_rate = started ÷ new projects due to start (planned start month ≤ P);
    stats_rate = started projects in stats ÷ started projects; funds_rate = Σ paid ÷ Σ allocated over the
    projects with an allocation > 0."""
    a = annual(lights)
    out = {"start_rate": float("nan"), "stats_rate": float("nan"), "funds_rate": float("nan"),
           "start_due": 0, "started_due": 0, "started": 0, "in_stats": 0,
           "funds_paid": 0.0, "funds_allocated": 0.0}
    if not len(a):
        return out
    due = _input_flag(a, "start_due").map(lambda v: bool(v) if v is not None and v == v else False)
    started = _input_flag(a, "started").map(lambda v: bool(v) if v is not None and v == v else False)
    in_stats = _input_flag(a, "in_stats").map(lambda v: bool(v) if v is not None and v == v else False)
    is_new = a["nature"] == "new" if "nature" in a.columns else pd.Series(True, index=a.index)
    n_due = int((due & is_new).sum())
    n_started_due = int((due & is_new & started).sum())
    n_started = int(started.sum())
    n_in_stats = int((started & in_stats).sum())
    if "funds_paid" in a.columns and "funds_allocated" in a.columns:
        # as the league: over the projects with an allocation > 0 only
        alloc_each = pd.to_numeric(a["funds_allocated"], errors="coerce").fillna(0)
        paid = float(pd.to_numeric(a["funds_paid"], errors="coerce").fillna(0).where(alloc_each > 0, 0).sum())
        alloc = float(alloc_each.sum())
    else:
        paid, _ = _input_sum(a[_input_flag(a, "funds_allocated").map(lambda v: _f(v) > 0)], "funds_paid")
        alloc, _ = _input_sum(a, "funds_allocated")
    out.update(start_due=n_due, started_due=n_started_due, started=n_started, in_stats=n_in_stats,
               funds_paid=paid, funds_allocated=alloc,
               start_rate=_ratio(n_started_due, n_due), stats_rate=_ratio(n_in_stats, n_started),
               funds_rate=_ratio(paid, alloc))
    return out


def problem_counts(problems: pd.DataFrame, region_code: str | None = None) -> dict[str, int]:
    """Open problems (not 已销号 by the as-of date) and overdue ones (overdue_days given)."""
    p = filter_region(problems, region_code)
    if not len(p):
        return {"open": 0, "overdue": 0}
    if "is_open" in p.columns:
        is_open = p["is_open"].astype(bool)
    elif "closed_on" in p.columns and "as_of" in p.columns:  # the one rule (lib.rules.shared)
        closed_on = pd.to_datetime(p["closed_on"], errors="coerce")
        as_of = pd.to_datetime(p["as_of"], errors="coerce")
        is_open = pd.Series([shared.is_open_at(s, None if pd.isna(c) else c, a)
                             for s, c, a in zip(p["status"], closed_on, as_of)], index=p.index)
    else:  # no dates at hand: 已销号 is closed (the store requires its 办结日期)
        is_open = p["status"] != "closed"
    overdue = pd.to_numeric(p["overdue_days"], errors="coerce").astype(float).fillna(0) > 0
    return {"open": int(is_open.sum()), "overdue": int((overdue & is_open).sum())}


def problem_counts_at(session: Session, as_of, region_code: str | None = None) -> dict[str, int]:
    """Open and overdue problems at ``as_of``, counted in SQL (same rule as
    lib.problems.problem_table: raised on or before as-of; open unless 已销号 with 办结日期 ≤ as-of;
    overdue = open and as-of > 解决时限)."""
    from sqlalchemy import and_, case, func, select

    from lib.store.models import Problem, Project

    c = Problem.__table__.c
    is_open = shared.open_at_sql(c, as_of)
    stmt = select(
        func.coalesce(func.sum(case((is_open, 1), else_=0)), 0),
        func.coalesce(func.sum(case((and_(is_open, c.deadline.is_not(None), c.deadline < as_of), 1), else_=0)), 0),
    ).where(c.raised_on <= as_of)
    if region_code is not None:
        pr = Project.__table__.c
        stmt = stmt.select_from(Problem.__table__.join(Project.__table__, pr.code == c.project_code)).where(
            region_scope(region_code).where(pr.region_code))
    n_open, n_overdue = session.connection().execute(stmt).one()
    return {"open": int(n_open), "overdue": int(n_overdue)}


def summary(lights: pd.DataFrame, problems: pd.DataFrame | dict | None, period: str,
            region_code: str | None = None) -> dict:
    """The headline figures at ``period`` for the prefecture (or one county)."""
    lt = filter_region(lights, region_code)
    a = annual(lt)
    plan = float(pd.to_numeric(a["annual_plan"], errors="coerce").fillna(0).sum()) if len(a) else 0.0
    ytd = float(pd.to_numeric(a["ytd_completed"], errors="coerce").fillna(0).sum()) if len(a) else 0.0
    rate = _ratio(ytd, plan)
    tp = time_progress(period)
    gap = round((rate - tp) * 100, 2) if rate == rate else float("nan")
    out = {
        "period": period, "projects": int(len(lt)), "annual_projects": int(len(a)),
        "plan": plan, "ytd": ytd, "rate": rate, "time_progress": tp, "gap_pp": gap,
        "counts": light_counts(lt),
    }
    out.update(rates(lt))
    counts = problems if isinstance(problems, dict) else problem_counts(
        problems if problems is not None else pd.DataFrame(), region_code)
    out.update({f"problems_{k}": v for k, v in counts.items()})
    return out


def change(now: dict, before: dict | None) -> dict:
    """now − before for every number of a summary (None where there is no previous month)."""
    out: dict = {}
    for key, value in now.items():
        if key == "counts":
            out[key] = {k: (None if before is None else v - before["counts"].get(k, 0))
                        for k, v in value.items()}
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            if before is None or not isinstance(before.get(key), (int, float)):
                out[key] = None
            else:
                d = value - before[key]
                out[key] = None if d != d else d
    return out


def by_group(lights: pd.DataFrame, col: str) -> pd.DataFrame:
    """Per value of ``col`` (region_code, sector, leader, unit): annual projects, plan, ytd, rate and
    the count of each overall light (over all projects of the year)."""
    cols = ["plan", "ytd", "rate", "projects", *LIGHTS]
    if not len(lights):
        return pd.DataFrame(columns=[col, *cols])
    a = annual(lights)
    sums = (a.assign(plan=pd.to_numeric(a["annual_plan"], errors="coerce").fillna(0),
                     ytd=pd.to_numeric(a["ytd_completed"], errors="coerce").fillna(0))
             .groupby(col, dropna=False)[["plan", "ytd"]].sum())
    counts = pd.crosstab(lights[col].fillna(""), lights["light"]).reindex(columns=list(LIGHTS), fill_value=0)
    n = lights.groupby(lights[col].fillna("")).size().rename("projects")
    out = pd.concat([sums.rename(index=lambda v: "" if v != v else v), n, counts], axis=1).fillna(0)
    out["rate"] = np.where(out["plan"] > 0, out["ytd"] / out["plan"].where(out["plan"] > 0, 1), np.nan)
    out.index.name = col
    out = out.reset_index()
    for k in ("projects", *LIGHTS):
        out[k] = out[k].astype(int)
    return out[[col, *cols]]


def by_region(lights: pd.DataFrame, region_names: dict[str, str]) -> pd.DataFrame:
    """by_group over counties, every county of the store listed in display order (zeros when none)."""
    g = by_group(lights, "region_code").set_index("region_code")
    g = g.reindex(list(region_names.keys()) + [c for c in g.index if c not in region_names])
    g[["plan", "ytd", "projects", *LIGHTS]] = g[["plan", "ytd", "projects", *LIGHTS]].fillna(0)
    g.index.name = "region_code"
    g = g.reset_index()
    g.insert(1, "region_name", g["region_code"].map(lambda c: region_names.get(c, c)))
    for k in ("projects", *LIGHTS):
        g[k] = g[k].astype(int)
    return g


def by_sector(lights: pd.DataFrame) -> pd.DataFrame:
    """by_group over sectors, largest plan first."""
    return by_group(lights, "sector").sort_values(["plan", "sector"], ascending=[False, True],
                                                  kind="stable").reset_index(drop=True)


def linear_expected(month: int, year: int, nature, planned_start) -> float:
    """The linear expected share at ``month`` when a project has no monthly plan (DESIGN.md):
    s0 = 1 for continuing projects or a planned start before the year, else the planned start month;
    0 before s0, else (m − s0 + 1)/(13 − s0); a planned start after the year → 0."""
    ps = pd.Timestamp(planned_start) if planned_start is not None and planned_start == planned_start \
        else None
    return shared.expected_one(year, month, nature, ps, 1.0, None, rounded=False)


def _actual_by_month(session: Session, year: int, period: str, region_code: str | None,
                     project_codes: list[str] | None) -> dict[int, float]:
    """Σ over the year's annual projects of the ytd of each one's latest report ≤ month k, for every
    month k up to the period, in one SQL read. The sum telescopes: it is the running total over the
    months of Σ (ytd − the same project's previous ytd this year), so no per-project row leaves the
    database. A blank ytd counts 0."""
    from sqlalchemy import func, select

    from lib.store.models import MonthlyReport, Project, ProjectYear

    r, py, pr = MonthlyReport.__table__.c, ProjectYear.__table__.c, Project.__table__.c
    ytd = func.coalesce(r.ytd_completed, 0.0)
    annual = select(py.project_code).where(py.year == int(year), py.library == "annual")
    if region_code is not None:
        annual = annual.join(Project.__table__, pr.code == py.project_code).where(region_scope(region_code).where(pr.region_code))
    inner = select(
        r.period.label("period"),
        (ytd - func.coalesce(func.lag(ytd).over(partition_by=r.project_code, order_by=r.period), 0.0)).label("d"),
    ).where(r.period.between(f"{year:04d}-01", period), r.project_code.in_(annual))
    if project_codes is not None:
        inner = inner.where(r.project_code.in_(list(project_codes)))
    sub = inner.subquery()
    rows = session.connection().execute(
        select(sub.c.period, func.sum(sub.c.d)).group_by(sub.c.period).order_by(sub.c.period)).fetchall()
    out: dict[int, float] = {}
    running = 0.0
    by_month = {int(str(p)[5:7]): float(v or 0.0) for p, v in rows}
    _, m = periods.split(period)
    for k in range(1, m + 1):
        running += by_month.get(k, 0.0)
        out[k] = running
    return out


def _plans_by_month(session: Session, year: int, region_code: str | None,
                    project_codes: list[str] | None) -> tuple[set[str], dict[int, float]]:
    """(the annual projects that have a monthly plan, month → Σ planned cumulative), each project's
    month by lib.rules.shared.plan_cumulative (blank months interpolated, the last carried)."""
    from sqlalchemy import select

    from lib.store.models import MonthlyPlan, Project, ProjectYear

    mp, py, pr = MonthlyPlan.__table__.c, ProjectYear.__table__.c, Project.__table__.c
    annual = select(py.project_code).where(py.year == int(year), py.library == "annual")
    if region_code is not None:
        annual = annual.join(Project.__table__, pr.code == py.project_code).where(region_scope(region_code).where(pr.region_code))
    cond = [mp.year == int(year), mp.project_code.in_(annual)]
    if project_codes is not None:
        cond.append(mp.project_code.in_(list(project_codes)))
    rows = session.connection().execute(
        select(mp.project_code, mp.month, mp.planned_cumulative).where(*cond)).fetchall()
    codes = {r[0] for r in rows}
    out = {k: 0.0 for k in range(1, 13)}
    if rows:  # each project's plan of month k by the one rule (blank months interpolated)
        pl = pd.DataFrame(rows, columns=["project_code", "month", "planned_cumulative"])
        pl["pid"], uniq = pd.factorize(pl["project_code"])
        pl["month"] = pl["month"].astype(int)
        pl["planned_cumulative"] = pd.to_numeric(pl["planned_cumulative"], errors="coerce").astype(float)
        idx = pd.RangeIndex(len(uniq))
        for k in out:
            cum = shared.plan_cumulative(k, *shared.plan_neighbours_frame(pl, k, idx))
            out[k] = float(np.nansum(cum))
    return codes, out


def _annual_years(session: Session, year: int, region_code: str | None,
                  project_codes: list[str] | None) -> pd.DataFrame:
    """The year's annual project years (of one county) with just what the curve reads:
    project_code, nature, annual_plan, region_code, planned_start (in project_years order)."""
    from sqlalchemy import select

    from lib.store.models import Project, ProjectYear

    py, pr = ProjectYear.__table__.c, Project.__table__.c
    stmt = select(py.project_code, py.nature, py.annual_plan, pr.region_code, pr.planned_start).select_from(
        ProjectYear.__table__.join(Project.__table__, pr.code == py.project_code)).where(
        py.year == int(year), py.library == "annual")
    if region_code is not None:
        stmt = stmt.where(region_scope(region_code).where(pr.region_code))
    if project_codes is not None:
        stmt = stmt.where(py.project_code.in_(list(project_codes)))
    return frames._read(session, stmt, dates=("planned_start",), floats=("annual_plan",))


def monthly_curve(session: Session, period: str, region_code: str | None = None,
                  project_codes: list[str] | None = None) -> pd.DataFrame:
    """Month by month (1..12) of the period's year over the annual projects (of one county):
    ``actual`` = Σ ytd_completed of each project's latest report ≤ that month (blank counts 0;
    NaN after the period), ``plan`` = Σ planned cumulative (the monthly plan where one exists,
    else annual_plan × the linear expected share), ``annual_plan`` = Σ annual_plan, and
    ``time_progress`` = annual_plan × m/12."""
    year, m = periods.split(period)
    py = _annual_years(session, year, region_code, project_codes)
    months = list(range(1, 13))
    total_plan = float(py["annual_plan"].fillna(0).sum()) if len(py) else 0.0
    if not len(py):
        return pd.DataFrame({"month": months, "actual": [0.0 if k <= m else np.nan for k in months],
                             "plan": 0.0, "annual_plan": 0.0, "time_progress": 0.0})

    # actual: latest report ≤ month, summed in SQL
    by_k = _actual_by_month(session, year, period, region_code, project_codes)
    actual = [by_k.get(k, 0.0) if k <= m else np.nan for k in months]

    # plan: monthly plans where they exist, else linear
    with_plan, plan_by_k = _plans_by_month(session, year, region_code, project_codes)
    plan = np.array([plan_by_k.get(k, 0.0) for k in months], dtype=float)
    lin = py[~py["project_code"].isin(with_plan)]
    if len(lin):
        ap = lin["annual_plan"].fillna(0.0).to_numpy(dtype=float)
        ps = pd.to_datetime(lin["planned_start"], errors="coerce")
        is_new = (lin["nature"] == "new").to_numpy()
        ps_year = ps.dt.year.to_numpy(dtype=float)
        ps_month = ps.dt.month.to_numpy(dtype=float)
        s0 = shared.linear_s0(is_new, ps_year, ps_month, year)
        for k in months:
            plan[k - 1] += float((ap * shared.linear_share(k, s0)).sum())
    return pd.DataFrame({
        "month": months, "actual": actual, "plan": plan,
        "annual_plan": total_plan, "time_progress": [total_plan * k / 12 for k in months],
    })


# --- the traffic-light list: filters and sorting over the lights frame --------------------------------

DIMENSIONS = dimensions.KEYS  # the light-dimension registry
LIGHT_RANK = {"red": 0, "yellow": 1, "green": 2, "gray": 3}
LIST_FILTERS = ("region", "light", "dimension", "dim_light", "level", "sector", "tags", "library", "nature",
                "leader", "unit", "text")
SORTS = ("light", "gap", "rate", "plan", "code")


def tag_list(value) -> list[str]:
    """The tags of a project as a list (stored ';'-separated; a list is accepted too)."""
    if value is None or (isinstance(value, float) and value != value):
        return []
    if isinstance(value, (list, tuple, set)):
        return [str(v).strip() for v in value if str(v).strip()]
    return [v.strip() for v in str(value).replace("；", ";").split(";") if v.strip()]


def _as_list(value) -> list:
    if value is None or value == "":
        return []
    if isinstance(value, (list, tuple, set)):
        return list(value)
    return [value]


def filter_projects(lights: pd.DataFrame, filters: dict) -> pd.DataFrame:
    """The rows of the lights frame that pass every filter. Filters (all optional; a list means
    "any of"): region, light, dimension + dim_light (default red/yellow), level, sector, tags (any of
    the tags), library, nature, leader, unit, codes (project codes, e.g. the projects behind a
    pipeline figure), text (case-insensitive, in code, name, reasons, unit, leader)."""
    df = lights
    mask = pd.Series(True, index=df.index)
    for key, col in (("region", "region_code"), ("light", "light"), ("level", "level"),
                     ("sector", "sector"), ("library", "library"), ("nature", "nature"),
                     ("leader", "leader"), ("unit", "unit")):
        values = _as_list(filters.get(key))
        if values and col in df.columns:
            mask &= df[col].isin(values)
    codes = _as_list(filters.get("codes"))
    if codes:
        mask &= df["project_code"].isin(codes)
    dim = filters.get("dimension")
    if dim in DIMENSIONS and dim in df.columns:
        wanted = _as_list(filters.get("dim_light")) or ["red", "yellow"]
        mask &= df[dim].isin(wanted)
    tags = set(_as_list(filters.get("tags")))
    if tags and "tags" in df.columns:
        mask &= df["tags"].map(lambda v: bool(tags.intersection(tag_list(v))))
    text = str(filters.get("text") or "").strip().lower()
    if text:
        hay = pd.Series("", index=df.index)
        for col in ("project_code", "project_name", "reasons", "unit", "leader"):
            if col in df.columns:
                hay = hay + "\u0001" + df[col].fillna("").astype(str).str.lower()
        mask &= hay.str.contains(text, regex=False)
    return df[mask]


def sort_projects(df: pd.DataFrame, key: str = "light") -> pd.DataFrame:
    """light: red first, then the largest lag; gap: largest lag first; rate: lowest completion first;
    plan: largest annual plan first; code: by project code. Ties by project code."""
    if not len(df):
        return df
    tmp = df.assign(_lr=df["light"].map(LIGHT_RANK).fillna(9),
                    _gap=pd.to_numeric(df.get("gap_pp"), errors="coerce"),
                    _rate=pd.to_numeric(df.get("actual_pct"), errors="coerce"),
                    _plan=pd.to_numeric(df.get("annual_plan"), errors="coerce"))
    if key == "gap":
        cols, asc = ["_gap", "project_code"], [True, True]
    elif key == "rate":
        cols, asc = ["_rate", "project_code"], [True, True]
    elif key == "plan":
        cols, asc = ["_plan", "project_code"], [False, True]
    elif key == "code":
        cols, asc = ["project_code"], [True]
    else:
        cols, asc = ["_lr", "_gap", "project_code"], [True, True, True]
    out = tmp.sort_values(cols, ascending=asc, na_position="last", kind="stable")
    return out.drop(columns=["_lr", "_gap", "_rate", "_plan"])


def filter_options(lights: pd.DataFrame) -> dict[str, list]:
    """The values each list filter can take in this frame (sorted; blanks dropped)."""
    def distinct(col) -> list:
        # each distinct value once (20,000 rows hold a few hundred); plain objects, no Arrow strings
        values = lights[col].dropna().to_numpy(dtype=object)
        try:
            return list(pd.unique(values))
        except TypeError:  # unhashable cells (a list of tags)
            return list(values)

    def vals(col):
        if col not in lights.columns:
            return []
        return sorted({s for s in map(str, distinct(col)) if s.strip()})
    tags = sorted({t for v in (distinct("tags") if "tags" in lights.columns else []) for t in tag_list(v)})
    return {"region": vals("region_code"), "level": vals("level"), "sector": vals("sector"),
            "library": vals("library"), "nature": vals("nature"), "leader": vals("leader"),
            "unit": vals("unit"), "tags": tags}


__all__ = [
    "time_progress", "annual", "filter_region", "light_counts", "rates", "problem_counts",
    "problem_counts_at", "summary",
    "change", "by_group", "by_region", "by_sector", "linear_expected", "monthly_curve",
    "DIMENSIONS", "LIST_FILTERS", "SORTS", "tag_list", "filter_projects", "sort_projects", "filter_options",
]
