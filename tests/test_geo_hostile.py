"""Boundary files that are too big or malformed get a plain message and exit 1 (issue 12, item 12)."""
from __future__ import annotations

import json

import pytest

from lib import cli, geo
from lib.errors import ValidationError
from tests._intake import OFFICE, seed
from tools import hostile_files as H


def test_75_mb_geojson_refused_by_the_size_cap(tmp_path, session):
    path = H.geojson_big(tmp_path / "big.geojson", mb=75)
    with pytest.raises(ValidationError) as exc:
        geo.import_boundaries(session, OFFICE, path, "code")
    assert exc.value.key == "in_err_geo_too_big"
    assert "50 MB" in exc.value.errors[0]["message"]


@pytest.mark.parametrize("shape", sorted(H.geojson_malformed()))
def test_malformed_shapes_are_row_errors(shape, sqlite_store, tmp_path):
    from lib.store import session_scope

    seed(sqlite_store)
    path = tmp_path / f"{shape}.geojson"
    path.write_text(H.geojson_malformed()[shape], encoding="utf-8")
    with session_scope(sqlite_store) as s:
        with pytest.raises(ValidationError) as exc:
            geo.import_boundaries(s, OFFICE, path, "code")
    msgs = [e["message"] for e in exc.value.errors]
    assert msgs and all(m and "Error" not in m for m in msgs), msgs


@pytest.mark.parametrize("shape", sorted(H.geojson_malformed()))
@pytest.mark.parametrize("with_regions", [True, False])
def test_cli_import_boundaries_exit_1_with_a_message(shape, with_regions, app_store, tmp_path, capsys):
    """Refused whether or not the feature names a region of the store (a broken file is broken)."""
    if with_regions:
        seed(app_store)
    path = tmp_path / f"{shape}.geojson"
    path.write_text(H.geojson_malformed()[shape], encoding="utf-8")
    rc = cli.main(["import-boundaries", str(path), "--code-field", "code"])
    out = capsys.readouterr()
    assert rc == 1, out.err
    assert "内部错误" not in out.err
    listed = json.loads(out.out)
    assert listed and listed[0]["message"]
