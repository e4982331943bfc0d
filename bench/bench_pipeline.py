"""Benchmark: the project pipeline on the province store (target: ``pipeline`` ≤ 1.5 s).

Times ``lib.rules.pipeline.compute_pipeline`` (the CLI's ``pipeline`` table), the approvals light
dimension and the late-approvals list for period 2022-10 on the store ``bench_foundation`` builds
(100 regions, 20,000 projects, ~1M reports, 50,000 problems) plus its approvals (7 per project)
and 集中活动 tables, with the seconds of each step of the fastest pipeline run (where the time
goes) and the load average. Prints figures; never fails on a miss.

    .venv/bin/python bench/bench_pipeline.py [--url URL]
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from bench.bench_foundation import DEFAULT_DB, PERIOD, build_province_store, ensure_pipeline_tables  # noqa: E402
from lib import store  # noqa: E402
from lib.rules import pipeline  # noqa: E402


def _best(fn, repeat: int = 3):
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def _best_with_steps(fn, repeat: int = 3):
    """Like _best, with the per-step seconds (``pipeline.timings``) of the fastest run."""
    best, out, steps = None, None, {}
    for _ in range(repeat):
        t0 = time.perf_counter()
        res = fn()
        took = time.perf_counter() - t0
        if best is None or took < best:
            best, out, steps = took, res, dict(pipeline.timings)
    return best, out, steps


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", help="SQLAlchemy URL (default: the SQLite province store)")
    args = ap.parse_args(argv)
    url = build_province_store(args.url or DEFAULT_DB)
    ensure_pipeline_tables(url)
    engine = store.make_engine(url)
    try:
        with store.session_scope(engine) as s:
            n_appr = s.execute(text("SELECT COUNT(*) FROM approvals")).scalar()
            t_pipe, table, steps = _best_with_steps(lambda: pipeline.compute_pipeline(s, PERIOD))
            t_dim, dim = _best(lambda: pipeline.approvals_lights(s, PERIOD))
            t_late, late = _best(lambda: pipeline.late_approvals(s, PERIOD))
    finally:
        engine.dispose()
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"store: {url}" + (f", approvals {n_appr:,}" if n_appr else ""))
    print(f"pipeline table ({len(table)} regions):   {t_pipe:.2f} s  target ≤ 1.5 s  {'PASS' if t_pipe <= 1.5 else 'MISS'}")
    print(f"    {'step of the fastest run':<34} {'elapsed':>8} {'CPU':>8}")
    for name, (sec, cpu) in steps.items():
        print(f"    {name:<34} {sec:>6.3f} s {cpu:>6.3f} s")
    print(f"approvals dimension ({len(dim):,} projects): {t_dim:.2f} s")
    print(f"late approvals ({len(late):,} rows):     {t_late:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
