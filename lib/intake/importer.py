"""Uploads: parse, validate, preview, commit (all-or-nothing), undo; the reporting grid.

``run_import(session, kind, data, filename, actor, dry_run=False, acknowledge_warnings=True)``
returns an ``ImportResult`` and never raises for bad input: every error comes back as an issue
{row, column, value, message, key, params} (row = the Excel row number the user sees; ``message``
the Chinese text, ``key``/``params`` the i18n text: ``issue_text(e, lang)``, lib.intake.parsing)
and nothing is written.
Writes happen in the caller's session/transaction (the caller commits via lib.store.session_scope):
the data (bulk inserts/updates, existing rows loaded in one query per table), one UploadBatch row
whose ``changes`` JSON holds before/after of every changed row (for undo), and one audit row.

Permissions (decided here, see DESIGN.md "Accounts"): every kind needs ``upload``; county staff may
only write rows of their own county (monthly/plans/problems: the project's county) — each other
row is an error naming it. ``regions``, ``targets`` and ``stats`` are prefecture-wide data set by the
campaign office: they need ``upload_regions`` (office/admin), so staff cannot upload them.
Staff may not set a problem to 已销号 (closure is the office's decision); they submit 申请销号.

Concurrency: a committing import first takes a store-wide import lock (PostgreSQL
``pg_advisory_xact_lock``; SQLite: a write to a lock row in ``settings``, which takes SQLite's
single writer lock), and only then reads the rows it compares against, so two imports at the same
moment are serialised and neither loses the other's update.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import (
    Date,
    DateTime,
    bindparam,
    delete,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lib import periods
from lib.access import Actor, can
from lib.access.scope import scope_for
from lib.errors import CockpitError, ValidationError
from lib.i18n import enum_label
from lib.i18n import t as _t
from lib.intake import kinds, limits, parsing
from lib.intake.parsing import (
    MAX_UPLOAD_BYTES,  # noqa: F401  (re-exported: the upload size limit)
    issue_text,  # noqa: F401  (re-exported: an issue in the user's language)
)
from lib.intake.templates import COLUMNS, KINDS, TITLES  # noqa: F401
from lib.problems.workflow import ACTION_FIELDS
from lib.rules import shared
from lib.store import audit
from lib.store.models import (
    Base,
    MonthlyReport,
    Problem,
    ProblemEvent,
    Project,
    ProjectYear,
    Region,
    UploadBatch,
)

# Every mapped table by name (the upload-kind registry names the tables each kind writes).
TABLES = {m.class_.__tablename__: m.class_ for m in Base.registry.mappers}
PKS = {name: [c.name for c in m.__table__.primary_key.columns] for name, m in TABLES.items()}
# Non-nullable columns with a default (from the registry): blank on insert → default; blank on
# update → unchanged.
DEFAULTS = {t: d for k in kinds.REGISTRY.values() for t, d in k.defaults.items()}
LOCK_KEY = 7_305_001  # pg_advisory_xact_lock key of the import lock
OPEN_STATUSES_NEEDING_FIVE = ("assigned", "in_progress", "closure_requested", "closed")
FIVE = ("unit", "leader", "person", "measures", "deadline")  # 五到位: the problems template's columns


@dataclass
class ImportResult:
    ok: bool
    kind: str
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    warnings: list[dict] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    batch_id: int | None = None
    changes: list[dict] = field(default_factory=list)
    needs_acknowledgement: bool = False
    dry_run: bool = False
    filename: str = ""
    sha256: str = ""
    rows: int = 0
    message: str = ""  # the outcome in Chinese; ``message_key``/``message_params`` its i18n text
    message_key: str = ""
    message_params: dict = field(default_factory=dict)
    error_total: int = 0  # all errors found; ``errors`` lists the first MAX_ERRORS_SHOWN (intake)
    skipped: int = 0  # monthly: prefilled rows left unfilled, skipped (intake)

    def summary(self) -> dict:
        d = asdict(self)
        d.pop("changes")
        return d

    def say(self, key: str, **params) -> None:
        """Set the outcome message (an i18n key)."""
        self.message_key, self.message_params = key, params
        self.message = _t(key, "zh", **params)

    def message_text(self, lang: str = "zh") -> str:
        return _t(self.message_key, lang, **self.message_params) if self.message_key else self.message


@dataclass
class Op:
    table: str
    pk: tuple | None  # None: a new problem (id assigned on insert)
    values: dict
    extra: dict = field(default_factory=dict)


@dataclass
class Item:
    row: int
    label: str
    ops: list[Op]
    action: str = "unchanged"
    before: dict | None = None
    after: dict | None = None
    label_msg: tuple[str, dict] | None = None  # the label as an i18n key and params, when it has words


def _err(row, column, value, key: str, /, **params) -> dict:
    """A row error or warning: an issue (lib.intake.parsing.issue) with the value as the user typed it."""
    return parsing.issue(key, row, column, parsing._show(value) if value is not None else "", **params)


def _column(hm: dict[str, str], kind: str, key: str) -> str:
    """The header of template column ``key`` as the file wrote it; for a column the file lacks, its
    template header (the English key when the file's headers are the English ones)."""
    if key in hm:
        return hm[key]
    english = bool(hm) and all(h == k for k, h in hm.items())
    return key if english else _col_zh(kind).get(key, key)


def change_label(change: dict, lang: str = "zh") -> str:
    """A preview change's row label (``ImportResult.changes[i]``) in ``lang``."""
    msg = change.get("label_msg")
    return _t(msg[0], lang, **msg[1]) if msg else change["key"]


def _jsonable(v: Any) -> Any:
    t = type(v)
    if t is str or t is int or t is bool or v is None:
        return v
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None
    return v


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) or isinstance(b, float):
        try:
            return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(a)))
        except (TypeError, ValueError):
            return False
    if isinstance(a, dt.datetime) and not isinstance(b, dt.datetime):
        a = a.date()
    if isinstance(b, dt.datetime) and not isinstance(a, dt.datetime):
        b = b.date()
    return a == b


def _col_zh(kind: str) -> dict[str, str]:
    return {c.key: c.zh for c in COLUMNS[kind]}


# Field names of the store → the template column they come from (for messages and the preview).
FIELD_COLUMN = {
    "number": "id", "region_code": "region", "project_code": "code", "growth_target": "growth_target",
    "planned_cumulative": "m", "kind": "kind",
}


def field_label(kind: str, field_name: str, lang: str = "zh") -> str:
    """The column header a user knows for a store field in the preview (before → after)."""
    zh = _col_zh(kind)
    key = FIELD_COLUMN.get(field_name, field_name)
    if kind == "projects" and field_name == "region_code":
        key = "region"
    if kind in ("monthly", "plans", "problems") and field_name == "project_code":
        key = "code"
    if lang == "en":
        return field_name
    return zh.get(key, field_name)


def display_value(kind: str, field_name: str, value: Any, lang: str = "zh") -> str:
    """A stored/JSON value as the user would type it: 是/否, enumeration words, 2022年3月15日, 1,234.5."""
    from lib.i18n import enum_label

    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    base = field_name.split(":", 1)[-1]
    key = {"region_code": "region", "project_code": "code", "planned_cumulative": "m1"}.get(base, base)
    col = next((c for c in COLUMNS[kind] if c.key == key), None)
    if isinstance(value, bool) or (col is not None and col.type == "bool"):
        return enum_label("bool", "yes" if value else "no", lang)
    if col is not None and col.enum:
        return enum_label(col.enum, str(value), lang)
    if col is not None and col.type == "date":
        try:
            return periods.fmt_date(dt.date.fromisoformat(str(value)[:10]), lang)
        except ValueError:
            return str(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if col is not None and col.type in ("year", "int"):
            return str(int(value))
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return str(value)


# ---------- typed conversion (vectorised by distinct values) ----------

def _converters(kind: str, ctx: dict):
    def tags(v):
        s = parsing.parse_text(v)
        if s is None:
            return None
        parts = [p.strip() for p in s.replace(";", ";").replace(",", ";").replace(",", ";").replace("、", ";").split(";")]
        return ";".join(p for p in parts if p) or None

    def region(v):
        s = parsing.parse_text(v)
        if s is None:
            return None
        code = ctx["region_lookup"].get(s) or ctx["region_lookup"].get(s.replace(" ", ""))
        if code is None:
            raise CockpitError("imp_region_unknown", name=s)
        return code

    def ref(v):
        """The office's own problem number: text, kept as written (outer spaces dropped)."""
        from lib.problems.workflow import NUMBER_MAX

        s = parsing.parse_text(v)
        if s is None:
            return None
        if len(s) > NUMBER_MAX:
            raise CockpitError("imp_number_too_long", n=len(s), max=NUMBER_MAX)
        if any(ord(ch) < 32 or ord(ch) == 127 for ch in s):
            raise CockpitError("imp_number_control")
        return s

    def make_enum(kind_):
        return lambda v: parsing.parse_enum(v, kind_)

    table = {
        "text": parsing.parse_text, "code": parsing.parse_text, "project": parsing.parse_text,
        "money": parsing.parse_money, "number": parsing.parse_money, "pct": parsing.parse_pct,
        "int": parsing.parse_int,
        "year": parsing.parse_year, "period": parsing.parse_period_cell, "date": parsing.parse_date_cell,
        "bool": parsing.parse_bool, "tags": tags, "region": region, "ref": ref,
    }
    out = {}
    for c in COLUMNS[kind]:
        if c.type == "enum":
            out[c.key] = make_enum(c.enum)
        else:
            out[c.key] = table[c.type]
    return out


def _typed(kind: str, frame: pd.DataFrame, rows: list[int], header_map: dict, ctx: dict, errors: list[dict]):
    conv = _converters(kind, ctx)
    cols = {c.key: c for c in COLUMNS[kind]}
    typed: dict[str, list[Any]] = {}
    for key in frame.columns:
        c = cols[key]
        if c.info:
            continue
        n0 = len(errors)
        vals = parsing.convert_column(frame[key], conv[key], rows, header_map[key], errors)
        typed[key] = vals
        if c.required:
            bad = {e["row"] for e in errors[n0:]}
            for i, v in enumerate(vals):
                if v is None and rows[i] not in bad:
                    errors.append(_err(rows[i], header_map[key], "", "imp_required", column=c.zh,
                                       header=header_map[key]))
    return typed


# ---------- store helpers ----------

def _region_lookup(session: Session) -> dict[str, str]:
    out: dict[str, str] = {}
    for code, name in session.execute(select(Region.code, Region.name)):
        out[name.strip()] = code
        out[name.strip().replace(" ", "")] = code
    for code, _name in session.execute(select(Region.code, Region.name)):
        out[code] = code  # a code wins over a name
    return out


def _chunks(seq: list, n: int = 900):
    """Slices small enough for an IN (...) list on every backend."""
    for i in range(0, len(seq), n):
        yield seq[i:i + n]


def _load_projects(session: Session, codes: set[str]) -> dict[str, dict]:
    cols = [Project.code, Project.region_code, Project.total_investment, Project.planned_start,
            Project.actual_start, Project.actual_end, Project.name]
    out = {}
    codes_l = sorted(c for c in codes if c)
    if len(codes_l) > 2000:
        res = session.execute(select(*cols))
    else:
        res = (r for ch in _chunks(codes_l) for r in session.execute(select(*cols).where(Project.code.in_(ch))))
    for r in res:
        if r.code in codes:
            out[r.code] = r._asdict()
    return out


def _load_existing(session: Session, table: str, pks: list[tuple]) -> dict[tuple, dict]:
    """The current rows of ``table`` for the given primary keys (one query, or a few chunks)."""
    model = TABLES[table]
    t = model.__table__
    pkc = PKS[table]
    want = set(pks)
    if not want:
        return {}
    # filter on the pk column with the fewest distinct values, the rest in Python
    distinct = [sorted({pk[i] for pk in want}, key=str) for i in range(len(pkc))]
    j = min(range(len(pkc)), key=lambda i: len(distinct[i]))
    out: dict[tuple, dict] = {}
    if len(distinct[j]) > 2000:
        results = [session.execute(select(t))]
    else:
        results = [session.execute(select(t).where(t.c[pkc[j]].in_(ch))) for ch in _chunks(distinct[j])]
    for res in results:
        for r in res.mappings():
            key = tuple(r[c] for c in pkc)
            if key in want:
                out[key] = dict(r)
    return out


def _lock(session: Session) -> None:
    """Serialise committing imports (and undos) store-wide for the rest of this transaction."""
    name = session.get_bind().dialect.name
    if name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOCK_KEY})
    elif name == "sqlite":
        # BEGIN IMMEDIATE takes SQLite's single writer lock now (waiting up to busy_timeout) and
        # writes nothing. pysqlite opens a transaction only before a write, so unless this
        # session already wrote (and so already holds the writer lock) none is open yet.
        conn = session.connection()
        raw = conn.connection.dbapi_connection
        if not raw.in_transaction:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:  # a transaction is already open: a (no-op) write statement takes the writer lock
            conn.exec_driver_sql("UPDATE settings SET key = key WHERE 1 = 0")


# ---------- per-kind builders ----------

def _vals(typed: dict, i: int, mapping: dict[str, str]) -> dict:
    """{store field: value} for the template keys present in the file."""
    cache = typed.setdefault("__pairs__", {})
    pairs = cache.get(id(mapping))
    if pairs is None:
        pairs = cache[id(mapping)] = [(f, typed[k]) for k, f in mapping.items() if k in typed]
    return {f: col[i] for f, col in pairs}


def _staff_region_error(actor: Actor, region_code: str | None, row: int, column: str, value,
                        project: str | None = None) -> dict | None:
    """County staff write their own county's rows only: the error naming the other county (and the
    project, if given), else None."""
    if region_code is not None and not scope_for(actor).allows(region_code):
        if project is None:
            return _err(row, column, value, "imp_staff_row_region", region=region_code, own=actor.region_code)
        return _err(row, column, value, "imp_staff_project_region", code=project, region=region_code,
                    own=actor.region_code)
    return None


def _build_regions(ctx, typed, rows, hm, errors, warnings) -> list[Item]:
    items = []
    mapping = {"name": "name", "kind": "kind", "display_order": "display_order", "lon": "lon", "lat": "lat"}
    for i, r in enumerate(rows):
        code = typed["code"][i]
        if code is None:
            continue
        vals = _vals(typed, i, mapping)
        _check_lonlat(vals, r, hm, errors)
        items.append(Item(r, code, [Op("regions", (code,), vals)]))
    return items


def _check_lonlat(vals, r, hm, errors, kind: str = "regions"):
    lon, lat = vals.get("lon"), vals.get("lat")
    if lon is not None and not -180 <= lon <= 180:
        errors.append(_err(r, _column(hm, kind, "lon"), lon, "imp_lon_range"))
    if lat is not None and not -90 <= lat <= 90:
        errors.append(_err(r, _column(hm, kind, "lat"), lat, "imp_lat_range"))


PROJECT_FIELDS = {
    "name": "name", "region": "region_code", "sector": "sector", "level": "level", "industrial": "industrial",
    "tags": "tags", "total_investment": "total_investment", "owner": "owner", "unit": "unit", "leader": "leader",
    "lon": "lon", "lat": "lat", "central_budget": "central_budget", "special_bond": "special_bond",
    "treasury_bond": "treasury_bond", "planned_start": "planned_start", "planned_end": "planned_end",
    "actual_start": "actual_start", "actual_end": "actual_end", "source": "source", "signed_on": "signed_on",
    "planned_operation": "planned_operation", "actual_operation": "actual_operation",
    **{f: f for f in ("approval_project", "approval_land", "approval_planning", "approval_eia",
                      "approval_energy", "approval_construction")},
}
YEAR_FIELDS = {"library": "library", "nature": "nature", "annual_plan": "annual_plan"}


def _build_projects(ctx, typed, rows, hm, errors, warnings) -> list[Item]:
    session, actor = ctx["session"], ctx["actor"]
    codes = {c for c in typed["code"] if c}
    existing = _load_projects(session, codes)
    items = []
    first_facts: dict[str, tuple[int, dict]] = {}
    for i, r in enumerate(rows):
        code, year = typed["code"][i], typed["year"][i]
        if code is None or year is None:
            continue
        pv = _vals(typed, i, PROJECT_FIELDS)
        yv = _vals(typed, i, YEAR_FIELDS)
        if pv.get("industrial") is None and "industrial" in pv:
            pv["industrial"] = None  # blank → default/unchanged, handled generically
        e = _staff_region_error(actor, pv.get("region_code"), r, hm["region"], typed["region"][i])
        if e:
            errors.append(e)
        ex = existing.get(code)
        if ex is not None and not scope_for(actor).allows(ex["region_code"]):
            errors.append(_err(r, hm["code"], code, "imp_project_other_county", code=code, region=ex["region_code"]))
        if yv.get("library") == "annual":
            if "nature" not in yv or yv.get("nature") is None:
                errors.append(_err(r, _column(hm, "projects", "nature"), "", "imp_annual_needs_nature"))
            if "annual_plan" not in yv or yv.get("annual_plan") is None:
                errors.append(_err(r, _column(hm, "projects", "annual_plan"), "", "imp_annual_needs_plan"))
        _check_lonlat(pv, r, hm, errors, "projects")
        ps, pe = pv.get("planned_start"), pv.get("planned_end")
        if ps and pe and pe < ps:
            errors.append(_err(r, _column(hm, "projects", "planned_end"), pe, "imp_end_before_start"))
        tot, plan = pv.get("total_investment"), yv.get("annual_plan")
        if tot is not None and plan is not None and plan > tot + 1e-9:
            errors.append(_err(r, _column(hm, "projects", "annual_plan"), plan, "imp_plan_over_total",
                               plan=f"{plan:,.2f}", total=f"{tot:,.2f}"))
        if code in first_facts:
            r0, facts0 = first_facts[code]
            diff = [f for f in pv if not _same(pv[f], facts0.get(f))]
            if diff:
                errors.append(_err(r, hm["code"], code, "imp_project_facts_differ", first=r0,
                                   fields="、".join(field_label("projects", f) for f in diff),
                                   fields_en=", ".join(field_label("projects", f, "en") for f in diff)))
        else:
            first_facts[code] = (r, pv)
        from lib.intake.pipeline_kinds import approval_ops  # the six old approval columns → 手续 rows

        first_of_code = first_facts[code][0] == r  # the project's facts (and its 手续) once per project
        items.append(Item(r, f"{code} / {year}", [Op("projects", (code,), pv), Op("project_years", (code, year), yv),
                                                  *(approval_ops(code, pv) if first_of_code else [])]))
    return items


MONTHLY_FIELDS = {k: k for k in ("ytd_completed", "month_completed", "started", "actual_start", "in_stats",
                                  "central_budget_paid", "special_bond_paid", "treasury_bond_paid",
                                  "progress_text", "variance_note", "reporter")}


def _project_checks(ctx, typed, rows, hm, errors) -> dict[str, dict]:
    """Every project code must exist; county staff only their own county's projects."""
    session, actor = ctx["session"], ctx["actor"]
    codes = {c for c in typed["code"] if c}
    projects = _load_projects(session, codes)
    for i, r in enumerate(rows):
        code = typed["code"][i]
        if code is None:
            continue
        p = projects.get(code)
        if p is None:
            errors.append(_err(r, hm["code"], code, "imp_project_unknown", code=code))
            continue
        e = _staff_region_error(actor, p["region_code"], r, hm["code"], code, project=code)
        if e:
            errors.append(e)
    return projects


def _build_monthly(ctx, typed, rows, hm, errors, warnings) -> list[Item]:
    projects = _project_checks(ctx, typed, rows, hm, errors)
    items = []
    for i, r in enumerate(rows):
        code, period = typed["code"][i], typed["period"][i]
        if code is None or period is None:
            continue
        vals = _vals(typed, i, MONTHLY_FIELDS)
        p = projects.get(code)
        ytd = vals.get("ytd_completed")
        if p is not None and ytd is not None and p["total_investment"] is not None and ytd > p["total_investment"] + 1e-9:
            errors.append(_err(r, hm["ytd_completed"], ytd, "imp_ytd_over_total", ytd=f"{ytd:,.2f}",
                               total=f"{p['total_investment']:,.2f}"))
        items.append(Item(r, f"{code} / {period}", [Op("monthly_reports", (code, period), vals)]))
    ctx["projects"] = projects
    _monthly_warnings(ctx, items, typed, rows, hm, warnings)
    return items


def _monthly_warnings(ctx, items: list[Item], typed, rows, hm, warnings) -> None:
    """DESIGN.md's monthly warnings: the data-quality flags (lib.intake.quality.assess) of the
    file's rows against the store's earlier months and the file's own rows. The same flags are
    stored on the rows once written."""
    from lib.intake import quality

    if not items:
        return
    overlay = {op.pk: op.values for it in items for op in it.ops}
    row_of = {op.pk: it.row for it in items for op in it.ops}
    flags = quality.assess(ctx["session"], list(overlay), overlay)
    for key, fl in flags.items():
        for f in fl:
            warnings.append(_err(row_of[key], _column(hm, "monthly", f["column"]), f["value"],
                                 f"qf_{f['code']}", **f.get("params", {})))


def _expected(py: dict, proj: dict, y: int, m: int, plan_months: dict[int, float] | None) -> float:
    """Expected completion fraction e: the one rule of lib.rules.shared (4 decimals)."""
    return shared.expected_one(y, m, py.get("nature"), proj.get("planned_start"), py["annual_plan"],
                               plan_months)


def _annual_plans(session, pairs: set[tuple[str, int]]) -> dict[tuple[str, int], float]:
    """The stored annual plan of each (project code, year) of ``pairs`` that has one."""
    out: dict[tuple[str, int], float] = {}
    codes = sorted({c for c, _ in pairs})
    years = sorted({y for _, y in pairs})
    for chunk in _chunks(codes):
        for c, y, plan in session.execute(select(ProjectYear.project_code, ProjectYear.year, ProjectYear.annual_plan)
                                          .where(ProjectYear.project_code.in_(chunk), ProjectYear.year.in_(years))):
            if plan is not None:
                out[(c, int(y))] = float(plan)
    return out


def _build_plans(ctx, typed, rows, hm, errors, warnings) -> list[Item]:
    _project_checks(ctx, typed, rows, hm, errors)
    items = []
    pairs = {(typed["code"][i], typed["year"][i]) for i in range(len(rows))
             if typed["code"][i] is not None and typed["year"][i] is not None}
    annual = _annual_plans(ctx["session"], pairs) if pairs else {}
    for i, r in enumerate(rows):
        code, year = typed["code"][i], typed["year"][i]
        if code is None or year is None:
            continue
        ops = []
        last = None
        for m in range(1, 13):
            key = f"m{m}"
            if key not in typed or typed[key][i] is None:
                continue
            val = typed[key][i]
            if last is not None and val < last[1] - 1e-9:
                warnings.append(_err(r, hm[key], val, "imp_plan_drop", month=m, value=f"{val:,.2f}",
                                     prev_month=last[0], prev=f"{last[1]:,.2f}"))
            last = (m, val)
            plan = annual.get((code, year))
            if plan is not None and val > plan + 1e-9:  # e is not capped: the office should know
                warnings.append(_err(r, hm[key], val, "imp_plan_over_annual", month=m, value=f"{val:,.2f}",
                                     year=year, plan=f"{plan:,.2f}"))
            ops.append(Op("monthly_plans", (code, year, m), {"planned_cumulative": val}))
        if not ops:
            errors.append(_err(r, hm["code"], code, "imp_plan_row_empty"))
            continue
        items.append(Item(r, f"{code} / {year}", ops))
    return items


def _build_targets(ctx, typed, rows, hm, errors, warnings) -> list[Item]:
    items = []
    for i, r in enumerate(rows):
        reg, year, g = typed["region"][i], typed["year"][i], typed["growth_target"][i]
        if reg is None or year is None or g is None:
            continue
        items.append(Item(r, f"{reg} / {year}", [Op("region_targets", (reg, year), {"growth_target": g})]))
    return items


def _build_stats(ctx, typed, rows, hm, errors, warnings) -> list[Item]:
    items = []
    for i, r in enumerate(rows):
        reg, period, g = typed["region"][i], typed["period"][i], typed["growth"][i]
        if reg is None or period is None or g is None:
            continue
        items.append(Item(r, f"{reg} / {period}", [Op("region_stats", (reg, period), {"growth": g})]))
    return items


PROBLEM_FIELDS = {k: k for k in ("category", "description", "raised_on", "level", "unit", "leader", "person",
                                  "measures", "deadline", "status", "closed_on", "satisfied")}
PROBLEM_FIELDS["code"] = "project_code"


def _build_problems(ctx, typed, rows, hm, errors, warnings) -> list[Item]:
    """问题清单 rows → problems. The key is the 问题编号 (the office's own text, kept exactly): a
    number already in the store updates that problem, a new number adds a problem under it, a blank
    is an identical stored problem (same project, category, description, raised_on) or else a new
    problem with the next system number (Q-000123), shown in the preview. Status and level changes
    go through the problem workflow (lib.problems.workflow.import_moves: only the moves this role
    may make on the page, each an event with its actor) unless ``ctx["history"]`` (the office
    loading a historical ledger once: statuses taken as they are)."""
    from lib.problems.workflow import import_moves, next_numbers

    session, actor = ctx["session"], ctx["actor"]
    history_load = bool(ctx.get("history"))
    projects = _project_checks(ctx, typed, rows, hm, errors)
    codes = sorted({c for c in typed["code"] if c})
    natural: dict[tuple, int] = {}
    for ch in _chunks(codes):
        for p in session.execute(select(Problem.id, Problem.project_code, Problem.category, Problem.description,
                                        Problem.raised_on).where(Problem.project_code.in_(ch))):
            natural.setdefault((p.project_code, p.category, (p.description or "").strip(), p.raised_on), p.id)
    given = sorted({n for n in typed.get("id", []) if n})
    by_number: dict[str, int] = {}
    for ch in _chunks(given):
        by_number.update(session.execute(select(Problem.number, Problem.id).where(Problem.number.in_(ch))).all())
    pending = []
    seen_nat: dict[tuple, int] = {}
    for i, r in enumerate(rows):
        number = typed["id"][i] if "id" in typed else None
        vals = _vals(typed, i, PROBLEM_FIELDS)
        if any(vals.get(k) is None for k in ("project_code", "category", "description", "raised_on")):
            continue  # already an error (required value)
        nat = (vals["project_code"], vals["category"], vals["description"].strip(), vals["raised_on"])
        pid = None
        if number is None:
            if nat in seen_nat:
                errors.append(_err(r, hm["description"], vals["description"], "imp_pb_same_as_row",
                                   row=seen_nat[nat]))
                continue
            seen_nat[nat] = r
            pid = natural.get(nat)
        else:
            pid = by_number.get(number)
            vals["number"] = number
        pending.append((r, pid, number, vals))
    existing = _load_existing(session, "problems", [(pid,) for _, pid, _, _ in pending if pid is not None])
    owners = _load_projects(session, {ex["project_code"] for ex in existing.values()})
    fresh = iter(next_numbers(session, sum(1 for _, pid, num, _ in pending if pid is None and num is None)))
    items = []
    for r, pid, number, vals in pending:
        ex = existing.get((pid,)) if pid is not None else None
        shown = number if number is not None else (ex["number"] if ex else None)
        if ex is None and number is None:
            shown = vals["number"] = next(fresh)
        if ex is not None:
            owner = owners.get(ex["project_code"])
            if owner and not scope_for(actor).allows(owner["region_code"]):
                errors.append(_err(r, _column(hm, "problems", "id"), shown, "imp_pb_other_county", number=shown,
                                   region=owner["region_code"]))
        merged = dict(ex or {})
        merged.update({k: v for k, v in vals.items() if v is not None or k not in DEFAULTS["problems"]})
        status = merged.get("status") or "pending"
        if status in OPEN_STATUSES_NEEDING_FIVE:
            missing = [f for f in FIVE if merged.get(f) in (None, "")]
            if missing:
                errors.append(_err(r, _column(hm, "problems", "status"), _status_zh(status), "imp_pb_five_missing",
                                   status=_status_zh(status), status_en=enum_label("problem_status", status, "en"),
                                   missing="、".join(_col_zh("problems")[f] for f in missing),
                                   missing_en=", ".join(missing)))
        if status == "closed":
            if merged.get("satisfied") is not True:
                errors.append(_err(r, _column(hm, "problems", "satisfied"), _bool_zh(merged.get("satisfied")),
                                   "imp_pb_close_satisfied"))
            if merged.get("closed_on") is None:
                errors.append(_err(r, _column(hm, "problems", "closed_on"), "", "imp_pb_close_date"))
        if merged.get("closed_on") and merged.get("raised_on") and merged["closed_on"] < merged["raised_on"]:
            errors.append(_err(r, _column(hm, "problems", "closed_on"), merged["closed_on"],
                               "imp_pb_closed_before_raised"))
        moves: list = []
        if not history_load:
            region = (owners.get(ex["project_code"]) if ex else projects.get(vals["project_code"])) or {}
            moves, why = import_moves(actor, ex, {"status": status, "level": merged.get("level")},
                                      region.get("region_code"))
            if why:
                field_, text_ = why
                col, val = ((_column(hm, "problems", "level"), _level_zh(merged.get("level"))) if field_ == "level"
                            else (_column(hm, "problems", "status"), _status_zh(status)))
                errors.append(_err(r, col, val, "imp_pb_move", number=shown, why=text_))
        label_msg = None if (number is not None or ex is not None) else ("imp_pb_new_number", {"number": shown})
        label = _t(label_msg[0], "zh", **label_msg[1]) if label_msg else shown
        op = Op("problems", (pid,) if pid is not None else None, vals,
                extra={"old_status": ex.get("status") if ex else None, "moves": moves, "history": history_load})
        items.append(Item(r, label, [op], label_msg=label_msg))
    return items


def _status_zh(s):
    from lib.i18n import enum_label

    return enum_label("problem_status", s)


def _level_zh(level):
    from lib.i18n import enum_label

    return enum_label("problem_level", level) if level else ""


def _bool_zh(b):
    return "" if b is None else enum_label("bool", "yes" if b else "no")


def _duplicate_keys(kind, typed, rows, hm, errors):
    keys = kinds.get(kind).key
    if not all(k in typed for k in keys):
        return
    seen: dict[tuple, int] = {}
    for i, r in enumerate(rows):
        key = tuple(typed[k][i] for k in keys)
        if any(v is None for v in key):
            continue
        if key in seen:
            shown = " + ".join(str(v) for v in key)
            errors.append(_err(r, hm[keys[0]], shown, "imp_duplicate_key", first=seen[key],
                               columns="、".join(hm[k] for k in keys), columns_en=" + ".join(hm[k] for k in keys)))
        else:
            seen[key] = r


# ---------- diff and write ----------

def _diff(session: Session, items: list[Item], kind: str):
    """Classify each item (insert/update/unchanged) against the store; returns per-table row ops."""
    by_table: dict[str, list[Op]] = {}
    for it in items:
        for op in it.ops:
            if op.pk is not None:
                by_table.setdefault(op.table, []).append(op)
    existing = {t: _load_existing(session, t, [op.pk for op in ops]) for t, ops in by_table.items()}
    inserts: dict[str, list[tuple[Op, dict]]] = {}
    updates: dict[str, list[tuple[Op, dict, dict]]] = {}  # op, before(changed), after(changed)
    done: set[tuple] = set()
    defaults_all = {t: DEFAULTS.get(t, {}) for t in TABLES}
    for it in items:
        acts = []
        before_all, after_all = {}, {}
        for idx, op in enumerate(it.ops):
            dflt = defaults_all.get(op.table, {})
            ex = existing.get(op.table, {}).get(op.pk) if op.pk is not None else None
            prefix = f"m{op.pk[2]}:" if op.table == "monthly_plans" else ""
            if ex is None:
                vals = {k: (dflt[k] if v is None and k in dflt else v) for k, v in op.values.items()}
                for k, v in dflt.items():
                    vals.setdefault(k, v)
                op.values = vals
                acts.append("insert")
                js = {k: _jsonable(v) for k, v in vals.items()}
                op.extra["json"] = js
                after_all.update({prefix + k: v for k, v in js.items() if v is not None})
                if (op.table, op.pk) not in done:
                    inserts.setdefault(op.table, []).append((op, vals))
                    if op.pk is not None:
                        done.add((op.table, op.pk))
                        existing.setdefault(op.table, {})[op.pk] = {**vals, **dict(zip(PKS[op.table], op.pk))}
                continue
            changed_b, changed_a = {}, {}
            for k, v in op.values.items():
                if v is None and k in dflt:
                    continue  # blank on update: unchanged
                if not _same(v, ex.get(k)):
                    changed_b[k] = ex.get(k)
                    changed_a[k] = v
            if changed_a:
                op.extra["old_batch_id"] = ex.get("batch_id")
                acts.append("update")
                before_all.update({prefix + k: _jsonable(v) for k, v in changed_b.items()})
                after_all.update({prefix + k: _jsonable(v) for k, v in changed_a.items()})
                if (op.table, op.pk) not in done:
                    updates.setdefault(op.table, []).append((op, changed_b, changed_a))
                    done.add((op.table, op.pk))
                    ex.update(changed_a)
            else:
                acts.append("unchanged")
        # the item's action follows its key (for projects: the project year; a new year of a known
        # project is an insert even if the project's facts are unchanged)
        if kind == "projects":
            key_act = acts[-1]
            it.action = "insert" if key_act == "insert" else ("update" if "update" in acts or "insert" in acts else "unchanged")
        elif "insert" in acts and all(a == "insert" for a in acts):
            it.action = "insert"
        elif "insert" in acts or "update" in acts:
            it.action = "update"
        else:
            it.action = "unchanged"
        if it.action == "insert":
            it.before, it.after = None, after_all
        elif it.action == "update":
            it.before, it.after = before_all, after_all
        else:
            it.before, it.after = None, {}
    return inserts, updates


def _write(session: Session, kind: str, inserts, updates, actor: Actor, batch_id: int) -> list[dict]:
    """Bulk writes; returns the undo log [{t, k, b, a}] in write order (parents first)."""
    log: list[dict] = []
    for t in kinds.table_order():
        model = TABLES[t]
        tbl = model.__table__
        pkc = PKS[t]
        ins = inserts.get(t, [])
        if t == "problems":
            for op, vals in ins:
                if op.pk is None:
                    obj = Problem(**vals)
                    session.add(obj)
                    session.flush()
                    op.pk = (obj.id,)
                    op.values = vals
                    log.append({"t": "problems", "k": [obj.id], "b": None, "a": {k: _jsonable(v) for k, v in vals.items()}})
                    if op.extra.get("history"):
                        evs = [("import", None, vals.get("status"), "imp_ev_history_new")]
                    else:
                        evs = [("import", None, "pending", "imp_ev_new")] + \
                              [(a, f, to, "imp_ev_move") for a, f, to in op.extra.get("moves", [])]
                    log.extend(_problem_events(session, obj.id, actor, evs))
        elif ins:
            rows = []
            for op, vals in ins:
                row = dict(zip(pkc, op.pk))
                row.update(vals)
                if t == "monthly_reports":
                    row["batch_id"] = batch_id
                    row["reported_at"] = audit.now()  # first reached the store (on time by the 10th?)
                rows.append(row)
                js = op.extra.get("json") or {k: _jsonable(v) for k, v in vals.items()}
                if t == "monthly_reports":
                    js = {**js, "batch_id": batch_id}
                log.append({"t": t, "k": [_jsonable(x) for x in op.pk], "b": None, "a": js})
            by_keys: dict[frozenset, list[dict]] = {}
            for row in rows:
                by_keys.setdefault(frozenset(row), []).append(row)
            for group in by_keys.values():
                session.execute(insert(tbl), group)
        ups = updates.get(t, [])
        if ups:
            groups: dict[frozenset, list[dict]] = {}
            for op, b, a in ups:
                params = {f"pk_{c}": v for c, v in zip(pkc, op.pk)}
                a2, b2 = dict(a), dict(b)
                if t == "monthly_reports":
                    a2["batch_id"] = batch_id
                    b2["batch_id"] = op.extra.get("old_batch_id")
                params.update({f"v_{k}": v for k, v in a2.items()})
                groups.setdefault(frozenset(a2), []).append(params)
                log.append({"t": t, "k": [_jsonable(x) for x in op.pk],
                            "b": {k: _jsonable(v) for k, v in b2.items()},
                            "a": {k: _jsonable(v) for k, v in a2.items()}})
                if t == "problems":
                    old = op.extra.get("old_status")
                    what = "、".join(field_label("problems", k) for k in a)
                    moves = [] if op.extra.get("history") else op.extra.get("moves", [])
                    # fields a move sets itself (交办's 五到位, 销号's 办结日期) belong to that move
                    own = {"status", "level"}.union(*(ACTION_FIELDS.get(mv, ()) for mv, _f, _to in moves))
                    evs = []
                    if op.extra.get("history") or any(k not in own for k in a) or not moves:
                        evs.append(("import", old, old if moves else a.get("status", old),
                                    "imp_ev_history_update" if op.extra.get("history") else "imp_ev_update"))
                    evs += [(mv, f, to, "imp_ev_move") for mv, f, to in moves]
                    log.extend(_problem_events(session, op.pk[0], actor, evs, what=what))
            for cols, plist in groups.items():
                stmt = update(tbl).where(*[tbl.c[c] == bindparam(f"pk_{c}") for c in pkc]).values(
                    {c: bindparam(f"v_{c}") for c in cols})
                session.connection().execute(stmt, plist)
    return log


def _problem_events(session: Session, pid: int, actor: Actor, evs: list[tuple], what: str = "") -> list[dict]:
    """One ProblemEvent per move (action, from, to, note key) by ``actor``; their undo-log rows."""
    out = []
    now = audit.now()
    for action, frm, to, note_key in evs:
        ev = ProblemEvent(problem_id=pid, at=now, username=actor.username, action=action, from_status=frm,
                          to_status=to, note=_t(note_key, "zh", what=what))
        session.add(ev)
        session.flush()
        out.append({"t": "problem_events", "k": [ev.id], "b": None, "a": {"problem_id": pid}})
    return out


# ---------- the entry point ----------

def run_import(session: Session, kind: str, data: bytes, filename: str, actor: Actor, dry_run: bool = False,
               acknowledge_warnings: bool = True, history: bool = False) -> ImportResult:
    """Validate ``data`` as an upload of ``kind`` and (unless ``dry_run`` or errors) write it.

    Returns an ImportResult; never raises for bad input or a refused permission (ok=False with
    every error). With warnings and ``acknowledge_warnings=False`` nothing is written and
    ``needs_acknowledgement`` is set. ``history=True`` (problems only, office/admin): load a
    historical 问题台账 once, taking its statuses as they are instead of through the workflow;
    the upload's audit row says so."""
    sha = hashlib.sha256(data or b"").hexdigest()
    filename = limits.clean_filename(filename)  # intake: the stored name fits every column
    res = ImportResult(ok=False, kind=kind, dry_run=dry_run, filename=filename or "", sha256=sha)
    if kind not in kinds.REGISTRY:
        res.errors = [_err(None, None, kind, "imp_unknown_kind", kind=kind, kinds="、".join(kinds.names()),
                           kinds_en=", ".join(kinds.names()))]
        return res
    spec = kinds.get(kind)
    if history and (kind != "problems" or not can(actor, "problem_close")):
        res.errors = [_err(None, None, "", "imp_history_refused")]
        return res
    perm = spec.permission
    if not can(actor, perm):
        res.errors = [_err(None, None, "", "imp_no_upload_regions" if perm == "upload_regions" else "imp_no_upload",
                           user=actor.label, role=enum_label("role", actor.role),
                           role_en=enum_label("role", actor.role, "en"))]
        return res
    if actor.role == "staff" and not actor.region_code:
        res.errors = [_err(None, None, "", "imp_staff_no_region")]
        return res
    try:
        frame, rows, hm = parsing.read_table(data, filename, kind)
    except ValidationError as exc:
        res.errors, res.error_total = parsing.first_errors(exc.errors or [parsing.issue_from(exc, value="")])
        return res
    except CockpitError as exc:
        res.errors, res.error_total = [parsing.issue_from(exc, value="")], 1
        return res
    res.rows = len(rows)
    res.skipped = frame.attrs.get("skipped_unfilled", 0)
    if not rows:
        res.errors = [_err(None, None, "", "imp_no_rows")]
        return res
    errors: list[dict] = parsing.ErrorList()  # keeps the first 20,000, counts the rest
    warnings: list[dict] = []
    parsing.check_cells(kind, frame, rows, hm, errors)  # control characters, lengths (intake)
    if frame.attrs.get("unknown_columns"):
        warnings.append(_err(frame.attrs.get("header_row"), "、".join(frame.attrs["unknown_columns"]), "",
                             "imp_unknown_columns"))
    ctx: dict[str, Any] = {"session": session, "actor": actor, "kind": kind, "history": history}
    ctx["region_lookup"] = _region_lookup(session) if spec.needs_regions else {}
    typed = _typed(kind, frame, rows, hm, ctx, errors)  # pure conversion, no store reads but regions
    if not dry_run:
        _lock(session)  # from here on every read sees the committed state and no one else writes
    _duplicate_keys(kind, typed, rows, hm, errors)
    items = spec.build()(ctx, typed, rows, hm, errors, warnings)
    errors.sort(key=lambda e: (e["row"] is None, e["row"] or 0))
    warnings.sort(key=lambda e: (e["row"] is None, e["row"] or 0))
    res.errors, res.warnings = errors, warnings
    if errors:
        res.errors, res.error_total = parsing.first_errors(errors)
        return res
    inserts, updates = _diff(session, items, kind)
    res.inserted = sum(1 for it in items if it.action == "insert")
    res.updated = sum(1 for it in items if it.action == "update")
    res.unchanged = sum(1 for it in items if it.action == "unchanged")
    res.changes = [{"key": it.label, "row": it.row, "action": it.action, "before": it.before, "after": it.after,
                    **({"label_msg": it.label_msg} if it.label_msg else {})}
                   for it in items]
    if warnings and not acknowledge_warnings:
        res.needs_acknowledgement = True
        res.say("imp_msg_needs_ack", n=len(warnings))
        return res
    res.ok = True
    if dry_run:
        res.say("imp_msg_preview")
        return res
    if res.inserted == 0 and res.updated == 0:
        res.say("imp_msg_nothing")
        return res
    region = actor.region_code if actor.role == "staff" else _single_region(session, kind, items)
    batch = UploadBatch(username=actor.username, at=audit.now(), kind=kind, filename=(filename or "")[:255],
                        sha256=sha, region_code=region, inserted=res.inserted, updated=res.updated,
                        unchanged=res.unchanged, warnings=json.dumps(warnings, ensure_ascii=False, default=str))
    session.add(batch)
    session.flush()
    log = _write(session, kind, inserts, updates, actor, batch.id)
    batch.changes = json.dumps(log, ensure_ascii=False, default=str)
    _refresh_flags(session, log)
    audit.record(session, actor.username, "upload", kind, filename,
                 None, {"inserted": res.inserted, "updated": res.updated, "unchanged": res.unchanged,
                        "sha256": sha, "warnings": len(warnings), **({"history": True} if history else {})},
                 batch_id=batch.id)
    session.flush()
    session.expire_all()
    res.batch_id = batch.id
    res.say("imp_msg_done", ins=res.inserted, upd=res.updated, unc=res.unchanged)
    return res


def _refresh_flags(session: Session, log: list[dict]) -> None:
    """Recompute the stored data-quality flags of the reports a batch (or its undo) touched, and of
    the months after them (a corrected report clears the flag it caused next month)."""
    from lib.intake import quality

    keys = [(c["k"][0], c["k"][1]) for c in log if c["t"] == "monthly_reports"]
    if keys:
        session.flush()
        quality.refresh(session, keys)


def preview(session: Session, kind: str, data: bytes, filename: str, actor: Actor) -> ImportResult:
    """The same checks and counts as an import, writing nothing."""
    return run_import(session, kind, data, filename, actor, dry_run=True)


def _single_region(session, kind, items) -> str | None:
    regs = set()
    for it in items:
        for op in it.ops:
            if op.table in ("region_targets", "region_stats") and op.pk:
                regs.add(op.pk[0])
            elif op.table == "projects":
                regs.add(op.values.get("region_code"))
    return regs.pop() if len(regs) == 1 else None


# ---------- undo ----------

def _restore_value(table: str, col: str, v: Any) -> Any:
    if v is None:
        return None
    typ = TABLES[table].__table__.c[col].type
    if isinstance(typ, DateTime):
        return dt.datetime.fromisoformat(v)
    if isinstance(typ, Date):
        return dt.date.fromisoformat(str(v)[:10])
    return v


def _pk_values(table: str, k: list) -> tuple:
    return tuple(_restore_value(table, c, v) for c, v in zip(PKS[table], k))


def undo_batch(session: Session, batch_id: int, actor: Actor) -> dict:
    """Undo an upload: delete the rows it inserted and put back the values it updated.

    Allowed for the uploader and for office/admin (``undo_any``). Refused (CockpitError, nothing
    changed) when the batch was already undone, when a later upload changed the same rows, or
    when the rows were changed since by other work (problem handling, edits)."""
    from lib.errors import PermissionDenied

    if not can(actor, "upload") and not can(actor, "undo_any"):
        raise PermissionDenied("imp_undo_forbidden", user=actor.label)
    _lock(session)
    batch = session.get(UploadBatch, batch_id)
    if batch is None:
        raise CockpitError("imp_undo_no_batch", id=batch_id)
    if batch.username != actor.username and not can(actor, "undo_any"):
        raise PermissionDenied("imp_undo_not_yours", id=batch_id, user=batch.username)
    if batch.undone_at is not None:
        raise CockpitError("imp_undo_already", id=batch_id, at=f"{batch.undone_at:%Y-%m-%d %H:%M}", by=batch.undone_by)
    log = json.loads(batch.changes or "[]")
    touched = {(c["t"], tuple(c["k"])) for c in log}
    later = session.execute(select(UploadBatch.id, UploadBatch.changes).where(
        UploadBatch.id > batch_id, UploadBatch.undone_at.is_(None))).all()
    for bid, ch in later:
        for c in json.loads(ch or "[]"):
            if (c["t"], tuple(c["k"])) in touched:
                raise CockpitError("imp_undo_later", id=batch_id, later=bid)
    # current rows must still hold what the batch wrote
    by_table: dict[str, list[dict]] = {}
    for c in log:
        by_table.setdefault(c["t"], []).append(c)
    for t, cs in by_table.items():
        if t == "problem_events":
            continue
        cur = _load_existing(session, t, [_pk_values(t, c["k"]) for c in cs])
        for c in cs:
            row = cur.get(_pk_values(t, c["k"]))
            if row is None:
                raise CockpitError("imp_undo_row_gone", id=batch_id, row=str(c["k"]))
            for col, v in c["a"].items():
                if not _same(_restore_value(t, col, v), row.get(col)):
                    raise CockpitError("imp_undo_changed", id=batch_id, row="/".join(map(str, c["k"])), field=col)
    ev_ids = {c["k"][0] for c in by_table.get("problem_events", [])}
    new_problems = [c["k"][0] for c in by_table.get("problems", []) if c["b"] is None]
    if new_problems:
        others = session.execute(select(ProblemEvent.problem_id, ProblemEvent.id).where(
            ProblemEvent.problem_id.in_(new_problems))).all()
        for pid, eid in others:
            if eid not in ev_ids:
                raise CockpitError("imp_undo_problem_moved", id=batch_id, problem=pid)
    deleted = restored = 0
    try:
        for c in reversed(log):
            t = c["t"]
            tbl = TABLES[t].__table__
            pk = _pk_values(t, c["k"])
            where = [tbl.c[col] == v for col, v in zip(PKS[t], pk)]
            if c["b"] is None:
                session.execute(delete(tbl).where(*where))
                deleted += 1 if t != "problem_events" else 0
            else:
                vals = {col: _restore_value(t, col, v) for col, v in c["b"].items()}
                session.execute(update(tbl).where(*where).values(vals))
                restored += 1
        session.flush()
    except IntegrityError as exc:
        raise CockpitError("imp_undo_referenced", id=batch_id) from exc
    _refresh_flags(session, log)
    batch.undone_at = audit.now()
    batch.undone_by = actor.username
    audit.record(session, actor.username, "undo", batch.kind, batch.filename, None,
                 {"deleted": deleted, "restored": restored}, batch_id=batch_id)
    session.flush()
    session.expire_all()
    return {"batch_id": batch_id, "deleted": deleted, "restored": restored}


def batches(session: Session, actor: Actor | None = None, limit: int = 50) -> pd.DataFrame:
    """Upload history (newest first); county staff see their own uploads and their county's."""
    q = select(UploadBatch.id, UploadBatch.username, UploadBatch.at, UploadBatch.kind, UploadBatch.filename,
               UploadBatch.sha256, UploadBatch.region_code, UploadBatch.inserted, UploadBatch.updated,
               UploadBatch.unchanged, UploadBatch.warnings, UploadBatch.undone_at, UploadBatch.undone_by
               ).order_by(UploadBatch.id.desc()).limit(limit)
    if actor is not None and not scope_for(actor).everything:
        q = q.where((UploadBatch.username == actor.username) | scope_for(actor).where(UploadBatch.region_code))
    rows = [r._asdict() for r in session.execute(q)]
    df = pd.DataFrame(rows, columns=["id", "username", "at", "kind", "filename", "sha256", "region_code", "inserted",
                                     "updated", "unchanged", "warnings", "undone_at", "undone_by"])
    df["warnings"] = [len(json.loads(w)) if w else 0 for w in df["warnings"]]
    return df


# ---------- reporting grid ----------

def reporting_grid(session: Session, year: int, through: str | None = None) -> pd.DataFrame:
    """Region × month of ``year`` (to ``through`` if given): annual projects, how many reported, how
    many missing, how many late (reached the store after the 10th of the next month, 月报制) and
    how many carry data-quality flags. Long format: region_code, region_name, period, annual,
    reported, missing, late, flagged."""
    cols = ["region_code", "region_name", "period", "annual", "reported", "missing", "late", "flagged"]
    regions = session.execute(select(Region.code, Region.name).order_by(Region.display_order, Region.code)).all()
    annual = dict(session.execute(
        select(Project.region_code, func.count()).join(ProjectYear, ProjectYear.project_code == Project.code)
        .where(ProjectYear.year == year, ProjectYear.library == "annual").group_by(Project.region_code)).all())
    last_m = 12
    if through:
        ty, tm = periods.split(periods.parse_period(through))
        last_m = 0 if ty < year else (tm if ty == year else 12)
    plist = [f"{year:04d}-{m:02d}" for m in range(1, last_m + 1)]
    rep: dict[tuple[str, str], list[int]] = {}
    if plist:
        q = (select(Project.region_code, MonthlyReport.period, MonthlyReport.reported_at, MonthlyReport.flags)
             .join(MonthlyReport, MonthlyReport.project_code == Project.code)
             .join(ProjectYear, (ProjectYear.project_code == Project.code) & (ProjectYear.year == year))
             .where(ProjectYear.library == "annual", MonthlyReport.period.in_(plist)))
        due = {p: dt.date(*periods.split(periods.shift(p, 1)), 10) for p in plist}
        for region, p, at, flags in session.execute(q):
            cell = rep.setdefault((region, p), [0, 0, 0])
            cell[0] += 1
            if at is not None and at.date() > due[p]:
                cell[1] += 1
            if flags:
                cell[2] += 1
    out = []
    for code, name in regions:
        a = int(annual.get(code, 0))
        for p in plist:
            n, late, flagged = rep.get((code, p), (0, 0, 0))
            out.append({"region_code": code, "region_name": name, "period": p, "annual": a, "reported": n,
                        "missing": max(a - n, 0), "late": late, "flagged": flagged})
    return pd.DataFrame(out, columns=cols)
