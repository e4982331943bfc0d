"""AppTest: a link to an inner page opened signed out (issue 14 item 5 follow-up).

The signed-out run registers every page under its real url path (app.py _nav_sections(None)), so the
page a link names is known before sign-in, shows nothing of itself before it, and is the page the
sign-in's rerun opens. A page the role may not see falls back to the cockpit, without leaking.
The browser side (no "Page not found" dialog, tap sign-in) is tests/browser/test_deeplink_browser.py.
"""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from lib.i18n import t
from tests.test_pages import APP, PASSWORD, TIMEOUT, demo_store  # noqa: F401  (the module's store)

pytestmark = pytest.mark.slow

# Every page but pipeline.py: its url path is its file name, and every AppTest run is judged in
# Streamlit's legacy pages/-folder mode (AppTest resets it before each run), which then runs
# pages/pipeline.py by itself ("请先登录。", no form). A served app leaves that mode in its warm-up run
# (tools/warm_up.py), before any browser comes.
INNER = ["pages/overview.py", "pages/map.py", "pages/league.py", "pages/outputs.py",
         "pages/project_list.py", "pages/project_file.py", "pages/problems.py",
         "pages/upload.py", "pages/quality.py", "pages/admin.py", "pages/audit.py"]


def _titles(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown]


def _signed_out_on(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.text_input(key="login_user")
    at.switch_page(page).run()  # raises ValueError when the signed-out run did not register the page
    assert not at.exception, [e.value for e in at.exception]
    assert at.text_input(key="login_user")  # still the sign-in form, and nothing of the page
    assert "actor" not in at.session_state
    return at


def _sign_in(at: AppTest, user: str) -> AppTest:
    at.text_input(key="login_user").input(user)
    at.text_input(key="login_password").input(PASSWORD)
    at.button(key="login_submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_every_page_named_while_signed_out_shows_the_sign_in_form(demo_store):  # noqa: F811
    """Every page is registered by the signed-out run (AppTest's switch_page finds it by its url path)
    and runs the frame's sign-in form, not the page file by itself (Streamlit's legacy pages/ mode)."""
    for page in INNER:
        _signed_out_on(page)


@pytest.mark.parametrize("page,title_key", [("pages/map.py", "page_map"), ("pages/league.py", "page_league")])
def test_sign_in_after_a_deep_link_lands_on_that_page(demo_store, page, title_key):  # noqa: F811
    at = _signed_out_on(page)
    assert f"## {t(title_key, 'zh')}" not in _titles(at)
    _sign_in(at, "leader")
    assert at.session_state["actor"].username == "leader"
    assert f"## {t(title_key, 'zh')}" in _titles(at), _titles(at)[:5]


def test_a_page_the_role_may_not_see_falls_back_to_the_cockpit(demo_store):  # noqa: F811
    at = _signed_out_on("pages/audit.py")
    _sign_in(at, "staff-532901")
    assert at.session_state["actor"].role == "staff"
    titles = _titles(at)
    assert f"## {t('audit_title', 'zh')}" not in titles
    assert f"## {t('page_overview', 'zh')}" in titles, titles[:5]
