"""Reading uploaded tables: CSV (UTF-8, UTF-8 with BOM, GBK/GB18030 — detected) and .xlsx.

``read_table`` finds the header row (the first row with ≥ 2 known headers; merged title rows above
it and merged header cells are handled), maps Chinese or English headers in any order to the
English keys of ``lib.intake.templates.COLUMNS``, drops blank lines, 合计/小计/总计 rows and the template's
示例 row, and returns raw cell values with the row numbers the user sees in Excel.
Value parsers (``parse_number``, ``parse_bool``, ``parse_enum``) raise ``CockpitError`` with an
i18n key and its parameters. File-level problems raise ``ValidationError(errors=[...])``.

Every error and warning of an upload is an *issue* (``issue``): ``{row, column, value, message,
key, params}`` — where it is (the Excel row, the column header as written, the value), the i18n
key and parameters of what it says, and ``message``, its Chinese text (what the command line
prints). ``issue_text(issue, lang)`` is what a user reads in ``lang``. A parameter whose words
differ by language comes twice: ``x`` for the Chinese text and ``x_en`` for the English one.
The Chinese words below (合计, 仅供参考, 是/否, 万元, …) are the templates' data contract, not
messages.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import unicodedata
from typing import Any

import pandas as pd

from lib.errors import CockpitError, ValidationError
from lib.i18n import ENUMS, TEXT, enum_label, t
from lib.intake import kinds, limits
from lib.intake.limits import MAX_UPLOAD_BYTES  # noqa: F401  (re-exported)
from lib.intake.templates import COLUMNS, EXAMPLE_MARK, NOTES_SHEET, TITLES

TOTAL_WORDS = ("合计", "小计", "总计", "总合计")
# Kinds with a prefilled template, and its prefilled key columns: a row holding nothing else was
# left unfilled (a partial month) and is skipped and counted, not an error.
PREFILLED_KEYS = {"monthly": ("code", "period")}
REFERENCE_MARK = "仅供参考"  # a header holding this is a side column for reading, ignored on upload
MONEY_UNITS = ("万元", "万")  # a money cell may end with its unit
YEAR_SUFFIX = "年"  # 2022年


# ---------- issues: the errors and warnings of an upload ----------

def render(key: str, params: dict | None, lang: str = "zh") -> str:
    """The text of ``key`` in ``lang`` with ``params`` (values cut short say so in ``lang``)."""
    if not params:
        return t(key, lang)
    if lang != "zh":
        params = {k: limits.localise(v, lang) for k, v in params.items()}
    return t(key, lang, **params)


def issue(key: str, row=None, column=None, value=None, /, **params) -> dict:
    """One error or warning of an upload (see the module's docstring). Where it is comes first, by
    position; every keyword is a parameter of the text (which may be called row, column or value)."""
    return {"row": row, "column": column, "value": value, "message": render(key, params, "zh"),
            "key": key, "params": params}


def issue_from(exc: CockpitError, row=None, column=None, value=None) -> dict:
    """The issue of a refused value or file: the exception's key and parameters (a message that is
    not a key — older code elsewhere — is kept as it is, in both languages)."""
    if exc.key in TEXT:  # str(exc) is already its Chinese text
        return {"row": row, "column": column, "value": value, "message": str(exc), "key": exc.key,
                "params": exc.params}
    return issue("in_msg_as_is", row, column, value, text=str(exc))


def issue_text(item: dict, lang: str = "zh") -> dict:
    """An issue as the user reads it in ``lang``: row, column, value and the message."""
    key = item.get("key")
    message = render(key, item.get("params"), lang) if key else item.get("message", "")
    return {"row": item.get("row"), "column": item.get("column"), "value": limits.localise(item.get("value"), lang),
            "message": message}


def _fail(key: str, **params):
    """A file-level refusal: ValidationError with one issue of ``key``."""
    raise ValidationError(key, [issue(key, **params)], **params)


class ErrorList(list):
    """Row errors of one upload: keeps the first ``limits.MAX_ERRORS_KEPT`` and counts the rest
    (``total``), so a file of a million bad rows costs no more memory than one of twenty thousand."""

    def __init__(self, *args):
        super().__init__(*args)
        self.dropped = 0

    def append(self, item) -> None:
        if len(self) < limits.MAX_ERRORS_KEPT:
            super().append(item)
        else:
            self.dropped += 1

    def extend(self, items) -> None:
        for it in items:
            self.append(it)

    @property
    def total(self) -> int:
        return len(self) + self.dropped


def first_errors(errors: list[dict], total: int | None = None) -> tuple[list[dict], int]:
    """The errors shown (the first ``MAX_ERRORS_SHOWN`` by row) and how many there are in all."""
    total = getattr(errors, "total", len(errors)) if total is None else total
    return list(errors[: limits.MAX_ERRORS_SHOWN]), total


# ---------- header recognition ----------

def norm_header(text: Any) -> str:
    """Header text normalised for matching: NFKC (full-width → half-width), no spaces, no '*',
    lower case."""
    if text is None:
        return ""
    s = unicodedata.normalize("NFKC", str(text))
    s = re.sub(r"\s+", "", s).replace("*", "").replace("＊", "").lower()
    return s


def header_aliases(kind: str) -> dict[str, str]:
    """Every accepted header spelling (normalised) -> English key."""
    out: dict[str, str] = {}
    for c in COLUMNS[kind]:
        names = {c.zh, c.key}
        base = re.sub(r"[((].*?[))]$", "", c.zh)  # 总投资(万元) → 总投资
        names.add(base)
        for n in names:
            out.setdefault(norm_header(n), c.key)
    for n, key in kinds.get(kind).aliases:  # the kind's extra spellings (upload-kind registry)
        out.setdefault(norm_header(n), key)
    return out


# ---------- decoding ----------

def decode_text(data: bytes) -> str:
    """CSV bytes → text. UTF-8 (with or without BOM) first, then GB18030 (a superset of GBK)."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8")
        except UnicodeDecodeError:
            pass
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None:
        _check_mojibake(text)
        return text
    if _mixed_utf8(data):
        _fail("in_err_mixed_encoding")
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        _fail("in_err_encoding")
    _check_mojibake(text)
    return text


# UTF-8 read as Latin-1/cp1252 (Ã¤, å¤§) or GBK text that passed through a replacement (锟斤拷).
MOJIBAKE_MARK = "锟斤拷"  # what GBK text becomes after passing through a replacement character
_MOJIBAKE_RE = re.compile(r"\ufffd|" + MOJIBAKE_MARK + r"|[\u00c0-\u00ef][\u0080-\u00bf]")
_CJK_RE = re.compile(r"[\u4e00-\u9fff]")


def _check_mojibake(text: str) -> None:
    if text.isascii():
        return
    if "\ufffd" in text or MOJIBAKE_MARK in text or _MOJIBAKE_RE.search(text, 0, 1 << 20):
        _fail("in_err_mojibake")


def _mixed_utf8(data: bytes) -> bool:
    """True when some lines are UTF-8 Chinese and others are not UTF-8 at all (a GBK header
    pasted on a UTF-8 body, or the reverse): no single decoding reads such a file."""
    utf8_cjk = other = 0
    for line in data.split(b"\n"):
        if line.isascii():
            continue
        try:
            if _CJK_RE.search(line.decode("utf-8")):
                utf8_cjk += 1
        except UnicodeDecodeError:
            other += 1
        if utf8_cjk and other:
            return True
    return False


# ---------- raw grids ----------

def _csv_grid(data: bytes) -> list[tuple[int, list[Any]]]:
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        _fail("in_err_not_table")
    text = decode_text(data)
    sample = text[:4096]
    delim = ","
    first = sample.splitlines()[0] if sample.splitlines() else ""
    if first.count("\t") > first.count(",") and first.count("\t") > 0:
        delim = "\t"
    elif first.count(";") > first.count(",") and first.count(";") > 1:
        delim = ";"
    # a physical line with thousands of separators is no table (49 MB of commas): refuse before
    # the csv module builds a row of millions of fields
    _check_line_widths(text, delim)
    # without quotes every line is a row: too many lines is too many rows, known without parsing
    eol = "\n" if "\n" in text else "\r"
    if '"' not in text and text.count(eol) > limits.MAX_ROWS + 50:
        head = text.split(eol, limits.MAX_ROWS + 100)[: limits.MAX_ROWS + 100]
        if sum(1 for ln in head if ln.strip(delim + " \r\t")) > limits.MAX_ROWS + 50:  # blank lines do not count
            _fail("in_err_too_many_rows", max=limits.MAX_ROWS)
    grid: list[tuple[int, list[Any]]] = []
    cells = 0
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
        for i, row in enumerate(reader, start=1):
            k = len(row)
            while k and not row[k - 1]:
                k -= 1
            if k == 0:
                continue
            if k > limits.MAX_COLS:
                _fail("in_err_too_many_cols", row=i, col=k, max=limits.MAX_COLS)
            if i > limits.MAX_ROWS + 50:
                _fail("in_err_too_many_rows", max=limits.MAX_ROWS)
            cells += k
            if cells > limits.MAX_CELLS:
                _fail("in_err_too_many_cells", max=limits.MAX_CELLS)
            grid.append((i, row[:k]))
    except csv.Error as exc:
        _fail("in_err_csv", detail=str(exc))
    return grid


def _check_line_widths(text: str, delim: str) -> None:
    """Refuse a physical line holding more than ``CSV_MAX_LINE_DELIMITERS`` separators. Lines are
    measured slice by slice in C (split + len); only lines longer than that limit are counted."""
    if text.count(delim) <= limits.CSV_MAX_LINE_DELIMITERS:
        return
    eol = "\n" if "\n" in text else "\r"
    step = 4 * 1024 * 1024
    start, n, line_no = 0, len(text), 1
    while start < n:
        end = text.rfind(eol, start, start + step) if start + step < n else n
        end = n if end <= start else end
        part = text[start:end]
        if max(map(len, part.split(eol))) > limits.CSV_MAX_LINE_DELIMITERS:
            for k, line in enumerate(part.split(eol)):
                if len(line) > limits.CSV_MAX_LINE_DELIMITERS and line.count(delim) > limits.CSV_MAX_LINE_DELIMITERS:
                    _fail("in_err_too_many_cols", row=line_no + k, col=line.count(delim) + 1,
                              max=limits.MAX_COLS)
        line_no += part.count(eol) + (1 if end < n else 0)
        start = end + 1


def _pick_sheet(wb, kind: str):
    names = {norm_header(TITLES[kind][0]), norm_header(TITLES[kind][1]), norm_header(kind),
             norm_header(kinds.get(kind).sheet_title)}
    for ws in wb.worksheets:
        if norm_header(ws.title) in names:
            return ws
    for ws in wb.worksheets:
        if ws.title != NOTES_SHEET and ws.sheet_state == "visible":
            return ws
    return wb.worksheets[0]


def _xlsx_grid(data: bytes, kind: str) -> tuple[list[tuple[int, list[Any]]], list[tuple[int, int, int, int]], str]:
    """Rows of the chosen sheet (values; formulas as their cached results), its merged ranges
    (min_row, min_col, max_row, max_col), and the sheet title — read streaming, within the limits
    (lib.intake.xlsxread). A formula without a cached value is an error naming the cell."""
    from openpyxl.utils import get_column_letter

    from lib.intake import xlsxread

    grid, merged, title, empty_cells = xlsxread.read_grid(data, lambda wb: _pick_sheet(wb, kind))
    if empty_cells:
        errors = [issue("in_err_formula_cell", r, get_column_letter(c), None, cell=f"{get_column_letter(c)}{r}")
                  for r, c in empty_cells[:200]]
        raise ValidationError("in_err_formulas", errors)
    return grid, merged, title


# ---------- cells ----------

def is_blank(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    if isinstance(v, str) and not v.strip():
        return True
    return False


def _row_blank(vals) -> bool:
    for v in vals:
        if v is None or v == "":
            continue
        if type(v) is str:
            if v.strip():
                return False
            continue
        if not is_blank(v):
            return False
    return True


_MARK_FIRST = tuple({w[0] for w in TOTAL_WORDS} | {EXAMPLE_MARK[0]})


def _is_total_row(vals: list[Any]) -> bool:
    seen = 0
    for v in vals:
        if is_blank(v):
            continue
        s = re.sub(r"\s+", "", str(v))
        if s.startswith(TOTAL_WORDS) or s.startswith(EXAMPLE_MARK):
            return True
        seen += 1
        if seen >= 3:
            break
    return False


def read_table(data: bytes, filename: str, kind: str) -> tuple[pd.DataFrame, list[int], dict[str, str]]:
    """Parse an uploaded file of ``kind``.

    Returns (frame, row_numbers, header_map): ``frame`` has one column per recognised English key
    (raw cell values: str from CSV; str/int/float/datetime/bool from xlsx; None for blank),
    ``row_numbers[i]`` is the Excel row of frame row i, ``header_map`` maps key → header as written.
    Unrecognised headers are listed in ``frame.attrs["unknown_columns"]``.
    Raises ValidationError for file-level problems (size, empty, unreadable, no header, missing
    required columns, duplicated columns, formulas without values)."""
    if kind not in COLUMNS:
        _fail("in_err_unknown_kind", kind=kind)
    if data is None or len(data) == 0:
        _fail("in_err_empty_file")
    if len(data) > limits.MAX_UPLOAD_BYTES:
        _fail("in_err_file_too_big", mb=f"{len(data) / 1024 / 1024:.1f}", max=limits.MAX_UPLOAD_BYTES // (1024 * 1024))
    name = (filename or "").lower()
    merged: list[tuple[int, int, int, int]] = []
    if data[:4] == b"PK\x03\x04":
        grid, merged, _ = _xlsx_grid(data, kind)
    elif data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        _fail("in_err_xls")
    elif name.endswith((".xlsx", ".xlsm")):
        _fail("in_err_not_xlsx")
    else:
        grid = _csv_grid(data)
    if not any(any(not is_blank(v) for v in vals) for _, vals in grid):
        _fail("in_err_no_content")

    aliases = header_aliases(kind)
    # header row: the first row with ≥ 2 known headers (1 for one-column kinds never happens)
    header_pos = None
    for pos, (r, vals) in enumerate(grid[:50]):
        known = sum(1 for v in vals if norm_header(v) in aliases)
        if known >= 2:
            header_pos = pos
            break
    if header_pos is None:
        required = [c for c in COLUMNS[kind] if c.required]
        _fail("in_err_no_header", title=TITLES[kind][0], title_en=TITLES[kind][1],
              expected="、".join(c.zh for c in required), expected_en=", ".join(c.key for c in required))
    header_row, header_vals = grid[header_pos]
    header_vals = list(header_vals)
    # merged header cells: the header extends to the bottom of any merge starting in the header row;
    # within it, each column takes the lowest recognised header text.
    bottom = header_row
    for (r1, _c1, r2, _c2) in merged:
        if r1 == header_row and r2 > bottom:
            bottom = r2
    data_start = header_pos + 1
    while data_start < len(grid) and grid[data_start][0] <= bottom:
        sub = grid[data_start][1]
        for i, v in enumerate(sub):
            if norm_header(v) in aliases:
                while len(header_vals) <= i:
                    header_vals.append(None)
                header_vals[i] = v
        data_start += 1

    col_index: dict[str, int] = {}
    header_map: dict[str, str] = {}
    unknown: list[str] = []
    errors: list[dict] = []
    for i, v in enumerate(header_vals):
        if is_blank(v):
            continue
        key = aliases.get(norm_header(v))
        if key is None:
            if REFERENCE_MARK not in str(v):  # the prefilled template's side columns: silently ignored
                unknown.append(str(v).strip())
            continue
        if key in col_index:
            errors.append(issue("in_err_dup_column", header_row, str(v).strip(), None, column=str(v).strip(),
                                first=header_map[key]))
            continue
        col_index[key] = i
        header_map[key] = str(v).strip()
    missing = [c for c in COLUMNS[kind] if c.required and c.key not in col_index]
    for c in missing:
        errors.append(issue("in_err_missing_column", header_row, c.zh, None, column=c.zh, name=c.key))
    if errors:
        raise ValidationError("in_err_header", errors)

    keys = list(col_index)
    records: list[list[Any]] = []
    row_numbers: list[int] = []
    idx = [col_index[k] for k in keys]
    # a prefilled monthly template: rows holding only the prefilled key columns were not filled in
    cols_of = {c.key: c for c in COLUMNS[kind]}
    filled_pos = [p for p, k in enumerate(keys) if k not in PREFILLED_KEYS.get(kind, ()) and not cols_of[k].info]
    skipped = 0
    for r, vals in grid[data_start:]:
        if _row_blank(vals):
            continue
        if any(type(v) is str and v.lstrip().startswith(_MARK_FIRST) for v in vals[:8]) and _is_total_row(vals):
            continue
        n = len(vals)
        picked = [vals[j] if j < n else None for j in idx]
        if _row_blank(picked):
            continue
        if kind in PREFILLED_KEYS and _row_blank([picked[p] for p in filled_pos]):
            skipped += 1
            continue
        records.append([v if (type(v) is str and v.strip()) else (None if is_blank(v) else v) for v in picked])
        row_numbers.append(r)
    frame = pd.DataFrame(records, columns=keys, dtype=object)
    frame.attrs["unknown_columns"] = unknown
    frame.attrs["header_row"] = header_row
    frame.attrs["skipped_unfilled"] = skipped
    return frame, row_numbers, header_map


# ---------- values ----------

_NUM_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
# thousands separators: groups of exactly three digits after the first group (1,234,567.8)
_GROUPED_RE = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")
_BLANK_WORDS = {"-", "—", "--", "——", "/", "无"}
NUMBER_CEILING = 1e12  # no figure of a campaign comes near; 1e308 and friends are typing accidents
MONEY_CEILING = 10_000_000.0  # 万元 (1,000 亿元): above any single project of a prefecture or province


def parse_number(value: Any, allow_negative: bool = True, percent: bool = False) -> float | None:
    """A number from a cell: 1234, 1,234.5, １２３４, ' 12 ', '-' or '—' = blank, '12%' only in percent
    columns (``percent``). Thousands separators must group three digits (``1,2,3`` is refused);
    ``-0`` is 0. Raises CockpitError (an i18n key) for anything else, for magnitudes above
    ``NUMBER_CEILING``, and for negatives unless ``allow_negative``."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise CockpitError("in_err_not_number", value=value)
    if isinstance(value, (int, float)):
        try:
            f = float(value)
        except OverflowError:
            raise CockpitError("in_err_too_large", value=limits.shorten(value, 40),
                               max=f"{NUMBER_CEILING:,.0f}") from None
        if math.isnan(f):
            return None
    elif isinstance(value, (dt.date, dt.datetime)):
        raise CockpitError("in_err_date_not_number", value=value)
    else:
        shown = limits.shorten(str(value).strip(), 40)
        s = unicodedata.normalize("NFKC", str(value)).strip()
        if not s:
            return None
        if s in _BLANK_WORDS:
            return None
        if "," in s and any(ch in s for ch in "\u00a0 '"):  # 1,23 4: a comma group split by a space
            raise CockpitError("in_err_thousands", value=shown)
        s = s.replace("\u00a0", "").replace(" ", "").replace("'", "")
        for unit in MONEY_UNITS:
            if s.endswith(unit):
                s = s[: -len(unit)]
        if s.endswith("%"):
            if not percent:
                raise CockpitError("in_err_percent_in_money", value=shown)
            s = s[:-1]
        if "," in s:
            if not _GROUPED_RE.match(s):
                raise CockpitError("in_err_thousands", value=shown)
            s = s.replace(",", "")
        if not _NUM_RE.match(s):
            raise CockpitError("in_err_not_number", value=shown)
        try:
            f = float(s)
        except (ValueError, OverflowError):
            raise CockpitError("in_err_not_number", value=shown) from None
    if math.isinf(f) or math.isnan(f):
        raise CockpitError("in_err_not_finite", value=value)
    if abs(f) > NUMBER_CEILING:
        raise CockpitError("in_err_too_large", value=limits.shorten(value, 40), max=f"{NUMBER_CEILING:,.0f}")
    if f == 0:
        f = 0.0  # -0 is zero, not a negative
    if not allow_negative and f < 0:
        raise CockpitError("in_err_negative", value=value)
    return f


def parse_pct(value: Any) -> float | None:
    """A percent column (growth, targets): '8.6', '8.6%' and '-3.5' all read as points."""
    return parse_number(value, percent=True)


def parse_money(value: Any) -> float | None:
    """A money column (万元): not negative, no percent sign, at most ``MONEY_CEILING``."""
    f = parse_number(value)
    if f is not None and f < 0:
        raise CockpitError("in_err_money_negative", value=_show(value))
    if f is not None and f > MONEY_CEILING:
        raise CockpitError("in_err_money_ceiling", value=_show(value), max=f"{MONEY_CEILING:,.0f}")
    return f


_TRUE = {"是", "yes", "y", "true", "1", "1.0", "√", "✓", "✔", "对", "已开工", "已入库", "t"}
_FALSE = {"否", "no", "n", "false", "0", "0.0", "×", "✗", "x", "不", "未开工", "未入库", "f"}


def parse_bool(value: Any) -> bool | None:
    """是/否, yes/no, y/n, true/false, 1/0, √/× → bool; blank → None."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        if isinstance(value, float) and math.isnan(value):
            return None
        if value == 1:
            return True
        if value == 0:
            return False
        raise CockpitError("in_err_not_bool", value=value)
    s = unicodedata.normalize("NFKC", str(value)).strip().lower()
    if not s:
        return None
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    raise CockpitError("in_err_not_bool", value=str(value).strip())


# Extra spellings accepted for enumerations besides lib.i18n.ENUMS (zh, en, key).
ENUM_SYNONYMS: dict[str, dict[str, str]] = {
    "region_kind": {"园区": "park", "开发区": "park", "县级市": "city", "州": "city"},
    "library": {"储备": "reserve", "年度建设项目": "annual", "年度": "annual", "建设": "annual"},
    "level": {"省级重点": "provincial", "市级重点": "municipal", "县级重点": "county", "州重点": "municipal"},
    "approval": {"已完成": "done", "完成": "done", "已办理": "done", "正在办理": "in_progress", "未办理": "not_started",
                 "无需办理": "not_applicable", "不需要": "not_applicable"},
    "problem_level": {"县": "county", "市": "city", "州级": "city", "省": "province"},
    "problem_status": {"已办结": "closed", "销号": "closed"},
}


def enum_map(kind: str) -> dict[str, str]:
    from lib.i18n import enum_lookup

    out = {unicodedata.normalize("NFKC", k).lower(): v for k, v in enum_lookup(kind).items()}
    for k, v in ENUM_SYNONYMS.get(kind, {}).items():
        out.setdefault(k.lower(), v)
    return out


def parse_enum(value: Any, kind: str, choices: list[str] | None = None) -> str | None:
    if is_blank(value):
        return None
    s = unicodedata.normalize("NFKC", str(value)).strip()
    key = enum_map(kind).get(s.lower())
    if key is None:
        from lib.intake.templates import DROPDOWN

        allowed = choices or DROPDOWN.get(kind, [])
        words_en = [enum_label(kind, enum_map(kind).get(unicodedata.normalize("NFKC", w).lower()), "en")
                    for w in allowed] if kind in ENUMS else list(allowed)
        raise CockpitError("in_err_not_choice", value=s, allowed="/".join(allowed),
                           allowed_en="/".join(dict.fromkeys(words_en)))
    return key


def parse_text(value: Any) -> str | None:
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    # only spaces are trimmed in front: a leading tab or CR stays (and is refused by check_cells in
    # one-line fields), so "\r=1+1" is never quietly stored as the formula "=1+1"
    return str(value).lstrip(" \u3000\u00a0").rstrip()


def check_cells(kind: str, frame: pd.DataFrame, row_numbers: list[int], header_map: dict[str, str],
                errors: list[dict]) -> None:
    """Every text cell of the upload against ``lib.intake.limits``: no NUL or other control
    character, no line break in a one-line field, at most the column's documented length. Each
    failure is a row error (row, column, the value cut short, message)."""
    cols = {c.key: c for c in COLUMNS[kind]}
    for key in frame.columns:
        c = cols.get(key)
        if c is None or c.info:
            continue
        maximum = limits.limit_for(kind, key)
        multiline = key in limits.MULTILINE or maximum is None  # numbers, dates: their parsers trim
        for i, v in enumerate(frame[key].tolist()):
            if type(v) is not str:
                continue
            if maximum is None and v.isprintable():
                continue
            try:
                limits.check_text(v, maximum, multiline=multiline)
            except CockpitError as exc:
                errors.append(issue_from(exc, row=row_numbers[i], column=header_map.get(key, c.zh),
                                         value=limits.shorten(v)))


def parse_int(value: Any) -> int | None:
    f = parse_number(value)
    if f is None:
        return None
    if not float(f).is_integer():
        raise CockpitError("in_err_not_integer", value=value)
    return int(f)


def parse_year(value: Any) -> int | None:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.year
    if isinstance(value, str):
        s = unicodedata.normalize("NFKC", value).strip()
        s = s[: -len(YEAR_SUFFIX)] if s.endswith(YEAR_SUFFIX) else s
        value = s
    try:
        y = parse_int(value)
    except CockpitError:
        raise CockpitError("in_err_not_year", value=value) from None
    if y is None:
        return None
    if not 1990 <= y <= 2100:
        raise CockpitError("in_err_year_range", value=y)
    return y


def parse_date_cell(value: Any) -> dt.date | None:
    from lib.periods import parse_date

    if isinstance(value, str):
        value = unicodedata.normalize("NFKC", value).strip()
    d = parse_date(value)
    if d is not None and not (1950 <= d.year <= 2100):
        raise CockpitError("in_err_date_range", value=value)
    return d


def parse_period_cell(value: Any) -> str | None:
    from lib.periods import parse_period

    if is_blank(value):
        return None
    if isinstance(value, str):
        value = unicodedata.normalize("NFKC", value).strip()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    p = parse_period(value)
    if not 1990 <= int(p[:4]) <= 2100:
        raise CockpitError("in_err_period_range", value=value)
    return p


def convert_column(series: pd.Series, func, row_numbers: list[int], column: str,
                   errors: list[dict]) -> list[Any]:
    """Apply ``func`` to each distinct value of ``series`` once (vectorised by uniques); failures
    become errors naming the Excel row, the column header and the value."""
    cache: dict[Any, Any] = {}
    failed: dict[Any, dict] = {}  # value → its issue (copied for each row holding it)
    out: list[Any] = []
    for i, v in enumerate(series.tolist()):
        try:
            k = (type(v), v)
            hash(k)
        except TypeError:
            k = (type(v), repr(v))
        if k in cache:
            out.append(cache[k])
            continue
        if k in failed:
            errors.append({**failed[k], "row": row_numbers[i], "value": _show(v)})
            out.append(None)
            continue
        try:
            res = func(v)
        except CockpitError as exc:
            item = issue_from(exc, row=row_numbers[i], column=column, value=_show(v))
        except Exception as exc:  # any other failure to read one cell is that cell's error, not a crash
            item = issue("in_err_unreadable", row_numbers[i], column, _show(v), error=exc.__class__.__name__)
        else:
            cache[k] = res
            out.append(res)
            continue
        failed[k] = item
        errors.append(item)
        out.append(None)
    return out


def _show(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)
