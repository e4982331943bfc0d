"""`make run` serves without asking the outside world anything: Streamlit, listening on 0.0.0.0,
looks up the machine's external IP unless the address users use is set (browser.serverAddress)."""
import os
import re
import subprocess
import time
import urllib.request

import pytest

from tests.browser.conftest import free_port
from tests.conftest import ROOT


def test_make_run_command_starts_without_an_external_lookup(tmp_path):
    port = free_port()
    dry = subprocess.run(["make", "-n", "run", f"PORT={port}", "HOST=cockpit.intranet"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    # the last command `make run` would execute, with its line continuations joined
    joined = dry.replace("\\\n", " ")
    serve = [line for line in joined.splitlines() if "streamlit run app.py" in line][-1]
    assert "--server.address" in serve and "--browser.serverAddress cockpit.intranet" in serve
    assert "--browser.gatherUsageStats false" in serve
    db = tmp_path / "c.db"
    env = dict(os.environ, COCKPIT_DB_URL=f"sqlite:///{db}")
    subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "-m", "lib.cli", "init"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    log = tmp_path / "serve.log"
    with open(log, "w") as fh:
        proc = subprocess.Popen(["bash", "-c", serve], cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT)
    try:
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("server did not start: " + log.read_text())
        # Streamlit prints its URLs once it serves: wait for that line (not for a fixed time)
        deadline = time.monotonic() + 60
        while "URL:" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    text = log.read_text()
    assert re.search(r"URL:.*cockpit\.intranet", text), text
    assert "external IP" not in text and "External URL" not in text, text
