"""Errors from lib/ read in the user's language: the same refusal, raised once, renders in Chinese
(``str(exc)``, the default) and in English (``exc.text("en")``), with its parameters — statuses,
actions, fields, roles, permissions, dates — in that language too (issue 9 item 5)."""
from __future__ import annotations

import datetime as dt

import pytest

from lib import problems as P
from lib.access import Actor, require
from lib.errors import CockpitError, PermissionDenied, TransitionError
from lib.i18n import TEXT, Label, List, Msg, t
from lib.store.models import Project, Region

STAFF = Actor("staff-532901", "staff", "532901", display_name="张三")
ADMIN = Actor("admin", "admin")
CJK = range(0x4E00, 0xA000)


def _chinese(text: str) -> bool:
    return any(ord(ch) in CJK for ch in text)


@pytest.fixture
def s(session):
    session.add_all([Region(code="532901", name="大理市", display_order=1),
                     Region(code="532922", name="漾濞县", display_order=2)])
    session.add(Project(code="P1", name="Harbour road", region_code="532901", sector="市政", total_investment=1000))
    session.flush()
    return session


def test_a_refused_problem_move_reads_in_english(s):
    p = P.raise_problem(s, ADMIN, "P1", "land", "A land question", dt.date(2022, 3, 1))
    with pytest.raises(TransitionError) as err:
        P.apply(s, ADMIN, p.number, "accept", closed_on=dt.date(2022, 4, 1), satisfied=True)
    exc = err.value
    assert exc.key == "pb_why_accept_path"
    assert str(exc) == "问题当前状态为“待交办”,不能直接销号,需依次交办、办理、申请销号"
    assert exc.text("en") == ("The problem is “To assign”: it must be assigned, worked on and its closure "
                              "requested before it is closed")
    # why_not, as the page asks it, in either language
    assert P.why_not(ADMIN, p, "start", "en") == ("The problem is “To assign”: “Started” is not possible now; "
                                                  "the next step is “Assigned”")
    assert P.why_not(ADMIN, p, "start") == "问题当前状态为“待交办”,不能开始办理,下一步应为“交办”"


def test_a_missing_five_and_a_bad_date_read_in_english(s):
    p = P.raise_problem(s, ADMIN, "P1", "land", "A land question", dt.date(2022, 3, 1))
    with pytest.raises(TransitionError) as err:
        P.apply(s, ADMIN, p.id, "assign", unit="Land bureau")
    assert str(err.value) == "交办需五到位,缺少:责任领导、责任人、解决措施、解决时限"
    assert err.value.text("en") == ("Assigning needs all five in place; missing: Responsible leader, "
                                    "Person in charge, Measures, Deadline")
    with pytest.raises(TransitionError) as err:
        P.apply(s, ADMIN, p.id, "assign", unit="u", leader="l", person="p", measures="m",
                deadline=dt.date(2022, 2, 1))
    assert str(err.value) == "解决时限(2022年2月1日)不能早于提出日期(2022年3月1日)"
    assert err.value.text("en") == "Deadline (1 Feb 2022) cannot be before the date raised (1 Mar 2022)"
    with pytest.raises(TransitionError) as err:
        P.apply(s, ADMIN, p.id, "assign", unit="u", leader="l", person="p", measures="m", deadline="next week")
    assert str(err.value).startswith("解决时限:日期格式不正确")
    assert err.value.text("en").startswith("Deadline: Date not understood")
    assert not _chinese(err.value.text("en").replace("2022年3月", ""))  # the accepted forms name 2022年3月


def test_closing_without_satisfaction_reads_in_english(s):
    p = P.raise_problem(s, ADMIN, "P1", "land", "A land question", dt.date(2022, 3, 1))
    for action, fields in (("assign", dict(unit="u", leader="l", person="p", measures="m",
                                           deadline=dt.date(2022, 5, 1))), ("start", {})):
        P.apply(s, ADMIN, p.id, action, **fields)
    P.apply(s, ADMIN, p.id, "submit", satisfied=False)
    with pytest.raises(TransitionError) as err:
        P.apply(s, ADMIN, p.id, "accept")
    assert str(err.value) == "销号需企业满意=是和办结日期,企业不满意的问题应退回继续办理"
    assert err.value.text("en") == ("Closing needs the company satisfied and a closing date; a problem the "
                                    "company is not satisfied with goes back for more work")


def test_a_permission_refusal_reads_in_english(s):
    with pytest.raises(PermissionDenied) as err:
        require(STAFF, "settings")
    assert str(err.value) == "张三(县区填报员)没有权限修改规则设置"
    assert err.value.text("en") == "张三 (County staff) may not change the rule settings"
    with pytest.raises(PermissionDenied) as err:
        P.raise_problem(s, Actor("staff-532922", "staff", "532922"), "P1", "land", "x", dt.date(2022, 3, 1))
    assert err.value.text("en") == ("staff-532922 (County staff, 532922) may work on problems only for their "
                                    "own county, not for county 532901")
    assert "只能办理问题本县区的数据" in str(err.value)


def test_a_bad_input_names_its_choices_in_each_language(s):
    with pytest.raises(CockpitError) as err:
        P.raise_problem(s, ADMIN, "P1", "weather", "x", dt.date(2022, 3, 1))
    assert str(err.value).endswith("应为:用地、征地拆迁、规划、环评、能评、资金、审批手续、水电气配套、施工、其他")
    assert err.value.text("en").endswith("use one of: Land, Land acquisition, Planning, EIA, Energy review, "
                                         "Funding, Approvals, Utilities, Construction, Other")


def test_nested_messages_render_in_the_asked_language():
    """Msg, Label and List parameters (and an error as a parameter) follow the language of t()."""
    inner = CockpitError("pb_err_no_project", code="X9")
    msg = Msg("pb_err_field", field=Label("problem_field", "deadline"), detail=inner)
    assert msg.text("zh") == "解决时限:项目代码不存在:X9" and str(msg) == msg.text("zh")
    assert msg.text("en") == "Deadline: No project with code X9"
    both = List([Label("light", "red"), "x"], "list_and")
    assert t("pb_err_accept", "zh", missing=both) == "销号需红和x"
    assert t("pb_err_accept", "en", missing=both) == "Closing needs Red and x"
    assert all(key in TEXT for key in ("list_sep", "list_and"))
