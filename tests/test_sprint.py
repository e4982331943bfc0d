"""lib.rules.sprint: year-end forecast at the last three months' pace and the monthly need."""
from __future__ import annotations

import pandas as pd
import pytest

from lib.rules import sprint

PLANS = pd.DataFrame({"project_code": ["A", "B", "C"], "project_name": ["甲", "乙", "丙"],
                      "region_code": ["r1", "r1", "r2"], "plan": [1200.0, 600.0, 100.0]})


def reps(rows):
    return pd.DataFrame(rows, columns=["project_code", "period", "ytd_completed"])


def test_pace_is_the_last_three_months_average_and_forecast_follows():
    r = reps([("A", "2022-06", 500.0), ("A", "2022-09", 800.0), ("B", "2022-09", 300.0),
              ("B", "2022-06", 300.0), ("A", "2021-12", 999.0)])
    out = sprint.forecast_rows(PLANS, r, "2022-09").set_index("project_code")
    # A: (800 − 500) / 3 = 100 a month; 3 months left → 1100 < 1200: behind, needs 400/3 a month
    assert out.loc["A", "pace"] == 100.0 and out.loc["A", "forecast"] == 1100.0
    assert not out.loc["A", "on_track"] and out.loc["A", "shortfall"] == 100.0
    assert out.loc["A", "needed_monthly"] == pytest.approx(133.33, abs=0.01)
    # B stood still for three months: pace 0, forecast = ytd
    assert out.loc["B", "pace"] == 0.0 and out.loc["B", "forecast"] == 300.0
    # C never reported: nothing done, all of the plan still needed
    assert out.loc["C", "ytd"] == 0.0 and out.loc["C", "needed_monthly"] == pytest.approx(100 / 3, abs=0.01)


def test_start_of_year_uses_the_months_there_are_and_december_needs_nothing_more():
    r = reps([("A", "2022-02", 300.0)])
    out = sprint.forecast_rows(PLANS, r, "2022-02").set_index("project_code")
    assert out.loc["A", "pace"] == 150.0 and out.loc["A", "forecast"] == 300.0 + 150.0 * 10
    assert out.loc["A", "on_track"]
    dec = sprint.forecast_rows(PLANS, reps([("A", "2022-12", 1250.0)]), "2022-12").set_index("project_code")
    assert dec.loc["A", "needed_monthly"] == 0.0 and dec.loc["A", "forecast"] == 1250.0


def test_counties_sum_their_projects():
    r = reps([("A", "2022-06", 500.0), ("A", "2022-09", 800.0), ("B", "2022-09", 300.0)])
    g = sprint.by_region(sprint.forecast_rows(PLANS, r, "2022-09")).set_index("region_code")
    assert g.loc["r1", "plan"] == 1800.0 and g.loc["r1", "ytd"] == 1100.0
    # B: no report three months back counts as 0 → pace 300 / 3 = 100, forecast 600
    assert g.loc["r1", "forecast"] == pytest.approx(1100.0 + 600.0)
    assert bool(g.loc["r2", "on_track"]) is False


def test_sprint_frame_reads_the_demo(tmp_path):
    from lib import store
    from lib.demo import load_demo

    eng = store.make_engine(f"sqlite:///{tmp_path / 'd.db'}")
    store.upgrade(eng)
    with store.session_scope(eng) as s:
        load_demo(s)
        out = sprint.sprint_frame(s, "2022-10")
    eng.dispose()
    assert len(out) > 100 and (out["plan"] > 0).all()
    assert ((out["forecast"] >= out["ytd"]) & (out["pace"] >= 0)).all()
    assert out["on_track"].any() and (~out["on_track"]).any()


def test_targets_from_seed_000_have_a_status_and_never_a_guess():
    out = {r["key"]: r for r in sprint.target_status("2022-10", start_rate=0.893, growth=8.3)}
    assert out["fai_growth"]["target"] == 10.0 and out["fai_growth"]["status"] == "behind"
    assert out["q2_start_rate"]["target"] == 0.90 and out["q2_start_rate"]["status"] == "behind"
    met = {r["key"]: r["status"] for r in sprint.target_status("2022-10", start_rate=0.95, growth=10.0)}
    assert met == {"fai_growth": "met", "q2_start_rate": "met"}
    none = {r["key"]: r["status"] for r in sprint.target_status("2022-10", start_rate=float("nan"), growth=None)}
    assert none == {"fai_growth": "no_data", "q2_start_rate": "no_data"}


def test_my_projects_link_is_audited_and_office_only(tmp_path):
    """Issue 14 item 9: an account linked to its 包联领导 name; only the campaign office sets it
    (the checks themselves: tests/test_links.py)."""
    from lib import store
    from lib.access import Actor
    from lib.access.links import link_choices, links, set_links
    from lib.errors import PermissionDenied
    from lib.store.models import AuditLog

    eng = store.make_engine(f"sqlite:///{tmp_path / 'd.db'}")
    store.upgrade(eng)
    from lib.demo import LEADERS, load_demo

    with store.session_scope(eng) as s:
        load_demo(s)
    with store.session_scope(eng) as s:
        assert links(s, "leader") == (LEADERS[0], None)
        unit = link_choices(s)["unit"][0]
        with pytest.raises(PermissionDenied):
            set_links(s, Actor("leader", "leader"), "staff-532923", unit_name=unit)
    with store.session_scope(eng) as s:
        set_links(s, Actor("office", "office"), "staff-532923", unit_name=unit)
    with store.session_scope(eng) as s:
        assert links(s, "staff-532923") == (None, unit)
        row = s.query(AuditLog).filter(AuditLog.entity == "users", AuditLog.entity_key == "staff-532923").one()
        assert unit in row.after and row.username == "office"
    eng.dispose()
