"""One rule in one place (issue 9, rules part): the light-dimension registry drives every list of
dimensions; expected progress and open-at-as-of have one definition; 已销号 needs 办结日期 in the
store (CHECK on SQLite and PostgreSQL, older rows repaired by the migration); settings are a schema
and the store keeps only what the office changed."""
from __future__ import annotations

import datetime as dt
import json
import random

import numpy as np
import pytest
from alembic import command
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from lib import i18n
from lib import store as store_mod
from lib.access import Actor
from lib.errors import ValidationError
from lib.rules import dimensions, settings, shared
from lib.store import session_scope
from lib.store.models import Problem, Setting
from tests.rules_helpers import Builder

OFFICE = Actor("office", "office")


# --- the registry ------------------------------------------------------------------------------------

def test_registry_drives_cli_columns_overview_and_drafts(monkeypatch):
    import importlib

    from lib import cli
    from lib.problems import workflow
    from lib.rules import overview

    assert cli.LIGHTS_COLUMNS[2:2 + len(dimensions.KEYS)] == list(dimensions.KEYS)
    assert overview.DIMENSIONS == dimensions.KEYS
    # a seventh dimension appears in the CLI columns and the overview lists without touching them
    extra = dimensions.Dimension("approvals", ("start_yellow_late",), "rs_start", "approval", 6,
                                 dimensions.BY_KEY["start"].evaluate, dimensions.BY_KEY["start"].reason)
    monkeypatch.setattr(dimensions, "DIMENSIONS", dimensions.DIMENSIONS + (extra,))
    monkeypatch.setattr(dimensions, "KEYS", dimensions.KEYS + ("approvals",))
    try:
        cli2 = importlib.reload(cli)
        assert "approvals" in cli2.LIGHTS_COLUMNS
        assert cli2.LIGHTS_COLUMNS.index("approvals") == cli2.LIGHTS_COLUMNS.index("problems") + 1
    finally:
        monkeypatch.undo()
        importlib.reload(cli)
    # drafts: the category of a red dimension comes from its registry entry
    draft = workflow.draft_from_light({"project_code": "P1", "light": "red", "funds": "red",
                                       "reasons_by_dim": {"funds": "资金慢", "reporting": "未报"}})
    assert draft["category"] == dimensions.BY_KEY["funds"].category == "funds"


def test_every_dimension_has_texts_settings_and_one_light_order():
    assert set(i18n.ENUMS["dimension"]) == set(dimensions.KEYS) | {"overall"}
    for dim in dimensions.DIMENSIONS:
        assert dim.reason_key in i18n.TEXT, dim.key
        assert dim.category in i18n.ENUMS["problem_category"], dim.key
        assert dim.settings and set(dim.settings) <= set(settings.BY_KEY), dim.key
    assert sorted(d.draft_rank for d in dimensions.DIMENSIONS) == list(range(len(dimensions.DIMENSIONS)))
    from lib.geo import mapview
    from lib.outputs import briefing
    from lib.rules import lights, overview

    assert mapview.LIGHT_ORDER is dimensions.LIGHT_ORDER is overview.LIGHTS is briefing.LIGHTS
    assert dimensions.LIGHT_ORDER == ("red", "yellow", "green", "gray")
    assert lights.LIGHT_ORDER == tuple(reversed(dimensions.LIGHT_ORDER))  # by severity


# --- expected progress: one function, the old four answers -------------------------------------------

def _old_lights(m, year, nature, ps, plan, months):  # lights.evaluate before: carry forward, np.round 4 dp
    if months:
        le = [k for k in months if k <= m]
        return float(np.round((months[max(le)] if le else 0.0) / plan, 4))
    return float(np.round(_old_linear(m, year, nature, ps), 4))


def _old_importer(m, year, nature, ps, plan, months):  # importer._expected: the plan of month m only
    if months and m in months:
        return months[m] / plan
    if nature == "continuing" or ps is None or ps.year < year:
        s0 = 1
    elif ps.year > year:
        return 0.0
    else:
        s0 = ps.month
    return 0.0 if m < s0 else (m - s0 + 1) / (13 - s0)


def _old_linear(m, year, nature, ps):  # overview.linear_expected
    s0 = 1
    if nature == "new" and ps is not None:
        if ps.year > year:
            return 0.0
        if ps.year == year:
            s0 = ps.month
    return 0.0 if m < s0 else (m - s0 + 1) / (13 - s0)


def _old_demo(plan_fracs, s0, m):  # demo._expected
    if plan_fracs is not None:
        return plan_fracs[m - 1]
    return 0.0 if m < s0 else (m - s0 + 1) / (13 - s0)


def test_one_expected_function_gives_the_old_answers():
    from lib.demo import _expected as demo_expected
    from lib.intake.importer import _expected as importer_expected
    from lib.rules.overview import linear_expected

    rng = random.Random(7)
    year = 2022
    for _ in range(400):
        nature = rng.choice(["new", "continuing"])
        ps = rng.choice([None, dt.date(2021, rng.randint(1, 12), 1), dt.date(2022, rng.randint(1, 12), 1),
                         dt.date(2023, rng.randint(1, 12), 1)])
        m = rng.randint(1, 12)
        plan = rng.choice([1200.0, 999.0, 37.0])
        full = None
        if rng.random() < 0.5:  # a full monthly plan (every month given): all four agree on it
            cum, full = 0.0, {}
            for k in range(1, 13):
                cum += rng.choice([0, 50, 100.5])
                full[k] = cum
        new = shared.expected_one(year, m, nature, ps, plan, full)
        assert new == _old_lights(m, year, nature, ps, plan, full)
        # the importer rounded with Python's round (binary float: 250.5/1200 = 0.20875 → 0.2087); its
        # e is now the lights' one (0.2088, half-even on the exact 0.20875), the same otherwise
        assert new == float(np.round(_old_importer(m, year, nature, ps, plan, full), 4))
        assert new == float(importer_expected({"annual_plan": plan, "nature": nature},
                                              {"planned_start": ps}, year, m, full))
        if not full:
            assert linear_expected(m, year, nature, ps) == pytest.approx(_old_linear(m, year, nature, ps), abs=1e-12)
            s0 = int(shared.linear_s0(nature == "new", ps.year if ps else float("nan"),
                                      ps.month if ps else float("nan"), year))
            if s0 < 13:
                assert demo_expected(None, s0, m) == pytest.approx(_old_demo(None, s0, m), abs=1e-12)
        else:
            fr = [full[k] / plan for k in range(1, 13)]
            assert demo_expected(fr, 1, m) == pytest.approx(_old_demo(fr, 1, m), abs=1e-12)


def test_open_at_as_of_is_one_rule():
    as_of = dt.date(2022, 6, 30)
    cases = [("closed", dt.date(2022, 6, 30), False), ("closed", dt.date(2022, 7, 1), True),
             ("in_progress", None, True), ("closure_requested", dt.date(2022, 6, 1), True)]
    import pandas as pd

    df = pd.DataFrame(cases, columns=["status", "closed_on", "open"])
    assert list(shared.open_mask(df["status"], df["closed_on"], as_of)) == list(df["open"])
    assert [shared.is_open_at(s, c, as_of) for s, c, _ in cases] == list(df["open"])
    from lib.problems import table

    assert table.is_open_at is shared.is_open_at


# --- 已销号 needs 办结日期: CHECK and repair ------------------------------------------------------------

def test_check_constraint_refuses_closed_problem_without_date(store):
    with session_scope(store) as s:
        Builder(s).project("P1").problem("P1", "2022-03-01", "2022-04-01", status="closed",
                                         closed_on="2022-03-20")
    with pytest.raises(IntegrityError):
        with session_scope(store) as s:
            Builder(s).project("P2").problem("P2", "2022-03-01", "2022-04-01", status="closed")
    with pytest.raises(IntegrityError):  # clearing the date of a closed problem is refused too
        with session_scope(store) as s:
            s.scalars(select(Problem)).one().closed_on = None
            s.flush()


def test_migration_repairs_a_0002_store(tmp_path):
    eng = store_mod.make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    command.upgrade(store_mod._alembic_config(eng), "0002")
    with eng.begin() as conn:
        conn.execute(text("INSERT INTO regions (code, name, kind, display_order) VALUES ('R1', '甲县', 'county', 1)"))
        conn.execute(text("INSERT INTO projects (code, name, region_code, sector, industrial, total_investment) "
                          "VALUES ('P1', '甲县水厂', 'R1', '水利', 0, 5000)"))
        for pid, status, closed in ((1, "closed", None), (2, "closed", None), (3, "closed", "2022-05-02"),
                                    (4, "in_progress", None)):
            conn.execute(text(
                "INSERT INTO problems (id, project_code, category, description, raised_on, level, status, "
                "closed_on, supervise_count) VALUES (:i, 'P1', 'land', 'x', '2022-03-01', 'county', :s, :c, 0)"),
                {"i": pid, "s": status, "c": closed})
        # problem 1 was closed by the office on 2022-04-15 (its last accept event); 2 has no event
        for at, action in (("2022-04-01 10:00:00", "accept"), ("2022-04-15 09:30:00", "accept"),
                           ("2022-04-20 08:00:00", "progress")):
            conn.execute(text("INSERT INTO problem_events (problem_id, at, username, action) "
                              "VALUES (1, :a, 'office', :x)"), {"a": at, "x": action})
        conn.execute(text("INSERT INTO settings (key, value) VALUES ('weights', :v), ('progress_red_gap', '-30.0'), "
                          "('persistence_months', '4')"),
                     {"v": json.dumps({"invest_rate": 30, "growth": 25, "red_share": 5})})
    store_mod.upgrade(eng)
    store_mod.require_current(eng)
    with session_scope(eng) as s:
        got = {p.id: p.closed_on for p in s.scalars(select(Problem))}
        assert got == {1: dt.date(2022, 4, 15), 2: dt.date(2022, 3, 1), 3: dt.date(2022, 5, 2), 4: None}
        kept = {r.key: json.loads(r.value) for r in s.scalars(select(Setting))}
        assert kept == {"weights": {"growth": 25}, "persistence_months": 4}
    with pytest.raises(IntegrityError):
        with eng.begin() as conn:
            conn.execute(text("UPDATE problems SET closed_on = NULL WHERE id = 3"))
    eng.dispose()


# --- settings schema ------------------------------------------------------------------------------------

@pytest.mark.parametrize("changes,column", [
    ({"start_red_late": 0}, "start_red_late"),  # below the bound 1
    ({"progress_yellow_gap": 5}, "progress_yellow_gap"),  # a gap threshold above 0
    ({"weights": {"growth": 101}}, "growth"),
    ({"start_yellow_late": 4}, "start_yellow_late"),  # yellow 4 > red 3
    ({"problems_yellow_days": 31}, "problems_yellow_days"),  # yellow 31 > red 30
    ({"reporting_yellow_months": 1.5}, "reporting_yellow_months"),  # a whole number
])
def test_bounds_and_ordering_refused(session, changes, column):
    with pytest.raises(ValidationError) as exc:
        settings.save(session, OFFICE, changes)
    assert [e["column"] for e in exc.value.errors] == [column]
    assert exc.value.errors[0]["key"].startswith("st_err_")
    assert settings.load(session) == settings.defaults()


def test_ordering_is_checked_against_the_stored_values(session):
    settings.save(session, OFFICE, {"start_red_late": 5})
    settings.save(session, OFFICE, {"start_yellow_late": 4})  # 4 ≤ stored red 5: fine
    with pytest.raises(ValidationError):
        settings.save(session, OFFICE, {"start_red_late": 3})  # now below the stored yellow 4


def test_store_keeps_only_changed_values_and_new_defaults_arrive(session, monkeypatch):
    settings.save(session, OFFICE, {"weights": {"growth": 25, "invest_rate": 30}, "persistence_months": 3,
                                    "funds_green_pp": 12})
    rows = {r.key: json.loads(r.value) for r in session.scalars(select(Setting))}
    assert rows == {"weights": {"growth": 25.0}, "funds_green_pp": 12.0}  # defaults are not stored
    # a new default weight (and threshold) reaches this store, which changed other values
    monkeypatch.setitem(settings.DEFAULTS["weights"], "red_share", 8)
    monkeypatch.setitem(settings.DEFAULTS, "persistence_months", 4)
    cur = settings.load(session)
    assert cur["weights"]["red_share"] == 8 and cur["weights"]["growth"] == 25
    assert cur["persistence_months"] == 4 and cur["funds_green_pp"] == 12
    # back to the default: the row goes
    monkeypatch.undo()
    settings.save(session, OFFICE, {"weights": {"growth": 20}, "funds_green_pp": 10})
    assert session.scalars(select(Setting).where(Setting.key.in_(["weights", "funds_green_pp"]))).all() == []


def test_schema_lists_every_setting_once_with_a_label():
    keys = [s.key for s in settings.SCHEMA] + [s.key for s in settings.WEIGHTS]
    assert len(keys) == len(set(keys))
    for spec in (*settings.SCHEMA, *settings.WEIGHTS):
        kind, key = spec.label_key()
        assert key in i18n.ENUMS[kind], spec.key
        assert spec.minimum <= spec.default <= spec.maximum, spec.key
    for low, high, msg in settings.ORDERING:
        assert settings.DEFAULTS[low] <= settings.DEFAULTS[high] and msg in i18n.TEXT


def monthly_warnings_for(session, code: str, period: str, ytd: float, **cols) -> list[dict]:
    """The warnings of a dry-run monthly upload of one row (nothing written)."""
    from lib.intake.importer import run_import

    header = ["项目代码", "报告期", "本年累计完成投资(万元)", *cols]
    data = ",".join(header) + "\n" + ",".join([code, period, str(ytd), *map(str, cols.values())]) + "\n"
    res = run_import(session, "monthly", data.encode("utf-8-sig"), "m.csv", OFFICE, dry_run=True)
    assert res.ok, res.errors
    return res.warnings


def test_import_lag_warning_reads_the_stored_settings(session):
    Builder(session).project("P1", annual_plan=1200.0)
    # continuing, linear: e(May) = 5/12 = 0.4167; ytd 350 → r = 0.2917, gap = −12.50 points
    w = monthly_warnings_for(session, "P1", "2022-05", 350.0)
    assert any(x["column"] == "偏差说明" for x in w)  # default yellow gap −10: −12.5 < −10 warns
    settings.save(session, OFFICE, {"progress_yellow_gap": -15})
    w = monthly_warnings_for(session, "P1", "2022-05", 350.0)
    assert not any(x["column"] == "偏差说明" for x in w)  # −12.5 ≥ −15: no warning
    # overrun: 1,900 > 1.5 × 1,200 = 1,800 warns by default; not with a factor of 2
    assert any("1.5倍" in x["message"] for x in monthly_warnings_for(session, "P1", "2022-05", 1900.0))
    settings.save(session, OFFICE, {"import_overrun_factor": 2})
    assert not any("倍" in x["message"] for x in monthly_warnings_for(session, "P1", "2022-05", 1900.0))
