"""The command line of DESIGN.md on a temporary store, on SQLite and PostgreSQL: run in-process
(``lib.cli.main(argv)`` with stdin/stdout/stderr captured, see tests/conftest.run_cli), and once as
a real ``python -m lib.cli`` subprocess to check the entry point and its exit code."""
import os
import sqlite3
import subprocess
import sys

import pytest
from alembic import command
from sqlalchemy import text

from lib import store
from lib.cli import LEAGUE_COLUMNS, LIGHTS_COLUMNS, PROBLEM_COLUMNS
from tests.conftest import ROOT, run_cli


def cli(*args, db=None, url=None, stdin=""):
    """The command line against the SQLite file ``db`` or the store at ``url``."""
    return run_cli(*args, url=url or f"sqlite:///{db}", stdin=stdin)


@pytest.fixture
def empty_url(backend, new_store, tmp_path):
    """An empty store (no schema yet) on SQLite and on PostgreSQL."""
    url, drop = new_store(backend, tmp_path, migrated=False)
    yield url
    store.dispose_all()
    drop()


def rows(url, sql):
    eng = store.make_engine(url)
    try:
        with eng.connect() as conn:
            return conn.execute(text(sql)).fetchall()
    finally:
        eng.dispose()


def one_line_error(proc):
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    return lines[0]


def test_init_creates_then_reports_current(empty_url):
    first = cli("init", url=empty_url)
    assert first.returncode == 0 and "已创建" in first.stdout
    again = cli("init", url=empty_url)
    assert again.returncode == 0 and "已是最新" in again.stdout


def test_missing_store_is_one_line(tmp_path):
    """As a real subprocess: the entry point exits with the code main() returns."""
    env = dict(os.environ, COCKPIT_DB_URL=f"sqlite:///{tmp_path / 'none.db'}")
    env.pop("COCKPIT_DEBUG", None)
    proc = subprocess.run([sys.executable, "-m", "lib.cli", "lights", "--period", "2022-10"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2
    assert "init" in one_line_error(proc)
    assert not (tmp_path / "none.db").exists()


def test_uninitialised_store_is_one_line(empty_url):
    proc = cli("lights", "--period", "2022-10", url=empty_url)
    assert proc.returncode == 2 and "init" in one_line_error(proc)


def test_older_schema_is_one_line_and_init_upgrades(empty_url):
    eng = store.make_engine(empty_url)
    command.upgrade(store._alembic_config(eng), "0001")
    eng.dispose()
    proc = cli("league", "--period", "2022-10", url=empty_url)
    assert proc.returncode == 2 and "结构版本" in one_line_error(proc)
    up = cli("init", url=empty_url)
    assert up.returncode == 0 and "已升级" in up.stdout


@pytest.mark.parametrize("bad", ["2022-13", "202210", "2022/10", "Oct 2022", "2022-1-1"])
def test_bad_period_is_one_line(tmp_path, bad):
    db = tmp_path / "c.db"
    cli("init", db=db)
    proc = cli("lights", "--period", bad, db=db)
    assert proc.returncode == 2
    assert "报告期" in one_line_error(proc)


def test_bad_as_of_and_unknown_command(tmp_path):
    db = tmp_path / "c.db"
    cli("init", db=db)
    assert "日期" in one_line_error(cli("lights", "--period", "2022-10", "--as-of", "yesterday", db=db))
    assert "参数错误" in one_line_error(cli("fly", db=db))
    assert "参数错误" in one_line_error(cli("import", "nonsense", "x.csv", db=db))


def test_user_add_reads_password_from_stdin_and_hashes_it(empty_url):
    cli("init", url=empty_url)
    proc = cli("user", "add", "office2", "--role", "office", url=empty_url, stdin="s3cret-pass\n")
    assert proc.returncode == 0, proc.stderr
    assert "s3cret-pass" not in proc.stdout + proc.stderr
    ((role, pw_hash),) = rows(empty_url, "SELECT role, password_hash FROM users WHERE username='office2'")
    audit = " ".join(str(r[0] or "") for r in rows(empty_url, "SELECT after FROM audit_log"))
    assert role == "office" and pw_hash.startswith("$argon2") and "s3cret-pass" not in audit
    short = cli("user", "add", "x", "--role", "leader", url=empty_url, stdin="short\n")
    assert short.returncode != 0 and "密码" in one_line_error(short)
    staff = cli("user", "add", "y", "--role", "staff", url=empty_url, stdin="long-enough-pw\n")
    assert staff.returncode != 0 and "县区" in one_line_error(staff)


def test_backup_is_a_usable_store(empty_url, tmp_path):
    cli("init", url=empty_url)
    cli("user", "add", "office2", "--role", "office", url=empty_url, stdin="s3cret-pass\n")
    out = tmp_path / "backup.db"
    proc = cli("backup", "--out", str(out), url=empty_url)
    assert proc.returncode == 0, proc.stderr
    assert "已备份" in proc.stdout
    with sqlite3.connect(out) as conn:
        assert conn.execute("SELECT username FROM users").fetchall() == [("office2",)]
    # the backup is itself a current store the CLI accepts
    assert cli("init", db=out).stdout.count("已是最新") == 1
    again = cli("backup", "--out", str(out), url=empty_url)
    assert again.returncode != 0 and "已存在" in one_line_error(again)


def test_design_columns_match_cli():
    """The CLI's output columns are exactly DESIGN.md's lists (checked against the doc when present)."""
    design = ROOT.parent / "shared" / "DESIGN.md"
    if not design.exists():
        pytest.skip("DESIGN.md not beside the repo")
    text = design.read_text(encoding="utf-8").replace("\n", " ")

    def listed(after: str, before: str):
        seg = text.split(after, 1)[1].split(before, 1)[0]
        return [w.strip(" `,") for w in seg.replace("—", ",").split(",") if w.strip(" `,")]

    lights = listed("(one row per project: ", ")")
    # DESIGN.md "Project pipeline": the 7th dimension approvals sits in the lights CSV after problems
    assert "in the lights CSV after `problems`" in text
    lights.insert(lights.index("problems") + 1, "approvals")
    assert lights == LIGHTS_COLUMNS
    assert listed("(one row per region: ", ")") == LEAGUE_COLUMNS
    problems = [w for w in listed("(one row per problem: ", ")") if " " not in w]
    assert problems == PROBLEM_COLUMNS
    from lib.rules.pipeline import PIPELINE_COLUMNS

    assert listed("`pipeline --period YYYY-MM [--as-of …] [--format csv|json]`, one row per region: ", ". ") == \
        PIPELINE_COLUMNS
