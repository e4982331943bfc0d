"""The light-dimension registry: one entry per dimension of a project's traffic light.

Every surface that lists dimensions reads ``DIMENSIONS`` (in display order, the order of the lights
CSV columns): the light rules (``lib.rules.lights`` calls each entry's ``evaluate`` and ``reason``),
the cockpit lists and filters (``lib.rules.overview``), problem drafts from a red light
(``lib.problems.workflow``: ``draft_rank`` and ``category``), the settings schema (``settings``: the
threshold keys each dimension reads), the CLI's ``lights`` columns and the i18n checks (the
``dimension`` enumeration and ``reason_key``).

A seventh dimension is one ``Dimension`` entry here, its evaluator and reason functions (in this
module), its threshold settings in ``lib.rules.settings.SCHEMA`` and its texts in lib/i18n.

``LIGHT_ORDER`` (worst first: red, yellow, green, gray) is the one order lights are listed in;
``SEVERITY`` maps a light to its code (gray −1, green 0, yellow 1, red 2).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from lib.i18n import t
from lib.store.models import LIGHTS

if TYPE_CHECKING:  # numpy and pandas are imported where used: the CLI reads KEYS without them
    import numpy as np
    import pandas as pd

LIGHT_ORDER: tuple[str, ...] = tuple(LIGHTS)  # worst first, as every list and legend shows them
SEVERITY = {"gray": -1, "green": 0, "yellow": 1, "red": 2}
BY_SEVERITY = tuple(sorted(SEVERITY, key=SEVERITY.get))  # gray, green, yellow, red


def light_select(conds: list, choices: list[str], default: str, n: int) -> np.ndarray:
    """np.select over light names, returned as severity codes (−1 gray, 0 green, 1 yellow, 2 red)."""
    import numpy as np

    return np.select([np.asarray(c, dtype=bool) for c in conds], [SEVERITY[c] for c in choices],
                     default=SEVERITY[default]).astype(np.int8) if n else np.zeros(0, dtype=np.int8)


def names(codes: np.ndarray) -> np.ndarray:
    """Severity codes → light names."""
    import numpy as np

    return np.array(BY_SEVERITY, dtype=object)[np.asarray(codes, dtype=int) + 1]


@dataclass
class Context:
    """What the evaluators share for one period and as-of (built once by lights.evaluate).
    Arrays are aligned on ``idx`` (project ids)."""

    idx: pd.Index
    n: int
    year: int
    m: int
    P: int  # Y×12+m
    as_of: dt.date
    annual: np.ndarray
    is_new: np.ndarray
    started: np.ndarray
    start_idx: np.ndarray
    planned_idx: np.ndarray
    has_report: np.ndarray
    latest_pidx: np.ndarray
    ytd: np.ndarray
    in_stats: np.ndarray
    paid: np.ndarray
    alloc: np.ndarray
    plan: np.ndarray  # annual plan
    expected: np.ndarray  # the shared expected-progress rule (lib.rules.shared)
    expected_source: np.ndarray
    s0: np.ndarray
    problems: pd.DataFrame
    approvals: pd.DataFrame = None  # 前期手续 (lib.rules.pipeline)
    stalled: pd.DataFrame = None  # 开工即停工 projects


@dataclass(frozen=True)
class Dimension:
    key: str
    settings: tuple[str, ...]  # the threshold settings it reads (lib.rules.settings.SCHEMA keys)
    reason_key: str  # lib/i18n text of its reason (parameters filled by ``reason``)
    category: str  # the problem category a draft from this dimension's red/yellow light gets
    draft_rank: int  # which dimension a draft names first when several are red (lower first)
    evaluate: Callable[[Context, dict], tuple[np.ndarray, dict[str, Any]]]
    reason: Callable[[pd.DataFrame, np.ndarray, str], list[str]]

    @property
    def label_kind(self) -> tuple[str, str]:
        """Its name in lib/i18n: enum_label('dimension', key)."""
        return ("dimension", self.key)


# --- helpers for the reason texts -------------------------------------------------------------------

def f1(values: np.ndarray) -> list[str]:
    """Numbers as one-decimal texts (rounded to 2 decimals first, so 41.45 from 0.4145 shows 41.5
    rather than a binary 41.4499…)."""
    import numpy as np

    return [f"{x:.1f}" for x in np.round(np.asarray(values, dtype=float), 2).tolist()]


def ints(values: np.ndarray) -> list[int]:
    import numpy as np

    return np.asarray(values, dtype=float).astype(int).tolist()


def period_texts(idx: np.ndarray, keep: np.ndarray | None = None) -> list:
    """Month indexes → ``YYYY-MM`` texts (None for NaN or where ``keep`` is False)."""
    import numpy as np

    from lib import periods

    arr = np.asarray(idx, dtype=float)
    if keep is not None:
        arr = np.where(keep, arr, np.nan)
    mapping = {v: periods.from_index(int(v)) for v in np.unique(arr[~np.isnan(arr)])}
    return [None if v != v else mapping[v] for v in arr.tolist()]


# --- the evaluators (DESIGN.md "Traffic lights") ---------------------------------------------------

def _start(c: Context, st: dict):
    import numpy as np

    start_applies = c.annual & c.is_new & ~np.isnan(c.planned_idx)
    late = c.P - c.planned_idx + 1
    with np.errstate(invalid="ignore"):
        codes = light_select(
            [~start_applies, c.started, late <= 0, late >= st["start_red_late"],
             late >= st["start_yellow_late"]],
            ["gray", "green", "gray", "red", "yellow"], "green", c.n)
        start_due = start_applies & (c.planned_idx <= c.P)
    return codes, {"late": late, "start_due": start_due}


def _start_reason(b, pos, lang):
    from lib import periods

    planned = [periods.fmt_period(p, lang) for p in period_texts(b["planned_idx"].to_numpy()[pos])]
    tpl = t("rs_start", lang)
    return [tpl.format(planned=p, late=k) for p, k in zip(planned, ints(b["late"].to_numpy()[pos]))]


def _progress(c: Context, st: dict):
    import numpy as np

    plan, ytd, expected = c.plan, c.ytd, c.expected
    with np.errstate(invalid="ignore", divide="ignore"):
        plan_ok = plan > 0
        actual = np.where(plan_ok, np.round(ytd / np.where(plan_ok, plan, 1.0), 4), np.nan)
        gap = np.round((actual - expected) * 100, 2)
        assessed = c.annual & plan_ok & c.has_report & (expected > 0)
        codes = light_select(
            [~assessed, gap >= st["progress_yellow_gap"], gap >= st["progress_red_gap"]],
            ["gray", "green", "yellow"], "red", c.n)
        need = (expected + st["progress_yellow_gap"] / 100.0) * np.where(plan_ok, plan, 0.0) - ytd
        to_green = np.where(assessed & (codes > 0), np.ceil(np.maximum(need, 0) - 1e-6), np.nan)
    return codes, {"actual": actual, "gap": gap, "to_green": to_green}


def _progress_reason(b, pos, lang):
    a = f1(b["actual"].to_numpy()[pos] * 100)
    e = f1(b["expected"].to_numpy()[pos] * 100)
    lag = f1(-b["gap"].to_numpy()[pos])
    amt = [f"{v:,}" for v in ints(b["to_green"].to_numpy()[pos])]
    tpl = t("rs_progress", lang)
    return [tpl.format(actual=x, expected=y, lag=z, amount=w) for x, y, z, w in zip(a, e, lag, amt)]


def _reporting(c: Context, st: dict):
    import numpy as np

    k_rep = np.where(np.isnan(c.latest_pidx), float(c.m), c.P - c.latest_pidx)
    codes = light_select(
        [~c.annual, k_rep >= st["reporting_red_months"], k_rep >= st["reporting_yellow_months"]],
        ["gray", "red", "yellow"], "green", c.n)
    return codes, {"k_reporting": k_rep}


def _reporting_reason(b, pos, lang):
    tpl = t("rs_reporting", lang)
    return [tpl.format(k=k) for k in ints(b["k_reporting"].to_numpy()[pos])]


def _stats(c: Context, st: dict):
    import numpy as np

    with np.errstate(invalid="ignore"):
        k_stats = c.P - c.start_idx
        codes = light_select(
            [~c.annual | ~c.started, c.in_stats, k_stats >= st["stats_red_months"],
             k_stats >= st["stats_yellow_months"]],
            ["gray", "green", "red", "yellow"], "green", c.n)
    return codes, {"k_stats": k_stats}


def _stats_reason(b, pos, lang):
    tpl = t("rs_stats", lang)
    return [tpl.format(k=k) for k in ints(b["k_stats"].to_numpy()[pos])]


def _funds(c: Context, st: dict):
    import numpy as np

    alloc = c.alloc
    t_rate = round(c.m / 12.0, 4)
    with np.errstate(invalid="ignore", divide="ignore"):
        on = c.annual & (alloc > 0)
        f_rate = np.where(alloc > 0, np.round(c.paid / np.where(alloc > 0, alloc, 1.0), 4), np.nan)
        shortfall = np.round((t_rate - f_rate) * 100, 2)
        codes = light_select(
            [~on, shortfall <= st["funds_green_pp"], shortfall <= st["funds_yellow_pp"]],
            ["gray", "green", "yellow"], "red", c.n)
    return codes, {"funds_rate": f_rate, "time_progress": t_rate, "shortfall": shortfall}


def _funds_reason(b, pos, lang):
    rate = f1(b["funds_rate"].to_numpy()[pos] * 100)
    tp = f1(b["time_progress"].to_numpy()[pos] * 100)
    short = f1(b["shortfall"].to_numpy()[pos])
    tpl = t("rs_funds", lang)
    return [tpl.format(rate=x, t=y, short=z) for x, y, z in zip(rate, tp, short)]


def overdue(problems: pd.DataFrame, as_of: dt.date, idx: pd.Index) -> tuple[np.ndarray, np.ndarray]:
    """Per project: how many problems are open and past their deadline at ``as_of``, and the largest
    number of overdue days (0 when none)."""
    import numpy as np
    import pandas as pd

    from lib.rules import shared

    if not len(problems):
        return np.zeros(len(idx)), np.zeros(len(idx))
    ts = pd.Timestamp(as_of)
    pb = problems[problems["raised_on"] <= ts]
    is_open = shared.open_mask(pb["status"], pb["closed_on"], ts)
    days = (ts - pb["deadline"]).dt.days
    od = pb.assign(days=days)[is_open & days.notna().to_numpy() & (days >= 1).to_numpy()]
    g = od.groupby("pid")["days"].agg(["size", "max"]).reindex(idx)
    return g["size"].fillna(0).to_numpy(dtype=float), g["max"].fillna(0).to_numpy(dtype=float)


def _problems(c: Context, st: dict):
    n_od, max_d = overdue(c.problems, c.as_of, c.idx)
    codes = light_select(
        [~c.annual, max_d > st["problems_red_days"], max_d >= st["problems_yellow_days"]],
        ["gray", "red", "yellow"], "green", c.n)
    return codes, {"overdue_problems": n_od, "max_overdue_days": max_d}


def _problems_reason(b, pos, lang):
    tpl = t("rs_problems", lang)
    return [tpl.format(n=k, d=d) for k, d in zip(ints(b["overdue_problems"].to_numpy()[pos]),
                                                   ints(b["max_overdue_days"].to_numpy()[pos]))]


def _approvals(c: Context, st: dict):
    """前期 (DESIGN.md "Project pipeline"): for new annual projects not yet started; the rule itself
    lives in lib.rules.pipeline (shared with the pipeline page)."""
    from lib.rules import pipeline

    applies = c.annual & c.is_new & ~c.started
    return pipeline.evaluate_dimension(c.approvals, c.stalled, c.idx, applies, c.planned_idx, c.P, c.as_of, st)


def _approvals_reason(b, pos, lang):
    col = "appr_reason_en" if lang == "en" else "appr_reason_zh"
    return [str(x) for x in b[col].to_numpy()[pos]]


# --- the registry (display order = the lights CSV column order) ------------------------------------

DIMENSIONS: tuple[Dimension, ...] = (
    Dimension("start", ("start_yellow_late", "start_red_late"), "rs_start", "approval", 0,
              _start, _start_reason),
    Dimension("progress", ("progress_yellow_gap", "progress_red_gap"), "rs_progress", "construction", 1,
              _progress, _progress_reason),
    Dimension("reporting", ("reporting_yellow_months", "reporting_red_months"), "rs_reporting", "other", 4,
              _reporting, _reporting_reason),
    Dimension("stats", ("stats_yellow_months", "stats_red_months"), "rs_stats", "other", 3,
              _stats, _stats_reason),
    Dimension("funds", ("funds_green_pp", "funds_yellow_pp"), "rs_funds", "funds", 2,
              _funds, _funds_reason),
    Dimension("problems", ("problems_yellow_days", "problems_red_days"), "rs_problems", "other", 5,
              _problems, _problems_reason),
    Dimension("approvals", ("approvals_yellow_days", "approvals_red_days"), "pl_reason_late", "approval", 6,
              _approvals, _approvals_reason),
)

KEYS: tuple[str, ...] = tuple(d.key for d in DIMENSIONS)
BY_KEY: dict[str, Dimension] = {d.key: d for d in DIMENSIONS}
DRAFT_ORDER: tuple[str, ...] = tuple(d.key for d in sorted(DIMENSIONS, key=lambda d: d.draft_rank))


def category(key: str) -> str:
    """The problem category for a draft raised from dimension ``key`` ('other' when unknown)."""
    d = BY_KEY.get(key)
    return d.category if d else "other"


__all__ = ["DIMENSIONS", "KEYS", "BY_KEY", "DRAFT_ORDER", "LIGHT_ORDER", "SEVERITY", "BY_SEVERITY",
           "Dimension", "Context", "light_select", "names", "category", "overdue"]
