"""Problem closure (问题清单 闭环): the state machine, the problem table and its statistics, and the
printable 督办单.

States (lib.store.models.PROBLEM_STATUSES): pending 待交办 → assigned 已交办 (五到位) → in_progress 办理中 →
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
import numbers
from typing import Any, Mapping

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session

from lib import periods
from lib.access import Actor, can, require
from lib.errors import CockpitError, TransitionError
from lib.i18n import enum_label, enum_lookup, t
from lib.store import audit
from lib.store.models import (
    PROBLEM_CATEGORIES,
    PROBLEM_LEVELS,
    Problem,
    ProblemEvent,
    Project,
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


# --- problem numbers (问题编号) ------------------------------------------------------------------

NUMBER_MAX = 40  # characters of an office's own problem number
SYSTEM_PREFIX = "Q-"


def next_numbers(session: Session, n: int = 1) -> list[str]:
    """The next ``n`` system numbers, ``Q-000123`` style: above every internal id and every number
    already of that form, so they never collide with a stored one (stable between a preview and
    its commit when nobody writes in between)."""
    top = session.scalar(select(func.max(Problem.id))) or 0
    for num in session.scalars(select(Problem.number).where(Problem.number.like(f"{SYSTEM_PREFIX}%"))):
        tail = num[len(SYSTEM_PREFIX):]
        if tail.isdigit():
            top = max(top, int(tail))
    return [f"{SYSTEM_PREFIX}{top + i:06d}" for i in range(1, n + 1)]


def find(session: Session, ref) -> Problem | None:
    """A problem by its number (text, as shown everywhere) or by its internal id (an integer)."""
    if isinstance(ref, numbers.Integral) and not isinstance(ref, bool):
        return session.get(Problem, int(ref))
    text = str(ref or "").strip()
    if not text:
        return None
    return session.scalar(select(Problem).where(Problem.number == text))


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


def _clean_text(value, field: str | None = None, model=None) -> str | None:
    """Typed text from a page form, checked like an upload's (the same answer on SQLite and
    PostgreSQL): no control characters, at most the column's length (free text: 2000)."""
    from lib.intake.limits import TEXT_MAX_FREE, _length

    if value is None:
        return None
    s = str(value).strip()
    if not s:
        return None
    if any((ord(ch) < 32 and ch not in "\n\t") or ord(ch) == 127 for ch in s):
        raise CockpitError("pb_err_control", field=FIVE_ZH.get(field, field or ""))
    limit = _length(model or Problem, field) if field else TEXT_MAX_FREE
    limit = limit or TEXT_MAX_FREE
    if len(s) > limit:
        raise CockpitError("pb_err_too_long", field=FIVE_ZH.get(field, field or ""), n=len(s), max=limit)
    return s


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
    description = _clean_text(description, "description")
    if not description:
        raise CockpitError("问题描述不能为空")
    raised = _parse_date_field(raised_on, "提出日期")
    if raised is None:
        raise CockpitError("提出日期不能为空")
    unknown = set(fields) - set(FIVE_FIELDS)
    if unknown:
        raise CockpitError(f"提出问题时不能填写:{'、'.join(sorted(unknown))}")
    p = Problem(number=next_numbers(session)[0], project_code=project.code, category=cat, description=description, raised_on=raised,
                level=lvl, status="pending", supervise_count=0)
    _set_five(p, fields)
    session.add(p)
    session.flush()
    _event(session, p, actor, "raise", None, "pending", _clean_text(note, "note", ProblemEvent) or description, _at(at))
    audit.record(session, actor.username, "problem", "problems", str(p.id), None,
                 {"action": "raise", "project_code": p.project_code, "category": cat,
                  "description": description, "raised_on": raised, **_snapshot(p)})
    session.flush()
    return p


def _set_five(p: Problem, fields: Mapping[str, Any]) -> None:
    for key in ("unit", "leader", "person", "measures"):
        if key in fields and fields[key] is not None:
            setattr(p, key, _clean_text(fields[key], key))
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


# the forward path a problem takes, and the move that leads into each state
_PATH = ("pending", "assigned", "in_progress", "closure_requested", "closed")
_INTO = {"assigned": "assign", "in_progress": "start", "closure_requested": "submit", "closed": "accept"}


def import_moves(actor: Actor, before: Mapping[str, Any] | None, after: Mapping[str, Any],
                 region_code: str | None) -> tuple[list[tuple[str, str | None, str | None]], tuple[str, str] | None]:
    """The moves an imported row makes on a problem, as the page would make them, and why not.

    ``before`` is the stored problem (None for a new one), ``after`` its values from the file
    (status, level). Returns ([(action, from_status, to_status)], None) when ``actor`` may make every
    move on the page, else ([], reason). A new problem is raised (待交办) and taken forward along
    交办 → 开始办理 → 申请销号 → 销号 to its status; a stored problem may make one move of the state
    machine (e.g. 办理中 → 申请销号, 申请销号 → 办理中 退回) and one 提级; every move needs the role's
    permission for the county, exactly as on the page. The 五到位 and 销号 field checks are the
    importer's (the same rules, per row)."""
    to = after.get("status") or "pending"
    moves: list[tuple[str, str | None, str | None]] = []
    if before is None:
        if not can(actor, "problem_work", region_code):
            return [], ("status", t("imp_move_refused", action=_act("raise"),
                                   why=_perm_why(actor, "problem_work", region_code)))
        if to not in _PATH:
            return [], None
        for st_ in _PATH[1:_PATH.index(to) + 1]:
            action = _INTO[st_]
            perm = RULES[action][2]
            if not can(actor, perm, region_code):
                return [], ("status", t("imp_move_refused", action=_act(action),
                                        why=_perm_why(actor, perm, region_code)))
            moves.append((action, _PATH[_PATH.index(st_) - 1], st_))
        return moves, None
    frm = before.get("status")
    state = {"status": frm, "level": before.get("level"), "region_code": region_code}
    if to != frm:
        action = next((a for a, (src, dst, _p) in RULES.items() if dst == to and frm in src), None)
        if action is None:
            return [], ("status", t("imp_move_jump", frm=_st(frm), to=_st(to)))
        reason = why_not(actor, state, action)
        if reason and RULES[action][1] is not None and not can(actor, RULES[action][2], region_code):
            reason = _perm_why(actor, RULES[action][2], region_code)
        if reason:
            return [], ("status", t("imp_move_refused", action=_act(action), why=reason))
        moves.append((action, frm, to))
        state["status"] = to
    old_level, new_level = before.get("level"), after.get("level") or before.get("level")
    if new_level != old_level:
        if ESCALATION.get(old_level) != new_level:
            return [], ("level", t("imp_level_change", frm=_lvl(old_level), to=_lvl(new_level)))
        state["status"] = frm  # 提级 is judged on the problem as it stood
        reason = why_not(actor, state, "escalate")
        if reason:
            return [], ("level", t("imp_move_refused", action=_act("escalate"), why=reason))
        moves.append(("escalate", to, to))
    return moves, None


def _perm_why(actor: Actor, permission: str, region_code: str | None) -> str:
    if permission == "problem_close" and not can(actor, permission, region_code):
        return t("imp_close_is_office")
    try:
        require(actor, permission, region_code)
    except CockpitError as exc:
        return str(exc)
    return ""


def allowed_actions(actor: Actor, problem: Any) -> list[str]:
    """The actions ``actor`` may take on ``problem`` in its current state (in ACTIONS order)."""
    return [a for a in ACTIONS if why_not(actor, problem, a) is None]


def apply(session: Session, actor: Actor, problem_id: int | str, action: str, note: str | None = None,
          at=None, **fields) -> Problem:
    """Take one move on a problem. Raises TransitionError (why, in plain Chinese) for an illegal move
    and PermissionDenied for a role or county that may not take it. Writes a ProblemEvent and an
    audit row in the caller's transaction."""
    p = find(session, problem_id)
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
    note = _clean_text(note, "note", ProblemEvent)
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
            if _clean_text(fields.get(key), key) is not None:
                changes[key] = _clean_text(fields[key], key)
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


def history(session: Session, problem_id: int | str) -> pd.DataFrame:
    """Every event of one problem (by number, or internal id), oldest first: at, username, action, from_status, to_status, note."""
    p = find(session, problem_id)
    pk = p.id if p is not None else -1
    rows = session.execute(
        select(ProblemEvent.at, ProblemEvent.username, ProblemEvent.action, ProblemEvent.from_status,
               ProblemEvent.to_status, ProblemEvent.note)
        .where(ProblemEvent.problem_id == pk).order_by(ProblemEvent.id)).all()
    cols = ["at", "username", "action", "from_status", "to_status", "note"]
    return pd.DataFrame([tuple(r) for r in rows], columns=cols)


# --- drafts from lights -------------------------------------------------------------------------



def draft_from_light(light_row: Mapping[str, Any] | pd.Series, raised_on=None) -> dict:
    """A prefilled problem (生成问题) for a project with a red or yellow light: the category is
    guessed from the worst dimension, the description carries the light's reasons. The user edits
    it before raise_problem(**draft)."""
    row = dict(light_row)
    by_dim = row.get("reasons_by_dim") or {}
    if not isinstance(by_dim, Mapping):
        by_dim = {}
    from lib.rules import dimensions

    dims = [d for d in dimensions.DRAFT_ORDER if by_dim.get(d)]
    red_dims = [d for d in dims if row.get(d) == "red"]
    main = (red_dims or dims or ["other"])[0]
    reasons = ";".join(f"{enum_label('dimension', d)}:{by_dim[d]}" for d in dims) or \
        str(row.get("reasons") or "").strip()
    name = row.get("project_name") or row.get("project_code")
    light = enum_label("light", row.get("light")) if row.get("light") else ""
    desc = f"{name}{'亮' + light + '灯' if light else ''}" + (f"。{reasons}" if reasons else "")
    return {
        "project_code": row.get("project_code"),
        "category": dimensions.category(main),
        "description": desc,
        "raised_on": _parse_date_field(raised_on, "提出日期") if raised_on else _today(),
        "level": "county",
        "unit": row.get("unit") or None,
        "leader": row.get("leader") or None,
    }


