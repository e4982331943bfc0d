"""Load: N real sessions against a running cockpit server, speaking Streamlit's own websocket
protocol (the BackMsg/ForwardMsg protobufs the browser sends and receives).

Each session connects to ``/_stcore/stream``, signs in through the sign-in form (the form's widget
ids are read from the page the server sends, then the user name, password and the submit trigger
are sent back as widget states, as the browser does), then visits overview → map → league → list →
problems, with a random think time (default 3–8 s) before each page. A page's time runs from the
request to the server's ``script_finished`` (every element of the page has then been sent; the
browser's own drawing is not included). An exception element on the page, a run that ends without
finishing, a closed connection or a page slower than ``--timeout`` counts as an error.

While it runs, the server's resident memory (``--pid``, or the process listening on the port) and
the machine's load average are sampled every 0.5 s. It prints p50/p95 per page, errors, the server's
peak RSS, the load average (1-minute: at start, mean and max during the run), and the server's CPU
seconds (all of them, and per page visit: a figure that does not depend on what else the machine runs).

    .venv/bin/python bench/load.py --url http://127.0.0.1:8601 --sessions 10
    .venv/bin/python bench/load.py --sessions 30 --rounds 1 --user office --json out.json

Loopback only: the script refuses a host other than 127.0.0.1/localhost/::1. Bounded: every session
does ``--rounds`` rounds of the five pages, then disconnects.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import time
from dataclasses import dataclass, field
from urllib.parse import urlparse

PAGES = [("overview", "cockpit"), ("map", "project-map"), ("league", "ranking"), ("list", "light-list"),
         ("problems", "problem-list")]
DEFAULT = "cockpit"  # url path of the default page (overview)
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@dataclass
class Result:
    times: dict[str, list[float]] = field(default_factory=dict)
    cpu: dict[str, list[float]] = field(default_factory=dict)  # server CPU s per visit (1 session only)
    errors: list[str] = field(default_factory=list)

    def add(self, page: str, seconds: float) -> None:
        self.times.setdefault(page, []).append(seconds)


class Session:
    """One browser tab, as far as the server can tell."""

    def __init__(self, ws_url: str, origin: str, timeout: float):
        self.ws_url, self.origin, self.timeout = ws_url, origin, timeout
        self.ws = None
        self.widgets: dict[str, str] = {}  # user key → widget id (of the last page drawn)
        self.pages: dict[str, str] = {}  # url path → page script hash
        self.query = ""
        self.texts: list[str] = []  # markdown, captions, alerts of the last run (tests read them)

    async def connect(self, headers: dict | None = None) -> None:
        import websockets

        self.ws = await websockets.connect(
            self.ws_url, subprotocols=["streamlit"], origin=self.origin, max_size=None,
            open_timeout=self.timeout, ping_interval=20, ping_timeout=self.timeout,
            additional_headers=headers or None)

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()

    async def run(self, page_hash: str = "", widget_states=None) -> list[str]:
        """Ask for one script run and read until it finishes; returns the exception texts seen."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ClientState_pb2 import ClientState
        from streamlit.proto.WidgetStates_pb2 import WidgetStates

        msg = BackMsg()
        cs = ClientState(query_string=self.query, page_script_hash=page_hash)
        cs.widget_states.CopyFrom(widget_states or WidgetStates())
        msg.rerun_script.CopyFrom(cs)
        await self.ws.send(msg.SerializeToString())
        return await self._read_until_finished()

    async def _read_until_finished(self) -> list[str]:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        errors: list[str] = []
        self.texts = []
        deadline = time.monotonic() + self.timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no script_finished within {self.timeout:.0f} s")
            raw = await asyncio.wait_for(self.ws.recv(), timeout=left)
            fm = ForwardMsg()
            fm.ParseFromString(raw)
            kind = fm.WhichOneof("type")
            if kind == "delta":
                self._delta(fm.delta, errors)
            elif kind == "navigation":
                for p in fm.navigation.app_pages:
                    self.pages[p.url_pathname] = p.page_script_hash
                    if p.is_default:  # the default page's URL is the bare app URL
                        self.pages[DEFAULT] = p.page_script_hash
            elif kind == "new_session":
                for p in fm.new_session.app_pages:
                    self.pages.setdefault(p.url_pathname, p.page_script_hash)
            elif kind == "page_info_changed":
                self.query = fm.page_info_changed.query_string
            elif kind == "script_finished":
                status = fm.script_finished
                if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    self.texts = []  # st.rerun / st.switch_page: the next run follows and redraws
                    continue
                if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    errors.append("compile error")
                return errors

    def _delta(self, delta, errors: list[str]) -> None:
        if delta.WhichOneof("type") != "new_element":
            return
        el = delta.new_element
        kind = el.WhichOneof("type")
        if kind == "exception":
            errors.append(f"{el.exception.type}: {el.exception.message[:160]}")
            return
        if kind in ("markdown", "alert", "heading"):
            self.texts.append(getattr(getattr(el, kind), "body", ""))
        widget = getattr(el, kind, None) if kind else None
        wid = getattr(widget, "id", "") if widget is not None else ""
        if wid and "-" in wid:
            self.widgets[wid.rsplit("-", 1)[-1]] = wid

    async def sign_in(self, user: str, password: str) -> list[str]:
        from streamlit.proto.WidgetStates_pb2 import WidgetStates

        errors = await self.run()
        needed = ("login_user", "login_password", "login_submit")
        if not all(k in self.widgets for k in needed):
            return errors + ["sign-in form not found"]
        ws = WidgetStates()
        for key, value in (("login_user", user), ("login_password", password)):
            w = ws.widgets.add()
            w.id = self.widgets[key]
            w.string_value = value
        w = ws.widgets.add()
        w.id = self.widgets["login_submit"]
        w.trigger_value = True
        errors += await self.run(widget_states=ws)
        if "s=" not in self.query:
            errors.append("sign-in refused (no token in the URL)")
        return errors


async def one_session(i: int, args, res: Result, start_gate: asyncio.Event) -> None:
    u = urlparse(args.url)
    ws_url = f"{'wss' if u.scheme == 'https' else 'ws'}://{u.netloc}/_stcore/stream"
    s = Session(ws_url, f"{u.scheme}://{u.netloc}", args.timeout)
    rng = random.Random(args.seed * 1000 + i)
    await start_gate.wait()
    await asyncio.sleep(rng.uniform(0, args.ramp))  # people do not all arrive in the same second
    try:
        await s.connect()
        t0, c0 = time.perf_counter(), _cpu_s(args.pid_resolved)
        errs = await s.sign_in(args.user, args.password)
        res.add("sign-in", time.perf_counter() - t0)
        if args.sessions == 1 and c0 is not None:
            res.cpu.setdefault("sign-in", []).append(_cpu_s(args.pid_resolved) - c0)
        if errs:
            res.errors.extend(f"session {i} sign-in: {e}" for e in errs)
            return
        for _round in range(args.rounds):
            for name, path in PAGES:
                await asyncio.sleep(rng.uniform(args.think_min, args.think_max))
                h = s.pages.get(path)
                if h is None:
                    res.errors.append(f"session {i} {name}: no such page in the navigation")
                    continue
                t0, c0 = time.perf_counter(), _cpu_s(args.pid_resolved)
                try:
                    errs = await s.run(page_hash=h)
                except (TimeoutError, asyncio.TimeoutError) as exc:
                    res.add(name, time.perf_counter() - t0)
                    res.errors.append(f"session {i} {name}: {exc}")
                    continue
                res.add(name, time.perf_counter() - t0)
                if args.sessions == 1 and c0 is not None:  # alone on the server: this visit's own CPU
                    res.cpu.setdefault(name, []).append(_cpu_s(args.pid_resolved) - c0)
                res.errors.extend(f"session {i} {name}: {e}" for e in errs)
    except Exception as exc:  # a dropped connection is an error of the run, not of the script
        res.errors.append(f"session {i}: {exc.__class__.__name__}: {exc}")
    finally:
        try:
            await s.close()
        except Exception:
            pass


def _pid_on_port(port: int) -> int | None:
    """The pid of the process listening on ``port`` (from /proc; Linux only)."""
    inodes = set()
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(name) as f:
                next(f)
                for line in f:
                    parts = line.split()
                    if int(parts[1].rsplit(":", 1)[1], 16) == port and parts[3] == "0A":
                        inodes.add(parts[9])
        except OSError:
            pass
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                link = os.readlink(f"/proc/{pid}/fd/{fd}")
                if link.startswith("socket:[") and link[8:-1] in inodes:
                    return int(pid)
        except OSError:
            continue
    return None


def _rss_mb(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _cpu_s(pid: int | None) -> float | None:
    """User + system CPU seconds the process (all its threads) has used so far."""
    if not pid:
        return None
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def _load1() -> float:
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


async def _monitor(pid: int | None, samples: dict, stop: asyncio.Event) -> None:
    while not stop.is_set():
        if pid:
            rss = _rss_mb(pid)
            if rss is not None:
                samples["rss"].append(rss)
        samples["load"].append(_load1())
        try:
            await asyncio.wait_for(stop.wait(), timeout=0.5)
        except asyncio.TimeoutError:
            pass


def pct(values: list[float], q: float) -> float:
    v = sorted(values)
    if not v:
        return float("nan")
    k = (len(v) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)


async def main_async(args) -> dict:
    port = urlparse(args.url).port or 80
    pid = args.pid or _pid_on_port(port)
    args.pid_resolved = pid
    samples = {"rss": [], "load": []}
    stop = asyncio.Event()
    load_start = _load1()
    cpu_start = _cpu_s(pid)
    mon = asyncio.create_task(_monitor(pid, samples, stop))
    res = Result()
    gate = asyncio.Event()
    tasks = [asyncio.create_task(one_session(i, args, res, gate)) for i in range(args.sessions)]
    t0 = time.perf_counter()
    gate.set()
    await asyncio.gather(*tasks)
    wall = time.perf_counter() - t0
    stop.set()
    await mon
    cpu_end = _cpu_s(pid)
    cpu = (cpu_end - cpu_start) if cpu_start is not None and cpu_end is not None else None
    pages = {}
    for name in ["sign-in"] + [p for p, _ in PAGES]:
        v = res.times.get(name, [])
        c = res.cpu.get(name, [])
        pages[name] = {"n": len(v), "p50": pct(v, 0.5), "p95": pct(v, 0.95), "max": max(v) if v else float("nan"),
                       "cpu": statistics.median(c) if c else None}
    every = [x for name, v in res.times.items() if name != "sign-in" for x in v]
    return {
        "sessions": args.sessions, "rounds": args.rounds, "wall_s": wall, "pages": pages,
        "all": {"n": len(every), "p50": pct(every, 0.5), "p95": pct(every, 0.95)},
        "errors": res.errors, "server_pid": pid, "server_cpu_s": cpu,
        "cpu_per_visit_s": (cpu / (len(every) + len(res.times.get("sign-in", []))))
        if cpu is not None and (every or res.times.get("sign-in")) else None,
        "rss_peak_mb": max(samples["rss"]) if samples["rss"] else None,
        "load_start": load_start,
        "load_mean": statistics.mean(samples["load"]) if samples["load"] else None,
        "load_max": max(samples["load"]) if samples["load"] else None,
    }


def report(r: dict) -> None:
    print(f"{r['sessions']} sessions × {r['rounds']} round(s), wall {r['wall_s']:.0f} s, server pid {r['server_pid']}")
    one = any(p.get("cpu") is not None for p in r["pages"].values())
    print(f"{'page':10s} {'n':>4s} {'p50 s':>8s} {'p95 s':>8s} {'max s':>8s}" + ("  server CPU s" if one else ""))
    for name, p in r["pages"].items():
        cpu = f"  {p['cpu']:12.2f}" if p.get("cpu") is not None else ""
        print(f"{name:10s} {p['n']:4d} {p['p50']:8.2f} {p['p95']:8.2f} {p['max']:8.2f}{cpu}")
    a = r["all"]
    print(f"{'all pages':10s} {a['n']:4d} {a['p50']:8.2f} {a['p95']:8.2f}")
    rss = "n/a" if r["rss_peak_mb"] is None else f"{r['rss_peak_mb']:,.0f} MB"
    print(f"errors {len(r['errors'])}; server peak RSS {rss}; load average (1 min) "
          f"start {r['load_start']:.2f}, mean {r['load_mean']:.2f}, max {r['load_max']:.2f}")
    if r.get("server_cpu_s") is not None and r.get("cpu_per_visit_s") is not None:
        print(f"server CPU {r['server_cpu_s']:.1f} s in all, {r['cpu_per_visit_s']:.2f} s per page visit "
              "(sign-ins included; independent of the machine's load)")
    for e in r["errors"][:20]:
        print("  error:", e)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", default="http://127.0.0.1:8501")
    ap.add_argument("--sessions", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=1, help="rounds of the five pages per session")
    ap.add_argument("--user", default="office")
    ap.add_argument("--password", default=os.environ.get("COCKPIT_LOAD_PASSWORD", "demo12345"))
    ap.add_argument("--think-min", type=float, default=3.0)
    ap.add_argument("--think-max", type=float, default=8.0)
    ap.add_argument("--ramp", type=float, default=5.0, help="sessions arrive spread over this many seconds")
    ap.add_argument("--timeout", type=float, default=180.0, help="a page slower than this is an error")
    ap.add_argument("--pid", type=int, help="server pid for RSS (default: the process on the port)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", help="also write the figures to this file")
    args = ap.parse_args(argv)
    host = urlparse(args.url).hostname
    if host not in LOOPBACK:
        print(f"refusing {host}: loopback only", file=sys.stderr)
        return 2
    if not 1 <= args.sessions <= 100 or not 1 <= args.rounds <= 10:
        print("sessions 1..100, rounds 1..10", file=sys.stderr)
        return 2
    r = asyncio.run(main_async(args))
    report(r)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(r, f, ensure_ascii=False, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
