"""Small read-only queries the frame and the pages need that are not rules: which periods have
reports, the regions for the filter, one project's facts, funds, reports, problems and change history.

Set-based reads; nothing here writes. Numbers that are rules come from lib.rules.lights / lib.rules.league.
"""
from __future__ import annotations

import json

import pandas as pd
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from lib.i18n import t
from lib.store.models import (
    APPROVAL_FIELDS,
    FUND_SOURCES,
    AuditLog,
    MonthlyPlan,
    MonthlyReport,
    Problem,
    ProblemEvent,
    Project,
    ProjectYear,
    Region,
    UploadBatch,
)


def content_version(session: Session) -> int:
    """Like lib.store.data_version — a number that changes with every audited write and every
    setting — but a sign-in (audited as ``login``) does not change it, so the pages' caches survive
    people signing in."""
    last = session.scalar(select(AuditLog.id).where(AuditLog.action != "login")
                          .order_by(AuditLog.id.desc()).limit(1)) or 0
    from lib.store.models import Setting

    n_settings = session.scalar(select(func.count()).select_from(Setting)) or 0
    changed = session.scalar(select(func.max(Setting.updated_at))) if n_settings else None
    stamp = int(changed.timestamp()) % 1000 if changed is not None else 0
    return int(last) * 1_000_000 + int(n_settings) * 1000 + stamp


def people(session: Session) -> dict[str, str]:
    """Login name → the person's name (the display name, the login name when none is set): histories
    show people, not accounts."""
    from lib.store.models import User

    return {u: (d or u) for u, d in session.execute(select(User.username, User.display_name))}


def latest_period(session: Session) -> str | None:
    """The latest period (``YYYY-MM``) that has any monthly report; None on an empty store."""
    return session.scalar(select(func.max(MonthlyReport.period)))


def report_periods(session: Session) -> list[str]:
    """Every period with at least one monthly report, newest first."""
    rows = session.scalars(
        select(MonthlyReport.period).distinct().order_by(MonthlyReport.period.desc()))
    return list(rows)


def regions(session: Session) -> list[tuple[str, str]]:
    """(code, name) of every region in display order."""
    rows = session.execute(
        select(Region.code, Region.name).order_by(Region.display_order, Region.code))
    return [(r.code, r.name) for r in rows]


def project_codes(session: Session, year: int | None = None) -> list[tuple[str, str, str]]:
    """(code, name, region_code) of the projects (of ``year`` when given), ordered by region then code."""
    stmt = select(Project.code, Project.name, Project.region_code)
    if year is not None:
        stmt = stmt.join(ProjectYear, ProjectYear.project_code == Project.code).where(
            ProjectYear.year == int(year))
    stmt = stmt.order_by(Project.region_code, Project.code)
    return [(r.code, r.name, r.region_code) for r in session.execute(stmt)]


def project_facts(session: Session, code: str) -> dict | None:
    """Every static fact of one project (dict of column → value), with its region name and its
    project years ({year: {library, nature, annual_plan}}); None when the code is unknown."""
    p = session.get(Project, code)
    if p is None:
        return None
    out = {c.name: getattr(p, c.name) for c in Project.__table__.columns}
    region = session.get(Region, p.region_code)
    out["region_name"] = region.name if region else p.region_code
    out["years"] = {
        y.year: {"library": y.library, "nature": y.nature, "annual_plan": y.annual_plan}
        for y in session.scalars(select(ProjectYear).where(ProjectYear.project_code == code)
                                 .order_by(ProjectYear.year))
    }
    out["approvals"] = {f: getattr(p, f) for f in APPROVAL_FIELDS}
    return out


def project_reports(session: Session, code: str, year: int, upto_period: str | None = None) -> pd.DataFrame:
    """The project's monthly reports of ``year`` (up to ``upto_period``), one row per period."""
    r = MonthlyReport.__table__.c
    stmt = select(MonthlyReport.__table__).where(
        r.project_code == code, r.period.between(f"{int(year):04d}-01", upto_period or f"{int(year):04d}-12")
    ).order_by(r.period)
    rows = session.connection().execute(stmt)
    df = pd.DataFrame(rows.fetchall(), columns=list(rows.keys()))
    return df


def project_plan(session: Session, code: str, year: int) -> dict[int, float]:
    """month → planned cumulative completion (万元) of the project's monthly plan for ``year``."""
    rows = session.execute(select(MonthlyPlan.month, MonthlyPlan.planned_cumulative).where(
        MonthlyPlan.project_code == code, MonthlyPlan.year == int(year)))
    return {int(m): float(v) for m, v in rows if v is not None}


def project_funds(session: Session, code: str, year: int, upto_period: str) -> pd.DataFrame:
    """Policy funds by source: allocated (project facts) and paid (latest report ≤ period in year;
    a blank figure counts 0). Columns: source, allocated, paid."""
    p = session.get(Project, code)
    if p is None:
        return pd.DataFrame(columns=["source", "allocated", "paid"])
    rep = session.scalars(select(MonthlyReport).where(
        MonthlyReport.project_code == code,
        MonthlyReport.period.between(f"{int(year):04d}-01", upto_period),
    ).order_by(MonthlyReport.period.desc()).limit(1)).first()
    rows = []
    for src in FUND_SOURCES:
        alloc = getattr(p, src)
        paid = getattr(rep, f"{src}_paid") if rep is not None else None
        rows.append({"source": src, "allocated": float(alloc or 0.0), "paid": float(paid or 0.0)})
    return pd.DataFrame(rows)


def project_problem_events(session: Session, code: str) -> pd.DataFrame:
    """Every event of the project's problems (problem_id = the problem number, at, username, action, from, to, note)."""
    stmt = (select(Problem.number.label("problem_id"), ProblemEvent.at, ProblemEvent.username, ProblemEvent.action,
                   ProblemEvent.from_status, ProblemEvent.to_status, ProblemEvent.note)
            .join(Problem, Problem.id == ProblemEvent.problem_id)
            .where(Problem.project_code == code)
            .order_by(ProblemEvent.at, ProblemEvent.id))
    rows = session.execute(stmt)
    return pd.DataFrame(rows.fetchall(), columns=list(rows.keys()))


PROJECT_TABLES = ("projects", "project_years", "monthly_reports", "monthly_plans")


def _batch_changes(session: Session, code: str, problem_ids: set[int]) -> list[dict]:
    """The rows of upload batches (their undo log: {t: table, k: key, b: before, a: after}) that
    touched the project, its years, reports, plans or problems."""
    out = []
    stmt = (select(UploadBatch.id, UploadBatch.at, UploadBatch.username, UploadBatch.kind,
                   UploadBatch.filename, UploadBatch.changes, UploadBatch.undone_at)
            .where(UploadBatch.changes.like(f'%"{code}"%') | (UploadBatch.kind == "problems")))
    for row in session.execute(stmt):
        try:
            log = json.loads(row.changes or "[]")
        except ValueError:
            continue
        for entry in log:
            table, key = entry.get("t"), entry.get("k") or []
            ours = (table in PROJECT_TABLES and key and str(key[0]) == code) or (
                table == "problems" and key and key[0] in problem_ids)
            if not ours:
                continue
            out.append({"at": row.at, "username": row.username,
                        "action": "undone_upload" if row.undone_at else "upload", "entity": table,
                        "entity_key": "|".join(str(k) for k in key), "before": entry.get("b"),
                        "after": entry.get("a"), "batch_id": row.id, "filename": row.filename})
    return out


def project_changes(session: Session, code: str, limit: int = 200) -> pd.DataFrame:
    """The history of writes to the project and its years, reports, plans and problems, newest first:
    uploads (every changed row of each upload batch, with before/after) and the audit trail rows keyed
    by the project or its problems. Columns: at, username, action, entity, entity_key, before, after."""
    problem_ids = [str(i) for i in session.scalars(select(Problem.id).where(Problem.project_code == code))]
    k = AuditLog.entity_key
    conds = [k == code, k.like(f"{code}|%"), k.like(f"{code}/%"), k.like(f"{code}:%"), k.like(f"{code} %"),
             k.like(f"{code},%")]
    if problem_ids:
        conds.append((AuditLog.entity.in_(("problems", "problem"))) & k.in_(problem_ids))
    stmt = (select(AuditLog.at, AuditLog.username, AuditLog.action, AuditLog.entity, AuditLog.entity_key,
                   AuditLog.before, AuditLog.after)
            .where(or_(*conds)).order_by(AuditLog.at.desc(), AuditLog.id.desc()).limit(limit))
    rows = session.execute(stmt)
    df = pd.DataFrame(rows.fetchall(), columns=list(rows.keys()))
    for col in ("before", "after"):
        if len(df):
            df[col] = df[col].map(_decode)
    batch_rows = _batch_changes(session, code, {int(i) for i in problem_ids})
    cols = ["at", "username", "action", "entity", "entity_key", "before", "after"]
    if batch_rows:
        df = pd.concat([df[cols] if len(df) else pd.DataFrame(columns=cols),
                        pd.DataFrame(batch_rows)[cols]], ignore_index=True)
    if not len(df):
        return pd.DataFrame(columns=cols)
    df = df.sort_values("at", ascending=False, kind="stable").head(limit).reset_index(drop=True)
    return df[cols]


def field_names(lang: str = "zh") -> dict[str, str]:
    """Column key → the name people know it by (the upload templates' headers)."""
    from lib.intake.templates import COLUMNS

    out: dict[str, str] = {}
    for cols in COLUMNS.values():
        for c in cols:
            out.setdefault(c.key, c.header(lang))
    return out


def describe_change(before, after, lang: str = "zh", limit: int = 8) -> str:
    """「字段:旧 → 新」 for the fields that differ (a new row lists its values; a deletion says so)."""
    names = field_names(lang)
    if not isinstance(after, dict) and not isinstance(before, dict):
        return "" if after is None else str(after)
    if not isinstance(after, dict):
        return t("change_deleted", lang)
    before = before if isinstance(before, dict) else {}
    parts = []
    for key, new in after.items():
        old = before.get(key)
        if key in before and old == new:
            continue
        if not before and new in (None, ""):
            continue
        label = names.get(key, key)
        parts.append(f"{label}:{old} → {new}" if key in before else f"{label}:{new}")
    more = len(parts) - limit
    text = ";".join(parts[:limit])
    return text + (f";…(+{more})" if more > 0 else "")


def _decode(value):
    if value is None:
        return None
    try:
        return json.loads(value)
    except (TypeError, ValueError):
        return value


__all__ = [
    "content_version", "latest_period", "report_periods", "regions", "project_codes", "project_facts", "project_reports",
    "project_plan", "project_funds", "project_problem_events", "project_changes", "describe_change",
    "field_names",
]
