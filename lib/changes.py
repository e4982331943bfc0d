"""A change as people read it (issue 14): this month against the last, a rank's move. Zero is the word
持平 / "no change" — never an arrow, a sign or a colour alone; a rise and a fall keep their sign or arrow.
The one helper for every change the pages and the outputs show."""
from __future__ import annotations

import math

from lib.i18n import t


def number(value) -> float | None:
    """A float, or None for a missing value (None, NaN, pandas' NA, anything that is no number)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def fmt_change(value, lang: str = "zh", fmt=None, arrow: bool = False) -> str:
    """A change (against last month, a rank's move): "—" when unknown; 持平 / "no change" when it is zero
    as shown — ``fmt`` of it reads as ``fmt(0)`` — never an arrow or a sign; otherwise the sign and
    ``fmt`` of its size ("+3", "−1,234万元", "+1.5个百分点"), or with ``arrow`` ↑/↓ and the size (a
    rank's move: "↑2", "↓1"). ``fmt`` formats a size (a non-negative number); default: a whole number."""
    value = number(value)
    if value is None:
        return "—"
    fmt = fmt or (lambda m: f"{m:,.0f}")
    size = fmt(abs(value))
    if value == 0 or size == fmt(0.0):
        return t("chg_zero", lang)
    if arrow:
        return ("↑" if value > 0 else "↓") + size
    return ("+" if value > 0 else "−") + size


def change_sign(value, fmt=None) -> int | None:
    """-1, 0 or 1 for a change as fmt_change shows it (0 when it shows 持平); None when unknown."""
    value = number(value)
    if value is None:
        return None
    fmt = fmt or (lambda m: f"{m:,.0f}")
    if value == 0 or fmt(abs(value)) == fmt(0.0):
        return 0
    return 1 if value > 0 else -1
