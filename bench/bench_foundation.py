"""Benchmark: rules on a province-scale store.

Builds (once; ``--rebuild`` to redo) a store of 100 regions, 20,000 projects, monthly reports
2018-01 … 2022-10 (≈1.1 million rows), 50,000 problems, then times for period 2022-10:

- all project lights (``lib.rules.lights.compute_lights``)              target ≤ 1.5 s and ≤ 4× the floor
- the league table (``lib.rules.league.compute_league``)                target ≤ 2 s  and ≤ 4× the floor
- the floor: a bare DB-API read of the same report rows the rules need (the persistence window
  2022-08..2022-10 plus each project's latest report of 2022-01..2022-07); the plain read of every
  2022 report row up to 2022-10 is printed too.

PASS/MISS is printed next to each figure; the script never fails on a MISS.

    .venv/bin/python -m bench.bench_foundation                 # SQLite file bench/out/province.db
    .venv/bin/python -m bench.bench_foundation --rebuild
    .venv/bin/python -m bench.bench_foundation --url postgresql+psycopg://postgres@127.0.0.1:5432/bench

``build_province_store(path_or_url, seed=...)`` is the builder other benchmarks reuse (intake, pages,
map): it returns the SQLAlchemy URL of a ready store.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import sys
import time
from pathlib import Path

import numpy as np
from sqlalchemy import text

from lib import store

ROOT = Path(__file__).resolve().parent.parent

OUT = ROOT / "bench" / "out"
DEFAULT_DB = OUT / "province.db"
MARK = "bench_province"
N_REGIONS = 100
N_PROJECTS = 20_000
N_PROBLEMS = 50_000
YEARS = (2018, 2019, 2020, 2021, 2022)
LAST = (2022, 10)
RESERVE_2022 = 0.05  # share of projects that are reserve (gray) in 2022
PERIOD = "2022-10"

SECTORS = ["交通", "水利", "能源", "产业(工业)", "文旅", "城建", "社会民生", "农业", "生态环保", "数字经济"]
LEVELS = ["provincial", "municipal", "county", "general"]
CATEGORIES = ["land", "demolition", "planning", "eia", "energy", "funds", "approval", "utilities",
              "construction", "other"]
STATUSES = ["pending", "assigned", "in_progress", "closure_requested", "closed"]
TEXTS = ["主体结构施工中,完成桩基80%", "路基土石方施工中", "设备安装调试中", "附属工程施工中", "前期工作推进中"]


def _url(path_or_url) -> str:
    s = str(path_or_url)
    return s if "://" in s else f"sqlite:///{Path(s).resolve()}"


def _months(last=LAST):
    out = []
    for y in YEARS:
        for m in range(1, 13):
            if (y, m) <= last:
                out.append((y, m))
    return out


def _bulk(conn, table: str, cols: list[str], rows, is_pg: bool, chunk: int = 50_000) -> int:
    """Insert rows (an iterable of tuples) with COPY on PostgreSQL, executemany on SQLite."""
    n = 0
    raw = conn.connection.dbapi_connection
    cur = raw.cursor()
    if is_pg:
        with cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as cp:
            for r in rows:
                cp.write_row(r)
                n += 1
    else:
        sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
        buf = []
        for r in rows:
            buf.append(r)
            if len(buf) >= chunk:
                cur.executemany(sql, buf)
                n += len(buf)
                buf = []
        if buf:
            cur.executemany(sql, buf)
            n += len(buf)
    cur.close()
    return n


def _d(x: dt.date | None, is_pg: bool):
    if x is None:
        return None
    return x if is_pg else x.isoformat()


def _generate_and_insert(engine, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    is_pg = engine.dialect.name == "postgresql"
    counts = {}
    with engine.begin() as conn:
        # ---- regions, targets, stats
        regions = [f"53{i:04d}" for i in range(1, N_REGIONS + 1)]
        counts["regions"] = _bulk(conn, "regions", ["code", "name", "kind", "display_order", "lon", "lat"], (
            (c, f"县区{i:03d}", "county" if i % 10 else "park", i, 98.0 + 6 * rng.random(), 22.0 + 5 * rng.random())
            for i, c in enumerate(regions, start=1)), is_pg)
        targets = np.round(rng.uniform(5, 15, N_REGIONS), 1)
        _bulk(conn, "region_targets", ["region_code", "year", "growth_target"],
              ((c, 2022, float(t)) for c, t in zip(regions, targets)), is_pg)
        stat_rows = []
        for c, t in zip(regions, targets):
            final = t + rng.normal(-1, 5)
            for (y, m) in _months():
                if y == 2022:
                    stat_rows.append((c, f"{y}-{m:02d}", round(float(final + rng.normal(0, 3) * (10 - m) / 10), 1)))
        _bulk(conn, "region_stats", ["region_code", "period", "growth"], stat_rows, is_pg)

        # ---- projects
        n = N_PROJECTS
        codes = [f"P{seed % 100:02d}-{i:06d}" for i in range(n)]
        region_of = rng.integers(0, N_REGIONS, n)
        total = np.clip(np.round(np.exp(rng.normal(math.log(15000), 1.2, n)) / 10) * 10, 1000, 500000)
        start_year = rng.choice(np.arange(2014, 2023), n,  # most projects run through all five years
                                p=[0.2, 0.2, 0.15, 0.15, 0.05, 0.05, 0.05, 0.05, 0.1])
        start_month = rng.integers(1, 10, n)  # Jan..Sep
        late = rng.random(n) < 0.15  # new 2022 projects not started by October
        reserve = rng.random(n) < RESERVE_2022
        funds = rng.random(n) < 0.3
        cb = np.where(funds & (rng.random(n) < 0.6), np.round(total * 0.1, 0), np.nan)
        sb = np.where(funds & np.isnan(cb), np.round(total * 0.2, 0), np.nan)
        industrial = rng.random(n) < 0.4
        sector = rng.integers(0, len(SECTORS), n)
        level = rng.integers(0, 4, n)
        lon = 98.0 + 6 * rng.random(n)
        lat = 22.0 + 5 * rng.random(n)
        planned_start = [dt.date(int(y), int(m), 15) for y, m in zip(start_year, start_month)]
        actual_start = [None if (late[i] and start_year[i] == 2022) or reserve[i] else planned_start[i]
                        for i in range(n)]
        proj_rows = (
            (codes[i], f"项目{i:05d}", regions[region_of[i]], SECTORS[sector[i]], LEVELS[level[i]],
             bool(industrial[i]), "六新;两新一重" if i % 7 == 0 else None, float(total[i]), f"业主{i % 997}",
             f"责任单位{i % 53}", f"领导{i % 29}", float(lon[i]), float(lat[i]),
             None if math.isnan(cb[i]) else float(cb[i]), None if math.isnan(sb[i]) else float(sb[i]), None,
             "done", "done", "done", "done", "not_applicable", "done" if actual_start[i] else "in_progress",
             _d(planned_start[i], is_pg), _d(dt.date(int(start_year[i]) + 3, 12, 31), is_pg),
             _d(actual_start[i], is_pg), None)
            for i in range(n))
        counts["projects"] = _bulk(conn, "projects", [
            "code", "name", "region_code", "sector", "level", "industrial", "tags", "total_investment",
            "owner", "unit", "leader", "lon", "lat", "central_budget", "special_bond", "treasury_bond",
            "approval_project", "approval_land", "approval_planning", "approval_eia", "approval_energy",
            "approval_construction", "planned_start", "planned_end", "actual_start", "actual_end"],
            proj_rows, is_pg)

        # ---- project years: every project is annual 2018..2022 from its start year on (reserve in 2022)
        py_rows = []
        annual_plan = {}
        for i in range(n):
            for y in YEARS:
                if y < start_year[i] and not reserve[i]:
                    continue
                if y == 2022 and reserve[i]:
                    py_rows.append((codes[i], y, "reserve", None, None))
                    continue
                if reserve[i]:
                    continue
                nature = "new" if y == start_year[i] else "continuing"
                ap = float(round(total[i] * rng.uniform(0.15, 0.45) / 10) * 10 or 100)
                annual_plan[(i, y)] = ap
                py_rows.append((codes[i], y, "annual", nature, ap))
        counts["project_years"] = _bulk(conn, "project_years",
                                        ["project_code", "year", "library", "nature", "annual_plan"], py_rows, is_pg)
        plan_rows = []
        for i in range(n):
            if (i, 2022) in annual_plan and i % 10 < 3:
                ap = annual_plan[(i, 2022)]
                s0 = int(start_month[i]) if start_year[i] == 2022 else 1
                p = 0.8 if i % 2 else 1.3
                for m in range(1, 13):
                    frac = 0.0 if m < s0 else ((m - s0 + 1) / (13 - s0)) ** p
                    plan_rows.append((codes[i], 2022, m, round(ap * frac, 1)))
        counts["monthly_plans"] = _bulk(conn, "monthly_plans",
                                        ["project_code", "year", "month", "planned_cumulative"], plan_rows, is_pg)

        # ---- monthly reports, vectorised per year
        def report_rows():
            for y in YEARS:
                months = [m for (yy, m) in _months() if yy == y]
                idx = np.array([i for i in range(n) if (i, y) in annual_plan])
                if len(idx) == 0:
                    continue
                k = len(months)
                ap = np.array([annual_plan[(i, y)] for i in idx])
                s0 = np.where(start_year[idx] == y, start_month[idx], 1)
                not_started = np.array([actual_start[i] is None for i in idx])
                pace = np.clip(rng.normal(1.02, 0.085, len(idx)), 0.4, 1.3)
                curve = rng.uniform(0.9, 1.15, len(idx))
                mm = np.arange(1, k + 1)[None, :]
                frac = np.clip((mm - s0[:, None] + 1) / (13 - s0[:, None]), 0, None) ** curve[:, None] * pace[:, None]
                frac = np.where(not_started[:, None], 0.0, frac)
                ytd = np.maximum.accumulate(np.round(ap[:, None] * frac, 1), axis=1)
                monthc = np.diff(np.concatenate([np.zeros((len(idx), 1)), ytd], axis=1), axis=1)
                missing = rng.random((len(idx), k)) < 0.015
                started = (mm >= s0[:, None]) & ~not_started[:, None]
                stats_lag = rng.choice(5, len(idx), p=[0.55, 0.3, 0.08, 0.04, 0.03])
                in_stats = started & (mm >= (s0 + stats_lag)[:, None])
                alloc_cb = cb[idx]
                alloc_sb = sb[idx]
                pay = np.clip(mm / 12 * rng.uniform(0.84, 1.15, len(idx))[:, None], 0, 1)
                for r, i in enumerate(idx):
                    code = codes[i]
                    act = _d(actual_start[i], is_pg)
                    acb, asb = alloc_cb[r], alloc_sb[r]
                    for c, m in enumerate(months):
                        if missing[r, c]:
                            continue
                        st = bool(started[r, c])
                        yield (code, f"{y}-{m:02d}", float(ytd[r, c]), float(monthc[r, c]), st,
                               act if st else None, bool(in_stats[r, c]),
                               None if math.isnan(acb) else round(float(acb * pay[r, c]), 1),
                               None if math.isnan(asb) else round(float(asb * pay[r, c]), 1), None,
                               TEXTS[(i + m) % 5], None, "填报员")

        counts["monthly_reports"] = _bulk(conn, "monthly_reports", [
            "project_code", "period", "ytd_completed", "month_completed", "started", "actual_start",
            "in_stats", "central_budget_paid", "special_bond_paid", "treasury_bond_paid", "progress_text",
            "variance_note", "reporter"], report_rows(), is_pg)

        # ---- problems (no event histories: the rules do not read them)
        annual22 = np.array([i for i in range(n) if (i, 2022) in annual_plan])
        pi = rng.choice(annual22, N_PROBLEMS)
        # older problems are closed; open ones were mostly raised lately, a few of them overdue
        status = rng.choice(5, N_PROBLEMS, p=[0.05, 0.06, 0.1, 0.04, 0.75])
        age = np.where(status == 4, rng.integers(0, 1764, N_PROBLEMS), rng.integers(1500, 1764, N_PROBLEMS))
        raised = [dt.date(2018, 1, 1) + dt.timedelta(days=int(d)) for d in age]
        dl = np.where(rng.random(N_PROBLEMS) < 0.07, rng.integers(15, 90, N_PROBLEMS),
                      rng.integers(90, 300, N_PROBLEMS))
        cl = rng.integers(5, 150, N_PROBLEMS)
        esc = rng.choice(3, N_PROBLEMS, p=[0.75, 0.2, 0.05])

        def problem_rows():
            for j in range(N_PROBLEMS):
                s = STATUSES[status[j]]
                r0 = raised[j]
                deadline = None if s == "pending" else r0 + dt.timedelta(days=int(dl[j]))
                five = (None,) * 4 if s == "pending" else ("责任单位", "责任领导", "责任人", "解决措施")
                closed = min(r0 + dt.timedelta(days=int(cl[j])), dt.date(2022, 10, 31)) if s in ("closed", "closure_requested") else None
                yield (f"Q-{j + 1:06d}", codes[pi[j]], CATEGORIES[j % 10], f"问题描述{j}", _d(r0, is_pg),
                       ("county", "city", "province")[esc[j]], *five, _d(deadline, is_pg), s,
                       _d(closed, is_pg), True if closed else None, int(j % 4 == 0))

        counts["problems"] = _bulk(conn, "problems", [
            "number", "project_code", "category", "description", "raised_on", "level", "unit", "leader", "person",
            "measures", "deadline", "status", "closed_on", "satisfied", "supervise_count"],
            problem_rows(), is_pg)
        counts.update(_pipeline_rows(conn, seed, is_pg))
        conn.execute(text("INSERT INTO settings (key, value, updated_by) VALUES (:k, :v, 'bench')"),
                     {"k": MARK, "v": json.dumps({"seed": seed, **counts})})
    if is_pg:
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    else:
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    return counts


APPROVAL_KINDS = ("initiation", "land_pre", "land", "planning", "eia", "energy", "construction_permit")


def _pipeline_rows(conn, seed: int, is_pg: bool) -> dict:
    """The pipeline tables at province scale, from their own random stream (the rest of the store is
    unchanged): project sources and signing dates, seven 前期手续 per project (done before the start of
    started projects; open with due dates for the others), and eight 集中开工/签约 events of 2022."""
    rng = np.random.default_rng(seed + 15)
    rows = conn.execute(text("SELECT code, planned_start, actual_start FROM projects ORDER BY code")).all()
    def day(v):
        return v if isinstance(v, dt.date) or v is None else dt.date.fromisoformat(str(v)[:10])
    rows = [(c, day(ps), day(ast)) for c, ps, ast in rows]
    n = len(rows)
    src = rng.choice(3, n, p=[0.45, 0.3, 0.25])
    updates = []
    for i, (code, ps, ast) in enumerate(rows):
        signed = (ps - dt.timedelta(days=int(rng.integers(30, 400)))) if src[i] == 2 and ps else None
        updates.append({"c": code, "s": ("government", "enterprise", "attracted")[src[i]], "d": _d(signed, is_pg)})
    conn.execute(text("UPDATE projects SET source = :s, signed_on = :d WHERE code = :c"), updates)

    def approval_rows():
        for code, ps, ast in rows:
            for k, kind in enumerate(APPROVAL_KINDS):
                if ast is not None:
                    done = ast - dt.timedelta(days=int(rng.integers(10, 300)))
                    yield (code, kind, _d(done, is_pg), _d(done, is_pg), "done", f"牵头部门{k}")
                else:
                    planned = (ps or dt.date(2023, 6, 1)) - dt.timedelta(days=int(rng.integers(-30, 120)))
                    status = ("done", "in_progress", "not_started")[int(rng.integers(0, 3))]
                    done = planned if status == "done" else None
                    yield (code, kind, _d(planned, is_pg), _d(done, is_pg), status, f"牵头部门{k}")

    counts = {"approvals": _bulk(conn, "approvals", ["project_code", "kind", "planned_on", "done_on", "status", "unit"],
                                 approval_rows(), is_pg)}
    started22 = [c for c, ps, ast in rows if ast is not None and ast.year == 2022]
    ev = []
    for j, (month, kind) in enumerate([(2, "signing"), (3, "start"), (4, "start"), (5, "start"), (6, "start"),
                                      (7, "start"), (8, "start"), (9, "start")]):
        pick = rng.choice(len(started22), min(250, len(started22)), replace=False) if started22 else []
        for p_ in pick:
            ev.append((f"2022年第{j + 1}批集中活动", started22[int(p_)], _d(dt.date(2022, month, 20), is_pg), kind))
    counts["project_events"] = _bulk(conn, "project_events", ["name", "project_code", "held_on", "type"], ev, is_pg)
    return counts


def ensure_pipeline_tables(url: str) -> None:
    """Add the pipeline rows to a province store built before they existed (same seed, own stream)."""
    engine = store.make_engine(url)
    try:
        store.upgrade(engine)
        with engine.begin() as conn:
            if conn.execute(text("SELECT COUNT(*) FROM approvals")).scalar():
                return
            info = json.loads(conn.execute(text("SELECT value FROM settings WHERE key = :k"), {"k": MARK}).scalar())
            _pipeline_rows(conn, int(info.get("seed", 2022)), engine.dialect.name == "postgresql")
    finally:
        engine.dispose()


def _existing(engine, seed: int) -> dict | None:
    try:
        with engine.connect() as conn:
            v = conn.execute(text("SELECT value FROM settings WHERE key = :k"), {"k": MARK}).scalar()
    except Exception:
        return None
    if not v:
        return None
    info = json.loads(v)
    return info if info.get("seed") == seed else None


def _wipe(engine) -> None:
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            tables = [r[0] for r in conn.execute(text(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'alembic_version'"))]
            if tables:
                conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))


def build_province_store(path_or_url=DEFAULT_DB, seed: int = 2022, rebuild: bool = False,
                         verbose: bool = True) -> str:
    """A province-scale store at ``path_or_url`` (SQLite file path or SQLAlchemy URL); built once and
    reused while it holds the same seed (``rebuild=True`` builds it afresh). Returns the URL."""
    url = _url(path_or_url)
    if url.startswith("sqlite"):
        db = Path(url.split("///", 1)[1])
        if rebuild:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(str(db) + suffix).unlink(missing_ok=True)
    engine = store.make_engine(url)
    try:
        found = None if rebuild else _existing(engine, seed)
        engine.dispose()  # no pooled connection may outlive a deleted SQLite file
        if found:
            if verbose:
                print(f"reusing the store at {engine.url.render_as_string(hide_password=True)}")
            return url
        if engine.dialect.name == "postgresql":
            store.upgrade(engine)
            _wipe(engine)
        else:
            db = Path(url.split("///", 1)[1])
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(str(db) + suffix).unlink(missing_ok=True)
            store.upgrade(engine)
        t0 = time.perf_counter()
        counts = _generate_and_insert(engine, seed)
        if verbose:
            print(f"built in {time.perf_counter() - t0:.1f} s: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    finally:
        engine.dispose()
    return url


# --------------------------------------------------------------------------- timing


def _floor_reads(engine, period: str = PERIOD, window: int = 3) -> dict:
    """Bare DB-API reads of the report rows the rules need (no pandas)."""
    from lib import periods

    y, m = periods.split(period)
    first = periods.shift(period, -(window - 1))
    cols = ("project_code, period, ytd_completed, started, actual_start, in_stats, central_budget_paid, "
            "special_bond_paid, treasury_bond_paid")
    rcols = ", ".join(f"r.{c.strip()}" for c in cols.split(","))
    ph = "%s" if engine.dialect.name == "postgresql" else "?"
    q_window = f"SELECT {cols} FROM monthly_reports WHERE period BETWEEN {ph} AND {ph}"
    q_latest = (f"SELECT {rcols} FROM monthly_reports r JOIN (SELECT project_code pc, max(period) lp "
                f"FROM monthly_reports WHERE period BETWEEN {ph} AND {ph} GROUP BY project_code) s "
                f"ON r.project_code = s.pc AND r.period = s.lp")
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        t0 = time.perf_counter()
        cur.execute(q_window, (first, period))
        a = cur.fetchall()
        cur.execute(q_latest, (f"{y}-01", periods.previous(first)))
        b = cur.fetchall()
        t_exact = time.perf_counter() - t0
        t0 = time.perf_counter()
        cur.execute(q_window, (f"{y}-01", period))
        c = cur.fetchall()
        t_ytd = time.perf_counter() - t0
        cur.close()
    finally:
        raw.close()
    return {"floor_s": t_exact, "floor_rows": len(a) + len(b), "ytd_read_s": t_ytd, "ytd_rows": len(c)}


def _time(fn, repeat: int = 3) -> tuple[float, float, object]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return times[0], min(times), out


def run(url: str, repeat: int = 3) -> dict:
    from lib.store import session_scope

    engine = store.make_engine(url)
    res: dict = {}
    floors = [_floor_reads(engine) for _ in range(repeat)]
    res["floor_s"] = min(f["floor_s"] for f in floors)
    res["floor_rows"] = floors[0]["floor_rows"]
    res["ytd_read_s"] = min(f["ytd_read_s"] for f in floors)
    res["ytd_rows"] = floors[0]["ytd_rows"]
    try:
        from lib.rules import lights
    except ImportError:
        lights = None
    if lights is not None:
        def do_lights():
            with session_scope(engine) as s:
                return lights.compute_lights(s, PERIOD)
        first, best, df = _time(do_lights, repeat)
        res.update(lights_first_s=first, lights_s=best, lights_rows=len(df),
                   lights_counts=df["light"].value_counts().to_dict())
    try:
        from lib.rules import league
    except ImportError:
        league = None
    if league is not None:
        def do_league():
            with session_scope(engine) as s:
                return league.compute_league(s, PERIOD)
        first, best, tab = _time(do_league, repeat)
        res.update(league_first_s=first, league_s=best, league_rows=len(tab))
    engine.dispose()
    return res


def report(res: dict) -> None:
    floor = res["floor_s"]
    print(f"floor: bare read of the {res['floor_rows']:,} report rows the rules need: {floor:.3f} s "
          f"(every 2022 row to {PERIOD}, {res['ytd_rows']:,} rows: {res['ytd_read_s']:.3f} s)")
    for name, target in (("lights", 1.5), ("league", 2.0)):
        if f"{name}_s" not in res:
            print(f"{name}: lib.{name} not available yet — not measured")
            continue
        s = res[f"{name}_s"]
        ratio = s / floor if floor else float("inf")
        ok_t = "PASS" if s <= target else "MISS"
        ok_r = "PASS" if ratio <= 4 else "MISS"
        print(f"{name}: {s:.3f} s (first run {res[name + '_first_s']:.3f} s, {res[name + '_rows']:,} rows) "
              f"target ≤ {target} s {ok_t}; {ratio:.1f}× the floor (≤ 4×) {ok_r}")
    if "lights_counts" in res:
        print("lights at", PERIOD, res["lights_counts"])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", help="SQLAlchemy URL (default: SQLite file bench/out/province.db)")
    ap.add_argument("--rebuild", action="store_true", help="build the store afresh")
    ap.add_argument("--seed", type=int, default=2022)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    url = build_province_store(args.url or DEFAULT_DB, seed=args.seed, rebuild=args.rebuild)
    print(f"store ready in {time.perf_counter() - t0:.1f} s")
    res = run(url, args.repeat)
    report(res)
    return 0


if __name__ == "__main__":
    sys.exit(main())
