"""Issue 9 item 2: one region-scope object answers every region check (lib/access/scope.py), with
room for townships under counties; no region check is written as ``region_code ==`` any more."""
from __future__ import annotations

import re

import pandas as pd
import pytest
from sqlalchemy import column, select

from lib.access import Actor, can, scope
from lib.access.scope import EVERYWHERE, RegionScope, scope_for
from tests.conftest import ROOT

STAFF = Actor("s1", "staff", "532901")


def test_scope_of_each_actor():
    assert scope_for(STAFF).allows("532901") and not scope_for(STAFF).allows("532922")
    assert not scope_for(STAFF).allows(None)
    assert not scope_for(Actor("s2", "staff", None)).allows("532901")  # staff without a county: nothing
    for role in ("leader", "office", "admin"):
        assert scope_for(Actor("x", role)) == EVERYWHERE and EVERYWHERE.allows("532922")
    assert scope_for(None) == EVERYWHERE
    assert scope.of(None) == scope.of("") == EVERYWHERE and scope.of("532901").codes == {"532901"}


def test_scope_as_sql_and_as_a_mask():
    s = RegionScope(frozenset({"532901", "532923"}))
    sql = str(select(column("x")).where(s.where(column("region_code"))).compile(
        compile_kwargs={"literal_binds": True}))
    assert "region_code IN ('532901', '532923')" in sql
    assert "WHERE true" in str(select(column("x")).where(EVERYWHERE.where(column("r"))).compile(
        compile_kwargs={"literal_binds": True})).replace("1 = 1", "true")
    series = pd.Series(["532901", "532922", None, "532923"])
    assert s.mask(series).tolist() == [True, False, False, True]
    assert EVERYWHERE.mask(series).tolist() == [True] * 4


def test_townships_fit_under_a_county():
    """A county's scope takes in its townships (and theirs) once the regions carry a parent."""
    children = {"532901": ["532901001", "532901002"], "532901002": ["532901002001"], "532922": ["532922001"]}
    county = scope_for(STAFF).expand(children)
    assert county.allows("532901001") and county.allows("532901002001") and county.allows("532901")
    assert not county.allows("532922001")
    assert EVERYWHERE.expand(children) is EVERYWHERE


@pytest.mark.parametrize("perm", ["upload", "problem_work"])
def test_permissions_go_through_the_scope(perm, monkeypatch):
    assert can(STAFF, perm, "532901") and not can(STAFF, perm, "532922")
    # a wider scope (a county with its townships) widens the permission, in one place
    monkeypatch.setattr("lib.access.roles.scope_for",
                        lambda actor: RegionScope(frozenset({"532901", "532901001"})))
    assert can(STAFF, perm, "532901001")


def test_no_region_check_is_written_by_hand():
    """Region checks and region filters use the scope; what remains compares a region with itself
    (the map's own region row and its highlight) or notices that the sidebar's county changed."""
    allowed = {("pages/map.py", 'row = regions[regions["region_code"] == code]'),
               ("lib/geo/mapview.py", 'selected = selected_region is not None and r["region_code"] == selected_region'),
               ("pages/project_list.py", 'elif "pl_region" not in st.session_state or '
                'st.session_state.get("pl_sidebar_region") != c.region_code:'),
               # a join condition, and the map noticing the sidebar's county changed: not region checks
               ("lib/intake/quality.py", '.join(Region, Region.code == Project.region_code)'),
               ("pages/map.py", 'if st.session_state.get("_map_region_for") != c.region_code:')}
    found = set()
    for path in [*(ROOT / "lib").rglob("*.py"), *(ROOT / "pages").glob("*.py"), ROOT / "app.py"]:
        rel = str(path.relative_to(ROOT))
        for line in path.read_text(encoding="utf-8").splitlines():
            if re.search(r"region_code\W*\s*[!=]=|[!=]=\s*\w*\.?region_code\b", line) and "scope" not in rel:
                if "(user.role, user.region_code) != (role, region_code)" in line:
                    continue  # an account's own change, not a region check
                found.add((rel, line.strip()))
    assert found == allowed
