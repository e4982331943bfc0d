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

import bisect
import datetime as dt
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import case, func, select, true
from sqlalchemy.orm import Session

from lib import periods
from lib.rules import frames as fr_mod
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


# --- reading: a handful of SQL reads, once per call ----------------------------------------------------

def start_months(session: Session, period: str, codes: list[str] | None = None) -> pd.Series:
    """project_code → month index (Y×12+m) of the earliest start evidence ≤ P, for projects that have
    any: the project's own 实际开工, and every report ≤ P that says 是否开工=是 (its 实际开工日期, else its
    period). Projects without evidence are absent.

    One read, one row per project: two correlated minima that the index
    ``ix_monthly_reports_start_evidence`` (project_code, started, actual_start, period) answers with a
    seek each, instead of grouping every monthly report (~1M at province scale)."""
    def earliest(column, *where):
        return (select(func.min(column))
                .where(MonthlyReport.project_code == Project.code, MonthlyReport.started == true(),
                       MonthlyReport.period <= period, *where)
                .correlate(Project).scalar_subquery())

    stmt = select(Project.code, Project.actual_start,
                  earliest(MonthlyReport.period, MonthlyReport.actual_start.is_(None)).label("p"),
                  earliest(MonthlyReport.actual_start, MonthlyReport.actual_start.is_not(None)).label("d"))
    if codes is not None:
        stmt = stmt.where(Project.code.in_(list(codes)))
    rows = fr_mod._read(session, stmt, dates=("actual_start", "d"))
    if not len(rows):
        return pd.Series(dtype=float)
    months = np.fmin(np.fmin(fr_mod.month_index(rows["actual_start"]).to_numpy(dtype=float),
                             fr_mod.period_index(rows["p"]).to_numpy(dtype=float)),
                     fr_mod.month_index(rows["d"]).to_numpy(dtype=float))
    keep = ~np.isnan(months)
    return pd.Series(months[keep], index=rows["code"].to_numpy(dtype=object)[keep]).sort_index()


def _approvals(session: Session, project_codes=None) -> pd.DataFrame:
    stmt = select(Approval.project_code, Approval.kind, Approval.planned_on, Approval.done_on,
                  Approval.status, Approval.unit)
    if project_codes is not None:
        stmt = stmt.where(Approval.project_code.in_(list(project_codes)))
    return fr_mod._read(session, stmt, dates=("planned_on", "done_on"))


def approvals_frame(session: Session, project_codes=None) -> pd.DataFrame:
    """Every 手续 (of these projects): project_code, kind, planned_on, done_on, status — what the
    light rules read (lib.rules.frames)."""
    return _approvals(session, project_codes).drop(columns=["unit"])


def stalled_events(session: Session, period: str, as_of: dt.date, project_codes=None) -> pd.DataFrame:
    """开工即停工 projects judged at ``period`` (project_code, name, m_e): a month P ≤ period counts
    one when m_e + 2 ≤ P (its two months after the event are reported by then)."""
    st = _stalled(session, period, as_of)
    if project_codes is not None:
        st = st[st["project_code"].isin(list(project_codes))]
    return pd.DataFrame({"project_code": st["project_code"].to_numpy(dtype=object),
                         "name": st["name"].to_numpy(dtype=object),
                         "m_e": fr_mod.month_index(st["held_on"]).to_numpy(dtype=float)})


def evaluate_dimension(ap: pd.DataFrame, stalled: pd.DataFrame, idx: pd.Index, applies: np.ndarray,
                       planned_idx: np.ndarray, P: int, as_of: dt.date, st: dict) -> tuple[np.ndarray, dict]:
    """The approvals 前期 dimension on rule frames (aligned on ``idx``, project ids): severity codes
    (−1 gray, 0 green, 1 yellow, 2 red) and the numbers behind them, with reason texts in both
    languages (appr_reason_zh/en) — the rule of the module docstring, for one period and as-of."""
    from lib.i18n import enum_label, t

    n = len(idx)
    codes = np.full(n, -1, dtype=np.int8)
    reasons = {"zh": [[] for _ in range(n)], "en": [[] for _ in range(n)]}
    max_late = np.full(n, np.nan)
    if ap is not None and len(ap):
        pos_of = pd.Series(np.arange(n), index=idx)
        pos = ap["pid"].map(pos_of)
        keep = pos.notna().to_numpy()
        ap, pos = ap[keep], pos[keep].astype(int).to_numpy()
        on = applies[pos]
        ap, pos = ap[on], pos[on]
        codes[np.unique(pos)] = 0
        done = _done_mask(ap, as_of)
        ap, pos = ap[~done], pos[~done]
        late = (pd.Timestamp(as_of) - ap["planned_on"]).dt.days.to_numpy(dtype=float)
        due = planned_idx[pos]
        with np.errstate(invalid="ignore"):
            start_due = due <= P
            red = (late > st["approvals_red_days"]) | start_due
            yellow = late >= st["approvals_yellow_days"]
        sev = np.select([red, yellow], [2, 1], 0).astype(np.int8)
        np.maximum.at(codes, pos, sev)
        hit = sev > 0
        with np.errstate(invalid="ignore"):
            np.fmax.at(max_late, pos[hit], np.where(late[hit] >= 1, late[hit], np.nan))
        for p_, kind, planned, d, sd in zip(pos[hit], ap["kind"].to_numpy()[hit], ap["planned_on"].to_numpy()[hit],
                                            late[hit], start_due[hit]):
            for lang in ("zh", "en"):
                k = enum_label("approval_kind", kind, lang)
                bits = []
                if d == d and d >= 1:
                    ts = pd.Timestamp(planned)
                    bits.append(t("pl_reason_late", lang, kind=k, month=ts.month, year=ts.year, days=int(d)))
                if sd:
                    bits.append(t("pl_reason_start_due", lang, kind=k, period=periods.from_index(int(planned_idx[p_]))))
                reasons[lang][p_].append(("," if lang == "zh" else "; ").join(bits))
    flagged = np.zeros(n, dtype=bool)
    if stalled is not None and len(stalled):
        s = stalled[stalled["m_e"].to_numpy(dtype=float) + 2 <= P]
        pos_of = pd.Series(np.arange(n), index=idx)
        for pid_, name in zip(s["pid"], s["name"]):
            if pid_ in pos_of.index:
                p_ = int(pos_of[pid_])
                flagged[p_] = True
                codes[p_] = max(codes[p_], 1)
                for lang in ("zh", "en"):
                    reasons[lang][p_].append(t("pl_reason_stalled", lang, event=name))
    sep = {"zh": ";", "en": "; "}
    return codes, {"approvals_late_days": max_late, "stalled_after_event": flagged,
                   "appr_reason_zh": np.array([sep["zh"].join(r) for r in reasons["zh"]], dtype=object),
                   "appr_reason_en": np.array([sep["en"].join(r) for r in reasons["en"]], dtype=object)}


def _done_mask(ap: pd.DataFrame, as_of: dt.date) -> np.ndarray:
    """Is each 手续 done (or not needed) at as-of? 不需要 → yes; with an 实际办结 date → that date ≤
    as-of; without one → its status is 已办结."""
    ts = pd.Timestamp(as_of)
    has_date = ap["done_on"].notna().to_numpy()
    with np.errstate(invalid="ignore"):
        by_date = (ap["done_on"] <= ts).to_numpy()
    status = ap["status"].to_numpy()
    return (status == "not_needed") | np.where(has_date, by_date, status == "done")


def approval_done(status, done_on, as_of: dt.date) -> bool:
    """The same rule for one 手续 (the project file)."""
    if status == "not_needed":
        return True
    if done_on is not None and not pd.isna(done_on):
        return pd.Timestamp(done_on) <= pd.Timestamp(as_of)
    return status == "done"


def _projects(session: Session, year: int) -> pd.DataFrame:
    stmt = (select(Project.code, Project.region_code, Project.total_investment, Project.source,
                   Project.signed_on, Project.planned_start, Project.actual_end, Project.actual_operation,
                   ProjectYear.library, ProjectYear.nature, ProjectYear.annual_plan)
            .join(ProjectYear, ProjectYear.project_code == Project.code)
            .where(ProjectYear.year == year))
    return fr_mod._read(session, stmt, dates=("signed_on", "planned_start", "actual_end", "actual_operation"),
                        floats=("total_investment", "annual_plan"))


def _date_value(session: Session, d: dt.date):
    """A date as a bound value for ``fr_mod._read`` (raw DB-API cursor, no SQLAlchemy type
    processing): SQLite keeps dates as ISO text (what SQLAlchemy's Date writes), PostgreSQL takes
    the date itself."""
    return d.isoformat() if session.get_bind().dialect.name == "sqlite" else d


def _done_sql(session: Session, as_of: dt.date):
    """``_done_mask`` in SQL (1 done or not needed at as-of, else 0), for reads that only need the
    open 手续 or a per-project summary."""
    return case((Approval.status == "not_needed", 1),
                (Approval.done_on.is_not(None), case((Approval.done_on <= _date_value(session, as_of), 1), else_=0)),
                (Approval.status == "done", 1), else_=0)


#: up to this many projects, a read names them (IN list); more, and it reads all and keeps theirs
IN_LIST_MAX = 5000


def _approval_summary(session: Session, as_of: dt.date, codes=None) -> pd.DataFrame:
    """One row per project with 手续 rows (of ``codes`` when given; index project_code): ``pre_done`` 1
    when every 手续 except 施工许可 and 其他 is done or not needed at as-of, 0 when one is not, NaN with
    no such 手续; ``preparing`` whether some 手续 has started (办理中, or 已办结 by as-of). Aggregated
    in SQL: 140k 手续 at province scale come back as one row per project."""
    done = _done_sql(session, as_of)
    stmt = (select(Approval.project_code,
                   func.min(case((Approval.kind.in_(READY_KINDS_EXCLUDED), None), else_=done)).label("pre_done"),
                   func.max(case((Approval.status == "in_progress", 1), (Approval.status == "not_needed", 0),
                                 else_=done)).label("preparing"))
            .group_by(Approval.project_code))
    if codes is not None and len(codes) <= IN_LIST_MAX:
        stmt = stmt.where(Approval.project_code.in_(list(codes)))
    df = fr_mod._read(session, stmt, floats=("pre_done", "preparing"))
    if codes is not None:
        df = df[df["project_code"].isin(set(codes))]
    return pd.DataFrame({"pre_done": df["pre_done"].to_numpy(dtype=float),
                         "preparing": df["preparing"].to_numpy(dtype=float) == 1},
                        index=pd.Index(df["project_code"].to_numpy(dtype=object), name="project_code"))


def _open_approvals(session: Session, as_of: dt.date) -> pd.DataFrame:
    """The 手续 not done (and needed) at as-of — the only ones a light or the 要素保障 list reads:
    project_code, kind, planned_on, done_on, status, unit, done (False), in the store's order."""
    stmt = select(Approval.project_code, Approval.kind, Approval.planned_on, Approval.done_on, Approval.status,
                  Approval.unit).where(_done_sql(session, as_of) == 0)
    ap = fr_mod._read(session, stmt, dates=("planned_on", "done_on"))
    ap = ap[~_done_mask(ap, as_of)].reset_index(drop=True) if len(ap) else ap
    return ap.assign(done=np.zeros(len(ap), dtype=bool))


#: seconds per step of the last ``load``/``compute_pipeline`` call, as (elapsed, this process's CPU)
#: — bench/bench_pipeline.py prints them (on a loaded machine the CPU seconds say more)
timings: dict[str, tuple[float, float]] = {}


class _step:
    def __init__(self, name: str):
        self.name = name

    def __enter__(self):
        self.t0, self.c0 = time.perf_counter(), time.process_time()

    def __exit__(self, *exc):
        timings[self.name] = (time.perf_counter() - self.t0, time.process_time() - self.c0)


@dataclass
class PipelineFrames:
    period: str
    as_of: dt.date
    projects: pd.DataFrame  # projects with a project year for Y, with stage, start_idx, started
    starts: pd.Series  # code → start month index (any project with evidence ≤ P)
    approvals: pd.DataFrame  # the 手续 not done at as-of (done False), see _open_approvals
    approval_summary: pd.DataFrame  # per project of Y not started with 手续 rows: pre_done, preparing
    stalled: pd.DataFrame  # 开工即停工 projects: project_code, name, held_on, new_investment


def load(session: Session, period: str, as_of: Any = None) -> PipelineFrames:
    """Everything the pipeline rules read, once (a handful of SQL reads, set-based)."""
    as_of = _as_of(period, as_of)
    year, _ = periods.split(period)
    P = periods.index(period)
    ts = pd.Timestamp(as_of)
    timings.clear()
    with _step("projects"):
        pr = _projects(session, year)
    with _step("start_months"):
        starts = start_months(session, period)
    start_idx = pr["code"].map(starts).astype(float)
    with np.errstate(invalid="ignore"):
        started = (start_idx <= P).to_numpy()
    with _step("approvals"):
        # every rule that reads 手续 is about projects not started yet (stage 前期, readiness, the
        # approvals light, the 要素保障 list): the summary is read for those only
        summary = _approval_summary(session, as_of, pr["code"].to_numpy(dtype=object)[~started])
        ap = _open_approvals(session, as_of)
    with _step("stages"):
        with np.errstate(invalid="ignore"):
            op = (pr["actual_operation"] <= ts).to_numpy()
            done = (pr["actual_end"] <= ts).to_numpy()
        prep = pr["code"].isin(summary.index[summary["preparing"].to_numpy()]).to_numpy()
        stage = np.select([op, done, started, prep], ["operating", "completed", "building", "preparing"], "reserve")
        pr = pr.assign(stage=stage, start_idx=start_idx.to_numpy(), started=started)
    with _step("stalled"):
        stalled = _stalled(session, period, as_of)
    return PipelineFrames(period, as_of, pr, starts, ap, summary, stalled)


def stages(session: Session, period: str, as_of: Any = None) -> pd.DataFrame:
    """One row per project with a project year for Y: code, region_code, stage and the inputs."""
    return load(session, period, as_of).projects


def _stalled(session: Session, period: str, as_of: dt.date) -> pd.DataFrame:
    """Projects presented at a 开工 event (held ≤ as-of) with both months after the event month ≤ P
    and no new investment in them: project_code, name, held_on, new_investment."""
    P = periods.index(period)
    cols = ["project_code", "name", "held_on", "new_investment"]
    ev = fr_mod._read(session, select(ProjectEvent.project_code, ProjectEvent.name, ProjectEvent.held_on)
                      .where(ProjectEvent.type == "start", ProjectEvent.held_on <= as_of), dates=("held_on",))
    if not len(ev):
        return pd.DataFrame(columns=cols)
    ev["m_e"] = fr_mod.month_index(ev["held_on"]).astype(int)
    ev = ev[ev["m_e"] + 2 <= P]
    if not len(ev):
        return pd.DataFrame(columns=cols)
    codes = sorted(set(ev["project_code"]))
    m0 = int(ev["m_e"].min())
    lo = periods.from_index((m0 - 1) // 12 * 12 + 1)  # ytd_at reads the event year's reports only
    rep = fr_mod._read(session, select(MonthlyReport.project_code, MonthlyReport.period, MonthlyReport.ytd_completed)
                       .where(MonthlyReport.project_code.in_(codes), MonthlyReport.period >= lo,
                              MonthlyReport.period <= period), floats=("ytd_completed",))
    rep["idx"] = fr_mod.period_index(rep["period"]).astype(int)
    rep = rep.sort_values(["project_code", "idx"], kind="stable")
    codes_arr = rep["project_code"].to_numpy(dtype=object)
    cuts = np.flatnonzero(codes_arr[1:] != codes_arr[:-1]) + 1 if len(rep) else np.zeros(0, dtype=int)
    starts_ = np.concatenate([[0], cuts]) if len(rep) else cuts
    idx_parts = np.split(rep["idx"].to_numpy(), cuts)
    ytd_parts = np.split(rep["ytd_completed"].fillna(0.0).to_numpy(dtype=float), cuts)
    series = {codes_arr[s]: (i.tolist(), y.tolist()) for s, i, y in zip(starts_, idx_parts, ytd_parts)}

    def ytd_at(code: str, idx: int) -> float:
        """The latest ytd reported in idx's year up to idx (0 with none)."""
        idxs, ytds = series.get(code, ([], []))
        k = bisect.bisect_right(idxs, idx) - 1
        year_start = (idx - 1) // 12 * 12 + 1
        return float(ytds[k]) if k >= 0 and idxs[k] >= year_start else 0.0

    def new_investment(code: str, m_e: int) -> float:
        end = m_e + 2
        if (end - 1) // 12 == (m_e - 1) // 12:  # same year
            return ytd_at(code, end) - ytd_at(code, m_e)
        dec = (m_e - 1) // 12 * 12 + 12
        return ytd_at(code, dec) - ytd_at(code, m_e) + ytd_at(code, end)

    ev["new_investment"] = [new_investment(c, m) for c, m in zip(ev["project_code"], ev["m_e"])]
    return ev.loc[ev["new_investment"] <= 0, cols].reset_index(drop=True)


# --- the approvals 前期 light dimension ---------------------------------------------------------------------

def approvals_lights(session: Session, period: str, as_of: Any = None, settings: dict | None = None,
                     frames: PipelineFrames | None = None) -> pd.DataFrame:
    """The ``approvals`` 前期 dimension per project with a project year for Y: project_code, light,
    reason, reason_en, max_late_days, stalled (bool). See the module docstring for the rule."""
    from lib.i18n import enum_label, t

    st = {**DEFAULTS, **(settings or {})}
    f = frames or load(session, period, as_of)
    as_of, P = f.as_of, periods.index(period)
    info = f.projects.set_index("code")
    applies = info["library"].eq("annual") & info["nature"].eq("new") & ~info["started"].astype(bool)
    ap = f.approvals[f.approvals["project_code"].isin(applies.index[applies.to_numpy()])]
    light = pd.Series("gray", index=info.index, dtype=object)
    has_rows = f.approval_summary.index
    light[has_rows[has_rows.isin(applies.index[applies.to_numpy()])]] = "green"  # has 手续 rows, the rule applies
    open_ = ap[~ap["done"]]
    late = (pd.Timestamp(as_of) - open_["planned_on"]).dt.days.to_numpy(dtype=float)  # NaN without a date
    due_idx = open_["project_code"].map(fr_mod.month_index(info["planned_start"])).to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        start_due = due_idx <= P
        red = (late > st["approvals_red_days"]) | start_due
        yellow = late >= st["approvals_yellow_days"]
    row_light = np.select([red, yellow], ["red", "yellow"], "")
    hit = open_.assign(light=row_light, late=late, due=due_idx, start_due=start_due)[row_light != ""]
    rank = {"gray": 0, "green": 1, "yellow": 2, "red": 3}
    worst = hit.assign(r=hit["light"].map(rank)).groupby("project_code")["r"].max()
    light[worst.index] = worst.map({2: "yellow", 3: "red"})
    max_late = hit.groupby("project_code")["late"].max()

    reasons: dict[str, list[str]] = {}
    reasons_en: dict[str, list[str]] = {}
    for r in hit.itertuples(index=False):  # only the 手续 that make a light (a few per project)
        kind_zh, kind_en = enum_label("approval_kind", r.kind, "zh"), enum_label("approval_kind", r.kind, "en")
        zh, en = [], []
        if r.late == r.late and r.late >= 1:
            params = dict(month=r.planned_on.month, year=r.planned_on.year, days=int(r.late))
            zh.append(t("pl_reason_late", "zh", kind=kind_zh, **params))
            en.append(t("pl_reason_late", "en", kind=kind_en, **params))
        if r.start_due:
            due = periods.from_index(int(r.due))
            zh.append(t("pl_reason_start_due", "zh", kind=kind_zh, period=due))
            en.append(t("pl_reason_start_due", "en", kind=kind_en, period=due))
        reasons.setdefault(r.project_code, []).append(",".join(zh))
        reasons_en.setdefault(r.project_code, []).append("; ".join(en))
    stalled = f.stalled[f.stalled["project_code"].isin(info.index)]
    for code, event in zip(stalled["project_code"], stalled["name"]):
        if rank[light[code]] < rank["yellow"]:
            light[code] = "yellow"
        reasons.setdefault(code, []).append(t("pl_reason_stalled", "zh", event=event))
        reasons_en.setdefault(code, []).append(t("pl_reason_stalled", "en", event=event))
    codes = info.index
    return pd.DataFrame({
        "project_code": codes, "light": light.to_numpy(),
        "reason": [";".join(reasons.get(c, [])) for c in codes],
        "reason_en": ["; ".join(reasons_en.get(c, [])) for c in codes],
        "max_late_days": codes.map(max_late).to_numpy(dtype=float),
        "stalled": codes.isin(set(stalled["project_code"])),
    })


# --- per region -----------------------------------------------------------------------------------------------

def _rate(num: float, den: float) -> float:
    return float(num) / float(den) if den else np.nan


def conversion_pool(session: Session, period: str, starts: pd.Series | None = None) -> pd.DataFrame:
    """The reserve at the end of Y−1 (reserve library for Y−1, not started by December of Y−1):
    code, region_code, converted (started in Y by P)."""
    year, _ = periods.split(period)
    P, y_start = periods.index(period), year * 12 + 1
    starts = start_months(session, period) if starts is None else starts
    prev = fr_mod._read(session, select(Project.code, Project.region_code)
                        .join(ProjectYear, ProjectYear.project_code == Project.code)
                        .where(ProjectYear.year == year - 1, ProjectYear.library == "reserve"))
    s = prev["code"].map(starts).astype(float)
    with np.errstate(invalid="ignore"):
        keep = ~(s < y_start).to_numpy()
    prev, s = prev[keep], s[keep]
    return prev.assign(converted=s.between(y_start, P).to_numpy())[["code", "region_code", "converted"]]


def signed_pool(session: Session, period: str, as_of: Any = None, starts: pd.Series | None = None) -> pd.DataFrame:
    """招商引资 projects signed in Y on or before as-of (with or without a project year):
    code, region_code, signed_on, started (in Y by P)."""
    as_of = _as_of(period, as_of)
    year, _ = periods.split(period)
    P, y_start = periods.index(period), year * 12 + 1
    starts = start_months(session, period) if starts is None else starts
    signed = fr_mod._read(session, select(Project.code, Project.region_code, Project.signed_on)
                          .where(Project.source == "attracted", Project.signed_on.is_not(None)), dates=("signed_on",))
    signed = signed[(signed["signed_on"].dt.year == year) & (signed["signed_on"] <= pd.Timestamp(as_of))]
    return signed.assign(started=signed["code"].map(starts).astype(float).between(y_start, P).to_numpy())


def _ready(f: PipelineFrames) -> pd.Series:
    """code → ready (started, or every 手续 except 施工许可 and 其他 done or not needed; a project with
    no such 手续 is not known to be ready)."""
    all_done = f.approval_summary["pre_done"].eq(1)
    pr = f.projects
    return pd.Series(pr["code"].map(all_done).fillna(False).astype(bool).to_numpy() | pr["started"].astype(bool).to_numpy(),
                     index=pr["code"].to_numpy())


def compute_pipeline(session: Session, period: str, as_of: Any = None) -> pd.DataFrame:
    """One row per region (display order) with the PIPELINE_COLUMNS of the module docstring (plus
    reserve_prev and converted, the conversion rate's denominator and numerator)."""
    f = load(session, period, as_of)
    with _step("conversion_pool"):
        prev = conversion_pool(session, period, f.starts)
    with _step("signed_pool"):
        signed = signed_pool(session, period, f.as_of, f.starts)
    with _step("regions, events, per-region sums"):
        return _per_region(session, f, prev, signed)


def _per_region(session: Session, f: PipelineFrames, prev: pd.DataFrame, signed: pd.DataFrame) -> pd.DataFrame:
    """compute_pipeline's table from the loaded frames and the two pools."""
    as_of, year, sg = f.as_of, periods.split(f.period)[0], f.projects
    regions = fr_mod._read(session, select(Region.code.label("region_code"), Region.name.label("region_name"))
                           .order_by(Region.display_order, Region.code))
    ready = _ready(f)
    planned = sg[sg["library"].eq("annual") & sg["nature"].eq("new") & (sg["planned_start"].dt.year == year)]
    planned = planned.assign(ready=planned["code"].map(ready).astype(bool).to_numpy())
    ev = fr_mod._read(session, select(ProjectEvent.project_code, ProjectEvent.held_on, Project.region_code)
                      .join(Project, Project.code == ProjectEvent.project_code), dates=("held_on",))
    ev = ev[(ev["held_on"].dt.year == year) & (ev["held_on"] <= pd.Timestamp(as_of))]
    region_of = dict(zip(sg["code"], sg["region_code"]))
    stalled = f.stalled.assign(region_code=f.stalled["project_code"].map(region_of))

    pool = sg[sg["stage"].isin(("reserve", "preparing"))]
    annual = sg[sg["library"].eq("annual")]
    g = {
        "counts": sg.groupby(["region_code", "stage"]).size(),
        "reserve_investment": pool.groupby("region_code")["total_investment"].sum(),
        "annual_plan": annual.groupby("region_code")["annual_plan"].sum(),
        "reserve_prev": prev.groupby("region_code").size(),
        "converted": prev.groupby("region_code")["converted"].sum(),
        "signed": signed.groupby("region_code").size(),
        "signed_started": signed.groupby("region_code")["started"].sum(),
        "planned_new": planned.groupby("region_code").size(),
        "ready": planned.groupby("region_code")["ready"].sum(),
        "event_projects": ev.groupby("region_code")["project_code"].nunique(),
        "stalled_after_event": stalled.groupby("region_code")["project_code"].nunique(),
    }
    out = regions.copy()
    counts = g["counts"].unstack(fill_value=0).reindex(index=out["region_code"], columns=list(STAGES), fill_value=0)
    for s in STAGES:
        out[f"n_{s}"] = counts[s].to_numpy(dtype=int)
    for key in ("reserve_investment", "annual_plan"):
        out[key] = out["region_code"].map(g[key]).fillna(0.0).astype(float)
    for key in ("reserve_prev", "converted", "signed", "signed_started", "planned_new", "ready", "event_projects",
                "stalled_after_event"):
        out[key] = out["region_code"].map(g[key]).fillna(0).astype(int)
    out["reserve_ratio"] = [_rate(a, b) for a, b in zip(out["reserve_investment"], out["annual_plan"])]
    out["conversion_rate"] = [_rate(a, b) for a, b in zip(out["converted"], out["reserve_prev"])]
    out["signed_started_rate"] = [_rate(a, b) for a, b in zip(out["signed_started"], out["signed"])]
    out["ready_rate"] = [_rate(a, b) for a, b in zip(out["ready"], out["planned_new"])]
    return out[PIPELINE_COLUMNS + ["reserve_prev", "converted"]]


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
    """要素保障: every 手续 not done at as-of whose 计划办结 has passed, of projects with a project year
    for Y not yet started: project_code, region_code, kind, unit, planned_on, late_days — for
    grouping by kind and 牵头部门."""
    f = load(session, period, as_of)
    cols = ["project_code", "region_code", "kind", "unit", "planned_on", "late_days"]
    sg = f.projects.set_index("code")
    waiting = sg.index[~sg["started"].astype(bool).to_numpy()]
    ap = f.approvals
    ts = pd.Timestamp(f.as_of)
    ap = ap[~ap["done"] & ap["project_code"].isin(waiting) & (ap["planned_on"] < ts)]
    ap = ap.assign(region_code=ap["project_code"].map(sg["region_code"]),
                   late_days=(ts - ap["planned_on"]).dt.days.astype(int),
                   planned_on=ap["planned_on"].dt.date)
    return ap[cols].reset_index(drop=True)
