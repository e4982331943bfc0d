"""Set-based loaders: the tables the rules need, as pandas DataFrames, in a handful of SQL reads.

Never a query per project. Every loader filters in SQL (years, period text ranges) so that a province
store (20,000 projects, 1.2M report rows) only moves the rows a call needs, and only the columns the
rules use are read (no free text).

Statements are SQLAlchemy Core; they are compiled for the session's dialect and the rows are fetched
straight from the DB-API cursor (SQLAlchemy's per-row result processing costs more than the query on
200k rows). Types are then fixed column-wise: dates → pandas timestamps (NaT for blank), yes/no →
bool (blank → False), money → float (blank → NaN). Bound parameters are plain text and integers only.

``load_rule_frames`` bundles what ``lib.rules.lights`` needs for a window of periods; ``lib.rules.league`` adds
the region tables (``regions``, ``region_targets``, ``region_stats``).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np
import pandas as pd
from sqlalchemy import and_, not_, or_, select, true
from sqlalchemy.orm import Session

from lib import periods
from lib.rules import shared
from lib.store.models import (
    MonthlyPlan,
    MonthlyReport,
    Problem,
    Project,
    ProjectYear,
    Region,
    RegionStat,
    RegionTarget,
)

PAID_COLUMNS = ("central_budget_paid", "special_bond_paid", "treasury_bond_paid")
ALLOCATED_COLUMNS = ("central_budget", "special_bond", "treasury_bond")


# --- column helpers -------------------------------------------------------------------------------

def as_bool(values: pd.Series) -> pd.Series:
    """True only where the value is truthy (True/1); None/NaN/False → False."""
    if len(values) == 0:
        return pd.Series(dtype=bool, index=values.index)
    s = values.astype(object)
    return s.where(s.notna(), False).astype(bool)


def as_float(values: pd.Series, fill: float | None = None) -> pd.Series:
    """Numbers (None → NaN; anything that is not a number → NaN)."""
    try:  # fast path: floats, ints and None
        out = pd.Series(np.asarray(values.to_numpy(dtype=object), dtype=float), index=values.index)
    except (TypeError, ValueError):
        out = pd.to_numeric(values, errors="coerce").astype(float)
    return out.fillna(fill) if fill is not None else out


def as_date(values: pd.Series) -> pd.Series:
    """Dates (``datetime.date`` from PostgreSQL, ISO text from SQLite) → datetime64, NaT for blank."""
    if len(values) == 0:
        return pd.Series(dtype="datetime64[ns]", index=values.index)
    return pd.to_datetime(values.astype(object), errors="coerce")


def month_index(values: pd.Series) -> pd.Series:
    """Y×12+m of a column of timestamps/dates (or blanks) as float (NaN for blank)."""
    if len(values) == 0:
        return pd.Series(dtype=float, index=values.index)
    ts = values if pd.api.types.is_datetime64_any_dtype(values) else as_date(values)
    return (ts.dt.year * 12 + ts.dt.month).astype(float)


def period_index(values: pd.Series) -> pd.Series:
    """Y×12+m of a column of ``YYYY-MM`` texts (NaN for blank). Periods repeat a lot, so each
    distinct text is parsed once."""
    if len(values) == 0:
        return pd.Series(dtype=float, index=values.index)
    codes, uniques = pd.factorize(values.to_numpy(dtype=object))
    lookup = np.empty(len(uniques) + 1, dtype=float)
    for i, p in enumerate(uniques):
        try:
            lookup[i] = float(periods.index(p))
        except (AttributeError, ValueError, TypeError):
            lookup[i] = np.nan
    lookup[-1] = np.nan  # factorize gives −1 for blanks
    return pd.Series(lookup[codes], index=values.index)


# --- reading --------------------------------------------------------------------------------------

def _read(session: Session, stmt, dates: Sequence[str] = (), bools: Sequence[str] = (),
          floats: Sequence[str] = (), ints: Sequence[str] = ()) -> pd.DataFrame:
    """Run a Core ``select`` on the session's connection (same transaction) and return a DataFrame
    with its column names, also when there are no rows."""
    conn = session.connection()
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.params
    if compiled.positional:
        params = tuple(params[name] for name in compiled.positiontup)
    cols = [c.key for c in stmt.selected_columns]
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        cursor.execute(str(compiled), params)
        rows = cursor.fetchall()
    finally:
        cursor.close()
    if rows:
        # object columns: pandas' default Arrow-backed strings cost more to build and to iterate
        # than they save here
        df = pd.DataFrame(rows, columns=cols, dtype=object)
    else:
        df = pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    for c in dates:
        df[c] = as_date(df[c])
    for c in bools:
        df[c] = as_bool(df[c])
    for c in floats:
        df[c] = as_float(df[c])
    for c in ints:
        df[c] = pd.to_numeric(df[c], errors="coerce").astype("int64") if len(df) else \
            pd.Series(dtype="int64")
    return df


def _codes_filter(column, project_codes: Sequence[str] | None):
    if project_codes is None:
        return None
    return column.in_(list(project_codes))


def _where_codes(stmt, column, project_codes):
    cond = _codes_filter(column, project_codes)
    return stmt if cond is None else stmt.where(cond)


# --- single-table loaders -------------------------------------------------------------------------

_FACT_COLUMNS = ("project_name", "region_code", "sector", "level", "industrial", "tags",
                 "total_investment", "unit", "leader", "lon", "lat", *ALLOCATED_COLUMNS,
                 "planned_start", "actual_start")
_FACT_TYPES = dict(dates=("planned_start", "actual_start"), bools=("industrial",),
                   floats=("total_investment", "lon", "lat", *ALLOCATED_COLUMNS))


def project_years(session: Session, years: Iterable[int],
                  project_codes: Sequence[str] | None = None) -> pd.DataFrame:
    """Project years of ``years`` joined to their projects' static facts (one row per project-year).
    Two reads (the years, and each project's facts once) merged in pandas, so that a project that is
    in two years does not bring its facts twice."""
    years = sorted({int(y) for y in years})
    p, py = Project.__table__.c, ProjectYear.__table__.c
    ys = select(py.project_code, py.year, py.library, py.nature, py.annual_plan).where(
        py.year.in_(years))
    ys = _read(session, _where_codes(ys, py.project_code, project_codes),
               floats=("annual_plan",), ints=("year",))
    facts = select(
        p.code.label("project_code"), p.name.label("project_name"), p.region_code, p.sector, p.level,
        p.industrial, p.tags, p.total_investment, p.unit, p.leader, p.lon, p.lat,
        p.central_budget, p.special_bond, p.treasury_bond, p.planned_start, p.actual_start,
    ).where(p.code.in_(select(py.project_code).where(py.year.in_(years))))
    facts = _read(session, _where_codes(facts, p.code, project_codes), **_FACT_TYPES)
    if not len(ys):
        for c in _FACT_COLUMNS:
            ys[c] = facts[c].iloc[:0] if c in facts else pd.Series(dtype=object)
        return ys
    codes = pd.Index(facts["project_code"].to_numpy(dtype=object), dtype=object)
    pos = codes.get_indexer(pd.Index(ys["project_code"].to_numpy(dtype=object), dtype=object))
    ys = ys[pos >= 0].reset_index(drop=True)
    pos = pos[pos >= 0]
    for c in _FACT_COLUMNS:
        ys[c] = facts[c].to_numpy()[pos]
    return ys


def _report_columns(r):
    return (r.project_code, r.period, r.ytd_completed, r.started, r.actual_start, r.in_stats,
            *[r[c] for c in PAID_COLUMNS])


_REPORT_TYPES = dict(dates=("actual_start",), bools=("started", "in_stats"),
                     floats=("ytd_completed", *PAID_COLUMNS))


def reports(session: Session, first_period: str, last_period: str,
            project_codes: Sequence[str] | None = None) -> pd.DataFrame:
    """Monthly reports with first_period ≤ period ≤ last_period (text range on ``YYYY-MM``).
    Only the rule columns: project_code, period, ytd_completed, started, actual_start, in_stats and
    the three paid columns. Blank figures stay NaN here (the rules count them as 0)."""
    r = MonthlyReport.__table__.c
    stmt = select(*_report_columns(r)).where(r.period.between(first_period, last_period))
    stmt = _where_codes(stmt, r.project_code, project_codes)
    return _read(session, stmt, **_REPORT_TYPES)


def _candidates(years: Iterable[int], project_codes: Sequence[str] | None,
                without_own_start: bool = False):
    """SELECT of the codes of projects with a project year in ``years`` (optionally only those with
    no 实际开工 date of their own)."""
    p, py = Project.__table__.c, ProjectYear.__table__.c
    stmt = select(p.code.label("pc")).where(
        p.code.in_(select(py.project_code).where(py.year.in_(sorted({int(y) for y in years})))))
    if without_own_start:
        stmt = stmt.where(p.actual_start.is_(None))
    return _where_codes(stmt, p.code, project_codes)


def _one_report_per_project(session: Session, candidates, column_names: Sequence[str],
                            period_cond, descending: bool, extra=None):
    """SELECT, per candidate project, the columns of its first (or last) report meeting
    ``period_cond`` (and ``extra``): an ``ORDER BY period LIMIT 1`` per project on the
    (project_code, period) primary key, which stops at the first matching row instead of
    aggregating every row. PostgreSQL runs it as a LATERAL join; SQLite (no LATERAL) as a
    correlated scalar subquery joined back to the report."""
    cands = candidates.subquery("cands")
    inner = MonthlyReport.__table__.alias("inner_r")
    order = inner.c.period.desc() if descending else inner.c.period.asc()
    if session.connection().dialect.name == "postgresql":
        pick = select(*[inner.c[c] for c in column_names]).where(
            inner.c.project_code == cands.c.pc, period_cond(inner.c))
        if extra is not None:
            pick = pick.where(extra(inner.c))
        lat = pick.order_by(order).limit(1).lateral("picked")
        return select(*[lat.c[c] for c in column_names]).select_from(cands.join(lat, true()))
    pick = select(inner.c.period).where(inner.c.project_code == cands.c.pc, period_cond(inner.c))
    if extra is not None:
        pick = pick.where(extra(inner.c))
    pick = pick.order_by(order).limit(1).correlate(cands).scalar_subquery()
    chosen = select(cands.c.pc, pick.label("picked")).subquery("chosen")
    r = MonthlyReport.__table__.c
    src = MonthlyReport.__table__.join(
        chosen, and_(r.project_code == chosen.c.pc, r.period == chosen.c.picked))
    return select(*[r[c] for c in column_names]).select_from(src)


_REPORT_NAMES = ("project_code", "period", "ytd_completed", "started", "actual_start", "in_stats",
                 *PAID_COLUMNS)


def latest_reports(session: Session, first_period: str, last_period: str,
                   project_codes: Sequence[str] | None = None,
                   years: Iterable[int] | None = None) -> pd.DataFrame:
    """Per project with a project year in ``years`` (default: the year of first_period), its report
    of the highest period in first_period..last_period (same columns as ``reports``)."""
    years = years or [periods.split(first_period)[0]]
    stmt = _one_report_per_project(session, _candidates(years, project_codes), _REPORT_NAMES,
                                   lambda c: c.period.between(first_period, last_period),
                                   descending=True)
    return _read(session, stmt, **_REPORT_TYPES)


def start_evidence_before(session: Session, before_period: str, years: Iterable[int],
                          project_codes: Sequence[str] | None = None) -> pd.DataFrame:
    """Per project with a project year in ``years``, the start evidence of its reports with period <
    before_period that say started=是 (DESIGN.md: each gives its 实际开工日期 if filled, else its
    period): project_code, min_period (the earliest such report without a date), min_date (the
    earliest date such a report gives). One grouped read."""
    from sqlalchemy import case, func

    r = MonthlyReport.__table__.c
    cands = _candidates(years, project_codes).subquery("cands")
    stmt = (select(r.project_code,
                   func.min(case((r.actual_start.is_(None), r.period), else_=None)).label("min_period"),
                   func.min(r.actual_start).label("min_date"))
            .where(r.period < before_period, r.started.is_(True), r.project_code.in_(select(cands.c.pc)))
            .group_by(r.project_code))
    return _read(session, stmt, dates=("min_date",))


def monthly_plans(session: Session, years: Iterable[int],
                  project_codes: Sequence[str] | None = None) -> pd.DataFrame:
    c = MonthlyPlan.__table__.c
    stmt = select(c.project_code, c.year, c.month, c.planned_cumulative).where(
        c.year.in_(sorted({int(y) for y in years})))
    stmt = _where_codes(stmt, c.project_code, project_codes)
    return _read(session, stmt, floats=("planned_cumulative",), ints=("year", "month"))


def problems(session: Session, raised_upto: dt.date | None = None,
             project_codes: Sequence[str] | None = None) -> pd.DataFrame:
    """Problems raised on or before ``raised_upto`` (all when None), with their project's region.
    Dates are timestamps. (The date filter is applied here, not in SQL: problems are few.)"""
    c = Problem.__table__.c
    p = Project.__table__.c
    stmt = select(
        c.id.label("problem_id"), c.project_code, p.region_code, c.category, c.raised_on, c.level,
        c.deadline, c.status, c.closed_on, c.supervise_count,
    ).select_from(Problem.__table__.join(Project.__table__, p.code == c.project_code))
    stmt = _where_codes(stmt, c.project_code, project_codes)
    df = _read(session, stmt, dates=("raised_on", "deadline", "closed_on"))
    if raised_upto is not None and len(df):
        df = df[df["raised_on"] <= pd.Timestamp(raised_upto)].reset_index(drop=True)
    return df


def rule_problems(session: Session, raised_upto: dt.date | None = None,
                  project_codes: Sequence[str] | None = None,
                  only_needed: tuple[dt.date, dt.date] | None = None) -> pd.DataFrame:
    """The problem columns the rules read (lights: overdue; league: closure), from the problems table
    alone (no join, no free text): problem_id, project_code, raised_on, deadline, status, closed_on,
    raised on or before ``raised_upto`` (all when None; filtered here as in ``problems``).

    ``only_needed=(since, open_at)`` leaves out, in SQL, the problems no rule can read: those raised
    before ``since`` (the league's closure rate counts problems raised since January) that are, at
    every as-of ≥ ``open_at``, either closed (not open at open_at, lib.rules.shared) or not
    overdue (no deadline, or deadline ≥ raised_upto, the latest as-of)."""
    c = Problem.__table__.c
    stmt = select(c.id.label("problem_id"), c.project_code, c.raised_on, c.deadline, c.status,
                  c.closed_on)
    stmt = _where_codes(stmt, c.project_code, project_codes)
    if only_needed is not None and raised_upto is not None:
        since, open_at = only_needed
        closed_for_good = not_(shared.open_at_sql(c, open_at))
        may_be_overdue = and_(c.deadline.is_not(None), c.deadline < raised_upto)
        stmt = stmt.where(or_(c.raised_on >= since, and_(not_(closed_for_good), may_be_overdue)))
    df = _read(session, stmt, dates=("raised_on", "deadline", "closed_on"))
    if raised_upto is not None and len(df):
        df = df[df["raised_on"] <= pd.Timestamp(raised_upto)].reset_index(drop=True)
    return df


def regions(session: Session) -> pd.DataFrame:
    """All regions in display order: region_code, region_name, kind, display_order, lon, lat."""
    c = Region.__table__.c
    df = _read(session, select(c.code.label("region_code"), c.name.label("region_name"), c.kind,
                               c.display_order, c.lon, c.lat), floats=("lon", "lat"))
    if len(df):
        df["display_order"] = pd.to_numeric(df["display_order"], errors="coerce").fillna(0)
        df = df.sort_values(["display_order", "region_code"], kind="stable").reset_index(drop=True)
    return df


def region_targets(session: Session, year: int) -> pd.DataFrame:
    """region_code, growth_target (percent) for ``year``."""
    c = RegionTarget.__table__.c
    return _read(session, select(c.region_code, c.growth_target).where(c.year == int(year)),
                 floats=("growth_target",))


def region_stats(session: Session, period: str) -> pd.DataFrame:
    """region_code, growth (FAI cumulative growth, percent) at ``period``."""
    c = RegionStat.__table__.c
    return _read(session, select(c.region_code, c.growth).where(c.period == period),
                 floats=("growth",))


def has_reports(session: Session, period: str) -> bool:
    """Does the store hold any monthly report for ``period``?"""
    r = MonthlyReport.__table__.c
    return session.connection().execute(
        select(r.project_code).where(r.period == period).limit(1)).first() is not None


# --- the bundle the light rules use ---------------------------------------------------------------

@dataclass
class RuleFrames:
    """Everything the light rules read to evaluate any period of first_period..last_period (the
    "window": the period asked for and the months before it that persistence looks at).

    Every frame carries ``pid``, an integer id per project (ids follow the sorted project codes).
    projects: project years of every year the window touches, joined to projects (column ``year``),
        with is_annual, is_new, planned_idx, own_start_idx (Y×12+m) and alloc_sum.
    reports: every report inside the window, plus, per project, its latest report from January of the
        window's first year up to the month before the window. That is all that "the latest report
        ≤ P in Y", "a report for P" and "months without a report" need for any P in the window,
        without moving a whole year of rows. Sorted by pid, period; ``pidx`` = Y×12+m; paid_sum.
    first_started: the start evidence of the reports ≤ last_period that say started=是 (pid, pidx =
        the report's month, start_idx = the month it gives): one row per report inside the window,
        one row per project for all its earlier reports (pidx = the month before the window,
        start_idx = the earliest month they give) — earlier years included.
    plans: monthly plans of the years touched.
    problems: problems raised on or before the latest as-of date (dates as pandas timestamps),
        with is_closed (status 已销号); when loaded with ``earliest_as_of``, only those raised since
        January of the window's first year and those that may be open and overdue at some as-of.
    """

    first_period: str
    last_period: str
    years: list[int]
    projects: pd.DataFrame
    reports: pd.DataFrame
    first_started: pd.DataFrame
    plans: pd.DataFrame
    problems: pd.DataFrame
    # the approvals 前期 dimension (lib.rules.pipeline): every 手续 of the window's projects (pid, kind,
    # planned_on, done_on, status) and the 开工即停工 projects judged at the last period (pid, name,
    # m_e = the event's month index; a month P counts it when m_e + 2 ≤ P)
    approvals: pd.DataFrame = None
    stalled: pd.DataFrame = None


def load_rule_frames(session: Session, first_period: str, last_period: str,
                     raised_upto: dt.date | None = None,
                     project_codes: Sequence[str] | None = None,
                     earliest_as_of: dt.date | None = None) -> RuleFrames:
    """Load the rule inputs for every period in first_period..last_period (six or seven reads).
    ``earliest_as_of``: the earliest as-of any light will be judged with; when given, problems raised
    before January of first_period's year that are closed by then or cannot be overdue by
    ``raised_upto`` are not read (no rule looks at them; see ``rule_problems``)."""
    y0, m0 = periods.split(first_period)
    y1, _ = periods.split(last_period)
    years = list(range(y0, y1 + 1))
    raised_upto = raised_upto or periods.last_day(last_period)

    projects = project_years(session, years, project_codes)
    # one integer id per project (in project_code order): every alignment below is on integers
    codes = pd.Index(np.sort(pd.unique(projects["project_code"].to_numpy(dtype=object))), dtype=object)

    def pid(df: pd.DataFrame) -> pd.DataFrame:
        df["pid"] = codes.get_indexer(pd.Index(df["project_code"].to_numpy(dtype=object),
                                               dtype=object)) if len(df) else np.zeros(0, dtype=int)
        return df[df["pid"] >= 0]

    projects = pid(projects)
    projects = projects.iloc[np.lexsort((projects["year"].to_numpy(), projects["pid"].to_numpy()))]
    projects = projects.reset_index(drop=True)
    projects["is_annual"] = (projects["library"] == "annual").to_numpy(dtype=bool)
    projects["is_new"] = (projects["nature"] == "new").to_numpy(dtype=bool)
    projects["planned_idx"] = month_index(projects["planned_start"])
    projects["own_start_idx"] = month_index(projects["actual_start"])
    projects["alloc_sum"] = projects[list(ALLOCATED_COLUMNS)].astype(float).fillna(0.0).sum(axis=1)

    window = reports(session, first_period, last_period, project_codes)
    parts = [window]
    if m0 > 1:  # the latest report of the first year before the window
        parts.insert(0, latest_reports(session, f"{y0:04d}-01", periods.previous(first_period),
                                       project_codes))
    parts = [p for p in parts if len(p)]
    reps = pd.concat(parts, ignore_index=True) if len(parts) > 1 else (parts[0] if parts else window)
    reps = pid(reps)
    reps["pidx"] = period_index(reps["period"])
    reps["paid_sum"] = reps[list(PAID_COLUMNS)].astype(float).fillna(0.0).sum(axis=1)
    reps = reps.iloc[np.lexsort((reps["pidx"].to_numpy(), reps["pid"].to_numpy()))]
    reps = reps.reset_index(drop=True)

    # start evidence: every started report ≤ last_period gives a month (its 实际开工日期 when filled,
    # else its period); inside the window one row per report, before it one row per project (the
    # earliest month of all its earlier reports, dated to the month before the window)
    in_window = reps["started"].to_numpy(dtype=bool) & (reps["pidx"] >= periods.index(first_period)).to_numpy()
    started_in = reps.loc[in_window, ["pid", "pidx", "actual_start"]]
    started_in = pd.DataFrame({"pid": started_in["pid"].to_numpy(), "pidx": started_in["pidx"].to_numpy(),
                               "start_idx": month_index(started_in["actual_start"]).fillna(
                                   started_in["pidx"]).to_numpy()})
    before = pid(start_evidence_before(session, first_period, years, project_codes))
    before = pd.DataFrame({
        "pid": before["pid"].to_numpy(),
        "pidx": np.full(len(before), float(periods.index(first_period) - 1)),
        "start_idx": np.fmin(period_index(before["min_period"]).to_numpy(dtype=float),
                             month_index(before["min_date"]).to_numpy(dtype=float)),
    })
    fs = pd.concat([before, started_in], ignore_index=True) if len(before) else started_in
    fs = fs.iloc[np.lexsort((fs["pidx"].to_numpy(), fs["pid"].to_numpy()))].reset_index(drop=True)

    needed = (dt.date(y0, 1, 1), earliest_as_of) if earliest_as_of is not None else None
    probs = pid(rule_problems(session, raised_upto, project_codes, only_needed=needed))
    probs["is_closed"] = (probs["status"] == "closed").to_numpy(dtype=bool)

    from lib.rules import pipeline

    appr = pid(pipeline.approvals_frame(session, project_codes))
    stalled = pid(pipeline.stalled_events(session, last_period, raised_upto, project_codes))

    return RuleFrames(
        first_period=first_period,
        last_period=last_period,
        years=years,
        projects=projects,
        reports=reps,
        first_started=fs,
        plans=pid(monthly_plans(session, years, project_codes)),
        problems=probs,
        approvals=appr,
        stalled=stalled,
    )


__all__ = [
    "RuleFrames", "load_rule_frames", "project_years", "reports", "latest_reports",
    "start_evidence_before", "monthly_plans", "problems", "rule_problems", "regions", "region_targets",
    "region_stats", "has_reports", "month_index", "period_index", "as_bool", "as_float", "as_date",
    "PAID_COLUMNS", "ALLOCATED_COLUMNS",
]
