"""The upload parser: encodings, headers, xlsx layouts, value forms, file-level refusals."""
from __future__ import annotations

import datetime as dt
import io
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.errors import CockpitError, ValidationError
from lib.intake.parsing import (
    MAX_UPLOAD_BYTES,
    parse_bool,
    parse_date_cell,
    parse_enum,
    parse_number,
    parse_period_cell,
    read_table,
)

MONTHLY_CSV = "项目代码,报告期,本年累计完成投资(万元),是否开工\nA1,2022-03,\"1,234.5\",是\nA2,2022年3月,20,否\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings_are_detected(encoding):
    frame, rows, hm = read_table(MONTHLY_CSV.encode(encoding), "m.csv", "monthly")
    assert list(frame.columns) == ["code", "period", "ytd_completed", "started"]
    assert frame["code"].tolist() == ["A1", "A2"]
    assert frame["started"].tolist() == ["是", "否"]
    assert frame["period"].tolist() == ["2022-03", "2022年3月"]
    assert rows == [2, 3]
    assert hm["ytd_completed"] == "本年累计完成投资(万元)"


def test_gb18030_only_characters_survive():
    text = "项目代码,报告期,本年累计完成投资(万元),形象进度\nA1,2022-03,5,𠮷家沟段完成\n"
    data = text.encode("gb18030")
    with pytest.raises(UnicodeEncodeError):
        text.encode("gbk")
    frame, _, _ = read_table(data, "m.csv", "monthly")
    assert frame.loc[0, "progress_text"] == "𠮷家沟段完成"


def test_english_headers_any_order_and_unknown_columns_listed():
    data = "ytd_completed,备注,period,code\n5,x,2022-04,A1\n".encode()
    frame, rows, hm = read_table(data, "m.csv", "monthly")
    assert frame.loc[0, "code"] == "A1" and frame.loc[0, "period"] == "2022-04" and frame.loc[0, "ytd_completed"] == "5"
    assert frame.attrs["unknown_columns"] == ["备注"]
    assert hm["code"] == "code"


def test_header_variants_fullwidth_and_without_unit():
    data = "项目代码,报告期,本年累计完成投资（万元）\nA1,2022-04,5\n".encode()
    frame, _, _ = read_table(data, "m.csv", "monthly")
    assert frame.loc[0, "ytd_completed"] == "5"
    data = "项目代码,报告期,本年累计完成投资\nA1,2022-04,5\n".encode()
    assert read_table(data, "m.csv", "monthly")[0].loc[0, "ytd_completed"] == "5"


def test_blank_lines_totals_and_example_rows_skipped_with_excel_row_numbers():
    data = ("某县重点项目月报\n\n项目代码,报告期,本年累计完成投资(万元)\n示例:X,2022-01,1\nA1,2022-03,5\n,,\n\n"
            "A2,2022-03,6\n合计,,11\n").encode()
    frame, rows, _ = read_table(data, "m.csv", "monthly")
    assert frame["code"].tolist() == ["A1", "A2"]
    assert rows == [5, 8]


def test_missing_required_column_and_duplicate_column():
    with pytest.raises(ValidationError) as exc:
        read_table("项目代码,本年累计完成投资(万元)\nA1,5\n".encode(), "m.csv", "monthly")
    msgs = [e["message"] for e in exc.value.errors]
    assert any("报告期" in m for m in msgs)
    with pytest.raises(ValidationError) as exc:
        read_table("项目代码,报告期,本年累计完成投资(万元),ytd_completed\nA1,2022-01,5,5\n".encode(), "m.csv", "monthly")
    assert "重复" in exc.value.errors[0]["message"]


def test_empty_file_refused():
    with pytest.raises(ValidationError) as exc:
        read_table(b"", "m.csv", "monthly")
    assert "空" in exc.value.errors[0]["message"]
    with pytest.raises(ValidationError) as exc:
        read_table(b"\n\n ,, \n", "m.csv", "monthly")
    assert "空" in exc.value.errors[0]["message"]


def test_random_bytes_named_csv_refused():
    data = os.urandom(5000)
    with pytest.raises(ValidationError) as exc:
        read_table(data, "m.csv", "monthly")
    assert exc.value.errors and exc.value.errors[0]["message"]


def test_size_limit_named():
    data = b"a" * (60 * 1024 * 1024)
    with pytest.raises(ValidationError) as exc:
        read_table(data, "big.csv", "monthly")
    msg = exc.value.errors[0]["message"]
    assert "50 MB" in msg and "60.0 MB" in msg
    assert MAX_UPLOAD_BYTES == 50 * 1024 * 1024


def test_old_xls_and_fake_xlsx_refused():
    with pytest.raises(ValidationError) as exc:
        read_table(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "m.xls", "monthly")
    assert ".xlsx" in exc.value.errors[0]["message"]
    with pytest.raises(ValidationError) as exc:
        read_table(b"hello", "m.xlsx", "monthly")
    assert "不是 Excel" in exc.value.errors[0]["message"]


def _xlsxwriter_book(build) -> bytes:
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    build(wb)
    wb.close()
    return buf.getvalue()


def test_xlsx_merged_title_merged_header_formulas_with_values_and_totals():
    def build(wb):
        ws = wb.add_worksheet("Sheet1")
        ws.merge_range("A1:E1", "大理市2022年3月重点项目月报")
        # two-level header: 项目代码/报告期/本年累计 merged over rows 2–3; 政策性资金 over 2 columns
        ws.merge_range("A2:A3", "项目代码")
        ws.merge_range("B2:B3", "报告期")
        ws.merge_range("C2:C3", "本年累计完成投资(万元)")
        ws.merge_range("D2:E2", "政策性资金")
        ws.write("D3", "中央预算内已支付(万元)")
        ws.write("E3", "专项债已支付(万元)")
        ws.write("A4", "A1")
        ws.write("B4", "2022-03")
        ws.write_formula("C4", "=D4+E4+100", None, 130)
        ws.write_number("D4", 10)
        ws.write_number("E4", 20)
        ws.write("A5", "A2")
        ws.write_datetime("B5", dt.datetime(2022, 3, 1), wb.add_format({"num_format": "yyyy-mm"}))
        ws.write_number("C5", 7)
        ws.write("A6", "合计")
        ws.write_formula("C6", "=SUM(C4:C5)", None, 137)

    frame, rows, hm = read_table(_xlsxwriter_book(build), "m.xlsx", "monthly")
    assert rows == [4, 5]
    assert frame["code"].tolist() == ["A1", "A2"]
    assert frame.loc[0, "ytd_completed"] == 130
    assert frame.loc[0, "special_bond_paid"] == 20
    assert frame.loc[1, "period"] == dt.datetime(2022, 3, 1)
    assert hm["central_budget_paid"] == "中央预算内已支付(万元)"


def test_xlsx_formula_without_cached_value_names_the_cell():
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["项目代码", "报告期", "本年累计完成投资(万元)"])
    ws.append(["A1", "2022-03", "=1+2"])
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(ValidationError) as exc:
        read_table(buf.getvalue(), "m.xlsx", "monthly")
    err = exc.value.errors[0]
    assert err["row"] == 2 and err["column"] == "C" and "C2" in err["message"] and "公式" in err["message"]


def test_xlsx_sheet_named_after_kind_wins():
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "封面"
    wb.active.append(["说明"])
    ws = wb.create_sheet("月报")
    ws.append(["code", "period", "ytd_completed"])
    ws.append(["A9", "2022-05", 3])
    buf = io.BytesIO()
    wb.save(buf)
    frame, rows, _ = read_table(buf.getvalue(), "m.xlsx", "monthly")
    assert frame["code"].tolist() == ["A9"] and rows == [2]


@pytest.mark.parametrize("raw,expected", [
    ("1,234.5", 1234.5), ("1，234", 1234.0), (" 12 ", 12.0), ("１２３", 123.0), (7, 7.0), (2.5, 2.5),
    ("3万元", 3.0), ("-4.5", -4.5), ("", None), (None, None), ("—", None), ("1e3", 1000.0),
])
def test_parse_number_forms(raw, expected):
    assert parse_number(raw) == expected


@pytest.mark.parametrize("raw", ["abc", "1.2.3", "nan", "inf", True, dt.date(2022, 1, 1), "1,2a"])
def test_parse_number_rejects(raw):
    with pytest.raises(CockpitError):
        parse_number(raw)


def test_parse_number_negative_refused_when_asked():
    with pytest.raises(CockpitError) as exc:
        parse_number("-1", allow_negative=False)
    assert "负数" in str(exc.value)


@pytest.mark.parametrize("raw,expected", [
    ("是", True), ("否", False), ("yes", True), ("No", False), ("1", True), ("0", False), (1, True), (0.0, False),
    ("Y", True), ("n", False), ("√", True), ("", None), (None, None), (True, True),
])
def test_parse_bool_forms(raw, expected):
    assert parse_bool(raw) is expected


def test_parse_bool_rejects():
    with pytest.raises(CockpitError) as exc:
        parse_bool("也许")
    assert "是 或 否" in str(exc.value)


@pytest.mark.parametrize("raw,expected", [
    ("2022-03-15", dt.date(2022, 3, 15)), ("2022/3/5", dt.date(2022, 3, 5)), ("2022-03", dt.date(2022, 3, 1)),
    ("2022年3月", dt.date(2022, 3, 1)), ("2022年3月15日", dt.date(2022, 3, 15)), (44635, dt.date(2022, 3, 15)),
    (dt.datetime(2022, 3, 15, 0, 0), dt.date(2022, 3, 15)), ("２０２２-０３-１５", dt.date(2022, 3, 15)),
])
def test_date_forms(raw, expected):
    assert parse_date_cell(raw) == expected


@pytest.mark.parametrize("raw,expected", [
    ("2022-10", "2022-10"), ("2022年3月", "2022-03"), ("2022/3", "2022-03"), (202210, "2022-10"),
    (dt.datetime(2022, 10, 1), "2022-10"), ("2022-10-31", "2022-10"),
])
def test_period_forms(raw, expected):
    assert parse_period_cell(raw) == expected


@pytest.mark.parametrize("raw", ["2022-13", "十月", "22-10", "2022"])
def test_bad_period(raw):
    with pytest.raises(CockpitError):
        parse_period_cell(raw)


def test_enum_accepts_zh_en_key_and_design_spellings():
    assert parse_enum("年度建设", "library") == "annual"
    assert parse_enum("储备", "library") == "reserve"
    assert parse_enum("储备项目", "library") == "reserve"
    assert parse_enum("Annual", "library") == "annual"
    assert parse_enum("园区", "region_kind") == "park"
    assert parse_enum("已办结", "approval") == "done"
    with pytest.raises(CockpitError) as exc:
        parse_enum("在建", "nature")
    assert "新开工/续建" in str(exc.value)


# ---- property tests: whatever the table, only the project's own ValidationError comes out ----

cell = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["项目代码", "报告期", "本年累计完成投资(万元)", "code", "period", "合计", "示例", "是", "2022-13",
                     "1,234", "—", "=1+1", '"', ",", "\n", "\r", "\x00", "\ufeff"]),
    st.integers(-10**12, 10**12).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)
tables = st.lists(st.lists(cell, min_size=0, max_size=6), min_size=0, max_size=8)


def _csv_bytes(table, encoding):
    import csv

    buf = io.StringIO()
    w = csv.writer(buf)
    for row in table:
        w.writerow(row)
    return buf.getvalue().encode(encoding, errors="replace")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table=tables, encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]),
       kind=st.sampled_from(["monthly", "projects", "problems", "stats"]))
def test_parser_never_raises_anything_else(table, encoding, kind):
    data = _csv_bytes(table, encoding)
    try:
        frame, rows, hm = read_table(data, "x.csv", kind)
    except ValidationError as exc:
        assert exc.errors and all(e["message"] for e in exc.errors)
        return
    assert len(frame) == len(rows)
    assert all(isinstance(r, int) and r >= 2 for r in rows)
    assert rows == sorted(rows)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_random_bytes_only_validation_error(data):
    try:
        read_table(data, "x.csv", "monthly")
    except ValidationError:
        pass


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=20), st.integers(), st.floats(), st.none(), st.booleans(),
                 st.dates(), st.datetimes()))
def test_value_parsers_only_raise_cockpit_error(value):
    for fn in (parse_number, parse_bool, parse_date_cell, parse_period_cell, lambda v: parse_enum(v, "library")):
        try:
            fn(value)
        except CockpitError:
            pass
