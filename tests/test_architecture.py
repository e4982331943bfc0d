"""docs/ARCHITECTURE.md against the code (as Datasette tests its docs): every lib package and module
the package table names exists, every one that exists is named there, each package's row names its
modules, and every page is listed."""
import re

from tests.conftest import ROOT

DOC = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")


def table_rows() -> dict[str, str]:
    """First-column name (``lib/…``) → the whole row, from the package table."""
    section = DOC.split("## Packages and modules", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        m = re.match(r"^\| `(lib/[^`]+)` \|", line)
        if m:
            rows[m.group(1).rstrip("/")] = line
    return rows


def lib_units() -> set[str]:
    """Every package (a directory of lib/ with an __init__.py) and every top-level module of lib/."""
    lib = ROOT / "lib"
    packages = {f"lib/{p.parent.name}" for p in lib.glob("*/__init__.py")}
    modules = {f"lib/{p.name}" for p in lib.glob("*.py") if p.name != "__init__.py"}
    return packages | modules


def test_the_table_is_found():
    assert len(table_rows()) >= 8


def test_every_package_named_exists():
    missing = [name for name in table_rows() if not (ROOT / name).exists()]
    assert not missing, f"ARCHITECTURE.md names what the code does not have: {missing}"


def test_every_package_is_named():
    unnamed = sorted(lib_units() - set(table_rows()))
    assert not unnamed, f"lib/ has packages or modules ARCHITECTURE.md does not describe: {unnamed}"


def test_each_package_row_names_its_modules():
    rows = table_rows()
    gaps = []
    for name, row in rows.items():
        path = ROOT / name
        if not path.is_dir() or name == "lib/i18n":  # i18n: one text module per area, named by pattern
            continue
        for module in sorted(path.glob("*.py")):
            stem = module.stem
            if stem == "__init__":
                continue
            if not re.search(rf"`{stem}[`.(]", row):
                gaps.append(f"{name}/{module.name}")
    assert not gaps, f"modules missing from their package's row in ARCHITECTURE.md: {gaps}"


def test_every_page_is_listed():
    section = DOC.split("Pages (`pages/`", 1)[1].split("\n\n", 1)[0]
    pages = sorted(p.stem for p in (ROOT / "pages").glob("*.py") if p.stem != "__init__")
    missing = [p for p in pages if f"`{p}`" not in section]
    assert not missing, f"pages missing from ARCHITECTURE.md: {missing}"
    assert "app.py" in DOC and "lib/cli.py" in DOC
