"""Reading an uploaded .xlsx without trusting it.

An .xlsx is a zip of XML parts; its declared dimension (``<dimension ref="A1:XFD1048576">``) and
the sizes in its zip directory are the sender's word. So, before openpyxl sees the file:

1. ``prescan`` opens the zip and unpacks every part as a stream, counting the bytes it really
   gets, the sheets' rows and cells and the shared strings (plain byte counts of the tags, no XML
   parsing), and refuses the file when any exceeds ``lib.intake.limits`` (a zip bomb stops after
   at most that many bytes, in about a second, before openpyxl parses a single cell). On the way it collects the
   sheets' merged ranges (``<mergeCell ref=…>``, which openpyxl's read-only mode does not give) and
   notes which sheets hold formulas.
2. ``read_grid`` reads the chosen sheet with openpyxl in read-only (streaming) mode after
   ``reset_dimensions()`` (the declared size is ignored), and stops with a clear message at the
   first row past ``MAX_ROWS``, the first cell past ``MAX_COLS`` that holds anything, or
   ``MAX_CELLS`` cells in total. Rows are trimmed of trailing empty cells.

openpyxl parses XML with defusedxml when it is installed (requirements.txt pins it), which refuses
entity expansion ("billion laughs") and external entities.
"""
from __future__ import annotations

import io
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from typing import Any

from lib.errors import ValidationError
from lib.intake import limits

_MERGE_RE = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*?\bref=\"([A-Za-z]{1,3}\d{1,7})(?::([A-Za-z]{1,3}\d{1,7}))?\"")
_ROOT_RE = re.compile(rb"<(\w+:)?(?:worksheet|sst)[\s>]")
_CHUNK = 1 << 20


def _fail(key: str, **params):
    from lib.intake.parsing import issue

    raise ValidationError(key, [issue(key, None, None, "", **params)], **params)


@dataclass
class Scan:
    merges: dict[str, list[tuple[int, int, int, int]]] = field(default_factory=dict)  # part → ranges
    formulas: set[str] = field(default_factory=set)  # parts with at least one <f>


def _cell_rc(ref: bytes) -> tuple[int, int]:
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    col, row = coordinate_from_string(ref.decode("ascii").upper())
    return row, column_index_from_string(col)


def prescan(data: bytes) -> Scan:
    """Unpack every part as a stream within the limits; merged ranges and formula flags per sheet."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        _fail("in_err_xlsx_broken")
    if len(infos) > limits.XLSX_MAX_MEMBERS:
        _fail("in_err_xlsx_parts", n=len(infos), max=limits.XLSX_MAX_MEMBERS)
    scan = Scan()
    total = 0
    mb = 1024 * 1024
    for info in infos:
        name = info.filename
        is_sheet = name.startswith("xl/worksheets/") and name.endswith(".xml")
        cap = limits.XLSX_MAX_SHEET_BYTES if is_sheet else limits.XLSX_MAX_PART_BYTES
        # the declared size first (cheap), then what the stream really gives
        if info.file_size > cap:
            _fail("in_err_xlsx_too_big", mb=info.file_size // mb, max=cap // mb)
        if total + info.file_size > limits.XLSX_MAX_TOTAL_BYTES:
            _fail("in_err_xlsx_too_big", mb=(total + info.file_size) // mb, max=limits.XLSX_MAX_TOTAL_BYTES // mb)
        is_sst = name == "xl/sharedStrings.xml"
        size = 0
        tail = ctail = b""
        prefix = None
        tokens: list[bytes] = []
        cell_tokens: list[bytes] = []
        f_tokens: list[bytes] = [b"<f>", b"<f ", b"<f/>"]
        n_rows = n_cells = 0
        merges: list[tuple[int, int, int, int]] = []
        try:
            with zf.open(info) as fh:
                while True:
                    chunk = fh.read(_CHUNK)
                    if not chunk:
                        break
                    size += len(chunk)
                    total += len(chunk)
                    if size > cap:
                        _fail("in_err_xlsx_too_big", mb=size // mb, max=cap // mb)
                    if total > limits.XLSX_MAX_TOTAL_BYTES:
                        _fail("in_err_xlsx_too_big", mb=total // mb, max=limits.XLSX_MAX_TOTAL_BYTES // mb)
                    if is_sheet or is_sst:
                        if prefix is None:  # the root element's namespace prefix (<x:worksheet …>)
                            m = _ROOT_RE.search(chunk[:4096])
                            prefix = (m.group(1) or b"") if m else b""
                            tokens = ([b"<" + prefix + b"row ", b"<" + prefix + b"row>"] if is_sheet
                                      else [b"<" + prefix + b"si>", b"<" + prefix + b"si "])
                            cell_tokens = [b"<" + prefix + b"c ", b"<" + prefix + b"c>", b"<" + prefix + b"c/>"]
                            f_tokens = [b"<" + prefix + b"f>", b"<" + prefix + b"f ", b"<" + prefix + b"f/>"]
                        cbuf = ctail + chunk
                        n_rows += sum(cbuf.count(tk) - ctail.count(tk) for tk in tokens)
                        if is_sheet:
                            n_cells += sum(cbuf.count(tk) - ctail.count(tk) for tk in cell_tokens)
                        ctail = cbuf[-8:]
                        if is_sheet and n_rows > limits.MAX_ROWS + 50:
                            _fail("in_err_too_many_rows", max=limits.MAX_ROWS)
                        if is_sheet and n_cells > (n_rows + 1) * limits.XLSX_MAX_ROW_CELLS:
                            _fail("in_err_xlsx_wide", max=limits.XLSX_MAX_ROW_CELLS)
                        if is_sheet and n_cells > limits.MAX_CELLS:
                            _fail("in_err_too_many_cells", max=limits.MAX_CELLS)
                        if is_sst and n_rows > limits.XLSX_MAX_SHARED_STRINGS:
                            _fail("in_err_too_many_cells", max=limits.XLSX_MAX_SHARED_STRINGS)
                    if is_sheet:
                        buf = tail + chunk
                        if name not in scan.formulas and (f_tokens[0] in buf or f_tokens[1] in buf
                                                          or f_tokens[2] in buf):
                            scan.formulas.add(name)
                        if b"mergeCell" in buf:
                            for m in _MERGE_RE.finditer(buf):
                                if m.start() >= len(buf) - 200:  # in the tail: read (whole) with the next chunk
                                    continue
                                r1, c1 = _cell_rc(m.group(1))
                                r2, c2 = _cell_rc(m.group(2)) if m.group(2) else (r1, c1)
                                merges.append((min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)))
                                if len(merges) > limits.XLSX_MAX_MERGES:
                                    _fail("in_err_xlsx_merges", max=limits.XLSX_MAX_MERGES)
                        tail = buf[-200:]
                if is_sheet and tail:
                    for m in _MERGE_RE.finditer(tail):
                        if m.start() >= len(tail) - 200:
                            r1, c1 = _cell_rc(m.group(1))
                            r2, c2 = _cell_rc(m.group(2)) if m.group(2) else (r1, c1)
                            merges.append((min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)))
        except ValidationError:
            raise
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError):
            _fail("in_err_xlsx_broken")
        if is_sheet:
            scan.merges[name] = sorted(set(merges))
    return scan


def _sheet_part(ws) -> str:
    path = getattr(ws, "_worksheet_path", "") or ""
    return path.lstrip("/")


def _rows(ws) -> list[tuple[int, list[Any]]]:
    """The sheet's rows (Excel row numbers), trimmed of trailing blanks, within the limits."""
    ws.reset_dimensions()  # the declared dimension is ignored: only cells that exist are read
    out: list[tuple[int, list[Any]]] = []
    cells = 0
    for r_idx, row in enumerate(ws.iter_rows(values_only=True), start=1):
        n = len(row)
        while n and (row[n - 1] is None or row[n - 1] == ""):
            n -= 1
        if n == 0:  # blank (or only formatted) rows are not kept: the parser skips them anyway
            continue
        if n > limits.MAX_COLS:
            from openpyxl.utils import get_column_letter

            _fail("in_err_too_many_cols", row=r_idx, col=get_column_letter(n), max=limits.MAX_COLS)
        if r_idx > limits.MAX_ROWS + 50:
            _fail("in_err_too_many_rows", max=limits.MAX_ROWS)
        cells += n
        if cells > limits.MAX_CELLS:
            _fail("in_err_too_many_cells", max=limits.MAX_CELLS)
        out.append((r_idx, list(row[:n])))
    return out


def load(data: bytes, *, data_only: bool):
    from openpyxl import load_workbook

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)


def read_grid(data: bytes, pick_sheet) -> tuple[list[tuple[int, list[Any]]], list[tuple[int, int, int, int]], str, list[tuple[int, int]]]:
    """(rows, merged ranges, sheet title, formula cells without a cached value) of the sheet
    ``pick_sheet(workbook)`` chooses. Raises ValidationError for a file beyond the limits or broken."""
    scan = prescan(data)
    try:
        wb = load(data, data_only=True)
    except ValidationError:
        raise
    except Exception:  # openpyxl raises many kinds on a damaged file
        _fail("in_err_xlsx_broken")
    try:
        ws = pick_sheet(wb)
        title = ws.title
        part = _sheet_part(ws)
        try:
            grid = _rows(ws)
        except ValidationError:
            raise
        except Exception:
            _fail("in_err_xlsx_broken")
    finally:
        wb.close()
    merged = scan.merges.get(part, [])
    empty: list[tuple[int, int]] = []
    if part in scan.formulas:
        try:
            wbf = load(data, data_only=False)
            wsf = wbf[title]
            by_row = dict(grid)
            for r_idx, vals in _rows(wsf):
                cached = by_row.get(r_idx, [])
                for c_idx, v in enumerate(vals, start=1):
                    if isinstance(v, str) and v.startswith("=") and (c_idx > len(cached) or cached[c_idx - 1] is None):
                        empty.append((r_idx, c_idx))
                        if len(empty) >= limits.MAX_ERRORS_SHOWN:
                            break
                if len(empty) >= limits.MAX_ERRORS_SHOWN:
                    break
            wbf.close()
        except ValidationError:
            raise
        except Exception:
            pass
    return grid, merged, title, empty
