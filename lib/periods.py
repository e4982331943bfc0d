"""Periods (``YYYY-MM``), month arithmetic and the date/number/yes-no forms people write.

Months are counted as Y×12+m (DESIGN.md), so differences of periods are month counts.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re

from lib.errors import CockpitError
from lib.i18n import t

_PERIOD_RE = re.compile(r"^\s*(\d{4})\s*(?:[-/.年])\s*(\d{1,2})\s*(?:月)?\s*$")


def parse_period(value) -> str:
    """Normalise a period to ``YYYY-MM``. Accepts 2022-10, 2022-3, 2022/10, 2022年10月, 202210,
    dates and datetimes. Raises CockpitError with a plain-Chinese message otherwise."""
    if isinstance(value, (dt.date, dt.datetime)):
        return f"{value.year:04d}-{value.month:02d}"
    s = str(value).strip() if value is not None else ""
    m = _PERIOD_RE.match(s)
    if not m and re.fullmatch(r"\d{6}", s):
        m = re.match(r"(\d{4})(\d{2})", s)
    if not m:
        # a full date is accepted as its month
        try:
            d = parse_date(s)
        except CockpitError:
            d = None
        if d is None:
            raise CockpitError("err_period_format", value=s)
        return f"{d.year:04d}-{d.month:02d}"
    y, mo = int(m.group(1)), int(m.group(2))
    if not (1 <= mo <= 12) or not (1900 <= y <= 2200):
        raise CockpitError("err_period_month", value=s)
    return f"{y:04d}-{mo:02d}"


def split(period: str) -> tuple[int, int]:
    y, m = period.split("-")
    return int(y), int(m)


def index(period: str) -> int:
    """Y×12+m."""
    y, m = split(period)
    return y * 12 + m


def from_index(idx: int) -> str:
    y, m = divmod(idx - 1, 12)
    return f"{y:04d}-{m + 1:02d}"


def month_index(d: dt.date) -> int:
    return d.year * 12 + d.month


def shift(period: str, months: int) -> str:
    return from_index(index(period) + months)


def previous(period: str) -> str:
    return shift(period, -1)


def last_day(period: str) -> dt.date:
    y, m = split(period)
    return dt.date(y, m, calendar.monthrange(y, m)[1])


def first_day(period: str) -> dt.date:
    y, m = split(period)
    return dt.date(y, m, 1)


_DATE_PATTERNS = [
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
]
_MONTH_PATTERNS = [
    re.compile(r"^(\d{4})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月?$"),
]
EXCEL_EPOCH = dt.date(1899, 12, 30)


def parse_date(value) -> dt.date | None:
    """A date from the forms DESIGN.md lists: YYYY-MM-DD, YYYY/M/D, YYYY-MM (first day),
    YYYY年M月[D日], Excel serial numbers, date/datetime objects. Blank → None.
    Raises CockpitError for anything else."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, float) and value != value:  # NaN
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 1 <= value < 100000:
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise CockpitError("err_date_value", value=value)
    s = str(value).strip()
    if not s:
        return None
    s = s.split(" ")[0] if re.match(r"^\d{4}-\d{1,2}-\d{1,2} \d", s) else s
    try:
        for pat in _DATE_PATTERNS:
            m = pat.match(s)
            if m:
                return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        for pat in _MONTH_PATTERNS:
            m = pat.match(s)
            if m:
                return dt.date(int(m.group(1)), int(m.group(2)), 1)
        if re.fullmatch(r"\d{5}(\.0+)?", s):
            return EXCEL_EPOCH + dt.timedelta(days=int(float(s)))
    except ValueError:
        pass
    raise CockpitError("err_date_format", value=s)


def fmt_date(d: dt.date | None, lang: str = "zh") -> str:
    """Dates as people write them: 2022年3月15日 / 15 Mar 2022."""
    if d is None:
        return ""
    return t("fmt_date", lang, y=d.year, m=d.month, d=d.day, mon=d.strftime("%b"))


def date_msg(d: dt.date):
    """A date as a message parameter that reads as ``fmt_date`` in the reader's language."""
    from lib.i18n import Msg

    return Msg("fmt_date", y=d.year, m=d.month, d=d.day, mon=d.strftime("%b"))


def fmt_period(period: str, lang: str = "zh") -> str:
    y, m = split(period)
    return t("fmt_period", lang, y=y, m=m, mon=dt.date(y, m, 1).strftime("%b"))
