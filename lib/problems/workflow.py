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
from lib.i18n import Label, List, Msg, enum_label, enum_lookup, t
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
# the words of the fields live in lib/i18n (enumeration "problem_field"); FIVE_ZH is their Chinese view
FIVE_ZH = {f: enum_label("problem_field", f) for f in FIVE_FIELDS}
# the words a 企业满意 cell may hold (input vocabulary of the templates and forms, not messages)
SATISFIED_YES = ("是", "yes", "y", "true", "1", "满意")
SATISFIED_NO = ("否", "no", "n", "false", "0", "不满意")
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


def _field(field: str | None) -> Label | str:
    return Label("problem_field", field) if field else ""


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


def _parse_date_field(value, field: str) -> dt.date | None:
    """A date typed into ``field`` (a key of the "problem_field" enumeration: raised_on, deadline,
    closed_on, as_of); a bad one raises TransitionError naming the field, in either language."""
    try:
        return periods.parse_date(value)
    except CockpitError as exc:
        raise TransitionError("pb_err_field", field=_field(field), detail=exc) from exc


def _parse_bool(value) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    s = str(value).strip().lower()
    if s in SATISFIED_YES:
        return True
    if s in SATISFIED_NO:
        return False
    if s == "":
        return None
    raise TransitionError("pb_err_satisfied", value=value)


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
        raise CockpitError("pb_err_control", field=_field(field))
    limit = _length(model or Problem, field) if field else TEXT_MAX_FREE
    limit = limit or TEXT_MAX_FREE
    if len(s) > limit:
        raise CockpitError("pb_err_too_long", field=_field(field), n=len(s), max=limit)
    return s


def missing_five(values: Mapping[str, Any], lang: str = "zh") -> list[str]:
    """The names (in ``lang``) of the 五到位 fields that are blank in ``values``."""
    return [enum_label("problem_field", f, lang) for f in _missing_five(values)]


def _missing_five(values: Mapping[str, Any]) -> list[str]:
    return [f for f in FIVE_FIELDS if values.get(f) in (None, "")]


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
    raise TransitionError("pb_err_time", value=at)


# --- raising ----------------------------------------------------------------------------------

def raise_problem(session: Session, actor: Actor, project_code: str, category: str, description: str,
                  raised_on, level: str = "county", note: str | None = None, at=None,
                  **fields) -> Problem:
    """Record a new problem (待交办) for a project. ``category`` and ``level`` accept the English key
    or the Chinese word; the 五到位 fields (unit, leader, person, measures, deadline) are optional."""
    project = session.get(Project, (project_code or "").strip())
    if project is None:
        raise CockpitError("pb_err_no_project", code=project_code)
    require(actor, "problem_work", project.region_code)
    cat = enum_lookup("problem_category").get(str(category or "").strip().lower()) or \
        enum_lookup("problem_category").get(str(category or "").strip())
    if cat not in PROBLEM_CATEGORIES:
        raise CockpitError("pb_err_category", value=category,
                           names=List(Label("problem_category", c) for c in PROBLEM_CATEGORIES))
    lvl = enum_lookup("problem_level").get(str(level or "county").strip().lower()) or \
        enum_lookup("problem_level").get(str(level).strip())
    if lvl not in PROBLEM_LEVELS:
        raise CockpitError("pb_err_level", value=level)
    description = _clean_text(description, "description")
    if not description:
        raise CockpitError("pb_err_no_description")
    raised = _parse_date_field(raised_on, "raised_on")
    if raised is None:
        raise CockpitError("pb_err_no_raised_on")
    unknown = set(fields) - set(FIVE_FIELDS)
    if unknown:
        raise CockpitError("pb_err_raise_fields", fields=List(sorted(unknown)))
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
        deadline = _parse_date_field(fields["deadline"], "deadline")
        if p.raised_on and deadline < p.raised_on:
            raise TransitionError("pb_err_before_raised", field=_field("deadline"),
                                  date=periods.date_msg(deadline), raised=periods.date_msg(p.raised_on))
        p.deadline = deadline


# --- moves ------------------------------------------------------------------------------------

def why_not(actor: Actor, problem: Any, action: str, lang: str = "zh") -> str | None:
    """None when ``actor`` may take ``action`` on ``problem`` now; else the reason, in ``lang``."""
    reason = _why(actor, problem, action)
    return None if reason is None else reason.text(lang)


def _why(actor: Actor, problem: Any, action: str) -> Msg | CockpitError | None:
    """why_not as a message (key and parameters), rendered later in the reader's language."""
    if action not in RULES:
        return Msg("pb_why_unknown_action", action=action)
    sources, _to, perm = RULES[action]
    status = _get(problem, "status")
    if status not in sources:
        st_, act = Label("problem_status", status), Label("problem_action", action)
        if status == "closed":
            return Msg("pb_why_closed", action=act)
        if action == "accept" and status in OPEN_STATUSES:
            return Msg("pb_why_accept_submit" if status == "in_progress" else "pb_why_accept_path", status=st_)
        if action == "return":
            return Msg("pb_why_return", status=st_)
        nxt = _NEXT_STEP.get(status)
        if nxt:
            return Msg("pb_why_state_next", status=st_, action=act, next=Label("problem_action", nxt))
        return Msg("pb_why_state", status=st_, action=act)
    if action == "escalate" and _get(problem, "level") not in ESCALATION:
        return Msg("pb_why_top_level")
    if not can(actor, perm, _region_of(problem)):
        try:
            require(actor, perm, _region_of(problem))
        except CockpitError as exc:
            return exc
    return None


# the forward path a problem takes, and the move that leads into each state
_PATH = ("pending", "assigned", "in_progress", "closure_requested", "closed")
_INTO = {"assigned": "assign", "in_progress": "start", "closure_requested": "submit", "closed": "accept"}


def import_moves(actor: Actor, before: Mapping[str, Any] | None, after: Mapping[str, Any],
                 region_code: str | None) -> tuple[list[tuple[str, str | None, str | None]], tuple[str, Msg] | None]:
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
            return [], ("status", Msg("imp_move_refused", action=Label("problem_action", "raise"),
                                     why=_perm_why(actor, "problem_work", region_code)))
        if to not in _PATH:
            return [], None
        for st_ in _PATH[1:_PATH.index(to) + 1]:
            action = _INTO[st_]
            perm = RULES[action][2]
            if not can(actor, perm, region_code):
                return [], ("status", Msg("imp_move_refused", action=Label("problem_action", action),
                                          why=_perm_why(actor, perm, region_code)))
            moves.append((action, _PATH[_PATH.index(st_) - 1], st_))
        return moves, None
    frm = before.get("status")
    state = {"status": frm, "level": before.get("level"), "region_code": region_code}
    if to != frm:
        action = next((a for a, (src, dst, _p) in RULES.items() if dst == to and frm in src), None)
        if action is None:
            return [], ("status", Msg("imp_move_jump", frm=Label("problem_status", frm),
                                         to=Label("problem_status", to)))
        reason = _why(actor, state, action)
        if reason and RULES[action][1] is not None and not can(actor, RULES[action][2], region_code):
            reason = _perm_why(actor, RULES[action][2], region_code)
        if reason:
            return [], ("status", Msg("imp_move_refused", action=Label("problem_action", action), why=reason))
        moves.append((action, frm, to))
        state["status"] = to
    old_level, new_level = before.get("level"), after.get("level") or before.get("level")
    if new_level != old_level:
        if ESCALATION.get(old_level) != new_level:
            return [], ("level", Msg("imp_level_change", frm=Label("problem_level", old_level),
                                         to=Label("problem_level", new_level)))
        state["status"] = frm  # 提级 is judged on the problem as it stood
        reason = _why(actor, state, "escalate")
        if reason:
            return [], ("level", Msg("imp_move_refused", action=Label("problem_action", "escalate"), why=reason))
        moves.append(("escalate", to, to))
    return moves, None


def _perm_why(actor: Actor, permission: str, region_code: str | None) -> Msg | CockpitError | str:
    if permission == "problem_close" and not can(actor, permission, region_code):
        return Msg("imp_close_is_office")
    try:
        require(actor, permission, region_code)
    except CockpitError as exc:
        return exc
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
        raise CockpitError("pb_err_no_problem", ref=problem_id)
    if action not in RULES:
        raise TransitionError("pb_err_unknown_action", action=action,
                              names=List(Label("problem_action", a) for a in ACTIONS))
    sources, target, perm = RULES[action]
    # permission first for a role that may never do this; the state check says why otherwise
    region = _region_of(p)
    require(actor, perm, region)
    reason = _why(actor, p, action)
    if reason is not None:
        raise TransitionError(reason.key, **reason.params)
    note = _clean_text(note, "note", ProblemEvent)
    if action in NOTE_REQUIRED and not note:
        raise TransitionError("pb_err_note_required", action=Label("problem_action", action))
    unknown = set(k for k, v in fields.items() if v is not None) - set(ACTION_FIELDS.get(action, ()))
    if unknown:
        raise TransitionError("pb_err_fields_not_allowed", action=Label("problem_action", action),
                              fields=List(sorted(unknown)))
    before = _snapshot(p)
    frm = p.status
    # validate everything first, then change the row (a refused move leaves it untouched)
    changes: dict[str, Any] = {}
    if action == "assign":
        for key in ("unit", "leader", "person", "measures"):
            if _clean_text(fields.get(key), key) is not None:
                changes[key] = _clean_text(fields[key], key)
        if fields.get("deadline") not in (None, ""):
            deadline = _parse_date_field(fields["deadline"], "deadline")
            if deadline < p.raised_on:
                raise TransitionError("pb_err_before_raised", field=_field("deadline"),
                                      date=periods.date_msg(deadline), raised=periods.date_msg(p.raised_on))
            changes["deadline"] = deadline
        missing = _missing_five({**before, **changes})
        if missing:
            raise TransitionError("pb_err_five_missing", fields=List(_field(f) for f in missing))
    elif action in ("submit", "accept"):
        if fields.get("closed_on") not in (None, ""):
            closed_on = _parse_date_field(fields["closed_on"], "closed_on")
            if closed_on < p.raised_on:
                raise TransitionError("pb_err_before_raised", field=_field("closed_on"),
                                      date=periods.date_msg(closed_on), raised=periods.date_msg(p.raised_on))
            changes["closed_on"] = closed_on
        if fields.get("satisfied") is not None:
            changes["satisfied"] = _parse_bool(fields["satisfied"])
        if action == "accept":
            after = {**before, **changes}
            missing = []
            if after["satisfied"] is not True:
                missing.append(Msg("pb_need_satisfied"))
            if after["closed_on"] is None:
                missing.append(Msg("pb_need_closed_on"))
            if missing:
                raise TransitionError("pb_err_accept_return" if after["satisfied"] is False else "pb_err_accept",
                                      missing=List(missing, "list_and"))
    elif action == "return":
        changes = {"closed_on": None, "satisfied": None}
    elif action == "supervise":
        changes = {"supervise_count": int(p.supervise_count or 0) + 1}
    elif action == "escalate":
        new_level = ESCALATION[p.level]
        # the stored note (data, in the store's language): 县级→市级:…
        note = t("pb_escalate_note", frm=_lvl(p.level), to=_lvl(new_level), note=note)
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



def draft_from_light(light_row: Mapping[str, Any] | pd.Series, raised_on=None, lang: str = "zh") -> dict:
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
    reasons = List((Msg("pb_draft_reason", dim=Label("dimension", d), reason=by_dim[d]) for d in dims),
                   "pb_draft_sep").text(lang) or str(row.get("reasons") or "").strip()
    name = row.get("project_name") or row.get("project_code")
    head = t("pb_draft_light", lang, name=name, light=Label("light", row.get("light"))) if row.get("light") else name
    desc = t("pb_draft_desc", lang, head=head, reasons=reasons) if reasons else head
    return {
        "project_code": row.get("project_code"),
        "category": dimensions.category(main),
        "description": desc,
        "raised_on": _parse_date_field(raised_on, "raised_on") if raised_on else _today(),
        "level": "county",
        "unit": row.get("unit") or None,
        "leader": row.get("leader") or None,
    }


