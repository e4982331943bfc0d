"""Messages of data intake are keys with parameters, in both languages (issue 9 item 5, intake half).

1. No Chinese string literal in lib/intake/*.py outside docstrings, comments and an explicit
   allowlist of data-contract constants (column headers, stored enumeration words, template marks).
2. A bad upload's errors and warnings render in English with ``lang="en"`` and, with ``"zh"``, in
   exactly the Chinese the importer gave before the conversion (row, column and value preserved).
"""
from __future__ import annotations

import ast
import re

import pytest

from lib.errors import CockpitError
from lib.intake.importer import change_label, issue_text, run_import, undo_batch
from lib.intake.templates import rows_csv
from lib.store import session_scope
from tests._intake import LEADER, OFFICE, STAFF_A, project_row, seed
from tests.conftest import ROOT

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")

# The data contract of the upload templates (DESIGN.md "Upload templates"): words a file holds or a
# template writes and the parser reads back. They are data, not messages, and stay Chinese.
# {module: {name assigned at module level, or the callee whose arguments are data}}
DATA_CONTRACT = {
    "kinds.py": {
        "Col",  # the column registry: header (zh) and example cell values (its explanation is a key)
        "UploadKind",  # kind titles (title_zh + title_en) and key_zh, the 填表说明's 唯一键
        "_APPROVAL", "_REGION_ALIASES", "_PROJECT_ALIASES",  # headers and accepted header spellings
    },
    "pipeline_kinds.py": {"Col", "UploadKind", "_ALIASES"},
    "templates.py": {
        "DROPDOWN",  # the words offered in dropdowns (stored enumeration words)
        "EXAMPLE_MARK", "NOTES_SHEET",  # the example row's mark, the 填表说明 sheet's name
        "REFERENCE_COLUMNS",  # headers of the prefilled monthly template's side columns (仅供参考)
    },
    "parsing.py": {
        "TOTAL_WORDS", "REFERENCE_MARK",  # 合计 rows skipped, 仅供参考 columns ignored
        "MONEY_UNITS", "YEAR_SUFFIX", "_BLANK_WORDS",  # accepted spellings in a cell: 万元, 2022年, 无
        "_TRUE", "_FALSE", "ENUM_SYNONYMS",  # accepted words for yes/no and enumerations
        "MOJIBAKE_MARK",  # 锟斤拷: the mark of a broken encoding
    },
}


def _docstrings(tree: ast.AST) -> set[int]:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                out.add(id(body[0].value))
    return out


def _allowed_nodes(tree: ast.AST, names: set[str]) -> set[int]:
    """ids of every node under an allowed module-level assignment or an allowed call."""
    roots: list[ast.AST] = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(tg, ast.Name) and tg.id in names for tg in targets):
                roots.append(node)
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name in names:
                roots.append(node)
    return {id(n) for root in roots for n in ast.walk(root)}


def chinese_literals(source: str, module: str) -> list[tuple[int, str]]:
    """(line, text) of every Chinese string literal of ``source`` (the file lib/intake/``module``)
    that is neither a docstring nor inside that module's data-contract allowlist."""
    tree = ast.parse(source)
    skip = _docstrings(tree) | _allowed_nodes(tree, DATA_CONTRACT.get(module, set()))
    return sorted((node.lineno, node.value) for node in ast.walk(tree)
                  if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
                  and CJK.search(node.value))


def test_no_chinese_message_in_lib_intake():
    files = sorted((ROOT / "lib" / "intake").glob("*.py"))
    assert len(files) >= 8
    found = [f"lib/intake/{f.name}:{line}: {text[:50]!r}"
             for f in files for line, text in chinese_literals(f.read_text(encoding="utf-8"), f.name)]
    assert not found, "Chinese text in lib/intake outside the data contract (use an i18n key):\n" + "\n".join(found)


def test_the_scan_finds_a_chinese_message():
    """The check above is not blind: a message in an f-string and a Chinese default argument are
    found; docstrings and an allowlisted constant are not."""
    source = ('"""模块说明"""\nTOTAL_WORDS = ("合计",)\n\n\ndef f(x):\n    """函数说明"""\n'
              '    raise ValueError(f"「{x}」不是数字")\n\n\ndef g(what="整数"):\n    return what\n')
    assert chinese_literals(source, "parsing.py") == [(7, "」不是数字"), (10, "整数")]
    assert len(chinese_literals(source, "other.py")) == 3  # TOTAL_WORDS is data only where it is declared


# ---------- a bad upload in both languages ----------

def _bad_projects() -> bytes:
    rows = [project_row("N1", nature=None), project_row("N2", total="abc"), project_row("N3", region="外县"),
            project_row("N4", plan=20000, total=100), project_row("N5", name="x" * 300),
            project_row("N6", level="超级重点"), project_row("N1")]
    return rows_csv("projects", rows)


# What the importer said before the conversion, row by row (captured from the f-strings it replaced).
BEFORE_ZH = [
    (2, "建设性质", "", "年度建设项目必须填写「建设性质」(新开工 或 续建)"),
    (3, "总投资(万元)", "abc", "「abc」不是数字"),
    (4, "县区", "外县", "县区「外县」不存在:请填写系统中已有的县区名称或县区代码"),
    (5, "年度计划投资(万元)", "20000", "年度计划投资 20,000.00 万元超过总投资 100.00 万元"),
    (6, "项目名称", "x" * 60 + "…(共 300 字)", "文字过长:300 个字,本列最多 200 个字"),
    (7, "重点级别", "超级重点", "「超级重点」不是可选值,应为 省重点/市重点/县重点/一般"),
    (8, "项目代码", "N1 + 2022", "与第 2 行重复:同一项目代码、年度只能填一行"),
]
IN_ENGLISH = [
    "An annual project needs its nature (新开工 new start or 续建 continuing)",
    "“abc” is not a number",
    "No county “外县”: use the name or code of a county in the system",
    "The annual plan of 20,000.00 (10k CNY) exceeds the total investment of 100.00",
    "Too long: 300 characters, at most 200",
    "“超级重点” is not one of the choices: Provincial key/Municipal key/County key/General",
    "Duplicate of row 2: one row per 项目代码 + 年度",
]


def _without_data(text: str, *data: str) -> str:
    for d in data:
        text = text.replace(d, "")
    return text


@pytest.fixture
def seeded(sqlite_store):
    seed(sqlite_store)
    return sqlite_store


def test_a_bad_upload_reads_the_same_in_chinese_and_in_english(seeded):
    with session_scope(seeded) as s:
        r = run_import(s, "projects", _bad_projects(), "bad.csv", OFFICE, dry_run=True)
    assert not r.ok and len(r.errors) == len(BEFORE_ZH)
    zh = [issue_text(e, "zh") for e in r.errors]
    assert [(e["row"], e["column"], e["value"], e["message"]) for e in zh] == BEFORE_ZH
    assert [e["message"] for e in r.errors] == [m for *_, m in BEFORE_ZH]  # what the command line prints
    en = [issue_text(e, "en") for e in r.errors]
    assert [e["message"] for e in en] == IN_ENGLISH
    # where the error is stays as the file has it; a value cut short says so in English
    assert [(e["row"], e["column"]) for e in en] == [(row, col) for row, col, _, _ in BEFORE_ZH]
    assert en[4]["value"] == "x" * 60 + "… (300 characters)"
    assert [e["value"] for i, e in enumerate(en) if i != 4] == [v for i, (_, _, v, _) in enumerate(BEFORE_ZH) if i != 4]
    for e in en:  # no Chinese word of ours: only the file's own values and the template's words
        assert not CJK.search(_without_data(e["message"], "外县", "超级重点", "新开工", "续建", "项目代码", "年度")), e


def test_warnings_permissions_and_outcomes_in_both_languages(seeded):
    with session_scope(seeded) as s:
        ok = run_import(s, "monthly", rows_csv("monthly", [
            {"code": "A1", "period": f"2022-0{m}", "ytd_completed": 500, "started": "是", "variance_note": "x"}
            for m in (3, 4, 5)]), "m.csv", OFFICE)
    assert ok.ok and ok.message == "已导入:新增 3 行,更新 0 行,未变 0 行"
    assert ok.message_text("en") == "Imported: 3 new, 0 updated, 0 unchanged rows"
    copied = next(w for w in ok.warnings if w["key"] == "qf_copied")
    assert copied["message"] == "疑似照抄:已开工项目连续三个月本年累计完成投资都是 500.00 万元,请核实"
    assert issue_text(copied, "en")["message"] == "Possibly copied: the same ytd 500.00 three months running on a project under construction"
    with session_scope(seeded) as s:
        refused = run_import(s, "projects", rows_csv("projects", [project_row("Z1")]), "p.csv", LEADER, dry_run=True)
        staff = run_import(s, "regions", b"x", "r.csv", STAFF_A, dry_run=True)
    assert refused.errors[0]["message"] == "leader1(领导)没有权限上传数据"
    assert issue_text(refused.errors[0], "en")["message"] == "leader1 (Leader) may not upload data"
    assert staff.errors[0]["message"] == "staff-532901(县区填报员)没有权限上传全州基础数据(县区、县区目标和县区统计由项目办上传)"
    assert issue_text(staff.errors[0], "en")["message"].startswith("staff-532901 (County staff) may not upload prefecture-wide data")


def test_file_errors_and_undo_in_both_languages(seeded):
    with session_scope(seeded) as s:
        empty = run_import(s, "projects", b"", "e.csv", OFFICE, dry_run=True)
        header = run_import(s, "projects", "项目代码,项目名称\nA,B\n".encode(), "h.csv", OFFICE, dry_run=True)
    assert empty.errors[0]["message"] == "文件是空的:请选择填好的模板文件"
    assert issue_text(empty.errors[0], "en")["message"] == "The file is empty: choose the filled-in template"
    missing = header.errors[0]
    assert (missing["row"], missing["column"], missing["message"]) == (1, "县区", "缺少必填列「县区」")
    assert issue_text(missing, "en")["message"] == "Required column missing: region (县区)"
    with session_scope(seeded) as s:
        with pytest.raises(CockpitError) as exc:
            undo_batch(s, 99999, OFFICE)
    assert str(exc.value) == "上传批次 99999 不存在" and exc.value.text("en") == "Upload batch 99999 does not exist"


def test_new_problem_labels_in_both_languages(seeded):
    data = rows_csv("problems", [{"code": "A1", "category": "用地", "description": "d", "raised_on": "2022-03-01"}])
    with session_scope(seeded) as s:
        r = run_import(s, "problems", data, "p.csv", OFFICE, dry_run=True)
    assert r.ok and r.changes[0]["key"] == "Q-000001(新问题,系统编号)"
    assert change_label(r.changes[0], "zh") == "Q-000001(新问题,系统编号)"
    assert change_label(r.changes[0], "en") == "Q-000001 (new problem, system number)"
