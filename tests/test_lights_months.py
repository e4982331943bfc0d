"""compute_lights_months (lib/lights.py): the lights of several months from one load of the rule
frames are, frame for frame, those of one compute_lights call per month (the league's rank history
relies on it), with and without reason texts, across a year boundary and with persistence."""
from __future__ import annotations

import pandas as pd
import pytest

from lib import periods
from lib.demo import load_demo
from lib.rules import lights
from lib.store import session_scope
from lib.store.queries import report_periods
from tests.rules_helpers import Builder

pytestmark = pytest.mark.slow  # six months of lights on the demo, one by one


def _same_as_one_by_one(session, months, with_reasons=True):
    many = lights.compute_lights_months(session, months, with_reasons=with_reasons)
    assert sorted(many) == sorted(set(months))
    for p in months:
        one = lights.compute_lights(session, p, with_reasons=with_reasons)
        pd.testing.assert_frame_equal(many[p], one, check_exact=True)
    return many


def test_months_match_one_by_one_on_the_demo(sqlite_store):
    with session_scope(sqlite_store) as s:
        load_demo(s)
    with session_scope(sqlite_store) as s:
        have = report_periods(s)
        last = max(have)
        months = [periods.shift(last, -i) for i in range(5, -1, -1)]  # six months up to the latest
        many = _same_as_one_by_one(s, months)
        assert sum(len(f) for f in many.values()) > 0
        assert any((f["light"] != "gray").any() for f in many.values())
        _same_as_one_by_one(s, months[-3:], with_reasons=False)
        assert (many[last]["reasons"] != "").any()


def test_months_across_the_year_boundary_with_persistence(session):
    b = Builder(session)
    # P: progress yellow (gap −20 points) Oct–Dec 2021; no report in January (reporting k = 1, yellow);
    # February ytd 0 against e = 2/12 (gap −16.67, yellow) → yellow Dec, Jan, Feb: red by persistence
    b.project("P", year=[2021, 2022])
    for p, m in (("2021-10", 10), ("2021-11", 11), ("2021-12", 12)):
        b.report("P", p, round((m / 12 - 0.2) * 1200, 4))
    b.report("P", "2022-02", 0.0)
    b.project("G", year=[2021, 2022])
    for p in ("2021-11", "2021-12", "2022-01", "2022-02"):
        b.report("G", p, 1200.0)
    months = ["2021-11", "2021-12", "2022-01", "2022-02"]
    many = _same_as_one_by_one(session, months)
    p_rows = {m: f.set_index("project_code").loc["P"] for m, f in many.items()}
    assert [p_rows[m]["persistent"] for m in months] == [False, True, True, True]
    assert p_rows["2022-01"]["reporting"] == "yellow" and p_rows["2022-02"]["progress"] == "yellow"
    assert p_rows["2022-02"]["light"] == "red"
    assert set(many["2022-02"]["project_code"]) == {"P", "G"}
    assert lights.compute_lights_months(session, []) == {}
