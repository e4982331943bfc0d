"""The docs against the code (as Datasette does): the README's commands, CLI table and columns are
the ones the code has, and the Makefile has the two targets the README promises."""
import re

from lib import cli
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_starts_with_the_two_commands():
    first_block = README.split("```", 2)[1]
    commands = [line.split("#")[0].strip() for line in first_block.strip().splitlines() if line.strip()]
    assert commands == ["make run", "make test"]
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^run:", makefile, re.M) and re.search(r"^test:", makefile, re.M)
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_every_cli_command_is_documented():
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    for name in sub.choices:
        assert f"`{name}" in README, f"README does not document `{name}`"
    for kind in cli.IMPORT_KINDS:
        assert kind in README


def test_readme_lists_the_output_columns():
    from lib.rules.pipeline import PIPELINE_COLUMNS

    for columns in (cli.LIGHTS_COLUMNS, cli.LEAGUE_COLUMNS, cli.PROBLEM_COLUMNS, PIPELINE_COLUMNS):
        assert ", ".join(columns) in README


def test_readme_documents_every_environment_variable_and_only_config_reads_them():
    from lib import config

    assert config.VARIABLES, "lib/config.py lists the COCKPIT_* variables"
    for name in config.VARIABLES:
        assert f"`{name}`" in README, f"README does not document {name}"
    documented = set(re.findall(r"`(COCKPIT_[A-Z_]+)`", README.split("## Configuration", 1)[1].split("\n## ", 1)[0]))
    assert documented == set(config.VARIABLES), "README's configuration table and lib/config.py differ"
    readers = []
    for path in list((ROOT / "lib").rglob("*.py")) + [ROOT / "app.py"] + list((ROOT / "pages").glob("*.py")):
        if path.name != "config.py" and re.search(r"environ.*COCKPIT_", path.read_text(encoding="utf-8")):
            readers.append(str(path.relative_to(ROOT)))
    assert readers == [], f"COCKPIT_* variables read outside lib/config.py: {readers}"


def test_demo_accounts_are_marked_demo_only():
    section = README.split("## Demo accounts", 1)[1].split("##", 1)[0]
    assert "demo12345" in section and "demo only" in section


def test_offline_settings_in_config():
    cfg = (ROOT / ".streamlit" / "config.toml").read_text()
    assert re.search(r"gatherUsageStats\s*=\s*false", cfg)
    assert "--server.address" in (ROOT / "Makefile").read_text()
    for path in [ROOT / "app.py", *(ROOT / "pages").glob("*.py")]:
        if path.exists():
            src = path.read_text(encoding="utf-8")
            assert ":material/" not in src, path
            assert "map_style" not in src, path


def test_readme_demo_counts_are_what_the_rules_give(sqlite_store):
    from lib.demo import load_demo
    from lib.rules.lights import compute_lights, light_counts
    from lib.store import session_scope

    with session_scope(sqlite_store) as s:
        load_demo(s)
    with session_scope(sqlite_store) as s:
        df = compute_lights(s, "2022-10")
    counts = light_counts(df)
    section = README.split("### The demo at a glance", 1)[1].split("##", 1)[0]
    assert f"{len(df)} projects" in section
    for light, zh in (("red", "红"), ("yellow", "黄"), ("green", "绿"), ("gray", "灰")):
        assert re.search(rf"\| {light} {zh} \| {counts[light]} \|", section), (light, counts[light])
    persistent = int(df["reasons"].fillna("").str.contains("连续3个月黄灯").sum())
    assert f"{persistent} turned red by 连续3个月黄灯" in section
