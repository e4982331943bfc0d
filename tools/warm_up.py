"""Run the app's script once, signed out, as soon as a freshly started server answers — before any
tablet does. ``python tools/warm_up.py PORT [HOST]`` (systemd's ExecStartPost, ``make run``, and the
browser tests' conftest.serve).

Why: with a pages/ folder beside app.py, Streamlit judges the first script run of a process in its
legacy pages/-folder mode, before app.py runs, and that mode knows only the file names (map, league…),
not the frame's url paths (project-map, ranking…). A link to an inner page opened by the very first
visitor after a start would get Streamlit's English "Page not found" dialog over the sign-in form.
The first st.navigation call of the process ends that mode for good; app.py makes one on every run,
signed out too, so one run of our own (Streamlit's script health check, enabled in
.streamlit/config.toml) is enough. Standard library only; nothing leaves the machine.
"""
from __future__ import annotations

import sys
import time
import urllib.error
import urllib.request

TIMEOUT_S = 180.0


def _get(url: str, timeout: float) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read(200).decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(200).decode("utf-8", "replace")


def warm_up(base: str, timeout: float = TIMEOUT_S) -> str:
    """Wait until the server at ``base`` answers, then have it run the script once. Returns Streamlit's
    answer ("ok"); raises RuntimeError if the server never answers or the check is not enabled."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if _get(f"{base}/_stcore/health", 2)[0] == 200:
                break
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{base} did not answer /_stcore/health")
        time.sleep(0.5)
    status, text = _get(f"{base}/_stcore/script-health-check", max(5.0, deadline - time.monotonic()))
    if status == 404:
        raise RuntimeError("server.scriptHealthCheckEnabled is off (.streamlit/config.toml)")
    if status != 200:  # the script failed (a store not set up, …): the page will say why
        raise RuntimeError(f"the warm-up run answered {status}: {text.strip()}")
    return text.strip()


def main(argv: list[str]) -> int:
    if not argv or not argv[0].isdigit():
        print("usage: python tools/warm_up.py PORT [HOST]", file=sys.stderr)
        return 2
    host = argv[1] if len(argv) > 1 else "127.0.0.1"
    try:
        print(f"warm-up: {warm_up(f'http://{host}:{argv[0]}')}")
    except (RuntimeError, OSError) as exc:
        print(f"warm-up: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
