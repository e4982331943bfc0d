"""冲刺 — the year-end forecast at the current pace and the monthly completion needed from now on.

For each annual-library project of the year of period P (YYYY-MM, month m):
- ``ytd``: 本年累计完成 reported for P (the latest report of the year up to P);
- ``pace``: the average monthly completion of the last three months up to P — (ytd at P − ytd at
  P−3) / 3, with ytd 0 before January; fewer months at the start of the year (m < 3: ytd / m);
- ``forecast`` = ytd + pace × (12 − m); ``on_track`` = forecast ≥ annual plan;
- ``needed_monthly`` = max(plan − ytd, 0) / (12 − m) (0 in December: nothing left to plan);
- ``shortfall`` = max(plan − forecast, 0).
Counties (and the prefecture) sum ytd, pace, plan, forecast and needed over their projects.
All money in 万元. Pure functions over frames plus readers for the store: ``sprint_frame`` (every
project of the year) and ``project_forecast`` (one project, with the rule's inputs for the project file).
"""
from __future__ import annotations

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from lib.store.models import MonthlyReport, Project, ProjectYear

COLUMNS = ["project_code", "project_name", "region_code", "plan", "ytd", "pace", "forecast",
           "needed_monthly", "shortfall", "on_track", "ytd_before"]


def _period(y: int, m: int) -> str:
    return f"{y:04d}-{m:02d}"


def forecast_rows(plans: pd.DataFrame, ytd_by_period: pd.DataFrame, period: str) -> pd.DataFrame:
    """``plans``: project_code, project_name, region_code, plan. ``ytd_by_period``: project_code,
    period, ytd_completed (any periods). Returns COLUMNS, one row per project of ``plans``."""
    y, m = int(period[:4]), int(period[5:7])
    left = 12 - m
    back = max(m - 3, 0)
    rep = ytd_by_period[(ytd_by_period["period"] >= _period(y, 1)) & (ytd_by_period["period"] <= period)]

    def latest_upto(p: str) -> pd.Series:
        part = rep[rep["period"] <= p].sort_values("period")
        return part.groupby("project_code")["ytd_completed"].last()

    now = latest_upto(period)
    then = latest_upto(_period(y, back)) if back >= 1 else pd.Series(dtype=float)
    out = plans[["project_code", "project_name", "region_code", "plan"]].copy().reset_index(drop=True)
    out["plan"] = pd.to_numeric(out["plan"], errors="coerce").fillna(0.0)
    out["ytd"] = out["project_code"].map(now).astype(float).fillna(0.0)
    before = out["project_code"].map(then).astype(float).fillna(0.0) if back >= 1 else 0.0
    months = min(m, 3)
    out["pace"] = ((out["ytd"] - before) / months).clip(lower=0.0).round(2)
    out["forecast"] = (out["ytd"] + out["pace"] * left).round(2)
    out["needed_monthly"] = ((out["plan"] - out["ytd"]).clip(lower=0.0) / left).round(2) if left else 0.0
    out["shortfall"] = (out["plan"] - out["forecast"]).clip(lower=0.0).round(2)
    out["on_track"] = out["forecast"] >= out["plan"]
    out["ytd_before"] = before  # the pace's starting point: ytd three months back (0 before January)
    return out[COLUMNS]


def inputs(period: str) -> dict:
    """The calendar inputs of the rule for ``period``: ``months`` the pace is averaged over (3, fewer
    in January–February), ``since`` the period the pace starts from (None: the start of the year)
    and ``months_left`` until December."""
    y, m = int(period[:4]), int(period[5:7])
    return {"months": min(m, 3), "since": _period(y, m - 3) if m > 3 else None, "months_left": 12 - m}


def by_region(rows: pd.DataFrame) -> pd.DataFrame:
    """Counties: sums of plan, ytd, pace, forecast, needed_monthly, shortfall; on_track on the sums."""
    g = rows.groupby("region_code", sort=True)[["plan", "ytd", "pace", "forecast", "needed_monthly"]].sum()
    g["shortfall"] = (g["plan"] - g["forecast"]).clip(lower=0.0).round(2)
    g["on_track"] = g["forecast"] >= g["plan"]
    return g.reset_index()


def sprint_frame(session: Session, period: str) -> pd.DataFrame:
    """The projects of the annual library of the period's year with their forecast (COLUMNS)."""
    y = int(period[:4])
    plans = pd.DataFrame(session.execute(
        select(Project.code, Project.name, Project.region_code, ProjectYear.annual_plan)
        .join(ProjectYear, ProjectYear.project_code == Project.code)
        .where(ProjectYear.year == y, ProjectYear.library == "annual")).all(),
        columns=["project_code", "project_name", "region_code", "plan"])
    reps = pd.DataFrame(session.execute(
        select(MonthlyReport.project_code, MonthlyReport.period, MonthlyReport.ytd_completed)
        .where(MonthlyReport.period >= _period(y, 1), MonthlyReport.period <= period)).all(),
        columns=["project_code", "period", "ytd_completed"])
    return forecast_rows(plans, reps, period)


def project_forecast(session: Session, code: str, period: str) -> dict | None:
    """One project's row of ``sprint_frame`` (a dict of COLUMNS plus ``inputs(period)``), None when
    the project is not in the annual library of the period's year."""
    y = int(period[:4])
    plans = pd.DataFrame(session.execute(
        select(Project.code, Project.name, Project.region_code, ProjectYear.annual_plan)
        .join(ProjectYear, ProjectYear.project_code == Project.code)
        .where(Project.code == code, ProjectYear.year == y, ProjectYear.library == "annual")).all(),
        columns=["project_code", "project_name", "region_code", "plan"])
    if plans.empty:
        return None
    reps = pd.DataFrame(session.execute(
        select(MonthlyReport.project_code, MonthlyReport.period, MonthlyReport.ytd_completed)
        .where(MonthlyReport.project_code == code, MonthlyReport.period >= _period(y, 1),
               MonthlyReport.period <= period)).all(),
        columns=["project_code", "period", "ytd_completed"])
    row = forecast_rows(plans, reps, period).iloc[0].to_dict()
    row["on_track"] = bool(row["on_track"])
    return {**row, **inputs(period)}


# The prefecture's own targets (seed 000, 大理州2022年“项目攻坚年”方案): 固投增长10%; 全年计划开工项目
# 在二季度内开工率达到90%以上. Status: met / not met / no figure (never a guessed number).
TARGETS = (
    ("fai_growth", 10.0),      # percent, FAI growth of the year
    ("q2_start_rate", 0.90),   # share of new projects due to start that started, by the end of June
)


def target_status(period: str, start_rate: float | None, growth: float | None) -> list[dict]:
    """[{key, target, value, status}] with status "met", "behind" or "no_data". The start-rate target
    applies from June on (二季度内); before that the current rate is shown against it as "behind"
    or "met" all the same, so the office sees the way to go."""
    out = []
    for key, target in TARGETS:
        value = growth if key == "fai_growth" else start_rate
        if value is None or value != value:
            status = "no_data"
        else:
            status = "met" if value >= target else "behind"
        out.append({"key": key, "target": target, "value": value, "status": status})
    return out


def mean_growth(session: Session, period: str) -> float | None:
    """The counties' mean FAI growth reported for ``period`` (percent), None without statistics."""
    from sqlalchemy import func

    from lib.store.models import RegionStat

    v = session.scalar(select(func.avg(RegionStat.growth)).where(RegionStat.period == period))
    return None if v is None else round(float(v), 2)
