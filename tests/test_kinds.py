"""The upload-kind registry (lib.intake.kinds): every kind's facts in one entry, read by the
templates, the parser, the importer, the CLI and the upload page; a new kind is one entry plus a
row builder."""
from __future__ import annotations

import pytest

from lib import cli
from lib.access.roles import PERMISSIONS
from lib.intake import kinds
from lib.intake.importer import TABLES, run_import
from lib.intake.parsing import header_aliases, read_table
from lib.intake.templates import rows_csv, template_csv, template_xlsx
from lib.store import session_scope
from lib.store.models import RegionTarget
from tests._intake import OFFICE, STAFF_A, seed


def test_every_entry_is_complete():
    assert kinds.names() == ("regions", "projects", "monthly", "plans", "targets", "stats", "problems",
                             "approvals", "events")
    for k in kinds.REGISTRY.values():
        assert callable(k.build()), k.name
        assert k.permission in PERMISSIONS, k.name
        assert all(t in TABLES for t in k.tables), k.name
        assert set(k.key) <= {c.key for c in k.columns}, k.name
        assert k.title("zh") and k.title("en") and k.sheet_title
    # the CLI offers exactly the registry's kinds
    assert cli.IMPORT_KINDS == kinds.names()
    # parents are written before children
    order = kinds.table_order()
    assert order.index("regions") < order.index("projects") < order.index("project_years")
    assert order.index("projects") < order.index("monthly_reports") and order.index("projects") < order.index("problems")


def test_registry_permission_decides_who_uploads():
    assert kinds.get("targets").permission == "upload_regions"
    assert kinds.get("monthly").permission == "upload"


def test_register_refuses_a_duplicate_and_a_key_outside_the_columns():
    with pytest.raises(ValueError):
        kinds.register(kinds.get("regions"))
    bad = kinds.UploadKind("x_bad", "坏", "Bad", kinds.get("stats").columns, ("nope",), "?", ("region_stats",),
                           "lib.intake.importer:_build_stats")
    with pytest.raises(ValueError):
        kinds.register(bad)
    assert "x_bad" not in kinds.REGISTRY


@pytest.fixture
def extra_kind():
    """A new kind registered at run time: county growth targets under another header and sheet."""
    cols = (
        kinds.Col("县区", "region", True, "region", example="大理市"),
        kinds.Col("年度", "year", True, "year", example=2022),
        kinds.Col("目标增速(%)", "growth_target", True, "pct", example=9),
    )
    k = kinds.register(kinds.UploadKind(
        "alt_targets", "增速目标", "Growth targets", cols, ("region", "year"), "县区 + 年度", ("region_targets",),
        "lib.intake.importer:_build_targets", permission="upload_regions", aliases=(("区县", "region"),),
        sheet="目标表"))
    yield k
    del kinds.REGISTRY["alt_targets"]


def test_a_new_kind_is_one_entry_plus_its_builder(sqlite_store, extra_kind):
    seed(sqlite_store)
    # the header alias and the columns reach the parser
    assert header_aliases("alt_targets")["区县"] == "region"
    data = "区县,年度,目标增速(%)\r\n大理市,2022,9.5\r\n".encode()
    frame, rows, _hm = read_table(data, "t.csv", "alt_targets")
    assert list(frame.columns) == ["region", "year", "growth_target"] and rows == [2]
    # the templates are built from the entry (sheet title included)
    assert template_csv("alt_targets").decode("utf-8-sig").startswith("县区,年度,目标增速(%)")
    from io import BytesIO

    from openpyxl import load_workbook
    wb = load_workbook(BytesIO(template_xlsx("alt_targets")))
    assert wb.worksheets[0].title == "目标表"
    # the importer takes permission, key and builder from the entry
    with session_scope(sqlite_store) as s:
        refused = run_import(s, "alt_targets", data, "t.csv", STAFF_A)
        assert not refused.ok and refused.errors
    with session_scope(sqlite_store) as s:
        res = run_import(s, "alt_targets", data, "t.csv", OFFICE)
        assert res.ok and res.inserted == 1, res.errors
    with session_scope(sqlite_store) as s:
        assert s.get(RegionTarget, ("532901", 2022)).growth_target == 9.5
    dup = rows_csv("alt_targets", [{"region": "大理市", "year": 2022, "growth_target": 1},
                                   {"region": "532901", "year": 2022, "growth_target": 2}])
    with session_scope(sqlite_store) as s:
        res = run_import(s, "alt_targets", dup, "t.csv", OFFICE)
        assert not res.ok and any("重复" in e["message"] for e in res.errors)
