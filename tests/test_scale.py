"""Scale: results computed once per data version and shared through the store (every process), and
every page opening on a store bigger than the pandas Styler's 262,144-cell limit.

The page sweep (marked ``slow``) builds a reduced province store with bench/bench_foundation's own
generator: 20 regions, 1,000 projects, reports of 2022 only, and 20,000 problems — the problem
table alone is 20,000 × 15 = 300,000 cells, above the Styler's limit that broke the page at 50,000
problems (750,000 cells). The full store (20,000 projects, 50,000 problems) takes ~30 s to build
and minutes per page run on a loaded 2-core machine, so it is measured by bench/ instead.
"""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from lib import store
from lib.store import results
from lib.store.models import ResultCache
from tests.conftest import ROOT


def _version(eng):
    from lib.store.queries import content_version

    with store.session_scope(eng) as s:
        return content_version(s)


def test_result_computed_once_per_version_and_recomputed_after_a_write(store):
    from lib.store import audit

    calls = []

    def compute():
        calls.append(1)
        return {"n": len(calls), "rows": list(range(1000))}

    v1 = _version(store)
    a = results.get_or_compute(store, "demo", ("2022-10", None), v1, compute)
    b = results.get_or_compute(store, "demo", ("2022-10", None), v1, compute)
    assert a == b and a["n"] == 1 and len(calls) == 1  # the second read came from the store
    other = results.get_or_compute(store, "demo", ("2022-09", None), v1, compute)
    assert other["n"] == 2  # other parameters, other result

    with store.begin() as conn:  # any audited write changes the version
        from sqlalchemy.orm import Session

        with Session(bind=conn) as s:
            audit.record(s, "tester", "update", "settings", "x")
            s.flush()
    v2 = _version(store)
    assert v2 != v1
    c = results.get_or_compute(store, "demo", ("2022-10", None), v2, compute)
    assert c["n"] == 3  # recomputed: never a result of the data before the write
    with store.connect() as conn:
        versions = set(conn.execute(select(ResultCache.version)).scalars())
    assert versions == {v2}  # rows of the older version were purged


def test_a_sign_in_does_not_change_the_version(store):
    from lib.store import audit

    v1 = _version(store)
    with store.begin() as conn:
        from sqlalchemy.orm import Session

        with Session(bind=conn) as s:
            audit.record(s, "leader", "login", "user", "leader")
            s.flush()
    assert _version(store) == v1


def test_cache_failure_falls_back_to_computing(sqlite_store, monkeypatch):
    """A store without the table (or locked, or full) still serves the computed value."""
    with sqlite_store.begin() as conn:
        conn.exec_driver_sql("DROP TABLE result_cache")
    assert results.get_or_compute(sqlite_store, "x", (), 1, lambda: 42) == 42
    assert results.get_or_compute(sqlite_store, "x", (), 1, lambda: 43) == 43


SHARED = r"""
import json, os, sys
sys.path.insert(0, sys.argv[1])
from lib import store
from lib.store import results
from lib.store.queries import content_version
from lib.rules.lights import compute_lights
eng = store.get_engine()
with store.session_scope(eng) as s:
    v = content_version(s)
computed = []
def compute():
    computed.append(1)
    with store.session_scope(eng) as s:
        return compute_lights(s, "2022-10")
df = results.get_or_compute(eng, "lights", ("2022-10", None), v, compute)
print(json.dumps({"computed": len(computed), "rows": len(df), "red": int((df["light"] == "red").sum()),
                  "hits": results.stats["hit"]}))
"""


def test_two_processes_share_one_computation(tmp_path):
    """Process A computes the lights; process B (another server replica) reads A's result."""
    import json

    from lib.demo import load_demo

    url = f"sqlite:///{tmp_path / 'shared.db'}"
    eng = store.make_engine(url)
    store.upgrade(eng)
    with store.session_scope(eng) as s:
        load_demo(s)
    eng.dispose()
    env = dict(os.environ, COCKPIT_DB_URL=url)
    run = lambda: json.loads(subprocess.run(
        [sys.executable, "-c", SHARED, str(ROOT)], env=env, capture_output=True, text=True, timeout=300,
        check=True).stdout.strip().splitlines()[-1])
    first, second = run(), run()
    assert first["computed"] == 1 and first["hits"] == 0
    assert second["computed"] == 0 and second["hits"] == 1
    assert first["rows"] == second["rows"] > 100 and first["red"] == second["red"]


# --------------------------------------------------------------------------- pages at scale

PAGES = ["pages/overview.py", "pages/map.py", "pages/league.py", "pages/project_list.py",
         "pages/project_file.py", "pages/problems.py", "pages/upload.py", "pages/admin.py", "pages/audit.py"]


@pytest.fixture(scope="module")
def big_store(tmp_path_factory):
    sys.path.insert(0, str(ROOT))
    import bench.bench_foundation as bf

    saved = (bf.N_REGIONS, bf.N_PROJECTS, bf.N_PROBLEMS, bf.YEARS)
    bf.N_REGIONS, bf.N_PROJECTS, bf.N_PROBLEMS, bf.YEARS = 20, 1000, 20_000, (2022,)
    try:
        url = bf.build_province_store(tmp_path_factory.mktemp("scale") / "big.db", verbose=False)
    finally:
        bf.N_REGIONS, bf.N_PROJECTS, bf.N_PROBLEMS, bf.YEARS = saved
    old = os.environ.get("COCKPIT_DB_URL")
    os.environ["COCKPIT_DB_URL"] = url
    store.dispose_all()
    yield url
    store.dispose_all()
    if old is None:
        os.environ.pop("COCKPIT_DB_URL", None)
    else:
        os.environ["COCKPIT_DB_URL"] = old


@pytest.mark.slow
def test_every_page_opens_above_the_styler_cell_limit(big_store):
    from streamlit.testing.v1 import AppTest

    from lib.access import Actor
    from lib.problems import problem_table
    from lib.store.queries import latest_period

    eng = store.get_engine()
    with store.session_scope(eng) as s:
        n_problems = s.scalar(select(func.count()).select_from(store.models.Problem))
        period = latest_period(s)
        table = problem_table(s)
    assert n_problems == 20_000 and len(table) * 15 > 262_144
    code = str(table["project_code"].iloc[0])

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.session_state["actor"] = Actor("admin", "admin", display_name="管理员")
    at.session_state["project_code"] = code
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["period"] == period
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        if page == "pages/problems.py":
            frames = [d for d in at.dataframe if d.value is not None and len(d.value) > 0]
            biggest = max(len(d.value) for d in frames)
            assert biggest == 200  # one page of the 20,000 problems, not all of them
            cards = lambda: sum('class="ck-card"' in getattr(h.proto, "body", "") for h in at.get("html"))
            assert cards() == 0  # the table view sends the table only
            assert any("共 20000 行" in c.value for c in at.caption), [c.value for c in at.caption]
            at.session_state["list_view"] = "cards"  # the 表格/卡片 switch: one page of cards instead
            at.run()
            assert not at.exception and cards() == 20  # (issue 14 item 4)
            assert not [d for d in at.dataframe if d.value is not None and len(d.value) >= 200]
            at.session_state["list_view"] = "table"
            at.run()
            # the last page holds the rest
            at.number_input(key="pb_table_page").set_value(100).run()
            assert not at.exception
            assert any("第 19801–20000 行" in c.value for c in at.caption)
        if page == "pages/project_list.py":
            assert not any("Styler" in str(e.value) for e in at.exception)
            cards = lambda: sum('class="ck-card"' in getattr(h.proto, "body", "") for h in at.get("html"))
            assert cards() == 0  # the table view sends the table only, not the cards as well
            at.session_state["list_view"] = "cards"  # the 表格/卡片 switch (pages/_widgets.VIEW_STATE)
            at.run()
            assert not at.exception and cards() == 20  # one page of cards (issue 14 item 4)
            assert not [d for d in at.dataframe if d.value is not None and len(d.value) >= 200]
            at.session_state["list_view"] = "table"
    # the results every page shares are in the store for other processes
    with eng.connect() as conn:
        names = set(conn.execute(select(ResultCache.name)).scalars())
    assert {"lights", "lights_pair", "league", "problem_table", "overview_bundle"} <= names
    from lib.geo import mapview

    assert f"map_payload.{mapview.PAYLOAD_VERSION}" in names  # the map's payload, named by its code version


def test_filter_problems_keeps_order_and_matches_each_filter(tmp_path):
    import datetime as dt

    from lib.demo import load_demo
    from lib.problems import filter_problems, problem_table, urgency_order

    eng = store.make_engine(f"sqlite:///{tmp_path / 'f.db'}")
    store.upgrade(eng)
    with store.session_scope(eng) as s:
        load_demo(s)
        table = urgency_order(problem_table(s, as_of=dt.date(2022, 10, 31)))
    eng.dispose()
    region = table["region_code"].iloc[0]
    got = filter_problems(table, region_code=region, category=["land", "funds"], status=[])
    want = table[(table["region_code"] == region) & table["category"].isin(["land", "funds"])]
    assert list(got["problem_id"]) == list(want["problem_id"]) and len(got) > 0
    assert list(got["problem_id"]) == list(urgency_order(got)["problem_id"])  # still most urgent first
    od = filter_problems(table, overdue_only=True, raised=(dt.date(2022, 1, 1), dt.date(2022, 10, 31)))
    assert len(od) > 0 and od["overdue_days"].notna().all()
    assert ((od["raised_on"] >= dt.date(2022, 1, 1)) & (od["raised_on"] <= dt.date(2022, 10, 31))).all()
    assert len(filter_problems(table)) == len(table)


def test_no_forced_garbage_collection_after_each_page_run():
    """Streamlit's default runs gc.collect() after every script run: with the cached province frames
    in memory it cost more CPU than the page itself (0.1–0.6 s a run), so the config turns it off."""
    import tomllib

    cfg = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert cfg["runner"]["postScriptGC"] is False


def test_schema_head_read_once_per_process():
    """require_current runs on every page run; the migrations' head is read from disk only once."""
    store.head_revision.cache_clear()
    first = store.head_revision()
    assert store.head_revision() == first and store.head_revision.cache_info().hits == 1


def test_garbage_collected_now_and_then_after_page_runs(monkeypatch):
    """Instead of Streamlit's collection after every run, one thread collects after page runs:
    a reference cycle left by a run is freed although Python's own collector is off."""
    import gc
    import time
    import weakref

    from pages import _frame

    class Node:
        pass

    monkeypatch.setattr(_frame, "GC_EVERY_S", 0.05)
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        a, b = Node(), Node()
        a.other, b.other = b, a  # a cycle: only a collection frees it
        gone = weakref.ref(a)
        del a, b
        runs = _frame._GC["runs"]
        _frame.collect_garbage_now_and_then()
        assert _frame._GC["runs"] == runs + 1 and _frame._GC["thread"].is_alive()
        _frame._GC_WAKE.set()
        deadline = time.monotonic() + 30
        while gone() is not None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert gone() is None
    finally:
        if was_enabled:
            gc.enable()
