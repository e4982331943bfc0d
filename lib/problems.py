"""Problem closure (问题清单 闭环): the state machine, the problem table and its statistics, and the
printable 督办单.

States (lib.models.PROBLEM_STATUSES): pending 待交办 → assigned 已交办 (五到位) → in_progress 办理中 →
closure_requested 申请销号 → closed 已销号 (企业满意 and 办结日期); closure_requested → in_progress on
return 退回 (note). Any open state: progress 进展 (note), supervise 督办 (note, count +1), escalate 提级
county → city → province (note). Every move appends a ProblemEvent and an audit row in the caller's
transaction.

Roles: county staff work on the problems of their own county's projects (raise, assign, start,
progress, submit, escalate); accept 销号 and return 退回 are for the campaign office (and admin);
supervise 督办 for leaders, the office and admin.
"""
from __future__ import annotations

import datetime as dt
import io
from typing import Any, Mapping

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from lib import audit, periods
from lib.auth import Actor, can, require
from lib.errors import CockpitError, TransitionError
from lib.i18n import enum_label, enum_lookup
from lib.models import (
    PROBLEM_CATEGORIES,
    PROBLEM_LEVELS,
    Problem,
    ProblemEvent,
    Project,
    Region,
)

ACTIONS = ("assign", "start", "progress", "submit", "accept", "return", "supervise", "escalate")
OPEN_STATUSES = ("pending", "assigned", "in_progress", "closure_requested")
FIVE_FIELDS = ("unit", "leader", "person", "measures", "deadline")  # 五到位
FIVE_ZH = {"unit": "责任单位", "leader": "责任领导", "person": "责任人", "measures": "解决措施",
           "deadline": "解决时限"}
ESCALATION = {"county": "city", "city": "province"}

# action -> (states it may start from, the state it leads to (None = stays), permission)
RULES: dict[str, tuple[tuple[str, ...], str | None, str]] = {
    "assign": (("pending",), "assigned", "problem_work"),
    "start": (("assigned",), "in_progress", "problem_work"),
    "progress": (OPEN_STATUSES, None, "problem_work"),
    "submit": (("in_progress",), "closure_requested", "problem_work"),
    "accept": (("closure_requested",), "closed", "problem_close"),
    "return": (("closure_requested",), "in_progress", "problem_close"),
    "supervise": (OPEN_STATUSES, None, "supervise"),
    "escalate": (OPEN_STATUSES, None, "problem_work"),
}
NOTE_REQUIRED = ("progress", "return", "supervise", "escalate")
# fields an action may set besides its note
ACTION_FIELDS = {
    "assign": FIVE_FIELDS,
    "submit": ("closed_on", "satisfied"),
    "accept": ("closed_on", "satisfied"),
}

# the move that leads from each state onwards, for the "why not" message
_NEXT_STEP = {"pending": "assign", "assigned": "start", "in_progress": "submit",
              "closure_requested": "accept"}


def _st(status: str | None) -> str:
    return enum_label("problem_status", status) if status else ""


def _act(action: str) -> str:
    return enum_label("problem_action", action)


def _lvl(level: str) -> str:
    return enum_label("problem_level", level)


def _today() -> dt.date:
    return dt.date.today()


def _region_of(problem: Any) -> str | None:
    """The region of a problem's project (a Problem row, or a mapping with region_code)."""
    if isinstance(problem, Mapping):
        return problem.get("region_code")
    region = getattr(problem, "region_code", None)
    if region:
        return region
    session = object_session(problem)
    if session is None:
        return None
    project = session.get(Project, problem.project_code)
    return project.region_code if project else None


def _get(problem: Any, key: str):
    return problem.get(key) if isinstance(problem, Mapping) else getattr(problem, key)


def _parse_date_field(value, label: str) -> dt.date | None:
    try:
        return periods.parse_date(value)
    except CockpitError as exc:
        raise TransitionError(f"{label}:{exc}") from exc


def _parse_bool(value) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    s = str(value).strip().lower()
    if s in ("是", "yes", "y", "true", "1", "满意"):
        return True
    if s in ("否", "no", "n", "false", "0", "不满意"):
        return False
    if s == "":
        return None
    raise TransitionError(f"企业满意应填“是”或“否”,收到「{value}」")


def _clean_text(value) -> str | None:
    if value is None:
        return None
    s = str(value).strip()
    return s or None


def missing_five(values: Mapping[str, Any]) -> list[str]:
    """The Chinese names of the 五到位 fields that are blank in ``values``."""
    return [FIVE_ZH[f] for f in FIVE_FIELDS if values.get(f) in (None, "")]


def _snapshot(p: Problem) -> dict:
    return {
        "status": p.status, "level": p.level, "unit": p.unit, "leader": p.leader, "person": p.person,
        "measures": p.measures, "deadline": p.deadline, "closed_on": p.closed_on,
        "satisfied": p.satisfied, "supervise_count": p.supervise_count,
    }


def _event(session: Session, p: Problem, actor: Actor, action: str, frm: str | None, to: str | None,
           note: str | None, at: dt.datetime) -> ProblemEvent:
    ev = ProblemEvent(problem_id=p.id, at=at, username=actor.username, action=action,
                      from_status=frm, to_status=to, note=note)
    session.add(ev)
    return ev


def _at(at) -> dt.datetime:
    if at is None:
        return audit.now()
    if isinstance(at, dt.datetime):
        return at.replace(microsecond=0)
    if isinstance(at, dt.date):
        return dt.datetime.combine(at, dt.time(0, 0))
    raise TransitionError(f"时间格式不正确:「{at}」")


# --- raising ----------------------------------------------------------------------------------

def raise_problem(session: Session, actor: Actor, project_code: str, category: str, description: str,
                  raised_on, level: str = "county", note: str | None = None, at=None,
                  **fields) -> Problem:
    """Record a new problem (待交办) for a project. ``category`` and ``level`` accept the English key
    or the Chinese word; the 五到位 fields (unit, leader, person, measures, deadline) are optional."""
    project = session.get(Project, (project_code or "").strip())
    if project is None:
        raise CockpitError(f"项目代码不存在:{project_code}")
    require(actor, "problem_work", project.region_code)
    cat = enum_lookup("problem_category").get(str(category or "").strip().lower()) or \
        enum_lookup("problem_category").get(str(category or "").strip())
    if cat not in PROBLEM_CATEGORIES:
        raise CockpitError(f"问题类型「{category}」不正确,应为:"
                           + "、".join(enum_label("problem_category", c) for c in PROBLEM_CATEGORIES))
    lvl = enum_lookup("problem_level").get(str(level or "county").strip().lower()) or \
        enum_lookup("problem_level").get(str(level).strip())
    if lvl not in PROBLEM_LEVELS:
        raise CockpitError(f"协调层级「{level}」不正确,应为县级、市级或省级")
    description = _clean_text(description)
    if not description:
        raise CockpitError("问题描述不能为空")
    raised = _parse_date_field(raised_on, "提出日期")
    if raised is None:
        raise CockpitError("提出日期不能为空")
    unknown = set(fields) - set(FIVE_FIELDS)
    if unknown:
        raise CockpitError(f"提出问题时不能填写:{'、'.join(sorted(unknown))}")
    p = Problem(project_code=project.code, category=cat, description=description, raised_on=raised,
                level=lvl, status="pending", supervise_count=0)
    _set_five(p, fields)
    session.add(p)
    session.flush()
    _event(session, p, actor, "raise", None, "pending", _clean_text(note) or description, _at(at))
    audit.record(session, actor.username, "problem", "problems", str(p.id), None,
                 {"action": "raise", "project_code": p.project_code, "category": cat,
                  "description": description, "raised_on": raised, **_snapshot(p)})
    session.flush()
    return p


def _set_five(p: Problem, fields: Mapping[str, Any]) -> None:
    for key in ("unit", "leader", "person", "measures"):
        if key in fields and fields[key] is not None:
            setattr(p, key, _clean_text(fields[key]))
    if fields.get("deadline") not in (None, ""):
        deadline = _parse_date_field(fields["deadline"], "解决时限")
        if p.raised_on and deadline < p.raised_on:
            raise TransitionError(
                f"解决时限({periods.fmt_date(deadline)})不能早于提出日期({periods.fmt_date(p.raised_on)})")
        p.deadline = deadline


# --- moves ------------------------------------------------------------------------------------

def why_not(actor: Actor, problem: Any, action: str) -> str | None:
    """None when ``actor`` may take ``action`` on ``problem`` now; else the plain-Chinese reason."""
    if action not in RULES:
        return f"不认识的操作「{action}」"
    sources, _to, perm = RULES[action]
    status = _get(problem, "status")
    if status not in sources:
        if status == "closed":
            return f"问题已销号,不能再{_act(action)}"
        if action == "accept" and status in OPEN_STATUSES:
            return (f"问题当前状态为“{_st(status)}”,不能直接销号,需先申请销号"
                    if status == "in_progress" else
                    f"问题当前状态为“{_st(status)}”,不能直接销号,需依次交办、办理、申请销号")
        if action == "return":
            return f"问题当前状态为“{_st(status)}”,只有“申请销号”的问题才能退回"
        nxt = _NEXT_STEP.get(status)
        hint = f",下一步应为“{_act(nxt)}”" if nxt else ""
        return f"问题当前状态为“{_st(status)}”,不能{_act(action)}{hint}"
    if action == "escalate" and _get(problem, "level") not in ESCALATION:
        return "问题已是省级协调,不能再提级"
    if not can(actor, perm, _region_of(problem)):
        try:
            require(actor, perm, _region_of(problem))
        except CockpitError as exc:
            return str(exc)
    return None


def allowed_actions(actor: Actor, problem: Any) -> list[str]:
    """The actions ``actor`` may take on ``problem`` in its current state (in ACTIONS order)."""
    return [a for a in ACTIONS if why_not(actor, problem, a) is None]


def apply(session: Session, actor: Actor, problem_id: int, action: str, note: str | None = None,
          at=None, **fields) -> Problem:
    """Take one move on a problem. Raises TransitionError (why, in plain Chinese) for an illegal move
    and PermissionDenied for a role or county that may not take it. Writes a ProblemEvent and an
    audit row in the caller's transaction."""
    p = session.get(Problem, int(problem_id))
    if p is None:
        raise CockpitError(f"问题编号不存在:{problem_id}")
    if action not in RULES:
        raise TransitionError(f"不认识的操作「{action}」,应为:{'、'.join(_act(a) for a in ACTIONS)}")
    sources, target, perm = RULES[action]
    # permission first for a role that may never do this; the state check says why otherwise
    region = _region_of(p)
    require(actor, perm, region)
    reason = why_not(actor, p, action)
    if reason:
        raise TransitionError(reason)
    note = _clean_text(note)
    if action in NOTE_REQUIRED and not note:
        raise TransitionError(f"{_act(action)}必须填写说明")
    unknown = set(k for k, v in fields.items() if v is not None) - set(ACTION_FIELDS.get(action, ()))
    if unknown:
        raise TransitionError(f"{_act(action)}时不能修改:{'、'.join(sorted(unknown))}")
    before = _snapshot(p)
    frm = p.status
    # validate everything first, then change the row (a refused move leaves it untouched)
    changes: dict[str, Any] = {}
    if action == "assign":
        for key in ("unit", "leader", "person", "measures"):
            if _clean_text(fields.get(key)) is not None:
                changes[key] = _clean_text(fields[key])
        if fields.get("deadline") not in (None, ""):
            deadline = _parse_date_field(fields["deadline"], "解决时限")
            if deadline < p.raised_on:
                raise TransitionError(f"解决时限({periods.fmt_date(deadline)})不能早于提出日期"
                                      f"({periods.fmt_date(p.raised_on)})")
            changes["deadline"] = deadline
        missing = missing_five({**before, **changes})
        if missing:
            raise TransitionError(f"交办需五到位,缺少:{'、'.join(missing)}")
    elif action in ("submit", "accept"):
        if fields.get("closed_on") not in (None, ""):
            closed_on = _parse_date_field(fields["closed_on"], "办结日期")
            if closed_on < p.raised_on:
                raise TransitionError(f"办结日期({periods.fmt_date(closed_on)})不能早于提出日期"
                                      f"({periods.fmt_date(p.raised_on)})")
            changes["closed_on"] = closed_on
        if fields.get("satisfied") is not None:
            changes["satisfied"] = _parse_bool(fields["satisfied"])
        if action == "accept":
            after = {**before, **changes}
            missing = []
            if after["satisfied"] is not True:
                missing.append("企业满意=是")
            if after["closed_on"] is None:
                missing.append("办结日期")
            if missing:
                raise TransitionError(f"销号需{'和'.join(missing)}" +
                                      (",企业不满意的问题应退回继续办理" if after["satisfied"] is False else ""))
    elif action == "return":
        changes = {"closed_on": None, "satisfied": None}
    elif action == "supervise":
        changes = {"supervise_count": int(p.supervise_count or 0) + 1}
    elif action == "escalate":
        new_level = ESCALATION[p.level]
        note = f"{_lvl(p.level)}→{_lvl(new_level)}:{note}"
        changes = {"level": new_level}
    for key, value in changes.items():
        setattr(p, key, value)
    if target is not None:
        p.status = target
    when = _at(at)
    _event(session, p, actor, action, frm, p.status, note, when)
    audit.record(session, actor.username, "problem", "problems", str(p.id),
                 {**before}, {"action": action, "note": note, **_snapshot(p)})
    session.flush()
    return p


def history(session: Session, problem_id: int) -> pd.DataFrame:
    """Every event of one problem, oldest first: at, username, action, from_status, to_status, note."""
    rows = session.execute(
        select(ProblemEvent.at, ProblemEvent.username, ProblemEvent.action, ProblemEvent.from_status,
               ProblemEvent.to_status, ProblemEvent.note)
        .where(ProblemEvent.problem_id == int(problem_id)).order_by(ProblemEvent.id)).all()
    cols = ["at", "username", "action", "from_status", "to_status", "note"]
    return pd.DataFrame([tuple(r) for r in rows], columns=cols)


# --- tables -----------------------------------------------------------------------------------

CLI_COLUMNS = ["problem_id", "project_code", "region_code", "category", "level", "status", "raised_on",
               "deadline", "closed_on", "overdue_days", "supervise_count"]
EXTRA_COLUMNS = ["project_name", "description", "unit", "leader", "person", "measures", "satisfied",
                 "days_open", "is_open"]


def is_open_at(status: str, closed_on: dt.date | None, as_of: dt.date) -> bool:
    """Open at ``as_of``: not (已销号 with 办结日期 ≤ as-of)."""
    return not (status == "closed" and closed_on is not None and closed_on <= as_of)


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
    """One row per problem raised on or before ``as_of`` (default today): the DESIGN.md CLI columns,
    then display columns. overdue_days is blank (<NA>) unless the problem is open at as-of and
    as-of > deadline, then (as-of − deadline) in days."""
    as_of = _parse_date_field(as_of, "截至日期") if as_of is not None else _today()
    stmt = (select(Problem.id.label("problem_id"), Problem.project_code, Project.region_code,
                   Problem.category, Problem.level, Problem.status, Problem.raised_on, Problem.deadline,
                   Problem.closed_on, Problem.supervise_count, Project.name.label("project_name"),
                   Problem.description, Problem.unit, Problem.leader, Problem.person, Problem.measures,
                   Problem.satisfied)
            .join(Project, Project.code == Problem.project_code)
            .where(Problem.raised_on <= as_of).order_by(Problem.id))
    if region_code:
        stmt = stmt.where(Project.region_code == region_code)
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
    # open at as-of: not (已销号 with 办结日期 ≤ as-of) — the same rule as is_open_at
    is_open = ~((df["status"] == "closed") & closed.notna() & (closed <= as_of_ts))
    late = is_open & deadline.notna() & (as_of_ts > deadline)
    overdue = (as_of_ts - deadline).dt.days.where(late)
    end = closed.where(~is_open, as_of_ts)
    df["overdue_days"] = overdue.astype("Int64")
    df["days_open"] = (end - raised).dt.days.astype("Int64")
    df["is_open"] = is_open.astype(bool)
    df["problem_id"] = df["problem_id"].astype("int64")
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


UNASSIGNED_UNIT = "(未明确责任单位)"


def unit_scoreboard(df: pd.DataFrame) -> pd.DataFrame:
    """Per 责任单位: held (problems), closed, on_time_rate (closed on time ÷ closed), overdue (count),
    max_overdue_days. Worst first: most overdue, then lowest on-time rate."""
    cols = ["unit", "held", "closed", "on_time_rate", "overdue", "max_overdue_days"]
    if len(df) == 0:
        return pd.DataFrame(columns=cols)
    work = pd.DataFrame({
        "unit": df["unit"].fillna("").astype(str).str.strip().replace("", UNASSIGNED_UNIT),
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
        ["_c", "_o", "_d", "problem_id"], na_position="last").drop(columns=["_o", "_c", "_d"])


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


# --- drafts from lights -------------------------------------------------------------------------

_DIM_CATEGORY = {"start": "approval", "progress": "construction", "funds": "funds", "stats": "other",
                 "reporting": "other", "problems": "other"}
_DIM_ORDER = ("start", "progress", "funds", "stats", "reporting", "problems")


def draft_from_light(light_row: Mapping[str, Any] | pd.Series, raised_on=None) -> dict:
    """A prefilled problem (生成问题) for a project with a red or yellow light: the category is
    guessed from the worst dimension, the description carries the light's reasons. The user edits
    it before raise_problem(**draft)."""
    row = dict(light_row)
    by_dim = row.get("reasons_by_dim") or {}
    if not isinstance(by_dim, Mapping):
        by_dim = {}
    dims = [d for d in _DIM_ORDER if by_dim.get(d)]
    red_dims = [d for d in dims if row.get(d) == "red"]
    main = (red_dims or dims or ["other"])[0]
    reasons = ";".join(f"{enum_label('dimension', d)}:{by_dim[d]}" for d in dims) or \
        str(row.get("reasons") or "").strip()
    name = row.get("project_name") or row.get("project_code")
    light = enum_label("light", row.get("light")) if row.get("light") else ""
    desc = f"{name}{'亮' + light + '灯' if light else ''}" + (f"。{reasons}" if reasons else "")
    return {
        "project_code": row.get("project_code"),
        "category": _DIM_CATEGORY.get(main, "other"),
        "description": desc,
        "raised_on": _parse_date_field(raised_on, "提出日期") if raised_on else _today(),
        "level": "county",
        "unit": row.get("unit") or None,
        "leader": row.get("leader") or None,
    }


# --- 督办单 ----------------------------------------------------------------------------------

DUDAN_FONT = "仿宋"
DUDAN_FALLBACK_FONTS = ("FangSong", "Noto Serif CJK SC", "Noto Sans CJK SC")


def _font(run, size_pt: float | None = None, bold: bool = False, east_asia: str = DUDAN_FONT) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = "Times New Roman"
    rpr = run._element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, rfonts)
    rfonts.set(qn("w:eastAsia"), east_asia)
    if size_pt:
        run.font.size = Pt(size_pt)
    run.bold = bold


_FULLWIDTH = str.maketrans({",": "\uff0c", ":": "\uff1a", ";": "\uff1b", "(": "\uff08", ")": "\uff09"})


def _fullwidth(text: str) -> str:
    """Chinese punctuation for the printed template text (user data is left as typed)."""
    return text.translate(_FULLWIDTH)


def dudan_number(as_of: dt.date, unit: str | None, region_code: str | None) -> str:
    """A stable document number: 督〔YYYY〕MMDD-NN, NN from the recipient (same inputs, same number)."""
    import zlib

    seed = f"{unit or ''}|{region_code or ''}".encode("utf-8")
    return f"督〔{as_of.year}〕{as_of:%m%d}-{zlib.crc32(seed) % 100:02d}号"


def dudan_docx(session: Session, as_of, unit: str | None = None, region_code: str | None = None,
               reply_days: int = 7, issuer: str = "重点项目攻坚领导小组办公室") -> bytes:
    """A printable 督办单 (Word) listing the problems overdue at ``as_of`` of one responsible unit
    and/or one county, with their 五到位 and days overdue."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    as_of = _parse_date_field(as_of, "截至日期") or _today()
    df = problem_table(session, as_of=as_of, region_code=region_code)
    if unit:
        df = df[df["unit"].fillna("") == unit]
    df = urgency_order(df[df["overdue_days"].notna()])
    region_name, region_kind = None, None
    if region_code:
        r = session.get(Region, region_code)
        region_name, region_kind = (r.name, r.kind) if r else (region_code, None)
    county_office = (f"{region_name}管理委员会" if region_kind == "park" else f"{region_name}人民政府")
    recipient = unit or (county_office if region_name else "各县(市、区)人民政府")
    scope = unit or region_name or "全部县区"

    doc = Document()
    styles = doc.styles
    normal = styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(12)
    rpr = normal.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, rfonts)
    rfonts.set(qn("w:eastAsia"), DUDAN_FONT)
    lang_el = rpr.find(qn("w:lang"))
    if lang_el is None:
        lang_el = rpr.makeelement(qn("w:lang"), {})
        rpr.append(lang_el)
    lang_el.set(qn("w:val"), "zh-CN")
    lang_el.set(qn("w:eastAsia"), "zh-CN")  # so a substitute font is a Simplified Chinese face
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.LANDSCAPE
    sec.page_width, sec.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin"):
        setattr(sec, side, Cm(2.0))
    sec.top_margin = sec.bottom_margin = Cm(1.8)

    def para(text: str = "", size: float = 14, bold: bool = False, align=None, font=DUDAN_FONT,
             space_after: float = 4):
        p = doc.add_paragraph()
        if align is not None:
            p.alignment = align
        p.paragraph_format.space_after = Pt(space_after)
        if text:
            _font(p.add_run(_fullwidth(text)), size, bold, font)
        return p

    para("重点项目问题督办单", 22, True, WD_ALIGN_PARAGRAPH.CENTER, "黑体", 6)
    para(f"{dudan_number(as_of, unit, region_code)}        {periods.fmt_date(as_of)}", 12, False,
         WD_ALIGN_PARAGRAPH.CENTER, space_after=10)
    para(f"{recipient}:", 14, True)
    reply_by = as_of + dt.timedelta(days=reply_days)
    if len(df):
        body = (f"截至{periods.fmt_date(as_of)},{scope}有{len(df)}个重点项目问题超过解决时限仍未销号,"
                f"最长逾期{int(df['overdue_days'].max())}天。现予督办,请按“五到位”要求抓紧解决。")
    else:
        body = f"截至{periods.fmt_date(as_of)},{scope}没有超过解决时限的重点项目问题。"
    p = para(body, 14)
    p.paragraph_format.first_line_indent = Pt(28)

    if len(df):
        headers = ["序号", "项目名称", "问题类型", "问题描述", "责任单位", "责任领导", "责任人", "解决措施",
                   "解决时限", "逾期天数", "督办次数"]
        widths = [1.0, 3.2, 1.9, 4.2, 2.6, 2.3, 1.6, 3.9, 2.4, 1.3, 1.3]
        table = doc.add_table(rows=1, cols=len(headers))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        for i, col in enumerate(table.columns):  # the grid widths are what LibreOffice/WPS honour
            col.width = Cm(widths[i])
        for i, h in enumerate(headers):
            cell = table.rows[0].cells[i]
            cell.width = Cm(widths[i])
            cp = cell.paragraphs[0]
            cp.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _font(cp.add_run(h), 10.5, True, "黑体")
        for n, r in enumerate(df.itertuples(index=False), start=1):
            values = [str(n), r.project_name or r.project_code,
                      enum_label("problem_category", r.category), r.description or "", r.unit or "",
                      r.leader or "", r.person or "", r.measures or "",
                      periods.fmt_date(r.deadline) if r.deadline else "", f"{int(r.overdue_days)}天",
                      f"{int(r.supervise_count)}次"]
            cells = table.add_row().cells
            for i, v in enumerate(values):
                cells[i].width = Cm(widths[i])
                cp = cells[i].paragraphs[0]
                if i in (0, 8, 9, 10):
                    cp.alignment = WD_ALIGN_PARAGRAPH.CENTER
                _font(cp.add_run(v), 10.5)
        # repeat the header row on each printed page
        trpr = table.rows[0]._tr.get_or_add_trPr()
        trpr.append(trpr.makeelement(qn("w:tblHeader"), {qn("w:val"): "true"}))
    para("", 6)
    p = para(f"请于{periods.fmt_date(reply_by)}前将办理情况(含解决进展、存在困难及下一步措施)书面报送"
             f"{issuer},已解决的问题按程序申请销号。", 14)
    p.paragraph_format.first_line_indent = Pt(28)
    para("", 10)
    para(f"{issuer}(盖章)", 14, False, WD_ALIGN_PARAGRAPH.RIGHT)
    para("签发人:____________        日期:____________", 14, False, WD_ALIGN_PARAGRAPH.RIGHT)
    para(f"本督办单由攻坚驾驶舱根据问题清单生成,数据截至{periods.fmt_date(as_of)}。", 9, False)
    _declare_cjk_fonts(doc)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


# 仿宋 / 黑体 declared in the font table as Chinese (GB2312-charset) fonts with a named alternative
# (w:altName) for word processors that lack them. LibreOffice on Linux ignores the hint and uses its
# own CJK substitute (Noto Sans CJK); Word/WPS on the government PCs have 仿宋 and 黑体.
_CJK_FONTS = (("仿宋", "Noto Serif CJK SC", "roman"), ("黑体", "Noto Sans CJK SC", "swiss"))


def _declare_cjk_fonts(doc) -> None:
    for rel in doc.part.rels.values():
        if rel.reltype.endswith("/fontTable"):
            part = rel.target_part
            blob = part.blob.decode("utf-8")
            extra = "".join(
                f'<w:font w:name="{name}"><w:altName w:val="{alt}"/><w:charset w:val="86"/>'
                f'<w:family w:val="{family}"/><w:pitch w:val="variable"/></w:font>'
                for name, alt, family in _CJK_FONTS if f'w:name="{name}"' not in blob)
            part._blob = blob.replace("</w:fonts>", extra + "</w:fonts>").encode("utf-8")
            return
