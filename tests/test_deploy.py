"""Deployment: the nginx site in deploy/ passes ``nginx -t``, and two replicas behind it on one
PostgreSQL store (a schema of the test's own) stay consistent — a problem raised through replica A
is counted at once by a session pinned (by the route cookie) to replica B.

The sessions speak Streamlit's websocket protocol (bench/load.Session). Skipped when nginx is not
installed (``make test`` installs it as root) or PostgreSQL does not answer.
"""
from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
import uuid

import pytest
from sqlalchemy import text

from lib import store
from tests.conftest import PG_URL, ROOT, _drop_pg_schema, pg_reachable
from tools.warm_up import warm_up

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
SITE = ROOT / "deploy" / "nginx" / "cockpit.conf"


def _need_nginx():
    if NGINX is None:
        pytest.skip("nginx is not installed (make test installs it when run as root)")


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _conf(tmp, listen: int, upstreams: list[int], mark_replica: bool = False) -> str:
    """A whole nginx.conf around deploy/nginx/cockpit.conf (ports swapped for free ones)."""
    site = SITE.read_text(encoding="utf-8")
    site = re.sub(r"listen 80;", f"listen 127.0.0.1:{listen};", site)
    servers = "\n".join(f"    server 127.0.0.1:{p} max_fails=3 fail_timeout=10s;" for p in upstreams)
    site = re.sub(r"(    server 127\.0\.0\.1:850\d [^\n]*\n)+", servers + "\n", site)
    if mark_replica:  # the test (only) learns which replica answered a request
        site = site.replace("client_max_body_size 100m;",
                            "client_max_body_size 100m;\n    add_header X-Test-Replica $upstream_addr always;")
    for d in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp / d).mkdir(exist_ok=True)
    user = "user root;\n" if os.geteuid() == 0 else ""
    return f"""{user}worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log {tmp}/access.log;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
{site}
}}
"""


def test_nginx_site_passes_nginx_t(tmp_path):
    _need_nginx()
    conf = tmp_path / "nginx.conf"
    conf.write_text(_conf(tmp_path, _free_port(), [8501, 8502]))
    proc = subprocess.run([NGINX, "-t", "-p", str(tmp_path), "-c", str(conf)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "syntax is ok" in proc.stderr and "test is successful" in proc.stderr
    # what the site promises, in the file itself
    site = SITE.read_text(encoding="utf-8")
    for needle in ("proxy_set_header Upgrade", "proxy_read_timeout 86400s", "client_max_body_size",
                   "X-Frame-Options", "Content-Security-Policy", "location = /_stcore/metrics",
                   "hash $cockpit_route consistent", "cockpit_route="):
        assert needle in site, needle


def _start_replica(url: str, port: int, log):
    env = dict(os.environ, COCKPIT_DB_URL=url)
    return subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.address", "127.0.0.1",
         "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def _get(url: str, cookie: str | None = None):
    req = urllib.request.Request(url, headers={"Cookie": f"cockpit_route={cookie}"} if cookie else {})
    with urllib.request.urlopen(req, timeout=10) as r:
        return r.status, dict(r.headers), r.read()


def _wait(url: str, procs, timeout: float = 120) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        for p in procs:
            assert p.poll() is None, "a replica exited"
        try:
            if _get(url)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise TimeoutError(url)


@pytest.fixture
def replicas(tmp_path):
    _need_nginx()
    if not pg_reachable():
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL at 127.0.0.1:5432 is not reachable in CI")
        pytest.skip("PostgreSQL at 127.0.0.1:5432 is not reachable")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = store.make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    subprocess.run([sys.executable, "-m", "lib.cli", "init", "--demo"], cwd=ROOT, check=True, capture_output=True,
                   env=dict(os.environ, COCKPIT_DB_URL=url))
    ports = [_free_port(), _free_port()]
    listen = _free_port()
    log = open(tmp_path / "replicas.log", "w")
    procs = [_start_replica(url, p, log) for p in ports]
    conf = tmp_path / "nginx.conf"
    conf.write_text(_conf(tmp_path, listen, ports, mark_replica=True))
    nginx = subprocess.Popen([NGINX, "-p", str(tmp_path), "-c", str(conf), "-g", "daemon off;"],
                             stdout=log, stderr=subprocess.STDOUT)
    try:
        for p in ports:
            _wait(f"http://127.0.0.1:{p}/_stcore/health", procs)
            warm_up(f"http://127.0.0.1:{p}")  # as the unit's ExecStartPost does
        _wait(f"http://127.0.0.1:{listen}/_stcore/health", procs + [nginx])
        yield f"http://127.0.0.1:{listen}", ports
    finally:
        nginx.terminate()
        for p in procs:
            p.terminate()
        for p in procs + [nginx]:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
        log.close()
        _drop_pg_schema(schema)


def _cookie_for(base: str, port: int) -> str:
    """A route cookie value that nginx sends to the replica on ``port``."""
    for i in range(200):
        value = f"route{i}"
        _status, headers, _ = _get(f"{base}/_stcore/health", cookie=value)
        if headers.get("X-Test-Replica", "").endswith(f":{port}"):
            return value
    raise AssertionError(f"no route cookie reaches port {port}")


def test_two_replicas_behind_nginx_share_every_write(replicas):
    sys.path.insert(0, str(ROOT))
    from streamlit.proto.WidgetStates_pb2 import WidgetStates

    from bench.load import Session

    base, (port_a, port_b) = replicas
    status, headers, _ = _get(f"{base}/")
    assert status == 200 and headers.get("X-Frame-Options") == "DENY"
    assert "frame-ancestors 'none'" in headers.get("Content-Security-Policy", "")
    for inner in ("/_stcore/metrics", "/_stcore/script-health-check"):
        try:
            _get(f"{base}{inner}")
            raise AssertionError(f"{inner} answered through nginx")
        except urllib.error.HTTPError as exc:
            assert exc.code == 404
    cookie_a, cookie_b = _cookie_for(base, port_a), _cookie_for(base, port_b)
    ws_url = base.replace("http://", "ws://") + "/_stcore/stream"

    def count(texts) -> int:
        for t in texts:
            m = re.search(r"当前筛选共 (\d+) 个问题", t)
            if m:
                return int(m.group(1))
        raise AssertionError(f"no problem count on the page: {texts[:12]}")

    async def scenario():
        a, b = Session(ws_url, base, 120), Session(ws_url, base, 120)
        await a.connect({"Cookie": f"cockpit_route={cookie_a}"})
        await b.connect({"Cookie": f"cockpit_route={cookie_b}"})
        try:
            for s in (a, b):
                assert await s.sign_in("office", "demo12345") == []
            assert await b.run(page_hash=b.pages["problem-list"]) == []
            before = count(b.texts)
            assert await a.run(page_hash=a.pages["problem-list"]) == []
            assert count(a.texts) == before
            # replica A: raise a problem through the page's form (the defaults, plus a description)
            ws = WidgetStates()
            w = ws.widgets.add()
            w.id = a.widgets["pb_new_desc"]
            w.string_value = "两副本测试:用地手续待办"
            w = ws.widgets.add()
            w.id = a.widgets["pb_new_submit"]
            w.trigger_value = True
            assert await a.run(page_hash=a.pages["problem-list"], widget_states=ws) == []
            assert count(a.texts) == before + 1, a.texts[:8]
            # replica B (another process, its own caches): the next run counts it
            assert await b.run(page_hash=b.pages["problem-list"]) == []
            assert count(b.texts) == before + 1
        finally:
            await a.close()
            await b.close()

    # in a thread of its own: the session's Playwright (browser tests) keeps an event loop running in
    # this thread, and asyncio.run refuses to start a second one here
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, scenario()).result()


def test_every_way_of_serving_warms_up_after_a_start():
    """The first run of a process is judged in Streamlit's legacy pages/-folder mode ("Page not found"
    for a deep link, element ids of the other mode): systemd, make run and the browser tests' serve run
    app.py once through the script health check before any browser (tools/warm_up.py)."""
    unit = (ROOT / "deploy" / "systemd" / "cockpit@.service").read_text()
    assert "ExecStartPost=-/opt/cockpit/.venv/bin/python tools/warm_up.py %i" in unit
    assert "scriptHealthCheckEnabled = true" in (ROOT / ".streamlit" / "config.toml").read_text()
    assert "tools/warm_up.py $(PORT) &" in (ROOT / "Makefile").read_text()
    assert "warm_up(base)" in (ROOT / "tests" / "browser" / "conftest.py").read_text()
