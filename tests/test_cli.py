"""The command line of DESIGN.md, run as a user would (a subprocess), on a temporary store."""
import os
import sqlite3
import subprocess
import sys

import pytest
from alembic import command

from lib import store
from lib.cli import LEAGUE_COLUMNS, LIGHTS_COLUMNS, PROBLEM_COLUMNS
from tests.conftest import ROOT


def cli(*args, db, stdin=None):
    env = dict(os.environ, COCKPIT_DB_URL=f"sqlite:///{db}")
    env.pop("COCKPIT_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "lib.cli", *args], cwd=ROOT, env=env, input=stdin,
                          capture_output=True, text=True, timeout=300)


def one_line_error(proc):
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    return lines[0]


def test_init_creates_then_reports_current(tmp_path):
    db = tmp_path / "c.db"
    first = cli("init", db=db)
    assert first.returncode == 0 and "已创建" in first.stdout
    again = cli("init", db=db)
    assert again.returncode == 0 and "已是最新" in again.stdout


def test_missing_store_is_one_line(tmp_path):
    proc = cli("lights", "--period", "2022-10", db=tmp_path / "none.db")
    assert proc.returncode == 2
    assert "init" in one_line_error(proc)
    assert not (tmp_path / "none.db").exists()


def test_older_schema_is_one_line_and_init_upgrades(tmp_path):
    db = tmp_path / "old.db"
    eng = store.make_engine(f"sqlite:///{db}")
    command.upgrade(store._alembic_config(eng), "0001")
    eng.dispose()
    proc = cli("league", "--period", "2022-10", db=db)
    assert proc.returncode == 2 and "结构版本" in one_line_error(proc)
    up = cli("init", db=db)
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


def test_user_add_reads_password_from_stdin_and_hashes_it(tmp_path):
    db = tmp_path / "c.db"
    cli("init", db=db)
    proc = cli("user", "add", "office2", "--role", "office", db=db, stdin="s3cret-pass\n")
    assert proc.returncode == 0, proc.stderr
    assert "s3cret-pass" not in proc.stdout + proc.stderr
    with sqlite3.connect(db) as conn:
        role, pw_hash = conn.execute("SELECT role, password_hash FROM users WHERE username='office2'").fetchone()
        audit = " ".join(r[0] or "" for r in conn.execute("SELECT after FROM audit_log"))
    assert role == "office" and pw_hash.startswith("$argon2") and "s3cret-pass" not in audit
    short = cli("user", "add", "x", "--role", "leader", db=db, stdin="short\n")
    assert short.returncode != 0 and "密码" in one_line_error(short)
    staff = cli("user", "add", "y", "--role", "staff", db=db, stdin="long-enough-pw\n")
    assert staff.returncode != 0 and "县区" in one_line_error(staff)


def test_backup_is_a_usable_store(tmp_path):
    db = tmp_path / "c.db"
    cli("init", db=db)
    cli("user", "add", "office2", "--role", "office", db=db, stdin="s3cret-pass\n")
    out = tmp_path / "backup.db"
    proc = cli("backup", "--out", str(out), db=db)
    assert proc.returncode == 0, proc.stderr
    assert "已备份" in proc.stdout
    with sqlite3.connect(out) as conn:
        assert conn.execute("SELECT username FROM users").fetchall() == [("office2",)]
    # the backup is itself a current store the CLI accepts
    assert cli("init", db=out).stdout.count("已是最新") == 1
    again = cli("backup", "--out", str(out), db=db)
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

    assert listed("(one row per project: ", ")") == LIGHTS_COLUMNS
    assert listed("(one row per region: ", ")") == LEAGUE_COLUMNS
    problems = [w for w in listed("(one row per problem: ", ")") if " " not in w]
    assert problems == PROBLEM_COLUMNS
