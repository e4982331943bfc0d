"""Taking in an office's own 问题台账 (issue 11 items 1–2): problem numbers are the office's text,
kept exactly and used as the key on re-import; blanks get system numbers Q-000123 shown in the
preview; importing respects the problem workflow per role; ``--history`` loads a ledger as it is."""
from __future__ import annotations

import csv
import io
import json

import pytest
from alembic import command
from sqlalchemy import select, text

from lib import problems as P
from lib import store as store_mod
from lib.store import session_scope
from lib.store.models import AuditLog, Problem, ProblemEvent
from tests._intake import (
    ADMIN,
    LEADER,
    OFFICE,
    STAFF_A,
    STAFF_B,
    do_import,
    rows_csv,
    seed,
    snapshot,
)
from tests.test_cli import cli

FIVE = {"unit": "自然资源局", "leader": "王五", "person": "赵六", "measures": "6月底前补偿到位", "deadline": "2022-06-30"}
CLOSED = {"satisfied": "是", "closed_on": "2022-06-20"}


def row(number, status=None, code="A1", desc=None, **kw):
    r = {"id": number, "code": code, "category": "征地拆迁", "description": desc or f"问题{number}",
         "raised_on": "2022-05-10", "status": status}
    if status not in (None, "待交办"):
        r.update(FIVE)
    if status == "已销号":
        r.update(CLOSED)
    r.update(kw)
    return r


LEDGER = [row("WZ-Q-001", "待交办"), row("DL-2022-015", "已交办"), row("15", "办理中"),
          row("DL-2022-016", "申请销号"), row(" WZ-Q-002 ", "已销号", code="B1")]
NUMBERS = ["WZ-Q-001", "DL-2022-015", "15", "DL-2022-016", "WZ-Q-002"]


@pytest.fixture
def seeded(sqlite_store):
    seed(sqlite_store)
    return sqlite_store


def stored(engine) -> dict[str, tuple]:
    with session_scope(engine) as s:
        return {p.number: (p.status, p.level, p.description, p.unit, p.measures, p.deadline, p.closed_on)
                for p in s.scalars(select(Problem))}


def test_a_ledger_with_its_own_numbers_imports_reimports_unchanged_and_updates_by_number(seeded):
    data = rows_csv("problems", LEDGER)
    r = do_import(seeded, "problems", data, actor=OFFICE)
    assert r.ok and r.inserted == 5, r.errors
    before = stored(seeded)
    assert sorted(before) == sorted(NUMBERS)  # kept exactly (outer spaces of a cell dropped)
    assert {n: v[0] for n, v in before.items()} == {
        "WZ-Q-001": "pending", "DL-2022-015": "assigned", "15": "in_progress",
        "DL-2022-016": "closure_requested", "WZ-Q-002": "closed"}
    again = do_import(seeded, "problems", data, actor=OFFICE)
    assert again.ok and (again.inserted, again.updated, again.unchanged) == (0, 0, 5)
    assert stored(seeded) == before
    # a second file: two problems by number (a move and a new measure); the other three as they were
    second = [row("15", "申请销号", closed_on="2022-06-01", satisfied="是"),
              row("DL-2022-015", "已交办", measures="改为7月底前完成补偿"),
              row("WZ-Q-001", "待交办")]
    r2 = do_import(seeded, "problems", rows_csv("problems", second), actor=OFFICE)
    assert r2.ok and (r2.inserted, r2.updated, r2.unchanged) == (0, 2, 1), r2.errors
    after = stored(seeded)
    changed = {n for n in after if after[n] != before[n]}
    assert changed == {"15", "DL-2022-015"}
    assert after["15"][0] == "closure_requested" and after["DL-2022-015"][3] == "自然资源局"
    with session_scope(seeded) as s:
        assert s.scalar(select(Problem.measures).where(Problem.number == "DL-2022-015")) == "改为7月底前完成补偿"


def test_blank_numbers_get_system_numbers_shown_in_the_preview(seeded):
    assert do_import(seeded, "problems", rows_csv("problems", [row("DL-2022-015", "待交办")]), actor=OFFICE).ok
    data = rows_csv("problems", [row(None, desc="甲"), row(None, desc="乙")])
    preview = do_import(seeded, "problems", data, actor=OFFICE, dry_run=True)
    assert preview.ok
    shown = [c["key"] for c in preview.changes]
    assert shown == ["Q-000002(新问题,系统编号)", "Q-000003(新问题,系统编号)"]
    assert [c["after"]["number"] for c in preview.changes] == ["Q-000002", "Q-000003"]
    r = do_import(seeded, "problems", data, actor=OFFICE)
    assert r.ok and r.inserted == 2
    assert {"Q-000002", "Q-000003"} <= set(stored(seeded))
    # the same file again matches the stored problems, and adds nothing
    again = do_import(seeded, "problems", data, actor=OFFICE)
    assert again.ok and again.unchanged == 2 and again.inserted == 0


def test_problems_raised_on_the_page_get_system_numbers(seeded):
    assert do_import(seeded, "problems", rows_csv("problems", [row("Q-000041", "待交办")]), actor=OFFICE).ok
    with session_scope(seeded) as s:
        p = P.raise_problem(s, STAFF_A, "A1", "用地", "用地预审未批复", "2022-05-01")
        assert p.number == "Q-000042"  # above every stored Q-number
        P.apply(s, STAFF_A, "Q-000042", "assign", **FIVE)  # moves find a problem by its number
        assert p.status == "assigned"
        assert list(P.history(s, "Q-000042")["action"]) == ["raise", "assign"]


def test_number_length_and_duplicates_are_row_errors(seeded):
    rows = [row("X" * 41), row("A-1", desc="甲"), row("A-1", desc="乙"), row("多行\n编号", desc="丙")]
    before = snapshot(seeded)
    r = do_import(seeded, "problems", rows_csv("problems", rows), actor=OFFICE)
    assert not r.ok
    by_row = {e["row"]: e["message"] for e in r.errors}
    assert "41" in by_row[2] and "40" in by_row[2]
    assert "重复" in by_row[4]
    assert "换行" in by_row[5]
    assert snapshot(seeded) == before


def test_cli_problems_prints_the_office_numbers(seeded, tmp_path):
    path = tmp_path / "ledger.csv"
    path.write_bytes(rows_csv("problems", LEDGER))
    db = seeded.url.database
    proc = cli("import", "problems", str(path), "--user", "office1", db=db)
    assert proc.returncode != 0  # no such account in the store: refused, nothing written
    assert do_import(seeded, "problems", rows_csv("problems", LEDGER), actor=OFFICE).ok
    out = cli("problems", "--as-of", "2022-07-31", db=db)
    assert out.returncode == 0, out.stderr
    got = list(csv.DictReader(io.StringIO(out.stdout)))
    assert sorted(r["problem_id"] for r in got) == sorted(NUMBERS)
    dl = next(r for r in got if r["problem_id"] == "DL-2022-015")
    assert dl["status"] == "assigned" and dl["overdue_days"] == "31"
    js = json.loads(cli("problems", "--as-of", "2022-07-31", "--format", "json", db=db).stdout)
    assert {r["problem_id"] for r in js} == set(NUMBERS)


def test_migration_turns_integer_ids_into_numbers(tmp_path):
    eng = store_mod.make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    command.upgrade(store_mod._alembic_config(eng), "0002")
    with eng.begin() as conn:
        conn.execute(text("INSERT INTO regions (code, name, kind, display_order) VALUES ('R1', '甲县', 'county', 1)"))
        conn.execute(text("INSERT INTO projects (code, name, region_code, sector, industrial, total_investment) "
                          "VALUES ('P1', '甲县水厂', 'R1', '水利', 0, 5000)"))
        for pid in (7, 15):
            conn.execute(text("INSERT INTO problems (id, project_code, category, description, raised_on, level, "
                              "status, supervise_count) VALUES (:i, 'P1', 'land', 'x', '2022-05-01', 'county', "
                              "'pending', 0)"), {"i": pid})
    store_mod.upgrade(eng)
    with session_scope(eng) as s:
        assert dict(s.execute(select(Problem.id, Problem.number)).all()) == {7: "7", 15: "15"}
        assert P.next_numbers(s, 2) == ["Q-000016", "Q-000017"]
    eng.dispose()


# ---------------- the workflow on import ----------------

def setup_ledger(engine, status, level="县级"):
    """One problem DL-1 of county 532901 at ``status`` (loaded by the office)."""
    r = do_import(engine, "problems", rows_csv("problems", [row("DL-1", status, level=level)]), actor=OFFICE)
    assert r.ok, r.errors


REFUSED = [  # (actor, stored status, status in the file, what the message names)
    (STAFF_A, "申请销号", "办理中", "退回"),         # 退回 is the office's
    (STAFF_A, "申请销号", "已销号", "项目办"),       # 销号 is the office's
    (STAFF_A, "待交办", "申请销号", "一步"),         # a jump over three moves
    (STAFF_A, "已交办", "申请销号", "一步"),         # a jump over two moves
    (STAFF_A, "已销号", "办理中", "一步"),           # a closed problem reopened
    (STAFF_A, "办理中", "已交办", "一步"),           # backwards
    (STAFF_B, "已交办", "办理中", "县区"),           # another county's problem
    (OFFICE, "待交办", "办理中", "一步"),            # the office too moves one step at a time
    (OFFICE, "已销号", "申请销号", "一步"),
    (ADMIN, "待交办", "已销号", "一步"),
]


@pytest.mark.parametrize("actor,frm,to,word", REFUSED,
                         ids=[f"{a.role}-{a.region_code or ''}-{f}-{t}" for a, f, t, _ in REFUSED])
def test_a_move_the_role_may_not_make_on_the_page_is_refused_by_import(seeded, actor, frm, to, word):
    setup_ledger(seeded, frm)
    before = snapshot(seeded)
    extra = CLOSED if to == "已销号" else {}
    r = do_import(seeded, "problems", rows_csv("problems", [row("DL-1", to, **extra)]), actor=actor)
    assert not r.ok
    assert any(word in e["message"] and "DL-1" in e["message"] for e in r.errors), r.errors
    assert snapshot(seeded) == before


@pytest.mark.parametrize("actor,frm_level,to_level,word", [
    (STAFF_A, "市级", "县级", "逐级"),   # down
    (STAFF_A, "县级", "省级", "逐级"),   # two levels at once
    (OFFICE, "省级", "市级", "逐级"),
])
def test_a_level_change_off_the_ladder_is_refused_by_import(seeded, actor, frm_level, to_level, word):
    setup_ledger(seeded, "办理中", level=frm_level)
    r = do_import(seeded, "problems", rows_csv("problems", [row("DL-1", "办理中", level=to_level)]), actor=actor)
    assert not r.ok and any(word in e["message"] and e["column"] == "协调层级" for e in r.errors), r.errors


def test_five_in_place_is_checked_on_an_imported_assign(seeded):
    setup_ledger(seeded, "待交办")
    r = do_import(seeded, "problems", rows_csv("problems", [row("DL-1", "已交办", person=None)]), actor=STAFF_A)
    assert not r.ok and any("五到位" in e["message"] and "责任人" in e["message"] for e in r.errors)


def test_leader_may_not_import_problems(seeded):
    r = do_import(seeded, "problems", rows_csv("problems", LEDGER), actor=LEADER)
    assert not r.ok and "没有权限" in r.errors[0]["message"]


ALLOWED = [  # the page's moves, by import: (actor, from, to, event action)
    (STAFF_A, "待交办", "已交办", "assign"), (STAFF_A, "已交办", "办理中", "start"),
    (STAFF_A, "办理中", "申请销号", "submit"), (OFFICE, "申请销号", "已销号", "accept"),
    (OFFICE, "申请销号", "办理中", "return"),
]


@pytest.mark.parametrize("actor,frm,to,action", ALLOWED, ids=[f"{a.role}-{x}" for a, _f, _t, x in ALLOWED])
def test_each_allowed_move_is_an_event_with_its_actor(seeded, actor, frm, to, action):
    setup_ledger(seeded, frm)
    extra = CLOSED if to in ("已销号", "申请销号") else {}
    r = do_import(seeded, "problems", rows_csv("problems", [row("DL-1", to, **extra)]), actor=actor)
    assert r.ok and r.updated == 1, r.errors
    with session_scope(seeded) as s:
        pid = s.scalar(select(Problem.id).where(Problem.number == "DL-1"))
        ev = s.scalars(select(ProblemEvent).where(ProblemEvent.problem_id == pid).order_by(ProblemEvent.id)).all()[-1]
        assert (ev.action, ev.username) == (action, actor.username)


def test_escalation_by_import_is_one_level_and_an_event(seeded):
    setup_ledger(seeded, "办理中")
    r = do_import(seeded, "problems", rows_csv("problems", [row("DL-1", "办理中", level="市级")]), actor=STAFF_A)
    assert r.ok, r.errors
    with session_scope(seeded) as s:
        p = s.scalar(select(Problem).where(Problem.number == "DL-1"))
        assert p.level == "city" and p.events[-1].action == "escalate" and p.events[-1].username == STAFF_A.username


def test_history_load_takes_statuses_as_they_are_for_the_office_only_and_is_audited(seeded, tmp_path):
    setup_ledger(seeded, "待交办")
    hist = rows_csv("problems", [row("DL-1", "已销号"), row("DL-2", "已销号", level="省级")])
    for who in (STAFF_A, LEADER):
        r = do_import(seeded, "problems", hist, actor=who, history=True)
        assert not r.ok and "项目办" in r.errors[0]["message"]
    plain = do_import(seeded, "problems", hist, actor=OFFICE)
    assert not plain.ok  # without --history the jump 待交办 → 已销号 is refused
    r = do_import(seeded, "problems", hist, actor=OFFICE, history=True)
    assert r.ok and (r.inserted, r.updated) == (1, 1), r.errors
    assert {n: v[0] for n, v in stored(seeded).items()} == {"DL-1": "closed", "DL-2": "closed"}
    with session_scope(seeded) as s:
        a = s.scalars(select(AuditLog).where(AuditLog.action == "upload", AuditLog.entity == "problems")
                      .order_by(AuditLog.id)).all()[-1]
        assert a.username == OFFICE.username and json.loads(a.after)["history"] is True
        evs = s.scalars(select(ProblemEvent).join(Problem).where(Problem.number == "DL-2")).all()
        assert [(e.action, e.to_status, e.username) for e in evs] == [("import", "closed", OFFICE.username)]
        assert "历史台账" in evs[0].note
    # the CLI flag reaches the same path (and refuses for another kind)
    path = tmp_path / "m.csv"
    path.write_bytes(rows_csv("regions", [{"code": "9", "name": "x"}]))
    proc = cli("import", "regions", str(path), "--history", db=seeded.url.database)
    assert proc.returncode == 1 and "--history" in proc.stdout
