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
from lib.i18n import t
from lib.intake import kinds as _kinds
from lib.rules.dimensions import KEYS as _DIMENSION_KEYS  # the registry (imports no numpy/pandas)

LIGHTS_COLUMNS = [
    "project_code", "light", *_DIMENSION_KEYS,  # one column per registered light dimension
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
IMPORT_KINDS = _kinds.names()  # every entry of the upload-kind registry
ROLES = ("leader", "staff", "office", "admin")


class CliExit(Exception):
    def __init__(self, code: int, message: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2, no usage dump
        raise CliExit(2, t("cli_bad_arguments", "zh", detail=message))


def build_parser(lang: str = "zh") -> argparse.ArgumentParser:
    """The command line's parser; its help texts in ``lang`` (Chinese by default)."""
    p = _Parser(prog="python -m lib.cli", description=t("cli_help_desc", lang))
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    s = sub.add_parser("init", help=t("cli_help_init", lang))
    s.add_argument("--demo", action="store_true")

    s = sub.add_parser("import", help=t("cli_help_import", lang))
    s.add_argument("kind", choices=IMPORT_KINDS)
    s.add_argument("file")
    s.add_argument("--user", help=t("cli_help_import_user", lang))
    s.add_argument("--dry-run", action="store_true", help=t("cli_help_dry_run", lang))
    s.add_argument("--history", action="store_true",
                   help=t("cli_help_history", lang))

    for name, helptext in (("lights", t("cli_help_lights", lang)), ("league", t("cli_help_league", lang)),
                           ("pipeline", t("cli_help_pipeline", lang))):
        s = sub.add_parser(name, help=helptext)
        s.add_argument("--period", required=True, help=t("cli_help_period", lang))
        s.add_argument("--as-of", dest="as_of", help=t("cli_help_as_of", lang))
        s.add_argument("--format", choices=("csv", "json"), default="csv")

    s = sub.add_parser("problems", help=t("cli_help_problems", lang))
    s.add_argument("--as-of", dest="as_of")
    s.add_argument("--format", choices=("csv", "json"), default="csv")

    s = sub.add_parser("export", help=t("cli_help_export", lang))
    exp = s.add_subparsers(dest="what", required=True, parser_class=_Parser)
    b = exp.add_parser("briefing", help=t("cli_help_briefing", lang))
    b.add_argument("--period", required=True)
    b.add_argument("--out", required=True)
    b.add_argument("--as-of", dest="as_of")
    b.add_argument("--pdf", action="store_true", help=t("cli_help_pdf", lang))
    r = exp.add_parser("report", help=t("cli_help_report", lang))
    r.add_argument("--period", required=True)
    r.add_argument("--out", required=True)
    r.add_argument("--as-of", dest="as_of")
    r.add_argument("--no-red-head", dest="red_head", action="store_false", help=t("cli_help_no_red_head", lang))

    s = sub.add_parser("user", help=t("cli_help_user", lang))
    us = s.add_subparsers(dest="action", required=True, parser_class=_Parser)
    a = us.add_parser("add", help=t("cli_help_user_add", lang))
    a.add_argument("name")
    a.add_argument("--role", required=True, choices=ROLES)
    a.add_argument("--region")
    a = us.add_parser("unlock", help=t("cli_help_user_unlock", lang))
    a.add_argument("name")
    a = us.add_parser("reset-password", help=t("cli_help_user_reset", lang))
    a.add_argument("name")
    a = us.add_parser("disable", help=t("cli_help_user_disable", lang))
    a.add_argument("name")
    a = us.add_parser("enable", help=t("cli_help_user_enable", lang))
    a.add_argument("name")
    a = us.add_parser("link", help=t("cli_help_user_link", lang))
    a.add_argument("name")
    a.add_argument("--leader", help=t("cli_help_user_link_leader", lang))
    a.add_argument("--unit", help=t("cli_help_user_link_unit", lang))

    s = sub.add_parser("secret", help=t("cli_help_secret", lang))
    ss = s.add_subparsers(dest="action", required=True, parser_class=_Parser)
    ss.add_parser("rotate", help=t("cli_help_secret_rotate", lang))

    s = sub.add_parser("backup", help=t("cli_help_backup", lang))
    s.add_argument("--out", required=True)

    s = sub.add_parser("copy", help=t("cli_help_copy", lang))
    s.add_argument("--to", required=True, dest="to", help=t("cli_help_copy_to", lang))
    s.add_argument("--replace", action="store_true", help=t("cli_help_copy_replace", lang))

    s = sub.add_parser("restore", help=t("cli_help_restore", lang))
    s.add_argument("file")
    s.add_argument("--replace", action="store_true", help=t("cli_help_restore_replace", lang))

    s = sub.add_parser("import-boundaries", help=t("cli_help_boundaries", lang))
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
        raise CliExit(2, t("err_period_format", value=value))
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
        raise CliExit(2, t("cli_date_format", value=value))
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
    from lib.access import CLI_ACTOR, Actor
    from lib.access.accounts import _get_user

    if not username:
        return CLI_ACTOR
    user = _get_user(session, username)  # names are compared normalised (NFKC, lower case)
    if user is None:
        raise CliExit(2, t("cli_no_such_user", "zh", name=username))
    if not user.active:
        raise CliExit(2, t("cli_user_disabled", "zh", name=username))
    return Actor(username=user.username, role=user.role, region_code=user.region_code,
                 display_name=user.display_name)


# --- commands ------------------------------------------------------------------------------

def cmd_init(args) -> int:
    from lib import store

    eng = store.get_engine()
    before = store.current_revision(eng)
    rev = store.upgrade(eng)
    msg = t("cli_store_created" if before is None else ("cli_store_upgraded" if before != rev else "cli_store_current"))
    if before is not None and before != rev:  # an older store: its reports get their data-quality flags
        from lib.intake import quality

        with store.session_scope(eng) as session:
            quality.backfill(session)
    loaded = None
    if args.demo:
        from lib.demo import load_demo

        with store.session_scope(eng) as session:
            loaded = load_demo(session)
    extra = "" if loaded is None else t("cli_demo_loaded" if loaded else "cli_demo_kept")
    print(t("cli_init_done", msg=msg, rev=rev, extra=extra, url=_safe_url(eng.url)))
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
        raise CliExit(2, t("cli_no_file", path=path))
    data = path.read_bytes()
    eng = _engine()
    with store.session_scope(eng) as session:
        actor = _actor_for(session, args.user)
        result = run_import(session, args.kind, data, path.name, actor, dry_run=args.dry_run,
                            history=bool(getattr(args, "history", False)))
        if not result.ok:
            session.rollback()
            total = max(result.error_total, len(result.errors))
            listed = [{k: _clean(e.get(k)) for k in ("row", "column", "value", "message")} for e in result.errors]
            if total > len(listed):  # the first 200 are listed; the last entry says how many in all
                listed.append({"row": None, "column": None, "value": total,
                               "message": t("in_errors_total", "zh", total=total, shown=len(result.errors))})
            json.dump(listed, sys.stdout, ensure_ascii=False, indent=1)
            sys.stdout.write("\n")
            print(t("cli_import_failed", n=total), file=sys.stderr)
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


def cmd_pipeline(args) -> int:
    from lib.rules.pipeline import PIPELINE_COLUMNS

    period, as_of = _period(args.period), _as_of(args.as_of)
    return _table_command(args, "lib.rules.pipeline", "compute_pipeline", PIPELINE_COLUMNS,
                          ("n_reserve", "n_preparing", "n_building", "n_completed", "n_operating", "signed",
                           "signed_started", "planned_new", "ready", "event_projects", "stalled_after_event"),
                          period=period, as_of=as_of)


def cmd_problems(args) -> int:
    import datetime as dt

    as_of = _as_of(args.as_of) or dt.date.today()
    return _table_command(args, "lib.problems", "problem_table", PROBLEM_COLUMNS,
                          ("overdue_days", "supervise_count"), as_of=as_of)


def cmd_export(args) -> int:
    from lib import store

    period, as_of = _period(args.period), _as_of(getattr(args, "as_of", None))
    engine = _engine()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if args.what == "report":
        from lib.outputs.report import report_docx

        with store.session_scope(engine) as session:
            report_docx(session, period, out, as_of=as_of, red_head=args.red_head)
        print(t("cli_written", path=out))
        return 0
    from lib.outputs.briefing import briefing_pptx, pack_pdf

    with store.session_scope(engine) as session:
        briefing_pptx(session, period, out, as_of=as_of)
    print(t("cli_written", path=out))
    if args.pdf:
        print(t("cli_written", path=pack_pdf(out)))
    return 0


def _read_password() -> str:
    if sys.stdin.isatty():
        pw1 = getpass.getpass(t("cli_password_prompt"))
        pw2 = getpass.getpass(t("cli_password_again"))
        if pw1 != pw2:
            raise CliExit(2, t("cli_password_mismatch"))
        return pw1
    line = sys.stdin.readline()
    return line.rstrip("\r\n")


def cmd_user(args) -> int:
    from lib import access, store
    from lib.access import CLI_ACTOR
    from lib.i18n import t

    password = _read_password() if args.action in ("add", "reset-password") else None
    with store.session_scope(_engine()) as session:
        if args.action == "add":
            user = access.create_user(session, CLI_ACTOR, args.name, password, args.role, region_code=args.region)
            message = t("acc_cli_added", name=user.username, role=args.role,
                        region=("," + args.region) if args.region else "")
        elif args.action == "unlock":
            access.unlock(session, CLI_ACTOR, args.name)
            message = t("acc_cli_unlocked", name=access.normalise_username(args.name))
        elif args.action == "link":
            after = access.set_links(session, CLI_ACTOR, args.name, args.leader, args.unit)
            message = t("acc_cli_linked", name=access.normalise_username(args.name),
                        leader=after["leader_name"] or "—", unit=after["unit_name"] or "—")
        elif args.action == "reset-password":
            access.set_password(session, CLI_ACTOR, args.name, password)
            message = t("acc_cli_password_set", name=access.normalise_username(args.name))
        else:
            access.set_active(session, CLI_ACTOR, args.name, args.action == "enable")
            message = t("acc_cli_disabled" if args.action == "disable" else "acc_cli_enabled",
                        name=access.normalise_username(args.name))
    print(message)
    return 0


def cmd_secret(args) -> int:
    from lib import store
    from lib.access import rotate_secret
    from lib.i18n import t

    with store.session_scope(_engine()) as session:
        path = rotate_secret(session)
    print(t("acc_secret_rotated", path=str(path)))
    return 0


def cmd_backup(args) -> int:
    from lib.store.backup import backup_to_sqlite

    out = Path(args.out)
    counts = backup_to_sqlite(_engine(), out)  # audited as the command line
    total = sum(counts.values())
    print(t("cli_backup_done", tables=len(counts), rows=total, path=out))
    return 0


def cmd_copy(args) -> int:
    from lib.i18n import t
    from lib.store.transfer import copy_store

    counts = copy_store(_engine(), args.to, replace=args.replace)
    to = _masked(args.to)
    print(t("copied", "zh", tables=len(counts), rows=sum(counts.values()), to=to))
    return 0


def _masked(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "(URL)"


def cmd_restore(args) -> int:
    from lib import store
    from lib.i18n import t
    from lib.store.transfer import restore_backup

    counts = restore_backup(Path(args.file), store.get_engine(), replace=args.replace)
    print(t("restored", "zh", path=args.file, tables=len(counts), rows=sum(counts.values())))
    return 0


def cmd_import_boundaries(args) -> int:
    from lib import store
    from lib.access import CLI_ACTOR
    from lib.geo import import_boundaries

    path = Path(args.file)
    if not path.is_file():
        raise CliExit(2, t("cli_no_file", path=path))
    with store.session_scope(_engine()) as session:
        report = import_boundaries(session, CLI_ACTOR, path, args.code_field, name_field=args.name_field)
    json.dump(report, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return 0


COMMANDS = {
    "init": cmd_init, "import": cmd_import, "lights": cmd_lights, "league": cmd_league, "pipeline": cmd_pipeline,
    "problems": cmd_problems, "export": cmd_export, "user": cmd_user, "secret": cmd_secret, "backup": cmd_backup,
    "copy": cmd_copy, "restore": cmd_restore, "import-boundaries": cmd_import_boundaries,
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
        print(t("cli_error", message=exc), file=sys.stderr)
        return 1
    except StoreError as exc:
        print(t("cli_error", message=exc), file=sys.stderr)
        return 2
    except CockpitError as exc:
        print(t("cli_error", message=exc), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # never a traceback for the user; COCKPIT_DEBUG=1 shows it
        from lib.store import as_store_error

        store_error = as_store_error(exc)  # a lost or locked connection is the store's, not ours
        if store_error is not None:
            if config.settings().debug:
                raise
            print(t("cli_error", message=store_error), file=sys.stderr)
            return 2
        if config.settings().debug:
            raise
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        print(t("cli_internal_error", kind=exc.__class__.__name__, detail=first), file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
