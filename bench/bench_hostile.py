"""Benchmark: hostile upload files are refused quickly and in bounded memory (issue 12, items 11–12).

Builds each file of ``tools/hostile_files.py`` into a temporary directory and runs, in a fresh
process under GNU time (``/usr/bin/time -v``, the Debian package ``time``),
``python -m lib.cli import monthly FILE --dry-run`` (``import-boundaries`` for GeoJSON) on a fresh
SQLite store; prints wall seconds and CPU seconds (user+system, less sensitive to a shared machine's
load) — the first row is the floor (a 2-row CSV: the process's start-up and imports,
which dominate on a loaded machine); prints per file: its size, wall seconds, peak resident memory (MB), the exit code,
and the first line of the message. Targets for the xlsx bombs and sparse sheets: ≤ 5 s, ≤ 300 MB,
exit 1. (Figures, not a timed test: the machine may be shared.)

    /work/main/.venv/bin/python bench/bench_hostile.py [--keep DIR]
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools import hostile_files as H  # noqa: E402

GNU_TIME = "/usr/bin/time"
TARGET_S, TARGET_MB = 5.0, 300.0


def _files(d: Path) -> list[tuple[str, str, Path, bool]]:
    """(label, command, path, under the ≤ 5 s / ≤ 300 MB target)"""
    out = []

    def put(name: str, data: bytes) -> Path:
        p = d / name
        p.write_bytes(data)
        return p

    out.append(("floor: a 2-row CSV (process start-up)", "monthly",
                put("floor.csv", "项目代码,报告期,本年累计完成投资(万元)\nA1,2022-10,1\nA2,2022-10,2\n".encode()), False))
    out.append(("xlsx: one cell at XFD1048576", "monthly", put("sparse.xlsx", H.xlsx_sparse()), True))
    out.append(("xlsx bomb: 1M rows × 10 (10M cells)", "monthly", put("bomb_tall.xlsx", H.xlsx_bomb_tall()), True))
    out.append(("xlsx bomb: 1,000 rows × 10,000 (10M cells)", "monthly", put("bomb_wide.xlsx", H.xlsx_bomb_wide()), True))
    out.append(("xlsx: 150,000 rows × 3", "monthly", put("rows_over_cap.xlsx", H.xlsx_rows_over_cap()), True))
    out.append(("xlsx: 99,000 rows × 40 (3.96M cells)", "monthly", put("cells_over_cap.xlsx", H.xlsx_cells_over_cap()), True))
    out.append(("xlsx: 5M shared strings", "monthly", put("sst_bomb.xlsx", H.xlsx_shared_strings_bomb()), True))
    out.append(("xlsx: entity expansion (billion laughs)", "monthly", put("laughs.xlsx", H.xlsx_billion_laughs()), True))
    out.append(("csv: 49 MB of commas", "monthly", put("commas.csv", H.csv_commas()), False))
    out.append(("csv: 1,000,000 bad rows", "monthly", put("rows.csv", H.csv_many_rows()), False))
    out.append(("geojson: 75 MB", "geo", H.geojson_big(d / "big.geojson"), False))
    for name, text in H.geojson_malformed().items():
        p = d / f"{name}.geojson"
        p.write_text(text, encoding="utf-8")
        out.append((f"geojson: {name.replace('_', ' ')}", "geo", p, False))
    return out


def _run(cmd: list[str], env: dict) -> tuple[float, float, float, int, str]:
    proc = subprocess.run([GNU_TIME, "-v", *cmd], capture_output=True, text=True, env=env, cwd=ROOT)
    err = proc.stderr
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", err)
    secs = (int(wall.group(1) or 0) * 3600 + int(wall.group(2)) * 60 + float(wall.group(3))) if wall else float("nan")
    user = re.search(r"User time \(seconds\): ([\d.]+)", err)
    system = re.search(r"System time \(seconds\): ([\d.]+)", err)
    cpu = float(user.group(1)) + float(system.group(1)) if user and system else float("nan")
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", err)
    mb = int(rss.group(1)) / 1024 if rss else float("nan")
    code = re.search(r"Exit status: (\d+)", err)
    rc = int(code.group(1)) if code else proc.returncode
    message = ""
    for line in (proc.stdout + "\n" + err).splitlines():
        m = re.search(r'"message": "(.*)"', line)
        if m:
            message = m.group(1)
            break
    if not message:
        message = next((ln.strip() for ln in err.splitlines() if ln.strip() and "Command being timed" not in ln), "")
    return secs, cpu, mb, rc, message


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--keep", help="build the files into this directory and keep them")
    args = ap.parse_args()
    if not os.path.exists(GNU_TIME):
        print("GNU time is missing: install the Debian package `time` (apt-get install time); "
              "bash's builtin `time` cannot report peak memory.", file=sys.stderr)
        return 2
    d = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="hostile_"))
    d.mkdir(parents=True, exist_ok=True)
    try:
        env = dict(os.environ, COCKPIT_DB_URL=f"sqlite:///{d / 'bench.db'}")
        env.pop("COCKPIT_DEBUG", None)
        py = sys.executable
        subprocess.run([py, "-m", "lib.cli", "init"], check=True, env=env, cwd=ROOT, capture_output=True)
        print(f"building hostile files in {d} …", flush=True)
        files = _files(d)
        print(f"{'file':44s} {'size':>9s} {'wall s':>7s} {'cpu s':>6s} {'+cpu':>6s} {'MB':>5s} {'exit':>4s}  message")
        worst_s = worst_mb = worst_extra = 0.0
        floor_cpu = None
        for label, what, path, targeted in files:
            if what == "geo":
                cmd = [py, "-m", "lib.cli", "import-boundaries", str(path), "--code-field", "code"]
            else:
                cmd = [py, "-m", "lib.cli", "import", what, str(path), "--dry-run"]
            secs, cpu, mb, rc, msg = _run(cmd, env)
            if floor_cpu is None:
                floor_cpu = cpu
            extra = cpu - floor_cpu
            size = path.stat().st_size
            size_s = f"{size / 1024:.0f} KB" if size < 10 * 1024 * 1024 else f"{size / 1024 / 1024:.0f} MB"
            flag = ""
            if targeted:
                worst_s, worst_mb, worst_extra = max(worst_s, secs), max(worst_mb, mb), max(worst_extra, extra)
                flag = "" if secs <= TARGET_S and mb <= TARGET_MB and rc == 1 else "  <-- OVER TARGET"
            print(f"{label:44s} {size_s:>9s} {secs:7.2f} {cpu:6.2f} {extra:6.2f} {mb:5.0f} {rc:>4d}  {msg[:60]}{flag}",
                  flush=True)
        print(f"xlsx bombs and sparse sheets: worst {worst_s:.2f} s wall, {worst_extra:.2f} CPU s above the "
              f"floor, {worst_mb:.0f} MB (target ≤ {TARGET_S:.0f} s, ≤ {TARGET_MB:.0f} MB)")
        print("wall s: elapsed; cpu s: user+system of the process; +cpu: above the floor row (the start-up's "
              "imports), i.e. what the file itself cost")
        try:
            load = os.getloadavg()
            print(f"load average during the run: {load[0]:.1f} (on {os.cpu_count()} cores)")
        except OSError:
            pass
    finally:
        if not args.keep:
            shutil.rmtree(d, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
