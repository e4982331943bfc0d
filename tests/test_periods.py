"""Periods, month arithmetic and the date forms of DESIGN.md."""
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lib import periods
from lib.errors import CockpitError


@pytest.mark.parametrize("raw,expected", [
    ("2022-10", "2022-10"), ("2022-3", "2022-03"), ("2022/3", "2022-03"), ("2022年3月", "2022-03"),
    ("202203", "2022-03"), (dt.date(2022, 3, 9), "2022-03"), ("2022-03-15", "2022-03"), (" 2022-12 ", "2022-12"),
])
def test_parse_period_forms(raw, expected):
    assert periods.parse_period(raw) == expected


@pytest.mark.parametrize("raw", ["2022-13", "2022-00", "22-10", "October", "", None, "2022-10-40"])
def test_parse_period_rejects(raw):
    with pytest.raises(CockpitError) as exc:
        periods.parse_period(raw)
    assert "报告期" in str(exc.value) or "日期" in str(exc.value)


@pytest.mark.parametrize("raw,expected", [
    ("2022-03-15", dt.date(2022, 3, 15)), ("2022/3/5", dt.date(2022, 3, 5)), ("2022-03", dt.date(2022, 3, 1)),
    ("2022年3月", dt.date(2022, 3, 1)), ("2022年3月15日", dt.date(2022, 3, 15)), (44635, dt.date(2022, 3, 15)),
    ("44635", dt.date(2022, 3, 15)), (dt.datetime(2022, 3, 15, 8, 0), dt.date(2022, 3, 15)), ("", None), (None, None),
    ("2022-03-15 00:00:00", dt.date(2022, 3, 15)),
])
def test_parse_date_forms(raw, expected):
    assert periods.parse_date(raw) == expected


@pytest.mark.parametrize("raw", ["2022-02-30", "15/03/2022", "昨天", "2022-3-15x", -5])
def test_parse_date_rejects(raw):
    with pytest.raises(CockpitError):
        periods.parse_date(raw)


@given(st.integers(min_value=1950 * 12 + 1, max_value=2150 * 12 + 12))
def test_index_round_trip(idx):
    p = periods.from_index(idx)
    assert periods.index(p) == idx
    assert periods.parse_period(p) == p
    assert periods.index(periods.previous(p)) == idx - 1
    assert periods.last_day(p).month == periods.split(p)[1]
    assert (periods.last_day(p) + dt.timedelta(days=1)) == periods.first_day(periods.shift(p, 1))


@given(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2150, 12, 31)))
def test_date_forms_agree(d):
    forms = [d.isoformat(), f"{d.year}/{d.month}/{d.day}", f"{d.year}年{d.month}月{d.day}日"]
    assert {periods.parse_date(f) for f in forms} == {d}
    assert periods.month_index(d) == periods.index(periods.parse_period(d))


def test_year_boundary():
    assert periods.previous("2022-01") == "2021-12"
    assert periods.shift("2021-11", 3) == "2022-02"
    assert periods.index("2022-03") - periods.index("2021-12") == 3


def test_formats():
    assert periods.fmt_date(dt.date(2022, 3, 5)) == "2022年3月5日"
    assert periods.fmt_date(dt.date(2022, 3, 5), "en") == "5 Mar 2022"
    assert periods.fmt_period("2022-10") == "2022年10月"
    assert periods.fmt_period("2022-10", "en") == "Oct 2022"
