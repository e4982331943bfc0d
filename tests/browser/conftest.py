"""Real-browser fixtures: a running ``streamlit run app.py`` on a demo store bound to 127.0.0.1, and
Debian's Chromium driven by Playwright. Every request the page makes is recorded; a request to any
host other than 127.0.0.1/localhost fails the test.

Never ``playwright install``: the browser is /usr/bin/chromium (make test installs it with apt-get).
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("COCKPIT_CHROMIUM", "/usr/bin/chromium")
SHOTS = ROOT / "artifacts" / "screenshots"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
    "--use-gl=swiftshader",
    "--enable-unsafe-swiftshader",
]
DEMO_PASSWORD = "demo12345"
WAIT_MS = 180_000  # the bound of every condition wait (Playwright and expect); sign-in took 111 s at load 30

pytestmark = pytest.mark.browser


def _require_chromium():
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("CI"):
        pytest.fail(f"Chromium not found at {CHROMIUM} (make test installs it with apt-get)")
    pytest.skip(f"Chromium not found at {CHROMIUM}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_health(base: str, proc: subprocess.Popen, timeout: float = 180) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise TimeoutError("streamlit did not answer /_stcore/health in time")


def serve(url: str, log_path: Path, root: Path = ROOT, warm: bool = True) -> tuple[str, subprocess.Popen]:
    """Serve app.py of ``root`` on the store at ``url``, on a free port of 127.0.0.1, with the offline
    flags; returns (base URL, process) once the server answers its health check and — as deployed
    (systemd's ExecStartPost, make run) — has run the script once signed out (tools/warm_up.py: the
    first run of a process is judged in Streamlit's legacy pages/-folder mode)."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py",
         "--server.address", "127.0.0.1", "--server.port", str(port), "--server.headless", "true",
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=root, env=dict(os.environ, COCKPIT_DB_URL=url), stdout=open(log_path, "w"), stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_health(base, proc)
        if warm:
            from tools.warm_up import warm_up

            warm_up(base)
    except Exception:
        proc.terminate()
        raise
    return base, proc


def start_app(db_path: Path, log_path: Path) -> tuple[str, subprocess.Popen]:
    """Create the demo store at db_path and serve app.py on a free port of 127.0.0.1."""
    url = f"sqlite:///{db_path}"
    subprocess.run([sys.executable, "-m", "lib.cli", "init", "--demo"], cwd=ROOT, check=True,
                   capture_output=True, env=dict(os.environ, COCKPIT_DB_URL=url))
    return serve(url, log_path)


APP = {}  # the served app's store path, for tests that look at what a page wrote


@pytest.fixture(scope="session")
def app_server(tmp_path_factory):
    """Base URL of the cockpit served on 127.0.0.1 with the demo data loaded
    (its SQLite file is APP["db"])."""
    _require_chromium()
    tmp = tmp_path_factory.mktemp("app")
    APP["db"] = tmp / "cockpit.db"
    base, proc = start_app(tmp / "cockpit.db", tmp / "streamlit.log")
    yield base
    stop_app(proc)


def stop_app(proc: subprocess.Popen) -> None:
    """Stop a server started by serve/start_app (killed when it does not stop within 10 s)."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="session")
def chromium():
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class RecordedPage:
    """A Playwright page plus the list of every URL it requested."""

    def __init__(self, page, requests: list[str]):
        self.page = page
        self.requests = requests

    def outside_requests(self) -> list[str]:
        bad = []
        for url in self.requests:
            parsed = urlparse(url)
            if parsed.scheme in ("data", "blob", "about", "chrome-extension"):
                continue
            if (parsed.hostname or "") not in LOCAL_HOSTS:
                bad.append(url)
        return bad

    def screenshot(self, name: str) -> Path:
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=False)
        return path


@pytest.fixture
def browser_page(chromium):
    """Factory: ``browser_page(width, height)`` → RecordedPage. At teardown, fails if any request
    left 127.0.0.1/localhost."""
    contexts = []
    pages: list[RecordedPage] = []

    def make(width: int = 1180, height: int = 820) -> RecordedPage:
        context = chromium.new_context(viewport={"width": width, "height": height}, locale="zh-CN",
                                       device_scale_factor=1)
        contexts.append(context)
        requests: list[str] = []
        context.on("request", lambda req: requests.append(req.url))
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        page.set_default_navigation_timeout(WAIT_MS)
        rp = RecordedPage(page, requests)
        pages.append(rp)
        return rp

    yield make
    outside = [u for rp in pages for u in rp.outside_requests()]
    for c in contexts:
        c.close()
    assert not outside, f"requests left the machine: {outside[:10]}"


MAIN = '[data-testid="stMain"]'
# Every wait is on a condition and returns as soon as it holds; the bound is generous because the
# machine is shared and often loaded (the first page of a fresh server imports and computes a lot).
expect.set_options(timeout=WAIT_MS)


def wait_app_idle(page, timeout: float = WAIT_MS) -> None:
    """Wait until Streamlit is connected, has finished running the script (as Streamlit's own e2e
    suite does: data-test-connection-state / data-test-script-state on stApp) and shows something.
    This is a settle point, not proof that a rerun happened: tests assert what they expect to see
    with ``expect(...)``, which waits for it."""
    page.wait_for_function(
        """() => {
          const app = document.querySelector('[data-testid="stApp"]');
          const main = document.querySelector('[data-testid="stMain"]');
          return app && app.dataset.testConnectionState === "CONNECTED"
            && app.dataset.testScriptState === "notRunning"
            && main && main.innerText.trim().length > 0;
        }""",
        timeout=timeout,
    )


def poll(condition, timeout: float = WAIT_MS / 1000, every: float = 0.25, message: str = "condition"):
    """Call ``condition()`` until it returns something truthy (which is returned); fail after
    ``timeout`` seconds. For conditions Playwright cannot express (pixels drawn by WebGL)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {message}")
        time.sleep(every)


def next_frame(page) -> None:
    """Wait until the browser has painted twice (after a scroll, before a screenshot)."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def sign_in(rp: RecordedPage, base: str, user: str = "leader", password: str = DEMO_PASSWORD, path: str = "/") -> None:
    page = rp.page
    page.goto(base + path)
    expect(page.locator(".st-key-login_user input")).to_be_visible()
    page.locator(".st-key-login_user input").fill(user)
    page.locator(".st-key-login_password input").fill(password)
    page.locator(".st-key-login_submit button").click()
    expect(page.locator(".st-key-login_user")).to_have_count(0)
    wait_app_idle(page)


def tap_sign_in(page, base: str, user: str = "leader", password: str = DEMO_PASSWORD) -> str:
    """Sign in on a touch page as a person would (the form filled once the app is idle, 登录 tapped);
    returns the URL query the frame keeps (its sign-in token), to open other pages with."""
    page.goto(base)
    wait_app_idle(page)
    page.locator(".st-key-login_user input").fill(user)
    page.locator(".st-key-login_password input").fill(password)
    page.locator(".st-key-login_submit button").tap()
    expect(page.locator(".st-key-login_user")).to_have_count(0)
    wait_app_idle(page)
    return page.url.split("?", 1)[1] if "?" in page.url else ""


def open_signed_in(page, base: str, path: str, user: str = "leader") -> None:
    """Sign in by tap as ``user``, then open the page at ``path`` with the sign-in token."""
    query = tap_sign_in(page, base, user)
    page.goto(f"{base}/{path}?{query}")
    wait_app_idle(page)


def shot(page, name: str) -> None:
    """A screenshot of the viewport in artifacts/screenshots/<name>.png."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


@pytest.fixture
def touch_page(chromium):
    """A maker of tablet pages: ``touch_page(width, height)`` opens a fresh touch context (closed after
    the test) at that viewport."""
    contexts = []

    def make(width: int, height: int):
        ctx = chromium.new_context(viewport={"width": width, "height": height}, locale="zh-CN",
                                   device_scale_factor=1, has_touch=True, is_mobile=False)
        contexts.append(ctx)
        page = ctx.new_page()
        page.set_default_timeout(WAIT_MS)
        return page

    yield make
    for ctx in contexts:
        ctx.close()


def goto_page(rp: RecordedPage, base: str, url_path: str) -> None:
    """Open another page of the app keeping the sign-in token the frame keeps in the URL."""
    from urllib.parse import urlparse as _p

    query = _p(rp.page.url).query
    rp.page.goto(f"{base}/{url_path.lstrip('/')}" + (f"?{query}" if query else ""))
    wait_app_idle(rp.page)
