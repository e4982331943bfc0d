"""Excel export of a table as shown (the current view of a list), safe to open in Excel/WPS.

Text cells that start with ``= + - @`` (or a tab / carriage return, which some spreadsheet programs
strip before parsing) are made inert by a leading apostrophe, so a project name cannot become a
formula (CSV/formula injection). Numbers stay numbers.
"""
from __future__ import annotations

import io
import math

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A text that would start a formula gets a leading apostrophe; anything else is returned as is."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _cell(value):
    if isinstance(value, (list, tuple, set)):
        value = ";".join(str(v) for v in value)
    elif isinstance(value, dict):
        value = ";".join(f"{k}:{v}" for k, v in value.items())
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NaT:
        return None
    return neutralise(value)


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells (and column names) are neutralised."""
    out = df.copy()
    out.columns = [neutralise(str(c)) for c in out.columns]
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


__all__ = ["neutralise", "safe_frame", "to_excel_bytes", "FORMULA_PREFIXES"]
