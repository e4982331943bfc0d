"""Data-quality flags of the monthly reports (数据质量) that stay.

DESIGN.md's monthly warnings, computed by one function (``assess``) for the upload preview and for
the store: 累计数下降 ``ytd_drop`` (ytd below the month before), 疑似照抄 ``copied`` (the same ytd three
months running on a project under construction), ``over_plan`` (ytd above k × the annual plan; k is
the stored setting ``import_overrun_factor``, default 1.5), ``month_mismatch`` (本月完成 differs
from the change in 本年累计) and ``lag_no_note`` (behind 序时进度 by more than the yellow progress
gap, the stored ``progress_yellow_gap``, with no 偏差说明).

A flag is ``{"code", "column", "value", "params"}``; its text is the i18n key ``qf_<code>`` filled
with ``params``. The flags of a report row are stored as JSON in ``monthly_reports.flags``, and
``refresh`` recomputes them for the rows an upload (or its undo) wrote and the two months after
them, so a corrected report clears a flag it caused. ``flag_table`` lists the stored flags for the
数据质量 page, the project file and the league page's detail.
"""
from __future__ import annotations

import json
from typing import Any

import pandas as pd
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from lib import periods
from lib.access.scope import of as region_scope
from lib.i18n import t
from lib.store.models import (
    MonthlyPlan,
    MonthlyReport,
    Project,
    ProjectYear,
    Region,
    Setting,
)

FLAG_CODES = ("ytd_drop", "copied", "over_plan", "month_mismatch", "lag_no_note")
# settings the flags read (stored by the office like the light thresholds)
OVER_PLAN_KEY, OVER_PLAN_DEFAULT = "import_overrun_factor", 1.5  # the name lib.rules.settings gives it
LAG_KEY, LAG_DEFAULT = "progress_yellow_gap", -10.0

Key = tuple[str, str]  # (project code, period)


def _chunks(seq: list, n: int = 900):
    for i in range(0, len(seq), n):
        yield seq[i:i + n]


def _setting(session: Session, key: str, default: float) -> float:
    """A stored setting's value (the office's), else its default."""
    row = session.get(Setting, key)
    if row is None:
        return default
    try:
        return float(json.loads(row.value))
    except (TypeError, ValueError):
        return default


def thresholds(session: Session) -> dict[str, float]:
    """The office's stored thresholds (lib.rules.settings), the defaults where none is stored."""
    from lib.rules import settings as settings_mod

    stored = settings_mod.load(session)
    over = stored.get(OVER_PLAN_KEY)
    lag = stored.get(LAG_KEY)
    return {"over_plan": float(over) if over is not None else _setting(session, OVER_PLAN_KEY, OVER_PLAN_DEFAULT),
            "lag": float(lag) if lag is not None else _setting(session, LAG_KEY, LAG_DEFAULT)}


def _same(a, b) -> bool:
    return a is not None and b is not None and abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(a)))


def assess(session: Session, keys: list[Key], overlay: dict[Key, dict] | None = None) -> dict[Key, list[dict]]:
    """The flags of each (project, period) in ``keys``: the store's reports with ``overlay`` (an
    upload's rows, {key: values}) laid over them. A key with no ytd (no report) has no flags."""
    from lib.intake.importer import _expected  # the progress rule the importer uses

    overlay = overlay or {}
    keys = list(dict.fromkeys(keys))
    if not keys:
        return {}
    codes = sorted({c for c, _ in keys})
    idxs = {periods.index(p) for _, p in keys}
    need = sorted({periods.from_index(k) for i in idxs for k in (i, i - 1, i - 2)})
    years = sorted({int(p[:4]) for p in need})
    rep: dict[tuple[str, int], dict] = {}
    for ch in _chunks(codes):
        for r in session.execute(select(MonthlyReport.project_code, MonthlyReport.period, MonthlyReport.ytd_completed,
                                        MonthlyReport.month_completed, MonthlyReport.started,
                                        MonthlyReport.variance_note)
                                 .where(MonthlyReport.period.in_(need), MonthlyReport.project_code.in_(ch))):
            rep[(r.project_code, periods.index(r.period))] = {
                "ytd_completed": r.ytd_completed, "month_completed": r.month_completed, "started": r.started,
                "variance_note": r.variance_note}
    for (c, p), v in overlay.items():
        cur = dict(rep.get((c, periods.index(p)), {}))
        cur.update({k: v[k] for k in ("ytd_completed", "month_completed", "started", "variance_note") if k in v})
        rep[(c, periods.index(p))] = cur
    projects: dict[str, dict] = {}
    pyears: dict[tuple[str, int], dict] = {}
    plans: dict[tuple[str, int], dict[int, float]] = {}  # (code, year) → {month: planned cumulative}
    for ch in _chunks(codes):
        for r in session.execute(select(Project.code, Project.planned_start, Project.actual_start, Project.actual_end)
                                 .where(Project.code.in_(ch))):
            projects[r.code] = r._asdict()
        for c, yr, lib_, nat, plan in session.execute(
                select(ProjectYear.project_code, ProjectYear.year, ProjectYear.library, ProjectYear.nature,
                       ProjectYear.annual_plan).where(ProjectYear.year.in_(years), ProjectYear.project_code.in_(ch))):
            pyears[(c, yr)] = {"library": lib_, "nature": nat, "annual_plan": plan}
        for c, yr, mo, cum in session.execute(
                select(MonthlyPlan.project_code, MonthlyPlan.year, MonthlyPlan.month, MonthlyPlan.planned_cumulative)
                .where(MonthlyPlan.year.in_(years), MonthlyPlan.project_code.in_(ch))):
            plans.setdefault((c, yr), {})[mo] = cum
    th = thresholds(session)
    out: dict[Key, list[dict]] = {}
    for code, period in keys:
        y, m = periods.split(period)
        k = periods.index(period)
        v = rep.get((code, k)) or {}
        cur = v.get("ytd_completed")
        flags: list[dict] = []
        out[(code, period)] = flags
        if cur is None:
            continue

        def ytd_at(j: int, code: str = code):
            return (rep.get((code, j)) or {}).get("ytd_completed")

        prev = ytd_at(k - 1) if m > 1 else 0.0
        prev2 = ytd_at(k - 2) if m > 2 else None
        if m > 1 and prev is not None and cur < prev - 1e-9:
            flags.append({"code": "ytd_drop", "column": "ytd_completed", "value": cur,
                          "params": {"cur": f"{cur:,.2f}", "prev": f"{prev:,.2f}",
                                     "prev_period": periods.fmt_period(periods.previous(period))}})
        mc = v.get("month_completed")
        if mc is not None and prev is not None and round(mc - (cur - prev), 2) != 0:
            flags.append({"code": "month_mismatch", "column": "month_completed", "value": mc,
                          "params": {"mc": f"{mc:,.2f}", "diff": f"{cur - prev:,.2f}", "cur": f"{cur:,.2f}",
                                     "prev": f"{prev:,.2f}"}})
        proj = projects.get(code, {})
        started = any((rep.get((code, j)) or {}).get("started") for j in (k, k - 1, k - 2)) or (
            proj.get("actual_start") is not None and periods.month_index(proj["actual_start"]) <= k)
        finished = proj.get("actual_end") is not None and periods.month_index(proj["actual_end"]) <= k
        if (m > 2 and prev is not None and prev2 is not None and started and not finished
                and _same(cur, prev) and _same(prev, prev2)):
            flags.append({"code": "copied", "column": "ytd_completed", "value": cur,
                          "params": {"cur": f"{cur:,.2f}"}})
        py = pyears.get((code, y))
        plan = py["annual_plan"] if py else None
        if plan and plan > 0:
            if cur > th["over_plan"] * plan + 1e-9:
                flags.append({"code": "over_plan", "column": "ytd_completed", "value": cur,
                              "params": {"cur": f"{cur:,.2f}", "plan": f"{plan:,.2f}", "k": f"{th['over_plan']:g}"}})
            if py["library"] == "annual":
                e = _expected(py, proj, y, m, plans.get((code, y)))
                if e > 0:
                    r_ = round(cur / plan, 4)
                    gap = round((r_ - round(e, 4)) * 100, 2)
                    if gap < th["lag"] and not (v.get("variance_note") or "").strip():
                        flags.append({"code": "lag_no_note", "column": "variance_note", "value": "",
                                      "params": {"rate": f"{r_ * 100:.1f}", "expected": f"{e * 100:.1f}",
                                                 "lag": f"{-gap:.1f}"}})
    return out


def message(flag: dict, lang: str = "zh") -> str:
    return t(f"qf_{flag['code']}", lang, **flag.get("params", {}))


def refresh(session: Session, keys: list[Key]) -> int:
    """Recompute and store the flags of the report rows ``keys`` and of the two months after each
    (same year), from the store as it now stands. Returns how many rows changed."""
    targets: set[Key] = set()
    for code, period in keys:
        y, _m = periods.split(period)
        for j in range(3):
            p = periods.shift(period, j)
            if int(p[:4]) == y:
                targets.add((code, p))
    if not targets:
        return 0
    codes = sorted({c for c, _ in targets})
    pset = sorted({p for _, p in targets})
    current: dict[Key, str | None] = {}
    for ch in _chunks(codes):
        for c, p, f in session.execute(select(MonthlyReport.project_code, MonthlyReport.period, MonthlyReport.flags)
                                       .where(MonthlyReport.project_code.in_(ch), MonthlyReport.period.in_(pset))):
            if (c, p) in targets:
                current[(c, p)] = f
    flags = assess(session, sorted(current))
    changes = []
    for key, old in current.items():
        new = json.dumps(flags.get(key) or [], ensure_ascii=False) if flags.get(key) else None
        if new != old:
            changes.append({"c": key[0], "p": key[1], "f": new})
    if changes:
        tbl = MonthlyReport.__table__
        session.connection().execute(
            update(tbl).where(tbl.c.project_code == bindparam("c"), tbl.c.period == bindparam("p"))
            .values(flags=bindparam("f")), changes)
    return len(changes)


def backfill(session: Session, chunk: int = 5000) -> int:
    """Compute the flags of every stored report (a store upgraded to flags, or loaded directly)."""
    keys = [tuple(k) for k in session.execute(select(MonthlyReport.project_code, MonthlyReport.period)
                                             .order_by(MonthlyReport.project_code, MonthlyReport.period))]
    return sum(refresh(session, keys[i:i + chunk]) for i in range(0, len(keys), chunk))


FLAG_COLUMNS = ["region_code", "region_name", "project_code", "project_name", "period", "code", "column",
                "value", "params", "reported_at", "reporter"]


def flag_table(session: Session, year: int | None = None, region_code: str | None = None,
               project_code: str | None = None, through: str | None = None) -> pd.DataFrame:
    """One row per stored flag: region, project, period, flag code, the column and value it is about
    and its message parameters. Filters: year, county, project, periods up to ``through``."""
    q = (select(Project.region_code, Region.name.label("region_name"), MonthlyReport.project_code,
                Project.name.label("project_name"), MonthlyReport.period, MonthlyReport.flags,
                MonthlyReport.reported_at, MonthlyReport.reporter)
         .join(Project, Project.code == MonthlyReport.project_code)
         .join(Region, Region.code == Project.region_code)
         .where(MonthlyReport.flags.is_not(None))
         .order_by(Region.display_order, Project.region_code, MonthlyReport.project_code, MonthlyReport.period))
    if year is not None:
        q = q.where(MonthlyReport.period.like(f"{int(year):04d}-%"))
    if through:
        q = q.where(MonthlyReport.period <= through)
    if region_code:
        q = q.where(region_scope(region_code).where(Project.region_code))
    if project_code:
        q = q.where(MonthlyReport.project_code == project_code)
    rows: list[dict[str, Any]] = []
    for r in session.execute(q):
        for f in json.loads(r.flags or "[]"):
            rows.append({"region_code": r.region_code, "region_name": r.region_name, "project_code": r.project_code,
                         "project_name": r.project_name, "period": r.period, "code": f["code"],
                         "column": f.get("column"), "value": f.get("value"), "params": f.get("params", {}),
                         "reported_at": r.reported_at, "reporter": r.reporter})
    return pd.DataFrame(rows, columns=FLAG_COLUMNS)


def flag_counts(session: Session, year: int, through: str | None = None) -> dict[str, int]:
    """Flags per county (region code → count) in ``year`` up to ``through``."""
    df = flag_table(session, year=year, through=through)
    return {str(k): int(v) for k, v in df.groupby("region_code").size().items()} if len(df) else {}
