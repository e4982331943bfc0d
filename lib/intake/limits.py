"""Every limit an uploaded file meets, in one place (DESIGN.md "Upload templates": limits).

An upload is hostile until proven otherwise: its size, its rows, its columns, its cells, its
compressed parts (an .xlsx is a zip: a 600 KB file can unpack to gigabytes), and the length and the
characters of every text cell are bounded here and checked by ``lib.intake.parsing`` before any
work that grows with them. ``TEXT_LIMITS`` derives each text column's maximum from the store's
``String(n)`` lengths (lib/store/models.py), so the preview refuses what PostgreSQL would refuse at
confirm and SQLite would silently keep.
"""
from __future__ import annotations

import re
from typing import Any

from lib.errors import CockpitError

MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # the upload limit (the page and the command line)
MAX_ROWS = 100_000  # data rows of one sheet / CSV
MAX_COLS = 200  # columns holding anything; the widest template has 30
MAX_CELLS = 2_000_000  # cells in total (100,000 monthly rows of 14 columns; 66,000 project rows)
MAX_ERRORS_SHOWN = 200  # errors listed to the user (the total is counted and said)
MAX_ERRORS_KEPT = 20_000  # errors collected before only counting the rest
# .xlsx: the zip and its parts. A real 100,000-row report unpacks to ~100 MB of sheet XML.
XLSX_MAX_MEMBERS = 500
XLSX_MAX_SHEET_BYTES = 160 * 1024 * 1024  # one worksheet's XML, unpacked
XLSX_MAX_PART_BYTES = 64 * 1024 * 1024  # any other part (shared strings, styles, …), unpacked
XLSX_MAX_TOTAL_BYTES = 320 * 1024 * 1024  # all parts together, unpacked
XLSX_MAX_MERGES = 5_000
XLSX_MAX_ROW_CELLS = 1_000  # cells per row on average (styled blanks included): beyond, no table
XLSX_MAX_SHARED_STRINGS = 1_000_000  # openpyxl loads them all before the first row
CSV_MAX_LINE_DELIMITERS = 10_000  # a physical line with more separators is not a table
GEOJSON_MAX_BYTES = 50 * 1024 * 1024

# Text fields with no String(n) in the store (Text columns): a documented maximum all the same.
TEXT_MAX_FREE = 2000


def _kind_models() -> dict[str, Any]:
    """{kind: the model of the first table it writes} (lib.intake.kinds registry)."""
    from lib.intake import kinds
    from lib.store.models import Base

    by_table = {m.class_.__tablename__: m.class_ for m in Base.registry.mappers}
    return {name: by_table[k.tables[0]] for name, k in kinds.REGISTRY.items()}


def _length(model, field: str) -> int | None:
    col = model.__table__.columns.get(field)
    if col is None:
        return None
    n = getattr(col.type, "length", None)
    return n or TEXT_MAX_FREE


def text_limits() -> dict[str, dict[str, int]]:
    """{kind: {template column key: maximum characters}} for every text-like template column,
    from the String(n) length of the store column it lands in (Text columns: TEXT_MAX_FREE).
    A project code is Project.code's length everywhere, a region (name or code) Region.name's."""
    from lib.intake.templates import COLUMNS
    from lib.store.models import Project, Region

    models = _kind_models()
    out: dict[str, dict[str, int]] = {}
    for kind, cols in COLUMNS.items():
        lim: dict[str, int] = {}
        for c in cols:
            if c.type not in ("text", "code", "project", "region", "tags"):
                continue
            if c.type == "project":
                n = _length(Project, "code")
            elif c.type == "region":
                n = _length(Region, "name")
            else:
                n = _length(models[kind], c.key)
                if n is None and c.info:
                    n = _length(Project, c.key)  # the monthly template's 项目名称 (for reading only)
            lim[c.key] = n or TEXT_MAX_FREE
        out[kind] = lim
    return out


TEXT_LIMITS: dict[str, dict[str, int]] = {}


def limit_for(kind: str, key: str) -> int | None:
    if not TEXT_LIMITS:
        TEXT_LIMITS.update(text_limits())
    return TEXT_LIMITS.get(kind, {}).get(key)


# Template columns where a line break belongs (long free text); every other text is one line.
MULTILINE = {"progress_text", "variance_note", "description", "measures"}


# ---------- characters ----------

# C0 controls but tab/newline/CR, DEL and the C1 block; NUL is one of them.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Also refused in one-line fields: tab, newline, CR and the Unicode line/paragraph separators.
_LINE_BREAK_RE = re.compile(r"[\t\n\r\u2028\u2029]")
# Formats that reorder or hide text (bidi overrides, zero-width joiners are kept: CJK needs none).
_BIDI_RE = re.compile(r"[\u202a-\u202e\u2066-\u2069]")


def check_text(value: Any, maximum: int | None, multiline: bool = False) -> None:
    """Raise CockpitError (an i18n key) when ``value`` holds a NUL or another control character,
    a line break in a one-line field, a bidi override, or more than ``maximum`` characters."""
    if not isinstance(value, str):
        return
    if "\x00" in value:
        raise CockpitError("in_err_nul")
    m = _CONTROL_RE.search(value)
    if m:
        raise CockpitError("in_err_control", code=f"U+{ord(m.group()):04X}", pos=m.start() + 1)
    if _BIDI_RE.search(value):
        raise CockpitError("in_err_bidi")
    if not multiline:
        m = _LINE_BREAK_RE.search(value.rstrip())  # a leading tab/CR too: "\r=1+1" is not "=1+1"
        if m:
            raise CockpitError("in_err_linebreak", pos=m.start() + 1)
    if maximum is not None and len(value) > maximum:
        raise CockpitError("in_err_too_long", n=len(value), max=maximum)


def filename_max() -> int:
    """The longest upload file name the store keeps: UploadBatch.filename and the audit row's
    entity_key (which holds it), whichever is shorter."""
    from lib.store.models import AuditLog, UploadBatch

    return min(UploadBatch.__table__.c.filename.type.length, AuditLog.__table__.c.entity_key.type.length)


def clean_filename(name: str | None) -> str:
    """An uploaded file's name as stored: control characters removed, cut to ``filename_max()``
    (a long name is cut, not refused: the file itself is what counts)."""
    s = _CONTROL_RE.sub("", name or "").strip()
    n = filename_max()
    if len(s) <= n:
        return s
    stem, dot, ext = s.rpartition(".")
    if dot and 0 < len(ext) <= 8:
        return stem[: n - len(ext) - 2] + "…." + ext
    return s[: n - 1] + "…"


def shorten(value: Any, n: int = 60, lang: str = "zh") -> str:
    """A cell value cut short for an error row (the user sees where, not the whole 2 MB); the cut
    says how long the text was (i18n ``in_value_cut``)."""
    from lib.i18n import t

    s = "" if value is None else str(value)
    s = _CONTROL_RE.sub("\ufffd", s)
    return s if len(s) <= n else s[:n] + t("in_value_cut", lang, n=len(s))


_CUT_RE: list[re.Pattern] = []


def localise(value: Any, lang: str) -> Any:
    """A value shown in an issue, in ``lang``: the Chinese length note of a text ``shorten`` cut
    short becomes that language's; anything else is returned as it is."""
    if lang == "zh" or not isinstance(value, str) or "…" not in value:
        return value
    if not _CUT_RE:
        from lib.i18n import TEXT

        _CUT_RE.append(re.compile(re.escape(TEXT["in_value_cut"][0]).replace(re.escape("{n}"), r"(\d+)") + "$"))
    m = _CUT_RE[0].search(value)
    if m is None:
        return value
    from lib.i18n import t

    return value[: m.start()] + t("in_value_cut", lang, n=int(m.group(1)))


def strip_control(value: Any) -> Any:
    """Output side: a text without control characters (XML writers refuse them); others as is."""
    if isinstance(value, str):
        return _CONTROL_RE.sub("", value)
    return value
