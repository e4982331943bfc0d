"""The project pipeline (DESIGN.md "Project pipeline"): 谋划储备 → 前期手续 → 开工 → 竣工 → 投产.

Stages are derived, never typed. For every project with a project year for Y, at period P (as-of D,
default the last day of P):
  operating 投产  实际投产 ≤ D
  completed 竣工  实际竣工 ≤ D
  building  在建  started by P (the earliest start evidence, as for the lights: the project's own
                  实际开工 and every report ≤ P that says 是否开工=是, its 实际开工日期 else its period)
  preparing 前期  some 前期手续 started (办理中, or 已办结 by D)
  reserve   储备  none of the above

The 7th light dimension ``approvals`` 前期 (``approvals_lights``): for new annual projects not yet
started, each 手续 not done by its 计划办结 date is late by d = D − 计划办结 days: d ≥ 1 yellow,
d > 30 red (settings ``approvals_yellow_days``/``approvals_red_days``); a 手续 not done when the
project's planned start month has come (planned start month ≤ P) is red. Worst 手续 wins. A project
with no 手续 rows is gray (no data), one whose 手续 are all on time green. "开工即停工": a project
presented at a 开工 event that reports no new investment in the two months after the event month
(both months ≤ P) is flagged and its approvals dimension is yellow with that reason (it has started,
so no 手续 rule applies to it any more).

Per region (``compute_pipeline``), over projects of the region:
  n_<stage>            projects with a project year for Y, by stage
  reserve_investment   Σ total investment of the reserve + preparing ones
  annual_plan          Σ annual plan of the annual projects of Y
  reserve_ratio        reserve_investment ÷ annual_plan (大同's goal ≥ 5)
  conversion_rate      of the projects in the reserve library for Y−1 and not started by December of
                       Y−1, the share started in Y by P
  signed, signed_started, signed_started_rate
                       招商引资 projects signed in Y on or before D; of those, started in Y by P
  planned_new, ready, ready_rate
                       new annual projects of Y with a planned start in Y; of those, ready by D
                       (started, or every 手续 except 施工许可 and 其他 done or not needed; a project
                       with no 手续 rows is not known to be ready)
  event_projects       projects presented at an event held in Y on or before D
  stalled_after_event  of those at a 开工 event, the ones 开工即停工
A rate with a zero denominator is blank (n/a). Everything is set-based: a handful of SQL reads.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lib import periods
from lib.store.models import (
    STAGES,
    Approval,
    MonthlyReport,
    Project,
    ProjectEvent,
    ProjectYear,
    Region,
)

PIPELINE_COLUMNS = [
    "region_code", "region_name", "n_reserve", "n_preparing", "n_building", "n_completed", "n_operating",
    "reserve_investment", "annual_plan", "reserve_ratio", "conversion_rate", "signed", "signed_started",
    "signed_started_rate", "planned_new", "ready", "ready_rate", "event_projects", "stalled_after_event",
]
#: 手续 that must be done (or not needed) before 施工许可 for a project to be ready to start
READY_KINDS_EXCLUDED = ("construction_permit", "other")
DEFAULTS = {"approvals_yellow_days": 1, "approvals_red_days": 30}


def _as_of(period: str, as_of: Any) -> dt.date:
    if as_of is None:
        return periods.last_day(period)
    return as_of if isinstance(as_of, dt.date) else periods.parse_date(as_of)


def _month_idx(d) -> float:
    if d is None or (isinstance(d, float) and np.isnan(d)) or pd.isna(d):
        return np.nan
    return d.year * 12 + d.month


def _frame(rows, cols) -> pd.DataFrame:
    return pd.DataFrame([tuple(r) for r in rows], columns=cols) if rows else pd.DataFrame(columns=cols)


def start_months(session: Session, period: str, codes: list[str] | None = None) -> pd.Series:
    """project_code → month index (Y×12+m) of the earliest start evidence ≤ P, for projects that have
    any: the project's own 实际开工, and every report ≤ P that says 是否开工=是 (its 实际开工日期, else its
    period). Projects without evidence are absent."""
    own = _frame(session.execute(select(Project.code, Project.actual_start)
                                 .where(Project.actual_start.is_not(None))).all(), ["code", "d"])
    started = (MonthlyReport.started.is_(True), MonthlyReport.period <= period)
    by_period = session.execute(
        select(MonthlyReport.project_code, func.min(MonthlyReport.period))
        .where(*started, MonthlyReport.actual_start.is_(None)).group_by(MonthlyReport.project_code)).all()
    by_date = session.execute(
        select(MonthlyReport.project_code, func.min(MonthlyReport.actual_start))
        .where(*started, MonthlyReport.actual_start.is_not(None)).group_by(MonthlyReport.project_code)).all()
    out: dict[str, float] = {}
    for code, d in own.itertuples(index=False):
        out[code] = _month_idx(d)
    for code, first_period in by_period:
        out[code] = min(out.get(code, np.inf), periods.index(first_period))
    for code, first_date in by_date:
        out[code] = min(out.get(code, np.inf), _month_idx(first_date))
    s = pd.Series(out, dtype=float)
    if codes is not None:
        s = s[s.index.isin(codes)]
    return s


def _approvals(session: Session, codes=None) -> pd.DataFrame:
    stmt = select(Approval.project_code, Approval.kind, Approval.planned_on, Approval.done_on,
                  Approval.status, Approval.unit)
    return _frame(session.execute(stmt).all(), ["project_code", "kind", "planned_on", "done_on", "status", "unit"])


def approval_done(status, done_on, as_of: dt.date) -> bool:
    """Is this 手续 done (or not needed) at as-of?"""
    if status == "not_needed":
        return True
    if done_on is not None and not pd.isna(done_on):
        return done_on <= as_of
    return status == "done"


def approval_started(status, done_on, as_of: dt.date) -> bool:
    return status == "in_progress" or (status != "not_needed" and approval_done(status, done_on, as_of))


def _projects(session: Session, year: int) -> pd.DataFrame:
    stmt = (select(Project.code, Project.region_code, Project.total_investment, Project.source,
                   Project.signed_on, Project.planned_start, Project.actual_end, Project.actual_operation,
                   ProjectYear.library, ProjectYear.nature, ProjectYear.annual_plan)
            .join(ProjectYear, ProjectYear.project_code == Project.code)
            .where(ProjectYear.year == year))
    return _frame(session.execute(stmt).all(),
                  ["code", "region_code", "total_investment", "source", "signed_on", "planned_start",
                   "actual_end", "actual_operation", "library", "nature", "annual_plan"])


def stages(session: Session, period: str, as_of: Any = None) -> pd.DataFrame:
    """One row per project with a project year for Y: code, region_code, stage and the inputs."""
    as_of = _as_of(period, as_of)
    year, _ = periods.split(period)
    P = periods.index(period)
    pr = _projects(session, year)
    starts = start_months(session, period)
    ap = _approvals(session)
    started_any = set()
    if len(ap):
        mask = [approval_started(s, d, as_of) for s, d in zip(ap["status"], ap["done_on"])]
        started_any = set(ap.loc[mask, "project_code"])
    start_idx = pr["code"].map(starts).astype(float)
    with np.errstate(invalid="ignore"):
        started = (start_idx <= P).to_numpy()
    op = pr["actual_operation"].map(lambda d: d is not None and not pd.isna(d) and d <= as_of).to_numpy(bool)
    done = pr["actual_end"].map(lambda d: d is not None and not pd.isna(d) and d <= as_of).to_numpy(bool)
    prep = pr["code"].isin(started_any).to_numpy()
    stage = np.select([op, done, started, prep], ["operating", "completed", "building", "preparing"], "reserve")
    out = pr.assign(stage=stage, start_idx=start_idx, started=started)
    return out


def _stalled(session: Session, period: str, as_of: dt.date) -> pd.DataFrame:
    """Projects presented at a 开工 event (held ≤ as-of) with both months after the event month ≤ P
    and no new investment in them: project_code, event, held_on, new_investment."""
    P = periods.index(period)
    ev = _frame(session.execute(select(ProjectEvent.project_code, ProjectEvent.name, ProjectEvent.held_on)
                                .where(ProjectEvent.type == "start", ProjectEvent.held_on <= as_of)).all(),
                ["project_code", "name", "held_on"])
    if not len(ev):
        return ev.assign(new_investment=pd.Series(dtype=float))
    ev["m_e"] = ev["held_on"].map(_month_idx).astype(int)
    ev = ev[ev["m_e"] + 2 <= P]
    if not len(ev):
        return ev.assign(new_investment=pd.Series(dtype=float))
    codes = sorted(set(ev["project_code"]))
    lo = periods.from_index(int(ev["m_e"].min()) - 12)
    rep = _frame(session.execute(select(MonthlyReport.project_code, MonthlyReport.period, MonthlyReport.ytd_completed)
                                 .where(MonthlyReport.project_code.in_(codes), MonthlyReport.period >= lo,
                                        MonthlyReport.period <= period)).all(),
                 ["project_code", "period", "ytd"])
    rep["idx"] = rep["period"].map(periods.index)
    by = {c: g.sort_values("idx") for c, g in rep.groupby("project_code")}

    def ytd_at(code: str, idx: int) -> float:
        """The latest ytd reported in idx's year up to idx (0 with none)."""
        g = by.get(code)
        if g is None:
            return 0.0
        year_start = (idx - 1) // 12 * 12 + 1
        g = g[(g["idx"] >= year_start) & (g["idx"] <= idx)]
        return float(g["ytd"].iloc[-1] or 0.0) if len(g) else 0.0

    def new_investment(code: str, m_e: int) -> float:
        end = m_e + 2
        if (end - 1) // 12 == (m_e - 1) // 12:  # same year
            return ytd_at(code, end) - ytd_at(code, m_e)
        dec = (m_e - 1) // 12 * 12 + 12
        return ytd_at(code, dec) - ytd_at(code, m_e) + ytd_at(code, end)

    ev["new_investment"] = [new_investment(c, m) for c, m in zip(ev["project_code"], ev["m_e"])]
    return ev[ev["new_investment"] <= 0].drop(columns=["m_e"])


def approvals_lights(session: Session, period: str, as_of: Any = None, settings: dict | None = None,
                     lang: str = "zh") -> pd.DataFrame:
    """The ``approvals`` 前期 dimension per project with a project year for Y: project_code, light,
    reason, reason_en, max_late_days, stalled (bool). See the module docstring for the rule."""
    from lib.i18n import enum_label, t

    st = {**DEFAULTS, **(settings or {})}
    as_of = _as_of(period, as_of)
    P = periods.index(period)
    sg = stages(session, period, as_of)
    ap = _approvals(session)
    ap = ap[ap["project_code"].isin(sg["code"])]
    stalled = _stalled(session, period, as_of)
    stalled_codes = dict(zip(stalled["project_code"], stalled["name"]))
    info = sg.set_index("code")
    rank = {"gray": 0, "green": 1, "yellow": 2, "red": 3}
    result: dict[str, dict] = {}
    for code in sg["code"]:
        result[code] = {"light": "gray", "reasons": [], "reasons_en": [], "late": np.nan}
    applies = (info["library"].eq("annual") & info["nature"].eq("new") & ~info["started"].astype(bool))
    for row in ap.itertuples(index=False):
        code = row.project_code
        if not applies.get(code, False):
            continue
        r = result[code]
        if r["light"] == "gray":
            r["light"] = "green"
        if approval_done(row.status, row.done_on, as_of):
            continue
        planned_start = info.at[code, "planned_start"]
        due_idx = _month_idx(planned_start)
        light, zh, en = None, None, None
        kind_zh, kind_en = enum_label("approval_kind", row.kind, "zh"), enum_label("approval_kind", row.kind, "en")
        if row.planned_on is not None and not pd.isna(row.planned_on):
            late = (as_of - row.planned_on).days
            if late >= 1:
                r["late"] = np.nanmax([r["late"], late])
                light = "red" if late > st["approvals_red_days"] else ("yellow" if late >= st["approvals_yellow_days"] else None)
                params = dict(kind=kind_zh, month=row.planned_on.month, year=row.planned_on.year, days=late)
                zh = t("pl_reason_late", "zh", **params)
                en = t("pl_reason_late", "en", **{**params, "kind": kind_en})
        if not np.isnan(due_idx) and due_idx <= P:
            light = "red"
            params = dict(kind=kind_zh, period=periods.from_index(int(due_idx)))
            zh2, en2 = t("pl_reason_start_due", "zh", **params), t("pl_reason_start_due", "en", **{**params, "kind": kind_en})
            zh = f"{zh},{zh2}" if zh else zh2
            en = f"{en}; {en2}" if en else en2
        if light is None:
            continue
        if rank[light] > rank[r["light"]]:
            r["light"] = light
        r["reasons"].append(zh)
        r["reasons_en"].append(en)
    for code, event in stalled_codes.items():
        if code not in result:
            continue
        r = result[code]
        if rank["yellow"] > rank[r["light"]]:
            r["light"] = "yellow"
        r["reasons"].append(t("pl_reason_stalled", "zh", event=event))
        r["reasons_en"].append(t("pl_reason_stalled", "en", event=event))
    rows = [{"project_code": c, "light": r["light"], "reason": ";".join(r["reasons"]),
             "reason_en": "; ".join(r["reasons_en"]), "max_late_days": r["late"],
             "stalled": c in stalled_codes} for c, r in result.items()]
    return pd.DataFrame(rows, columns=["project_code", "light", "reason", "reason_en", "max_late_days", "stalled"])


def _ready_codes(ap: pd.DataFrame, as_of: dt.date) -> set[str]:
    pre = ap[~ap["kind"].isin(READY_KINDS_EXCLUDED)]
    if not len(pre):
        return set()
    ok = pd.Series([approval_done(s, d, as_of) for s, d in zip(pre["status"], pre["done_on"])], index=pre.index)
    return set(ok.groupby(pre["project_code"]).all().loc[lambda s: s].index)


def _rate(num: float, den: float) -> float:
    return float(num) / float(den) if den else np.nan


def conversion_pool(session: Session, period: str, starts: pd.Series | None = None) -> pd.DataFrame:
    """The reserve at the end of Y−1 (reserve library for Y−1, not started by December of Y−1):
    code, region_code, converted (started in Y by P)."""
    year, _ = periods.split(period)
    P, y_start = periods.index(period), year * 12 + 1
    starts = start_months(session, period) if starts is None else starts
    prev = _projects(session, year - 1)
    prev = prev[prev["library"].eq("reserve")]
    prev_start = prev["code"].map(starts).astype(float)
    with np.errstate(invalid="ignore"):
        prev = prev[~(prev_start < y_start).to_numpy()]
    converted = prev["code"].map(starts).astype(float).between(y_start, P).to_numpy()
    return prev.assign(converted=converted)[["code", "region_code", "converted"]]


def signed_pool(session: Session, period: str, as_of: Any = None, starts: pd.Series | None = None) -> pd.DataFrame:
    """招商引资 projects signed in Y on or before as-of (with or without a project year):
    code, region_code, signed_on, started (in Y by P)."""
    as_of = _as_of(period, as_of)
    year, _ = periods.split(period)
    P, y_start = periods.index(period), year * 12 + 1
    starts = start_months(session, period) if starts is None else starts
    signed = _frame(session.execute(select(Project.code, Project.region_code, Project.signed_on)
                                    .where(Project.source == "attracted", Project.signed_on.is_not(None))).all(),
                    ["code", "region_code", "signed_on"])
    if len(signed):
        signed = signed[signed["signed_on"].map(lambda d: d.year == year and d <= as_of)]
    started = signed["code"].map(starts).astype(float).between(y_start, P).to_numpy() if len(signed) else []
    return signed.assign(started=pd.Series(started, index=signed.index, dtype=bool))


def compute_pipeline(session: Session, period: str, as_of: Any = None) -> pd.DataFrame:
    """One row per region (display order) with the PIPELINE_COLUMNS of the module docstring."""
    as_of = _as_of(period, as_of)
    year, _ = periods.split(period)
    sg = stages(session, period, as_of)
    starts = start_months(session, period)
    regions = _frame(session.execute(select(Region.code, Region.name).order_by(Region.display_order, Region.code)).all(),
                     ["region_code", "region_name"])
    prev = conversion_pool(session, period, starts)
    signed = signed_pool(session, period, as_of, starts)
    # readiness of planned new starts of Y
    ap = _approvals(session)
    ready = _ready_codes(ap, as_of)
    planned = sg[sg["library"].eq("annual") & sg["nature"].eq("new")
                 & sg["planned_start"].map(lambda d: d is not None and not pd.isna(d) and d.year == year)]
    planned = planned.assign(ready=planned["code"].isin(ready).to_numpy() | planned["started"].astype(bool).to_numpy())
    # events
    ev = _frame(session.execute(select(ProjectEvent.project_code, ProjectEvent.held_on, Project.region_code)
                                .join(Project, Project.code == ProjectEvent.project_code)).all(),
                ["project_code", "held_on", "region_code"])
    if len(ev):
        ev = ev[ev["held_on"].map(lambda d: d.year == year and d <= as_of)]
    stalled = _stalled(session, period, as_of)
    stalled = stalled.merge(_frame(session.execute(select(Project.code, Project.region_code)
                                                   .where(Project.code.in_(sorted(set(stalled["project_code"]))))).all(),
                                   ["project_code", "region_code"]), on="project_code") if len(stalled) else \
        stalled.assign(region_code=pd.Series(dtype=object))

    rows = []
    for code, name in regions.itertuples(index=False):
        g = sg[sg["region_code"] == code]
        counts = g["stage"].value_counts()
        pool = g[g["stage"].isin(("reserve", "preparing"))]
        reserve_inv = float(pool["total_investment"].astype(float).fillna(0).sum())
        annual = g[g["library"].eq("annual")]
        plan = float(annual["annual_plan"].astype(float).fillna(0).sum())
        pv = prev[prev["region_code"] == code]
        sgn = signed[signed["region_code"] == code] if len(signed) else signed
        pn = planned[planned["region_code"] == code]
        evr = ev[ev["region_code"] == code] if len(ev) else ev
        row = {"region_code": code, "region_name": name}
        for s in STAGES:
            row[f"n_{s}"] = int(counts.get(s, 0))
        n_signed, n_signed_started = len(sgn), int(sgn["started"].sum()) if len(sgn) else 0
        row.update({
            "reserve_investment": reserve_inv, "annual_plan": plan,
            "reserve_ratio": _rate(reserve_inv, plan),
            "conversion_rate": _rate(int(pv["converted"].sum()), len(pv)),
            "reserve_prev": len(pv), "converted": int(pv["converted"].sum()),
            "signed": n_signed, "signed_started": n_signed_started,
            "signed_started_rate": _rate(n_signed_started, n_signed),
            "planned_new": len(pn), "ready": int(pn["ready"].sum()), "ready_rate": _rate(int(pn["ready"].sum()), len(pn)),
            "event_projects": int(evr["project_code"].nunique()) if len(evr) else 0,
            "stalled_after_event": int(stalled.loc[stalled["region_code"] == code, "project_code"].nunique())
            if len(stalled) else 0,
        })
        rows.append(row)
    return pd.DataFrame(rows, columns=PIPELINE_COLUMNS + ["reserve_prev", "converted"])


def area_totals(table: pd.DataFrame) -> dict:
    """The whole area's figures from the per-region table (sums, and rates of the sums)."""
    s = {c: float(table[c].sum()) for c in table.columns if c.startswith("n_") or c in (
        "reserve_investment", "annual_plan", "signed", "signed_started", "planned_new", "ready",
        "event_projects", "stalled_after_event", "reserve_prev", "converted")}
    s["reserve_ratio"] = _rate(s["reserve_investment"], s["annual_plan"])
    s["conversion_rate"] = _rate(s["converted"], s["reserve_prev"])
    s["signed_started_rate"] = _rate(s["signed_started"], s["signed"])
    s["ready_rate"] = _rate(s["ready"], s["planned_new"])
    return s


def event_outcomes(session: Session, period: str, as_of: Any = None) -> pd.DataFrame:
    """Every project presented at an event held on or before as-of, and what happened after:
    name, held_on, type, project_code, project_name, region_code, outcome (started/not_started for
    签约; stalled/investing/too_early for 开工; operating/not_operating for 投产), start_period."""
    as_of = _as_of(period, as_of)
    P = periods.index(period)
    ev = _frame(session.execute(
        select(ProjectEvent.name, ProjectEvent.held_on, ProjectEvent.type, ProjectEvent.project_code,
               Project.name, Project.region_code, Project.actual_operation)
        .join(Project, Project.code == ProjectEvent.project_code)
        .where(ProjectEvent.held_on <= as_of)
        .order_by(ProjectEvent.held_on, ProjectEvent.name, ProjectEvent.project_code)).all(),
        ["name", "held_on", "type", "project_code", "project_name", "region_code", "actual_operation"])
    cols = ["name", "held_on", "type", "project_code", "project_name", "region_code", "outcome", "start_period"]
    if not len(ev):
        return pd.DataFrame(columns=cols)
    starts = start_months(session, period, sorted(set(ev["project_code"])))
    stalled = set(_stalled(session, period, as_of)["project_code"])

    def outcome(row) -> str:
        if row.type == "signing":
            return "started" if row.project_code in starts.index else "not_started"
        if row.type == "operation":
            op = row.actual_operation
            return "operating" if op is not None and not pd.isna(op) and op <= as_of else "not_operating"
        if row.project_code in stalled:
            return "stalled"
        return "investing" if _month_idx(row.held_on) + 2 <= P else "too_early"

    ev["outcome"] = [outcome(r) for r in ev.itertuples(index=False)]
    ev["start_period"] = ev["project_code"].map(lambda c: periods.from_index(int(starts[c])) if c in starts.index else None)
    return ev[cols]


def project_timeline(session: Session, code: str, as_of: Any = None) -> pd.DataFrame:
    """挂图作战 for one project: each 手续 (planned vs actual), then start, completion and operation:
    step, kind, planned, actual, status, late_days (positive when not done after the planned date,
    or done after it)."""
    as_of = as_of if isinstance(as_of, dt.date) else (periods.parse_date(as_of) if as_of else dt.date.today())
    order = {k: i for i, k in enumerate(("initiation", "land_pre", "land", "planning", "eia", "energy",
                                         "construction_permit", "other"))}
    ap = _frame(session.execute(select(Approval.kind, Approval.planned_on, Approval.done_on, Approval.status,
                                       Approval.unit).where(Approval.project_code == code)).all(),
                ["kind", "planned_on", "done_on", "status", "unit"])
    rows = []
    for r in sorted(ap.itertuples(index=False), key=lambda r: order.get(r.kind, 99)):
        done = approval_done(r.status, r.done_on, as_of)
        late = None
        if r.planned_on is not None and not pd.isna(r.planned_on):
            ref = r.done_on if done and r.done_on is not None and not pd.isna(r.done_on) else (None if done else as_of)
            late = (ref - r.planned_on).days if ref is not None else None
        rows.append({"step": "approval", "kind": r.kind, "planned": r.planned_on, "actual": r.done_on,
                     "status": r.status, "unit": r.unit, "late_days": late})
    p = session.get(Project, code)
    if p is not None:
        for step, planned, actual in (("start", p.planned_start, p.actual_start), ("completion", p.planned_end, p.actual_end),
                                      ("operation", p.planned_operation, p.actual_operation)):
            if planned is None and actual is None:
                continue
            late = None
            if planned is not None:
                ref = actual or (as_of if as_of > planned else None)
                late = (ref - planned).days if ref is not None else None
            rows.append({"step": step, "kind": step, "planned": planned, "actual": actual,
                         "status": "done" if actual is not None and actual <= as_of else "pending",
                         "unit": None, "late_days": late})
    return pd.DataFrame(rows, columns=["step", "kind", "planned", "actual", "status", "unit", "late_days"])


def late_approvals(session: Session, period: str, as_of: Any = None) -> pd.DataFrame:
    """要素保障: every 手续 not done at as-of whose 计划办结 has passed, of projects not yet started:
    project_code, region_code, kind, unit, planned_on, late_days — for grouping by kind and 牵头部门."""
    as_of = _as_of(period, as_of)
    sg = stages(session, period, as_of).set_index("code")
    ap = _approvals(session)
    if not len(ap):
        return pd.DataFrame(columns=["project_code", "region_code", "kind", "unit", "planned_on", "late_days"])
    ap = ap[ap["project_code"].isin(sg.index)]
    ap = ap[[not approval_done(s, d, as_of) for s, d in zip(ap["status"], ap["done_on"])]]
    ap = ap[ap["planned_on"].map(lambda d: d is not None and not pd.isna(d) and d < as_of)]
    ap = ap[~ap["project_code"].map(sg["started"]).astype(bool)]
    ap = ap.assign(region_code=ap["project_code"].map(sg["region_code"]),
                   late_days=[(as_of - d).days for d in ap["planned_on"]])
    return ap[["project_code", "region_code", "kind", "unit", "planned_on", "late_days"]].reset_index(drop=True)
