"""Tables a person opens in Excel/WPS: the .xlsx export of a list as shown, and the CSV downloads.

Text cells that start with ``= + - @`` (or a tab / carriage return, which some spreadsheet programs
strip before parsing) are made inert by OWASP's leading apostrophe, so a project name or an uploaded
file name cannot become a formula (CSV/formula injection). Numbers stay numbers, and a text that is
just a number (``-3.5``, ``-12%``) is a number, not a formula, so it is left alone. Control characters
(which XML writers refuse and which hide text) are stripped from every text on the way out
(``strip_control``; the docx/pptx writers use it too).
"""
from __future__ import annotations

import csv
import io
import math
import re
from typing import Any, Iterable, Sequence

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?%?$")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def strip_control(value):
    """A text without control characters (tab, newline and CR stay); anything else as is."""
    if isinstance(value, str) and _CONTROL_RE.search(value):
        return _CONTROL_RE.sub("", value)
    return value


def neutralise(value):
    """A text that would start a formula gets a leading apostrophe; a text that is a plain number
    (``-3.5``) and anything else are returned as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def safe_text(value):
    """Output form of one cell: control characters stripped, formulas neutralised."""
    return neutralise(strip_control(value))


def csv_bytes(df: pd.DataFrame, encoding: str = "utf-8-sig") -> bytes:
    """A table as CSV for download (UTF-8 with BOM so Excel/WPS open it), every text cell and
    column name made safe."""
    return safe_frame(df).to_csv(index=False).encode(encoding)


def write_csv(out, columns: Sequence[str], rows: Iterable[Sequence[Any]], lineterminator: str = "\n") -> None:
    """CSV rows to a text stream with every text cell made safe (the command line's CSV output)."""
    w = csv.writer(out, lineterminator=lineterminator)
    w.writerow([safe_text(c) for c in columns])
    for r in rows:
        w.writerow([safe_text(v) for v in r])


def _cell(value):
    if isinstance(value, (list, tuple, set)):
        value = ";".join(str(v) for v in value)
    elif isinstance(value, dict):
        value = ";".join(f"{k}:{v}" for k, v in value.items())
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NaT:
        return None
    return safe_text(value)


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells (and column names) are neutralised."""
    out = df.copy()
    out.columns = [safe_text(str(c)) for c in out.columns]
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(_cell).astype(object)
    return out


def to_excel_bytes(df: pd.DataFrame, sheet_name: str = "Sheet1") -> bytes:
    """The table as an .xlsx file (bytes), text cells neutralised, header bold, columns sized.

    Written with XlsxWriter with ``strings_to_formulas`` off, so no text is ever stored as a formula."""
    safe = safe_frame(df)
    sheet = (sheet_name or "Sheet1")[:31]
    for ch in "[]:*?/\\":
        sheet = sheet.replace(ch, "_")
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="xlsxwriter",
                        engine_kwargs={"options": {"strings_to_formulas": False,
                                                   "strings_to_urls": False}}) as writer:
        safe.to_excel(writer, sheet_name=sheet, index=False)
        ws = writer.sheets[sheet]
        ws.freeze_panes(1, 0)
        for i, col in enumerate(safe.columns):
            sample = [len(str(col))] + [len(str(v)) for v in safe[col].head(200) if v is not None]
            ws.set_column(i, i, min(max(sample) * 1.6 + 2, 60))
    return buf.getvalue()


__all__ = ["neutralise", "strip_control", "safe_text", "safe_frame", "csv_bytes", "write_csv", "to_excel_bytes",
           "FORMULA_PREFIXES"]
