"""Values mean what they say (issue 11 items 3–4, issue 12 items 9, 10 and 13): strict numbers, one
encoding per file, text lengths and characters checked at validation — the same on SQLite and
PostgreSQL — and a leading tab or CR never quietly removed."""
from __future__ import annotations

import math
import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from lib.errors import CockpitError, ValidationError
from lib.intake import limits
from lib.intake.parsing import parse_money, parse_number, parse_pct, read_table
from lib.intake.templates import rows_csv
from lib.store import session_scope
from lib.store.models import AuditLog, MonthlyReport, Project, UploadBatch
from tests._intake import do_import, project_row, seed, snapshot


def monthly(rows, encoding="utf-8-sig"):
    return rows_csv("monthly", rows, encoding=encoding)


@pytest.fixture
def seeded(sqlite_store):
    seed(sqlite_store)
    return sqlite_store


# ---------- numbers, one test per form ----------

def _one_error(eng, rows, kind="monthly"):
    res = do_import(eng, kind, rows_csv(kind, rows))
    assert not res.ok
    return res.errors


def test_percent_in_a_money_column_refused(seeded):
    errs = _one_error(seeded, [{"code": "A1", "period": "2022-03", "ytd_completed": "12%"}])
    assert errs[0]["row"] == 2 and "百分号" in errs[0]["message"] and errs[0]["value"] == "12%"


def test_percent_in_a_percent_column_accepted():
    assert parse_pct("8.6%") == 8.6 and parse_pct("-3.5") == -3.5


def test_misplaced_thousands_separators_refused(seeded):
    errs = _one_error(seeded, [{"code": "A1", "period": "2022-03", "ytd_completed": "1,2,3"}])
    assert "千分位" in errs[0]["message"]
    for bad in ("12,34", "1,2345", ",123", "1,,234", "0,00 0", "1,23 4"):  # a space does not mend a group
        with pytest.raises(CockpitError):
            parse_number(bad)


def test_minus_zero_is_zero_and_not_negative(seeded):
    assert parse_money("-0") == 0.0 and math.copysign(1, parse_money("-0")) == 1.0
    res = do_import(seeded, "monthly", monthly([{"code": "A1", "period": "2022-03", "ytd_completed": "-0"}]))
    assert res.ok, res.errors


def test_1e308_refused(seeded):
    errs = _one_error(seeded, [{"code": "A1", "period": "2022-03", "ytd_completed": "1e308"}])
    assert errs[0]["row"] == 2 and "超过" in errs[0]["message"]
    with pytest.raises(CockpitError):
        parse_number(10 ** 400)


def test_total_investment_above_the_ceiling_refused(seeded):
    errs = _one_error(seeded, [project_row("A7", total="10,000,001")], kind="projects")
    assert any("合理上限" in e["message"] and e["row"] == 2 for e in errs), errs
    res = do_import(seeded, "projects", rows_csv("projects", [project_row("A7", total="10,000,000")]))
    assert res.ok, res.errors


def test_thousands_separators_and_full_width_digits_accepted(seeded):
    assert parse_number("1,234.5") == 1234.5 and parse_number("1,234,567") == 1234567.0
    assert parse_number("１２３４．５") == 1234.5 and parse_number("１，２３４") == 1234.0
    res = do_import(seeded, "monthly", monthly([{"code": "A1", "period": "2022-03", "ytd_completed": "1,034.5"},
                                                {"code": "A2", "period": "2022-03", "ytd_completed": "１０３４"}]))
    assert res.ok, res.errors
    with session_scope(seeded) as s:
        got = {m.project_code: m.ytd_completed for m in s.scalars(select(MonthlyReport))}
    assert got == {"A1": 1034.5, "A2": 1034.0}


@settings(max_examples=300, deadline=None)
@given(st.floats(min_value=0, max_value=9_999_999, allow_nan=False))
def test_property_formatted_money_reads_back(x):
    assert parse_money(f"{x:,.2f}") == pytest.approx(round(x, 2), abs=0.006)
    assert parse_money(f"{x:.4f}") == pytest.approx(x, abs=1e-4)
    full = f"{x:,.2f}".translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789,."})
    assert parse_money(full) == parse_money(f"{x:,.2f}")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789,.-+%eE 　万元１２", max_size=14))
def test_property_parser_returns_a_sane_number_or_refuses(s):
    try:
        v = parse_number(s)
    except CockpitError:
        return
    assert v is None or (math.isfinite(v) and abs(v) <= 1e12)
    norm = unicodedata.normalize("NFKC", s)
    if v is not None:
        # every accepted thousands separator is followed by exactly three digits
        assert all(len(g) == 3 for g in re.findall(r",(\d+)", norm)), s
        assert v == parse_number(norm.replace(",", "")), s


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=-10 ** 6, max_value=10 ** 6))
def test_property_integers_and_their_grouped_form_agree(n):
    assert parse_number(f"{n:,}") == parse_number(str(n)) == float(n)


# ---------- encodings ----------

def test_gbk_header_with_utf8_body_refused():
    head = "项目代码,报告期,本年累计完成投资(万元)\r\n".encode("gbk")
    body = "A1,2022-03,1\r\nA2,2022年3月,2\r\n".encode("utf-8")
    with pytest.raises(ValidationError) as exc:
        read_table(head + body, "m.csv", "monthly")
    assert exc.value.key == "in_err_mixed_encoding"
    assert "UTF-8" in exc.value.errors[0]["message"] and "Excel" in exc.value.errors[0]["message"]


def test_utf8_header_with_gbk_body_refused(seeded):
    head = "项目代码,项目名称,报告期,本年累计完成投资(万元)\r\n".encode("utf-8")
    body = "A1,洱源县产业园,2022-03,1\r\n".encode("gbk")
    res = do_import(seeded, "monthly", head + body)
    assert not res.ok and "编码" in res.errors[0]["message"]


def test_mojibake_refused():
    text = "项目代码,报告期,本年累计完成投资(万元)\r\nA1,2022-03,1\r\n"
    garbled = text.encode("utf-8").decode("gbk", errors="replace").encode("utf-8")  # 楣ゅ簡… with �
    with pytest.raises(ValidationError) as exc:
        read_table(garbled, "m.csv", "monthly")
    assert exc.value.key in ("in_err_mojibake", "in_err_mixed_encoding")


def test_pure_gbk_and_pure_utf8_still_read():
    text = "项目代码,项目名称,报告期,本年累计完成投资(万元)\r\nA1,祥云县产业园,2022-03,1\r\n"
    for enc in ("gbk", "utf-8", "utf-8-sig"):
        frame, _, _ = read_table(text.encode(enc), "m.csv", "monthly")
        assert frame["code"].tolist() == ["A1"]


# ---------- text lengths and characters, on both stores ----------

def test_text_limits_come_from_the_models():
    lim = limits.text_limits()
    assert lim["projects"]["name"] == Project.__table__.c.name.type.length == 200
    assert lim["monthly"]["reporter"] == MonthlyReport.__table__.c.reporter.type.length == 100
    assert lim["monthly"]["progress_text"] == limits.TEXT_MAX_FREE
    # every text-like template column has a maximum
    from lib.intake.templates import COLUMNS

    for kind, cols in COLUMNS.items():
        for c in cols:
            if c.type in ("text", "code", "project", "region", "tags"):
                assert lim[kind][c.key] > 0, (kind, c.key)


def test_long_name_long_reporter_nul_refused_and_long_file_name_cut(store):
    seed(store)
    before = snapshot(store)
    res = do_import(store, "projects", rows_csv("projects", [project_row("A7", name="长" * 300)]))
    assert not res.ok
    e = res.errors[0]
    assert e["row"] == 2 and e["column"] == "项目名称" and "300" in e["message"] and "200" in e["message"]
    assert len(e["value"]) < 100  # the value is cut short in the error
    res = do_import(store, "monthly", monthly([{"code": "A1", "period": "2022-03", "ytd_completed": 1,
                                                 "reporter": "李" * 150}]))
    assert not res.ok and res.errors[0]["column"] == "填报人" and "100" in res.errors[0]["message"]
    res = do_import(store, "monthly", monthly([{"code": "A1", "period": "2022-03", "ytd_completed": 1,
                                                 "progress_text": "进" * 4096 + "\x00后"}]))
    assert not res.ok and "空字符" in res.errors[0]["message"]
    assert snapshot(store) == before
    # a 214-character file name is cut to the column, not refused; the import commits on both stores
    name = "月" * 210 + ".csv"
    res = do_import(store, "monthly", monthly([{"code": "A1", "period": "2022-03", "ytd_completed": 1}]),
                    filename=name)
    assert res.ok, res.errors
    n = limits.filename_max()
    with session_scope(store) as s:
        stored = s.scalar(select(UploadBatch.filename).where(UploadBatch.kind == "monthly"))
        key = s.scalar(select(AuditLog.entity_key).where(AuditLog.action == "upload", AuditLog.entity == "monthly"))
    assert len(stored) <= n and stored.endswith(".csv") and stored == key


def test_same_answer_for_a_long_problem_description(store):
    seed(store)
    row = {"code": "A1", "category": "用地", "description": "问" * (limits.TEXT_MAX_FREE + 1), "raised_on": "2022-03-01"}
    res = do_import(store, "problems", rows_csv("problems", [row]))
    assert not res.ok and "最多 2000" in res.errors[0]["message"]


@pytest.mark.parametrize("bad", ["\x01", "\x1b[31m", "\x7f", "\u202e"])
def test_control_characters_refused_with_row_and_column(seeded, bad):
    res = do_import(seeded, "projects", rows_csv("projects", [project_row("A7", name=f"项目{bad}名")]))
    assert not res.ok
    e = res.errors[0]
    assert e["row"] == 2 and e["column"] == "项目名称" and "字符" in e["message"]


def test_leading_cr_or_tab_not_stripped_into_a_formula(seeded):
    # one-line field: refused
    res = do_import(seeded, "projects", rows_csv("projects", [project_row("A7", name="\r=1+1")]))
    assert not res.ok and res.errors[0]["column"] == "项目名称"
    res = do_import(seeded, "monthly", monthly([{"code": "A1", "period": "2022-03", "ytd_completed": 1,
                                                  "reporter": "\t=1+1"}]))
    assert not res.ok and res.errors[0]["column"] == "填报人"
    # long free text: kept as written (never "=1+1"), and neutralised wherever it is exported
    res = do_import(seeded, "monthly", monthly([{"code": "A1", "period": "2022-03", "ytd_completed": 1,
                                                  "progress_text": "\r=1+1"}]))
    assert res.ok, res.errors
    with session_scope(seeded) as s:
        stored = s.scalar(select(MonthlyReport.progress_text))
    assert stored == "\r=1+1"
    from lib.outputs.excel import safe_text

    assert safe_text(stored) == "'\r=1+1"


def test_line_breaks_allowed_in_long_text_only(seeded):
    res = do_import(seeded, "monthly", monthly([{"code": "A1", "period": "2022-03", "ytd_completed": 1,
                                                  "progress_text": "一、路基\n二、桥梁"}]))
    assert res.ok, res.errors
    res = do_import(seeded, "projects", rows_csv("projects", [project_row("A7", name="第一行\n第二行")]))
    assert not res.ok and "一行" in res.errors[0]["message"]


def test_documented_text_maxima_match_the_code():
    """docs/ARCHITECTURE.md's table of text maxima is the one lib.intake.limits derives."""
    import re

    from tests.conftest import ROOT

    doc = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    table = {(k, c): int(n) for k, c, n in re.findall(r"^\| (\w+) \| [^|]*\(`(\w+)`\) \| (\d+) \|$", doc, re.M)}
    expected = {(k, c): n for k, cols in limits.text_limits().items() for c, n in cols.items()}
    assert table == expected
