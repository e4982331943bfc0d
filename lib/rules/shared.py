"""The rules more than one surface reads, each defined once (DESIGN.md "Traffic lights").

Expected progress 序时进度 ``e`` for month m of year Y:
- with a monthly plan for Y: the planned cumulative of month m ÷ annual plan, where ``plan_cumulative``
  gives the cumulative of month m from the months the plan gives;
- otherwise linear from s0: e = 0 for m < s0, else (m − s0 + 1)/(13 − s0); s0 = 1 for continuing
  projects (or a new one with no planned start, or planned before Y), the planned start month for a
  new one planned in Y, and e = 0 all year for a new one planned after Y (s0 = 13 here).
``expected_share`` is the exact fraction, ``expected`` the one the lights compare (4 decimals,
half-even on the float). Both work on scalars and numpy arrays alike; the lights, the importer's lag
warning, the cockpit's plan curve and the demo generator all call them.

Open at as-of: a problem is open at ``as_of`` unless it is 已销号 with 办结日期 ≤ as-of. The store
refuses a 已销号 problem without 办结日期 (CHECK ck_problems_closed_has_date, migration
rules_closed_on), so there is one answer. ``is_open_at`` (one problem), ``open_mask`` (pandas) and
``open_at_sql`` (SQLAlchemy) are the three spellings of that one rule.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Mapping

import numpy as np
import pandas as pd

NEVER = 13.0  # s0 of a new project planned to start after the year: e = 0 all year


# --- expected progress ------------------------------------------------------------------------------

def linear_s0(is_new, ps_year, ps_month, year: int):
    """s0 of the linear rule. ``ps_year``/``ps_month``: the planned start (NaN when none)."""
    is_new = np.asarray(is_new, dtype=bool)
    ps_year = np.asarray(ps_year, dtype=float)
    ps_month = np.asarray(ps_month, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.where(is_new & (ps_year == year), ps_month,
                        np.where(is_new & (ps_year > year), NEVER, 1.0))


def linear_share(m, s0):
    """(m − s0 + 1)/(13 − s0), 0 before s0 (and all year for s0 = 13)."""
    s0 = np.asarray(s0, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where((m < s0) | (s0 >= NEVER), 0.0, (m - s0 + 1) / np.maximum(NEVER - s0, 1))


def plan_cumulative(m, before_month, before_value, after_month, after_value):
    """Planned cumulative of month m from the nearest given months: ``before`` = the last given month
    ≤ m (month 0, value 0 when none), ``after`` = the first given month ≥ m (NaN when none).
    Blank months are interpolated linearly between them; after the last given month its value
    carries forward."""
    bm = np.asarray(before_month, dtype=float)
    bv = np.asarray(before_value, dtype=float)
    am = np.asarray(after_month, dtype=float)
    av = np.asarray(after_value, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        between = ~np.isnan(am) & (am > bm)
        interp = bv + (av - bv) * (m - bm) / np.where(between, am - bm, 1.0)
        return np.where(between, interp, bv)


def plan_neighbours(plan_months: Mapping[int, float], m: int) -> tuple[float, float, float, float]:
    """(before_month, before_value, after_month, after_value) of ``plan_cumulative`` for one project's
    plan {month: planned cumulative}."""
    given = {int(k): float(v) for k, v in plan_months.items() if v is not None and v == v}
    before = [k for k in given if k <= m]
    after = [k for k in given if k >= m]
    bm = max(before) if before else 0
    am = min(after) if after else np.nan
    return (float(bm), given.get(bm, 0.0), float(am),
            given[int(am)] if after else np.nan)


def plan_neighbours_frame(plans: pd.DataFrame, m: int, idx: pd.Index) -> tuple[np.ndarray, ...]:
    """``plan_neighbours`` for every project of ``idx`` at once. ``plans``: one year's rows with
    columns pid, month, planned_cumulative (blank values ignored)."""
    pl = plans[plans["planned_cumulative"].notna()].sort_values(["pid", "month"], kind="stable")
    before = pl[pl["month"] <= m].drop_duplicates("pid", keep="last").set_index("pid").reindex(idx)
    after = pl[pl["month"] >= m].drop_duplicates("pid", keep="first").set_index("pid").reindex(idx)
    return (before["month"].astype(float).fillna(0.0).to_numpy(),
            before["planned_cumulative"].astype(float).fillna(0.0).to_numpy(),
            after["month"].astype(float).to_numpy(),
            after["planned_cumulative"].astype(float).to_numpy())


def expected_share(m, s0, has_plan, planned_cum, annual_plan):
    """The exact expected fraction: planned_cum ÷ annual_plan where the project has a monthly plan
    (NaN when the annual plan is not > 0), else the linear share from s0."""
    annual_plan = np.asarray(annual_plan, dtype=float)
    ok = annual_plan > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        e_plan = np.where(ok, np.asarray(planned_cum, dtype=float) / np.where(ok, annual_plan, 1.0), np.nan)
    return np.where(np.asarray(has_plan, dtype=bool), e_plan, linear_share(m, s0))


def expected(m, s0, has_plan, planned_cum, annual_plan):
    """``expected_share`` rounded to 4 decimals: the e the lights compare with."""
    return np.round(expected_share(m, s0, has_plan, planned_cum, annual_plan), 4)


def _ym(value) -> tuple[float, float]:
    if value is None or (isinstance(value, float) and value != value) or value is pd.NaT:
        return np.nan, np.nan
    return float(value.year), float(value.month)


def expected_one(year: int, m: int, nature: str | None, planned_start: Any, annual_plan: float | None,
                 plan_months: Mapping[int, float] | None = None, rounded: bool = True) -> float:
    """e for one project-year (``plan_months``: its monthly plan {month: cumulative}, None/empty when
    it has none); 4 decimals unless ``rounded`` is False."""
    ps_y, ps_m = _ym(planned_start)
    s0 = linear_s0(nature == "new", ps_y, ps_m, year)
    has_plan = bool(plan_months)
    cum = plan_cumulative(m, *plan_neighbours(plan_months, m)) if has_plan else 0.0
    fn = expected if rounded else expected_share
    return float(fn(m, s0, has_plan, cum, annual_plan if annual_plan is not None else np.nan))


# --- open at as-of ----------------------------------------------------------------------------------

def is_open_at(status: str | None, closed_on: dt.date | None, as_of: dt.date) -> bool:
    """Open at ``as_of``: not (已销号 with 办结日期 ≤ as-of)."""
    return not (status == "closed" and closed_on is not None and closed_on <= as_of)


def open_mask(status: pd.Series, closed_on: pd.Series, as_of) -> np.ndarray:
    """``is_open_at`` over columns (closed_on as timestamps or dates; blank = none)."""
    ts = pd.Timestamp(as_of)
    closed = pd.to_datetime(closed_on, errors="coerce")
    done = (status == "closed").to_numpy(dtype=bool) & closed.notna().to_numpy() & \
        (closed <= ts).to_numpy(dtype=bool)
    return ~done


def open_at_sql(c, as_of):
    """``is_open_at`` as a SQL condition over the problems table's columns ``c``."""
    from sqlalchemy import and_, not_

    return not_(and_(c.status == "closed", c.closed_on.is_not(None), c.closed_on <= as_of))


__all__ = ["linear_s0", "linear_share", "plan_cumulative", "plan_neighbours", "plan_neighbours_frame",
           "expected_share", "expected", "expected_one", "is_open_at", "open_mask", "open_at_sql"]
