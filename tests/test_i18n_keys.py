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


# --- Chinese text in lib/ (issue 9 item 5) -------------------------------------------------------
# Every message lib/ builds (errors raised, warnings, refusals, reasons, labels, printed lines) is a
# key of lib/i18n with an English twin. A Chinese string literal anywhere else in lib/ must be a
# docstring (comments are not in the syntax tree), or data named below.
CJK = re.compile(r"[\u4e00-\u9fff]")

# lib/intake holds the upload templates' data contract (headers, accepted spellings inside its Col/
# UploadKind registry calls): tests/test_intake_messages.py checks it against that allowlist with the
# same rule; its messages are checked below like every other module's.
OWN_CHECK = {"lib/intake"}

# Chinese that is data, not a message: module -> the module-level names whose values may hold it.
DATA_CONSTANTS = {
    # the Chinese spellings of a period or a date an upload may hold (2022年3月, 2022年3月15日)
    "lib/periods.py": {"_PERIOD_RE", "_DATE_PATTERNS", "_MONTH_PATTERNS"},
    # the shapes of Chinese place names a boundary file is matched by (漾濞彝族自治县, …县/市/区/旗)
    "lib/geo/__init__.py": {"_AUTONOMOUS", "_NAME_SUFFIXES"},
    "lib/geo/mapview.py": {"_AUTONOMOUS"},
    # names of installed typefaces (GB/T 9704) and the Chinese heading numerals of the written notice
    "lib/outputs/report.py": {"TITLE_FONT", "BODY_FONT", "HEAD_FONT", "SUBHEAD_FONT", "_CN"},
    "lib/problems/dudan.py": {"DUDAN_FONT", "DUDAN_HEAD_FONT"},
    # what PowerPoint calls a blank layout in a Chinese template
    "lib/outputs/briefing.py": {"BLANK_LAYOUT_NAMES"},
    # the words a 企业满意 cell or form field may hold (是/否/满意/不满意)
    "lib/problems/workflow.py": {"SATISFIED_YES", "SATISFIED_NO"},
}
# Whole modules that are a data set: the demo's made-up 2022 campaign (names, descriptions, notes).
# Their errors and printed lines are still checked (test_messages_of_lib_are_keys).
DATA_MODULES = {"lib/demo"}


def _lib_files(skip: set[str]) -> list[Path]:
    out = []
    for path in sorted((ROOT / "lib").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith("lib/i18n/") or any(rel == m or rel.startswith(m + "/") for m in skip):
            continue
        out.append(path)
    return out


def _docstrings(tree: ast.AST) -> set[int]:
    return {id(node.body[0].value) for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            and node.body and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant) and isinstance(node.body[0].value.value, str)}


def _data_nodes(tree: ast.Module, names: set[str]) -> tuple[set[int], set[str]]:
    """ids of every node under a module-level assignment to one of ``names``, and the names found."""
    ids, found = set(), set()
    for stmt in tree.body:
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target] if isinstance(stmt, ast.AnnAssign) else []
        hit = {t.id for t in targets if isinstance(t, ast.Name)} & names
        if hit and stmt.value is not None:
            found |= hit
            ids |= {id(n) for n in ast.walk(stmt.value)}
    return ids, found


def chinese_literals() -> list[str]:
    """file:line and text of every Chinese string literal of lib/ that is no docstring and no data."""
    found = []
    for path in _lib_files(OWN_CHECK | DATA_MODULES):
        rel = path.relative_to(ROOT).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        allowed = _docstrings(tree) | _data_nodes(tree, DATA_CONSTANTS.get(rel, set()))[0]
        found += [f"{rel}:{n.lineno}: {n.value[:50]!r}" for n in ast.walk(tree)
                  if isinstance(n, ast.Constant) and isinstance(n.value, str) and CJK.search(n.value)
                  and id(n) not in allowed]
    return found


def test_lib_has_no_chinese_outside_i18n():
    found = chinese_literals()
    assert not found, ("Chinese text in lib/ outside lib/i18n: make it a key with an English twin and use t()/"
                       "Msg()/CockpitError(key), or (only if it is data) name it in DATA_CONSTANTS:\n"
                       + "\n".join(found))


def test_the_data_allowlist_is_live():
    """Each allowlisted name exists at module level and holds Chinese (a stale entry is removed)."""
    for rel, names in DATA_CONSTANTS.items():
        tree = ast.parse((ROOT / rel).read_text(encoding="utf-8"))
        ids, found = _data_nodes(tree, names)
        assert found == names, f"{rel}: not assigned at module level: {sorted(names - found)}"
        for name in names:
            one, _ = _data_nodes(tree, {name})
            assert any(isinstance(n, ast.Constant) and isinstance(n.value, str) and CJK.search(n.value)
                       for n in ast.walk(tree) if id(n) in one), f"{rel}: {name} holds no Chinese: drop it"
    for entry in DATA_MODULES | OWN_CHECK:
        assert (ROOT / entry).exists(), entry


def test_the_check_sees_a_chinese_message():
    """The checker flags a Chinese f-string message and accepts the same text as a docstring."""
    tree = ast.parse('def f(x):\n    "文档"\n    raise ValueError(f"不能{x}")\n')
    docs = _docstrings(tree)
    flagged = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
               and CJK.search(n.value) and id(n) not in docs]
    assert flagged == ["不能"]


def _chinese_in(node: ast.AST) -> list[str]:
    return [n.value for n in ast.walk(node)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and CJK.search(n.value)]


def test_messages_of_lib_are_keys():
    """Errors raised, printed lines and row messages are keys everywhere in lib/ (the demo included,
    whose other Chinese is data)."""
    found = []
    for file in _lib_files(set()):
        tree = ast.parse(file.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            spots: list[ast.AST] = []
            if isinstance(node, ast.Raise) and node.exc is not None:
                spots.append(node.exc)
            elif isinstance(node, ast.Return) and node.value is not None and "demo" not in file.parts:
                # (the demo returns its seeded Chinese data: that is content, not a message)
                spots.append(node.value)
            elif isinstance(node, ast.Call) and _name(node.func) in {"print", "CliExit", "write", "warn"}:
                spots.extend(node.args)
            elif isinstance(node, ast.Dict):
                spots.extend(v for k, v in zip(node.keys, node.values)
                             if isinstance(k, ast.Constant) and k.value == "message")
            for spot in spots:
                found += [f"{file.relative_to(ROOT)}:{node.lineno}: {text[:40]}" for text in _chinese_in(spot)]
    assert not found, "Chinese text outside lib/i18n (use a key and t()):\n" + "\n".join(found)
