"""The problem table at an as-of date (one row per problem, overdue days), its statistics, the
per-unit scoreboard, urgency order and ageing buckets."""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from lib.access.scope import of as region_scope
from lib.i18n import t
from lib.problems.workflow import _parse_date_field, _today
from lib.rules import shared
from lib.store.models import (
    Problem,
    Project,
)

# --- tables -----------------------------------------------------------------------------------

CLI_COLUMNS = ["problem_id", "project_code", "region_code", "category", "level", "status", "raised_on",
               "deadline", "closed_on", "overdue_days", "supervise_count"]
EXTRA_COLUMNS = ["pk", "project_name", "description", "unit", "leader", "person", "measures", "satisfied",
                 "days_open", "is_open"]


is_open_at = shared.is_open_at  # open at as-of: not (已销号 with 办结日期 ≤ as-of), one rule


def _as_date(value) -> dt.date | None:
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value


def problem_table(session: Session, as_of=None, region_code: str | None = None) -> pd.DataFrame:
    """One row per problem raised on or before ``as_of`` (default today): the DESIGN.md CLI columns
    (problem_id is the problem number, text), then display columns (pk: the internal id). overdue_days is blank (<NA>) unless the problem is open at as-of and
    as-of > deadline, then (as-of − deadline) in days."""
    as_of = _parse_date_field(as_of, "as_of") if as_of is not None else _today()
    stmt = (select(Problem.number.label("problem_id"), Problem.id.label("pk"), Problem.project_code, Project.region_code,
                   Problem.category, Problem.level, Problem.status, Problem.raised_on, Problem.deadline,
                   Problem.closed_on, Problem.supervise_count, Project.name.label("project_name"),
                   Problem.description, Problem.unit, Problem.leader, Problem.person, Problem.measures,
                   Problem.satisfied)
            .join(Project, Project.code == Problem.project_code)
            .where(Problem.raised_on <= as_of).order_by(Problem.id))
    if region_code:
        stmt = stmt.where(region_scope(region_code).where(Project.region_code))
    result = session.connection().execute(stmt)
    names = list(result.keys())
    records = [tuple(r) for r in result.fetchall()]
    df = pd.DataFrame.from_records(records, columns=names) if records else \
        pd.DataFrame({c: pd.Series(dtype=object) for c in names})
    for k in ("raised_on", "deadline", "closed_on"):
        df[k] = pd.Series([_as_date(v) for v in df[k]], index=df.index, dtype=object)
    as_of_ts = pd.Timestamp(as_of)
    raised = pd.to_datetime(df["raised_on"], errors="coerce")
    deadline = pd.to_datetime(df["deadline"], errors="coerce")
    closed = pd.to_datetime(df["closed_on"], errors="coerce")
    is_open = pd.Series(shared.open_mask(df["status"], closed, as_of_ts), index=df.index)
    late = is_open & deadline.notna() & (as_of_ts > deadline)
    overdue = (as_of_ts - deadline).dt.days.where(late)
    end = closed.where(~is_open, as_of_ts)
    df["overdue_days"] = overdue.astype("Int64")
    df["days_open"] = (end - raised).dt.days.astype("Int64")
    df["is_open"] = is_open.astype(bool)
    df["problem_id"] = df["problem_id"].astype(object)  # the problem number (text)
    df["pk"] = df["pk"].astype("int64")
    df["supervise_count"] = pd.to_numeric(df["supervise_count"]).fillna(0).astype("int64")
    df.attrs["as_of"] = as_of
    return df[CLI_COLUMNS + EXTRA_COLUMNS]


def _closed_mask(df: pd.DataFrame) -> pd.Series:
    return ~df["is_open"].astype(bool)


def _on_time_mask(df: pd.DataFrame) -> pd.Series:
    closed = _closed_mask(df)
    on_time = [c is not None and (d is None or c <= d) for c, d in zip(df["closed_on"], df["deadline"])]
    return closed & pd.Series(on_time, index=df.index, dtype=bool)


def problem_stats(df: pd.DataFrame) -> dict:
    """raised, closed (at as-of), closure_rate, closed_on_time (办结日期 ≤ 解决时限, or no time limit),
    open, overdue, avg_days_to_close. Rates are fractions; None when there is no denominator."""
    raised = int(len(df))
    if raised == 0:
        return {"raised": 0, "closed": 0, "closure_rate": None, "closed_on_time": 0, "open": 0,
                "overdue": 0, "avg_days_to_close": None}
    closed = _closed_mask(df)
    n_closed = int(closed.sum())
    days = df.loc[closed, "days_open"].astype("float")
    return {
        "raised": raised,
        "closed": n_closed,
        "closure_rate": round(n_closed / raised, 4),
        "closed_on_time": int(_on_time_mask(df).sum()),
        "open": raised - n_closed,
        "overdue": int(df["overdue_days"].notna().sum()),
        "avg_days_to_close": round(float(days.mean()), 1) if n_closed else None,
    }


UNASSIGNED_UNIT = t("pb_no_unit")  # the Chinese label; unit_scoreboard(lang=…) for another


def unit_scoreboard(df: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Per 责任单位: held (problems), closed, on_time_rate (closed on time ÷ closed), overdue (count),
    max_overdue_days. Worst first: most overdue, then lowest on-time rate."""
    cols = ["unit", "held", "closed", "on_time_rate", "overdue", "max_overdue_days"]
    if len(df) == 0:
        return pd.DataFrame(columns=cols)
    work = pd.DataFrame({
        "unit": df["unit"].fillna("").astype(str).str.strip().replace("", t("pb_no_unit", lang)),
        "closed": _closed_mask(df).astype(int),
        "on_time": _on_time_mask(df).astype(int),
        "overdue": df["overdue_days"].notna().astype(int),
        "od": df["overdue_days"].astype("float"),
    })
    g = work.groupby("unit", sort=True)
    out = pd.DataFrame({
        "held": g.size(),
        "closed": g["closed"].sum(),
        "on_time": g["on_time"].sum(),
        "overdue": g["overdue"].sum(),
        "max_overdue_days": g["od"].max(),
    }).reset_index()
    out["on_time_rate"] = [round(o / c, 4) if c else float("nan") for o, c in zip(out["on_time"], out["closed"])]
    out["max_overdue_days"] = out["max_overdue_days"].astype("Int64")
    out = out.sort_values(["overdue", "max_overdue_days", "on_time_rate", "unit"],
                          ascending=[False, False, True, True], na_position="last")
    return out[cols].reset_index(drop=True)


def urgency_order(df: pd.DataFrame) -> pd.DataFrame:
    """Most urgent first: overdue (most days first), then open by nearest deadline, then closed."""
    key_overdue = df["overdue_days"].astype("float").fillna(-1)
    deadline = pd.to_datetime(df["deadline"], errors="coerce")
    return df.assign(_o=-key_overdue, _c=~df["is_open"].astype(bool), _d=deadline).sort_values(
        ["_c", "_o", "_d", "pk"], na_position="last").drop(columns=["_o", "_c", "_d"])


FILTER_COLUMNS = ("project_code", "category", "level", "status", "unit", "leader")


def filter_problems(df: pd.DataFrame, region_code: str | None = None, raised: tuple | None = None,
                    overdue_only: bool = False, **chosen) -> pd.DataFrame:
    """The rows of the problem table a filter keeps: one county, a value list for any of
    FILTER_COLUMNS (an empty list keeps every row), raised between two dates, overdue only. The
    rows keep their order (a table sorted by urgency stays sorted)."""
    if region_code:
        df = df[region_scope(region_code).mask(df["region_code"]).to_numpy()]
    for col in FILTER_COLUMNS:
        values = chosen.get(col)
        if values:
            df = df[df[col].isin(list(values))]
    if raised and len(raised) == 2:
        df = df[(df["raised_on"] >= raised[0]) & (df["raised_on"] <= raised[1])]
    if overdue_only:
        df = df[df["overdue_days"].notna()]
    return df


def ageing_bucket(days: int | None) -> str | None:
    """≤7, 8–30, 31–90, >90 days."""
    if days is None or days is pd.NA:
        return None
    if days <= 7:
        return "le7"
    if days <= 30:
        return "8_30"
    if days <= 90:
        return "31_90"
    return "gt90"


AGEING_BUCKETS = ("le7", "8_30", "31_90", "gt90")


