"""The command line: ``python -m lib.cli …`` — the same functions the pages call.

Every failure is one line on stderr and a non-zero exit: 1 for rejected input (with a JSON list of
errors for ``import``), 2 for a store or usage problem. Set COCKPIT_DEBUG=1 to see tracebacks.
"""
from __future__ import annotations

import argparse
import getpass
import json
import math
import sys
from pathlib import Path
from typing import Any, Sequence

from lib import config
from lib.errors import CockpitError, StoreError, ValidationError

LIGHTS_COLUMNS = [
    "project_code", "light", "start", "progress", "reporting", "stats", "funds", "problems",
    "expected_pct", "actual_pct", "gap_pp", "reasons",
]
LEAGUE_COLUMNS = [
    "region_code", "region_name", "invest_rate", "start_rate", "growth", "growth_target", "stats_rate",
    "funds_rate", "closure_rate", "red_share", "score", "rank", "rank_change", "light",
]
PROBLEM_COLUMNS = [
    "problem_id", "project_code", "region_code", "category", "level", "status", "raised_on", "deadline",
    "closed_on", "overdue_days", "supervise_count",
]
IMPORT_KINDS = ("regions", "projects", "monthly", "plans", "targets", "stats", "problems")
ROLES = ("leader", "staff", "office", "admin")


class CliExit(Exception):
    def __init__(self, code: int, message: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2, no usage dump
        raise CliExit(2, f"参数错误:{message}(python -m lib.cli --help 查看用法)")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m lib.cli", description="攻坚驾驶舱命令行(数据库由 COCKPIT_DB_URL 选择)")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    s = sub.add_parser("init", help="创建或升级数据库;--demo 载入示例数据(只载入一次)")
    s.add_argument("--demo", action="store_true")

    s = sub.add_parser("import", help="导入模板文件(全部成功才写入)")
    s.add_argument("kind", choices=IMPORT_KINDS)
    s.add_argument("file")
    s.add_argument("--user", help="以该账号的身份导入(县区填报员只能导入本县区)")
    s.add_argument("--dry-run", action="store_true", help="只校验,不写入")

    for name, helptext in (("lights", "项目红黄绿灯"), ("league", "县区排名")):
        s = sub.add_parser(name, help=helptext)
        s.add_argument("--period", required=True, help="报告期 YYYY-MM")
        s.add_argument("--as-of", dest="as_of", help="截至日期 YYYY-MM-DD(默认报告期最后一天)")
        s.add_argument("--format", choices=("csv", "json"), default="csv")

    s = sub.add_parser("problems", help="问题清单")
    s.add_argument("--as-of", dest="as_of")
    s.add_argument("--format", choices=("csv", "json"), default="csv")

    s = sub.add_parser("export", help="导出")
    exp = s.add_subparsers(dest="what", required=True, parser_class=_Parser)
    b = exp.add_parser("briefing", help="月度通报幻灯片 .pptx")
    b.add_argument("--period", required=True)
    b.add_argument("--out", required=True)

    s = sub.add_parser("user", help="账号")
    us = s.add_subparsers(dest="action", required=True, parser_class=_Parser)
    a = us.add_parser("add", help="新增账号(密码从标准输入读取一行)")
    a.add_argument("name")
    a.add_argument("--role", required=True, choices=ROLES)
    a.add_argument("--region")

    s = sub.add_parser("backup", help="备份整个数据库为一个 SQLite 文件")
    s.add_argument("--out", required=True)

    s = sub.add_parser("import-boundaries", help="导入县区边界 GeoJSON")
    s.add_argument("file")
    s.add_argument("--code-field", required=True)
    s.add_argument("--name-field")
    return p


# --- helpers -------------------------------------------------------------------------------

def _engine(require: bool = True):
    from lib import store

    eng = store.get_engine()
    if require:
        store.require_current(eng)
    return eng


def _period(value: str) -> str:
    import re

    from lib.periods import parse_period

    if not re.fullmatch(r"\s*\d{4}-\d{1,2}\s*", value or ""):
        raise CliExit(2, f"报告期格式不正确:「{value}」,应为 YYYY-MM,例如 2022-10")
    try:
        return parse_period(value)
    except CockpitError as exc:
        raise CliExit(2, str(exc)) from exc


def _as_of(value: str | None):
    if not value:
        return None
    import re

    from lib.periods import parse_date

    if not re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", value.strip()):
        raise CliExit(2, f"日期格式不正确:「{value}」,应为 YYYY-MM-DD")
    try:
        return parse_date(value)
    except CockpitError as exc:
        raise CliExit(2, str(exc)) from exc


def _clean(value: Any) -> Any:
    """JSON/CSV-safe scalar: NaN/None → None, numpy → python, dates → ISO text."""
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        try:
            value = value.item()
        except (ValueError, AttributeError):
            pass
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return round(value, 6)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    try:
        import pandas as pd

        if value is pd.NaT or (not isinstance(value, (list, dict, str)) and pd.isna(value)):
            return None
    except (TypeError, ValueError):
        pass
    return value


def emit(rows: list[dict], columns: Sequence[str], fmt: str, out=None) -> None:
    out = out or sys.stdout
    clean = [{c: _clean(r.get(c)) for c in columns} for r in rows]
    if fmt == "json":
        json.dump(clean, out, ensure_ascii=False, indent=1)
        out.write("\n")
        return
    from lib.outputs.excel import write_csv

    write_csv(out, columns, (["" if r[c] is None else _csv_value(r[c]) for c in columns] for r in clean))


def _csv_value(v: Any) -> Any:
    if isinstance(v, bool):
        return "true" if v else "false"
    return v


def _actor_for(session, username: str | None):
    from sqlalchemy import select

    from lib.access import CLI_ACTOR, Actor
    from lib.store.models import User

    if not username:
        return CLI_ACTOR
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise CliExit(2, f"账号不存在:{username}")
    if not user.active:
        raise CliExit(2, f"账号已停用:{username}")
    return Actor(username=user.username, role=user.role, region_code=user.region_code,
                 display_name=user.display_name)


# --- commands ------------------------------------------------------------------------------

def cmd_init(args) -> int:
    from lib import store

    eng = store.get_engine()
    before = store.current_revision(eng)
    rev = store.upgrade(eng)
    msg = "数据库已创建" if before is None else ("数据库已升级" if before != rev else "数据库已是最新")
    loaded = None
    if args.demo:
        from lib.demo import load_demo

        with store.session_scope(eng) as session:
            loaded = load_demo(session)
    extra = "" if loaded is None else (",已载入示例数据" if loaded else ",示例数据此前已载入,未作改动")
    print(f"{msg}(结构版本 {rev}){extra}:{_safe_url(eng.url)}")
    return 0


def _safe_url(url) -> str:
    try:
        return url.render_as_string(hide_password=True)
    except AttributeError:
        return str(url)


def cmd_import(args) -> int:
    from lib import store
    from lib.intake.importer import run_import

    path = Path(args.file)
    if not path.is_file():
        raise CliExit(2, f"文件不存在:{path}")
    data = path.read_bytes()
    eng = _engine()
    with store.session_scope(eng) as session:
        actor = _actor_for(session, args.user)
        result = run_import(session, args.kind, data, path.name, actor, dry_run=args.dry_run)
        if not result.ok:
            session.rollback()
            from lib.i18n import t

            total = max(result.error_total, len(result.errors))
            listed = [{k: _clean(e.get(k)) for k in ("row", "column", "value", "message")} for e in result.errors]
            if total > len(listed):  # the first 200 are listed; the last entry says how many in all
                listed.append({"row": None, "column": None, "value": total,
                               "message": t("in_errors_total", "zh", total=total, shown=len(result.errors))})
            json.dump(listed, sys.stdout, ensure_ascii=False, indent=1)
            sys.stdout.write("\n")
            print(f"导入失败:{total} 处错误,未写入任何数据", file=sys.stderr)
            return 1
        summary = {
            "kind": args.kind,
            "file": path.name,
            "dry_run": bool(args.dry_run),
            "batch_id": result.batch_id,
            "inserted": result.inserted,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "skipped": result.skipped,
            "warnings": [{k: _clean(w.get(k)) for k in ("row", "column", "value", "message")} for w in result.warnings],
        }
        if args.dry_run:
            session.rollback()
    json.dump(summary, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return 0


def _table_command(args, module: str, function: str, columns, int_columns=(), **kwargs) -> int:
    """Run one rule function of lib/ on a checked store and print its rows as CSV or JSON.
    The rules are imported after the period and the store are checked (a bad call stays one line)."""
    import importlib

    from lib import store

    engine = _engine()
    compute = getattr(importlib.import_module(module), function)
    with store.session_scope(engine) as session:
        rows = compute(session, **kwargs).to_dict("records")
    for r in rows:
        for k in int_columns:
            v = _clean(r.get(k))
            r[k] = None if v is None else int(v)
    emit(rows, columns, args.format)
    return 0


def cmd_lights(args) -> int:
    period, as_of = _period(args.period), _as_of(args.as_of)
    return _table_command(args, "lib.rules.lights", "compute_lights", LIGHTS_COLUMNS, period=period, as_of=as_of)


def cmd_league(args) -> int:
    period, as_of = _period(args.period), _as_of(args.as_of)
    return _table_command(args, "lib.rules.league", "compute_league", LEAGUE_COLUMNS, ("rank", "rank_change"),
                          period=period, as_of=as_of)


def cmd_problems(args) -> int:
    import datetime as dt

    as_of = _as_of(args.as_of) or dt.date.today()
    return _table_command(args, "lib.problems", "problem_table", PROBLEM_COLUMNS,
                          ("overdue_days", "supervise_count", "problem_id"), as_of=as_of)


def cmd_export(args) -> int:
    from lib import store

    period = _period(args.period)
    engine = _engine()
    from lib.outputs.briefing import briefing_pptx

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with store.session_scope(engine) as session:
        briefing_pptx(session, period, out)
    print(f"已生成:{out}")
    return 0


def _read_password() -> str:
    if sys.stdin.isatty():
        pw1 = getpass.getpass("密码:")
        pw2 = getpass.getpass("再次输入密码:")
        if pw1 != pw2:
            raise CliExit(2, "两次输入的密码不一致")
        return pw1
    line = sys.stdin.readline()
    return line.rstrip("\r\n")


def cmd_user(args) -> int:
    from lib import store
    from lib.access import CLI_ACTOR, create_user

    password = _read_password()
    with store.session_scope(_engine()) as session:
        create_user(session, CLI_ACTOR, args.name, password, args.role, region_code=args.region)
    print(f"已新增账号:{args.name}({args.role}{',' + args.region if args.region else ''})")
    return 0


def cmd_backup(args) -> int:
    from lib.store.backup import backup_to_sqlite

    out = Path(args.out)
    counts = backup_to_sqlite(_engine(), out)
    total = sum(counts.values())
    print(f"已备份 {len(counts)} 张表、{total} 行到 {out}")
    return 0


def cmd_import_boundaries(args) -> int:
    from lib import store
    from lib.access import CLI_ACTOR
    from lib.geo import import_boundaries

    path = Path(args.file)
    if not path.is_file():
        raise CliExit(2, f"文件不存在:{path}")
    with store.session_scope(_engine()) as session:
        report = import_boundaries(session, CLI_ACTOR, path, args.code_field, name_field=args.name_field)
    json.dump(report, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return 0


COMMANDS = {
    "init": cmd_init, "import": cmd_import, "lights": cmd_lights, "league": cmd_league,
    "problems": cmd_problems, "export": cmd_export, "user": cmd_user, "backup": cmd_backup,
    "import-boundaries": cmd_import_boundaries,
}


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return COMMANDS[args.command](args)
    except CliExit as exc:
        if exc.message:
            print(exc.message, file=sys.stderr)
        return exc.code
    except ValidationError as exc:
        errors = exc.errors or [{"row": None, "column": None, "value": None, "message": str(exc)}]
        json.dump([{k: _clean(e.get(k)) for k in ("row", "column", "value", "message")} for e in errors],
                  sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        print(f"错误:{exc}", file=sys.stderr)
        return 1
    except StoreError as exc:
        print(f"错误:{exc}", file=sys.stderr)
        return 2
    except CockpitError as exc:
        print(f"错误:{exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # never a traceback for the user; COCKPIT_DEBUG=1 shows it
        if config.settings().debug:
            raise
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        print(f"内部错误:{exc.__class__.__name__}: {first}(设置 COCKPIT_DEBUG=1 查看详情)", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
