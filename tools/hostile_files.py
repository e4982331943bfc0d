"""Hostile upload files (issue 12, items 11–13), built on demand for bench/bench_hostile.py and the
intake tests: xlsx bombs and sparse sheets, CSV floods, oversized and malformed GeoJSON.

Every builder returns bytes (or writes a file for the big ones) and is deterministic.
"""
from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

MONTHLY_HEADER = ["项目代码", "报告期", "本年累计完成投资(万元)"]

_CT = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
       '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
       '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
       '<Default Extension="xml" ContentType="application/xml"/>'
       '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
       '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
       '{extra}</Types>')
_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
         '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
         '</Relationships>')
_WB = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
       '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
       'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
       '<sheets><sheet name="月报" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WB_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            '{extra}</Relationships>')
_SST_CT = '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
_SST_REL = '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'


def _inline(text: str) -> str:
    return f'<c t="inlineStr"><is><t>{text}</t></is></c>'


def _header_row() -> str:
    return "<row r=\"1\">" + "".join(_inline(h) for h in MONTHLY_HEADER) + "</row>"


def _xlsx(rows_writer, shared_strings: tuple[str, int] | None = None, dimension: str = "A1") -> bytes:
    """A minimal .xlsx whose sheet body is streamed by ``rows_writer(write)``."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", _CT.format(extra=_SST_CT if shared_strings else ""))
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("xl/workbook.xml", _WB)
        zf.writestr("xl/_rels/workbook.xml.rels", _WB_RELS.format(extra=_SST_REL if shared_strings else ""))
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write(('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                      '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                      f'<dimension ref="{dimension}"/><sheetData>').encode())
            fh.write(_header_row().encode())
            rows_writer(fh.write)
            fh.write(b"</sheetData></worksheet>")
        if shared_strings:
            text, n = shared_strings
            with zf.open("xl/sharedStrings.xml", "w", force_zip64=True) as fh:
                fh.write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{n}" uniqueCount="{n}">'.encode())
                item = f"<si><t>{text}</t></si>".encode()
                block = item * 10_000
                for _ in range(n // 10_000):
                    fh.write(block)
                fh.write(b"</sst>")
    return buf.getvalue()


def xlsx_sparse() -> bytes:
    """A few KB: a header in row 1 and one number at XFD1048576 (the declared dimension says so)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "月报"
    ws.append(MONTHLY_HEADER)
    ws["XFD1048576"] = 1
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def xlsx_bomb_tall(rows: int = 1_000_000, cols: int = 10) -> bytes:
    """``rows`` × ``cols`` cells without cell references (10M cells, ~170 MB of XML, a few hundred KB)."""
    row = ("<row>" + "<c><v>1</v></c>" * cols + "</row>").encode()

    def body(write):
        block = row * 1000
        for _ in range(rows // 1000):
            write(block)
        write(row * (rows % 1000))
    return _xlsx(body)


def xlsx_bomb_wide(rows: int = 1000, cols: int = 10_000) -> bytes:
    """1,000 rows of 10,000 cells (10M cells): columns far beyond any template."""
    return xlsx_bomb_tall(rows, cols)


def xlsx_rows_over_cap(rows: int = 150_000, cols: int = 3) -> bytes:
    """More rows than the row cap but small enough to pass the unpacked-size check."""
    return xlsx_bomb_tall(rows, cols)


def xlsx_cells_over_cap(rows: int = 99_000, cols: int = 40) -> bytes:
    """Under the row and column caps, over the total-cell cap (3.96M cells)."""
    return xlsx_bomb_tall(rows, cols)


def xlsx_shared_strings_bomb(n: int = 5_000_000) -> bytes:
    """A tiny sheet and a sharedStrings part of ``n`` strings (openpyxl loads them all up front)."""
    return _xlsx(lambda write: None, shared_strings=("x" * 8, n))


def xlsx_billion_laughs() -> bytes:
    """An entity-expansion bomb in the sheet XML (defusedxml refuses it)."""
    lol = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
           + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
           + ']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
           '<row r="1"><c t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _CT.format(extra=""))
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("xl/workbook.xml", _WB)
        zf.writestr("xl/_rels/workbook.xml.rels", _WB_RELS.format(extra=""))
        zf.writestr("xl/worksheets/sheet1.xml", lol)
    return buf.getvalue()


def csv_commas(size: int = 49 * 1024 * 1024) -> bytes:
    """One line of commas just under the upload limit."""
    return b"," * size


def csv_many_rows(rows: int = 1_000_000) -> bytes:
    """A header and ``rows`` rows of a bad value (one error per row before the caps)."""
    head = ",".join(MONTHLY_HEADER).encode("utf-8") + b"\n"
    return head + b"X,2022-13,abc\n" * rows


def geojson_big(path: Path, mb: int = 75) -> Path:
    """A syntactically valid FeatureCollection of about ``mb`` MB."""
    ring = [[100.0 + i * 1e-6, 25.0] for i in range(2000)] + [[100.0, 25.0]]
    feat = json.dumps({"type": "Feature", "properties": {"code": "x"},
                       "geometry": {"type": "Polygon", "coordinates": [ring]}})
    n = mb * 1024 * 1024 // len(feat) + 1
    with open(path, "w", encoding="utf-8") as fh:
        fh.write('{"type": "FeatureCollection", "features": [')
        fh.write(",".join([feat] * n))
        fh.write("]}")
    return path


def geojson_malformed(code: str = "532901") -> dict[str, str]:
    """Five malformed shapes (JSON text each) naming a region ``code`` that exists."""
    sq = [[100, 25], [101, 25], [101, 26], [100, 25]]

    def fc(props, geom) -> str:
        return json.dumps({"type": "FeatureCollection",
                           "features": [{"type": "Feature", "properties": props, "geometry": geom}]})

    deep = "[" * 100_000 + "]" * 100_000
    return {
        "deep_nesting": ('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"code": "'
                         + code + '"}, "geometry": {"type": "Polygon", "coordinates": ' + deep + "}}]}"),
        "list_properties": fc([code, "大理市"], {"type": "Polygon", "coordinates": [sq]}),
        "dict_points": fc({"code": code}, {"type": "Polygon",
                                           "coordinates": [[{"x": p[0], "y": p[1]} for p in sq]]}),
        "one_point_ring": fc({"code": code}, {"type": "Polygon", "coordinates": [[[100, 25]]]}),
        "empty_ring": fc({"code": code}, {"type": "MultiPolygon", "coordinates": [[[]]]}),
    }
