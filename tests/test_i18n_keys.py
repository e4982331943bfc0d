"""Messages as keys: every text key the code names exists in lib/i18n, and every key in lib/i18n is
named by the code (so no text is dead and none is missing).

The code is app.py, pages/ and lib/ (lib/i18n's own tables excluded). A key is *used* when it is
written as a string literal anywhere in that code, or when it starts with a *dynamic prefix*: the
constant head of a key built inside ``t()``/``L()`` (``t("lang_" + v)``, ``t(f"lg_rule_{metric}")``),
or a literal ending in ``_`` handed on with a variable (``label("hist_", action)``). Both are found
in the code itself, so a new dynamic family needs no list here.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

from lib.i18n import TEXT
from tests.conftest import ROOT

KEY = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$|^[a-z][a-z0-9]+$")
# functions whose first argument is a text key (t, the pages' L shorthand) or, when it looks like a
# key, an error message key (lib/errors.py)
TEXT_FUNCS = {"t", "L", "Msg"}
ERROR_FUNCS = {"CockpitError", "StoreError", "PermissionDenied", "ValidationError", "TransitionError"}
# lib/i18n itself builds one family from a prefix (fmt_money: "unit_" + unit) and names the list
# separators (lib.i18n.List: "list_sep" by default)
I18N_PREFIXES = {"unit_", "list_"}


def code_files() -> list[Path]:
    files = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]
    files += [p for p in sorted((ROOT / "lib").rglob("*.py")) if "i18n" not in p.relative_to(ROOT / "lib").parts]
    return files


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _head(arg: ast.expr) -> str | None:
    """The constant head of ``"prefix_" + x`` or ``f"prefix_{x}"`` (None for anything else)."""
    if isinstance(arg, ast.BinOp) and isinstance(arg.op, ast.Add):
        arg = arg.left
        value = arg.value if isinstance(arg, ast.Constant) else None
    elif isinstance(arg, ast.JoinedStr) and arg.values and isinstance(arg.values[0], ast.Constant):
        value = arg.values[0].value
    else:
        return None
    return value if isinstance(value, str) and value.endswith("_") else None


def scan():
    """(literals, prefixes, named) over the code: every string constant, every dynamic prefix, and
    (file:line, key) for every literal key handed to t()/L() or to an error."""
    literals: set[str] = set()
    prefixes: set[str] = set(I18N_PREFIXES)
    named: list[tuple[str, str]] = []
    for path in code_files():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        rel = path.relative_to(ROOT)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                literals.add(node.value)
            elif isinstance(node, ast.Call) and node.args:
                name, first = _name(node.func), node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    value = first.value
                    if name in TEXT_FUNCS or (name in ERROR_FUNCS and KEY.match(value)):
                        named.append((f"{rel}:{node.lineno}", value))
                    # label("rc_", key) and the like: a prefix handed on with the variable part
                    if value.endswith("_") and len(node.args) > 1 and not isinstance(node.args[1], ast.Constant):
                        prefixes.add(value)
                elif name in TEXT_FUNCS:
                    head = _head(first)
                    if head:
                        prefixes.add(head)
    return literals, {p for p in prefixes if re.match(r"^[a-z][a-z0-9_]*_$", p)}, named


def test_every_key_the_code_names_exists():
    _, _, named = scan()
    assert named, "the scan found no t() call: it is broken"
    missing = [f"{where}: {key}" for where, key in named if key not in TEXT]
    assert not missing, "text keys used in the code but not defined in lib/i18n:\n" + "\n".join(missing)


def test_every_key_is_used_by_the_code():
    literals, prefixes, _ = scan()
    unused = sorted(k for k in TEXT if k not in literals and not any(k.startswith(p) for p in prefixes))
    assert not unused, f"{len(unused)} text keys nothing uses (delete them, or use them): {unused}"


def test_the_scan_sees_dynamic_families():
    _, prefixes, _ = scan()
    assert {"lg_rule_", "unit_"} <= prefixes, sorted(prefixes)


# Modules whose errors, warnings, printed lines and row messages are keys with an English twin
# (issue 9 item 5; the other areas of lib/ convert theirs and join this list).
KEYED_MODULES = ["lib/store", "lib/geo", "lib/cli.py", "lib/demo", "lib/periods.py", "lib/outputs/excel.py"]
CJK = re.compile(r"[\u4e00-\u9fff]")


def _chinese_in(node: ast.AST) -> list[str]:
    return [n.value for n in ast.walk(node)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and CJK.search(n.value)]


def test_messages_of_the_core_are_keys():
    found = []
    for entry in KEYED_MODULES:
        path = ROOT / entry
        for file in ([path] if path.is_file() else sorted(path.rglob("*.py"))):
            tree = ast.parse(file.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                spots: list[ast.AST] = []
                if isinstance(node, ast.Raise) and node.exc is not None:
                    spots.append(node.exc)
                elif isinstance(node, ast.Return) and node.value is not None and "demo" not in file.parts:
                    # (the demo returns its seeded Chinese data: that is content, not a message)
                    spots.append(node.value)
                elif isinstance(node, ast.Call) and _name(node.func) in {"print", "CliExit", "write"}:
                    spots.extend(node.args)
                elif isinstance(node, ast.Dict):
                    spots.extend(v for k, v in zip(node.keys, node.values)
                                 if isinstance(k, ast.Constant) and k.value == "message")
                for spot in spots:
                    found += [f"{file.relative_to(ROOT)}:{node.lineno}: {text[:40]}" for text in _chinese_in(spot)]
    assert not found, "Chinese text outside lib/i18n (use a key and t()):\n" + "\n".join(found)
