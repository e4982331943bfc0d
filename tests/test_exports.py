"""Excel export: values round-trip, formula-looking text is made inert, numbers stay numbers."""
from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

from lib.outputs.excel import neutralise, to_excel_bytes


@pytest.mark.parametrize("text", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "=HYPERLINK(\"http://x\")", "\t=1"])
def test_neutralise_prefixes_formula_text(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["项目A", "a=b", "", 5, -3.5, None])
def test_neutralise_leaves_other_values(value):
    assert neutralise(value) == value


def test_excel_round_trip_is_inert():
    df = pd.DataFrame({
        "项目名称": ["=cmd|' /C calc'!A0", "正常项目", "+1", "@SUM(1)", "-10"],
        "完成率": [41.5, 0.0, float("nan"), 100.0, -5.0],
        "标签": [["六新", "招商引资"], [], ["两新一重"], [], []],
    })
    data = to_excel_bytes(df, sheet_name="红黄绿灯[清单]")
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb.worksheets[0]
    assert ws.title == "红黄绿灯_清单_"
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("项目名称", "完成率", "标签")
    names = [r[0] for r in rows[1:]]
    # a text that is a plain number ("+1", "-10") is a number to Excel, not a formula: left alone
    assert names == ["'=cmd|' /C calc'!A0", "正常项目", "+1", "'@SUM(1)", "-10"]
    # no cell is stored as a formula
    for row in ws.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.coordinate
    rates = [r[1] for r in rows[1:]]
    assert rates[0] == 41.5 and rates[2] is None and rates[4] == -5.0
    assert rows[1][2] == "六新;招商引资"
