"""Problem closure: the state machine by role, events and audit, the problem table (overdue
boundaries), statistics, scoreboard, drafts from lights and the 督办单."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from sqlalchemy import func, select

from lib import problems as P
from lib.access import Actor
from lib.errors import CockpitError, PermissionDenied, TransitionError
from lib.problems import dudan
from lib.store import session_scope
from lib.store.models import AuditLog, Problem, ProblemEvent, Project, Region

STAFF_A = Actor("staff-532901", "staff", "532901")  # the problem's county
STAFF_B = Actor("staff-532922", "staff", "532922")  # another county
LEADER = Actor("leader", "leader")
OFFICE = Actor("office", "office")
ADMIN = Actor("admin", "admin")
ACTORS = {"staff_a": STAFF_A, "staff_b": STAFF_B, "leader": LEADER, "office": OFFICE, "admin": ADMIN}

FIVE = dict(unit="大理市自然资源局", leader="王副市长", person="李建华", measures="成立专班逐户协调",
            deadline=dt.date(2022, 5, 31))
RAISED = dt.date(2022, 3, 1)

# The rules, written out independently of lib.problems: state -> action -> next state (None = same).
LEGAL = {
    "pending": {"assign": "assigned", "progress": None, "supervise": None, "escalate": None},
    "assigned": {"start": "in_progress", "progress": None, "supervise": None, "escalate": None},
    "in_progress": {"submit": "closure_requested", "progress": None, "supervise": None, "escalate": None},
    "closure_requested": {"accept": "closed", "return": "in_progress", "progress": None,
                          "supervise": None, "escalate": None},
    "closed": {},
}
WHO = {  # action -> actors (of ACTORS) that may take it on a problem of county 532901
    "assign": {"staff_a", "office", "admin"}, "start": {"staff_a", "office", "admin"},
    "progress": {"staff_a", "office", "admin"}, "submit": {"staff_a", "office", "admin"},
    "escalate": {"staff_a", "office", "admin"}, "accept": {"office", "admin"},
    "return": {"office", "admin"}, "supervise": {"leader", "office", "admin"},
}
ALL_ACTIONS = ["assign", "start", "progress", "submit", "accept", "return", "supervise", "escalate"]
PATH = ["pending", "assigned", "in_progress", "closure_requested", "closed"]
STEP = {"assigned": ("assign", FIVE), "in_progress": ("start", {}),
        "closure_requested": ("submit", {"closed_on": dt.date(2022, 5, 20), "satisfied": True}),
        "closed": ("accept", {})}


def seed(s):
    s.add_all([Region(code="532901", name="大理市", display_order=1),
               Region(code="532922", name="漾濞县", display_order=2)])
    s.add_all([Project(code="P1", name="海东综合管廊", region_code="532901", sector="市政",
                       total_investment=50000),
               Project(code="P2", name="核桃产业园", region_code="532922", sector="产业",
                       total_investment=20000)])
    s.flush()


def make(s, status, project="P1", **raise_fields):
    """A problem walked by the admin along the legal path to ``status``."""
    p = P.raise_problem(s, ADMIN, project, "demolition", "23户搬迁安置未谈妥", RAISED, **raise_fields)
    for st in PATH[1:PATH.index(status) + 1]:
        action, fields = STEP[st]
        P.apply(s, ADMIN, p.id, action, **fields)
    assert p.status == status
    return p


def args_for(action):
    note = "情况说明" if action in ("progress", "return", "supervise", "escalate") else None
    fields = dict(FIVE) if action == "assign" else {}
    if action == "accept":
        fields = {"closed_on": dt.date(2022, 5, 20), "satisfied": True}
    return note, fields


def events(s, pid):
    return s.execute(select(ProblemEvent.action, ProblemEvent.from_status, ProblemEvent.to_status,
                            ProblemEvent.username, ProblemEvent.note)
                     .where(ProblemEvent.problem_id == pid).order_by(ProblemEvent.id)).all()


@pytest.fixture
def s(session):
    seed(session)
    return session


# --- the whole matrix: every state × every action × every role ---------------------------------

@pytest.mark.parametrize("status", PATH)
@pytest.mark.parametrize("who", list(ACTORS))
def test_every_move_by_role(s, status, who):
    actor = ACTORS[who]
    expected_allowed = []
    for action in ALL_ACTIONS:
        p = make(s, status)
        n_before = len(events(s, p.id))
        audit_before = s.scalar(select(func.count()).select_from(AuditLog))
        snapshot = (p.status, p.level, p.supervise_count, p.closed_on, p.satisfied)
        note, fields = args_for(action)
        legal_state = action in LEGAL[status]
        legal_role = who in WHO[action]
        if legal_state and legal_role:
            expected_allowed.append(action)
            P.apply(s, actor, p.id, action, note=note, **fields)
            nxt = LEGAL[status][action] or status
            assert p.status == nxt
            ev = events(s, p.id)
            assert len(ev) == n_before + 1
            assert ev[-1][:4] == (action, status, nxt, actor.username)
            assert s.scalar(select(func.count()).select_from(AuditLog)) == audit_before + 1
            if action == "supervise":
                assert p.supervise_count == 1
            if action == "escalate":
                assert p.level == "city" and ev[-1].note.startswith("县级→市级")
        else:
            err = PermissionDenied if not legal_role else TransitionError
            with pytest.raises(err) as e:
                P.apply(s, actor, p.id, action, note=note, **fields)
            assert str(e.value)  # a message a user can read
            assert len(events(s, p.id)) == n_before
            assert (p.status, p.level, p.supervise_count, p.closed_on, p.satisfied) == snapshot
            assert s.scalar(select(func.count()).select_from(AuditLog)) == audit_before
    assert P.allowed_actions(actor, make(s, status)) == expected_allowed


# --- messages and field rules ----------------------------------------------------------------

def test_messages_say_why(s):
    p = make(s, "in_progress")
    with pytest.raises(TransitionError, match="问题当前状态为“办理中”,不能直接销号,需先申请销号"):
        P.apply(s, OFFICE, p.id, "accept", closed_on="2022-05-20", satisfied=True)
    q = make(s, "pending")
    with pytest.raises(TransitionError, match="交办需五到位,缺少:责任人、解决时限"):
        P.apply(s, STAFF_A, q.id, "assign", unit="自然资源局", leader="王副市长", measures="专班")
    assert q.unit is None and q.status == "pending"  # a refused move changes nothing
    with pytest.raises(TransitionError, match="不能开始办理"):
        P.apply(s, STAFF_A, q.id, "start")
    c = make(s, "closed")
    with pytest.raises(TransitionError, match="已销号"):
        P.apply(s, OFFICE, c.id, "supervise", note="再督")
    with pytest.raises(TransitionError, match="只有“申请销号”的问题才能退回"):
        P.apply(s, OFFICE, p.id, "return", note="x")


@pytest.mark.parametrize("action,status", [("progress", "pending"), ("supervise", "assigned"),
                                           ("escalate", "in_progress"), ("return", "closure_requested")])
def test_note_required(s, action, status):
    p = make(s, status)
    with pytest.raises(TransitionError, match="必须填写说明"):
        P.apply(s, ADMIN, p.id, action, note="   ")


def test_assign_fields_may_come_with_raise(s):
    p = P.raise_problem(s, STAFF_A, "P1", "用地", "用地指标不足", "2022-03-01", **FIVE)
    assert p.status == "pending" and p.deadline == dt.date(2022, 5, 31)
    P.apply(s, STAFF_A, p.id, "assign")
    assert p.status == "assigned"


def test_deadline_before_raised_refused(s):
    p = make(s, "pending")
    with pytest.raises(TransitionError, match="不能早于提出日期"):
        P.apply(s, STAFF_A, p.id, "assign", **{**FIVE, "deadline": "2022-02-01"})


def test_accept_needs_satisfied_and_closed_on(s):
    p = make(s, "in_progress")
    P.apply(s, STAFF_A, p.id, "submit")  # without 办结日期/企业满意
    with pytest.raises(TransitionError, match="销号需企业满意=是和办结日期"):
        P.apply(s, OFFICE, p.id, "accept")
    with pytest.raises(TransitionError, match="企业不满意的问题应退回"):
        P.apply(s, OFFICE, p.id, "accept", closed_on="2022-05-20", satisfied="否")
    assert p.status == "closure_requested" and p.closed_on is None
    P.apply(s, OFFICE, p.id, "accept", closed_on="2022-05-20", satisfied="是")
    assert (p.status, p.closed_on, p.satisfied) == ("closed", dt.date(2022, 5, 20), True)


def test_return_clears_the_closure_claim(s):
    p = make(s, "closure_requested")
    assert p.closed_on is not None
    P.apply(s, OFFICE, p.id, "return", note="企业反映仍未解决")
    assert (p.status, p.closed_on, p.satisfied) == ("in_progress", None, None)


def test_escalation_ladder(s):
    p = make(s, "assigned")
    P.apply(s, STAFF_A, p.id, "escalate", note="县级无法协调")
    P.apply(s, OFFICE, p.id, "escalate", note="需省级支持")
    assert p.level == "province"
    assert "escalate" not in P.allowed_actions(OFFICE, p)
    with pytest.raises(TransitionError, match="已是省级"):
        P.apply(s, OFFICE, p.id, "escalate", note="再提")
    notes = [e.note for e in events(s, p.id) if e.action == "escalate"]
    assert notes == ["县级→市级:县级无法协调", "市级→省级:需省级支持"]


def test_supervise_counts(s):
    p = make(s, "in_progress")
    for i in range(3):
        P.apply(s, LEADER if i % 2 else OFFICE, p.id, "supervise", note=f"第{i + 1}次督办")
    assert p.supervise_count == 3


def test_raise_rules(s):
    with pytest.raises(PermissionDenied):
        P.raise_problem(s, STAFF_B, "P1", "用地", "x", "2022-03-01")
    with pytest.raises(PermissionDenied):
        P.raise_problem(s, LEADER, "P1", "用地", "x", "2022-03-01")
    with pytest.raises(CockpitError, match="项目代码不存在"):
        P.raise_problem(s, OFFICE, "NOPE", "用地", "x", "2022-03-01")
    with pytest.raises(CockpitError, match="问题类型"):
        P.raise_problem(s, OFFICE, "P1", "天气", "x", "2022-03-01")
    with pytest.raises(CockpitError, match="问题描述不能为空"):
        P.raise_problem(s, OFFICE, "P1", "用地", "  ", "2022-03-01")
    p = P.raise_problem(s, STAFF_A, "P1", "水电气配套", "施工用电未接入", "2022年3月5日", level="市级")
    assert (p.category, p.level, p.raised_on, p.status) == ("utilities", "city", dt.date(2022, 3, 5), "pending")
    assert events(s, p.id) == [("raise", None, "pending", "staff-532901", "施工用电未接入")]


def test_full_history(s):
    p = P.raise_problem(s, STAFF_A, "P1", "demolition", "搬迁", RAISED)
    P.apply(s, STAFF_A, p.id, "assign", **FIVE)
    P.apply(s, STAFF_A, p.id, "start")
    P.apply(s, LEADER, p.id, "supervise", note="月底前解决")
    P.apply(s, STAFF_A, p.id, "submit", closed_on="2022-05-20", satisfied=True)
    P.apply(s, OFFICE, p.id, "return", note="材料不全")
    P.apply(s, STAFF_A, p.id, "progress", note="已补材料")
    P.apply(s, STAFF_A, p.id, "submit", closed_on="2022-05-25", satisfied=True)
    P.apply(s, OFFICE, p.id, "accept")
    h = P.history(s, p.id)
    assert list(h["action"]) == ["raise", "assign", "start", "supervise", "submit", "return", "progress",
                                 "submit", "accept"]
    assert list(h["to_status"]) == ["pending", "assigned", "in_progress", "in_progress",
                                    "closure_requested", "in_progress", "in_progress",
                                    "closure_requested", "closed"]
    assert list(h["username"])[3] == "leader" and list(h["note"])[5] == "材料不全"
    audit_rows = s.scalars(select(AuditLog).where(AuditLog.entity == "problems",
                                                  AuditLog.entity_key == str(p.id))).all()
    assert len(audit_rows) == 9


# --- the problem table and overdue -------------------------------------------------------------

def _at(s, as_of):
    df = P.problem_table(s, as_of=as_of)
    return {int(r.pk): r for r in df.itertuples(index=False)}


def test_table_columns(s):
    make(s, "assigned")
    df = P.problem_table(s, as_of="2022-06-30")
    assert list(df.columns[:11]) == ["problem_id", "project_code", "region_code", "category", "level",
                                     "status", "raised_on", "deadline", "closed_on", "overdue_days",
                                     "supervise_count"]
    assert {"project_name", "description", "unit", "leader", "person", "measures", "satisfied",
            "days_open"} <= set(df.columns[11:])


def test_overdue_boundaries(s):
    p = make(s, "in_progress")  # deadline 2022-05-31
    assert pd_na(_at(s, "2022-05-31")[p.id].overdue_days)  # deadline = as-of: not overdue
    assert _at(s, "2022-06-01")[p.id].overdue_days == 1
    assert _at(s, "2022-07-10")[p.id].overdue_days == 40
    assert _at(s, "2022-07-10")[p.id].days_open == (dt.date(2022, 7, 10) - RAISED).days


def test_closed_after_as_of_counts_open(s):
    p = make(s, "closure_requested")
    P.apply(s, OFFICE, p.id, "accept", closed_on="2022-06-20")  # closed 20 days after its deadline
    before = _at(s, "2022-06-10")[p.id]
    assert before.is_open and before.overdue_days == 10
    on_day = _at(s, "2022-06-20")[p.id]
    assert not on_day.is_open and pd_na(on_day.overdue_days) and on_day.days_open == 111
    stats = P.problem_stats(P.problem_table(s, as_of="2022-06-10"))
    assert (stats["raised"], stats["closed"], stats["open"], stats["overdue"]) == (1, 0, 1, 1)


def test_only_raised_by_as_of_and_region_filter(s):
    a = make(s, "pending")
    b = make(s, "pending", project="P2")
    assert set(_at(s, RAISED - dt.timedelta(days=1))) == set()
    assert set(_at(s, RAISED)) == {a.id, b.id}
    df = P.problem_table(s, as_of="2022-12-31", region_code="532922")
    assert list(df["problem_id"]) == [b.number] and list(df["region_code"]) == ["532922"]


def test_no_deadline_never_overdue(s):
    p = make(s, "pending")
    assert pd_na(_at(s, "2030-01-01")[p.id].overdue_days)


def pd_na(v) -> bool:
    import pandas as pd

    return v is None or v is pd.NA or (isinstance(v, float) and v != v)


def test_stats_and_scoreboard(s):
    on_time = make(s, "closure_requested")
    P.apply(s, OFFICE, on_time.id, "accept")  # closed 2022-05-20, deadline 05-31
    late = make(s, "closure_requested")
    P.apply(s, OFFICE, late.id, "accept", closed_on="2022-06-15")
    overdue = make(s, "in_progress")
    other = make(s, "in_progress", project="P2")
    P.apply(s, OFFICE, other.id, "supervise", note="督")
    s.get(Problem, other.id).unit = "漾濞县财政局"
    s.flush()
    make(s, "pending")
    df = P.problem_table(s, as_of="2022-06-30")
    st = P.problem_stats(df)
    assert st == {"raised": 5, "closed": 2, "closure_rate": 0.4, "closed_on_time": 1, "open": 3,
                  "overdue": 2, "avg_days_to_close": ((dt.date(2022, 5, 20) - RAISED).days
                                                      + (dt.date(2022, 6, 15) - RAISED).days) / 2}
    board = P.unit_scoreboard(df).set_index("unit")
    assert board.loc["大理市自然资源局", "held"] == 3
    assert board.loc["大理市自然资源局", "closed"] == 2
    assert board.loc["大理市自然资源局", "on_time_rate"] == 0.5
    assert board.loc["大理市自然资源局", "overdue"] == 1
    assert board.loc["漾濞县财政局", "overdue"] == 1 and board.loc["漾濞县财政局", "closed"] == 0
    assert board.loc[P.UNASSIGNED_UNIT, "held"] == 1
    order = list(P.urgency_order(df)["pk"])
    assert order[:2] == sorted([overdue.id, other.id]) and set(order[-2:]) == {on_time.id, late.id}
    assert P.problem_stats(df.iloc[0:0])["closure_rate"] is None


def test_ageing_buckets():
    assert [P.ageing_bucket(d) for d in (0, 7, 8, 30, 31, 90, 91)] == [
        "le7", "le7", "8_30", "8_30", "31_90", "31_90", "gt90"]


def test_draft_from_light():
    row = {"project_code": "P1", "project_name": "海东综合管廊", "light": "red", "start": "green",
           "progress": "yellow", "funds": "red", "unit": "住建局", "leader": "王副市长",
           "reasons_by_dim": {"progress": "投资完成率41.5%,序时进度65.0%,滞后23.5个百分点",
                              "funds": "政策性资金支付率5.0%"},
           "reasons": "…"}
    d = P.draft_from_light(row, raised_on="2022-06-30")
    assert d["project_code"] == "P1" and d["category"] == "funds"  # the red dimension leads
    assert "滞后23.5个百分点" in d["description"] and "红灯" in d["description"]
    assert d["raised_on"] == dt.date(2022, 6, 30) and d["unit"] == "住建局"


def test_draft_then_raise(s):
    d = P.draft_from_light({"project_code": "P1", "light": "yellow", "progress": "yellow",
                            "reasons_by_dim": {"progress": "滞后12个百分点"}}, raised_on="2022-06-30")
    p = P.raise_problem(s, STAFF_A, **d)
    assert p.category == "construction" and "滞后12个百分点" in p.description


# --- 督办单 -----------------------------------------------------------------------------------

def test_dudan_docx(s):
    import docx
    from docx.oxml.ns import qn

    a = make(s, "in_progress")
    P.apply(s, LEADER, a.id, "supervise", note="督")
    make(s, "closure_requested")  # closed_on claimed, still open → overdue
    b = make(s, "assigned", project="P2")
    s.get(Problem, b.id).unit = "漾濞县财政局"
    s.flush()
    raw = P.dudan_docx(s, dt.date(2022, 6, 30), unit="大理市自然资源局")
    d = docx.Document(io.BytesIO(raw))
    text = "\n".join(p.text for p in d.paragraphs)
    assert "重点项目问题督办单" in text and "大理市自然资源局" in text
    assert "签发人" in text and "2022年7月7日前" in text and "2022年6月30日" in text
    table = d.tables[0]
    rows = [[c.text for c in r.cells] for r in table.rows]
    assert rows[0][0] == "问题编号" and len(rows) == 3  # header + the unit's two overdue problems
    assert {r[9] for r in rows[1:]} == {"30天"} and {r[10] for r in rows[1:]} == {"1次", "0次"}
    assert all("核桃" not in r[1] for r in rows[1:])
    fonts = {el.get(qn("w:eastAsia")) for el in d.element.body.iter(qn("w:rFonts"))}
    assert dudan.DUDAN_FONT in fonts
    county = docx.Document(io.BytesIO(P.dudan_docx(s, dt.date(2022, 6, 30), region_code="532922")))
    assert "漾濞县人民政府" in "\n".join(p.text for p in county.paragraphs)
    assert len(county.tables[0].rows) == 2
    empty = docx.Document(io.BytesIO(P.dudan_docx(s, dt.date(2022, 5, 1))))
    assert not empty.tables and "没有超过解决时限" in "\n".join(p.text for p in empty.paragraphs)


# --- the core on both stores -------------------------------------------------------------------

def test_core_flow_on_store(store):
    with session_scope(store) as s:
        seed(s)
        pid = P.raise_problem(s, STAFF_A, "P1", "用地", "用地报批慢", "2022-03-01").id
    steps = [(STAFF_A, "assign", None, FIVE), (STAFF_A, "start", None, {}),
             (LEADER, "supervise", "请加快", {}), (STAFF_A, "escalate", "需市级协调", {}),
             (STAFF_A, "submit", None, {"closed_on": "2022-06-05", "satisfied": True}),
             (OFFICE, "return", "佐证不足", {}),
             (STAFF_A, "submit", None, {"closed_on": "2022-06-08", "satisfied": True}),
             (OFFICE, "accept", None, {})]
    for actor, action, note, fields in steps:
        with session_scope(store) as s:
            P.apply(s, actor, pid, action, note=note, **fields)
    with pytest.raises(TransitionError):
        with session_scope(store) as s:
            P.apply(s, OFFICE, pid, "accept")
    with session_scope(store) as s:
        h = P.history(s, pid)
        assert list(h["action"]) == ["raise"] + [a for _, a, _, _ in steps]
        df = P.problem_table(s, as_of="2022-06-07")
        row = df.iloc[0]
        assert (row["status"], row["level"], row["supervise_count"], row["overdue_days"]) == (
            "closed", "city", 1, 7)  # closed on 06-08: still open and 7 days overdue on 06-07
        assert pd_na(P.problem_table(s, as_of="2022-06-08").iloc[0]["overdue_days"])
        assert s.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.entity == "problems")) == 9


@pytest.mark.parametrize("field, value", [("description", "长" * 2001), ("unit", "单" * 201),
                                          ("description", "正常\x01文字")])
def test_page_form_text_is_checked_like_an_upload(store, field, value):
    """Text typed on the page is checked before the store sees it, the same on SQLite and PostgreSQL:
    no control characters, at most the column's length (单位 200, free text 2000)."""
    with session_scope(store) as s:
        seed(s)
    with session_scope(store) as s:
        description = value if field == "description" else "用地指标未落实"
        extra = {"unit": value} if field == "unit" else {}
        with pytest.raises(CockpitError) as err:
            P.raise_problem(s, ADMIN, "P1", "demolition", description, RAISED, **extra)
        assert ("超过" in str(err.value)) or ("控制字符" in str(err.value))
