"""Static checks of the views: rules the pages must keep that a run would not reveal."""
import ast

from tests.conftest import ROOT

VIEW_FILES = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]


def _cached_functions(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            for dec in node.decorator_list:
                target = dec.func if isinstance(dec, ast.Call) else dec
                if isinstance(target, ast.Attribute) and target.attr in ("cache_data", "cache_resource"):
                    yield node


def test_cached_readers_hash_every_argument():
    """st.cache_data does not hash parameters whose names start with '_': a data version passed that way
    would never invalidate the cache after a write."""
    bad = []
    for path in VIEW_FILES:
        for fn in _cached_functions(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.arg for a in fn.args.args + fn.args.kwonlyargs]
            bad += [f"{path.name}:{fn.name}({n})" for n in names if n.startswith("_")]
    assert not bad, f"unhashed cache arguments: {bad}"


def test_lib_never_imports_streamlit():
    offenders = []
    for path in (ROOT / "lib").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            if any(n == "streamlit" or n.startswith("streamlit.") for n in names):
                offenders.append(str(path.relative_to(ROOT)))
    assert not offenders, offenders


def test_no_outside_addresses_in_views_or_lib():
    import re

    hits = []
    for path in [*VIEW_FILES, *(ROOT / "lib").rglob("*.py")]:
        for m in re.finditer(r"https?://([A-Za-z0-9.-]+)", path.read_text(encoding="utf-8")):
            if m.group(1) not in ("127.0.0.1", "localhost"):
                hits.append(f"{path.name}: {m.group(0)}")
    assert not hits, hits
