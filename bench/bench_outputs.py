"""Benchmark: the month's outputs (issue 16).

- demo store: month facts + slide pack (.pptx) + 通报 (.docx) together     target ≤ 20 s
- province store (bench_foundation's 100 regions / 20,000 projects): the pack  target ≤ 60 s
- the PDF conversion (LibreOffice) of each pack is printed apart (not in the targets: it runs only
  when LibreOffice is installed, and its first start is slow).

The province store is copied (never changed): ``--province PATH`` names one built by
bench/bench_foundation.py (a copy under /tmp is fine); without it the script builds its own with
``build_province_store`` under bench/out/. PASS/MISS is printed; the script never fails on a MISS.

    .venv/bin/python bench/bench_outputs.py [--province /tmp/scale/province.pristine.db] [--pdf]
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lib import store  # noqa: E402

PERIOD = "2022-10"


def _mark(seconds: float, target: float) -> str:
    return "PASS" if seconds <= target else "MISS"


def _build(url: str, out_dir: Path, pdf: bool) -> dict:
    from lib.outputs.briefing import briefing_pptx, pack_pdf, soffice
    from lib.outputs.monthly import month_facts
    from lib.outputs.report import report_docx

    eng = store.make_engine(url)
    store.upgrade(eng)
    times = {}
    t0 = time.perf_counter()
    with store.session_scope(eng) as s:
        facts = month_facts(s, PERIOD)
        times["facts"] = time.perf_counter() - t0
        t1 = time.perf_counter()
        pptx = briefing_pptx(s, PERIOD, out_dir / "pack.pptx", facts=facts)
        times["pack"] = time.perf_counter() - t1
        t1 = time.perf_counter()
        report_docx(s, PERIOD, out_dir / "report.docx", facts=facts)
        times["report"] = time.perf_counter() - t1
    times["total"] = time.perf_counter() - t0
    times["slides"] = len(__import__("pptx").Presentation(str(pptx)).slides)
    times["red"] = int((facts.lights["light"] == "red").sum())
    if pdf and soffice():
        t1 = time.perf_counter()
        pack_pdf(pptx)
        times["pdf"] = time.perf_counter() - t1
    eng.dispose()
    return times


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--province", help="a province store built by bench/bench_foundation.py (copied, not changed)")
    ap.add_argument("--pdf", action="store_true", help="also time the LibreOffice PDF of each pack")
    ap.add_argument("--skip-province", action="store_true")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-outputs-") as tmp:
        tmp = Path(tmp)
        from lib.demo import load_demo

        url = f"sqlite:///{tmp / 'demo.db'}"
        eng = store.make_engine(url)
        store.upgrade(eng)
        with store.session_scope(eng) as s:
            load_demo(s)
        eng.dispose()
        (tmp / "demo").mkdir()
        d = _build(url, tmp / "demo", args.pdf)
        print(f"demo pack + 通报     {d['total']:6.1f} s  (facts {d['facts']:.1f} s, pack {d['pack']:.1f} s "
              f"[{d['slides']} slides], 通报 {d['report']:.1f} s)  target ≤ 20 s  {_mark(d['total'], 20)}")
        if "pdf" in d:
            print(f"demo pack as PDF     {d['pdf']:6.1f} s  (LibreOffice)")
        if args.skip_province:
            return
        if args.province:
            src = Path(args.province)
        else:
            from bench.bench_foundation import DEFAULT_DB, build_province_store

            if not DEFAULT_DB.exists():
                build_province_store(DEFAULT_DB)
            src = DEFAULT_DB
        copy = tmp / "province.db"
        shutil.copy(src, copy)
        (tmp / "province").mkdir()
        p = _build(f"sqlite:///{copy}", tmp / "province", args.pdf)
        print(f"province pack        {p['facts'] + p['pack']:6.1f} s  (facts {p['facts']:.1f} s, pack {p['pack']:.1f} s "
              f"[{p['slides']} slides, {p['red']} red projects])  target ≤ 60 s  {_mark(p['facts'] + p['pack'], 60)}")
        print(f"province 通报        {p['report']:6.1f} s  (from the same facts)")
        if "pdf" in p:
            print(f"province pack as PDF {p['pdf']:6.1f} s  (LibreOffice)")


if __name__ == "__main__":
    main()
