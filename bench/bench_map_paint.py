"""Benchmark: the map's time to first paint in a software-rendered Chromium (SwiftShader, as the
test machine and many intranet PCs draw), at both tablet sizes, and where that time goes.

For RUNS fresh browser sessions each (signed in first, then the map page opened by its address):
- canvas  — from the page request until the deck.gl canvas exists
- painted — until a quarter of the map box differs from the background (polygons drawn; with
            ``--share`` lower for a store whose regions have no boundary)
and, measured inside the page from its navigation start (WebGL calls wrapped by an init script):
- server  — Streamlit's script run finished (its last change from running to not running)
- chunk   — Streamlit's deck.gl chunk (DeckGlJsonChart-*.js, ~3 MB) received
- gl      — the WebGL context created (the chunk parsed and run, the deck JSON converted)
- draw1   — the first draw call;   draws — draw calls until painted
- shader  — time inside compileShader/linkProgram/getProgramParameter/getShaderParameter
- upload  — time inside bufferData/bufferSubData/texImage2D/texSubImage2D
- long    — long tasks (> 50 ms) on the page's main thread, summed
Prints each run, the medians and the load average. Starts its own ``streamlit run app.py`` on a
free port of 127.0.0.1 on a fresh demo store (or on ``--db URL``, an existing store, or uses
BASE_URL when given). ``--against REV`` also serves that git revision of the app (``git archive``
into a temporary folder, the same store kind) and alternates the runs between the two, so that
both see the same load on a shared machine: before/after figures side by side. Never fails: it
prints figures.

Measured on the demo at 1180x820 (2026-12-02, load average 7-11 from a CI run beside it; medians of
4-5 runs, noisy to about +-1 s): the page painted at 4.9-6.8 s with the server done at ~1 s and the
first WebGL draw at ~2-2.4 s. Without the county-name TextLayer 3.7 s (alone) and 4.38 vs 5.02 s
(alternated with --against): the labels cost ~0.6-1.2 s, mostly main-thread long tasks. Without the
pick warm-up 4.61 vs 4.93 s, without auto-highlight no gain: both within the noise. An explicit
characterSet (the names' own characters) with a 32-px atlas: 6.22 vs 6.80 s alternated, no clear gain.
About 2-3 s of long tasks remain after the first draw with the labels off.

2026-12-03: a Chromium trace of the remaining time showed it is not JavaScript: one ~2.7 s task whose
Commit waits in GLES2::ReadPixels for the GPU process (SwiftShader executing the first frame's
commands; software compositing reads the WebGL canvas back). The TextLayer's two programs (text and
its background box) were most of it: dropping it alone took the demo from 5.1 to 2.9 s (1180x820) and
4.8 to 3.0 s (820x1180); dropping the outlines too gained nothing. The names are now HTML over a
fixed view. Alternated with ``--against`` the previous main (medians of 4 runs, load 3.6-6): painted
3.23 s against 5.23 s at 1180x820, 3.58 s against 6.38 s at 820x1180 (first draw 1.58 against 1.84 s,
long tasks 1.86 against 3.86 s).

    .venv/bin/python -m bench.bench_map_paint [RUNS] [--db URL --user NAME --password PW] [--share 0.25]
                                              [--against REV]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser.conftest import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    DEMO_PASSWORD,
    start_app,
    wait_app_idle,
)
from tests.browser.test_map_browser import MAP, non_background_share  # noqa: E402

# wraps getContext and the WebGL2 calls that cost time in a software renderer; counts and sums them
INSTRUMENT = """(() => {
  const S = window.__gl = {calls: {}, marks: {}, long: 0};
  const mark = (k) => { if (!(k in S.marks)) S.marks[k] = performance.now(); };
  const getContext = HTMLCanvasElement.prototype.getContext;
  HTMLCanvasElement.prototype.getContext = function (type, ...rest) {
    if (type === 'webgl2' || type === 'webgl') mark('gl');
    return getContext.call(this, type, ...rest);
  };
  const P = window.WebGL2RenderingContext && WebGL2RenderingContext.prototype;
  const names = ['compileShader', 'linkProgram', 'getProgramParameter', 'getShaderParameter', 'drawArrays',
                 'drawElements', 'drawArraysInstanced', 'drawElementsInstanced', 'readPixels', 'bufferData',
                 'bufferSubData', 'texImage2D', 'texSubImage2D'];
  for (const name of names) {
    const orig = P && P[name];
    if (!orig) continue;
    P[name] = function (...a) {
      const t = performance.now();
      const r = orig.apply(this, a);
      const c = S.calls[name] || (S.calls[name] = [0, 0]);
      c[0] += 1; c[1] += performance.now() - t;
      if (name.startsWith('draw')) mark('draw1');
      return r;
    };
  }
  try {
    new PerformanceObserver(l => { for (const e of l.getEntries()) S.long += e.duration; })
      .observe({type: 'longtask', buffered: true});
  } catch (e) {}
  // the script run: when Streamlit last went from running to not running (the page's server time)
  let ran = false;
  const watch = () => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app) { setTimeout(watch, 20); return; }
    new MutationObserver(() => {
      const st = app.dataset.testScriptState;
      if (st === 'running') ran = true;
      else if (st === 'notRunning' && ran) S.marks.idle = performance.now();
    }).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
  };
  document.addEventListener('DOMContentLoaded', watch);
})();"""

READ = """() => {
  const S = window.__gl || {calls: {}, marks: {}, long: 0};
  const sum = (names) => names.reduce((a, n) => a + ((S.calls[n] || [0, 0])[1]), 0);
  const count = (names) => names.reduce((a, n) => a + ((S.calls[n] || [0, 0])[0]), 0);
  const chunk = performance.getEntriesByType('resource').find(e => e.name.includes('DeckGlJsonChart'));
  return {
    idle: S.marks.idle ?? null,
    chunk: chunk ? chunk.responseEnd : null,
    gl: S.marks.gl ?? null,
    draw1: S.marks.draw1 ?? null,
    draws: count(['drawArrays', 'drawElements', 'drawArraysInstanced', 'drawElementsInstanced']),
    shader: sum(['compileShader', 'linkProgram', 'getProgramParameter', 'getShaderParameter']),
    upload: sum(['bufferData', 'bufferSubData', 'texImage2D', 'texSubImage2D']),
    long: S.long,
  };
}"""

KEYS = ("server", "canvas", "painted", "chunk", "gl", "draw1", "shader", "upload", "long")


def painted_share(page) -> float:
    box = page.locator(MAP).first.bounding_box()
    if not box:
        return 0.0
    return non_background_share(page.screenshot(), box)


def sign_in(page, base: str, user: str, password: str) -> str:
    page.goto(base)
    wait_app_idle(page)
    page.locator(".st-key-login_user input").fill(user)
    page.locator(".st-key-login_password input").fill(password)
    page.locator(".st-key-login_submit button").click()
    page.wait_for_selector(".st-key-login_user", state="detached")
    wait_app_idle(page)
    return page.url.split("?", 1)[1] if "?" in page.url else ""


def one_run(browser, base: str, size: tuple[int, int], user: str, password: str, share: float) -> dict:
    ctx = browser.new_context(viewport={"width": size[0], "height": size[1]}, locale="zh-CN", has_touch=True,
                              device_scale_factor=1)
    ctx.add_init_script(INSTRUMENT)
    page = ctx.new_page()
    page.set_default_timeout(180000)
    query = sign_in(page, base, user, password)
    t0 = time.perf_counter()
    page.goto(f"{base}/project-map?{query}")
    page.wait_for_selector(f"{MAP} canvas")
    t_canvas = time.perf_counter() - t0
    page.locator(MAP).first.scroll_into_view_if_needed()
    while painted_share(page) < share and time.perf_counter() - t0 < 180:
        page.wait_for_timeout(100)
    t_paint = time.perf_counter() - t0
    wait_app_idle(page)
    inside = page.evaluate(READ)
    t_server = inside["idle"] / 1000.0 if inside["idle"] is not None else float("nan")
    ctx.close()
    ms = lambda v: None if v is None else v / 1000.0
    return {"server": t_server, "canvas": t_canvas, "painted": t_paint, "chunk": ms(inside["chunk"]),
            "gl": ms(inside["gl"]), "draw1": ms(inside["draw1"]), "draws": inside["draws"],
            "shader": ms(inside["shader"]), "upload": ms(inside["upload"]), "long": ms(inside["long"])}


def fmt(r: dict) -> str:
    f = lambda k: "—" if r.get(k) is None else f"{r[k]:.2f}"
    return (f"server {f('server')} · canvas {f('canvas')} · painted {f('painted')} s | in page: chunk {f('chunk')}"
            f" · gl {f('gl')} · draw1 {f('draw1')} s, {r.get('draws', 0):.0f} draws, shader {f('shader')} s, "
            f"upload {f('upload')} s, long tasks {f('long')} s")


def load_avg() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def checkout(rev: str, into: Path) -> Path:
    """The app at git revision ``rev`` in ``into``/app (``git archive``), with ../shared beside it."""
    app = into / "app"
    app.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", rev], cwd=ROOT, check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(app)], input=archive, check=True)
    shared = ROOT.parent / "shared"
    if shared.exists():
        (into / "shared").symlink_to(shared.resolve())
    return app


def serve_store(url: str | None, log_path: Path, root: Path = ROOT):
    """``streamlit run app.py`` of ``root`` on an existing store, or (``url`` None) on a fresh demo
    store beside the log."""
    from tests.browser.conftest import serve

    if url is None:
        url = f"sqlite:///{log_path.parent / (log_path.stem + '.db')}"
        subprocess.run([sys.executable, "-m", "lib.cli", "init", "--demo"], cwd=root, check=True,
                       capture_output=True, env=dict(os.environ, COCKPIT_DB_URL=url))
    return serve(url, log_path, root)


def main(argv=None) -> int:
    from playwright.sync_api import sync_playwright

    ap = argparse.ArgumentParser()
    ap.add_argument("runs", nargs="?", type=int, default=3)
    ap.add_argument("--db", help="an existing store's URL (else a fresh demo store)")
    ap.add_argument("--user", default="leader")
    ap.add_argument("--password", default=os.environ.get("COCKPIT_BENCH_PASSWORD", DEMO_PASSWORD))
    ap.add_argument("--share", type=float, default=0.25, help="share of the map box drawn that counts as painted")
    ap.add_argument("--sizes", default="1180x820,820x1180")
    ap.add_argument("--against", metavar="REV", help="also serve this git revision; alternate the runs")
    args = ap.parse_args(argv)
    sizes = [tuple(int(v) for v in s.split("x")) for s in args.sizes.split(",")]
    procs = []
    tmp = Path(tempfile.mkdtemp())
    targets: list[tuple[str, str]] = []
    if os.environ.get("BASE_URL"):
        targets.append(("this", os.environ["BASE_URL"]))
    elif args.db:
        base, proc = serve_store(args.db, tmp / "this.log")
        targets.append(("this", base))
        procs.append(proc)
    else:
        base, proc = start_app(tmp / "cockpit.db", tmp / "streamlit.log")
        targets.append(("this", base))
        procs.append(proc)
    if args.against:
        root = checkout(args.against, tmp / "against")
        base, proc = serve_store(args.db, tmp / "against.log", root)
        targets.append((args.against, base))
        procs.append(proc)
    print(f"load average before: {load_avg()}", flush=True)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            # one session on each first: the server's first run of the page (imports, lights, league,
            # deck JSON) is not the browser's time
            for _, base in targets:
                one_run(browser, base, sizes[0], args.user, args.password, args.share)
            for size in sizes:
                res: dict[str, list[dict]] = {name: [] for name, _ in targets}
                for i in range(args.runs):
                    order = targets if i % 2 == 0 else targets[::-1]
                    for name, base in order:
                        r = one_run(browser, base, size, args.user, args.password, args.share)
                        res[name].append(r)
                        print(f"{size[0]}x{size[1]} [{name}] run {i + 1}: {fmt(r)}  (load {load_avg()})", flush=True)
                for name, _ in targets:
                    rs = res[name]
                    med = {k: statistics.median(r[k] for r in rs if r.get(k) is not None)
                           for k in (*KEYS, "draws") if any(r.get(k) is not None for r in rs)}
                    print(f"{size[0]}x{size[1]} [{name}] median of {len(rs)}: {fmt(med)}", flush=True)
            browser.close()
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=10)
    print(f"load average after: {load_avg()}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
