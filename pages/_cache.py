"""Cached readers: lib/ results keyed by (period, as_of, data_version, store URL), computed once
and shared by every session of the process; a write changes data_version and so the key.

Two levels: this process's memory (st.cache_resource / st.cache_data), and below it the store's
``result_cache`` table (lib.store.results), which every server process reads — a result one replica
computed for a data version is read, not recomputed, by the others.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from lib import periods
from lib.store import get_engine, session_scope
from pages._frame import data_version, store_url


def _shared(name: str, params: tuple, version: int, compute):
    """``compute()`` once per data version for every process on this store (lib.store.results)."""
    from lib.store import results

    return results.get_or_compute(get_engine(), name, params, version, compute)


def across_processes(name: str, params: tuple, version: int, compute):
    """For a page's own st.cache_* function (already keyed by the data version): the same result for
    every server process, computed by the first that needs it (e.g. the map's deck JSON)."""
    return _shared(name, params, version, compute)


def _shallow(obj):
    if isinstance(obj, pd.DataFrame):
        return obj.copy(deep=False)
    if isinstance(obj, tuple):
        return tuple(_shallow(o) for o in obj)
    return obj


@st.cache_resource(show_spinner=False, max_entries=16)
def _lights(period: str, as_of, version: int, url: str) -> pd.DataFrame:
    from lib.rules.lights import compute_lights

    def compute():
        with session_scope(get_engine()) as session:
            return compute_lights(session, period, as_of=as_of)

    return _shared("lights", (period, as_of), version, compute)


@st.cache_resource(show_spinner=False, max_entries=16)
def _league(period: str, as_of, group_by: str, version: int, url: str) -> pd.DataFrame:
    from lib.rules.league import compute_league

    def compute():
        now, before, problems = _lights_pair(period, as_of, version, url)  # shared with the overview
        with session_scope(get_engine()) as session:
            return compute_league(session, period, as_of=as_of, group_by=group_by, lights=now,
                                  lights_prev=before, problems=problems)

    return _shared("league", (period, as_of, group_by), version, compute)


@st.cache_resource(show_spinner=False, max_entries=16)
def _problem_table(as_of, version: int, url: str) -> pd.DataFrame:
    from lib.problems import problem_table, urgency_order

    def compute():
        with session_scope(get_engine()) as session:
            return urgency_order(problem_table(session, as_of=as_of))

    return _shared("problem_table", (as_of,), version, compute)


@st.cache_data(show_spinner=False, max_entries=16)
def _periods(version: int, url: str) -> list[str]:
    from lib.store.queries import report_periods

    with session_scope(get_engine()) as session:
        return report_periods(session)


@st.cache_data(show_spinner=False, max_entries=16)
def _regions(version: int, url: str) -> list[tuple[str, str]]:
    from lib.store.queries import regions

    with session_scope(get_engine()) as session:
        return regions(session)


def lights(period: str, as_of=None) -> pd.DataFrame:
    """compute_lights(period, as_of) for every project of the year (cached until the next write)."""
    return _shallow(_lights(period, as_of, data_version(), store_url()))


def league(period: str, as_of=None, group_by: str = "region") -> pd.DataFrame:
    return _shallow(_league(period, as_of, group_by, data_version(), store_url()))


def problem_table(as_of=None) -> pd.DataFrame:
    """Every problem at ``as_of``, most urgent first (lib.problems.urgency_order)."""
    return _shallow(_problem_table(as_of, data_version(), store_url()))


@st.cache_resource(show_spinner=False, max_entries=64)
def _problem_view(as_of, region_code, raised, overdue_only: bool, chosen: tuple, version: int, url: str) -> dict:
    from lib.problems import filter_problems, problem_stats, unit_scoreboard

    df = filter_problems(_problem_table(as_of, version, url), region_code=region_code, raised=raised,
                         overdue_only=overdue_only, **dict(chosen))
    return {"df": df, "stats": problem_stats(df), "units": unit_scoreboard(df), "figures": problem_figures(df)}


def problem_figures(df: pd.DataFrame) -> dict:
    """What the problem charts count, from the columns they need: per category open and closed
    (categories present, in PROBLEM_CATEGORIES order), overdue problems per unit (ascending), open
    problems per ageing bucket, problems raised and closed per month (YYYY-MM → count)."""
    from lib import problems as P
    from lib.store.models import PROBLEM_CATEGORIES

    present = set(df["category"].unique())  # once, not once per category
    cats = [k for k in PROBLEM_CATEGORIES if k in present]
    open_n = [int(((df["category"] == k) & df["is_open"]).sum()) for k in cats]
    closed_n = [int(((df["category"] == k) & ~df["is_open"]).sum()) for k in cats]
    od_unit = df.loc[df["overdue_days"].notna(), "unit"].fillna(P.UNASSIGNED_UNIT)
    by_unit = od_unit.groupby(od_unit).size().sort_values()
    open_days = df.loc[df["is_open"], "days_open"]
    buckets = open_days.map({d: P.ageing_bucket(d) for d in open_days.dropna().unique()})  # per distinct day

    def month_counts(dates: pd.Series) -> dict:  # per distinct day, not per row
        per_day = dates.value_counts()
        per_month = per_day.groupby(per_day.index.map(lambda d: f"{d:%Y-%m}")).sum()
        return {str(k): int(v) for k, v in per_month.items()}

    return {"cats": cats, "open_n": open_n, "closed_n": closed_n, "by_unit": by_unit,
            "ageing": [int((buckets == b).sum()) for b in P.AGEING_BUCKETS],
            "raised_m": month_counts(df["raised_on"]),
            "closed_m": month_counts(df.loc[~df["is_open"] & df["closed_on"].notna(), "closed_on"])}


def problem_view(as_of, region_code=None, raised=None, overdue_only: bool = False, **chosen) -> dict:
    """The problems a filter keeps (most urgent first) with their figures (problem_stats) and the
    unit scoreboard: computed once per filter and data version, shared by every session — the
    campaign office and thirty leaders looking at the same list do not each filter 50,000 rows."""
    key = tuple(sorted((k, tuple(v)) for k, v in chosen.items() if v))
    out = _problem_view(as_of, region_code, tuple(raised) if raised else None, bool(overdue_only), key,
                        data_version(), store_url())
    return {"df": _shallow(out["df"]), "stats": dict(out["stats"]), "units": _shallow(out["units"]),
            "figures": out["figures"]}


def report_periods() -> list[str]:
    return _periods(data_version(), store_url())


def region_names() -> dict[str, str]:
    """code → name, in display order."""
    return dict(_regions(data_version(), store_url()))


def cached(fn, *args, **kwargs):
    """Run ``fn(session, *args, **kwargs)`` (a lib/ reader) through the cache, keyed by its
    arguments, the data version and the store URL."""
    return _cached(fn.__module__, fn.__qualname__, args, tuple(sorted(kwargs.items())),
                   data_version(), store_url())


@st.cache_data(show_spinner=False, max_entries=128)
def _cached(module: str, name: str, args: tuple, kwargs: tuple, version: int, url: str):
    import importlib

    fn = importlib.import_module(module)
    for part in name.split("."):
        fn = getattr(fn, part)
    with session_scope(get_engine()) as session:
        return fn(session, *args, **dict(kwargs))


@st.cache_resource(show_spinner=False, max_entries=16)
def _lights_pair(period: str, as_of, version: int, url: str):
    """(lights at P, lights at P−1, the problems read with them): the league reuses the problems."""
    from lib.rules.lights import lights_pair_with_frames

    def compute():
        with session_scope(get_engine()) as session:
            now, before, fr = lights_pair_with_frames(session, period, as_of=as_of)
            return now, before, fr.problems

    return _shared("lights_pair", (period, as_of), version, compute)


def lights_pair(period: str, as_of=None):
    """(lights at P, lights at P−1 without reason texts) from one load (lib.rules.lights.lights_pair_with_frames)."""
    return _shallow(_lights_pair(period, as_of, data_version(), store_url())[:2])


@st.cache_data(show_spinner=False, max_entries=16)
def _rank_history(period: str, group_by: str, version: int, url: str) -> pd.DataFrame:
    return _shared("rank_history", (period, group_by), version,
                   lambda: _compute_rank_history(period, group_by, version, url))


def _compute_rank_history(period: str, group_by: str, version: int, url: str) -> pd.DataFrame:
    """Rank of every group in each month of the period's year that has reports (the lights of all
    those months from one load of the rule frames; each month's lights are the next one's P−1)."""
    from lib.rules.frames import rule_problems
    from lib.rules.league import compute_league
    from lib.rules.lights import compute_lights_months

    year = period[:4]
    have = set(_periods(version, url))
    months = sorted(p for p in have if p.startswith(year + "-") and p <= period)
    parts = []
    with session_scope(get_engine()) as session:
        # one load of the rule frames for every month (and the month before the first, for its
        # rank change), lights without reason texts (ranks need none), problems read once (each
        # table filters them by its own dates)
        before_first = periods.previous(months[0]) if months else None
        wanted = months + ([before_first] if before_first in have else [])
        by_month = compute_lights_months(session, wanted, with_reasons=False)
        problems = rule_problems(session, raised_upto=periods.last_day(period)) if months else None
        for p in months:
            lg = compute_league(session, p, as_of=periods.last_day(p), group_by=group_by, lights=by_month[p],
                                lights_prev=by_month.get(periods.previous(p)), problems=problems)
            parts.append(lg[["group_key", "group_name", "rank", "score"]].assign(period=p))
    if not parts:
        return pd.DataFrame(columns=["group_key", "group_name", "rank", "score", "period"])
    return pd.concat(parts, ignore_index=True)


def rank_history(period: str, group_by: str = "region") -> pd.DataFrame:
    """group_key, group_name, rank, score, period for each month of the year up to ``period``."""
    return _rank_history(period, group_by, data_version(), store_url())


@st.cache_data(show_spinner=False, max_entries=32)
def _overview_bundle(period: str, as_of, region_code, prev_has_reports: bool, version: int, url: str) -> dict:
    return _shared("overview_bundle", (period, as_of, region_code, prev_has_reports), version,
                   lambda: _compute_overview_bundle(period, as_of, region_code, prev_has_reports, version, url))


def _compute_overview_bundle(period: str, as_of, region_code, prev_has_reports: bool, version: int,
                             url: str) -> dict:
    from concurrent.futures import ThreadPoolExecutor

    from lib.rules import overview

    def _curve():
        with session_scope(get_engine()) as s:
            return overview.monthly_curve(s, period, region_code)

    # the curve is two aggregate queries that the database answers without holding Python's lock:
    # on a cold run they go on (own connection) while this thread computes the lights
    with ThreadPoolExecutor(max_workers=1) as pool:
        curve_job = pool.submit(_curve)
        now, before, _ = _lights_pair(period, as_of, version, url)
        names = dict(_regions(version, url))
        prev = periods.previous(period)
        with session_scope(get_engine()) as session:
            summ = overview.summary(now, overview.problem_counts_at(session, as_of, region_code), period,
                                    region_code)
            summ_before = None
            if prev_has_reports:
                summ_before = overview.summary(
                    before, overview.problem_counts_at(session, periods.last_day(prev), region_code), prev,
                    region_code)
        curve = curve_job.result()
    mine = overview.filter_region(now, region_code)
    return {
        "summary": summ, "before": summ_before, "change": overview.change(summ, summ_before),
        "by_region": overview.by_region(now, names), "by_sector": overview.by_sector(mine).head(12),
        "counts": overview.light_counts(mine), "curve": curve,
    }


def overview_bundle(period: str, as_of, region_code: str | None) -> dict:
    """Everything the overview draws (summary now and a month before, change, by county, by sector,
    light counts, the monthly curve), computed by lib.rules.overview over the cached lights."""
    prev_ok = periods.previous(period) in report_periods()
    return _overview_bundle(period, as_of, region_code, prev_ok, data_version(), store_url())


@st.cache_data(show_spinner=False, max_entries=16)
def _filter_options(period: str, as_of, version: int, url: str) -> dict:
    from lib.rules import overview

    return overview.filter_options(_lights(period, as_of, version, url))


def filter_options(period: str, as_of=None) -> dict:
    """The values each list filter can take for the period's projects (lib.rules.overview.filter_options)."""
    return _filter_options(period, as_of, data_version(), store_url())


def shared(fn, *args, **kwargs):
    """Like ``cached`` for a result that does not depend on the person and costs real time (the
    reporting grid, a deck's data): kept in this process and in the store for every other process."""
    return _shallow(_shared_cached(fn.__module__, fn.__qualname__, args, tuple(sorted(kwargs.items())),
                                   data_version(), store_url()))


@st.cache_resource(show_spinner=False, max_entries=32)
def _shared_cached(module: str, name: str, args: tuple, kwargs: tuple, version: int, url: str):
    import importlib

    fn = importlib.import_module(module)
    for part in name.split("."):
        fn = getattr(fn, part)

    def compute():
        with session_scope(get_engine()) as session:
            return fn(session, *args, **dict(kwargs))

    return _shared(f"{module}.{name}", (args, kwargs), version, compute)


class _Labels(dict):
    """A label per option for a widget's ``format_func=labels.__getitem__`` (a dict look-up per option,
    not a Python call: a picker of 20,000 projects is formatted three times per run); a value without
    a label shows as itself."""

    def __missing__(self, key):
        return str(key)


@st.cache_resource(show_spinner=False, max_entries=64)
def _problem_base(as_of, county, version: int, url: str) -> dict:
    from lib.access import scope
    from lib.store.queries import project_codes

    table = _problem_table(as_of, version, url)
    base = table[scope.of(county).mask(table["region_code"])]
    with session_scope(get_engine()) as session:
        names = {code: name for code, name, _r in project_codes(session)}

    def uniq(col: str) -> list:
        return sorted(v for v in base[col].dropna().unique() if str(v).strip())

    codes = uniq("project_code")
    return {"base": base, "overdue": base[base["overdue_days"].notna()],
            "first_raised": min(base["raised_on"]) if len(base) else None,
            "project_code": codes, "unit": uniq("unit"), "leader": uniq("leader"),
            "project_labels": _Labels({c: names.get(c, c) for c in codes})}


def problem_base(as_of, county: str | None) -> dict:
    """The problems of a county at ``as_of`` (``base``; its ``overdue`` rows) and what the filters
    offer for them (sorted distinct project codes with their labels, units, leaders; the first raise
    date): once per data version for every session. The frames are shared: never change them in place."""
    out = _problem_base(as_of, county, data_version(), store_url())
    return {**out, "base": _shallow(out["base"]), "overdue": _shallow(out["overdue"])}


@st.cache_resource(show_spinner=False, max_entries=64)
def _project_choices(regions: tuple | None, county, version: int, url: str) -> tuple:
    from lib.store.queries import project_codes

    with session_scope(get_engine()) as session:
        rows = project_codes(session)
    allowed = None if regions is None else set(regions)
    scope = [(code, name) for code, name, rg in rows
             if (allowed is None or rg in allowed) and (county is None or rg == county)]
    return tuple(code for code, _n in scope), _Labels({code: f"{name}({code})" for code, name in scope})


def project_choices(regions, county: str | None) -> tuple[tuple, dict]:
    """(codes, code → "name(code)") of the projects in ``regions`` (None: every county) and in
    ``county`` when given, ordered by county then code; shared by every session (do not change)."""
    return _project_choices(None if regions is None else tuple(sorted(regions)), county, data_version(),
                            store_url())


@st.cache_resource(show_spinner=False, max_entries=16)
def _project_regions(version: int, url: str) -> tuple:
    from lib.store.queries import project_codes

    with session_scope(get_engine()) as session:
        return tuple(sorted({rg for _c, _n, rg in project_codes(session)}))


def project_regions() -> tuple:
    """The distinct county codes of the projects (for asking a permission once per county)."""
    return _project_regions(data_version(), store_url())


@st.cache_resource(show_spinner=False, max_entries=64)
def _sprint_view(period: str, as_of, region_code, version: int, url: str) -> dict:
    from lib.access.scope import of as region_scope
    from lib.rules import overview, sprint

    growth = _cached("lib.rules.sprint", "mean_growth", (period,), (), version, url)
    lights_now = _lights(period, as_of, version, url)
    start_rate = overview.rates(overview.filter_region(lights_now, region_code))["start_rate"]
    rows = _cached("lib.rules.sprint", "sprint_frame", (period,), (), version, url)
    if region_code and "region_code" in rows.columns:
        rows = rows[region_scope(region_code).mask(rows["region_code"])]
    out = {"targets": sprint.target_status(period, start_rate, growth), "n": len(rows)}
    if len(rows):
        out.update(plan=rows["plan"].sum(), forecast=rows["forecast"].sum(),
                   needed=rows["needed_monthly"].sum(), by_region=sprint.by_region(rows))
    return out


def sprint_view(period: str, as_of, region_code: str | None) -> dict:
    """The overview's 冲刺 block for the period and county: the targets' status
    (lib.rules.sprint.target_status), the sums of plan, forecast and monthly need over the annual
    projects and the same by county (lib.rules.sprint.by_region): once per data version for every
    session. Shared: do not change what it returns."""
    return _sprint_view(period, as_of, region_code, data_version(), store_url())


def _freeze(value):
    """A hashable form of a filter value (lists → tuples), for a cache key."""
    if isinstance(value, (list, tuple, set)):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    return value


@st.cache_resource(show_spinner=False, max_entries=16)  # up to ~10 MB each at province scale
def _project_view(period: str, as_of, filters: tuple, sort: str, version: int, url: str) -> dict:
    from lib.rules import overview

    view = overview.sort_projects(overview.filter_projects(_lights(period, as_of, version, url), dict(filters)),
                                  sort)
    return {"view": view, "counts": overview.light_counts(view)}


def project_view(period: str, as_of, filters: dict, sort: str) -> tuple[pd.DataFrame, dict]:
    """(the lights a list filter keeps, sorted (lib.rules.overview.filter_projects, sort_projects); their
    light counts): once per filter, sort and data version for every session — the default list of
    20,000 projects is filtered and sorted once, not on every visit."""
    out = _project_view(period, as_of, _freeze(filters), sort, data_version(), store_url())
    return _shallow(out["view"]), dict(out["counts"])


@st.cache_resource(show_spinner=False, max_entries=16)
def _problem_haystack(as_of, county, version: int, url: str) -> pd.Series:
    base = _problem_base(as_of, county, version, url)["base"]
    return (base["problem_id"].astype(str) + "\u0001" + base["project_code"].astype(str) + "\u0001"
            + base["project_name"].fillna("").astype(str)).str.lower()


def problem_search(as_of, county: str | None, text: str) -> pd.DataFrame:
    """The problems of ``county`` at ``as_of`` (the list's other filters aside) whose number, project
    code or project name holds ``text`` (any case), most urgent first; the searched text of every
    problem is built once per data version."""
    version, url = data_version(), store_url()
    base = _problem_base(as_of, county, version, url)["base"]
    hit = _problem_haystack(as_of, county, version, url).str.contains(text.strip().lower(), regex=False)
    return base[hit.to_numpy(dtype=bool)]
