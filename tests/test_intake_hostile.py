"""Hostile files meet bounded cost (issue 12, items 11–12): xlsx bombs and sparse sheets, CSV floods,
a million errors, oversized and malformed GeoJSON. Caps are lowered with monkeypatch where a
full-size file would only make the test slow; bench/bench_hostile.py measures the full-size files."""
from __future__ import annotations

import io
import json

import pytest

from lib.errors import ValidationError
from lib.intake import limits, parsing
from lib.intake.parsing import read_table
from tests._intake import OFFICE, do_import, seed
from tools import hostile_files as H


def refused(data: bytes, name: str = "m.xlsx", kind: str = "monthly") -> ValidationError:
    with pytest.raises(ValidationError) as exc:
        read_table(data, name, kind)
    assert exc.value.errors and all(e["message"] for e in exc.value.errors)
    return exc.value


def test_sparse_sheet_one_cell_at_xfd1048576_refused_by_columns():
    exc = refused(H.xlsx_sparse())
    assert exc.key == "in_err_too_many_cols"
    assert "XFD" in exc.errors[0]["message"] and "200" in exc.errors[0]["message"]


def test_declared_dimension_is_not_trusted():
    """A sheet claiming A1:XFD1048576 with three real cells reads as those cells."""
    data = H._xlsx(lambda w: w(b'<row r="2"><c r="A2" t="inlineStr"><is><t>A1</t></is></c>'
                             b'<c r="B2" t="inlineStr"><is><t>2022-10</t></is></c><c r="C2"><v>5</v></c></row>'),
                   dimension="A1:XFD1048576")
    frame, rows, _ = read_table(data, "m.xlsx", "monthly")
    assert rows == [2] and frame["code"].tolist() == ["A1"]


def test_tall_bomb_refused_by_rows_before_parsing(monkeypatch):
    monkeypatch.setattr(limits, "MAX_ROWS", 1_000)
    exc = refused(H.xlsx_bomb_tall(rows=5_000, cols=3))
    assert exc.key == "in_err_too_many_rows" and "1,000" in str(exc)


def test_wide_bomb_refused():
    exc = refused(H.xlsx_bomb_wide(rows=20, cols=5_000))
    assert exc.key == "in_err_xlsx_wide"


def test_total_cells_capped(monkeypatch):
    monkeypatch.setattr(limits, "MAX_CELLS", 10_000)
    exc = refused(H.xlsx_cells_over_cap(rows=600, cols=40))
    assert exc.key == "in_err_too_many_cells"


def test_unpacked_size_capped(monkeypatch):
    monkeypatch.setattr(limits, "XLSX_MAX_SHEET_BYTES", 1024 * 1024)
    exc = refused(H.xlsx_bomb_tall(rows=20_000, cols=5))  # ~1.7 MB of XML, ~10 KB zipped
    assert exc.key == "in_err_xlsx_too_big"


def test_shared_strings_bomb_refused(monkeypatch):
    monkeypatch.setattr(limits, "XLSX_MAX_SHARED_STRINGS", 5_000)
    exc = refused(H.xlsx_shared_strings_bomb(n=20_000))
    assert exc.key == "in_err_too_many_cells"


def test_entity_expansion_refused():
    exc = refused(H.xlsx_billion_laughs())
    assert exc.key == "in_err_xlsx_broken"


def test_defusedxml_is_what_openpyxl_uses():
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML is True


def test_rows_over_cap_in_xlsx_and_csv(monkeypatch):
    monkeypatch.setattr(limits, "MAX_ROWS", 500)
    assert refused(H.xlsx_rows_over_cap(rows=2_000)).key == "in_err_too_many_rows"
    assert refused(H.csv_many_rows(rows=2_000), "m.csv").key == "in_err_too_many_rows"
    quoted = H.csv_many_rows(rows=2_000).replace(b"abc", b'"a\nb"')  # quoted newlines: rows counted by the csv reader
    assert refused(quoted, "m.csv").key == "in_err_too_many_rows"


def test_csv_line_of_commas_refused():
    exc = refused(H.csv_commas(size=2 * 1024 * 1024), "m.csv")
    assert exc.key == "in_err_too_many_cols"


def test_csv_row_wider_than_the_column_cap_refused_but_trailing_blanks_are_fine():
    head = "项目代码,报告期,本年累计完成投资(万元)"
    ok = (head + "," * 500 + "\nA1,2022-10,1" + "," * 500 + "\n").encode()
    frame, rows, _ = read_table(ok, "m.csv", "monthly")
    assert rows == [2]
    wide = (head + "\nA1,2022-10,1" + ",x" * 300 + "\n").encode()
    assert refused(wide, "m.csv").key == "in_err_too_many_cols"


def test_csv_byte_cap_is_the_upload_limit():
    assert limits.MAX_UPLOAD_BYTES == 50 * 1024 * 1024
    with pytest.raises(ValidationError):
        read_table(b"a" * (limits.MAX_UPLOAD_BYTES + 1), "m.csv", "monthly")


def test_merged_header_still_read_from_the_prescan():
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["2022年10月 月报"])
    ws.merge_cells("A1:C1")
    ws.append(["项目代码", "报告期", "本年累计完成投资(万元)"])
    ws.append(["A1", "2022-10", 3])
    buf = io.BytesIO()
    wb.save(buf)
    frame, rows, _ = read_table(buf.getvalue(), "m.xlsx", "monthly")
    assert rows == [3] and frame["ytd_completed"].tolist() == [3]


# ---------- a million errors ----------

def test_errors_listed_first_200_with_the_total(sqlite_store):
    seed(sqlite_store)
    data = H.csv_many_rows(rows=1_500)  # three bad cells per row
    res = do_import(sqlite_store, "monthly", data, OFFICE)
    assert not res.ok
    assert len(res.errors) == limits.MAX_ERRORS_SHOWN
    assert res.error_total >= 3 * 1_500
    assert [e["row"] for e in res.errors] == sorted(e["row"] for e in res.errors)
    assert res.errors[0]["row"] == 2


def test_error_list_keeps_a_bounded_number(monkeypatch):
    monkeypatch.setattr(limits, "MAX_ERRORS_KEPT", 10)
    errs = parsing.ErrorList()
    for i in range(1000):
        errs.append({"row": i})
    assert len(errs) == 10 and errs.total == 1000


def test_cli_json_lists_200_errors_and_says_the_total(app_store, tmp_path, capsys):
    from lib import cli

    seed(app_store)
    f = tmp_path / "bad.csv"
    f.write_bytes(H.csv_many_rows(rows=400))
    rc = cli.main(["import", "monthly", str(f), "--dry-run"])
    out = capsys.readouterr()
    assert rc == 1
    listed = json.loads(out.out)
    assert len(listed) == limits.MAX_ERRORS_SHOWN + 1
    total = listed[-1]["value"]
    assert total >= 1_200 and f"共 {total} 处错误" in listed[-1]["message"]
    assert f"{total} 处错误" in out.err


def test_upload_page_says_the_total_and_lists_200(app_store):
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT

    seed(app_store)
    at = AppTest.from_file(str(ROOT / "pages" / "upload.py"), default_timeout=120)
    at.session_state["actor"] = OFFICE
    at.session_state["period"] = "2022-10"
    at.run()
    at.selectbox(key="upload_kind").set_value("monthly").run()
    at.file_uploader(key="upload_file").set_value(("bad.csv", H.csv_many_rows(rows=400), "text/csv")).run()
    assert not at.exception, at.exception
    total = int(at.error[0].value.split("发现 ")[1].split(" 处")[0])
    assert total >= 1_200
    assert any(f"共 {total} 处错误,仅列出前 200 处" in c.value for c in at.caption)
    assert len(at.dataframe[0].value) == 200


def test_merged_ranges_found_across_chunk_boundaries(monkeypatch):
    from openpyxl import Workbook

    from lib.intake import xlsxread

    monkeypatch.setattr(xlsxread, "_CHUNK", 1000)  # many boundaries inside <mergeCells>
    wb = Workbook()
    ws = wb.active
    for r in range(1, 601):
        ws.append([f"文字{r}", r, r])
    for r in range(1, 600, 2):
        ws.merge_cells(start_row=r, start_column=1, end_row=r + 1, end_column=2)
    buf = io.BytesIO()
    wb.save(buf)
    merges = xlsxread.prescan(buf.getvalue()).merges["xl/worksheets/sheet1.xml"]
    assert merges == [(r, 1, r + 1, 2) for r in range(1, 600, 2)]
